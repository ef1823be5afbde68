package checks

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
	"github.com/cognitomon/cognitomon/internal/text"
)

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
	Match func(e cognitomon.Event, params map[string]any) (detail string, ok bool)
	// ExpectedCallers are the callers whose changes are expected and not
	// reported: IAM ARNs, matched exactly, or prefixes ending in "*"
	// ("arn:aws:sts::123456789012:assumed-role/SecretRotation/*" for any
	// session of a role). Default none.
	ExpectedCallers []string
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r AdminChangeRule) Name() string { return r.ID }

// Validate reports what is wrong with the rule, if anything.
func (r AdminChangeRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	if len(r.EventNames) == 0 || slices.Contains(r.EventNames, "") {
		return fmt.Errorf("rule %s: no event names, or an empty one", r.ID)
	}
	if !r.Severity.Valid() {
		return fmt.Errorf("rule %s: invalid severity %d", r.ID, int(r.Severity))
	}
	return nil
}

// Start begins an evaluation. It needs events.
func (r AdminChangeRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
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
	in      *cognitomon.DetectInput
	done    []cognitomon.Finding
	dropped int
}

func (ev *adminEval) Add(e cognitomon.Event) {
	if e.Outcome() != cognitomon.OutcomeSuccess || !slices.Contains(ev.r.EventNames, e.Name) {
		return
	}
	if expectedCaller(ev.r.ExpectedCallers, e.CallerARN) {
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
	if len(ev.done) >= ev.in.Limits.WithDefaults().MaxFindings {
		ev.dropped++
		return
	}
	caller := cmp.Or(e.CallerARN, "an unknown caller")
	subj := cognitomon.Subject{Caller: e.CallerARN, IP: e.SourceIP, Client: e.ClientID}
	ev.done = append(ev.done, cognitomon.Finding{
		Check:    ev.r.ID,
		Severity: ev.r.Severity,
		Summary:  fmt.Sprintf("%s by %s from %s: %s", e.Name, caller, cmp.Or(e.SourceIP, "an unknown address"), detail),
		Window:   pointWindow(e.Time, e.Time),
		Subject:  subj,
		Evidence: cognitomon.Evidence{Value: 1, Threshold: 1, Unit: "changes", EventIDs: eventIDList(e.EventID), Notes: []string{detail}},
		Advice:   ev.r.Advice,
	})
}

// expectedCaller reports whether arn matches one of the entries: exactly,
// or by prefix for an entry ending in "*".
func expectedCaller(entries []string, arn string) bool {
	if arn == "" {
		return false
	}
	for _, x := range entries {
		if p, ok := strings.CutSuffix(x, "*"); ok && strings.HasPrefix(arn, p) || x == arn {
			return true
		}
	}
	return false
}

func eventIDList(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func (ev *adminEval) Findings(context.Context) ([]cognitomon.Finding, error) { return ev.done, nil }

func (ev *adminEval) Notes() []string {
	if ev.dropped > 0 {
		return []string{fmt.Sprintf("%d more changes not reported (DetectLimits.MaxFindings)", ev.dropped)}
	}
	return nil
}

// configured reports the described clients whose configuration hides
// unknown users, with the run's NotAuthorizedException sign-in failures
// through each as the evidence.
func (ev *blindEval) configured() []cognitomon.Finding {
	var out []cognitomon.Finding
	for _, c := range ev.r.Configured {
		if !c.Described || c.PreventUserExistenceErrors != "ENABLED" {
			continue
		}
		var n int64
		var ids []string
		var first, last time.Time
		if st := ev.keys.peek(string(c.ID)); st != nil {
			n, ids, first, last = st.notAuthorized, st.ids, st.first, st.last
		}
		window := ev.in.Scope.Range
		if window.IsZero() {
			window = pointWindow(first, last)
		}
		subj := cognitomon.Subject{Client: c.ID}
		label := subj.String()
		if c.Name != "" {
			label += " (" + c.Name + ")"
		}
		out = append(out, cognitomon.Finding{
			Check:    ev.r.ID,
			Severity: ev.r.Severity,
			Summary: fmt.Sprintf("%s has PreventUserExistenceErrors=ENABLED in the pool's configuration: unknown user names fail with NotAuthorizedException like wrong passwords, so enumeration against this client is not visible (%d such sign-in failures in the run)",
				label, n),
			Window:  window,
			Subject: subj,
			Evidence: cognitomon.Evidence{
				Value:     float64(n),
				Unit:      "NotAuthorizedException sign-in failures through a client configured with PreventUserExistenceErrors=ENABLED",
				Estimated: ev.lost,
				EventIDs:  ids,
			},
			Advice: ev.r.Advice,
		})
	}
	return out
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
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
	// Configured are the pool's app clients as its configuration describes
	// them (cognitomon.Inventory.Clients), when it was read. The setting
	// then replaces the guess: every described client with
	// PreventUserExistenceErrors=ENABLED is reported, with or without
	// traffic, and the events' silence is judged only for clients the
	// configuration does not describe.
	Configured []cognitomon.AppClient
}

// Name returns r.ID.
func (r EnumerationBlindSpotRule) Name() string { return r.ID }

// Start begins an evaluation. It needs events.
func (r EnumerationBlindSpotRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if r.MinFailures < 1 || !r.Severity.Valid() {
		return nil, fmt.Errorf("rule %s: minimum failures below 1 or invalid severity", r.ID)
	}
	described := map[cognitomon.ClientID]bool{}
	for _, c := range r.Configured {
		if c.Described {
			described[c.ID] = true
		}
	}
	if in.Events == nil && len(described) == 0 {
		return nil, missingInput("no CloudTrail events and no app client configuration")
	}
	ev := &blindEval{r: r, in: in, described: described}
	ev.keys = newKeyTable(in.Limits.WithDefaults().MaxKeys, func(string, *blindKey) { ev.lost = true })
	return ev, nil
}

type blindEval struct {
	r         EnumerationBlindSpotRule
	in        *cognitomon.DetectInput
	keys      *keyTable[blindKey]
	lost      bool
	described map[cognitomon.ClientID]bool
}

type blindKey struct {
	notAuthorized, userNotFound int64
	first, last                 time.Time
	ids                         []string
}

func (ev *blindEval) Add(e cognitomon.Event) {
	if e.ClientID == "" {
		return
	}
	switch {
	case e.ErrorCode == eventnames.UserNotFoundException:
		st, _ := ev.keys.get(string(e.ClientID))
		st.userNotFound++
	case e.ErrorCode == eventnames.NotAuthorizedException && e.Kind() == cognitomon.KindSignIn:
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

func (ev *blindEval) Findings(context.Context) ([]cognitomon.Finding, error) {
	out := ev.configured()
	ev.keys.each(func(key string, st *blindKey) {
		if ev.described[cognitomon.ClientID(key)] || st.userNotFound > 0 || st.notAuthorized < int64(ev.r.MinFailures) {
			return
		}
		subj := cognitomon.Subject{Client: cognitomon.ClientID(key)}
		out = append(out, cognitomon.Finding{
			Check:    ev.r.ID,
			Severity: ev.r.Severity,
			Summary:  fmt.Sprintf("%s: %d sign-in failures with NotAuthorizedException and none with UserNotFoundException: enumeration against this client is not visible", subj, st.notAuthorized),
			Window:   clipRange(pointWindow(st.first, st.last), ev.in.Scope.Range),
			Subject:  subj,
			Evidence: cognitomon.Evidence{
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
