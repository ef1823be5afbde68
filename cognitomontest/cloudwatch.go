package cognitomontest

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// CloudWatchOptions configure a CloudWatch fake. Zero values mean the
// documented defaults.
type CloudWatchOptions struct {
	// Now is the fake's clock: ListMetrics lists only series with a
	// datapoint in the two weeks before it, as AWS does. Default time.Now.
	Now func() time.Time
	// ListMetricsPageSize is how many metrics a ListMetrics page holds.
	// Default 500, as AWS.
	ListMetricsPageSize int
	// MaxQueries is the most queries a GetMetricData call may carry.
	// Default 500.
	MaxQueries int
	// MaxDatapoints is how many datapoints a GetMetricData page returns
	// before it paginates, when the request does not set MaxDatapoints.
	// Default 100,800.
	MaxDatapoints int
}

// CloudWatch is an in-memory fake of the CloudWatch API over simulated
// pools. It implements cognitomon.CloudWatchAPI. Its fault switches make the
// next calls fail as AWS can.
type CloudWatch struct {
	pools []*Pool
	opts  CloudWatchOptions

	mu       sync.Mutex
	calls    map[string]int
	throttle map[string]int
	status   []cwtypes.StatusCode
	messages []cwtypes.MessageData
	pagePts  int
	inputs   []*cloudwatch.GetMetricDataInput
	alarms   alarmStore     // see alarms.go
	dashes   dashboardStore // see dashboards.go
	failing  map[string][]error
}

// NewCloudWatch returns a CloudWatch fake over the given pools.
func NewCloudWatch(pools []*Pool, optFns ...func(*CloudWatchOptions)) *CloudWatch {
	var o CloudWatchOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ListMetricsPageSize <= 0 {
		o.ListMetricsPageSize = 500
	}
	if o.MaxQueries <= 0 {
		o.MaxQueries = 500
	}
	if o.MaxDatapoints <= 0 {
		o.MaxDatapoints = 100_800
	}
	return &CloudWatch{pools: slices.Clone(pools), opts: o, calls: map[string]int{}, throttle: map[string]int{}}
}

// Calls returns how many times operation op ("GetMetricData", "ListMetrics")
// has been called, throttled calls included.
func (f *CloudWatch) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// GetMetricDataInputs returns the GetMetricData requests received that were
// not throttled, in order.
func (f *CloudWatch) GetMetricDataInputs() []*cloudwatch.GetMetricDataInput {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.inputs)
}

// ThrottleNext makes the next n calls of operation op fail with the
// CloudWatch throttling error (code "Throttling").
func (f *CloudWatch) ThrottleNext(op string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle[op] += n
}

// FailNextResult makes the first result of the next GetMetricData call carry
// status (InternalError, Forbidden ...) instead of Complete, with no data.
// Several calls queue several failures.
func (f *CloudWatch) FailNextResult(status cwtypes.StatusCode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = append(f.status, status)
}

// AddMessage makes the next GetMetricData call return an operation-level
// message, as AWS does when it could not run all of a request.
func (f *CloudWatch) AddMessage(code, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.messages = append(f.messages, cwtypes.MessageData{Code: aws.String(code), Value: aws.String(value)})
}

// SetPagePoints makes GetMetricData return at most n datapoints a page, so
// results arrive as PartialData across several pages. Zero restores the
// default.
func (f *CloudWatch) SetPagePoints(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pagePts = n
}

// register adds the fake's operations to the server's routes.
func (f *CloudWatch) register(r routes) {
	r["CloudWatch.GetMetricData"] = op(f.GetMetricData)
	r["CloudWatch.ListMetrics"] = op(f.ListMetrics)
	f.registerAlarms(r)
	f.registerDashboards(r)
}

// FailNext makes the next call of operation op return err, such as
// &smithy.GenericAPIError{Code: "AccessDenied"}. Several calls queue several
// errors.
func (f *CloudWatch) FailNext(op string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing == nil {
		f.failing = map[string][]error{}
	}
	f.failing[op] = append(f.failing[op], err)
}

// begin counts a call and reports a pending throttle or failure.
func (f *CloudWatch) begin(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	if errs := f.failing[op]; len(errs) > 0 {
		f.failing[op] = errs[1:]
		return errs[0]
	}
	if f.throttle[op] > 0 {
		f.throttle[op]--
		return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient}
	}
	return nil
}

func validationError(format string, args ...any) error {
	return &smithy.GenericAPIError{Code: "ValidationError", Message: fmt.Sprintf(format, args...), Fault: smithy.FaultClient}
}

// seriesID is a canonical key of a metric series: namespace, name and the
// exact set of dimensions.
func seriesID(ns, name string, dims map[string]string) string {
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(ns + "\x00" + name)
	for _, k := range keys {
		b.WriteString("\x00" + k + "=" + dims[k])
	}
	return b.String()
}

// ListMetrics lists the series that match the filter and had a datapoint in
// the two weeks before the fake's clock, sorted, in pages.
func (f *CloudWatch) ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("ListMetrics"); err != nil {
		return nil, err
	}
	if in == nil {
		in = &cloudwatch.ListMetricsInput{}
	}
	now := f.opts.Now()
	since := now.Add(-14 * 24 * time.Hour)
	seen := map[string]cwtypes.Metric{}
	for _, p := range f.pools {
		p.eachSeries(since, now, func(ns, name string, dims map[string]string) {
			if in.Namespace != nil && *in.Namespace != ns || in.MetricName != nil && *in.MetricName != name {
				return
			}
			if !matchesFilters(dims, in.Dimensions) {
				return
			}
			m := cwtypes.Metric{Namespace: aws.String(ns), MetricName: aws.String(name)}
			for _, k := range sortedDimNames(dims) {
				m.Dimensions = append(m.Dimensions, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(dims[k])})
			}
			seen[seriesID(ns, name, dims)] = m
		})
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	start := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(strings.TrimPrefix(*in.NextToken, "lm-"))
		if err != nil || n < 0 || n > len(ids) {
			return nil, &smithy.GenericAPIError{Code: "InvalidNextToken", Message: "invalid NextToken", Fault: smithy.FaultClient}
		}
		start = n
	}
	end := min(start+f.opts.ListMetricsPageSize, len(ids))
	out := &cloudwatch.ListMetricsOutput{}
	for _, id := range ids[start:end] {
		out.Metrics = append(out.Metrics, seen[id])
	}
	if end < len(ids) {
		out.NextToken = aws.String("lm-" + strconv.Itoa(end))
	}
	return out, nil
}

func sortedDimNames(dims map[string]string) []string {
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func matchesFilters(dims map[string]string, filters []cwtypes.DimensionFilter) bool {
	for _, fl := range filters {
		v, ok := dims[aws.ToString(fl.Name)]
		if !ok || fl.Value != nil && *fl.Value != v {
			return false
		}
	}
	return true
}

var queryIDPattern = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

// GetMetricData answers MetricStat queries by aggregating the pools'
// datapoints per period with the requested statistic (Sum, SampleCount,
// Average, Minimum, Maximum). Only periods with datapoints are returned, as
// AWS does. Pages are cut after MaxDatapoints datapoints (the request's or
// the fake's default); a result cut short says PartialData. Metric-math
// expressions are evaluated for the subset that evaluateExpressions
// supports; others get a ValidationError.
func (f *CloudWatch) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := f.begin("GetMetricData"); err != nil {
		return nil, err
	}
	if in == nil || in.StartTime == nil || in.EndTime == nil {
		return nil, validationError("StartTime and EndTime are required")
	}
	if !in.StartTime.Before(*in.EndTime) {
		return nil, validationError("The parameter StartTime must be less than the parameter EndTime.")
	}
	if n := len(in.MetricDataQueries); n == 0 || n > f.opts.MaxQueries {
		return nil, validationError("MetricDataQueries must hold 1 to %d queries, not %d", f.opts.MaxQueries, n)
	}
	f.mu.Lock()
	f.inputs = append(f.inputs, in)
	var status cwtypes.StatusCode
	if len(f.status) > 0 {
		status, f.status = f.status[0], f.status[1:]
	}
	msgs := f.messages
	f.messages = nil
	pagePts := f.pagePts
	f.mu.Unlock()
	if pagePts <= 0 {
		pagePts = f.opts.MaxDatapoints
		if in.MaxDatapoints != nil {
			if *in.MaxDatapoints < 1 {
				return nil, validationError("MaxDatapoints must be at least 1")
			}
			pagePts = int(*in.MaxDatapoints)
		}
	}

	// Validate, then compute every MetricStat (oldest first), then the
	// expressions over them; only queries with ReturnData (default true)
	// are returned.
	ids := map[string]bool{}
	computed := map[string]cwtypes.MetricDataResult{}
	var exprs []cwtypes.MetricDataQuery
	for _, q := range in.MetricDataQueries {
		id := aws.ToString(q.Id)
		if !queryIDPattern.MatchString(id) || len(id) > 255 {
			return nil, validationError("query id %q must start with a lowercase letter and hold only letters, digits and underscores", id)
		}
		if ids[id] {
			return nil, validationError("duplicate query id %q", id)
		}
		ids[id] = true
		if (q.Expression == nil) == (q.MetricStat == nil) {
			return nil, validationError("query %s: exactly one of Expression and MetricStat is required", id)
		}
		if q.Expression != nil {
			exprs = append(exprs, q)
			continue
		}
		if q.MetricStat.Metric == nil || q.MetricStat.Period == nil || q.MetricStat.Stat == nil {
			return nil, validationError("query %s: MetricStat with Metric, Period and Stat is required", id)
		}
		res, err := f.aggregate(q.MetricStat, *in.StartTime, *in.EndTime)
		if err != nil {
			return nil, validationError("query %s: %v", id, err)
		}
		res.Label = q.Label
		if res.Label == nil {
			res.Label = q.MetricStat.Metric.MetricName
		}
		computed[id] = res
	}
	if len(exprs) > 0 {
		var period time.Duration // the shortest MetricStat period, FILL's default
		for _, q := range in.MetricDataQueries {
			if q.MetricStat != nil {
				if p := time.Duration(*q.MetricStat.Period) * time.Second; period == 0 || p < period {
					period = p
				}
			}
		}
		if err := f.evaluateExpressions(exprs, computed, *in.StartTime, *in.EndTime, period); err != nil {
			return nil, err
		}
	}
	var results []cwtypes.MetricDataResult
	for _, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		res := computed[aws.ToString(q.Id)]
		res.Id = q.Id
		if q.Expression != nil && q.Label != nil {
			res.Label = q.Label
		}
		if in.ScanBy != cwtypes.ScanByTimestampAscending {
			res.Timestamps = slices.Clone(res.Timestamps)
			res.Values = slices.Clone(res.Values)
			slices.Reverse(res.Timestamps)
			slices.Reverse(res.Values)
		}
		res.StatusCode = cwtypes.StatusCodeComplete
		results = append(results, res)
	}
	if len(results) == 0 {
		return nil, validationError("no query has ReturnData set")
	}
	if status != "" {
		results[0].StatusCode = status
		results[0].Timestamps, results[0].Values = nil, nil
	}

	// Pagination: skip what earlier pages returned, then fill this page.
	qi, pi := 0, 0
	if in.NextToken != nil {
		var err error
		qi, pi, err = parsePageToken(*in.NextToken, results)
		if err != nil {
			return nil, err
		}
	}
	out := &cloudwatch.GetMetricDataOutput{Messages: msgs}
	budget := pagePts
	for ; qi < len(results); qi, pi = qi+1, 0 {
		r := results[qi]
		rest := len(r.Timestamps) - pi
		take := min(rest, budget)
		if take == 0 && rest > 0 {
			// The page is full: the rest of this result comes next.
			out.NextToken = aws.String(fmt.Sprintf("gmd-%d-%d", qi, pi))
			return out, nil
		}
		page := r
		page.Timestamps = r.Timestamps[pi : pi+take]
		page.Values = r.Values[pi : pi+take]
		budget -= take
		if take < rest {
			page.StatusCode = cwtypes.StatusCodePartialData
			out.MetricDataResults = append(out.MetricDataResults, page)
			out.NextToken = aws.String(fmt.Sprintf("gmd-%d-%d", qi, pi+take))
			return out, nil
		}
		out.MetricDataResults = append(out.MetricDataResults, page)
	}
	return out, nil
}

func parsePageToken(tok string, results []cwtypes.MetricDataResult) (int, int, error) {
	var qi, pi int
	if _, err := fmt.Sscanf(tok, "gmd-%d-%d", &qi, &pi); err != nil || qi < 0 || qi >= len(results) || pi < 0 || pi > len(results[qi].Timestamps) {
		return 0, 0, &smithy.GenericAPIError{Code: "InvalidNextToken", Message: "invalid NextToken", Fault: smithy.FaultClient}
	}
	return qi, pi, nil
}

// aggregate computes one MetricStat over [start, end), periods aligned to
// start. A period finer than CloudWatch keeps for data as old as start gets
// no datapoints, as from AWS.
func (f *CloudWatch) aggregate(ms *cwtypes.MetricStat, start, end time.Time) (cwtypes.MetricDataResult, error) {
	period := time.Duration(*ms.Period) * time.Second
	if period <= 0 {
		return cwtypes.MetricDataResult{}, fmt.Errorf("period must be positive")
	}
	stat := *ms.Stat
	switch stat {
	case "Sum", "SampleCount", "Average", "Minimum", "Maximum":
	default:
		return cwtypes.MetricDataResult{}, fmt.Errorf("statistic %q is not supported by this fake", stat)
	}
	// CloudWatch returns no datapoints for a period finer than it still
	// keeps for data that old (FACTS.md 4.1): 1-minute data for 15 days,
	// 5-minute data for 63 days.
	const day = 24 * time.Hour
	switch age := f.opts.Now().Sub(start); {
	case age > 63*day && period%time.Hour != 0, age > 15*day && period%(5*time.Minute) != 0:
		return cwtypes.MetricDataResult{}, nil
	}
	dims := map[string]string{}
	for _, d := range ms.Metric.Dimensions {
		dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	want := seriesID(aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), dims)
	type agg struct {
		sum, n, lo, hi float64
	}
	buckets := map[int64]*agg{}
	for _, p := range f.pools {
		p.points(want, start, end, func(t time.Time, v float64) {
			k := int64(t.Sub(start) / period)
			a := buckets[k]
			if a == nil {
				a = &agg{lo: math.Inf(1), hi: math.Inf(-1)}
				buckets[k] = a
			}
			a.sum += v
			a.n++
			a.lo = min(a.lo, v)
			a.hi = max(a.hi, v)
		})
	}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var res cwtypes.MetricDataResult
	for _, k := range keys {
		a := buckets[k]
		var v float64
		switch stat {
		case "Sum":
			v = a.sum
		case "SampleCount":
			v = a.n
		case "Average":
			v = a.sum / a.n
		case "Minimum":
			v = a.lo
		case "Maximum":
			v = a.hi
		}
		res.Timestamps = append(res.Timestamps, start.Add(time.Duration(k)*period).UTC())
		res.Values = append(res.Values, v)
	}
	return res, nil
}
