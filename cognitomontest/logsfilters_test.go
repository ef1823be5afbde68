package cognitomontest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// The log groups the Logs fake holds by default.
const (
	lfTrailGroup    = "aws-cloudtrail-logs-cognitomon"
	lfActivityGroup = "/aws/vendedlogs/cognito/user-activity"
)

var lfNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const lfPattern = `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") && ($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }`

func lfInput(name, group string) *cloudwatchlogs.PutMetricFilterInput {
	return &cloudwatchlogs.PutMetricFilterInput{
		FilterName: aws.String(name), LogGroupName: aws.String(group), FilterPattern: aws.String(lfPattern),
		MetricTransformations: []logtypes.MetricTransformation{{
			MetricName: aws.String("MachineTokens"), MetricNamespace: aws.String("Cognitomon/us-east-1_Pool1"),
			MetricValue: aws.String("1"), DefaultValue: aws.Float64(0),
		}},
	}
}

// lfAPI is what both the fake and the real client offer.
type lfAPI interface {
	PutMetricFilter(context.Context, *cloudwatchlogs.PutMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error)
	DescribeMetricFilters(context.Context, *cloudwatchlogs.DescribeMetricFiltersInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error)
	DeleteMetricFilter(context.Context, *cloudwatchlogs.DeleteMetricFilterInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error)
}

func lfNames(t *testing.T, api lfAPI, in *cloudwatchlogs.DescribeMetricFiltersInput) []string {
	t.Helper()
	var names []string
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(api, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.MetricFilters {
			names = append(names, *f.LogGroupName+"/"+*f.FilterName)
		}
	}
	return names
}

func lfLifecycle(t *testing.T, api lfAPI) {
	ctx := context.Background()
	in := lfInput("pool1-m2m", lfTrailGroup)
	if _, err := api.PutMetricFilter(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err := api.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(lfTrailGroup)})
	if err != nil {
		t.Fatal(err)
	}
	want := []logtypes.MetricFilter{{
		FilterName: in.FilterName, LogGroupName: in.LogGroupName, FilterPattern: in.FilterPattern,
		MetricTransformations: in.MetricTransformations, CreationTime: aws.Int64(lfNow.UnixMilli()),
	}}
	opts := []cmp.Option{cmpopts.IgnoreUnexported(logtypes.MetricFilter{}, logtypes.MetricTransformation{}), cmpopts.EquateEmpty()}
	if diff := cmp.Diff(want, out.MetricFilters, opts...); diff != "" {
		t.Errorf("described filters (-want +got):\n%s", diff)
	}

	// An update replaces the filter in place.
	in.FilterPattern = aws.String(`{ $.eventName = "Token_POST" }`)
	if _, err := api.PutMetricFilter(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, err = api.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(lfTrailGroup)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 1 || *out.MetricFilters[0].FilterPattern != *in.FilterPattern {
		t.Errorf("after update: %d filters", len(out.MetricFilters))
	}

	for _, f := range []struct{ name, group string }{{"pool1-admin", lfTrailGroup}, {"pool2-admin", lfTrailGroup}, {"pool1-activity", lfActivityGroup}, {"pool1-z", lfTrailGroup}} {
		in := lfInput(f.name, f.group)
		if f.name == "pool1-admin" {
			in.MetricTransformations[0].MetricName = aws.String("RiskyAdminChanges")
		}
		if _, err := api.PutMetricFilter(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		in   *cloudwatchlogs.DescribeMetricFiltersInput
		want []string
	}{
		{"all, sorted by name", &cloudwatchlogs.DescribeMetricFiltersInput{Limit: aws.Int32(2)}, []string{
			lfActivityGroup + "/pool1-activity", lfTrailGroup + "/pool1-admin", lfTrailGroup + "/pool1-m2m", lfTrailGroup + "/pool1-z", lfTrailGroup + "/pool2-admin",
		}},
		{"prefix in a log group", &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(lfTrailGroup), FilterNamePrefix: aws.String("pool1-"), Limit: aws.Int32(1)}, []string{
			lfTrailGroup + "/pool1-admin", lfTrailGroup + "/pool1-m2m", lfTrailGroup + "/pool1-z",
		}},
		{"prefix without a log group is ignored", &cloudwatchlogs.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("pool2-")}, []string{
			lfActivityGroup + "/pool1-activity", lfTrailGroup + "/pool1-admin", lfTrailGroup + "/pool1-m2m", lfTrailGroup + "/pool1-z", lfTrailGroup + "/pool2-admin",
		}},
		{"by metric", &cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("RiskyAdminChanges"), MetricNamespace: aws.String("Cognitomon/us-east-1_Pool1")}, []string{
			lfTrailGroup + "/pool1-admin",
		}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, lfNames(t, api, tt.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}

	if _, err := api.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String("pool1-m2m"), LogGroupName: aws.String(lfTrailGroup)}); err != nil {
		t.Fatal(err)
	}
	_, err = api.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String("pool1-m2m"), LogGroupName: aws.String(lfTrailGroup)})
	var notFound *logtypes.ResourceNotFoundException
	if !errors.As(err, &notFound) && alarmAPICode(err) != "ResourceNotFoundException" {
		t.Errorf("deleting twice: %v, want ResourceNotFoundException", err)
	}
	if got := lfNames(t, api, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(lfTrailGroup)}); len(got) != 3 {
		t.Errorf("after delete: %v", got)
	}
}

func TestMetricFilterLifecycle(t *testing.T) {
	fake := cognitomontest.NewLogs(nil, func(o *cognitomontest.LogsOptions) { o.Now = func() time.Time { return lfNow } })
	lfLifecycle(t, fake)
	for _, op := range []string{"PutMetricFilter", "DescribeMetricFilters", "DeleteMetricFilter"} {
		if fake.Calls(op) == 0 {
			t.Errorf("%s was not counted", op)
		}
	}
}

func TestMetricFilterLifecycleOverHTTP(t *testing.T) {
	srv := cognitomontest.NewServer(nil, func(o *cognitomontest.ServerOptions) {
		o.Logs = append(o.Logs, func(o *cognitomontest.LogsOptions) { o.Now = func() time.Time { return lfNow } })
	})
	defer srv.Close()
	client := cloudwatchlogs.NewFromConfig(srv.AWSConfig(), func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
	lfLifecycle(t, client)

	_, err := client.PutMetricFilter(context.Background(), lfInput("x", "no-such-group"))
	var notFound *logtypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("error %v (%T), want ResourceNotFoundException", err, err)
	}
	_, err = client.PutMetricFilter(context.Background(), lfInput("a:b", lfTrailGroup))
	var invalid *logtypes.InvalidParameterException
	if !errors.As(err, &invalid) {
		t.Errorf("error %v (%T), want InvalidParameterException", err, err)
	}
}

func TestPutMetricFilterRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*cloudwatchlogs.PutMetricFilterInput)
		code   string
	}{
		{"no name", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterName = nil }, "InvalidParameterException"},
		{"colon in name", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterName = aws.String("a:b") }, "InvalidParameterException"},
		{"star in name", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterName = aws.String("a*") }, "InvalidParameterException"},
		{"long name", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterName = aws.String(strings.Repeat("n", 513)) }, "InvalidParameterException"},
		{"bad log group", func(in *cloudwatchlogs.PutMetricFilterInput) { in.LogGroupName = aws.String("trail logs") }, "InvalidParameterException"},
		{"unknown log group", func(in *cloudwatchlogs.PutMetricFilterInput) { in.LogGroupName = aws.String("other") }, "ResourceNotFoundException"},
		{"long pattern", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.FilterPattern = aws.String(strings.Repeat("x", 1025))
		}, "InvalidParameterException"},
		{"unbalanced pattern", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterPattern = aws.String(`{ ($.a = "b" }`) }, "InvalidParameterException"},
		{"unterminated string", func(in *cloudwatchlogs.PutMetricFilterInput) { in.FilterPattern = aws.String(`{ $.a = "b }`) }, "InvalidParameterException"},
		{"two transformations", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations = append(in.MetricTransformations, in.MetricTransformations[0])
		}, "InvalidParameterException"},
		{"dollar in metric name", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].MetricName = aws.String("a$b")
		}, "InvalidParameterException"},
		{"no namespace", func(in *cloudwatchlogs.PutMetricFilterInput) { in.MetricTransformations[0].MetricNamespace = nil }, "InvalidParameterException"},
		{"long value", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].MetricValue = aws.String(strings.Repeat("1", 101))
		}, "InvalidParameterException"},
		{"four dimensions", func(in *cloudwatchlogs.PutMetricFilterInput) {
			in.MetricTransformations[0].Dimensions = map[string]string{"a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"}
		}, "InvalidParameterException"},
		{"unknown unit", func(in *cloudwatchlogs.PutMetricFilterInput) { in.MetricTransformations[0].Unit = "Pages" }, "InvalidParameterException"},
	}
	fake := cognitomontest.NewLogs(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := lfInput("f", lfTrailGroup)
			tt.change(in)
			if _, err := fake.PutMetricFilter(context.Background(), in); alarmAPICode(err) != tt.code {
				t.Errorf("error %v, want code %s", err, tt.code)
			}
		})
	}
	for name, bad := range map[string]*cloudwatchlogs.DescribeMetricFiltersInput{
		"limit 0":                  {Limit: aws.Int32(0)},
		"limit 51":                 {Limit: aws.Int32(51)},
		"metric without namespace": {MetricName: aws.String("m")},
		"bad token":                {NextToken: aws.String("x")},
		"unknown log group":        {LogGroupName: aws.String("other")},
	} {
		if _, err := fake.DescribeMetricFilters(context.Background(), bad); alarmAPICode(err) == "" {
			t.Errorf("DescribeMetricFilters with %s: %v, want an API error", name, err)
		}
	}
	// At most 100 filters in a log group.
	for i := range 100 {
		if _, err := fake.PutMetricFilter(context.Background(), lfInput(fmt.Sprint("f", i), lfTrailGroup)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := fake.PutMetricFilter(context.Background(), lfInput("f100", lfTrailGroup)); alarmAPICode(err) != "LimitExceededException" {
		t.Errorf("101st filter: %v, want LimitExceededException", err)
	}
	if _, err := fake.PutMetricFilter(context.Background(), lfInput("f7", lfTrailGroup)); err != nil {
		t.Errorf("replacing a filter at the limit: %v", err)
	}
}
