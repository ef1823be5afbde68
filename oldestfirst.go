package cognitomon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// OldestFirst returns the events of tc that match filter in ascending time
// order, as Detect wants them: TrailClient.Events yields newest first. It
// reads filter.Range in consecutive chunks of the given length (default
// five minutes), one TrailClient.Events call each, holds one chunk's events
// in memory and yields them sorted by time and event ID. Errors are yielded
// as TrailClient.Events yields them: a *ReadError about one record lets the
// sequence go on if the loop does, and comes before the events of its
// chunk; any other error ends it.
//
// The chunk is held as compact events, not as Events with their raw JSON:
// each takes 96 bytes, plus the bytes of its strings that no earlier event
// of the chunk had (the event and request IDs always; the addresses, user
// agents, error messages and other values repeat and are stored once),
// plus Raw for the kinds whose Raw is kept. Raw, the record's JSON, is kept
// only for KindAdminChange and KindOther events, whose requestParameters
// the admin-change rules read; for the high-volume kinds (sign-ins,
// refreshes, MFA, M2M tokens, federation, sign-ups, password resets) the
// events yielded have a nil Raw and every other field as TrailClient.Events
// gives it. A chunk thus takes events × 96 bytes plus its distinct
// strings: 240 to 300 bytes an event in all on testdata/trail and on a
// generated many-address day, whose records alone are about 900 bytes
// each. It never takes more than 64 MiB (about 250,000 such events): a
// chunk that would need more is read again as two halves of its range,
// down to one second, so nothing is dropped and the order stays exact, at
// the cost of the LookupEvents calls read again. A one-second range that
// alone needs more than 64 MiB ends the sequence with an error that says
// how many events it held.
func OldestFirst(ctx context.Context, tc *TrailClient, filter EventFilter, chunk time.Duration) iter.Seq2[Event, error] {
	return oldestFirst(ctx, tc, filter, chunk, maxChunkBytes)
}

// maxChunkBytes bounds the memory of OldestFirst's chunk.
const maxChunkBytes = 64 << 20

// minChunk is the shortest range OldestFirst splits a chunk into.
const minChunk = time.Second

func oldestFirst(ctx context.Context, tc *TrailClient, filter EventFilter, chunk time.Duration, budget int) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if chunk <= 0 {
			chunk = 5 * time.Minute
		}
		if err := filter.Range.Validate(); err != nil {
			yield(Event{}, fmt.Errorf("oldest first: %w", err))
			return
		}
		var buf compactChunk
		for start := filter.Range.Start; start.Before(filter.Range.End); start = start.Add(chunk) {
			r := TimeRange{Start: start, End: start.Add(chunk)}
			if r.End.After(filter.Range.End) {
				r.End = filter.Range.End
			}
			if !readChunk(ctx, tc, filter, r, &buf, budget, yield) {
				return
			}
		}
	}
}

// readChunk reads r into buf and yields it sorted. When buf outgrows
// budget, it reads r again as two halves. It returns false when the
// sequence must end.
func readChunk(ctx context.Context, tc *TrailClient, filter EventFilter, r TimeRange, buf *compactChunk, budget int, yield func(Event, error) bool) bool {
	buf.reset()
	f := filter
	f.Range = r
	for e, err := range tc.Events(ctx, f) {
		if err != nil {
			var re *ReadError
			if errors.As(err, &re) && re.EventID != "" {
				buf.errs = append(buf.errs, err)
				buf.bytes += 64 + len(err.Error())
			} else {
				yield(Event{}, err)
				return false
			}
		} else {
			buf.add(e)
		}
		if buf.bytes > budget {
			if r.End.Sub(r.Start) <= minChunk {
				yield(Event{}, fmt.Errorf("oldest first: the %d events from %s to %s need more than %s, the bound of one chunk", len(buf.events), r.Start.UTC().Format(time.RFC3339Nano), r.End.UTC().Format(time.RFC3339Nano), byteSize(budget)))
				return false
			}
			// LookupEvents returns both ends of a range (FACTS.md 3.1),
			// but Events keeps only [Start, End) (EventFilter.Match), so
			// an event at mid is read once, in the second half.
			mid := r.Start.Add(r.End.Sub(r.Start) / 2)
			return readChunk(ctx, tc, filter, TimeRange{Start: r.Start, End: mid}, buf, budget, yield) &&
				readChunk(ctx, tc, filter, TimeRange{Start: mid, End: r.End}, buf, budget, yield)
		}
	}
	for _, err := range buf.errs {
		if !yield(Event{}, err) {
			return false
		}
	}
	slices.SortStableFunc(buf.events, func(a, b compactEvent) int {
		return cmp.Or(cmp.Compare(a.sec, b.sec), cmp.Compare(a.nsec, b.nsec), strings.Compare(buf.strs[a.s[csEventID]], buf.strs[b.s[csEventID]]))
	})
	for i := range buf.events {
		if !yield(buf.event(&buf.events[i]), nil) {
			return false
		}
	}
	return true
}

// byteSize formats n bytes as MiB when it is a whole number of them.
func byteSize(n int) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// The string fields of a compact event, as indices into its chunk's
// strings.
const (
	csEventID = iota
	csName
	csType
	csErrorCode
	csErrorMessage
	csSourceIP
	csUserAgent
	csUserPoolID
	csClientID
	csAuthFlow
	csChallengeName
	csGrantType
	csSub
	csCallerType
	csCallerARN
	csRegion
	csAccount
	csRequestID
	csCount
)

// compactEvent is an Event with its strings stored once per chunk.
type compactEvent struct {
	sec    int64
	nsec   int32
	status int32 // HTTPStatus
	s      [csCount]uint32
	raw    int32 // index into the chunk's raws, or -1
	ro     bool
}

// compactEventSize is what a compact event itself takes; the doc of
// OldestFirst states it.
const compactEventSize = int(unsafe.Sizeof(compactEvent{}))

// maxInterned bounds the index of distinct strings a chunk keeps; past it,
// strings are stored without looking for an earlier copy.
const maxInterned = 1 << 16

// compactChunk holds one chunk's events compactly.
type compactChunk struct {
	events []compactEvent
	strs   []string // strs[0] is ""
	index  map[string]uint32
	raws   [][]byte
	errs   []error
	bytes  int // the memory accounted for
}

func (c *compactChunk) reset() {
	c.events = c.events[:0]
	c.strs = append(c.strs[:0], "")
	clear(c.index)
	if c.index == nil {
		c.index = map[string]uint32{"": 0}
	}
	c.index[""] = 0
	clear(c.raws)
	c.raws = c.raws[:0]
	c.errs = nil
	c.bytes = 0
}

// intern returns the index of s, storing it when it is new; unique says
// that s (an event or request ID) has no earlier copy to look for.
func (c *compactChunk) intern(s string, unique bool) uint32 {
	if s == "" {
		return 0
	}
	if !unique {
		if i, ok := c.index[s]; ok {
			return i
		}
	}
	i := uint32(len(c.strs))
	c.strs = append(c.strs, s)
	c.bytes += 16 + len(s)
	if !unique && len(c.index) < maxInterned {
		c.index[s] = i
		c.bytes += 32
	}
	return i
}

func (c *compactChunk) add(e Event) {
	ce := compactEvent{sec: e.Time.Unix(), nsec: int32(e.Time.Nanosecond()), status: int32(e.HTTPStatus), raw: -1, ro: e.ReadOnly}
	ce.s[csEventID] = c.intern(e.EventID, true)
	ce.s[csName] = c.intern(e.Name, false)
	ce.s[csType] = c.intern(string(e.Type), false)
	ce.s[csErrorCode] = c.intern(e.ErrorCode, false)
	ce.s[csErrorMessage] = c.intern(e.ErrorMessage, false)
	ce.s[csSourceIP] = c.intern(e.SourceIP, false)
	ce.s[csUserAgent] = c.intern(e.UserAgent, false)
	ce.s[csUserPoolID] = c.intern(string(e.UserPoolID), false)
	ce.s[csClientID] = c.intern(string(e.ClientID), false)
	ce.s[csAuthFlow] = c.intern(e.AuthFlow, false)
	ce.s[csChallengeName] = c.intern(e.ChallengeName, false)
	ce.s[csGrantType] = c.intern(e.GrantType, false)
	ce.s[csSub] = c.intern(e.Sub, false)
	ce.s[csCallerType] = c.intern(e.CallerType, false)
	ce.s[csCallerARN] = c.intern(e.CallerARN, false)
	ce.s[csRegion] = c.intern(e.Region, false)
	ce.s[csAccount] = c.intern(e.Account, false)
	ce.s[csRequestID] = c.intern(e.RequestID, true)
	if e.Raw != nil && rawKept(e) {
		ce.raw = int32(len(c.raws))
		c.raws = append(c.raws, e.Raw)
		c.bytes += 24 + len(e.Raw)
	}
	c.events = append(c.events, ce)
	c.bytes += compactEventSize
}

// event rebuilds the Event of ce.
func (c *compactChunk) event(ce *compactEvent) Event {
	e := Event{
		EventID:       c.strs[ce.s[csEventID]],
		Time:          time.Unix(ce.sec, int64(ce.nsec)).UTC(),
		Name:          c.strs[ce.s[csName]],
		Type:          EventType(c.strs[ce.s[csType]]),
		ErrorCode:     c.strs[ce.s[csErrorCode]],
		ErrorMessage:  c.strs[ce.s[csErrorMessage]],
		SourceIP:      c.strs[ce.s[csSourceIP]],
		UserAgent:     c.strs[ce.s[csUserAgent]],
		UserPoolID:    UserPoolID(c.strs[ce.s[csUserPoolID]]),
		ClientID:      ClientID(c.strs[ce.s[csClientID]]),
		AuthFlow:      c.strs[ce.s[csAuthFlow]],
		ChallengeName: c.strs[ce.s[csChallengeName]],
		GrantType:     c.strs[ce.s[csGrantType]],
		Sub:           c.strs[ce.s[csSub]],
		HTTPStatus:    int(ce.status),
		CallerType:    c.strs[ce.s[csCallerType]],
		CallerARN:     c.strs[ce.s[csCallerARN]],
		Region:        c.strs[ce.s[csRegion]],
		Account:       c.strs[ce.s[csAccount]],
		RequestID:     c.strs[ce.s[csRequestID]],
		ReadOnly:      ce.ro,
	}
	if ce.raw >= 0 {
		e.Raw = c.raws[ce.raw]
	}
	return e
}

// rawKept reports whether a compact buffer keeps e's Raw: for admin
// changes and the rare kinds no analysis counts (KindOther: single-user
// admin operations, reads, sign-outs), whose requestParameters
// checks.AdminChangeRule.Match may read, but not for the high-volume kinds.
func rawKept(e Event) bool {
	k := e.Kind()
	return k == KindAdminChange || k == KindOther
}
