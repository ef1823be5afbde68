package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// FirstSeenRule reports keys (users' subs, machine clients) seen with
// values (address ranges, user-agent families) that the baseline never saw
// for them: a refresh token used from a new network and device, a machine
// client called from a new range. It needs a baseline learned with the
// rule (LearnBaseline), which records up to MaxValues values per field for
// each key from the reference events that Learn selects.
//
// Values that the run's Teach events show for a key count as known too, in
// whatever order the events arrive: a user who signs in with a password
// from a hotel and then refreshes there is not reported. The zero value is
// not a valid rule.
type FirstSeenRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches.
	Description string
	// Key is what is watched. Required.
	Key EventKey
	// Values are the fields compared with the baseline. At least one.
	Values []EventKey
	// Judge selects the events checked.
	Judge EventMatch
	// Reference selects the reference events that LearnBaseline learns
	// from.
	Reference EventMatch
	// Teach, when set, selects events of the run whose values become known
	// for their key.
	Teach *EventMatch
	// KnownKeysOnly judges only keys that the baseline has: for users, a
	// new account has no history to compare with. Without it, a key the
	// baseline lacks has only new values.
	KnownKeysOnly bool
	// MaxValues is how many values per field and key the baseline keeps;
	// a key with more is not judged on that field. Default 16.
	MaxValues int
	// Severity is the findings' severity when every field has a new value.
	Severity cognitomon.Severity
	// PartialSeverity is the severity when some fields have only known
	// values. Default Severity.
	PartialSeverity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
	// Learned is what LearnBaseline learned: the rule reads its value
	// sets by ID. It must have been learned for the run's pool; without
	// it the rule is skipped.
	Learned *Baseline
}

// Name returns r.ID.
func (r FirstSeenRule) Name() string { return r.ID }

func (r FirstSeenRule) maxValues() int { return cmp.Or(r.MaxValues, 16) }

// Validate reports what is wrong with the rule, if anything.
func (r FirstSeenRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.Key.valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case len(r.Values) == 0:
		return fmt.Errorf("rule %s: no value fields", r.ID)
	case r.MaxValues < 0:
		return fmt.Errorf("rule %s: negative maximum of values", r.ID)
	case !r.Severity.Valid() || (r.PartialSeverity != 0 && !r.PartialSeverity.Valid()):
		return fmt.Errorf("rule %s: invalid severity", r.ID)
	}
	for i, v := range r.Values {
		if !v.valid() || v == r.Key || slices.Contains(r.Values[:i], v) {
			return fmt.Errorf("rule %s: invalid or repeated value field %d", r.ID, int(v))
		}
	}
	for _, m := range []EventMatch{r.Judge, r.Reference} {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	if r.Teach != nil {
		if err := r.Teach.Validate(); err != nil {
			return fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	return nil
}

// Learn returns a Lesson that records the values of each key in the
// reference events.
func (r FirstSeenRule) Learn(in *cognitomon.DetectInput) (Lesson, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &firstSeenLesson{r: r, sb: NewValueSetBuilder(r.Key, r.Values, func(o *ValueSetOptions) {
		o.MaxKeys = in.Limits.WithDefaults().MaxKeys
		o.MaxValues = r.maxValues()
	})}, nil
}

type firstSeenLesson struct {
	r  FirstSeenRule
	sb *ValueSetBuilder
}

func (l *firstSeenLesson) Add(e cognitomon.Event) {
	if !l.r.Reference.Match(e) {
		return
	}
	key := l.r.Key.Of(e)
	if key == "" {
		return
	}
	for _, f := range l.r.Values {
		if v := f.Of(e); v != "" {
			l.sb.Add(key, f, v)
		}
	}
}

func (l *firstSeenLesson) Done(b *Baseline) error {
	b.SetValueSets(l.r.ID, l.sb.ValueSets())
	return nil
}

// Start begins an evaluation. It needs events and a baseline with the
// rule's value sets.
func (r FirstSeenRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	known, err := r.Learned.valueSetsFor(in, r.ID, r.Key, r.Values)
	if err != nil {
		return nil, err
	}
	lim := in.Limits.WithDefaults()
	ev := &firstSeenEval{r: r, in: in, known: known}
	ev.taught = newKeyTable(lim.MaxKeys, func(string, *fsValues) { ev.lost = true })
	ev.cands = newKeyTable(lim.MaxKeys, func(string, *fsCand) { ev.lost = true })
	return ev, nil
}

type firstSeenEval struct {
	r        FirstSeenRule
	in       *cognitomon.DetectInput
	known    *ValueSets
	taught   *keyTable[fsValues]
	cands    *keyTable[fsCand]
	unjudged int64
	lost     bool
}

// fsValues are values per field, at most MaxValues each.
type fsValues struct {
	vals [][]string // by index in FirstSeenRule.Values
}

type fsCand struct {
	news        []fsNew
	events      int64
	first, last time.Time
	ids         []string
	unknownKey  bool
}

type fsNew struct {
	field int
	value string
	count int64
}

func (ev *firstSeenEval) Add(e cognitomon.Event) {
	r := ev.r
	if r.Teach != nil && r.Teach.Match(e) {
		if key := r.Key.Of(e); key != "" {
			tv, _ := ev.taught.get(key)
			if tv.vals == nil {
				tv.vals = make([][]string, len(r.Values))
			}
			for i, f := range r.Values {
				if v := f.Of(e); v != "" && !slices.Contains(tv.vals[i], v) && len(tv.vals[i]) < r.maxValues() {
					tv.vals[i] = append(tv.vals[i], v)
				}
			}
		}
	}
	if !r.Judge.Match(e) {
		return
	}
	key := r.Key.Of(e)
	if key == "" {
		return
	}
	kv, keyKnown := ev.known.Keys[key]
	if !keyKnown && (r.KnownKeysOnly || ev.known.Truncated) {
		ev.unjudged++
		return
	}
	var news []fsNew
	for i, f := range r.Values {
		v := f.Of(e)
		if v == "" {
			continue
		}
		if keyKnown {
			have := kv[f]
			if slices.Contains(have, v) || len(have) >= ev.known.MaxValues {
				continue
			}
		}
		news = append(news, fsNew{field: i, value: v})
	}
	if len(news) == 0 {
		return
	}
	c, _ := ev.cands.get(key)
	c.unknownKey = !keyKnown
	c.events++
	if c.first.IsZero() || e.Time.Before(c.first) {
		c.first = e.Time
	}
	if e.Time.After(c.last) {
		c.last = e.Time
	}
	if len(c.ids) < maxEvidenceIDs && e.EventID != "" {
		c.ids = append(c.ids, e.EventID)
	}
	for _, n := range news {
		j := slices.IndexFunc(c.news, func(x fsNew) bool { return x.field == n.field && x.value == n.value })
		switch {
		case j >= 0:
			c.news[j].count++
		case len(c.news) < 2*r.maxValues():
			c.news = append(c.news, fsNew{field: n.field, value: n.value, count: 1})
		}
	}
}

func (ev *firstSeenEval) Findings(context.Context) ([]cognitomon.Finding, error) {
	r := ev.r
	var out []cognitomon.Finding
	ev.cands.each(func(key string, c *fsCand) {
		var taught *fsValues
		if tv := ev.taught.peek(key); tv != nil {
			taught = tv
		}
		fields := make([]bool, len(r.Values))
		var top []cognitomon.Counted[string]
		var parts []string
		for _, n := range c.news {
			if taught != nil && taught.vals != nil && slices.Contains(taught.vals[n.field], n.value) {
				continue
			}
			fields[n.field] = true
			kv := r.Values[n.field].String() + "=" + n.value
			top = append(top, cognitomon.Counted[string]{Key: kv, Count: n.count})
			parts = append(parts, kv)
		}
		if len(top) == 0 {
			return
		}
		sortCounted(top)
		slices.Sort(parts)
		sev := r.Severity
		if slices.Contains(fields, false) && r.PartialSeverity != 0 {
			sev = r.PartialSeverity
		}
		subj := r.Key.subject(key)
		what := "values the baseline never saw for it"
		if c.unknownKey {
			what = "the baseline never saw it at all"
		}
		f := cognitomon.Finding{
			Check:    r.ID,
			Severity: sev,
			Summary:  fmt.Sprintf("%s: %d events with %s: %s", subj, c.events, what, strings.Join(parts, ", ")),
			Window:   clipRange(pointWindow(c.first, c.last), ev.in.Scope.Range),
			Subject:  subj,
			Evidence: cognitomon.Evidence{
				Value:     float64(len(top)),
				Threshold: 1,
				Unit:      "new values",
				Estimated: ev.lost,
				TopOf:     "new value",
				Top:       top[:min(len(top), topCap)],
				EventIDs:  c.ids,
			},
			Advice: r.Advice,
		}
		if c.unknownKey {
			f.Evidence.Notes = append(f.Evidence.Notes, "the key is not in the baseline")
		}
		out = append(out, f)
	})
	return out, nil
}

func (ev *firstSeenEval) Notes() []string {
	var notes []string
	if ev.unjudged > 0 {
		notes = append(notes, fmt.Sprintf("%d events were not judged: their %s is not in the baseline", ev.unjudged, ev.r.Key))
	}
	if ev.lost {
		notes = append(notes, fmt.Sprintf("more than %d keys at once: state was dropped (raise DetectLimits.MaxKeys)", ev.in.Limits.WithDefaults().MaxKeys))
	}
	return notes
}
