package htmlreport_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/cognitomon/cognitomon/internal/htmlreport"
)

var day = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func sampleReport() htmlreport.Report {
	var signIn, refresh []htmlreport.Point
	for i := range 7 {
		t := day.Add(time.Duration(i) * 24 * time.Hour)
		signIn = append(signIn, htmlreport.Point{Time: t, Value: float64(i) * 2.5})
		refresh = append(refresh, htmlreport.Point{Time: t, Value: 1.25})
	}
	return htmlreport.Report{
		Title:     "cognitomon report: us-east-1_DemoPool1",
		Subtitle:  "2026-11-23 to 2026-11-30, CloudTrail log files",
		Generated: day.Add(8 * 24 * time.Hour),
		Coverage: htmlreport.Coverage{
			Lines:    []htmlreport.Line{{Label: "CloudTrail", Value: "7 log files, 1234 events"}, {Label: "Metrics", Value: "none (log files only)"}},
			Warnings: []string{"no CloudWatch metrics: failure rates come from CloudTrail"},
		},
		Findings: []htmlreport.Finding{
			{Severity: "high", Title: "credential stuffing", Subject: "192.0.2.77", Evidence: []string{"412 failed sign-ins for 97 users", "first 2026-11-25T10:00:00Z"}, Advice: "block the address"},
			{Severity: "weird", Title: "unknown severity"},
		},
		Sections: []htmlreport.Section{
			{
				Title: "Failures",
				Charts: []htmlreport.Chart{
					{Title: "Failure rate per flow", Unit: "%", Line: &htmlreport.LineChart{Series: []htmlreport.Series{{Name: "SignIn", Points: signIn}, {Name: "TokenRefresh", Points: refresh}}}},
					{Title: "Top failing addresses", Bar: &htmlreport.BarChart{Bars: []htmlreport.Bar{{Label: "192.0.2.77", Value: 412}, {Label: "198.51.100.9", Value: 37}}}},
					{Title: "Throttles", Line: &htmlreport.LineChart{}},
				},
				Tables: []htmlreport.Table{{Title: "Per client", Columns: []string{"client", "failures"}, Rows: [][]string{{"web1", "12"}}}},
			},
			{
				Title:  "Machine clients",
				Charts: []htmlreport.Chart{{Title: "Token requests per machine client", Bar: &htmlreport.BarChart{Bars: []htmlreport.Bar{{Label: "m2m-a", Value: 1500}, {Label: "m2m-b", Value: 0.3333333}}}}},
			},
		},
	}
}

func render(t *testing.T, r htmlreport.Report) (*html.Node, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := htmlreport.Render(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("page does not parse: %v", err)
	}
	return doc, buf.String()
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return strings.TrimSpace(b.String())
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func find(root *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && pred(n) {
			out = append(out, n)
		}
	})
	return out
}

func tag(name string) func(*html.Node) bool { return func(n *html.Node) bool { return n.Data == name } }

func TestRenderSelfContained(t *testing.T) {
	doc, page := render(t, sampleReport())
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		switch n.Data {
		case "script", "link", "iframe", "img", "object", "embed", "base", "use", "image", "foreignObject":
			t.Errorf("page holds <%s>", n.Data)
		}
		for _, a := range n.Attr {
			if a.Key == "href" || a.Key == "src" || a.Key == "xlink:href" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has attribute %s=%q", n.Data, a.Key, a.Val)
			}
		}
	}
	for _, bad := range []string{"http://", "https://", "@import", "url(", "javascript:"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	styles := find(doc, tag("style"))
	if len(styles) != 1 || !strings.Contains(text(styles[0]), "@media print") {
		t.Errorf("want one inline style with print rules")
	}
}

func TestRenderFigures(t *testing.T) {
	doc, _ := render(t, sampleReport())
	figs := find(doc, tag("figure"))
	if len(figs) != 4 {
		t.Fatalf("%d figures, want 4", len(figs))
	}
	// The line chart: one polyline per series, one <title> per point with
	// its value, the y ticks, and a data table with the same figures.
	line := figs[0]
	if got := len(find(line, tag("polyline"))); got != 2 {
		t.Errorf("%d polylines, want 2", got)
	}
	var titles []string
	for _, c := range find(line, tag("circle")) {
		titles = append(titles, text(c))
	}
	if len(titles) != 14 || titles[6] != "SignIn 2026-11-29 00:00: 15%" || titles[7] != "TokenRefresh 2026-11-23 00:00: 1.25%" {
		t.Errorf("point titles %q", titles)
	}
	var ticks []string
	for _, n := range find(line, func(n *html.Node) bool { return hasClass(n, "ytick") }) {
		ticks = append(ticks, text(n))
	}
	if diff := cmp.Diff([]string{"0%", "5%", "10%", "15%"}, ticks); diff != "" {
		t.Errorf("y ticks (-want +got):\n%s", diff)
	}
	if x := find(line, func(n *html.Node) bool { return hasClass(n, "xtick") }); len(x) != 5 || text(x[0]) != "2026-11-23 00:00" || text(x[4]) != "2026-11-29 00:00" {
		t.Errorf("x ticks %d", len(x))
	}
	rows := tableRows(find(line, tag("table"))[0])
	if len(rows) != 8 || cmp.Diff([]string{"2026-11-25 00:00", "5%", "1.25%"}, rows[3]) != "" {
		t.Errorf("line data table %q", rows)
	}
	// Points lie on the plot: the highest value at the top tick.
	circles := find(line, tag("circle"))
	if attr(circles[6], "cy") != attr(find(line, func(n *html.Node) bool { return hasClass(n, "ytick") })[3], "y") {
		t.Errorf("the 15%% point is not on the 15%% tick")
	}

	bars := figs[1]
	var barTitles []string
	for _, g := range find(bars, func(n *html.Node) bool { return hasClass(n, "bar") }) {
		barTitles = append(barTitles, text(find(g, tag("title"))[0]))
	}
	if diff := cmp.Diff([]string{"192.0.2.77: 412", "198.51.100.9: 37"}, barTitles); diff != "" {
		t.Errorf("bar titles (-want +got):\n%s", diff)
	}
	rects := find(bars, tag("rect"))
	if attr(rects[0], "width") != "410" || attr(rects[1], "width") != "36.8" {
		t.Errorf("bar widths %s %s, want 410 (the longest) and 410*37/412", attr(rects[0], "width"), attr(rects[1], "width"))
	}
	if len(find(figs[2], func(n *html.Node) bool { return hasClass(n, "nodata") })) != 1 || len(find(figs[2], tag("svg"))) != 0 {
		t.Error("an empty chart is not drawn as no data")
	}
	if rows := tableRows(find(figs[3], tag("table"))[0]); cmp.Diff([][]string{{"label", "value"}, {"m2m-a", "1500"}, {"m2m-b", "0.3333"}}, rows) != "" {
		t.Errorf("bar data table %q", rows)
	}

	page := text(doc)
	for _, want := range []string{"Coverage", "7 log files, 1234 events", "no CloudWatch metrics", "credential stuffing", "192.0.2.77", "412 failed sign-ins for 97 users", "block the address", "Per client"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	arts := find(doc, tag("article"))
	if len(arts) != 2 || !hasClass(arts[0], "sev-high") || !hasClass(arts[1], "sev-info") {
		t.Errorf("finding classes")
	}
}

func tableRows(tbl *html.Node) [][]string {
	var out [][]string
	for _, tr := range find(tbl, tag("tr")) {
		var row []string
		for _, c := range find(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
			row = append(row, text(c))
		}
		out = append(out, row)
	}
	return out
}

func TestRenderEscapes(t *testing.T) {
	const hostile = `<script>alert(1)</script>"' onload=x <img src=http://evil/>`
	r := htmlreport.Report{
		Title:    hostile,
		Subtitle: hostile,
		Coverage: htmlreport.Coverage{State: hostile, Lines: []htmlreport.Line{{Label: hostile, Value: hostile}}, Warnings: []string{hostile}},
		Findings: []htmlreport.Finding{{Severity: htmlreport.Severity(`high" onclick="x`), Title: hostile, Summary: hostile, Subject: hostile, Evidence: []string{hostile}, Advice: hostile}},
		Sections: []htmlreport.Section{{
			Title: hostile, Note: hostile, Items: []string{hostile},
			Charts: []htmlreport.Chart{
				{Title: hostile, Unit: hostile, Line: &htmlreport.LineChart{Series: []htmlreport.Series{{Name: hostile, Points: []htmlreport.Point{{Time: day, Value: 1}}}}}},
				{Title: hostile, Bar: &htmlreport.BarChart{Bars: []htmlreport.Bar{{Label: hostile, Value: 1}}}},
			},
			Tables: []htmlreport.Table{{Title: hostile, Columns: []string{hostile}, Rows: [][]string{{hostile}}}},
		}},
	}
	doc, page := render(t, r)
	if n := find(doc, func(n *html.Node) bool { return n.Data == "script" || n.Data == "img" }); len(n) != 0 {
		t.Errorf("hostile strings made %d elements", len(n))
	}
	for _, n := range find(doc, func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "src" {
				t.Errorf("<%s> got attribute %s", n.Data, a.Key)
			}
		}
	}
	if !strings.Contains(text(doc), "<script>alert(1)</script>") {
		t.Error("the hostile string is not shown as text")
	}
	if strings.Contains(page, "<script") {
		t.Error("raw <script in the page")
	}
}

func TestRenderErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := htmlreport.Render(&buf, htmlreport.Report{}); err == nil {
		t.Error("no title accepted")
	}
	for _, c := range []htmlreport.Chart{
		{Title: "nan", Line: &htmlreport.LineChart{Series: []htmlreport.Series{{Name: "s", Points: []htmlreport.Point{{Time: day, Value: math.NaN()}}}}}},
		{Title: "inf", Bar: &htmlreport.BarChart{Bars: []htmlreport.Bar{{Label: "b", Value: math.Inf(1)}}}},
		{Title: "negative bar", Bar: &htmlreport.BarChart{Bars: []htmlreport.Bar{{Label: "b", Value: -1}}}},
		{Title: "no time", Line: &htmlreport.LineChart{Series: []htmlreport.Series{{Name: "s", Points: []htmlreport.Point{{Value: 1}}}}}},
	} {
		buf.Reset()
		err := htmlreport.Render(&buf, htmlreport.Report{Title: "t", Sections: []htmlreport.Section{{Title: "s", Charts: []htmlreport.Chart{c}}}})
		if err == nil || !strings.Contains(err.Error(), c.Title) || buf.Len() != 0 {
			t.Errorf("%s: error %v, %d bytes written", c.Title, err, buf.Len())
		}
	}
	if err := htmlreport.Render(failWriter{}, htmlreport.Report{Title: "t"}); !errors.Is(err, errWrite) {
		t.Errorf("write error %v", err)
	}
}

var errWrite = errors.New("disk full")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

// TestRenderLayout: the coverage state and its warnings come first, the
// findings are a table before the sections and in detail after them, and
// a section's items are a list.
func TestRenderLayout(t *testing.T) {
	r := sampleReport()
	r.Coverage.State = "INCOMPLETE: the result could not see all of it"
	r.Findings[0].Summary = "412 failures from one address"
	r.Sections[0].Items = []string{"first item", "second item"}
	doc, _ := render(t, r)
	cov := find(doc, func(n *html.Node) bool { return attr(n, "id") == "coverage" })[0]
	if h := text(find(cov, tag("h2"))[0]); h != "Coverage (INCOMPLETE: the result could not see all of it)" {
		t.Errorf("coverage heading %q", h)
	}
	var order []string
	for c := cov.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			order = append(order, c.Data)
		}
	}
	if diff := cmp.Diff([]string{"h2", "p", "dl"}, order); diff != "" {
		t.Errorf("coverage children (-want +got):\n%s", diff)
	}
	var ids []string
	for _, s := range find(doc, tag("section")) {
		ids = append(ids, cmpOr(attr(s, "id"), text(find(s, tag("h2"))[0])))
	}
	if diff := cmp.Diff([]string{"coverage", "findings", "Failures", "Machine clients", "finding-details"}, ids); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	summary := find(find(doc, func(n *html.Node) bool { return attr(n, "id") == "findings" })[0], tag("table"))
	if len(summary) != 1 {
		t.Fatal("no findings table")
	}
	if rows := tableRows(summary[0]); len(rows) != 3 || cmp.Diff([]string{"high", "credential stuffing", "412 failures from one address"}, rows[1]) != "" {
		t.Errorf("findings table %q", rows)
	}
	if got := find(doc, func(n *html.Node) bool { return hasClass(n, "summary") }); len(got) != 1 || text(got[0]) != "412 failures from one address" {
		t.Errorf("finding summary paragraphs: %d", len(got))
	}
	var items []string
	for _, li := range find(find(doc, func(n *html.Node) bool { return hasClass(n, "items") })[0], tag("li")) {
		items = append(items, text(li))
	}
	if diff := cmp.Diff([]string{"first item", "second item"}, items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
