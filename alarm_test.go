package cognitomon_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/document"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
)

const (
	alarmPool     = cognitomon.UserPoolID("us-east-1_AbCdEf123")
	alarmPrefix   = "cognitomon-us-east-1_AbCdEf123-"
	alarmLogGroup = "aws-cloudtrail-logs-cognitomon" // the Logs fake's trail log group
	alarmTopic    = "arn:aws:sns:us-east-1:123456789012:pager"
)

var (
	alarmClients = []cognitomon.ClientID{"web1example", "ios2example"}
	// alarmNow is a Friday evening; the simulated day before it has its
	// peak at 14:00 UTC.
	alarmNow = time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	// alarmCmpOpts compares SDK structs.
	alarmCmpOpts = cmpopts.IgnoreTypes(document.NoSerde{})
)

// The golden SDK inputs below are written out by hand, independently of
// the code that renders them.

// alarmErrors returns the AlarmErrors in err as "alarm|field".
func alarmErrors(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var ae *cognitomon.AlarmError
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &ae) {
			out = append(out, ae.Alarm+"|"+ae.Field)
		}
	}
	walk(err)
	return out
}

// standardAlarmErr returns the standard alarm named name (after the
// prefix) that StandardAlarms defines for pool and clients, with identity
// providers Google and CorpSAML over the first client and the trail log
// group; optFns apply to every alarm.
func standardAlarmErr(pool cognitomon.UserPoolID, name string, clients []cognitomon.ClientID, optFns ...func(*cognitomon.DefinitionOptions)) (cognitomon.Alarm, error) {
	in := cognitomon.StandardAlarmsInput{UserPool: pool, Clients: clients, IdentityProviders: []string{"Google", "CorpSAML"}, TrailLogGroup: alarmLogGroup}
	if len(clients) > 0 {
		in.FederationClients = clients[:1]
	}
	alarms, err := cognitomon.StandardAlarms(in, optFns...)
	if err != nil {
		return cognitomon.Alarm{}, err
	}
	var names []string
	for _, a := range alarms {
		if n := len(a.Name) - len(name); n > 0 && a.Name[n:] == name && a.Name[n-1] == '-' {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return cognitomon.Alarm{}, fmt.Errorf("no standard alarm named %q among %v", name, names)
}

// standardAlarm is standardAlarmErr for the test pool, failing the test on
// an error.
func standardAlarm(t *testing.T, name string, clients []cognitomon.ClientID, optFns ...func(*cognitomon.DefinitionOptions)) cognitomon.Alarm {
	t.Helper()
	a, err := standardAlarmErr(alarmPool, name, clients, optFns...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAlarmValidation(t *testing.T) {
	signIn := standardAlarm(t, "signin-failure-rate", alarmClients)
	admin := standardAlarm(t, "admin-changes", alarmClients)
	clone := func(a cognitomon.Alarm) cognitomon.Alarm {
		c := a
		c.Queries = nil
		for _, q := range a.Queries {
			if q.Metric != nil {
				m := *q.Metric
				m.Dimensions = append([]cognitomon.Dimension(nil), m.Dimensions...)
				q.Metric = &m
			}
			c.Queries = append(c.Queries, q)
		}
		c.Tags = map[string]string{}
		for k, v := range a.Tags {
			c.Tags[k] = v
		}
		if a.Filter != nil {
			f := *a.Filter
			c.Filter = &f
		}
		return c
	}
	query := func(a *cognitomon.Alarm, id string) *cognitomon.MetricQuery {
		for i := range a.Queries {
			if a.Queries[i].ID == id {
				return &a.Queries[i]
			}
		}
		t.Fatalf("no query %s", id)
		return nil
	}
	stats := func(n int) []cognitomon.MetricQuery {
		var qs []cognitomon.MetricQuery
		for i := range n {
			qs = append(qs, cognitomon.MetricQuery{ID: fmt.Sprint("m", i), Metric: &cognitomon.MetricStat{Namespace: "AWS/Cognito", MetricName: "SignInThrottles", Stat: "Sum"}})
		}
		return qs
	}
	tests := []struct {
		name   string
		base   cognitomon.Alarm
		change func(a *cognitomon.Alarm)
		field  string
	}{
		{"empty name", signIn, func(a *cognitomon.Alarm) { a.Name = "" }, "Name"},
		{"control character in name", signIn, func(a *cognitomon.Alarm) { a.Name += "\n" }, "Name"},
		{"256-character name", signIn, func(a *cognitomon.Alarm) { a.Name = strings.Repeat("n", 256) }, "Name"},
		{"long description", signIn, func(a *cognitomon.Alarm) { a.Description = strings.Repeat("d", 1025) }, "Description"},
		{"no queries", signIn, func(a *cognitomon.Alarm) { a.Queries = nil }, "Queries"},
		{"uppercase query id", signIn, func(a *cognitomon.Alarm) { query(a, "n0").ID = "N0" }, "Queries[0].ID"},
		{"digit first query id", signIn, func(a *cognitomon.Alarm) { query(a, "n0").ID = "0n" }, "Queries[0].ID"},
		{"duplicate query id", signIn, func(a *cognitomon.Alarm) { query(a, "s0").ID = "n0" }, "Queries[n0].ID"},
		{"expression and metric", signIn, func(a *cognitomon.Alarm) { query(a, "n0").Expression = "1" }, "Queries[n0]"},
		{"neither expression nor metric", signIn, func(a *cognitomon.Alarm) { query(a, "n0").Metric = nil }, "Queries[n0]"},
		{"no metric name", signIn, func(a *cognitomon.Alarm) { query(a, "n0").Metric.MetricName = "" }, "Queries[n0].Metric"},
		{"percentile statistic", signIn, func(a *cognitomon.Alarm) { query(a, "n0").Metric.Stat = "p99" }, "Queries[n0].Metric.Stat"},
		{"31 dimensions", signIn, func(a *cognitomon.Alarm) {
			for i := range 29 {
				query(a, "n0").Metric.Dimensions = append(query(a, "n0").Metric.Dimensions, cognitomon.Dimension{Name: fmt.Sprint("d", i), Value: "v"})
			}
		}, "Queries[n0].Metric.Dimensions"},
		{"non-ASCII dimension", signIn, func(a *cognitomon.Alarm) { query(a, "n0").Metric.Dimensions[1].Value = "wéb" }, "Queries[n0].Metric.Dimensions"},
		{"long expression", signIn, func(a *cognitomon.Alarm) { query(a, "failures").Expression += strings.Repeat(" ", 2048) }, "Queries[failures].Expression"},
		{"search", signIn, func(a *cognitomon.Alarm) {
			query(a, "attempts").Expression = `SUM(SEARCH('{AWS/Cognito,UserPool,UserPoolClient} SignInSuccesses', 'SampleCount'))`
		}, "Queries[attempts].Expression"},
		{"unknown reference", signIn, func(a *cognitomon.Alarm) { query(a, "failures").Expression = "attempts - succeses" }, "Queries[failures].Expression"},
		{"self reference", signIn, func(a *cognitomon.Alarm) { query(a, "failures").Expression = "failures + 1" }, "Queries[failures].Expression"},
		{"circular references", signIn, func(a *cognitomon.Alarm) { query(a, "attempts").Expression = "failure_rate * 2" }, "Queries"},
		{"11 MetricStat queries", signIn, func(a *cognitomon.Alarm) {
			a.Queries = append(stats(11), cognitomon.MetricQuery{ID: "e", Expression: "m0", ReturnData: true})
		}, "Queries"},
		{"11 expressions", signIn, func(a *cognitomon.Alarm) {
			for i := range 6 {
				a.Queries = append(a.Queries, cognitomon.MetricQuery{ID: fmt.Sprint("x", i), Expression: "attempts * 2"})
			}
		}, "Queries"},
		{"no ReturnData", signIn, func(a *cognitomon.Alarm) { query(a, "guarded_rate").ReturnData = false }, "Queries"},
		{"two ReturnData", signIn, func(a *cognitomon.Alarm) { query(a, "failures").ReturnData = true }, "Queries"},
		{"expressions only", signIn, func(a *cognitomon.Alarm) {
			a.Queries = []cognitomon.MetricQuery{{ID: "e", Expression: "1", ReturnData: true}}
		}, "Queries"},
		{"zero period", signIn, func(a *cognitomon.Alarm) { a.Period = 0 }, "Period"},
		{"45-second period", signIn, func(a *cognitomon.Alarm) { a.Period = 45 * time.Second }, "Period"},
		{"90-second period", signIn, func(a *cognitomon.Alarm) { a.Period = 90 * time.Second }, "Period"},
		{"1-minute period on AWS/Cognito", signIn, func(a *cognitomon.Alarm) { a.Period = time.Minute }, "Period"},
		{"7-minute period on AWS/Cognito", signIn, func(a *cognitomon.Alarm) { a.Period = 7 * time.Minute }, "Period"},
		{"30-second period on a filter metric", admin, func(a *cognitomon.Alarm) { a.Period = 30 * time.Second }, "Period"},
		{"zero evaluation periods", signIn, func(a *cognitomon.Alarm) { a.EvaluationPeriods = 0 }, "EvaluationPeriods"},
		{"M above N", signIn, func(a *cognitomon.Alarm) { a.DatapointsToAlarm = 2 }, "DatapointsToAlarm"},
		{"negative M", signIn, func(a *cognitomon.Alarm) { a.DatapointsToAlarm = -1 }, "DatapointsToAlarm"},
		{"over one day", signIn, func(a *cognitomon.Alarm) { a.EvaluationPeriods = 289 }, "EvaluationPeriods"},
		{"over seven days", signIn, func(a *cognitomon.Alarm) { a.Period = time.Hour; a.EvaluationPeriods = 169 }, "EvaluationPeriods"},
		{"no comparison", signIn, func(a *cognitomon.Alarm) { a.Comparison = "" }, "Comparison"},
		{"anomaly comparison", signIn, func(a *cognitomon.Alarm) { a.Comparison = cwtypes.ComparisonOperatorGreaterThanUpperThreshold }, "Comparison"},
		{"NaN threshold", signIn, func(a *cognitomon.Alarm) { a.Threshold = math.NaN() }, "Threshold"},
		{"infinite threshold", signIn, func(a *cognitomon.Alarm) { a.Threshold = math.Inf(1) }, "Threshold"},
		{"rate above 100%", signIn, func(a *cognitomon.Alarm) { a.Threshold = 100 }, "Threshold"},
		{"rate below 0%", signIn, func(a *cognitomon.Alarm) { a.Threshold = -1 }, "Threshold"},
		{"rate at least 0%", signIn, func(a *cognitomon.Alarm) {
			a.Comparison, a.Threshold = cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, 0
		}, "Threshold"},
		{"rate at most 100%", signIn, func(a *cognitomon.Alarm) {
			a.Comparison, a.Threshold = cwtypes.ComparisonOperatorLessThanOrEqualToThreshold, 100
		}, "Threshold"},
		{"count below 0", admin, func(a *cognitomon.Alarm) {
			a.Comparison, a.Threshold = cwtypes.ComparisonOperatorLessThanThreshold, 0
		}, "Threshold"},
		{"count at least 0", admin, func(a *cognitomon.Alarm) {
			a.Comparison, a.Threshold = cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, 0
		}, "Threshold"},
		{"treat missing data", signIn, func(a *cognitomon.Alarm) { a.TreatMissingData = "zero" }, "TreatMissingData"},
		{"six alarm actions", signIn, func(a *cognitomon.Alarm) { a.AlarmActions = strings.Split(strings.Repeat(alarmTopic+" ", 6), " ")[:6] }, "AlarmActions"},
		{"six OK actions", signIn, func(a *cognitomon.Alarm) { a.OKActions = strings.Split(strings.Repeat(alarmTopic+" ", 6), " ")[:6] }, "OKActions"},
		{"six insufficient-data actions", signIn, func(a *cognitomon.Alarm) {
			a.InsufficientDataActions = strings.Split(strings.Repeat(alarmTopic+" ", 6), " ")[:6]
		}, "InsufficientDataActions"},
		{"action not an ARN", signIn, func(a *cognitomon.Alarm) { a.AlarmActions = []string{"pager@example.com"} }, "AlarmActions"},
		{"51 tags", signIn, func(a *cognitomon.Alarm) {
			for i := range 49 {
				a.Tags[fmt.Sprint("k", i)] = "v"
			}
		}, "Tags"},
		{"empty tag key", signIn, func(a *cognitomon.Alarm) { a.Tags[""] = "v" }, "Tags"},
		{"aws: tag key", signIn, func(a *cognitomon.Alarm) { a.Tags["aws:owner"] = "me" }, "Tags"},
		{"long tag value", signIn, func(a *cognitomon.Alarm) { a.Tags["k"] = strings.Repeat("v", 257) }, "Tags"},
		{"bad log group", admin, func(a *cognitomon.Alarm) { a.Filter.LogGroup = "trail logs" }, "Filter.LogGroup"},
		{"long log group", admin, func(a *cognitomon.Alarm) { a.Filter.LogGroup = strings.Repeat("g", 513) }, "Filter.LogGroup"},
		{"colon in filter name", admin, func(a *cognitomon.Alarm) { a.Filter.Name = "a:b" }, "Filter.Name"},
		{"empty pattern", admin, func(a *cognitomon.Alarm) { a.Filter.Pattern = "" }, "Filter.Pattern"},
		{"long pattern", admin, func(a *cognitomon.Alarm) { a.Filter.Pattern = strings.Repeat("x", 1025) }, "Filter.Pattern"},
		{"AWS/ namespace", admin, func(a *cognitomon.Alarm) { a.Filter.Namespace = "AWS/Cognito" }, "Filter.Namespace"},
		{"dollar in metric name", admin, func(a *cognitomon.Alarm) { a.Filter.MetricName = "Risky$" }, "Filter.MetricName"},
		{"empty metric value", admin, func(a *cognitomon.Alarm) { a.Filter.Value = "" }, "Filter.Value"},
		{"NaN default value", admin, func(a *cognitomon.Alarm) { a.Filter.DefaultValue = math.NaN() }, "Filter.DefaultValue"},
		{"alarm on another metric", admin, func(a *cognitomon.Alarm) { a.Queries[0].Metric.MetricName = "Other" }, "Filter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := clone(tt.base)
			tt.change(&a)
			err := a.Validate()
			if !errors.Is(err, cognitomon.ErrInvalidAlarm) {
				t.Fatalf("Validate: %v, want ErrInvalidAlarm", err)
			}
			want := a.Name + "|" + tt.field
			found := false
			for _, e := range alarmErrors(err) {
				found = found || e == want
			}
			if !found {
				t.Errorf("Validate: %v\nwant an AlarmError for %q", err, want)
			}
			if !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("message %q does not name the field %s", err, tt.field)
			}
			if _, err := a.PutMetricAlarmInput(); !errors.Is(err, cognitomon.ErrInvalidAlarm) {
				t.Errorf("PutMetricAlarmInput rendered an invalid alarm: %v", err)
			}
		})
	}
	// The base definitions are valid, and so are the limits themselves.
	for name, change := range map[string]func(a *cognitomon.Alarm){
		"as defined":         func(*cognitomon.Alarm) {},
		"one day":            func(a *cognitomon.Alarm) { a.EvaluationPeriods, a.DatapointsToAlarm = 288, 288 },
		"seven days":         func(a *cognitomon.Alarm) { a.Period, a.EvaluationPeriods = time.Hour, 168 },
		"50 tags":            func(a *cognitomon.Alarm) { a.Tags = map[string]string{}; _ = a; fillAlarmTags(a, 50) },
		"5 actions":          func(a *cognitomon.Alarm) { a.AlarmActions = strings.Split(strings.Repeat(alarmTopic+" ", 5), " ")[:5] },
		"rate below 100%":    func(a *cognitomon.Alarm) { a.Threshold = 99.9 },
		"255-character name": func(a *cognitomon.Alarm) { a.Name = strings.Repeat("n", 255) },
	} {
		a := clone(signIn)
		change(&a)
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := admin.Validate(); err != nil {
		t.Errorf("admin alarm: %v", err)
	}
}

func fillAlarmTags(a *cognitomon.Alarm, n int) {
	for i := range n {
		a.Tags[fmt.Sprint("k", i)] = "v"
	}
}

// The pool-wide throttle alarm is one Metrics Insights query; Validate
// keeps such a query alone, at a period of whole minutes (five on
// AWS/Cognito), and Backtest replays only the standard one.
func TestMetricsInsightsAlarm(t *testing.T) {
	a := standardAlarm(t, "signin-throttles", alarmClients)
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	in, err := a.PutMetricAlarmInput()
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Metrics) != 1 || aws.ToInt32(in.Metrics[0].Period) != 300 || in.Metrics[0].MetricStat != nil {
		t.Errorf("rendered queries %+v, want one query with period 300", in.Metrics)
	}
	withStat := a
	withStat.Queries = append(slices.Clone(a.Queries), cognitomon.MetricQuery{ID: "m", Metric: &cognitomon.MetricStat{Namespace: "AWS/Cognito", MetricName: "SignInSuccesses", Stat: "Sum"}})
	if fields := alarmErrors(withStat.Validate()); !slices.Contains(fields, a.Name+"|Queries") {
		t.Errorf("a Metrics Insights query beside another: %v", fields)
	}
	short := a
	short.Period = time.Minute
	if fields := alarmErrors(short.Validate()); !slices.Equal(fields, []string{a.Name + "|Period"}) {
		t.Errorf("a 1-minute Metrics Insights alarm on AWS/Cognito: %v", fields)
	}

	cw, _ := alarmFakes()
	day := cognitomon.Last(24*time.Hour, alarmNow)
	if _, err := a.Backtest(context.Background(), cw, day, backtestAt); err != nil {
		t.Errorf("backtest of the standard throttle alarm: %v", err)
	}
	edited := a
	edited.Queries = slices.Clone(a.Queries)
	edited.Queries[0].Expression = strings.Replace(a.Queries[0].Expression, "SignInThrottles", "TokenRefreshThrottles", 1)
	if _, err := edited.Backtest(context.Background(), cw, day, backtestAt); !errors.Is(err, cognitomon.ErrNotBacktestable) {
		t.Errorf("backtest of an edited Metrics Insights alarm: %v, want ErrNotBacktestable", err)
	}
}
