package cognitomontest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon/internal/insightsql"
)

// LogsOptions configure a Logs fake. Zero values mean the documented defaults.
type LogsOptions struct {
	// Now is the fake's clock. Default time.Now.
	Now func() time.Time
	// TrailLogGroup is the log group that holds the pools' CloudTrail
	// records, as a trail routed to CloudWatch Logs writes them. Default
	// "aws-cloudtrail-logs-cognitomon".
	TrailLogGroup string
	// UserActivityLogGroup is the log group of the pools' user-activity
	// logs (pools with PoolOptions.ThreatProtection). Default
	// "/aws/vendedlogs/cognito/user-activity".
	UserActivityLogGroup string
	// QueryDuration is how long a Logs Insights query runs, by the wall
	// clock, before GetQueryResults says Complete; until then it says
	// Running. Default 0: complete at once.
	QueryDuration time.Duration
	// MaxConcurrentQueries is the account's limit on running queries;
	// StartQuery beyond it fails with LimitExceededException. Default 100
	// (FACTS.md 5.1; it was 10, 20 and 30 before).
	MaxConcurrentQueries int
}

// Logs is an in-memory fake of the CloudWatch Logs API over simulated pools:
// Logs Insights queries (answered by a local evaluator of the query subset
// that cognitomon's catalogue uses) and metric filters.
type Logs struct {
	pools []*Pool
	opts  LogsOptions

	mu      sync.Mutex
	calls   map[string]int
	filters metricFilterStore // see logsfilters.go
	queries map[string]*fakeQuery
	nextID  int
	limited int
	failing []logtypes.QueryStatus
	stopped []string
}

// fakeQuery is one query the fake has started.
type fakeQuery struct {
	started time.Time
	status  logtypes.QueryStatus // final status once the duration is over
	result  insightsql.Result
	stopped bool
}

// NewLogs returns a Logs fake over the given pools.
func NewLogs(pools []*Pool, optFns ...func(*LogsOptions)) *Logs {
	var o LogsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.TrailLogGroup == "" {
		o.TrailLogGroup = "aws-cloudtrail-logs-cognitomon"
	}
	if o.UserActivityLogGroup == "" {
		o.UserActivityLogGroup = "/aws/vendedlogs/cognito/user-activity"
	}
	if o.MaxConcurrentQueries <= 0 {
		o.MaxConcurrentQueries = 100
	}
	return &Logs{pools: slices.Clone(pools), opts: o, calls: map[string]int{}, queries: map[string]*fakeQuery{}}
}

// Calls returns how many times operation op has been called.
func (f *Logs) Calls(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Stopped returns the IDs of the queries StopQuery stopped, in order.
func (f *Logs) Stopped() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.stopped)
}

// LimitNextStarts makes the next n StartQuery calls fail with
// LimitExceededException, as when the account runs too many queries.
func (f *Logs) LimitNextStarts(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited += n
}

// FailNextQuery makes the next query started end with status (Failed,
// Timeout, Cancelled, Unknown) instead of Complete. Several calls queue
// several failures.
func (f *Logs) FailNextQuery(status logtypes.QueryStatus) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = append(f.failing, status)
}

// register adds the fake's operations to the server's routes.
func (f *Logs) register(r routes) {
	r["Logs.StartQuery"] = op(f.StartQuery)
	r["Logs.GetQueryResults"] = op(f.GetQueryResults)
	r["Logs.StopQuery"] = op(f.StopQuery)
	f.registerMetricFilters(r)
}

func (f *Logs) count(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
}

func logsError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

var logGroupPattern = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)

// StartQuery parses the query, runs it over the named log groups' events in
// [startTime, endTime] (epoch seconds, both inclusive) and keeps the result
// for GetQueryResults.
func (f *Logs) StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("StartQuery")
	if in == nil || in.QueryString == nil || in.StartTime == nil || in.EndTime == nil {
		return nil, logsError("InvalidParameterException", "queryString, startTime and endTime are required")
	}
	groups := in.LogGroupNames
	set := 0
	if in.LogGroupName != nil {
		groups, set = []string{*in.LogGroupName}, set+1
	}
	if len(in.LogGroupNames) > 0 {
		set++
	}
	if len(in.LogGroupIdentifiers) > 0 {
		groups, set = in.LogGroupIdentifiers, set+1
	}
	switch {
	case set != 1:
		return nil, logsError("InvalidParameterException", "exactly one of logGroupName, logGroupNames and logGroupIdentifiers is required")
	case len(groups) > 50:
		return nil, logsError("InvalidParameterException", "at most 50 log groups")
	case *in.StartTime > *in.EndTime:
		return nil, logsError("InvalidParameterException", "startTime is after endTime")
	case len(*in.QueryString) > 10000:
		return nil, logsError("InvalidParameterException", "queryString is longer than 10000 characters")
	case in.QueryLanguage != "" && in.QueryLanguage != logtypes.QueryLanguageCwli:
		return nil, logsError("InvalidParameterException", "this fake runs Logs Insights QL (CWLI) only")
	}
	if in.Limit != nil && (*in.Limit < 1 || *in.Limit > 10000) {
		return nil, logsError("InvalidParameterException", "limit must be 1 to 10000")
	}
	for _, g := range groups {
		if !logGroupPattern.MatchString(g) {
			return nil, logsError("InvalidParameterException", fmt.Sprintf("log group %q is not a valid name", g))
		}
		if g != f.opts.TrailLogGroup && g != f.opts.UserActivityLogGroup {
			return nil, &logtypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist: " + g)}
		}
	}
	q, err := insightsql.Parse(*in.QueryString)
	if err != nil {
		var pe *insightsql.ParseError
		ce := &logtypes.QueryCompileError{Message: aws.String(err.Error())}
		if errors.As(err, &pe) {
			ce.Message = aws.String(pe.Msg)
			ce.Location = &logtypes.QueryCompileErrorLocation{StartCharOffset: aws.Int32(int32(pe.Pos)), EndCharOffset: aws.Int32(int32(pe.Pos))}
		}
		return nil, &logtypes.MalformedQueryException{Message: aws.String("Query is malformed: " + err.Error()), QueryCompileError: ce}
	}

	f.mu.Lock()
	if f.limited > 0 {
		f.limited--
		f.mu.Unlock()
		return nil, &logtypes.LimitExceededException{Message: aws.String("Account maximum query concurrency limit reached.")}
	}
	running := 0
	for _, fq := range f.queries {
		if !fq.stopped && time.Since(fq.started) < f.opts.QueryDuration {
			running++
		}
	}
	if running >= f.opts.MaxConcurrentQueries {
		f.mu.Unlock()
		return nil, &logtypes.LimitExceededException{Message: aws.String(fmt.Sprintf("Account maximum query concurrency limit of [%d] reached.", f.opts.MaxConcurrentQueries))}
	}
	status := logtypes.QueryStatusComplete
	if len(f.failing) > 0 {
		status, f.failing = f.failing[0], f.failing[1:]
	}
	f.nextID++
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", f.nextID, f.nextID)
	f.mu.Unlock()

	start, end := time.Unix(*in.StartTime, 0), time.Unix(*in.EndTime, 0)
	res, err := q.Run(f.events(groups, start, end))
	if err != nil {
		status = logtypes.QueryStatusFailed
	}
	if in.Limit != nil && len(res.Rows) > int(*in.Limit) {
		res.Rows = res.Rows[:*in.Limit] // the request's limit caps the query's own
	}
	f.mu.Lock()
	f.queries[id] = &fakeQuery{started: time.Now(), status: status, result: res}
	f.mu.Unlock()
	return &cloudwatchlogs.StartQueryOutput{QueryId: aws.String(id)}, nil
}

// events yields the log events of the groups with a timestamp in
// [start, end], as CloudWatch Logs holds them. A CloudTrail record's
// @timestamp is its eventTime (whether AWS uses eventTime or the delivery
// time is unverified, FACTS.md 8.10).
func (f *Logs) events(groups []string, start, end time.Time) iter.Seq[insightsql.Event] {
	return func(yield func(insightsql.Event) bool) {
		in := func(t time.Time) bool { return !t.Before(start) && !t.After(end) }
		for _, g := range groups {
			for _, p := range f.pools {
				switch g {
				case f.opts.TrailLogGroup:
					stream := p.opts.Account + "_CloudTrail_" + p.id.Region()
					for _, r := range p.cachedTrailRecords() {
						if in(r.Time) && !yield(insightsql.Event{Timestamp: r.Time, Message: r.JSON, LogStream: stream, LogGroup: p.opts.Account + ":" + g}) {
							return
						}
					}
				case f.opts.UserActivityLogGroup:
					for _, r := range p.UserActivityRecords() {
						if in(r.Time) && !yield(insightsql.Event{Timestamp: r.Time, Message: r.JSON, LogStream: "userpool-" + string(p.id), LogGroup: p.opts.Account + ":" + g}) {
							return
						}
					}
				}
			}
		}
	}
}

// GetQueryResults reports a query's status and, once it is Complete, its
// rows and statistics (while Running, statistics only).
func (f *Logs) GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("GetQueryResults")
	f.mu.Lock()
	defer f.mu.Unlock()
	fq, ok := f.queries[aws.ToString(in.QueryId)]
	if !ok {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("query " + aws.ToString(in.QueryId) + " does not exist")}
	}
	out := &cloudwatchlogs.GetQueryResultsOutput{QueryLanguage: logtypes.QueryLanguageCwli, Status: fq.status}
	switch {
	case fq.stopped:
		out.Status = logtypes.QueryStatusCancelled
	case time.Since(fq.started) < f.opts.QueryDuration:
		out.Status = logtypes.QueryStatusRunning
	}
	stats := &logtypes.QueryStatistics{
		RecordsScanned: float64(fq.result.RecordsScanned),
		RecordsMatched: float64(fq.result.RecordsMatched),
		BytesScanned:   float64(fq.result.BytesScanned),
	}
	out.Statistics = stats
	if out.Status != logtypes.QueryStatusComplete {
		return out, nil
	}
	for _, row := range fq.result.Rows {
		fields := make([]logtypes.ResultField, 0, len(row)+1)
		for _, c := range row {
			fields = append(fields, logtypes.ResultField{Field: aws.String(c.Name), Value: aws.String(c.Value)})
		}
		out.Results = append(out.Results, fields)
	}
	stats.ResultCount = float64(len(out.Results))
	return out, nil
}

// StopQuery stops a running query; it fails for a query that is not
// running, as AWS does.
func (f *Logs) StopQuery(ctx context.Context, in *cloudwatchlogs.StopQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("StopQuery")
	f.mu.Lock()
	defer f.mu.Unlock()
	id := aws.ToString(in.QueryId)
	fq, ok := f.queries[id]
	if !ok {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("query " + id + " does not exist")}
	}
	if fq.stopped || time.Since(fq.started) >= f.opts.QueryDuration {
		return nil, logsError("InvalidParameterException", "query "+id+" is not running")
	}
	fq.stopped = true
	f.stopped = append(f.stopped, id)
	return &cloudwatchlogs.StopQueryOutput{Success: true}, nil
}
