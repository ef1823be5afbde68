package cognitomon

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Severity says how urgently a Finding needs a person. The zero value is
// not a severity.
type Severity int

// The severities, from least to most urgent.
const (
	// SeverityInfo is a notice: something the team should know, such as a
	// blind spot of the checks, not an incident.
	SeverityInfo Severity = iota + 1
	// SeverityLow is worth a look during working hours.
	SeverityLow
	// SeverityMedium is a likely attack or breakage: look today.
	SeverityMedium
	// SeverityHigh is an attack in progress, a likely compromise or a
	// risky change: look now.
	SeverityHigh
	// SeverityCritical is reserved for findings that need someone woken
	// up; no built-in check uses it yet.
	SeverityCritical
)

// String returns the severity's lower-case name ("info", "low", "medium",
// "high", "critical").
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	case SeverityCritical:
		return "critical"
	}
	return "Severity(" + strconv.Itoa(int(s)) + ")"
}

func (s Severity) valid() bool { return s >= SeverityInfo && s <= SeverityCritical }

// MarshalText returns String's result. It fails for a value that is not a
// severity.
func (s Severity) MarshalText() ([]byte, error) {
	if !s.valid() {
		return nil, fmt.Errorf("cognitomon: invalid severity %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText parses a severity name as ParseSeverity does.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity returns the severity named s, ignoring case and surrounding
// space ("high", "Medium"), for command-line flags such as -min-severity.
func ParseSeverity(s string) (Severity, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for v := SeverityInfo; v <= SeverityCritical; v++ {
		if v.String() == name {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: want info, low, medium, high or critical", truncate(s))
}

// Finding is one thing a check saw: what, how severe, over which window,
// about what, the evidence, and what to do next. The zero value is not a
// finding.
type Finding struct {
	// Check is the name of the check that reported it ("brute-force").
	Check string
	// Severity says how urgent it is.
	Severity Severity
	// Summary says in one line what was seen.
	Summary string
	// Window is when it was seen. Windows of event rules are aligned to
	// the rule's buckets (see EventRule); a finding about one event spans
	// that event's second.
	Window TimeRange
	// Subject is what the finding is about.
	Subject Subject
	// Evidence holds the figures behind it.
	Evidence Evidence
	// Advice says what the finding means and what to do next, including
	// the meaning of the error codes involved (see ErrorMeaning).
	Advice string
}

// Subject is what a Finding is about. Fields that do not apply are empty.
type Subject struct {
	// UserPool is the pool (DetectInput.UserPool, when given).
	UserPool UserPoolID
	// Client is an app client, or a pseudo-client of the metrics.
	Client ClientID
	// Flow is the metric flow of metric findings; zero otherwise.
	Flow Flow
	// Category is a rate-limit category of AWS/Usage ("UserAuthentication").
	Category string
	// IP is a source address, or an address range in CIDR notation
	// ("192.0.2.0/24").
	IP string
	// Sub is a user's sub.
	Sub string
	// UserAgent is a user agent, or a user-agent family.
	UserAgent string
	// Caller is the IAM ARN that made an admin change.
	Caller string
	// Label names any other subject, as "kind=value" ("error-code=...").
	Label string
}

// String lists the subject's fields as "name=value" pairs separated by
// spaces, in a fixed order, leaving out empty fields; the pool appears only
// when nothing else does.
func (s Subject) String() string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+"="+v)
		}
	}
	if s.Flow.valid() {
		add("flow", s.Flow.String())
	}
	add("client", string(s.Client))
	add("category", s.Category)
	add("ip", s.IP)
	add("sub", s.Sub)
	add("user-agent", s.UserAgent)
	add("caller", s.Caller)
	if s.Label != "" {
		parts = append(parts, s.Label)
	}
	if len(parts) == 0 {
		add("pool", string(s.UserPool))
	}
	return strings.Join(parts, " ")
}

// Evidence is the figures behind a Finding.
type Evidence struct {
	// Value is the figure that crossed the threshold: a count, a number of
	// distinct values (exact up to four times the threshold, or 64), a rate
	// or a ratio (see Unit). For a rule over windows it is the highest
	// value of the finding's windows.
	Value float64
	// Threshold is what Value was compared with: the rule's threshold, or
	// the limit a baseline set.
	Threshold float64
	// Unit says what Value measures ("sign-in failures in 10m").
	Unit string
	// Expected is the baseline's mean for checks that compared with a
	// baseline, else 0.
	Expected float64
	// Estimated reports that the figures may be low: the check's memory
	// bound (DetectLimits.MaxKeys) made it drop state that was still
	// current, so counts are lower bounds.
	Estimated bool
	// TopOf says what Top ranks ("sub", "source-ip", "new value").
	TopOf string
	// Top ranks at most five contributors, most first. Rules count them
	// with the Space-Saving algorithm in a table of eight (see TopList):
	// each true count lies in [Count-Error, Count].
	Top []Counted[string]
	// EventIDs are up to five CloudTrail event IDs of events behind the
	// finding, to look up in the trail.
	EventIDs []string
	// Notes add facts that have no field ("attempts 412, failures 390").
	Notes []string
}

// ErrMissingInput reports that a check cannot run because the input lacks
// what it reads: events, metrics, quota usage or a baseline. Detect lists
// such a check in Detection.Skipped rather than treating its silence as an
// all-clear.
var ErrMissingInput = errors.New("missing input")

// missingInput returns an error wrapping ErrMissingInput.
func missingInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMissingInput, fmt.Sprintf(format, args...))
}

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
	// Baseline is what was learned from a reference window
	// (LearnBaseline), for checks in baseline mode and first-seen checks.
	// It must have been learned for Scope.UserPool.
	Baseline *Baseline
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

func (l DetectLimits) withDefaults() DetectLimits {
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

func (in *DetectInput) validate() error {
	if err := in.Scope.Validate(); err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if in.Scope.Range.IsZero() && (in.Stats != nil || in.Quota != nil) {
		return fmt.Errorf("detect: %w: metrics need a range", ErrInvalidRange)
	}
	if in.Limits.Lateness < 0 || in.Limits.MaxKeys < 0 || in.Limits.MaxFindings < 0 {
		return errors.New("detect: negative limit")
	}
	if b := in.Baseline; b != nil && b.UserPool != "" && in.Scope.UserPool != "" && b.UserPool != in.Scope.UserPool {
		return fmt.Errorf("detect: %w: the baseline was learned for user pool %s, not %s", ErrInvalidBaseline, b.UserPool, in.Scope.UserPool)
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

var checkNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func validateCheckName(name string) error {
	if !checkNamePattern.MatchString(name) {
		return fmt.Errorf("check name %q: want 1 to 64 lower-case letters, digits and dashes", truncate(name))
	}
	return nil
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
	if err := in.validate(); err != nil {
		return nil, err
	}
	in.Limits = in.Limits.withDefaults()
	in.Scope = in.scope()
	d := &Detector{in: in, det: &Detection{Range: in.Scope.Range}}
	seen := map[string]bool{}
	for i, c := range checks {
		if c == nil {
			return nil, fmt.Errorf("detect: check %d is nil", i)
		}
		name := c.Name()
		if err := validateCheckName(name); err != nil {
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
		det.Notes = append(det.Notes, fmt.Sprintf("%d events arrived more than %s behind a newer event; window rules may have missed them (DetectInput.Events should be in ascending time order)", det.Late, fmtDuration(d.in.Limits.Lateness)))
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

// EventKey names a field of an Event that rules group and count by. The
// zero value is no key.
type EventKey int

// The keys.
const (
	// KeySourceIP is Event.SourceIP.
	KeySourceIP EventKey = iota + 1
	// KeyIPRange is the range of Event.SourceIP: its /24 for IPv4, its /48
	// for IPv6, in CIDR notation; empty when SourceIP is not an address
	// (an AWS service name).
	KeyIPRange
	// KeySub is Event.Sub. API calls about a user carry it; endpoint
	// events (managed login, token endpoint) mostly do not (FACTS.md 2.3).
	KeySub
	// KeyClient is Event.ClientID.
	KeyClient
	// KeyUserAgent is Event.UserAgent.
	KeyUserAgent
	// KeyUserAgentFamily is Event.UserAgent without its version numbers
	// ("aws-amplify/ ios/ framework/react-native"), so that an app update
	// does not look like a new device.
	KeyUserAgentFamily
	// KeyUserPool is Event.UserPoolID.
	KeyUserPool
	// KeyErrorCode is Event.FailureReason: the error code, or
	// "HTTP <status>".
	KeyErrorCode
	// KeyEventName is Event.Name.
	KeyEventName
	// KeyCaller is Event.CallerARN.
	KeyCaller
)

// String returns the key's name ("source-ip", "ip-range" ...).
func (k EventKey) String() string {
	switch k {
	case KeySourceIP:
		return "source-ip"
	case KeyIPRange:
		return "ip-range"
	case KeySub:
		return "sub"
	case KeyClient:
		return "client"
	case KeyUserAgent:
		return "user-agent"
	case KeyUserAgentFamily:
		return "user-agent-family"
	case KeyUserPool:
		return "user-pool"
	case KeyErrorCode:
		return "error-code"
	case KeyEventName:
		return "event-name"
	case KeyCaller:
		return "caller"
	}
	return "EventKey(" + strconv.Itoa(int(k)) + ")"
}

func (k EventKey) valid() bool { return k >= KeySourceIP && k <= KeyCaller }

// MarshalText returns String's result. It fails for a value that is not a
// key.
func (k EventKey) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("cognitomon: invalid event key %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText parses a key's name.
func (k *EventKey) UnmarshalText(b []byte) error {
	for v := KeySourceIP; v <= KeyCaller; v++ {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return fmt.Errorf("unknown event key %q", truncate(string(b)))
}

// Of returns e's value for the key, or "" when e has none.
func (k EventKey) Of(e Event) string {
	switch k {
	case KeySourceIP:
		return e.SourceIP
	case KeyIPRange:
		return ipRangeOf(e.SourceIP)
	case KeySub:
		return e.Sub
	case KeyClient:
		return string(e.ClientID)
	case KeyUserAgent:
		return e.UserAgent
	case KeyUserAgentFamily:
		return userAgentFamily(e.UserAgent)
	case KeyUserPool:
		return string(e.UserPoolID)
	case KeyErrorCode:
		return e.FailureReason()
	case KeyEventName:
		return e.Name
	case KeyCaller:
		return e.CallerARN
	}
	return ""
}

// subject returns the Subject whose field the key fills with v.
func (k EventKey) subject(v string) Subject {
	switch k {
	case KeySourceIP, KeyIPRange:
		return Subject{IP: v}
	case KeySub:
		return Subject{Sub: v}
	case KeyClient:
		return Subject{Client: ClientID(v)}
	case KeyUserAgent, KeyUserAgentFamily:
		return Subject{UserAgent: v}
	case KeyUserPool:
		return Subject{UserPool: UserPoolID(v)}
	case KeyCaller:
		return Subject{Caller: v}
	}
	return Subject{Label: k.String() + "=" + v}
}

// ipRangeOf returns the /24 (IPv4) or /48 (IPv6) of s in CIDR notation, or
// "" when s is not an address.
func ipRangeOf(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	a = a.Unmap().WithZone("")
	bits := 24
	if a.Is6() {
		bits = 48
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.String()
}

// userAgentFamily removes the version numbers from a user agent: every
// digit, and every '.' or '_' next to a digit.
func userAgentFamily(ua string) string {
	if ua == "" {
		return ""
	}
	isDigit := func(i int) bool { return i >= 0 && i < len(ua) && ua[i] >= '0' && ua[i] <= '9' }
	var b strings.Builder
	b.Grow(len(ua))
	for i := 0; i < len(ua); i++ {
		c := ua[i]
		switch {
		case c >= '0' && c <= '9':
			continue
		case (c == '.' || c == '_') && (isDigit(i-1) || isDigit(i+1)):
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// CompletedSignIn reports whether e is a sign-in step that passed the
// user's password or code: a successful KindSignIn or KindMFA event that
// is not a page load (a *_GET endpoint event) and not the start of a
// challenge flow (InitiateAuth or AdminInitiateAuth with USER_SRP_AUTH,
// CUSTOM_AUTH or USER_AUTH, which succeed before any secret is checked).
// With MFA, a correct password answered with an MFA challenge counts: the
// password is what an attacker guessed.
func CompletedSignIn(e Event) bool {
	k := e.Kind()
	if (k != KindSignIn && k != KindMFA) || e.Outcome() != OutcomeSuccess || strings.HasSuffix(e.Name, "_GET") {
		return false
	}
	if e.Name == "InitiateAuth" || e.Name == "AdminInitiateAuth" {
		switch e.AuthFlow {
		case "USER_SRP_AUTH", "CUSTOM_AUTH", "USER_AUTH":
			return false
		}
	}
	return true
}

// EventMatch selects the events a rule looks at. Every criterion that is
// set must hold; the zero value matches every event.
type EventMatch struct {
	// Filter's criteria apply, except Range: the run's range applies.
	Filter EventFilter
	// Outcomes, when set, keep only events with one of these outcomes.
	Outcomes []Outcome
	// ExceptErrorCodes drops events with one of these error codes.
	ExceptErrorCodes []string
	// Func, when set, must also return true: for what the fields above
	// cannot say.
	Func func(Event) bool
}

// Match reports whether e passes every criterion of m.
func (m EventMatch) Match(e Event) bool {
	if len(m.ExceptErrorCodes) > 0 && slices.Contains(m.ExceptErrorCodes, e.ErrorCode) {
		return false
	}
	if len(m.Outcomes) > 0 && !slices.Contains(m.Outcomes, e.Outcome()) {
		return false
	}
	if m.Filter.Range.Start.IsZero() && m.Filter.Range.End.IsZero() {
		if !m.Filter.Match(e) {
			return false
		}
	} else {
		f := m.Filter
		f.Range = TimeRange{}
		if !f.Match(e) {
			return false
		}
	}
	return m.Func == nil || m.Func(e)
}

// Validate checks the filter and the outcomes.
func (m EventMatch) Validate() error {
	if err := m.Filter.Validate(); err != nil {
		return err
	}
	for _, o := range m.Outcomes {
		if o < OutcomeSuccess || o > OutcomeThrottled {
			return fmt.Errorf("event match: invalid outcome %d", int(o))
		}
	}
	return nil
}

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
// dropped and noted. State is kept per key in a table of at most
// DetectLimits.MaxKeys keys, holding only the buckets of the windows still
// open.
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
	// users an address tried, the addresses that failed for a user).
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
	// Severity of the findings.
	Severity Severity
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
	if err := validateCheckName(r.ID); err != nil {
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
	case !r.Severity.valid():
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
func (r EventRule) Start(in *DetectInput) (Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	ev := newRuleEval(r, in)
	if r.Baseline != nil {
		p, err := in.Baseline.profileFor(r.ID, r.Key, r.Window, r.Baseline.Seasonality)
		switch {
		case err != nil && r.Baseline.Required:
			return nil, err
		case err != nil:
			ev.notes = append(ev.notes, strings.TrimPrefix(err.Error(), ErrMissingInput.Error()+": ")+": the plain threshold applies")
		default:
			ev.profile = p
		}
	}
	return ev, nil
}

// Learn returns a Lesson that learns the rule's profile: the count per key
// in tumbling windows of length Window, with the mode's seasonality. A rule
// without Baseline has nothing to learn and returns ErrMissingInput.
func (r EventRule) Learn(in *DetectInput) (Lesson, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Baseline == nil {
		return nil, missingInput("rule %s is not in baseline mode", r.ID)
	}
	pb := NewProfileBuilder(r.Key, in.Scope.Range, r.Window, r.Baseline.Seasonality, func(o *ProfileOptions) {
		o.MaxKeys = in.Limits.withDefaults().MaxKeys
		o.Lateness = in.Limits.withDefaults().Lateness
	})
	return &ruleLesson{r: r, pb: pb}, nil
}

type ruleLesson struct {
	r  EventRule
	pb *ProfileBuilder
}

func (l *ruleLesson) Add(e Event) {
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
	in      *DetectInput
	profile *Profile
	hop     int64 // nanoseconds
	k       int64 // buckets per window
	lateB   int64 // buckets of lateness
	water   int64 // newest bucket seen
	started bool
	keys    *keyTable[ruleKey]
	lost    bool // current state was dropped for the memory bound
	late    int64
	seed    maphash.Seed
	scratch []uint64
	done    []Finding
	dropped int
	notes   []string
}

// ruleKey is the state of one key. Most keys of a busy stream are seen once,
// so what only repeated keys need lives in more.
type ruleKey struct {
	buckets  []ruleBucket // ascending idx
	vals     []bucketVal  // distinct rules: the values per bucket, ascending b
	more     *ruleMore    // from the key's second event
	firstTop string       // the first event's Top value
	ep       *ruleEpisode
	partial  bool
}

type ruleMore struct {
	top    topCounter
	lastID string // the newest event's ID, and its bucket
	lastB  int64
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

func newRuleEval(r EventRule, in *DetectInput) *ruleEval {
	ev := &ruleEval{r: r, in: in, hop: int64(r.Window), k: 1, seed: maphash.MakeSeed()}
	if r.Sliding {
		ev.hop, ev.k = int64(r.Window)/slidingHops, slidingHops
	}
	lim := in.Limits.withDefaults()
	ev.lateB = (int64(lim.Lateness) + ev.hop - 1) / ev.hop
	ev.keys = newKeyTable(lim.MaxKeys, ev.evicted)
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

func (ev *ruleEval) Add(e Event) {
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
	}
	if b < ev.water-ev.lateB {
		ev.late++
		return
	}
	st, created := ev.keys.get(key)
	var top string
	if ev.r.Top != 0 {
		top = ev.r.Top.Of(e)
	}
	if created {
		st.partial = ev.lost
		st.firstTop = top
	} else {
		if st.more == nil {
			st.more = &ruleMore{}
			if st.firstTop != "" {
				st.more.top.add(st.firstTop)
			}
			st.firstTop = ""
		}
		if top != "" {
			st.more.top.add(top)
		}
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
	if st.more != nil {
		prevID, prevB = st.more.lastID, st.more.lastB
		st.more.lastID, st.more.lastB = e.EventID, b
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
		st.buckets = slices.Insert(st.buckets, i, ruleBucket{idx: b})
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
	st.vals = slices.Insert(st.vals, hi, bucketVal{b: b, v: dv})
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
func (ev *ruleEval) evalCounts(key string, st *ruleKey, b int64, e Event, prevID string, prevB int64) {
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
func (ev *ruleEval) evalDistinct(key string, st *ruleKey, b int64, dv uint64, e Event, prevID string, prevB int64) {
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
func (ev *ruleEval) check(key string, st *ruleKey, j int64, value float64, e Event, prevID string, prevB int64) {
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
	w := clipRange(TimeRange{Start: time.Unix(0, ep.lo*ev.hop).UTC(), End: time.Unix(0, (ep.hi+1)*ev.hop).UTC()}, ev.in.Scope.Range)
	subj := r.Key.subject(key)
	unit := r.Unit
	if unit == "" {
		unit = "events"
		if r.Distinct != 0 {
			unit = "distinct " + r.Distinct.String() + " values"
		}
	}
	f := Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Window:   w,
		Subject:  subj,
		Evidence: Evidence{
			Value:     ep.peak,
			Threshold: ep.limit,
			Unit:      unit + " in " + fmtDuration(r.Window),
			Expected:  ep.expected,
			Estimated: ep.partial,
			EventIDs:  slices.Clone(ep.ids),
		},
		Advice: r.Advice,
	}
	f.Summary = fmt.Sprintf("%s %s within %s for %s (threshold %s)", fmtNumber(ep.peak), unit, fmtDuration(r.Window), subj, fmtNumber(ep.limit))
	if ev.profile != nil {
		f.Summary = fmt.Sprintf("%s %s within %s for %s (threshold %s; baseline mean %s)", fmtNumber(ep.peak), unit, fmtDuration(r.Window), subj, fmtNumber(ep.limit), fmtNumber(ep.expected))
	}
	if r.Top != 0 {
		f.Evidence.TopOf = r.Top.String()
		switch {
		case st.more != nil:
			f.Evidence.Top = st.more.top.list()
		case st.firstTop != "":
			f.Evidence.Top = []Counted[string]{{Key: st.firstTop, Count: 1}}
		}
	}
	ev.done = append(ev.done, f)
	ev.trim()
}

// trim bounds the findings kept: past twice the limit, the ones with the
// highest values stay.
func (ev *ruleEval) trim() {
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 2)
}

func (ev *ruleEval) Findings(ctx context.Context) ([]Finding, error) {
	ev.keys.each(func(key string, st *ruleKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *ruleEval) Notes() []string {
	notes := slices.Clone(ev.notes)
	if ev.late > 0 {
		notes = append(notes, fmt.Sprintf("%d events arrived too late to count (more than %s behind the newest)", ev.late, fmtDuration(ev.in.Limits.withDefaults().Lateness)))
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
func trimFindings(fs *[]Finding, limit, slack int) int {
	if len(*fs) <= slack*limit || len(*fs) <= limit {
		return 0
	}
	slices.SortStableFunc(*fs, func(a, b Finding) int { return cmp.Compare(b.Evidence.Value, a.Evidence.Value) })
	n := len(*fs) - limit
	clear((*fs)[limit:])
	*fs = (*fs)[:limit]
	return n
}

// topTrack is how many contributors a rule tracks to rank topCap.
const topTrack = 8

// topCounter ranks contributors with the Space-Saving algorithm in a table
// of at most topTrack keys.
type topCounter []Counted[string]

func (t *topCounter) add(k string) {
	c := *t
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
	if len(c) < topTrack {
		*t = append(c, Counted[string]{Key: k, Count: 1})
		return
	}
	c[m] = Counted[string]{Key: k, Count: c[m].Count + 1, Error: c[m].Count}
}

// list returns the topCap highest, most first.
func (t topCounter) list() []Counted[string] {
	out := slices.Clone([]Counted[string](t))
	sortCounted(out)
	return out[:min(len(out), topCap)]
}

func sortCounted(cs []Counted[string]) {
	slices.SortFunc(cs, func(a, b Counted[string]) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Error, b.Error), strings.Compare(a.Key, b.Key))
	})
}

// keyTable holds per-key state for at most max keys, as a segmented LRU: a
// new key enters a probation list, a key seen again moves to a protected
// list of at most four fifths of the table, and the least recently used
// probation key is dropped first. A flood of keys seen once thus cannot
// push out keys that keep coming back.
type keyTable[V any] struct {
	max, protMax int
	m            map[string]*keyEntry[V]
	prob, prot   keyList[V]
	onEvict      func(key string, v *V)
}

type keyEntry[V any] struct {
	key        string
	prev, next *keyEntry[V]
	protected  bool
	v          V
}

type keyList[V any] struct {
	root keyEntry[V] // root.next is the front (most recent)
	n    int
}

func (l *keyList[V]) lazyInit() {
	if l.root.next == nil {
		l.root.next, l.root.prev = &l.root, &l.root
	}
}

func (l *keyList[V]) pushFront(e *keyEntry[V]) {
	l.lazyInit()
	e.prev, e.next = &l.root, l.root.next
	l.root.next.prev = e
	l.root.next = e
	l.n++
}

func (l *keyList[V]) remove(e *keyEntry[V]) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	l.n--
}

func (l *keyList[V]) back() *keyEntry[V] {
	if l.n == 0 {
		return nil
	}
	return l.root.prev
}

func newKeyTable[V any](capacity int, onEvict func(string, *V)) *keyTable[V] {
	capacity = max(capacity, 1)
	return &keyTable[V]{max: capacity, protMax: max(1, capacity*4/5), m: make(map[string]*keyEntry[V], min(capacity, 1024)), onEvict: onEvict}
}

// get returns the state of key, creating it (and dropping another key if
// the table is full) when it is new.
func (t *keyTable[V]) get(key string) (v *V, created bool) {
	if e, ok := t.m[key]; ok {
		if e.protected {
			t.prot.remove(e)
			t.prot.pushFront(e)
			return &e.v, false
		}
		t.prob.remove(e)
		e.protected = true
		t.prot.pushFront(e)
		if t.prot.n > t.protMax {
			d := t.prot.back()
			t.prot.remove(d)
			d.protected = false
			t.prob.pushFront(d)
		}
		return &e.v, false
	}
	var e *keyEntry[V]
	if len(t.m) >= t.max {
		e = t.prob.back()
		if e != nil {
			t.prob.remove(e)
		} else {
			e = t.prot.back()
			t.prot.remove(e)
		}
		delete(t.m, e.key)
		if t.onEvict != nil {
			t.onEvict(e.key, &e.v)
		}
		var zero V
		e.v, e.protected = zero, false
	} else {
		e = new(keyEntry[V])
	}
	e.key = key
	t.prob.pushFront(e)
	t.m[key] = e
	return &e.v, true
}

// peek returns the state of key without touching its place, or nil.
func (t *keyTable[V]) peek(key string) *V {
	if e, ok := t.m[key]; ok {
		return &e.v
	}
	return nil
}

// each calls fn for every key, in no particular order.
func (t *keyTable[V]) each(fn func(key string, v *V)) {
	for k, e := range t.m {
		fn(k, &e.v)
	}
}

// floorDivInt64 divides rounding towards negative infinity.
func floorDivInt64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// clipRange returns r cut to within lim; an r that would become empty is
// returned as it is.
func clipRange(r, lim TimeRange) TimeRange {
	out := r
	if out.Start.Before(lim.Start) {
		out.Start = lim.Start
	}
	if out.End.After(lim.End) {
		out.End = lim.End
	}
	if !out.Start.Before(out.End) {
		return r
	}
	return out
}

// pointWindow is the window of findings about single events: the seconds
// from first to last, inclusive.
func pointWindow(first, last time.Time) TimeRange {
	return TimeRange{Start: first.UTC().Truncate(time.Second), End: last.UTC().Truncate(time.Second).Add(time.Second)}
}

// fmtDuration formats d briefly: "10m", "6h", "1h30m", "45s".
func fmtDuration(d time.Duration) string {
	if d <= 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
		d -= m * time.Minute
	}
	if d > 0 {
		if d%time.Second == 0 {
			b.WriteString(strconv.FormatInt(int64(d/time.Second), 10) + "s")
		} else {
			b.WriteString(d.String())
		}
	}
	return b.String()
}

// fmtNumber formats a count without decimals and anything else with at
// most three decimals.
func fmtNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// fmtPercent formats a rate from 0 to 1 as a percentage with one decimal.
func fmtPercent(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

// requestParameters decodes the requestParameters of an event's record,
// or returns nil when it has none.
func requestParameters(e Event) map[string]any {
	if len(e.Raw) == 0 {
		return nil
	}
	var rec struct {
		RequestParameters map[string]any `json:"requestParameters"`
	}
	if json.Unmarshal(e.Raw, &rec) != nil {
		return nil
	}
	return rec.RequestParameters
}

// SuccessAfterFailuresRule reports a completed sign-in (CompletedSignIn)
// from a key, by default a source address, that had at least MinFailures
// failed sign-ins (KindSignIn, OutcomeFailure) in the Window before it: a
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
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r SuccessAfterFailuresRule) Name() string { return r.ID }

func (r SuccessAfterFailuresRule) key() EventKey { return cmp.Or(r.Key, KeySourceIP) }

// Validate reports what is wrong with the rule, if anything.
func (r SuccessAfterFailuresRule) Validate() error {
	if err := validateCheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.key().valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case r.MinFailures < 1:
		return fmt.Errorf("rule %s: minimum failures %d is less than 1", r.ID, r.MinFailures)
	case r.Window < time.Second:
		return fmt.Errorf("rule %s: window %s is shorter than a second", r.ID, r.Window)
	case !r.Severity.valid():
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r SuccessAfterFailuresRule) Start(in *DetectInput) (Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	lim := in.Limits.withDefaults()
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
	in       *DetectInput
	keys     *keyTable[safKey]
	water    int64
	started  bool
	retain   int64
	lateness int64
	late     int64
	lost     bool
	done     []Finding
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

func (ev *safEval) Add(e Event) {
	fail := e.Kind() == KindSignIn && e.Outcome() == OutcomeFailure
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
		st.fails = slices.Insert(st.fails, i, t)
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
	st.wins = slices.Insert(st.wins, i, safWin{t: t, id: e.EventID, sub: e.Sub})
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
	f := Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Summary:  fmt.Sprintf("a sign-in succeeded for %s after %d failed sign-ins within %s (threshold %d)", subj, ep.peak, fmtDuration(r.Window), r.MinFailures),
		Window:   clipRange(pointWindow(time.Unix(0, ep.first), time.Unix(0, ep.last)), ev.in.Scope.Range),
		Subject:  subj,
		Evidence: Evidence{
			Value:     float64(ep.peak),
			Threshold: float64(r.MinFailures),
			Unit:      "failed sign-ins in the " + fmtDuration(r.Window) + " before a successful one",
			Estimated: ep.partial,
			TopOf:     "sub signed in",
			Top:       ep.subs.list(),
			EventIDs:  ep.ids,
		},
		Advice: r.Advice,
	}
	ev.done = append(ev.done, f)
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 2)
}

func (ev *safEval) Findings(context.Context) ([]Finding, error) {
	ev.keys.each(func(key string, st *safKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *safEval) Notes() []string {
	return stateNotes(ev.late, ev.lost, ev.dropped, ev.in.Limits.withDefaults())
}

// stateNotes are the notes of a rule about late events, dropped state and
// dropped findings.
func stateNotes(late int64, lost bool, dropped int, lim DetectLimits) []string {
	var notes []string
	if late > 0 {
		notes = append(notes, fmt.Sprintf("%d events arrived too late to count (more than %s behind the newest)", late, fmtDuration(lim.Lateness)))
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
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r FailureStreakRule) Name() string { return r.ID }

func (r FailureStreakRule) key() EventKey { return cmp.Or(r.Key, KeyClient) }

// Validate reports what is wrong with the rule, if anything.
func (r FailureStreakRule) Validate() error {
	if err := validateCheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.key().valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case r.MinRun < 2:
		return fmt.Errorf("rule %s: minimum run %d is less than 2", r.ID, r.MinRun)
	case !r.Severity.valid():
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	if err := r.Events.Validate(); err != nil {
		return fmt.Errorf("rule %s: %w", r.ID, err)
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r FailureStreakRule) Start(in *DetectInput) (Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	lim := in.Limits.withDefaults()
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
	in      *DetectInput
	keys    *keyTable[streakKey]
	lost    bool
	done    []Finding
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

func (ev *streakEval) Add(e Event) {
	if !ev.r.Events.Match(e) {
		return
	}
	o := e.Outcome()
	if o == OutcomeThrottled {
		return
	}
	key := ev.r.key().Of(e)
	if key == "" {
		return
	}
	t := e.Time.UnixNano()
	if o == OutcomeSuccess {
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
	st.fails = slices.Insert(st.fails, i, t)
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
	ev.done = append(ev.done, Finding{
		Check:    r.ID,
		Severity: r.Severity,
		Summary:  fmt.Sprintf("%d failed requests in a row for %s (threshold %d)", ep.peak, subj, r.MinRun),
		Window:   clipRange(pointWindow(time.Unix(0, ep.first), time.Unix(0, ep.last)), ev.in.Scope.Range),
		Subject:  subj,
		Evidence: Evidence{
			Value:     float64(ep.peak),
			Threshold: float64(r.MinRun),
			Unit:      "consecutive failed requests",
			Estimated: ep.partial,
			EventIDs:  ep.ids,
		},
		Advice: r.Advice,
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 2)
}

func (ev *streakEval) Findings(context.Context) ([]Finding, error) {
	ev.keys.each(func(key string, st *streakKey) {
		if st.ep != nil {
			ev.close(key, st)
		}
	})
	ev.dropped += trimFindings(&ev.done, ev.in.Limits.withDefaults().MaxFindings, 1)
	return ev.done, nil
}

func (ev *streakEval) Notes() []string {
	return stateNotes(0, ev.lost, ev.dropped, ev.in.Limits.withDefaults())
}

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
	Severity Severity
	// PartialSeverity is the severity when some fields have only known
	// values. Default Severity.
	PartialSeverity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r FirstSeenRule) Name() string { return r.ID }

func (r FirstSeenRule) maxValues() int { return cmp.Or(r.MaxValues, 16) }

// Validate reports what is wrong with the rule, if anything.
func (r FirstSeenRule) Validate() error {
	if err := validateCheckName(r.ID); err != nil {
		return err
	}
	switch {
	case !r.Key.valid():
		return fmt.Errorf("rule %s: invalid key %d", r.ID, int(r.Key))
	case len(r.Values) == 0:
		return fmt.Errorf("rule %s: no value fields", r.ID)
	case r.MaxValues < 0:
		return fmt.Errorf("rule %s: negative maximum of values", r.ID)
	case !r.Severity.valid() || (r.PartialSeverity != 0 && !r.PartialSeverity.valid()):
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
func (r FirstSeenRule) Learn(in *DetectInput) (Lesson, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &firstSeenLesson{r: r, sb: NewValueSetBuilder(r.Key, r.Values, func(o *ValueSetOptions) {
		o.MaxKeys = in.Limits.withDefaults().MaxKeys
		o.MaxValues = r.maxValues()
	})}, nil
}

type firstSeenLesson struct {
	r  FirstSeenRule
	sb *ValueSetBuilder
}

func (l *firstSeenLesson) Add(e Event) {
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
func (r FirstSeenRule) Start(in *DetectInput) (Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	known, err := in.Baseline.valueSetsFor(r.ID, r.Key, r.Values)
	if err != nil {
		return nil, err
	}
	lim := in.Limits.withDefaults()
	ev := &firstSeenEval{r: r, in: in, known: known}
	ev.taught = newKeyTable(lim.MaxKeys, func(string, *fsValues) { ev.lost = true })
	ev.cands = newKeyTable(lim.MaxKeys, func(string, *fsCand) { ev.lost = true })
	return ev, nil
}

type firstSeenEval struct {
	r        FirstSeenRule
	in       *DetectInput
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

func (ev *firstSeenEval) Add(e Event) {
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

func (ev *firstSeenEval) Findings(context.Context) ([]Finding, error) {
	r := ev.r
	var out []Finding
	ev.cands.each(func(key string, c *fsCand) {
		var taught *fsValues
		if tv := ev.taught.peek(key); tv != nil {
			taught = tv
		}
		fields := make([]bool, len(r.Values))
		var top []Counted[string]
		var parts []string
		for _, n := range c.news {
			if taught != nil && taught.vals != nil && slices.Contains(taught.vals[n.field], n.value) {
				continue
			}
			fields[n.field] = true
			kv := r.Values[n.field].String() + "=" + n.value
			top = append(top, Counted[string]{Key: kv, Count: n.count})
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
		f := Finding{
			Check:    r.ID,
			Severity: sev,
			Summary:  fmt.Sprintf("%s: %d events with %s: %s", subj, c.events, what, strings.Join(parts, ", ")),
			Window:   clipRange(pointWindow(c.first, c.last), ev.in.Scope.Range),
			Subject:  subj,
			Evidence: Evidence{
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
		notes = append(notes, fmt.Sprintf("more than %d keys at once: state was dropped (raise DetectLimits.MaxKeys)", ev.in.Limits.withDefaults().MaxKeys))
	}
	return notes
}

// AdminChangeRule reports successful admin operations that weaken a pool
// or widen who can get tokens: MFA turned off, a new app client, changed
// callback URLs, threat protection lowered, deletions. Each matching event
// is one finding, naming the caller's ARN and address. Failed attempts are
// not reported. The zero value is not a valid rule.
type AdminChangeRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches.
	Description string
	// EventNames are the operations watched. At least one.
	EventNames []string
	// Match, when set, decides from the event and its requestParameters
	// (nil when the record has none) whether the change is risky, and
	// says what it was. Without Match, every successful event of the
	// names is reported.
	Match func(e Event, params map[string]any) (detail string, ok bool)
	// Severity of the findings.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r AdminChangeRule) Name() string { return r.ID }

// Validate reports what is wrong with the rule, if anything.
func (r AdminChangeRule) Validate() error {
	if err := validateCheckName(r.ID); err != nil {
		return err
	}
	if len(r.EventNames) == 0 || slices.Contains(r.EventNames, "") {
		return fmt.Errorf("rule %s: no event names, or an empty one", r.ID)
	}
	if !r.Severity.valid() {
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r AdminChangeRule) Start(in *DetectInput) (Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	return &adminEval{r: r, in: in}, nil
}

type adminEval struct {
	r       AdminChangeRule
	in      *DetectInput
	done    []Finding
	dropped int
}

func (ev *adminEval) Add(e Event) {
	if e.Outcome() != OutcomeSuccess || !slices.Contains(ev.r.EventNames, e.Name) {
		return
	}
	detail := e.Name
	if ev.r.Match != nil {
		d, ok := ev.r.Match(e, requestParameters(e))
		if !ok {
			return
		}
		detail = d
	}
	if len(ev.done) >= ev.in.Limits.withDefaults().MaxFindings {
		ev.dropped++
		return
	}
	caller := cmp.Or(e.CallerARN, "an unknown caller")
	subj := Subject{Caller: e.CallerARN, IP: e.SourceIP, Client: e.ClientID}
	ev.done = append(ev.done, Finding{
		Check:    ev.r.ID,
		Severity: ev.r.Severity,
		Summary:  fmt.Sprintf("%s by %s from %s: %s", e.Name, caller, cmp.Or(e.SourceIP, "an unknown address"), detail),
		Window:   pointWindow(e.Time, e.Time),
		Subject:  subj,
		Evidence: Evidence{Value: 1, Threshold: 1, Unit: "changes", EventIDs: eventIDList(e.EventID), Notes: []string{detail}},
		Advice:   ev.r.Advice,
	})
}

func eventIDList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func (ev *adminEval) Findings(context.Context) ([]Finding, error) { return ev.done, nil }

func (ev *adminEval) Notes() []string {
	if ev.dropped > 0 {
		return []string{fmt.Sprintf("%d more changes not reported (DetectLimits.MaxFindings)", ev.dropped)}
	}
	return nil
}

// EnumerationBlindSpotRule is a notice, not an alarm: it names app clients
// whose sign-in failures say NotAuthorizedException at least MinFailures
// times in the run but never UserNotFoundException. Such a client most
// likely has PreventUserExistenceErrors=ENABLED, so Cognito answers unknown
// user names with NotAuthorizedException (FACTS.md 6.1) and the enumeration
// rule cannot see enumeration against it. The zero value is not a valid
// rule.
type EnumerationBlindSpotRule struct {
	// ID names the rule; Name returns it.
	ID string
	// MinFailures is how many NotAuthorizedException sign-in failures a
	// client needs before its silence about unknown users means anything.
	// At least 1.
	MinFailures int
	// Severity of the findings; SeverityInfo in the built-in rule.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r EnumerationBlindSpotRule) Name() string { return r.ID }

// Start begins an evaluation. It needs events.
func (r EnumerationBlindSpotRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if r.MinFailures < 1 || !r.Severity.valid() {
		return nil, fmt.Errorf("rule %s: minimum failures below 1 or invalid severity", r.ID)
	}
	if in.Events == nil {
		return nil, missingInput("no CloudTrail events")
	}
	ev := &blindEval{r: r, in: in}
	ev.keys = newKeyTable(in.Limits.withDefaults().MaxKeys, func(string, *blindKey) { ev.lost = true })
	return ev, nil
}

type blindEval struct {
	r    EnumerationBlindSpotRule
	in   *DetectInput
	keys *keyTable[blindKey]
	lost bool
}

type blindKey struct {
	notAuthorized, userNotFound int64
	first, last                 time.Time
	ids                         []string
}

func (ev *blindEval) Add(e Event) {
	if e.ClientID == "" {
		return
	}
	switch {
	case e.ErrorCode == "UserNotFoundException":
		st, _ := ev.keys.get(string(e.ClientID))
		st.userNotFound++
	case e.ErrorCode == "NotAuthorizedException" && e.Kind() == KindSignIn:
		st, _ := ev.keys.get(string(e.ClientID))
		st.notAuthorized++
		if st.first.IsZero() || e.Time.Before(st.first) {
			st.first = e.Time
		}
		if e.Time.After(st.last) {
			st.last = e.Time
		}
		if len(st.ids) < maxEvidenceIDs && e.EventID != "" {
			st.ids = append(st.ids, e.EventID)
		}
	}
}

func (ev *blindEval) Findings(context.Context) ([]Finding, error) {
	var out []Finding
	ev.keys.each(func(key string, st *blindKey) {
		if st.userNotFound > 0 || st.notAuthorized < int64(ev.r.MinFailures) {
			return
		}
		subj := Subject{Client: ClientID(key)}
		out = append(out, Finding{
			Check:    ev.r.ID,
			Severity: ev.r.Severity,
			Summary:  fmt.Sprintf("%s: %d sign-in failures with NotAuthorizedException and none with UserNotFoundException: enumeration against this client is not visible", subj, st.notAuthorized),
			Window:   clipRange(pointWindow(st.first, st.last), ev.in.Scope.Range),
			Subject:  subj,
			Evidence: Evidence{
				Value:     float64(st.notAuthorized),
				Threshold: float64(ev.r.MinFailures),
				Unit:      "NotAuthorizedException sign-in failures without any UserNotFoundException",
				Estimated: ev.lost,
				EventIDs:  st.ids,
			},
			Advice: ev.r.Advice,
		})
	})
	return out, nil
}

// metricWindow is the counts of one aligned window of a metric series.
type metricWindow struct {
	start time.Time
	c     Counts
}

// alignedStart returns the start of the epoch-aligned window of length w
// that holds t.
func alignedStart(t time.Time, w time.Duration) time.Time {
	return time.Unix(0, floorDivInt64(t.UnixNano(), int64(w))*int64(w)).UTC()
}

// windowCounts sums the periods of s that start in lim into aligned
// windows of length w, in time order.
func windowCounts(s Series, w time.Duration, lim TimeRange) []metricWindow {
	var out []metricWindow
	for t, c := range s.All() {
		if !lim.Contains(t) {
			continue
		}
		ws := alignedStart(t, w)
		if n := len(out); n == 0 || !out[n-1].start.Equal(ws) {
			out = append(out, metricWindow{start: ws})
		}
		out[len(out)-1].c = out[len(out)-1].c.Add(c)
	}
	return out
}

// metricRuns groups the consecutive windows for which fire is true.
func metricRuns(ws []metricWindow, w time.Duration, fire func(Counts) bool) [][]metricWindow {
	var runs [][]metricWindow
	for _, m := range ws {
		if !fire(m.c) {
			continue
		}
		if n := len(runs); n > 0 {
			last := runs[n-1][len(runs[n-1])-1]
			if last.start.Add(w).Equal(m.start) {
				runs[n-1] = append(runs[n-1], m)
				continue
			}
		}
		runs = append(runs, []metricWindow{m})
	}
	return runs
}

// runRange is the time covered by a run of windows of length w.
func runRange(run []metricWindow, w time.Duration, lim TimeRange) TimeRange {
	return clipRange(TimeRange{Start: run[0].start, End: run[len(run)-1].start.Add(w)}, lim)
}

// metricEval is the evaluation of a check that reads no events.
type metricEval struct {
	fn    func() ([]Finding, []string)
	notes []string
}

func (m *metricEval) Add(Event) {}

func (m *metricEval) Findings(context.Context) ([]Finding, error) {
	fs, notes := m.fn()
	m.notes = notes
	return fs, nil
}

func (m *metricEval) Notes() []string { return m.notes }

// FailureRateRule reports a flow whose failure rate in the metrics, per app
// client and for the pool, is above MaxRate in a window with at least
// MinAttempts attempts. The rate leaves throttles out
// (Counts.FailuresExcludingThrottles / Attempts): ThrottleRule counts them.
// Windows are tumbling and aligned to the epoch; consecutive windows above
// the rate make one finding. A pool-wide finding is left out when a client
// of the same flow has one that overlaps it. The zero value is not a valid
// rule.
type FailureRateRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Flows are the flows checked. Default all.
	Flows []Flow
	// MaxRate is the rate above which the rule fires, from 0 to 1.
	MaxRate float64
	// MinAttempts is the fewest attempts in a window for it to count.
	MinAttempts int64
	// Window is the window length, at least the metrics' period. Default
	// one hour.
	Window time.Duration
	// Severity of the findings.
	Severity Severity
	// HighRate, when positive, raises a finding whose peak rate reaches
	// it to SeverityHigh.
	HighRate float64
}

// Name returns r.ID.
func (r FailureRateRule) Name() string { return r.ID }

func (r FailureRateRule) window() time.Duration { return cmp.Or(r.Window, time.Hour) }

// Start begins an evaluation. It needs metrics.
func (r FailureRateRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.MaxRate > 0 && r.MaxRate < 1) || r.MinAttempts < 1 || r.Window < 0 || !r.Severity.valid() || r.HighRate < 0 {
		return nil, fmt.Errorf("rule %s: rate must be between 0 and 1, minimum attempts at least 1, and the severity valid", r.ID)
	}
	if in.Stats == nil {
		return nil, missingInput("no metrics (MetricsClient.Stats)")
	}
	return &metricEval{fn: func() ([]Finding, []string) { return r.findings(in), nil }}, nil
}

func failureRateOf(c Counts) float64 {
	if c.Attempts == 0 {
		return 0
	}
	return float64(c.FailuresExcludingThrottles()) / float64(c.Attempts)
}

func (r FailureRateRule) findings(in *DetectInput) []Finding {
	var out []Finding
	for _, fs := range in.Stats.Flows {
		if len(r.Flows) > 0 && !slices.Contains(r.Flows, fs.Flow) {
			continue
		}
		var clients []Finding
		for _, cs := range fs.Clients {
			clients = append(clients, r.evaluate(in, fs.Flow, cs.Client, cs.Series)...)
		}
		for _, pf := range r.evaluate(in, fs.Flow, "", fs.Series) {
			if !slices.ContainsFunc(clients, func(f Finding) bool { return overlaps(f.Window, pf.Window) }) {
				out = append(out, pf)
			}
		}
		out = append(out, clients...)
	}
	return out
}

func overlaps(a, b TimeRange) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) }

func (r FailureRateRule) evaluate(in *DetectInput, flow Flow, client ClientID, s Series) []Finding {
	w := r.window()
	fire := func(c Counts) bool { return c.Attempts >= r.MinAttempts && failureRateOf(c) > r.MaxRate }
	var out []Finding
	for _, run := range metricRuns(windowCounts(s, w, in.Scope.Range), w, fire) {
		var total Counts
		peak := 0.0
		for _, m := range run {
			total = total.Add(m.c)
			peak = max(peak, failureRateOf(m.c))
		}
		sev := r.Severity
		if r.HighRate > 0 && peak >= r.HighRate {
			sev = max(sev, SeverityHigh)
		}
		subj := Subject{Flow: flow, Client: client}
		who := "the pool"
		if client != "" {
			who = "client " + string(client)
		}
		out = append(out, Finding{
			Check:    r.ID,
			Severity: sev,
			Summary:  fmt.Sprintf("%s failure rate %s for %s in a %s window (threshold above %s with at least %d attempts)", flow, fmtPercent(peak), who, fmtDuration(w), fmtPercent(r.MaxRate), r.MinAttempts),
			Window:   runRange(run, w, in.Scope.Range),
			Subject:  subj,
			Evidence: Evidence{
				Value:     peak,
				Threshold: r.MaxRate,
				Unit:      "failure rate (failures excluding throttles / attempts) per " + fmtDuration(w),
				Notes:     []string{fmt.Sprintf("attempts %d, failures %d (throttles excluded), throttles %d", total.Attempts, total.FailuresExcludingThrottles(), total.Throttles)},
			},
			Advice: flowAdvice(flow, client),
		})
	}
	return out
}

// flowAdvice is the advice of a failure-rate finding.
func flowAdvice(flow Flow, client ClientID) string {
	var b strings.Builder
	switch {
	case client == InvalidClient:
		b.WriteString("These requests named an app client ID the pool does not have (ResourceNotFoundException): an app build or a script still using a deleted or mistyped client ID. ")
	case client == AdminClient:
		b.WriteString("These are admin-API requests (AdminCreateUser ...) made by your back end with IAM credentials: look at the back end's errors. ")
	}
	switch flow {
	case SignIn:
		b.WriteString("Sign-ins failing: look at their error codes and source addresses in CloudTrail (the brute-force, credential-stuffing and enumeration findings do). " +
			"NotAuthorizedException is a wrong user name or password, a locked-out user ('Password attempts exceeded'), or an unknown user where PreventUserExistenceErrors=ENABLED; " +
			"UserNotFoundException an unknown user (LEGACY); PasswordResetRequiredException and UserNotConfirmedException are users who must act first (FACTS.md 6.1). " +
			"A rise right after a release points at the app. Caution: whether an SRP or MFA challenge step counts as a failed sign-in in the metrics is not documented (FACTS.md 8.2 [X]); pools using SRP or MFA can show a higher rate without any problem.")
	case SignUp:
		b.WriteString("Sign-ups failing: UsernameExistsException (already registered), InvalidPasswordException (password policy), CodeDeliveryFailureException (the verification message could not be sent: check the SMS or email configuration), LimitExceededException (FACTS.md 6.1). Bots signing up show as many failures from few addresses.")
	case TokenRefresh:
		b.WriteString("Token refreshes failing: NotAuthorizedException means an expired, revoked or foreign refresh token; RefreshTokenReuseException a rotated token used again (FACTS.md 6.1, 6.2). Look for a release that broke token storage, a mass sign-out, or a change of the client's token validity.")
	case Federation:
		b.WriteString("Federated sign-ins failing: check the identity provider (an expired SAML signing certificate, changed metadata, a changed OIDC client secret) and the attribute mapping. Requests that produce an authorization code but no tokens count as failures in the metrics (FACTS.md 1.1).")
	}
	return b.String()
}

// ThrottleRule reports a flow whose pool-wide throttles in the metrics
// (Cognito's TooManyRequestsException) reach Threshold in a window,
// naming the clients most throttled. The zero value is not a valid rule.
type ThrottleRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Flows are the flows checked. Default all.
	Flows []Flow
	// Threshold is the number of throttles in a window at which it fires.
	// At least 1.
	Threshold int64
	// Window is the window length. Default one hour.
	Window time.Duration
	// Severity of the findings.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r ThrottleRule) Name() string { return r.ID }

// Start begins an evaluation. It needs metrics.
func (r ThrottleRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if r.Threshold < 1 || r.Window < 0 || !r.Severity.valid() {
		return nil, fmt.Errorf("rule %s: threshold below 1 or invalid severity", r.ID)
	}
	if in.Stats == nil {
		return nil, missingInput("no metrics (MetricsClient.Stats)")
	}
	return &metricEval{fn: func() ([]Finding, []string) { return r.findings(in), nil }}, nil
}

func (r ThrottleRule) findings(in *DetectInput) []Finding {
	w := cmp.Or(r.Window, time.Hour)
	var out []Finding
	for _, fs := range in.Stats.Flows {
		if len(r.Flows) > 0 && !slices.Contains(r.Flows, fs.Flow) {
			continue
		}
		for _, run := range metricRuns(windowCounts(fs.Series, w, in.Scope.Range), w, func(c Counts) bool { return c.Throttles >= r.Threshold }) {
			span := runRange(run, w, in.Scope.Range)
			var peak, total int64
			for _, m := range run {
				peak = max(peak, m.c.Throttles)
				total += m.c.Throttles
			}
			var top []Counted[string]
			for _, cs := range fs.Clients {
				var n int64
				for t, c := range cs.Series.All() {
					if span.Contains(t) {
						n += c.Throttles
					}
				}
				if n > 0 {
					top = append(top, Counted[string]{Key: string(cs.Client), Count: n})
				}
			}
			sortCounted(top)
			out = append(out, Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%d %s requests throttled in a %s window (threshold %d)", peak, fs.Flow, fmtDuration(w), r.Threshold),
				Window:   span,
				Subject:  Subject{Flow: fs.Flow},
				Evidence: Evidence{
					Value:     float64(peak),
					Threshold: float64(r.Threshold),
					Unit:      "throttled requests per " + fmtDuration(w),
					TopOf:     "client",
					Top:       top[:min(len(top), topCap)],
					Notes:     []string{fmt.Sprintf("%d throttles in all", total)},
				},
				Advice: r.Advice,
			})
		}
	}
	return out
}

// DefaultQuotas returns Cognito's default requests-per-second quota of each
// rate-limit category, per account and Region across all user pools
// (FACTS.md 6.3). UserAuthentication, UserCreation, UserFederation,
// UserRead, UserToken and UserResourceRead can be raised; pass the raised
// values to Builtins in BuiltinOptions.Quotas.
func DefaultQuotas() map[string]float64 {
	return map[string]float64{
		"UserAuthentication":     120,
		"UserCreation":           50,
		"UserFederation":         25,
		"UserAccountRecovery":    30,
		"UserRead":               120,
		"UserUpdate":             25,
		"UserToken":              120,
		"UserResourceRead":       50,
		"UserResourceUpdate":     25,
		"UserList":               30,
		"UserPoolRead":           15,
		"UserPoolUpdate":         15,
		"UserPoolResourceRead":   20,
		"UserPoolResourceUpdate": 15,
		"UserPoolClientRead":     15,
		"UserPoolClientUpdate":   15,
		"ClientAuthentication":   150,
		"LimitManagement":        1,
	}
}

// QuotaRule reports a rate-limit category whose calls (AWS/Usage CallCount)
// reached Fraction of its quota in a metric period: the period's calls
// divided by its seconds, an average, so peaks within the period were
// higher. Consecutive periods make one finding. The zero value is not a
// valid rule.
type QuotaRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Quotas are the quotas in requests per second by category. Default
	// DefaultQuotas(). Categories without a quota are noted and skipped.
	Quotas map[string]float64
	// Fraction of the quota at which the rule fires, above 0 and at most 1.
	Fraction float64
	// Severity of the findings.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r QuotaRule) Name() string { return r.ID }

// Start begins an evaluation. It needs quota usage.
func (r QuotaRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.Fraction > 0 && r.Fraction <= 1) || !r.Severity.valid() {
		return nil, fmt.Errorf("rule %s: fraction must be above 0 and at most 1, and the severity valid", r.ID)
	}
	if in.Quota == nil {
		return nil, missingInput("no quota usage (MetricsClient.QuotaUsage)")
	}
	return &metricEval{fn: func() ([]Finding, []string) { return r.findings(in) }}, nil
}

func (r QuotaRule) findings(in *DetectInput) ([]Finding, []string) {
	quotas := r.Quotas
	if quotas == nil {
		quotas = DefaultQuotas()
	}
	q := in.Quota
	var out []Finding
	var notes []string
	for _, cu := range q.Categories {
		quota, ok := quotas[cu.Category]
		if !ok || quota <= 0 {
			notes = append(notes, fmt.Sprintf("no quota known for category %s: not checked", cu.Category))
			continue
		}
		limit := r.Fraction * quota
		ws := make([]metricWindow, 0, len(cu.Calls))
		for i, calls := range cu.Calls {
			t := q.Range.Start.Add(time.Duration(i) * q.Period)
			if in.Scope.Range.Contains(t) {
				// Counts carries the calls in Attempts for metricRuns.
				ws = append(ws, metricWindow{start: t, c: Counts{Attempts: int64(math.Round(calls))}})
			}
		}
		rate := func(c Counts) float64 { return float64(c.Attempts) / q.Period.Seconds() }
		for _, run := range metricRuns(ws, q.Period, func(c Counts) bool { return rate(c) >= limit }) {
			peak := 0.0
			for _, m := range run {
				peak = max(peak, rate(m.c))
			}
			out = append(out, Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%s calls reached %s requests/s, %s of the %s requests/s quota (threshold %s)", cu.Category, fmtRate(peak), fmtPercent(peak/quota), fmtNumber(quota), fmtPercent(r.Fraction)),
				Window:   runRange(run, q.Period, in.Scope.Range),
				Subject:  Subject{Category: cu.Category},
				Evidence: Evidence{
					Value:     peak,
					Threshold: limit,
					Unit:      "requests per second, averaged over " + fmtDuration(q.Period),
					Notes:     []string{fmt.Sprintf("quota %s requests/s per account and Region, all pools together", fmtNumber(quota))},
				},
				Advice: r.Advice,
			})
		}
	}
	return out, notes
}

// fmtRate formats a rate with two decimals.
func fmtRate(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// QuotaThrottleRule reports a rate-limit category whose throttled calls
// (AWS/Usage ThrottleCount, account-wide) reach Threshold in a window.
// The zero value is not a valid rule.
type QuotaThrottleRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Threshold is the number of throttled calls in a window at which it
	// fires. Above 0.
	Threshold float64
	// Window is the window length. Default one hour.
	Window time.Duration
	// Severity of the findings.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r QuotaThrottleRule) Name() string { return r.ID }

// Start begins an evaluation. It needs quota usage.
func (r QuotaThrottleRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.Threshold > 0) || r.Window < 0 || !r.Severity.valid() {
		return nil, fmt.Errorf("rule %s: threshold must be above 0 and the severity valid", r.ID)
	}
	if in.Quota == nil {
		return nil, missingInput("no quota usage (MetricsClient.QuotaUsage)")
	}
	return &metricEval{fn: func() ([]Finding, []string) { return r.findings(in), nil }}, nil
}

func (r QuotaThrottleRule) findings(in *DetectInput) []Finding {
	w := cmp.Or(r.Window, time.Hour)
	q := in.Quota
	var out []Finding
	for _, cu := range q.Categories {
		var ws []metricWindow
		for i, n := range cu.Throttles {
			t := q.Range.Start.Add(time.Duration(i) * q.Period)
			if !in.Scope.Range.Contains(t) {
				continue
			}
			ws0 := alignedStart(t, w)
			if k := len(ws); k == 0 || !ws[k-1].start.Equal(ws0) {
				ws = append(ws, metricWindow{start: ws0})
			}
			ws[len(ws)-1].c.Throttles += int64(math.Round(n))
		}
		for _, run := range metricRuns(ws, w, func(c Counts) bool { return float64(c.Throttles) >= r.Threshold }) {
			var peak int64
			for _, m := range run {
				peak = max(peak, m.c.Throttles)
			}
			out = append(out, Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%d %s calls throttled account-wide in a %s window (threshold %s)", peak, cu.Category, fmtDuration(w), fmtNumber(r.Threshold)),
				Window:   runRange(run, w, in.Scope.Range),
				Subject:  Subject{Category: cu.Category},
				Evidence: Evidence{Value: float64(peak), Threshold: r.Threshold, Unit: "throttled calls per " + fmtDuration(w)},
				Advice:   r.Advice,
			})
		}
	}
	return out
}

// TrailGapRule cross-checks the two sources: in each window in which the
// metrics counted at least MinAttempts attempts (all flows of the Stats, all
// clients), the CloudTrail events of the kinds that those flows count
// (EventKind.Flow: sign-in, MFA, refresh, sign-up and federation events)
// must number at least MinRatio of them, or the trail is missing or broken.
// Normally the trail has more records than the metrics have attempts (SRP
// and managed-login sign-ins leave two records), hence a generous ratio;
// windows too recent for CloudTrail to have delivered (ending after
// Clock() minus Settle) are not compared. The zero value is not a valid
// rule.
type TrailGapRule struct {
	// ID names the rule; Name returns it.
	ID string
	// MinAttempts is the fewest metric attempts in a window for it to be
	// compared. At least 1.
	MinAttempts int64
	// MinRatio is the ratio of trail events to metric attempts below which
	// the rule fires, above 0.
	MinRatio float64
	// Window is the window length. Default one hour.
	Window time.Duration
	// Settle is how long CloudTrail is given to deliver: windows that end
	// later than Clock() minus Settle are skipped. Default 15 minutes;
	// CloudTrail delivers in about 5 minutes on average, without
	// guarantee (FACTS.md 2.1).
	Settle time.Duration
	// Clock returns the current time. Default time.Now.
	Clock func() time.Time
	// Severity of the findings.
	Severity Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r TrailGapRule) Name() string { return r.ID }

// Start begins an evaluation. It needs metrics and events.
func (r TrailGapRule) Start(in *DetectInput) (Evaluation, error) {
	if err := validateCheckName(r.ID); err != nil {
		return nil, err
	}
	if r.MinAttempts < 1 || !(r.MinRatio > 0) || r.Window < 0 || r.Settle < 0 || !r.Severity.valid() {
		return nil, fmt.Errorf("rule %s: minimum attempts below 1, ratio not above 0, or invalid severity", r.ID)
	}
	switch {
	case in.Stats == nil:
		return nil, missingInput("no metrics (MetricsClient.Stats) to compare the trail with")
	case in.Events == nil:
		return nil, missingInput("no CloudTrail events to compare with the metrics")
	}
	ev := &gapEval{r: r, in: in, w: cmp.Or(r.Window, time.Hour), flows: map[Flow]bool{}, counts: map[int64]int64{}}
	for _, fs := range in.Stats.Flows {
		ev.flows[fs.Flow] = true
	}
	return ev, nil
}

type gapEval struct {
	r      TrailGapRule
	in     *DetectInput
	w      time.Duration
	flows  map[Flow]bool
	counts map[int64]int64 // trail events per window index; Detect keeps events in the range, so this is bounded by its windows
}

func (ev *gapEval) Add(e Event) {
	if f, ok := e.Kind().Flow(); ok && ev.flows[f] {
		ev.counts[floorDivInt64(e.Time.UnixNano(), int64(ev.w))]++
	}
}

func (ev *gapEval) Findings(context.Context) ([]Finding, error) {
	r, w, in := ev.r, ev.w, ev.in
	clock := r.Clock
	if clock == nil {
		clock = time.Now
	}
	settled := clock().Add(-cmp.Or(r.Settle, 15*time.Minute))
	attempts := map[time.Time]int64{}
	var starts []time.Time
	for _, fs := range in.Stats.Flows {
		for _, m := range windowCounts(fs.Series, w, in.Scope.Range) {
			if _, ok := attempts[m.start]; !ok {
				starts = append(starts, m.start)
			}
			attempts[m.start] += m.c.Attempts
		}
	}
	slices.SortFunc(starts, time.Time.Compare)
	// Counts.Attempts carries the metric attempts and Successes the trail
	// events, for metricRuns.
	var ws []metricWindow
	for _, s := range starts {
		if s.Add(w).After(settled) {
			continue
		}
		ws = append(ws, metricWindow{start: s, c: Counts{Attempts: attempts[s], Successes: ev.counts[floorDivInt64(s.UnixNano(), int64(w))]}})
	}
	ratio := func(c Counts) float64 { return float64(c.Successes) / float64(c.Attempts) }
	var out []Finding
	for _, run := range metricRuns(ws, w, func(c Counts) bool { return c.Attempts >= r.MinAttempts && ratio(c) < r.MinRatio }) {
		var metric, trail int64
		low := math.Inf(1)
		for _, m := range run {
			metric += m.c.Attempts
			trail += m.c.Successes
			low = min(low, ratio(m.c))
		}
		out = append(out, Finding{
			Check:    r.ID,
			Severity: r.Severity,
			Summary:  fmt.Sprintf("CloudTrail has %d events where the metrics counted %d attempts (ratio %s, threshold %s): the trail is missing or broken", trail, metric, fmtRate(low), fmtRate(r.MinRatio)),
			Window:   runRange(run, w, in.Scope.Range),
			Subject:  Subject{UserPool: in.Scope.UserPool},
			Evidence: Evidence{
				Value:     low,
				Threshold: r.MinRatio,
				Unit:      "CloudTrail events per metric attempt, per " + fmtDuration(w),
				Notes:     []string{fmt.Sprintf("metrics: %d attempts; CloudTrail: %d sign-in, MFA, refresh, sign-up and federation events", metric, trail)},
			},
			Advice: r.Advice,
		})
	}
	return out, nil
}

// BuiltinOptions adjust the built-in checks. The zero value of each field
// means its documented default.
type BuiltinOptions struct {
	// Quotas override the default quotas (DefaultQuotas) of the given
	// categories, for accounts whose quotas were raised.
	Quotas map[string]float64
	// Clock returns the current time, for the trail cross-check's
	// delivery allowance. Default time.Now.
	Clock func() time.Time
}

// ErrorMeaning returns what a Cognito error code (or an endpoint's
// "HTTP <status>", see Event.FailureReason) means for the operator, from
// the service model's descriptions (FACTS.md 6.1), or "" for a code it does
// not know.
func ErrorMeaning(code string) string {
	switch code {
	case "NotAuthorizedException":
		return "the user is not authorized: a wrong user name or password; a locked-out user (after 5 failures Cognito locks the user out for a time that doubles per failure, up to about 15 minutes, and says 'Password attempts exceeded'); an unknown user where the client has PreventUserExistenceErrors=ENABLED; or, on a refresh, an expired, revoked or invalid token"
	case "UserNotFoundException":
		return "the user does not exist; returned only where the client's PreventUserExistenceErrors is LEGACY (the API default), so it reveals which user names exist"
	case "TooManyRequestsException":
		return "the request was throttled: the account's requests-per-second quota for the operation's category was exceeded (per account and Region, all pools together)"
	case "LimitExceededException":
		return "a Cognito limit for the resource was exceeded, such as the number of codes sent for a user in sign-up, confirmation and password recovery"
	case "TooManyFailedAttemptsException":
		return "too many failed attempts at a confirmation or password-reset code (ConfirmSignUp, ConfirmForgotPassword only)"
	case "CodeMismatchException":
		return "the confirmation, reset or MFA code was wrong"
	case "ExpiredCodeException":
		return "the code has expired: request a new one"
	case "PasswordResetRequiredException":
		return "the user must reset the password before signing in (set by an administrator or by a user import)"
	case "UserNotConfirmedException":
		return "the user has not confirmed the account (the sign-up code was never entered)"
	case "InvalidPasswordException":
		return "the new password does not meet the pool's password policy"
	case "PasswordHistoryPolicyViolationException":
		return "the new password was used before (password history policy)"
	case "UsernameExistsException":
		return "the user name is already registered"
	case "CodeDeliveryFailureException":
		return "the verification message could not be sent: check the pool's SMS (SNS) or email (SES) configuration"
	case "RefreshTokenReuseException":
		return "a refresh token already replaced by refresh-token rotation was used again: a client retrying with an old token, or a stolen token"
	case "ResourceNotFoundException":
		return "the pool or app client named in the request does not exist (on sign-ins: a deleted or mistyped client ID)"
	case "InvalidParameterException":
		return "the request had an invalid parameter, such as an auth flow the client does not allow"
	case "ForbiddenException":
		return "the request was blocked by the AWS WAF web ACL associated with the user pool"
	case "MFAMethodNotFoundException", "SoftwareTokenMFANotFoundException":
		return "the user has no MFA method of the kind the flow needs"
	case "UnauthorizedException":
		return "the request to revoke a token was not authorized"
	case "UnsupportedTokenTypeException":
		return "the token given to RevokeToken is not a refresh token"
	case "InvalidUserPoolConfigurationException":
		return "the pool's configuration does not allow the request (for example an auth flow that needs a setting the pool lacks)"
	}
	if strings.HasPrefix(code, "HTTP ") {
		return "an endpoint of the managed login or the token endpoint refused the request with this HTTP status; CloudTrail does not record why (for the token endpoint, typically invalid_client or invalid_grant); how failed endpoint requests are recorded is not documented (FACTS.md 2.3 [X])"
	}
	return ""
}

// Builtins returns the built-in checks, in a fixed order: the event rules,
// the baseline and first-seen rules, the admin-change rules, the metric
// rules and the trail cross-check. Each is a value of an exported rule type
// whose fields hold its defaults, documented in docs/detections.md; to tune
// one, change its fields and use the changed value in its place.
func Builtins(optFns ...func(*BuiltinOptions)) []Check {
	var o BuiltinOptions
	for _, fn := range optFns {
		fn(&o)
	}
	quotas := DefaultQuotas()
	for k, v := range o.Quotas {
		quotas[k] = v
	}
	// Password guesses: failed sign-ins (throttles are not guesses), except
	// unknown user names, which are the enumeration rule's signal and have
	// no sub to count per user (whether their records carry one at all is
	// not documented: FACTS.md 2.3 [X]).
	signInFailures := EventMatch{Filter: EventFilter{Kinds: []EventKind{KindSignIn}}, Outcomes: []Outcome{OutcomeFailure}, ExceptErrorCodes: []string{"UserNotFoundException"}}
	allSignInFailures := EventMatch{Filter: EventFilter{Kinds: []EventKind{KindSignIn}}, Outcomes: []Outcome{OutcomeFailure}}
	resets := EventMatch{Filter: EventFilter{Names: []string{"ForgotPassword", "ForgotPassword_POST", "forgotPassword_POST"}}}
	m2m := EventMatch{Filter: EventFilter{Kinds: []EventKind{KindM2MToken}}}
	meaning := func(codes ...string) string {
		var b strings.Builder
		for _, c := range codes {
			b.WriteString(" " + c + ": " + ErrorMeaning(c) + ".")
		}
		return b.String()
	}
	return []Check{
		EventRule{
			ID:          "brute-force",
			Description: "Password guessing from one address: failed sign-ins per source address.",
			Unit:        "sign-in failures",
			Events:      signInFailures, Key: KeySourceIP, Top: KeySub,
			Threshold: 20, Window: 10 * time.Minute, Sliding: true, Severity: SeverityHigh,
			Advice: "Many failed sign-ins from one address. Block or rate-limit it with an AWS WAF web ACL on the user pool (a rate-based rule), check whether a sign-in from it succeeded (success-after-failures), and consider threat protection and MFA." + meaning("NotAuthorizedException"),
		},
		EventRule{
			ID:          "brute-force-slow",
			Description: "Password guessing paced to stay under per-window limits: failed sign-ins per source address over six hours.",
			Unit:        "sign-in failures",
			Events:      signInFailures, Key: KeySourceIP, Top: KeySub,
			Threshold: 50, Window: 6 * time.Hour, Sliding: true, Severity: SeverityMedium,
			Advice: "A steady stream of failed sign-ins from one address, slow enough to stay under short-window limits and Cognito's lockout reset. Block the address with AWS WAF and check whether any sign-in from it succeeded." + meaning("NotAuthorizedException"),
		},
		EventRule{
			ID:          "credential-stuffing",
			Description: "A credential list tried from one address: distinct users failing sign-in per source address.",
			Unit:        "distinct users failing sign-in",
			Events:      signInFailures, Key: KeySourceIP, Distinct: KeySub, Top: KeyClient,
			Threshold: 30, Window: time.Hour, Sliding: true, Severity: SeverityHigh,
			Advice: "Many different users failing to sign in from one address: a list of leaked user names and passwords being tried. Block the address with AWS WAF, look for successes from it (success-after-failures), reset the passwords of accounts that signed in from it, and turn on compromised-credentials protection (threat protection)." + meaning("NotAuthorizedException"),
		},
		EventRule{
			ID:          "credential-stuffing-botnet",
			Description: "A credential list spread over a botnet or proxy pool: distinct failing addresses per /24 (IPv4) or /48 (IPv6).",
			Unit:        "distinct failing addresses",
			Events:      allSignInFailures, Key: KeyIPRange, Distinct: KeySourceIP, Top: KeySourceIP,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: SeverityHigh,
			Advice: "Many addresses of one network range failing sign-ins at once: a botnet or proxy pool spreading a credential list to stay under per-address limits. Block or challenge the range with an AWS WAF IP set, compare with the failure-rate finding from the metrics, and look for successes from the range." + meaning("NotAuthorizedException", "UserNotFoundException"),
		},
		EventRule{
			ID:          "distributed-brute-force",
			Description: "One account attacked from many addresses: distinct failing addresses per user.",
			Unit:        "distinct failing addresses",
			Events:      signInFailures, Key: KeySub, Distinct: KeySourceIP, Top: KeySourceIP,
			Threshold: 10, Window: time.Hour, Sliding: true, Severity: SeverityHigh,
			Advice: "One user failing to sign in from many addresses: a distributed attack on one account that per-address limits do not see. Cognito's lockout slows it but does not stop it. If any attempt succeeded, sign the user out everywhere (AdminUserGlobalSignOut) and reset the password; ask the user to turn on MFA." + meaning("NotAuthorizedException"),
		},
		SuccessAfterFailuresRule{
			ID:          "success-after-failures",
			Description: "A possible compromise: a sign-in that succeeded from an address right after many failures from it.",
			Key:         KeySourceIP, MinFailures: 10, Window: time.Hour, Severity: SeverityHigh,
			Advice: "A sign-in succeeded from an address right after many failed ones from it: the attacker may have guessed or found a valid password. For the users in the evidence: sign them out everywhere (AdminUserGlobalSignOut), reset their passwords (AdminResetUserPassword) and review what they did after the sign-in. A user who forgot a password and then remembered it looks the same: confirm with the user.",
		},
		EventRule{
			ID:          "enumeration",
			Description: "User-name enumeration: UserNotFoundException per source address.",
			Unit:        "UserNotFoundException errors",
			Events:      EventMatch{Filter: EventFilter{ErrorCodes: []string{"UserNotFoundException"}}}, Key: KeySourceIP, Top: KeyEventName,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: SeverityMedium,
			Advice: "One address asking about many user names that do not exist: it is finding out which accounts exist, to attack them next. Set PreventUserExistenceErrors=ENABLED on the app client (UpdateUserPoolClient) so unknown users get the same error as wrong passwords, and block the address." + meaning("UserNotFoundException"),
		},
		EnumerationBlindSpotRule{
			ID:          "enumeration-blind-spot",
			MinFailures: 50, Severity: SeverityInfo,
			Advice: "This client's sign-in failures never say UserNotFoundException, so it very likely has PreventUserExistenceErrors=ENABLED (good practice): unknown user names fail with NotAuthorizedException, and the enumeration rule cannot see probing of user names against it. The brute-force and credential-stuffing rules still count those failures." + meaning("NotAuthorizedException"),
		},
		EventRule{
			ID:          "password-reset-flood",
			Description: "Password-reset abuse from one address: ForgotPassword requests per source address.",
			Unit:        "password-reset requests",
			Events:      resets, Key: KeySourceIP, Top: KeySub,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: SeverityMedium,
			Advice: "Many password-reset requests from one address: SMS or email pumping (each request can send a message you pay for), harassment of users, or enumeration. ForgotPassword shares the UserAccountRecovery quota of 30 requests per second per account, which cannot be raised (FACTS.md 6.3), so a flood also blocks real users' resets. Block the address with AWS WAF." + meaning("LimitExceededException", "CodeDeliveryFailureException", "UserNotFoundException"),
		},
		EventRule{
			ID:          "password-reset-user",
			Description: "Password-reset abuse against one account: ForgotPassword requests per user.",
			Unit:        "password-reset requests",
			Events:      resets, Key: KeySub, Top: KeySourceIP,
			Threshold: 5, Window: time.Hour, Sliding: true, Severity: SeverityMedium,
			Advice: "One user's password reset was requested many times: someone may be trying to take over the account by intercepting or guessing a code, or harassing the user. Check the addresses in the evidence, and ConfirmForgotPassword failures for code guessing." + meaning("CodeMismatchException", "TooManyFailedAttemptsException", "LimitExceededException"),
		},
		EventRule{
			ID:          "refresh-failure-spike",
			Description: "Token refreshes failing for an app client, compared with its baseline when there is one.",
			Unit:        "token-refresh failures",
			Events:      EventMatch{Filter: EventFilter{Kinds: []EventKind{KindTokenRefresh}}, Outcomes: []Outcome{OutcomeFailure}}, Key: KeyClient, Top: KeyErrorCode,
			Threshold: 50, Window: time.Hour, Sliding: true, Severity: SeverityMedium, Baseline: &BaselineMode{Sigmas: 3},
			Advice: "Token refreshes of this client are failing. A spike right after a release points at the app (wrong client ID, broken token storage); after a mass sign-out or a change of the client's refresh-token validity it is expected; a spike of RefreshTokenReuseException can mean stolen tokens." + meaning("NotAuthorizedException", "RefreshTokenReuseException"),
		},
		FirstSeenRule{
			ID:          "token-theft",
			Description: "A refresh token used from a network and device the user never used: refreshes per sub from a new /24 or user-agent family.",
			Key:         KeySub, Values: []EventKey{KeyIPRange, KeyUserAgentFamily},
			Judge:         EventMatch{Filter: EventFilter{Kinds: []EventKind{KindTokenRefresh}}, Outcomes: []Outcome{OutcomeSuccess}},
			Reference:     EventMatch{Outcomes: []Outcome{OutcomeSuccess}},
			Teach:         &EventMatch{Func: CompletedSignIn},
			KnownKeysOnly: true,
			Severity:      SeverityHigh, PartialSeverity: SeverityMedium,
			Advice: "A refresh token was used for this user from a network range or kind of device that the user never used in the baseline and did not sign in from during the run. Refresh tokens are bearer tokens: whoever holds one gets new tokens until it expires (30 days by default, FACTS.md 6.2). If the user does not recognise it, revoke the user's tokens (AdminUserGlobalSignOut) and reset the password; consider refresh-token rotation and a shorter refresh-token validity. Refreshes through the token endpoint carry no sub (FACTS.md 2.3) and are not judged.",
		},
		EventRule{
			ID:          "m2m-token-per-call",
			Description: "A machine client that does not cache its tokens: client_credentials requests per client.",
			Unit:        "client_credentials token requests",
			Events:      m2m, Key: KeyClient, Top: KeySourceIP,
			Threshold: 60, Window: time.Hour, Sliding: true, Severity: SeverityMedium,
			Advice: "A machine client requests client_credentials tokens far more often than caching allows: an access token is valid for an hour by default (FACTS.md 6.2), so a client that caches needs about one an hour per instance. A token per call adds latency, costs money (machine-to-machine tokens are billed per request) and eats into the ClientAuthentication quota of 150 requests per second per account, which cannot be raised (FACTS.md 6.3). Make the client cache tokens until shortly before they expire.",
		},
		EventRule{
			ID:          "m2m-token-volume",
			Description: "A machine client's token volume far above its baseline: client_credentials requests per client and hour against the baseline's mean plus three standard deviations.",
			Unit:        "client_credentials token requests",
			Events:      m2m, Key: KeyClient, Top: KeySourceIP,
			Threshold: 10, Window: time.Hour, Severity: SeverityMedium, Baseline: &BaselineMode{Sigmas: 3, Required: true},
			Advice: "A machine client's token requests are far above what the baseline learned for it. The usual cause is a client that stopped caching tokens (see m2m-token-per-call); otherwise a deployment scaled out, or someone else is using the client's secret.",
		},
		FirstSeenRule{
			ID:          "m2m-new-source",
			Description: "A machine client seen from a new place: client_credentials requests from a /24 or user-agent family the baseline never saw for the client.",
			Key:         KeyClient, Values: []EventKey{KeyIPRange, KeyUserAgentFamily},
			Judge:     m2m,
			Reference: EventMatch{Filter: EventFilter{Kinds: []EventKind{KindM2MToken}}, Outcomes: []Outcome{OutcomeSuccess}},
			Severity:  SeverityMedium,
			Advice:    "A machine client called the token endpoint from a network range or with a user-agent family that the baseline never saw for it. A client secret is the client's password: a new range can be a new deployment region or NAT gateway, or a leaked secret. Confirm with the client's owners; if nobody knows the source, rotate the client secret.",
		},
		FailureStreakRule{
			ID:          "m2m-failure-streak",
			Description: "A machine client whose client_credentials requests keep failing: a secret rotated in one place only.",
			Events:      m2m, Key: KeyClient, MinRun: 10, Severity: SeverityHigh,
			Advice: "A machine client's client_credentials requests kept failing with no success between them. The usual cause is a client secret rotated in one place only: the app client has a new secret and some instances still send the old one (or the client was deleted and is still in use). Update the secret where it is stored, or roll back the rotation. Whether the token endpoint records an error code for these failures is not documented (FACTS.md 2.3 [X]): the rule reads the HTTP status as well." + meaning("HTTP 400"),
		},
		AdminChangeRule{
			ID:          "admin-mfa-off",
			Description: "MFA turned off for the pool.",
			EventNames:  []string{"SetUserPoolMfaConfig", "UpdateUserPool"},
			Match:       matchMFAOff, Severity: SeverityHigh,
			Advice: "MFA was turned off for the user pool: users can now sign in with a password alone. If the change was not planned, turn MFA back on (SetUserPoolMfaConfig) and find out who made it from the caller's ARN and the caller's other recent calls in CloudTrail.",
		},
		AdminChangeRule{
			ID:          "admin-new-client",
			Description: "A new app client created.",
			EventNames:  []string{"CreateUserPoolClient"},
			Match:       matchNewClient, Severity: SeverityMedium,
			Advice: "A new app client can get tokens for the pool's users, or with a secret and the client_credentials grant for machines. Check that it was planned: its callback URLs, OAuth flows and scopes, and who created it.",
		},
		AdminChangeRule{
			ID:          "admin-callback-urls",
			Description: "An app client's callback or sign-out URLs set.",
			EventNames:  []string{"UpdateUserPoolClient"},
			Match:       matchCallbackURLs, Severity: SeverityMedium,
			Advice: "An app client's callback (or sign-out) URLs were set: whoever controls a callback URL receives the authorization codes of users who sign in through it. UpdateUserPoolClient replaces the whole client configuration, so the URLs are present whether or not they changed: compare them with the previous configuration (DescribeUserPoolClient, or the client's previous CreateUserPoolClient or UpdateUserPoolClient event).",
		},
		AdminChangeRule{
			ID:          "admin-threat-protection-lowered",
			Description: "Threat protection weakened: an adaptive-authentication action set to NO_ACTION, addresses exempted, or advanced security set to AUDIT or OFF.",
			EventNames:  []string{"SetRiskConfiguration", "UpdateUserPool"},
			Match:       matchThreatLowered, Severity: SeverityHigh,
			Advice: "Threat protection was weakened: risky sign-ins or compromised credentials are no longer blocked or challenged, or some addresses are exempt from risk checks. Restore the configuration if the change was not planned, and find out who made it.",
		},
		AdminChangeRule{
			ID:          "admin-deletion",
			Description: "A pool, app client, identity provider, domain or resource server deleted.",
			EventNames:  []string{"DeleteUserPool", "DeleteUserPoolClient", "DeleteIdentityProvider", "DeleteUserPoolDomain", "DeleteResourceServer"},
			Match:       matchDeletion, Severity: SeverityHigh,
			Advice: "Something users sign in through was deleted: sign-ins through it fail from now on, and a deleted pool's users cannot be recovered. Check that it was planned.",
		},
		AdminChangeRule{
			ID:          "admin-identity-provider",
			Description: "An identity provider created or changed.",
			EventNames:  []string{"CreateIdentityProvider", "UpdateIdentityProvider"},
			Match:       matchIdentityProvider, Severity: SeverityMedium,
			Advice: "An identity provider was created or changed: it decides who can sign in through federation, and a changed SAML metadata URL or OIDC issuer can let another directory's users in. Check the provider's details against what was planned.",
		},
		FailureRateRule{
			ID:      "failure-rate",
			MaxRate: 0.2, MinAttempts: 50, Window: time.Hour, Severity: SeverityMedium, HighRate: 0.5,
		},
		ThrottleRule{
			ID:        "throttle-spike",
			Threshold: 10, Window: time.Hour, Severity: SeverityMedium,
			Advice: "Cognito throttled requests of this flow (TooManyRequestsException): the account's requests-per-second quota of the flow's category was exceeded. Quotas are per account and Region, shared by all pools: UserAuthentication 120, UserCreation 50, UserFederation 25 by default (FACTS.md 6.3). See the quota findings, make clients retry with backoff, and ask for a higher quota where it can be raised.",
		},
		QuotaRule{
			ID:     "quota-approach",
			Quotas: quotas, Fraction: 0.8, Severity: SeverityHigh,
			Advice: "The account's calls in this rate-limit category came close to the quota within a metric period. The figure is the period's average, so short peaks were higher; at the quota, Cognito throttles with TooManyRequestsException. The quota is shared by all pools of the account in the Region. Find the caller in CloudTrail, and ask for a higher quota (Service Quotas) before it throttles, where the category allows it (FACTS.md 6.3).",
		},
		QuotaThrottleRule{
			ID:        "quota-throttles",
			Threshold: 10, Window: time.Hour, Severity: SeverityMedium,
			Advice: "Calls in this rate-limit category were throttled (AWS/Usage ThrottleCount), account-wide: by any pool or application of the account in the Region. Make clients retry with backoff, and ask for a higher quota where the category allows it (FACTS.md 6.3).",
		},
		TrailGapRule{
			ID:          "trail-gap",
			MinAttempts: 100, MinRatio: 0.5, Window: time.Hour, Settle: 15 * time.Minute, Clock: o.Clock, Severity: SeverityHigh,
			Advice: "CloudTrail recorded far fewer sign-in, refresh, sign-up and federation events than CloudWatch counted attempts for the same hours. Each attempt normally leaves one or more records, so the trail is missing data: a stopped trail, a changed event selector, a broken S3 bucket policy, or late delivery. Check the trail (GetTrailStatus: IsLogging, LatestDeliveryError). Until it is fixed, the event rules cannot see attacks in those hours. The ratio of records to metric attempts is not documented (FACTS.md 8.2 [X]: whether challenge steps and managed-login sign-ins count in SignInSuccesses), hence the generous threshold.",
		},
	}
}

// stringParam returns params[name] if it is a string.
func stringParam(params map[string]any, name string) string {
	s, _ := params[name].(string)
	return s
}

// listParam returns params[name] as strings if it is a list.
func listParam(params map[string]any, name string) []string {
	l, _ := params[name].([]any)
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// The request parameters the admin rules read are not verified against
// records of a real account: AWS publishes no sample of these events
// (FACTS.md 2.4 [X]). Their names follow the API's request members, as
// CloudTrail logs requestParameters for other services.

func matchMFAOff(e Event, params map[string]any) (string, bool) {
	if strings.EqualFold(stringParam(params, "mfaConfiguration"), "OFF") {
		return "mfaConfiguration set to OFF", true
	}
	return "", false
}

func matchNewClient(e Event, params map[string]any) (string, bool) {
	parts := []string{"new app client"}
	if n := stringParam(params, "clientName"); n != "" {
		parts = append(parts, "name "+n)
	}
	if e.ClientID != "" {
		parts = append(parts, "ID "+string(e.ClientID))
	}
	if s, ok := params["generateSecret"].(bool); ok && s {
		parts = append(parts, "with a secret")
	}
	if u := listParam(params, "callbackURLs"); len(u) > 0 {
		parts = append(parts, "callback URLs "+strings.Join(u, " "))
	}
	if f := listParam(params, "allowedOAuthFlows"); len(f) > 0 {
		parts = append(parts, "OAuth flows "+strings.Join(f, " "))
	}
	return strings.Join(parts, ", "), true
}

func matchCallbackURLs(e Event, params map[string]any) (string, bool) {
	var parts []string
	for _, name := range []string{"callbackURLs", "logoutURLs", "defaultRedirectURI"} {
		if _, ok := params[name]; !ok {
			continue
		}
		v := listParam(params, name)
		if s := stringParam(params, name); s != "" {
			v = []string{s}
		}
		parts = append(parts, name+" set to "+cmp.Or(strings.Join(v, " "), "(none)"))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "; "), true
}

func matchThreatLowered(e Event, params map[string]any) (string, bool) {
	var parts []string
	obj := func(m map[string]any, name string) map[string]any {
		v, _ := m[name].(map[string]any)
		return v
	}
	if e.Name == "UpdateUserPool" {
		if mode := stringParam(obj(params, "userPoolAddOns"), "advancedSecurityMode"); mode == "OFF" || mode == "AUDIT" {
			parts = append(parts, "advancedSecurityMode set to "+mode)
		}
	}
	if actions := obj(obj(params, "accountTakeoverRiskConfiguration"), "actions"); actions != nil {
		for _, level := range []string{"highAction", "mediumAction", "lowAction"} {
			if a := stringParam(obj(actions, level), "eventAction"); a == "NO_ACTION" {
				parts = append(parts, "account-takeover "+strings.TrimSuffix(level, "Action")+"-risk action set to NO_ACTION")
			}
		}
	}
	if a := stringParam(obj(obj(params, "compromisedCredentialsRiskConfiguration"), "actions"), "eventAction"); a == "NO_ACTION" {
		parts = append(parts, "compromised-credentials action set to NO_ACTION")
	}
	if r := listParam(obj(params, "riskExceptionConfiguration"), "skippedIPRangeList"); len(r) > 0 {
		parts = append(parts, "risk checks skipped for "+strings.Join(r, " "))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "; "), true
}

func matchDeletion(e Event, params map[string]any) (string, bool) {
	what := strings.TrimPrefix(e.Name, "Delete")
	for _, name := range []string{"clientId", "providerName", "domain", "identifier", "userPoolId"} {
		if v := stringParam(params, name); v != "" {
			return what + " " + v + " deleted", true
		}
	}
	return what + " deleted", true
}

func matchIdentityProvider(e Event, params map[string]any) (string, bool) {
	d := strings.TrimSuffix(e.Name, "IdentityProvider") + " identity provider"
	if n := stringParam(params, "providerName"); n != "" {
		d += " " + n
	}
	if t := stringParam(params, "providerType"); t != "" {
		d += " (" + t + ")"
	}
	return d, true
}

// OldestFirst returns the events of tc that match filter in ascending time
// order, as Detect wants them: TrailClient.Events yields newest first. It
// reads filter.Range in consecutive chunks of the given length (default
// five minutes), one TrailClient.Events call each, holds one chunk's events
// in memory and yields them sorted by time and event ID. Errors are yielded
// as TrailClient.Events yields them: a *ReadError about one record lets the
// sequence go on if the loop does; any other error ends it.
func OldestFirst(ctx context.Context, tc *TrailClient, filter EventFilter, chunk time.Duration) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if chunk <= 0 {
			chunk = 5 * time.Minute
		}
		if err := filter.Range.Validate(); err != nil {
			yield(Event{}, fmt.Errorf("oldest first: %w", err))
			return
		}
		for start := filter.Range.Start; start.Before(filter.Range.End); start = start.Add(chunk) {
			f := filter
			f.Range = TimeRange{Start: start, End: start.Add(chunk)}
			if f.Range.End.After(filter.Range.End) {
				f.Range.End = filter.Range.End
			}
			var evs []Event
			for e, err := range tc.Events(ctx, f) {
				if err != nil {
					var re *ReadError
					if errors.As(err, &re) && re.EventID != "" {
						if !yield(Event{}, err) {
							return
						}
						continue
					}
					yield(Event{}, err)
					return
				}
				evs = append(evs, e)
			}
			slices.SortStableFunc(evs, func(a, b Event) int {
				return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.EventID, b.EventID))
			})
			for _, e := range evs {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}
