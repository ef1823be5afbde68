package cognitomontest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

var alarmNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func alarmFake() *cognitomontest.CloudWatch {
	return cognitomontest.NewCloudWatch(nil, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return alarmNow } })
}

func alarmStat(id string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("SignInSuccesses"), Dimensions: []cwtypes.Dimension{
			{Name: aws.String("UserPool"), Value: aws.String("us-east-1_Pool1")}, {Name: aws.String("UserPoolClient"), Value: aws.String("web")},
		}},
		Period: aws.Int32(300), Stat: aws.String("SampleCount"),
	}}
}

// alarmInput is a valid metric-math alarm.
func alarmInput(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(name),
		AlarmDescription:   aws.String("test alarm"),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:          aws.Float64(20),
		EvaluationPeriods:  aws.Int32(1),
		DatapointsToAlarm:  aws.Int32(1),
		TreatMissingData:   aws.String("notBreaching"),
		AlarmActions:       []string{"arn:aws:sns:us-east-1:123456789012:pager"},
		Metrics: []cwtypes.MetricDataQuery{
			alarmStat("n0"),
			{Id: aws.String("e"), Expression: aws.String("IF(n0 >= 20, n0, 0)"), ReturnData: aws.Bool(true)},
		},
		Tags: []cwtypes.Tag{{Key: aws.String("Team"), Value: aws.String("identity")}},
	}
}

func alarmAPICode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func insightsQuery(period int32) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String("throttles"), ReturnData: aws.Bool(true), Period: aws.Int32(period),
		Expression: aws.String(`SELECT SUM(SignInThrottles) FROM SCHEMA("AWS/Cognito", UserPool, UserPoolClient) WHERE UserPool = 'us-east-1_AbCdEf123'`)}
}

func TestPutMetricAlarmRejects(t *testing.T) {
	manyStats := func(n int) []cwtypes.MetricDataQuery {
		var qs []cwtypes.MetricDataQuery
		for i := range n {
			qs = append(qs, alarmStat(fmt.Sprintf("m%d", i)))
		}
		return append(qs, cwtypes.MetricDataQuery{Id: aws.String("e"), Expression: aws.String("m0"), ReturnData: aws.Bool(true)})
	}
	manyExprs := func(n int) []cwtypes.MetricDataQuery {
		qs := []cwtypes.MetricDataQuery{alarmStat("m")}
		for i := range n {
			qs = append(qs, cwtypes.MetricDataQuery{Id: aws.String(fmt.Sprintf("e%d", i)), Expression: aws.String("m * 2"), ReturnData: aws.Bool(i == 0)})
		}
		return qs
	}
	tags := func(n int) []cwtypes.Tag {
		var ts []cwtypes.Tag
		for i := range n {
			ts = append(ts, cwtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		return ts
	}
	single := func(in *cloudwatch.PutMetricAlarmInput) {
		in.Metrics = nil
		in.Namespace, in.MetricName, in.Period, in.Statistic = aws.String("AWS/Cognito"), aws.String("SignInThrottles"), aws.Int32(300), cwtypes.StatisticSum
	}
	tests := []struct {
		name   string
		change func(*cloudwatch.PutMetricAlarmInput)
		code   string
	}{
		{"no name", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = nil }, "MissingParameter"},
		{"empty name", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("") }, "InvalidParameterValue"},
		{"control character", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String("a\tb") }, "InvalidParameterValue"},
		{"long name", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmName = aws.String(strings.Repeat("x", 256)) }, "InvalidParameterValue"},
		{"long description", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmDescription = aws.String(strings.Repeat("x", 1025)) }, "InvalidParameterValue"},
		{"two forms", func(in *cloudwatch.PutMetricAlarmInput) { in.MetricName = aws.String("SignInSuccesses") }, "InvalidParameterCombination"},
		{"no form", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = nil }, "InvalidParameterCombination"},
		{"metrics with period", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(300) }, "InvalidParameterCombination"},
		{"metrics with statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = cwtypes.StatisticSum }, "InvalidParameterCombination"},
		{"11 metrics", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = manyStats(11) }, "InvalidParameterValue"},
		{"11 expressions", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = manyExprs(11) }, "InvalidParameterValue"},
		{"two ReturnData", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].ReturnData = nil }, "InvalidParameterValue"},
		{"no ReturnData", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[1].ReturnData = aws.Bool(false) }, "InvalidParameterValue"},
		{"uppercase id", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].Id = aws.String("N0") }, "InvalidParameterValue"},
		{"duplicate id", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[1].Id = aws.String("n0") }, "InvalidParameterValue"},
		{"expression and stat", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].Expression = aws.String("1") }, "InvalidParameterCombination"},
		{"metric period 90", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].MetricStat.Period = aws.Int32(90) }, "InvalidParameterValue"},
		{"mixed periods", func(in *cloudwatch.PutMetricAlarmInput) {
			q := alarmStat("n1")
			q.MetricStat.Period = aws.Int32(60)
			in.Metrics = append(in.Metrics, q)
		}, "InvalidParameterValue"},
		{"unknown statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].MetricStat.Stat = aws.String("Median") }, "InvalidParameterValue"},
		{"no metric", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].MetricStat.Metric = nil }, "MissingParameter"},
		{"search", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[1].Expression = aws.String(`SUM(SEARCH('{AWS/Cognito,UserPool,UserPoolClient} SignInSuccesses', 'SampleCount'))`)
		}, "InvalidParameterValue"},
		{"unknown reference", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[1].Expression = aws.String("n0 + n9") }, "InvalidParameterValue"},
		{"long expression", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[1].Expression = aws.String("n0" + strings.Repeat(" ", 2047))
		}, "InvalidParameterValue"},
		{"no evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = nil }, "MissingParameter"},
		{"zero evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(0) }, "InvalidParameterValue"},
		{"M above N", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(2) }, "InvalidParameterValue"},
		{"zero M", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(0) }, "InvalidParameterValue"},
		{"over a day", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(289) }, "InvalidParameterValue"},
		{"over seven days", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[0].MetricStat.Period = aws.Int32(3600)
			in.EvaluationPeriods = aws.Int32(169)
		}, "InvalidParameterValue"},
		{"no threshold", func(in *cloudwatch.PutMetricAlarmInput) { in.Threshold = nil }, "MissingParameter"},
		{"no comparison", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "" }, "MissingParameter"},
		{"unknown comparison", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Above" }, "InvalidParameterValue"},
		{"anomaly operator without band", func(in *cloudwatch.PutMetricAlarmInput) {
			in.ComparisonOperator = cwtypes.ComparisonOperatorGreaterThanUpperThreshold
		}, "InvalidParameterCombination"},
		{"treat missing data", func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") }, "InvalidParameterValue"},
		{"six actions", func(in *cloudwatch.PutMetricAlarmInput) {
			in.OKActions = strings.Split(strings.Repeat("arn:aws:sns:us-east-1:123456789012:t,", 6), ",")[:6]
		}, "InvalidParameterValue"},
		{"action not an ARN", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmActions = []string{"pager"} }, "InvalidParameterValue"},
		{"51 tags", func(in *cloudwatch.PutMetricAlarmInput) { in.Tags = tags(51) }, "InvalidParameterValue"},
		{"empty tag key", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Tags = []cwtypes.Tag{{Key: aws.String(""), Value: aws.String("v")}}
		}, "InvalidParameterValue"},
		{"long tag key", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Tags = []cwtypes.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}
		}, "InvalidParameterValue"},
		{"long tag value", func(in *cloudwatch.PutMetricAlarmInput) {
			in.Tags = []cwtypes.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}
		}, "InvalidParameterValue"},
		{"31 dimensions", func(in *cloudwatch.PutMetricAlarmInput) {
			for i := range 29 {
				in.Metrics[0].MetricStat.Metric.Dimensions = append(in.Metrics[0].MetricStat.Metric.Dimensions, cwtypes.Dimension{Name: aws.String(fmt.Sprint("d", i)), Value: aws.String("v")})
			}
		}, "InvalidParameterValue"},
		{"single metric period 45", func(in *cloudwatch.PutMetricAlarmInput) { single(in); in.Period = aws.Int32(45) }, "InvalidParameterValue"},
		{"single metric without statistic", func(in *cloudwatch.PutMetricAlarmInput) { single(in); in.Statistic = "" }, "InvalidParameterCombination"},
		{"insights without period", func(in *cloudwatch.PutMetricAlarmInput) {
			q := insightsQuery(300)
			q.Period = nil
			in.Metrics = []cwtypes.MetricDataQuery{q}
		}, "MissingParameter"},
		{"insights high resolution", func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = []cwtypes.MetricDataQuery{insightsQuery(30)} }, "InvalidParameterValue"},
		{"two insights queries", func(in *cloudwatch.PutMetricAlarmInput) {
			q := insightsQuery(300)
			q.Id, q.ReturnData = aws.String("other"), aws.Bool(false)
			in.Metrics = []cwtypes.MetricDataQuery{insightsQuery(300), q}
		}, "InvalidParameterValue"},
		{"single metric without namespace", func(in *cloudwatch.PutMetricAlarmInput) { single(in); in.Namespace = nil }, "MissingParameter"},
	}
	cw := alarmFake()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := alarmInput("a")
			tt.change(in)
			_, err := cw.PutMetricAlarm(context.Background(), in)
			if got := alarmAPICode(err); got != tt.code {
				t.Errorf("error %v (code %q), want code %s", err, got, tt.code)
			}
		})
	}
	// The limits themselves are accepted.
	for name, change := range map[string]func(*cloudwatch.PutMetricAlarmInput){
		"10 metrics":     func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = manyStats(10) },
		"10 expressions": func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = manyExprs(10) },
		"one day":        func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(288) },
		"seven days": func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[0].MetricStat.Period = aws.Int32(3600)
			in.EvaluationPeriods = aws.Int32(168)
		},
		"high resolution":  func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics[0].MetricStat.Period = aws.Int32(30) },
		"50 tags":          func(in *cloudwatch.PutMetricAlarmInput) { in.Tags = tags(50) },
		"single metric":    single,
		"metrics insights": func(in *cloudwatch.PutMetricAlarmInput) { in.Metrics = []cwtypes.MetricDataQuery{insightsQuery(300)} },
		"five actions": func(in *cloudwatch.PutMetricAlarmInput) {
			in.AlarmActions = strings.Split(strings.Repeat("arn:x,", 5), ",")[:5]
		},
		"strings in a search": func(in *cloudwatch.PutMetricAlarmInput) {
			in.Metrics[1].Expression = aws.String(`IF(n0 > 1, n0, 0) + 0 * LEN("x y")`)
		},
	} {
		in := alarmInput("ok-" + strings.ReplaceAll(name, " ", "-"))
		change(in)
		if _, err := cw.PutMetricAlarm(context.Background(), in); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func describeAlarms(t *testing.T, cw cognitomonAlarmAPI, in *cloudwatch.DescribeAlarmsInput) []cwtypes.MetricAlarm {
	t.Helper()
	out, err := cw.DescribeAlarms(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.MetricAlarms
}

// cognitomonAlarmAPI is what both the fake and the real client offer.
type cognitomonAlarmAPI interface {
	PutMetricAlarm(context.Context, *cloudwatch.PutMetricAlarmInput, ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error)
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
	DeleteAlarms(context.Context, *cloudwatch.DeleteAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DeleteAlarmsOutput, error)
	TagResource(context.Context, *cloudwatch.TagResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.TagResourceOutput, error)
	UntagResource(context.Context, *cloudwatch.UntagResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.UntagResourceOutput, error)
	ListTagsForResource(context.Context, *cloudwatch.ListTagsForResourceInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

// alarmLifecycle runs the same checks against the in-memory fake and, over
// HTTP, the real client.
func alarmLifecycle(t *testing.T, cw cognitomonAlarmAPI, fake *cognitomontest.CloudWatch) {
	ctx := context.Background()
	in := alarmInput("pool-a-signin")
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"pool-a-signin"}})
	if len(got) != 1 {
		t.Fatalf("%d alarms, want 1", len(got))
	}
	a := got[0]
	want := cwtypes.MetricAlarm{
		AlarmName: aws.String("pool-a-signin"), AlarmArn: aws.String(cognitomontest.AlarmARNPrefix + "pool-a-signin"),
		AlarmDescription: in.AlarmDescription, ActionsEnabled: aws.Bool(true), AlarmActions: in.AlarmActions,
		ComparisonOperator: in.ComparisonOperator, Threshold: in.Threshold, EvaluationPeriods: in.EvaluationPeriods,
		DatapointsToAlarm: in.DatapointsToAlarm, TreatMissingData: in.TreatMissingData, Metrics: in.Metrics,
		StateValue: cwtypes.StateValueInsufficientData, StateReason: aws.String("Unchecked: Initial alarm creation"),
		AlarmConfigurationUpdatedTimestamp: aws.Time(alarmNow), StateUpdatedTimestamp: aws.Time(alarmNow), StateTransitionedTimestamp: aws.Time(alarmNow),
	}
	opts := []cmp.Option{cmpopts.IgnoreUnexported(cwtypes.MetricAlarm{}, cwtypes.MetricDataQuery{}, cwtypes.MetricStat{}, cwtypes.Metric{}, cwtypes.Dimension{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, a, opts...); diff != "" {
		t.Errorf("described alarm (-want +got):\n%s", diff)
	}

	// An update replaces the configuration, keeps the state and ignores tags.
	fake.SetAlarmState("pool-a-signin", cwtypes.StateValueAlarm, "test")
	in.Threshold = aws.Float64(25)
	in.Tags = []cwtypes.Tag{{Key: aws.String("Other"), Value: aws.String("x")}}
	if _, err := cw.PutMetricAlarm(ctx, in); err != nil {
		t.Fatal(err)
	}
	a = describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"pool-a-signin"}})[0]
	if *a.Threshold != 25 || a.StateValue != cwtypes.StateValueAlarm {
		t.Errorf("after update: threshold %v state %s, want 25 ALARM", *a.Threshold, a.StateValue)
	}
	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cwtypes.Tag{{Key: aws.String("Team"), Value: aws.String("identity")}}, tags.Tags, cmpopts.IgnoreUnexported(cwtypes.Tag{})); diff != "" {
		t.Errorf("tags after update (-want +got):\n%s", diff)
	}

	// Tags change through TagResource and UntagResource.
	if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: a.AlarmArn, Tags: []cwtypes.Tag{
		{Key: aws.String("Team"), Value: aws.String("security")}, {Key: aws.String("Env"), Value: aws.String("prod")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: a.AlarmArn, TagKeys: []string{"Env", "Missing"}}); err != nil {
		t.Fatal(err)
	}
	tags, err = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cwtypes.Tag{{Key: aws.String("Team"), Value: aws.String("security")}}, tags.Tags, cmpopts.IgnoreUnexported(cwtypes.Tag{})); diff != "" {
		t.Errorf("tags after tagging (-want +got):\n%s", diff)
	}
	unknown := aws.String(cognitomontest.AlarmARNPrefix + "nope")
	if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: unknown, Tags: in.Tags}); alarmAPICode(err) != "ResourceNotFoundException" {
		t.Errorf("tagging an unknown alarm: %v", err)
	}
	if _, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:sns:us-east-1:123456789012:pool-a-signin")}); alarmAPICode(err) != "ResourceNotFoundException" {
		t.Errorf("listing tags of a non-alarm ARN: %v", err)
	}
	var many []cwtypes.Tag
	for i := range 50 {
		many = append(many, cwtypes.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	if _, err := cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: a.AlarmArn, Tags: many}); alarmAPICode(err) != "InvalidParameterValue" {
		t.Errorf("tagging beyond 50 tags: %v", err)
	}

	// Listing: by prefix, in pages, by type.
	for _, name := range []string{"pool-a-refresh", "pool-a-throttles", "pool-b-signin", "pool-ab-x"} {
		if _, err := cw.PutMetricAlarm(ctx, alarmInput(name)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var pages int
	req := &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("pool-a-"), MaxRecords: aws.Int32(2)}
	for {
		out, err := cw.DescribeAlarms(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.MetricAlarms {
			names = append(names, *a.AlarmName)
		}
		if out.NextToken == nil {
			break
		}
		req.NextToken = out.NextToken
	}
	if diff := cmp.Diff([]string{"pool-a-refresh", "pool-a-signin", "pool-a-throttles"}, names); diff != "" || pages != 2 {
		t.Errorf("listing by prefix in %d pages (-want +got):\n%s", pages, diff)
	}
	if got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeCompositeAlarm}}); len(got) != 0 {
		t.Errorf("composite alarms: %d, want 0", len(got))
	}
	if got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{StateValue: cwtypes.StateValueAlarm}); len(got) != 1 {
		t.Errorf("alarms in ALARM: %d, want 1", len(got))
	}
	if got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{ActionPrefix: aws.String("arn:aws:sns:us-east-1:123456789012:pag")}); len(got) != 5 {
		t.Errorf("alarms by action prefix: %d, want 5", len(got))
	}
	for name, bad := range map[string]*cloudwatch.DescribeAlarmsInput{
		"names and prefix":  {AlarmNames: []string{"x"}, AlarmNamePrefix: aws.String("x")},
		"max records 0":     {MaxRecords: aws.Int32(0)},
		"max records 101":   {MaxRecords: aws.Int32(101)},
		"bad token":         {NextToken: aws.String("nope")},
		"children and more": {ChildrenOfAlarmName: aws.String("x"), StateValue: cwtypes.StateValueOk},
	} {
		if _, err := cw.DescribeAlarms(ctx, bad); alarmAPICode(err) == "" {
			t.Errorf("DescribeAlarms with %s: %v, want an API error", name, err)
		}
	}

	// Deleting: unknown names are reported, known ones still deleted.
	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"pool-a-refresh", "nope"}})
	if alarmAPICode(err) != "ResourceNotFound" {
		t.Errorf("deleting an unknown alarm: %v, want ResourceNotFound", err)
	}
	if got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"pool-a-refresh"}}); len(got) != 0 {
		t.Error("pool-a-refresh survived its deletion")
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"pool-a-signin", "pool-a-throttles"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{}); err == nil {
		t.Error("deleting nothing: no error") // MissingParameter from the fake; the SDK checks first
	}
	if got := describeAlarms(t, cw, &cloudwatch.DescribeAlarmsInput{}); len(got) != 2 {
		t.Errorf("%d alarms left, want 2", len(got))
	}
}

func TestAlarmLifecycle(t *testing.T) {
	fake := alarmFake()
	alarmLifecycle(t, fake, fake)
	for _, op := range []string{"PutMetricAlarm", "DescribeAlarms", "DeleteAlarms", "TagResource", "UntagResource", "ListTagsForResource"} {
		if fake.Calls(op) == 0 {
			t.Errorf("%s was not counted", op)
		}
	}
}

func TestAlarmLifecycleOverHTTP(t *testing.T) {
	srv := cognitomontest.NewServer(nil, func(o *cognitomontest.ServerOptions) {
		o.CloudWatch = append(o.CloudWatch, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return alarmNow } })
	})
	defer srv.Close()
	client := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	alarmLifecycle(t, client, srv.CloudWatch)

	// Errors arrive as the SDK's modeled types.
	_, err := client.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("x")})
	var combination *cwtypes.InvalidParameterCombinationException
	if !errors.As(err, &combination) || alarmAPICode(err) != "InvalidParameterCombination" {
		t.Errorf("error %v (%T), want InvalidParameterCombinationException", err, err)
	}
	_, err = client.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"nope"}})
	var notFound *cwtypes.ResourceNotFound
	if !errors.As(err, &notFound) {
		t.Errorf("error %v (%T), want ResourceNotFound", err, err)
	}
}

func TestAlarmThrottling(t *testing.T) {
	fake := alarmFake()
	fake.ThrottleNext("PutMetricAlarm", 1)
	if _, err := fake.PutMetricAlarm(context.Background(), alarmInput("a")); alarmAPICode(err) != "Throttling" {
		t.Errorf("error %v, want Throttling", err)
	}
	if _, err := fake.PutMetricAlarm(context.Background(), alarmInput("a")); err != nil {
		t.Error(err)
	}
	if fake.Calls("PutMetricAlarm") != 2 {
		t.Errorf("%d calls, want 2", fake.Calls("PutMetricAlarm"))
	}
}

// SetAlarmQuota refuses new alarms beyond the quota with LimitExceeded,
// which the real SDK sees as LimitExceededFault; updates still pass.
func TestAlarmQuota(t *testing.T) {
	srv := cognitomontest.NewServer(nil)
	defer srv.Close()
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	srv.CloudWatch.SetAlarmQuota(1)
	ctx := context.Background()
	if _, err := cw.PutMetricAlarm(ctx, alarmInput("first")); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.PutMetricAlarm(ctx, alarmInput("first")); err != nil {
		t.Errorf("updating an alarm at the quota: %v", err)
	}
	_, err := cw.PutMetricAlarm(ctx, alarmInput("second"))
	var le *cwtypes.LimitExceededFault
	if !errors.As(err, &le) {
		t.Fatalf("an alarm beyond the quota: %v, want LimitExceededFault", err)
	}
	srv.CloudWatch.SetAlarmQuota(0)
	if _, err := cw.PutMetricAlarm(ctx, alarmInput("second")); err != nil {
		t.Errorf("after lifting the quota: %v", err)
	}
}
