package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
)

// Consumer receives events one at a time. The analyses (package
// analysis), the Detector and the baseline learner (package checks) are
// Consumers, so one pass over a stream can feed them all (see Consume).
//
// Add is called once per event, in stream order, from one goroutine; a
// Consumer need not be safe for concurrent use. Add cannot fail: a consumer
// that has to leave an event out (a memory bound, an event too late for
// its window) counts that itself and says so in its result. Add must treat
// e.Raw as read-only: it is shared with the other consumers, and it may be
// nil (OldestFirst and ReadOptions.LeanRaw keep it only for admin changes
// and other events). A consumer that also has a method Covered(*Coverage)
// is given the pass's Coverage when Consume ends.
type Consumer interface {
	// Add takes one in-scope event.
	Add(e Event)
}

// Consume reads events once and gives each event that is in scope to every
// consumer, in order. It returns the Coverage of the pass: what was read,
// what was in scope, and what was left out and why (see Scope for the rule).
// Consumers of this package take the Coverage into their results.
//
// A *ReadError about one record or one log file is counted
// (UnreadableRecords, Files.Unreadable) and reading goes on; at the end,
// Consume then returns the Coverage with an error wrapping ErrIncomplete
// that says how much could not be read. Any other error from the stream
// (a failed LookupEvents call) and a done ctx stop the pass: the Coverage
// says Partial, the consumers keep what they were given, and the error
// wraps ErrIncomplete and the cause (ctx.Err() for a cancelled context).
// Only an invalid scope returns a nil Coverage.
func Consume(ctx context.Context, events iter.Seq2[Event, error], scope Scope, consumers ...Consumer) (*Coverage, error) {
	if err := scope.Validate(); err != nil {
		return nil, err
	}
	for i, c := range consumers {
		if c == nil {
			return nil, fmt.Errorf("consume: consumer %d is nil", i)
		}
	}
	cov := &Coverage{Requested: scope.Range, ReadsEvents: true}
	sc := newScoper(scope)
	unattr := map[ClientID]int64{}
	var stop error
	n := 0
	for e, err := range events {
		if n++; n%1024 == 0 && ctx.Err() != nil {
			stop = ctx.Err()
			break
		}
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) || ctx.Err() != nil {
				stop = cmpErr(ctx.Err(), err)
				break
			}
			if re.FileError() {
				cov.Files.Unreadable++
				cov.Notes = appendNote(cov.Notes, re.Error())
			} else {
				cov.UnreadableRecords++
				cov.Notes = appendNote(cov.Notes, re.Error())
			}
			continue
		}
		cov.Read++
		switch sc.judge(e) {
		case outsideRange:
			cov.OutsideRange++
			continue
		case otherRegion:
			cov.OtherRegions++
			continue
		case otherPool:
			cov.OtherPools++
			continue
		case noSuchClient:
			cov.NoSuchClient++
			continue
		case unattributed:
			cov.Unattributed++
			if _, ok := unattr[e.ClientID]; ok || len(unattr) < 1000 {
				unattr[e.ClientID]++
			}
			continue
		}
		cov.InScope++
		cov.see(e.Time)
		if scope.UserPool == "" {
			if cov.Pools == nil {
				cov.Pools = map[UserPoolID]int64{}
			}
			if _, ok := cov.Pools[e.UserPoolID]; ok || len(cov.Pools) < 1000 {
				cov.Pools[e.UserPoolID]++
			}
		}
		for _, c := range consumers {
			c.Add(e)
		}
	}
	if stop == nil && ctx.Err() != nil {
		stop = ctx.Err()
	}
	cov.UnattributedClients = topClients(unattr, 10)
	if ids := cov.PoolIDs(); len(ids) > 1 {
		cov.Notes = append(cov.Notes, fmt.Sprintf("events of %d user pools (%s): the result covers them all; choose one to report on one", len(ids), joinIDs(ids, 5)))
	}
	var err error
	switch {
	case stop != nil:
		cov.Partial = true
		err = fmt.Errorf("%w: reading stopped after %d events: %w", ErrIncomplete, cov.Read, stop)
	case cov.UnreadableRecords > 0 || cov.Files.Unreadable > 0:
		err = fmt.Errorf("%w: %d records and %d log files could not be read", ErrIncomplete, cov.UnreadableRecords, cov.Files.Unreadable)
	}
	for _, c := range consumers {
		if cc, ok := c.(interface{ Covered(*Coverage) }); ok {
			cc.Covered(cov)
		}
	}
	return cov, err
}

// maxReadNotes bounds the unreadable-data notes kept in a Coverage; the
// counts are always whole.
const maxReadNotes = 10

func appendNote(notes []string, n string) []string {
	if len(notes) < maxReadNotes {
		return append(notes, n)
	}
	return notes
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func joinIDs(ids []UserPoolID, n int) string {
	s := make([]string, 0, n)
	for _, id := range ids[:min(n, len(ids))] {
		s = append(s, string(id))
	}
	out := strings.Join(s, ", ")
	if len(ids) > n {
		out += fmt.Sprintf(" and %d more", len(ids)-n)
	}
	return out
}

// coverageOf is embedded in this package's consumers: Consume hands it the
// pass's Coverage at the end, for their results.
type coverageOf struct{ cov Coverage }

// Covered records the Coverage of the pass that fed the consumer, for its
// result. Consume calls it at the end of the pass.
func (c *coverageOf) Covered(cov *Coverage) {
	c.cov = *cov
	c.cov.Notes = slices.Clone(cov.Notes)
}
