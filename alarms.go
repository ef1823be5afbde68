package cognitomon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

// Errors of the alarm functions, for errors.Is.
var (
	// ErrInvalidAlarm reports an alarm definition that CloudWatch would
	// reject or that could never work. It is wrapped by *AlarmError.
	ErrInvalidAlarm = errors.New("invalid alarm")
	// ErrNotOwned reports an attempt to change an alarm or metric filter
	// whose name lies outside the AlarmManager's prefix.
	ErrNotOwned = errors.New("not owned by this alarm manager")
	// ErrNotBacktestable reports an alarm whose metric has no history in
	// CloudWatch to replay, such as one fed by a metric filter that has not
	// published yet.
	ErrNotBacktestable = errors.New("alarm cannot be backtested")
)

// AlarmError is one problem with an alarm definition: which alarm, which
// field and what is wrong. It wraps ErrInvalidAlarm. Alarm.Validate joins
// one AlarmError per problem.
type AlarmError struct {
	// Alarm is the alarm's name.
	Alarm string
	// Field names the field of Alarm, as in "Threshold",
	// "Queries[failure_rate].Expression" or "Filter.LogGroup".
	Field string
	// Problem says what is wrong.
	Problem string
}

// Error formats e as `alarm "name": Field: problem`.
func (e *AlarmError) Error() string {
	return fmt.Sprintf("alarm %q: %s: %s", truncate(e.Alarm), e.Field, e.Problem)
}

// Unwrap returns ErrInvalidAlarm.
func (e *AlarmError) Unwrap() error { return ErrInvalidAlarm }

// MissingData says how an alarm treats a period without a datapoint
// (FACTS.md 4.3). The zero value means MissingDataMissing, CloudWatch's
// default.
type MissingData string

// The ways to treat missing data.
const (
	// MissingDataMissing: the alarm looks further back for real
	// datapoints and goes to INSUFFICIENT_DATA when there are none.
	MissingDataMissing MissingData = "missing"
	// MissingDataIgnore: as MissingDataMissing, but the alarm keeps its
	// state where it would otherwise guess.
	MissingDataIgnore MissingData = "ignore"
	// MissingDataBreaching: a missing datapoint counts as breaching.
	MissingDataBreaching MissingData = "breaching"
	// MissingDataNotBreaching: a missing datapoint counts as within the
	// threshold. Right for Cognito's failure counts, which have no
	// datapoint when there is no traffic.
	MissingDataNotBreaching MissingData = "notBreaching"
)

// Measure says what an alarm's watched value measures, so that Validate can
// reject a threshold that could never, or would always, breach. The zero
// value, MeasureAny, checks only that the threshold is a finite number.
type Measure int

// The measures.
const (
	MeasureAny     Measure = iota // anything; only finiteness is checked
	MeasurePercent                // a percentage, 0 to 100
	MeasureCount                  // a count, 0 or more
)

// AlarmState is the state of a CloudWatch alarm.
type AlarmState string

// The alarm states.
const (
	StateOK               AlarmState = "OK"
	StateAlarm            AlarmState = "ALARM"
	StateInsufficientData AlarmState = "INSUFFICIENT_DATA"
)

// Dimension is a dimension of a metric.
type Dimension struct {
	Name  string
	Value string
}

// MetricStat is one statistic of one metric, as a metric-math query reads
// it; the period is the alarm's.
type MetricStat struct {
	Namespace  string
	MetricName string
	Dimensions []Dimension
	// Stat is SampleCount, Sum, Average, Minimum or Maximum.
	Stat string
}

// MetricQuery is one query of an alarm's metric math: a metric statistic or
// an expression over other queries.
type MetricQuery struct {
	// ID names the query in expressions: a lowercase letter, then letters,
	// digits and underscores.
	ID string
	// Expression is metric math over other queries' IDs; empty when Metric
	// is set.
	Expression string
	// Metric is the statistic this query reads; nil for an expression.
	Metric *MetricStat
	// Label names the query's series in the console.
	Label string
	// ReturnData marks the one query whose value the alarm watches.
	ReturnData bool
}

// MetricFilter is a CloudWatch Logs metric filter that counts matching log
// events into a metric, which an alarm then watches.
type MetricFilter struct {
	// LogGroup is the log group the filter reads (the CloudTrail trail's).
	LogGroup string
	// Name is the filter's name; cognitomon uses the alarm's name.
	Name string
	// Pattern is the filter pattern.
	Pattern string
	// Namespace and MetricName name the metric the filter publishes.
	Namespace  string
	MetricName string
	// Value is what a matching event adds, "1" to count events.
	Value string
	// DefaultValue is published for a log event that does not match, so
	// that the metric has real zeros while the log group receives events.
	// It is always set; its zero value publishes 0.
	DefaultValue float64
}

// Alarm is one CloudWatch metric alarm, defined as data: its metric math,
// evaluation settings, actions and tags, and for alarms on CloudTrail
// events the metric filter that feeds it. The constructors
// (SignInFailureRateAlarm and the others) return alarms with documented
// defaults; change any field of the result before planning. Validate checks
// a definition against CloudWatch's rules; PutMetricAlarmInput and
// PutMetricFilterInput render it.
type Alarm struct {
	// Name is the alarm's full name, owned prefix included.
	Name        string
	Description string
	// Queries are the metric-math queries; exactly one has ReturnData.
	Queries []MetricQuery
	// Period is the length of one datapoint of every MetricStat query.
	Period time.Duration
	// EvaluationPeriods is N and DatapointsToAlarm M of "M out of N": the
	// alarm fires when M of the last N datapoints breach. Zero
	// DatapointsToAlarm means N.
	EvaluationPeriods int
	DatapointsToAlarm int
	// Comparison and Threshold say when a datapoint breaches; Measure says
	// what the watched value measures.
	Comparison cwtypes.ComparisonOperator
	Threshold  float64
	Measure    Measure
	// TreatMissingData says how periods without a datapoint count.
	TreatMissingData MissingData
	// The actions (ARNs, at most 5 each) for the transitions to ALARM, OK
	// and INSUFFICIENT_DATA.
	AlarmActions            []string
	OKActions               []string
	InsufficientDataActions []string
	// ActionsDisabled turns the alarm's actions off; the zero value leaves
	// them on.
	ActionsDisabled bool
	// Tags are set when the alarm is created and kept in step by Apply.
	Tags map[string]string
	// Filter, when set, is the metric filter that publishes the metric the
	// alarm watches.
	Filter *MetricFilter
}

// Namespace is the root of the CloudWatch namespaces that cognitomon's
// metric filters publish to: a pool's metrics go to Namespace + "/" + the
// pool's ID, as in "Cognitomon/us-east-1_AbCdEf123".
const Namespace = "Cognitomon"

// AlarmPrefix returns the name prefix of the alarms and metric filters that
// cognitomon defines for a pool by default: "cognitomon-<pool>-". The
// trailing dash keeps one pool's prefix from being a prefix of another's.
func AlarmPrefix(pool UserPoolID) string { return "cognitomon-" + string(pool) + "-" }

// The watched query of the metric-math alarms.
const guardedRateID = "guarded_rate"

// The limits of CloudWatch alarms and CloudWatch Logs metric filters that
// Validate checks (FACTS.md 4.1, 4.3; the DescribeMetricFilters and
// PutMetricFilter API reference for the filter names).
const (
	maxAlarmMetricStats  = 10
	maxAlarmExpressions  = 10
	maxAlarmActions      = 5
	maxAlarmTags         = 50
	maxAlarmDimensions   = 30
	maxDescriptionLen    = 1024
	maxExpressionLen     = 2048
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

// watched returns the query with ReturnData, or nil.
func (a Alarm) watched() *MetricQuery {
	for i := range a.Queries {
		if a.Queries[i].ReturnData {
			return &a.Queries[i]
		}
	}
	return nil
}

// datapointsToAlarm returns M, defaulting to N.
func (a Alarm) datapointsToAlarm() int {
	if a.DatapointsToAlarm == 0 {
		return a.EvaluationPeriods
	}
	return a.DatapointsToAlarm
}

// Validate reports every way in which a would be rejected by CloudWatch or
// could not work: one *AlarmError (wrapping ErrInvalidAlarm) per problem,
// joined with errors.Join. It checks the name (1 to 255 characters, no
// control characters), the description (at most 1,024), the queries (IDs
// starting with a lowercase letter, unique; each an expression or a metric;
// at most 10 MetricStat and 10 expressions; exactly one ReturnData;
// expressions of 1 to 2,048 characters that name only the alarm's queries
// and no SEARCH), the period (10, 20, 30 or a multiple of 60 seconds; a
// multiple of 5 minutes on AWS/Cognito metrics, which Cognito publishes
// every five minutes), EvaluationPeriods and DatapointsToAlarm (1 <= M <= N,
// Period x N at most one day below an hour's period and seven days
// otherwise), the comparison, a finite threshold that can both breach and
// not breach for the Measure, TreatMissingData, at most 5 actions per state,
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
				bad(l.field, "%q is not an ARN", truncate(arn))
			}
		}
	}
	if len(a.Tags) > maxAlarmTags {
		bad("Tags", "%d tags, more than %d", len(a.Tags), maxAlarmTags)
	}
	for _, k := range sortedKeys(a.Tags) {
		switch n := utf8.RuneCountInString(k); {
		case n < 1 || n > 128:
			bad("Tags", "key %q must be 1 to 128 characters", truncate(k))
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
	var stats, exprs, returned int
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
					bad(field+".Metric.Dimensions", "%q=%q: names must be 1 to 255 and values 1 to 1024 ASCII characters", truncate(d.Name), truncate(d.Value))
				}
			}
		default:
			exprs++
			if len(q.Expression) > maxExpressionLen {
				bad(field+".Expression", "is %d characters long, more than %d", len(q.Expression), maxExpressionLen)
			}
		}
	}
	for _, q := range a.Queries {
		if q.Expression == "" {
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
	if stats == 0 {
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
// make every value of the Measure's range breach, or none.
func (a Alarm) validateThreshold(bad func(field, format string, args ...any)) {
	t := a.Threshold
	if math.IsNaN(t) || math.IsInf(t, 0) {
		bad("Threshold", "%v is not a finite number", t)
		return
	}
	var lo, hi float64
	switch a.Measure {
	case MeasurePercent:
		lo, hi = 0, 100
	case MeasureCount:
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
		bad("Filter.LogGroup", "%q must be 1 to 512 characters of [.-_/#A-Za-z0-9]", truncate(f.LogGroup))
	}
	if !filterNamePattern.MatchString(f.Name) {
		bad("Filter.Name", "%q must be 1 to 512 characters without ':' or '*'", truncate(f.Name))
	}
	if f.Pattern == "" || len(f.Pattern) > maxFilterPatternLen {
		bad("Filter.Pattern", "is %d characters long; it must be 1 to %d", len(f.Pattern), maxFilterPatternLen)
	}
	if !filterMetricPattern.MatchString(f.Namespace) || strings.HasPrefix(f.Namespace, "AWS/") {
		bad("Filter.Namespace", "%q must be 1 to 255 characters without ':', '*' or '$', outside AWS/", truncate(f.Namespace))
	}
	if !filterMetricPattern.MatchString(f.MetricName) {
		bad("Filter.MetricName", "%q must be 1 to 255 characters without ':', '*' or '$'", truncate(f.MetricName))
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

// PutMetricAlarmInput validates a and renders it as the PutMetricAlarm
// request that creates or updates it: the metric-math form (Metrics, every
// MetricStat with the alarm's period), ActionsEnabled always set, empty
// lists left nil, tags sorted by key.
func (a Alarm) PutMetricAlarmInput() (*cloudwatch.PutMetricAlarmInput, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a.render(), nil
}

func (a Alarm) render() *cloudwatch.PutMetricAlarmInput {
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:               aws.String(a.Name),
		ActionsEnabled:          aws.Bool(!a.ActionsDisabled),
		AlarmActions:            nonEmpty(a.AlarmActions),
		OKActions:               nonEmpty(a.OKActions),
		InsufficientDataActions: nonEmpty(a.InsufficientDataActions),
		ComparisonOperator:      a.Comparison,
		Threshold:               aws.Float64(a.Threshold),
		EvaluationPeriods:       aws.Int32(int32(a.EvaluationPeriods)),
		DatapointsToAlarm:       aws.Int32(int32(a.datapointsToAlarm())),
		Metrics:                 renderQueries(a.Queries, a.Period),
	}
	if a.Description != "" {
		in.AlarmDescription = aws.String(a.Description)
	}
	if a.TreatMissingData != "" {
		in.TreatMissingData = aws.String(string(a.TreatMissingData))
	}
	for _, k := range sortedKeys(a.Tags) {
		in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(a.Tags[k])})
	}
	return in
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func renderQueries(qs []MetricQuery, period time.Duration) []cwtypes.MetricDataQuery {
	out := make([]cwtypes.MetricDataQuery, len(qs))
	for i, q := range qs {
		r := cwtypes.MetricDataQuery{Id: aws.String(q.ID), ReturnData: aws.Bool(q.ReturnData)}
		if q.Label != "" {
			r.Label = aws.String(q.Label)
		}
		if q.Expression != "" {
			r.Expression = aws.String(q.Expression)
		}
		if m := q.Metric; m != nil {
			metric := &cwtypes.Metric{Namespace: aws.String(m.Namespace), MetricName: aws.String(m.MetricName)}
			for _, d := range m.Dimensions {
				metric.Dimensions = append(metric.Dimensions, cwtypes.Dimension{Name: aws.String(d.Name), Value: aws.String(d.Value)})
			}
			r.MetricStat = &cwtypes.MetricStat{Metric: metric, Period: aws.Int32(int32(period / time.Second)), Stat: aws.String(m.Stat)}
		}
		out[i] = r
	}
	return out
}

// PutMetricFilterInput validates a and renders its metric filter as the
// PutMetricFilter request that creates or updates it, or returns nil when
// the alarm has no filter.
func (a Alarm) PutMetricFilterInput() (*cloudwatchlogs.PutMetricFilterInput, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Filter == nil {
		return nil, nil
	}
	return a.Filter.render(), nil
}

func (f *MetricFilter) render() *cloudwatchlogs.PutMetricFilterInput {
	return &cloudwatchlogs.PutMetricFilterInput{
		FilterName:    aws.String(f.Name),
		LogGroupName:  aws.String(f.LogGroup),
		FilterPattern: aws.String(f.Pattern),
		MetricTransformations: []logtypes.MetricTransformation{{
			MetricName:      aws.String(f.MetricName),
			MetricNamespace: aws.String(f.Namespace),
			MetricValue:     aws.String(f.Value),
			DefaultValue:    aws.Float64(f.DefaultValue),
		}},
	}
}

// DefinitionOptions change the documented defaults of an alarm constructor.
// Zero values keep the defaults.
type DefinitionOptions struct {
	// Prefix starts the alarm's name. Default AlarmPrefix(pool); an
	// AlarmManager manages only names with its own prefix.
	Prefix string
	// Name follows the prefix. Each constructor has its own default, such
	// as "signin-failure-rate".
	Name string
	// Threshold replaces the constructor's default threshold. Zero keeps the
	// default; to alarm at exactly 0, set Alarm.Threshold on the result.
	Threshold float64
	// Period is the length of a datapoint. Default 5 minutes, the interval
	// at which Cognito publishes (FACTS.md 1.1); alarms on AWS/Cognito
	// metrics need a multiple of it.
	Period time.Duration
	// EvaluationPeriods (N) and DatapointsToAlarm (M) replace the defaults.
	EvaluationPeriods int
	DatapointsToAlarm int
	// TreatMissingData replaces the default, MissingDataNotBreaching:
	// Cognito publishes no datapoint for a period without traffic.
	TreatMissingData MissingData
	// MinAttempts is the minimum-volume guard of the failure-rate alarms:
	// a period with fewer attempts never breaches, so that three failures
	// out of five attempts at night page nobody. Default 20.
	MinAttempts int
	// The actions (ARNs, such as SNS topics) for the transitions to ALARM,
	// OK and INSUFFICIENT_DATA. Default none.
	AlarmActions            []string
	OKActions               []string
	InsufficientDataActions []string
	// Tags are added to the default tags, ManagedBy=cognitomon and
	// UserPool=<pool>, and may replace their values.
	Tags map[string]string
	// ExcludePseudoClients leaves out the pseudo-clients that AWS documents
	// for the flow (Invalid for sign-in and token refresh, Admin for
	// sign-up), which are otherwise added to the clients, as
	// MetricsClient.Stats adds them.
	ExcludePseudoClients bool
	// Events are the CloudTrail event names that RiskyAdminChangesAlarm
	// counts. Default RiskyAdminEvents().
	Events []string
	// Namespace is the root of the namespace that the metric filters
	// publish to; the pool's ID is appended. Default Namespace.
	Namespace string
}

// resolveOptions applies optFns over the defaults of one constructor.
func resolveOptions(pool UserPoolID, name string, threshold float64, n, m int, optFns []func(*DefinitionOptions)) DefinitionOptions {
	var o DefinitionOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prefix == "" {
		o.Prefix = AlarmPrefix(pool)
	}
	if o.Name == "" {
		o.Name = name
	}
	if o.Threshold == 0 {
		o.Threshold = threshold
	}
	if o.Period == 0 {
		o.Period = cognitoPublishPeriod
	}
	if o.EvaluationPeriods == 0 {
		o.EvaluationPeriods = n
	}
	if o.DatapointsToAlarm == 0 {
		o.DatapointsToAlarm = min(m, o.EvaluationPeriods)
	}
	if o.TreatMissingData == "" {
		o.TreatMissingData = MissingDataNotBreaching
	}
	if o.MinAttempts == 0 {
		o.MinAttempts = 20
	}
	if o.Namespace == "" {
		o.Namespace = Namespace
	}
	return o
}

// base returns an alarm with the options' common settings.
func (o DefinitionOptions) base(pool UserPoolID) Alarm {
	tags := map[string]string{"ManagedBy": "cognitomon", "UserPool": string(pool)}
	for k, v := range o.Tags {
		tags[k] = v
	}
	return Alarm{
		Name:                    o.Prefix + o.Name,
		Period:                  o.Period,
		EvaluationPeriods:       o.EvaluationPeriods,
		DatapointsToAlarm:       o.DatapointsToAlarm,
		Comparison:              cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:               o.Threshold,
		TreatMissingData:        o.TreatMissingData,
		AlarmActions:            slices.Clone(o.AlarmActions),
		OKActions:               slices.Clone(o.OKActions),
		InsufficientDataActions: slices.Clone(o.InsufficientDataActions),
		Tags:                    tags,
	}
}

// flowAlarmKind is what a metric-math alarm over a flow's series watches.
type flowAlarmKind int

const (
	watchFailureRate flowAlarmKind = iota // guarded 100 * failures / attempts
	watchThrottles                        // sum of *Throttles
	watchFailures                         // attempts - successes
)

// flowAlarmSpec is one of the standard metric-math alarms.
type flowAlarmSpec struct {
	flow      Flow
	kind      flowAlarmKind
	name      string
	threshold float64
}

// The standard metric-math alarms and their defaults.
var (
	signInFailureRateSpec     = flowAlarmSpec{SignIn, watchFailureRate, "signin-failure-rate", 20}
	signUpFailureRateSpec     = flowAlarmSpec{SignUp, watchFailureRate, "signup-failure-rate", 20}
	federationFailureRateSpec = flowAlarmSpec{Federation, watchFailureRate, "federation-failure-rate", 20}
	signInThrottlesSpec       = flowAlarmSpec{SignIn, watchThrottles, "signin-throttles", 100}
	refreshFailuresSpec       = flowAlarmSpec{TokenRefresh, watchFailures, "refresh-failures", 50}
)

// statsPerSeries is how many MetricStat queries one series costs the alarm.
func (s flowAlarmSpec) statsPerSeries() int {
	if s.kind == watchThrottles {
		return 1
	}
	return 2
}

// withPseudo returns clients plus the flow's documented pseudo-clients,
// unless excluded, deduplicated and sorted so that the definition does not
// depend on the order the caller found its clients in.
func withPseudo(flow Flow, clients []ClientID, exclude bool) []ClientID {
	out := slices.Clone(clients)
	if !exclude {
		out = append(out, flow.pseudoClients()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s flowAlarmSpec) define(pool UserPoolID, clients []ClientID, providers []string, optFns []func(*DefinitionOptions)) (Alarm, error) {
	o := resolveOptions(pool, s.name, s.threshold, 1, 1, optFns)
	return s.build(pool, withPseudo(s.flow, clients, o.ExcludePseudoClients), sortedProviders(providers), o)
}

// sortedProviders returns the providers sorted and deduplicated, so that the
// definition does not depend on the order they were found in.
func sortedProviders(providers []string) []string {
	out := slices.Clone(providers)
	slices.Sort(out)
	return slices.Compact(out)
}

// build makes the alarm over exactly these clients, from FlowMath's queries
// pruned to what the watched value needs.
func (s flowAlarmSpec) build(pool UserPoolID, clients []ClientID, providers []string, o DefinitionOptions) (Alarm, error) {
	a := o.base(pool)
	if o.Period <= 0 || o.Period%time.Minute != 0 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Period", Problem: fmt.Sprintf("%s is not a whole number of minutes", o.Period)}
	}
	if o.MinAttempts < 1 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "MinAttempts", Problem: fmt.Sprintf("%d: must be at least 1", o.MinAttempts)}
	}
	if n := len(clients) * max(1, len(providers)) * s.statsPerSeries(); n > maxAlarmMetricStats {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Queries", Problem: fmt.Sprintf("%d series need %d MetricStat queries, more than the %d an alarm may hold; pass fewer clients per alarm (StandardAlarms splits them)", n/s.statsPerSeries(), n, maxAlarmMetricStats)}
	}
	qs, err := FlowMath(MathInput{UserPool: pool, Flow: s.flow, Clients: clients, IdentityProviders: providers, Period: o.Period})
	if err != nil {
		return Alarm{}, fmt.Errorf("alarm %q: %w", a.Name, err)
	}
	for _, q := range qs {
		mq := MetricQuery{ID: aws.ToString(q.Id), Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label)}
		if ms := q.MetricStat; ms != nil {
			mq.Metric = &MetricStat{Namespace: aws.ToString(ms.Metric.Namespace), MetricName: aws.ToString(ms.Metric.MetricName), Stat: aws.ToString(ms.Stat)}
			for _, d := range ms.Metric.Dimensions {
				mq.Metric.Dimensions = append(mq.Metric.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
			}
		}
		a.Queries = append(a.Queries, mq)
	}
	var watch string
	switch s.kind {
	case watchFailureRate:
		watch = guardedRateID
		a.Measure = MeasurePercent
		a.Queries = append(a.Queries, MetricQuery{
			ID:         guardedRateID,
			Expression: fmt.Sprintf("IF(%s >= %d, %s, 0)", MathAttempts, o.MinAttempts, MathFailureRate),
			Label:      fmt.Sprintf("%s failure rate (%%) with at least %d attempts", s.flow, o.MinAttempts),
		})
		a.Description = fmt.Sprintf("%s failure rate (%%) of user pool %s: 100 * (SampleCount - Sum) / SampleCount of %s summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than %d attempts.", flowWords(s.flow), pool, s.flow.SuccessesMetric(), o.MinAttempts)
	case watchThrottles:
		watch = MathThrottles
		a.Measure = MeasureCount
		a.Description = fmt.Sprintf("Throttled %s requests to user pool %s: Sum of %s summed over the app clients in the metrics.", strings.ToLower(flowWords(s.flow)), pool, s.flow.ThrottlesMetric())
	case watchFailures:
		watch = MathFailures
		a.Measure = MeasureCount
		a.Description = fmt.Sprintf("%s failures of user pool %s: SampleCount - Sum of %s summed over the app clients in the metrics, throttled requests included.", flowWords(s.flow), pool, s.flow.SuccessesMetric())
	}
	if len(providers) > 0 {
		a.Description += " Identity providers: " + strings.Join(providers, ", ") + "."
	}
	a.Description += " Managed by cognitomon."
	for i := range a.Queries {
		a.Queries[i].ReturnData = a.Queries[i].ID == watch
	}
	a.Queries = prune(a.Queries, watch)
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}
	return a, nil
}

// flowWords names a flow in a sentence.
func flowWords(f Flow) string {
	switch f {
	case SignIn:
		return "Sign-in"
	case SignUp:
		return "Sign-up"
	case TokenRefresh:
		return "Token-refresh"
	}
	return "Federated sign-in"
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

// prune keeps the queries that the watched query needs, in their order.
func prune(qs []MetricQuery, watch string) []MetricQuery {
	byID := map[string]MetricQuery{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	need := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if need[id] {
			return
		}
		need[id] = true
		for _, w := range queryRefPattern.FindAllString(byID[id].Expression, -1) {
			if _, ok := byID[w]; ok {
				visit(w)
			}
		}
	}
	visit(watch)
	var out []MetricQuery
	for _, q := range qs {
		if need[q.ID] {
			out = append(out, q)
		}
	}
	return out
}

// SignInFailureRateAlarm returns the alarm on a pool's sign-in failure rate:
// 100 * (SampleCount - Sum) / SampleCount of SignInSuccesses summed over the
// clients (plus the Invalid pseudo-client), guarded so that a period with
// fewer than MinAttempts attempts counts as 0:
//
//	attempts     = SUM([n0, n1, ...])     SampleCount per client
//	successes    = SUM([s0, s1, ...])     Sum per client
//	failures     = attempts - successes
//	failure_rate = 100 * failures / attempts
//	guarded_rate = IF(attempts >= 20, failure_rate, 0)   watched
//
// Defaults: above 20 (%) in 1 of 1 five-minute periods, MinAttempts 20,
// missing data not breaching. The clients are listed because SEARCH cannot
// back an alarm (FACTS.md 4.2); an alarm holds at most 10 MetricStat
// queries, so at most 5 series (see docs/alarms.md for why not Metrics
// Insights). List the clients with MetricsClient.Stats or pass them.
func SignInFailureRateAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signInFailureRateSpec.define(pool, clients, nil, optFns)
}

// SignUpFailureRateAlarm is SignInFailureRateAlarm for sign-ups
// (SignUpSuccesses, with the Admin pseudo-client). Defaults: above 20 (%)
// in 1 of 1 five-minute periods with at least 20 attempts.
func SignUpFailureRateAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signUpFailureRateSpec.define(pool, clients, nil, optFns)
}

// FederationFailureRateAlarm is SignInFailureRateAlarm for federated
// sign-ins (FederationSuccesses), over every pair of the clients and
// identity providers; AWS documents no pseudo-client for federation.
// Defaults: above 20 (%) in 1 of 1 five-minute periods with at least 20
// attempts.
func FederationFailureRateAlarm(pool UserPoolID, clients []ClientID, providers []string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if len(providers) == 0 {
		return Alarm{}, errors.New("federation failure-rate alarm needs at least one identity provider")
	}
	return federationFailureRateSpec.define(pool, clients, providers, optFns)
}

// SignInThrottlesAlarm returns the alarm on a pool's throttled sign-ins,
// Sum of SignInThrottles summed over the clients (plus Invalid):
//
//	throttles = SUM([t0, t1, ...])   watched
//
// Defaults: above 100 in 1 of 1 five-minute periods, missing data not
// breaching. At most 10 series.
func SignInThrottlesAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signInThrottlesSpec.define(pool, clients, nil, optFns)
}

// TokenRefreshFailuresAlarm returns the alarm on a pool's failed token
// refreshes, SampleCount - Sum of TokenRefreshSuccesses summed over the
// clients (plus Invalid), throttled refreshes included:
//
//	attempts  = SUM([n0, n1, ...])
//	successes = SUM([s0, s1, ...])
//	failures  = attempts - successes   watched
//
// Defaults: above 50 in 1 of 1 five-minute periods, missing data not
// breaching. At most 5 series.
func TokenRefreshFailuresAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return refreshFailuresSpec.define(pool, clients, nil, optFns)
}

// RiskyAdminEvents returns the CloudTrail event names that
// RiskyAdminChangesAlarm counts by default: changes to a pool's
// configuration, MFA, threat protection, app clients, identity providers,
// domains and log delivery, and its deletion.
func RiskyAdminEvents() []string {
	return []string{
		"UpdateUserPool", "DeleteUserPool", "SetUserPoolMfaConfig", "SetRiskConfiguration", "SetLogDeliveryConfiguration",
		"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"CreateIdentityProvider", "UpdateIdentityProvider", "DeleteIdentityProvider",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
	}
}

// RiskyAdminChangesAlarm returns the alarm on risky changes to a pool, fed
// by a metric filter on the log group that the CloudTrail trail writes to:
//
//	{ ($.eventSource = "cognito-idp.amazonaws.com") &&
//	  ($.requestParameters.userPoolId = "<pool>") &&
//	  ($.eventName = "UpdateUserPool" || ...) }
//
// Each matching event adds 1 to the metric RiskyAdminChanges in namespace
// "Cognitomon/<pool>" (0 for other events); the alarm watches its Sum.
// Failed attempts count too. Defaults: above 0 in 1 of 3 five-minute periods,
// so that an event CloudTrail delivers late (about 5 minutes, FACTS.md 2.1)
// still fires, missing data not breaching.
//
// Assumption (FACTS.md 2.3, 8.5): CloudTrail records the UserPoolId request
// parameter of these calls as requestParameters.userPoolId; AWS publishes no
// sample record of them.
func RiskyAdminChangesAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "admin-changes", 0, 3, 1, optFns)
	events := o.Events
	if events == nil {
		events = RiskyAdminEvents()
	}
	name := o.Prefix + o.Name
	if len(events) == 0 {
		return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: "no event names"}
	}
	alts := make([]string, len(events))
	for i, e := range events {
		if !eventNamePattern.MatchString(e) {
			return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: fmt.Sprintf("%q is not a CloudTrail event name", truncate(e))}
		}
		alts[i] = `$.eventName = "` + e + `"`
	}
	pattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.requestParameters.userPoolId = "` + string(pool) + `") && (` + strings.Join(alts, " || ") + `) }`
	desc := fmt.Sprintf("Risky administrative changes to user pool %s (%s), counted by a metric filter on CloudTrail log group %s", pool, strings.Join(events, ", "), logGroup)
	return filterAlarm(pool, o, logGroup, "RiskyAdminChanges", pattern, desc)
}

// MachineTokenSpikeAlarm returns the alarm on machine-to-machine token
// requests, fed by a metric filter on the trail's log group that counts
// token-endpoint requests with the client_credentials grant:
//
//	{ ($.eventSource = "cognito-idp.amazonaws.com") &&
//	  ($.additionalEventData.userPoolId = "<pool>") &&
//	  ($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") &&
//	  ($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }
//
// (event names and fields from FACTS.md 1.4, 2.2 and 2.3; the array syntax
// from the CloudWatch Logs filter-pattern documentation). The metric is
// MachineTokens in namespace "Cognitomon/<pool>". Defaults: above 300 (one
// token a second, where tokens are valid for an hour) in 1 of 3 five-minute
// periods, missing data not breaching.
func MachineTokenSpikeAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "m2m-tokens", 300, 3, 1, optFns)
	pattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.additionalEventData.userPoolId = "` + string(pool) +
		`") && ($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") && ($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }`
	desc := fmt.Sprintf("Machine-to-machine (client_credentials) token requests to user pool %s, counted by a metric filter on CloudTrail log group %s", pool, logGroup)
	return filterAlarm(pool, o, logGroup, "MachineTokens", pattern, desc)
}

// filterAlarm makes an alarm on the Sum of a metric-filter metric.
func filterAlarm(pool UserPoolID, o DefinitionOptions, logGroup, metric, pattern, desc string) (Alarm, error) {
	a := o.base(pool)
	ns := o.Namespace + "/" + string(pool)
	a.Measure = MeasureCount
	a.Description = desc + ". Managed by cognitomon."
	a.Queries = []MetricQuery{{ID: "events", Metric: &MetricStat{Namespace: ns, MetricName: metric, Stat: "Sum"}, Label: metric, ReturnData: true}}
	a.Filter = &MetricFilter{LogGroup: logGroup, Name: a.Name, Pattern: pattern, Namespace: ns, MetricName: metric, Value: "1"}
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}
	return a, nil
}

// StandardAlarmsInput says which alarms StandardAlarms defines.
type StandardAlarmsInput struct {
	// UserPool is required.
	UserPool UserPoolID
	// Clients are the pool's app clients, required (discover them with
	// MetricsClient.Stats). The documented pseudo-clients are added.
	Clients []ClientID
	// IdentityProviders, when set, add the federation failure-rate alarm
	// over FederationClients (default Clients) and these providers.
	IdentityProviders []string
	FederationClients []ClientID
	// TrailLogGroup, when set, adds the metric-filter alarms on the
	// CloudTrail log group: risky admin changes and M2M token spikes.
	TrailLogGroup string
}

// StandardAlarms returns a pool's standard alarms with their defaults: sign-in
// failure rate, sign-in throttles, token-refresh failures, sign-up failure
// rate, federation failure rate (with IdentityProviders) and the CloudTrail
// alarms (with TrailLogGroup). Where the clients need more MetricStat queries
// than one alarm may hold, an alarm is split into several over groups of
// clients, named with "-1", "-2" ... optFns apply to every alarm: use them
// for actions, tags and the prefix, and the constructors for per-alarm
// thresholds.
func StandardAlarms(in StandardAlarmsInput, optFns ...func(*DefinitionOptions)) ([]Alarm, error) {
	if err := in.UserPool.Validate(); err != nil {
		return nil, err
	}
	if len(in.Clients) == 0 {
		return nil, errors.New("standard alarms need the pool's app clients; list them with MetricsClient.Stats")
	}
	var out []Alarm
	split := func(s flowAlarmSpec, clients []ClientID, providers []string) error {
		o := resolveOptions(in.UserPool, s.name, s.threshold, 1, 1, optFns)
		all := withPseudo(s.flow, clients, o.ExcludePseudoClients)
		per := maxAlarmMetricStats / s.statsPerSeries() / max(1, len(providers))
		if per == 0 {
			return fmt.Errorf("alarm %q: %d identity providers are too many for one alarm; use FederationFailureRateAlarm with at most %d", o.Prefix+o.Name, len(providers), maxAlarmMetricStats/s.statsPerSeries())
		}
		groups := slices.Collect(slices.Chunk(all, per))
		for i, g := range groups {
			og := o
			if len(groups) > 1 {
				og.Name = o.Name + "-" + strconv.Itoa(i+1)
			}
			a, err := s.build(in.UserPool, g, providers, og)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	}
	for _, s := range []flowAlarmSpec{signInFailureRateSpec, signInThrottlesSpec, refreshFailuresSpec, signUpFailureRateSpec} {
		if err := split(s, in.Clients, nil); err != nil {
			return nil, err
		}
	}
	if len(in.IdentityProviders) > 0 {
		fc := in.FederationClients
		if fc == nil {
			fc = in.Clients
		}
		if err := split(federationFailureRateSpec, fc, sortedProviders(in.IdentityProviders)); err != nil {
			return nil, err
		}
	}
	if in.TrailLogGroup != "" {
		for _, fn := range []func(UserPoolID, string, ...func(*DefinitionOptions)) (Alarm, error){RiskyAdminChangesAlarm, MachineTokenSpikeAlarm} {
			a, err := fn(in.UserPool, in.TrailLogGroup, optFns...)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// AlarmOptions configure an AlarmManager. The zero value of each field means
// the documented default.
type AlarmOptions struct {
	// Prefix is the name prefix of the alarms and metric filters the
	// manager owns: Plan reads and proposes changes only under it, and
	// Apply refuses to touch any other name. Default AlarmPrefix(pool).
	Prefix string
	// Retry controls retries of throttled calls.
	Retry RetryOptions
}

// AlarmManager plans and applies a pool's alarms and their metric filters:
// Plan compares definitions with what exists under the manager's prefix,
// Apply carries a plan out. Nothing outside the prefix is read into a plan
// or changed. It is immutable and safe for concurrent use; concurrent Apply
// calls for the same prefix are not coordinated.
type AlarmManager struct {
	cw   AlarmAPI
	logs MetricFilterAPI
	pool UserPoolID
	opts AlarmOptions
}

// NewAlarmManager returns an AlarmManager for the pool's alarms over cw and,
// for alarms fed by metric filters, logs. logs may be nil when no definition
// has a filter; metric filters are then neither read nor changed. It panics
// if cw is nil.
func NewAlarmManager(cw AlarmAPI, logs MetricFilterAPI, pool UserPoolID, optFns ...func(*AlarmOptions)) *AlarmManager {
	if cw == nil {
		panic("cognitomon: NewAlarmManager with nil AlarmAPI")
	}
	var o AlarmOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prefix == "" {
		o.Prefix = AlarmPrefix(pool)
	}
	o.Retry = o.Retry.withDefaults()
	return &AlarmManager{cw: cw, logs: logs, pool: pool, opts: o}
}

// Prefix returns the name prefix the manager owns.
func (m *AlarmManager) Prefix() string { return m.opts.Prefix }

func (m *AlarmManager) checkPrefix() error {
	if err := m.pool.Validate(); err != nil {
		return err
	}
	p := m.opts.Prefix
	if !validName(p) || strings.ContainsAny(p, ":*") || len(p) > 200 {
		return fmt.Errorf("alarm prefix %q must be 1 to 200 characters without control characters, ':' or '*'", truncate(p))
	}
	return nil
}

// Resource is the kind of AWS resource a Change concerns.
type Resource string

// The resources an AlarmManager manages.
const (
	ResourceAlarm        Resource = "alarm"
	ResourceMetricFilter Resource = "metric filter"
)

// FieldDiff is one field that differs between what exists and what is
// desired, with both values formatted for people ("(none)" when absent).
type FieldDiff struct {
	Field string
	Old   string
	New   string
}

// String formats d as "Field: old -> new".
func (d FieldDiff) String() string { return d.Field + ": " + d.Old + " -> " + d.New }

// Change is one alarm or metric filter to create, update, delete or leave
// as it is.
type Change struct {
	Resource Resource
	// Name is the alarm's or the metric filter's name.
	Name string
	// LogGroup is the metric filter's log group; empty for alarms.
	LogGroup string
	// Diffs are the differing fields of an update, tags included.
	Diffs []FieldDiff

	alarmInput    *cloudwatch.PutMetricAlarmInput      // the rendered definition, for alarm creates and updates
	filterInput   *cloudwatchlogs.PutMetricFilterInput // the same for metric filters
	arn           string                               // the existing alarm's ARN, for tag updates
	configChanged bool                                 // whether an update changes more than tags
	tagSet        map[string]string
	untag         []string
}

// Plan is what Apply would do: the changes under one prefix, each list
// sorted, metric filters before alarms in Creates and Updates, alarms
// before filters in Deletes. A Plan is data; only Apply acts on it.
type Plan struct {
	// Prefix is the prefix the plan was made under.
	Prefix    string
	Creates   []Change
	Updates   []Change
	Deletes   []Change
	Unchanged []Change
}

// HasChanges reports whether Apply would change anything.
func (p *Plan) HasChanges() bool {
	return len(p.Creates)+len(p.Updates)+len(p.Deletes) > 0
}

// String formats the plan for people: a summary line, then one line per
// change ("+" create, "~" update with its field diffs, "-" delete).
func (p *Plan) String() string {
	var b strings.Builder
	if !p.HasChanges() {
		fmt.Fprintf(&b, "plan for %q: no changes (%d unchanged)\n", p.Prefix, len(p.Unchanged))
		return b.String()
	}
	fmt.Fprintf(&b, "plan for %q: %d to create, %d to update, %d to delete, %d unchanged\n", p.Prefix, len(p.Creates), len(p.Updates), len(p.Deletes), len(p.Unchanged))
	line := func(sign string, c Change) {
		fmt.Fprintf(&b, "  %s %s %s", sign, c.Resource, c.Name)
		if c.LogGroup != "" {
			fmt.Fprintf(&b, " (log group %s)", c.LogGroup)
		}
		b.WriteByte('\n')
		for _, d := range c.Diffs {
			fmt.Fprintf(&b, "      %s\n", d)
		}
	}
	for _, c := range p.Creates {
		line("+", c)
	}
	for _, c := range p.Updates {
		line("~", c)
	}
	for _, c := range p.Deletes {
		line("-", c)
	}
	return b.String()
}

type filterKey struct{ group, name string }

// Plan reads the alarms (DescribeAlarms by the owned prefix, paginated, with
// their tags) and metric filters (DescribeMetricFilters by the prefix in the
// desired filters' log groups, and by metric for existing alarms on
// metric-filter metrics) that exist under the manager's prefix and returns
// what Apply must do to reach desired: creates, updates with a field-by-field
// diff, deletes of owned alarms and filters that are no longer desired, and
// the unchanged. Every desired alarm must be valid and named under the
// prefix. Plan changes nothing.
func (m *AlarmManager) Plan(ctx context.Context, desired []Alarm) (*Plan, error) {
	if err := m.checkPrefix(); err != nil {
		return nil, err
	}
	prefix := m.opts.Prefix
	var errs []error
	names := map[string]bool{}
	wantFilters := map[filterKey]*Alarm{}
	for i := range desired {
		a := &desired[i]
		if err := a.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if !strings.HasPrefix(a.Name, prefix) {
			errs = append(errs, fmt.Errorf("alarm %q: %w: the manager owns names starting with %q", a.Name, ErrNotOwned, prefix))
		}
		if names[a.Name] {
			errs = append(errs, fmt.Errorf("alarm %q is defined twice", a.Name))
		}
		names[a.Name] = true
		if a.Filter == nil {
			continue
		}
		k := filterKey{a.Filter.LogGroup, a.Filter.Name}
		switch {
		case m.logs == nil:
			errs = append(errs, fmt.Errorf("alarm %q has a metric filter, but the manager has no MetricFilterAPI", a.Name))
		case !strings.HasPrefix(a.Filter.Name, prefix):
			errs = append(errs, fmt.Errorf("metric filter %q: %w: the manager owns names starting with %q", a.Filter.Name, ErrNotOwned, prefix))
		case wantFilters[k] != nil:
			errs = append(errs, fmt.Errorf("metric filter %q in log group %q is defined twice", k.name, k.group))
		}
		wantFilters[k] = a
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	existing, err := m.ownedAlarms(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Prefix: prefix}
	for i := range desired {
		a := &desired[i]
		c := Change{Resource: ResourceAlarm, Name: a.Name, alarmInput: a.render()}
		ex, ok := existing[a.Name]
		if !ok {
			p.Creates = append(p.Creates, c)
			continue
		}
		c.arn = aws.ToString(ex.AlarmArn)
		c.Diffs = diffAlarm(c.alarmInput, ex)
		c.configChanged = len(c.Diffs) > 0
		var tags map[string]string
		err := retry(ctx, m.opts.Retry, func() error {
			out, err := m.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: ex.AlarmArn})
			if err == nil {
				tags = map[string]string{}
				for _, t := range out.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading the tags of alarm %s: %w", a.Name, err)
		}
		var tagDiffs []FieldDiff
		tagDiffs, c.tagSet, c.untag = diffTags(a.Tags, tags)
		c.Diffs = append(c.Diffs, tagDiffs...)
		if len(c.Diffs) == 0 {
			p.Unchanged = append(p.Unchanged, c)
		} else {
			p.Updates = append(p.Updates, c)
		}
	}
	for _, name := range sortedKeys(existing) {
		if !names[name] {
			p.Deletes = append(p.Deletes, Change{Resource: ResourceAlarm, Name: name})
		}
	}

	if m.logs != nil {
		have, err := m.ownedFilters(ctx, wantFilters, existing)
		if err != nil {
			return nil, err
		}
		for k, a := range wantFilters {
			c := Change{Resource: ResourceMetricFilter, Name: k.name, LogGroup: k.group, filterInput: a.Filter.render()}
			ex, ok := have[k]
			switch {
			case !ok:
				p.Creates = append(p.Creates, c)
			default:
				if c.Diffs = diffFilter(c.filterInput, ex); len(c.Diffs) == 0 {
					p.Unchanged = append(p.Unchanged, c)
				} else {
					c.configChanged = true
					p.Updates = append(p.Updates, c)
				}
			}
		}
		for k := range have {
			if wantFilters[k] == nil {
				p.Deletes = append(p.Deletes, Change{Resource: ResourceMetricFilter, Name: k.name, LogGroup: k.group})
			}
		}
	}
	order := func(first Resource) func(a, b Change) int {
		return func(a, b Change) int {
			if a.Resource != b.Resource {
				if a.Resource == first {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name+"\x00"+a.LogGroup, b.Name+"\x00"+b.LogGroup)
		}
	}
	slices.SortFunc(p.Creates, order(ResourceMetricFilter))
	slices.SortFunc(p.Updates, order(ResourceMetricFilter))
	slices.SortFunc(p.Unchanged, order(ResourceMetricFilter))
	slices.SortFunc(p.Deletes, order(ResourceAlarm))
	return p, nil
}

// ownedAlarms returns the metric alarms whose names start with the prefix.
func (m *AlarmManager) ownedAlarms(ctx context.Context) (map[string]cwtypes.MetricAlarm, error) {
	in := &cloudwatch.DescribeAlarmsInput{
		AlarmNamePrefix: aws.String(m.opts.Prefix),
		AlarmTypes:      []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
		MaxRecords:      aws.Int32(100),
	}
	out := map[string]cwtypes.MetricAlarm{}
	pg := cloudwatch.NewDescribeAlarmsPaginator(m.cw, in)
	for pg.HasMorePages() {
		var page *cloudwatch.DescribeAlarmsOutput
		err := retry(ctx, m.opts.Retry, func() error {
			var err error
			page, err = pg.NextPage(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("listing alarms with prefix %q: %w", m.opts.Prefix, err)
		}
		for _, a := range page.MetricAlarms {
			if name := aws.ToString(a.AlarmName); strings.HasPrefix(name, m.opts.Prefix) {
				out[name] = a
			}
		}
	}
	return out, nil
}

// ownedFilters returns the metric filters under the prefix in the desired
// filters' log groups, and those that publish the metrics of existing owned
// alarms (so that a filter whose log group is no longer desired is found).
func (m *AlarmManager) ownedFilters(ctx context.Context, want map[filterKey]*Alarm, alarms map[string]cwtypes.MetricAlarm) (map[filterKey]logtypes.MetricFilter, error) {
	out := map[filterKey]logtypes.MetricFilter{}
	list := func(in *cloudwatchlogs.DescribeMetricFiltersInput, what string) error {
		pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(m.logs, in)
		for pg.HasMorePages() {
			var page *cloudwatchlogs.DescribeMetricFiltersOutput
			err := retry(ctx, m.opts.Retry, func() error {
				var err error
				page, err = pg.NextPage(ctx)
				return err
			})
			if err != nil {
				return fmt.Errorf("listing metric filters %s: %w", what, err)
			}
			for _, f := range page.MetricFilters {
				if name := aws.ToString(f.FilterName); strings.HasPrefix(name, m.opts.Prefix) {
					out[filterKey{aws.ToString(f.LogGroupName), name}] = f
				}
			}
		}
		return nil
	}
	groups := map[string]bool{}
	for k := range want {
		groups[k.group] = true
	}
	for _, g := range sortedKeys(groups) {
		if err := list(&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g), FilterNamePrefix: aws.String(m.opts.Prefix)}, "in log group "+g); err != nil {
			return nil, err
		}
	}
	seen := map[[2]string]bool{}
	for _, name := range sortedKeys(alarms) {
		for _, q := range alarms[name].Metrics {
			if q.MetricStat == nil || q.MetricStat.Metric == nil {
				continue
			}
			ns, metric := aws.ToString(q.MetricStat.Metric.Namespace), aws.ToString(q.MetricStat.Metric.MetricName)
			if strings.HasPrefix(ns, "AWS/") || seen[[2]string{ns, metric}] {
				continue
			}
			seen[[2]string{ns, metric}] = true
			if err := list(&cloudwatchlogs.DescribeMetricFiltersInput{MetricNamespace: aws.String(ns), MetricName: aws.String(metric)}, "for metric "+ns+" "+metric); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Apply carries out a plan made by Plan with the same prefix: it creates and
// updates metric filters, then alarms (PutMetricAlarm sets tags only when it
// creates an alarm, so an update's tags go through TagResource and
// UntagResource), then deletes alarms, then metric filters. It first checks
// every change: a name outside the manager's prefix fails the whole plan
// with ErrNotOwned before any call. Deleting what is already gone is not an
// error, so applying the same plan twice changes nothing the second time.
// Apply stops at the first failure; what was done before stays done, and a
// new Plan shows what is left.
func (m *AlarmManager) Apply(ctx context.Context, p *Plan) error {
	if p == nil {
		return errors.New("apply: nil plan")
	}
	if err := m.checkPrefix(); err != nil {
		return err
	}
	prefix := m.opts.Prefix
	if p.Prefix != prefix {
		return fmt.Errorf("apply: %w: the plan was made for prefix %q, the manager owns %q", ErrNotOwned, p.Prefix, prefix)
	}
	var errs []error
	check := func(c Change, define bool) {
		switch {
		case !strings.HasPrefix(c.Name, prefix):
			errs = append(errs, fmt.Errorf("%s %q: %w: the manager owns names starting with %q", c.Resource, c.Name, ErrNotOwned, prefix))
		case c.Resource != ResourceAlarm && c.Resource != ResourceMetricFilter:
			errs = append(errs, fmt.Errorf("change %q: unknown resource %q", c.Name, c.Resource))
		case c.Resource == ResourceMetricFilter && (m.logs == nil || c.LogGroup == ""):
			errs = append(errs, fmt.Errorf("metric filter %q: needs a log group and a MetricFilterAPI", c.Name))
		case define && (c.Resource == ResourceAlarm && c.alarmInput == nil || c.Resource == ResourceMetricFilter && c.filterInput == nil):
			errs = append(errs, fmt.Errorf("%s %q: the change was not made by Plan", c.Resource, c.Name))
		}
	}
	for _, c := range p.Creates {
		check(c, true)
	}
	for _, c := range p.Updates {
		check(c, true)
	}
	for _, c := range p.Deletes {
		check(c, false)
	}
	if len(errs) > 0 {
		return fmt.Errorf("apply: %w", errors.Join(errs...))
	}

	call := func(what string, fn func() error) error {
		if err := retry(ctx, m.opts.Retry, fn); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	puts := append(slices.Clone(p.Creates), p.Updates...)
	for _, c := range puts {
		if c.Resource != ResourceMetricFilter {
			continue
		}
		if err := call("putting metric filter "+c.Name, func() error {
			_, err := m.logs.PutMetricFilter(ctx, c.filterInput)
			return err
		}); err != nil {
			return err
		}
	}
	for i, c := range puts {
		if c.Resource != ResourceAlarm {
			continue
		}
		update := i >= len(p.Creates)
		if !update || c.configChanged {
			in := c.alarmInput
			if update {
				stripped := *in
				stripped.Tags = nil // ignored on update; see TagResource below
				in = &stripped
			}
			if err := call("putting alarm "+c.Name, func() error {
				_, err := m.cw.PutMetricAlarm(ctx, in)
				return err
			}); err != nil {
				return err
			}
		}
		if len(c.tagSet) > 0 {
			in := &cloudwatch.TagResourceInput{ResourceARN: aws.String(c.arn)}
			for _, k := range sortedKeys(c.tagSet) {
				in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(c.tagSet[k])})
			}
			if err := call("tagging alarm "+c.Name, func() error {
				_, err := m.cw.TagResource(ctx, in)
				return err
			}); err != nil {
				return err
			}
		}
		if len(c.untag) > 0 {
			if err := call("untagging alarm "+c.Name, func() error {
				_, err := m.cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(c.arn), TagKeys: c.untag})
				return err
			}); err != nil {
				return err
			}
		}
	}
	var gone []string
	for _, c := range p.Deletes {
		if c.Resource == ResourceAlarm {
			gone = append(gone, c.Name)
		}
	}
	for batch := range slices.Chunk(gone, 100) {
		if err := call("deleting alarms "+strings.Join(batch, ", "), func() error {
			_, err := m.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: batch})
			if hasErrorCode(err, "ResourceNotFound") {
				return nil // already gone, or some were (FACTS.md 4.4 caveat in docs/alarms.md)
			}
			return err
		}); err != nil {
			return err
		}
	}
	for _, c := range p.Deletes {
		if c.Resource != ResourceMetricFilter {
			continue
		}
		if err := call("deleting metric filter "+c.Name, func() error {
			_, err := m.logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String(c.Name), LogGroupName: aws.String(c.LogGroup)})
			if hasErrorCode(err, "ResourceNotFoundException") {
				return nil
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

func hasErrorCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// none stands for an absent value in a FieldDiff.
const none = "(none)"

// fieldDiffs collects the fields whose formatted values differ.
type fieldDiffs []FieldDiff

func (d *fieldDiffs) add(field, old, new string) {
	if old != new {
		*d = append(*d, FieldDiff{Field: field, Old: old, New: new})
	}
}

func quoteOr(s string) string {
	if s == "" {
		return none
	}
	return strconv.Quote(s)
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func fmtFloat(p *float64) string {
	if p == nil {
		return none
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

func fmtInt(p *int32) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(int(*p))
}

// fmtSet formats a list whose order does not matter (actions).
func fmtSet(l []string) string {
	if len(l) == 0 {
		return none
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return "[" + strings.Join(s, ", ") + "]"
}

func fmtDims(ds []cwtypes.Dimension) string {
	if len(ds) == 0 {
		return none
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

func fmtMap(m map[string]string) string {
	if len(m) == 0 {
		return none
	}
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// describeStat formats a MetricStat with its dimensions in name order, so
// that the order AWS returns them in does not show as a change.
func describeStat(ms *cwtypes.MetricStat) string {
	if ms == nil {
		return none
	}
	var ns, name string
	var dims []cwtypes.Dimension
	if ms.Metric != nil {
		ns, name, dims = aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), ms.Metric.Dimensions
	}
	s := fmt.Sprintf("%s of %s %s", aws.ToString(ms.Stat), ns, name)
	if len(dims) > 0 {
		s += " " + fmtDims(dims)
	}
	s += " per " + fmtInt(ms.Period) + "s"
	if ms.Unit != "" {
		s += " in " + string(ms.Unit)
	}
	return s
}

func describeQuery(q cwtypes.MetricDataQuery) string {
	if q.Expression != nil {
		return strconv.Quote(*q.Expression)
	}
	return describeStat(q.MetricStat)
}

// diffAlarm compares the rendered definition with the alarm that exists,
// field by field, after normalizing what AWS fills in or reorders: absent
// lists and empty lists, ActionsEnabled (default true), DatapointsToAlarm
// (default EvaluationPeriods), TreatMissingData (default missing), the order
// of actions, queries and dimensions. Fields of the single-metric form that
// the existing alarm has and the definition lacks show as changes too.
func diffAlarm(in *cloudwatch.PutMetricAlarmInput, ex cwtypes.MetricAlarm) []FieldDiff {
	var d fieldDiffs
	d.add("AlarmDescription", quoteOr(aws.ToString(ex.AlarmDescription)), quoteOr(aws.ToString(in.AlarmDescription)))
	d.add("ActionsEnabled", strconv.FormatBool(ex.ActionsEnabled == nil || *ex.ActionsEnabled), strconv.FormatBool(in.ActionsEnabled == nil || *in.ActionsEnabled))
	d.add("AlarmActions", fmtSet(ex.AlarmActions), fmtSet(in.AlarmActions))
	d.add("OKActions", fmtSet(ex.OKActions), fmtSet(in.OKActions))
	d.add("InsufficientDataActions", fmtSet(ex.InsufficientDataActions), fmtSet(in.InsufficientDataActions))
	d.add("ComparisonOperator", orNone(string(ex.ComparisonOperator)), orNone(string(in.ComparisonOperator)))
	d.add("Threshold", fmtFloat(ex.Threshold), fmtFloat(in.Threshold))
	d.add("EvaluationPeriods", fmtInt(ex.EvaluationPeriods), fmtInt(in.EvaluationPeriods))
	exM, inM := ex.DatapointsToAlarm, in.DatapointsToAlarm
	if exM == nil {
		exM = ex.EvaluationPeriods
	}
	if inM == nil {
		inM = in.EvaluationPeriods
	}
	d.add("DatapointsToAlarm", fmtInt(exM), fmtInt(inM))
	missing := func(p *string) string {
		if p == nil || *p == "" {
			return string(MissingDataMissing)
		}
		return *p
	}
	d.add("TreatMissingData", missing(ex.TreatMissingData), missing(in.TreatMissingData))
	d.add("Namespace", quoteOr(aws.ToString(ex.Namespace)), none)
	d.add("MetricName", quoteOr(aws.ToString(ex.MetricName)), none)
	d.add("Statistic", orNone(string(ex.Statistic)), none)
	d.add("ExtendedStatistic", quoteOr(aws.ToString(ex.ExtendedStatistic)), none)
	d.add("Period", fmtInt(ex.Period), none)
	d.add("Dimensions", fmtDims(ex.Dimensions), none)
	d.add("Unit", orNone(string(ex.Unit)), none)
	d.add("ThresholdMetricId", quoteOr(aws.ToString(ex.ThresholdMetricId)), none)
	d.add("EvaluateLowSampleCountPercentile", quoteOr(aws.ToString(ex.EvaluateLowSampleCountPercentile)), none)
	d.add("EvaluationInterval", fmtInt(ex.EvaluationInterval), none)
	if ex.EvaluationCriteria != nil {
		d.add("EvaluationCriteria", "(set)", none)
	}
	if _, wall := ex.EvaluationWindow.(*cwtypes.EvaluationWindowMemberWallClockWindow); wall {
		d.add("EvaluationWindow", "wall clock", "sliding (the default)")
	}
	if ex.ActionConfiguration != nil && ex.ActionConfiguration.AlarmTagsPropagation != nil {
		d.add("ActionConfiguration", "(set)", none)
	}
	have := map[string]cwtypes.MetricDataQuery{}
	for _, q := range ex.Metrics {
		have[aws.ToString(q.Id)] = q
	}
	returns := func(q cwtypes.MetricDataQuery) string {
		return strconv.FormatBool(q.ReturnData == nil || *q.ReturnData)
	}
	seen := map[string]bool{}
	for _, q := range in.Metrics {
		id := aws.ToString(q.Id)
		seen[id] = true
		f := "Metrics[" + id + "]"
		e, ok := have[id]
		if !ok {
			d.add(f, none, describeQuery(q))
			continue
		}
		d.add(f+".Expression", quoteOr(aws.ToString(e.Expression)), quoteOr(aws.ToString(q.Expression)))
		d.add(f+".MetricStat", describeStat(e.MetricStat), describeStat(q.MetricStat))
		d.add(f+".ReturnData", returns(e), returns(q))
		// Fields the definition leaves unset are not compared, in case AWS
		// fills them in (a default label, the account, a query period).
		if q.Label != nil {
			d.add(f+".Label", quoteOr(aws.ToString(e.Label)), quoteOr(*q.Label))
		}
		if q.Period != nil {
			d.add(f+".Period", fmtInt(e.Period), fmtInt(q.Period))
		}
		if q.AccountId != nil {
			d.add(f+".AccountId", quoteOr(aws.ToString(e.AccountId)), quoteOr(*q.AccountId))
		}
	}
	for _, id := range sortedKeys(have) {
		if !seen[id] {
			d.add("Metrics["+id+"]", describeQuery(have[id]), none)
		}
	}
	return d
}

// diffTags compares desired tags with the alarm's, and returns the diffs,
// the tags to set and the keys to remove.
func diffTags(want, have map[string]string) (diffs []FieldDiff, set map[string]string, unset []string) {
	var d fieldDiffs
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range have {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		w, inWant := want[k]
		h, inHave := have[k]
		switch {
		case !inWant:
			d.add("Tags["+k+"]", strconv.Quote(h), none)
			unset = append(unset, k)
		case !inHave || w != h:
			old := none
			if inHave {
				old = strconv.Quote(h)
			}
			d.add("Tags["+k+"]", old, strconv.Quote(w))
			if set == nil {
				set = map[string]string{}
			}
			set[k] = w
		}
	}
	return d, set, unset
}

// diffFilter compares a rendered metric filter with the one that exists.
func diffFilter(in *cloudwatchlogs.PutMetricFilterInput, ex logtypes.MetricFilter) []FieldDiff {
	var d fieldDiffs
	d.add("FilterPattern", quoteOr(aws.ToString(ex.FilterPattern)), quoteOr(aws.ToString(in.FilterPattern)))
	if n := len(ex.MetricTransformations); n != 1 {
		d.add("MetricTransformations", fmt.Sprintf("%d transformations", n), "1 transformation")
	} else {
		e, w := ex.MetricTransformations[0], in.MetricTransformations[0]
		unit := func(u logtypes.StandardUnit) string {
			if u == "" {
				return string(logtypes.StandardUnitNone)
			}
			return string(u)
		}
		d.add("MetricTransformation.MetricName", quoteOr(aws.ToString(e.MetricName)), quoteOr(aws.ToString(w.MetricName)))
		d.add("MetricTransformation.MetricNamespace", quoteOr(aws.ToString(e.MetricNamespace)), quoteOr(aws.ToString(w.MetricNamespace)))
		d.add("MetricTransformation.MetricValue", quoteOr(aws.ToString(e.MetricValue)), quoteOr(aws.ToString(w.MetricValue)))
		d.add("MetricTransformation.DefaultValue", fmtFloat(e.DefaultValue), fmtFloat(w.DefaultValue))
		d.add("MetricTransformation.Unit", unit(e.Unit), unit(w.Unit))
		d.add("MetricTransformation.Dimensions", fmtMap(e.Dimensions), fmtMap(w.Dimensions))
	}
	d.add("ApplyOnTransformedLogs", strconv.FormatBool(ex.ApplyOnTransformedLogs), "false")
	d.add("FieldSelectionCriteria", quoteOr(aws.ToString(ex.FieldSelectionCriteria)), none)
	d.add("EmitSystemFieldDimensions", fmtSet(ex.EmitSystemFieldDimensions), none)
	return d
}

// BacktestOptions configure Alarm.Backtest. The zero value of each field
// means the documented default.
type BacktestOptions struct {
	// InitialState is the alarm's state before the range. Default
	// StateInsufficientData, the state of a new alarm.
	InitialState AlarmState
	// Retry controls retries of throttled calls.
	Retry RetryOptions
	// Clock returns the current time; it decides which period rules apply
	// to the range (FACTS.md 4.1). Default time.Now.
	Clock func() time.Time
}

// BacktestPoint is one period of a backtest.
type BacktestPoint struct {
	// Time is the start of the period.
	Time time.Time
	// Value is the watched value; Missing says the period had none.
	Value   float64
	Missing bool
	// Breaching reports whether the value breaches the threshold.
	Breaching bool
	// State is the alarm's state after the evaluation that includes this
	// period's datapoint.
	State AlarmState
}

// StateChange is a change of an alarm's state in a backtest.
type StateChange struct {
	// Time is the start of the period whose evaluation changed the state;
	// the real alarm would change once that period's data is published.
	Time time.Time
	From AlarmState
	To   AlarmState
}

// Backtest is an alarm replayed over a past range.
type Backtest struct {
	Alarm string
	// Range is the replayed range, aligned to whole periods.
	Range  TimeRange
	Period time.Duration
	// Points holds one entry per period of Range.
	Points []BacktestPoint
	// Transitions are the state changes, in time order.
	Transitions []StateChange
	// AlarmSpans are the spans of time the alarm would have spent in
	// ALARM, each from the start of the period that raised it to the end
	// of the last period still in ALARM.
	AlarmSpans []TimeRange
	Usage      Usage
}

// Pages returns how many times the alarm would have gone into ALARM.
func (b *Backtest) Pages() int {
	n := 0
	for _, c := range b.Transitions {
		if c.To == StateAlarm {
			n++
		}
	}
	return n
}

// evaluationRange is how many recent periods CloudWatch looks at to find N
// datapoints. Assumption: AWS says only that it retrieves "a higher number
// of data points than the number specified as Evaluation Periods", which
// depends on the period; its examples use 5 for N = 3 (AWSDOCS-CW
// AlarmThatSendsEmail.md), so cognitomon takes N + 2.
func evaluationRange(n int) int { return n + 2 }

// Backtest replays the alarm over a past range: it reads the alarm's own
// metric math with GetMetricData (ascending, at the alarm's period, with the
// periods before the range that the first evaluations look back on) and
// evaluates it once per period as CloudWatch documents (AWSDOCS-CW
// AlarmThatSendsEmail.md, "How alarm state is evaluated when data is
// missing"): of the last N+2 periods, the N most recent real datapoints
// decide when there are N, M of them breaching meaning ALARM; with fewer,
// TreatMissingData fills the gap (breaching counts the gaps as breaching,
// notBreaching as not; missing and ignore count only the real datapoints,
// except that a run of breaching datapoints whose oldest is at least M
// periods old raises ALARM under missing and keeps the state under ignore);
// with none, missing gives INSUFFICIENT_DATA, ignore keeps the state. The
// alarm's periods must be whole minutes.
//
// An alarm on a metric outside AWS/ (a metric filter's) is backtested only
// when ListMetrics lists the metric, that is, when it has published in the
// last two weeks; otherwise the error wraps ErrNotBacktestable.
func (a Alarm) Backtest(ctx context.Context, api CloudWatchAPI, r TimeRange, optFns ...func(*BacktestOptions)) (*Backtest, error) {
	if api == nil {
		return nil, errors.New("backtest: nil CloudWatchAPI")
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var o BacktestOptions
	for _, fn := range optFns {
		fn(&o)
	}
	switch o.InitialState {
	case "":
		o.InitialState = StateInsufficientData
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return nil, fmt.Errorf("backtest: unknown initial state %q", o.InitialState)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	mc := NewMetricsClient(api, func(mo *MetricsOptions) {
		mo.Clock = o.Clock
		mo.Retry = o.Retry
	})
	now := o.Clock()
	period := a.Period
	ar, err := mc.alignRange(r, period, now)
	if err != nil {
		return nil, fmt.Errorf("backtest of alarm %s: %w", a.Name, err)
	}
	n, m := a.EvaluationPeriods, a.datapointsToAlarm()
	window := evaluationRange(n)
	back := window - 1
	full := TimeRange{Start: ar.Start.Add(-time.Duration(back) * period), End: ar.End}
	if _, err := mc.alignRange(full, period, now); err != nil {
		return nil, fmt.Errorf("backtest of alarm %s (with %d periods of look-back): %w", a.Name, back, err)
	}
	total := periods(full, period)
	if total > mc.opts.MaxDatapointsPerCall {
		return nil, fmt.Errorf("backtest of alarm %s: %w: %d periods, more than the %d datapoints GetMetricData returns for metric math", a.Name, ErrInvalidRange, total, mc.opts.MaxDatapointsPerCall)
	}
	bt := &Backtest{Alarm: a.Name, Range: ar, Period: period}

	for _, q := range a.Queries {
		if q.Metric == nil || strings.HasPrefix(q.Metric.Namespace, "AWS/") {
			continue
		}
		in := &cloudwatch.ListMetricsInput{Namespace: aws.String(q.Metric.Namespace), MetricName: aws.String(q.Metric.MetricName)}
		found := false
		for _, err := range mc.listMetrics(ctx, in, &bt.Usage) {
			if err != nil {
				return nil, fmt.Errorf("backtest of alarm %s: %w", a.Name, err)
			}
			found = true
			break
		}
		if !found {
			return nil, fmt.Errorf("alarm %s: %w: its metric %s %s has no datapoint in the last two weeks (ListMetrics lists none), so there is no history to replay; a metric filter publishes only from its creation", a.Name, ErrNotBacktestable, q.Metric.Namespace, q.Metric.MetricName)
		}
	}

	values, present, err := a.fetchWatched(ctx, api, o.Retry, full, &bt.Usage)
	if err != nil {
		return nil, err
	}
	breach := breachFunc(a.Comparison, a.Threshold)
	state := o.InitialState
	for k := back; k < total; k++ {
		next := evaluateAlarm(values, present, breach, k, n, m, window, a.TreatMissingData, state)
		t := full.Start.Add(time.Duration(k) * period)
		if next != state {
			bt.Transitions = append(bt.Transitions, StateChange{Time: t, From: state, To: next})
		}
		state = next
		bt.Points = append(bt.Points, BacktestPoint{Time: t, Value: values[k], Missing: !present[k], Breaching: present[k] && breach(values[k]), State: state})
	}
	for i := 0; i < len(bt.Points); i++ {
		if bt.Points[i].State != StateAlarm {
			continue
		}
		j := i
		for j+1 < len(bt.Points) && bt.Points[j+1].State == StateAlarm {
			j++
		}
		bt.AlarmSpans = append(bt.AlarmSpans, TimeRange{Start: bt.Points[i].Time, End: bt.Points[j].Time.Add(period)})
		i = j
	}
	return bt, nil
}

// fetchWatched reads the watched query of the alarm's metric math over r,
// one slot per period, and says which periods have a datapoint.
func (a Alarm) fetchWatched(ctx context.Context, api CloudWatchAPI, ro RetryOptions, r TimeRange, usage *Usage) ([]float64, []bool, error) {
	period := a.Period
	total := periods(r, period)
	values, present := make([]float64, total), make([]bool, total)
	watch := a.watched().ID
	stats := 0
	for _, q := range a.Queries {
		if q.Metric != nil {
			stats++
		}
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime:         aws.Time(r.Start),
		EndTime:           aws.Time(r.End),
		MetricDataQueries: renderQueries(a.Queries, period),
		ScanBy:            cwtypes.ScanByTimestampAscending,
	}
	ro = ro.withDefaults()
	var status cwtypes.StatusCode
	for {
		var out *cloudwatch.GetMetricDataOutput
		err := retry(ctx, ro, func() error {
			var err error
			out, err = api.GetMetricData(ctx, in)
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("reading the metric math of alarm %s over %s: %w", a.Name, r, err)
		}
		usage.GetMetricDataCalls++
		usage.MetricsRequested += stats
		if len(out.Messages) > 0 {
			return nil, nil, &MetricDataError{Messages: messages(out.Messages)}
		}
		for _, res := range out.MetricDataResults {
			if aws.ToString(res.Id) != watch {
				continue
			}
			switch res.StatusCode {
			case cwtypes.StatusCodeComplete, cwtypes.StatusCodePartialData:
			default:
				return nil, nil, &MetricDataError{QueryID: watch, Metric: a.Name, StatusCode: string(res.StatusCode), Messages: messages(res.Messages)}
			}
			if len(res.Messages) > 0 || len(res.Timestamps) != len(res.Values) {
				return nil, nil, &MetricDataError{QueryID: watch, Metric: a.Name, StatusCode: string(res.StatusCode), Messages: append(messages(res.Messages), "timestamps and values do not pair up")}
			}
			status = res.StatusCode
			for i, t := range res.Timestamps {
				if !r.Contains(t) || t.Sub(r.Start)%period != 0 {
					return nil, nil, fmt.Errorf("alarm %s: datapoint at %s is not a period start in %s", a.Name, t.UTC().Format(time.RFC3339), r)
				}
				k := int(t.Sub(r.Start) / period)
				if present[k] {
					return nil, nil, fmt.Errorf("alarm %s: two datapoints at %s", a.Name, t.UTC().Format(time.RFC3339))
				}
				if v := res.Values[i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
					values[k], present[k] = v, true
				}
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if status != cwtypes.StatusCodeComplete {
		return nil, nil, &MetricDataError{QueryID: watch, Metric: a.Name, StatusCode: string(status), Messages: []string{"no complete result"}}
	}
	return values, present, nil
}

func breachFunc(op cwtypes.ComparisonOperator, t float64) func(float64) bool {
	switch op {
	case cwtypes.ComparisonOperatorGreaterThanThreshold:
		return func(v float64) bool { return v > t }
	case cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold:
		return func(v float64) bool { return v >= t }
	case cwtypes.ComparisonOperatorLessThanThreshold:
		return func(v float64) bool { return v < t }
	default:
		return func(v float64) bool { return v <= t }
	}
}

// evaluateAlarm returns the state after evaluating period k over the
// evaluation range of window periods ending at k (see Backtest).
func evaluateAlarm(values []float64, present []bool, breach func(float64) bool, k, n, m, window int, treat MissingData, current AlarmState) AlarmState {
	var real []int // newest first
	for i := k; i >= max(0, k-window+1); i-- {
		if present[i] {
			real = append(real, i)
		}
	}
	breaching := func(idx []int) int {
		c := 0
		for _, i := range idx {
			if breach(values[i]) {
				c++
			}
		}
		return c
	}
	decide := func(b int) AlarmState {
		if b >= m {
			return StateAlarm
		}
		return StateOK
	}
	if len(real) >= n {
		return decide(breaching(real[:n]))
	}
	if len(real) == 0 {
		switch treat {
		case MissingDataBreaching:
			return StateAlarm
		case MissingDataNotBreaching:
			return StateOK
		case MissingDataIgnore:
			return current
		}
		return StateInsufficientData
	}
	b := breaching(real)
	switch treat {
	case MissingDataBreaching:
		return decide(b + n - len(real))
	case MissingDataNotBreaching:
		return decide(b)
	}
	// missing or ignore: every real datapoint breaching, the oldest of them
	// within the last N periods at least M periods old, is the documented
	// "premature alarm" case.
	if b == len(real) {
		oldest := -1
		for _, i := range real {
			if i > k-n {
				oldest = i
			}
		}
		if oldest >= 0 && k-oldest+1 >= m {
			if treat == MissingDataIgnore {
				return current
			}
			return StateAlarm
		}
	}
	return decide(b)
}

// CloudFormationTemplate returns the alarms as a CloudFormation template in
// JSON, for teams that deploy through infrastructure as code: one
// AWS::CloudWatch::Alarm per alarm (the same properties PutMetricAlarm
// gets) and one AWS::Logs::MetricFilter per metric filter, which its alarm
// DependsOn. Logical IDs are the names in CamelCase. Every alarm is validated
// first.
func CloudFormationTemplate(alarms []Alarm) ([]byte, error) {
	var errs []error
	for _, a := range alarms {
		errs = append(errs, a.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	type dimension struct{ Name, Value string }
	type metric struct {
		Namespace  string
		MetricName string
		Dimensions []dimension `json:",omitempty"`
	}
	type metricStat struct {
		Metric metric
		Period int32
		Stat   string
	}
	type query struct {
		Id         string
		Expression string      `json:",omitempty"`
		MetricStat *metricStat `json:",omitempty"`
		Label      string      `json:",omitempty"`
		ReturnData bool
	}
	type tag struct{ Key, Value string }
	type alarmProps struct {
		AlarmName               string
		AlarmDescription        string `json:",omitempty"`
		ActionsEnabled          bool
		AlarmActions            []string `json:",omitempty"`
		OKActions               []string `json:",omitempty"`
		InsufficientDataActions []string `json:",omitempty"`
		ComparisonOperator      string
		Threshold               float64
		EvaluationPeriods       int32
		DatapointsToAlarm       int32
		TreatMissingData        string `json:",omitempty"`
		Metrics                 []query
		Tags                    []tag `json:",omitempty"`
	}
	type transformation struct {
		MetricName      string
		MetricNamespace string
		MetricValue     string
		DefaultValue    float64
	}
	type filterProps struct {
		FilterName            string
		LogGroupName          string
		FilterPattern         string
		MetricTransformations []transformation
	}
	type resource struct {
		Type       string
		DependsOn  string `json:",omitempty"`
		Properties any
	}
	resources := map[string]resource{}
	logicalID := func(name, suffix string) string {
		var b strings.Builder
		for _, part := range logicalIDPart.FindAllString(name, -1) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
		id := b.String() + suffix
		if len(id) > 200 {
			id = id[len(id)-200:]
		}
		base := id
		for i := 2; ; i++ {
			if _, taken := resources[id]; !taken {
				return id
			}
			id = base + strconv.Itoa(i)
		}
	}
	for _, a := range alarms {
		in := a.render()
		p := alarmProps{
			AlarmName:               a.Name,
			AlarmDescription:        a.Description,
			ActionsEnabled:          !a.ActionsDisabled,
			AlarmActions:            in.AlarmActions,
			OKActions:               in.OKActions,
			InsufficientDataActions: in.InsufficientDataActions,
			ComparisonOperator:      string(in.ComparisonOperator),
			Threshold:               a.Threshold,
			EvaluationPeriods:       *in.EvaluationPeriods,
			DatapointsToAlarm:       *in.DatapointsToAlarm,
			TreatMissingData:        aws.ToString(in.TreatMissingData),
		}
		for _, q := range in.Metrics {
			cq := query{Id: *q.Id, Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label), ReturnData: aws.ToBool(q.ReturnData)}
			if ms := q.MetricStat; ms != nil {
				cm := metric{Namespace: *ms.Metric.Namespace, MetricName: *ms.Metric.MetricName}
				for _, d := range ms.Metric.Dimensions {
					cm.Dimensions = append(cm.Dimensions, dimension{*d.Name, *d.Value})
				}
				cq.MetricStat = &metricStat{Metric: cm, Period: *ms.Period, Stat: *ms.Stat}
			}
			p.Metrics = append(p.Metrics, cq)
		}
		for _, t := range in.Tags {
			p.Tags = append(p.Tags, tag{*t.Key, *t.Value})
		}
		var dependsOn string
		if f := a.Filter; f != nil {
			dependsOn = logicalID(f.Name, "MetricFilter")
			resources[dependsOn] = resource{Type: "AWS::Logs::MetricFilter", Properties: filterProps{
				FilterName: f.Name, LogGroupName: f.LogGroup, FilterPattern: f.Pattern,
				MetricTransformations: []transformation{{MetricName: f.MetricName, MetricNamespace: f.Namespace, MetricValue: f.Value, DefaultValue: f.DefaultValue}},
			}}
		}
		resources[logicalID(a.Name, "Alarm")] = resource{Type: "AWS::CloudWatch::Alarm", DependsOn: dependsOn, Properties: p}
	}
	tmpl := struct {
		AWSTemplateFormatVersion string
		Description              string
		Resources                map[string]resource
	}{"2010-09-09", "Amazon Cognito user-pool alarms defined by cognitomon", resources}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep ">=" readable in expressions
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return nil, fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	return buf.Bytes(), nil
}
