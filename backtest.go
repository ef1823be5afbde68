package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

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
// A standard alarm that watches a Metrics Insights query (the pool-wide
// throttle alarm) is replayed through the equivalent metric math over the
// clients it was defined with, since Metrics Insights reads only the last
// three hours; any other Metrics Insights alarm is not backtestable.
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
	if w := a.watched(); w.insights() {
		if a.replay == nil || w.Expression != a.replayOf {
			return nil, fmt.Errorf("alarm %s: %w: it watches a Metrics Insights query, which reads only the last three hours (FACTS.md 9.4 f), and holds no metric math over listed series to replay instead", a.Name, ErrNotBacktestable)
		}
		a.Queries = a.replay // the same sum over the clients listed at definition time
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
