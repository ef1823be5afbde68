package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/smithy-go"
)

// RetryOptions say how a client retries a request that AWS refused for its
// rate. The zero value means the defaults documented on each field.
type RetryOptions struct {
	// MaxAttempts is how many times a request is sent in all before a
	// throttling error is returned (wrapping ErrThrottled and the AWS
	// error). Default 5. These retries come on top of the SDK client's own,
	// except for a TrailClient over a CloudTrail client built with
	// WithoutThrottleRetries.
	MaxAttempts int
	// BaseDelay is the ceiling of the first wait. The ceiling doubles after
	// each wait, up to MaxDelay, and each wait is drawn uniformly from half
	// the ceiling to the whole ceiling: the n-th wait (from 1) lies in
	// [c/2, c] with c = min(BaseDelay·2^(n-1), MaxDelay). Default 1s.
	BaseDelay time.Duration
	// MaxDelay caps the ceiling of a wait. Default 20s.
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
	r.MaxDelay = max(r.MaxDelay, r.BaseDelay)
	return r
}

// throttleCodes are the error codes by which AWS services refuse a request
// for its rate: the aws-sdk-go-v2 standard retryer's throttle codes
// (FACTS.md 9.2, WIRE.md "Default retryer") less LimitExceededException,
// which is not about rate everywhere: Cognito uses it for "exceeds the limit
// for a requested resource" (FACTS.md 6.1), CloudWatch Logs for too many
// metric filters and, on StartQuery, for too many concurrent queries
// (FACTS.md 5.1). CloudWatch's LimitExceeded (LimitExceededFault, too many
// alarms, FACTS.md 4.3) is no throttle either. Callers that know an
// operation's LimitExceededException means "try again later" say so with
// retryAlso.
var throttleCodes = map[string]bool{
	"Throttling":                             true, // CloudWatch's query-compatible code (WIRE.md)
	"ThrottlingException":                    true, // CloudTrail, CloudWatch, Logs (FACTS.md 3.1, WIRE.md)
	"ThrottledException":                     true,
	"RequestThrottledException":              true,
	"RequestThrottled":                       true,
	"TooManyRequestsException":               true, // Cognito's quota throttle (FACTS.md 6.1)
	"RequestLimitExceeded":                   true,
	"ProvisionedThroughputExceededException": true,
	"TransactionInProgressException":         true,
	"BandwidthLimitExceeded":                 true,
	"SlowDown":                               true,
	"PriorRequestNotComplete":                true,
	"EC2ThrottledException":                  true,
}

// throttled reports whether err is AWS (or a proxy in front of it) refusing
// a request for its rate: one of throttleCodes, or HTTP 429 Too Many
// Requests whatever the body says. It is the one throttle classification of
// the package.
func throttled(err error) bool {
	if err == nil {
		return false
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && throttleCodes[ae.ErrorCode()] {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	return errors.As(err, &status) && status.HTTPStatusCode() == http.StatusTooManyRequests
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// retryPolicy says which errors a retry loop retries and how it waits. The
// zero value retries throttles and waits with a timer.
type retryPolicy struct {
	// retryAlso, when set, marks further errors as worth retrying with the
	// same backoff (Logs StartQuery's LimitExceededException).
	retryAlso func(error) bool
	// sleep waits for d or until ctx is done; default a timer.
	sleep func(ctx context.Context, d time.Duration) error
	// rand returns a uniform int64 in [0, n]; default math/rand/v2.
	rand func(n int64) int64
}

// retry runs call until it succeeds, fails with an error that is not a
// throttle, or has been throttled o.MaxAttempts times.
func retry(ctx context.Context, o RetryOptions, call func() error) error {
	return retryWith(ctx, o, retryPolicy{}, call)
}

// retryWith runs call until it succeeds, fails with an error that p does
// not retry, or has failed o.MaxAttempts times; then the error wraps
// ErrThrottled and the last error. Between attempts it waits as
// RetryOptions documents. When ctx ends during a wait, it returns at once
// with an error that wraps ctx.Err() and the last error.
func retryWith(ctx context.Context, o RetryOptions, p retryPolicy, call func() error) error {
	o = o.withDefaults()
	sleep := p.sleep
	if sleep == nil {
		sleep = sleepTimer
	}
	draw := p.rand
	if draw == nil {
		draw = func(n int64) int64 { return rand.Int64N(n + 1) }
	}
	ceiling := o.BaseDelay
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := call()
		if err == nil || !(throttled(err) || p.retryAlso != nil && p.retryAlso(err)) {
			return err
		}
		if attempt >= o.MaxAttempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrThrottled, attempt, err)
		}
		wait := backoff(ceiling, draw)
		ceiling = min(2*ceiling, o.MaxDelay)
		if serr := sleep(ctx, wait); serr != nil {
			if cerr := ctx.Err(); cerr != nil {
				serr = cerr
			}
			return fmt.Errorf("waiting %s to retry after %d attempts: %w (last error: %w)", wait, attempt, serr, err)
		}
	}
}

// backoff draws one wait uniformly from [ceiling/2, ceiling].
func backoff(ceiling time.Duration, draw func(n int64) int64) time.Duration {
	if ceiling <= 1 {
		return ceiling
	}
	half := ceiling / 2
	return half + time.Duration(draw(int64(ceiling-half)))
}

// sleepTimer waits for d, or until ctx is done and then returns ctx.Err().
func sleepTimer(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
