package analysis

import (
	"slices"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/bounded"
)

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
	Items []cognitomon.Counted[K]
	// Total is the exact number of occurrences counted.
	Total int64
	// Capacity is the most keys tracked at once.
	Capacity int
	// Exact reports whether every count is exact.
	Exact bool
}

// counter is a ranked table without payload.
type counter[K comparable] struct {
	t       *bounded.Table[K, struct{}]
	compare func(a, b K) int
}

func newCounter[K comparable](capacity int, compare func(a, b K) int) counter[K] {
	return counter[K]{t: bounded.NewTable[K, struct{}](capacity, nil), compare: compare}
}

func (c counter[K]) add(key K) { c.t.Add(key) }

func (c counter[K]) list() TopList[K] {
	return TopList[K]{Items: c.t.Items(c.compare), Total: c.t.Total(), Capacity: c.t.Capacity(), Exact: c.t.Exact()}
}

// coverageOf is embedded in the analyzers: Consume hands it the pass's
// Coverage at the end, through Covered, for their summaries.
type coverageOf struct{ cov cognitomon.Coverage }

// Covered records the Coverage of the pass that fed the analyzer, for its
// summary. Consume calls it at the end of the pass; a caller that feeds an
// analyzer by hand may call it with its own account of what it read.
func (c *coverageOf) Covered(cov *cognitomon.Coverage) {
	c.cov = *cov
	c.cov.Notes = slices.Clone(cov.Notes)
}
