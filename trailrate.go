package cognitomon

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// The limiter's adaptation to throttles: a throttle halves the rate, down
// to a floor, and each call that is not throttled wins back a step.
const (
	trailSlowest  = 1.0 / 16 // the lowest fraction of the configured rate
	trailRecovery = 1.0 / 16 // the fraction won back per unthrottled call
)

// trailLimiter makes sure that no window of one second sees more LookupEvents
// requests arrive at AWS than the rate allows (FACTS.md 3.1: two per second
// per account and Region, measured by AWS when a request arrives), whatever
// the network delay between the client and AWS.
//
// A request's arrival lies between its departure and its completion, and
// (assumed) no later than margin after its departure. So the limiter keeps
// for each recent request an upper bound of its arrival, min(completion,
// departure + margin), or departure + margin while it is in flight, and lets
// a request depart only when fewer than n of those bounds lie within the
// window before it: then no window of that length can hold n+1 arrivals. It
// also spaces departures a whole interval (window/n) apart, so requests do
// not go out in bursts.
//
// After a throttle the limiter halves its rate (doubles window and
// interval), down to 1/16 of the configured rate; each call that is not
// throttled wins back 1/16 of the configured rate.
//
// Assumption (FACTS.md 3.1): AWS counts a request against the limit when it
// arrives, over a sliding second; a user with an account can check it by
// running scripts/bench-lookup.sh-like pulls with the throttle counts of
// TrailOptions.OnPage. If AWS counts in fixed seconds instead, the sliding
// rule is stricter and still holds.
type trailLimiter struct {
	n        int           // requests per window
	window   time.Duration // at the configured rate
	interval time.Duration // window / n
	margin   time.Duration // the most a request takes to reach AWS
	clock    func() time.Time
	sleep    func(context.Context, time.Duration) error

	mu     sync.Mutex
	speed  float64 // fraction of the configured rate, (0, 1]
	last   time.Time
	recent []*trailCall // the calls whose bounds may still matter
}

// trailCall is one request the limiter let go.
type trailCall struct {
	departed  time.Time
	completed time.Time // zero while in flight
}

// bound returns the latest time the call can have arrived at AWS.
func (c *trailCall) bound(margin time.Duration) time.Time {
	b := c.departed.Add(margin)
	if !c.completed.IsZero() && c.completed.Before(b) {
		b = c.completed
	}
	return b
}

// newTrailLimiter returns a limiter for rate requests per second.
func newTrailLimiter(rate float64, margin time.Duration, clock func() time.Time, sleep func(context.Context, time.Duration) error) *trailLimiter {
	// n requests per window of n/rate seconds: for the default 2 per
	// second, 2 per 1s as AWS counts. Fractional rates keep n at least 1;
	// very high rates (tests) keep n bounded.
	n := min(max(int(rate), 1), 1000)
	window := time.Duration(float64(n) / rate * float64(time.Second))
	return &trailLimiter{
		n: n, window: window, interval: window / time.Duration(n), margin: margin,
		clock: clock, sleep: sleep, speed: 1,
	}
}

// wait blocks until the caller may send one request, or ctx is done. The
// caller must report the request's end with done.
func (l *trailLimiter) wait(ctx context.Context) (*trailCall, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l.mu.Lock()
		now := l.clock()
		at := l.earliest(now)
		if !at.After(now) {
			c := &trailCall{departed: now}
			l.last = now
			l.recent = append(l.recent, c)
			l.mu.Unlock()
			return c, nil
		}
		l.mu.Unlock()
		// Sleep, then check again: another caller may have gone first, or
		// the timer may have fired late.
		if err := l.sleep(ctx, at.Sub(now)); err != nil {
			return nil, err
		}
	}
}

// earliest returns when the next request may depart; l.mu is held.
func (l *trailLimiter) earliest(now time.Time) time.Time {
	window := time.Duration(float64(l.window) / l.speed)
	interval := time.Duration(float64(l.interval) / l.speed)
	at := now
	if !l.last.IsZero() {
		at = laterOf(at, l.last.Add(interval))
	}
	// Drop calls whose bounds can no longer matter, even at the slowest
	// rate, then find the n-th latest bound: the next request must arrive
	// a window after it.
	slowest := time.Duration(float64(l.window) / trailSlowest)
	keep := l.recent[:0]
	bounds := make([]time.Time, 0, len(l.recent))
	for _, c := range l.recent {
		b := c.bound(l.margin)
		if c.completed.IsZero() || b.Add(slowest).After(now) {
			keep = append(keep, c)
			if b.Add(window).After(now) {
				bounds = append(bounds, b)
			}
		}
	}
	clear(l.recent[len(keep):])
	l.recent = keep
	if len(bounds) >= l.n {
		slices.SortFunc(bounds, func(a, b time.Time) int { return b.Compare(a) })
		at = laterOf(at, bounds[l.n-1].Add(window))
	}
	return at
}

// done records the end of call c; wasThrottled says whether AWS refused it
// for its rate, which slows the limiter down.
func (l *trailLimiter) done(c *trailCall, wasThrottled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.completed = l.clock()
	if wasThrottled {
		l.speed = max(l.speed/2, trailSlowest)
	} else {
		l.speed = min(l.speed+trailRecovery, 1)
	}
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// WithoutThrottleRetries configures a CloudTrail client not to retry
// throttled requests itself, so that a TrailClient over it sees every
// throttle, slows down and retries the page at its own pace, rather than the
// SDK resending behind the rate limiter's back. Other retries (connection
// errors, HTTP 5xx) stay as the client had them. Use it as
//
//	cloudtrail.NewFromConfig(cfg, cognitomon.WithoutThrottleRetries)
func WithoutThrottleRetries(o *cloudtrail.Options) {
	var r aws.Retryer = o.Retryer
	if r == nil {
		r = awsretry.NewStandard()
	}
	o.Retryer = noThrottleRetryer{aws.RetryerV2(retryerV2{r})}
}

// noThrottleRetryer is a retryer that does not retry throttles.
type noThrottleRetryer struct{ aws.RetryerV2 }

// IsErrorRetryable reports false for throttles and defers to the wrapped
// retryer otherwise.
func (r noThrottleRetryer) IsErrorRetryable(err error) bool {
	return !throttled(err) && r.RetryerV2.IsErrorRetryable(err)
}

// retryerV2 lifts an aws.Retryer to aws.RetryerV2.
type retryerV2 struct{ aws.Retryer }

// GetAttemptToken returns the wrapped retryer's token, with its context
// when it has one.
func (r retryerV2) GetAttemptToken(ctx context.Context) (func(error) error, error) {
	if v2, ok := r.Retryer.(aws.RetryerV2); ok {
		return v2.GetAttemptToken(ctx)
	}
	return r.Retryer.GetInitialToken(), nil
}
