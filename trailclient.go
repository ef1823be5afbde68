package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

// lookupWindow is how far back LookupEvents reaches (FACTS.md 3.1).
const lookupWindow = 90 * 24 * time.Hour

// TrailOptions configure a TrailClient. The zero value of each field means
// the documented default.
type TrailOptions struct {
	// RequestsPerSecond caps the LookupEvents calls of the client, across
	// all its concurrent iterations, so that a long pull does not trip
	// CloudTrail's limit of two requests per second per account and Region
	// (FACTS.md 3.1). Calls are spaced at least 1.01/RequestsPerSecond
	// apart, the 1% a margin for the time between the limiter and the wire.
	// Default 2. Other programs that call LookupEvents in the same account
	// and Region share AWS's limit but not this one.
	RequestsPerSecond float64
	// Retry controls how a throttled page (ThrottlingException, Throttling,
	// TooManyRequestsException) is retried, from the same NextToken: by
	// default 5 attempts in all, waits from 1s doubling up to 20s, with
	// jitter. After the last attempt the error wraps ErrThrottled. Retries
	// also wait for the rate limit, and come on top of the SDK client's own.
	Retry RetryOptions
	// Clock returns the current time. It decides whether a range lies in
	// the 90 days that LookupEvents covers, and paces the rate limit when
	// Sleep is set too (virtual time); otherwise the rate limit follows the
	// wall clock, so a fixed Clock in a test does not stall it.
	// Default time.Now.
	Clock func() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	// It paces the rate limit and the retries. Default a timer. Tests pair
	// it with Clock to run in virtual time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// TrailClient reads Cognito user-pool events from CloudTrail's LookupEvents.
// It is immutable apart from its rate limiter and safe for concurrent use;
// concurrent iterations share the rate limit.
type TrailClient struct {
	api     CloudTrailAPI
	opts    TrailOptions
	limiter *trailLimiter
}

// NewTrailClient returns a TrailClient over api. It panics if api is nil.
func NewTrailClient(api CloudTrailAPI, optFns ...func(*TrailOptions)) *TrailClient {
	if api == nil {
		panic("cognitomon: NewTrailClient with nil CloudTrailAPI")
	}
	var o TrailOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if !(o.RequestsPerSecond > 0) {
		o.RequestsPerSecond = 2
	}
	o.Retry = o.Retry.withDefaults()
	if o.Clock == nil {
		o.Clock = time.Now
	}
	// The limiter paces by the wall clock, unless the caller runs the
	// client in virtual time with its own Sleep: then Clock paces it, as
	// only a clock that Sleep advances can.
	pace := time.Now
	if o.Sleep == nil {
		o.Sleep = sleepTimer
	} else {
		pace = o.Clock
	}
	// One per cent of margin, so that the time between the limiter and the
	// call itself cannot fit one call too many into a second.
	interval := time.Duration(1.01 * float64(time.Second) / o.RequestsPerSecond)
	return &TrailClient{
		api:     api,
		opts:    o,
		limiter: &trailLimiter{interval: interval, clock: pace, sleep: o.Sleep},
	}
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// trailLimiter is a token bucket of capacity one: it hands out one call per
// interval, to concurrent callers in the order they ask.
type trailLimiter struct {
	interval time.Duration
	clock    func() time.Time
	sleep    func(context.Context, time.Duration) error

	mu   sync.Mutex
	next time.Time // the earliest time of the next call
}

// wait blocks until the caller may make one call, or ctx is done.
func (l *trailLimiter) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.clock()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		if err := l.sleep(ctx, d); err != nil {
			return err
		}
	}
	// The call goes out now: keep the next slot a whole interval after
	// this moment, so that late timers and scheduling never bunch calls.
	l.mu.Lock()
	if t := l.clock().Add(l.interval); t.After(l.next) {
		l.next = t
	}
	l.mu.Unlock()
	return nil
}

// lookupPageSize is the LookupEvents page size: the largest it allows.
const lookupPageSize = 50

// Events returns the user-pool events that match filter, newest first, as
// LookupEvents returns them.
//
// One lookup attribute is sent to AWS: EventName when the filter allows
// exactly one event name, otherwise EventSource=cognito-idp.amazonaws.com;
// every other criterion is applied here. Pages of 50 are fetched lazily:
// nothing is called before the loop starts, and breaking the loop stops the
// calls. Calls respect the client's rate limit, and a throttled page is
// retried from the same NextToken (see TrailOptions).
//
// An invalid filter, or a Range that is not within the 90 days before now
// (by TrailOptions.Clock), is yielded as an error wrapping ErrInvalidRange or
// the ID's error before any call. A record whose CloudTrailEvent does not
// parse is yielded as a *ReadError naming its event ID, and the sequence
// goes on if the loop does. Records that are not user-pool records (an
// EventName lookup matches every service) are skipped without a trace. A
// failed call ends the sequence with an error that wraps the SDK's error.
func (c *TrailClient) Events(ctx context.Context, filter EventFilter) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.checkFilter(filter); err != nil {
			yield(Event{}, err)
			return
		}
		in := &cloudtrail.LookupEventsInput{
			StartTime:        aws.Time(filter.Range.Start.UTC()),
			EndTime:          aws.Time(filter.Range.End.UTC()),
			LookupAttributes: []cttypes.LookupAttribute{filter.lookupAttribute()},
			MaxResults:       aws.Int32(lookupPageSize),
		}
		var token *string
		for page := 1; ; page++ {
			in.NextToken = token
			out, err := c.lookup(ctx, in, page)
			if err != nil {
				yield(Event{}, err)
				return
			}
			for i := range out.Events {
				e, skip, err := c.convert(&out.Events[i])
				if skip {
					continue
				}
				if err != nil {
					if !yield(Event{}, err) {
						return
					}
					continue
				}
				if !filter.Match(e) {
					continue
				}
				if !yield(e, nil) {
					return
				}
			}
			next := aws.ToString(out.NextToken)
			if next == "" {
				return
			}
			if token != nil && next == *token && len(out.Events) == 0 {
				yield(Event{}, fmt.Errorf("cloudtrail lookup events: page %d returned no events and the same NextToken again", page))
				return
			}
			token = aws.String(next)
		}
	}
}

// checkFilter validates filter for LookupEvents.
func (c *TrailClient) checkFilter(filter EventFilter) error {
	now := c.opts.Clock()
	if err := filter.Range.ValidateAt(now); err != nil {
		return fmt.Errorf("cloudtrail lookup events: %w", err)
	}
	if oldest := now.Add(-lookupWindow); filter.Range.Start.Before(oldest) {
		return fmt.Errorf("cloudtrail lookup events: %w: start %s is more than 90 days before now (%s); LookupEvents only reaches back 90 days, so read older events from the trail's log files with ReadEventFiles",
			ErrInvalidRange, filter.Range.Start.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return filter.Validate()
}

// lookup fetches one page, waiting for the rate limit and retrying while
// AWS throttles.
func (c *TrailClient) lookup(ctx context.Context, in *cloudtrail.LookupEventsInput, page int) (*cloudtrail.LookupEventsOutput, error) {
	r := c.opts.Retry
	delay := r.BaseDelay
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
		out, err := c.api.LookupEvents(ctx, in)
		if err == nil {
			return out, nil
		}
		if !lookupThrottled(err) {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
		if attempt >= r.MaxAttempts {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w after %d attempts: %w", page, ErrThrottled, attempt, err)
		}
		wait := delay/2 + time.Duration(rand.Int64N(int64(delay/2)+1))
		delay = min(2*delay, r.MaxDelay)
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
	}
}

// lookupThrottled reports whether err is CloudTrail (or a proxy in front of
// it) refusing a call for its rate.
func lookupThrottled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "Throttling", "TooManyRequestsException":
		return true
	}
	return false
}

// convert turns one LookupEvents record into an Event. skip is true for a
// record that is not a user-pool record.
func (c *TrailClient) convert(ev *cttypes.Event) (e Event, skip bool, err error) {
	if src := aws.ToString(ev.EventSource); src != "" && src != UserPoolEventSource {
		return Event{}, true, nil
	}
	id := aws.ToString(ev.EventId)
	if ev.CloudTrailEvent == nil {
		return Event{}, false, &ReadError{Record: -1, EventID: id, Err: errors.New("LookupEvents returned no CloudTrailEvent")}
	}
	e, err = parseRecord([]byte(*ev.CloudTrailEvent), true)
	if errors.Is(err, ErrNotUserPoolEvent) {
		return Event{}, true, nil
	}
	if err != nil {
		return Event{}, false, &ReadError{Record: -1, EventID: id, Err: err}
	}
	return e, false, nil
}
