package cognitomon

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/cognitomon/cognitomon/internal/text"
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
	// ErrQuotaExceeded reports an alarm or metric filter that AWS refused
	// because an account quota is reached (LimitExceeded); the error names
	// the quota.
	ErrQuotaExceeded = errors.New("quota exceeded")
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
	return fmt.Sprintf("alarm %q: %s: %s", text.Truncate(e.Alarm), e.Field, e.Problem)
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

// measure says what an alarm's watched value measures, so that Validate can
// reject a threshold that could never, or would always, breach. The zero
// value, measureAny, checks only that the threshold is a finite number.
type measure int

const (
	measureAny     measure = iota // anything; only finiteness is checked
	measurePercent                // a percentage, 0 to 100
	measureCount                  // a count, 0 or more
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
	// Expression is metric math over other queries' IDs, or a Metrics
	// Insights query ("SELECT ..."), which must then be the alarm's only
	// query; empty when Metric is set.
	Expression string
	// Metric is the statistic this query reads; nil for an expression.
	Metric *MetricStat
	// Label names the query's series in the console.
	Label string
	// ReturnData marks the one query whose value the alarm watches.
	ReturnData bool
}

// insights reports whether q is a Metrics Insights query. Such a query
// carries the alarm's period itself, as it has no MetricStat.
func (q MetricQuery) insights() bool { return strings.HasPrefix(q.Expression, "SELECT ") }

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
// events the metric filter that feeds it. StandardAlarms returns alarms with
// documented defaults; change any field of the result before planning. Validate checks
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
	// Comparison and Threshold say when a datapoint breaches.
	Comparison cwtypes.ComparisonOperator
	Threshold  float64
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

	// measure is what the watched value measures, set by the standard
	// definitions so that Validate checks the threshold's range.
	measure measure
	// replay, set by a definition that watches a Metrics Insights query, is
	// the equivalent metric math over listed series that Backtest reads,
	// since Metrics Insights sees only the last three hours (FACTS.md
	// 9.4 f); replayOf is the query it stands for.
	replay   []MetricQuery
	replayOf string
}

// filterNamespace is the default root of the CloudWatch namespaces that
// cognitomon's metric filters publish to: a pool's metrics go to
// filterNamespace + "/" + the pool's ID, as in
// "Cognitomon/us-east-1_AbCdEf123".
const filterNamespace = "Cognitomon"

// alarmPrefix returns the name prefix of the alarms and metric filters that
// cognitomon defines for a pool by default: "cognitomon-<pool>-". The
// trailing dash keeps one pool's prefix from being a prefix of another's.
func alarmPrefix(pool UserPoolID) string { return "cognitomon-" + string(pool) + "-" }

// The watched query of the metric-math alarms.
const guardedRateID = "guarded_rate"

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
		if q.insights() {
			r.Period = aws.Int32(int32(period / time.Second))
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
