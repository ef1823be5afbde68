package checks

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// Lockout reports whether e is Cognito's answer to a locked-out user:
// NotAuthorizedException with the message "Password attempts exceeded"
// (FACTS.md 9.4 b). After five wrong passwords Cognito locks a user out
// for a second, doubling with each further wrong password up to about 15
// minutes; attempts during the lockout get this answer without the
// password being checked, and do not lengthen it.
//
// It is the one test in the detections that reads an error message: the
// code alone cannot tell a lockout from a wrong password. The
// password-guess rules (brute-force and its kin) leave lockout answers
// out, since no password was checked; the lockout rules count them.
//
// Assumption: CloudTrail's errorMessage carries the API's text (FACTS.md
// 9.4 b [P]). To check with an account, fail six sign-ins of a test user
// in a row and read the last InitiateAuth record's errorMessage. If the
// text differs, the lockout rules stay silent and the answers count as
// wrong passwords, as before.
func Lockout(e cognitomon.Event) bool { return eventnames.Lockout(e.ErrorCode, e.ErrorMessage) }

// LockoutRule counts lockout answers (Lockout) as an EventRule with the
// same fields does, leaving out the addresses and users of an allow-list:
// a synthetic canary that locks its own test user, a load test, a
// penetration tester. Per source address it finds an address that keeps
// trying users through their lockouts; per pool (Key KeyUserPool, Distinct
// KeySub) it finds a lockout storm: many users locked out at once, which
// also locks real users out of their accounts. With Key KeyUserPool, an
// event that names no pool counts for the run's pool (Scope.UserPool):
// whether sign-in API records carry userPoolId is not documented
// (FACTS.md 2.3 [X]).
//
// The evidence ranks Top as an EventRule's does. When Top is not KeySub,
// a note also names the locked-out users (by sub, as Cognito records
// them, FACTS.md 9.4 a) of the key with the most lockout answers over the
// run; when neither Key nor Top is KeySourceIP, a note names the
// addresses. The zero value is not a valid rule.
type LockoutRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches, for documentation.
	Description string
	// Unit says what is counted, in the plural.
	Unit string
	// Key, Distinct and Top are as in EventRule.
	Key, Distinct, Top EventKey
	// Threshold, Window and Sliding are as in EventRule.
	Threshold int
	Window    time.Duration
	Sliding   bool
	// AllowIPs are addresses ("192.0.2.10") or CIDR ranges
	// ("192.0.2.0/24") whose lockout answers are not counted.
	AllowIPs []string
	// AllowSubs are users (subs) whose lockout answers are not counted.
	AllowSubs []string
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r LockoutRule) Name() string { return r.ID }

// Validate reports what is wrong with the rule, if anything: an invalid
// EventRule field, or an allow-list entry that is neither an address nor
// a CIDR range.
func (r LockoutRule) Validate() error {
	if _, err := r.allowedIPs(); err != nil {
		return err
	}
	return r.eventRule(nil).Validate()
}

func (r LockoutRule) allowedIPs() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range r.AllowIPs {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("rule %s: allowed address %q is neither an address nor a CIDR range", r.ID, s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// eventRule is the EventRule that does the counting.
func (r LockoutRule) eventRule(allowed []netip.Prefix) EventRule {
	return EventRule{
		ID: r.ID, Description: r.Description, Unit: r.Unit,
		Events: EventMatch{Func: func(e cognitomon.Event) bool {
			return Lockout(e) && !r.allowed(e, allowed)
		}},
		Key: r.Key, Distinct: r.Distinct, Top: r.Top,
		Threshold: r.Threshold, Window: r.Window, Sliding: r.Sliding,
		Severity: r.Severity, Advice: r.Advice,
	}
}

func (r LockoutRule) allowed(e cognitomon.Event, ips []netip.Prefix) bool {
	if e.Sub != "" && slices.Contains(r.AllowSubs, e.Sub) {
		return true
	}
	if len(ips) == 0 {
		return false
	}
	a, err := netip.ParseAddr(e.SourceIP)
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	return slices.ContainsFunc(ips, func(p netip.Prefix) bool { return p.Contains(a) })
}

// Start begins an evaluation. It needs events.
func (r LockoutRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	ips, err := r.allowedIPs()
	if err != nil {
		return nil, err
	}
	inner, err := r.eventRule(ips).Start(in)
	if err != nil {
		return nil, err
	}
	ev := &lockoutEval{inner: inner, r: r, allowed: ips, pool: in.Scope.UserPool}
	if r.Top != KeySub {
		ev.subs = newKeyTable(in.Limits.WithDefaults().MaxKeys, func(string, *topCounter) {})
	}
	if r.Key != KeySourceIP && r.Top != KeySourceIP {
		ev.ips = newKeyTable(in.Limits.WithDefaults().MaxKeys, func(string, *topCounter) {})
	}
	return ev, nil
}

// lockoutEval runs the EventRule and ranks, per key, what its Top leaves
// out.
type lockoutEval struct {
	inner     cognitomon.Evaluation
	r         LockoutRule
	allowed   []netip.Prefix
	subs, ips *keyTable[topCounter]
	pool      cognitomon.UserPoolID
}

// unnamedPool is the pool a per-pool lockout finding names when neither
// the events nor the run name one (log files read without a pool).
const unnamedPool cognitomon.UserPoolID = "(not named)"

func (ev *lockoutEval) Add(e cognitomon.Event) {
	if ev.r.Key == KeyUserPool && e.UserPoolID == "" {
		// Sign-in API records may not name the pool (FACTS.md 2.3 [X]);
		// every event of a run is about the run's pool, and a run over
		// log files without one counts them together.
		e.UserPoolID = ev.pool
		if e.UserPoolID == "" {
			e.UserPoolID = unnamedPool
		}
	}
	ev.inner.Add(e)
	if (ev.subs == nil && ev.ips == nil) || !Lockout(e) || ev.r.allowed(e, ev.allowed) {
		return
	}
	key := ev.r.Key.Of(e)
	if key == "" {
		return
	}
	if ev.subs != nil && e.Sub != "" {
		t, _ := ev.subs.get(key)
		t.add(e.Sub)
	}
	if ev.ips != nil && e.SourceIP != "" {
		t, _ := ev.ips.get(key)
		t.add(e.SourceIP)
	}
}

func (ev *lockoutEval) Findings(ctx context.Context) ([]cognitomon.Finding, error) {
	fs, err := ev.inner.Findings(ctx)
	for i := range fs {
		key := keyOfSubject(ev.r.Key, fs[i].Subject)
		if key == "" {
			continue
		}
		if n := rankNote(ev.subs, key, "locked-out users (sub: lockout answers) over the run"); n != "" {
			fs[i].Evidence.Notes = append(fs[i].Evidence.Notes, n)
		}
		if n := rankNote(ev.ips, key, "addresses (lockout answers) over the run"); n != "" {
			fs[i].Evidence.Notes = append(fs[i].Evidence.Notes, n)
		}
	}
	return fs, err
}

// Notes returns the EventRule's notes.
func (ev *lockoutEval) Notes() []string {
	if n, ok := ev.inner.(interface{ Notes() []string }); ok {
		return n.Notes()
	}
	return nil
}

// keyOfSubject returns the value of key k that a finding's subject holds.
func keyOfSubject(k EventKey, s cognitomon.Subject) string {
	switch k {
	case KeySourceIP:
		return s.IP
	case KeySub:
		return s.Sub
	case KeyClient:
		return string(s.Client)
	case KeyUserPool:
		return string(s.UserPool)
	case KeyCaller:
		return s.Caller
	}
	return ""
}

// rankNote writes the ranking of key in t as a note, or "".
func rankNote(t *keyTable[topCounter], key, what string) string {
	if t == nil {
		return ""
	}
	tc := t.peek(key)
	if tc == nil {
		return ""
	}
	var parts []string
	for _, c := range tc.list() {
		if c.Error > 0 {
			// Space-Saving: the true count lies in [Count-Error, Count].
			parts = append(parts, fmt.Sprintf("%s: %d to %d", c.Key, c.Count-c.Error, c.Count))
		} else {
			parts = append(parts, fmt.Sprintf("%s: %d", c.Key, c.Count))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return what + ": " + strings.Join(parts, ", ")
}
