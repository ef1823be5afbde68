package checks

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/text"
)

// metricWindow is the counts of one aligned window of a metric series.
type metricWindow struct {
	start time.Time
	c     cognitomon.Counts
}

// alignedStart returns the start of the epoch-aligned window of length w
// that holds t.
func alignedStart(t time.Time, w time.Duration) time.Time {
	return time.Unix(0, floorDivInt64(t.UnixNano(), int64(w))*int64(w)).UTC()
}

// windowCounts sums the periods of s that start in lim into aligned
// windows of length w, in time order.
func windowCounts(s cognitomon.Series, w time.Duration, lim cognitomon.TimeRange) []metricWindow {
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
func metricRuns(ws []metricWindow, w time.Duration, fire func(cognitomon.Counts) bool) [][]metricWindow {
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
func runRange(run []metricWindow, w time.Duration, lim cognitomon.TimeRange) cognitomon.TimeRange {
	return clipRange(cognitomon.TimeRange{Start: run[0].start, End: run[len(run)-1].start.Add(w)}, lim)
}

// metricEval is the evaluation of a check that reads no events.
type metricEval struct {
	fn    func() ([]cognitomon.Finding, []string)
	notes []string
}

func (m *metricEval) Add(cognitomon.Event) {}

func (m *metricEval) Findings(context.Context) ([]cognitomon.Finding, error) {
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
	Flows []cognitomon.Flow
	// MaxRate is the rate above which the rule fires, from 0 to 1.
	MaxRate float64
	// MinAttempts is the fewest attempts in a window for it to count.
	MinAttempts int64
	// Window is the window length, at least the metrics' period. Default
	// one hour.
	Window time.Duration
	// Severity of the findings.
	Severity cognitomon.Severity
	// HighRate, when positive, raises a finding whose peak rate reaches
	// it to SeverityHigh.
	HighRate float64
}

// Name returns r.ID.
func (r FailureRateRule) Name() string { return r.ID }

func (r FailureRateRule) window() time.Duration { return cmp.Or(r.Window, time.Hour) }

// Start begins an evaluation. It needs metrics.
func (r FailureRateRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.MaxRate > 0 && r.MaxRate < 1) || r.MinAttempts < 1 || r.Window < 0 || !r.Severity.Valid() || r.HighRate < 0 {
		return nil, fmt.Errorf("rule %s: rate must be between 0 and 1, minimum attempts at least 1, and the severity valid", r.ID)
	}
	if in.Stats == nil {
		return nil, missingInput("no metrics (MetricsClient.Stats)")
	}
	return &metricEval{fn: func() ([]cognitomon.Finding, []string) { return r.findings(in), nil }}, nil
}

func failureRateOf(c cognitomon.Counts) float64 {
	if c.Attempts == 0 {
		return 0
	}
	return float64(c.FailuresExcludingThrottles()) / float64(c.Attempts)
}

func (r FailureRateRule) findings(in *cognitomon.DetectInput) []cognitomon.Finding {
	var out []cognitomon.Finding
	for _, fs := range in.Stats.Flows {
		if len(r.Flows) > 0 && !slices.Contains(r.Flows, fs.Flow) {
			continue
		}
		var clients []cognitomon.Finding
		for _, cs := range fs.Clients {
			clients = append(clients, r.evaluate(in, fs.Flow, cs.Client, cs.Series)...)
		}
		for _, pf := range r.evaluate(in, fs.Flow, "", fs.Series) {
			if !slices.ContainsFunc(clients, func(f cognitomon.Finding) bool { return overlaps(f.Window, pf.Window) }) {
				out = append(out, pf)
			}
		}
		out = append(out, clients...)
	}
	return out
}

func overlaps(a, b cognitomon.TimeRange) bool { return a.Start.Before(b.End) && b.Start.Before(a.End) }

func (r FailureRateRule) evaluate(in *cognitomon.DetectInput, flow cognitomon.Flow, client cognitomon.ClientID, s cognitomon.Series) []cognitomon.Finding {
	w := r.window()
	fire := func(c cognitomon.Counts) bool { return c.Attempts >= r.MinAttempts && failureRateOf(c) > r.MaxRate }
	var out []cognitomon.Finding
	for _, run := range metricRuns(windowCounts(s, w, in.Scope.Range), w, fire) {
		var total cognitomon.Counts
		peak := 0.0
		for _, m := range run {
			total = total.Add(m.c)
			peak = max(peak, failureRateOf(m.c))
		}
		sev := r.Severity
		if r.HighRate > 0 && peak >= r.HighRate {
			sev = max(sev, cognitomon.SeverityHigh)
		}
		subj := cognitomon.Subject{Flow: flow, Client: client}
		who := "the pool"
		if client != "" {
			who = "client " + string(client)
		}
		out = append(out, cognitomon.Finding{
			Check:    r.ID,
			Severity: sev,
			Summary:  fmt.Sprintf("%s failure rate %s for %s in a %s window (threshold above %s with at least %d attempts)", flow, fmtPercent(peak), who, text.Duration(w), fmtPercent(r.MaxRate), r.MinAttempts),
			Window:   runRange(run, w, in.Scope.Range),
			Subject:  subj,
			Evidence: cognitomon.Evidence{
				Value:     peak,
				Threshold: r.MaxRate,
				Unit:      "failure rate (failures excluding throttles / attempts) per " + text.Duration(w),
				Notes:     []string{fmt.Sprintf("attempts %d, failures %d (throttles excluded), throttles %d", total.Attempts, total.FailuresExcludingThrottles(), total.Throttles)},
			},
			Advice: flowAdvice(flow, client),
		})
	}
	return out
}

// flowAdvice is the advice of a failure-rate finding.
func flowAdvice(flow cognitomon.Flow, client cognitomon.ClientID) string {
	var b strings.Builder
	switch {
	case client == cognitomon.InvalidClient:
		b.WriteString("These requests named an app client ID the pool does not have (ResourceNotFoundException): an app build or a script still using a deleted or mistyped client ID. ")
	case client == cognitomon.AdminClient:
		b.WriteString("These are admin-API requests (AdminCreateUser ...) made by your back end with IAM credentials: look at the back end's errors. ")
	}
	switch flow {
	case cognitomon.SignIn:
		b.WriteString("Sign-ins failing: look at their error codes and source addresses in CloudTrail (the brute-force, credential-stuffing and enumeration findings do). " +
			"NotAuthorizedException is a wrong user name or password, a locked-out user ('Password attempts exceeded'), or an unknown user where PreventUserExistenceErrors=ENABLED; " +
			"UserNotFoundException an unknown user (LEGACY); PasswordResetRequiredException and UserNotConfirmedException are users who must act first (FACTS.md 6.1). " +
			"A rise right after a release points at the app. Caution: whether an SRP or MFA challenge step counts as a failed sign-in in the metrics is not documented (FACTS.md 8.2 [X]); pools using SRP or MFA can show a higher rate without any problem.")
	case cognitomon.SignUp:
		b.WriteString("Sign-ups failing: UsernameExistsException (already registered), InvalidPasswordException (password policy), CodeDeliveryFailureException (the verification message could not be sent: check the SMS or email configuration), LimitExceededException (FACTS.md 6.1). Bots signing up show as many failures from few addresses.")
	case cognitomon.TokenRefresh:
		b.WriteString("Token refreshes failing: NotAuthorizedException means an expired, revoked or foreign refresh token; RefreshTokenReuseException a rotated token used again (FACTS.md 6.1, 6.2). Look for a release that broke token storage, a mass sign-out, or a change of the client's token validity.")
	case cognitomon.Federation:
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
	Flows []cognitomon.Flow
	// Threshold is the number of throttles in a window at which it fires.
	// At least 1.
	Threshold int64
	// Window is the window length. Default one hour.
	Window time.Duration
	// Severity of the findings.
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r ThrottleRule) Name() string { return r.ID }

// Start begins an evaluation. It needs metrics.
func (r ThrottleRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if r.Threshold < 1 || r.Window < 0 || !r.Severity.Valid() {
		return nil, fmt.Errorf("rule %s: threshold below 1 or invalid severity", r.ID)
	}
	if in.Stats == nil {
		return nil, missingInput("no metrics (MetricsClient.Stats)")
	}
	return &metricEval{fn: func() ([]cognitomon.Finding, []string) { return r.findings(in), nil }}, nil
}

func (r ThrottleRule) findings(in *cognitomon.DetectInput) []cognitomon.Finding {
	w := cmp.Or(r.Window, time.Hour)
	var out []cognitomon.Finding
	for _, fs := range in.Stats.Flows {
		if len(r.Flows) > 0 && !slices.Contains(r.Flows, fs.Flow) {
			continue
		}
		for _, run := range metricRuns(windowCounts(fs.Series, w, in.Scope.Range), w, func(c cognitomon.Counts) bool { return c.Throttles >= r.Threshold }) {
			span := runRange(run, w, in.Scope.Range)
			var peak, total int64
			for _, m := range run {
				peak = max(peak, m.c.Throttles)
				total += m.c.Throttles
			}
			var top []cognitomon.Counted[string]
			for _, cs := range fs.Clients {
				var n int64
				for t, c := range cs.Series.All() {
					if span.Contains(t) {
						n += c.Throttles
					}
				}
				if n > 0 {
					top = append(top, cognitomon.Counted[string]{Key: string(cs.Client), Count: n})
				}
			}
			sortCounted(top)
			out = append(out, cognitomon.Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%d %s requests throttled in a %s window (threshold %d)", peak, fs.Flow, text.Duration(w), r.Threshold),
				Window:   span,
				Subject:  cognitomon.Subject{Flow: fs.Flow},
				Evidence: cognitomon.Evidence{
					Value:     float64(peak),
					Threshold: float64(r.Threshold),
					Unit:      "throttled requests per " + text.Duration(w),
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
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r QuotaRule) Name() string { return r.ID }

// Start begins an evaluation. It needs quota usage.
func (r QuotaRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.Fraction > 0 && r.Fraction <= 1) || !r.Severity.Valid() {
		return nil, fmt.Errorf("rule %s: fraction must be above 0 and at most 1, and the severity valid", r.ID)
	}
	if in.Quota == nil {
		return nil, missingInput("no quota usage (MetricsClient.QuotaUsage)")
	}
	return &metricEval{fn: func() ([]cognitomon.Finding, []string) { return r.findings(in) }}, nil
}

func (r QuotaRule) findings(in *cognitomon.DetectInput) ([]cognitomon.Finding, []string) {
	quotas := r.Quotas
	if quotas == nil {
		quotas = cognitomon.DefaultQuotas()
	}
	q := in.Quota
	var out []cognitomon.Finding
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
				ws = append(ws, metricWindow{start: t, c: cognitomon.Counts{Attempts: int64(math.Round(calls))}})
			}
		}
		rate := func(c cognitomon.Counts) float64 { return float64(c.Attempts) / q.Period.Seconds() }
		for _, run := range metricRuns(ws, q.Period, func(c cognitomon.Counts) bool { return rate(c) >= limit }) {
			peak := 0.0
			for _, m := range run {
				peak = max(peak, rate(m.c))
			}
			out = append(out, cognitomon.Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%s calls reached %s requests/s, %s of the %s requests/s quota (threshold %s)", cu.Category, fmtRate(peak), fmtPercent(peak/quota), fmtNumber(quota), fmtPercent(r.Fraction)),
				Window:   runRange(run, q.Period, in.Scope.Range),
				Subject:  cognitomon.Subject{Category: cu.Category},
				Evidence: cognitomon.Evidence{
					Value:     peak,
					Threshold: limit,
					Unit:      "requests per second, averaged over " + text.Duration(q.Period),
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
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r QuotaThrottleRule) Name() string { return r.ID }

// Start begins an evaluation. It needs quota usage.
func (r QuotaThrottleRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if !(r.Threshold > 0) || r.Window < 0 || !r.Severity.Valid() {
		return nil, fmt.Errorf("rule %s: threshold must be above 0 and the severity valid", r.ID)
	}
	if in.Quota == nil {
		return nil, missingInput("no quota usage (MetricsClient.QuotaUsage)")
	}
	return &metricEval{fn: func() ([]cognitomon.Finding, []string) { return r.findings(in), nil }}, nil
}

func (r QuotaThrottleRule) findings(in *cognitomon.DetectInput) []cognitomon.Finding {
	w := cmp.Or(r.Window, time.Hour)
	q := in.Quota
	var out []cognitomon.Finding
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
		for _, run := range metricRuns(ws, w, func(c cognitomon.Counts) bool { return float64(c.Throttles) >= r.Threshold }) {
			var peak int64
			for _, m := range run {
				peak = max(peak, m.c.Throttles)
			}
			out = append(out, cognitomon.Finding{
				Check:    r.ID,
				Severity: r.Severity,
				Summary:  fmt.Sprintf("%d %s calls throttled account-wide in a %s window (threshold %s)", peak, cu.Category, text.Duration(w), fmtNumber(r.Threshold)),
				Window:   runRange(run, w, in.Scope.Range),
				Subject:  cognitomon.Subject{Category: cu.Category},
				Evidence: cognitomon.Evidence{Value: float64(peak), Threshold: r.Threshold, Unit: "throttled calls per " + text.Duration(w)},
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
	Severity cognitomon.Severity
	// Advice is the findings' Advice.
	Advice string
}

// Name returns r.ID.
func (r TrailGapRule) Name() string { return r.ID }

// Start begins an evaluation. It needs metrics and events.
func (r TrailGapRule) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if err := text.CheckName(r.ID); err != nil {
		return nil, err
	}
	if r.MinAttempts < 1 || !(r.MinRatio > 0) || r.Window < 0 || r.Settle < 0 || !r.Severity.Valid() {
		return nil, fmt.Errorf("rule %s: minimum attempts below 1, ratio not above 0, or invalid severity", r.ID)
	}
	switch {
	case in.Stats == nil:
		return nil, missingInput("no metrics (MetricsClient.Stats) to compare the trail with")
	case in.Events == nil:
		return nil, missingInput("no CloudTrail events to compare with the metrics")
	}
	ev := &gapEval{r: r, in: in, w: cmp.Or(r.Window, time.Hour), flows: map[cognitomon.Flow]bool{}, counts: map[int64]int64{}}
	for _, fs := range in.Stats.Flows {
		ev.flows[fs.Flow] = true
	}
	return ev, nil
}

type gapEval struct {
	r      TrailGapRule
	in     *cognitomon.DetectInput
	w      time.Duration
	flows  map[cognitomon.Flow]bool
	counts map[int64]int64 // trail events per window index; Detect keeps events in the range, so this is bounded by its windows
}

func (ev *gapEval) Add(e cognitomon.Event) {
	if f, ok := e.Kind().Flow(); ok && ev.flows[f] {
		ev.counts[floorDivInt64(e.Time.UnixNano(), int64(ev.w))]++
	}
}

func (ev *gapEval) Findings(context.Context) ([]cognitomon.Finding, error) {
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
		ws = append(ws, metricWindow{start: s, c: cognitomon.Counts{Attempts: attempts[s], Successes: ev.counts[floorDivInt64(s.UnixNano(), int64(w))]}})
	}
	ratio := func(c cognitomon.Counts) float64 { return float64(c.Successes) / float64(c.Attempts) }
	var out []cognitomon.Finding
	for _, run := range metricRuns(ws, w, func(c cognitomon.Counts) bool { return c.Attempts >= r.MinAttempts && ratio(c) < r.MinRatio }) {
		var metric, trail int64
		low := math.Inf(1)
		for _, m := range run {
			metric += m.c.Attempts
			trail += m.c.Successes
			low = min(low, ratio(m.c))
		}
		out = append(out, cognitomon.Finding{
			Check:    r.ID,
			Severity: r.Severity,
			Summary:  fmt.Sprintf("CloudTrail has %d events where the metrics counted %d attempts (ratio %s, threshold %s): the trail is missing or broken", trail, metric, fmtRate(low), fmtRate(r.MinRatio)),
			Window:   runRange(run, w, in.Scope.Range),
			Subject:  cognitomon.Subject{UserPool: in.Scope.UserPool},
			Evidence: cognitomon.Evidence{
				Value:     low,
				Threshold: r.MinRatio,
				Unit:      "CloudTrail events per metric attempt, per " + text.Duration(w),
				Notes:     []string{fmt.Sprintf("metrics: %d attempts; CloudTrail: %d sign-in, MFA, refresh, sign-up and federation events", metric, trail)},
			},
			Advice: r.Advice,
		})
	}
	return out, nil
}
