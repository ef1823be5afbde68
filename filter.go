package cognitomon

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// EventFilter selects events by what they are. Range is required by
// TrailClient.Events; every other field is optional, and an empty field
// does not restrict. Names and Families together name the allowed event
// names (an event passes if its name is in Names or its family in
// Families); all other fields must hold at the same time. The zero value
// matches every event.
//
// Which pool an event belongs to is not a filter's question but a Scope's:
// many events name no pool, only an app client (see Scope). Give the
// unfiltered-by-pool stream to Consume or Detect with the pool's Scope, so
// that events of other pools and unattributed ones are counted, not lost.
type EventFilter struct {
	// Range is the half-open time range [Start, End) of the events.
	// TrailClient.Events requires it to lie within the 90 days that
	// LookupEvents covers, measured by TrailOptions.Clock.
	Range TimeRange
	// Names are exact, case-sensitive event names ("InitiateAuth",
	// "Token_POST", "login_POST").
	Names []string
	// Families are endpoint families (FamilyToken ...).
	Families []EndpointFamily
	// Kinds are event kinds.
	Kinds []EventKind
	// FailuresOnly keeps only events whose Outcome is OutcomeFailure or
	// OutcomeThrottled.
	FailuresOnly bool
	// ErrorCodes are exact error codes ("NotAuthorizedException").
	ErrorCodes []string
	// ClientIDs are app client IDs.
	ClientIDs []ClientID
	// SourceIPs are exact source IP addresses as CloudTrail records them.
	SourceIPs []string
}

// Validate checks the fields other than Range: names must be non-empty and
// fit the 2000 characters of a LookupEvents attribute value, kinds and families known, and
// client IDs valid. Range is checked by TrailClient.Events, since
// files have no range to respect.
func (f EventFilter) Validate() error {
	for _, n := range f.Names {
		if n == "" {
			return errors.New("event filter: empty event name")
		}
		if lookupValueLen(n) > 2000 {
			return fmt.Errorf("event filter: event name %q is longer than the 2000 characters LookupEvents accepts", text.Truncate(n))
		}
	}
	for _, fam := range f.Families {
		if fam.Names() == nil {
			return fmt.Errorf("event filter: unknown endpoint family %q", text.Truncate(string(fam)))
		}
	}
	for _, k := range f.Kinds {
		if !k.valid() {
			return fmt.Errorf("event filter: invalid event kind %d", int(k))
		}
	}
	for _, id := range f.ClientIDs {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("event filter: %w", err)
		}
	}
	return nil
}

// Match reports whether e passes every criterion of f. A zero Range does
// not restrict. Match does not validate f.
func (f EventFilter) Match(e Event) bool {
	if !f.Range.Start.IsZero() && e.Time.Before(f.Range.Start) {
		return false
	}
	if !f.Range.End.IsZero() && !e.Time.Before(f.Range.End) {
		return false
	}
	if len(f.Names) > 0 || len(f.Families) > 0 {
		if !slices.Contains(f.Names, e.Name) && !slices.Contains(f.Families, e.Family()) {
			return false
		}
	}
	if f.FailuresOnly && !e.Failed() {
		return false
	}
	if len(f.ErrorCodes) > 0 && !slices.Contains(f.ErrorCodes, e.ErrorCode) {
		return false
	}
	if len(f.ClientIDs) > 0 && !slices.Contains(f.ClientIDs, e.ClientID) {
		return false
	}
	if len(f.SourceIPs) > 0 && !slices.Contains(f.SourceIPs, e.SourceIP) {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind()) {
		return false
	}
	return true
}

// lookupValueLen is the length of a LookupEvents attribute value as AWS
// counts it: '_', ' ', ',' and newline count twice (FACTS.md 3.1).
func lookupValueLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '_', ' ', ',', '\n':
			n++
		}
	}
	return n
}

// eventNames returns the set of names that f allows, or nil when it allows
// every name.
func (f EventFilter) eventNames() []string {
	if len(f.Names) == 0 && len(f.Families) == 0 {
		return nil
	}
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range f.Names {
		add(n)
	}
	for _, fam := range f.Families {
		for _, n := range fam.Names() {
			add(n)
		}
	}
	return names
}

// lookupAttribute returns the one LookupEvents attribute for f: EventName
// when f allows exactly one event name, otherwise
// EventSource=cognito-idp.amazonaws.com.
func (f EventFilter) lookupAttribute() cttypes.LookupAttribute {
	if names := f.eventNames(); len(names) == 1 {
		return cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(names[0])}
	}
	return cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(UserPoolEventSource)}
}
