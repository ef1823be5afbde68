package cognitomon_test

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
	"github.com/aws/smithy-go/document"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// now is the fixed clock of these tests.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const testPool cognitomon.UserPoolID = "us-east-1_AbCdEf123"

func clockAt(t time.Time) func(*cognitomon.MetricsOptions) {
	return func(o *cognitomon.MetricsOptions) {
		o.Clock = func() time.Time { return t }
		o.Retry = cognitomon.RetryOptions{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}
	}
}

func fakeAt(t time.Time) func(*cognitomontest.CloudWatchOptions) {
	return func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return t } }
}

// busyPool records a mix of traffic in the two hours before now: three web
// clients, the pseudo-clients, federation through two providers.
func busyPool(t testing.TB) *cognitomontest.Pool {
	t.Helper()
	p := cognitomontest.NewPool(testPool)
	start := now.Add(-2 * time.Hour)
	outcomes := []cognitomontest.Outcome{cognitomontest.Success, cognitomontest.Success, cognitomontest.Failure, cognitomontest.Success, cognitomontest.Throttled}
	clients := []cognitomon.ClientID{"web1abc", "ios2def", "m2m3ghi"}
	i := 0
	for m := 0; m < 120; m += 3 {
		at := start.Add(time.Duration(m) * time.Minute)
		for ci, c := range clients {
			if ci == 2 && m%30 != 0 {
				continue // a quiet client
			}
			i++
			p.Record(
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: c, User: fmt.Sprintf("user%d", i%7), IP: "198.51.100.7", Outcome: outcomes[i%len(outcomes)]},
				cognitomontest.Attempt{Time: at.Add(time.Second), Flow: cognitomon.TokenRefresh, Client: c, Outcome: outcomes[(i+1)%len(outcomes)]},
			)
		}
		if m%9 == 0 {
			p.Record(
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignUp, Client: "web1abc", Outcome: outcomes[i%3]},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignUp, Client: cognitomon.AdminClient, Outcome: cognitomontest.Success},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: cognitomon.InvalidClient, Outcome: cognitomontest.Failure},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.Federation, Client: "web1abc", IdentityProvider: "Google", Outcome: outcomes[i%4]},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.Federation, Client: "web1abc", IdentityProvider: "AzureAD-SAML", Outcome: cognitomontest.Success},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.Federation, Client: "ios2def", IdentityProvider: "Google", Outcome: cognitomontest.Failure},
			)
		}
	}
	return p
}

// wantCounts builds the expected figures from the pool's own attempts.
func wantCounts(p *cognitomontest.Pool, r cognitomon.TimeRange) map[string]cognitomon.Counts {
	want := map[string]cognitomon.Counts{}
	for _, a := range p.Attempts() {
		if !r.Contains(a.Time) {
			continue
		}
		for _, k := range []string{a.Flow.String(), a.Flow.String() + "/" + string(a.Client)} {
			c := want[k]
			c.Attempts++
			switch a.Outcome {
			case cognitomontest.Success:
				c.Successes++
			case cognitomontest.Throttled:
				c.Throttles++
			}
			want[k] = c
		}
	}
	return want
}

// gotCounts flattens Stats into the same shape as wantCounts.
func gotCounts(st *cognitomon.Stats) map[string]cognitomon.Counts {
	got := map[string]cognitomon.Counts{}
	for _, fs := range st.Flows {
		if fs.Attempts > 0 {
			got[fs.Flow.String()] = fs.Counts
		}
		for _, c := range fs.Clients {
			if c.Attempts > 0 {
				got[fs.Flow.String()+"/"+string(c.Client)] = c.Counts
			}
		}
	}
	return got
}

func TestStatsDiscovered(t *testing.T) {
	p := busyPool(t)
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	r := cognitomon.Last(3*time.Hour, now)
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantCounts(p, r), gotCounts(st)); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if !st.Discovered || st.Period != 5*time.Minute || st.Range != r {
		t.Errorf("Discovered=%v Period=%v Range=%v", st.Discovered, st.Period, st.Range)
	}
	if len(st.Warnings) != 0 {
		t.Errorf("warnings: %q", st.Warnings)
	}
	// Federation per provider.
	fed := st.Flow(cognitomon.Federation)
	var providers []string
	for _, ps := range fed.Providers {
		providers = append(providers, ps.Provider)
	}
	if diff := cmp.Diff([]string{"AzureAD-SAML", "Google"}, providers); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}
	// The series adds up to the totals and has one point per period.
	signIn := st.Flow(cognitomon.SignIn)
	if got, want := len(signIn.Series.Counts), 36; got != want {
		t.Errorf("series length %d, want %d", got, want)
	}
	if signIn.Series.Total() != signIn.Counts {
		t.Errorf("series total %+v != total %+v", signIn.Series.Total(), signIn.Counts)
	}
	if signIn.Failures() == 0 || signIn.Throttles == 0 || signIn.FailureRate() <= 0 {
		t.Errorf("the busy pool should show failures and throttles: %+v", signIn.Counts)
	}
	// The first hour of the range had no traffic.
	for tm, c := range signIn.Series.All() {
		if tm.Before(now.Add(-2*time.Hour)) && c != (cognitomon.Counts{}) {
			t.Errorf("traffic at %s before the pool's first attempt: %+v", tm, c)
		}
	}
}

func TestStatsExplicitClients(t *testing.T) {
	p := busyPool(t)
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	r := cognitomon.Last(3*time.Hour, now)
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{
		UserPool: testPool, Range: r,
		Clients: []cognitomon.ClientID{"web1abc", "ios2def", "m2m3ghi", "unused9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantCounts(p, r), gotCounts(st)); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	var clients []cognitomon.ClientID
	for _, c := range st.Flow(cognitomon.SignIn).Clients {
		clients = append(clients, c.Client)
	}
	if diff := cmp.Diff([]cognitomon.ClientID{"Invalid", "ios2def", "m2m3ghi", "unused9", "web1abc"}, clients); diff != "" {
		t.Errorf("sign-in clients (-want +got):\n%s", diff)
	}
	if got := st.Flow(cognitomon.SignIn).Client("unused9"); got.Counts != (cognitomon.Counts{}) {
		t.Errorf("unused client: %+v", got.Counts)
	}
	if st.Discovered {
		t.Error("Discovered with explicit clients")
	}
}

func TestStatsBadInput(t *testing.T) {
	cw := cognitomontest.NewCloudWatch(nil, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	ok := cognitomon.Last(time.Hour, now)
	day := 24 * time.Hour
	tests := []struct {
		name string
		in   cognitomon.StatsInput
		want error
	}{
		{"empty pool", cognitomon.StatsInput{Range: ok}, cognitomon.ErrInvalidUserPoolID},
		{"pool without region", cognitomon.StatsInput{UserPool: "AbCdEf123", Range: ok}, cognitomon.ErrInvalidUserPoolID},
		{"pool with quote", cognitomon.StatsInput{UserPool: "us-east-1_Ab'C", Range: ok}, cognitomon.ErrInvalidUserPoolID},
		{"pool too long", cognitomon.StatsInput{UserPool: cognitomon.UserPoolID("us-east-1_" + strings.Repeat("a", 50)), Range: ok}, cognitomon.ErrInvalidUserPoolID},
		{"client with space", cognitomon.StatsInput{UserPool: testPool, Range: ok, Clients: []cognitomon.ClientID{"a b"}}, cognitomon.ErrInvalidClientID},
		{"client too long", cognitomon.StatsInput{UserPool: testPool, Range: ok, Clients: []cognitomon.ClientID{cognitomon.ClientID(strings.Repeat("a", 129))}}, cognitomon.ErrInvalidClientID},
		{"zero range", cognitomon.StatsInput{UserPool: testPool}, cognitomon.ErrInvalidRange},
		{"inverted range", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now, End: now.Add(-time.Hour)}}, cognitomon.ErrInvalidRange},
		{"empty range", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now.Add(-time.Hour), End: now.Add(-time.Hour)}}, cognitomon.ErrInvalidRange},
		{"future range", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)}}, cognitomon.ErrInvalidRange},
		{"beyond retention", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now.Add(-500 * day), End: now.Add(-499 * day)}, Period: time.Hour}, cognitomon.ErrInvalidRange},
		{"seconds period", cognitomon.StatsInput{UserPool: testPool, Range: ok, Period: 90 * time.Second}, cognitomon.ErrInvalidPeriod},
		{"negative period", cognitomon.StatsInput{UserPool: testPool, Range: ok, Period: -time.Minute}, cognitomon.ErrInvalidPeriod},
		{"1m period 20 days ago", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now.Add(-20 * day), End: now.Add(-19 * day)}, Period: time.Minute}, cognitomon.ErrInvalidPeriod},
		{"5m period 70 days ago", cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.TimeRange{Start: now.Add(-70 * day), End: now.Add(-69 * day)}}, cognitomon.ErrInvalidPeriod},
		{"unknown flow", cognitomon.StatsInput{UserPool: testPool, Range: ok, Flows: []cognitomon.Flow{9}}, nil},
		{"duplicate flow", cognitomon.StatsInput{UserPool: testPool, Range: ok, Flows: []cognitomon.Flow{cognitomon.SignIn, cognitomon.SignIn}}, nil},
		{"empty provider", cognitomon.StatsInput{UserPool: testPool, Range: ok, Clients: []cognitomon.ClientID{"web"}, IdentityProviders: []string{""}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := mc.Stats(context.Background(), tt.in)
			if err == nil {
				t.Fatalf("no error; got %+v", st)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %q does not wrap %q", err, tt.want)
			}
		})
	}
	if n := cw.Calls("GetMetricData") + cw.Calls("ListMetrics"); n != 0 {
		t.Errorf("bad input reached AWS: %d calls", n)
	}
}

func TestStatsPeriodRulesAccepted(t *testing.T) {
	cw := cognitomontest.NewCloudWatch(nil, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	day := 24 * time.Hour
	tests := []struct {
		name   string
		r      cognitomon.TimeRange
		period time.Duration
		want   cognitomon.TimeRange // aligned
	}{
		{"recent 1m", cognitomon.TimeRange{Start: now.Add(-90 * time.Second), End: now.Add(-10 * time.Second)}, time.Minute,
			cognitomon.TimeRange{Start: now.Add(-2 * time.Minute), End: now}},
		{"20 days 5m", cognitomon.TimeRange{Start: now.Add(-20*day + 7*time.Minute), End: now.Add(-19 * day)}, 5 * time.Minute,
			cognitomon.TimeRange{Start: now.Add(-20*day + 5*time.Minute), End: now.Add(-19 * day)}},
		{"70 days 1h", cognitomon.TimeRange{Start: now.Add(-70*day - 30*time.Minute), End: now.Add(-69*day + time.Minute)}, time.Hour,
			cognitomon.TimeRange{Start: now.Add(-70*day - time.Hour), End: now.Add(-69*day + time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: tt.r, Period: tt.period, Clients: []cognitomon.ClientID{"web"}})
			if err != nil {
				t.Fatal(err)
			}
			if st.Range != tt.want || st.Requested != tt.r {
				t.Errorf("Range %s Requested %s, want %s and %s", st.Range, st.Requested, tt.want, tt.r)
			}
		})
	}
}

func TestStatsShortPeriodWarns(t *testing.T) {
	cw := cognitomontest.NewCloudWatch(nil, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now), Period: time.Minute, Clients: []cognitomon.ClientID{"web"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "five-minute") {
		t.Errorf("warnings %q", st.Warnings)
	}
}

func TestStatsOldRangeWarnsAboutDiscovery(t *testing.T) {
	p := cognitomontest.NewPool(testPool)
	old := now.Add(-20 * 24 * time.Hour)
	p.Record(cognitomontest.Attempt{Time: old, Flow: cognitomon.SignIn, Client: "gone", Outcome: cognitomontest.Failure})
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	r := cognitomon.TimeRange{Start: old.Add(-time.Hour), End: old.Add(time.Hour)}
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "14 days") {
		t.Errorf("warnings %q", st.Warnings)
	}
	// The series is invisible to discovery, but not to explicit clients.
	if got := st.Flow(cognitomon.SignIn).Attempts; got != 0 {
		t.Errorf("discovered attempts %d, want 0 (ListMetrics cannot see the series)", got)
	}
	st, err = mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r, Clients: []cognitomon.ClientID{"gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Flow(cognitomon.SignIn).Client("gone").Counts; got != (cognitomon.Counts{Attempts: 1}) {
		t.Errorf("explicit client counts %+v", got)
	}
}

// manyClients returns a pool with n clients that each signed in once.
func manyClients(n int) *cognitomontest.Pool {
	p := cognitomontest.NewPool(testPool)
	for i := range n {
		p.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.SignIn, Client: cognitomon.ClientID(fmt.Sprintf("client%03d", i)), Outcome: cognitomontest.Success})
	}
	return p
}

func TestStatsPacking(t *testing.T) {
	tests := []struct {
		name                string
		clients             int
		rangeLen            time.Duration
		maxQueries, maxData int
		wantCalls           int
	}{
		// 40 discovered clients x 2 queries (SampleCount and Sum; no
		// throttle series was listed, so none is read) = 80 queries.
		{"query limit", 40, time.Hour, 50, 100_800, 2},
		// 12 periods a query, 60 datapoints a call: 5 queries a call.
		{"datapoint limit", 40, time.Hour, 500, 60, 16},
		// 24 periods but 10 datapoints a call: the range is cut into
		// windows of 10, 10 and 4 periods, needing 80, 80 and 40 calls.
		{"window split", 40, 2 * time.Hour, 500, 10, 200},
		{"one call", 40, time.Hour, 500, 100_800, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := manyClients(tt.clients)
			cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
			mc := cognitomon.NewMetricsClient(cw, clockAt(now), func(o *cognitomon.MetricsOptions) {
				o.MaxQueriesPerCall = tt.maxQueries
				o.MaxDatapointsPerCall = tt.maxData
			})
			r := cognitomon.Last(tt.rangeLen, now)
			st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r, Flows: []cognitomon.Flow{cognitomon.SignIn}})
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Flow(cognitomon.SignIn).Counts; got != (cognitomon.Counts{Attempts: int64(tt.clients), Successes: int64(tt.clients)}) {
				t.Errorf("counts %+v", got)
			}
			if st.Usage.GetMetricDataCalls != tt.wantCalls || cw.Calls("GetMetricData") != tt.wantCalls {
				t.Errorf("calls: usage %d, fake %d, want %d", st.Usage.GetMetricDataCalls, cw.Calls("GetMetricData"), tt.wantCalls)
			}
			for _, in := range cw.GetMetricDataInputs() {
				points := int(in.EndTime.Sub(*in.StartTime)/(5*time.Minute)) * len(in.MetricDataQueries)
				if len(in.MetricDataQueries) > tt.maxQueries || points > tt.maxData {
					t.Errorf("call with %d queries and %d datapoints exceeds the limits", len(in.MetricDataQueries), points)
				}
			}
		})
	}
}

func TestStatsThrottling(t *testing.T) {
	for _, op := range []string{"GetMetricData", "ListMetrics"} {
		t.Run(op+" recovers", func(t *testing.T) {
			p := busyPool(t)
			cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
			mc := cognitomon.NewMetricsClient(cw, clockAt(now))
			cw.ThrottleNext(op, 2)
			r := cognitomon.Last(3*time.Hour, now)
			st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantCounts(p, r), gotCounts(st)); diff != "" {
				t.Errorf("counts after throttling (-want +got):\n%s", diff)
			}
			if got := cw.Calls(op); got != 3 {
				t.Errorf("%s calls %d, want 3 (two throttled, one answered)", op, got)
			}
		})
		t.Run(op+" gives up", func(t *testing.T) {
			cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{busyPool(t)}, fakeAt(now))
			mc := cognitomon.NewMetricsClient(cw, clockAt(now))
			cw.ThrottleNext(op, 100)
			_, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now)})
			if !errors.Is(err, cognitomon.ErrThrottled) {
				t.Fatalf("error %v, want ErrThrottled", err)
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
				t.Errorf("error %v does not carry the API error", err)
			}
			if got := cw.Calls(op); got != 3 {
				t.Errorf("%s calls %d, want MaxAttempts=3", op, got)
			}
		})
	}
}

func TestStatsPartialDataPages(t *testing.T) {
	p := busyPool(t)
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	cw.SetPagePoints(7)
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	r := cognitomon.Last(3*time.Hour, now)
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: r})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantCounts(p, r), gotCounts(st)); diff != "" {
		t.Errorf("counts across PartialData pages (-want +got):\n%s", diff)
	}
	if st.Usage.GetMetricDataCalls < 10 {
		t.Errorf("only %d GetMetricData calls: the pages were not followed", st.Usage.GetMetricDataCalls)
	}
}

func TestStatsFailedStatus(t *testing.T) {
	for _, status := range []cwtypes.StatusCode{cwtypes.StatusCodeInternalError, cwtypes.StatusCodeForbidden} {
		t.Run(string(status), func(t *testing.T) {
			cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{busyPool(t)}, fakeAt(now))
			cw.FailNextResult(status)
			mc := cognitomon.NewMetricsClient(cw, clockAt(now))
			st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now)})
			if !errors.Is(err, cognitomon.ErrIncomplete) {
				t.Fatalf("error %v, result %+v; want ErrIncomplete", err, st)
			}
			var me *cognitomon.MetricDataError
			if !errors.As(err, &me) || me.StatusCode != string(status) || me.QueryID == "" || me.Metric == "" {
				t.Errorf("MetricDataError %+v", me)
			}
		})
	}
}

func TestStatsOperationMessage(t *testing.T) {
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{busyPool(t)}, fakeAt(now))
	cw.AddMessage("MaxMetricsExceeded", "Maximum number of allowed metrics exceeded")
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	_, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now)})
	var me *cognitomon.MetricDataError
	if !errors.As(err, &me) || !errors.Is(err, cognitomon.ErrIncomplete) {
		t.Fatalf("error %v, want a MetricDataError", err)
	}
	if diff := cmp.Diff([]string{"MaxMetricsExceeded: Maximum number of allowed metrics exceeded"}, me.Messages); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestStatsCancelled(t *testing.T) {
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{busyPool(t)}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := mc.Stats(ctx, cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := cw.Calls("GetMetricData") + cw.Calls("ListMetrics"); n != 0 {
		t.Errorf("%d calls after cancel", n)
	}
}

// scripted is a CloudWatchAPI that answers GetMetricData with a function of
// the request, for anomalies the fake does not produce.
type scripted struct {
	answer func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error)
}

func (s scripted) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	return s.answer(in)
}

func (s scripted) ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return &cloudwatch.ListMetricsOutput{}, nil
}

func TestStatsAnomalousAnswers(t *testing.T) {
	complete := func(in *cloudwatch.GetMetricDataInput, mod func(i int, r *cwtypes.MetricDataResult)) *cloudwatch.GetMetricDataOutput {
		out := &cloudwatch.GetMetricDataOutput{}
		for i, q := range in.MetricDataQueries {
			r := cwtypes.MetricDataResult{Id: q.Id, StatusCode: cwtypes.StatusCodeComplete, Timestamps: []time.Time{*in.StartTime}, Values: []float64{1}}
			mod(i, &r)
			out.MetricDataResults = append(out.MetricDataResults, r)
		}
		return out
	}
	tests := []struct {
		name   string
		answer func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error)
		want   string
	}{
		{"partial without token", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(i int, r *cwtypes.MetricDataResult) {
				if i == 1 {
					r.StatusCode = cwtypes.StatusCodePartialData
				}
			}), nil
		}, "still partial"},
		{"missing result", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			out := complete(in, func(int, *cwtypes.MetricDataResult) {})
			out.MetricDataResults = out.MetricDataResults[1:]
			return out, nil
		}, "no result returned"},
		{"unknown id", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(i int, r *cwtypes.MetricDataResult) { r.Id = aws.String(fmt.Sprintf("zz%d", i)) }), nil
		}, "unknown query"},
		{"off-grid timestamp", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(_ int, r *cwtypes.MetricDataResult) { r.Timestamps[0] = r.Timestamps[0].Add(time.Second) }), nil
		}, "not a period start"},
		{"duplicate timestamp", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(_ int, r *cwtypes.MetricDataResult) {
				r.Timestamps = append(r.Timestamps, r.Timestamps[0])
				r.Values = append(r.Values, 1)
			}), nil
		}, "two datapoints"},
		{"length mismatch", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(_ int, r *cwtypes.MetricDataResult) { r.Values = nil }), nil
		}, "1 timestamps but 0 values"},
		{"fractional count", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(_ int, r *cwtypes.MetricDataResult) { r.Values[0] = 0.5 }), nil
		}, "not a count"},
		{"sum above sample count", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(i int, r *cwtypes.MetricDataResult) {
				ms := in.MetricDataQueries[i].MetricStat
				if aws.ToString(ms.Stat) == "Sum" && aws.ToString(ms.Metric.MetricName) == "SignInSuccesses" && aws.ToString(ms.Metric.Dimensions[1].Value) == "web" {
					r.Values[0] = 3 // SampleCount stays 1
				}
			}), nil
		}, "SignInSuccesses for client web at 2026-11-27T11:00:00Z: Sum 3 is above SampleCount 1"},
		{"result message", func(in *cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return complete(in, func(_ int, r *cwtypes.MetricDataResult) {
				r.Messages = []cwtypes.MessageData{{Code: aws.String("ArithmeticError"), Value: aws.String("bad")}}
			}), nil
		}, "ArithmeticError: bad"},
		{"access denied", func(*cloudwatch.GetMetricDataInput) (*cloudwatch.GetMetricDataOutput, error) {
			return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed: cloudwatch:GetMetricData"}
		}, "cloudwatch:GetMetricData"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mc := cognitomon.NewMetricsClient(scripted{tt.answer}, clockAt(now))
			st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(time.Hour, now), Clients: []cognitomon.ClientID{"web"}, Flows: []cognitomon.Flow{cognitomon.SignIn}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v (result %+v), want one that says %q", err, st, tt.want)
			}
		})
	}
}

// replay answers GetMetricData and ListMetrics from responses recorded from
// another CloudWatchAPI, so a benchmark measures the client, not the fake.
type replay struct {
	api  cognitomon.CloudWatchAPI
	gmd  map[string]*cloudwatch.GetMetricDataOutput
	list map[string]*cloudwatch.ListMetricsOutput
}

func gmdKey(in *cloudwatch.GetMetricDataInput) string {
	return fmt.Sprint(in.StartTime.Unix(), aws.ToString(in.MetricDataQueries[0].Id), len(in.MetricDataQueries), aws.ToString(in.NextToken))
}

func (r *replay) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	k := gmdKey(in)
	if out, ok := r.gmd[k]; ok {
		return out, nil
	}
	out, err := r.api.GetMetricData(ctx, in)
	if err == nil {
		r.gmd[k] = out
	}
	return out, err
}

func (r *replay) ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	k := fmt.Sprint(aws.ToString(in.MetricName), aws.ToString(in.NextToken))
	if out, ok := r.list[k]; ok {
		return out, nil
	}
	out, err := r.api.ListMetrics(ctx, in)
	if err == nil {
		r.list[k] = out
	}
	return out, err
}

// BenchmarkStats reports on a pool with 50 app clients over 14 days at 300 s:
// the GetMetricData calls one report makes against the minimum that the
// per-call limits of 500 queries and 100,800 datapoints allow, the metrics
// requested (the billing unit), and the client's allocations (responses are
// replayed, so the fake's work is not counted).
func BenchmarkStats(b *testing.B) {
	const clients = 50
	p := cognitomontest.NewPool(testPool)
	r := cognitomon.Last(14*24*time.Hour, now)
	outcome := []cognitomontest.Outcome{cognitomontest.Success, cognitomontest.Success, cognitomontest.Failure, cognitomontest.Throttled}
	for h := 0; h < 14*24; h++ {
		at := r.Start.Add(time.Duration(h) * time.Hour)
		for c := range clients {
			id := cognitomon.ClientID(fmt.Sprintf("client%02d", c))
			o := outcome[(h+c)%len(outcome)]
			p.Record(
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: id, Outcome: o},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.SignUp, Client: id, Outcome: o},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.TokenRefresh, Client: id, Outcome: o},
				cognitomontest.Attempt{Time: at, Flow: cognitomon.Federation, Client: id, IdentityProvider: "Google", Outcome: o},
			)
		}
	}
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	api := &replay{api: cw, gmd: map[string]*cloudwatch.GetMetricDataOutput{}, list: map[string]*cloudwatch.ListMetricsOutput{}}
	mc := cognitomon.NewMetricsClient(api, clockAt(now))
	in := cognitomon.StatsInput{UserPool: testPool, Range: r}
	st, err := mc.Stats(context.Background(), in) // records the answers
	if err != nil {
		b.Fatal(err)
	}
	queries := st.Usage.MetricsRequested
	periods := int(st.Range.Duration() / st.Period)
	perCall := min(500, 100_800/periods)
	minimum := (queries + perCall - 1) / perCall
	if st.Usage.GetMetricDataCalls != minimum {
		b.Fatalf("%d GetMetricData calls for %d queries of %d datapoints, minimum %d", st.Usage.GetMetricDataCalls, queries, periods, minimum)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st, err = mc.Stats(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Usage.GetMetricDataCalls), "calls/report")
	b.ReportMetric(float64(minimum), "min-calls/report")
	b.ReportMetric(float64(st.Usage.MetricsRequested), "metrics/report")
	b.ReportMetric(float64(st.Usage.ListMetricsCalls), "listcalls/report")
}

// realClient returns the real CloudWatch client pointed at srv, with the
// SDK's own retries off unless retries is set.
func realClient(srv *cognitomontest.Server, retries int) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) {
		o.RetryMaxAttempts = max(retries, 1)
	})
}

func TestStatsRealClientOverHTTP(t *testing.T) {
	p := busyPool(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p}, func(o *cognitomontest.ServerOptions) {
		o.CloudWatch = append(o.CloudWatch, fakeAt(now))
	})
	defer srv.Close()
	r := cognitomon.Last(3*time.Hour, now)
	in := cognitomon.StatsInput{UserPool: testPool, Range: r}

	viaHTTP, err := cognitomon.NewMetricsClient(realClient(srv, 1), clockAt(now)).Stats(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := cognitomon.NewMetricsClient(cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now)), clockAt(now)).Stats(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(direct, viaHTTP); diff != "" {
		t.Errorf("over HTTP vs in memory (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantCounts(p, r), gotCounts(viaHTTP)); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}

	// What the SDK sent, as the fake decoded it from CBOR.
	ins := srv.CloudWatch.GetMetricDataInputs()
	if len(ins) != 1 {
		t.Fatalf("%d GetMetricData requests, want 1", len(ins))
	}
	got := ins[0]
	if !got.StartTime.Equal(r.Start) || !got.EndTime.Equal(r.End) || got.ScanBy != cwtypes.ScanByTimestampAscending {
		t.Errorf("request window %v..%v scan %q", got.StartTime, got.EndTime, got.ScanBy)
	}
	q := got.MetricDataQueries[0]
	wantQ := cwtypes.MetricDataQuery{Id: aws.String("m0"), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("SignInSuccesses"), Dimensions: []cwtypes.Dimension{
			{Name: aws.String("UserPool"), Value: aws.String(string(testPool))},
			{Name: aws.String("UserPoolClient"), Value: aws.String("Invalid")},
		}},
		Period: aws.Int32(300), Stat: aws.String("SampleCount"),
	}}
	if diff := cmp.Diff(wantQ, q, cmpopts.IgnoreTypes(document.NoSerde{})); diff != "" {
		t.Errorf("first query as decoded (-want +got):\n%s", diff)
	}
	if n := srv.Requests("CloudWatch.ListMetrics"); n != 1 {
		t.Errorf("ListMetrics requests %d", n)
	}
}

func TestStatsRealClientFaults(t *testing.T) {
	p := busyPool(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p}, func(o *cognitomontest.ServerOptions) {
		o.CloudWatch = append(o.CloudWatch, fakeAt(now))
	})
	defer srv.Close()
	r := cognitomon.Last(3*time.Hour, now)
	in := cognitomon.StatsInput{UserPool: testPool, Range: r}
	mc := cognitomon.NewMetricsClient(realClient(srv, 1), clockAt(now))

	t.Run("partial data pages", func(t *testing.T) {
		srv.CloudWatch.SetPagePoints(5)
		defer srv.CloudWatch.SetPagePoints(0)
		st, err := mc.Stats(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantCounts(p, r), gotCounts(st)); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
	})
	t.Run("throttled then answered", func(t *testing.T) {
		before := srv.Requests("CloudWatch.GetMetricData")
		srv.CloudWatch.ThrottleNext("GetMetricData", 2)
		if _, err := mc.Stats(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if n := srv.Requests("CloudWatch.GetMetricData") - before; n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("throttled throughout", func(t *testing.T) {
		srv.CloudWatch.ThrottleNext("GetMetricData", 3)
		_, err := mc.Stats(context.Background(), in)
		var ae smithy.APIError
		if !errors.Is(err, cognitomon.ErrThrottled) || !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" {
			t.Fatalf("error %v, want ErrThrottled carrying the Throttling API error", err)
		}
	})
	t.Run("SDK retries too", func(t *testing.T) {
		before := srv.Requests("CloudWatch.GetMetricData")
		srv.CloudWatch.ThrottleNext("GetMetricData", 2)
		sdkRetrying := cognitomon.NewMetricsClient(realClient(srv, 3), clockAt(now), func(o *cognitomon.MetricsOptions) { o.Retry.MaxAttempts = 1 })
		if _, err := sdkRetrying.Stats(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		if n := srv.Requests("CloudWatch.GetMetricData") - before; n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("internal error status", func(t *testing.T) {
		srv.CloudWatch.FailNextResult(cwtypes.StatusCodeInternalError)
		_, err := mc.Stats(context.Background(), in)
		var me *cognitomon.MetricDataError
		if !errors.As(err, &me) || me.StatusCode != "InternalError" {
			t.Fatalf("error %v, want MetricDataError InternalError", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := mc.Stats(ctx, in); !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	})
}

func TestStatsOddSeries(t *testing.T) {
	p := cognitomontest.NewPool(testPool)
	at := now.Add(-time.Hour)
	p.Record(cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	// A pool-only series (undocumented) and one with an unexpected dimension.
	p.PutMetric(cognitomontest.Datum{Namespace: "AWS/Cognito", Name: "SignInSuccesses", Dimensions: map[string]string{"UserPool": string(testPool)}, Time: at, Value: 1})
	p.PutMetric(cognitomontest.Datum{Namespace: "AWS/Cognito", Name: "SignInSuccesses", Dimensions: map[string]string{"UserPool": string(testPool), "UserPoolClient": "web", "Stage": "beta"}, Time: at, Value: 1})
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	st, err := cognitomon.NewMetricsClient(cw, clockAt(now)).Stats(context.Background(), cognitomon.StatsInput{UserPool: testPool, Range: cognitomon.Last(2*time.Hour, now)})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Flow(cognitomon.SignIn).Counts; got != (cognitomon.Counts{Attempts: 1, Successes: 1}) {
		t.Errorf("counts %+v: the odd series were counted", got)
	}
	want := []string{
		"ignored SignInSuccesses series with unexpected dimensions {Stage=beta, UserPool=us-east-1_AbCdEf123, UserPoolClient=web}",
		"AWS/Cognito publishes SignInSuccesses with the UserPool dimension alone (undocumented); cognitomon sums the per-client series instead",
	}
	if diff := cmp.Diff(want, st.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

func TestCounts(t *testing.T) {
	c := cognitomon.Counts{Attempts: 10, Successes: 6, Throttles: 3}
	if c.Failures() != 4 || c.FailuresExcludingThrottles() != 1 || c.FailureRate() != 0.4 {
		t.Errorf("%+v: failures %d, excluding throttles %d, rate %v", c, c.Failures(), c.FailuresExcludingThrottles(), c.FailureRate())
	}
	if (cognitomon.Counts{Attempts: 2, Successes: 1, Throttles: 5}).FailuresExcludingThrottles() != 0 {
		t.Error("FailuresExcludingThrottles below zero")
	}
	if (cognitomon.Counts{}).FailureRate() != 0 {
		t.Error("rate with no attempts")
	}
	for _, f := range []cognitomon.Flow{cognitomon.SignIn, cognitomon.SignUp, cognitomon.TokenRefresh, cognitomon.Federation, 0} {
		if f.String() == "" {
			t.Errorf("flow %d has no name", f)
		}
	}
	if got := cognitomon.Flow(7).String(); got != "Flow(7)" {
		t.Errorf("String of unknown flow = %q", got)
	}
}

func TestClients(t *testing.T) {
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{busyPool(t)}, fakeAt(now))
	got, err := cognitomon.NewMetricsClient(cw, clockAt(now)).Clients(context.Background(), testPool)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cognitomon.ClientID{"ios2def", "m2m3ghi", "web1abc"}, got); diff != "" {
		t.Errorf("clients (-want +got):\n%s", diff)
	}
	if _, err := cognitomon.NewMetricsClient(cw).Clients(context.Background(), "nope"); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
	cw.ThrottleNext("ListMetrics", 10)
	if _, err := cognitomon.NewMetricsClient(cw, clockAt(now)).Clients(context.Background(), testPool); !errors.Is(err, cognitomon.ErrThrottled) {
		t.Errorf("throttled: %v", err)
	}
}
