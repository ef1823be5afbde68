package cognitomon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go/document"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
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

func goldenStat(id, metric, stat string, dims ...string) cwtypes.MetricDataQuery {
	d := []cwtypes.Dimension{{Name: aws.String("UserPool"), Value: aws.String(string(alarmPool))}}
	for i := 0; i < len(dims); i += 2 {
		d = append(d, cwtypes.Dimension{Name: aws.String(dims[i]), Value: aws.String(dims[i+1])})
	}
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String(metric), Dimensions: d},
		Period: aws.Int32(300), Stat: aws.String(stat),
	}}
}

func goldenExpr(id, expr, label string, returned bool) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(expr), Label: aws.String(label), ReturnData: aws.Bool(returned)}
}

func goldenTags() []cwtypes.Tag {
	return []cwtypes.Tag{{Key: aws.String("ManagedBy"), Value: aws.String("cognitomon")}, {Key: aws.String("UserPool"), Value: aws.String(string(alarmPool))}}
}

func goldenAlarm(name, description string, threshold float64, n, m int32, metrics []cwtypes.MetricDataQuery) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(alarmPrefix + name),
		AlarmDescription:   aws.String(description),
		ActionsEnabled:     aws.Bool(true),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:          aws.Float64(threshold),
		EvaluationPeriods:  aws.Int32(n),
		DatapointsToAlarm:  aws.Int32(m),
		TreatMissingData:   aws.String("notBreaching"),
		Metrics:            metrics,
		Tags:               goldenTags(),
	}
}

// rateMetrics is the failure-rate math over the given successes metric and
// client dimensions (name, value pairs per series).
func rateMetrics(flow, metric string, series ...[]string) []cwtypes.MetricDataQuery {
	var qs []cwtypes.MetricDataQuery
	var n, s []string
	for i, dims := range series {
		qs = append(qs, goldenStat(fmt.Sprint("n", i), metric, "SampleCount", dims...), goldenStat(fmt.Sprint("s", i), metric, "Sum", dims...))
		n, s = append(n, fmt.Sprint("n", i)), append(s, fmt.Sprint("s", i))
	}
	return append(qs,
		goldenExpr("attempts", "SUM(["+strings.Join(n, ", ")+"])", flow+" attempts", false),
		goldenExpr("successes", "SUM(["+strings.Join(s, ", ")+"])", flow+" successes", false),
		goldenExpr("failures", "attempts - successes", flow+" failures", false),
		goldenExpr("failure_rate", "100 * failures / attempts", flow+" failure_rate", false),
		goldenExpr("guarded_rate", "IF(attempts >= 20, failure_rate, 0)", flow+" failure rate (%) with at least 20 attempts", true),
	)
}

func goldenClient(id string) []string { return []string{"UserPoolClient", id} }

func TestAlarmDefinitionsRender(t *testing.T) {
	adminPattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.requestParameters.userPoolId = "us-east-1_AbCdEf123") && (` +
		`$.eventName = "UpdateUserPool" || $.eventName = "DeleteUserPool" || $.eventName = "SetUserPoolMfaConfig" || ` +
		`$.eventName = "SetRiskConfiguration" || $.eventName = "SetLogDeliveryConfiguration" || $.eventName = "CreateUserPoolClient" || ` +
		`$.eventName = "UpdateUserPoolClient" || $.eventName = "DeleteUserPoolClient" || $.eventName = "CreateIdentityProvider" || ` +
		`$.eventName = "UpdateIdentityProvider" || $.eventName = "DeleteIdentityProvider" || $.eventName = "CreateUserPoolDomain" || ` +
		`$.eventName = "UpdateUserPoolDomain" || $.eventName = "DeleteUserPoolDomain") }`
	m2mPattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.additionalEventData.userPoolId = "us-east-1_AbCdEf123") && ` +
		`($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") && ` +
		`($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }`
	filterMetric := func(metric string) []cwtypes.MetricDataQuery {
		return []cwtypes.MetricDataQuery{{Id: aws.String("events"), Label: aws.String(metric), ReturnData: aws.Bool(true), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("Cognitomon/us-east-1_AbCdEf123"), MetricName: aws.String(metric)},
			Period: aws.Int32(300), Stat: aws.String("Sum"),
		}}}
	}
	filter := func(name, pattern, metric string) *cloudwatchlogs.PutMetricFilterInput {
		return &cloudwatchlogs.PutMetricFilterInput{
			FilterName: aws.String(alarmPrefix + name), LogGroupName: aws.String(alarmLogGroup), FilterPattern: aws.String(pattern),
			MetricTransformations: []logtypes.MetricTransformation{{
				MetricName: aws.String(metric), MetricNamespace: aws.String("Cognitomon/us-east-1_AbCdEf123"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0),
			}},
		}
	}
	adminEvents := "UpdateUserPool, DeleteUserPool, SetUserPoolMfaConfig, SetRiskConfiguration, SetLogDeliveryConfiguration, CreateUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient, CreateIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider, CreateUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain"

	tests := []struct {
		name       string
		define     func() (cognitomon.Alarm, error)
		wantAlarm  *cloudwatch.PutMetricAlarmInput
		wantFilter *cloudwatchlogs.PutMetricFilterInput
	}{
		{
			name:   "sign-in failure rate",
			define: func() (cognitomon.Alarm, error) { return cognitomon.SignInFailureRateAlarm(alarmPool, alarmClients) },
			wantAlarm: goldenAlarm("signin-failure-rate",
				"Sign-in failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of SignInSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Managed by cognitomon.",
				20, 1, 1, rateMetrics("SignIn", "SignInSuccesses", goldenClient("Invalid"), goldenClient("ios2example"), goldenClient("web1example"))),
		},
		{
			name:   "sign-up failure rate",
			define: func() (cognitomon.Alarm, error) { return cognitomon.SignUpFailureRateAlarm(alarmPool, alarmClients) },
			wantAlarm: goldenAlarm("signup-failure-rate",
				"Sign-up failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of SignUpSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Managed by cognitomon.",
				20, 1, 1, rateMetrics("SignUp", "SignUpSuccesses", goldenClient("Admin"), goldenClient("ios2example"), goldenClient("web1example"))),
		},
		{
			name: "federation failure rate",
			define: func() (cognitomon.Alarm, error) {
				return cognitomon.FederationFailureRateAlarm(alarmPool, alarmClients[:1], []string{"Google", "CorpSAML"})
			},
			wantAlarm: goldenAlarm("federation-failure-rate",
				"Federated sign-in failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of FederationSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Identity providers: CorpSAML, Google. Managed by cognitomon.",
				20, 1, 1, rateMetrics("Federation", "FederationSuccesses",
					[]string{"UserPoolClient", "web1example", "IdentityProvider", "CorpSAML"}, []string{"UserPoolClient", "web1example", "IdentityProvider", "Google"})),
		},
		{
			name:   "sign-in throttles",
			define: func() (cognitomon.Alarm, error) { return cognitomon.SignInThrottlesAlarm(alarmPool, alarmClients) },
			wantAlarm: goldenAlarm("signin-throttles",
				"Throttled sign-in requests to user pool us-east-1_AbCdEf123: Sum of SignInThrottles summed over the app clients in the metrics. Managed by cognitomon.",
				100, 1, 1, []cwtypes.MetricDataQuery{
					goldenStat("t0", "SignInThrottles", "Sum", goldenClient("Invalid")...),
					goldenStat("t1", "SignInThrottles", "Sum", goldenClient("ios2example")...),
					goldenStat("t2", "SignInThrottles", "Sum", goldenClient("web1example")...),
					goldenExpr("throttles", "SUM([t0, t1, t2])", "SignIn throttles", true),
				}),
		},
		{
			name:   "token-refresh failures",
			define: func() (cognitomon.Alarm, error) { return cognitomon.TokenRefreshFailuresAlarm(alarmPool, alarmClients) },
			wantAlarm: goldenAlarm("refresh-failures",
				"Token-refresh failures of user pool us-east-1_AbCdEf123: SampleCount - Sum of TokenRefreshSuccesses summed over the app clients in the metrics, throttled requests included. Managed by cognitomon.",
				50, 1, 1, []cwtypes.MetricDataQuery{
					goldenStat("n0", "TokenRefreshSuccesses", "SampleCount", goldenClient("Invalid")...),
					goldenStat("s0", "TokenRefreshSuccesses", "Sum", goldenClient("Invalid")...),
					goldenStat("n1", "TokenRefreshSuccesses", "SampleCount", goldenClient("ios2example")...),
					goldenStat("s1", "TokenRefreshSuccesses", "Sum", goldenClient("ios2example")...),
					goldenStat("n2", "TokenRefreshSuccesses", "SampleCount", goldenClient("web1example")...),
					goldenStat("s2", "TokenRefreshSuccesses", "Sum", goldenClient("web1example")...),
					goldenExpr("attempts", "SUM([n0, n1, n2])", "TokenRefresh attempts", false),
					goldenExpr("successes", "SUM([s0, s1, s2])", "TokenRefresh successes", false),
					goldenExpr("failures", "attempts - successes", "TokenRefresh failures", true),
				}),
		},
		{
			name:   "risky admin changes",
			define: func() (cognitomon.Alarm, error) { return cognitomon.RiskyAdminChangesAlarm(alarmPool, alarmLogGroup) },
			wantAlarm: goldenAlarm("admin-changes",
				"Risky administrative changes to user pool us-east-1_AbCdEf123 ("+adminEvents+"), counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
				0, 3, 1, filterMetric("RiskyAdminChanges")),
			wantFilter: filter("admin-changes", adminPattern, "RiskyAdminChanges"),
		},
		{
			name:   "machine-to-machine token spike",
			define: func() (cognitomon.Alarm, error) { return cognitomon.MachineTokenSpikeAlarm(alarmPool, alarmLogGroup) },
			wantAlarm: goldenAlarm("m2m-tokens",
				"Machine-to-machine (client_credentials) token requests to user pool us-east-1_AbCdEf123, counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
				300, 3, 1, filterMetric("MachineTokens")),
			wantFilter: filter("m2m-tokens", m2mPattern, "MachineTokens"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.define()
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Validate(); err != nil {
				t.Fatalf("the default definition does not validate: %v", err)
			}
			in, err := a.PutMetricAlarmInput()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantAlarm, in, alarmCmpOpts); diff != "" {
				t.Errorf("PutMetricAlarmInput (-want +got):\n%s", diff)
			}
			fin, err := a.PutMetricFilterInput()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantFilter, fin, alarmCmpOpts); diff != "" {
				t.Errorf("PutMetricFilterInput (-want +got):\n%s", diff)
			}
			if p := a.Filter; p != nil && len(p.Pattern) > 1024 {
				t.Errorf("pattern is %d characters, more than 1024", len(p.Pattern))
			}
		})
	}
}

// Every documented default can be changed.
func TestAlarmDefinitionOptions(t *testing.T) {
	a, err := cognitomon.SignInFailureRateAlarm(alarmPool, []cognitomon.ClientID{"web1example", "web1example"}, func(o *cognitomon.DefinitionOptions) {
		o.Prefix = "team-"
		o.Name = "signin"
		o.Threshold = 35
		o.Period = 10 * time.Minute
		o.EvaluationPeriods = 3
		o.DatapointsToAlarm = 2
		o.TreatMissingData = cognitomon.MissingDataIgnore
		o.MinAttempts = 50
		o.AlarmActions = []string{alarmTopic}
		o.OKActions = []string{alarmTopic}
		o.InsufficientDataActions = []string{alarmTopic}
		o.Tags = map[string]string{"Team": "identity", "ManagedBy": "platform"}
		o.ExcludePseudoClients = true
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := a.PutMetricAlarmInput()
	if err != nil {
		t.Fatal(err)
	}
	stat := func(id, s string) cwtypes.MetricDataQuery {
		q := goldenStat(id, "SignInSuccesses", s, goldenClient("web1example")...)
		q.MetricStat.Period = aws.Int32(600)
		return q
	}
	want := &cloudwatch.PutMetricAlarmInput{
		AlarmName:               aws.String("team-signin"),
		AlarmDescription:        aws.String("Sign-in failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of SignInSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 50 attempts. Managed by cognitomon."),
		ActionsEnabled:          aws.Bool(true),
		AlarmActions:            []string{alarmTopic},
		OKActions:               []string{alarmTopic},
		InsufficientDataActions: []string{alarmTopic},
		ComparisonOperator:      cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:               aws.Float64(35),
		EvaluationPeriods:       aws.Int32(3),
		DatapointsToAlarm:       aws.Int32(2),
		TreatMissingData:        aws.String("ignore"),
		Metrics: []cwtypes.MetricDataQuery{
			stat("n0", "SampleCount"), stat("s0", "Sum"),
			goldenExpr("attempts", "SUM([n0])", "SignIn attempts", false),
			goldenExpr("successes", "SUM([s0])", "SignIn successes", false),
			goldenExpr("failures", "attempts - successes", "SignIn failures", false),
			goldenExpr("failure_rate", "100 * failures / attempts", "SignIn failure_rate", false),
			goldenExpr("guarded_rate", "IF(attempts >= 50, failure_rate, 0)", "SignIn failure rate (%) with at least 50 attempts", true),
		},
		Tags: []cwtypes.Tag{
			{Key: aws.String("ManagedBy"), Value: aws.String("platform")},
			{Key: aws.String("Team"), Value: aws.String("identity")},
			{Key: aws.String("UserPool"), Value: aws.String(string(alarmPool))},
		},
	}
	if diff := cmp.Diff(want, in, alarmCmpOpts); diff != "" {
		t.Errorf("PutMetricAlarmInput (-want +got):\n%s", diff)
	}

	// Fields of the returned value change the rendering directly.
	a.ActionsDisabled = true
	a.Threshold = 0
	in, err = a.PutMetricAlarmInput()
	if err != nil {
		t.Fatal(err)
	}
	if *in.ActionsEnabled || *in.Threshold != 0 {
		t.Errorf("ActionsEnabled %v, Threshold %v", *in.ActionsEnabled, *in.Threshold)
	}
}

func TestStandardAlarms(t *testing.T) {
	in := cognitomon.StandardAlarmsInput{
		UserPool:          alarmPool,
		Clients:           alarmClients,
		IdentityProviders: []string{"Google"},
		TrailLogGroup:     alarmLogGroup,
	}
	alarms, err := cognitomon.StandardAlarms(in)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range alarms {
		names = append(names, strings.TrimPrefix(a.Name, alarmPrefix))
	}
	want := []string{"signin-failure-rate", "signin-throttles", "refresh-failures", "signup-failure-rate", "federation-failure-rate", "admin-changes", "m2m-tokens"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}

	// Twelve clients need several alarms: the failure rates fit 5 series
	// (10 MetricStat queries) each, the throttles 10.
	in.Clients = nil
	for i := range 12 {
		in.Clients = append(in.Clients, cognitomon.ClientID(fmt.Sprintf("client%02d", i)))
	}
	in.IdentityProviders, in.TrailLogGroup = nil, ""
	alarms, err = cognitomon.StandardAlarms(in)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	series := map[string]int{}
	for _, a := range alarms {
		base := strings.TrimRight(strings.TrimPrefix(a.Name, alarmPrefix), "-0123456789")
		count[base]++
		for _, q := range a.Queries {
			if q.Metric != nil && (q.Metric.Stat == "SampleCount" || strings.HasSuffix(q.Metric.MetricName, "Throttles")) {
				series[base]++
			}
		}
	}
	// 12 clients + 1 pseudo-client each.
	if diff := cmp.Diff(map[string]int{"signin-failure-rate": 3, "signin-throttles": 2, "refresh-failures": 3, "signup-failure-rate": 3}, count); diff != "" {
		t.Errorf("alarms per kind (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"signin-failure-rate": 13, "signin-throttles": 13, "refresh-failures": 13, "signup-failure-rate": 13}, series); diff != "" {
		t.Errorf("series per kind (-want +got):\n%s", diff)
	}
	if alarms[0].Name != alarmPrefix+"signin-failure-rate-1" {
		t.Errorf("first alarm %s", alarms[0].Name)
	}

	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool}); err == nil {
		t.Error("no clients: no error")
	}
	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: "bad", Clients: alarmClients}); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
}

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

func TestAlarmValidation(t *testing.T) {
	signIn, err := cognitomon.SignInFailureRateAlarm(alarmPool, alarmClients)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := cognitomon.RiskyAdminChangesAlarm(alarmPool, alarmLogGroup)
	if err != nil {
		t.Fatal(err)
	}
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

// A violation that the constructor's options cause names the alarm and the
// option.
func TestAlarmConstructorErrors(t *testing.T) {
	many := make([]cognitomon.ClientID, 6)
	for i := range many {
		many[i] = cognitomon.ClientID(fmt.Sprint("c", i))
	}
	tests := []struct {
		name   string
		define func() (cognitomon.Alarm, error)
		field  string
	}{
		{"six clients", func() (cognitomon.Alarm, error) { return cognitomon.SignInFailureRateAlarm(alarmPool, many) }, "Queries"},
		{"90-second period", func() (cognitomon.Alarm, error) {
			return cognitomon.SignInThrottlesAlarm(alarmPool, alarmClients, func(o *cognitomon.DefinitionOptions) { o.Period = 90 * time.Second })
		}, "Period"},
		{"1-minute period", func() (cognitomon.Alarm, error) {
			return cognitomon.TokenRefreshFailuresAlarm(alarmPool, alarmClients, func(o *cognitomon.DefinitionOptions) { o.Period = time.Minute })
		}, "Period"},
		{"negative minimum", func() (cognitomon.Alarm, error) {
			return cognitomon.SignUpFailureRateAlarm(alarmPool, alarmClients, func(o *cognitomon.DefinitionOptions) { o.MinAttempts = -1 })
		}, "MinAttempts"},
		{"bad event name", func() (cognitomon.Alarm, error) {
			return cognitomon.RiskyAdminChangesAlarm(alarmPool, alarmLogGroup, func(o *cognitomon.DefinitionOptions) { o.Events = []string{`UpdateUserPool" || $.x = "`} })
		}, "Events"},
		{"no events", func() (cognitomon.Alarm, error) {
			return cognitomon.RiskyAdminChangesAlarm(alarmPool, alarmLogGroup, func(o *cognitomon.DefinitionOptions) { o.Events = []string{} })
		}, "Events"},
		{"bad log group", func() (cognitomon.Alarm, error) { return cognitomon.MachineTokenSpikeAlarm(alarmPool, "trail logs") }, "Filter.LogGroup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.define()
			var ae *cognitomon.AlarmError
			if !errors.As(err, &ae) || !errors.Is(err, cognitomon.ErrInvalidAlarm) {
				t.Fatalf("error %v, want an AlarmError", err)
			}
			fields := alarmErrors(err)
			if len(fields) == 0 || !strings.HasSuffix(fields[0], "|"+tt.field) || !strings.HasPrefix(fields[0], alarmPrefix) {
				t.Errorf("errors %v, want alarm %s... field %s", fields, alarmPrefix, tt.field)
			}
		})
	}
	if _, err := cognitomon.FederationFailureRateAlarm(alarmPool, alarmClients, nil); err == nil {
		t.Error("federation without providers: no error")
	}
	if _, err := cognitomon.SignInFailureRateAlarm("nope", alarmClients); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
	if _, err := cognitomon.SignInFailureRateAlarm(alarmPool, []cognitomon.ClientID{"bad client"}); !errors.Is(err, cognitomon.ErrInvalidClientID) {
		t.Errorf("bad client: %v", err)
	}
}

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
	adminChanges, err := cognitomon.RiskyAdminChangesAlarm(alarmPool, alarmLogGroup, func(o *cognitomon.DefinitionOptions) { o.Events = []string{"DeleteUserPool"} })
	if err != nil {
		t.Fatal(err)
	}
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

	outside, err := cognitomon.SignInThrottlesAlarm(alarmPool, alarmClients, func(o *cognitomon.DefinitionOptions) { o.Prefix = "team-" })
	if err != nil {
		t.Fatal(err)
	}
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
	guarded, err := cognitomon.SignInFailureRateAlarm(alarmPool, alarmClients)
	if err != nil {
		t.Fatal(err)
	}
	bt, err := guarded.Backtest(context.Background(), cw, day, backtestAt)
	if err != nil {
		t.Fatal(err)
	}
	if bt.Pages() != 0 {
		t.Errorf("guarded: %d pages", bt.Pages())
	}
	unguarded, err := cognitomon.SignInFailureRateAlarm(alarmPool, alarmClients, func(o *cognitomon.DefinitionOptions) { o.MinAttempts = 1 })
	if err != nil {
		t.Fatal(err)
	}
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
	m2m, err := cognitomon.MachineTokenSpikeAlarm(alarmPool, alarmLogGroup)
	if err != nil {
		t.Fatal(err)
	}
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
	a, err := cognitomon.SignInFailureRateAlarm(alarmPool, clients)
	if err != nil {
		t.Fatal(err)
	}
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

func TestCloudFormationTemplate(t *testing.T) {
	m2m, err := cognitomon.MachineTokenSpikeAlarm(alarmPool, alarmLogGroup, func(o *cognitomon.DefinitionOptions) { o.AlarmActions = []string{alarmTopic} })
	if err != nil {
		t.Fatal(err)
	}
	out, err := cognitomon.CloudFormationTemplate([]cognitomon.Alarm{m2m})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
	  "AWSTemplateFormatVersion": "2010-09-09",
	  "Description": "Amazon Cognito user-pool alarms defined by cognitomon",
	  "Resources": {
	    "CognitomonUsEast1AbCdEf123M2mTokensMetricFilter": {
	      "Type": "AWS::Logs::MetricFilter",
	      "Properties": {
	        "FilterName": "cognitomon-us-east-1_AbCdEf123-m2m-tokens",
	        "LogGroupName": "aws-cloudtrail-logs-cognitomon",
	        "FilterPattern": "{ ($.eventSource = \"cognito-idp.amazonaws.com\") && ($.additionalEventData.userPoolId = \"us-east-1_AbCdEf123\") && ($.eventName = \"Token_POST\" || $.eventName = \"Beta_Token_POST\") && ($.additionalEventData.requestParameters.grant_type[0] = \"client_credentials\") }",
	        "MetricTransformations": [{"MetricName": "MachineTokens", "MetricNamespace": "Cognitomon/us-east-1_AbCdEf123", "MetricValue": "1", "DefaultValue": 0}]
	      }
	    },
	    "CognitomonUsEast1AbCdEf123M2mTokensAlarm": {
	      "Type": "AWS::CloudWatch::Alarm",
	      "DependsOn": "CognitomonUsEast1AbCdEf123M2mTokensMetricFilter",
	      "Properties": {
	        "AlarmName": "cognitomon-us-east-1_AbCdEf123-m2m-tokens",
	        "AlarmDescription": "Machine-to-machine (client_credentials) token requests to user pool us-east-1_AbCdEf123, counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
	        "ActionsEnabled": true,
	        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"],
	        "ComparisonOperator": "GreaterThanThreshold",
	        "Threshold": 300,
	        "EvaluationPeriods": 3,
	        "DatapointsToAlarm": 1,
	        "TreatMissingData": "notBreaching",
	        "Metrics": [{
	          "Id": "events",
	          "MetricStat": {"Metric": {"Namespace": "Cognitomon/us-east-1_AbCdEf123", "MetricName": "MachineTokens"}, "Period": 300, "Stat": "Sum"},
	          "Label": "MachineTokens",
	          "ReturnData": true
	        }],
	        "Tags": [{"Key": "ManagedBy", "Value": "cognitomon"}, {"Key": "UserPool", "Value": "us-east-1_AbCdEf123"}]
	      }
	    }
	  }
	}`
	var wantTree, gotTree any
	if err := json.Unmarshal([]byte(want), &wantTree); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &gotTree); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantTree, gotTree); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}
	if strings.Contains(string(out), `\u003e`) {
		t.Error("the template escapes > in expressions")
	}

	// The standard set: one resource per alarm and filter, expressions
	// readable, and invalid alarms refused.
	out, err = cognitomon.CloudFormationTemplate(standardAlarms(t))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, r := range tmpl.Resources {
		types[r.Type]++
	}
	if diff := cmp.Diff(map[string]int{"AWS::CloudWatch::Alarm": 7, "AWS::Logs::MetricFilter": 2}, types); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(out), `"IF(attempts >= 20, failure_rate, 0)"`) {
		t.Error("the template lacks the guarded rate")
	}
	m2m.Threshold = -1
	if _, err := cognitomon.CloudFormationTemplate([]cognitomon.Alarm{m2m}); !errors.Is(err, cognitomon.ErrInvalidAlarm) {
		t.Errorf("invalid alarm: %v", err)
	}
}

// An AlarmManager plans against what exists; Apply carries the plan out.
func ExampleAlarmManager_Plan() {
	ctx := context.Background()
	pool := cognitomon.UserPoolID("us-east-1_AbCdEf123")
	clients := []cognitomon.ClientID{"web1example"}
	cw := cognitomontest.NewCloudWatch(nil) // or cloudwatch.NewFromConfig(cfg)

	signIn, err := cognitomon.SignInFailureRateAlarm(pool, clients)
	if err != nil {
		fmt.Println(err)
		return
	}
	throttles, err := cognitomon.SignInThrottlesAlarm(pool, clients)
	if err != nil {
		fmt.Println(err)
		return
	}
	m := cognitomon.NewAlarmManager(cw, nil, pool)
	plan, err := m.Plan(ctx, []cognitomon.Alarm{signIn, throttles})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(plan)
	if err := m.Apply(ctx, plan); err != nil {
		fmt.Println(err)
		return
	}

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

	alarm, err := cognitomon.SignInFailureRateAlarm("us-east-1_AbCdEf123", []cognitomon.ClientID{"web1example"})
	if err != nil {
		fmt.Println(err)
		return
	}
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
