package checks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// slidingHops is how many hops a sliding window has: it advances by a
// tenth of its length.
const slidingHops = 10

// maxEvidenceIDs is how many event IDs a finding carries.
const maxEvidenceIDs = 5

// topCap is how many contributors a finding ranks.
const topCap = 5

// EventRule is a threshold rule over the event stream, as data: the events
// it looks at, what it groups them by, whether it counts them or the
// distinct values of a second key, the threshold and the window.
//
// Windows are aligned to the Unix epoch, so a one-hour window starts on
// the hour. A tumbling window (Sliding false) counts each aligned window of
// length Window. A sliding window is evaluated as hopping windows of length
// Window that advance by a tenth of it (a 10-minute window every minute):
// any burst of Threshold events within Window minus one hop is caught, and
// a burst spread over more than Window never is. The rule fires for a key
// when a window's count (or number of distinct values) reaches Threshold;
// overlapping or adjacent firing windows of one key make one finding, whose
// Evidence.Value is the highest count and whose Window runs from the start
// of the first hop (a tenth of Window; all of it when tumbling) that held a
// counted event of those windows to the end of the last such hop.
//
// Counting is exact and independent of arrival order for events within
// DetectLimits.Lateness of the newest event of the rule; older events are
// dropped and noted. A key seen once is kept as a small record in a
// doorkeeper of a quarter of DetectLimits.MaxKeys records (at least 256);
// its second event gives it full state in a table of at most MaxKeys keys,
// holding only the buckets of the windows still open, and a key none of
// whose windows is still open is forgotten (thresholds of 2 or more; at 1
// every key gets full state). Counts stay exact until a bound is reached; past one, the rule
// notes it and marks its later findings Estimated. In those findings Top
// is a lower bound too: once state was lost, a key ranks its Top values
// only from the event at which its count in the buckets still held reached
// a quarter of Threshold (rounded up), so the Top counts of a key may miss
// up to that many events less one, besides Space-Saving's Error.
//
// With Baseline set, the threshold of a key is the larger of Threshold and
// the baseline's mean plus Sigmas standard deviations for that key (learned
// by LearnBaseline over tumbling windows of length Window).
//
// An EventRule is a Check. The zero value is not a valid rule.
type EventRule struct {
	// ID names the rule; Name returns it (see Check.Name).
	ID string
	// Description says what the rule catches, for documentation.
	Description string
	// Unit says what is counted, in the plural ("sign-in failures",
	// "distinct subs").
	Unit string
	// Events selects the events counted.
	Events EventMatch
	// Key groups the events; events without a value for it are not
	// counted. Required.
	Key EventKey
	// Distinct, when set, makes the rule count the distinct values of
	// this key per Key instead of events; events without a value are not
	// counted.
	Distinct EventKey
	// Top, when set, ranks the values of this key in the evidence (the
	// users an address tried, the addresses that failed for a user), over
	// the key's events since it was last idle.
	Top EventKey
	// Threshold is the count (or number of distinct values) at which the
	// rule fires. At least 1.
	Threshold int
	// Window is the window length, at least a second (and a multiple of
	// ten nanoseconds when sliding).
	Window time.Duration
	// Sliding selects hopping windows (see above) instead of tumbling
	// ones.
	Sliding bool
	// Baseline, when set, puts the rule in baseline mode.
	Baseline *BaselineMode
	// Learned is what LearnBaseline learned, for baseline mode: the rule
	// reads its profile by ID. It must have been learned for the run's
	// pool. Without it, baseline mode falls back to Threshold (or skips
	// the rule when the mode is Required).
	Learned *Baseline
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// BaselineMode makes a rule compare each key with what a baseline learned
// for it. The zero value means three standard deviations, no seasonality,
// and falling back to the plain threshold without a baseline.
type BaselineMode struct {
	// Sigmas is how many standard deviations above the mean a count must
	// be to fire. Default 3.
	Sigmas float64
	// Seasonality compares each window with the same hour of the day or of
	// the week in the baseline.
	Seasonality Seasonality
	// Required skips the rule (ErrMissingInput) when the input has no
	// baseline for it, instead of falling back to Threshold.
	Required bool
}

func (m BaselineMode) sigmas() float64 {
	if m.Sigmas == 0 {
		return 3
	}
	return m.Sigmas
}

// Validate reports what is wrong with the rule, if anything.
func (r EventRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.Key.valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case r.Distinct != 0 && (!r.Distinct.valid() || r.Distinct == r.Key):
		return fmt.Errorf("rule %s: invalid distinct key %d", r.ID, int(r.Distinct))
	case r.Top != 0 && !r.Top.valid():
		return fmt.Errorf("rule %s: invalid top key %d", r.ID, int(r.Top))
	case r.Threshold < 1:
		return fmt.Errorf("rule %s: threshold %d is less than 1", r.ID, r.Threshold)
	case r.Window < time.Second:
		return fmt.Errorf("rule %s: window %s is shorter than a second", r.ID, r.Window)
	case r.Sliding && r.Window%slidingHops != 0:
		return fmt.Errorf("rule %s: sliding window %s is not a multiple of %d nanoseconds", r.ID, r.Window, slidingHops)
	case !r.Severity.Valid():
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	if b := r.Baseline; b != nil {
		if b.Sigmas < 0 || math.IsNaN(b.Sigmas) || math.IsInf(b.Sigmas, 0) {
			return fmt.Errorf("rule %s: baseline sigmas %v", r.ID, b.Sigmas)
		}
		if !b.Seasonality.valid() {
			return fmt.Errorf("rule %s: invalid seasonality %d", r.ID, int(b.Seasonality))
		}
	}
	if err := r.Events.Validate(); err != nil {
		return fmt.Errorf("rule %s: %w", r.ID, err)
	}
	return nil
}

// Name returns r.ID.
func (r EventRule) Name() string { return r.ID }

// Start begins an evaluation. It needs events, and in baseline mode with
// Required a baseline that has the rule's profile.
func (r EventRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	ev := newRuleEval(r, in)
	if r.Baseline != nil {
		p, err := r.Learned.profileFor(in, r.ID, r.Key, r.Window, r.Baseline.Seasonality)
		switch {
		case errors.Is(err, ErrInvalidBaseline):
			return nil, err
		case err != nil && r.Baseline.Required:
			return nil, err
		case err != nil:
			ev.notes = append(ev.notes, strings.TrimPrefix(err.Error(), cognitomon.ErrMissingInput.Error()+": ")+": the plain threshold applies")
		default:
			ev.profile = p
		}
	}
	return ev, nil
}

// Learn returns a Lesson that learns the rule's profile: the count per key
// in tumbling windows of length Window, with the mode's seasonality. A rule
// without Baseline has nothing to learn and returns ErrMissingInput.
func (r EventRule) Learn(in *cognitomon.DetectInput) (Lesson, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Baseline == nil {
		return nil, missingInput("rule %s is not in baseline mode", r.ID)
	}
	pb := NewProfileBuilder(r.Key, in.Scope.Range, r.Window, r.Baseline.Seasonality, func(o *ProfileOptions) {
		o.MaxKeys = in.Limits.WithDefaults().MaxKeys
		o.Lateness = in.Limits.WithDefaults().Lateness
	})
	return &ruleLesson{r: r, pb: pb}, nil
}

type ruleLesson struct {
	r  EventRule
	pb *ProfileBuilder
}

func (l *ruleLesson) Add(e cognitomon.Event) {
	if !l.r.Events.Match(e) {
		return
	}
	if k := l.r.Key.Of(e); k != "" {
		l.pb.Add(k, e.Time)
	}
}

func (l *ruleLesson) Done(b *Baseline) error {
	b.SetProfile(l.r.ID, l.pb.Profile())
	return nil
}

// ruleEval is one run of an EventRule.
type ruleEval struct {
	r       EventRule
	in      *cognitomon.DetectInput
	profile *Profile
	hop     int64 // nanoseconds
	k       int64 // buckets per window
	lateB   int64 // buckets of lateness
	water   int64 // newest bucket seen
	started bool
	keys    *keyTable[ruleKey]
	door    *doorkeeper // keys seen once; nil when one event can fire
	lost    bool        // current state was dropped for the memory bound
	late    int64
	seed    maphash.Seed
	scratch []uint64
	done    []cognitomon.Finding
	dropped int
	notes   []string
}

// ruleKey is the state of one key. Most keys of a busy stream are seen
// once or twice, so it is kept small: no allocation of its own beyond its
// slices.
type ruleKey struct {
	buckets []ruleBucket // ascending idx
	vals    []bucketVal  // distinct rules: the values per bucket, ascending b
	top     topCounter   // the Top values since the key was last idle
	lastID  string       // from the key's second event: the newest event's ID, and its bucket
	lastB   int64
	ep      *ruleEpisode
	repeat  bool // the key has had a second event
	partial bool
}

type ruleBucket struct{ idx, n int64 }

// bucketVal is one distinct value (a hash) seen in bucket b.
type bucketVal struct {
	b int64
	v uint64
}

type ruleEpisode struct {
	first, last     int64 // the first and last firing windows' start buckets
	lo, hi          int64 // the first and last buckets with events in the firing windows
	peak            float64
	limit, expected float64
	ids             []string
	partial         bool
}

func newRuleEval(r EventRule, in *cognitomon.DetectInput) *ruleEval {
	ev := &ruleEval{r: r, in: in, hop: int64(r.Window), k: 1, seed: maphash.MakeSeed()}
	if r.Sliding {
		ev.hop, ev.k = int64(r.Window)/slidingHops, slidingHops
	}
	lim := in.Limits.WithDefaults()
	ev.lateB = (int64(lim.Lateness) + ev.hop - 1) / ev.hop
	ev.keys = newKeyTable(lim.MaxKeys, ev.evicted)
	if r.Threshold >= 2 {
		ev.door = newDoorkeeper(doorCapacity(lim.MaxKeys))
	}
	return ev
}

// keepFrom is the oldest bucket kept: every window that holds a bucket
// still accepted is complete.
func (ev *ruleEval) keepFrom() int64 { return ev.water - ev.lateB - ev.k + 1 }

func (ev *ruleEval) evicted(key string, st *ruleKey) {
	if n := len(st.buckets); n > 0 && st.buckets[n-1].idx >= ev.keepFrom() {
		ev.lost = true
	}
	if st.ep != nil {
		ev.close(key, st)
	}
}

// expire forgets the keys that no open window needs, as the newest bucket
// advances: a key whose buckets are all before keepFrom and whose episode
// (if any) can no longer grow, since no window that could still be
// counted overlaps it. Their episodes become findings now rather than at
// the end, the same findings. A key that comes back after that starts
// afresh, so its Top ranks the values since it was last idle.
func (ev *ruleEval) expire() {
	from := ev.keepFrom()
	if ev.door != nil {
		ev.door.expire(from)
	}
	ev.keys.expire(func(key string, st *ruleKey) bool {
		if n := len(st.buckets); n > 0 && st.buckets[n-1].idx >= from {
			return false
		}
		if st.ep != nil {
			if st.ep.last+ev.k >= from {
				return false
			}
			ev.close(key, st)
		}
		return true
	})
}

func (ev *ruleEval) Add(e cognitomon.Event) {
	if !ev.r.Events.Match(e) {
		return
	}
	key := ev.r.Key.Of(e)
	if key == "" {
		return
	}
	var dv uint64
	if ev.r.Distinct != 0 {
		v := ev.r.Distinct.Of(e)
		if v == "" {
			return
		}
		dv = maphash.String(ev.seed, v)
	}
	b := floorDivInt64(e.Time.UnixNano(), ev.hop)
	if !ev.started || b > ev.water {
		ev.water, ev.started = b, true
		ev.expire()
	}
	if b < ev.water-ev.lateB {
		ev.late++
		return
	}
	var top string
	if ev.r.Top != 0 {
		top = ev.r.Top.Of(e)
	}
	st := ev.keys.lookup(key)
	created := false
	switch {
	case st != nil:
	case ev.door == nil:
		st, created = ev.keys.get(key)
	default:
		// A key's first event waits in the doorkeeper; its second gives
		// it full state, with the first replayed. One event cannot reach
		// a threshold of two or more, so nothing is evaluated earlier.
		h := maphash.String(ev.seed, key)
		first, seen := ev.door.take(h)
		if !seen {
			if old, dropped := ev.door.put(onceRecord{h: h, b: b, dv: dv, top: top, partial: ev.lost}); dropped && old.b >= ev.keepFrom() {
				ev.lost = true
			}
			return
		}
		st, _ = ev.keys.get(key)
		st.partial = first.partial
		if first.top != "" && ev.tracksTop(st, 0) {
			st.top.add(first.top)
		}
		limit, _ := ev.limit(key, first.b)
		ev.addToBucket(st, first.b, first.dv, limit)
	}
	if created {
		st.partial = ev.lost
	}
	if top != "" && ev.tracksTop(st, ev.keepFrom()) {
		st.top.add(top)
	}
	// Drop the buckets and values no open window needs.
	from := ev.keepFrom()
	if drop := sort64Prefix(len(st.buckets), func(i int) bool { return st.buckets[i].idx < from }); drop > 0 {
		st.buckets = append(st.buckets[:0], st.buckets[drop:]...)
	}
	if drop := sort64Prefix(len(st.vals), func(i int) bool { return st.vals[i].b < from }); drop > 0 {
		st.vals = append(st.vals[:0], st.vals[drop:]...)
	}
	if ep := st.ep; ep != nil && b >= ep.first && b < ep.last+ev.k {
		ep.addID(e.EventID)
	}
	limit, _ := ev.limit(key, b)
	changed := ev.addToBucket(st, b, dv, limit)
	var prevID string
	var prevB int64
	if st.repeat {
		prevID, prevB = st.lastID, st.lastB
	}
	if !created {
		st.repeat = true
		st.lastID, st.lastB = e.EventID, b
	}
	if !changed {
		return
	}
	if ev.r.Distinct != 0 {
		ev.evalDistinct(key, st, b, dv, e, prevID, prevB)
	} else {
		ev.evalCounts(key, st, b, e, prevID, prevB)
	}
}

// tracksTop reports whether the Top value of an event of st is to be
// counted. Until the rule has lost state every one is. After that (when
// every new episode is Estimated anyway) a key starts ranking its Top values
// only from the event that brings its count in the buckets from bucket from
// on to topFrom, a quarter of Threshold: the many keys that never come
// near the threshold then hold no Top values at all.
func (ev *ruleEval) tracksTop(st *ruleKey, from int64) bool {
	if !ev.lost || len(st.top.s) > 0 {
		return true
	}
	n := int64(1)
	for _, bk := range st.buckets {
		if bk.idx >= from {
			n += bk.n
		}
	}
	return n >= ev.topFrom()
}

// topFrom is the count at which a key starts ranking its Top values once
// the rule has lost state: a quarter of Threshold, rounded up.
func (ev *ruleEval) topFrom() int64 { return (int64(ev.r.Threshold) + 3) / 4 }

// sort64Prefix returns how many of the first n elements satisfy drop, which
// holds for a prefix.
func sort64Prefix(n int, drop func(int) bool) int {
	i := 0
	for i < n && drop(i) {
		i++
	}
	return i
}

// addToBucket counts the event in bucket b. For distinct rules it reports
// whether the value was new to the bucket; a bucket keeps at most
// distinctCap values.
func (ev *ruleEval) addToBucket(st *ruleKey, b int64, dv uint64, limit float64) bool {
	i, found := slices.BinarySearchFunc(st.buckets, b, func(x ruleBucket, t int64) int { return cmp.Compare(x.idx, t) })
	if !found {
		st.buckets = insertSmall(st.buckets, i, ruleBucket{idx: b})
	}
	st.buckets[i].n++
	if ev.r.Distinct == 0 {
		return true
	}
	lo, _ := slices.BinarySearchFunc(st.vals, b, func(x bucketVal, t int64) int { return cmp.Compare(x.b, t) })
	hi := lo
	for hi < len(st.vals) && st.vals[hi].b == b {
		if st.vals[hi].v == dv {
			return false
		}
		hi++
	}
	if hi-lo >= distinctCap(limit) {
		return false
	}
	st.vals = insertSmall(st.vals, hi, bucketVal{b: b, v: dv})
	return true
}

// distinctCap is how many values a bucket of a distinct rule keeps: enough
// for the peak in the evidence to be exact up to four times the limit.
func distinctCap(limit float64) int { return max(64, 4*int(math.Ceil(limit))) }

// limit returns the threshold of key for the window that starts at bucket
// j, and the baseline's mean.
func (ev *ruleEval) limit(key string, j int64) (limit, expected float64) {
	limit = float64(ev.r.Threshold)
	if ev.profile == nil {
		return limit, 0
	}
	l, st, _ := ev.profile.Limit(key, time.Unix(0, j*ev.hop), ev.r.Baseline.sigmas(), limit)
	return l, st.Mean
}

// evalCounts checks every window that holds bucket b.
func (ev *ruleEval) evalCounts(key string, st *ruleKey, b int64, e cognitomon.Event, prevID string, prevB int64) {
	k := ev.k
	lo := b - k + 1
	var counts [2*slidingHops - 1]int64
	for _, bk := range st.buckets {
		if bk.idx >= lo && bk.idx <= b+k-1 {
			counts[bk.idx-lo] = bk.n
		}
	}
	var sum int64
	for i := range k {
		sum += counts[i]
	}
	for s := range k {
		if s > 0 {
			sum += counts[s+k-1] - counts[s-1]
		}
		ev.check(key, st, lo+s, float64(sum), e, prevID, prevB)
	}
}

// evalDistinct checks every window that holds bucket b and to which value
// dv is new.
func (ev *ruleEval) evalDistinct(key string, st *ruleKey, b int64, dv uint64, e cognitomon.Event, prevID string, prevB int64) {
	if ev.profile == nil {
		// No window holds more values than the buckets around b
		// together: if they are too few, no window can fire.
		ev.scratch = ev.scratch[:0]
		for _, x := range st.vals {
			if x.b > b-ev.k && x.b < b+ev.k {
				ev.scratch = append(ev.scratch, x.v)
			}
		}
		if len(ev.scratch) < ev.r.Threshold {
			return
		}
		slices.Sort(ev.scratch)
		if len(slices.Compact(ev.scratch)) < ev.r.Threshold {
			return
		}
	}
	for j := b - ev.k + 1; j <= b; j++ {
		dup := false
		for _, x := range st.vals {
			if x.b != b && x.b >= j && x.b < j+ev.k && x.v == dv {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		ev.scratch = ev.scratch[:0]
		for _, x := range st.vals {
			if x.b >= j && x.b < j+ev.k {
				ev.scratch = append(ev.scratch, x.v)
			}
		}
		slices.Sort(ev.scratch)
		ev.check(key, st, j, float64(len(slices.Compact(ev.scratch))), e, prevID, prevB)
	}
}

// check fires the rule for the window starting at bucket j if value
// reaches the key's limit.
func (ev *ruleEval) check(key string, st *ruleKey, j int64, value float64, e cognitomon.Event, prevID string, prevB int64) {
	limit, expected := ev.limit(key, j)
	if value < limit {
		return
	}
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for _, bk := range st.buckets {
		if bk.idx >= j && bk.idx < j+ev.k {
			lo, hi = min(lo, bk.idx), max(hi, bk.idx)
		}
	}
	ep := st.ep
	switch {
	case ep != nil && j <= ep.last+ev.k && j+ev.k >= ep.first:
		ep.first, ep.last = min(ep.first, j), max(ep.last, j)
	case ep != nil && j+ev.k < ep.first:
		// An earlier, separate burst that a late event completed: report
		// it on its own.
		old := &ruleEpisode{first: j, last: j, lo: lo, hi: hi, peak: value, limit: limit, expected: expected, partial: st.partial || ev.lost}
		old.addID(e.EventID)
		ev.emit(key, st, old)
		return
	default:
		if ep != nil {
			ev.close(key, st)
		}
		ep = &ruleEpisode{first: j, last: j, lo: lo, hi: hi, limit: limit, expected: expected, partial: st.partial || ev.lost}
		if prevID != "" && prevB >= j && prevB < j+ev.k {
			ep.addID(prevID)
		}
		st.ep = ep
	}
	ep.lo, ep.hi = min(ep.lo, lo), max(ep.hi, hi)
	ep.addID(e.EventID)
	if value > ep.peak {
		ep.peak, ep.limit, ep.expected = value, limit, expected
	}
}

func (ep *ruleEpisode) addID(id string) {
	if id != "" && len(ep.ids) < maxEvidenceIDs && !slices.Contains(ep.ids, id) {
		ep.ids = append(ep.ids, id)
	}
}

// close turns the key's open episode into a finding.
func (ev *ruleEval) close(key string, st *ruleKey) {
	ev.emit(key, st, st.ep)
	st.ep = nil
}

func (ev *ruleEval) emit(key string, st *ruleKey, ep *ruleEpisode) {
	r := ev.r
	w := clipRange(cognitomon.TimeRange{Start: time.Unix(0, ep.lo*ev.hop).UTC(), End: time.Unix(0, (ep.hi+1)*ev.hop).UTC()}, ev.in.Scope.Range)
	subj := r.Key.subject(key)
	unit := r.Unit
	if unit == "" {
		unit = "events"
		if r.Distinct != 0 {
			unit = "distinct " + r.Distinct.String() + " values"
		}
	}
	f := cognitomon.Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Window:   w,
		Subject:  subj,
		Evidence: cognitomon.Evidence{
			Value:     ep.peak,
			Threshold: ep.limit,
			Unit:      unit + " in " + text.Duration(r.Window),
			Expected:  ep.expected,
			Estimated: ep.partial,
			EventIDs:  slices.Clone(ep.ids),
		},
		Advice: r.Advice,
	}
	f.Summary = fmt.Sprintf("%s %s within %s for %s (threshold %s)", fmtNumber(ep.peak), unit, text.Duration(r.Window), subj, fmtNumber(ep.limit))
	if ev.profile != nil {
		f.Summary = fmt.Sprintf("%s %s within %s for %s (threshold %s; baseline mean %s)", fmtNumber(ep.peak), unit, text.Duration(r.Window), subj, fmtNumber(ep.limit), fmtNumber(ep.expected))
	}
	if r.Top != 0 {
		f.Evidence.TopOf = r.Top.String()
		if len(st.top.s) > 0 {
			f.Evidence.Top = st.top.list()
		}
	}
	ev.done = append(ev.done, f)
	ev.trim()
}

// trim bounds the findings kept: past twice the limit, the ones with the
// highest values stay.
func (ev *ruleEval) trim() {
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 2)
}

func (ev *ruleEval) Findings(ctx context.Context) ([]cognitomon.Finding, error) {
	ev.keys.each(func(key string, st *ruleKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *ruleEval) Notes() []string {
	notes := slices.Clone(ev.notes)
	if ev.late > 0 {
		notes = append(notes, fmt.Sprintf("%d events arrived too late to count (more than %s behind the newest)", ev.late, text.Duration(ev.in.Limits.WithDefaults().Lateness)))
	}
	if ev.lost {
		notes = append(notes, fmt.Sprintf("more than %d keys were active at once: state was dropped and some counts are lower bounds (raise DetectLimits.MaxKeys)", ev.keys.max))
	}
	if ev.dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d findings with the lowest counts left out", ev.dropped))
	}
	return notes
}

// trimFindings keeps the limit findings with the highest values once there
// are more than slack times limit, and returns how many it dropped.
func trimFindings(fs *[]cognitomon.Finding, limit, slack int) int {
	if len(*fs) <= slack*limit || len(*fs) <= limit {
		return 0
	}
	slices.SortStableFunc(*fs, func(a, b cognitomon.Finding) int { return cmp.Compare(b.Evidence.Value, a.Evidence.Value) })
	n := len(*fs) - limit
	clear((*fs)[limit:])
	*fs = (*fs)[:limit]
	return n
}
