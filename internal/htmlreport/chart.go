package htmlreport

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// The geometry of a chart's SVG, in user units.
const (
	chartWidth   = 720
	lineHeight   = 260
	plotLeft     = 64
	plotRight    = 56
	plotTop      = 12
	plotBottom   = 36
	barRow       = 22
	barLabelW    = 220
	barValueW    = 90
	paletteSize  = 10
	maxDecimals  = 4
	timeLayout   = "2006-01-02 15:04"
	yTickTargets = 4
	xTickCount   = 5
)

// chartView is a chart ready for the template: every number already
// formatted.
type chartView struct {
	Title    string
	Kind     string // "line", "bar" or "" for no data
	Width    int
	Height   int
	ViewBox  string
	Axis     axisView
	Lines    []lineView
	Bars     []barView
	Legend   []legendView
	Head     []string
	Rows     [][]string
	Unit     string
	SVGLabel string
}

type axisView struct {
	X0, X1, Y0, Y1 string
	YTicks         []tickView
	XTicks         []tickView
}

type tickView struct {
	Pos   string // the coordinate along the axis
	Label string
}

type lineView struct {
	Class  string
	Points string
	Dots   []dotView
}

type dotView struct {
	X, Y  string
	Title string
}

type barView struct {
	Class            string
	Y, Width, TextY  string
	Label, ValueText string
	Title            string
	ValueX           string
}

type legendView struct {
	Class string
	Name  string
}

// formatValue prints v with at most four decimals and no exponent, the one
// format the page uses for every figure, so that what a test reads in the
// data table is what the ticks and tooltips say.
func formatValue(v float64) string {
	r := math.Round(v*1e4) / 1e4
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

func coord(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

// niceStep returns a round step (1, 2 or 5 times a power of ten) that cuts
// span into about yTickTargets parts.
func niceStep(span float64) float64 {
	if span <= 0 {
		return 1
	}
	raw := span / yTickTargets
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// buildChart lays c out. It fails on a value that is not a finite number.
func buildChart(c Chart) (chartView, error) {
	v := chartView{Title: c.Title, Unit: c.Unit, Width: chartWidth, SVGLabel: c.Title}
	switch {
	case c.Line != nil && hasPoints(c.Line):
		return v, v.line(c.Line, c.Unit)
	case c.Line == nil && c.Bar != nil && len(c.Bar.Bars) > 0:
		return v, v.bar(c.Bar, c.Unit)
	}
	return v, nil
}

func hasPoints(l *LineChart) bool {
	for _, s := range l.Series {
		if len(s.Points) > 0 {
			return true
		}
	}
	return false
}

func (v *chartView) line(l *LineChart, unit string) error {
	v.Kind, v.Height = "line", lineHeight
	v.ViewBox = fmt.Sprintf("0 0 %d %d", chartWidth, lineHeight)
	var tmin, tmax time.Time
	lo, hi := 0.0, 0.0
	times := map[time.Time]bool{}
	first := true
	for si, s := range l.Series {
		for pi, p := range s.Points {
			if !finite(p.Value) {
				return fmt.Errorf("series %q point %d: value %v is not a finite number", s.Name, pi+1, p.Value)
			}
			if p.Time.IsZero() {
				return fmt.Errorf("series %d (%q) point %d: no time", si+1, s.Name, pi+1)
			}
			t := p.Time.UTC()
			times[t] = true
			if first || t.Before(tmin) {
				tmin = t
			}
			if first || t.After(tmax) {
				tmax = t
			}
			first = false
			lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
		}
	}
	step := niceStep(hi - lo)
	lo = math.Floor(lo/step) * step
	hi = math.Ceil(hi/step) * step
	if hi == lo {
		hi = lo + step
	}
	x0, x1 := float64(plotLeft), float64(chartWidth-plotRight)
	y0, y1 := float64(lineHeight-plotBottom), float64(plotTop)
	span := tmax.Sub(tmin)
	xOf := func(t time.Time) float64 {
		if span == 0 {
			return (x0 + x1) / 2
		}
		return x0 + (x1-x0)*float64(t.Sub(tmin))/float64(span)
	}
	yOf := func(val float64) float64 { return y0 - (y0-y1)*(val-lo)/(hi-lo) }
	v.Axis = axisView{X0: coord(x0), X1: coord(x1), Y0: coord(y0), Y1: coord(y1)}
	for val := lo; val <= hi+step/2; val += step {
		v.Axis.YTicks = append(v.Axis.YTicks, tickView{Pos: coord(yOf(val)), Label: formatValue(val) + unit})
	}
	n := xTickCount
	if span == 0 {
		n = 1
	}
	for i := range n {
		t := tmin
		if n > 1 {
			t = tmin.Add(time.Duration(float64(span) * float64(i) / float64(n-1)))
		}
		v.Axis.XTicks = append(v.Axis.XTicks, tickView{Pos: coord(xOf(t)), Label: t.Format(timeLayout)})
	}
	v.Head = []string{"time (UTC)"}
	for si, s := range l.Series {
		class := "c" + strconv.Itoa(si%paletteSize)
		v.Legend = append(v.Legend, legendView{Class: class, Name: s.Name})
		v.Head = append(v.Head, s.Name)
		pts := slices.Clone(s.Points)
		slices.SortStableFunc(pts, func(a, b Point) int { return a.Time.Compare(b.Time) })
		lv := lineView{Class: class}
		for i, p := range pts {
			x, y := coord(xOf(p.Time.UTC())), coord(yOf(p.Value))
			if i > 0 {
				lv.Points += " "
			}
			lv.Points += x + "," + y
			lv.Dots = append(lv.Dots, dotView{X: x, Y: y, Title: s.Name + " " + p.Time.UTC().Format(timeLayout) + ": " + formatValue(p.Value) + unit})
		}
		v.Lines = append(v.Lines, lv)
	}
	sorted := make([]time.Time, 0, len(times))
	for t := range times {
		sorted = append(sorted, t)
	}
	slices.SortFunc(sorted, time.Time.Compare)
	for _, t := range sorted {
		row := []string{t.Format(timeLayout)}
		for _, s := range l.Series {
			cell := ""
			for _, p := range s.Points {
				if p.Time.UTC().Equal(t) {
					cell = formatValue(p.Value) + unit
				}
			}
			row = append(row, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	return nil
}

func (v *chartView) bar(b *BarChart, unit string) error {
	v.Kind = "bar"
	v.Height = plotTop*2 + barRow*len(b.Bars)
	v.ViewBox = fmt.Sprintf("0 0 %d %d", chartWidth, v.Height)
	hi := 0.0
	for i, bar := range b.Bars {
		if !finite(bar.Value) || bar.Value < 0 {
			return fmt.Errorf("bar %d (%q): value %v is not a finite number of at least 0", i+1, bar.Label, bar.Value)
		}
		hi = math.Max(hi, bar.Value)
	}
	if hi == 0 {
		hi = 1
	}
	full := float64(chartWidth - barLabelW - barValueW)
	v.Head = []string{"label", "value"}
	for i, bar := range b.Bars {
		y := float64(plotTop + i*barRow)
		w := full * bar.Value / hi
		val := formatValue(bar.Value) + unit
		v.Bars = append(v.Bars, barView{
			Class: "c0", Y: coord(y + 3), Width: coord(w), TextY: coord(y + barRow*0.7),
			Label: bar.Label, ValueText: val, Title: bar.Label + ": " + val, ValueX: coord(float64(barLabelW) + w + 6),
		})
		v.Rows = append(v.Rows, []string{bar.Label, val})
	}
	return nil
}
