package checks

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
	"github.com/cognitomon/cognitomon/internal/text"
)

// EventKey names a field of an Event that rules group and count by. The
// zero value is no key.
type EventKey int

// The keys.
const (
	// KeySourceIP is Event.SourceIP.
	KeySourceIP EventKey = iota + 1
	// KeyIPRange is the range of Event.SourceIP: its /24 for IPv4, its /48
	// for IPv6, in CIDR notation; empty when SourceIP is not an address
	// (an AWS service name).
	KeyIPRange
	// KeySub is Event.Sub. API calls about a user carry it; endpoint
	// events (managed login, token endpoint) mostly do not (FACTS.md 2.3).
	KeySub
	// KeyClient is Event.ClientID.
	KeyClient
	// KeyUserAgent is Event.UserAgent.
	KeyUserAgent
	// KeyUserAgentFamily is Event.UserAgent without its version numbers
	// ("aws-amplify/ ios/ framework/react-native"), so that an app update
	// does not look like a new device.
	KeyUserAgentFamily
	// KeyUserPool is Event.UserPoolID.
	KeyUserPool
	// KeyErrorCode is Event.FailureReason: the error code, or
	// "HTTP <status>".
	KeyErrorCode
	// KeyEventName is Event.Name.
	KeyEventName
	// KeyCaller is Event.CallerARN.
	KeyCaller
)

// String returns the key's name ("source-ip", "ip-range" ...).
func (k EventKey) String() string {
	switch k {
	case KeySourceIP:
		return "source-ip"
	case KeyIPRange:
		return "ip-range"
	case KeySub:
		return "sub"
	case KeyClient:
		return "client"
	case KeyUserAgent:
		return "user-agent"
	case KeyUserAgentFamily:
		return "user-agent-family"
	case KeyUserPool:
		return "user-pool"
	case KeyErrorCode:
		return "error-code"
	case KeyEventName:
		return "event-name"
	case KeyCaller:
		return "caller"
	}
	return "EventKey(" + strconv.Itoa(int(k)) + ")"
}

func (k EventKey) valid() bool { return k >= KeySourceIP && k <= KeyCaller }

// MarshalText returns String's result. It fails for a value that is not a
// key.
func (k EventKey) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("cognitomon: invalid event key %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText parses a key's name.
func (k *EventKey) UnmarshalText(b []byte) error {
	for v := KeySourceIP; v <= KeyCaller; v++ {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown event key %q", text.Truncate(string(b)))
}

// Of returns e's value for the key, or "" when e has none.
func (k EventKey) Of(e cognitomon.Event) string {
	switch k {
	case KeySourceIP:
		return e.SourceIP
	case KeyIPRange:
		return ipRangeOf(e.SourceIP)
	case KeySub:
		return e.Sub
	case KeyClient:
		return string(e.ClientID)
	case KeyUserAgent:
		return e.UserAgent
	case KeyUserAgentFamily:
		return userAgentFamily(e.UserAgent)
	case KeyUserPool:
		return string(e.UserPoolID)
	case KeyErrorCode:
		return e.FailureReason()
	case KeyEventName:
		return e.Name
	case KeyCaller:
		return e.CallerARN
	}
	return ""
}

// subject returns the Subject whose field the key fills with v.
func (k EventKey) subject(v string) cognitomon.Subject {
	switch k {
	case KeySourceIP, KeyIPRange:
		return cognitomon.Subject{IP: v}
	case KeySub:
		return cognitomon.Subject{Sub: v}
	case KeyClient:
		return cognitomon.Subject{Client: cognitomon.ClientID(v)}
	case KeyUserAgent, KeyUserAgentFamily:
		return cognitomon.Subject{UserAgent: v}
	case KeyUserPool:
		return cognitomon.Subject{UserPool: cognitomon.UserPoolID(v)}
	case KeyCaller:
		return cognitomon.Subject{Caller: v}
	}
	return cognitomon.Subject{Label: k.String() + "=" + v}
}

// ipRangeOf returns the /24 (IPv4) or /48 (IPv6) of s in CIDR notation, or
// "" when s is not an address.
func ipRangeOf(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	a = a.Unmap().WithZone("")
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// userAgentFamily removes the version numbers from a user agent: every
// digit, and every '.' or '_' next to a digit.
func userAgentFamily(ua string) string {
	if ua == "" {
		return ""
	}
	isDigit := func(i int) bool { return i >= 0 && i < len(ua) && ua[i] >= '0' && ua[i] <= '9' }
	var b strings.Builder
	b.Grow(len(ua))
	for i := 0; i < len(ua); i++ {
		c := ua[i]
		switch {
		case c >= '0' && c <= '9':
			continue
		case (c == '.' || c == '_') && (isDigit(i-1) || isDigit(i+1)):
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// CompletedSignIn reports whether e is a sign-in step that passed the
// user's password or code: a successful cognitomon.KindSignIn or KindMFA event that
// is not a page load (a *_GET endpoint event) and not the start of a
// challenge flow (InitiateAuth or AdminInitiateAuth with USER_SRP_AUTH,
// CUSTOM_AUTH or USER_AUTH, which succeed before any secret is checked).
// With MFA, a correct password answered with an MFA challenge counts: the
// password is what an attacker guessed.
func CompletedSignIn(e cognitomon.Event) bool {
	k := e.Kind()
	if (k != cognitomon.KindSignIn && k != cognitomon.KindMFA) || e.Outcome() != cognitomon.OutcomeSuccess || strings.HasSuffix(e.Name, "_GET") {
		return false
	}
	if e.Name == eventnames.InitiateAuth || e.Name == eventnames.AdminInitiateAuth {
		switch e.AuthFlow {
		case "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH":
			return false
		}
	}
	return true
}

// EventMatch selects the events a rule looks at. Every criterion that is
// set must hold; the zero value matches every event.
type EventMatch struct {
	// Filter's criteria apply, except Range: the run's range applies.
	Filter cognitomon.EventFilter
	// Outcomes, when set, keep only events with one of these outcomes.
	Outcomes []cognitomon.Outcome
	// ExceptErrorCodes drops events with one of these error codes.
	ExceptErrorCodes []string
	// Func, when set, must also return true: for what the fields above
	// cannot say.
	Func func(cognitomon.Event) bool
}

// Match reports whether e passes every criterion of m.
func (m EventMatch) Match(e cognitomon.Event) bool {
	if len(m.ExceptErrorCodes) > 0 && slices.Contains(m.ExceptErrorCodes, e.ErrorCode) {
		return false
	}
	if len(m.Outcomes) > 0 && !slices.Contains(m.Outcomes, e.Outcome()) {
		return false
	}
	if m.Filter.Range.Start.IsZero() && m.Filter.Range.End.IsZero() {
		if !m.Filter.Match(e) {
			return false
		}
	} else {
		f := m.Filter
		f.Range = cognitomon.TimeRange{}
		if !f.Match(e) {
			return false
		}
	}
	return m.Func == nil || m.Func(e)
}

// Validate checks the filter and the outcomes.
func (m EventMatch) Validate() error {
	if err := m.Filter.Validate(); err != nil {
		return err
	}
	for _, o := range m.Outcomes {
		if o < cognitomon.OutcomeSuccess || o > cognitomon.OutcomeThrottled {
			return fmt.Errorf("event match: invalid outcome %d", int(o))
		}
	}
	return nil
}
