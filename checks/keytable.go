package checks

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"math/bits"
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
//
// Entries live in chunks, of 16, 32 ... 512 entries and then of keyChunk
// (so that a table of a few keys stays small), linked by int32
// positions rather than pointers: an entry costs its key, eight bytes of
// links and V, with no allocation of its own, and the pointers *V handed
// out stay valid until the key is dropped. The slots of dropped keys are
// reused before the table grows. Keys are found through an open-addressing
// index of int32 slots (linear probing, at most half full, deletion by
// backward shift) rather than a map, so a key's string is held once and
// the index costs 8 to 16 bytes a key.
type keyTable[V any] struct {
	max, protMax int
	idx          []int32 // slot+1 of each key at its hash's place, or 0
	n            int     // keys held
	seed         maphash.Seed
	chunks       [][]keyEntry[V]
	used         int32   // slots ever handed out
	free         []int32 // slots of expired keys, for reuse
	prob, prot   keyList
	onEvict      func(key string, v *V)
}

// keyChunk is how many entries a chunk holds.
const keyChunk = 1024

// nilSlot ends a list.
const nilSlot = -1

type keyEntry[V any] struct {
	key        string
	prev, next int32
	h          uint32 // the key's hash
	protected  bool
	v          V
}

type keyList struct {
	front, back int32 // most and least recently used, or nilSlot
	n           int
}

// smallSlots is how many entries the six growing chunks hold.
const smallSlots = 16 + 32 + 64 + 128 + 256 + 512

// chunkOf returns the chunk of slot i, its position in it and the chunk's
// size.
func chunkOf(i int32) (chunk, off, size int) {
	if i < smallSlots {
		u := uint32(i) + 16
		k := bits.Len32(u) - 5
		return k, int(u - 16<<k), 16 << k
	}
	j := int(i - smallSlots)
	return 6 + j/keyChunk, j % keyChunk, keyChunk
}

func (t *keyTable[V]) at(i int32) *keyEntry[V] {
	c, off, _ := chunkOf(i)
	return &t.chunks[c][off]
}

func (t *keyTable[V]) pushFront(l *keyList, i int32) {
	e := t.at(i)
	e.prev, e.next = nilSlot, l.front
	if l.front != nilSlot {
		t.at(l.front).prev = i
	} else {
		l.back = i
	}
	l.front = i
	l.n++
}

func (t *keyTable[V]) remove(l *keyList, i int32) {
	e := t.at(i)
	if e.prev != nilSlot {
		t.at(e.prev).next = e.next
	} else {
		l.front = e.next
	}
	if e.next != nilSlot {
		t.at(e.next).prev = e.prev
	} else {
		l.back = e.prev
	}
	e.prev, e.next = nilSlot, nilSlot
	l.n--
}

func newKeyTable[V any](capacity int, onEvict func(string, *V)) *keyTable[V] {
	capacity = min(max(capacity, 1), math.MaxInt32)
	return &keyTable[V]{
		max: capacity, protMax: max(1, capacity*4/5),
		seed:    maphash.MakeSeed(),
		prob:    keyList{front: nilSlot, back: nilSlot},
		prot:    keyList{front: nilSlot, back: nilSlot},
		onEvict: onEvict,
	}
}

func (t *keyTable[V]) hash(key string) uint32 { return uint32(maphash.String(t.seed, key)) }

// find returns the index position of key and its slot, or the empty
// position where it would go and nilSlot.
func (t *keyTable[V]) find(key string, h uint32) (pos int, slot int32) {
	if len(t.idx) == 0 {
		return 0, nilSlot
	}
	mask := len(t.idx) - 1
	for p := int(h) & mask; ; p = (p + 1) & mask {
		s := t.idx[p]
		if s == 0 {
			return p, nilSlot
		}
		if e := t.at(s - 1); e.h == h && e.key == key {
			return p, s - 1
		}
	}
}

// index records slot, whose entry holds its key and hash, in the index.
func (t *keyTable[V]) index(slot int32) {
	if 2*(t.n+1) > len(t.idx) {
		old := t.idx
		t.idx = make([]int32, max(16, 2*len(old)))
		for _, s := range old {
			if s != 0 {
				t.place(s)
			}
		}
	}
	t.place(slot + 1)
	t.n++
}

// place puts s (a slot+1) at the first free position from its hash's.
func (t *keyTable[V]) place(s int32) {
	mask := len(t.idx) - 1
	p := int(t.at(s-1).h) & mask
	for t.idx[p] != 0 {
		p = (p + 1) & mask
	}
	t.idx[p] = s
}

// unindex removes the key at index position pos, shifting back the keys
// after it that probed past it.
func (t *keyTable[V]) unindex(pos int) {
	mask := len(t.idx) - 1
	t.idx[pos] = 0
	t.n--
	for j := (pos + 1) & mask; t.idx[j] != 0; j = (j + 1) & mask {
		home := int(t.at(t.idx[j]-1).h) & mask
		// Move the key at j to the hole unless its home lies
		// cyclically in (pos, j].
		if (j > pos && (home <= pos || home > j)) || (j < pos && home <= pos && home > j) {
			t.idx[pos], t.idx[j] = t.idx[j], 0
			pos = j
		}
	}
}

// drop removes the key of slot i from the index.
func (t *keyTable[V]) drop(i int32) {
	e := t.at(i)
	pos, _ := t.find(e.key, e.h)
	t.unindex(pos)
}

// get returns the state of key, creating it (and dropping another key if
// the table is full) when it is new.
func (t *keyTable[V]) get(key string) (v *V, created bool) {
	h := t.hash(key)
	if _, i := t.find(key, h); i != nilSlot {
		e := t.at(i)
		if e.protected {
			t.remove(&t.prot, i)
			t.pushFront(&t.prot, i)
			return &e.v, false
		}
		t.remove(&t.prob, i)
		e.protected = true
		t.pushFront(&t.prot, i)
		if t.prot.n > t.protMax {
			d := t.prot.back
			t.remove(&t.prot, d)
			t.at(d).protected = false
			t.pushFront(&t.prob, d)
		}
		return &e.v, false
	}
	var i int32
	switch {
	case t.n >= t.max:
		l := &t.prob
		if l.n == 0 {
			l = &t.prot
		}
		i = l.back
		t.remove(l, i)
		t.drop(i)
		e := t.at(i)
		if t.onEvict != nil {
			t.onEvict(e.key, &e.v)
		}
		var zero V
		e.v, e.protected = zero, false
	case len(t.free) > 0:
		i = t.free[len(t.free)-1]
		t.free = t.free[:len(t.free)-1]
	default:
		i = t.used
		if c, _, size := chunkOf(i); c == len(t.chunks) {
			t.chunks = append(t.chunks, make([]keyEntry[V], min(size, t.max-int(i))))
		}
		t.used++
	}
	e := t.at(i)
	e.key, e.h = key, h
	t.pushFront(&t.prob, i)
	t.index(i)
	return &e.v, true
}

// lookup returns the state of key, touching its place as get does, or nil
// when the table does not hold it.
func (t *keyTable[V]) lookup(key string) *V {
	if _, i := t.find(key, t.hash(key)); i == nilSlot {
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
	for _, l := range []*keyList{&t.prob, &t.prot} {
		for l.n > 0 {
			i := l.back
			e := t.at(i)
			if !done(e.key, &e.v) {
				break
			}
			t.remove(l, i)
			t.drop(i)
			var zero keyEntry[V]
			*e = zero
			t.free = append(t.free, i)
		}
	}
}

// peek returns the state of key without touching its place, or nil.
func (t *keyTable[V]) peek(key string) *V {
	if _, i := t.find(key, t.hash(key)); i != nilSlot {
		return &t.at(i).v
	}
	return nil
}

// each calls fn for every key, most recently used first in each list.
func (t *keyTable[V]) each(fn func(key string, v *V)) {
	for _, l := range []*keyList{&t.prot, &t.prob} {
		for i := l.front; i != nilSlot; {
			e := t.at(i)
			i = e.next
			fn(e.key, &e.v)
		}
	}
}

// insertSmall inserts v at i as slices.Insert does, but grows a full slice
// by a quarter (at least one element) instead of doubling it: the slices of
// per-key state are short, and most never grow again.
func insertSmall[S ~[]E, E any](s S, i int, v E) S {
	if len(s) == cap(s) {
		n := make(S, len(s), len(s)+max(1, len(s)/4))
		copy(n, s)
		s = n
	}
	return slices.Insert(s, i, v)
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
