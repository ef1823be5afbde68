package cognitomon

import (
	"fmt"

	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// Scope is what a run is about: one user pool, its app clients, its Region
// and a time range. Consume, Detect, LearnBaseline, TrailClient.Events (through
// EventFilter.Scope) and the analyses all decide the same way which events
// belong to it:
//
//   - An event outside Range is outside the scope (counted as OutsideRange).
//   - An event of another Region is outside it (OtherRegions).
//   - An event that names a pool belongs to that pool: in scope if it is
//     UserPool, else counted under OtherPools.
//   - An event that names no pool (API calls such as InitiateAuth carry
//     only the app client, FACTS.md 2.3 [X]) is attributed by its app
//     client: in scope if the client is in Clients or was seen in an event
//     of UserPool earlier in the stream, of another pool if it was seen in
//     that pool's events, and otherwise (or when it was seen with both)
//     unattributed. Unattributed events
//     are counted and their clients listed in Coverage, never counted for
//     the pool: pass the pool's clients (Clients, or a client list from the
//     pool's configuration) to attribute them.
//
// The zero Scope keeps every event: with no UserPool, events of every pool
// are in scope (Coverage.Pools says which were seen), and with a zero Range
// the run covers the events' own span.
type Scope struct {
	// UserPool is the pool, or "" for every pool.
	UserPool UserPoolID
	// Clients are the pool's known app clients, such as ClientIDs from
	// its configuration or ListMetrics. Pseudo-clients (AdminClient ...)
	// are ignored.
	Clients []ClientID
	// Region is the Region of the events. Default: UserPool.Region(), or
	// any Region when UserPool is "".
	Region string
	// Range is the half-open time range of the events; the zero value does
	// not restrict.
	Range TimeRange
}

// Validate checks the pool and client IDs, that Region, when set, is the
// pool's (a pool lives in one Region, FACTS.md 1.1), and that a non-zero
// Range is well formed.
func (s Scope) Validate() error {
	if s.UserPool != "" {
		if err := s.UserPool.Validate(); err != nil {
			return fmt.Errorf("scope: %w", err)
		}
		if s.Region != "" && s.Region != s.UserPool.Region() {
			return fmt.Errorf("scope: Region %s is not the Region of user pool %s (%s)", s.Region, s.UserPool, s.UserPool.Region())
		}
	}
	for _, c := range s.Clients {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("scope: %w", err)
		}
	}
	if !s.Range.IsZero() {
		if err := s.Range.Validate(); err != nil {
			return fmt.Errorf("scope: %w", err)
		}
	}
	return nil
}

func (s Scope) region() string {
	if s.Region != "" {
		return s.Region
	}
	if s.UserPool != "" {
		return s.UserPool.Region()
	}
	return ""
}

// verdict is where an event stands with respect to a scope.
type verdict uint8

const (
	inScope verdict = iota
	outsideRange
	otherRegion
	otherPool
	unattributed
	noSuchClient
)

// maxLearnedClients bounds how many app clients a scoper learns from the
// stream, per pool.
const maxLearnedClients = 10_000

// scoper applies a Scope to a stream, learning which pool each app client
// belongs to from the events that name both.
type scoper struct {
	s      Scope
	region string
	given  map[ClientID]bool
	mine   map[ClientID]bool
	others map[ClientID]UserPoolID
}

func newScoper(s Scope) *scoper {
	sc := &scoper{s: s, region: s.region(), given: map[ClientID]bool{}, mine: map[ClientID]bool{}, others: map[ClientID]UserPoolID{}}
	for _, c := range s.Clients {
		if !c.IsPseudo() {
			sc.given[c] = true
		}
	}
	return sc
}

// judge returns e's verdict and learns from it.
func (sc *scoper) judge(e Event) verdict {
	if !sc.s.Range.IsZero() && !sc.s.Range.Contains(e.Time) {
		return outsideRange
	}
	if sc.region != "" && e.Region != "" && e.Region != sc.region {
		return otherRegion
	}
	if e.UserPoolID != "" {
		sc.learn(e)
		if sc.s.UserPool == "" || e.UserPoolID == sc.s.UserPool {
			return inScope
		}
		return otherPool
	}
	if sc.s.UserPool == "" {
		return inScope
	}
	if e.ClientID != "" {
		_, theirs := sc.others[e.ClientID]
		switch {
		case sc.given[e.ClientID]:
			return inScope
		case sc.mine[e.ClientID] && theirs:
			// Seen in events of this pool and of another: an app client
			// ID belongs to one pool, so the stream is ambiguous.
			return unattributed
		case sc.mine[e.ClientID]:
			return inScope
		case theirs:
			return otherPool
		}
	}
	if e.ErrorCode == eventnames.ResourceNotFoundException {
		return noSuchClient
	}
	return unattributed
}

func (sc *scoper) learn(e Event) {
	if e.ClientID == "" || e.ClientID.IsPseudo() || e.ClientID.Validate() != nil {
		return
	}
	if sc.given[e.ClientID] {
		return
	}
	if e.UserPoolID == sc.s.UserPool {
		if !sc.mine[e.ClientID] && len(sc.mine) < maxLearnedClients {
			sc.mine[e.ClientID] = true
		}
		return
	}
	if _, ok := sc.others[e.ClientID]; !ok && len(sc.others) < maxLearnedClients {
		sc.others[e.ClientID] = e.UserPoolID
	}
}
