package cognitomon

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

type metricRequest struct {
	namespace string
	name      string
	dims      []cwtypes.Dimension
	stat      string
}

// MetricDataError reports a GetMetricData answer that was not a complete
// answer: a result whose status is InternalError, Forbidden or (after the
// last page) PartialData, a result or operation message, or a query that got
// no result at all. It wraps ErrIncomplete.
type MetricDataError struct {
	// QueryID is the query the problem concerns; empty for operation-level
	// messages.
	QueryID string
	// Metric names the metric and statistic of QueryID, when known.
	Metric string
	// StatusCode is the result's status code, when there was one.
	StatusCode string
	// Messages are the messages AWS returned, as "code: value".
	Messages []string
}

func (e *MetricDataError) Error() string {
	var b strings.Builder
	b.WriteString("incomplete metric data")
	if e.QueryID != "" {
		fmt.Fprintf(&b, " for query %s", e.QueryID)
	}
	if e.Metric != "" {
		fmt.Fprintf(&b, " (%s)", e.Metric)
	}
	if e.StatusCode != "" {
		fmt.Fprintf(&b, ": status %s", e.StatusCode)
	}
	if len(e.Messages) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(e.Messages, "; "))
	}
	return b.String()
}

// Unwrap returns ErrIncomplete.
func (e *MetricDataError) Unwrap() error { return ErrIncomplete }

// batch is one set of queries sent together over one time window.
type batch struct {
	window TimeRange
	first  int // index into the request list of queries[0]
	n      int
	offset int // period index of window.Start within the whole range
}

// plan packs n queries over r into the fewest GetMetricData calls that both
// per-call limits allow. When one query alone needs more datapoints than a
// call may return, the range is cut into windows.
func (c *MetricsClient) plan(r TimeRange, period time.Duration, n int) []batch {
	total := periods(r, period)
	perWindow := min(total, c.opts.MaxDatapointsPerCall)
	var out []batch
	for off := 0; off < total; off += perWindow {
		w := min(perWindow, total-off)
		win := TimeRange{Start: r.Start.Add(time.Duration(off) * period), End: r.Start.Add(time.Duration(off+w) * period)}
		perCall := max(1, min(c.opts.MaxQueriesPerCall, c.opts.MaxDatapointsPerCall/w))
		for first := 0; first < n; first += perCall {
			out = append(out, batch{window: win, first: first, n: min(perCall, n-first), offset: off})
		}
	}
	return out
}

// fetch reads every request over r at period and calls sink with the
// request's index, the period's index and the value of each datapoint. A
// period without a datapoint gets no call: it had no traffic.
func (c *MetricsClient) fetch(ctx context.Context, r TimeRange, period time.Duration, reqs []metricRequest, sink func(q, k int, v float64) error) (Usage, error) {
	var usage Usage
	n := periods(r, period)
	words := (n + 63) / 64
	seen := make([]uint64, len(reqs)*words) // one bit per request and period
	if len(reqs) == 0 {
		return usage, nil
	}
	secs := int32(period / time.Second)
	for _, b := range c.plan(r, period, len(reqs)) {
		queries := make([]cwtypes.MetricDataQuery, b.n)
		ids := make(map[string]int, b.n)
		for i := range b.n {
			q := reqs[b.first+i]
			id := "m" + strconv.Itoa(b.first+i)
			ids[id] = b.first + i
			queries[i] = cwtypes.MetricDataQuery{
				Id: aws.String(id),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String(q.namespace), MetricName: aws.String(q.name), Dimensions: q.dims},
					Period: aws.Int32(secs),
					Stat:   aws.String(q.stat),
				},
				ReturnData: aws.Bool(true),
			}
		}
		in := &cloudwatch.GetMetricDataInput{
			StartTime:         aws.Time(b.window.Start),
			EndTime:           aws.Time(b.window.End),
			MetricDataQueries: queries,
			ScanBy:            cwtypes.ScanByTimestampAscending,
		}
		status := map[string]cwtypes.StatusCode{}
		for {
			var out *cloudwatch.GetMetricDataOutput
			err := retry(ctx, c.opts.Retry, func() error {
				var err error
				out, err = c.api.GetMetricData(ctx, in)
				return err
			})
			if err != nil {
				return usage, fmt.Errorf("reading %d metrics over %s: %w", len(queries), b.window, err)
			}
			usage.GetMetricDataCalls++
			usage.MetricsRequested += len(queries)
			if len(out.Messages) > 0 {
				return usage, &MetricDataError{Messages: messages(out.Messages)}
			}
			for _, res := range out.MetricDataResults {
				id := aws.ToString(res.Id)
				q, ok := ids[id]
				if !ok {
					return usage, fmt.Errorf("GetMetricData returned a result for unknown query %q", id)
				}
				desc := reqs[q].name + " " + reqs[q].stat
				switch res.StatusCode {
				case cwtypes.StatusCodeComplete, cwtypes.StatusCodePartialData:
				default:
					return usage, &MetricDataError{QueryID: id, Metric: desc, StatusCode: string(res.StatusCode), Messages: messages(res.Messages)}
				}
				if len(res.Messages) > 0 {
					return usage, &MetricDataError{QueryID: id, Metric: desc, StatusCode: string(res.StatusCode), Messages: messages(res.Messages)}
				}
				if len(res.Timestamps) != len(res.Values) {
					return usage, fmt.Errorf("GetMetricData result %s (%s): %d timestamps but %d values", id, desc, len(res.Timestamps), len(res.Values))
				}
				status[id] = res.StatusCode
				for i, t := range res.Timestamps {
					if !b.window.Contains(t) || t.Sub(b.window.Start)%period != 0 {
						return usage, fmt.Errorf("GetMetricData result %s (%s): datapoint at %s is not a period start in %s", id, desc, t.UTC().Format(time.RFC3339), b.window)
					}
					k := b.offset + int(t.Sub(b.window.Start)/period)
					bit := q*words*64 + k
					if seen[bit/64]&(1<<(bit%64)) != 0 {
						return usage, fmt.Errorf("GetMetricData result %s (%s): two datapoints at %s", id, desc, t.UTC().Format(time.RFC3339))
					}
					seen[bit/64] |= 1 << (bit % 64)
					if err := sink(q, k, res.Values[i]); err != nil {
						return usage, fmt.Errorf("%s for %s: %w", desc, t.UTC().Format(time.RFC3339), err)
					}
				}
			}
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		for id, q := range ids {
			switch status[id] {
			case cwtypes.StatusCodeComplete:
			case "":
				return usage, &MetricDataError{QueryID: id, Metric: reqs[q].name + " " + reqs[q].stat, Messages: []string{"no result returned"}}
			default:
				return usage, &MetricDataError{QueryID: id, Metric: reqs[q].name + " " + reqs[q].stat, StatusCode: string(status[id]), Messages: []string{"still partial after the last page"}}
			}
		}
	}
	return usage, nil
}

func messages(ms []cwtypes.MessageData) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = aws.ToString(m.Code) + ": " + aws.ToString(m.Value)
	}
	return out
}

// throttleCodes are the error codes retried as throttling. CloudWatch's
// query-compatible codes are Throttling and LimitExceeded.
