package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
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

// `alarms apply` without --trail-log-group after an apply with it deletes
// the CloudTrail alarms and their metric filters, shown in the plan, rather
// than leaving the filters behind.
func TestAlarmsApplyWithoutTrailDeletesOwnedFilters(t *testing.T) {
	srv, _ := world(t)
	base := []string{"--user-pool", demoPool, "--clients", "web1,web2"}
	withTrail := append(append([]string{}, base...), "--trail-log-group", "aws-cloudtrail-logs-cognitomon")
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
