package cognitomon_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// strictPool holds n sign-ins, one a second, ending a minute before at.
func strictPool(n int, at time.Time) *cognitomontest.Pool {
	p := cognitomontest.NewPool(testPool)
	for i := range n {
		p.Record(cognitomontest.Attempt{Time: at.Add(-time.Minute - time.Duration(i)*time.Second), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	}
	p.TrailRecords() // build the records before the clock starts
	return p
}

// TestTrailStrictWindow pulls more than 100 pages through the real
// CloudTrail client from a server that admits at most two LookupEvents
// requests in any sliding second and delays each request by up to 50ms
// before it looks: not one request may be throttled at the server.
func TestTrailStrictWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("a pull of 101 pages at two per second takes about a minute")
	}
	const events = 5_030 // 101 pages of 50
	at := time.Now()
	p := strictPool(events, at)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p}, func(o *cognitomontest.ServerOptions) {
		o.CloudTrail = append(o.CloudTrail, func(o *cognitomontest.CloudTrailOptions) {
			o.Now = func() time.Time { return at }
			o.StrictRate = 2
			o.Jitter = 50 * time.Millisecond
		})
	})
	defer srv.Close()
	api := cloudtrail.NewFromConfig(srv.AWSConfig(), cognitomon.WithoutThrottleRetries)
	var pages, records int
	tc := cognitomon.NewTrailClient(api, func(o *cognitomon.TrailOptions) {
		o.Clock = func() time.Time { return at }
		o.OnPage = func(page, n int, _ time.Time) { pages, records = page, records+n }
	})
	begin := time.Now()
	n := 0
	for _, err := range tc.Events(context.Background(), cognitomon.EventFilter{Range: cognitomon.Last(3*time.Hour, at)}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	took := time.Since(begin)
	if n != events || pages != 101 || records != events {
		t.Fatalf("%d events, OnPage saw %d pages of %d records; want %d in 101 pages", n, pages, records, events)
	}
	if got := srv.CloudTrail.Throttled(); got != 0 {
		t.Errorf("%d of %d requests throttled at the server, want 0", got, srv.CloudTrail.Calls())
	}
	if got := srv.CloudTrail.Calls(); got != 101 {
		t.Errorf("%d requests at the server, want 101: one per page", got)
	}
	rate := float64(pages-1) / took.Seconds()
	t.Logf("101 pages in %v: %.2f pages/s, %.0f events/s, %.2f hours per million events", took.Round(time.Millisecond), rate, 50*rate, 1e6/(50*rate)/3600)
}

// scriptedTrail serves LookupEvents from a cognitomontest fake in virtual
// time, throttling the calls that throttle says to, and records each call.
type scriptedTrail struct {
	api      cognitomon.CloudTrailAPI
	clock    *virtualClock
	throttle func(call int) bool

	mu    sync.Mutex
	calls []scriptedCall
}

type scriptedCall struct {
	at        time.Time
	token     string
	throttled bool
}

func (s *scriptedTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	s.mu.Lock()
	n := len(s.calls) + 1
	c := scriptedCall{at: s.clock.Now(), token: aws.ToString(in.NextToken), throttled: s.throttle(n)}
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	if c.throttled {
		return nil, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded", Fault: smithy.FaultClient}
	}
	return s.api.LookupEvents(ctx, in, optFns...)
}

// TestTrailThrottleAdapts injects throttles into a pull and checks that the
// client slows down after each, recovers, and neither loses a page nor
// fetches one twice.
func TestTrailThrottleAdapts(t *testing.T) {
	p := strictPool(1_500, trailNow) // 30 pages
	fake := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{p}, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return trailNow } })
	clock := &virtualClock{now: trailNow}
	api := &scriptedTrail{api: fake, clock: clock, throttle: func(n int) bool { return n == 4 || n == 5 || n == 12 }}
	tc := newTestTrailClient(api, clock, func(o *cognitomon.TrailOptions) {
		o.Retry = cognitomon.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	})
	var got []string
	for e, err := range tc.Events(context.Background(), cognitomon.EventFilter{Range: lastDay()}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.EventID)
	}
	var want []string
	for _, r := range p.TrailRecords() {
		want = append(want, r.EventID)
	}
	slices.Reverse(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	// Each page was fetched once: the tokens of the calls that were not
	// throttled are all different, and every throttled call was repeated
	// with its token.
	seen := map[string]bool{}
	for i, c := range api.calls {
		if c.throttled {
			if i+1 >= len(api.calls) || api.calls[i+1].token != c.token {
				t.Errorf("throttled call %d (token %q) not retried with the same token", i+1, c.token)
			}
			continue
		}
		if seen[c.token] {
			t.Errorf("page with token %q fetched twice", c.token)
		}
		seen[c.token] = true
	}
	if len(seen) != 30 || len(api.calls) != 33 {
		t.Errorf("%d pages in %d calls, want 30 in 33", len(seen), len(api.calls))
	}
	// The gaps before each call, in virtual time: 500ms at full rate; a
	// throttle halves the rate (1s), two in a row quarter it (2s); then
	// the rate recovers by 1/16 of the full rate with each call.
	var gaps []time.Duration
	for i := 1; i < len(api.calls); i++ {
		gaps = append(gaps, api.calls[i].at.Sub(api.calls[i-1].at).Round(time.Millisecond))
	}
	if gaps[0] != 500*time.Millisecond || gaps[1] != 500*time.Millisecond {
		t.Errorf("gaps before the throttles %v, want 500ms", gaps[:2])
	}
	// Call 5 follows the throttled call 4 at half the rate, call 6 the
	// throttled call 5 at a quarter.
	if gaps[3] < time.Second || gaps[4] < 2*time.Second {
		t.Errorf("gaps after the throttles %v, want at least 1s and 2s", gaps[3:5])
	}
	for i := 5; i+1 < 10; i++ {
		if gaps[i+1] >= gaps[i] {
			t.Errorf("gap %d (%v) not shorter than gap %d (%v): the rate does not recover", i+2, gaps[i+1], i+1, gaps[i])
		}
	}
	if last := gaps[len(gaps)-1]; last != 500*time.Millisecond {
		t.Errorf("last gap %v, want back to 500ms", last)
	}
}

// TestTrailLimiterWaitsForAnswers: when answers are slow, the limiter counts
// a request against the window until it can be sure it has arrived
// (MaxNetworkDelay after it left), so three requests cannot reach AWS in one
// second however the network delays them.
func TestTrailLimiterWaitsForAnswers(t *testing.T) {
	clock := &virtualClock{now: trailNow}
	var mu sync.Mutex
	var departures []time.Time
	slow := &fakeCloudTrail{events: manyEvents(500), fail: func(int, *cloudtrail.LookupEventsInput) error {
		mu.Lock()
		departures = append(departures, clock.Now())
		mu.Unlock()
		// The answer takes 300ms of virtual time.
		return clock.Sleep(context.Background(), 300*time.Millisecond)
	}}
	tc := newTestTrailClient(slow, clock, func(o *cognitomon.TrailOptions) { o.MaxNetworkDelay = 200 * time.Millisecond })
	for _, err := range tc.Events(context.Background(), cognitomon.EventFilter{Range: lastDay()}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(departures) != 10 {
		t.Fatalf("%d calls, want 10", len(departures))
	}
	// Request k may leave only a second after request k-2 surely arrived:
	// min(its answer, its departure + 200ms).
	for k := 2; k < len(departures); k++ {
		if gap := departures[k].Sub(departures[k-2]); gap < 1200*time.Millisecond {
			t.Errorf("requests %d and %d left %v apart, want at least 1.2s", k-1, k+1, gap)
		}
	}
}

// TestWithoutThrottleRetries: a CloudTrail client built with
// WithoutThrottleRetries sends a throttled request once, but still retries a
// server error.
func TestWithoutThrottleRetries(t *testing.T) {
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{strictPool(10, trailNow)}, func(o *cognitomontest.ServerOptions) {
		o.CloudTrail = append(o.CloudTrail, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return trailNow } })
	})
	defer srv.Close()
	for _, tt := range []struct {
		name   string
		inject func()
		calls  int
		code   string
	}{
		{"throttle", func() { srv.CloudTrail.ThrottleNext(1) }, 1, "ThrottlingException"},
		{"server error", func() {
			srv.CloudTrail.FailNext(&smithy.GenericAPIError{Code: "InternalFailure", Message: "boom", Fault: smithy.FaultServer})
		}, 2, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := cloudtrail.NewFromConfig(srv.AWSConfig(), cognitomon.WithoutThrottleRetries)
			before := srv.CloudTrail.Calls()
			tt.inject()
			_, err := api.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{})
			var ae smithy.APIError
			switch {
			case tt.code == "" && err != nil:
				t.Errorf("error %v, want the retry to succeed", err)
			case tt.code != "" && (!errors.As(err, &ae) || ae.ErrorCode() != tt.code):
				t.Errorf("error %v, want %s", err, tt.code)
			}
			if got := srv.CloudTrail.Calls() - before; got != tt.calls {
				t.Errorf("%d requests at the server, want %d", got, tt.calls)
			}
		})
	}
	// Without the option the SDK resends the throttled request itself.
	api := cloudtrail.NewFromConfig(srv.AWSConfig())
	before := srv.CloudTrail.Calls()
	srv.CloudTrail.ThrottleNext(1)
	if _, err := api.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{}); err != nil {
		t.Fatal(err)
	}
	if got := srv.CloudTrail.Calls() - before; got != 2 {
		t.Errorf("default client: %d requests, want 2 (the SDK's retry)", got)
	}
}
