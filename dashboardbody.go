package cognitomon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// This file is the dashboard body: the JSON shapes StandardDashboard writes,
// and the validator that checks any body against CloudWatch's documented
// rules (FACTS.md 9.3) before it is sent or exported.

// dashboardBody is the top level of a body.
type dashboardBody struct {
	Widgets []widget `json:"widgets"`
}

// widget is one widget; Properties is one of the *Props types.
type widget struct {
	Type       string `json:"type"`
	X          int    `json:"x"`
	Y          int    `json:"y"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Properties any    `json:"properties"`
}

type metricProps struct {
	Title       string       `json:"title"`
	Region      string       `json:"region"`
	View        string       `json:"view"`
	Stacked     bool         `json:"stacked"`
	Period      int          `json:"period"`
	Metrics     [][]any      `json:"metrics"`
	YAxis       *yAxis       `json:"yAxis,omitempty"`
	Annotations *annotations `json:"annotations,omitempty"`
}

type yAxis struct {
	Left  *axis `json:"left,omitempty"`
	Right *axis `json:"right,omitempty"`
}

type axis struct {
	Min   *float64 `json:"min,omitempty"`
	Label string   `json:"label,omitempty"`
}

type annotations struct {
	Horizontal []horizontalAnnotation `json:"horizontal,omitempty"`
}

type horizontalAnnotation struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

// statRender is the render-properties object that ends a metric entry.
type statRender struct {
	ID      string `json:"id"`
	Stat    string `json:"stat"`
	Period  int    `json:"period"`
	Visible bool   `json:"visible"`
}

// expressionEntry is a metric-math, SEARCH or Metrics Insights entry.
type expressionEntry struct {
	Expression string `json:"expression"`
	ID         string `json:"id"`
	Label      string `json:"label,omitempty"`
	Visible    *bool  `json:"visible,omitempty"`
	YAxis      string `json:"yAxis,omitempty"`
}

type logProps struct {
	Title  string `json:"title"`
	Region string `json:"region"`
	View   string `json:"view"`
	Query  string `json:"query"`
}

type alarmProps struct {
	Title  string   `json:"title"`
	Alarms []string `json:"alarms"`
	SortBy string   `json:"sortBy"`
}

type textProps struct {
	Markdown string `json:"markdown"`
}

func textWidget(markdown string) widget {
	return widget{Type: "text", Properties: textProps{Markdown: markdown}}
}

// encodeBody renders a body as compact JSON, without HTML escaping so that
// "<" and ">" stay readable in queries.
func encodeBody(b dashboardBody) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return "", fmt.Errorf("encoding the dashboard body: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// decodeJSON decodes one JSON value, numbers as json.Number, and rejects
// trailing data.
func decodeJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// canonicalBody returns body with its object keys sorted and no
// insignificant space, so that two bodies that mean the same compare equal
// whatever the key order and spacing GetDashboard returns them in.
//
// Assumption (FACTS.md 9.3, 9.6): GetDashboard may not return the body
// byte-for-byte as it was put; cognitomon compares the parsed JSON. A user
// with an account can check by comparing PutDashboard's body with
// GetDashboard's.
func canonicalBody(body string) (string, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// Validate reports every way in which d would be rejected by PutDashboard
// according to the documented rules (FACTS.md 9.3): the name (1 to 255 of
// A-Z a-z 0-9 - _), and the body: a JSON object whose widgets (at most 500)
// have a known type, x in 0..23 and y >= 0 given together, width 1..24,
// height 1..1000, a widget inside the 24 columns, and properties; metric
// widgets a region, at most 500 metrics, valid ids, periods and views; log
// widgets a region and a query that starts with SOURCE '<group>' |; alarm
// widgets 1 to 100 alarm ARNs; text widgets markdown; and at most 2,500
// metrics in all. The error wraps a *types.DashboardInvalidInputError whose
// DashboardValidationMessages name each problem's data path, the same type
// PutDashboard fails with, so that one errors.As covers both.
func (d Dashboard) Validate() error {
	var msgs []cwtypes.DashboardValidationMessage
	if len(d.Name) > maxDashboardNameLength || !dashboardNamePattern.MatchString(d.Name) {
		msgs = append(msgs, validationMessage("/DashboardName", fmt.Sprintf("%q must be 1 to %d characters of A-Z a-z 0-9 - _", text.Truncate(d.Name), maxDashboardNameLength)))
	}
	msgs = append(msgs, validateBody(d.Body)...)
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("dashboard %q: %w", text.Truncate(d.Name), invalidDashboard(msgs))
}

func validationMessage(path, msg string) cwtypes.DashboardValidationMessage {
	return cwtypes.DashboardValidationMessage{DataPath: aws.String(path), Message: aws.String(msg)}
}

// invalidDashboard wraps validation messages in the SDK's error type, its
// message listing them all.
func invalidDashboard(msgs []cwtypes.DashboardValidationMessage) *cwtypes.DashboardInvalidInputError {
	return &cwtypes.DashboardInvalidInputError{
		Message:                     aws.String(fmt.Sprintf("the dashboard body is invalid, %d validation error(s): %s", len(msgs), formatValidationMessages(msgs))),
		DashboardValidationMessages: msgs,
	}
}

// formatValidationMessages formats messages as "path: message; ...".
func formatValidationMessages(msgs []cwtypes.DashboardValidationMessage) string {
	parts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		parts = append(parts, aws.ToString(m.DataPath)+": "+aws.ToString(m.Message))
	}
	return strings.Join(parts, "; ")
}

// The enumerations of the body (FACTS.md 9.3).
var (
	widgetTypes     = []string{"metric", "text", "log", "alarm", "explorer"}
	metricViews     = []string{"timeSeries", "singleValue", "gauge", "bar", "pie", "table"}
	logViews        = []string{"table", "timeSeries", "bar", "pie"}
	alarmSortBys    = []string{"default", "stateUpdatedTimestamp", "timestamp"}
	alarmStates     = []string{"ALARM", "INSUFFICIENT_DATA", "OK"}
	textBackgrounds = []string{"solid", "transparent"}
	statPattern     = regexp.MustCompile(`^(SampleCount|Average|Sum|Minimum|Maximum|p(\d{1,2}(\.\d+)?|100))$`)
	timezonePattern = regexp.MustCompile(`^[+-]\d{4}$`)
	logSourcePrefix = regexp.MustCompile(`^SOURCE '[\.\-_/#A-Za-z0-9]{1,512}' \|`)
)

// bodyValidator collects the problems of one body.
type bodyValidator struct {
	msgs    []cwtypes.DashboardValidationMessage
	metrics int
}

func (v *bodyValidator) bad(path, format string, args ...any) {
	v.msgs = append(v.msgs, validationMessage(path, fmt.Sprintf(format, args...)))
}

// validateBody returns the problems of a body, or none.
func validateBody(body string) []cwtypes.DashboardValidationMessage {
	v := &bodyValidator{}
	tree, err := decodeJSON(body)
	if err != nil {
		v.bad("/", "the body is not valid JSON: %v", err)
		return v.msgs
	}
	top, ok := tree.(map[string]any)
	if !ok {
		v.bad("/", "the body must be a JSON object")
		return v.msgs
	}
	ws, ok := top["widgets"].([]any)
	switch {
	case top["widgets"] == nil:
		v.bad("/widgets", "required")
	case !ok:
		v.bad("/widgets", "must be an array")
	case len(ws) > maxDashboardWidgets:
		v.bad("/widgets", "has %d widgets, more than %d", len(ws), maxDashboardWidgets)
	}
	for i, w := range ws {
		v.widget("/widgets/"+strconv.Itoa(i), w)
	}
	if po, ok := top["periodOverride"]; ok {
		v.oneOf("/periodOverride", po, []string{"auto", "inherit"})
	}
	if _, ok := top["end"]; ok {
		if _, ok := top["start"]; !ok {
			v.bad("/end", "end requires start")
		}
	}
	if vars, ok := top["variables"]; ok {
		if l, ok := vars.([]any); !ok || len(l) > 25 {
			v.bad("/variables", "must be an array of at most 25 variables")
		}
	}
	if v.metrics > maxDashboardMetrics {
		v.bad("/widgets", "the widgets use %d metrics, more than %d per dashboard", v.metrics, maxDashboardMetrics)
	}
	return v.msgs
}

// integer returns a JSON number as an int, or false.
func integer(x any) (int, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 32)
	return int(i), err == nil
}

// oneOf checks that x is one of the strings allowed.
func (v *bodyValidator) oneOf(path string, x any, allowed []string) bool {
	s, ok := x.(string)
	if !ok || !slices.Contains(allowed, s) {
		v.bad(path, "must be one of %s", strings.Join(allowed, ", "))
		return false
	}
	return true
}

// str returns the non-empty string at key, reporting it when required.
func (v *bodyValidator) str(path string, m map[string]any, key string, required bool) (string, bool) {
	x, present := m[key]
	if !present {
		if required {
			v.bad(path+"/"+key, "required")
		}
		return "", false
	}
	s, ok := x.(string)
	if !ok || s == "" {
		v.bad(path+"/"+key, "must be a non-empty string")
		return "", false
	}
	return s, true
}

func (v *bodyValidator) widget(path string, x any) {
	w, ok := x.(map[string]any)
	if !ok {
		v.bad(path, "a widget must be an object")
		return
	}
	typ, _ := w["type"].(string)
	if !v.oneOf(path+"/type", w["type"], widgetTypes) {
		typ = ""
	}
	_, hasX := w["x"]
	_, hasY := w["y"]
	if hasX != hasY {
		v.bad(path, "x and y must be given together")
	}
	col, width := 0, 6
	if hasX {
		if n, ok := integer(w["x"]); !ok || n < 0 || n > gridColumns-1 {
			v.bad(path+"/x", "must be an integer from 0 to %d", gridColumns-1)
		} else {
			col = n
		}
	}
	if hasY {
		if n, ok := integer(w["y"]); !ok || n < 0 {
			v.bad(path+"/y", "must be an integer of at least 0")
		}
	}
	if x, ok := w["width"]; ok {
		if n, ok := integer(x); !ok || n < 1 || n > gridColumns {
			v.bad(path+"/width", "must be an integer from 1 to %d", gridColumns)
		} else {
			width = n
		}
	}
	if x, ok := w["height"]; ok {
		if n, ok := integer(x); !ok || n < 1 || n > maxWidgetHeight {
			v.bad(path+"/height", "must be an integer from 1 to %d", maxWidgetHeight)
		}
	}
	// Assumption (FACTS.md 9.3): the grid is 24 columns, so a widget must
	// end by column 24; CloudWatch may instead move or clip such a widget.
	// A user with an account can check with a PutDashboard of x 20, width 8.
	if col+width > gridColumns {
		v.bad(path, "x %d + width %d passes the %d-column grid", col, width, gridColumns)
	}
	props, ok := w["properties"].(map[string]any)
	if !ok {
		if w["properties"] == nil {
			v.bad(path+"/properties", "required")
		} else {
			v.bad(path+"/properties", "must be an object")
		}
		return
	}
	path += "/properties"
	switch typ {
	case "metric":
		v.metricWidget(path, props)
	case "log":
		v.str(path, props, "region", true)
		if q, ok := v.str(path, props, "query", true); ok && !logSourcePrefix.MatchString(q) {
			v.bad(path+"/query", "must start with SOURCE '<log group>' |")
		}
		if view, ok := props["view"]; ok {
			v.oneOf(path+"/view", view, logViews)
		}
	case "alarm":
		l, ok := props["alarms"].([]any)
		if !ok || len(l) < 1 || len(l) > maxAlarmWidgetAlarms {
			v.bad(path+"/alarms", "must be an array of 1 to %d alarm ARNs", maxAlarmWidgetAlarms)
		}
		for i, a := range l {
			if s, ok := a.(string); !ok || !alarmARNPattern.MatchString(s) {
				v.bad(path+"/alarms/"+strconv.Itoa(i), "must be an alarm ARN")
			}
		}
		if s, ok := props["sortBy"]; ok {
			v.oneOf(path+"/sortBy", s, alarmSortBys)
		}
		if s, ok := props["states"]; ok {
			l, _ := s.([]any)
			if l == nil {
				v.bad(path+"/states", "must be an array")
			}
			for i, st := range l {
				v.oneOf(path+"/states/"+strconv.Itoa(i), st, alarmStates)
			}
		}
	case "text":
		if _, ok := props["markdown"].(string); !ok {
			v.bad(path+"/markdown", "required, a string")
		}
		if bg, ok := props["background"]; ok {
			v.oneOf(path+"/background", bg, textBackgrounds)
		}
	}
}

func (v *bodyValidator) metricWidget(path string, props map[string]any) {
	v.str(path, props, "region", true)
	if view, ok := props["view"]; ok && v.oneOf(path+"/view", view, metricViews) && view == "gauge" {
		left, _ := nested(props, "yAxis", "left").(map[string]any)
		if left == nil || left["min"] == nil || left["max"] == nil {
			v.bad(path+"/yAxis/left", "a gauge needs min and max")
		}
	}
	if s, ok := props["stat"]; ok {
		if str, _ := s.(string); !statPattern.MatchString(str) {
			v.bad(path+"/stat", "must be SampleCount, Average, Sum, Minimum, Maximum or p??")
		}
	}
	if p, ok := props["period"]; ok {
		v.period(path+"/period", p)
	}
	if tz, ok := props["timezone"]; ok {
		if s, _ := tz.(string); !timezonePattern.MatchString(s) {
			v.bad(path+"/timezone", "must be +HHMM or -HHMM")
		}
	}
	alarmAnnotation := false
	if a, ok := props["annotations"].(map[string]any); ok {
		if l, ok := a["alarms"].([]any); ok {
			alarmAnnotation = true
			if len(l) > 1 {
				v.bad(path+"/annotations/alarms", "at most one alarm ARN")
			}
			if a["horizontal"] != nil || a["vertical"] != nil {
				v.bad(path+"/annotations", "an alarm annotation cannot be combined with horizontal or vertical annotations")
			}
		}
	}
	raw, present := props["metrics"]
	metrics, ok := raw.([]any)
	switch {
	case !present && !alarmAnnotation:
		v.bad(path+"/metrics", "required unless an alarm annotation is given")
	case present && alarmAnnotation:
		v.bad(path+"/metrics", "cannot be combined with an alarm annotation")
	case present && !ok:
		v.bad(path+"/metrics", "must be an array of arrays")
	case len(metrics) > maxWidgetMetrics:
		v.bad(path+"/metrics", "has %d entries, more than %d", len(metrics), maxWidgetMetrics)
	}
	ids := map[string]bool{}
	insights := 0
	for i, e := range metrics {
		ep := path + "/metrics/" + strconv.Itoa(i)
		entry, ok := e.([]any)
		if !ok || len(entry) == 0 {
			v.bad(ep, "must be a non-empty array")
			continue
		}
		last, hasRender := entry[len(entry)-1].(map[string]any)
		if id, ok := last["id"]; hasRender && ok {
			s, _ := id.(string)
			switch {
			case !queryIDPattern.MatchString(s):
				v.bad(ep+"/id", "must start with a lowercase letter and hold only letters, digits and _")
			case ids[s]:
				v.bad(ep+"/id", "%q is used twice in the widget", s)
			}
			ids[s] = true
		}
		if hasRender {
			if p, ok := last["period"]; ok {
				v.period(ep+"/period", p)
			}
			if s, ok := last["stat"]; ok {
				if str, _ := s.(string); !statPattern.MatchString(str) {
					v.bad(ep+"/stat", "must be SampleCount, Average, Sum, Minimum, Maximum or p??")
				}
			}
		}
		if expr, isExpr := last["expression"]; hasRender && isExpr {
			s, _ := expr.(string)
			if s == "" || len(s) > maxExpressionLen {
				v.bad(ep+"/expression", "must be 1 to %d characters", maxExpressionLen)
			}
			if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(s)), "SELECT ") {
				insights++
			}
			if len(entry) != 1 {
				v.bad(ep, "an expression entry holds only its object")
			}
			continue
		}
		strs := entry
		if hasRender {
			strs = entry[:len(entry)-1]
		}
		for j, s := range strs {
			if str, ok := s.(string); !ok || str == "" {
				v.bad(ep+"/"+strconv.Itoa(j), "must be a non-empty string")
			}
		}
		if len(strs) < 2 || len(strs)%2 != 0 {
			v.bad(ep, "a metric is [namespace, metric name, dimension name, value, ...]")
		}
		v.metrics++
	}
	if insights > 1 {
		v.bad(path+"/metrics", "at most one Metrics Insights query per widget")
	}
}

func (v *bodyValidator) period(path string, x any) {
	if n, ok := integer(x); !ok || n < 60 || n%60 != 0 {
		v.bad(path, "must be a multiple of 60, at least 60")
	}
}

// nested returns m[k1][k2]..., or nil.
func nested(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

// bodyWidget is one widget of a parsed body, for plan diffs.
type bodyWidget struct {
	key     string // the title, or for an untitled widget its type and position
	summary string // what people see in a diff
	canon   string // the widget's canonical JSON
}

// bodyWidgets parses the widgets of a body for diffs. Titles seen twice get
// " (2)", " (3)" ... so that keys are unique.
func bodyWidgets(body string) ([]bodyWidget, error) {
	tree, err := decodeJSON(body)
	if err != nil {
		return nil, err
	}
	ws, _ := nested(map[string]any{"b": tree}, "b", "widgets").([]any)
	var out []bodyWidget
	seen := map[string]int{}
	for i, x := range ws {
		w, _ := x.(map[string]any)
		typ, _ := w["type"].(string)
		title, _ := nested(w, "properties", "title").(string)
		if title == "" && typ == "text" {
			md, _ := nested(w, "properties", "markdown").(string)
			title, _, _ = strings.Cut(md, "\n")
			title = strings.TrimLeft(title, "# ")
		}
		if title == "" {
			title = typ + " widget " + strconv.Itoa(i+1)
		}
		seen[title]++
		if n := seen[title]; n > 1 {
			title += " (" + strconv.Itoa(n) + ")"
		}
		c, err := json.Marshal(w)
		if err != nil {
			return nil, err
		}
		s := fmt.Sprintf("%s at %v,%v size %vx%v", typ, w["x"], w["y"], w["width"], w["height"])
		switch typ {
		case "metric":
			l, _ := nested(w, "properties", "metrics").([]any)
			s += fmt.Sprintf(", %d metrics and expressions", len(l))
		case "alarm":
			l, _ := nested(w, "properties", "alarms").([]any)
			s += fmt.Sprintf(", %d alarms", len(l))
		case "log":
			q, _ := nested(w, "properties", "query").(string)
			s += fmt.Sprintf(", a %d-character query", len(q))
		}
		out = append(out, bodyWidget{key: title, summary: s, canon: string(c)})
	}
	return out, nil
}
