package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// SuccessAfterFailuresRule reports a completed sign-in (CompletedSignIn)
// from a key, by default a source address, that had at least MinFailures
// failed sign-ins (cognitomon.KindSignIn, OutcomeFailure) in the Window before it: a
// guessed password, or a stuffing list that found a live account. Failures
// and successes are matched by event time, whatever order they arrive in
// within DetectLimits.Lateness. The zero value is not a valid rule.
type SuccessAfterFailuresRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches.
	Description string
	// Key groups failures and successes. Default KeySourceIP.
	Key EventKey
	// MinFailures is how many failures before the success make it
	// suspicious. At least 1.
	MinFailures int
	// Window is how far back from the success failures count. At least
	// a second.
	Window time.Duration
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r SuccessAfterFailuresRule) Name() string { return r.ID }

func (r SuccessAfterFailuresRule) key() EventKey { return cmp.Or(r.Key, KeySourceIP) }

// Validate reports what is wrong with the rule, if anything.
func (r SuccessAfterFailuresRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.key().valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case r.MinFailures < 1:
		return fmt.Errorf("rule %s: minimum failures %d is less than 1", r.ID, r.MinFailures)
	case r.Window < time.Second:
		return fmt.Errorf("rule %s: window %s is shorter than a second", r.ID, r.Window)
	case !r.Severity.Valid():
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r SuccessAfterFailuresRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	lim := in.Limits.WithDefaults()
	ev := &safEval{r: r, in: in, retain: int64(r.Window + lim.Lateness), lateness: int64(lim.Lateness)}
	ev.keys = newKeyTable(lim.MaxKeys, func(key string, st *safKey) {
		if n := len(st.fails); n > 0 && st.fails[n-1] >= ev.water-ev.retain {
			ev.lost = true
		}
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	return ev, nil
}

type safEval struct {
	r        SuccessAfterFailuresRule
	in       *cognitomon.DetectInput
	keys     *keyTable[safKey]
	water    int64
	started  bool
	retain   int64
	lateness int64
	late     int64
	lost     bool
	done     []cognitomon.Finding
	dropped  int
}

type safKey struct {
	fails   []int64 // ascending failure times, at most 2*MinFailures
	wins    []safWin
	ep      *safEpisode
	partial bool
}

type safWin struct {
	t       int64
	id, sub string
	counted bool
}

type safEpisode struct {
	first, last int64
	peak        int
	ids         []string
	subs        topCounter
	partial     bool
}

func (ev *safEval) Add(e cognitomon.Event) {
	fail := e.Kind() == cognitomon.KindSignIn && e.Outcome() == cognitomon.OutcomeFailure
	if !fail && !CompletedSignIn(e) {
		return
	}
	key := ev.r.key().Of(e)
	if key == "" {
		return
	}
	t := e.Time.UnixNano()
	if !ev.started || t > ev.water {
		ev.water, ev.started = t, true
	}
	if t < ev.water-ev.lateness {
		ev.late++
		return
	}
	st, created := ev.keys.get(key)
	if created {
		st.partial = ev.lost
	}
	from := ev.water - ev.retain
	for len(st.fails) > 0 && st.fails[0] < from {
		st.fails = st.fails[1:]
	}
	for len(st.wins) > 0 && st.wins[0].t < from {
		st.wins = st.wins[1:]
	}
	w := int64(ev.r.Window)
	if fail {
		i, _ := slices.BinarySearch(st.fails, t)
		st.fails = insertSmall(st.fails, i, t)
		if len(st.fails) > 2*ev.r.MinFailures {
			st.fails = st.fails[1:]
		}
		for i := range st.wins {
			if st.wins[i].t > t && st.wins[i].t-t <= w {
				ev.evaluate(key, st, &st.wins[i])
			}
		}
		return
	}
	i, _ := slices.BinarySearchFunc(st.wins, t, func(x safWin, t int64) int { return cmp.Compare(x.t, t) })
	st.wins = insertSmall(st.wins, i, safWin{t: t, id: e.EventID, sub: e.Sub})
	if len(st.wins) > 4 {
		st.wins = st.wins[1:]
		i--
	}
	if i >= 0 {
		ev.evaluate(key, st, &st.wins[i])
	}
}

// evaluate checks the failures in the window before success w.
func (ev *safEval) evaluate(key string, st *safKey, w *safWin) {
	lo := w.t - int64(ev.r.Window)
	first := -1
	n := 0
	for i, t := range st.fails {
		if t >= lo && t < w.t {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	if n < ev.r.MinFailures {
		return
	}
	start := st.fails[first]
	ep := st.ep
	if ep != nil && (start > ep.last || w.t < ep.first) {
		ev.close(key, st)
		ep = nil
	}
	if ep == nil {
		ep = &safEpisode{first: start, last: w.t, partial: st.partial || ev.lost}
		st.ep = ep
	}
	ep.first, ep.last = min(ep.first, start), max(ep.last, w.t)
	ep.peak = max(ep.peak, n)
	if len(ep.ids) < maxEvidenceIDs && !slices.Contains(ep.ids, w.id) && w.id != "" {
		ep.ids = append(ep.ids, w.id)
	}
	if !w.counted && w.sub != "" {
		ep.subs.add(w.sub)
	}
	w.counted = true
}

func (ev *safEval) close(key string, st *safKey) {
	ep := st.ep
	st.ep = nil
	r := ev.r
	subj := r.key().subject(key)
	f := cognitomon.Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Summary:  fmt.Sprintf("a sign-in succeeded for %s after %d failed sign-ins within %s (threshold %d)", subj, ep.peak, text.Duration(r.Window), r.MinFailures),
		Window:   clipRange(pointWindow(time.Unix(0, ep.first), time.Unix(0, ep.last)), ev.in.Scope.Range),
		Subject:  subj,
		Evidence: cognitomon.Evidence{
			Value:     float64(ep.peak),
			Threshold: float64(r.MinFailures),
			Unit:      "failed sign-ins in the " + text.Duration(r.Window) + " before a successful one",
			Estimated: ep.partial,
			TopOf:     "sub signed in",
			Top:       ep.subs.list(),
			EventIDs:  ep.ids,
		},
		Advice: r.Advice,
	}
	ev.done = append(ev.done, f)
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 2)
}

func (ev *safEval) Findings(context.Context) ([]cognitomon.Finding, error) {
	ev.keys.each(func(key string, st *safKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *safEval) Notes() []string {
	return stateNotes(ev.late, ev.lost, ev.dropped, ev.in.Limits.WithDefaults())
}

// stateNotes are the notes of a rule about late events, dropped state and
// dropped findings.
func stateNotes(late int64, lost bool, dropped int, lim cognitomon.DetectLimits) []string {
	var notes []string
	if late > 0 {
		notes = append(notes, fmt.Sprintf("%d events arrived too late to count (more than %s behind the newest)", late, text.Duration(lim.Lateness)))
	}
	if lost {
		notes = append(notes, fmt.Sprintf("more than %d keys were active at once: state was dropped and some counts are lower bounds (raise DetectLimits.MaxKeys)", lim.MaxKeys))
	}
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d findings with the lowest counts left out", dropped))
	}
	return notes
}

// FailureStreakRule reports a run of at least MinRun failed requests
// (OutcomeFailure) of one key, by default an app client, with no success
// between them, in event time: a client whose secret was rotated in one
// place only, or a deleted client still in use. Throttled requests neither
// break nor extend a run. The zero value is not a valid rule.
type FailureStreakRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches.
	Description string
	// Events selects the requests; both successes and failures matter.
	Events EventMatch
	// Key groups them. Default KeyClient.
	Key EventKey
	// MinRun is the shortest run reported. At least 2.
	MinRun int
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r FailureStreakRule) Name() string { return r.ID }

func (r FailureStreakRule) key() EventKey { return cmp.Or(r.Key, KeyClient) }

// Validate reports what is wrong with the rule, if anything.
func (r FailureStreakRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.key().valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case r.MinRun < 2:
		return fmt.Errorf("rule %s: minimum run %d is less than 2", r.ID, r.MinRun)
	case !r.Severity.Valid():
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	if err := r.Events.Validate(); err != nil {
		return fmt.Errorf("rule %s: %w", r.ID, err)
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r FailureStreakRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	lim := in.Limits.WithDefaults()
	ev := &streakEval{r: r, in: in}
	ev.keys = newKeyTable(lim.MaxKeys, func(key string, st *streakKey) {
		if len(st.fails) > 0 {
			ev.lost = true
		}
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	return ev, nil
}

type streakEval struct {
	r       FailureStreakRule
	in      *cognitomon.DetectInput
	keys    *keyTable[streakKey]
	lost    bool
	done    []cognitomon.Finding
	dropped int
}

type streakKey struct {
	lastOK  int64
	hasOK   bool
	fails   []int64 // ascending failure times after lastOK, the newest 4*MinRun
	more    int64   // failures of the run beyond fails
	ids     []string
	ep      *streakEpisode
	partial bool
}

type streakEpisode struct {
	first, last int64
	peak        int64
	ids         []string
	partial     bool
}

func (ev *streakEval) Add(e cognitomon.Event) {
	if !ev.r.Events.Match(e) {
		return
	}
	o := e.Outcome()
	if o == cognitomon.OutcomeThrottled {
		return
	}
	key := ev.r.key().Of(e)
	if key == "" {
		return
	}
	t := e.Time.UnixNano()
	if o == cognitomon.OutcomeSuccess {
		st := ev.keys.peek(key)
		if st == nil {
			st, _ = ev.keys.get(key)
		}
		if st.hasOK && t <= st.lastOK {
			return
		}
		st.lastOK, st.hasOK = t, true
		i, _ := slices.BinarySearch(st.fails, t)
		if i > 0 {
			st.fails = append(st.fails[:0], st.fails[i:]...)
			st.more = 0
			st.ids = st.ids[:0]
		}
		if st.ep != nil && st.ep.last < t {
			ev.close(key, st)
		}
		return
	}
	st, created := ev.keys.get(key)
	if created {
		st.partial = ev.lost
	}
	if st.hasOK && t <= st.lastOK {
		return
	}
	i, _ := slices.BinarySearch(st.fails, t)
	st.fails = insertSmall(st.fails, i, t)
	if len(st.fails) > 4*ev.r.MinRun {
		st.fails = st.fails[1:]
		st.more++
	}
	if len(st.ids) < maxEvidenceIDs && e.EventID != "" {
		st.ids = append(st.ids, e.EventID)
	}
	run := int64(len(st.fails)) + st.more
	if run < int64(ev.r.MinRun) {
		return
	}
	if st.ep == nil {
		st.ep = &streakEpisode{first: st.fails[0], partial: st.partial || ev.lost}
	}
	ep := st.ep
	ep.first = min(ep.first, st.fails[0])
	ep.last = max(ep.last, st.fails[len(st.fails)-1])
	ep.peak = max(ep.peak, run)
	ep.ids = slices.Clone(st.ids)
}

func (ev *streakEval) close(key string, st *streakKey) {
	ep := st.ep
	st.ep = nil
	r := ev.r
	subj := r.key().subject(key)
	ev.done = append(ev.done, cognitomon.Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Summary:  fmt.Sprintf("%d failed requests in a row for %s (threshold %d)", ep.peak, subj, r.MinRun),
		Window:   clipRange(pointWindow(time.Unix(0, ep.first), time.Unix(0, ep.last)), ev.in.Scope.Range),
		Subject:  subj,
		Evidence: cognitomon.Evidence{
			Value:     float64(ep.peak),
			Threshold: float64(r.MinRun),
			Unit:      "consecutive failed requests",
			Estimated: ep.partial,
			EventIDs:  ep.ids,
		},
		Advice: r.Advice,
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 2)
}

func (ev *streakEval) Findings(context.Context) ([]cognitomon.Finding, error) {
	ev.keys.each(func(key string, st *streakKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.WithDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *streakEval) Notes() []string {
	return stateNotes(0, ev.lost, ev.dropped, ev.in.Limits.WithDefaults())
}
