package cognitomon

import (
	"cmp"
	"slices"
)

// The analyses: each is a Consumer that keeps a summary of the events it
// is given in bounded memory, with a Summary method that returns its typed
// summary, valid at any time for the events added so far. Feed them with
// Consume, which also hands them the pass's Coverage for their summaries.
// They are not safe for concurrent use.

// AnalyzerOptions bound the memory of an analyzer. The zero value of each
// field means its documented default. Options that an analyzer does not use
// are ignored.
type AnalyzerOptions struct {
	// TopK is how many keys (IPs, app clients, error codes, subs, event
	// names) each ranked table tracks. Default 1000.
	TopK int
	// IPsPerClient is how many source IPs M2MAnalyzer tracks per app
	// client. Default 10.
	IPsPerClient int
	// MaxBuckets is how many time buckets RefreshAnalyzer and M2MAnalyzer
	// keep; events that would need more are counted as dropped. Default
	// 100,000 (about 347 days of 5-minute buckets).
	MaxBuckets int
	// MaxChanges is how many admin changes AdminChangeAnalyzer keeps: the
	// newest. Default 1000.
	MaxChanges int
}

func analyzerOptions(optFns []func(*AnalyzerOptions)) AnalyzerOptions {
	var o AnalyzerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.TopK <= 0 {
		o.TopK = 1000
	}
	if o.IPsPerClient <= 0 {
		o.IPsPerClient = 10
	}
	if o.MaxBuckets <= 0 {
		o.MaxBuckets = 100_000
	}
	if o.MaxChanges <= 0 {
		o.MaxChanges = 1000
	}
	return o
}

// TopList ranks the keys seen most often in a stream, counted in bounded
// memory with the Space-Saving algorithm (Metwally, Agrawal and El Abbadi,
// 2005). It tracks at most Capacity keys; when a new key arrives with the
// table full, it takes the place of the key with the smallest count and
// inherits that count as its possible overcount.
//
// So every count is an estimate with a known error: a key's true count lies
// in [Count-Error, Count], and every key whose true count exceeds
// Total/Capacity is in Items. When Exact is true no key was ever replaced,
// every Error is 0 and Items holds every key with its exact count.
type TopList[K comparable] struct {
	// Items are the tracked keys, highest Count first (ties: lower Error
	// first, then by key).
	Items []Counted[K]
	// Total is the exact number of occurrences counted.
	Total int64
	// Capacity is the most keys tracked at once.
	Capacity int
	// Exact reports whether every count is exact.
	Exact bool
}

// Counted is one key of a TopList with its estimated count.
type Counted[K comparable] struct {
	// Key is what was counted.
	Key K
	// Count is an upper bound of the key's true count.
	Count int64
	// Error bounds the overcount: the true count is at least Count-Error.
	Error int64
}

// spaceSaving is the Space-Saving table behind TopList and the ranked rows
// of the analyzers: a min-heap on count of at most capacity items, with an
// index from key to item. Each item carries a payload P that starts afresh
// when the item takes the place of an evicted one.
type spaceSaving[K comparable, P any] struct {
	capacity int
	fresh    func() P
	index    map[K]*ssItem[K, P]
	heap     []*ssItem[K, P]
	total    int64
	evicted  bool
}

type ssItem[K comparable, P any] struct {
	key     K
	count   int64 // upper bound of the true count
	err     int64 // count inherited from the evicted item
	pos     int   // position in heap
	payload P
}

func newSpaceSaving[K comparable, P any](capacity int, fresh func() P) *spaceSaving[K, P] {
	return &spaceSaving[K, P]{capacity: capacity, fresh: fresh, index: make(map[K]*ssItem[K, P], min(capacity, 1024))}
}

func (s *spaceSaving[K, P]) newPayload() P {
	if s.fresh == nil {
		var zero P
		return zero
	}
	return s.fresh()
}

// add counts one occurrence of key and returns its payload.
func (s *spaceSaving[K, P]) add(key K) *P {
	s.total++
	if it, ok := s.index[key]; ok {
		it.count++
		s.down(it.pos)
		return &it.payload
	}
	if len(s.heap) < s.capacity {
		it := &ssItem[K, P]{key: key, count: 1, pos: len(s.heap), payload: s.newPayload()}
		s.heap = append(s.heap, it)
		s.index[key] = it
		s.up(it.pos)
		return &it.payload
	}
	s.evicted = true
	it := s.heap[0]
	delete(s.index, it.key)
	it.key, it.err, it.payload = key, it.count, s.newPayload()
	it.count++
	s.index[key] = it
	s.down(0)
	return &it.payload
}

func (s *spaceSaving[K, P]) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].pos, s.heap[j].pos = i, j
}

func (s *spaceSaving[K, P]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if s.heap[p].count <= s.heap[i].count {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *spaceSaving[K, P]) down(i int) {
	n := len(s.heap)
	for {
		m := 2*i + 1
		if m >= n {
			return
		}
		if r := m + 1; r < n && s.heap[r].count < s.heap[m].count {
			m = r
		}
		if s.heap[m].count >= s.heap[i].count {
			return
		}
		s.swap(i, m)
		i = m
	}
}

// sorted returns the items, highest count first, then lowest error, then
// by key.
func (s *spaceSaving[K, P]) sorted(compareKeys func(a, b K) int) []*ssItem[K, P] {
	out := slices.Clone(s.heap)
	slices.SortFunc(out, func(a, b *ssItem[K, P]) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.err, b.err); c != 0 {
			return c
		}
		return compareKeys(a.key, b.key)
	})
	return out
}

// counter is a Space-Saving table without payload.
type counter[K comparable] struct {
	ss      *spaceSaving[K, struct{}]
	compare func(a, b K) int
}

func newCounter[K comparable](capacity int, compare func(a, b K) int) counter[K] {
	return counter[K]{ss: newSpaceSaving[K, struct{}](capacity, nil), compare: compare}
}

func (c counter[K]) add(key K) { c.ss.add(key) }

func (c counter[K]) list() TopList[K] {
	items := c.ss.sorted(c.compare)
	out := TopList[K]{Items: make([]Counted[K], 0, len(items)), Total: c.ss.total, Capacity: c.ss.capacity, Exact: !c.ss.evicted}
	for _, it := range items {
		out.Items = append(out.Items, Counted[K]{Key: it.key, Count: it.count, Error: it.err})
	}
	return out
}

// addOutcome counts one request with outcome o into c.
func addOutcome(c *Counts, o Outcome) {
	c.Attempts++
	switch o {
	case OutcomeSuccess:
		c.Successes++
	case OutcomeThrottled:
		c.Throttles++
	}
}
