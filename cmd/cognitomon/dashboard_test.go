package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
)

func TestDashboard(t *testing.T) {
	srv, _ := world(t)
	// The pool's alarms exist first, so the dashboard shows their states.
	alarmArgs := []string{"--user-pool", demoPool, "--trail-log-group", "aws-cloudtrail-logs-cognitomon"}
	if _, errOut, code := cli(t, srv, true, append([]string{"alarms", "apply", "--yes"}, alarmArgs...)...); code != exitOK {
		t.Fatalf("alarms apply: exit %d\n%s", code, errOut)
	}
	args := []string{"--user-pool", demoPool, "--trail-log-group", "aws-cloudtrail-logs-cognitomon", "--threat-protection"}
	out, errOut, code := cli(t, srv, true, append([]string{"dashboard", "plan", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var plan struct {
		Schema  string `json:"schema"`
		Creates []struct {
			Resource, Name string
			Diffs          []string
		} `json:"creates"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Creates) != 1 || plan.Schema != "cognitomon.dashboard-plan/v1" {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	if c := plan.Creates[0]; c.Resource != "dashboard" || c.Name != ownedPrefix(demoPool)+"overview" || len(c.Diffs) < 10 {
		t.Errorf("create %+v", c)
	}
	_, errOut, code = cli(t, srv, true, append([]string{"dashboard", "apply"}, args...)...)
	if code != exitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("apply without --yes: exit %d, %q", code, errOut)
	}
	before := srv.CloudWatch.PutDashboards()
	for range 2 {
		out, errOut, code = cli(t, srv, true, append([]string{"dashboard", "apply", "--yes"}, args...)...)
		if code != exitOK {
			t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
		}
	}
	if !strings.Contains(out, "no changes") {
		t.Errorf("second apply: %s", out)
	}
	if n := srv.CloudWatch.PutDashboards() - before; n != 1 {
		t.Errorf("%d accepted PutDashboard calls, want 1", n)
	}
	body, _ := srv.CloudWatch.Dashboard(ownedPrefix(demoPool) + "overview")
	if !strings.Contains(body, `"type":"alarm"`) || !strings.Contains(body, "signin-failure-rate") {
		t.Errorf("the applied dashboard has no alarm widget with the pool's alarms")
	}

	out, errOut, code = cli(t, nil, true, "dashboard", "export", "--user-pool", demoPool, "--clients", "web1,web2", "--trail-log-group", "g")
	if code != exitOK || !strings.Contains(out, `"AWS::CloudWatch::Dashboard"`) || !strings.Contains(errOut, "alarm widget is left out") {
		t.Errorf("export: exit %d\n%s%s", code, out, errOut)
	}
	var tmpl struct {
		Resources map[string]struct {
			Properties struct{ DashboardName, DashboardBody string }
		}
	}
	if err := json.Unmarshal([]byte(out), &tmpl); err != nil {
		t.Fatal(err)
	}
	for _, r := range tmpl.Resources {
		if err := (cognitomon.Dashboard{Name: r.Properties.DashboardName, Body: r.Properties.DashboardBody}).Validate(); err != nil {
			t.Errorf("exported body: %v", err)
		}
	}
}

func TestDashboardErrors(t *testing.T) {
	for _, args := range [][]string{
		{"dashboard"},
		{"dashboard", "destroy", "--user-pool", demoPool},
		{"dashboard", "plan"},
		{"dashboard", "export", "--user-pool", demoPool, "--clients", "web1", "--trail-log-group", "g' | x"},
		{"dashboard", "export", "--user-pool", demoPool, "--clients", "bad client"},
	} {
		_, errOut, code := cli(t, nil, true, args...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	srv, _ := world(t)
	srv.CloudWatch.FailNext("ListDashboards", &smithy.GenericAPIError{Code: "AccessDenied", Message: "no"})
	_, errOut, code := cli(t, srv, true, "dashboard", "plan", "--user-pool", demoPool, "--clients", "web1")
	if code != exitFailure || !strings.Contains(errOut, "cloudwatch:ListDashboards") || !strings.Contains(errOut, "docs/iam/dashboard-read.json") {
		t.Errorf("access denied: exit %d, %q", code, errOut)
	}
}
