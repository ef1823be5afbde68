package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cognitomon/cognitomon"
)

type reportOptions struct {
	eventOptions
	failOn   string
	baseline string
}

func runReport(ctx context.Context, e *env, args []string) int {
	var o reportOptions
	fs := newFlagSet("report", "report --user-pool ID [--since 24h | --start T --end T] [--trail-files DIR] [--format text|json] [--fail-on high]", e)
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.rangeFlags(fs, 24*time.Hour)
	o.formatFlag(fs)
	fs.StringVar(&o.trailFiles, "trail-files", "", "read CloudTrail log files (a file or a directory tree) instead of LookupEvents; metrics are then omitted")
	fs.StringVar(&o.baseline, "baseline", "", "a baseline file (cognitomon.SaveBaseline) for the checks that compare with normal")
	fs.StringVar(&o.failOn, "fail-on", "high", "exit 1 when a finding of this severity or above exists (info, low, medium, high, critical; none to never)")
	o.lookupFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.inherit(e)
	o.rangeSet = flagsSet(fs, "since", "start", "end")
	if err := o.validateFormat(); err != nil {
		return fail(e, "report", err)
	}
	threshold, err := parseFailOn(o.failOn)
	if err != nil {
		return fail(e, "report", err)
	}
	rep, err := o.report(ctx, e)
	if rep == nil {
		return fail(e, "report", err)
	}
	if o.format == "json" {
		if werr := writeJSON(e.stdout, rep); werr != nil {
			return fail(e, "report", werr)
		}
	} else {
		printReport(e.stdout, rep)
	}
	switch {
	case err != nil: // partial: the report says so; the status says why
		return fail(e, "report", err)
	case rep.worst(threshold):
		return exitFindings
	}
	return exitOK
}

// report gathers the report. It returns a partial report with the error
// that cut it short, or nil and the error when nothing could be gathered.
func (o *reportOptions) report(ctx context.Context, e *env) (*reportJSON, error) {
	pool, f, sc, ct, cw, err := o.source(ctx, e)
	if err != nil {
		return nil, err
	}
	r := f.Range
	if r.Start.IsZero() {
		r, _ = o.timeRange()
	}
	rep := &reportJSON{Schema: "cognitomon.report/v1", UserPool: string(pool), Range: toJSONRange(r), Findings: []jsonFinding{}}
	if o.trailFiles != "" {
		rep.Range = jsonRange{}
		rep.MetricsOmitted = "read from CloudTrail log files: CloudWatch metrics are not read"
		rep.Source = "files: " + o.trailFiles
	} else {
		rep.Source = "aws"
		mc := cognitomon.NewMetricsClient(cw)
		clients, err := o.clientIDs()
		if err != nil {
			return nil, err
		}
		st, err := mc.Stats(ctx, cognitomon.StatsInput{UserPool: pool, Range: r, Clients: clients})
		if err != nil {
			return nil, fmt.Errorf("reading the pool's metrics: %w", err)
		}
		rep.Metrics = toJSONMetrics(st)
		rep.Notes = append(rep.Notes, st.Warnings...)
		if qu, err := mc.QuotaUsage(ctx, r); err == nil {
			rep.Metrics.Quota = toJSONQuota(qu)
			rep.quota = qu
		} else if ctx.Err() == nil {
			rep.Notes = append(rep.Notes, "quota usage (AWS/Usage) not read: "+oneLine(err))
		}
		rep.stats = st
	}

	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now()}
	an := newAnalyses()
	// One pass over the events feeds the analyses and every detection.
	var cut error
	events := func(yield func(cognitomon.Event, error) bool) {
		for ev, err := range eventSource(ctx, &o.eventOptions, f, sc, ct, prog, true) {
			if err != nil {
				if isRecordError(ctx, err) {
					rep.Notes = append(rep.Notes, "skipped an unreadable record: "+oneLine(err))
					rep.UnreadableRecords++
					continue
				}
				cut = err
				return
			}
			an.add(ev)
			if !yield(ev, nil) {
				return
			}
		}
	}
	in := cognitomon.DetectInput{UserPool: pool, Range: r, Events: events, Stats: rep.stats, Quota: rep.quota}
	if o.baseline != "" {
		b, err := cognitomon.LoadBaseline(o.baseline)
		if err != nil {
			return nil, usageError{fmt.Errorf("--baseline: %w", err)}
		}
		in.Baseline = b
	}
	det, err := cognitomon.Detect(ctx, in, cognitomon.Builtins(func(b *cognitomon.BuiltinOptions) { b.Clock = o.now })...)
	prog.done()
	if err != nil && cut == nil {
		cut = err
	}
	if cut != nil {
		rep.Partial = true
		rep.Notes = append(rep.Notes, "the CloudTrail summaries and findings cover only the events read before: "+oneLine(cut))
	}
	rep.Trail = an.summary()
	if det != nil {
		for _, fd := range det.Findings {
			rep.Findings = append(rep.Findings, toJSONFinding(fd))
		}
		for _, sk := range det.Skipped {
			rep.Notes = append(rep.Notes, fmt.Sprintf("check %s not evaluated: %s", sk.Check, sk.Reason))
		}
		rep.Notes = append(rep.Notes, det.Notes...)
	}
	return rep, cut
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// analyses are the CloudTrail analyses of a report, fed in one pass.
type analyses struct {
	failures    *cognitomon.FailureAnalyzer
	enumeration *cognitomon.EnumerationAnalyzer
	resets      *cognitomon.PasswordResetAnalyzer
	mfa         *cognitomon.MFAAnalyzer
	refresh     *cognitomon.RefreshAnalyzer
	m2m         *cognitomon.M2MAnalyzer
	admin       *cognitomon.AdminChangeAnalyzer
	traffic     *cognitomon.TrafficAnalyzer
	extra       []cognitomon.Analyzer // the detections' own
	events      int64
}

func newAnalyses() *analyses {
	return &analyses{
		failures: cognitomon.NewFailureAnalyzer(), enumeration: cognitomon.NewEnumerationAnalyzer(),
		resets: cognitomon.NewPasswordResetAnalyzer(), mfa: cognitomon.NewMFAAnalyzer(),
		refresh: cognitomon.NewRefreshAnalyzer(time.Hour), m2m: cognitomon.NewM2MAnalyzer(),
		admin: cognitomon.NewAdminChangeAnalyzer(), traffic: cognitomon.NewTrafficAnalyzer(),
	}
}

func (a *analyses) add(ev cognitomon.Event) {
	a.events++
	for _, x := range []cognitomon.Analyzer{a.failures, a.enumeration, a.resets, a.mfa, a.refresh, a.m2m, a.admin, a.traffic} {
		x.Add(ev)
	}
	for _, x := range a.extra {
		x.Add(ev)
	}
}

// reportJSON is `report --format json`: schema cognitomon.report/v1,
// documented in docs/json-output.md.
type reportJSON struct {
	Schema            string        `json:"schema"`
	UserPool          string        `json:"userPool,omitempty"`
	Range             jsonRange     `json:"range"`
	Source            string        `json:"source"`
	Partial           bool          `json:"partial"`
	UnreadableRecords int           `json:"unreadableRecords"`
	Notes             []string      `json:"notes"`
	Metrics           *jsonMetrics  `json:"metrics"`
	MetricsOmitted    string        `json:"metricsOmitted,omitempty"`
	Trail             *jsonTrail    `json:"trail"`
	Findings          []jsonFinding `json:"findings"`

	stats *cognitomon.Stats
	quota *cognitomon.QuotaUsage
}

type jsonCounts struct {
	Attempts    int64   `json:"attempts"`
	Successes   int64   `json:"successes"`
	Failures    int64   `json:"failures"`
	Throttles   int64   `json:"throttles"`
	FailureRate float64 `json:"failureRate"`
}

func toJSONCounts(c cognitomon.Counts) jsonCounts {
	return jsonCounts{c.Attempts, c.Successes, c.Failures(), c.Throttles, c.FailureRate()}
}

type jsonFlow struct {
	Flow string `json:"flow"`
	jsonCounts
	Clients   map[string]jsonCounts `json:"clients"`
	Providers map[string]jsonCounts `json:"providers,omitempty"`
}

type jsonMetrics struct {
	Range  jsonRange        `json:"range"`
	Period string           `json:"period"`
	Flows  []jsonFlow       `json:"flows"`
	Usage  cognitomon.Usage `json:"usage"`
	Quota  []jsonQuota      `json:"quota,omitempty"`
}

type jsonQuota struct {
	Category      string  `json:"category"`
	Calls         float64 `json:"calls"`
	Throttles     float64 `json:"throttles"`
	PeakPerSecond float64 `json:"peakPerSecond"`
}

func toJSONMetrics(st *cognitomon.Stats) *jsonMetrics {
	m := &jsonMetrics{Range: toJSONRange(st.Range), Period: st.Period.String(), Usage: st.Usage}
	for _, fs := range st.Flows {
		jf := jsonFlow{Flow: fs.Flow.String(), jsonCounts: toJSONCounts(fs.Counts), Clients: map[string]jsonCounts{}}
		for _, c := range fs.Clients {
			jf.Clients[string(c.Client)] = toJSONCounts(c.Counts)
		}
		for _, p := range fs.Providers {
			if jf.Providers == nil {
				jf.Providers = map[string]jsonCounts{}
			}
			jf.Providers[p.Provider] = toJSONCounts(p.Counts)
		}
		m.Flows = append(m.Flows, jf)
	}
	return m
}

func toJSONQuota(qu *cognitomon.QuotaUsage) []jsonQuota {
	var out []jsonQuota
	for _, c := range qu.Categories {
		out = append(out, jsonQuota{Category: c.Category, Calls: c.Calls.Total(), Throttles: c.Throttles.Total(), PeakPerSecond: c.PeakPerSecond(qu.Period)})
	}
	return out
}

type jsonRank struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
	// Error bounds an estimated count: the true count is in [count-error, count].
	Error int64 `json:"error,omitempty"`
}

func ranks[K comparable](l cognitomon.TopList[K], n int, key func(K) string) []jsonRank {
	out := []jsonRank{}
	for _, it := range l.Items[:min(n, len(l.Items))] {
		out = append(out, jsonRank{Key: key(it.Key), Count: it.Count, Error: it.Error})
	}
	return out
}

type jsonTrail struct {
	Events       int64                 `json:"events"`
	ByKind       map[string]jsonCounts `json:"byKind"`
	Failures     int64                 `json:"failures"`
	ByReasonIP   []jsonRank            `json:"failuresByReasonAndIp"`
	TopIPs       []jsonRank            `json:"topFailingIps"`
	UserNotFound int64                 `json:"userNotFound"`
	Enumeration  []jsonRank            `json:"userNotFoundByIp"`
	Resets       jsonCounts            `json:"passwordResets"`
	ResetIPs     []jsonRank            `json:"passwordResetsByIp"`
	MFAFailures  int64                 `json:"mfaFailures"`
	MFAIPs       []jsonRank            `json:"mfaFailuresByIp"`
	Refresh      []jsonBucket          `json:"refreshFailuresPerHour"`
	Machines     []jsonMachine         `json:"machineClients"`
	AdminChanges []jsonEvent           `json:"adminChanges"`
}

type jsonBucket struct {
	Start     time.Time `json:"start"`
	Refreshes int64     `json:"refreshes"`
	Failures  int64     `json:"failures"`
}

type jsonMachine struct {
	ClientID  string     `json:"clientId"`
	Requests  int64      `json:"requests"`
	Failures  int64      `json:"failures"`
	PerHour   float64    `json:"perHour"`
	SourceIPs []jsonRank `json:"sourceIps"`
}

func (a *analyses) summary() *jsonTrail {
	fs, es, rs, ms := a.failures.Summary(), a.enumeration.Summary(), a.resets.Summary(), a.mfa.Summary()
	t := &jsonTrail{Events: a.events, ByKind: map[string]jsonCounts{}, Failures: fs.Failures, UserNotFound: es.UserNotFound,
		Resets: toJSONCounts(rs.Counts), MFAFailures: ms.Counts.Failures(), Refresh: []jsonBucket{}, Machines: []jsonMachine{}, AdminChanges: []jsonEvent{}}
	for k, c := range a.traffic.Summary().ByKind {
		t.ByKind[k.String()] = toJSONCounts(c)
	}
	str := func(s string) string { return s }
	t.ByReasonIP = ranks(fs.ByReasonAndIP, 10, func(k cognitomon.ReasonIP) string { return k.Reason + " " + k.SourceIP })
	t.TopIPs = ranks(fs.BySourceIP, 10, str)
	t.Enumeration = ranks(es.BySourceIP, 10, str)
	t.ResetIPs = ranks(rs.BySourceIP, 10, str)
	t.MFAIPs = ranks(ms.BySourceIP, 10, str)
	for _, b := range a.refresh.Summary().Buckets {
		if tot := b.Total(); tot.Failures() > 0 {
			t.Refresh = append(t.Refresh, jsonBucket{b.Start.UTC(), tot.Attempts, tot.Failures()})
		}
	}
	for _, c := range a.m2m.Summary().Clients {
		t.Machines = append(t.Machines, jsonMachine{ClientID: string(c.ClientID), Requests: c.Counts.Attempts, Failures: c.Counts.Failures(), PerHour: c.PerHour, SourceIPs: ranks(c.SourceIPs, 5, str)})
	}
	for _, ev := range a.admin.Summary().Changes {
		t.AdminChanges = append(t.AdminChanges, toJSONEvent(ev))
	}
	return t
}

func printReport(w io.Writer, rep *reportJSON) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer func() { tw.Flush() }() // the last writer, not this one
	// Each table aligns on its own.
	next := func() {
		tw.Flush()
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	}
	title := "all pools in the files"
	if rep.UserPool != "" {
		title = "user pool " + rep.UserPool
	}
	if rep.Range.Start.IsZero() {
		fmt.Fprintf(tw, "cognitomon report: %s, %s\n", title, rep.Source)
	} else {
		fmt.Fprintf(tw, "cognitomon report: %s, %s to %s\n", title, rep.Range.Start.Format(time.RFC3339), rep.Range.End.Format(time.RFC3339))
	}
	if rep.Partial {
		fmt.Fprintln(tw, "PARTIAL: the report covers only part of the range (see the notes)")
	}

	fmt.Fprintln(tw, "\nFindings")
	if len(rep.Findings) == 0 {
		fmt.Fprintln(tw, "  none")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.ToUpper(f.Severity), f.Rule, f.Summary)
	}

	next()
	if rep.Metrics == nil {
		fmt.Fprintf(tw, "\nMetrics: omitted (%s)\n", rep.MetricsOmitted)
	} else {
		fmt.Fprintf(tw, "\nMetrics (AWS/Cognito, %s periods; failures = SampleCount - Sum)\n", rep.Metrics.Period)
		fmt.Fprintln(tw, "  flow\tattempts\tfailures\tthrottles\tfailure rate\t")
		for _, f := range rep.Metrics.Flows {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%.1f%%\t\n", f.Flow, f.Attempts, f.Failures, f.Throttles, 100*f.FailureRate)
		}
		for _, f := range rep.Metrics.Flows {
			if len(f.Clients) == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %s per client\t\t\t\t\t\n", f.Flow)
			for _, id := range sortedKeys(f.Clients) {
				c := f.Clients[id]
				fmt.Fprintf(tw, "    %s\t%d\t%d\t%d\t%.1f%%\t\n", id, c.Attempts, c.Failures, c.Throttles, 100*c.FailureRate)
			}
		}
		if len(rep.Metrics.Quota) > 0 {
			next()
			fmt.Fprintln(tw, "  rate-limit category (account)\tcalls\tthrottles\tpeak calls/s\t\t")
			for _, q := range rep.Metrics.Quota {
				fmt.Fprintf(tw, "  %s\t%.0f\t%.0f\t%.2f\t\t\n", q.Category, q.Calls, q.Throttles, q.PeakPerSecond)
			}
		}
	}

	t := rep.Trail
	next()
	fmt.Fprintf(tw, "\nCloudTrail (%d events)\n", t.Events)
	fmt.Fprintln(tw, "  kind\tattempts\tfailures\tthrottled\t")
	for _, k := range sortedKeys(t.ByKind) {
		c := t.ByKind[k]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t\n", k, c.Attempts, c.Failures, c.Throttles)
	}
	next()
	printRanks(tw, "Failures by reason and source IP", t.ByReasonIP, 5)
	printRanks(tw, "Top failing source IPs", t.TopIPs, 5)
	printRanks(tw, fmt.Sprintf("UserNotFoundException by source IP (%d in all)", t.UserNotFound), t.Enumeration, 5)
	printRanks(tw, fmt.Sprintf("Password resets by source IP (%d requests, %d failed)", t.Resets.Attempts, t.Resets.Failures), t.ResetIPs, 5)
	printRanks(tw, fmt.Sprintf("MFA failures by source IP (%d in all)", t.MFAFailures), t.MFAIPs, 5)
	next()
	if len(t.Refresh) > 0 {
		fmt.Fprintln(tw, "  Token-refresh failures per hour")
		for _, b := range t.Refresh {
			fmt.Fprintf(tw, "    %s\t%d of %d\t\n", b.Start.Format("2006-01-02 15:04"), b.Failures, b.Refreshes)
		}
	}
	next()
	if len(t.Machines) > 0 {
		fmt.Fprintln(tw, "  Machine-to-machine clients (client_credentials)\trequests\tfailures\tper hour\t")
		for _, m := range t.Machines {
			fmt.Fprintf(tw, "    %s\t%d\t%d\t%.0f\t\n", m.ClientID, m.Requests, m.Failures, m.PerHour)
		}
	}
	next()
	if len(t.AdminChanges) > 0 {
		fmt.Fprintln(tw, "  Admin changes")
		for _, c := range t.AdminChanges {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t\n", c.Time.Format(time.RFC3339), c.Name, c.CallerARN, c.SourceIP)
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintln(tw, "\nNotes")
		for _, n := range rep.Notes {
			fmt.Fprintf(tw, "  - %s\n", n)
		}
	}
}

func printRanks(tw io.Writer, title string, rs []jsonRank, n int) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(tw, "  %s\n", title)
	for _, r := range rs[:min(n, len(rs))] {
		c := fmt.Sprint(r.Count)
		if r.Error > 0 {
			c = fmt.Sprintf("%d (±%d)", r.Count, r.Error)
		}
		fmt.Fprintf(tw, "    %s\t%s\t\n", r.Key, c)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
