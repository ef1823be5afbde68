package htmlreport

import "time"

// Report is the page: a title, the coverage block, a table of the
// findings, the sections with their charts and tables, and then each
// finding with its evidence and advice, drawn in that order.
type Report struct {
	// Title is the page's heading and <title>; required.
	Title string
	// Subtitle is a line under the title, such as the pool and the range.
	Subtitle string
	// Generated, when not zero, is printed as the time the report was made.
	Generated time.Time
	// Coverage says what the report read and what it could not see.
	Coverage Coverage
	// Findings are shown in the order given.
	Findings []Finding
	// Sections follow the findings.
	Sections []Section
}

// Coverage is the block that says which sources a report read.
type Coverage struct {
	// State, when set, is printed beside the heading: "complete", or what
	// is missing.
	State string
	// Warnings are gaps the reader must know about, highlighted and drawn
	// first, under the heading.
	Warnings []string
	// Lines are label/value pairs: "CloudTrail" / "LookupEvents, 7 days".
	Lines []Line
}

// Line is one label and its value.
type Line struct {
	Label string
	Value string
}

// Severity is a finding's severity, as the report names it ("high",
// "medium" ...). Severities the page knows get their own colour: critical,
// high, medium, low and info; others are drawn like info.
type Severity string

// Finding is one finding with its evidence.
type Finding struct {
	Severity Severity
	Title    string
	// Summary, when set, is a paragraph that says what was found.
	Summary string
	// Subject is what the finding is about: an IP, a client, a user.
	Subject string
	// Evidence lines back the finding, one per line.
	Evidence []string
	// Advice, when set, says what to do.
	Advice string
}

// Section is a titled part of the page.
type Section struct {
	Title string
	// Note is a paragraph under the title.
	Note string
	// Items, when set, are a bulleted list under the note.
	Items  []string
	Charts []Chart
	Tables []Table
}

// Chart is one chart: a line chart when Line is set, else a bar chart when
// Bar is set. A chart with neither, or with no data, is drawn as "no data".
type Chart struct {
	Title string
	// Unit is appended to values on the value axis and in the tooltips and
	// data table, such as "%" or " requests"; empty for plain counts.
	Unit string
	Line *LineChart
	Bar  *BarChart
}

// LineChart is several named series over time.
type LineChart struct {
	Series []Series
}

// Series is one line: its name and its points, in any order (they are
// drawn sorted by time).
type Series struct {
	Name   string
	Points []Point
}

// Point is one value at one time.
type Point struct {
	Time  time.Time
	Value float64
}

// BarChart is labelled values, drawn as horizontal bars in the order given
// (sort them first: top failing addresses, tokens per machine client).
type BarChart struct {
	Bars []Bar
}

// Bar is one labelled value.
type Bar struct {
	Label string
	Value float64
}

// Table is a plain table: its column headings and rows of cells.
type Table struct {
	Title   string
	Columns []string
	Rows    [][]string
}
