package cognitomon_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// ---------------------------------------------------------------------------
// The runner.

func fastPolling(o *cognitomon.InsightsOptions) {
	o.PollInterval = time.Millisecond
	o.MaxPollInterval = 4 * time.Millisecond
	o.Retry = cognitomon.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
}

// scriptedLogs is a LogsAPI whose answers a test scripts. It records every
// query it started and whether each was seen to end (a final status) or was
// stopped, so a test can check that no query is left running.
type scriptedLogs struct {
	// startErrs are returned by the first StartQuery calls, in order.
	startErrs []error
	// status answers the n-th GetQueryResults call (from 1) of a query.
	status func(ctx context.Context, id string, n int) (logtypes.QueryStatus, error)
	// pages are the result pages of a Complete query; page i > 0 is
	// reached with token "p<i>".
	pages [][][]logtypes.ResultField
	// stopErr is returned by StopQuery.
	stopErr error
	// startHook runs in StartQuery before it answers.
	startHook func()

	mu          sync.Mutex
	startCtxErr error
	inputs      []*cloudwatchlogs.StartQueryInput
	starts      int
	ended       map[string]bool
	polls       map[string]int
	stopped     []string
	stopCtxErrs []error
	running     int
	maxRunning  int
}

func (s *scriptedLogs) StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error) {
	if s.startHook != nil {
		s.startHook()
	}
	s.mu.Lock()
	if err := ctx.Err(); err != nil && s.startCtxErr == nil {
		s.startCtxErr = err
	}
	defer s.mu.Unlock()
	s.starts++
	s.inputs = append(s.inputs, in)
	if len(s.startErrs) > 0 {
		err := s.startErrs[0]
		s.startErrs = s.startErrs[1:]
		return nil, err
	}
	if s.ended == nil {
		s.ended = map[string]bool{}
	}
	id := fmt.Sprintf("q%d", s.starts)
	s.ended[id] = false
	s.running++
	s.maxRunning = max(s.maxRunning, s.running)
	return &cloudwatchlogs.StartQueryOutput{QueryId: aws.String(id)}, nil
}

func (s *scriptedLogs) GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	id := aws.ToString(in.QueryId)
	if tok := aws.ToString(in.NextToken); tok != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(tok, "p"))
		if err != nil || i >= len(s.pages) {
			return nil, &logtypes.InvalidParameterException{Message: aws.String("bad token " + tok)}
		}
		return s.page(i), nil
	}
	st, err := s.status(ctx, id, s.poll(id))
	if err != nil {
		return nil, err
	}
	switch st {
	case logtypes.QueryStatusComplete, logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout:
		s.end(id)
	}
	if st != logtypes.QueryStatusComplete {
		return &cloudwatchlogs.GetQueryResultsOutput{Status: st}, nil
	}
	out := s.page(0)
	out.Status = st
	out.Statistics = &logtypes.QueryStatistics{RecordsMatched: 7, RecordsScanned: 1234, BytesScanned: 56789}
	return out, nil
}

func (s *scriptedLogs) page(i int) *cloudwatchlogs.GetQueryResultsOutput {
	out := &cloudwatchlogs.GetQueryResultsOutput{}
	if i < len(s.pages) {
		out.Results = s.pages[i]
	}
	if i+1 < len(s.pages) {
		out.NextToken = aws.String(fmt.Sprintf("p%d", i+1))
	}
	return out
}

func (s *scriptedLogs) poll(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.polls == nil {
		s.polls = map[string]int{}
	}
	s.polls[id]++
	return s.polls[id]
}

func (s *scriptedLogs) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended[id] {
		s.ended[id] = true
		s.running--
	}
}

func (s *scriptedLogs) StopQuery(ctx context.Context, in *cloudwatchlogs.StopQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error) {
	id := aws.ToString(in.QueryId)
	s.mu.Lock()
	s.stopped = append(s.stopped, id)
	s.stopCtxErrs = append(s.stopCtxErrs, ctx.Err())
	s.mu.Unlock()
	if s.stopErr != nil {
		return nil, s.stopErr
	}
	s.end(id)
	return &cloudwatchlogs.StopQueryOutput{Success: true}, nil
}

// leaked returns the queries that were started and neither ended nor
// stopped.
func (s *scriptedLogs) leaked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, done := range s.ended {
		if !done && !slices.Contains(s.stopped, id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

var runRange = cognitomon.TimeRange{Start: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (test)", Fault: smithy.FaultClient}
}

func always(st logtypes.QueryStatus) func(context.Context, string, int) (logtypes.QueryStatus, error) {
	return func(context.Context, string, int) (logtypes.QueryStatus, error) { return st, nil }
}

func afterPolls(n int, final logtypes.QueryStatus) func(context.Context, string, int) (logtypes.QueryStatus, error) {
	return func(_ context.Context, _ string, poll int) (logtypes.QueryStatus, error) {
		if poll < n {
			return logtypes.QueryStatusRunning, nil
		}
		return final, nil
	}
}

func field(name, value string) logtypes.ResultField {
	return logtypes.ResultField{Field: aws.String(name), Value: aws.String(value)}
}

func TestInsightsRunResult(t *testing.T) {
	api := &scriptedLogs{
		status: afterPolls(4, logtypes.QueryStatusComplete),
		pages: [][][]logtypes.ResultField{
			{{field("sourceIPAddress", "192.0.2.1"), field("failures", "12"), field("@ptr", "x")}},
			{{field("sourceIPAddress", "192.0.2.2"), field("failures", "3")}},
			{{field("failures", "1")}},
		},
	}
	ic := cognitomon.NewInsightsClient(api, fastPolling)
	r := cognitomon.TimeRange{Start: runRange.Start.Add(300 * time.Millisecond), End: runRange.End.Add(200 * time.Millisecond)}
	res, err := ic.Run(context.Background(), "stats count(*) as failures by sourceIPAddress", []string{"trail", "activity"}, r)
	if err != nil {
		t.Fatal(err)
	}
	want := &cognitomon.QueryResult{
		QueryID: "q1",
		Rows: []cognitomon.Row{
			{{Name: "sourceIPAddress", Value: "192.0.2.1"}, {Name: "failures", Value: "12"}, {Name: "@ptr", Value: "x"}},
			{{Name: "sourceIPAddress", Value: "192.0.2.2"}, {Name: "failures", Value: "3"}},
			{{Name: "failures", Value: "1"}},
		},
		Stats: cognitomon.QueryStats{RecordsMatched: 7, RecordsScanned: 1234, BytesScanned: 56789},
		Polls: 4,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	in := api.inputs[0]
	if got, want := []any{aws.ToInt64(in.StartTime), aws.ToInt64(in.EndTime), in.QueryLanguage, in.LogGroupNames, in.LogGroupIdentifiers},
		[]any{runRange.Start.Unix(), runRange.End.Unix() + 1, logtypes.QueryLanguageCwli, []string{"trail", "activity"}, []string(nil)}; !cmp.Equal(got, want) {
		t.Errorf("StartQuery input %v, want %v", got, want)
	}
	// ARNs go in logGroupIdentifiers.
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:trail"
	if _, err := ic.Run(context.Background(), "stats count(*)", []string{arn}, runRange); err != nil {
		t.Fatal(err)
	}
	if in := api.inputs[1]; !slices.Equal(in.LogGroupIdentifiers, []string{arn}) || in.LogGroupNames != nil {
		t.Errorf("StartQuery with an ARN: names %v identifiers %v", in.LogGroupNames, in.LogGroupIdentifiers)
	}
	if l := api.leaked(); len(l) > 0 {
		t.Errorf("queries left running: %v", l)
	}
}

// TestInsightsRunNeverLeaks goes through every way Run can end after
// StartQuery succeeded and checks that no query is left running.
func TestInsightsRunNeverLeaks(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   func(context.Context, string, int) (logtypes.QueryStatus, error)
		opts     func(*cognitomon.InsightsOptions)
		cancelAt int // cancel the caller's context at this poll; -1: during StartQuery
		stopErr  error
		check    func(t *testing.T, err error)
		stops    int
	}{
		{name: "complete", status: afterPolls(2, logtypes.QueryStatusComplete), check: noError},
		{name: "failed", status: afterPolls(3, logtypes.QueryStatusFailed), check: queryError("Failed")},
		{name: "cancelled by someone else", status: always(logtypes.QueryStatusCancelled), check: queryError("Cancelled")},
		{name: "AWS timeout", status: afterPolls(2, logtypes.QueryStatusTimeout), check: queryError("Timeout")},
		{name: "unknown", status: afterPolls(2, logtypes.QueryStatusUnknown), check: queryError("Unknown"), stops: 1},
		{name: "new status", status: always("Paused"), check: queryError("Paused"), stops: 1},
		{name: "results error", stops: 1, status: func(_ context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 3 {
				return "", apiErr("ServiceUnavailableException")
			}
			return logtypes.QueryStatusRunning, nil
		}, check: func(t *testing.T, err error) {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException" {
				t.Errorf("error %v does not carry the API error", err)
			}
		}},
		{name: "results throttled then complete", status: func(_ context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 2 {
				return "", apiErr("ThrottlingException")
			}
			return afterPolls(4, logtypes.QueryStatusComplete)(nil, "", n)
		}, check: noError},
		{name: "results throttled to the end", stops: 1, status: func(context.Context, string, int) (logtypes.QueryStatus, error) {
			return "", apiErr("ThrottlingException")
		}, check: func(t *testing.T, err error) {
			if !errors.Is(err, cognitomon.ErrThrottled) {
				t.Errorf("error %v, want ErrThrottled", err)
			}
		}},
		{name: "caller cancels", status: always(logtypes.QueryStatusRunning), cancelAt: 3, stops: 1, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		}},
		{name: "caller cancels during a call", stops: 1, status: func(ctx context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 2 {
				<-ctx.Done() // the call hangs until the caller gives up
				return "", ctx.Err()
			}
			return logtypes.QueryStatusRunning, nil
		}, cancelAt: 2, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		}},
		{name: "caller cancels during StartQuery", status: always(logtypes.QueryStatusRunning), cancelAt: -1, stops: 1, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "q1") {
				t.Errorf("error %v, want context.Canceled for q1", err)
			}
		}},
		{name: "own timeout", status: always(logtypes.QueryStatusScheduled), stops: 1,
			opts: func(o *cognitomon.InsightsOptions) { o.Timeout = 20 * time.Millisecond },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "InsightsOptions.Timeout") {
					t.Errorf("error %v, want the client's own deadline", err)
				}
			}},
		{name: "stop fails", status: always(logtypes.QueryStatusRunning), cancelAt: 2, stops: 3, stopErr: apiErr("ThrottlingException"),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) || !errors.Is(err, cognitomon.ErrThrottled) || !strings.Contains(err.Error(), "stopping") {
					t.Errorf("error %v, want the cancellation and the failed stop", err)
				}
			}},
		{name: "stop of a finished query", status: always(logtypes.QueryStatusRunning), cancelAt: 2, stops: 1, stopErr: apiErr("InvalidParameterException"),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "stopping") {
					t.Errorf("error %v, want the cancellation alone", err)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			status := tt.status
			if tt.cancelAt > 0 {
				status = func(c context.Context, id string, n int) (logtypes.QueryStatus, error) {
					if n == tt.cancelAt {
						cancel()
					}
					return tt.status(c, id, n)
				}
			}
			api := &scriptedLogs{status: status, stopErr: tt.stopErr}
			if tt.cancelAt == -1 {
				api.startHook = cancel
			}
			opts := []func(*cognitomon.InsightsOptions){fastPolling}
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			ic := cognitomon.NewInsightsClient(api, opts...)
			_, err := ic.Run(ctx, "stats count(*)", []string{"g"}, runRange)
			tt.check(t, err)
			if len(api.stopped) != tt.stops {
				t.Errorf("StopQuery called %d times, want %d", len(api.stopped), tt.stops)
			}
			if api.startCtxErr != nil {
				t.Errorf("StartQuery got a context that was already done: %v", api.startCtxErr)
			}
			for i, e := range api.stopCtxErrs {
				if e != nil {
					t.Errorf("StopQuery %d got a context that was already done: %v", i+1, e)
				}
			}
			if tt.stopErr == nil {
				if l := api.leaked(); len(l) > 0 {
					t.Errorf("queries left running: %v", l)
				}
			}
		})
	}
}

func noError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("error %v", err)
	}
}

func queryError(status string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var qe *cognitomon.QueryError
		if !errors.As(err, &qe) || qe.Status != status || qe.QueryID != "q1" || !errors.Is(err, cognitomon.ErrQueryFailed) {
			t.Errorf("error %v, want a QueryError with status %s", err, status)
		}
	}
}

func TestInsightsRunStartErrors(t *testing.T) {
	limit := &logtypes.LimitExceededException{Message: aws.String("Account maximum query concurrency limit reached.")}
	t.Run("limit exceeded, then started", func(t *testing.T) {
		api := &scriptedLogs{startErrs: []error{limit, limit}, status: always(logtypes.QueryStatusComplete)}
		if _, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*)", []string{"g"}, runRange); err != nil {
			t.Fatal(err)
		}
		if api.starts != 3 {
			t.Errorf("%d StartQuery calls, want 3", api.starts)
		}
	})
	t.Run("limit exceeded to the end", func(t *testing.T) {
		api := &scriptedLogs{startErrs: []error{limit, limit, limit, limit}, status: always(logtypes.QueryStatusComplete)}
		_, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
		var le *logtypes.LimitExceededException
		if !errors.Is(err, cognitomon.ErrThrottled) || !errors.As(err, &le) || api.starts != 3 {
			t.Errorf("error %v after %d calls, want ErrThrottled with the AWS error after 3", err, api.starts)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		mq := &logtypes.MalformedQueryException{Message: aws.String("Query is malformed"), QueryCompileError: &logtypes.QueryCompileError{
			Message: aws.String("unexpected symbol"), Location: &logtypes.QueryCompileErrorLocation{StartCharOffset: aws.Int32(7), EndCharOffset: aws.Int32(9)}}}
		api := &scriptedLogs{startErrs: []error{mq}}
		_, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*) by", []string{"g"}, runRange)
		var ce *cognitomon.QueryCompileError
		if !errors.As(err, &ce) {
			t.Fatalf("error %v, want a QueryCompileError", err)
		}
		if ce.Message != "unexpected symbol" || ce.Start != 7 || ce.End != 9 {
			t.Errorf("compile error %+v", ce)
		}
		var ae smithy.APIError
		if !errors.Is(err, cognitomon.ErrMalformedQuery) || !errors.As(err, &ae) || ae.ErrorCode() != "MalformedQueryException" {
			t.Errorf("error %v does not reach ErrMalformedQuery and the API error", err)
		}
		if api.starts != 1 {
			t.Errorf("a malformed query was retried: %d calls", api.starts)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		api := &scriptedLogs{status: always(logtypes.QueryStatusComplete)}
		ic := cognitomon.NewInsightsClient(api, fastPolling)
		groups51 := make([]string, 51)
		for i := range groups51 {
			groups51[i] = fmt.Sprintf("g%d", i)
		}
		for _, tt := range []struct {
			query  string
			groups []string
			r      cognitomon.TimeRange
		}{
			{"", []string{"g"}, runRange},
			{"stats count(*)", nil, runRange},
			{"stats count(*)", groups51, runRange},
			{"stats count(*)", []string{"aws-*"}, runRange},
			{"stats count(*)", []string{""}, runRange},
			{"stats count(*)", []string{"g"}, cognitomon.TimeRange{}},
			{strings.Repeat("x", 10001), []string{"g"}, runRange},
		} {
			if _, err := ic.Run(context.Background(), tt.query, tt.groups, tt.r); err == nil {
				t.Errorf("Run(%.20q, %d groups, %v): no error", tt.query, len(tt.groups), tt.r)
			}
		}
		if api.starts != 0 {
			t.Errorf("bad input reached StartQuery %d times", api.starts)
		}
		if _, err := ic.Run(context.Background(), "x", []string{"g"}, cognitomon.TimeRange{}); !errors.Is(err, cognitomon.ErrInvalidRange) {
			t.Errorf("zero range: %v, want ErrInvalidRange", err)
		}
	})
}

func TestInsightsRunConcurrencyCap(t *testing.T) {
	api := &scriptedLogs{status: afterPolls(5, logtypes.QueryStatusComplete)}
	ic := cognitomon.NewInsightsClient(api, fastPolling, func(o *cognitomon.InsightsOptions) { o.MaxConcurrent = 2 })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ic.Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if api.maxRunning > 2 || api.starts != 8 {
		t.Errorf("%d queries ran at once (cap 2), %d started (want 8)", api.maxRunning, api.starts)
	}

	// A Run that waits for a slot gives up with its context, starting
	// nothing.
	block := make(chan struct{})
	api2 := &scriptedLogs{status: func(ctx context.Context, _ string, _ int) (logtypes.QueryStatus, error) {
		<-block
		return logtypes.QueryStatusComplete, nil
	}}
	ic2 := cognitomon.NewInsightsClient(api2, fastPolling, func(o *cognitomon.InsightsOptions) { o.MaxConcurrent = 1 })
	done := make(chan error)
	go func() {
		_, err := ic2.Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
		done <- err
	}()
	for {
		api2.mu.Lock()
		n := api2.starts
		api2.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := ic2.Run(ctx, "stats count(*)", []string{"g"}, runRange); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting Run: %v, want its context's error", err)
	}
	close(block)
	if err := <-done; err != nil {
		t.Error(err)
	}
	if api2.starts != 1 {
		t.Errorf("%d StartQuery calls, want 1", api2.starts)
	}
}

// ---------------------------------------------------------------------------
// The real SDK client against the HTTP fake.

func logsClient(srv *cognitomontest.Server) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(srv.AWSConfig(), func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
}

func TestInsightsQueryOverHTTP(t *testing.T) {
	w := newWorld(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{w.pool})
	defer srv.Close()
	ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling)
	r := cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(6 * time.Hour)}
	ctx := context.Background()

	q, _ := cognitomon.LookupQuery("top-failing-ips")
	text, err := q.Render(cognitomon.QueryParams{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(evaluate(t, q, w.poolTrail)[:5], res.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	t.Run("Timeout", func(t *testing.T) {
		srv.Logs.FailNextQuery(logtypes.QueryStatusTimeout)
		_, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		var qe *cognitomon.QueryError
		if !errors.As(err, &qe) || qe.Status != "Timeout" || qe.QueryID == "" {
			t.Errorf("error %v, want a QueryError with status Timeout", err)
		}
	})
	t.Run("LimitExceeded", func(t *testing.T) {
		before := srv.Requests("Logs.StartQuery")
		srv.Logs.LimitNextStarts(2)
		if _, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r); err != nil {
			t.Fatal(err)
		}
		if n := srv.Requests("Logs.StartQuery") - before; n != 3 {
			t.Errorf("%d StartQuery requests, want 3", n)
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		_, err := ic.Run(ctx, "filter eventName = | stats count(*)", []string{"aws-cloudtrail-logs-cognitomon"}, r)
		var ce *cognitomon.QueryCompileError
		if !errors.As(err, &ce) || ce.Message == "" || ce.Start < 0 {
			t.Errorf("error %v, want a QueryCompileError with a message and an offset", err)
		}
	})
	t.Run("UnknownLogGroup", func(t *testing.T) {
		_, err := ic.Run(ctx, text, []string{"no-such-group"}, r)
		var nf *logtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("error %v, want ResourceNotFoundException", err)
		}
	})
}

func TestInsightsQueryStoppedOverHTTP(t *testing.T) {
	w := newWorld(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{w.pool}, func(o *cognitomontest.ServerOptions) {
		o.Logs = append(o.Logs, func(lo *cognitomontest.LogsOptions) { lo.QueryDuration = time.Minute })
	})
	defer srv.Close()
	q, _ := cognitomon.LookupQuery("failed-sign-ins")
	text, _ := q.Render(cognitomon.QueryParams{})
	r := cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(6 * time.Hour)}

	t.Run("cancelled", func(t *testing.T) {
		ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for srv.Logs.Calls("GetQueryResults") < 3 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if got := srv.Logs.Stopped(); len(got) != 1 || !strings.Contains(err.Error(), got[0]) {
			t.Errorf("stopped %v; error %v", got, err)
		}
	})
	t.Run("own timeout", func(t *testing.T) {
		ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling, func(o *cognitomon.InsightsOptions) { o.Timeout = 50 * time.Millisecond })
		_, err := ic.Run(context.Background(), text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.DeadlineExceeded", err)
		}
		if got := srv.Logs.Stopped(); len(got) != 2 {
			t.Errorf("stopped %v, want the second query too", got)
		}
	})
}

// ---------------------------------------------------------------------------
// Decoding rows.

func TestInsightsDecodeRows(t *testing.T) {
	type failure struct {
		IP       string     `insights:"sourceIPAddress"`
		Failures int        `insights:"failures"`
		Share    float64    `insights:"share"`
		Status   *int       `insights:"additionalEventData.responseParameters.status"`
		At       time.Time  `insights:"t"`
		When     *time.Time `insights:"eventTime"`
		Blocked  bool
		Skipped  string `insights:"-"`
	}
	rows := []cognitomon.Row{
		{{Name: "sourceIPAddress", Value: "192.0.2.1"}, {Name: "failures", Value: "12"}, {Name: "share", Value: "0.25"}, {Name: "t", Value: "2026-11-27 09:05:00.000"}, {Name: "Blocked", Value: "true"}, {Name: "@ptr", Value: "abc"}, {Name: "-", Value: "x"}},
		{{Name: "failures", Value: "3.0"}, {Name: "additionalEventData.responseParameters.status", Value: "400"}, {Name: "eventTime", Value: "2026-11-27T09:06:07Z"}, {Name: "t", Value: "1795770000000"}},
	}
	got, err := cognitomon.DecodeRows[failure](rows)
	if err != nil {
		t.Fatal(err)
	}
	status := 400
	when := time.Date(2026, 11, 27, 9, 6, 7, 0, time.UTC)
	want := []failure{
		{IP: "192.0.2.1", Failures: 12, Share: 0.25, At: time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC), Blocked: true},
		{Failures: 3, Status: &status, When: &when, At: time.UnixMilli(1795770000000).UTC()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeRows (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		row  cognitomon.Row
		want string
	}{
		{cognitomon.Row{{Name: "failures", Value: "many"}}, `row 0, column "failures"`},
		{cognitomon.Row{{Name: "failures", Value: "1.5"}}, "not an integer"},
		{cognitomon.Row{{Name: "t", Value: "yesterday"}}, "not a time"},
		{cognitomon.Row{{Name: "Blocked", Value: "maybe"}}, "not a boolean"},
		{cognitomon.Row{{Name: "share", Value: "x"}}, "not a number"},
	} {
		_, err := cognitomon.DecodeRows[failure]([]cognitomon.Row{tt.row})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeRows(%v) = %v, want an error saying %q", tt.row, err, tt.want)
		}
	}
	if _, err := cognitomon.DecodeRows[struct{ N int8 }]([]cognitomon.Row{{{Name: "N", Value: "300"}}}); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("overflow: %v", err)
	}
	if _, err := cognitomon.DecodeRows[string](nil); err == nil {
		t.Error("DecodeRows[string]: no error")
	}
	if _, err := cognitomon.DecodeRows[struct{ M map[string]int }](nil); err == nil {
		t.Error("map field: no error")
	}
	if _, err := cognitomon.DecodeRows[struct {
		A string `insights:"x"`
		B string `insights:"x"`
	}](nil); err == nil {
		t.Error("two fields for one column: no error")
	}
}

func FuzzInsightsDecodeRows(f *testing.F) {
	for _, s := range []string{"12", "3.0", "-1", "1e3", "0.25", "true", "2026-11-27 09:05:00.000", "2026-11-27T09:06:07Z", "1795770000000", "", "NaN", "+5", "18446744073709551616", "-0"} {
		f.Add(s)
	}
	type all struct {
		S  string    `insights:"s"`
		I  int64     `insights:"i"`
		U  *uint8    `insights:"u"`
		F  float32   `insights:"f"`
		B  bool      `insights:"b"`
		T  time.Time `insights:"t"`
		I8 int8      `insights:"i8"`
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, col := range []string{"s", "i", "u", "f", "b", "t", "i8"} {
			got, err := cognitomon.DecodeRows[all]([]cognitomon.Row{{{Name: col, Value: v}}})
			if err != nil {
				if !strings.Contains(err.Error(), `row 0, column "`+col+`"`) {
					t.Fatalf("error %v does not name the row and column", err)
				}
				continue
			}
			if len(got) != 1 {
				t.Fatalf("%d values", len(got))
			}
		}
	})
}

// A test of code built on InsightsClient records attempts on a simulated
// pool and runs a canned query over the in-memory Logs fake.
func ExampleInsightsClient_Run() {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	for i := range 12 {
		ip, code := "203.0.113.9", "NotAuthorizedException"
		if i%3 == 0 {
			ip, code = "198.51.100.7", "UserNotFoundException"
		}
		pool.Record(cognitomontest.Attempt{
			Time: at.Add(time.Duration(i) * time.Minute), Flow: cognitomon.SignIn, Client: "web1example",
			IP: ip, Outcome: cognitomontest.Failure, ErrorCode: code, Path: cognitomontest.PathSRP,
		})
	}
	ic := cognitomon.NewInsightsClient(cognitomontest.NewLogs([]*cognitomontest.Pool{pool}),
		func(o *cognitomon.InsightsOptions) { o.PollInterval = time.Millisecond })

	q, _ := cognitomon.LookupQuery("failed-sign-ins")
	text, err := q.Render(cognitomon.QueryParams{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := ic.Run(context.Background(), text, []string{"aws-cloudtrail-logs-cognitomon"}, cognitomon.Last(time.Hour, at.Add(30*time.Minute)))
	if err != nil {
		fmt.Println(err)
		return
	}
	type failure struct {
		Code     string `insights:"errorCode"`
		IP       string `insights:"sourceIPAddress"`
		Failures int    `insights:"failures"`
	}
	failures, err := cognitomon.DecodeRows[failure](res.Rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range failures {
		fmt.Printf("%-24s %-14s %d\n", f.Code, f.IP, f.Failures)
	}
	fmt.Printf("%d of %d records matched\n", res.Stats.RecordsMatched, res.Stats.RecordsScanned)
	// Output:
	// NotAuthorizedException   203.0.113.9    8
	// UserNotFoundException    198.51.100.7   4
	// 12 of 24 records matched
}

// TestQueryErrorMessages pins the error texts users see.
func TestQueryErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&cognitomon.QueryError{QueryID: "q1", Status: "Failed"}, "logs insights query q1 ended with status Failed"},
		{&cognitomon.QueryCompileError{Message: "unexpected symbol", Start: 7, End: 9}, "logs insights cannot compile the query at offset 7: unexpected symbol"},
		{&cognitomon.QueryCompileError{Message: "bad", Start: -1, End: -1}, "logs insights cannot compile the query: bad"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// ---------------------------------------------------------------------------
// Benchmarks.

// BenchmarkInsightsPolling runs a query that the Logs fake completes after a
// set duration and reports how Run polls it: GetQueryResults calls per query
// (polls/op, against the calls a fixed interval would need), and how late
// Run returns after the query completed, as a share of the poll interval
// in use at that point (late/interval, under 1 by construction: the
// completion falls within the last wait).
func BenchmarkInsightsPolling(b *testing.B) {
	pool := cognitomontest.NewPool("us-east-1_Bench1")
	pool.Record(cognitomontest.Attempt{Time: runRange.Start.Add(time.Minute), Flow: cognitomon.SignIn, Client: "web1example", IP: "203.0.113.9", Outcome: cognitomontest.Failure})
	const interval = 10 * time.Millisecond
	for _, d := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 800 * time.Millisecond} {
		b.Run(d.String(), func(b *testing.B) {
			fake := cognitomontest.NewLogs([]*cognitomontest.Pool{pool}, func(o *cognitomontest.LogsOptions) { o.QueryDuration = d })
			ic := cognitomon.NewInsightsClient(fake, func(o *cognitomon.InsightsOptions) { o.PollInterval = interval })
			var n, polls int
			var lateShare, maxShare float64
			var late time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := ic.Run(context.Background(), "stats count(*)", []string{"aws-cloudtrail-logs-cognitomon"}, runRange)
				took := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				n++
				polls += res.Polls
				// The waits are interval, 2*interval, 4*interval ...; the
				// last one before the final poll is the interval at the
				// moment of completion.
				last := interval << max(res.Polls-2, 0)
				share := float64(took-d) / float64(last)
				lateShare += share
				maxShare = max(maxShare, share)
				late += took - d
			}
			b.ReportMetric(float64(polls)/float64(n), "polls/op")
			b.ReportMetric(float64(d/interval), "fixed-interval-polls/op")
			b.ReportMetric(lateShare/float64(n), "late/interval")
			b.ReportMetric(maxShare, "max-late/interval")
			b.ReportMetric(float64(late.Milliseconds())/float64(n), "late-ms/op")
		})
	}
}
