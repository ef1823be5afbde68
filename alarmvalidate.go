package cognitomon

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// The limits of CloudWatch alarms and CloudWatch Logs metric filters that
// Validate checks (FACTS.md 4.1, 4.3; the DescribeMetricFilters and
// PutMetricFilter API reference for the filter names).
const (
	maxAlarmMetricStats = 10
	maxAlarmExpressions = 10
	maxAlarmActions     = 5
	maxAlarmTags        = 50
	maxAlarmDimensions  = 30
	maxDescriptionLen   = 1024
	maxExpressionLen    = 2048
	// Assumption: a filter pattern is at most 1,024 characters. FACTS.md
	// does not say; the PutMetricFilter API reference gives filterPattern
	// "Length Constraints: Minimum length of 0. Maximum length of 1024."
	// Check with `aws logs put-metric-filter` and a 1,025-character pattern.
	maxFilterPatternLen  = 1024
	maxFilterValueLen    = 100
	oneDay               = 24 * time.Hour
	sevenDays            = 7 * oneDay
	cognitoPublishPeriod = 5 * time.Minute
)

var (
	queryIDPattern      = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]{0,254}$`)
	logGroupPattern     = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)
	filterNamePattern   = regexp.MustCompile(`^[^:*]{1,512}$`)
	filterMetricPattern = regexp.MustCompile(`^[^:*$]{1,255}$`)
	eventNamePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
	queryRefPattern     = regexp.MustCompile(`"[^"]*"|'[^']*'|[0-9.]+(?:[eE][-+]?[0-9]+)?|[A-Za-z_][A-Za-z0-9_]*`)
	logicalIDPart       = regexp.MustCompile(`[A-Za-z0-9]+`)
)

var alarmStats = []string{"SampleCount", "Sum", "Average", "Minimum", "Maximum"}

// validName reports whether s is a valid alarm name: 1 to 255 characters of
// UTF-8 without ASCII control characters (FACTS.md 4.3).
func validName(s string) bool {
	if s == "" || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 255 {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Validate reports every way in which a would be rejected by CloudWatch or
// could not work: one *AlarmError (wrapping ErrInvalidAlarm) per problem,
// joined with errors.Join. It checks the name (1 to 255 characters, no
// control characters), the description (at most 1,024), the queries (IDs
// starting with a lowercase letter, unique; each an expression or a metric;
// at most 10 MetricStat and 10 expressions; exactly one ReturnData;
// expressions of 1 to 2,048 characters that name only the alarm's queries
// and no SEARCH, or one Metrics Insights query alone), the period (10, 20, 30 or a multiple of 60 seconds; a
// multiple of 5 minutes on AWS/Cognito metrics, which Cognito publishes
// every five minutes), EvaluationPeriods and DatapointsToAlarm (1 <= M <= N,
// Period x N at most one day below an hour's period and seven days
// otherwise), the comparison, a finite threshold that can both breach and
// not breach for what the alarm measures (a percentage or a count, for the
// standard alarms), TreatMissingData, at most 5 actions per state,
// at most 50 tags, and the metric filter (log group name, filter name,
// pattern of at most 1,024 characters, metric names, and that the alarm
// watches the filter's metric).
func (a Alarm) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &AlarmError{Alarm: a.Name, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !validName(a.Name) {
		bad("Name", "must be 1 to 255 characters of UTF-8 without ASCII control characters")
	}
	if utf8.RuneCountInString(a.Description) > maxDescriptionLen {
		bad("Description", "is %d characters long, more than %d", utf8.RuneCountInString(a.Description), maxDescriptionLen)
	}
	a.validateQueries(bad)
	a.validateEvaluation(bad)
	for _, l := range []struct {
		field   string
		actions []string
	}{{"AlarmActions", a.AlarmActions}, {"OKActions", a.OKActions}, {"InsufficientDataActions", a.InsufficientDataActions}} {
		if len(l.actions) > maxAlarmActions {
			bad(l.field, "holds %d actions, more than %d", len(l.actions), maxAlarmActions)
		}
		for _, arn := range l.actions {
			if !strings.HasPrefix(arn, "arn:") || len(arn) > 1024 {
				bad(l.field, "%q is not an ARN", text.Truncate(arn))
			}
		}
	}
	if len(a.Tags) > maxAlarmTags {
		bad("Tags", "%d tags, more than %d", len(a.Tags), maxAlarmTags)
	}
	for _, k := range sortedKeys(a.Tags) {
		switch n := utf8.RuneCountInString(k); {
		case n < 1 || n > 128:
			bad("Tags", "key %q must be 1 to 128 characters", text.Truncate(k))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			bad("Tags", "key %q uses the prefix aws:, which AWS reserves", k)
		}
		if utf8.RuneCountInString(a.Tags[k]) > 256 {
			bad("Tags", "the value of %q is longer than 256 characters", k)
		}
	}
	if a.Filter != nil {
		a.validateFilter(bad)
	}
	return errors.Join(errs...)
}

func (a Alarm) validateQueries(bad func(field, format string, args ...any)) {
	if len(a.Queries) == 0 {
		bad("Queries", "an alarm needs at least one query")
		return
	}
	ids := map[string]bool{}
	var stats, exprs, insights, returned int
	for i, q := range a.Queries {
		field := fmt.Sprintf("Queries[%s]", q.ID)
		if !queryIDPattern.MatchString(q.ID) {
			bad(fmt.Sprintf("Queries[%d].ID", i), "%q must start with a lowercase letter and hold only letters, digits and underscores, at most 255", q.ID)
		}
		if ids[q.ID] {
			bad(field+".ID", "the ID is used twice")
		}
		ids[q.ID] = true
		if q.ReturnData {
			returned++
		}
		switch {
		case (q.Expression == "") == (q.Metric == nil):
			bad(field, "needs exactly one of Expression and Metric")
		case q.Metric != nil:
			stats++
			m := q.Metric
			if m.Namespace == "" || len(m.Namespace) > 255 || m.MetricName == "" || len(m.MetricName) > 255 {
				bad(field+".Metric", "namespace and metric name must be 1 to 255 characters")
			}
			if !slices.Contains(alarmStats, m.Stat) {
				bad(field+".Metric.Stat", "%q is not one of %s", m.Stat, strings.Join(alarmStats, ", "))
			}
			if len(m.Dimensions) > maxAlarmDimensions {
				bad(field+".Metric.Dimensions", "%d dimensions, more than %d", len(m.Dimensions), maxAlarmDimensions)
			}
			for _, d := range m.Dimensions {
				if d.Name == "" || len(d.Name) > 255 || d.Value == "" || len(d.Value) > 1024 || !isASCII(d.Name) || !isASCII(d.Value) {
					bad(field+".Metric.Dimensions", "%q=%q: names must be 1 to 255 and values 1 to 1024 ASCII characters", text.Truncate(d.Name), text.Truncate(d.Value))
				}
			}
		default:
			exprs++
			if q.insights() {
				insights++
			}
			if len(q.Expression) > maxExpressionLen {
				bad(field+".Expression", "is %d characters long, more than %d", len(q.Expression), maxExpressionLen)
			}
		}
	}
	for _, q := range a.Queries {
		if q.Expression == "" || q.insights() {
			continue
		}
		for _, word := range queryRefPattern.FindAllString(q.Expression, -1) {
			switch {
			case word == "SEARCH":
				bad(fmt.Sprintf("Queries[%s].Expression", q.ID), "SEARCH cannot back an alarm (FACTS.md 4.2); list the series")
			case word[0] >= 'a' && word[0] <= 'z' && !ids[word]:
				bad(fmt.Sprintf("Queries[%s].Expression", q.ID), "refers to %q, which is not a query of the alarm", word)
			case word == q.ID:
				bad(fmt.Sprintf("Queries[%s].Expression", q.ID), "refers to itself")
			}
		}
	}
	if cycle := queryCycle(a.Queries); cycle != "" {
		bad("Queries", "the expressions refer to each other in a circle: %s", cycle)
	}
	if stats > maxAlarmMetricStats {
		bad("Queries", "%d MetricStat queries, more than the %d an alarm may hold; use fewer clients per alarm", stats, maxAlarmMetricStats)
	}
	if exprs > maxAlarmExpressions {
		bad("Queries", "%d expressions, more than the %d an alarm may hold", exprs, maxAlarmExpressions)
	}
	if insights > 0 && len(a.Queries) != 1 {
		bad("Queries", "a Metrics Insights query (SELECT ...) must be the alarm's only query (FACTS.md 9.4 f: one query, one function)")
	}
	if stats == 0 && insights == 0 {
		bad("Queries", "the alarm reads no metric")
	}
	if returned != 1 {
		bad("Queries", "exactly one query must have ReturnData, not %d", returned)
	}
}

func (a Alarm) validateEvaluation(bad func(field, format string, args ...any)) {
	p := a.Period
	switch {
	case p <= 0 || p%time.Second != 0:
		bad("Period", "%s is not a positive whole number of seconds", p)
	case !(p == 10*time.Second || p == 20*time.Second || p == 30*time.Second || p%time.Minute == 0):
		bad("Period", "%s: must be 10s, 20s, 30s or a multiple of 1m", p)
	}
	for _, q := range a.Queries {
		if p > 0 && q.insights() {
			switch {
			case strings.Contains(q.Expression, `SCHEMA("`+CognitoNamespace+`"`) && p%cognitoPublishPeriod != 0:
				bad("Period", "%s on AWS/Cognito metrics: Cognito publishes every 5 minutes (FACTS.md 1.1); use a multiple of 5m", p)
			case p%time.Minute != 0:
				bad("Period", "%s on a Metrics Insights query, which has no high-resolution data (FACTS.md 9.4 f); use a multiple of 1m", p)
			}
			break
		}
		if p <= 0 || q.Metric == nil {
			continue
		}
		if q.Metric.Namespace == CognitoNamespace && p%cognitoPublishPeriod != 0 {
			bad("Period", "%s on AWS/Cognito metrics: Cognito publishes every 5 minutes (FACTS.md 1.1), so such a period has periods without data; use a multiple of 5m", p)
			break
		}
		if a.Filter != nil && q.Metric.Namespace == a.Filter.Namespace && p%time.Minute != 0 {
			// Assumption: metrics that metric filters publish are
			// standard resolution (one minute).
			bad("Period", "%s on the metric filter's metric: metric-filter metrics have one-minute resolution; use a multiple of 1m", p)
			break
		}
	}
	n, m := a.EvaluationPeriods, a.datapointsToAlarm()
	if n < 1 {
		bad("EvaluationPeriods", "%d: must be at least 1", n)
	}
	if m < 1 || n >= 1 && m > n {
		bad("DatapointsToAlarm", "%d: must be 1 to EvaluationPeriods (%d)", m, n)
	}
	if n >= 1 && p > 0 {
		total := p * time.Duration(n)
		switch {
		case total > sevenDays:
			bad("EvaluationPeriods", "Period x EvaluationPeriods is %s, more than 7 days", total)
		case p < time.Hour && total > oneDay:
			bad("EvaluationPeriods", "Period x EvaluationPeriods is %s, more than one day, the limit for periods under an hour", total)
		}
	}
	switch a.Comparison {
	case cwtypes.ComparisonOperatorGreaterThanThreshold, cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		cwtypes.ComparisonOperatorLessThanThreshold, cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:
		a.validateThreshold(bad)
	default:
		bad("Comparison", "%q: must be one of the four static-threshold operators", a.Comparison)
	}
	switch a.TreatMissingData {
	case "", MissingDataMissing, MissingDataIgnore, MissingDataBreaching, MissingDataNotBreaching:
	default:
		bad("TreatMissingData", "%q: must be missing, ignore, breaching or notBreaching", a.TreatMissingData)
	}
}

// validateThreshold rejects a threshold that is not finite, or that would
// make every value of the measure's range breach, or none.
func (a Alarm) validateThreshold(bad func(field, format string, args ...any)) {
	t := a.Threshold
	if math.IsNaN(t) || math.IsInf(t, 0) {
		bad("Threshold", "%v is not a finite number", t)
		return
	}
	var lo, hi float64
	switch a.measure {
	case measurePercent:
		lo, hi = 0, 100
	case measureCount:
		lo, hi = 0, math.Inf(1)
	default:
		return
	}
	var always, never bool
	switch a.Comparison {
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		always, never = t < lo, t >= hi
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		always, never = t <= lo, t > hi
	case cwtypes.ComparisonOperatorLessThanThreshold:
		always, never = t > hi, t <= lo
	case cwtypes.ComparisonOperatorLessThanOrEqualToThreshold:
		always, never = t >= hi, t < lo
	}
	rng := fmt.Sprintf("[%g, %g]", lo, hi)
	if math.IsInf(hi, 1) {
		rng = fmt.Sprintf("%g or more", lo)
	}
	switch {
	case always:
		bad("Threshold", "%s %g breaches for every value the alarm watches (%s): it would always be in ALARM", a.Comparison, t, rng)
	case never:
		bad("Threshold", "%s %g breaches for no value the alarm watches (%s): it could never fire", a.Comparison, t, rng)
	}
}

func (a Alarm) validateFilter(bad func(field, format string, args ...any)) {
	f := a.Filter
	if !logGroupPattern.MatchString(f.LogGroup) {
		bad("Filter.LogGroup", "%q must be 1 to 512 characters of [.-_/#A-Za-z0-9]", text.Truncate(f.LogGroup))
	}
	if !filterNamePattern.MatchString(f.Name) {
		bad("Filter.Name", "%q must be 1 to 512 characters without ':' or '*'", text.Truncate(f.Name))
	}
	if f.Pattern == "" || len(f.Pattern) > maxFilterPatternLen {
		bad("Filter.Pattern", "is %d characters long; it must be 1 to %d", len(f.Pattern), maxFilterPatternLen)
	}
	if !filterMetricPattern.MatchString(f.Namespace) || strings.HasPrefix(f.Namespace, "AWS/") {
		bad("Filter.Namespace", "%q must be 1 to 255 characters without ':', '*' or '$', outside AWS/", text.Truncate(f.Namespace))
	}
	if !filterMetricPattern.MatchString(f.MetricName) {
		bad("Filter.MetricName", "%q must be 1 to 255 characters without ':', '*' or '$'", text.Truncate(f.MetricName))
	}
	if f.Value == "" || len(f.Value) > maxFilterValueLen {
		bad("Filter.Value", "must be 1 to %d characters", maxFilterValueLen)
	}
	if math.IsNaN(f.DefaultValue) || math.IsInf(f.DefaultValue, 0) {
		bad("Filter.DefaultValue", "%v is not a finite number", f.DefaultValue)
	}
	for _, q := range a.Queries {
		if q.Metric != nil && q.Metric.Namespace == f.Namespace && q.Metric.MetricName == f.MetricName && len(q.Metric.Dimensions) == 0 {
			return
		}
	}
	bad("Filter", "the alarm does not read the filter's metric %s %s", f.Namespace, f.MetricName)
}

// queryCycle returns a circle of expressions that refer to each other, as
// "a -> b -> a", or "" when there is none. A query referring to itself is
// reported on its own.
func queryCycle(qs []MetricQuery) string {
	refs := map[string][]string{}
	for _, q := range qs {
		for _, w := range queryRefPattern.FindAllString(q.Expression, -1) {
			if w != q.ID {
				refs[q.ID] = append(refs[q.ID], w)
			}
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var path []string
	var found string
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case 1:
			i := slices.Index(path, id)
			found = strings.Join(append(slices.Clone(path[i:]), id), " -> ")
			return true
		case 2:
			return false
		}
		state[id] = 1
		path = append(path, id)
		for _, r := range refs[id] {
			if visit(r) {
				return true
			}
		}
		path = path[:len(path)-1]
		state[id] = 2
		return false
	}
	for _, q := range qs {
		if visit(q.ID) {
			return found
		}
	}
	return ""
}
