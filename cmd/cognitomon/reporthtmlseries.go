package main

import (
	"maps"
	"slices"
	"time"

	"github.com/cognitomon/cognitomon"
)

// reportSeries are the time series behind the HTML report's charts, taken
// in the same run as the figures that text and JSON print: the metrics'
// own series, whose totals are the metrics' figures, and the events',
// counted by eventSeries in the same pass that feeds the analyses.
type reportSeries struct {
	// stats are the metrics, or nil when none were read.
	stats *cognitomon.Stats
	// events are the events' series; nil when nothing counted them.
	events *eventSeries
}

// Bounds of eventSeries: at most maxEventBuckets buckets per series (the
// width doubles, merging buckets, rather than drop an event) and at most
// maxEventClients app clients per flow with their own series (the rest are
// summed into one series of other clients).
const (
	maxEventBuckets = 24 * 100
	maxEventClients = 16
)

// otherClients is the series of the clients past maxEventClients.
const otherClients cognitomon.ClientID = "(other clients)"

// eventWidths are the bucket widths eventSeries and the charts use, each a
// multiple of the one before, so that buckets merge whole.
var eventWidths = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour,
	6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 96 * time.Hour, 192 * time.Hour, 384 * time.Hour, 768 * time.Hour}

// eventSeries is a cognitomon.Consumer that counts the events of the four
// CloudWatch flows (EventKind.Flow, the mapping TrafficSummary.ByFlow uses)
// per time bucket, per flow and per flow and app client, with
// Counts as the analyses count them: every event an attempt, a success
// when its Outcome is OutcomeSuccess, a throttle when it is
// OutcomeThrottled. The sums over its buckets are the report's CloudTrail
// figures per kind, summed per flow.
type eventSeries struct {
	width   time.Duration
	flows   map[cognitomon.Flow]map[time.Time]cognitomon.Counts
	clients map[cognitomon.Flow]map[cognitomon.ClientID]map[time.Time]cognitomon.Counts
	// buckets are the bucket starts with any event.
	buckets map[time.Time]bool
	// folded is the events counted under otherClients.
	folded int64
}

func newEventSeries() *eventSeries {
	return &eventSeries{
		width:   time.Hour,
		flows:   map[cognitomon.Flow]map[time.Time]cognitomon.Counts{},
		clients: map[cognitomon.Flow]map[cognitomon.ClientID]map[time.Time]cognitomon.Counts{},
		buckets: map[time.Time]bool{},
	}
}

// Add counts e when its kind belongs to a flow.
func (s *eventSeries) Add(e cognitomon.Event) {
	f, ok := e.Kind().Flow()
	if !ok || e.Time.IsZero() {
		return
	}
	t := e.Time.UTC().Truncate(s.width)
	if !s.buckets[t] && len(s.buckets) >= maxEventBuckets {
		s.widen()
		t = e.Time.UTC().Truncate(s.width)
	}
	s.buckets[t] = true
	o := e.Outcome()
	addTo(s.flows, f, t, o)
	byClient := s.clients[f]
	if byClient == nil {
		byClient = map[cognitomon.ClientID]map[time.Time]cognitomon.Counts{}
		s.clients[f] = byClient
	}
	id := e.ClientID
	if _, known := byClient[id]; !known && len(byClient) >= maxEventClients {
		id = otherClients
		s.folded++
	}
	addTo(byClient, id, t, o)
}

func addTo[K comparable](m map[K]map[time.Time]cognitomon.Counts, k K, t time.Time, o cognitomon.Outcome) {
	b := m[k]
	if b == nil {
		b = map[time.Time]cognitomon.Counts{}
		m[k] = b
	}
	c := b[t]
	c.Count(o)
	b[t] = c
}

// widen moves to the next bucket width, merging the buckets so far.
func (s *eventSeries) widen() {
	i := slices.Index(eventWidths, s.width)
	if i < 0 || i == len(eventWidths)-1 {
		s.width *= 2
	} else {
		s.width = eventWidths[i+1]
	}
	merge := func(b map[time.Time]cognitomon.Counts) map[time.Time]cognitomon.Counts {
		out := make(map[time.Time]cognitomon.Counts, len(b)/2+1)
		for t, c := range b {
			k := t.Truncate(s.width)
			out[k] = out[k].Add(c)
		}
		return out
	}
	for f, b := range s.flows {
		s.flows[f] = merge(b)
	}
	for _, byClient := range s.clients {
		for id, b := range byClient {
			byClient[id] = merge(b)
		}
	}
	buckets := map[time.Time]bool{}
	for t := range s.buckets {
		buckets[t.Truncate(s.width)] = true
	}
	s.buckets = buckets
}

// timeCounts are counts per bucket start, sorted by time, with a fixed
// bucket width.
type timeCounts struct {
	width  time.Duration
	times  []time.Time
	counts []cognitomon.Counts
}

// total is the sum of the counts.
func (tc timeCounts) total() cognitomon.Counts {
	var sum cognitomon.Counts
	for _, c := range tc.counts {
		sum = sum.Add(c)
	}
	return sum
}

func fromBuckets(width time.Duration, b map[time.Time]cognitomon.Counts) timeCounts {
	tc := timeCounts{width: width, times: slices.SortedFunc(maps.Keys(b), time.Time.Compare)}
	for _, t := range tc.times {
		tc.counts = append(tc.counts, b[t])
	}
	return tc
}

func fromSeries(s cognitomon.Series) timeCounts {
	tc := timeCounts{width: s.Period}
	for t, c := range s.All() {
		tc.times = append(tc.times, t.UTC())
		tc.counts = append(tc.counts, c)
	}
	return tc
}

// displayWidth is the narrowest of eventWidths, a multiple of base, that
// cuts span into at most maxPoints buckets; base itself when it already
// does, or when no listed width is a multiple of it.
func displayWidth(base, span time.Duration, maxPoints int) time.Duration {
	if base <= 0 || span <= time.Duration(maxPoints)*base {
		return base
	}
	for _, w := range eventWidths {
		if w > base && w%base == 0 && span <= time.Duration(maxPoints)*w {
			return w
		}
	}
	w := base
	for span > time.Duration(maxPoints)*w {
		w *= 2
	}
	return w
}

// rebucket sums tc into buckets of width w (a multiple of tc.width), each
// starting at a time truncated to w. Nothing is left out: the totals are
// unchanged.
func (tc timeCounts) rebucket(w time.Duration) timeCounts {
	if w <= tc.width || len(tc.times) == 0 {
		return tc
	}
	b := map[time.Time]cognitomon.Counts{}
	for i, t := range tc.times {
		k := t.Truncate(w)
		b[k] = b[k].Add(tc.counts[i])
	}
	return fromBuckets(w, b)
}

// span is the time from the first bucket's start to the last one's end.
func (tc timeCounts) span() time.Duration {
	if len(tc.times) == 0 {
		return 0
	}
	return tc.times[len(tc.times)-1].Add(tc.width).Sub(tc.times[0])
}

// filled returns tc with a zero bucket for every missing one from from to
// to (bucket starts, truncated to tc.width): a bucket without events had
// no requests.
func (tc timeCounts) filled(from, to time.Time) timeCounts {
	if tc.width <= 0 || from.IsZero() || to.Before(from) {
		return tc
	}
	b := map[time.Time]cognitomon.Counts{}
	for t := from.Truncate(tc.width); !t.After(to); t = t.Add(tc.width) {
		b[t] = cognitomon.Counts{}
	}
	for i, t := range tc.times {
		b[t] = b[t].Add(tc.counts[i])
	}
	return fromBuckets(tc.width, b)
}
