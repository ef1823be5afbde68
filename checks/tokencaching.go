package checks

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// DefaultAccessTokenLifetime is an access token's validity when the app
// client's configuration was not read: 1 hour, Cognito's default
// (FACTS.md 6.2).
const DefaultAccessTokenLifetime = time.Hour

// TokenCachingRule finds machine clients that request far more
// client_credentials tokens than their access-token lifetime needs: a
// client that caches its token needs one per lifetime and instance, so a
// client with lifetime L that reaches PerLifetime×(Window/L) requests in a
// sliding Window does not cache. The threshold of each client follows its
// own lifetime: Lifetimes where the pool's configuration was read
// (AppClient.AccessTokenValidity), DefaultAccessTokenLifetime otherwise.
// Each finding's notes say which lifetime applied and where it came from.
//
// It counts as EventRules with Key KeyClient and Top KeySourceIP do, one
// per configured client and one for the rest. The zero value is not a
// valid rule.
type TokenCachingRule struct {
	// ID names the rule; Name returns it.
	ID string
	// Description says what the rule catches, for documentation.
	Description string
	// Events selects the token requests counted (client_credentials
	// requests in the built-in rule).
	Events EventMatch
	// Lifetimes are the access-token lifetimes of the clients whose
	// configuration was read. Each must be at least a second.
	Lifetimes map[cognitomon.ClientID]time.Duration
	// PerLifetime is how many tokens per lifetime count as not caching:
	// about as many instances as the client may run. At least 1.
	PerLifetime float64
	// Window is the sliding window, at least a second and a multiple of
	// ten nanoseconds.
	Window time.Duration
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r TokenCachingRule) Name() string { return r.ID }

// Validate reports what is wrong with the rule, if anything.
func (r TokenCachingRule) Validate() error {
	if err := text.CheckName(r.ID); err != nil {
		return err
	}
	if r.PerLifetime < 1 || math.IsNaN(r.PerLifetime) || math.IsInf(r.PerLifetime, 0) {
		return fmt.Errorf("rule %s: tokens per lifetime %v is less than 1", r.ID, r.PerLifetime)
	}
	for c, l := range r.Lifetimes {
		if l < time.Second {
			return fmt.Errorf("rule %s: client %s: access-token lifetime %s is shorter than a second", r.ID, c, l)
		}
	}
	_, err := r.rules()
	return err
}

// part is one EventRule of the rule, with the lifetime it applies.
type part struct {
	rule     EventRule
	lifetime time.Duration
	from     string
}

func (r TokenCachingRule) rules() ([]part, error) {
	threshold := func(l time.Duration) int {
		return int(math.Ceil(r.PerLifetime * float64(r.Window) / float64(l)))
	}
	mk := func(ev EventMatch, l time.Duration) EventRule {
		return EventRule{ID: r.ID, Description: r.Description, Unit: "client_credentials token requests", Events: ev,
			Key: KeyClient, Top: KeySourceIP, Threshold: max(threshold(l), 1), Window: r.Window, Sliding: true, Severity: r.Severity, Advice: r.Advice}
	}
	var out []part
	for _, c := range slices.Sorted(maps.Keys(r.Lifetimes)) {
		ev := r.Events
		ev.Filter.ClientIDs = []cognitomon.ClientID{c}
		if len(r.Events.Filter.ClientIDs) > 0 && !slices.Contains(r.Events.Filter.ClientIDs, c) {
			continue
		}
		out = append(out, part{rule: mk(ev, r.Lifetimes[c]), lifetime: r.Lifetimes[c], from: "the client's configuration"})
	}
	rest := r.Events
	inner := rest.Func
	rest.Func = func(e cognitomon.Event) bool {
		_, ok := r.Lifetimes[e.ClientID]
		return !ok && (inner == nil || inner(e))
	}
	out = append(out, part{rule: mk(rest, DefaultAccessTokenLifetime), lifetime: DefaultAccessTokenLifetime, from: "Cognito's default, FACTS.md 6.2; the client's configuration was not read"})
	for _, p := range out {
		if err := p.rule.Validate(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Start begins an evaluation. It needs events.
func (r TokenCachingRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	parts, _ := r.rules()
	ev := &cachingEval{}
	for _, p := range parts {
		e, err := p.rule.Start(in)
		if err != nil {
			return nil, err
		}
		ev.evals = append(ev.evals, e)
		ev.parts = append(ev.parts, p)
	}
	return ev, nil
}

type cachingEval struct {
	parts []part
	evals []cognitomon.Evaluation
}

func (ev *cachingEval) Add(e cognitomon.Event) {
	for _, x := range ev.evals {
		x.Add(e)
	}
}

func (ev *cachingEval) Findings(ctx context.Context) ([]cognitomon.Finding, error) {
	var out []cognitomon.Finding
	var errs []error
	for i, x := range ev.evals {
		fs, err := x.Findings(ctx)
		errs = append(errs, err)
		p := ev.parts[i]
		for _, f := range fs {
			f.Evidence.Notes = append(f.Evidence.Notes, fmt.Sprintf("access-token lifetime %s (%s): a client that caches needs about one token per instance every %s",
				text.Duration(p.lifetime), p.from, text.Duration(p.lifetime)))
			out = append(out, f)
		}
	}
	return out, errors.Join(errs...)
}

// Notes returns the parts' notes.
func (ev *cachingEval) Notes() []string {
	var out []string
	for _, x := range ev.evals {
		if n, ok := x.(interface{ Notes() []string }); ok {
			out = append(out, n.Notes()...)
		}
	}
	return out
}
