package analysis

import (
	"cmp"
	"container/heap"
	"maps"
	"slices"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/bounded"
)

// AdminChangeAnalyzer collects admin configuration changes (KindAdminChange:
// UpdateUserPoolClient, SetRiskConfiguration, DeleteIdentityProvider ...),
// failed attempts included, with who made them (Event.CallerARN,
// Event.CallerType) and from where (Event.SourceIP). It keeps the newest
// MaxChanges changes.
type AdminChangeAnalyzer struct {
	coverageOf
	max     int
	total   int64
	changes eventHeap // oldest at the root
}

// NewAdminChangeAnalyzer returns an empty AdminChangeAnalyzer. It uses
// AnalyzerOptions.MaxChanges.
func NewAdminChangeAnalyzer(optFns ...func(*AnalyzerOptions)) *AdminChangeAnalyzer {
	o := analyzerOptions(optFns)
	return &AdminChangeAnalyzer{max: o.MaxChanges}
}

// Add keeps e if it is an admin change and among the newest.
func (a *AdminChangeAnalyzer) Add(e cognitomon.Event) {
	if e.Kind() != cognitomon.KindAdminChange {
		return
	}
	a.total++
	if len(a.changes) < a.max {
		heap.Push(&a.changes, e)
		return
	}
	if eventBefore(a.changes[0], e) {
		a.changes[0] = e
		heap.Fix(&a.changes, 0)
	}
}

// eventBefore orders events by time, then event ID.
func eventBefore(a, b cognitomon.Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.EventID < b.EventID
}

type eventHeap []cognitomon.Event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return eventBefore(h[i], h[j]) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(cognitomon.Event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// AdminChangeSummary is what an AdminChangeAnalyzer collected.
type AdminChangeSummary struct {
	// Total is every admin change added.
	Total int64
	// Changes are the newest changes kept, earliest first (ties by event
	// ID).
	Changes []cognitomon.Event
	// Dropped is the older changes not kept (Total - len(Changes)).
	Dropped int64
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the changes so far.
func (a *AdminChangeAnalyzer) Summary() AdminChangeSummary {
	changes := slices.Clone([]cognitomon.Event(a.changes))
	slices.SortFunc(changes, func(x, y cognitomon.Event) int {
		switch {
		case eventBefore(x, y):
			return -1
		case eventBefore(y, x):
			return 1
		}
		return 0
	})
	return AdminChangeSummary{Total: a.total, Changes: changes, Dropped: a.total - int64(len(changes)), Coverage: a.cov}
}

// TrafficAnalyzer counts attempts, successes, failures and throttles per
// event kind and per kind and app client, to compare CloudTrail's view with
// CloudWatch's metrics (see EventKind.Flow).
type TrafficAnalyzer struct {
	coverageOf
	byKind map[cognitomon.EventKind]cognitomon.Counts
	rows   *bounded.Table[KindClient, cognitomon.Counts]
}

// KindClient is an event kind and an app client.
type KindClient struct {
	// Kind is Event.Kind.
	Kind cognitomon.EventKind
	// ClientID is Event.ClientID ("" for requests that named none).
	ClientID cognitomon.ClientID
}

// NewTrafficAnalyzer returns an empty TrafficAnalyzer. It uses
// AnalyzerOptions.TopK (kind and client pairs).
func NewTrafficAnalyzer(optFns ...func(*AnalyzerOptions)) *TrafficAnalyzer {
	o := analyzerOptions(optFns)
	return &TrafficAnalyzer{byKind: make(map[cognitomon.EventKind]cognitomon.Counts), rows: bounded.NewTable[KindClient, cognitomon.Counts](o.TopK, nil)}
}

// Add counts e.
func (a *TrafficAnalyzer) Add(e cognitomon.Event) {
	k, o := e.Kind(), e.Outcome()
	c := a.byKind[k]
	c.Count(o)
	a.byKind[k] = c
	a.rows.Add(KindClient{Kind: k, ClientID: e.ClientID}).Count(o)
}

// TrafficRow is the traffic of one kind and app client.
type TrafficRow struct {
	KindClient
	// Counts are the requests since the row entered the table: exact when
	// Missed is 0.
	Counts cognitomon.Counts
	// Missed bounds the requests that came before the row entered the
	// table (Space-Saving, see TopList).
	Missed int64
}

// TrafficSummary is what a TrafficAnalyzer counted.
type TrafficSummary struct {
	// ByKind are the counts per kind (exact).
	ByKind map[cognitomon.EventKind]cognitomon.Counts
	// ByFlow are the counts per CloudWatch flow (exact), summed over the
	// kinds that map to it (EventKind.Flow).
	ByFlow map[cognitomon.Flow]cognitomon.Counts
	// Rows are the tracked kind and client pairs, most requests first.
	Rows []TrafficRow
	// Capacity is the most rows tracked at once.
	Capacity int
	// Exact reports whether every row is exact (every Missed is 0).
	Exact bool
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *TrafficAnalyzer) Summary() TrafficSummary {
	s := TrafficSummary{ByKind: maps.Clone(a.byKind), ByFlow: make(map[cognitomon.Flow]cognitomon.Counts), Capacity: a.rows.Capacity(), Exact: a.rows.Exact(), Coverage: a.cov}
	for k, c := range a.byKind {
		if f, ok := k.Flow(); ok {
			s.ByFlow[f] = s.ByFlow[f].Add(c)
		}
	}
	a.rows.Each(compareKindClient, func(it cognitomon.Counted[KindClient], c *cognitomon.Counts) bool {
		s.Rows = append(s.Rows, TrafficRow{KindClient: it.Key, Counts: *c, Missed: it.Error})
		return true
	})
	return s
}

func compareKindClient(a, b KindClient) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return cmp.Compare(a.ClientID, b.ClientID)
}
