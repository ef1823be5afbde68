package cognitomon_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
)

const (
	dashPool  = cognitomon.UserPoolID("eu-west-1_AbCdEf123")
	dashGroup = "aws-cloudtrail-logs-123456789012-abcd"
)

var dashAlarmARN = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + "cognitomon-" + string(dashPool) + "-" + "signin-failure-rate"

func dashInput() cognitomon.DashboardInput {
	return cognitomon.DashboardInput{
		UserPool:          dashPool,
		Clients:           []cognitomon.ClientID{"web1example", "m2mclient9"},
		IdentityProviders: []string{"Google"},
		ThreatProtection:  true,
		AlarmARNs:         []string{dashAlarmARN},
		TrailLogGroup:     dashGroup,
	}
}

// parsedWidget is the part of a widget the tests read.
type parsedWidget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

func parseBody(t *testing.T, body string) []parsedWidget {
	t.Helper()
	var b struct {
		Widgets []parsedWidget `json:"widgets"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	return b.Widgets
}

func widgetByTitle(ws []parsedWidget, title string) (parsedWidget, bool) {
	for _, w := range ws {
		if w.Properties["title"] == title {
			return w, true
		}
	}
	return parsedWidget{}, false
}

// metricLines returns a metric widget's entries: metric stats as
// "namespace metric dims... stat", expressions as "id = expression".
func metricLines(t *testing.T, w parsedWidget) (stats []string, exprs map[string]string, labels map[string]string) {
	t.Helper()
	exprs, labels = map[string]string{}, map[string]string{}
	entries, _ := w.Properties["metrics"].([]any)
	for _, e := range entries {
		parts := e.([]any)
		last := parts[len(parts)-1].(map[string]any)
		if ex, ok := last["expression"].(string); ok {
			id := last["id"].(string)
			exprs[id] = ex
			if v, ok := last["visible"].(bool); !ok || v {
				labels[id], _ = last["label"].(string)
			}
			continue
		}
		var s []string
		for _, p := range parts[:len(parts)-1] {
			s = append(s, p.(string))
		}
		stats = append(stats, strings.Join(s, " ")+" "+last["stat"].(string))
	}
	return stats, exprs, labels
}

func TestStandardDashboardWidgets(t *testing.T) {
	d, err := cognitomon.StandardDashboard(dashInput())
	if err != nil {
		t.Fatal(err)
	}
	if want := "cognitomon-eu-west-1_AbCdEf123-overview"; d.Name != want {
		t.Errorf("name %q, want %q", d.Name, want)
	}
	ws := parseBody(t, d.Body)

	// Pool totals: per client and pseudo-client, SampleCount and Sum of the
	// success metric, and the derived failures.
	total, ok := widgetByTitle(ws, "SignIn: attempts, failures and failure rate (pool)")
	if !ok {
		t.Fatal("no sign-in total widget")
	}
	stats, exprs, labels := metricLines(t, total)
	for _, c := range []string{"web1example", "m2mclient9", "Invalid"} {
		for _, stat := range []string{"SampleCount", "Sum"} {
			want := "AWS/Cognito SignInSuccesses UserPool " + string(dashPool) + " UserPoolClient " + c + " " + stat
			if !contains(stats, want) {
				t.Errorf("sign-in total lacks %q; has %q", want, stats)
			}
		}
	}
	if exprs["failures"] != "attempts - successes" || exprs["failure_rate"] != "100 * failures / attempts" {
		t.Errorf("expressions %v", exprs)
	}
	if diff := cmp.Diff(map[string]string{"attempts": "SignIn attempts", "failures": "SignIn failures", "failure_rate": "SignIn failure rate %"}, labels); diff != "" {
		t.Errorf("visible series (-want +got):\n%s", diff)
	}

	// Sign-up totals use the Admin pseudo-client.
	signUp, _ := widgetByTitle(ws, "SignUp: attempts, failures and failure rate (pool)")
	stats, _, _ = metricLines(t, signUp)
	if !contains(stats, "AWS/Cognito SignUpSuccesses UserPool "+string(dashPool)+" UserPoolClient Admin SampleCount") {
		t.Errorf("sign-up total lacks Admin: %q", stats)
	}

	// Per client: one failures and one failure-rate series per client,
	// with IDs made unique and the expressions rewritten to match.
	per, ok := widgetByTitle(ws, "TokenRefresh: failures and failure rate per client")
	if !ok {
		t.Fatal("no per-client refresh widget")
	}
	_, exprs, labels = metricLines(t, per)
	var got []string
	for _, l := range labels {
		got = append(got, l)
	}
	for _, want := range []string{"Invalid failures", "Invalid failure rate %", "m2mclient9 failures", "m2mclient9 failure rate %", "web1example failures", "web1example failure rate %"} {
		if !contains(got, want) {
			t.Errorf("per-client series lack %q; have %q", want, got)
		}
	}
	for id, e := range exprs {
		if strings.Contains(id, "failure_rate") && !strings.HasPrefix(e, "100 * c") {
			t.Errorf("per-client expression %s = %q does not reference the renamed ids", id, e)
		}
	}

	// Federation: per provider.
	fed, ok := widgetByTitle(ws, "Federation: attempts, failures and failure rate (pool)")
	if !ok {
		t.Fatal("no federation widget with identity providers")
	}
	stats, _, _ = metricLines(t, fed)
	if !contains(stats, "AWS/Cognito FederationSuccesses UserPool "+string(dashPool)+" UserPoolClient web1example IdentityProvider Google Sum") {
		t.Errorf("federation lacks the provider series: %q", stats)
	}

	thr, _ := widgetByTitle(ws, "Throttled requests per flow (pool)")
	_, _, labels = metricLines(t, thr)
	if diff := cmp.Diff(map[string]string{"signin_throttles": "SignIn throttles", "signup_throttles": "SignUp throttles", "tokenrefresh_throttles": "TokenRefresh throttles", "federation_throttles": "Federation throttles"}, labels); diff != "" {
		t.Errorf("throttle series (-want +got):\n%s", diff)
	}

	quota, ok := widgetByTitle(ws, "Quota usage: calls per category, % of the requests-per-second quota (account, all pools)")
	if !ok {
		t.Fatal("no quota widget")
	}
	_, exprs, labels = metricLines(t, quota)
	if len(exprs) != len(cognitomon.DefaultQuotas()) {
		t.Errorf("quota widget has %d series, want one per category (%d)", len(exprs), len(cognitomon.DefaultQuotas()))
	}
	var auth string
	for id, l := range labels {
		if l == "UserAuthentication % of 120 rps" {
			auth = exprs[id]
		}
	}
	if !strings.Contains(auth, `Resource="UserAuthentication"`) || !strings.HasSuffix(auth, "/ 60 / 120") || !strings.Contains(auth, `MetricName="CallCount"`) {
		t.Errorf("UserAuthentication quota expression %q", auth)
	}

	risk, ok := widgetByTitle(ws, "Threat protection: risk per operation and level")
	if !ok {
		t.Fatal("no risk widget with ThreatProtection")
	}
	_, exprs, _ = metricLines(t, risk)
	if !strings.Contains(strings.Join(values(exprs), " "), `UserPoolId="`+string(dashPool)+`"`) {
		t.Errorf("risk searches do not name the pool by UserPoolId: %v", exprs)
	}

	var alarms, logs []parsedWidget
	for _, w := range ws {
		switch w.Type {
		case "alarm":
			alarms = append(alarms, w)
		case "log":
			logs = append(logs, w)
		}
	}
	if len(alarms) != 1 || cmp.Diff([]any{dashAlarmARN}, alarms[0].Properties["alarms"]) != "" {
		t.Errorf("alarm widgets %+v", alarms)
	}
	var trailQueries []cognitomon.Query
	for _, q := range cognitomon.Catalog() {
		if q.Reads == "cloudtrail" {
			trailQueries = append(trailQueries, q)
		}
	}
	if len(logs) != len(trailQueries) {
		t.Fatalf("%d log widgets, want one per CloudTrail query (%d)", len(logs), len(trailQueries))
	}
	for i, q := range trailQueries {
		want, err := q.Render(cognitomon.QueryParams{UserPool: dashPool, Clients: []cognitomon.ClientID{"web1example", "m2mclient9"}})
		if err != nil {
			t.Fatal(err)
		}
		p := logs[i].Properties
		if p["query"] != "SOURCE '"+dashGroup+"' | "+want || p["region"] != "eu-west-1" || p["title"] != "CloudTrail: "+q.Name {
			t.Errorf("log widget %d: %v", i, p)
		}
	}

	// Layout: inside the 24 columns, no two widgets overlap.
	for i, a := range ws {
		if a.X < 0 || a.X+a.Width > 24 || a.Width < 1 || a.Height < 1 {
			t.Errorf("widget %d at %d+%d leaves the grid", i, a.X, a.Width)
		}
		for j, b := range ws[:i] {
			if a.X < b.X+b.Width && b.X < a.X+a.Width && a.Y < b.Y+b.Height && b.Y < a.Y+a.Height {
				t.Errorf("widgets %d and %d overlap", j, i)
			}
		}
		if a.Type == "metric" && a.Properties["region"] != "eu-west-1" {
			t.Errorf("widget %d region %v", i, a.Properties["region"])
		}
	}
	if err := d.Validate(); err != nil {
		t.Errorf("the standard dashboard does not validate: %v", err)
	}
}

func TestStandardDashboardOptionalWidgets(t *testing.T) {
	in := dashInput()
	in.IdentityProviders, in.ThreatProtection, in.AlarmARNs, in.TrailLogGroup = nil, false, nil, ""
	d, err := cognitomon.StandardDashboard(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range parseBody(t, d.Body) {
		title, _ := w.Properties["title"].(string)
		if w.Type == "log" || w.Type == "alarm" || strings.HasPrefix(title, "Threat") || strings.HasPrefix(title, "Federation") {
			t.Errorf("unexpected widget %s %q", w.Type, title)
		}
	}
	// 150 alarms make two alarm widgets of at most 100.
	in.AlarmARNs = nil
	for i := range 150 {
		in.AlarmARNs = append(in.AlarmARNs, dashAlarmARN+"-"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	d, err = cognitomon.StandardDashboard(in)
	if err != nil {
		t.Fatal(err)
	}
	var sizes []int
	for _, w := range parseBody(t, d.Body) {
		if w.Type == "alarm" {
			sizes = append(sizes, len(w.Properties["alarms"].([]any)))
		}
	}
	if diff := cmp.Diff([]int{100, 50}, sizes); diff != "" {
		t.Errorf("alarm widget sizes (-want +got):\n%s", diff)
	}
}

func TestStandardDashboardBadInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(*cognitomon.DashboardInput)
		want   string
		is     error
	}{
		{"bad pool", func(in *cognitomon.DashboardInput) { in.UserPool = "nope" }, "invalid user pool id", cognitomon.ErrInvalidUserPoolID},
		{"no clients", func(in *cognitomon.DashboardInput) { in.Clients = nil }, "needs the pool's app clients", nil},
		{"bad client", func(in *cognitomon.DashboardInput) { in.Clients = []cognitomon.ClientID{"a'b"} }, "client 1", cognitomon.ErrInvalidClientID},
		{"bad region", func(in *cognitomon.DashboardInput) { in.Region = "eu-west-1', 'x" }, "is not a Region name", nil},
		{"bad period", func(in *cognitomon.DashboardInput) { in.Period = 90 * time.Second }, "whole number of minutes", cognitomon.ErrInvalidPeriod},
		{"quote in log group", func(in *cognitomon.DashboardInput) { in.TrailLogGroup = "g' | filter 1=1 | SOURCE 'h" }, "trail log group", nil},
		{"long log group", func(in *cognitomon.DashboardInput) { in.TrailLogGroup = strings.Repeat("g", 513) }, "trail log group", nil},
		{"not an ARN", func(in *cognitomon.DashboardInput) { in.AlarmARNs = []string{"signin-failure-rate"} }, "not a CloudWatch alarm ARN", nil},
		{"alarm not owned", func(in *cognitomon.DashboardInput) {
			in.AlarmARNs = []string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:someone-elses"}
		}, "not named under", cognitomon.ErrNotOwned},
		{"provider with control character", func(in *cognitomon.DashboardInput) { in.IdentityProviders = []string{"Goo\ngle"} }, "identity provider 1", nil},
		{"provider too long", func(in *cognitomon.DashboardInput) { in.IdentityProviders = []string{strings.Repeat("p", 33)} }, "identity provider 1", nil},
		{"bad quota category", func(in *cognitomon.DashboardInput) { in.Quotas = map[string]float64{`X" OR "`: 1} }, "quota category", nil},
		{"zero quota", func(in *cognitomon.DashboardInput) { in.Quotas = map[string]float64{"UserAuthentication": 0} }, "want a positive number", nil},
		{"too many clients", func(in *cognitomon.DashboardInput) {
			in.Clients = nil
			for i := range 200 {
				in.Clients = append(in.Clients, cognitomon.ClientID("client"+string(rune('a'+i%26))+string(rune('a'+i/26))))
			}
		}, "metrics", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := dashInput()
			tt.change(&in)
			_, err := cognitomon.StandardDashboard(in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestDashboardValidate(t *testing.T) {
	metric := func(props string) string {
		return `{"widgets":[{"type":"metric","x":0,"y":0,"width":6,"height":6,"properties":` + props + `}]}`
	}
	const okMetrics = `"metrics":[["AWS/Cognito","SignInSuccesses","UserPool","p","UserPoolClient","c",{"id":"m1","stat":"Sum"}]]`
	tests := []struct {
		name, body, path string
	}{
		{"not JSON", `{"widgets":[`, "/"},
		{"trailing data", `{"widgets":[]} {}`, "/"},
		{"not an object", `[]`, "/"},
		{"no widgets", `{}`, "/widgets"},
		{"widgets not array", `{"widgets":{}}`, "/widgets"},
		{"unknown type", `{"widgets":[{"type":"chart","properties":{}}]}`, "/widgets/0/type"},
		{"x without y", `{"widgets":[{"type":"text","x":0,"properties":{"markdown":"m"}}]}`, "/widgets/0"},
		{"x too large", `{"widgets":[{"type":"text","x":24,"y":0,"width":1,"properties":{"markdown":"m"}}]}`, "/widgets/0/x"},
		{"negative y", `{"widgets":[{"type":"text","x":0,"y":-1,"properties":{"markdown":"m"}}]}`, "/widgets/0/y"},
		{"width 0", `{"widgets":[{"type":"text","width":0,"properties":{"markdown":"m"}}]}`, "/widgets/0/width"},
		{"width 25", `{"widgets":[{"type":"text","width":25,"properties":{"markdown":"m"}}]}`, "/widgets/0/width"},
		{"height 1001", `{"widgets":[{"type":"text","height":1001,"properties":{"markdown":"m"}}]}`, "/widgets/0/height"},
		{"fractional width", `{"widgets":[{"type":"text","width":1.5,"properties":{"markdown":"m"}}]}`, "/widgets/0/width"},
		{"off the grid", `{"widgets":[{"type":"text","x":20,"y":0,"width":8,"properties":{"markdown":"m"}}]}`, "/widgets/0"},
		{"no properties", `{"widgets":[{"type":"text"}]}`, "/widgets/0/properties"},
		{"metric without region", metric(`{` + okMetrics + `}`), "/widgets/0/properties/region"},
		{"metric without metrics", metric(`{"region":"us-east-1"}`), "/widgets/0/properties/metrics"},
		{"bad view", metric(`{"region":"us-east-1","view":"3d",` + okMetrics + `}`), "/widgets/0/properties/view"},
		{"gauge without range", metric(`{"region":"us-east-1","view":"gauge",` + okMetrics + `}`), "/widgets/0/properties/yAxis/left"},
		{"bad period", metric(`{"region":"us-east-1","period":90,` + okMetrics + `}`), "/widgets/0/properties/period"},
		{"bad stat", metric(`{"region":"us-east-1","stat":"Median",` + okMetrics + `}`), "/widgets/0/properties/stat"},
		{"upper-case id", metric(`{"region":"us-east-1","metrics":[[{"expression":"1","id":"E1"}]]}`), "/widgets/0/properties/metrics/0/id"},
		{"duplicate id", metric(`{"region":"us-east-1","metrics":[[{"expression":"1","id":"e1"}],[{"expression":"2","id":"e1"}]]}`), "/widgets/0/properties/metrics/1/id"},
		{"odd metric entry", metric(`{"region":"us-east-1","metrics":[["AWS/Cognito","SignInSuccesses","UserPool"]]}`), "/widgets/0/properties/metrics/0"},
		{"two insights queries", metric(`{"region":"us-east-1","metrics":[[{"expression":"SELECT SUM(a) FROM b","id":"q1"}],[{"expression":"SELECT SUM(c) FROM d","id":"q2"}]]}`), "/widgets/0/properties/metrics"},
		{"alarm annotation with metrics", metric(`{"region":"us-east-1","annotations":{"alarms":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"]},` + okMetrics + `}`), "/widgets/0/properties/metrics"},
		{"log without SOURCE", `{"widgets":[{"type":"log","properties":{"region":"us-east-1","query":"filter 1 = 1"}}]}`, "/widgets/0/properties/query"},
		{"log without region", `{"widgets":[{"type":"log","properties":{"query":"SOURCE 'g' | filter 1 = 1"}}]}`, "/widgets/0/properties/region"},
		{"alarm widget empty", `{"widgets":[{"type":"alarm","properties":{"alarms":[]}}]}`, "/widgets/0/properties/alarms"},
		{"alarm widget not ARN", `{"widgets":[{"type":"alarm","properties":{"alarms":["a"]}}]}`, "/widgets/0/properties/alarms/0"},
		{"alarm state", `{"widgets":[{"type":"alarm","properties":{"alarms":["arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"],"states":["FIRING"]}}]}`, "/widgets/0/properties/states/0"},
		{"text without markdown", `{"widgets":[{"type":"text","properties":{}}]}`, "/widgets/0/properties/markdown"},
		{"end without start", `{"widgets":[],"end":"2026-01-01T00:00:00Z"}`, "/end"},
		{"bad periodOverride", `{"widgets":[],"periodOverride":"never"}`, "/periodOverride"},
		{"too many widgets", `{"widgets":[` + strings.TrimSuffix(strings.Repeat(`{"type":"text","properties":{"markdown":"m"}},`, 501), ",") + `]}`, "/widgets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cognitomon.Dashboard{Name: "cognitomon-x", Body: tt.body}.Validate()
			var invalid *cwtypes.DashboardInvalidInputError
			if !errors.As(err, &invalid) {
				t.Fatalf("error %v, want a DashboardInvalidInputError", err)
			}
			var paths []string
			for _, m := range invalid.DashboardValidationMessages {
				paths = append(paths, *m.DataPath)
			}
			if !contains(paths, tt.path) {
				t.Errorf("messages at %q, want one at %q: %v", paths, tt.path, err)
			}
		})
	}
	for _, name := range []string{"", "has space", "dot.name", "é", strings.Repeat("n", 256)} {
		err := cognitomon.Dashboard{Name: name, Body: `{"widgets":[]}`}.Validate()
		if err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if err := (cognitomon.Dashboard{Name: "ok_Name-1", Body: `{"widgets":[]}`}).Validate(); err != nil {
		t.Errorf("empty dashboard rejected: %v", err)
	}
}

func TestDashboardCloudFormationTemplate(t *testing.T) {
	d, err := cognitomon.StandardDashboard(dashInput())
	if err != nil {
		t.Fatal(err)
	}
	out, err := d.CloudFormationTemplate()
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		AWSTemplateFormatVersion string
		Resources                map[string]struct {
			Type       string
			Properties struct {
				DashboardName string
				DashboardBody string
			}
		}
	}
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatalf("template is not JSON: %v\n%s", err, out)
	}
	if tmpl.AWSTemplateFormatVersion != "2010-09-09" || len(tmpl.Resources) != 1 {
		t.Fatalf("template %+v", tmpl)
	}
	for id, r := range tmpl.Resources {
		if id != "CognitomonEuWest1AbCdEf123OverviewDashboard" || r.Type != "AWS::CloudWatch::Dashboard" || r.Properties.DashboardName != d.Name {
			t.Errorf("resource %s: %+v", id, r)
		}
		embedded := cognitomon.Dashboard{Name: r.Properties.DashboardName, Body: r.Properties.DashboardBody}
		if err := embedded.Validate(); err != nil {
			t.Errorf("embedded body invalid: %v", err)
		}
		ws := parseBody(t, r.Properties.DashboardBody)
		var logs int
		for _, w := range ws {
			if w.Type == "log" {
				logs++
			}
		}
		if _, ok := widgetByTitle(ws, "SignIn: failures and failure rate per client"); !ok || logs == 0 {
			t.Errorf("embedded body lacks per-client math or Insights widgets")
		}
	}
	if _, err := (cognitomon.Dashboard{Name: "x", Body: "{}"}).CloudFormationTemplate(); err == nil {
		t.Error("template of an invalid dashboard")
	}
}

func FuzzDashboardValidate(f *testing.F) {
	d, err := cognitomon.StandardDashboard(dashInput())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(d.Body)
	f.Add(`{"widgets":[{"type":"metric","x":1e99,"properties":{"metrics":[[{}]]}}]}`)
	f.Add(`{"widgets":[{"type":"alarm","properties":{"alarms":[1]}}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		err := cognitomon.Dashboard{Name: "fuzz", Body: body}.Validate()
		if err != nil {
			var invalid *cwtypes.DashboardInvalidInputError
			if !errors.As(err, &invalid) || len(invalid.DashboardValidationMessages) == 0 {
				t.Fatalf("error without validation messages: %v", err)
			}
		}
	})
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func values(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// ownedPrefix is the name prefix cognitomon owns for a pool's alarms and
// dashboards.
func ownedPrefix(pool cognitomon.UserPoolID) string { return "cognitomon-" + string(pool) + "-" }
