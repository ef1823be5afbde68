package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/cognitomon/cognitomon"
)

// page is a parsed HTML report.
type page struct {
	raw string
	doc *html.Node
}

func parsePage(t *testing.T, raw string) page {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("the page does not parse: %v", err)
	}
	return page{raw, doc}
}

func walkNodes(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkNodes(c, fn)
	}
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	walkNodes(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

func elements(root *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walkNodes(root, func(n *html.Node) {
		if n.Type == html.ElementNode && pred(n) {
			out = append(out, n)
		}
	})
	return out
}

func named(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func classed(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return strings.Contains(" "+nodeAttr(n, "class")+" ", " "+class+" ") }
}

// figure returns the chart captioned title.
func (p page) figure(t *testing.T, title string) *html.Node {
	t.Helper()
	for _, f := range elements(p.doc, named("figure")) {
		if c := elements(f, named("figcaption")); len(c) == 1 && nodeText(c[0]) == title {
			return f
		}
	}
	t.Fatalf("no chart %q", title)
	return nil
}

// table returns the rows (cells as text, heading row first) of the table
// captioned title.
func (p page) table(t *testing.T, title string) [][]string {
	t.Helper()
	for _, tb := range elements(p.doc, named("table")) {
		if c := elements(tb, named("caption")); len(c) == 1 && nodeText(c[0]) == title {
			return rowsOf(tb)
		}
	}
	t.Fatalf("no table %q", title)
	return nil
}

func rowsOf(tb *html.Node) [][]string {
	var out [][]string
	for _, tr := range elements(tb, named("tr")) {
		var row []string
		for _, c := range elements(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
			row = append(row, nodeText(c))
		}
		out = append(out, row)
	}
	return out
}

// legend is the series names of a line chart.
func legend(f *html.Node) []string {
	var out []string
	for _, ul := range elements(f, classed("legend")) {
		for _, li := range elements(ul, named("li")) {
			out = append(out, nodeText(li))
		}
	}
	return out
}

// barTitles are the "label: value" titles of a bar chart's bars.
func barTitles(f *html.Node) []string {
	var out []string
	for _, g := range elements(f, classed("bar")) {
		out = append(out, nodeText(elements(g, named("title"))[0]))
	}
	return out
}

// columnSums sums each value column of a chart's data table.
func columnSums(t *testing.T, f *html.Node) map[string]float64 {
	t.Helper()
	rows := rowsOf(elements(f, named("table"))[0])
	sums := map[string]float64{}
	for _, row := range rows[1:] {
		for i, cell := range row[1:] {
			if cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSuffix(cell, "%"), 64)
			if err != nil {
				t.Fatalf("cell %q: %v", cell, err)
			}
			sums[rows[0][i+1]] += v
		}
	}
	return sums
}

// checkSelfContained fails on anything that would load from elsewhere or
// run: scripts, external references, event handlers, CSS imports.
func checkSelfContained(t *testing.T, p page) {
	t.Helper()
	if !strings.HasPrefix(p.raw, "<!DOCTYPE html>") || strings.Count(p.raw, "<html") != 1 || strings.Count(p.raw, "</html>") != 1 {
		t.Error("not one HTML document")
	}
	for _, n := range elements(p.doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "link", "iframe", "img", "object", "embed", "base", "use", "image", "foreignObject", "meta":
			if n.Data != "meta" || nodeAttr(n, "http-equiv") != "" {
				t.Errorf("the page holds <%s>", n.Data)
			}
		}
		for _, a := range n.Attr {
			if a.Key == "href" || a.Key == "src" || a.Key == "xlink:href" || a.Key == "srcset" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has %s=%q", n.Data, a.Key, a.Val)
			}
		}
	}
	for _, s := range elements(p.doc, named("style")) {
		if css := nodeText(s); strings.Contains(css, "url(") || strings.Contains(css, "@import") || strings.Contains(css, "@font-face") {
			t.Error("the style loads something")
		}
	}
	if len(elements(p.doc, named("svg"))) == 0 {
		t.Error("no inline SVG chart")
	}
}

// coverageLines are the text output's Coverage block, label and value.
func coverageLines(t *testing.T, text string) [][2]string {
	t.Helper()
	i := strings.Index(text, "\nCoverage (")
	if i < 0 {
		t.Fatalf("no Coverage block in\n%s", text)
	}
	var out [][2]string
	for _, l := range strings.Split(text[i+1:], "\n")[1:] {
		if l == "" {
			break
		}
		l = strings.TrimPrefix(l, "  ")
		// The label is padded to 14 columns, except "no such client".
		label, value := strings.TrimSpace(l[:min(14, len(l))]), strings.TrimSpace(l[min(14, len(l)):])
		if strings.HasPrefix(l, "no such client ") {
			label, value = "no such client", strings.TrimPrefix(l, "no such client ")
		}
		out = append(out, [2]string{label, value})
	}
	return out
}

// checkCoverage: the page's coverage block says what the text's says.
func checkCoverage(t *testing.T, p page, text string) {
	t.Helper()
	cov := elements(p.doc, func(n *html.Node) bool { return nodeAttr(n, "id") == "coverage" })
	if len(cov) != 1 {
		t.Fatal("no coverage block")
	}
	var lines, warnings [][2]string
	dts, dds := elements(cov[0], named("dt")), elements(cov[0], named("dd"))
	for i := range dts {
		lines = append(lines, [2]string{nodeText(dts[i]), nodeText(dds[i])})
	}
	for _, w := range elements(cov[0], classed("warning")) {
		if g, ok := strings.CutPrefix(nodeText(w), "GAP: "); ok {
			warnings = append(warnings, [2]string{"GAP", g})
		}
	}
	var want, wantGaps [][2]string
	for _, l := range coverageLines(t, text) {
		if l[0] == "GAP" {
			wantGaps = append(wantGaps, l)
		} else {
			want = append(want, l)
		}
	}
	if strings.Contains(text, "\nMetrics: omitted (") {
		i := strings.Index(text, "\nMetrics: omitted (")
		want = append(want, [2]string{"metrics", strings.TrimPrefix(strings.SplitN(text[i+1:], "\n", 2)[0], "Metrics: ")})
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("coverage lines (-text +html):\n%s", diff)
	}
	if diff := cmp.Diff(wantGaps, warnings); diff != "" {
		t.Errorf("coverage gaps (-text +html):\n%s", diff)
	}
	state := nodeText(elements(cov[0], named("h2"))[0])
	if !strings.Contains(text, "\n"+state+"\n") {
		t.Errorf("coverage heading %q is not the text's", state)
	}
}

// checkFindings: the findings table is the JSON's findings, in order.
func checkFindings(t *testing.T, p page, rep reportJSON) {
	t.Helper()
	want := [][]string{{"severity", "finding", "summary"}}
	for _, f := range rep.Findings {
		want = append(want, []string{f.Severity, f.Rule, f.Summary})
	}
	var got [][]string
	if len(rep.Findings) > 0 {
		got = rowsOf(elements(elements(p.doc, func(n *html.Node) bool { return nodeAttr(n, "id") == "findings" })[0], named("table"))[0])
	} else {
		got = want
		if !strings.Contains(nodeText(p.doc), "No findings.") {
			t.Error("no findings, and the page does not say so")
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-json +html):\n%s", diff)
	}
	details := elements(p.doc, named("article"))
	if len(details) != len(rep.Findings) {
		t.Fatalf("%d finding details, want %d", len(details), len(rep.Findings))
	}
	for i, f := range rep.Findings {
		text := nodeText(details[i])
		for _, ev := range append(f.Evidence, f.Advice, f.Subject) {
			if !strings.Contains(text, ev) {
				t.Errorf("finding %d (%s) lacks %q", i+1, f.Rule, ev)
			}
		}
	}
}

// checkTrailFigures: the CloudTrail charts and tables are the JSON's.
func checkTrailFigures(t *testing.T, p page, rep reportJSON) {
	t.Helper()
	var want []string
	for _, r := range rep.Trail.TopIPs {
		label := r.Key
		if r.Error > 0 {
			label += fmt.Sprintf(" (±%d)", r.Error)
		}
		want = append(want, fmt.Sprintf("%s: %d", label, r.Count))
	}
	if diff := cmp.Diff(want, barTitles(p.figure(t, "Failed requests per source IP"))); diff != "" {
		t.Errorf("top failing IPs (-json +html):\n%s", diff)
	}
	want = nil
	for _, m := range rep.Trail.Machines {
		label := m.ClientID
		if n := rep.ClientNames[m.ClientID]; n != "" {
			label += " (" + n + ")"
		}
		want = append(want, fmt.Sprintf("%s: %d", label, m.Requests))
	}
	if diff := cmp.Diff(want, barTitles(p.figure(t, "Token requests per machine client"))); diff != "" {
		t.Errorf("machine clients (-json +html):\n%s", diff)
	}
	rows := p.table(t, "Machine-to-machine clients (client_credentials)")
	if len(rows) != len(rep.Trail.Machines)+1 {
		t.Errorf("machine table %q", rows)
	}
	// The cost column is the JSON's costUsd, to the cent.
	for i, m := range rep.Trail.Machines {
		if i+1 < len(rows) && (len(rows[i+1]) < 5 || rows[i+1][4] != fmt.Sprintf("%.2f", m.Cost)) {
			t.Errorf("machine row %q: cost, want %.2f", rows[i+1], m.Cost)
		}
	}
	wantKinds := [][]string{{"kind", "attempts", "failures", "throttled"}}
	for _, k := range sortedKeys(rep.Trail.ByKind) {
		c := rep.Trail.ByKind[k]
		wantKinds = append(wantKinds, []string{k, fmt.Sprint(c.Attempts), fmt.Sprint(c.Failures), fmt.Sprint(c.Throttles)})
	}
	if diff := cmp.Diff(wantKinds, p.table(t, "Events per kind")); diff != "" {
		t.Errorf("events per kind (-json +html):\n%s", diff)
	}
	if !strings.Contains(nodeText(p.doc), fmt.Sprintf("Source IPs of the %d failed requests", rep.Trail.Failures)) {
		t.Errorf("the page does not give the %d failures", rep.Trail.Failures)
	}
}

// flowOfKind is CloudWatch's flow for each kind of the JSON's byKind, as
// FACTS.md 1.1 and the EventKind docs describe it (an independent list).
var flowOfKind = map[string]string{"SignIn": "SignIn", "MFA": "SignIn", "TokenRefresh": "TokenRefresh", "SignUp": "SignUp", "Federation": "Federation"}

func TestReportHTMLWeekOfFiles(t *testing.T) {
	dir, _ := weekFiles(t, "us-east-1_Week1")
	args := []string{"report", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--clients", weekClients(0)}
	jsonOut, _, jsonCode := cli(t, nil, false, append(args, "--format", "json")...)
	textOut, _, textCode := cli(t, nil, false, args...)
	htmlOut, errOut, htmlCode := cli(t, nil, false, append(args, "--format", "html")...)
	if htmlCode != jsonCode || htmlCode != textCode || htmlCode != exitFindings {
		t.Fatalf("exit html %d, json %d, text %d; want %d for all\n%s", htmlCode, jsonCode, textCode, exitFindings, errOut)
	}
	rep := jsonReport(t, jsonOut)
	p := parsePage(t, htmlOut)
	checkSelfContained(t, p)
	checkCoverage(t, p, textOut)
	checkFindings(t, p, rep)
	checkTrailFigures(t, p, rep)
	if len(rep.Findings) == 0 || !hasFinding(rep, "brute-force") || len(rep.Trail.TopIPs) == 0 || rep.Trail.TopIPs[0].Key != "192.0.2.66" {
		t.Errorf("the week's brute force is not the top: %+v", rep.Trail.TopIPs)
	}
	if !strings.Contains(p.raw, "192.0.2.66: "+fmt.Sprint(rep.Trail.TopIPs[0].Count)) {
		t.Error("the top failing IP's bar is not drawn with its count")
	}

	// The flows' series: every flow with events, and per-flow sums that
	// are the JSON's counts per kind.
	want := map[string]jsonCounts{}
	for k, c := range rep.Trail.ByKind {
		if f, ok := flowOfKind[k]; ok {
			w := want[f]
			w.Attempts += c.Attempts
			w.Failures += c.Failures
			w.Throttles += c.Throttles
			want[f] = w
		}
	}
	rate := p.figure(t, "Failure rate per flow")
	if diff := cmp.Diff([]string{"Federation", "SignIn", "SignUp", "TokenRefresh"}, sortedStrings(legend(rate))); diff != "" {
		t.Errorf("flows drawn (-want +got):\n%s", diff)
	}
	if n := len(elements(rate, named("polyline"))); n != 4 {
		t.Errorf("%d lines in the flow chart", n)
	}
	rows := p.table(t, "Per flow and client (CloudTrail events)")
	got := map[string][]string{}
	clientSum := map[string]int64{}
	for _, r := range rows[1:] {
		if r[1] == "all clients" {
			got[r[0]] = r[2:5]
		} else {
			n, _ := strconv.ParseInt(r[2], 10, 64)
			clientSum[r[0]] += n
		}
	}
	throttles := columnSums(t, p.figure(t, "Throttled requests per flow"))
	for f, w := range want {
		if diff := cmp.Diff([]string{fmt.Sprint(w.Attempts), fmt.Sprint(w.Failures), fmt.Sprint(w.Throttles)}, got[f]); diff != "" {
			t.Errorf("%s totals (-json +html):\n%s", f, diff)
		}
		if clientSum[f] != w.Attempts {
			t.Errorf("%s: the clients' attempts sum to %d, the flow has %d", f, clientSum[f], w.Attempts)
		}
		if throttles[f] != float64(w.Throttles) {
			t.Errorf("%s: the throttle chart sums to %v, the JSON has %d", f, throttles[f], w.Throttles)
		}
	}
	signIn := legend(p.figure(t, "SignIn failure rate per client"))
	if !contains(signIn, "4k2webapp0example0client1p0") {
		t.Errorf("per-client legend %q", signIn)
	}
	// The brute force shows as a bucket with a high sign-in failure rate
	// for the web client.
	if max := maxColumn(t, p.figure(t, "SignIn failure rate per client"), "4k2webapp0example0client1p0"); max < 50 {
		t.Errorf("the web client's worst bucket is %v%%", max)
	}
}

func TestReportHTMLMetrics(t *testing.T) {
	srv, now := world(t)
	args := []string{"report", "--user-pool", demoPool, "--start", now.Add(-24 * time.Hour).Format(time.RFC3339), "--end", now.Format(time.RFC3339), "--lookup-rate", "1000", "--quiet"}
	jsonOut, _, jsonCode := cli(t, srv, true, append(args, "--format", "json")...)
	htmlOut, errOut, htmlCode := cli(t, srv, true, append(args, "--format", "html")...)
	if htmlCode != jsonCode || htmlCode != exitFindings {
		t.Fatalf("exit html %d, json %d; want %d for both\n%s", htmlCode, jsonCode, exitFindings, errOut)
	}
	rep := jsonReport(t, jsonOut)
	if rep.Metrics == nil {
		t.Fatal("no metrics in the JSON")
	}
	p := parsePage(t, htmlOut)
	checkSelfContained(t, p)
	checkFindings(t, p, rep)
	checkTrailFigures(t, p, rep)

	// The table is the JSON's metrics, row for row, and the throttle
	// chart's sums are the JSON's throttles.
	want := [][]string{{"flow", "client", "attempts", "failures", "throttles", "failure rate"}}
	for _, f := range rep.Metrics.Flows {
		want = append(want, []string{f.Flow, "all clients", fmt.Sprint(f.Attempts), fmt.Sprint(f.Failures), fmt.Sprint(f.Throttles), fmt.Sprintf("%.1f%%", 100*f.FailureRate)})
		for _, id := range sortedKeys(f.Clients) {
			c := f.Clients[id]
			want = append(want, []string{f.Flow, rep.clientLabel(id), fmt.Sprint(c.Attempts), fmt.Sprint(c.Failures), fmt.Sprint(c.Throttles), fmt.Sprintf("%.1f%%", 100*c.FailureRate)})
		}
	}
	if diff := cmp.Diff(want, p.table(t, "Per flow and client (the report's metrics figures)")); diff != "" {
		t.Errorf("metrics table (-json +html):\n%s", diff)
	}
	throttles := columnSums(t, p.figure(t, "Throttled requests per flow"))
	for _, f := range rep.Metrics.Flows {
		if throttles[f.Flow] != float64(f.Throttles) {
			t.Errorf("%s: the throttle chart sums to %v, the JSON has %d", f.Flow, throttles[f.Flow], f.Throttles)
		}
	}
	if diff := cmp.Diff([]string{"Federation", "SignIn", "SignUp", "TokenRefresh"}, sortedStrings(legend(p.figure(t, "Failure rate per flow")))); diff != "" {
		t.Errorf("flows drawn (-want +got):\n%s", diff)
	}
	// Client names beside the IDs, from the pool's configuration.
	web := "4k2webapp0example0client1"
	if rep.ClientNames[web] == "" || !contains(legend(p.figure(t, "SignIn failure rate per client")), web+" ("+rep.ClientNames[web]+")") {
		t.Errorf("no client name in the legend; names %v", rep.ClientNames)
	}
	// The credential stuffing drives the web client's sign-in failure
	// rate far up in some bucket.
	if max := maxColumn(t, p.figure(t, "SignIn failure rate per client"), web+" ("+rep.ClientNames[web]+")"); max < 50 {
		t.Errorf("the web client's worst bucket is %v%%", max)
	}
	if len(rep.Metrics.Quota) > 0 {
		if rows := p.table(t, "Rate-limit categories (the account's, all pools of the Region)"); len(rows) != len(rep.Metrics.Quota)+1 {
			t.Errorf("quota rows %q", rows)
		}
	}
	if !strings.Contains(nodeText(p.doc), "From CloudWatch's AWS/Cognito metrics") {
		t.Error("the page does not say the rates come from the metrics")
	}
}

// TestReportHTMLBlind: a report that could not see all it was asked to
// exits as JSON does and shows the gaps as warnings; one that saw nothing
// says so.
func TestReportHTMLBlind(t *testing.T) {
	dir, end := weekFiles(t, "us-east-1_Week1")
	after := []string{"--start", end.Add(24 * time.Hour).Format(time.RFC3339), "--end", end.Add(48 * time.Hour).Format(time.RFC3339)}
	for _, args := range [][]string{
		{"report", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--fail-on", "none"}, // unattributed events
		{"report", "--trail-files", t.TempDir()},                                                // no log file at all
		append([]string{"report", "--trail-files", dir}, after...),                              // nothing in the range
	} {
		jsonOut, _, jsonCode := cli(t, nil, false, append(args, "--format", "json")...)
		textOut, _, _ := cli(t, nil, false, args...)
		htmlOut, _, htmlCode := cli(t, nil, false, append(args, "--format", "html")...)
		if htmlCode != jsonCode || htmlCode != exitBlind {
			t.Errorf("%v: exit html %d, json %d; want %d", args, htmlCode, jsonCode, exitBlind)
		}
		rep := jsonReport(t, jsonOut)
		p := parsePage(t, htmlOut)
		checkCoverage(t, p, textOut)
		if len(rep.Coverage.Gaps) == 0 || len(elements(p.doc, classed("warning"))) < len(rep.Coverage.Gaps) {
			t.Errorf("%v: gaps %q not shown as warnings", args, rep.Coverage.Gaps)
		}
		if h := nodeText(elements(p.doc, named("h2"))[0]); h != "Coverage (INCOMPLETE: the result could not see all of it)" {
			t.Errorf("%v: first heading %q", args, h)
		}
	}
}

// TestReportHTMLEscapes: a source IP, a client name, a finding that hold
// markup are shown as text.
func TestReportHTMLEscapes(t *testing.T) {
	const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	rep := &reportJSON{
		UserPool: "us-east-1_Hostile1", Source: "files: " + hostile,
		Coverage:    jsonCoverage{Gaps: []string{hostile}, Sources: []jsonSource{{Name: hostile, Status: "read", Reason: hostile}}},
		ClientNames: map[string]string{"1hostile0client0example00": hostile},
		Findings:    []jsonFinding{{Rule: hostile, Severity: "high", Summary: hostile, Subject: "ip=" + hostile, Evidence: []string{hostile}, Advice: hostile}},
		Trail: &jsonTrail{
			ByKind: map[string]jsonCounts{hostile: {Attempts: 1}},
			TopIPs: []jsonRank{{Key: hostile, Count: 3}}, ByReasonIP: []jsonRank{{Key: "NotAuthorizedException " + hostile, Count: 3}},
			Machines:     []jsonMachine{{ClientID: "1hostile0client0example00", Requests: 5, SourceIPs: []jsonRank{{Key: hostile, Count: 5}}}},
			AdminChanges: []jsonEvent{{Name: hostile, CallerARN: hostile, SourceIP: hostile}},
		},
		Notes: []string{hostile},
	}
	es := newEventSeries()
	es.Add(cognitomon.Event{Name: "InitiateAuth", Time: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), ErrorCode: "NotAuthorizedException", ClientID: "1hostile0client0example00", SourceIP: hostile})
	rep.series.events = es
	var buf bytes.Buffer
	if err := writeHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, buf.String())
	checkSelfContained(t, p)
	if strings.Contains(p.raw, "<script") || strings.Contains(p.raw, "<img") {
		t.Error("markup from the input reached the page")
	}
	if n := strings.Count(nodeText(p.doc), hostile); n < 10 {
		t.Errorf("the hostile string is shown %d times as text", n)
	}
	if !contains(legend(p.figure(t, "SignIn failure rate per client")), "1hostile0client0example00 ("+hostile+")") {
		t.Error("the client's name is not in the legend")
	}
}

// TestReportHTMLHostileLogFile: a log file whose source IP holds markup,
// end to end through the command.
func TestReportHTMLHostileLogFile(t *testing.T) {
	dir := t.TempDir()
	const ip = `<script>alert(1)</script>`
	var recs []string
	for i := range 25 {
		recs = append(recs, fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"Anonymous"},"eventTime":"2026-11-30T10:%02d:00Z","eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"test","errorCode":"NotAuthorizedException","errorMessage":"Incorrect username or password.","requestParameters":{"authFlow":"USER_PASSWORD_AUTH","clientId":"1hostile0client0example00"},"responseElements":null,"additionalEventData":{"userPoolId":"us-east-1_Hostile1"},"requestID":"r%d","eventID":"e%d","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`, i, ip, i, i))
	}
	if err := os.WriteFile(filepath.Join(dir, "hostile.json"), []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"report", "--trail-files", dir, "--user-pool", "us-east-1_Hostile1", "--clients", "1hostile0client0example00", "--fail-on", "none"}
	jsonOut, _, jsonCode := cli(t, nil, false, append(args, "--format", "json")...)
	htmlOut, errOut, htmlCode := cli(t, nil, false, append(args, "--format", "html")...)
	if htmlCode != jsonCode {
		t.Errorf("exit html %d, json %d", htmlCode, jsonCode)
	}
	rep := jsonReport(t, jsonOut)
	if len(rep.Trail.TopIPs) != 1 || rep.Trail.TopIPs[0].Key != ip || rep.Trail.TopIPs[0].Count != 25 {
		t.Fatalf("top IPs %+v\n%s", rep.Trail.TopIPs, errOut)
	}
	p := parsePage(t, htmlOut)
	checkSelfContained(t, p)
	if strings.Contains(p.raw, "<script") {
		t.Error("the IP's markup reached the page")
	}
	if diff := cmp.Diff([]string{ip + ": 25"}, barTitles(p.figure(t, "Failed requests per source IP"))); diff != "" {
		t.Errorf("bars (-want +got):\n%s", diff)
	}
}

// TestDemoHTML: the demo applies the dashboard to its fake and writes the
// HTML report where --html says.
func TestDemoHTML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.html")
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	if code := run(context.Background(), e, []string{"demo", "--html", path}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"$ cognitomon dashboard apply", "dashboard cognitomon-" + demoPool + "-overview applied: 1 PutDashboard accepted",
		"--format html > " + path, "HTML report written to " + path, "demo finished"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p := parsePage(t, string(b))
	checkSelfContained(t, p)
	for _, title := range []string{"Failure rate per flow", "SignIn failure rate per client", "Throttled requests per flow", "Failed requests per source IP", "Token requests per machine client"} {
		if len(elements(p.figure(t, title), named("svg"))) != 1 {
			t.Errorf("%s: no chart", title)
		}
	}
	for _, want := range []string{"credential-stuffing", "admin-mfa-off", "5reports0machine0client00", "192.0.2.77"} {
		if !strings.Contains(p.raw, want) {
			t.Errorf("the demo's page lacks %q", want)
		}
	}
}

func TestEventSeries(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	es := newEventSeries()
	ev := func(t time.Time, name, code string, client cognitomon.ClientID) cognitomon.Event {
		return cognitomon.Event{Name: name, Time: t, ErrorCode: code, ClientID: client, AuthFlow: "USER_PASSWORD_AUTH"}
	}
	// Over the bucket limit the width widens and merges; nothing is lost.
	var want cognitomon.Counts
	for h := range maxEventBuckets + 10 {
		at := day.Add(time.Duration(h) * time.Hour)
		es.Add(ev(at, "InitiateAuth", "", "1client0example0000000000"))
		es.Add(ev(at, "InitiateAuth", "NotAuthorizedException", "1client0example0000000000"))
		es.Add(ev(at, "InitiateAuth", "TooManyRequestsException", cognitomon.ClientID(fmt.Sprintf("c%03d", h%(maxEventClients+4)))))
		want = want.Add(cognitomon.Counts{Attempts: 3, Successes: 1, Throttles: 1})
	}
	es.Add(ev(day, "ListUsers", "", "")) // not a flow: not counted
	if es.width != 2*time.Hour || len(es.buckets) > maxEventBuckets {
		t.Errorf("width %v with %d buckets", es.width, len(es.buckets))
	}
	got := fromBuckets(es.width, es.flows[cognitomon.SignIn]).total()
	if got != want {
		t.Errorf("total %+v, want %+v", got, want)
	}
	var clients cognitomon.Counts
	for _, b := range es.clients[cognitomon.SignIn] {
		clients = clients.Add(fromBuckets(es.width, b).total())
	}
	if clients != want || len(es.clients[cognitomon.SignIn]) != maxEventClients+1 || es.folded == 0 {
		t.Errorf("clients %+v over %d series, %d folded", clients, len(es.clients[cognitomon.SignIn]), es.folded)
	}
	tc := fromBuckets(es.width, es.flows[cognitomon.SignIn])
	w := displayWidth(tc.width, tc.span(), htmlMaxPoints)
	if w%tc.width != 0 || tc.span() > time.Duration(htmlMaxPoints)*w {
		t.Errorf("display width %v for a span of %v", w, tc.span())
	}
	if r := tc.rebucket(w); r.total() != want || len(r.times) > htmlMaxPoints+1 {
		t.Errorf("rebucketed to %d points, total %+v", len(r.times), r.total())
	}
}

func TestDisplayWidth(t *testing.T) {
	for _, c := range []struct {
		base, span, want time.Duration
	}{
		{time.Hour, 24 * time.Hour, time.Hour},
		{time.Hour, 7 * 24 * time.Hour, 2 * time.Hour},
		{5 * time.Minute, 24 * time.Hour, 15 * time.Minute},
		{5 * time.Minute, 90 * 24 * time.Hour, 24 * time.Hour},
		{7 * time.Minute, 24 * time.Hour, 28 * time.Minute}, // no listed multiple fits: doubling
	} {
		if got := displayWidth(c.base, c.span, htmlMaxPoints); got != c.want {
			t.Errorf("displayWidth(%v, %v) = %v, want %v", c.base, c.span, got, c.want)
		}
	}
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maxColumn is the largest value of a series in a chart's data table.
func maxColumn(t *testing.T, f *html.Node, series string) float64 {
	t.Helper()
	rows := rowsOf(elements(f, named("table"))[0])
	col := -1
	for i, h := range rows[0] {
		if h == series {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no series %q in %q", series, rows[0])
	}
	best := 0.0
	for _, r := range rows[1:] {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(r[col], "%"), 64); err == nil && v > best {
			best = v
		}
	}
	return best
}
