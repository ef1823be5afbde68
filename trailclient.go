package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// lookupWindow is how far back LookupEvents reaches (FACTS.md 3.1).
const lookupWindow = 90 * 24 * time.Hour

// TrailOptions configure a TrailClient. The zero value of each field means
// the documented default.
type TrailOptions struct {
	// RequestsPerSecond caps the LookupEvents requests of the client, across
	// all its concurrent iterations, as AWS counts them: in no window of
	// one second do more than RequestsPerSecond requests arrive at AWS
	// (FACTS.md 3.1: two per second per account and Region), however long
	// each takes to get there, up to MaxNetworkDelay. Departures are also
	// spaced 1/RequestsPerSecond apart. After a throttle the client halves
	// its rate, down to 1/16 of RequestsPerSecond, and wins back 1/16 of it
	// with each request that is not throttled. Default 2. Other programs
	// that call LookupEvents in the same account and Region share AWS's
	// limit but not this one; their calls show as throttles, which slow
	// this client down.
	RequestsPerSecond float64
	// MaxNetworkDelay is the longest a request may take from leaving the
	// rate limiter to reaching AWS: the SDK's work on it, the network and
	// its jitter. The rate limit assumes a request arrived no later than
	// MaxNetworkDelay after it left, or when its answer came if that was
	// sooner; a request whose answer takes longer than this then costs less
	// waiting. Default 250ms.
	MaxNetworkDelay time.Duration
	// Retry controls how a throttled page (every throttle code, and HTTP
	// 429) is retried, from the same NextToken: by default 5 attempts in
	// all, waits as RetryOptions documents, from 1s doubling up to 20s.
	// After the last attempt the error wraps ErrThrottled. Retries also
	// wait for the rate limit. Build the CloudTrail client with
	// WithoutThrottleRetries, so that the SDK does not resend throttled
	// requests behind the rate limit's back.
	Retry RetryOptions
	// OnPage, when set, is called after each page that LookupEvents
	// returned, with the page's number in its iteration (from 1), the
	// records it held (before filtering) and the time of its oldest record
	// (zero when it held none). Pages come newest first, so oldest tells how
	// far back into the range an iteration has got. Concurrent iterations
	// call it concurrently.
	OnPage func(page, records int, oldest time.Time)
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
	if o.MaxNetworkDelay <= 0 {
		o.MaxNetworkDelay = 250 * time.Millisecond
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
	return &TrailClient{
		api:     api,
		opts:    o,
		limiter: newTrailLimiter(o.RequestsPerSecond, o.MaxNetworkDelay, pace, o.Sleep),
	}
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

// lookup fetches one page: every attempt waits for the rate limiter, which
// learns of each throttle, and a throttled attempt is retried with backoff
// per TrailOptions.Retry.
func (c *TrailClient) lookup(ctx context.Context, in *cloudtrail.LookupEventsInput, page int) (*cloudtrail.LookupEventsOutput, error) {
	var out *cloudtrail.LookupEventsOutput
	err := retryWith(ctx, c.opts.Retry, retryPolicy{sleep: c.opts.Sleep}, func() error {
		call, err := c.limiter.wait(ctx)
		if err != nil {
			return err
		}
		out, err = c.api.LookupEvents(ctx, in)
		c.limiter.done(call, throttled(err))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
	}
	if c.opts.OnPage != nil {
		var oldest time.Time
		for _, e := range out.Events {
			if t := aws.ToTime(e.EventTime); !t.IsZero() && (oldest.IsZero() || t.Before(oldest)) {
				oldest = t
			}
		}
		c.opts.OnPage(page, len(out.Events), oldest.UTC())
	}
	return out, nil
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
