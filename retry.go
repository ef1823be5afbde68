package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/smithy-go"
)

// RetryOptions say how a client retries a throttled request. The zero value
// means the defaults documented on each field.
type RetryOptions struct {
	// MaxAttempts is how many times a request is sent in all before a
	// throttling error is returned (wrapping ErrThrottled). Default 5. These
	// retries come on top of the SDK client's own.
	MaxAttempts int
	// BaseDelay is the first wait; each further wait doubles, with full
	// jitter, up to MaxDelay. Default 1s.
	BaseDelay time.Duration
	// MaxDelay caps a wait. Default 20s.
	MaxDelay time.Duration
}

func (r RetryOptions) withDefaults() RetryOptions {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 5
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = time.Second
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 20 * time.Second
	}
	return r
}

var throttleCodes = map[string]bool{
	"Throttling":                true,
	"ThrottlingException":       true,
	"ThrottledException":        true,
	"RequestLimitExceeded":      true,
	"TooManyRequestsException":  true,
	"LimitExceeded":             true,
	"LimitExceededException":    true,
	"RequestThrottledException": true,
}

// isThrottle reports whether err is an AWS throttling error.
func isThrottle(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && throttleCodes[ae.ErrorCode()]
}

// retry runs call until it succeeds, fails with an error other than
// throttling, or has been throttled o.MaxAttempts times. It waits between
// attempts with exponential backoff and full jitter, and stops at once when
// ctx is done.
func retry(ctx context.Context, o RetryOptions, call func() error) error {
	delay := o.BaseDelay
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := call()
		if err == nil || !isThrottle(err) {
			return err
		}
		if attempt >= o.MaxAttempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrThrottled, attempt, err)
		}
		wait := time.Duration(jitter(int64(delay)))
		delay = min(2*delay, o.MaxDelay)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// jitter returns a random duration between d/2 and d.
func jitter(d int64) int64 {
	if d <= 1 {
		return d
	}
	return d/2 + rand.Int64N(d/2+1)
}
