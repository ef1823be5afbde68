package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "refused", Fault: smithy.FaultClient}
}

// httpError is what the SDK returns for a response it could not map to a
// modelled error: the status code with no error code.
func httpError(status int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      errors.New("unparsable body"),
	}}
}

func TestThrottled(t *testing.T) {
	// Every rate code of FACTS.md 9.2 and WIRE.md, as the SDK returns them
	// and wrapped as callers wrap them.
	for _, code := range []string{
		"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
		"RequestThrottled", "TooManyRequestsException", "RequestLimitExceeded",
		"ProvisionedThroughputExceededException", "TransactionInProgressException",
		"BandwidthLimitExceeded", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
	} {
		if !throttled(apiError(code)) {
			t.Errorf("%s is not classified as a throttle", code)
		}
		if !throttled(fmt.Errorf("reading: %w", apiError(code))) {
			t.Errorf("wrapped %s is not classified as a throttle", code)
		}
	}
	if !throttled(httpError(http.StatusTooManyRequests)) {
		t.Error("HTTP 429 is not classified as a throttle")
	}
	// Quotas on resources and concurrency, other failures, and nothing.
	for _, err := range []error{
		apiError("LimitExceededException"), // Cognito resource limit, Logs filter count, StartQuery concurrency
		apiError("LimitExceeded"),          // CloudWatch LimitExceededFault: too many alarms
		apiError("AccessDeniedException"),
		apiError("InvalidNextTokenException"),
		httpError(http.StatusInternalServerError),
		context.Canceled,
		errors.New("throttling"), // text is never matched
		nil,
	} {
		if throttled(err) {
			t.Errorf("%v is classified as a throttle", err)
		}
	}
}

// recorder is a sleep that records its waits and returns at once.
type recorder struct{ waits []time.Duration }

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func TestRetryBackoffBounds(t *testing.T) {
	o := RetryOptions{MaxAttempts: 8, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	ceilings := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000} // ms, one per wait
	run := func(draw func(int64) int64) []time.Duration {
		rec := &recorder{}
		calls := 0
		err := retryWith(context.Background(), o, retryPolicy{sleep: rec.sleep, rand: draw}, func() error {
			calls++
			return apiError("ThrottlingException")
		})
		if !errors.Is(err, ErrThrottled) || calls != 8 {
			t.Fatalf("error %v after %d calls, want ErrThrottled after 8", err, calls)
		}
		if len(rec.waits) != len(ceilings) {
			t.Fatalf("%d waits, want %d", len(rec.waits), len(ceilings))
		}
		return rec.waits
	}
	// The extremes of the draw give exactly half the ceiling and the
	// whole ceiling.
	low := run(func(int64) int64 { return 0 })
	high := run(func(n int64) int64 { return n })
	for i, c := range ceilings {
		c *= time.Millisecond
		if low[i] != c/2 || high[i] != c {
			t.Errorf("wait %d: drawn from [%v, %v], want [%v, %v]", i+1, low[i], high[i], c/2, c)
		}
	}
	// Real draws stay in the bounds, and spread over them.
	var sawLow, sawHigh bool
	for range 200 {
		for i, w := range run(nil) {
			c := ceilings[i] * time.Millisecond
			if w < c/2 || w > c {
				t.Fatalf("wait %d = %v, outside [%v, %v]", i+1, w, c/2, c)
			}
			sawLow = sawLow || w < c*5/8
			sawHigh = sawHigh || w > c*7/8
		}
	}
	if !sawLow || !sawHigh {
		t.Errorf("waits do not spread over [c/2, c]: low %v, high %v", sawLow, sawHigh)
	}
}

func TestRetryStopsOnOtherErrors(t *testing.T) {
	for _, want := range []error{apiError("AccessDeniedException"), apiError("LimitExceededException"), httpError(500)} {
		calls := 0
		err := retryWith(context.Background(), RetryOptions{BaseDelay: time.Nanosecond}, retryPolicy{}, func() error {
			calls++
			return want
		})
		if err != want || calls != 1 {
			t.Errorf("error %v after %d calls, want %v after 1", err, calls, want)
		}
	}
	// retryAlso extends the classification for one operation.
	calls := 0
	err := retryWith(context.Background(), RetryOptions{MaxAttempts: 3, BaseDelay: time.Nanosecond}, retryPolicy{retryAlso: tooManyQueries}, func() error {
		calls++
		return apiError("LimitExceededException")
	})
	var ae smithy.APIError
	if !errors.Is(err, ErrThrottled) || !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceededException" || calls != 3 {
		t.Errorf("error %v after %d calls, want ErrThrottled carrying LimitExceededException after 3", err, calls)
	}
}

func TestRetryCancelDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	o := RetryOptions{MaxAttempts: 5, BaseDelay: time.Hour, MaxDelay: time.Hour}
	calls := 0
	time.AfterFunc(20*time.Millisecond, cancel)
	begin := time.Now()
	err := retry(ctx, o, func() error {
		calls++
		return apiError("ThrottlingException")
	})
	if took := time.Since(begin); took > 5*time.Second {
		t.Errorf("returned after %v; a cancelled backoff must return at once", took)
	}
	var ae smithy.APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" || errors.Is(err, ErrThrottled) {
		t.Errorf("error %v, want context.Canceled with the last AWS error, not ErrThrottled", err)
	}
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
	// A context that is already done makes no call at all.
	calls = 0
	if err := retry(ctx, o, func() error { calls++; return nil }); !errors.Is(err, context.Canceled) || calls != 0 {
		t.Errorf("done context: error %v after %d calls", err, calls)
	}
}

func TestRetryDefaults(t *testing.T) {
	got := RetryOptions{}.withDefaults()
	if got != (RetryOptions{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: 20 * time.Second}) {
		t.Errorf("defaults %+v", got)
	}
	// A MaxDelay below BaseDelay cannot shrink the first wait.
	if got := (RetryOptions{BaseDelay: time.Second, MaxDelay: time.Millisecond}).withDefaults(); got.MaxDelay != time.Second {
		t.Errorf("MaxDelay %v, want raised to BaseDelay", got.MaxDelay)
	}
}
