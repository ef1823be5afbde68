package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// BaselineVersion is the version of the baseline file format that
// Baseline.WriteTo writes and ReadBaseline reads.
const BaselineVersion = 1

// ErrInvalidBaseline reports a baseline file that is corrupt, of another
// version, or inconsistent. A baseline that cannot be read is an error,
// never an empty baseline: an empty one would make every key look new.
var ErrInvalidBaseline = errors.New("invalid baseline")

// Seasonality says how a profile splits time: all windows together, or by
// the hour of the day or of the week (UTC) of the window's start, so that
// a night is compared with nights. The zero value is SeasonalityNone.
type Seasonality int

// The seasonalities.
const (
	// SeasonalityNone pools every window.
	SeasonalityNone Seasonality = iota
	// SeasonalityHourOfDay has 24 slots.
	SeasonalityHourOfDay
	// SeasonalityHourOfWeek has 168 slots, Sunday 00:00 UTC first. It
	// needs several weeks of reference: with one week, each slot has one
	// window and no spread.
	SeasonalityHourOfWeek
)

// String returns "none", "hour-of-day" or "hour-of-week".
func (s Seasonality) String() string {
	switch s {
	case SeasonalityNone:
		return "none"
	case SeasonalityHourOfDay:
		return "hour-of-day"
	case SeasonalityHourOfWeek:
		return "hour-of-week"
	}
	return "Seasonality(" + strconv.Itoa(int(s)) + ")"
}

func (s Seasonality) valid() bool { return s >= SeasonalityNone && s <= SeasonalityHourOfWeek }

// MarshalText returns String's result. It fails for an invalid value.
func (s Seasonality) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("cognitomon: invalid seasonality %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses String's result.
func (s *Seasonality) UnmarshalText(b []byte) error {
	for v := SeasonalityNone; v <= SeasonalityHourOfWeek; v++ {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("unknown seasonality %q", text.Truncate(string(b)))
}

// Slots returns how many slots s has: 1, 24 or 168.
func (s Seasonality) Slots() int {
	switch s {
	case SeasonalityHourOfDay:
		return 24
	case SeasonalityHourOfWeek:
		return 168
	}
	return 1
}

// Slot returns the slot of t: 0 for SeasonalityNone, the UTC hour for
// SeasonalityHourOfDay, the hour of the UTC week for SeasonalityHourOfWeek.
func (s Seasonality) Slot(t time.Time) int {
	t = t.UTC()
	switch s {
	case SeasonalityHourOfDay:
		return t.Hour()
	case SeasonalityHourOfWeek:
		return int(t.Weekday())*24 + t.Hour()
	}
	return 0
}

// Baseline is what normal looks like, learned from a reference window
// (LearnBaseline): for rules in baseline mode, the mean and spread of their
// counts per key; for first-seen rules, the values seen per key. It is
// saved as a small JSON file (WriteTo, Save) so that a scheduled job can
// compare today with last week (ReadBaseline, LoadBaseline).
//
// The zero value is an empty baseline, to which SetProfile and
// SetValueSets add. A Baseline is not safe for concurrent modification;
// Detect only reads it.
type Baseline struct {
	// UserPool is the pool it was learned from, when known.
	UserPool cognitomon.UserPoolID
	// Range is the reference window.
	Range cognitomon.TimeRange
	// Profiles are the count profiles, by rule ID.
	Profiles map[string]*Profile
	// ValueSets are the first-seen sets, by rule ID.
	ValueSets map[string]*ValueSets
	// Coverage is what LearnBaseline's pass read (not saved in the file).
	Coverage cognitomon.Coverage
}

// SetProfile stores p under name, replacing any profile of that name.
func (b *Baseline) SetProfile(name string, p *Profile) {
	if b.Profiles == nil {
		b.Profiles = map[string]*Profile{}
	}
	b.Profiles[name] = p
}

// SetValueSets stores s under name, replacing any sets of that name.
func (b *Baseline) SetValueSets(name string, s *ValueSets) {
	if b.ValueSets == nil {
		b.ValueSets = map[string]*ValueSets{}
	}
	b.ValueSets[name] = s
}

// forScope returns an error wrapping ErrInvalidBaseline when b was learned
// for another pool than the run's.
func (b *Baseline) forScope(in *cognitomon.DetectInput) error {
	if b != nil && b.UserPool != "" && in.Scope.UserPool != "" && b.UserPool != in.Scope.UserPool {
		return fmt.Errorf("%w: the baseline was learned for user pool %s, not %s", ErrInvalidBaseline, b.UserPool, in.Scope.UserPool)
	}
	return nil
}

// profileFor returns the profile a rule needs, or an error wrapping
// ErrMissingInput that says why there is none, or ErrInvalidBaseline for a
// baseline of another pool.
func (b *Baseline) profileFor(in *cognitomon.DetectInput, name string, key EventKey, window time.Duration, s Seasonality) (*Profile, error) {
	if b == nil {
		return nil, missingInput("no baseline")
	}
	if err := b.forScope(in); err != nil {
		return nil, err
	}
	p := b.Profiles[name]
	switch {
	case p == nil:
		return nil, missingInput("the baseline has no profile %q; learn one with LearnBaseline and the rule", name)
	case p.Key != key || p.Window != window || p.Seasonality != s:
		return nil, missingInput("the baseline's profile %q was learned by %s per %s with seasonality %s, the rule counts by %s per %s with %s; learn it again",
			name, p.Key, text.Duration(p.Window), p.Seasonality, key, text.Duration(window), s)
	}
	return p, nil
}

// valueSetsFor returns the value sets a rule needs, or an error wrapping
// ErrMissingInput.
func (b *Baseline) valueSetsFor(in *cognitomon.DetectInput, name string, key EventKey, fields []EventKey) (*ValueSets, error) {
	if b == nil {
		return nil, missingInput("no baseline")
	}
	if err := b.forScope(in); err != nil {
		return nil, err
	}
	s := b.ValueSets[name]
	switch {
	case s == nil:
		return nil, missingInput("the baseline has no value sets %q; learn them with LearnBaseline and the rule", name)
	case s.Key != key || !sameKeys(s.Fields, fields):
		return nil, missingInput("the baseline's value sets %q were learned for other fields; learn them again", name)
	}
	return s, nil
}

func sameKeys(a, b []EventKey) bool {
	if len(a) != len(b) {
		return false
	}
	for _, k := range a {
		if !slices.Contains(b, k) {
			return false
		}
	}
	return true
}

// Profile is a rule's learned counts: for each key, per slot of the
// seasonality, the mean, standard deviation and maximum of its count over
// the tumbling windows of the reference range (windows without events
// count as zero).
type Profile struct {
	// Key is what the counts are per (0 for a custom profile).
	Key EventKey
	// Window is the window length.
	Window time.Duration
	// Seasonality splits the windows into slots.
	Seasonality Seasonality
	// Keys holds, per key, the statistics of the slots in which the key
	// had events, ascending by slot. A key's missing slot had none.
	Keys map[string][]SlotStats
	// Dropped counts events not learned: late ones, and ones of keys
	// beyond the builder's MaxKeys.
	Dropped int64
	// Truncated reports that more keys were seen than MaxKeys.
	Truncated bool
}

// SlotStats are one key's statistics in one slot.
type SlotStats struct {
	// Slot is the slot (see Seasonality.Slot).
	Slot int
	// Windows is how many windows of the reference range fall in the slot.
	Windows int64
	// Mean, StdDev (population) and Max of the key's count per window.
	Mean, StdDev, Max float64
}

// Stats returns the statistics of key for the slot of t. known is false
// when the profile has no such key; a known key's slot without events has
// zero statistics.
func (p *Profile) Stats(key string, t time.Time) (st SlotStats, known bool) {
	slots, ok := p.Keys[key]
	if !ok {
		return SlotStats{}, false
	}
	slot := p.Seasonality.Slot(t)
	i, found := slices.BinarySearchFunc(slots, slot, func(s SlotStats, slot int) int { return s.Slot - slot })
	if !found {
		return SlotStats{Slot: slot}, true
	}
	return slots[i], true
}

// Limit returns the outlier limit of key at t: the larger of floor and the
// slot's mean plus sigmas standard deviations. A key the profile does not
// have gets floor.
func (p *Profile) Limit(key string, t time.Time, sigmas, floor float64) (limit float64, st SlotStats, known bool) {
	st, known = p.Stats(key, t)
	return max(floor, st.Mean+sigmas*st.StdDev), st, known
}

// ProfileOptions bound a ProfileBuilder. Zero values mean the documented
// defaults.
type ProfileOptions struct {
	// MaxKeys is how many keys are learned; events of further keys are
	// dropped and Profile.Truncated set. Default 100,000.
	MaxKeys int
	// Lateness is how far behind the newest event an event may arrive
	// and still count. Default 15 minutes.
	Lateness time.Duration
}

// ProfileBuilder learns a Profile from (key, time) pairs, in bounded memory:
// each key keeps only its windows still open (within Lateness of the
// newest event) and running sums per slot. Only windows that lie wholly in
// the reference range count.
type ProfileBuilder struct {
	key         EventKey
	window      int64
	season      Seasonality
	opts        ProfileOptions
	firstW      int64
	lastW       int64
	slotWindows []int64
	keys        map[string]*pbKey
	water       int64
	started     bool
	lateW       int64
	dropped     int64
	truncated   bool
}

type pbKey struct {
	open []pbOpen
	acc  map[int]*pbAcc
}

type pbOpen struct{ w, n int64 }

type pbAcc struct{ sum, sumsq, max float64 }

// NewProfileBuilder returns a builder of a profile of counts per key in
// tumbling windows of the given length over r. It panics if window is not
// positive.
func NewProfileBuilder(key EventKey, r cognitomon.TimeRange, window time.Duration, s Seasonality, optFns ...func(*ProfileOptions)) *ProfileBuilder {
	if window <= 0 {
		panic("cognitomon: NewProfileBuilder with a window that is not positive")
	}
	var o ProfileOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 100_000
	}
	if o.Lateness <= 0 {
		o.Lateness = 15 * time.Minute
	}
	w := int64(window)
	pb := &ProfileBuilder{key: key, window: w, season: s, opts: o, keys: map[string]*pbKey{}, slotWindows: make([]int64, s.Slots())}
	pb.firstW = -floorDivInt64(-r.Start.UnixNano(), w) // the first window that starts in r
	pb.lastW = floorDivInt64(r.End.UnixNano(), w) - 1  // the last that ends in r
	for i := pb.firstW; i <= pb.lastW; i++ {
		pb.slotWindows[s.Slot(time.Unix(0, i*w))]++
	}
	pb.lateW = (int64(o.Lateness) + w - 1) / w
	return pb
}

// Add counts one event of key at t.
func (pb *ProfileBuilder) Add(key string, t time.Time) {
	i := floorDivInt64(t.UnixNano(), pb.window)
	if i < pb.firstW || i > pb.lastW {
		return
	}
	if !pb.started || i > pb.water {
		pb.water, pb.started = i, true
	}
	if i < pb.water-pb.lateW {
		pb.dropped++
		return
	}
	k := pb.keys[key]
	if k == nil {
		if len(pb.keys) >= pb.opts.MaxKeys {
			pb.dropped++
			pb.truncated = true
			return
		}
		k = &pbKey{}
		pb.keys[key] = k
	}
	j := slices.IndexFunc(k.open, func(o pbOpen) bool { return o.w == i })
	if j < 0 {
		k.open = append(k.open, pbOpen{w: i})
		j = len(k.open) - 1
	}
	k.open[j].n++
	pb.flush(k, pb.water-pb.lateW)
}

// flush moves the windows of k before window from into the sums.
func (pb *ProfileBuilder) flush(k *pbKey, from int64) {
	kept := k.open[:0]
	for _, o := range k.open {
		if o.w >= from {
			kept = append(kept, o)
			continue
		}
		if k.acc == nil {
			k.acc = map[int]*pbAcc{}
		}
		slot := pb.season.Slot(time.Unix(0, o.w*pb.window))
		a := k.acc[slot]
		if a == nil {
			a = &pbAcc{}
			k.acc[slot] = a
		}
		n := float64(o.n)
		a.sum += n
		a.sumsq += n * n
		a.max = max(a.max, n)
	}
	k.open = kept
}

// Profile returns the profile learned so far. The builder should not be
// used afterwards.
func (pb *ProfileBuilder) Profile() *Profile {
	p := &Profile{Key: pb.key, Window: time.Duration(pb.window), Seasonality: pb.season, Keys: make(map[string][]SlotStats, len(pb.keys)), Dropped: pb.dropped, Truncated: pb.truncated}
	for key, k := range pb.keys {
		pb.flush(k, math.MaxInt64)
		var slots []SlotStats
		for slot, a := range k.acc {
			n := float64(pb.slotWindows[slot])
			if n == 0 {
				continue
			}
			mean := a.sum / n
			sd := math.Sqrt(max(0, a.sumsq/n-mean*mean))
			slots = append(slots, SlotStats{Slot: slot, Windows: pb.slotWindows[slot], Mean: mean, StdDev: sd, Max: a.max})
		}
		slices.SortFunc(slots, func(a, b SlotStats) int { return a.Slot - b.Slot })
		p.Keys[key] = slots
	}
	return p
}

// ValueSets are a first-seen rule's learned values: for each key, the
// values of each field seen in the reference window, at most MaxValues per
// field.
type ValueSets struct {
	// Key is what the sets are per.
	Key EventKey
	// Fields are the fields recorded.
	Fields []EventKey
	// MaxValues is the most values kept per field and key; a field that
	// reached it stopped recording, so its new values are not judged.
	MaxValues int
	// Keys holds the values per key and field.
	Keys map[string]map[EventKey][]string
	// Truncated reports that more keys were seen than the builder's
	// MaxKeys: a key missing from Keys may then not be new.
	Truncated bool
}

// Known reports whether value of field was seen for key.
func (s *ValueSets) Known(key string, field EventKey, value string) bool {
	return slices.Contains(s.Keys[key][field], value)
}

// ValueSetOptions bound a ValueSetBuilder. Zero values mean the documented
// defaults.
type ValueSetOptions struct {
	// MaxKeys is how many keys are recorded. Default 100,000.
	MaxKeys int
	// MaxValues is how many values per field and key are recorded.
	// Default 16.
	MaxValues int
}

// ValueSetBuilder records the values seen per key, in bounded memory.
type ValueSetBuilder struct {
	s    *ValueSets
	opts ValueSetOptions
}

// NewValueSetBuilder returns a builder of value sets per key for the given
// fields.
func NewValueSetBuilder(key EventKey, fields []EventKey, optFns ...func(*ValueSetOptions)) *ValueSetBuilder {
	var o ValueSetOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.MaxKeys <= 0 {
		o.MaxKeys = 100_000
	}
	if o.MaxValues <= 0 {
		o.MaxValues = 16
	}
	return &ValueSetBuilder{s: &ValueSets{Key: key, Fields: slices.Clone(fields), MaxValues: o.MaxValues, Keys: map[string]map[EventKey][]string{}}, opts: o}
}

// Add records value of field for key.
func (sb *ValueSetBuilder) Add(key string, field EventKey, value string) {
	if key == "" || value == "" || !slices.Contains(sb.s.Fields, field) {
		return
	}
	m := sb.s.Keys[key]
	if m == nil {
		if len(sb.s.Keys) >= sb.opts.MaxKeys {
			sb.s.Truncated = true
			return
		}
		m = map[EventKey][]string{}
		sb.s.Keys[key] = m
	}
	vs := m[field]
	if len(vs) >= sb.s.MaxValues || slices.Contains(vs, value) {
		return
	}
	m[field] = append(vs, value)
}

// ValueSets returns the sets recorded so far, each value list sorted.
func (sb *ValueSetBuilder) ValueSets() *ValueSets {
	for _, m := range sb.s.Keys {
		for _, vs := range m {
			slices.Sort(vs)
		}
	}
	return sb.s
}

// Learner is a Check that learns from a reference window. LearnBaseline
// calls Learn once, feeds the Lesson every reference event, and calls Done.
// Learn returns an error wrapping ErrMissingInput when the check has
// nothing to learn (an EventRule not in baseline mode).
type Learner interface {
	Learn(in *cognitomon.DetectInput) (Lesson, error)
}

// Lesson is one learning run of a Learner: Add sees each reference event
// (it is an Analyzer), and Done stores what was learned in b, by the
// check's name.
type Lesson interface {
	cognitomon.Consumer
	Done(b *Baseline) error
}

// LearnBaseline reads the events of a reference window once and returns
// what the checks that are Learners learned from them (the others are
// ignored): pass the same checks as to Detect. in.Scope.Range is the
// reference window and is required, as is in.Events; events are judged by
// in.Scope as Consume judges them, and the baseline belongs to
// in.Scope.UserPool. in.Limits bound memory as for Detect.
//
// A stream that could not be read whole (an unreadable record or file, a
// failed source, a cancelled ctx) gives no baseline: LearnBaseline returns
// an error wrapping ErrIncomplete, since a baseline learned from part of the
// window would make the rest look new.
func LearnBaseline(ctx context.Context, in cognitomon.DetectInput, checks ...cognitomon.Check) (*Baseline, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, fmt.Errorf("learn baseline: %w", missingInput("no CloudTrail events"))
	}
	if in.Scope.Range.IsZero() {
		return nil, fmt.Errorf("learn baseline: %w: a reference range is required", cognitomon.ErrInvalidRange)
	}
	in.Limits = in.Limits.WithDefaults()
	b := &Baseline{UserPool: in.Scope.UserPool, Range: in.Scope.Range}
	type lesson struct {
		name string
		l    Lesson
	}
	var lessons []lesson
	seen := map[string]bool{}
	for i, c := range checks {
		if c == nil {
			return nil, fmt.Errorf("learn baseline: check %d is nil", i)
		}
		name := c.Name()
		if seen[name] {
			return nil, fmt.Errorf("learn baseline: two checks named %s", name)
		}
		seen[name] = true
		lr, ok := c.(Learner)
		if !ok {
			continue
		}
		l, err := lr.Learn(&in)
		if errors.Is(err, cognitomon.ErrMissingInput) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("learn baseline: check %s: %w", name, err)
		}
		lessons = append(lessons, lesson{name, l})
	}
	var fan lessonFan
	for _, l := range lessons {
		fan = append(fan, l.l)
	}
	cov, err := cognitomon.Consume(ctx, in.Events, in.Scope, fan)
	if err != nil {
		return nil, fmt.Errorf("learn baseline: %w", err)
	}
	if cov.InScope == 0 {
		return nil, fmt.Errorf("learn baseline: %w: no events in scope to learn from (%s)", cognitomon.ErrIncomplete, strings.Join(cov.Gaps(), "; "))
	}
	b.Coverage = *cov
	for _, l := range lessons {
		if err := l.l.Done(b); err != nil {
			return nil, fmt.Errorf("learn baseline: check %s: %w", l.name, err)
		}
	}
	return b, nil
}

// lessonFan feeds one pass to every lesson.
type lessonFan []Lesson

func (f lessonFan) Add(e cognitomon.Event) {
	for _, l := range f {
		l.Add(e)
	}
}

// The baseline file's JSON shapes.
type baselineFile struct {
	Version   int                      `json:"version"`
	UserPool  cognitomon.UserPoolID    `json:"userPool,omitempty"`
	Range     rangeFile                `json:"range"`
	Profiles  map[string]profileFile   `json:"profiles"`
	ValueSets map[string]valueSetsFile `json:"valueSets"`
}

type rangeFile struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

type profileFile struct {
	Key         string                `json:"key"`
	Window      string                `json:"window"`
	Seasonality Seasonality           `json:"seasonality"`
	Keys        map[string][]slotFile `json:"keys"`
	Dropped     int64                 `json:"dropped,omitempty"`
	Truncated   bool                  `json:"truncated,omitempty"`
}

type slotFile struct {
	Slot    int     `json:"slot"`
	Windows int64   `json:"windows"`
	Mean    float64 `json:"mean"`
	StdDev  float64 `json:"stddev"`
	Max     float64 `json:"max"`
}

type valueSetsFile struct {
	Key       EventKey                         `json:"key"`
	Fields    []EventKey                       `json:"fields"`
	MaxValues int                              `json:"maxValues"`
	Keys      map[string]map[EventKey][]string `json:"keys"`
	Truncated bool                             `json:"truncated,omitempty"`
}

// WriteTo writes b as indented JSON with the current BaselineVersion. It
// fails for a baseline that does not validate.
func (b *Baseline) WriteTo(w io.Writer) (int64, error) {
	if err := b.Validate(); err != nil {
		return 0, err
	}
	f := baselineFile{
		Version:   BaselineVersion,
		UserPool:  b.UserPool,
		Range:     rangeFile{Start: b.Range.Start.UTC(), End: b.Range.End.UTC()},
		Profiles:  map[string]profileFile{},
		ValueSets: map[string]valueSetsFile{},
	}
	for name, p := range b.Profiles {
		pf := profileFile{Window: p.Window.String(), Seasonality: p.Seasonality, Keys: map[string][]slotFile{}, Dropped: p.Dropped, Truncated: p.Truncated}
		if p.Key != 0 {
			pf.Key = p.Key.String()
		}
		for k, slots := range p.Keys {
			sf := make([]slotFile, len(slots))
			for i, s := range slots {
				sf[i] = slotFile(s)
			}
			pf.Keys[k] = sf
		}
		f.Profiles[name] = pf
	}
	for name, s := range b.ValueSets {
		f.ValueSets[name] = valueSetsFile{Key: s.Key, Fields: s.Fields, MaxValues: s.MaxValues, Keys: s.Keys, Truncated: s.Truncated}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encoding baseline: %w", err)
	}
	data = append(data, '\n')
	n, err := w.Write(data)
	return int64(n), err
}

// maxBaselineSize is the largest baseline file ReadBaseline accepts.
const maxBaselineSize = 1 << 30

// ReadBaseline reads a baseline written by WriteTo. A file of another
// version, with unknown or missing members, trailing data, or values that
// do not validate is an error wrapping ErrInvalidBaseline.
func ReadBaseline(r io.Reader) (*Baseline, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBaselineSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading baseline: %w", err)
	}
	if len(data) > maxBaselineSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidBaseline, maxBaselineSize)
	}
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBaseline, err)
	}
	switch {
	case probe.Version == nil:
		return nil, fmt.Errorf("%w: no version", ErrInvalidBaseline)
	case *probe.Version != BaselineVersion:
		return nil, fmt.Errorf("%w: version %d, this package reads version %d: learn the baseline again", ErrInvalidBaseline, *probe.Version, BaselineVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f baselineFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidBaseline, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the baseline object", ErrInvalidBaseline)
	}
	if f.Profiles == nil || f.ValueSets == nil {
		return nil, fmt.Errorf("%w: missing profiles or valueSets", ErrInvalidBaseline)
	}
	b := &Baseline{UserPool: f.UserPool, Range: cognitomon.TimeRange{Start: f.Range.Start.UTC(), End: f.Range.End.UTC()}}
	for name, pf := range f.Profiles {
		window, err := time.ParseDuration(pf.Window)
		if err != nil {
			return nil, fmt.Errorf("%w: profile %q: window %q: %w", ErrInvalidBaseline, name, text.Truncate(pf.Window), err)
		}
		p := &Profile{Window: window, Seasonality: pf.Seasonality, Keys: make(map[string][]SlotStats, len(pf.Keys)), Dropped: pf.Dropped, Truncated: pf.Truncated}
		if pf.Key != "" {
			if err := p.Key.UnmarshalText([]byte(pf.Key)); err != nil {
				return nil, fmt.Errorf("%w: profile %q: %w", ErrInvalidBaseline, name, err)
			}
		}
		for k, sf := range pf.Keys {
			slots := make([]SlotStats, len(sf))
			for i, s := range sf {
				slots[i] = SlotStats(s)
			}
			p.Keys[k] = slots
		}
		b.SetProfile(name, p)
	}
	for name, sf := range f.ValueSets {
		b.SetValueSets(name, &ValueSets{Key: sf.Key, Fields: sf.Fields, MaxValues: sf.MaxValues, Keys: sf.Keys, Truncated: sf.Truncated})
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// Validate reports whether b is consistent: a valid range, and profiles
// and value sets whose names, keys, windows, slots and statistics make
// sense. Its errors wrap ErrInvalidBaseline.
func (b *Baseline) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidBaseline, fmt.Sprintf(format, args...))
	}
	if err := b.Range.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidBaseline, err)
	}
	if b.UserPool != "" {
		if err := b.UserPool.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidBaseline, err)
		}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) && v >= 0 }
	for name, p := range b.Profiles {
		switch {
		case text.CheckName(name) != nil:
			return bad("profile name %q", text.Truncate(name))
		case p == nil:
			return bad("profile %q is empty", name)
		case p.Key != 0 && !p.Key.valid():
			return bad("profile %q: invalid key", name)
		case p.Window <= 0:
			return bad("profile %q: window %s", name, p.Window)
		case !p.Seasonality.valid():
			return bad("profile %q: invalid seasonality", name)
		case p.Dropped < 0:
			return bad("profile %q: negative dropped count", name)
		}
		for k, slots := range p.Keys {
			if k == "" {
				return bad("profile %q: empty key", name)
			}
			for i, s := range slots {
				switch {
				case s.Slot < 0 || s.Slot >= p.Seasonality.Slots():
					return bad("profile %q key %q: slot %d out of range", name, text.Truncate(k), s.Slot)
				case i > 0 && s.Slot <= slots[i-1].Slot:
					return bad("profile %q key %q: slots not ascending", name, text.Truncate(k))
				case s.Windows < 1:
					return bad("profile %q key %q: slot %d has %d windows", name, text.Truncate(k), s.Slot, s.Windows)
				case !finite(s.Mean) || !finite(s.StdDev) || !finite(s.Max) || s.Max < s.Mean:
					return bad("profile %q key %q: slot %d has impossible statistics", name, text.Truncate(k), s.Slot)
				}
			}
		}
	}
	for name, s := range b.ValueSets {
		switch {
		case text.CheckName(name) != nil:
			return bad("value sets name %q", text.Truncate(name))
		case s == nil:
			return bad("value sets %q are empty", name)
		case !s.Key.valid():
			return bad("value sets %q: invalid key", name)
		case len(s.Fields) == 0:
			return bad("value sets %q: no fields", name)
		case s.MaxValues < 1:
			return bad("value sets %q: maximum of values %d", name, s.MaxValues)
		}
		for i, f := range s.Fields {
			if !f.valid() || slices.Contains(s.Fields[:i], f) {
				return bad("value sets %q: invalid or repeated field", name)
			}
		}
		for k, m := range s.Keys {
			if k == "" {
				return bad("value sets %q: empty key", name)
			}
			for f, vs := range m {
				if !slices.Contains(s.Fields, f) {
					return bad("value sets %q key %q: field %s is not one of the fields", name, text.Truncate(k), f)
				}
				if len(vs) > s.MaxValues {
					return bad("value sets %q key %q: %d values of %s, more than %d", name, text.Truncate(k), len(vs), f, s.MaxValues)
				}
				for i, v := range vs {
					if v == "" || slices.Contains(vs[:i], v) {
						return bad("value sets %q key %q: empty or repeated value of %s", name, text.Truncate(k), f)
					}
				}
			}
		}
	}
	return nil
}

// Save writes b to the file name, replacing it atomically (a temporary
// file in the same directory, renamed).
func (b *Baseline) Save(name string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("saving baseline: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err := b.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("saving baseline %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving baseline %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("saving baseline: %w", err)
	}
	return nil
}

// LoadBaseline reads the baseline file name (see ReadBaseline).
func LoadBaseline(name string) (*Baseline, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("loading baseline: %w", err)
	}
	defer f.Close()
	b, err := ReadBaseline(f)
	if err != nil {
		return nil, fmt.Errorf("loading baseline %s: %w", name, err)
	}
	return b, nil
}
