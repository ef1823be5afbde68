package cognitomon

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/text"
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
		return fmt.Errorf("%w: %q is %d characters long, more than %d", ErrInvalidUserPoolID, text.Truncate(string(id)), len(id), maxUserPoolIDLen)
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
		return fmt.Errorf("%w: %q is %d characters long, more than %d", ErrInvalidClientID, text.Truncate(string(id)), len(id), maxClientIDLen)
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

// IsZero reports whether r is the zero TimeRange, which options and scopes
// read as "no range".
func (r TimeRange) IsZero() bool { return r.Start.IsZero() && r.End.IsZero() }

// Duration returns End - Start.
func (r TimeRange) Duration() time.Duration { return r.End.Sub(r.Start) }

// Contains reports whether t lies in [Start, End).
func (r TimeRange) Contains(t time.Time) bool { return !t.Before(r.Start) && t.Before(r.End) }

// String formats r as "start/end" in RFC 3339, UTC.
func (r TimeRange) String() string {
	return r.Start.UTC().Format(time.RFC3339) + "/" + r.End.UTC().Format(time.RFC3339)
}
