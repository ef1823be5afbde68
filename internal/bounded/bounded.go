// Package bounded holds the project's one family of bounded counters: the
// Space-Saving algorithm (Metwally, Agrawal and El Abbadi, 2005) that ranks
// the keys seen most often in a stream in memory fixed in advance.
//
// A table tracks at most a fixed number of keys. When a new key arrives with
// the table full, it takes the place of the key with the smallest count and
// inherits that count as its possible overcount, so a key's true count lies
// in [Count-Error, Count] and every key whose true count exceeds
// total/capacity is tracked.
//
// Two layouts share that rule and the item type: Table, a min-heap with an
// index for large capacities (the analyses' ranked tables), and Small, a
// slice scanned in order for the few contributors a finding names. They
// differ only in which of several equal smallest counts is replaced: Table
// replaces the heap's root, Small the first in the slice.
package bounded

import (
	"cmp"
	"slices"
)

// Counted is one tracked key with its estimated count.
type Counted[K comparable] struct {
	// Key is what was counted.
	Key K
	// Count is an upper bound of the key's true count.
	Count int64
	// Error bounds the overcount: the true count is at least Count-Error.
	Error int64
}

// Compare orders items highest Count first, then lowest Error, then by
// key with compareKeys.
func Compare[K comparable](a, b Counted[K], compareKeys func(a, b K) int) int {
	if c := cmp.Compare(b.Count, a.Count); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Error, b.Error); c != 0 {
		return c
	}
	return compareKeys(a.Key, b.Key)
}

// Sort sorts items in Compare's order.
func Sort[K cmp.Ordered](items []Counted[K]) {
	slices.SortFunc(items, func(a, b Counted[K]) int { return Compare(a, b, cmp.Compare[K]) })
}

// Table is a Space-Saving table of at most a fixed number of keys, each
// with a payload P that starts afresh (from the table's fresh function, or
// P's zero value) when its item takes the place of an evicted one. Add is
// O(log capacity).
type Table[K comparable, P any] struct {
	capacity int
	fresh    func() P
	index    map[K]*item[K, P]
	heap     []*item[K, P]
	total    int64
	evicted  bool
}

type item[K comparable, P any] struct {
	Counted[K]
	pos     int // position in heap
	payload P
}

// NewTable returns an empty table of at most capacity keys (at least 1).
// fresh, when not nil, makes the payload of a newly tracked key.
func NewTable[K comparable, P any](capacity int, fresh func() P) *Table[K, P] {
	capacity = max(capacity, 1)
	return &Table[K, P]{capacity: capacity, fresh: fresh, index: make(map[K]*item[K, P], min(capacity, 1024))}
}

func (t *Table[K, P]) newPayload() P {
	if t.fresh == nil {
		var zero P
		return zero
	}
	return t.fresh()
}

// Add counts one occurrence of key and returns its payload.
func (t *Table[K, P]) Add(key K) *P {
	t.total++
	if it, ok := t.index[key]; ok {
		it.Count++
		t.down(it.pos)
		return &it.payload
	}
	if len(t.heap) < t.capacity {
		it := &item[K, P]{Counted: Counted[K]{Key: key, Count: 1}, pos: len(t.heap), payload: t.newPayload()}
		t.heap = append(t.heap, it)
		t.index[key] = it
		t.up(it.pos)
		return &it.payload
	}
	t.evicted = true
	it := t.heap[0]
	delete(t.index, it.Key)
	it.Counted = Counted[K]{Key: key, Count: it.Count + 1, Error: it.Count}
	it.payload = t.newPayload()
	t.index[key] = it
	t.down(0)
	return &it.payload
}

// Total is the exact number of occurrences counted.
func (t *Table[K, P]) Total() int64 { return t.total }

// Capacity is the most keys tracked at once.
func (t *Table[K, P]) Capacity() int { return t.capacity }

// Exact reports whether no key was ever replaced, so that every count is
// exact and every key is tracked.
func (t *Table[K, P]) Exact() bool { return !t.evicted }

// Len is the number of keys tracked.
func (t *Table[K, P]) Len() int { return len(t.heap) }

// Each calls fn for every tracked key in Compare's order with compareKeys,
// with its payload, until fn returns false.
func (t *Table[K, P]) Each(compareKeys func(a, b K) int, fn func(c Counted[K], payload *P) bool) {
	items := slices.Clone(t.heap)
	slices.SortFunc(items, func(a, b *item[K, P]) int { return Compare(a.Counted, b.Counted, compareKeys) })
	for _, it := range items {
		if !fn(it.Counted, &it.payload) {
			return
		}
	}
}

// Items returns the tracked keys in Compare's order with compareKeys.
func (t *Table[K, P]) Items(compareKeys func(a, b K) int) []Counted[K] {
	out := make([]Counted[K], 0, len(t.heap))
	t.Each(compareKeys, func(c Counted[K], _ *P) bool {
		out = append(out, c)
		return true
	})
	return out
}

func (t *Table[K, P]) swap(i, j int) {
	t.heap[i], t.heap[j] = t.heap[j], t.heap[i]
	t.heap[i].pos, t.heap[j].pos = i, j
}

func (t *Table[K, P]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if t.heap[p].Count <= t.heap[i].Count {
			return
		}
		t.swap(i, p)
		i = p
	}
}

func (t *Table[K, P]) down(i int) {
	n := len(t.heap)
	for {
		m := 2*i + 1
		if m >= n {
			return
		}
		if r := m + 1; r < n && t.heap[r].Count < t.heap[m].Count {
			m = r
		}
		if t.heap[m].Count >= t.heap[i].Count {
			return
		}
		t.swap(i, m)
		i = m
	}
}

// Small is a Space-Saving table for a handful of keys, kept as a slice
// scanned in order: smaller and faster than Table below a dozen keys, and
// its zero value is ready to use. Its capacity is given on each Add, so it
// costs no more than its items.
type Small[K comparable] []Counted[K]

// Add counts one occurrence of k in a table of at most capacity keys.
func (s *Small[K]) Add(k K, capacity int) {
	c := *s
	m := 0
	for i := range c {
		if c[i].Key == k {
			c[i].Count++
			return
		}
		if c[i].Count < c[m].Count {
			m = i
		}
	}
	if len(c) < capacity {
		if len(c) == cap(c) {
			// Grow by one item, not by doubling: most tables of a
			// stream stay at one or two keys, and a table costs no
			// more than its items.
			c = append(make(Small[K], 0, len(c)+1), c...)
		}
		*s = append(c, Counted[K]{Key: k, Count: 1})
		return
	}
	c[m] = Counted[K]{Key: k, Count: c[m].Count + 1, Error: c[m].Count}
}
