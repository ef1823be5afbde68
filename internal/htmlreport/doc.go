// Package htmlreport renders a report as one self-contained HTML page:
// inline CSS, inline SVG charts, no scripts and nothing loaded from the
// network, readable without JavaScript and laid out for print.
//
// The package has its own input model (Report and the types it holds) so
// that it does not depend on how the report was computed: the caller maps
// its figures into these values, and the page draws exactly those numbers.
// Every chart also prints its numbers: axis ticks, a <title> on each point
// and bar (shown as a tooltip), and a data table under the chart.
//
// Every string is escaped by html/template; no input can add markup.
package htmlreport
