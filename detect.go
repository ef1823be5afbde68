package cognitomon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/text"
)

// Check is one detection: a rule over the events, the metrics or both.
// The built-in checks (Builtins) implement it, and so can a team's own.
//
// Detect calls Start once per run. If the input lacks what the check reads,
// Start returns an error wrapping ErrMissingInput and the check is skipped;
// any other error fails the run. Detect then reads the event stream once and
// gives every event to every Evaluation's Add, in stream order, so that a
// stream of millions of events is read once however many checks there are;
// last it calls each Evaluation's Findings. A Check must not read
// DetectInput.Events itself.
//
// A Check's methods may be called concurrently by concurrent runs: keep
// per-run state in the Evaluation.
type Check interface {
	// Name names the check: lower-case letters, digits and dashes
	// ("brute-force"). Names are unique within a run.
	Name() string
	// Start begins one evaluation over in. It must not keep in.Events.
	Start(in *DetectInput) (Evaluation, error)
}

// Evaluation is one run of a Check. Add sees each event of the run once
// (it is an Analyzer) and Findings reports at the end. Findings may return
// an error wrapping ErrMissingInput to be listed as skipped.
//
// An Evaluation may also have a method Notes() []string; Detect adds what it
// returns, after Findings, to Detection.Notes (dropped state, late events
// and the like).
type Evaluation interface {
	Consumer
	Findings(ctx context.Context) ([]Finding, error)
}

// CheckFunc returns a Check named name that reads no events: fn runs at the
// end of the run with the input (metrics, quota usage, baseline).
func CheckFunc(name string, fn func(ctx context.Context, in *DetectInput) ([]Finding, error)) Check {
	return funcCheck{name: name, fn: fn}
}

type funcCheck struct {
	name string
	fn   func(ctx context.Context, in *DetectInput) ([]Finding, error)
}

func (c funcCheck) Name() string { return c.name }

func (c funcCheck) Start(in *DetectInput) (Evaluation, error) {
	if c.fn == nil {
		return nil, fmt.Errorf("check %s has no function", c.name)
	}
	return &funcEval{fn: c.fn, in: in}, nil
}

type funcEval struct {
	fn func(ctx context.Context, in *DetectInput) ([]Finding, error)
	in *DetectInput
}

func (e *funcEval) Add(Event) {}

func (e *funcEval) Findings(ctx context.Context) ([]Finding, error) { return e.fn(ctx, e.in) }

// DetectInput is what a detection run reads. Every source is optional, and
// a check whose source is missing is skipped.
type DetectInput struct {
	// Scope is the pool, its app clients, its Region and the range of the
	// run: events are judged by it as Consume judges them, and findings
	// name its pool. A zero Scope.Range covers the events' own span (log
	// files read as they are); the metric checks need a range.
	Scope Scope
	// Events are the CloudTrail events, unfiltered: the checks count what
	// they need and the trail cross-check compares their number with the
	// metrics. They should come in ascending time order, each at most
	// Limits.Lateness behind the newest seen before it, as ReadEventFiles
	// gives them; TrailClient.Events yields newest first, so read it
	// through OldestFirst. Detect reads them; a Detector is fed instead.
	Events iter.Seq2[Event, error]
	// Stats are the pool's metrics for the range (MetricsClient.Stats),
	// for the metric checks and the trail cross-check.
	Stats *Stats
	// Quota is the account's quota usage for the range
	// (MetricsClient.QuotaUsage).
	Quota *QuotaUsage
	// Limits bound the memory of the run.
	Limits DetectLimits
}

// DetectLimits bound a detection run. The zero value of each field means
// its documented default.
type DetectLimits struct {
	// Lateness is how far behind the newest event seen so far an event may
	// arrive and still count in every window. CloudTrail delivers log
	// files about every five minutes, and a file may hold records from
	// before that (FACTS.md 2.1, 3.2). Default 15 minutes. Later events
	// still reach the checks, but window rules drop them and say so.
	Lateness time.Duration
	// MaxKeys is how many keys (addresses, subs, clients ...) each rule
	// keeps state for at once. Past it, the least recently seen key that
	// was seen only once goes first (a segmented LRU), so that a flood of
	// one-off addresses does not push out a persistent attacker; findings
	// made after current state was dropped say Evidence.Estimated.
	// Default 100,000.
	MaxKeys int
	// MaxFindings is how many findings one check reports; the rest are
	// counted in Detection.Notes. Default 100.
	MaxFindings int
}

// WithDefaults returns l with each zero field set to its documented
// default. Detect and Detector hand checks their input's Limits with the
// defaults filled in.
func (l DetectLimits) WithDefaults() DetectLimits {
	if l.Lateness <= 0 {
		l.Lateness = 15 * time.Minute
	}
	if l.MaxKeys <= 0 {
		l.MaxKeys = 100_000
	}
	if l.MaxFindings <= 0 {
		l.MaxFindings = 100
	}
	return l
}

// Validate reports whether in can be run: a valid Scope, a range when
// metrics are given, and no negative limit. Detect validates its input;
// code that drives checks itself (checks.LearnBaseline) calls it.
func (in *DetectInput) Validate() error {
	if err := in.Scope.Validate(); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if in.Scope.Range.IsZero() && (in.Stats != nil || in.Quota != nil) {
		return fmt.Errorf("detect: %w: metrics need a range", ErrInvalidRange)
	}
	if in.Limits.Lateness < 0 || in.Limits.MaxKeys < 0 || in.Limits.MaxFindings < 0 {
		return errors.New("detect: negative limit")
	}
	return nil
}

// Detection is the result of Detect.
type Detection struct {
	// Range is the range of the run: the scope's, or the span of the
	// events seen when the scope has none.
	Range TimeRange
	// Findings are sorted by SortFindings.
	Findings []Finding
	// Coverage says what the run saw: the events read and in scope, what
	// was left out, and the checks skipped for lack of input
	// (Coverage.Skipped), whose silence is not an all-clear.
	Coverage Coverage
	// Late counts the events that arrived more than Lateness behind the
	// newest event before them.
	Late int64
	// Notes say what the reader should know about the run: late events,
	// state dropped for the memory bound, findings left out.
	Notes []string
}

// Skipped is a check that did not run, and why.
type Skipped struct {
	// Check is the check's name.
	Check string
	// Reason says what input was missing (the error's text).
	Reason string
}

// Detect runs the checks over in: it starts each check, reads in.Events
// once through Consume, feeding every event in scope to every check, and
// collects the findings, sorted by SortFindings.
//
// A check that lacks input is listed in Detection.Coverage.Skipped. A
// check that fails otherwise fails the run. If the stream could not be read
// whole (unreadable records or files, a failed source, a cancelled ctx),
// Detect still returns the findings of what was read, with the Coverage
// saying what was missed, together with Consume's error, which wraps
// ErrIncomplete.
func Detect(ctx context.Context, in DetectInput, checks ...Check) (*Detection, error) {
	d, err := newDetector(in, checks)
	if err != nil {
		return nil, err
	}
	var events iter.Seq2[Event, error] = func(func(Event, error) bool) {}
	if in.Events != nil {
		events = in.Events
	}
	cov, cerr := Consume(ctx, events, d.in.Scope, d)
	if cov == nil {
		return nil, cerr
	}
	det, err := d.Result(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	if in.Events == nil {
		// No events were asked for: their absence is no gap.
		det.Coverage.ReadsEvents = false
	}
	return det, cerr
}

// Detector is a detection run that the caller feeds, so that one pass over
// a stream (Consume) can serve analyses, detections and anything else at
// once. NewDetector starts the checks; Add the events; Result ends the run.
// DetectInput.Events is not read; give Consume the Detector's Scope, which
// adds the app clients of DetectInput.Stats to the known ones. A Detector
// is not safe for concurrent use.
type Detector struct {
	coverageOf
	in     DetectInput
	runs   []detectRun
	det    *Detection
	newest time.Time
	done   bool
}

type detectRun struct {
	name string
	ev   Evaluation
}

// NewDetector validates in and starts the checks, telling them that events
// will come (in.Events itself is not read: Add is).
func NewDetector(in DetectInput, checks ...Check) (*Detector, error) {
	in.Events = noEvents
	return newDetector(in, checks)
}

// noEvents stands in for DetectInput.Events when a Detector is fed by Add.
func noEvents(func(Event, error) bool) {}

func newDetector(in DetectInput, checks []Check) (*Detector, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	in.Limits = in.Limits.WithDefaults()
	in.Scope = in.scope()
	d := &Detector{in: in, det: &Detection{Range: in.Scope.Range}}
	seen := map[string]bool{}
	for i, c := range checks {
		if c == nil {
			return nil, fmt.Errorf("detect: check %d is nil", i)
		}
		name := c.Name()
		if err := text.CheckName(name); err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
		if seen[name] {
			return nil, fmt.Errorf("detect: two checks named %s", name)
		}
		seen[name] = true
		ev, err := c.Start(&d.in)
		if errors.Is(err, ErrMissingInput) {
			d.det.Coverage.Skipped = append(d.det.Coverage.Skipped, Skipped{Check: name, Reason: err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("detect: check %s: %w", name, err)
		}
		d.runs = append(d.runs, detectRun{name, ev})
	}
	return d, nil
}

// scope is in.Scope with the app clients that in.Stats saw (ListMetrics or
// the clients asked for) added to the known clients.
func (in *DetectInput) scope() Scope {
	sc := in.Scope
	if in.Stats == nil {
		return sc
	}
	sc.Clients = slices.Clone(sc.Clients)
	for _, fs := range in.Stats.Flows {
		for _, c := range fs.Clients {
			if !c.Client.IsPseudo() && !slices.Contains(sc.Clients, c.Client) {
				sc.Clients = append(sc.Clients, c.Client)
			}
		}
	}
	return sc
}

// Add gives one in-scope event to every check.
func (d *Detector) Add(e Event) {
	if e.Time.After(d.newest) {
		d.newest = e.Time
	} else if d.newest.Sub(e.Time) > d.in.Limits.Lateness {
		d.det.Late++
	}
	for _, r := range d.runs {
		r.ev.Add(e)
	}
}

// Scope returns the scope the Detector judges by: DetectInput.Scope with
// the app clients of DetectInput.Stats added.
func (d *Detector) Scope() Scope { return d.in.Scope }

// Result ends the run and returns its findings. The Coverage is the one
// Consume handed the Detector, with the skipped checks added; a Detector
// fed by hand gets an empty one. Result may be called once.
func (d *Detector) Result(ctx context.Context) (*Detection, error) {
	if d.done {
		return nil, errors.New("detect: Result called twice")
	}
	d.done = true
	det := d.det
	skipped := det.Coverage.Skipped
	det.Coverage = d.cov
	det.Coverage.Skipped = append(skipped, det.Coverage.Skipped...)
	if det.Range.IsZero() {
		det.Range = det.Coverage.Span()
	}
	if det.Late > 0 {
		det.Notes = append(det.Notes, fmt.Sprintf("%d events arrived more than %s behind a newer event; window rules may have missed them (DetectInput.Events should be in ascending time order)", det.Late, text.Duration(d.in.Limits.Lateness)))
	}
	for _, r := range d.runs {
		fs, err := r.ev.Findings(ctx)
		if errors.Is(err, ErrMissingInput) {
			det.Coverage.Skipped = append(det.Coverage.Skipped, Skipped{Check: r.name, Reason: err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("detect: check %s: %w", r.name, err)
		}
		if nt, ok := r.ev.(interface{ Notes() []string }); ok {
			for _, s := range nt.Notes() {
				det.Notes = append(det.Notes, r.name+": "+s)
			}
		}
		for i := range fs {
			if fs[i].Check == "" {
				fs[i].Check = r.name
			}
			if fs[i].Subject.UserPool == "" {
				fs[i].Subject.UserPool = d.in.Scope.UserPool
			}
		}
		if len(fs) > d.in.Limits.MaxFindings {
			SortFindings(fs)
			det.Notes = append(det.Notes, fmt.Sprintf("%s: %d more findings left out (DetectLimits.MaxFindings is %d)", r.name, len(fs)-d.in.Limits.MaxFindings, d.in.Limits.MaxFindings))
			fs = fs[:d.in.Limits.MaxFindings]
		}
		det.Findings = append(det.Findings, fs...)
	}
	SortFindings(det.Findings)
	return det, nil
}

// SortFindings sorts findings for reports: most severe first, then by
// window start, check name, subject and summary, so that output is stable.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, compareFindings)
}

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(b.Severity, a.Severity),
		a.Window.Start.Compare(b.Window.Start),
		strings.Compare(a.Check, b.Check),
		strings.Compare(a.Subject.String(), b.Subject.String()),
		strings.Compare(a.Summary, b.Summary),
	)
}
