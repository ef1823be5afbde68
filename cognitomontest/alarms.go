package cognitomontest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// AlarmARNPrefix is how the ARNs of the fake's alarms begin; the alarm's name
// follows. The fake lives in us-east-1 and account 123456789012.
const AlarmARNPrefix = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"

// registerAlarms adds the alarm operations to the server's routes.
func (f *CloudWatch) registerAlarms(r routes) {
	r["CloudWatch.PutMetricAlarm"] = op(f.PutMetricAlarm)
	r["CloudWatch.DescribeAlarms"] = op(f.DescribeAlarms)
	r["CloudWatch.DeleteAlarms"] = op(f.DeleteAlarms)
	r["CloudWatch.TagResource"] = op(f.TagResource)
	r["CloudWatch.UntagResource"] = op(f.UntagResource)
	r["CloudWatch.ListTagsForResource"] = op(f.ListTagsForResource)
}

// alarmStore holds the fake's alarms, guarded by CloudWatch.mu.
type alarmStore struct {
	byName map[string]*storedAlarm
	// quota, when positive, is how many alarms PutMetricAlarm may create.
	quota int
}

// SetAlarmQuota makes PutMetricAlarm refuse to create an alarm beyond n
// alarms in all with LimitExceeded (LimitExceededFault, FACTS.md 4.3), as
// when an account quota is reached; updates of existing alarms still pass.
// Zero or less removes the limit, the default.
func (f *CloudWatch) SetAlarmQuota(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.alarms.quota = n
}

// storedAlarm is one alarm as DescribeAlarms reports it, and its tags.
type storedAlarm struct {
	alarm cwtypes.MetricAlarm
	tags  map[string]string
}

func cwError(code, format string, args ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}

// The error codes of CloudWatch's awsQuery-compatible protocol; the HTTP
// server turns each into its modeled error type.
const (
	codeInvalidValue       = "InvalidParameterValue"
	codeInvalidCombination = "InvalidParameterCombination"
	codeMissingParameter   = "MissingParameter"
	codeLimitExceeded      = "LimitExceeded"
)

// PutMetricAlarm creates or updates a metric alarm, rejecting what AWS
// rejects (FACTS.md 4.3): a bad name, a mix of the single-metric and the
// metric-math forms, more than 10 MetricStat or 10 expression queries, not
// exactly one query with ReturnData, periods other than 10, 20, 30 or a
// multiple of 60, Period x EvaluationPeriods beyond one day (periods under an
// hour) or seven days, more than 5 actions per state or 50 tags, a SEARCH
// expression, more than one Metrics Insights query or one without a period
// of whole minutes, and, with SetAlarmQuota, an alarm beyond the quota. A new alarm starts in INSUFFICIENT_DATA with the given
// tags; an update replaces the configuration, keeps the state, and ignores
// Tags, as AWS does.
func (f *CloudWatch) PutMetricAlarm(ctx context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("PutMetricAlarm"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.PutMetricAlarmInput{}
	}
	if err := validateAlarmInput(in); err != nil {
		return nil, err
	}
	now := f.opts.Now().UTC()
	name := *in.AlarmName
	a := cwtypes.MetricAlarm{
		AlarmName:                          aws.String(name),
		AlarmArn:                           aws.String(AlarmARNPrefix + name),
		AlarmDescription:                   cloneStr(in.AlarmDescription),
		ActionsEnabled:                     aws.Bool(in.ActionsEnabled == nil || *in.ActionsEnabled),
		AlarmActions:                       slices.Clone(in.AlarmActions),
		OKActions:                          slices.Clone(in.OKActions),
		InsufficientDataActions:            slices.Clone(in.InsufficientDataActions),
		ActionConfiguration:                in.ActionConfiguration,
		ComparisonOperator:                 in.ComparisonOperator,
		DatapointsToAlarm:                  cloneInt(in.DatapointsToAlarm),
		Dimensions:                         cloneDimensions(in.Dimensions),
		EvaluateLowSampleCountPercentile:   cloneStr(in.EvaluateLowSampleCountPercentile),
		EvaluationCriteria:                 in.EvaluationCriteria,
		EvaluationInterval:                 cloneInt(in.EvaluationInterval),
		EvaluationPeriods:                  cloneInt(in.EvaluationPeriods),
		EvaluationWindow:                   in.EvaluationWindow,
		ExtendedStatistic:                  cloneStr(in.ExtendedStatistic),
		MetricName:                         cloneStr(in.MetricName),
		Metrics:                            cloneQueries(in.Metrics),
		Namespace:                          cloneStr(in.Namespace),
		Period:                             cloneInt(in.Period),
		Statistic:                          in.Statistic,
		Threshold:                          cloneFloat(in.Threshold),
		ThresholdMetricId:                  cloneStr(in.ThresholdMetricId),
		TreatMissingData:                   cloneStr(in.TreatMissingData),
		Unit:                               in.Unit,
		AlarmConfigurationUpdatedTimestamp: aws.Time(now),
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.alarms.byName == nil {
		f.alarms.byName = map[string]*storedAlarm{}
	}
	if old, ok := f.alarms.byName[name]; ok {
		a.StateValue = old.alarm.StateValue
		a.StateReason = old.alarm.StateReason
		a.StateReasonData = old.alarm.StateReasonData
		a.StateUpdatedTimestamp = old.alarm.StateUpdatedTimestamp
		a.StateTransitionedTimestamp = old.alarm.StateTransitionedTimestamp
		old.alarm = a
		return &cloudwatch.PutMetricAlarmOutput{}, nil
	}
	if f.alarms.quota > 0 && len(f.alarms.byName) >= f.alarms.quota {
		return nil, cwError(codeLimitExceeded, "The maximum number of alarms (%d) has been reached.", f.alarms.quota)
	}
	a.StateValue = cwtypes.StateValueInsufficientData
	a.StateReason = aws.String("Unchecked: Initial alarm creation")
	a.StateUpdatedTimestamp = aws.Time(now)
	a.StateTransitionedTimestamp = aws.Time(now)
	tags := map[string]string{}
	for _, t := range in.Tags {
		tags[*t.Key] = aws.ToString(t.Value)
	}
	f.alarms.byName[name] = &storedAlarm{alarm: a, tags: tags}
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

var (
	percentileStat = regexp.MustCompile(`^p\d{1,2}(\.\d{1,2})?$`)
)

// validAlarmName reports whether s is a valid alarm name: 1 to 255
// characters of UTF-8 without ASCII control characters (FACTS.md 4.3).
func validAlarmName(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > 255 || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// validAlarmPeriod reports whether p seconds is a valid alarm period.
func validAlarmPeriod(p int32) bool {
	return p == 10 || p == 20 || p == 30 || p > 0 && p%60 == 0
}

func validateAlarmInput(in *cloudwatch.PutMetricAlarmInput) error {
	if in.AlarmName == nil {
		return cwError(codeMissingParameter, "The parameter AlarmName is required.")
	}
	name := *in.AlarmName
	if !validAlarmName(name) {
		return cwError(codeInvalidValue, "The alarm name %q must be 1 to 255 UTF-8 characters without ASCII control characters.", name)
	}
	if in.AlarmDescription != nil && utf8.RuneCountInString(*in.AlarmDescription) > 1024 {
		return cwError(codeInvalidValue, "The alarm description of %s is longer than 1024 characters.", name)
	}
	forms := 0
	for _, set := range []bool{in.MetricName != nil, len(in.Metrics) > 0, in.EvaluationCriteria != nil} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		return cwError(codeInvalidCombination, "Alarm %s: exactly one of MetricName, Metrics and EvaluationCriteria is required.", name)
	}
	var period int32
	switch {
	case len(in.Metrics) > 0:
		if in.Namespace != nil || in.Dimensions != nil || in.Period != nil || in.Unit != "" || in.Statistic != "" || in.ExtendedStatistic != nil {
			return cwError(codeInvalidCombination, "Alarm %s: with Metrics, Namespace, MetricName, Dimensions, Period, Unit, Statistic and ExtendedStatistic must not be set.", name)
		}
		p, err := validateAlarmMetrics(name, in.Metrics)
		if err != nil {
			return err
		}
		period = p
	case in.MetricName != nil:
		switch {
		case in.Namespace == nil || *in.Namespace == "" || *in.MetricName == "":
			return cwError(codeMissingParameter, "Alarm %s: Namespace and MetricName are required.", name)
		case in.Period == nil:
			return cwError(codeMissingParameter, "Alarm %s: Period is required.", name)
		case !validAlarmPeriod(*in.Period):
			return cwError(codeInvalidValue, "Alarm %s: Period %d must be 10, 20, 30 or a multiple of 60.", name, *in.Period)
		case (in.Statistic == "") == (in.ExtendedStatistic == nil):
			return cwError(codeInvalidCombination, "Alarm %s: exactly one of Statistic and ExtendedStatistic is required.", name)
		case in.Statistic != "" && !slices.Contains(cwtypes.Statistic("").Values(), in.Statistic):
			return cwError(codeInvalidValue, "Alarm %s: unknown Statistic %q.", name, in.Statistic)
		}
		if err := validateDimensions(name, in.Dimensions); err != nil {
			return err
		}
		period = *in.Period
	default:
		if in.EvaluationPeriods != nil || in.Threshold != nil || in.ComparisonOperator != "" || in.DatapointsToAlarm != nil {
			return cwError(codeInvalidCombination, "Alarm %s: with EvaluationCriteria, Threshold, ComparisonOperator, EvaluationPeriods and DatapointsToAlarm must not be set.", name)
		}
	}
	if in.EvaluationCriteria == nil {
		if err := validateEvaluation(name, in, period); err != nil {
			return err
		}
	}
	if in.TreatMissingData != nil {
		switch *in.TreatMissingData {
		case "breaching", "notBreaching", "ignore", "missing":
		default:
			return cwError(codeInvalidValue, "Alarm %s: TreatMissingData %q must be breaching, notBreaching, ignore or missing.", name, *in.TreatMissingData)
		}
	}
	for field, actions := range map[string][]string{"AlarmActions": in.AlarmActions, "OKActions": in.OKActions, "InsufficientDataActions": in.InsufficientDataActions} {
		if len(actions) > 5 {
			return cwError(codeInvalidValue, "Alarm %s: %s holds %d actions, more than 5.", name, field, len(actions))
		}
		for _, a := range actions {
			if !strings.HasPrefix(a, "arn:") {
				return cwError(codeInvalidValue, "Alarm %s: %s %q is not an ARN.", name, field, a)
			}
		}
	}
	keys := map[string]bool{}
	for _, t := range in.Tags {
		keys[aws.ToString(t.Key)] = true
	}
	return validateTags(in.Tags, len(keys))
}

// validateEvaluation checks the threshold, comparison and evaluation periods
// of a static-threshold alarm whose period is period seconds.
func validateEvaluation(name string, in *cloudwatch.PutMetricAlarmInput, period int32) error {
	if in.EvaluationPeriods == nil {
		return cwError(codeMissingParameter, "Alarm %s: EvaluationPeriods is required.", name)
	}
	n := *in.EvaluationPeriods
	if n < 1 {
		return cwError(codeInvalidValue, "Alarm %s: EvaluationPeriods must be at least 1.", name)
	}
	if in.DatapointsToAlarm != nil && (*in.DatapointsToAlarm < 1 || *in.DatapointsToAlarm > n) {
		// Assumption: AWS rejects M > N; the model says only M >= 1.
		return cwError(codeInvalidValue, "Alarm %s: DatapointsToAlarm must be 1 to EvaluationPeriods (%d).", name, n)
	}
	total := int64(period) * int64(n)
	switch {
	case total > 604800:
		return cwError(codeInvalidValue, "Alarm %s: Period x EvaluationPeriods is %d seconds, more than 7 days.", name, total)
	case period < 3600 && total > 86400:
		return cwError(codeInvalidValue, "Alarm %s: Period x EvaluationPeriods is %d seconds, more than one day for a period under an hour.", name, total)
	}
	if in.ComparisonOperator == "" {
		return cwError(codeMissingParameter, "Alarm %s: ComparisonOperator is required.", name)
	}
	if !slices.Contains(cwtypes.ComparisonOperator("").Values(), in.ComparisonOperator) {
		return cwError(codeInvalidValue, "Alarm %s: unknown ComparisonOperator %q.", name, in.ComparisonOperator)
	}
	anomaly := strings.Contains(string(in.ComparisonOperator), "Upper") || strings.Contains(string(in.ComparisonOperator), "Lower")
	switch {
	case anomaly != (in.ThresholdMetricId != nil):
		return cwError(codeInvalidCombination, "Alarm %s: ThresholdMetricId goes with, and only with, the anomaly-detection operators.", name)
	case !anomaly && in.Threshold == nil:
		return cwError(codeMissingParameter, "Alarm %s: Threshold is required.", name)
	}
	return nil
}

// validateAlarmMetrics checks the Metrics array of an alarm and returns its
// period in seconds.
func validateAlarmMetrics(name string, qs []cwtypes.MetricDataQuery) (int32, error) {
	ids := map[string]bool{}
	var stats, exprs, insights, returned int
	var period int32
	for _, q := range qs {
		id := aws.ToString(q.Id)
		if !queryIDPattern.MatchString(id) || len(id) > 255 {
			return 0, cwError(codeInvalidValue, "Alarm %s: query id %q must start with a lowercase letter and hold only letters, digits and underscores.", name, id)
		}
		if ids[id] {
			return 0, cwError(codeInvalidValue, "Alarm %s: duplicate query id %q.", name, id)
		}
		ids[id] = true
		if (q.Expression == nil) == (q.MetricStat == nil) {
			return 0, cwError(codeInvalidCombination, "Alarm %s: query %s needs exactly one of Expression and MetricStat.", name, id)
		}
		if q.ReturnData == nil || *q.ReturnData {
			returned++
		}
		if q.Expression != nil {
			exprs++
			if n := len(*q.Expression); n < 1 || n > 2048 {
				return 0, cwError(codeInvalidValue, "Alarm %s: the expression of %s must be 1 to 2048 characters.", name, id)
			}
			if insightsQuery(*q.Expression) {
				insights++
				switch {
				case q.Period == nil:
					return 0, cwError(codeMissingParameter, "Alarm %s: the Metrics Insights query %s needs a period.", name, id)
				case *q.Period <= 0 || *q.Period%60 != 0:
					// FACTS.md 9.4 f: no high-resolution data.
					return 0, cwError(codeInvalidValue, "Alarm %s: the period %d of the Metrics Insights query %s must be a multiple of 60.", name, *q.Period, id)
				case period != 0 && *q.Period != period:
					return 0, cwError(codeInvalidValue, "Alarm %s: every metric of an alarm must have the same period (%d and %d).", name, period, *q.Period)
				}
				period = *q.Period
			}
			continue
		}
		stats++
		ms := q.MetricStat
		switch {
		case ms.Metric == nil || aws.ToString(ms.Metric.Namespace) == "" || aws.ToString(ms.Metric.MetricName) == "":
			return 0, cwError(codeMissingParameter, "Alarm %s: query %s needs a metric with a namespace and a name.", name, id)
		case ms.Period == nil:
			return 0, cwError(codeMissingParameter, "Alarm %s: query %s needs a period.", name, id)
		case !validAlarmPeriod(*ms.Period):
			return 0, cwError(codeInvalidValue, "Alarm %s: the period %d of %s must be 10, 20, 30 or a multiple of 60.", name, *ms.Period, id)
		case period != 0 && *ms.Period != period:
			// AWSDOCS-CW AlarmThatSendsEmail.md: "Each metric must be using
			// the same period."
			return 0, cwError(codeInvalidValue, "Alarm %s: every metric of an alarm must have the same period (%d and %d).", name, period, *ms.Period)
		case ms.Stat == nil || !(slices.Contains(cwtypes.Statistic("").Values(), cwtypes.Statistic(*ms.Stat)) || percentileStat.MatchString(*ms.Stat)):
			return 0, cwError(codeInvalidValue, "Alarm %s: query %s has an unknown statistic %q.", name, id, aws.ToString(ms.Stat))
		}
		period = *ms.Period
		if err := validateDimensions(name, ms.Metric.Dimensions); err != nil {
			return 0, err
		}
	}
	switch {
	case stats > 10:
		return 0, cwError(codeInvalidValue, "Alarm %s: %d metrics, more than 10.", name, stats)
	case exprs > 10:
		return 0, cwError(codeInvalidValue, "Alarm %s: %d expressions, more than 10.", name, exprs)
	case returned != 1:
		return 0, cwError(codeInvalidValue, "Alarm %s: exactly one query must have ReturnData true, not %d.", name, returned)
	case insights > 1:
		// FACTS.md 9.4 f: one Metrics Insights query per GetMetricData
		// call, and alarm queries follow the same rules.
		return 0, cwError(codeInvalidValue, "Alarm %s: at most one Metrics Insights query, not %d.", name, insights)
	case period == 0:
		return 0, cwError(codeInvalidValue, "Alarm %s: the expressions must use at least one metric.", name)
	}
	for _, q := range qs {
		if q.Expression == nil || insightsQuery(*q.Expression) {
			continue
		}
		refs, search := expressionNames(*q.Expression)
		if search {
			return 0, cwError(codeInvalidValue, "Alarm %s: query %s uses SEARCH, which cannot back an alarm.", name, aws.ToString(q.Id))
		}
		for _, ref := range refs {
			if !ids[ref] {
				return 0, cwError(codeInvalidValue, "Alarm %s: the expression of %s refers to %q, which is not a query of the alarm.", name, aws.ToString(q.Id), ref)
			}
		}
	}
	return period, nil
}

// insightsQuery reports whether an expression is a Metrics Insights query
// rather than metric math.
func insightsQuery(e string) bool { return strings.HasPrefix(strings.TrimSpace(e), "SELECT ") }

// expressionNames returns the query IDs an expression mentions (identifiers
// starting with a lowercase letter, outside string literals) and whether it
// calls SEARCH.
func expressionNames(e string) (refs []string, search bool) {
	for i := 0; i < len(e); {
		c := e[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(e) && e[j] != c {
				if e[j] == '\\' {
					j++
				}
				j++
			}
			i = j + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(e) && (e[j] == '_' || e[j] >= 'a' && e[j] <= 'z' || e[j] >= 'A' && e[j] <= 'Z' || e[j] >= '0' && e[j] <= '9') {
				j++
			}
			word := e[i:j]
			if word == "SEARCH" {
				search = true
			} else if word[0] >= 'a' && word[0] <= 'z' && !slices.Contains(refs, word) {
				refs = append(refs, word)
			}
			i = j
		case c >= '0' && c <= '9':
			for i < len(e) && (e[i] >= '0' && e[i] <= '9' || e[i] == '.' || e[i] == 'e' || e[i] == 'E') {
				i++
			}
		default:
			i++
		}
	}
	return refs, search
}

func validateDimensions(name string, dims []cwtypes.Dimension) error {
	if len(dims) > 30 {
		return cwError(codeInvalidValue, "Alarm %s: %d dimensions, more than 30.", name, len(dims))
	}
	for _, d := range dims {
		n, v := aws.ToString(d.Name), aws.ToString(d.Value)
		if n == "" || len(n) > 255 || v == "" || len(v) > 1024 || !asciiOnly(n) || !asciiOnly(v) {
			return cwError(codeInvalidValue, "Alarm %s: dimension %q=%q: names must be 1 to 255 and values 1 to 1024 ASCII characters.", name, n, v)
		}
	}
	return nil
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// validateTags checks tags for an alarm that will have total tags in all:
// at most 50, keys 1 to 128 characters, values at most 256 (FACTS.md 4.3).
func validateTags(tags []cwtypes.Tag, total int) error {
	if total > 50 {
		return cwError(codeInvalidValue, "An alarm can have at most 50 tags, not %d.", total)
	}
	for _, t := range tags {
		k := aws.ToString(t.Key)
		if n := utf8.RuneCountInString(k); t.Key == nil || n < 1 || n > 128 {
			return cwError(codeInvalidValue, "Tag key %q must be 1 to 128 characters.", k)
		}
		if t.Value == nil {
			return cwError(codeMissingParameter, "Tag %q has no value.", k)
		}
		if utf8.RuneCountInString(*t.Value) > 256 {
			return cwError(codeInvalidValue, "The value of tag %q is longer than 256 characters.", k)
		}
	}
	return nil
}

// DescribeAlarms lists metric alarms by AlarmNames or AlarmNamePrefix (not
// both), StateValue and ActionPrefix, sorted by name, MaxRecords (1 to 100,
// default 50) a page. Only metric alarms are listed, and only when AlarmTypes
// is empty or names MetricAlarm, as AWS does (FACTS.md 4.4). The fake holds no
// composite alarms, so ChildrenOfAlarmName and ParentsOfAlarmName find none.
func (f *CloudWatch) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("DescribeAlarms"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.DescribeAlarmsInput{}
	}
	family := in.ChildrenOfAlarmName != nil || in.ParentsOfAlarmName != nil
	switch {
	case len(in.AlarmNames) > 100:
		return nil, cwError(codeInvalidValue, "AlarmNames may hold at most 100 names, not %d.", len(in.AlarmNames))
	case in.AlarmNamePrefix != nil && len(in.AlarmNames) > 0:
		return nil, cwError(codeInvalidCombination, "AlarmNamePrefix and AlarmNames cannot be used together.")
	case family && (in.AlarmNamePrefix != nil || len(in.AlarmNames) > 0 || in.StateValue != "" || in.ActionPrefix != nil || in.ChildrenOfAlarmName != nil && in.ParentsOfAlarmName != nil):
		return nil, cwError(codeInvalidCombination, "ChildrenOfAlarmName and ParentsOfAlarmName cannot be used with other filters.")
	case in.MaxRecords != nil && (*in.MaxRecords < 1 || *in.MaxRecords > 100):
		return nil, cwError(codeInvalidValue, "MaxRecords must be 1 to 100, not %d.", *in.MaxRecords)
	}
	for _, t := range in.AlarmTypes {
		if !slices.Contains(cwtypes.AlarmType("").Values(), t) {
			return nil, cwError(codeInvalidValue, "unknown AlarmType %q.", t)
		}
	}
	limit := 50 // Assumption: AWS's default page size; the model does not say.
	if in.MaxRecords != nil {
		limit = int(*in.MaxRecords)
	}
	after := ""
	if in.NextToken != nil {
		if !strings.HasPrefix(*in.NextToken, "da:") {
			return nil, &cwtypes.InvalidNextToken{Message: aws.String("invalid NextToken")}
		}
		after = strings.TrimPrefix(*in.NextToken, "da:")
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	if family || len(in.AlarmTypes) > 0 && !slices.Contains(in.AlarmTypes, cwtypes.AlarmTypeMetricAlarm) {
		return out, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, 0, len(f.alarms.byName))
	for n := range f.alarms.byName {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		a := f.alarms.byName[n].alarm
		switch {
		case after != "" && n <= after:
			continue
		case len(in.AlarmNames) > 0 && !slices.Contains(in.AlarmNames, n):
			continue
		case in.AlarmNamePrefix != nil && !strings.HasPrefix(n, *in.AlarmNamePrefix):
			continue
		case in.StateValue != "" && a.StateValue != in.StateValue:
			continue
		case in.ActionPrefix != nil && !hasActionPrefix(a, *in.ActionPrefix):
			continue
		}
		if len(out.MetricAlarms) == limit {
			out.NextToken = aws.String("da:" + *out.MetricAlarms[limit-1].AlarmName)
			break
		}
		out.MetricAlarms = append(out.MetricAlarms, cloneAlarm(a))
	}
	return out, nil
}

func hasActionPrefix(a cwtypes.MetricAlarm, prefix string) bool {
	for _, l := range [][]string{a.AlarmActions, a.OKActions, a.InsufficientDataActions} {
		for _, x := range l {
			if strings.HasPrefix(x, prefix) {
				return true
			}
		}
	}
	return false
}

// DeleteAlarms deletes up to 100 alarms by name. Alarms with correct names
// are deleted even when others are unknown, as the API documentation says;
// the unknown names are then reported with ResourceNotFound.
//
// Assumption: whether AWS answers an unknown name with an error is not
// documented (the SDK documentation says only that the correct names are
// still deleted; a third-party report says no error comes back). The fake
// takes the stricter reading, so callers learn to tolerate ResourceNotFound.
func (f *CloudWatch) DeleteAlarms(ctx context.Context, in *cloudwatch.DeleteAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("DeleteAlarms"); err != nil {
		return nil, err
	}
	if in == nil || len(in.AlarmNames) == 0 {
		return nil, cwError(codeMissingParameter, "The parameter AlarmNames is required.")
	}
	if len(in.AlarmNames) > 100 {
		return nil, cwError(codeInvalidValue, "AlarmNames may hold at most 100 names, not %d.", len(in.AlarmNames))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var missing []string
	for _, n := range in.AlarmNames {
		if _, ok := f.alarms.byName[n]; !ok {
			missing = append(missing, n)
			continue
		}
		delete(f.alarms.byName, n)
	}
	if len(missing) > 0 {
		return nil, &cwtypes.ResourceNotFound{Message: aws.String("Alarms not found: " + strings.Join(missing, ", "))}
	}
	return &cloudwatch.DeleteAlarmsOutput{}, nil
}

// alarmByARN returns the stored alarm an ARN names. f.mu must be held.
func (f *CloudWatch) alarmByARN(arn *string) (*storedAlarm, error) {
	if arn == nil {
		return nil, cwError(codeMissingParameter, "The parameter ResourceARN is required.")
	}
	if s, ok := f.alarms.byName[strings.TrimPrefix(*arn, AlarmARNPrefix)]; ok && strings.HasPrefix(*arn, AlarmARNPrefix) {
		return s, nil
	}
	return nil, &cwtypes.ResourceNotFoundException{Message: aws.String("Resource not found: " + *arn), ResourceType: aws.String("Alarm"), ResourceId: arn}
}

// TagResource adds tags to an alarm or replaces the values of existing keys.
func (f *CloudWatch) TagResource(ctx context.Context, in *cloudwatch.TagResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("TagResource"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.TagResourceInput{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.alarmByARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, cwError(codeMissingParameter, "The parameter Tags is required.")
	}
	added := 0
	for _, t := range in.Tags {
		if _, ok := s.tags[aws.ToString(t.Key)]; !ok {
			added++
		}
	}
	if err := validateTags(in.Tags, len(s.tags)+added); err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		s.tags[*t.Key] = *t.Value
	}
	return &cloudwatch.TagResourceOutput{}, nil
}

// UntagResource removes tags from an alarm; unknown keys are ignored.
func (f *CloudWatch) UntagResource(ctx context.Context, in *cloudwatch.UntagResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.UntagResourceOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("UntagResource"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.UntagResourceInput{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.alarmByARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, cwError(codeMissingParameter, "The parameter TagKeys is required.")
	}
	for _, k := range in.TagKeys {
		delete(s.tags, k)
	}
	return &cloudwatch.UntagResourceOutput{}, nil
}

// ListTagsForResource returns an alarm's tags, sorted by key.
func (f *CloudWatch) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("ListTagsForResource"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.ListTagsForResourceInput{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.alarmByARN(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	out := &cloudwatch.ListTagsForResourceOutput{Tags: []cwtypes.Tag{}}
	for _, k := range sortedTagKeys(s.tags) {
		out.Tags = append(out.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(s.tags[k])})
	}
	return out, nil
}

// SetAlarmState sets an alarm's state as an evaluation would, for tests that
// read states back. It reports whether the alarm exists.
func (f *CloudWatch) SetAlarmState(name string, state cwtypes.StateValue, reason string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.alarms.byName[name]
	if !ok {
		return false
	}
	now := aws.Time(f.opts.Now().UTC())
	if s.alarm.StateValue != state {
		s.alarm.StateTransitionedTimestamp = now
	}
	s.alarm.StateValue, s.alarm.StateReason, s.alarm.StateUpdatedTimestamp = state, aws.String(reason), now
	return true
}

func sortedTagKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func cloneStr(p *string) *string {
	if p == nil {
		return nil
	}
	return aws.String(*p)
}

func cloneInt(p *int32) *int32 {
	if p == nil {
		return nil
	}
	return aws.Int32(*p)
}

func cloneFloat(p *float64) *float64 {
	if p == nil {
		return nil
	}
	return aws.Float64(*p)
}

func cloneTime(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	return aws.Time(*p)
}

func cloneDimensions(ds []cwtypes.Dimension) []cwtypes.Dimension {
	if ds == nil {
		return nil
	}
	out := make([]cwtypes.Dimension, len(ds))
	for i, d := range ds {
		out[i] = cwtypes.Dimension{Name: cloneStr(d.Name), Value: cloneStr(d.Value)}
	}
	return out
}

func cloneQueries(qs []cwtypes.MetricDataQuery) []cwtypes.MetricDataQuery {
	if qs == nil {
		return nil
	}
	out := make([]cwtypes.MetricDataQuery, len(qs))
	for i, q := range qs {
		c := cwtypes.MetricDataQuery{
			Id: cloneStr(q.Id), AccountId: cloneStr(q.AccountId), Expression: cloneStr(q.Expression),
			Label: cloneStr(q.Label), Period: cloneInt(q.Period),
		}
		if q.ReturnData != nil {
			c.ReturnData = aws.Bool(*q.ReturnData)
		}
		if ms := q.MetricStat; ms != nil {
			c.MetricStat = &cwtypes.MetricStat{Period: cloneInt(ms.Period), Stat: cloneStr(ms.Stat), Unit: ms.Unit}
			if ms.Metric != nil {
				c.MetricStat.Metric = &cwtypes.Metric{
					Namespace: cloneStr(ms.Metric.Namespace), MetricName: cloneStr(ms.Metric.MetricName),
					Dimensions: cloneDimensions(ms.Metric.Dimensions),
				}
			}
		}
		out[i] = c
	}
	return out
}

// cloneAlarm copies a stored alarm so that callers cannot change the store.
func cloneAlarm(a cwtypes.MetricAlarm) cwtypes.MetricAlarm {
	c := a
	c.AlarmName, c.AlarmArn, c.AlarmDescription = cloneStr(a.AlarmName), cloneStr(a.AlarmArn), cloneStr(a.AlarmDescription)
	c.AlarmActions, c.OKActions, c.InsufficientDataActions = slices.Clone(a.AlarmActions), slices.Clone(a.OKActions), slices.Clone(a.InsufficientDataActions)
	if a.ActionsEnabled != nil {
		c.ActionsEnabled = aws.Bool(*a.ActionsEnabled)
	}
	c.DatapointsToAlarm, c.EvaluationPeriods, c.Period, c.EvaluationInterval = cloneInt(a.DatapointsToAlarm), cloneInt(a.EvaluationPeriods), cloneInt(a.Period), cloneInt(a.EvaluationInterval)
	c.Dimensions, c.Metrics = cloneDimensions(a.Dimensions), cloneQueries(a.Metrics)
	c.MetricName, c.Namespace, c.ExtendedStatistic = cloneStr(a.MetricName), cloneStr(a.Namespace), cloneStr(a.ExtendedStatistic)
	c.Threshold, c.ThresholdMetricId, c.TreatMissingData = cloneFloat(a.Threshold), cloneStr(a.ThresholdMetricId), cloneStr(a.TreatMissingData)
	c.EvaluateLowSampleCountPercentile, c.StateReason, c.StateReasonData = cloneStr(a.EvaluateLowSampleCountPercentile), cloneStr(a.StateReason), cloneStr(a.StateReasonData)
	c.AlarmConfigurationUpdatedTimestamp, c.StateUpdatedTimestamp, c.StateTransitionedTimestamp = cloneTime(a.AlarmConfigurationUpdatedTimestamp), cloneTime(a.StateUpdatedTimestamp), cloneTime(a.StateTransitionedTimestamp)
	return c
}
