package checks

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/bounded"
)

// topTrack is how many contributors a rule tracks to rank topCap.
const topTrack = 8

// topCounter ranks contributors with the Space-Saving algorithm in a table
// of at most topTrack keys.
type topCounter struct{ s bounded.Small[string] }

func (t *topCounter) add(k string) { t.s.Add(k, topTrack) }

// list returns the topCap highest, most first.
func (t topCounter) list() []cognitomon.Counted[string] {
	out := slices.Clone([]cognitomon.Counted[string](t.s))
	sortCounted(out)
	return out[:min(len(out), topCap)]
}

func sortCounted(cs []cognitomon.Counted[string]) { bounded.Sort(cs) }

// keyTable holds per-key state for at most max keys, as a segmented LRU: a
// new key enters a probation list, a key seen again moves to a protected
// list of at most four fifths of the table, and the least recently used
// probation key is dropped first. A flood of keys seen once thus cannot
// push out keys that keep coming back.
type keyTable[V any] struct {
	max, protMax int
	m            map[string]*keyEntry[V]
	prob, prot   keyList[V]
	onEvict      func(key string, v *V)
}

type keyEntry[V any] struct {
	key        string
	prev, next *keyEntry[V]
	protected  bool
	v          V
}

type keyList[V any] struct {
	root keyEntry[V] // root.next is the front (most recent)
	n    int
}

func (l *keyList[V]) lazyInit() {
	if l.root.next == nil {
		l.root.next, l.root.prev = &l.root, &l.root
	}
}

func (l *keyList[V]) pushFront(e *keyEntry[V]) {
	l.lazyInit()
	e.prev, e.next = &l.root, l.root.next
	l.root.next.prev = e
	l.root.next = e
	l.n++
}

func (l *keyList[V]) remove(e *keyEntry[V]) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	l.n--
}

func (l *keyList[V]) back() *keyEntry[V] {
	if l.n == 0 {
		return nil
	}
	return l.root.prev
}

func newKeyTable[V any](capacity int, onEvict func(string, *V)) *keyTable[V] {
	capacity = max(capacity, 1)
	return &keyTable[V]{max: capacity, protMax: max(1, capacity*4/5), m: make(map[string]*keyEntry[V], min(capacity, 1024)), onEvict: onEvict}
}

// get returns the state of key, creating it (and dropping another key if
// the table is full) when it is new.
func (t *keyTable[V]) get(key string) (v *V, created bool) {
	if e, ok := t.m[key]; ok {
		if e.protected {
			t.prot.remove(e)
			t.prot.pushFront(e)
			return &e.v, false
		}
		t.prob.remove(e)
		e.protected = true
		t.prot.pushFront(e)
		if t.prot.n > t.protMax {
			d := t.prot.back()
			t.prot.remove(d)
			d.protected = false
			t.prob.pushFront(d)
		}
		return &e.v, false
	}
	var e *keyEntry[V]
	if len(t.m) >= t.max {
		e = t.prob.back()
		if e != nil {
			t.prob.remove(e)
		} else {
			e = t.prot.back()
			t.prot.remove(e)
		}
		delete(t.m, e.key)
		if t.onEvict != nil {
			t.onEvict(e.key, &e.v)
		}
		var zero V
		e.v, e.protected = zero, false
	} else {
		e = new(keyEntry[V])
	}
	e.key = key
	t.prob.pushFront(e)
	t.m[key] = e
	return &e.v, true
}

// lookup returns the state of key, touching its place as get does, or nil
// when the table does not hold it.
func (t *keyTable[V]) lookup(key string) *V {
	if _, ok := t.m[key]; !ok {
		return nil
	}
	v, _ := t.get(key)
	return v
}

// expire drops keys from the least recently used end of each list for as
// long as done says their state is of no more use, without calling
// onEvict. In a stream in time order the least recently used keys are
// those with the oldest events, so this drops the idle keys at a cost of
// one call per key dropped and one per list.
func (t *keyTable[V]) expire(done func(key string, v *V) bool) {
	for _, l := range []*keyList[V]{&t.prob, &t.prot} {
		for e := l.back(); e != nil && done(e.key, &e.v); e = l.back() {
			l.remove(e)
			delete(t.m, e.key)
		}
	}
}

// peek returns the state of key without touching its place, or nil.
func (t *keyTable[V]) peek(key string) *V {
	if e, ok := t.m[key]; ok {
		return &e.v
	}
	return nil
}

// each calls fn for every key, in no particular order.
func (t *keyTable[V]) each(fn func(key string, v *V)) {
	for k, e := range t.m {
		fn(k, &e.v)
	}
}

// floorDivInt64 divides rounding towards negative infinity.
func floorDivInt64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// clipRange returns r cut to within lim; an r that would become empty is
// returned as it is.
func clipRange(r, lim cognitomon.TimeRange) cognitomon.TimeRange {
	out := r
	if out.Start.Before(lim.Start) {
		out.Start = lim.Start
	}
	if out.End.After(lim.End) {
		out.End = lim.End
	}
	if !out.Start.Before(out.End) {
		return r
	}
	return out
}

// pointWindow is the window of findings about single events: the seconds
// from first to last, inclusive.
func pointWindow(first, last time.Time) cognitomon.TimeRange {
	return cognitomon.TimeRange{Start: first.UTC().Truncate(time.Second), End: last.UTC().Truncate(time.Second).Add(time.Second)}
}

// fmtNumber formats a count without decimals and anything else with at
// most three decimals.
func fmtNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// fmtPercent formats a rate from 0 to 1 as a percentage with one decimal.
func fmtPercent(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

// requestParameters decodes the requestParameters of an event's record,
// or returns nil when it has none.
func requestParameters(e cognitomon.Event) map[string]any {
	if len(e.Raw) == 0 {
		return nil
	}
	var rec struct {
		RequestParameters map[string]any `json:"requestParameters"`
	}
	if json.Unmarshal(e.Raw, &rec) != nil {
		return nil
	}
	return rec.RequestParameters
}
