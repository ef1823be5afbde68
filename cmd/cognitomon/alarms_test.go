package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// ownedFilters lists the metric filters under the demo pool's prefix in the
// fake's trail log group.
func ownedFilters(t *testing.T, logs interface {
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
}) []string {
	t.Helper()
	out, err := logs.DescribeMetricFilters(context.Background(), &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String("aws-cloudtrail-logs-cognitomon"), FilterNamePrefix: aws.String("cognitomon-" + demoPool + "-"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range out.MetricFilters {
		names = append(names, aws.ToString(f.FilterName))
	}
	return names
}

// `alarms apply --trail-log-group none` after an apply with a log group
// deletes the CloudTrail alarms and their metric filters, shown in the
// plan, rather than leaving the filters behind.
func TestAlarmsApplyWithoutTrailDeletesOwnedFilters(t *testing.T) {
	srv, _ := world(t)
	clients := []string{"--user-pool", demoPool, "--clients", "web1,web2"}
	base := append(append([]string{}, clients...), "--trail-log-group", "none")
	withTrail := append(append([]string{}, clients...), "--trail-log-group", "aws-cloudtrail-logs-cognitomon")
	out, errOut, code := cli(t, srv, true, append([]string{"alarms", "apply", "--yes"}, withTrail...)...)
	if code != exitOK {
		t.Fatalf("apply with the trail: exit %d\n%s%s", code, out, errOut)
	}
	if got := ownedFilters(t, srv.Logs); len(got) != 2 {
		t.Fatalf("after the first apply, owned filters %v, want 2", got)
	}

	out, errOut, code = cli(t, srv, true, append([]string{"alarms", "plan"}, base...)...)
	if code != exitOK {
		t.Fatalf("plan without the trail: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"- alarm cognitomon-" + demoPool + "-admin-changes",
		"- metric filter cognitomon-" + demoPool + "-admin-changes (log group aws-cloudtrail-logs-cognitomon)",
		"- metric filter cognitomon-" + demoPool + "-m2m-tokens (log group aws-cloudtrail-logs-cognitomon)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
	out, errOut, code = cli(t, srv, true, append([]string{"alarms", "apply", "--yes"}, base...)...)
	if code != exitOK || !strings.Contains(out, "applied") {
		t.Fatalf("apply without the trail: exit %d\n%s%s", code, out, errOut)
	}
	if got := ownedFilters(t, srv.Logs); len(got) != 0 {
		t.Errorf("orphaned metric filters left behind: %v", got)
	}
	out, _, code = cli(t, srv, true, append([]string{"alarms", "plan"}, base...)...)
	if code != exitOK || !strings.Contains(out, "no changes") {
		t.Errorf("plan after: exit %d\n%s", code, out)
	}
}

// Without --clients and --trail-log-group, alarms takes every app client of
// the pool's configuration (the idle one included, which ListMetrics cannot
// show) and the log group of the one trail that logs the pool, and says so.
func TestAlarmsDefaultsFromTheAccount(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "alarms", "plan", "--user-pool", demoPool)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"app clients of the pool's configuration", "using log group aws-cloudtrail-logs-cognitomon of trail"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(out, "+ alarm cognitomon-"+demoPool+"-admin-changes") {
		t.Errorf("plan lacks the trail's admin-change alarm:\n%s", out)
	}
	// The alarms' metric math names every client, the idle one included.
	tmpl, errOut, code := cli(t, srv, true, "alarms", "export", "--user-pool", demoPool)
	if code != exitOK || !strings.Contains(tmpl, string(cognitomontest.IdleClient)) {
		t.Errorf("export: exit %d, idle client %s missing\n%s", code, cognitomontest.IdleClient, errOut)
	}
	// Without cognito-idp, the metrics name the clients, and the note says
	// which action was denied and what ListMetrics cannot see.
	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: cognito-idp:ListUserPoolClients", Fault: smithy.FaultClient})
	out, errOut, code = cli(t, srv, true, "alarms", "plan", "--user-pool", demoPool)
	if code != exitOK || !strings.Contains(errOut, "cognito-idp:ListUserPoolClients") || !strings.Contains(errOut, "clients idle for two weeks are missing") {
		t.Errorf("denied: exit %d\n%s%s", code, out, errOut)
	}
}
