package cognitomon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// quotaServer serves the fakes over HTTP to SDK clients with the SDK's
// default retries (3 attempts), so that a test sees whether anything is
// retried.
func quotaServer(t *testing.T) (*cognitomontest.Server, *cloudwatch.Client, *cloudwatchlogs.Client) {
	t.Helper()
	srv := cognitomontest.NewServer(nil)
	t.Cleanup(srv.Close)
	return srv, cloudwatch.NewFromConfig(srv.AWSConfig()), cloudwatchlogs.NewFromConfig(srv.AWSConfig())
}

// A LimitExceeded from PutMetricAlarm is a quota error that names the
// quota, and the alarm is put exactly once: neither Apply nor the SDK
// retries it.
func TestApplyAlarmQuota(t *testing.T) {
	ctx := context.Background()
	srv, cw, logs := quotaServer(t)
	srv.CloudWatch.SetAlarmQuota(1)
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients})
	if err != nil {
		t.Fatal(err)
	}
	m := cognitomon.NewAlarmManager(cw, logs, alarmPool)
	plan, err := m.Plan(ctx, alarms)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Apply(ctx, plan)
	if !errors.Is(err, cognitomon.ErrQuotaExceeded) {
		t.Fatalf("apply beyond the alarm quota: %v, want ErrQuotaExceeded", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.HasPrefix(ae.ErrorCode(), "LimitExceeded") {
		t.Errorf("the AWS error is not reachable: %v", err)
	}
	// The creates are sorted: refresh-failures is created, signin-failure-rate
	// is refused.
	if !strings.Contains(err.Error(), "putting alarm "+alarmPrefix+"signin-failure-rate") || !strings.Contains(err.Error(), "alarm quota") {
		t.Errorf("error %q does not name the alarm and the quota", err)
	}
	if n := srv.Requests("CloudWatch.PutMetricAlarm"); n != 2 {
		t.Errorf("%d PutMetricAlarm requests, want 2 (one created, one refused once)", n)
	}

	// The throttle alarm is a Metrics Insights alarm: its quota is named.
	srv2, cw2, _ := quotaServer(t)
	srv2.CloudWatch.SetAlarmQuota(1)
	var throttles []cognitomon.Alarm
	for _, a := range alarms {
		if strings.HasSuffix(a.Name, "-signin-throttles") || strings.HasSuffix(a.Name, "-refresh-failures") {
			throttles = append(throttles, a)
		}
	}
	m2 := cognitomon.NewAlarmManager(cw2, nil, alarmPool)
	plan, err = m2.Plan(ctx, throttles)
	if err != nil {
		t.Fatal(err)
	}
	if err := m2.Apply(ctx, plan); !errors.Is(err, cognitomon.ErrQuotaExceeded) || !strings.Contains(err.Error(), "Metrics Insights alarms per account and Region (default 200") {
		t.Errorf("Metrics Insights alarm beyond the quota: %v", err)
	}
	if n := srv2.Requests("CloudWatch.PutMetricAlarm"); n != 2 {
		t.Errorf("%d PutMetricAlarm requests, want 2", n)
	}
}

// A LimitExceededException from PutMetricFilter (the log group holds 100
// filters) is a quota error, sent once. The SDK alone would have sent it
// three times.
func TestApplyMetricFilterQuota(t *testing.T) {
	ctx := context.Background()
	srv, cw, logs := quotaServer(t)
	fill := func(i int) *cloudwatchlogs.PutMetricFilterInput {
		return &cloudwatchlogs.PutMetricFilterInput{
			FilterName: aws.String(fmt.Sprintf("other-team-%03d", i)), LogGroupName: aws.String(alarmLogGroup), FilterPattern: aws.String(`{ $.eventName = "X" }`),
			MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String("X"), MetricNamespace: aws.String("Other"), MetricValue: aws.String("1")}},
		}
	}
	for i := range 100 {
		if _, err := srv.Logs.PutMetricFilter(ctx, fill(i)); err != nil {
			t.Fatal(err)
		}
	}
	// What the SDK does on its own: LimitExceededException is retried
	// (FACTS.md 9.5 item 9).
	_, err := logs.PutMetricFilter(ctx, fill(100))
	var le *logtypes.LimitExceededException
	if !errors.As(err, &le) {
		t.Fatalf("the 101st filter: %v, want LimitExceededException", err)
	}
	if n := srv.Requests("Logs.PutMetricFilter"); n != 3 {
		t.Fatalf("the plain SDK client sent %d requests, want 3: the premise of this test changed", n)
	}

	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients, TrailLogGroup: alarmLogGroup})
	if err != nil {
		t.Fatal(err)
	}
	m := cognitomon.NewAlarmManager(cw, logs, alarmPool)
	plan, err := m.Plan(ctx, alarms)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Apply(ctx, plan)
	if !errors.Is(err, cognitomon.ErrQuotaExceeded) || !errors.As(err, &le) {
		t.Fatalf("apply into a full log group: %v, want ErrQuotaExceeded wrapping LimitExceededException", err)
	}
	if !strings.Contains(err.Error(), "metric filters per log group (100)") || !strings.Contains(err.Error(), alarmPrefix+"admin-changes") {
		t.Errorf("error %q does not name the filter and the quota", err)
	}
	if n := srv.Requests("Logs.PutMetricFilter"); n != 3+1 {
		t.Errorf("Apply sent %d PutMetricFilter requests, want 1", n-3)
	}
	if n := srv.Requests("CloudWatch.PutMetricAlarm"); n != 0 {
		t.Errorf("%d alarms put after the filter failed, want 0 (filters go first)", n)
	}
}

// With the in-memory fake, which ignores the SDK options, Apply itself does
// not retry a quota refusal, though it retries throttles.
func TestApplyQuotaNotRetriedInMemory(t *testing.T) {
	ctx := context.Background()
	cw, _ := alarmFakes()
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients})
	if err != nil {
		t.Fatal(err)
	}
	m := cognitomon.NewAlarmManager(cw, nil, alarmPool, func(o *cognitomon.AlarmOptions) { o.Retry.BaseDelay = 1 })
	plan, err := m.Plan(ctx, alarms[:1])
	if err != nil {
		t.Fatal(err)
	}
	cw.FailNext("PutMetricAlarm", &smithy.GenericAPIError{Code: "LimitExceeded", Message: "quota"})
	if err := m.Apply(ctx, plan); !errors.Is(err, cognitomon.ErrQuotaExceeded) {
		t.Fatalf("apply: %v, want ErrQuotaExceeded", err)
	}
	if n := cw.Calls("PutMetricAlarm"); n != 1 {
		t.Errorf("%d PutMetricAlarm calls, want 1", n)
	}
	// A throttle is still retried.
	cw.ThrottleNext("PutMetricAlarm", 1)
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatalf("apply after a throttle: %v", err)
	}
	if n := cw.Calls("PutMetricAlarm"); n != 3 {
		t.Errorf("%d PutMetricAlarm calls, want 3 (the throttled one retried)", n)
	}
}

// Without a MetricFilterAPI a manager cannot see the metric filter of an
// owned alarm on a custom metric, so it refuses to plan the alarm's
// deletion instead of orphaning the filter; with one, the plan deletes
// both.
func TestPlanRefusesToOrphanFilters(t *testing.T) {
	ctx := context.Background()
	cw, logs := alarmFakes()
	withTrail, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients, TrailLogGroup: alarmLogGroup})
	if err != nil {
		t.Fatal(err)
	}
	full := cognitomon.NewAlarmManager(cw, logs, alarmPool)
	plan, err := full.Plan(ctx, withTrail)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	without, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients})
	if err != nil {
		t.Fatal(err)
	}
	_, err = cognitomon.NewAlarmManager(cw, nil, alarmPool).Plan(ctx, without)
	if err == nil || !strings.Contains(err.Error(), alarmPrefix+"admin-changes") || !strings.Contains(err.Error(), "leave its filter behind") {
		t.Errorf("plan without a MetricFilterAPI: %v, want a refusal naming admin-changes", err)
	}
	plan, err = full.Plan(ctx, without)
	if err != nil {
		t.Fatal(err)
	}
	var deletes []string
	for _, c := range plan.Deletes {
		deletes = append(deletes, string(c.Resource)+" "+strings.TrimPrefix(c.Name, alarmPrefix))
	}
	want := "alarm admin-changes, alarm m2m-tokens, metric filter admin-changes, metric filter m2m-tokens"
	if got := strings.Join(deletes, ", "); got != want {
		t.Errorf("deletes %s, want %s", got, want)
	}
}
