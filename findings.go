package cognitomon

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/cognitomon/cognitomon/internal/bounded"
	"github.com/cognitomon/cognitomon/internal/text"
)

// Severity says how urgently a Finding needs a person. The zero value is
// not a severity.
type Severity int

// The severities, from least to most urgent.
const (
	// SeverityInfo is a notice: something the team should know, such as a
	// blind spot of the checks, not an incident.
	SeverityInfo Severity = iota + 1
	// SeverityLow is worth a look during working hours.
	SeverityLow
	// SeverityMedium is a likely attack or breakage: look today.
	SeverityMedium
	// SeverityHigh is an attack in progress, a likely compromise or a
	// risky change: look now.
	SeverityHigh
	// SeverityCritical is reserved for findings that need someone woken
	// up; no built-in check uses it yet.
	SeverityCritical
)

// String returns the severity's lower-case name ("info", "low", "medium",
// "high", "critical").
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	case SeverityCritical:
		return "critical"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the severities.
func (s Severity) Valid() bool { return s >= SeverityInfo && s <= SeverityCritical }

// MarshalText returns String's result. It fails for a value that is not a
// severity.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, fmt.Errorf("cognitomon: invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a severity name as ParseSeverity does.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity returns the severity named s, ignoring case and surrounding
// space ("high", "Medium"), for command-line flags such as -min-severity.
func ParseSeverity(s string) (Severity, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for v := SeverityInfo; v <= SeverityCritical; v++ {
		if v.String() == name {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: want info, low, medium, high or critical", text.Truncate(s))
}

// Finding is one thing a check saw: what, how severe, over which window,
// about what, the evidence, and what to do next. The zero value is not a
// finding.
type Finding struct {
	// Check is the name of the check that reported it ("brute-force").
	Check string
	// Severity says how urgent it is.
	Severity Severity
	// Summary says in one line what was seen.
	Summary string
	// Window is when it was seen. Windows of event rules are aligned to
	// the rule's buckets (see EventRule); a finding about one event spans
	// that event's second.
	Window TimeRange
	// Subject is what the finding is about.
	Subject Subject
	// Evidence holds the figures behind it.
	Evidence Evidence
	// Advice says what the finding means and what to do next, including
	// the meaning of the error codes involved (see checks.ErrorMeaning).
	Advice string
}

// Subject is what a Finding is about. Fields that do not apply are empty.
type Subject struct {
	// UserPool is the pool (DetectInput.UserPool, when given).
	UserPool UserPoolID
	// Client is an app client, or a pseudo-client of the metrics.
	Client ClientID
	// Flow is the metric flow of metric findings; zero otherwise.
	Flow Flow
	// Category is a rate-limit category of AWS/Usage ("UserAuthentication").
	Category string
	// IP is a source address, or an address range in CIDR notation
	// ("192.0.2.0/24").
	IP string
	// Sub is a user's sub.
	Sub string
	// UserAgent is a user agent, or a user-agent family.
	UserAgent string
	// Caller is the IAM ARN that made an admin change.
	Caller string
	// Label names any other subject, as "kind=value" ("error-code=...").
	Label string
}

// String lists the subject's fields as "name=value" pairs separated by
// spaces, in a fixed order, leaving out empty fields; the pool appears only
// when nothing else does.
func (s Subject) String() string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	if s.Flow.valid() {
		add("flow", s.Flow.String())
	}
	add("client", string(s.Client))
	add("category", s.Category)
	add("ip", s.IP)
	add("sub", s.Sub)
	add("user-agent", s.UserAgent)
	add("caller", s.Caller)
	if s.Label != "" {
		parts = append(parts, s.Label)
	}
	if len(parts) == 0 {
		add("pool", string(s.UserPool))
	}
	return strings.Join(parts, " ")
}

// Evidence is the figures behind a Finding.
type Evidence struct {
	// Value is the figure that crossed the threshold: a count, a number of
	// distinct values (exact up to four times the threshold, or 64), a rate
	// or a ratio (see Unit). For a rule over windows it is the highest
	// value of the finding's windows.
	Value float64
	// Threshold is what Value was compared with: the rule's threshold, or
	// the limit a baseline set.
	Threshold float64
	// Unit says what Value measures ("sign-in failures in 10m").
	Unit string
	// Expected is the baseline's mean for checks that compared with a
	// baseline, else 0.
	Expected float64
	// Estimated reports that the figures may be low: the check's memory
	// bound (DetectLimits.MaxKeys) made it drop state that was still
	// current, so counts are lower bounds.
	Estimated bool
	// TopOf says what Top ranks ("sub", "source-ip", "new value").
	TopOf string
	// Top ranks at most five contributors, most first. Rules count them
	// with the Space-Saving algorithm in a table of eight (see TopList):
	// each true count lies in [Count-Error, Count].
	Top []Counted[string]
	// EventIDs are up to five CloudTrail event IDs of events behind the
	// finding, to look up in the trail.
	EventIDs []string
	// Notes add facts that have no field ("attempts 412, failures 390").
	Notes []string
}

// ErrMissingInput reports that a check cannot run because the input lacks
// what it reads: events, metrics, quota usage or a baseline. Detect lists
// such a check in Detection.Skipped rather than treating its silence as an
// all-clear.
var ErrMissingInput = errors.New("missing input")

// Counted is one key of a ranked table with its estimated count: Count is
// an upper bound of the key's true count, and the true count is at least
// Count-Error (the Space-Saving algorithm; Error is 0 for an exact count).
type Counted[K comparable] = bounded.Counted[K]
