package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/htmlreport"
)

// The HTML report's limits: the most points a time chart draws per series
// (longer series are summed into wider buckets, totals unchanged), and the
// most clients a per-client chart draws (the table under it lists all).
const (
	htmlMaxPoints = 96
	htmlMaxLines  = 8
)

// writeHTML writes `report --format html`: one self-contained page drawn
// from the same values as printReport and the JSON (rep), plus the time
// series behind them (rep.series).
func writeHTML(w io.Writer, rep *reportJSON) error {
	return htmlreport.Render(w, toHTMLReport(rep))
}

// toHTMLReport maps the report into the page's model.
func toHTMLReport(rep *reportJSON) htmlreport.Report {
	title := "all pools in the files"
	if rep.UserPool != "" {
		title = "user pool " + rep.UserPool
	}
	sub := "source: " + rep.Source
	if !rep.Range.Start.IsZero() {
		sub = rep.Range.Start.Format(time.RFC3339) + " to " + rep.Range.End.Format(time.RFC3339) + ", " + sub
	}
	r := htmlreport.Report{Title: "cognitomon report: " + title, Subtitle: sub, Coverage: htmlCoverage(rep)}
	for _, f := range rep.Findings {
		ev := append([]string{"window " + f.Window.Start.Format(time.RFC3339) + " to " + f.Window.End.Format(time.RFC3339)}, f.Evidence...)
		r.Findings = append(r.Findings, htmlreport.Finding{Severity: htmlreport.Severity(f.Severity), Title: f.Rule, Summary: f.Summary, Subject: f.Subject, Evidence: ev, Advice: f.Advice})
	}
	// The charts people look for first, then the detail per client.
	head, perClient := timeSections(rep)
	r.Sections = append(r.Sections, head...)
	if t := rep.Trail; t != nil {
		r.Sections = append(r.Sections, addressesSection(t), machineClientsSection(rep))
	}
	r.Sections = append(r.Sections, perClient)
	if rep.Trail != nil {
		r.Sections = append(r.Sections, trailSection(rep))
	}
	if len(rep.Notes) > 0 {
		r.Sections = append(r.Sections, htmlreport.Section{Title: "Notes", Items: rep.Notes})
	}
	return r
}

// htmlCoverage is the text output's Coverage block (printCoverage), line
// for line, with the gaps as warnings.
func htmlCoverage(rep *reportJSON) htmlreport.Coverage {
	c := rep.Coverage
	cov := htmlreport.Coverage{State: "complete"}
	if !c.Complete {
		cov.State = "INCOMPLETE: the result could not see all of it"
	}
	if rep.Partial {
		cov.Warnings = append(cov.Warnings, "PARTIAL: reading stopped early; the report covers only what was read")
	}
	for _, g := range c.Gaps {
		cov.Warnings = append(cov.Warnings, "GAP: "+g)
	}
	line := func(label, format string, args ...any) {
		cov.Lines = append(cov.Lines, htmlreport.Line{Label: label, Value: fmt.Sprintf(format, args...)})
	}
	if c.Requested != nil {
		line("range asked", "%s to %s", c.Requested.Start.Format(time.RFC3339), c.Requested.End.Format(time.RFC3339))
	} else {
		line("range asked", "none: the events' own span")
	}
	if c.Seen != nil {
		line("events seen", "%s to %s", c.Seen.Start.Format(time.RFC3339), c.Seen.End.Format(time.RFC3339))
	} else {
		line("events seen", "none")
	}
	ev := c.Events
	line("events", "%d read, %d in scope, %d outside the range, %d of other pools, %d of other Regions, %d unattributed, %d unreadable",
		ev.Read, ev.InScope, ev.OutsideRange, ev.OtherPools, ev.OtherRegions, ev.Unattributed, ev.UnreadableRecords)
	if ev.NoSuchClient > 0 {
		line("no such client", "%d events named an app client that does not exist (ResourceNotFoundException): no pool's", ev.NoSuchClient)
	}
	if f := c.Files; f != nil {
		line("log files", "%d read (%d unreadable), %d records, %d of other services", f.Files, f.Unreadable, f.Records, f.OtherServices)
	}
	if len(c.UnattributedClients) > 0 {
		var parts []string
		for _, u := range c.UnattributedClients {
			parts = append(parts, fmt.Sprintf("%s (%d)", cmpOr(u.Key, "no client"), u.Count))
		}
		line("unattributed", "app clients %s: pass --clients to attribute them", strings.Join(parts, ", "))
	}
	if len(c.Pools) > 1 {
		var parts []string
		for _, p := range sortedKeys(c.Pools) {
			parts = append(parts, fmt.Sprintf("%s (%d)", cmpOr(p, "no pool named"), c.Pools[p]))
		}
		line("pools", "%s", strings.Join(parts, ", "))
	}
	for _, s := range c.Sources {
		v := s.Name + ": " + s.Status
		if s.Reason != "" {
			v += " (" + s.Reason + ")"
		}
		line("source", "%s", v)
	}
	for _, s := range c.Skipped {
		line("not evaluated", "%s: %s", s.Check, s.Reason)
	}
	for _, n := range c.Notes {
		line("note", "%s", n)
	}
	if rep.Metrics == nil && rep.MetricsOmitted != "" {
		line("metrics", "omitted (%s)", rep.MetricsOmitted)
	}
	return cov
}

// namedCounts is one series of a chart: its legend name and its counts.
type namedCounts struct {
	name string
	tc   timeCounts
}

// timeSections are the failure rate per flow and the throttles (head),
// and the failure rate per client with the per-client table: from the
// metrics when they were read, else from the events.
func timeSections(rep *reportJSON) (head []htmlreport.Section, perClient htmlreport.Section) {
	if st := rep.series.stats; st != nil && rep.Metrics != nil {
		return metricsSections(rep, st)
	}
	return eventSections(rep)
}

func metricsSections(rep *reportJSON, st *cognitomon.Stats) ([]htmlreport.Section, htmlreport.Section) {
	w := displayWidth(st.Period, st.Range.End.Sub(st.Range.Start), htmlMaxPoints)
	var flows []namedCounts
	clients := map[string][]namedCounts{}
	for _, fs := range st.Flows {
		flows = append(flows, namedCounts{fs.Flow.String(), fromSeries(fs.Series).rebucket(w)})
		for _, c := range fs.Clients {
			clients[fs.Flow.String()] = append(clients[fs.Flow.String()], namedCounts{rep.clientLabel(string(c.Client)), fromSeries(c.Series).rebucket(w)})
		}
	}
	fail := htmlreport.Section{
		Title: "Failure rate over time",
		Note: fmt.Sprintf("From CloudWatch's AWS/Cognito metrics, periods of %s summed into buckets of %s: failures are SampleCount − Sum of the flow's *Successes metric, throttled requests included (FACTS.md 1.1). "+
			"A sign-in step that returns a challenge may also count as a failure there (FACTS.md 1.1 and 8, item 2). A bucket without attempts has no rate and no point.", spell(st.Period), spell(w)),
	}
	flowChart, clientCharts, items := rateCharts(flows, clients)
	fail.Charts = []htmlreport.Chart{flowChart}
	tbl := htmlreport.Table{Title: "Per flow and client (the report's metrics figures)", Columns: []string{"flow", "client", "attempts", "failures", "throttles", "failure rate"}}
	for _, f := range rep.Metrics.Flows {
		tbl.Rows = append(tbl.Rows, countsRow(f.Flow, "all clients", f.jsonCounts))
		for _, id := range sortedKeys(f.Clients) {
			tbl.Rows = append(tbl.Rows, countsRow(f.Flow, rep.clientLabel(id), f.Clients[id]))
		}
	}
	perClient := htmlreport.Section{Title: "Failure rate per client", Note: "From the same metrics and buckets, per app client of each flow, the pseudo-clients Admin and Invalid included (FACTS.md 1.1).",
		Items: items, Charts: clientCharts, Tables: []htmlreport.Table{tbl}}

	thr := htmlreport.Section{
		Title:  "Throttles",
		Note:   fmt.Sprintf("Sum of each flow's *Throttles metric per bucket of %s (FACTS.md 1.1).", spell(w)),
		Charts: []htmlreport.Chart{countChart("Throttled requests per flow", flows, func(c cognitomon.Counts) int64 { return c.Throttles })},
	}
	if len(rep.Metrics.Quota) > 0 {
		q := htmlreport.Table{Title: "Rate-limit categories (the account's, all pools of the Region)", Columns: []string{"category", "calls", "throttles", "peak calls/s"}}
		for _, c := range rep.Metrics.Quota {
			q.Rows = append(q.Rows, []string{c.Category, fmt.Sprintf("%.0f", c.Calls), fmt.Sprintf("%.0f", c.Throttles), fmt.Sprintf("%.2f", c.PeakPerSecond)})
		}
		thr.Tables = append(thr.Tables, q)
	}
	return []htmlreport.Section{fail, thr}, perClient
}

func eventSections(rep *reportJSON) ([]htmlreport.Section, htmlreport.Section) {
	es := rep.series.events
	why := "the metrics were not read"
	if rep.MetricsOmitted != "" {
		why = rep.MetricsOmitted
	}
	if es == nil {
		return []htmlreport.Section{{Title: "Failure rate over time", Note: "No time series: " + why + ", and the events were not counted over time."}}, htmlreport.Section{Title: "Failure rate per client", Note: "No time series."}
	}
	// One bucket width for every chart of the page, from the events' span.
	var all []timeCounts
	for _, f := range sortedFlows(es.flows) {
		all = append(all, fromBuckets(es.width, es.flows[f]))
	}
	first, last := spanOf(all)
	w := displayWidth(es.width, last.Add(es.width).Sub(first), htmlMaxPoints)
	var flows []namedCounts
	clients := map[string][]namedCounts{}
	tbl := htmlreport.Table{Title: "Per flow and client (CloudTrail events)", Columns: []string{"flow", "client", "attempts", "failures", "throttles", "failure rate"}}
	for _, f := range sortedFlows(es.flows) {
		tc := fromBuckets(es.width, es.flows[f]).rebucket(w)
		flows = append(flows, namedCounts{f.String(), tc})
		tbl.Rows = append(tbl.Rows, countsRow(f.String(), "all clients", toJSONCounts(tc.total())))
		ids := slices.Sorted(maps.Keys(es.clients[f]))
		for _, id := range ids {
			ctc := fromBuckets(es.width, es.clients[f][id]).rebucket(w)
			label := eventClientLabel(rep, id)
			clients[f.String()] = append(clients[f.String()], namedCounts{label, ctc})
			tbl.Rows = append(tbl.Rows, countsRow(f.String(), label, toJSONCounts(ctc.total())))
		}
	}
	fail := htmlreport.Section{
		Title: "Failure rate over time",
		Note: fmt.Sprintf("From the CloudTrail events (%s), in buckets of %s: each event of a flow's kinds is an attempt (sign-in and MFA steps are SignIn, as CloudWatch counts them), a failure unless it succeeded, throttled ones included. "+
			"A bucket without attempts has no rate and no point. The sums are the report's CloudTrail figures per kind.", why, spell(w)),
	}
	flowChart, clientCharts, items := rateCharts(flows, clients)
	fail.Charts = []htmlreport.Chart{flowChart}
	if len(flows) == 0 {
		fail.Items = append(fail.Items, "No event of a sign-in, token-refresh, sign-up or federation kind was read.")
	}
	if es.folded > 0 {
		items = append(items, fmt.Sprintf("%d events of clients past the first %d of a flow are summed as %s.", es.folded, maxEventClients, otherClients))
	}
	perClient := htmlreport.Section{Title: "Failure rate per client", Note: "From the same events and buckets, per app client the events name.",
		Items: items, Charts: clientCharts, Tables: []htmlreport.Table{tbl}}
	thr := htmlreport.Section{
		Title: "Throttles",
		Note: fmt.Sprintf("Events that failed with TooManyRequestsException or ThrottlingException, or an endpoint's HTTP 429, per bucket of %s. "+
			"Whether Cognito logs throttled requests to CloudTrail is not documented (FACTS.md 2.1 and 8, item 7): no throttles here does not prove that none happened; the metrics count them.", spell(w)),
		Charts: []htmlreport.Chart{countChart("Throttled requests per flow", flows, func(c cognitomon.Counts) int64 { return c.Throttles })},
	}
	return []htmlreport.Section{fail, thr}, perClient
}

// rateCharts are the failure rate per flow and, for each flow with
// attempts, per client: the clients with most attempts, at most
// htmlMaxLines, with an item saying how many more the table lists.
func rateCharts(flows []namedCounts, clients map[string][]namedCounts) (flow htmlreport.Chart, perClient []htmlreport.Chart, items []string) {
	flow = rateChart("Failure rate per flow", flows)
	for _, f := range flows {
		// Clients without attempts in the flow have no rate to draw; the
		// table lists them.
		var cs []namedCounts
		for _, c := range clients[f.name] {
			if c.tc.total().Attempts > 0 {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			continue
		}
		slices.SortStableFunc(cs, func(a, b namedCounts) int { return cmp.Compare(b.tc.total().Attempts, a.tc.total().Attempts) })
		if len(cs) > htmlMaxLines {
			items = append(items, fmt.Sprintf("%s per client: the %d clients with the most attempts are drawn, of %d with attempts; the table lists all.", f.name, htmlMaxLines, len(cs)))
			cs = cs[:htmlMaxLines]
		}
		perClient = append(perClient, rateChart(f.name+" failure rate per client", cs))
	}
	return flow, perClient, items
}

// rateChart draws 100 × Failures / Attempts of each bucket with attempts.
func rateChart(title string, series []namedCounts) htmlreport.Chart {
	lc := &htmlreport.LineChart{}
	for _, s := range series {
		hs := htmlreport.Series{Name: s.name}
		for i, t := range s.tc.times {
			if c := s.tc.counts[i]; c.Attempts > 0 {
				hs.Points = append(hs.Points, htmlreport.Point{Time: t, Value: 100 * c.FailureRate()})
			}
		}
		lc.Series = append(lc.Series, hs)
	}
	return htmlreport.Chart{Title: title, Unit: "%", Line: lc}
}

// countChart draws value of every bucket from the first to the last of
// all series, zero where a series had no requests.
func countChart(title string, series []namedCounts, value func(cognitomon.Counts) int64) htmlreport.Chart {
	var all []timeCounts
	for _, s := range series {
		all = append(all, s.tc)
	}
	first, last := spanOf(all)
	lc := &htmlreport.LineChart{}
	for _, s := range series {
		hs := htmlreport.Series{Name: s.name}
		tc := s.tc.filled(first, last)
		for i, t := range tc.times {
			hs.Points = append(hs.Points, htmlreport.Point{Time: t, Value: float64(value(tc.counts[i]))})
		}
		lc.Series = append(lc.Series, hs)
	}
	return htmlreport.Chart{Title: title, Line: lc}
}

// spanOf is the first and last bucket start of the series.
func spanOf(series []timeCounts) (first, last time.Time) {
	for _, tc := range series {
		if len(tc.times) == 0 {
			continue
		}
		if a := tc.times[0]; first.IsZero() || a.Before(first) {
			first = a
		}
		if b := tc.times[len(tc.times)-1]; b.After(last) {
			last = b
		}
	}
	return first, last
}

// spell writes a bucket width in words: "5 minutes", "1 hour", "2 days".
func spell(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		n, unit = int64(d/(24*time.Hour)), "day"
	case d >= time.Hour && d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d >= time.Minute && d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", n, unit)
}

// countsRow is one row of a per-flow table, formatted as the text output
// formats it.
func countsRow(flow, client string, c jsonCounts) []string {
	return []string{flow, client, fmt.Sprint(c.Attempts), fmt.Sprint(c.Failures), fmt.Sprint(c.Throttles), fmt.Sprintf("%.1f%%", 100*c.FailureRate)}
}

func eventClientLabel(rep *reportJSON, id cognitomon.ClientID) string {
	switch id {
	case "":
		return "(no client ID)"
	case otherClients:
		return string(id)
	}
	return rep.clientLabel(string(id))
}

func sortedFlows[V any](m map[cognitomon.Flow]V) []cognitomon.Flow {
	return slices.Sorted(maps.Keys(m))
}

// rankCount is a ranked count as the text output prints it: "412", or
// "412 (±3)" for an estimate.
func rankCount(r jsonRank) string {
	if r.Error > 0 {
		return fmt.Sprintf("%d (±%d)", r.Count, r.Error)
	}
	return fmt.Sprint(r.Count)
}

func rankTable(title, key string, rs []jsonRank) htmlreport.Table {
	t := htmlreport.Table{Title: title, Columns: []string{key, "count"}}
	for _, r := range rs {
		t.Rows = append(t.Rows, []string{r.Key, rankCount(r)})
	}
	return t
}

// addressesSection is the top failing source addresses, as a bar chart,
// and the other per-address rankings of the report.
func addressesSection(t *jsonTrail) htmlreport.Section {
	bars := &htmlreport.BarChart{}
	for _, r := range t.TopIPs {
		label := r.Key
		if r.Error > 0 {
			label += fmt.Sprintf(" (±%d)", r.Error)
		}
		bars.Bars = append(bars.Bars, htmlreport.Bar{Label: label, Value: float64(r.Count)})
	}
	s := htmlreport.Section{
		Title: "Top failing source addresses",
		Note: fmt.Sprintf("Source IPs of the %d failed requests in the CloudTrail events, throttled ones included, most first. "+
			"A count marked ± is an estimate: the true count lies between count − error and count.", t.Failures),
		Charts: []htmlreport.Chart{{Title: "Failed requests per source IP", Bar: bars}},
	}
	for _, x := range []struct {
		title string
		rs    []jsonRank
	}{
		{"Failures by reason and source IP", t.ByReasonIP},
		{fmt.Sprintf("UserNotFoundException by source IP (%d in all)", t.UserNotFound), t.Enumeration},
		{fmt.Sprintf("Password resets by source IP (%d requests, %d failed)", t.Resets.Attempts, t.Resets.Failures), t.ResetIPs},
		{fmt.Sprintf("MFA failures by source IP (%d in all)", t.MFAFailures), t.MFAIPs},
	} {
		if len(x.rs) > 0 {
			s.Tables = append(s.Tables, rankTable(x.title, "key", x.rs))
		}
	}
	return s
}

// machineClientsSection is the machine-to-machine (client_credentials)
// clients: token requests per client as a bar chart and a table.
//
// The M2M cost figure (successful token requests × price) belongs here: a
// column of the table and a sentence of the note.
func machineClientsSection(rep *reportJSON) htmlreport.Section {
	bars := &htmlreport.BarChart{}
	tbl := htmlreport.Table{Title: "Machine-to-machine clients (client_credentials)", Columns: []string{"client", "requests", "failures", "successes", "cost (USD)", "per hour", "top source IPs"}}
	for _, m := range rep.Trail.Machines {
		label := eventClientLabel(rep, cognitomon.ClientID(m.ClientID))
		bars.Bars = append(bars.Bars, htmlreport.Bar{Label: label, Value: float64(m.Requests)})
		var ips []string
		for _, r := range m.SourceIPs {
			ips = append(ips, r.Key+" "+rankCount(r))
		}
		tbl.Rows = append(tbl.Rows, []string{label, fmt.Sprint(m.Requests), fmt.Sprint(m.Failures), fmt.Sprint(m.Successes), fmt.Sprintf("%.2f", m.Cost), fmt.Sprintf("%.0f", m.PerHour), strings.Join(ips, ", ")})
	}
	p := rep.Trail.M2MPrice
	asOf := ""
	if p.AsOf != "" {
		asOf = " as of " + p.AsOf
	}
	return htmlreport.Section{
		Title: "Machine clients",
		Note: fmt.Sprintf("Token-endpoint requests with grant_type client_credentials in the CloudTrail events, per app client, most first. Cost: successful requests at $%.2f per 1,000%s (%s); the per-client monthly charge is not included. Total $%.2f.",
			p.PerThousand, asOf, p.Source, rep.Trail.M2MCost),
		Charts: []htmlreport.Chart{{Title: "Token requests per machine client", Bar: bars}},
		Tables: []htmlreport.Table{tbl},
	}
}

// trailSection is the rest of the CloudTrail summary: the counts per event
// kind, the token-refresh failures per hour and the admin changes.
func trailSection(rep *reportJSON) htmlreport.Section {
	t := rep.Trail
	s := htmlreport.Section{Title: fmt.Sprintf("CloudTrail (%d events)", t.Events)}
	kinds := htmlreport.Table{Title: "Events per kind", Columns: []string{"kind", "attempts", "failures", "throttled"}}
	for _, k := range sortedKeys(t.ByKind) {
		c := t.ByKind[k]
		kinds.Rows = append(kinds.Rows, []string{k, fmt.Sprint(c.Attempts), fmt.Sprint(c.Failures), fmt.Sprint(c.Throttles)})
	}
	s.Tables = append(s.Tables, kinds)
	if len(t.Refresh) > 0 {
		rt := htmlreport.Table{Title: "Token-refresh failures per hour", Columns: []string{"hour (UTC)", "failures", "refreshes"}}
		for _, b := range t.Refresh {
			rt.Rows = append(rt.Rows, []string{b.Start.Format("2006-01-02 15:04"), fmt.Sprint(b.Failures), fmt.Sprint(b.Refreshes)})
		}
		s.Tables = append(s.Tables, rt)
	}
	if len(t.AdminChanges) > 0 {
		at := htmlreport.Table{Title: "Admin changes", Columns: []string{"time", "event", "caller", "source IP"}}
		for _, c := range t.AdminChanges {
			at.Rows = append(at.Rows, []string{c.Time.Format(time.RFC3339), c.Name, c.CallerARN, c.SourceIP})
		}
		s.Tables = append(s.Tables, at)
	}
	return s
}
