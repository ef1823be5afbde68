package cognitomon_test

import (
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
)

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
