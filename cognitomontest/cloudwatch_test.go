package cognitomontest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func at(t time.Time) func(*cognitomontest.CloudWatchOptions) {
	return func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return t } }
}

func signInQuery(id, client, stat string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("SignInSuccesses"), Dimensions: []cwtypes.Dimension{
			{Name: aws.String("UserPoolClient"), Value: aws.String(client)}, // order does not matter
			{Name: aws.String("UserPool"), Value: aws.String("us-east-1_Pool1")},
		}},
		Period: aws.Int32(300), Stat: aws.String(stat),
	}}
}

type point struct {
	T time.Time
	V float64
}

func points(r cwtypes.MetricDataResult) []point {
	var out []point
	for i := range r.Timestamps {
		out = append(out, point{r.Timestamps[i], r.Values[i]})
	}
	return out
}

func TestGetMetricDataSemantics(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	base := now.Add(-time.Hour)
	p.Record(
		cognitomontest.Attempt{Time: base, Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success},
		cognitomontest.Attempt{Time: base.Add(time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Failure},
		cognitomontest.Attempt{Time: base.Add(4 * time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Throttled},
		cognitomontest.Attempt{Time: base.Add(20 * time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success},
		cognitomontest.Attempt{Time: base, Flow: cognitomon.SignIn, Client: "other", Outcome: cognitomontest.Success},
	)
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, at(now))
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(base), EndTime: aws.Time(now), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{
			signInQuery("n", "web", "SampleCount"), signInQuery("s", "web", "Sum"), signInQuery("a", "web", "Average"),
			signInQuery("lo", "web", "Minimum"), signInQuery("hi", "web", "Maximum"),
		},
	}
	out, err := cw.GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	p0, p4 := base, base.Add(20*time.Minute)
	want := map[string][]point{
		"n":  {{p0, 3}, {p4, 1}},
		"s":  {{p0, 1}, {p4, 1}},
		"a":  {{p0, 1.0 / 3}, {p4, 1}},
		"lo": {{p0, 0}, {p4, 1}},
		"hi": {{p0, 1}, {p4, 1}},
	}
	got := map[string][]point{}
	for _, r := range out.MetricDataResults {
		if r.StatusCode != cwtypes.StatusCodeComplete {
			t.Errorf("%s status %s", *r.Id, r.StatusCode)
		}
		got[*r.Id] = points(r)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("aggregates (-want +got):\n%s", diff)
	}

	// Default order is newest first.
	in.ScanBy = ""
	in.MetricDataQueries = in.MetricDataQueries[:1]
	out, err = cw.GetMetricData(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]point{{p4, 1}, {p0, 3}}, points(out.MetricDataResults[0])); diff != "" {
		t.Errorf("descending (-want +got):\n%s", diff)
	}
}

func TestGetMetricDataPagination(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	for i := range 12 {
		p.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour + time.Duration(i)*5*time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	}
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, at(now))
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MaxDatapoints: aws.Int32(5),
		MetricDataQueries: []cwtypes.MetricDataQuery{signInQuery("a", "web", "Sum"), signInQuery("b", "nobody", "Sum"), signInQuery("c", "web", "SampleCount")},
	}
	var pages []string
	total := map[string]int{}
	for {
		out, err := cw.GetMetricData(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var page string
		for _, r := range out.MetricDataResults {
			page += *r.Id + ":" + string(r.StatusCode)[:1] + " "
			total[*r.Id] += len(r.Values)
		}
		pages = append(pages, page)
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	wantPages := []string{"a:P ", "a:P ", "a:C b:C c:P ", "c:P ", "c:C "}
	if diff := cmp.Diff(wantPages, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"a": 12, "b": 0, "c": 12}, total); diff != "" {
		t.Errorf("datapoints (-want +got):\n%s", diff)
	}
}

func TestGetMetricDataRejects(t *testing.T) {
	cw := cognitomontest.NewCloudWatch(nil, at(now))
	ok := signInQuery("a", "web", "Sum")
	tests := []struct {
		name string
		in   *cloudwatch.GetMetricDataInput
		code string
	}{
		{"no times", &cloudwatch.GetMetricDataInput{MetricDataQueries: []cwtypes.MetricDataQuery{ok}}, "ValidationError"},
		{"inverted", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour)), MetricDataQueries: []cwtypes.MetricDataQuery{ok}}, "ValidationError"},
		{"no queries", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now)}, "ValidationError"},
		{"uppercase id", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{signInQuery("A", "web", "Sum")}}, "ValidationError"},
		{"duplicate id", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{ok, ok}}, "ValidationError"},
		{"expression", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("e"), Expression: aws.String("1")}}}, "ValidationError"},
		{"percentile", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{signInQuery("a", "web", "p99")}}, "ValidationError"},
		{"bad token", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{ok}, NextToken: aws.String("nope")}, "InvalidNextToken"},
		{"zero max datapoints", &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), MetricDataQueries: []cwtypes.MetricDataQuery{ok}, MaxDatapoints: aws.Int32(0)}, "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cw.GetMetricData(context.Background(), tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Errorf("error %v, want code %s", err, tt.code)
			}
		})
	}
}

func TestListMetrics(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	p.Record(
		cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Throttled},
		cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.Federation, Client: "web", IdentityProvider: "Google", Outcome: cognitomontest.Success},
		cognitomontest.Attempt{Time: now.Add(-15 * 24 * time.Hour), Flow: cognitomon.SignUp, Client: "old", Outcome: cognitomontest.Success},
	)
	other := cognitomontest.NewPool("us-east-1_Pool2")
	other.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.SignIn, Client: "x", Outcome: cognitomontest.Success})
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p, other}, at(now), func(o *cognitomontest.CloudWatchOptions) { o.ListMetricsPageSize = 2 })
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String("AWS/Cognito"), Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("UserPool"), Value: aws.String("us-east-1_Pool1")}}}
	var got []string
	pages := 0
	for pg := cloudwatch.NewListMetricsPaginator(cw, in); pg.HasMorePages(); {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, m := range out.Metrics {
			s := *m.MetricName
			for _, d := range m.Dimensions {
				s += " " + *d.Name + "=" + *d.Value
			}
			got = append(got, s)
		}
	}
	want := []string{
		"FederationSuccesses IdentityProvider=Google UserPool=us-east-1_Pool1 UserPoolClient=web",
		"SignInSuccesses UserPool=us-east-1_Pool1 UserPoolClient=web",
		"SignInThrottles UserPool=us-east-1_Pool1 UserPoolClient=web",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (the 15-day-old series is invisible) (-want +got):\n%s", diff)
	}
	if pages != 2 {
		t.Errorf("%d pages, want 2", pages)
	}
}

func TestThrottleAndCounts(t *testing.T) {
	cw := cognitomontest.NewCloudWatch(nil, at(now))
	cw.ThrottleNext("ListMetrics", 1)
	_, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
		t.Fatalf("error %v, want Throttling", err)
	}
	if _, err := cw.ListMetrics(context.Background(), &cloudwatch.ListMetricsInput{}); err != nil {
		t.Fatal(err)
	}
	if got := cw.Calls("ListMetrics"); got != 2 {
		t.Errorf("Calls = %d", got)
	}
}

func TestRecordPanicsOnMistakes(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	for name, a := range map[string]cognitomontest.Attempt{
		"no time":      {Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success},
		"no flow":      {Time: now, Client: "web", Outcome: cognitomontest.Success},
		"no outcome":   {Time: now, Flow: cognitomon.SignIn, Client: "web"},
		"bad client":   {Time: now, Flow: cognitomon.SignIn, Client: "a b", Outcome: cognitomontest.Success},
		"no provider":  {Time: now, Flow: cognitomon.Federation, Client: "web", Outcome: cognitomontest.Success},
		"empty client": {Time: now, Flow: cognitomon.SignIn, Outcome: cognitomontest.Success},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			p.Record(a)
		})
	}
	if len(p.Attempts()) != 0 {
		t.Error("a bad attempt was recorded")
	}
}

func TestSimulateTrafficIsReproducible(t *testing.T) {
	r := cognitomon.Last(6*time.Hour, now)
	a, b := cognitomontest.NewPool("us-east-1_Pool1"), cognitomontest.NewPool("us-east-1_Pool1")
	cognitomontest.SimulateTraffic(a, r, cognitomontest.TrafficOptions{Seed: 7})
	cognitomontest.SimulateTraffic(b, r, cognitomontest.TrafficOptions{Seed: 7})
	if diff := cmp.Diff(a.Attempts(), b.Attempts()); diff != "" {
		t.Errorf("same seed, different traffic (-a +b):\n%s", diff)
	}
	if len(a.Attempts()) < 500 {
		t.Errorf("only %d attempts in six hours", len(a.Attempts()))
	}
	flows := map[cognitomon.Flow]int{}
	for _, at := range a.Attempts() {
		if !r.Contains(at.Time) {
			t.Fatalf("attempt at %s outside %s", at.Time, r)
		}
		flows[at.Flow]++
	}
	for _, f := range []cognitomon.Flow{cognitomon.SignIn, cognitomon.SignUp, cognitomon.TokenRefresh, cognitomon.Federation} {
		if flows[f] == 0 {
			t.Errorf("no %s traffic", f)
		}
	}
	if got := a.Expected(cognitomon.SignIn, "", r); got.Failures() == 0 || got.Successes == 0 {
		t.Errorf("sign-in mix %+v", got)
	}
}

// TestRetention: like CloudWatch (FACTS.md 4.1), the fake returns no
// datapoints at a period finer than it keeps for data that old.
func TestRetention(t *testing.T) {
	const day = 24 * time.Hour
	for _, tt := range []struct {
		age    time.Duration
		period int32
		points int
	}{
		{14 * day, 60, 1}, {20 * day, 60, 0}, {20 * day, 300, 1}, {70 * day, 300, 0}, {70 * day, 3600, 1},
	} {
		at := now.Add(-tt.age).Truncate(time.Hour)
		p := cognitomontest.NewPool("us-east-1_Pool1")
		p.Record(cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
		cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return now } })
		q := signInQuery("m", "web", "SampleCount")
		q.MetricStat.Period = aws.Int32(tt.period)
		out, err := cw.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(at), EndTime: aws.Time(at.Add(time.Hour)), MetricDataQueries: []cwtypes.MetricDataQuery{q},
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(out.MetricDataResults[0].Values); got != tt.points {
			t.Errorf("%v old at %ds: %d datapoints, want %d", tt.age, tt.period, got, tt.points)
		}
	}
}
