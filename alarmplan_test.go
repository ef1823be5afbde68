package cognitomon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// alarmFakes returns in-memory CloudWatch and Logs fakes over pools, with
// the clock at alarmNow.
func alarmFakes(pools ...*cognitomontest.Pool) (*cognitomontest.CloudWatch, *cognitomontest.Logs) {
	clock := func() time.Time { return alarmNow }
	return cognitomontest.NewCloudWatch(pools, func(o *cognitomontest.CloudWatchOptions) { o.Now = clock }),
		cognitomontest.NewLogs(pools, func(o *cognitomontest.LogsOptions) { o.Now = clock })
}

func standardAlarms(t *testing.T) []cognitomon.Alarm {
	t.Helper()
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{
		UserPool: alarmPool, Clients: alarmClients, IdentityProviders: []string{"Google"}, FederationClients: alarmClients[:1], TrailLogGroup: alarmLogGroup,
	})
	if err != nil {
		t.Fatal(err)
	}
	return alarms
}

// planLines summarizes a plan as "+ alarm name" lines, without the prefix.
func planLines(p *cognitomon.Plan) []string {
	var out []string
	add := func(sign string, cs []cognitomon.Change) {
		for _, c := range cs {
			out = append(out, sign+" "+string(c.Resource)+" "+strings.TrimPrefix(c.Name, alarmPrefix))
		}
	}
	add("+", p.Creates)
	add("~", p.Updates)
	add("-", p.Deletes)
	add("=", p.Unchanged)
	return out
}

func findAlarm(alarms []cognitomon.Alarm, name string) *cognitomon.Alarm {
	for i := range alarms {
		if alarms[i].Name == alarmPrefix+name {
			return &alarms[i]
		}
	}
	return nil
}

// alarmSnapshot is everything the fakes hold, for checking that an apply
// changed nothing.
func alarmSnapshot(t *testing.T, cw cognitomon.AlarmAPI, logs cognitomon.MetricFilterAPI) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(100)})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.MetricAlarms {
		tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(struct {
			A cwtypes.MetricAlarm
			T []cwtypes.Tag
		}{a, tags.Tags})
		b.Write(j)
	}
	fs, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{})
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(fs.MetricFilters)
	b.Write(j)
	return b.String()
}

// planApply exercises Plan and Apply against cw and logs, which start empty
// but for someone else's alarm "ops-cpu-high", another pool's alarm and
// someone else's metric filter.
func planApply(t *testing.T, cw cognitomon.AlarmAPI, logs cognitomon.MetricFilterAPI, calls func(op string) int) {
	ctx := context.Background()
	foreign := []string{"ops-cpu-high", "cognitomon-us-east-1_Other1-signin-failure-rate", "cognitomon-us-east-1_AbCdEf1234-x"}
	for _, name := range foreign {
		in := &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/EC2"), MetricName: aws.String("CPUUtilization"), Statistic: cwtypes.StatisticAverage,
			Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(90), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		}
		if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		FilterName: aws.String("ops-root-logins"), LogGroupName: aws.String(alarmLogGroup), FilterPattern: aws.String(`{ $.userIdentity.type = "Root" }`),
		MetricTransformations: []logtypes.MetricTransformation{{MetricName: aws.String("RootLogins"), MetricNamespace: aws.String("Ops"), MetricValue: aws.String("1")}},
	}); err != nil {
		t.Fatal(err)
	}
	foreignState := func() string {
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: foreign})
		if err != nil {
			t.Fatal(err)
		}
		fs, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(alarmLogGroup), FilterNamePrefix: aws.String("ops-")})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal([]any{out.MetricAlarms, fs.MetricFilters})
		return string(j)
	}
	before := foreignState()

	m := cognitomon.NewAlarmManager(cw, logs, alarmPool, func(o *cognitomon.AlarmOptions) { o.Retry.BaseDelay = time.Millisecond })
	if m.Prefix() != alarmPrefix {
		t.Errorf("prefix %q", m.Prefix())
	}
	desired := standardAlarms(t)

	// Create.
	plan, err := m.Plan(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	wantCreate := []string{
		"+ metric filter admin-changes", "+ metric filter m2m-tokens",
		"+ alarm admin-changes", "+ alarm federation-failure-rate", "+ alarm m2m-tokens", "+ alarm refresh-failures",
		"+ alarm signin-failure-rate", "+ alarm signin-throttles", "+ alarm signup-failure-rate",
	}
	if diff := cmp.Diff(wantCreate, planLines(plan)); diff != "" {
		t.Errorf("first plan (-want +got):\n%s", diff)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	applied := alarmSnapshot(t, cw, logs)

	// Re-plan: nothing to do. Re-apply the same plan: nothing changes.
	again, err := m.Plan(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Errorf("second plan has changes:\n%s", again)
	}
	if len(again.Unchanged) != 9 {
		t.Errorf("%d unchanged, want 9", len(again.Unchanged))
	}
	if !strings.Contains(again.String(), "no changes (9 unchanged)") {
		t.Errorf("no-op plan reads %q", again)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatalf("applying the same plan twice: %v", err)
	}
	if diff := cmp.Diff(applied, alarmSnapshot(t, cw, logs)); diff != "" {
		t.Errorf("the second apply changed something (-first +second):\n%s", diff)
	}
	if err := m.Apply(ctx, again); err != nil {
		t.Fatal(err)
	}

	// Update, with a readable diff; tags go through TagResource and
	// UntagResource.
	signIn := findAlarm(desired, "signin-failure-rate")
	signIn.Threshold = 25
	signIn.AlarmActions = []string{alarmTopic}
	signIn.Tags["Team"] = "identity"
	delete(signIn.Tags, "UserPool")
	refresh := findAlarm(desired, "refresh-failures")
	refresh.TreatMissingData = ""
	refresh.Queries[len(refresh.Queries)-1].Label = "failed refreshes"
	adminChanges := standardAlarm(t, "admin-changes", alarmClients, func(o *cognitomon.DefinitionOptions) { o.Events = []string{"DeleteUserPool"} })
	*findAlarm(desired, "admin-changes") = adminChanges
	tagsBefore, untagsBefore := calls("TagResource"), calls("UntagResource")
	plan, err = m.Plan(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{
		"~ metric filter admin-changes", "~ alarm admin-changes", "~ alarm refresh-failures", "~ alarm signin-failure-rate",
		"= metric filter m2m-tokens", "= alarm federation-failure-rate", "= alarm m2m-tokens", "= alarm signin-throttles", "= alarm signup-failure-rate",
	}, planLines(plan)); diff != "" {
		t.Errorf("update plan (-want +got):\n%s", diff)
	}
	diffs := map[string][]string{}
	for _, c := range plan.Updates {
		for _, d := range c.Diffs {
			diffs[string(c.Resource)+" "+strings.TrimPrefix(c.Name, alarmPrefix)] = append(diffs[string(c.Resource)+" "+strings.TrimPrefix(c.Name, alarmPrefix)], d.String())
		}
	}
	if diff := cmp.Diff([]string{
		"AlarmActions: (none) -> [" + alarmTopic + "]",
		"Threshold: 20 -> 25",
		`Tags[Team]: (none) -> "identity"`,
		`Tags[UserPool]: "us-east-1_AbCdEf123" -> (none)`,
	}, diffs["alarm signin-failure-rate"]); diff != "" {
		t.Errorf("sign-in diff (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"TreatMissingData: notBreaching -> missing",
		`Metrics[failures].Label: "TokenRefresh failures" -> "failed refreshes"`,
	}, diffs["alarm refresh-failures"]); diff != "" {
		t.Errorf("refresh diff (-want +got):\n%s", diff)
	}
	if d := diffs["metric filter admin-changes"]; len(d) != 1 || !strings.HasPrefix(d[0], "FilterPattern: ") || !strings.HasSuffix(d[0], `($.eventName = \"DeleteUserPool\") }"`) {
		t.Errorf("filter diff %q", d)
	}
	if d := diffs["alarm admin-changes"]; len(d) != 1 || !strings.HasPrefix(d[0], "AlarmDescription: ") {
		t.Errorf("admin alarm diff %q", d)
	}
	if s := plan.String(); !strings.Contains(s, "  ~ alarm "+alarmPrefix+"signin-failure-rate\n      AlarmActions: (none) -> ["+alarmTopic+"]\n      Threshold: 20 -> 25\n") {
		t.Errorf("plan text lacks the threshold diff:\n%s", s)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if calls("TagResource") != tagsBefore+1 || calls("UntagResource") != untagsBefore+1 {
		t.Errorf("TagResource %d, UntagResource %d calls, want 1 each", calls("TagResource")-tagsBefore, calls("UntagResource")-untagsBefore)
	}
	if again, err = m.Plan(ctx, desired); err != nil || again.HasChanges() {
		t.Errorf("after the update: %v\n%s", err, again)
	}

	// A change made by hand (the console's single-metric form) shows up.
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(alarmPrefix + "signin-throttles"), Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("SignInThrottles"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(100),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold, TreatMissingData: aws.String("notBreaching"),
		AlarmDescription: aws.String(findAlarm(desired, "signin-throttles").Description),
	}); err != nil {
		t.Fatal(err)
	}
	plan, err = m.Plan(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Updates) != 1 {
		t.Fatalf("hand edit: plan\n%s", plan)
	}
	got := plan.Updates[0].Diffs
	if got[0].String() != `Namespace: "AWS/Cognito" -> (none)` || got[len(got)-1].Field != "Metrics[throttles]" {
		t.Errorf("hand-edit diffs %v", got)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}

	// Delete: only owned alarms and filters that are no longer desired.
	var fewer []cognitomon.Alarm
	for _, a := range desired {
		if !strings.HasSuffix(a.Name, "m2m-tokens") && !strings.HasSuffix(a.Name, "signup-failure-rate") {
			fewer = append(fewer, a)
		}
	}
	plan, err = m.Plan(ctx, fewer)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"- alarm m2m-tokens", "- alarm signup-failure-rate", "- metric filter m2m-tokens"}, planLines(plan)[:3]); diff != "" {
		t.Errorf("delete plan (-want +got):\n%s", diff)
	}
	// Someone deletes one of them first: Apply does not mind.
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{alarmPrefix + "signup-failure-rate"}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatalf("applying the delete plan twice: %v", err)
	}
	if again, err = m.Plan(ctx, fewer); err != nil || again.HasChanges() || len(again.Unchanged) != 6 {
		t.Errorf("after the delete: %v\n%s", err, again)
	}

	// Unowned alarms are never touched, not even when a plan asks.
	for _, name := range foreign {
		bad := *plan
		bad.Deletes = []cognitomon.Change{{Resource: cognitomon.ResourceAlarm, Name: name}}
		deletes := calls("DeleteAlarms")
		if err := m.Apply(ctx, &bad); !errors.Is(err, cognitomon.ErrNotOwned) {
			t.Errorf("deleting %s: %v, want ErrNotOwned", name, err)
		}
		if calls("DeleteAlarms") != deletes {
			t.Errorf("deleting %s called DeleteAlarms", name)
		}
	}
	bad := *plan
	bad.Deletes = []cognitomon.Change{{Resource: cognitomon.ResourceMetricFilter, Name: "ops-root-logins", LogGroup: alarmLogGroup}}
	if err := m.Apply(ctx, &bad); !errors.Is(err, cognitomon.ErrNotOwned) {
		t.Errorf("deleting someone else's filter: %v, want ErrNotOwned", err)
	}
	bad = *plan
	bad.Prefix = "cognitomon-"
	if err := m.Apply(ctx, &bad); !errors.Is(err, cognitomon.ErrNotOwned) {
		t.Errorf("a plan for a wider prefix: %v, want ErrNotOwned", err)
	}
	bad = *plan
	bad.Creates = []cognitomon.Change{{Resource: cognitomon.ResourceAlarm, Name: alarmPrefix + "hand-made"}}
	if err := m.Apply(ctx, &bad); err == nil {
		t.Error("a create that Plan did not make: no error")
	}
	if diff := cmp.Diff(before, foreignState()); diff != "" {
		t.Errorf("foreign alarms or filters changed (-before +after):\n%s", diff)
	}
}

func TestAlarmManagerPlanApply(t *testing.T) {
	cw, logs := alarmFakes()
	planApply(t, cw, logs, func(op string) int {
		if strings.HasSuffix(op, "MetricFilter") {
			return logs.Calls(op)
		}
		return cw.Calls(op)
	})
}

// The integration test: the real SDK clients, over CBOR and JSON, against
// the HTTP fake.
func TestAlarmManagerRealClients(t *testing.T) {
	srv := cognitomontest.NewServer(nil, func(o *cognitomontest.ServerOptions) {
		o.CloudWatch = append(o.CloudWatch, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return alarmNow } })
		o.Logs = append(o.Logs, func(o *cognitomontest.LogsOptions) { o.Now = func() time.Time { return alarmNow } })
	})
	defer srv.Close()
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	logs := cloudwatchlogs.NewFromConfig(srv.AWSConfig(), func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
	planApply(t, cw, logs, func(op string) int {
		service := "CloudWatch."
		if strings.HasSuffix(op, "MetricFilter") {
			service = "Logs."
		}
		return srv.Requests(service + op)
	})
}

func TestAlarmManagerPlanErrors(t *testing.T) {
	ctx := context.Background()
	cw, logs := alarmFakes()
	m := cognitomon.NewAlarmManager(cw, logs, alarmPool)
	good := standardAlarms(t)

	outside := standardAlarm(t, "signin-throttles", alarmClients, func(o *cognitomon.DefinitionOptions) { o.Prefix = "team-" })
	if _, err := m.Plan(ctx, append(good, outside)); !errors.Is(err, cognitomon.ErrNotOwned) {
		t.Errorf("an alarm outside the prefix: %v, want ErrNotOwned", err)
	}
	invalid := good[0]
	invalid.Threshold = 200
	if _, err := m.Plan(ctx, []cognitomon.Alarm{invalid}); !errors.Is(err, cognitomon.ErrInvalidAlarm) {
		t.Errorf("an invalid alarm: %v, want ErrInvalidAlarm", err)
	}
	if _, err := m.Plan(ctx, []cognitomon.Alarm{good[0], good[0]}); err == nil {
		t.Error("an alarm twice: no error")
	}
	if _, err := cognitomon.NewAlarmManager(cw, nil, alarmPool).Plan(ctx, good); err == nil {
		t.Error("a metric-filter alarm without a MetricFilterAPI: no error")
	}
	if _, err := cognitomon.NewAlarmManager(cw, logs, "bad pool").Plan(ctx, nil); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
	if _, err := cognitomon.NewAlarmManager(cw, logs, alarmPool, func(o *cognitomon.AlarmOptions) { o.Prefix = "a*" }).Plan(ctx, nil); err == nil {
		t.Error("bad prefix: no error")
	}
	if err := m.Apply(ctx, nil); err == nil {
		t.Error("nil plan: no error")
	}

	// Throttled reads are retried; a failure after the retries wraps
	// ErrThrottled and is reported with what was being done.
	quick := cognitomon.NewAlarmManager(cw, logs, alarmPool, func(o *cognitomon.AlarmOptions) {
		o.Retry = cognitomon.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	})
	cw.ThrottleNext("DescribeAlarms", 2)
	if _, err := quick.Plan(ctx, good); err != nil {
		t.Errorf("two throttles: %v", err)
	}
	cw.ThrottleNext("PutMetricAlarm", 3)
	plan, err := quick.Plan(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if err := quick.Apply(ctx, plan); !errors.Is(err, cognitomon.ErrThrottled) || !strings.Contains(err.Error(), "putting alarm") {
		t.Errorf("three throttles: %v, want ErrThrottled", err)
	}
	// The filters were put before the alarms; a new plan shows the rest.
	plan, err = quick.Plan(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Creates) != 7 || len(plan.Unchanged) != 2 {
		t.Errorf("after a failed apply:\n%s", plan)
	}
}

// An AlarmManager plans against what exists; Apply carries the plan out.
func ExampleAlarmManager_Plan() {
	ctx := context.Background()
	pool := cognitomon.UserPoolID("us-east-1_AbCdEf123")
	clients := []cognitomon.ClientID{"web1example"}
	cw := cognitomontest.NewCloudWatch(nil) // or cloudwatch.NewFromConfig(cfg)

	m := cognitomon.NewAlarmManager(cw, nil, pool)
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: pool, Clients: clients})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Pick two of them by name.
	var desired []cognitomon.Alarm
	for _, a := range alarms {
		switch strings.TrimPrefix(a.Name, m.Prefix()) {
		case "signin-failure-rate", "signin-throttles":
			desired = append(desired, a)
		}
	}
	plan, err := m.Plan(ctx, desired)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan)
	if err := m.Apply(ctx, plan); err != nil {
		fmt.Println(err)
		return
	}

	// Page at 25% failures rather than 20%, and drop the throttle alarm.
	signIn := desired[0]
	signIn.Threshold = 25
	plan, err = m.Plan(ctx, []cognitomon.Alarm{signIn})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan)
	// Output:
	// plan for "cognitomon-us-east-1_AbCdEf123-": 2 to create, 0 to update, 0 to delete, 0 unchanged
	//   + alarm cognitomon-us-east-1_AbCdEf123-signin-failure-rate
	//   + alarm cognitomon-us-east-1_AbCdEf123-signin-throttles
	// plan for "cognitomon-us-east-1_AbCdEf123-": 0 to create, 1 to update, 1 to delete, 0 unchanged
	//   ~ alarm cognitomon-us-east-1_AbCdEf123-signin-failure-rate
	//       Threshold: 20 -> 25
	//   - alarm cognitomon-us-east-1_AbCdEf123-signin-throttles
}

// awsDefaults is the CloudWatch fake with DescribeAlarms answering as AWS
// may: defaults filled in, lists in another order.
type awsDefaults struct{ *cognitomontest.CloudWatch }

func (f awsDefaults) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	out, err := f.CloudWatch.DescribeAlarms(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	for i := range out.MetricAlarms {
		a := &out.MetricAlarms[i]
		a.ActionsEnabled = nil
		a.EvaluationWindow = &cwtypes.EvaluationWindowMemberSlidingWindow{}
		a.ActionConfiguration = &cwtypes.ActionConfiguration{}
		a.Dimensions = []cwtypes.Dimension{}
		a.OKActions = []string{}
		if a.DatapointsToAlarm != nil && *a.DatapointsToAlarm == *a.EvaluationPeriods {
			a.DatapointsToAlarm = nil
		}
		for j, k := 0, len(a.AlarmActions)-1; j < k; j, k = j+1, k-1 {
			a.AlarmActions[j], a.AlarmActions[k] = a.AlarmActions[k], a.AlarmActions[j]
		}
		for j, k := 0, len(a.Metrics)-1; j < k; j, k = j+1, k-1 {
			a.Metrics[j], a.Metrics[k] = a.Metrics[k], a.Metrics[j]
		}
		for j := range a.Metrics {
			q := &a.Metrics[j]
			if q.ReturnData != nil && *q.ReturnData {
				q.ReturnData = nil
			}
			if q.MetricStat != nil {
				q.Label = q.MetricStat.Metric.MetricName
				dims := q.MetricStat.Metric.Dimensions
				for x, y := 0, len(dims)-1; x < y; x, y = x+1, y-1 {
					dims[x], dims[y] = dims[y], dims[x]
				}
			}
		}
	}
	return out, nil
}

func TestPlanNormalizesWhatAWSFillsIn(t *testing.T) {
	ctx := context.Background()
	cw, logs := alarmFakes()
	desired := standardAlarms(t)
	for i := range desired {
		desired[i].AlarmActions = []string{alarmTopic, alarmTopic + "-2"}
	}
	m := cognitomon.NewAlarmManager(awsDefaults{cw}, logs, alarmPool)
	plan, err := m.Plan(ctx, desired)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Apply(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if plan, err = m.Plan(ctx, desired); err != nil || plan.HasChanges() {
		t.Errorf("after apply: %v\n%s", err, plan)
	}
	// A wall-clock evaluation window set by hand does show.
	wall := awsWallClock{awsDefaults{cw}}
	if plan, err = cognitomon.NewAlarmManager(wall, logs, alarmPool).Plan(ctx, desired); err != nil || len(plan.Updates) != 7 {
		t.Errorf("wall-clock windows: %v\n%s", err, plan)
	} else if d := plan.Updates[0].Diffs; len(d) != 1 || d[0].String() != "EvaluationWindow: wall clock -> sliding (the default)" {
		t.Errorf("diffs %v", d)
	}
}

type awsWallClock struct{ awsDefaults }

func (f awsWallClock) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	out, err := f.awsDefaults.DescribeAlarms(ctx, in, optFns...)
	if err == nil {
		for i := range out.MetricAlarms {
			out.MetricAlarms[i].EvaluationWindow = &cwtypes.EvaluationWindowMemberWallClockWindow{Value: cwtypes.WallClockWindow{Timezone: aws.String("UTC")}}
		}
	}
	return out, err
}
