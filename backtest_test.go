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
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// credentialStuffing records a burst of failed sign-ins from many IPs, each
// with another user name, against one client: perPeriod attempts in each of
// n five-minute periods from start.
func recordStuffing(p *cognitomontest.Pool, client cognitomon.ClientID, start time.Time, n, perPeriod int) {
	var burst []cognitomontest.Attempt
	for k := range n {
		for i := range perPeriod {
			burst = append(burst, cognitomontest.Attempt{
				Time: start.Add(time.Duration(k)*5*time.Minute + time.Duration(i)*(5*time.Minute)/time.Duration(perPeriod)), Flow: cognitomon.SignIn, Client: client,
				User: fmt.Sprintf("victim%05d", k*perPeriod+i), IP: fmt.Sprintf("198.18.%d.%d", i/250, i%250+1),
				UserAgent: "python-requests/2.32", Outcome: cognitomontest.Failure,
			})
		}
	}
	p.Record(burst...)
}

// simulatedPool is a day of ordinary traffic ending at alarmNow, plus a
// credential-stuffing burst of three periods from 14:00, the daily peak.
func stuffedPool() (*cognitomontest.Pool, []cognitomon.ClientID, time.Time) {
	p := cognitomontest.NewPool(alarmPool)
	cognitomontest.SimulateTraffic(p, cognitomon.Last(24*time.Hour, alarmNow), cognitomontest.TrafficOptions{Seed: 1})
	var clients []cognitomon.ClientID
	for _, c := range cognitomontest.DefaultClients() {
		clients = append(clients, c.ID)
	}
	burst := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	recordStuffing(p, clients[0], burst, 3, 200)
	return p, clients, burst
}

func backtestAt(o *cognitomon.BacktestOptions) { o.Clock = func() time.Time { return alarmNow } }

func TestBacktestCredentialStuffing(t *testing.T) {
	pool, clients, burst := stuffedPool()
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{
		UserPool: alarmPool, Clients: clients, IdentityProviders: []string{"CorpSAML", "Google"}, FederationClients: clients[:1],
	})
	if err != nil {
		t.Fatal(err)
	}
	cw, _ := alarmFakes(pool)
	day := cognitomon.Last(24*time.Hour, alarmNow)
	for _, a := range alarms {
		bt, err := a.Backtest(context.Background(), cw, day, backtestAt)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		if len(bt.Points) != 288 || bt.Range != day || bt.Period != 5*time.Minute {
			t.Errorf("%s: %d points over %s every %s", a.Name, len(bt.Points), bt.Range, bt.Period)
		}
		if !strings.HasSuffix(a.Name, "signin-failure-rate") {
			// The pool's ordinary day pages nobody.
			if bt.Pages() != 0 {
				t.Errorf("%s would have paged %d times: %v", a.Name, bt.Pages(), bt.AlarmSpans)
			}
			continue
		}
		want := []cognitomon.TimeRange{{Start: burst, End: burst.Add(15 * time.Minute)}}
		if diff := cmp.Diff(want, bt.AlarmSpans); diff != "" {
			t.Errorf("%s: alarm spans (-want +got):\n%s", a.Name, diff)
		}
		wantChanges := []cognitomon.StateChange{
			{Time: day.Start, From: cognitomon.StateInsufficientData, To: cognitomon.StateOK},
			{Time: burst, From: cognitomon.StateOK, To: cognitomon.StateAlarm},
			{Time: burst.Add(15 * time.Minute), From: cognitomon.StateAlarm, To: cognitomon.StateOK},
		}
		if diff := cmp.Diff(wantChanges, bt.Transitions); diff != "" {
			t.Errorf("%s: transitions (-want +got):\n%s", a.Name, diff)
		}
		if bt.Pages() != 1 {
			t.Errorf("%s: %d pages, want 1", a.Name, bt.Pages())
		}
		for _, p := range bt.Points {
			inBurst := !p.Time.Before(burst) && p.Time.Before(burst.Add(15*time.Minute))
			if inBurst != p.Breaching || inBurst && p.Value < 90 {
				t.Errorf("%s at %s: value %v breaching %v", a.Name, p.Time.Format("15:04"), p.Value, p.Breaching)
			}
		}
		if bt.Usage.GetMetricDataCalls != 1 || bt.Usage.MetricsRequested != 8 {
			t.Errorf("usage %+v", bt.Usage)
		}

		// The real client over the HTTP fake sees the same.
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool}, func(o *cognitomontest.ServerOptions) {
			o.CloudWatch = append(o.CloudWatch, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return alarmNow } })
		})
		real := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
		overHTTP, err := a.Backtest(context.Background(), real, day, backtestAt)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(bt, overHTTP); diff != "" {
			t.Errorf("over HTTP (-in-memory +HTTP):\n%s", diff)
		}
	}
}

// Three failures out of five attempts at night page nobody; without the
// guard they would, and the alarm stays in ALARM over the next two silent
// periods, as CloudWatch evaluates the most recent real datapoint in its
// evaluation range.
func TestBacktestMinimumVolume(t *testing.T) {
	pool := cognitomontest.NewPool(alarmPool)
	night := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	for i, o := range []cognitomontest.Outcome{cognitomontest.Failure, cognitomontest.Success, cognitomontest.Failure, cognitomontest.Success, cognitomontest.Failure} {
		pool.Record(cognitomontest.Attempt{Time: night.Add(time.Duration(i) * time.Minute), Flow: cognitomon.SignIn, Client: "web1example", IP: "203.0.113.7", Outcome: o})
	}
	cw, _ := alarmFakes(pool)
	day := cognitomon.Last(24*time.Hour, alarmNow)
	guarded := standardAlarm(t, "signin-failure-rate", alarmClients)
	bt, err := guarded.Backtest(context.Background(), cw, day, backtestAt)
	if err != nil {
		t.Fatal(err)
	}
	if bt.Pages() != 0 {
		t.Errorf("guarded: %d pages", bt.Pages())
	}
	unguarded := standardAlarm(t, "signin-failure-rate", alarmClients, func(o *cognitomon.DefinitionOptions) { o.MinAttempts = 1 })
	bt, err = unguarded.Backtest(context.Background(), cw, day, backtestAt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cognitomon.TimeRange{{Start: night, End: night.Add(15 * time.Minute)}}, bt.AlarmSpans); diff != "" || bt.Pages() != 1 {
		t.Errorf("unguarded: %d pages, spans (-want +got):\n%s", bt.Pages(), diff)
	}
}

// scriptedWatch answers GetMetricData with a pattern of datapoints for the
// watched query, one character per period from start: X breaching (1), 0
// not breaching (0), - missing.
type scriptedWatch struct {
	start   time.Time
	pattern string
}

func (s scriptedWatch) GetMetricData(_ context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	if !in.StartTime.Equal(s.start) {
		return nil, fmt.Errorf("start %s, want %s", in.StartTime, s.start)
	}
	res := cwtypes.MetricDataResult{Id: aws.String("m"), StatusCode: cwtypes.StatusCodeComplete}
	for i, c := range strings.Fields(s.pattern) {
		if c == "-" {
			continue
		}
		res.Timestamps = append(res.Timestamps, s.start.Add(time.Duration(i)*5*time.Minute))
		res.Values = append(res.Values, map[string]float64{"X": 1, "0": 0}[c])
	}
	return &cloudwatch.GetMetricDataOutput{MetricDataResults: []cwtypes.MetricDataResult{res}}, nil
}

func (scriptedWatch) ListMetrics(context.Context, *cloudwatch.ListMetricsInput, ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error) {
	return &cloudwatch.ListMetricsOutput{}, nil
}

// The two tables of "How alarm state is evaluated when data is missing"
// (AWSDOCS-CW AlarmThatSendsEmail.md): five periods of data, the evaluation
// at the last one, for each way to treat missing data. "retain" is the
// state before, INSUFFICIENT_DATA here.
func TestBacktestMissingDataTables(t *testing.T) {
	const retain = cognitomon.StateInsufficientData
	ok, alarm, insufficient := cognitomon.StateOK, cognitomon.StateAlarm, cognitomon.StateInsufficientData
	tests := []struct {
		m, n    int
		pattern string
		want    [4]cognitomon.AlarmState // missing, ignore, breaching, notBreaching
	}{
		{3, 3, "0 - X - X", [4]cognitomon.AlarmState{ok, ok, ok, ok}},
		{3, 3, "0 - - - -", [4]cognitomon.AlarmState{ok, ok, ok, ok}},
		{3, 3, "- - - - -", [4]cognitomon.AlarmState{insufficient, retain, alarm, ok}},
		{3, 3, "0 X X - X", [4]cognitomon.AlarmState{alarm, alarm, alarm, alarm}},
		{3, 3, "- - X - -", [4]cognitomon.AlarmState{alarm, retain, alarm, ok}},
		{2, 3, "0 - X - X", [4]cognitomon.AlarmState{alarm, alarm, alarm, alarm}},
		{2, 3, "0 0 X 0 X", [4]cognitomon.AlarmState{alarm, alarm, alarm, alarm}},
		{2, 3, "0 - X - -", [4]cognitomon.AlarmState{ok, ok, alarm, ok}},
		{2, 3, "- - - - 0", [4]cognitomon.AlarmState{ok, ok, alarm, ok}},
		{2, 3, "- - - X -", [4]cognitomon.AlarmState{alarm, retain, alarm, ok}},
		// The premature-alarm examples in the text.
		{3, 3, "- - - - X", [4]cognitomon.AlarmState{ok, ok, alarm, ok}},
		{3, 3, "- - - X -", [4]cognitomon.AlarmState{ok, ok, alarm, ok}},
	}
	treatments := []cognitomon.MissingData{cognitomon.MissingDataMissing, cognitomon.MissingDataIgnore, cognitomon.MissingDataBreaching, cognitomon.MissingDataNotBreaching}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		for i, treat := range treatments {
			a := cognitomon.Alarm{
				Name:    "table",
				Queries: []cognitomon.MetricQuery{{ID: "m", Metric: &cognitomon.MetricStat{Namespace: "AWS/Cognito", MetricName: "SignInThrottles", Stat: "Sum"}, ReturnData: true}},
				Period:  5 * time.Minute, EvaluationPeriods: tt.n, DatapointsToAlarm: tt.m,
				Comparison: cwtypes.ComparisonOperatorGreaterThanThreshold, Threshold: 0.5, TreatMissingData: treat,
			}
			api := scriptedWatch{start: at.Add(-20 * time.Minute), pattern: tt.pattern}
			bt, err := a.Backtest(context.Background(), api, cognitomon.TimeRange{Start: at, End: at.Add(5 * time.Minute)}, func(o *cognitomon.BacktestOptions) {
				o.Clock = func() time.Time { return at.Add(time.Hour) }
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := bt.Points[0].State; got != tt.want[i] {
				t.Errorf("%d of %d, %q, %s: %s, want %s", tt.m, tt.n, tt.pattern, treat, got, tt.want[i])
			}
		}
	}
}

func TestBacktestMetricFilterAlarm(t *testing.T) {
	m2m := standardAlarm(t, "m2m-tokens", alarmClients)
	day := cognitomon.Last(24*time.Hour, alarmNow)
	pool := cognitomontest.NewPool(alarmPool)
	cw, _ := alarmFakes(pool)
	if _, err := m2m.Backtest(context.Background(), cw, day, backtestAt); !errors.Is(err, cognitomon.ErrNotBacktestable) {
		t.Fatalf("no metric yet: %v, want ErrNotBacktestable", err)
	}

	// Once the filter has published (one datapoint a minute, 0 when no
	// token was requested), the alarm replays: a spike of 400 tokens in
	// one five-minute period raises it for three periods (1 of 3).
	spike := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for ts := day.Start; ts.Before(day.End); ts = ts.Add(time.Minute) {
		v := 2.0
		if !ts.Before(spike) && ts.Before(spike.Add(5*time.Minute)) {
			v = 80
		}
		pool.PutMetric(cognitomontest.Datum{Namespace: "Cognitomon/" + string(alarmPool), Name: "MachineTokens", Time: ts, Value: v})
	}
	bt, err := m2m.Backtest(context.Background(), cw, day, backtestAt)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]cognitomon.TimeRange{{Start: spike, End: spike.Add(15 * time.Minute)}}, bt.AlarmSpans); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if bt.Usage.ListMetricsCalls != 1 {
		t.Errorf("usage %+v", bt.Usage)
	}
}

func TestBacktestErrors(t *testing.T) {
	ctx := context.Background()
	pool, clients, _ := stuffedPool()
	cw, _ := alarmFakes(pool)
	day := cognitomon.Last(24*time.Hour, alarmNow)
	a := standardAlarm(t, "signin-failure-rate", clients)
	cw.FailNextResult(cwtypes.StatusCodeInternalError)
	if _, err := a.Backtest(ctx, cw, day, backtestAt); !errors.Is(err, cognitomon.ErrIncomplete) {
		t.Errorf("internal error: %v, want ErrIncomplete", err)
	}
	cw.AddMessage("MaxMetricsExceeded", "too many")
	if _, err := a.Backtest(ctx, cw, day, backtestAt); !errors.Is(err, cognitomon.ErrIncomplete) {
		t.Errorf("message: %v, want ErrIncomplete", err)
	}
	cw.ThrottleNext("GetMetricData", 1)
	if _, err := a.Backtest(ctx, cw, day, backtestAt, func(o *cognitomon.BacktestOptions) { o.Retry.BaseDelay = time.Millisecond }); err != nil {
		t.Errorf("one throttle: %v", err)
	}
	old := cognitomon.Last(time.Hour, alarmNow.Add(-500*24*time.Hour))
	if _, err := a.Backtest(ctx, cw, old, backtestAt); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("beyond retention: %v, want ErrInvalidRange", err)
	}
	if _, err := a.Backtest(ctx, cw, cognitomon.TimeRange{}, backtestAt); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("zero range: %v, want ErrInvalidRange", err)
	}
	bad := a
	bad.Threshold = -5
	if _, err := bad.Backtest(ctx, cw, day, backtestAt); !errors.Is(err, cognitomon.ErrInvalidAlarm) {
		t.Errorf("invalid alarm: %v, want ErrInvalidAlarm", err)
	}
	if _, err := a.Backtest(ctx, nil, day); err == nil {
		t.Error("nil API: no error")
	}
	if _, err := a.Backtest(ctx, cw, day, func(o *cognitomon.BacktestOptions) { o.InitialState = "PENDING" }); err == nil {
		t.Error("unknown initial state: no error")
	}
	bt, err := a.Backtest(ctx, cw, day, backtestAt, func(o *cognitomon.BacktestOptions) { o.InitialState = cognitomon.StateOK })
	if err != nil {
		t.Fatal(err)
	}
	if bt.Transitions[0].From != cognitomon.StateOK || bt.Transitions[0].To != cognitomon.StateAlarm {
		t.Errorf("from OK: first change %+v", bt.Transitions[0])
	}
}

// A backtest replays an alarm over the pool's own history before it is
// deployed.
func ExampleAlarm_Backtest() {
	now := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	// Ten minutes of a credential-stuffing burst: 100 failed sign-ins per
	// five minutes.
	burst := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	for i := range 200 {
		pool.Record(cognitomontest.Attempt{
			Time: burst.Add(time.Duration(i) * 3 * time.Second), Flow: cognitomon.SignIn, Client: "web1example",
			IP: fmt.Sprintf("198.18.0.%d", i%250+1), Outcome: cognitomontest.Failure,
		})
	}
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{pool}, func(o *cognitomontest.CloudWatchOptions) { o.Now = func() time.Time { return now } })

	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: "us-east-1_AbCdEf123", Clients: []cognitomon.ClientID{"web1example"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	alarm := alarms[0] // cognitomon-us-east-1_AbCdEf123-signin-failure-rate
	bt, err := alarm.Backtest(context.Background(), cw, cognitomon.Last(24*time.Hour, now), func(o *cognitomon.BacktestOptions) {
		o.Clock = func() time.Time { return now }
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d page(s)\n", bt.Pages())
	for _, s := range bt.AlarmSpans {
		fmt.Printf("in ALARM %s to %s\n", s.Start.Format("15:04"), s.End.Format("15:04"))
	}
	// Output:
	// 1 page(s)
	// in ALARM 14:00 to 14:20
}
