package htmlreport

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

// pageView is the Report as the template reads it.
type pageView struct {
	Title, Subtitle string
	Generated       string
	Coverage        Coverage
	Findings        []findingView
	Sections        []sectionView
}

type findingView struct {
	Finding
	Class string
}

type sectionView struct {
	Title, Note string
	Items       []string
	Charts      []chartView
	Tables      []Table
}

var knownSeverities = map[string]bool{"critical": true, "high": true, "medium": true, "low": true, "info": true}

// Render writes r as one HTML page to w. It fails, writing nothing, when r
// has no title or a chart holds a value that is not a finite number.
func Render(w io.Writer, r Report) error {
	if strings.TrimSpace(r.Title) == "" {
		return errors.New("htmlreport: the report has no title")
	}
	p := pageView{Title: r.Title, Subtitle: r.Subtitle, Coverage: r.Coverage}
	if !r.Generated.IsZero() {
		p.Generated = r.Generated.UTC().Format(time.RFC3339)
	}
	for _, f := range r.Findings {
		class := "sev-" + strings.ToLower(string(f.Severity))
		if !knownSeverities[strings.ToLower(string(f.Severity))] {
			class = "sev-info"
		}
		p.Findings = append(p.Findings, findingView{Finding: f, Class: class})
	}
	for si, s := range r.Sections {
		sv := sectionView{Title: s.Title, Note: s.Note, Items: s.Items, Tables: s.Tables}
		for ci, c := range s.Charts {
			cv, err := buildChart(c)
			if err != nil {
				return fmt.Errorf("htmlreport: section %d (%q) chart %d (%q): %w", si+1, s.Title, ci+1, c.Title, err)
			}
			sv.Charts = append(sv.Charts, cv)
		}
		p.Sections = append(p.Sections, sv)
	}
	var buf bytes.Buffer
	if err := page.Execute(&buf, p); err != nil {
		return fmt.Errorf("htmlreport: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

var page = template.Must(template.New("page").Parse(pageTemplate))

// pageTemplate is the page. The CSS is inline, the charts are SVG, and the
// page holds no script, link or external reference.
const pageTemplate = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; line-height: 1.4; }
h1 { margin-bottom: 0.2rem; } .subtitle { color: #555; margin-top: 0; }
section { margin-top: 2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.coverage dt { font-weight: 600; float: left; clear: left; width: 12rem; }
.coverage dd { margin-left: 12.5rem; }
.warning { background: #fff4d6; border-left: 4px solid #e0a800; padding: 0.3rem 0.6rem; margin: 0.3rem 0; font-weight: 600; }
.coverage dl { overflow: hidden; }
.finding { border-left: 6px solid #888; padding: 0.3rem 0.8rem; margin: 0.8rem 0; background: #fafafa; }
.finding h3 { margin: 0.2rem 0; font-size: 1rem; } .finding p { margin: 0.3rem 0; } .advice { font-size: 0.9rem; color: #333; }
table.findings td:first-child { white-space: nowrap; }
.sev { display: inline-block; font-weight: 700; text-transform: uppercase; font-size: 0.75rem; padding: 0 0.4rem; border: 1px solid currentColor; margin-right: 0.4rem; }
.sev-critical { border-color: #7a0012; color: #7a0012; } .sev-high { border-color: #c0392b; color: #c0392b; }
.sev-medium { border-color: #d68910; color: #9a6200; } .sev-low { border-color: #2874a6; color: #2874a6; } .sev-info { border-color: #777; color: #555; }
.finding.sev-critical, .finding.sev-high, .finding.sev-medium, .finding.sev-low, .finding.sev-info { color: inherit; }
.evidence { margin: 0.3rem 0; padding-left: 1.2rem; font-family: ui-monospace, monospace; font-size: 0.85rem; }
figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: 0.3rem; }
svg { width: 100%; height: auto; max-width: 720px; }
svg text { font-size: 11px; fill: #333; }
.axis { stroke: #999; stroke-width: 1; } .grid { stroke: #e5e5e5; stroke-width: 1; }
polyline { fill: none; stroke-width: 2; }
.legend { list-style: none; padding: 0; margin: 0.2rem 0; } .legend li { display: inline-block; margin-right: 1rem; font-size: 0.85rem; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: middle; }
.c0 { stroke: #1f77b4; fill: #1f77b4; background: #1f77b4; } .c1 { stroke: #d62728; fill: #d62728; background: #d62728; }
.c2 { stroke: #2ca02c; fill: #2ca02c; background: #2ca02c; } .c3 { stroke: #ff7f0e; fill: #ff7f0e; background: #ff7f0e; }
.c4 { stroke: #9467bd; fill: #9467bd; background: #9467bd; } .c5 { stroke: #8c564b; fill: #8c564b; background: #8c564b; }
.c6 { stroke: #e377c2; fill: #e377c2; background: #e377c2; } .c7 { stroke: #7f7f7f; fill: #7f7f7f; background: #7f7f7f; }
.c8 { stroke: #bcbd22; fill: #bcbd22; background: #bcbd22; } .c9 { stroke: #17becf; fill: #17becf; background: #17becf; }
polyline.c0, polyline.c1, polyline.c2, polyline.c3, polyline.c4, polyline.c5, polyline.c6, polyline.c7, polyline.c8, polyline.c9 { fill: none; }
.datawrap { max-height: 12rem; max-width: 100%; width: fit-content; overflow: auto; display: block; border-bottom: 1px solid #ccc; }
table.report caption { text-align: left; font-weight: 600; padding-bottom: 0.2rem; white-space: nowrap; }
.data { font-size: 0.8rem; margin: 0; } .data caption { text-align: left; color: #555; }
.nodata { color: #777; font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section, figure, .finding { break-inside: avoid; page-break-inside: avoid; }
  .finding { background: none; }
  svg { max-width: 100%; }
  .datawrap { max-height: none; overflow: visible; border: none; }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{if .Subtitle}}<p class="subtitle">{{.Subtitle}}</p>{{end}}
{{if .Generated}}<p class="subtitle">Generated {{.Generated}}</p>{{end}}
</header>
{{if or .Coverage.Lines .Coverage.Warnings .Coverage.State}}
<section class="coverage" id="coverage">
<h2>Coverage{{if .Coverage.State}} ({{.Coverage.State}}){{end}}</h2>
{{range .Coverage.Warnings}}<p class="warning">{{.}}</p>
{{end}}{{if .Coverage.Lines}}<dl>{{range .Coverage.Lines}}
<dt>{{.Label}}</dt><dd>{{.Value}}</dd>{{end}}
</dl>{{end}}
</section>
{{end}}
<section id="findings">
<h2>Findings</h2>
{{if not .Findings}}<p class="nodata">No findings.</p>
{{else}}<table class="findings">
<thead><tr><th>severity</th><th>finding</th><th>summary</th></tr></thead>
<tbody>{{range $i, $f := .Findings}}<tr><td><span class="sev {{.Class}}">{{.Severity}}</span></td><td>{{.Title}}</td><td>{{.Summary}}</td></tr>
{{end}}</tbody></table>
<p>Each finding's evidence and advice follow the charts, under Finding details.</p>
{{end}}</section>
{{range .Sections}}
<section>
<h2>{{.Title}}</h2>
{{if .Note}}<p>{{.Note}}</p>{{end}}
{{if .Items}}<ul class="items">{{range .Items}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{range $c := .Charts}}<figure class="chart chart-{{if .Kind}}{{.Kind}}{{else}}empty{{end}}">
<figcaption>{{.Title}}</figcaption>
{{if eq .Kind "line"}}<svg viewBox="{{.ViewBox}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.SVGLabel}}">
{{range .Axis.YTicks}}<line class="grid" x1="{{$c.Axis.X0}}" x2="{{$c.Axis.X1}}" y1="{{.Pos}}" y2="{{.Pos}}"></line><text class="ytick" x="{{$c.Axis.X0}}" y="{{.Pos}}" dx="-4" dy="4" text-anchor="end">{{.Label}}</text>
{{end}}<line class="axis" x1="{{.Axis.X0}}" x2="{{.Axis.X0}}" y1="{{.Axis.Y0}}" y2="{{.Axis.Y1}}"></line><line class="axis" x1="{{.Axis.X0}}" x2="{{.Axis.X1}}" y1="{{.Axis.Y0}}" y2="{{.Axis.Y0}}"></line>
{{range .Axis.XTicks}}<text class="xtick" x="{{.Pos}}" y="{{$c.Axis.Y0}}" dy="16" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Lines}}<polyline class="{{.Class}}" points="{{.Points}}"></polyline>
{{$class := .Class}}{{range .Dots}}<circle class="point {{$class}}" cx="{{.X}}" cy="{{.Y}}" r="2.5"><title>{{.Title}}</title></circle>{{end}}
{{end}}</svg>
<ul class="legend">{{range .Legend}}<li><span class="swatch {{.Class}}"></span>{{.Name}}</li>{{end}}</ul>
{{else if eq .Kind "bar"}}<svg viewBox="{{.ViewBox}}" width="{{.Width}}" height="{{.Height}}" role="img" aria-label="{{.SVGLabel}}">
{{range .Bars}}<g class="bar"><title>{{.Title}}</title><text class="barlabel" x="214" y="{{.TextY}}" text-anchor="end">{{.Label}}</text><rect class="{{.Class}}" x="220" y="{{.Y}}" width="{{.Width}}" height="16"></rect><text class="barvalue" x="{{.ValueX}}" y="{{.TextY}}">{{.ValueText}}</text></g>
{{end}}</svg>
{{else}}<p class="nodata">No data.</p>
{{end}}{{if .Rows}}<div class="datawrap"><table class="data"><caption>Data of the chart</caption>
<thead><tr>{{range $i, $h := .Head}}<th{{if $i}} class="num"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if $i}} class="num"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody></table></div>{{end}}
</figure>
{{end}}
{{range .Tables}}<table class="report">
{{if .Title}}<caption>{{.Title}}</caption>{{end}}
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
{{end}}
</section>
{{end}}
{{if .Findings}}<section id="finding-details">
<h2>Finding details</h2>
{{range .Findings}}<article class="finding {{.Class}}">
<h3><span class="sev {{.Class}}">{{.Severity}}</span>{{.Title}}</h3>
{{if .Summary}}<p class="summary">{{.Summary}}</p>{{end}}
{{if .Subject}}<p>Subject: {{.Subject}}</p>{{end}}
{{if .Evidence}}<ul class="evidence">{{range .Evidence}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Advice}}<p class="advice">{{.Advice}}</p>{{end}}
</article>
{{end}}</section>
{{end}}
</body>
</html>
`
