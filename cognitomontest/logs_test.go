package cognitomontest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func logsPool() *cognitomontest.Pool {
	p := cognitomontest.NewPool("us-east-1_Pool1", func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	for i := range 6 {
		o, code := cognitomontest.Failure, "NotAuthorizedException"
		if i%3 == 0 {
			code = "UserNotFoundException"
		}
		if i == 5 {
			o = cognitomontest.Success
		}
		p.Record(cognitomontest.Attempt{Time: now.Add(-time.Duration(10-i) * time.Minute), Flow: cognitomon.SignIn, Client: "web", User: "bob", IP: "203.0.113.9", Outcome: o, ErrorCode: code, RiskLevel: "HIGH"})
	}
	return p
}

const failuresByCode = `filter eventName = "InitiateAuth" and not isempty(errorCode) | stats count(*) as n by errorCode | sort n desc`

func runQuery(t *testing.T, api interface {
	StartQuery(context.Context, *cloudwatchlogs.StartQueryInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
}, group, query string) *cloudwatchlogs.GetQueryResultsOutput {
	t.Helper()
	ctx := context.Background()
	start, err := api.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupNames: []string{group}, QueryString: aws.String(query),
		StartTime: aws.Int64(now.Add(-time.Hour).Unix()), EndTime: aws.Int64(now.Unix()), QueryLanguage: logtypes.QueryLanguageCwli,
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := api.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rows(out *cloudwatchlogs.GetQueryResultsOutput) [][]string {
	var rs [][]string
	for _, r := range out.Results {
		var row []string
		for _, f := range r {
			row = append(row, *f.Field+"="+*f.Value)
		}
		rs = append(rs, row)
	}
	return rs
}

func TestLogsQueryOverTrail(t *testing.T) {
	f := cognitomontest.NewLogs([]*cognitomontest.Pool{logsPool()})
	out := runQuery(t, f, "aws-cloudtrail-logs-cognitomon", failuresByCode)
	if out.Status != logtypes.QueryStatusComplete {
		t.Fatalf("status %s", out.Status)
	}
	want := [][]string{{"errorCode=NotAuthorizedException", "n=3"}, {"errorCode=UserNotFoundException", "n=2"}}
	if diff := cmp.Diff(want, rows(out)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if out.Statistics.RecordsScanned != 6 || out.Statistics.RecordsMatched != 5 || out.Statistics.BytesScanned == 0 {
		t.Errorf("statistics %+v", out.Statistics)
	}
}

func TestLogsQueryOverUserActivity(t *testing.T) {
	f := cognitomontest.NewLogs([]*cognitomontest.Pool{logsPool()})
	out := runQuery(t, f, "/aws/vendedlogs/cognito/user-activity", `filter message.riskLevel = "HIGH" | stats count(*) as n by message.eventResponse as response | sort n desc`)
	want := [][]string{{"response=Fail", "n=5"}, {"response=Pass", "n=1"}}
	if diff := cmp.Diff(want, rows(out)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestLogsQueryLifecycle(t *testing.T) {
	ctx := context.Background()
	f := cognitomontest.NewLogs([]*cognitomontest.Pool{logsPool()}, func(o *cognitomontest.LogsOptions) { o.QueryDuration = time.Hour })
	start := func() string {
		out, err := f.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("aws-cloudtrail-logs-cognitomon"), QueryString: aws.String(failuresByCode), StartTime: aws.Int64(0), EndTime: aws.Int64(now.Unix())})
		if err != nil {
			t.Fatal(err)
		}
		return *out.QueryId
	}
	id := start()
	res, err := f.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: &id})
	if err != nil || res.Status != logtypes.QueryStatusRunning || res.Results != nil {
		t.Fatalf("running query: %v %+v", err, res)
	}
	if _, err := f.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: &id}); err != nil {
		t.Fatal(err)
	}
	res, _ = f.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: &id})
	if res.Status != logtypes.QueryStatusCancelled {
		t.Errorf("after stop: %s", res.Status)
	}
	if _, err := f.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: &id}); err == nil {
		t.Error("stopping a stopped query succeeded")
	}
	if diff := cmp.Diff([]string{id}, f.Stopped()); diff != "" {
		t.Errorf("stopped (-want +got):\n%s", diff)
	}
	f.FailNextQuery(logtypes.QueryStatusTimeout)
	fast := cognitomontest.NewLogs([]*cognitomontest.Pool{logsPool()})
	fast.FailNextQuery(logtypes.QueryStatusTimeout)
	if out := runQuery(t, fast, "aws-cloudtrail-logs-cognitomon", failuresByCode); out.Status != logtypes.QueryStatusTimeout || out.Results != nil {
		t.Errorf("failed query: %s with %d rows", out.Status, len(out.Results))
	}
}

func TestLogsQueryErrors(t *testing.T) {
	ctx := context.Background()
	f := cognitomontest.NewLogs(nil, func(o *cognitomontest.LogsOptions) {
		o.QueryDuration = time.Hour
		o.MaxConcurrentQueries = 1
	})
	ok := func() *cloudwatchlogs.StartQueryInput {
		return &cloudwatchlogs.StartQueryInput{LogGroupNames: []string{"aws-cloudtrail-logs-cognitomon"}, QueryString: aws.String("stats count(*)"), StartTime: aws.Int64(0), EndTime: aws.Int64(10)}
	}
	tests := []struct {
		name string
		mod  func(*cloudwatchlogs.StartQueryInput)
		code string
	}{
		{"malformed", func(in *cloudwatchlogs.StartQueryInput) { in.QueryString = aws.String("filter eventName = ") }, "MalformedQueryException"},
		{"out of subset", func(in *cloudwatchlogs.StartQueryInput) { in.QueryString = aws.String("parse @message /x/ as y") }, "MalformedQueryException"},
		{"no group", func(in *cloudwatchlogs.StartQueryInput) { in.LogGroupNames = nil }, "InvalidParameterException"},
		{"two ways", func(in *cloudwatchlogs.StartQueryInput) { in.LogGroupName = aws.String("x") }, "InvalidParameterException"},
		{"51 groups", func(in *cloudwatchlogs.StartQueryInput) { in.LogGroupNames = make([]string, 51) }, "InvalidParameterException"},
		{"unknown group", func(in *cloudwatchlogs.StartQueryInput) { in.LogGroupNames = []string{"other"} }, "ResourceNotFoundException"},
		{"inverted", func(in *cloudwatchlogs.StartQueryInput) { in.StartTime = aws.Int64(20) }, "InvalidParameterException"},
		{"sql", func(in *cloudwatchlogs.StartQueryInput) { in.QueryLanguage = logtypes.QueryLanguageSql }, "InvalidParameterException"},
	}
	for _, tt := range tests {
		in := ok()
		tt.mod(in)
		_, err := f.StartQuery(ctx, in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	var me *logtypes.MalformedQueryException
	_, err := f.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("aws-cloudtrail-logs-cognitomon"), QueryString: aws.String("filter eventName = "), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	if !errors.As(err, &me) || me.QueryCompileError == nil || me.QueryCompileError.Location == nil {
		t.Errorf("malformed query error %v lacks the compile error", err)
	}
	// Concurrency: one query runs, the second is refused; an injected limit too.
	if _, err := f.StartQuery(ctx, ok()); err != nil {
		t.Fatal(err)
	}
	var le *logtypes.LimitExceededException
	if _, err := f.StartQuery(ctx, ok()); !errors.As(err, &le) {
		t.Errorf("second concurrent query: %v", err)
	}
	g := cognitomontest.NewLogs(nil)
	g.LimitNextStarts(1)
	if _, err := g.StartQuery(ctx, ok()); !errors.As(err, &le) {
		t.Errorf("injected limit: %v", err)
	}
	if _, err := g.StartQuery(ctx, ok()); err != nil {
		t.Errorf("after the injected limit: %v", err)
	}
	if _, err := g.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("nope")}); err == nil {
		t.Error("unknown query id accepted")
	}
}

func TestLogsOverHTTP(t *testing.T) {
	p := logsPool()
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p})
	defer srv.Close()
	client := cloudwatchlogs.NewFromConfig(srv.AWSConfig(), func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
	viaHTTP := runQuery(t, client, "aws-cloudtrail-logs-cognitomon", failuresByCode)
	direct := runQuery(t, cognitomontest.NewLogs([]*cognitomontest.Pool{p}), "aws-cloudtrail-logs-cognitomon", failuresByCode)
	if diff := cmp.Diff(direct, viaHTTP, cmpopts.IgnoreUnexported(cloudwatchlogs.GetQueryResultsOutput{}, logtypes.ResultField{}, logtypes.QueryStatistics{}), cmpopts.IgnoreFields(cloudwatchlogs.GetQueryResultsOutput{}, "ResultMetadata")); diff != "" {
		t.Errorf("HTTP vs memory (-want +got):\n%s", diff)
	}
	_, err := client.StartQuery(context.Background(), &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("aws-cloudtrail-logs-cognitomon"), QueryString: aws.String("dedup x"), StartTime: aws.Int64(0), EndTime: aws.Int64(1)})
	var me *logtypes.MalformedQueryException
	if !errors.As(err, &me) || me.QueryCompileError == nil {
		t.Errorf("malformed over HTTP: %v", err)
	}
}
