package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/cognitomon/cognitomon/internal/text"
)

// QueryError reports a Logs Insights query that ended with a status other
// than Complete: Failed, Cancelled (stopped by someone else), Timeout (AWS's
// own limit of 60 minutes, FACTS.md 5.1), Unknown, or a status cognitomon
// does not know. It unwraps to ErrQueryFailed.
type QueryError struct {
	QueryID string
	Status  string
}

// Error says which query ended how.
func (e *QueryError) Error() string {
	return "logs insights query " + e.QueryID + " ended with status " + e.Status
}

// Unwrap returns ErrQueryFailed.
func (e *QueryError) Unwrap() error { return ErrQueryFailed }

// QueryCompileError reports a query that Logs Insights could not compile
// (MalformedQueryException). It unwraps to ErrMalformedQuery and to the AWS
// error, so errors.As still reaches smithy.APIError.
type QueryCompileError struct {
	// Message is AWS's compile error (queryCompileError.message), or the
	// exception's message when AWS gave no compile error.
	Message string
	// Start and End are the character offsets of the offending text in the
	// query, or -1 when AWS gave none.
	Start, End int
	// Err is the AWS error.
	Err error
}

// Error says what AWS could not compile and where.
func (e *QueryCompileError) Error() string {
	if e.Start >= 0 {
		return fmt.Sprintf("logs insights cannot compile the query at offset %d: %s", e.Start, e.Message)
	}
	return "logs insights cannot compile the query: " + e.Message
}

// Unwrap returns ErrMalformedQuery and the AWS error.
func (e *QueryCompileError) Unwrap() []error { return []error{ErrMalformedQuery, e.Err} }

// InsightsOptions configure an InsightsClient. The zero value of each field
// means the documented default.
type InsightsOptions struct {
	// PollInterval is the wait between the first and the second
	// GetQueryResults call; the first comes right after StartQuery. Each
	// further wait is PollFactor times the one before, up to
	// MaxPollInterval, so a query that runs for d is polled about
	// log2(d/PollInterval) times. Default 500ms.
	PollInterval time.Duration
	// PollFactor is the growth of the wait; values below 1 mean the
	// default, 2.
	PollFactor float64
	// MaxPollInterval caps a wait. Default 10s.
	MaxPollInterval time.Duration
	// MaxConcurrent is how many queries the client runs at once; further
	// Runs wait for a slot. AWS's account-wide limit has been 10, 20, 30
	// and 100 concurrent queries (FACTS.md 5.1) and other tools share it.
	// Default 10.
	MaxConcurrent int
	// Timeout is how long Run lets a query run before it stops it (AWS
	// stops queries after 60 minutes). Default 15m.
	Timeout time.Duration
	// GracePeriod is how long a StartQuery call in flight, and the
	// StopQuery call that follows it, may still take once the caller's
	// context is done or Timeout has passed: long enough to learn the ID of
	// a query AWS has started and to stop it. Default 10s.
	GracePeriod time.Duration
	// MaxLogGroups is StartQuery's limit on log groups per query. Default
	// 50 (FACTS.md 5.1; it was 20).
	MaxLogGroups int
	// Retry controls the retries of StartQuery when the account runs too
	// many queries (LimitExceededException) and of throttled calls, on top
	// of the SDK client's own retries.
	Retry RetryOptions
}

// InsightsClient runs Logs Insights queries. It is immutable and safe for
// concurrent use; concurrent Runs share its MaxConcurrent slots.
type InsightsClient struct {
	api  LogsAPI
	opts InsightsOptions
	sem  chan struct{}
}

// NewInsightsClient returns an InsightsClient over api. It panics if api is
// nil.
func NewInsightsClient(api LogsAPI, optFns ...func(*InsightsOptions)) *InsightsClient {
	if api == nil {
		panic("cognitomon: NewInsightsClient with nil LogsAPI")
	}
	var o InsightsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.PollFactor < 1 {
		o.PollFactor = 2
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 10 * time.Second
	}
	o.MaxPollInterval = max(o.MaxPollInterval, o.PollInterval)
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Minute
	}
	if o.GracePeriod <= 0 {
		o.GracePeriod = 10 * time.Second
	}
	if o.MaxLogGroups <= 0 {
		o.MaxLogGroups = 50
	}
	o.Retry = o.Retry.withDefaults()
	return &InsightsClient{api: api, opts: o, sem: make(chan struct{}, o.MaxConcurrent)}
}

// QueryResult is the outcome of a completed query.
type QueryResult struct {
	// QueryID is the ID AWS gave the query.
	QueryID string
	// Rows are the result rows, in AWS's order.
	Rows []Row
	// Stats are AWS's scan statistics.
	Stats QueryStats
	// Polls counts the GetQueryResults calls made until the query ended,
	// not counting the calls that fetched further pages.
	Polls int
}

// QueryStats are the scan statistics of a query (GetQueryResults
// statistics).
type QueryStats struct {
	// RecordsMatched is the log events that matched the query.
	RecordsMatched int64
	// RecordsScanned is the log events scanned.
	RecordsScanned int64
	// BytesScanned is the bytes of the log events scanned, which Logs
	// Insights bills by.
	BytesScanned int64
}

// ResultField is one field of a result row.
type ResultField struct {
	Name, Value string
}

// Row is one result row: its fields in the order AWS returned them. A field
// with no value in the row is absent, as in GetQueryResults. AWS adds @ptr
// (a pointer to the log event) to the rows of queries without stats.
type Row []ResultField

// Value returns the value of the field named name, and whether the row has
// it.
func (r Row) Value(name string) (string, bool) {
	for _, f := range r {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// errRunTimeout is the cause of a Run's context when InsightsOptions.Timeout
// ran out.
var errRunTimeout = errors.New("logs insights query ran out of time")

// Run runs query over the log groups and r, and returns its rows and scan
// statistics once the query is Complete.
//
// Logs Insights takes whole epoch seconds, both inclusive (FACTS.md 5.1), so
// Run asks for r widened to whole seconds: events in the second that starts
// at a non-whole End may be included. StartQuery runs with queryLanguage
// CWLI; a LimitExceededException (the account runs too many queries) is
// retried with backoff per InsightsOptions.Retry. Run then polls
// GetQueryResults with backoff until the query ends and follows nextToken
// for further pages of rows.
//
// A query that ends Failed, Cancelled, Timeout or Unknown is a *QueryError;
// a query that does not compile is a *QueryCompileError. When ctx is
// cancelled or InsightsOptions.Timeout runs out while the query runs, and on
// any other error after StartQuery succeeded, Run calls StopQuery (with a
// context that is not the cancelled one) before it returns, so no query is
// left running; the error then wraps ctx's error, or
// context.DeadlineExceeded for the client's own timeout. A StartQuery call
// in flight when ctx ends is given InsightsOptions.GracePeriod to answer, so
// that the query it may have started can be stopped too.
func (c *InsightsClient) Run(ctx context.Context, query string, logGroups []string, r TimeRange) (*QueryResult, error) {
	in, err := c.startInput(query, logGroups, r)
	if err != nil {
		return nil, err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a free logs insights query slot: %w", ctx.Err())
	}
	defer func() { <-c.sem }()

	runCtx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, errRunTimeout)
	defer cancel()
	var id string
	err = retryWith(runCtx, c.opts.Retry, retryPolicy{retryAlso: tooManyQueries}, func() error {
		// A StartQuery in flight is not cut off when runCtx ends: AWS may
		// have started the query, and only the answer says which to stop.
		sctx, cancel := c.grace(ctx, runCtx)
		defer cancel()
		out, err := c.api.StartQuery(sctx, in)
		if err != nil {
			return err
		}
		id = aws.ToString(out.QueryId)
		return nil
	})
	switch {
	case err == nil && id == "":
		return nil, errors.New("starting logs insights query: StartQuery returned no query ID")
	case err == nil && runCtx.Err() != nil:
		err = c.contextError(ctx, runCtx, "logs insights query "+id)
		if serr := c.stop(ctx, id); serr != nil {
			return nil, fmt.Errorf("%w; stopping the query failed too: %w", err, serr)
		}
		return nil, err
	case err != nil && runCtx.Err() != nil:
		return nil, c.contextError(ctx, runCtx, "starting logs insights query")
	case err != nil:
		var mq *logtypes.MalformedQueryException
		if errors.As(err, &mq) {
			return nil, compileError(mq, err)
		}
		return nil, fmt.Errorf("starting logs insights query: %w", err)
	}

	res, stop, err := c.poll(runCtx, id)
	if err == nil {
		return res, nil
	}
	if runCtx.Err() != nil {
		err = c.contextError(ctx, runCtx, "logs insights query "+id)
		stop = true
	}
	if stop {
		if serr := c.stop(ctx, id); serr != nil {
			return nil, fmt.Errorf("%w; stopping the query failed too: %w", err, serr)
		}
	}
	return nil, err
}

// tooManyQueries reports whether err is StartQuery's LimitExceededException:
// the account runs as many queries as it may at once (FACTS.md 5.1), so a
// later attempt may find a free slot. It is no rate throttle, and is
// retried only for StartQuery.
func tooManyQueries(err error) bool { return errorCode(err) == "LimitExceededException" }

// compileError converts AWS's MalformedQueryException (err, as mq).
func compileError(mq *logtypes.MalformedQueryException, err error) *QueryCompileError {
	ce := &QueryCompileError{Message: aws.ToString(mq.Message), Start: -1, End: -1, Err: err}
	if qc := mq.QueryCompileError; qc != nil {
		if m := aws.ToString(qc.Message); m != "" {
			ce.Message = m
		}
		if loc := qc.Location; loc != nil {
			if loc.StartCharOffset != nil {
				ce.Start = int(*loc.StartCharOffset)
			}
			if loc.EndCharOffset != nil {
				ce.End = int(*loc.EndCharOffset)
			}
		}
	}
	return ce
}

// contextError describes why runCtx ended: the caller's ctx, or the
// client's own timeout.
func (c *InsightsClient) contextError(ctx, runCtx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if context.Cause(runCtx) == errRunTimeout {
		return fmt.Errorf("%s: ran longer than %s (InsightsOptions.Timeout): %w", what, c.opts.Timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("%s: %w", what, runCtx.Err())
}

// grace returns a context for a call that must outlive runCtx: it keeps
// ctx's values and ends GracePeriod after runCtx does.
func (c *InsightsClient) grace(ctx, runCtx context.Context) (context.Context, context.CancelFunc) {
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(runCtx, func() { time.AfterFunc(c.opts.GracePeriod, cancel) })
	return gctx, func() { stop(); cancel() }
}

// stop stops query id, with a context that outlives ctx's cancellation. A
// query that is no longer running is no error: StopQuery fails for it with
// InvalidParameterException in the fake; the code AWS uses there is not
// documented (FACTS.md 5.1).
func (c *InsightsClient) stop(ctx context.Context, id string) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.GracePeriod)
	defer cancel()
	err := retry(sctx, c.opts.Retry, func() error {
		_, err := c.api.StopQuery(sctx, &cloudwatchlogs.StopQueryInput{QueryId: aws.String(id)})
		return err
	})
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) && ae.ErrorCode() == "InvalidParameterException" {
		return nil
	}
	return fmt.Errorf("stopping logs insights query %s: %w", id, err)
}

// startInput validates Run's arguments and builds the StartQuery input.
func (c *InsightsClient) startInput(query string, logGroups []string, r TimeRange) (*cloudwatchlogs.StartQueryInput, error) {
	switch {
	case strings.TrimSpace(query) == "":
		return nil, errors.New("logs insights query: empty query")
	case len(query) > maxQueryLength:
		return nil, fmt.Errorf("logs insights query: %d characters, more than %d", len(query), maxQueryLength)
	case len(logGroups) == 0:
		return nil, errors.New("logs insights query: no log group")
	case len(logGroups) > c.opts.MaxLogGroups:
		return nil, fmt.Errorf("logs insights query: %d log groups, more than %d", len(logGroups), c.opts.MaxLogGroups)
	}
	arns := false
	for i, g := range logGroups {
		if g == "" || strings.HasSuffix(g, "*") {
			return nil, fmt.Errorf("logs insights query: log group %d: %q is not a log group name or ARN", i+1, g)
		}
		arns = arns || strings.HasPrefix(g, "arn:")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	start := r.Start.Unix()
	end := r.End.Unix()
	if r.End.After(time.Unix(end, 0)) {
		end++
	}
	in := &cloudwatchlogs.StartQueryInput{
		QueryString:   aws.String(query),
		StartTime:     aws.Int64(start),
		EndTime:       aws.Int64(end),
		QueryLanguage: logtypes.QueryLanguageCwli,
	}
	if arns {
		in.LogGroupIdentifiers = slices.Clone(logGroups)
	} else {
		in.LogGroupNames = slices.Clone(logGroups)
	}
	return in, nil
}

// poll calls GetQueryResults with backoff until the query ends. stop
// reports whether an error left the query possibly running.
func (c *InsightsClient) poll(ctx context.Context, id string) (res *QueryResult, stop bool, err error) {
	wait := c.opts.PollInterval
	for polls := 1; ; polls++ {
		out, err := c.results(ctx, id, nil)
		if err != nil {
			return nil, true, fmt.Errorf("logs insights query %s: reading results: %w", id, err)
		}
		switch out.Status {
		case logtypes.QueryStatusComplete:
			res, err := c.collect(ctx, id, out)
			if err != nil {
				return nil, false, err
			}
			res.Polls = polls
			return res, false, nil
		case logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout:
			return nil, false, &QueryError{QueryID: id, Status: string(out.Status)}
		case logtypes.QueryStatusScheduled, logtypes.QueryStatusRunning:
		default:
			// Unknown, or a status added after this was written: stop the
			// query in case it still runs.
			return nil, true, &QueryError{QueryID: id, Status: string(out.Status)}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, true, ctx.Err()
		case <-t.C:
		}
		wait = min(time.Duration(float64(wait)*c.opts.PollFactor), c.opts.MaxPollInterval)
	}
}

// results calls GetQueryResults, retrying throttled calls.
func (c *InsightsClient) results(ctx context.Context, id string, token *string) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	var out *cloudwatchlogs.GetQueryResultsOutput
	err := retry(ctx, c.opts.Retry, func() error {
		var err error
		out, err = c.api.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String(id), NextToken: token})
		return err
	})
	return out, err
}

// collect converts a Complete answer and follows nextToken for the rest of
// the rows (FACTS.md 5.1: pages of up to 10,000 rows).
func (c *InsightsClient) collect(ctx context.Context, id string, out *cloudwatchlogs.GetQueryResultsOutput) (*QueryResult, error) {
	res := &QueryResult{QueryID: id}
	if s := out.Statistics; s != nil {
		res.Stats = QueryStats{RecordsMatched: statCount(s.RecordsMatched), RecordsScanned: statCount(s.RecordsScanned), BytesScanned: statCount(s.BytesScanned)}
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		for _, fields := range out.Results {
			row := make(Row, 0, len(fields))
			for _, f := range fields {
				row = append(row, ResultField{Name: aws.ToString(f.Field), Value: aws.ToString(f.Value)})
			}
			res.Rows = append(res.Rows, row)
		}
		token := aws.ToString(out.NextToken)
		if token == "" {
			return res, nil
		}
		if seen[token] {
			return nil, fmt.Errorf("logs insights query %s: GetQueryResults repeated page token %q", id, text.Truncate(token))
		}
		seen[token] = true
		var err error
		if out, err = c.results(ctx, id, aws.String(token)); err != nil {
			return nil, fmt.Errorf("logs insights query %s: reading page %d of the results: %w", id, page+1, err)
		}
	}
}

// statCount converts one of AWS's statistics (a double) to a count.
func statCount(f float64) int64 {
	if f <= 0 || math.IsNaN(f) {
		return 0
	}
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Round(f))
}

// DecodeRows decodes rows into values of the struct type T. A field of T
// takes the column named by its `insights:"name"` tag, or else by its own
// name; `insights:"-"` skips it, and columns that no field takes are
// ignored. A column missing from a row leaves the field at its zero value
// (a pointer field nil).
//
// Fields may be strings, bools, integers, floats, time.Time, or pointers to
// them. Logs Insights returns every value as text: integers may be written
// as whole decimals ("12.0"); times may be Logs Insights' timestamps
// ("2006-01-02 15:04:05.000", UTC), RFC 3339 (CloudTrail's eventTime), or
// epoch milliseconds (the user-activity log's eventTimestamp). An error
// names the row (from 0) and the column.
func DecodeRows[T any](rows []Row) ([]T, error) {
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("decoding logs insights rows: %s is not a struct type", rt)
	}
	plan := map[string]int{}
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("insights"); ok {
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		if !decodable(f.Type) {
			return nil, fmt.Errorf("decoding logs insights rows: field %s.%s has type %s, which cannot hold a result value", rt, f.Name, f.Type)
		}
		if _, dup := plan[name]; dup {
			return nil, fmt.Errorf("decoding logs insights rows: two fields of %s take column %q", rt, name)
		}
		plan[name] = i
	}
	out := make([]T, len(rows))
	for i, row := range rows {
		v := reflect.ValueOf(&out[i]).Elem()
		for _, f := range row {
			idx, ok := plan[f.Name]
			if !ok {
				continue
			}
			if err := setValue(v.Field(idx), f.Value); err != nil {
				return nil, fmt.Errorf("decoding logs insights row %d, column %q into %s.%s: %w", i, f.Name, rt, rt.Field(idx).Name, err)
			}
		}
	}
	return out, nil
}

var timeType = reflect.TypeFor[time.Time]()

func decodable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func setValue(v reflect.Value, s string) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := setValue(p.Elem(), s); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if v.Type() == timeType {
		t, err := parseResultTime(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", text.Truncate(s))
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return fmt.Errorf("%q is not an integer", text.Truncate(s))
			}
			n = int64(f)
		}
		if v.OverflowInt(n) {
			return fmt.Errorf("%s overflows %s", s, v.Type())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != math.Trunc(f) || f < 0 || f >= math.MaxUint64 {
				return fmt.Errorf("%q is not a non-negative integer", text.Truncate(s))
			}
			n = uint64(f)
		}
		if v.OverflowUint(n) {
			return fmt.Errorf("%s overflows %s", s, v.Type())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a number", text.Truncate(s))
		}
		v.SetFloat(f)
	}
	return nil
}

// parseResultTime parses a time as Logs Insights results and log records
// write them.
func parseResultTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && s != "" && s[0] != '-' && s[0] != '+' {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time", text.Truncate(s))
}
