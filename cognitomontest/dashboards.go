package cognitomontest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// DashboardARNPrefix is how the ARNs of the fake's dashboards begin; the
// name follows. Dashboards are global, so the ARN has no Region (FACTS.md
// 9.3).
const DashboardARNPrefix = "arn:aws:cloudwatch::123456789012:dashboard/"

// registerDashboards adds the dashboard operations to the server's routes.
func (f *CloudWatch) registerDashboards(r routes) {
	r["CloudWatch.PutDashboard"] = op(f.PutDashboard)
	r["CloudWatch.GetDashboard"] = op(f.GetDashboard)
	r["CloudWatch.ListDashboards"] = op(f.ListDashboards)
	r["CloudWatch.DeleteDashboards"] = op(f.DeleteDashboards)
}

// dashboardStore holds the fake's dashboards, guarded by CloudWatch.mu.
type dashboardStore struct {
	byName   map[string]storedDashboard
	accepted int
}

type storedDashboard struct {
	body     string
	modified time.Time
}

var fakeDashboardName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// listDashboardsPage is how many entries a ListDashboards page holds, as
// AWS documents (FACTS.md 9.3).
const listDashboardsPage = 1000

// PutDashboards returns how many PutDashboard calls the fake accepted:
// rejected bodies, throttled calls and injected failures do not count.
func (f *CloudWatch) PutDashboards() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dashes.accepted
}

// Dashboard returns the body of the named dashboard as it was put, and
// whether it exists.
func (f *CloudWatch) Dashboard(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.dashes.byName[name]
	return d.body, ok
}

func dashboardNotFound(name string) error {
	return &cwtypes.DashboardNotFoundError{Message: aws.String("Dashboard " + name + " does not exist")}
}

// PutDashboard creates or replaces a dashboard, after checking its name and
// body as CloudWatch documents (FACTS.md 9.3); a bad body fails with
// DashboardInvalidInputError (code InvalidParameterInput) carrying one
// DashboardValidationMessage per problem.
func (f *CloudWatch) PutDashboard(ctx context.Context, in *cloudwatch.PutDashboardInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutDashboardOutput, error) {
	if err := f.begin("PutDashboard"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.DashboardName)
	if len(name) > 255 || !fakeDashboardName.MatchString(name) {
		return nil, &cwtypes.DashboardInvalidInputError{
			Message: aws.String("The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_)."),
		}
	}
	if in.DashboardBody == nil {
		return nil, cwError(codeMissingParameter, "The parameter DashboardBody is required.")
	}
	if problems := checkDashboardBody(*in.DashboardBody); len(problems) > 0 {
		return nil, &cwtypes.DashboardInvalidInputError{
			Message:                     aws.String(fmt.Sprintf("The dashboard body is invalid, there are %d validation errors", len(problems))),
			DashboardValidationMessages: problems,
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dashes.byName == nil {
		f.dashes.byName = map[string]storedDashboard{}
	}
	f.dashes.byName[name] = storedDashboard{body: *in.DashboardBody, modified: f.opts.Now().UTC()}
	f.dashes.accepted++
	return &cloudwatch.PutDashboardOutput{}, nil
}

// GetDashboard returns a dashboard's body as it was put.
func (f *CloudWatch) GetDashboard(ctx context.Context, in *cloudwatch.GetDashboardInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetDashboardOutput, error) {
	if err := f.begin("GetDashboard"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.DashboardName)
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.dashes.byName[name]
	if !ok {
		return nil, dashboardNotFound(name)
	}
	return &cloudwatch.GetDashboardOutput{DashboardName: aws.String(name), DashboardArn: aws.String(DashboardARNPrefix + name), DashboardBody: aws.String(d.body)}, nil
}

// ListDashboards lists the dashboards whose names start with the prefix, in
// name order, 1000 a page.
func (f *CloudWatch) ListDashboards(ctx context.Context, in *cloudwatch.ListDashboardsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListDashboardsOutput, error) {
	if err := f.begin("ListDashboards"); err != nil {
		return nil, err
	}
	prefix := aws.ToString(in.DashboardNamePrefix)
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, cwError(codeInvalidValue, "The NextToken %q is invalid.", tok)
		}
		start = n
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n := range f.dashes.byName {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &cloudwatch.ListDashboardsOutput{DashboardEntries: []cwtypes.DashboardEntry{}}
	for i := start; i < len(names) && i < start+listDashboardsPage; i++ {
		d := f.dashes.byName[names[i]]
		out.DashboardEntries = append(out.DashboardEntries, cwtypes.DashboardEntry{
			DashboardName: aws.String(names[i]), DashboardArn: aws.String(DashboardARNPrefix + names[i]),
			LastModified: aws.Time(d.modified), Size: aws.Int64(int64(len(d.body))),
		})
	}
	if start+listDashboardsPage < len(names) {
		out.NextToken = aws.String(strconv.Itoa(start + listDashboardsPage))
	}
	return out, nil
}

// DeleteDashboards deletes up to 100 dashboards; if one does not exist it
// fails with DashboardNotFoundError and deletes none (FACTS.md 9.3).
func (f *CloudWatch) DeleteDashboards(ctx context.Context, in *cloudwatch.DeleteDashboardsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DeleteDashboardsOutput, error) {
	if err := f.begin("DeleteDashboards"); err != nil {
		return nil, err
	}
	if len(in.DashboardNames) == 0 || len(in.DashboardNames) > 100 {
		return nil, cwError(codeInvalidValue, "DashboardNames must hold 1 to 100 names, not %d.", len(in.DashboardNames))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range in.DashboardNames {
		if _, ok := f.dashes.byName[n]; !ok {
			return nil, dashboardNotFound(n)
		}
	}
	for _, n := range in.DashboardNames {
		delete(f.dashes.byName, n)
	}
	return &cloudwatch.DeleteDashboardsOutput{}, nil
}

// The fake's own reading of the dashboard-body rules (FACTS.md 9.3),
// written apart from the library's validator so that each checks the other.

// fakeWidget is a widget as the fake decodes it: pointers tell absent from
// zero.
type fakeWidget struct {
	Type       *string                    `json:"type"`
	X          *json.Number               `json:"x"`
	Y          *json.Number               `json:"y"`
	Width      *json.Number               `json:"width"`
	Height     *json.Number               `json:"height"`
	Properties map[string]json.RawMessage `json:"properties"`
}

var fakeSourcePrefix = regexp.MustCompile(`^SOURCE\s+'[^']+'\s*\|`)

// checkDashboardBody returns one message per rule the body breaks.
func checkDashboardBody(body string) []cwtypes.DashboardValidationMessage {
	var out []cwtypes.DashboardValidationMessage
	problem := func(path, format string, args ...any) {
		out = append(out, cwtypes.DashboardValidationMessage{DataPath: aws.String(path), Message: aws.String(fmt.Sprintf(format, args...))})
	}
	var top struct {
		Widgets *[]json.RawMessage `json:"widgets"`
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		problem("", "Invalid JSON: %v", err)
		return out
	}
	if dec.More() {
		problem("", "Invalid JSON: trailing data")
		return out
	}
	if top.Widgets == nil {
		problem("", "Should have required property 'widgets'")
		return out
	}
	if n := len(*top.Widgets); n > 500 {
		problem("/widgets", "Should NOT have more than 500 items")
	}
	totalMetrics := 0
	for i, raw := range *top.Widgets {
		path := "/widgets/" + strconv.Itoa(i)
		var w fakeWidget
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		if err := d.Decode(&w); err != nil {
			problem(path, "Should be object")
			continue
		}
		num := func(field string, p *json.Number, lo, hi int64) int64 {
			if p == nil {
				return -1
			}
			n, err := p.Int64()
			switch {
			case err != nil:
				problem(path+"/"+field, "Should be integer")
			case n < lo:
				problem(path+"/"+field, "Should be >= %d", lo)
			case hi > 0 && n > hi:
				problem(path+"/"+field, "Should be <= %d", hi)
			}
			return n
		}
		x := num("x", w.X, 0, 23)
		num("y", w.Y, 0, 0)
		width := num("width", w.Width, 1, 24)
		num("height", w.Height, 1, 1000)
		if (w.X == nil) != (w.Y == nil) {
			problem(path, "Should have both 'x' and 'y' or neither")
		}
		if width < 0 {
			width = 6
		}
		if x >= 0 && x+width > 24 {
			problem(path, "Widget extends beyond the 24-column grid")
		}
		typ := ""
		if w.Type == nil {
			problem(path, "Should have required property 'type'")
		} else {
			typ = *w.Type
		}
		if w.Properties == nil {
			problem(path, "Should have required property 'properties'")
			continue
		}
		props := w.Properties
		path += "/properties"
		nonEmpty := func(key string) (string, bool) {
			raw, ok := props[key]
			var s string
			if !ok || json.Unmarshal(raw, &s) != nil || s == "" {
				return "", false
			}
			return s, true
		}
		switch typ {
		case "metric":
			if _, ok := nonEmpty("region"); !ok {
				problem(path, "Should have required property 'region'")
			}
			var metrics [][]json.RawMessage
			if raw, ok := props["metrics"]; ok {
				if err := json.Unmarshal(raw, &metrics); err != nil {
					problem(path+"/metrics", "Should be array of arrays")
				}
			} else if _, ok := props["annotations"]; !ok {
				problem(path, "Should have required property 'metrics'")
			}
			if len(metrics) > 500 {
				problem(path+"/metrics", "Should NOT have more than 500 items")
			}
			ids := map[string]int{}
			for j, m := range metrics {
				if len(m) == 0 {
					problem(path+"/metrics/"+strconv.Itoa(j), "Should NOT have fewer than 1 items")
					continue
				}
				var opts struct {
					ID         *string      `json:"id"`
					Expression *string      `json:"expression"`
					Period     *json.Number `json:"period"`
				}
				last := m[len(m)-1]
				isObj := json.Unmarshal(last, &opts) == nil && strings.HasPrefix(strings.TrimSpace(string(last)), "{")
				if !isObj || opts.Expression == nil {
					totalMetrics++
				}
				if isObj && opts.ID != nil {
					id := *opts.ID
					if id == "" || id[0] < 'a' || id[0] > 'z' {
						problem(path+"/metrics/"+strconv.Itoa(j), "The id %q must start with a lowercase letter", id)
					}
					ids[id]++
					if ids[id] == 2 {
						problem(path+"/metrics/"+strconv.Itoa(j), "Duplicate id %q", id)
					}
				}
				if isObj && opts.Period != nil {
					if p, err := opts.Period.Int64(); err != nil || p < 60 || p%60 != 0 {
						problem(path+"/metrics/"+strconv.Itoa(j)+"/period", "Should be a multiple of 60")
					}
				}
			}
			if raw, ok := props["period"]; ok {
				var p int64
				if err := json.Unmarshal(raw, &p); err != nil || p < 60 || p%60 != 0 {
					problem(path+"/period", "Should be a multiple of 60")
				}
			}
			if raw, ok := props["view"]; ok {
				var v string
				_ = json.Unmarshal(raw, &v)
				if !slices.Contains([]string{"timeSeries", "singleValue", "gauge", "bar", "pie", "table"}, v) {
					problem(path+"/view", "Should be equal to one of the allowed values")
				}
			}
		case "log":
			if _, ok := nonEmpty("region"); !ok {
				problem(path, "Should have required property 'region'")
			}
			q, ok := nonEmpty("query")
			switch {
			case !ok:
				problem(path, "Should have required property 'query'")
			case !fakeSourcePrefix.MatchString(q):
				problem(path+"/query", "The query must begin with SOURCE '<log group>' |")
			}
		case "alarm":
			var alarms []string
			raw, ok := props["alarms"]
			if !ok || json.Unmarshal(raw, &alarms) != nil {
				problem(path, "Should have required property 'alarms'")
				break
			}
			if len(alarms) == 0 || len(alarms) > 100 {
				problem(path+"/alarms", "Should have 1 to 100 items")
			}
			for j, a := range alarms {
				if !strings.HasPrefix(a, "arn:") || !strings.Contains(a, ":alarm:") {
					problem(path+"/alarms/"+strconv.Itoa(j), "Should be an alarm ARN")
				}
			}
		case "text":
			var md string
			if raw, ok := props["markdown"]; !ok || json.Unmarshal(raw, &md) != nil {
				problem(path, "Should have required property 'markdown'")
			}
		case "explorer":
		default:
			problem(strings.TrimSuffix(path, "/properties")+"/type", "Should be equal to one of the allowed values")
		}
	}
	if totalMetrics > 2500 {
		problem("/widgets", "The dashboard has %d metrics, more than 2500", totalMetrics)
	}
	return out
}
