// Package cognitomon tells a team what is happening inside its Amazon Cognito
// user pools: how many sign-ins, sign-ups, token refreshes and federated
// sign-ins fail and why, who is hammering a pool, and which machine clients
// burn tokens.
//
// # The three sources
//
// Cognito publishes no "failed sign-in" figure of its own. cognitomon derives
// one from three AWS sources, each reached through a narrow interface that the
// real aws-sdk-go-v2 client satisfies as it is:
//
//   - CloudWatch metrics in the AWS/Cognito namespace ([CloudWatchAPI],
//     read by [MetricsClient]): counts per five-minute period, per pool and
//     app client. Cheap and complete, but they say nothing about who or why.
//   - CloudTrail ([CloudTrailAPI]): one record per request, with the event
//     name, error code, source IP, user agent, app client and user sub.
//     LookupEvents reaches back 90 days at two requests per second.
//   - CloudWatch Logs Insights ([LogsAPI]): server-side aggregation over a log
//     group that the trail (or Cognito's user-activity log) is routed to.
//
// # The failure arithmetic
//
// Every datapoint of a *Successes metric (SignInSuccesses, SignUpSuccesses,
// TokenRefreshSuccesses, FederationSuccesses) is 1 when Cognito issued tokens
// and 0 otherwise, throttled requests included. So for any period:
//
//	attempts  = SampleCount(*Successes)
//	successes = Sum(*Successes)
//	failures  = SampleCount(*Successes) - Sum(*Successes)
//	throttles = Sum(*Throttles)   (each throttled request is also one failure)
//
// AWS documents these metrics only with the dimensions UserPool and
// UserPoolClient (plus IdentityProvider for federation), with the
// pseudo-clients "Admin" (admin API calls) and "Invalid" (an unknown client
// ID). Whether a series with the UserPool dimension alone exists is not
// documented, so cognitomon computes a pool total as the sum over the pool's
// clients. A period with no datapoint is a period with no traffic.
//
// # Testing code built on cognitomon
//
// Package cognitomontest is to cognitomon what net/http/httptest is to
// net/http. It holds a simulated user pool that records attempts with their
// real metric semantics, in-memory fakes of [CloudWatchAPI] (and, as they
// arrive, the other interfaces) that read that pool, and an HTTP server that
// speaks the services' real wire protocols, so that a real SDK client pointed
// at it with BaseEndpoint or AWS_ENDPOINT_URL runs unchanged. A test can also
// implement an interface itself: each has only the methods cognitomon calls.
//
// # Concurrency
//
// Clients are immutable after construction and safe for concurrent use.
package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// CloudWatchAPI is the part of the CloudWatch API that cognitomon calls.
// *cloudwatch.Client satisfies it; so does cognitomontest.CloudWatch.
type CloudWatchAPI interface {
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	ListMetrics(ctx context.Context, params *cloudwatch.ListMetricsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
}

// CloudTrailAPI is the part of the CloudTrail API that cognitomon calls.
// *cloudtrail.Client satisfies it.
type CloudTrailAPI interface {
	LookupEvents(ctx context.Context, params *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error)
}

// LogsAPI is the part of the CloudWatch Logs API that cognitomon calls to run
// Logs Insights queries. *cloudwatchlogs.Client satisfies it.
type LogsAPI interface {
	StartQuery(ctx context.Context, params *cloudwatchlogs.StartQueryInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(ctx context.Context, params *cloudwatchlogs.GetQueryResultsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
	StopQuery(ctx context.Context, params *cloudwatchlogs.StopQueryInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error)
}

var (
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
	_ CloudTrailAPI = (*cloudtrail.Client)(nil)
	_ LogsAPI       = (*cloudwatchlogs.Client)(nil)
)

// Sentinel errors, for errors.Is. Errors that carry them also say what was
// wrong and where.
var (
	// ErrInvalidUserPoolID reports a user-pool ID that does not match
	// Cognito's pattern.
	ErrInvalidUserPoolID = errors.New("invalid user pool id")
	// ErrInvalidClientID reports an app-client ID that does not match
	// Cognito's pattern.
	ErrInvalidClientID = errors.New("invalid app client id")
	// ErrInvalidRange reports a time range that is zero, empty, inverted,
	// entirely in the future, or outside what the source can answer.
	ErrInvalidRange = errors.New("invalid time range")
	// ErrInvalidPeriod reports a metric period that CloudWatch would not
	// answer for the range (see MetricsOptions.Period).
	ErrInvalidPeriod = errors.New("invalid period")
	// ErrIncomplete reports that AWS answered with less than the whole
	// result (PartialData without a way to continue, a missing series, an
	// InternalError or Forbidden status, or a warning message). cognitomon
	// never presents such an answer as complete.
	ErrIncomplete = errors.New("incomplete result")
	// ErrThrottled reports that AWS kept throttling a request after every
	// retry that the client's options allow.
	ErrThrottled = errors.New("throttled")
)

// UserPoolID identifies a Cognito user pool, as in "us-east-1_AbCdEf123".
// The zero value is not valid; build one with ParseUserPoolID, or convert a
// string and call Validate.
type UserPoolID string

// ClientID identifies an app client of a user pool. Besides real client IDs,
// Cognito's metrics use two pseudo-clients: AdminClient and InvalidClient.
// The zero value is not valid.
type ClientID string

// The pseudo-clients that AWS/Cognito metrics carry in the UserPoolClient
// dimension.
const (
	// AdminClient stands for requests made through the admin API
	// (AdminInitiateAuth, AdminCreateUser ...) in the SignUp metrics.
	AdminClient ClientID = "Admin"
	// InvalidClient stands for requests that named an app client ID the pool
	// does not have.
	InvalidClient ClientID = "Invalid"
)

// The patterns and lengths of the cognito-idp service model
// (UserPoolIdType, ClientIdType); see FACTS.md section 5.2.
var (
	userPoolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	clientIDPattern   = regexp.MustCompile(`^[\w+]+$`)
)

const (
	maxUserPoolIDLen = 55
	maxClientIDLen   = 128
)

// ParseUserPoolID returns s as a UserPoolID, or an error wrapping
// ErrInvalidUserPoolID that says what is wrong with it.
func ParseUserPoolID(s string) (UserPoolID, error) {
	id := UserPoolID(s)
	if err := id.Validate(); err != nil {
		return "", err
	}
	return id, nil
}

// Validate reports whether id matches Cognito's user-pool ID pattern
// ([\w-]+_[0-9a-zA-Z]+, at most 55 characters).
func (id UserPoolID) Validate() error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidUserPoolID)
	case len(id) > maxUserPoolIDLen:
		return fmt.Errorf("%w: %q is %d characters long, more than %d", ErrInvalidUserPoolID, truncate(string(id)), len(id), maxUserPoolIDLen)
	case !userPoolIDPattern.MatchString(string(id)):
		return fmt.Errorf("%w: %q does not match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+)", ErrInvalidUserPoolID, string(id))
	}
	return nil
}

// Region returns the Region part of the pool ID ("us-east-1" for
// "us-east-1_AbCdEf123"), or "" when id is not valid.
func (id UserPoolID) Region() string {
	if id.Validate() != nil {
		return ""
	}
	return string(id[:strings.LastIndexByte(string(id), '_')])
}

// String returns the ID as it is.
func (id UserPoolID) String() string { return string(id) }

// ParseClientID returns s as a ClientID, or an error wrapping
// ErrInvalidClientID that says what is wrong with it.
func ParseClientID(s string) (ClientID, error) {
	id := ClientID(s)
	if err := id.Validate(); err != nil {
		return "", err
	}
	return id, nil
}

// Validate reports whether id matches Cognito's app-client ID pattern
// ([\w+]+, at most 128 characters). The pseudo-clients are valid.
func (id ClientID) Validate() error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidClientID)
	case len(id) > maxClientIDLen:
		return fmt.Errorf("%w: %q is %d characters long, more than %d", ErrInvalidClientID, truncate(string(id)), len(id), maxClientIDLen)
	case !clientIDPattern.MatchString(string(id)):
		return fmt.Errorf("%w: %q has characters outside [A-Za-z0-9_+]", ErrInvalidClientID, string(id))
	}
	return nil
}

// IsPseudo reports whether id is one of the pseudo-clients AdminClient and
// InvalidClient rather than a real app client.
func (id ClientID) IsPseudo() bool { return id == AdminClient || id == InvalidClient }

// String returns the ID as it is.
func (id ClientID) String() string { return string(id) }

func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// TimeRange is the half-open interval [Start, End). The zero value is not a
// valid range; build one with NewTimeRange or Last.
type TimeRange struct {
	Start time.Time
	End   time.Time
}

// NewTimeRange returns [start, end) in UTC, or an error wrapping
// ErrInvalidRange when either time is zero or the range is empty or
// inverted.
func NewTimeRange(start, end time.Time) (TimeRange, error) {
	r := TimeRange{Start: start.UTC(), End: end.UTC()}
	if err := r.Validate(); err != nil {
		return TimeRange{}, err
	}
	return r, nil
}

// Last returns the range of length d that ends at now, in UTC.
func Last(d time.Duration, now time.Time) TimeRange {
	now = now.UTC()
	return TimeRange{Start: now.Add(-d), End: now}
}

// Validate reports whether r is usable: both ends set, Start before End.
func (r TimeRange) Validate() error {
	switch {
	case r.Start.IsZero() || r.End.IsZero():
		return fmt.Errorf("%w: start and end must both be set", ErrInvalidRange)
	case r.End.Before(r.Start):
		return fmt.Errorf("%w: end %s is before start %s", ErrInvalidRange, r.End.UTC().Format(time.RFC3339), r.Start.UTC().Format(time.RFC3339))
	case r.End.Equal(r.Start):
		return fmt.Errorf("%w: empty range at %s", ErrInvalidRange, r.Start.UTC().Format(time.RFC3339))
	}
	return nil
}

// ValidateAt is Validate plus a check that r does not lie wholly in the
// future of now: a range that starts at or after now can hold no data.
func (r TimeRange) ValidateAt(now time.Time) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if !r.Start.Before(now) {
		return fmt.Errorf("%w: range starts at %s, not before now (%s)", ErrInvalidRange, r.Start.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// Duration returns End - Start.
func (r TimeRange) Duration() time.Duration { return r.End.Sub(r.Start) }

// Contains reports whether t lies in [Start, End).
func (r TimeRange) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

// String formats r as "start/end" in RFC 3339, UTC.
func (r TimeRange) String() string {
	return r.Start.UTC().Format(time.RFC3339) + "/" + r.End.UTC().Format(time.RFC3339)
}
