package cognitomon_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
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
	// The independent list of risky admin events, in the table's order.
	adminPattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.requestParameters.userPoolId = "us-east-1_AbCdEf123") && (` +
		`$.eventName = "UpdateUserPool" || $.eventName = "DeleteUserPool" || $.eventName = "CreateUserPoolClient" || ` +
		`$.eventName = "UpdateUserPoolClient" || $.eventName = "DeleteUserPoolClient" || $.eventName = "AddUserPoolClientSecret" || ` +
		`$.eventName = "DeleteUserPoolClientSecret" || $.eventName = "CreateIdentityProvider" || ` +
		`$.eventName = "UpdateIdentityProvider" || $.eventName = "DeleteIdentityProvider" || $.eventName = "CreateUserPoolDomain" || ` +
		`$.eventName = "UpdateUserPoolDomain" || $.eventName = "DeleteUserPoolDomain" || $.eventName = "SetUserPoolMfaConfig" || ` +
		`$.eventName = "SetRiskConfiguration" || $.eventName = "SetLogDeliveryConfiguration") }`
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
	adminEvents := "UpdateUserPool, DeleteUserPool, CreateUserPoolClient, UpdateUserPoolClient, DeleteUserPoolClient, AddUserPoolClientSecret, DeleteUserPoolClientSecret, CreateIdentityProvider, UpdateIdentityProvider, DeleteIdentityProvider, CreateUserPoolDomain, UpdateUserPoolDomain, DeleteUserPoolDomain, SetUserPoolMfaConfig, SetRiskConfiguration, SetLogDeliveryConfiguration"

	tests := []struct {
		name       string
		alarm      string
		wantAlarm  *cloudwatch.PutMetricAlarmInput
		wantFilter *cloudwatchlogs.PutMetricFilterInput
	}{
		{
			name:  "sign-in failure rate",
			alarm: "signin-failure-rate",
			wantAlarm: goldenAlarm("signin-failure-rate",
				"Sign-in failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of SignInSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Managed by cognitomon.",
				20, 1, 1, rateMetrics("SignIn", "SignInSuccesses", goldenClient("Invalid"), goldenClient("ios2example"), goldenClient("web1example"))),
		},
		{
			name:  "sign-up failure rate",
			alarm: "signup-failure-rate",
			wantAlarm: goldenAlarm("signup-failure-rate",
				"Sign-up failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of SignUpSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Managed by cognitomon.",
				20, 1, 1, rateMetrics("SignUp", "SignUpSuccesses", goldenClient("Admin"), goldenClient("ios2example"), goldenClient("web1example"))),
		},
		{
			name:  "federation failure rate",
			alarm: "federation-failure-rate",
			wantAlarm: goldenAlarm("federation-failure-rate",
				"Federated sign-in failure rate (%) of user pool us-east-1_AbCdEf123: 100 * (SampleCount - Sum) / SampleCount of FederationSuccesses summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than 20 attempts. Identity providers: CorpSAML, Google. Managed by cognitomon.",
				20, 1, 1, rateMetrics("Federation", "FederationSuccesses",
					[]string{"UserPoolClient", "web1example", "IdentityProvider", "CorpSAML"}, []string{"UserPoolClient", "web1example", "IdentityProvider", "Google"})),
		},
		{
			name:  "sign-in throttles",
			alarm: "signin-throttles",
			wantAlarm: goldenAlarm("signin-throttles",
				"Throttled sign-in requests to user pool us-east-1_AbCdEf123: Sum of SignInThrottles over every app client of the pool (a Metrics Insights query). Managed by cognitomon.",
				100, 1, 1, []cwtypes.MetricDataQuery{{
					Id:         aws.String("throttles"),
					Expression: aws.String(`SELECT SUM(SignInThrottles) FROM SCHEMA("AWS/Cognito", UserPool, UserPoolClient) WHERE UserPool = 'us-east-1_AbCdEf123'`),
					Label:      aws.String("SignIn throttles"),
					Period:     aws.Int32(300),
					ReturnData: aws.Bool(true),
				}}),
		},
		{
			name:  "token-refresh failures",
			alarm: "refresh-failures",
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
			name:  "risky admin changes",
			alarm: "admin-changes",
			wantAlarm: goldenAlarm("admin-changes",
				"Risky administrative changes to user pool us-east-1_AbCdEf123 ("+adminEvents+"), counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
				0, 3, 1, filterMetric("RiskyAdminChanges")),
			wantFilter: filter("admin-changes", adminPattern, "RiskyAdminChanges"),
		},
		{
			name:  "machine-to-machine token spike",
			alarm: "m2m-tokens",
			wantAlarm: goldenAlarm("m2m-tokens",
				"Machine-to-machine (client_credentials) token requests to user pool us-east-1_AbCdEf123, counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
				300, 3, 1, filterMetric("MachineTokens")),
			wantFilter: filter("m2m-tokens", m2mPattern, "MachineTokens"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := standardAlarm(t, tt.alarm, alarmClients)
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
	a, err := standardAlarmErr(alarmPool, "signin-failure-rate", []cognitomon.ClientID{"web1example", "web1example"}, func(o *cognitomon.DefinitionOptions) {
		o.Prefix = "team-"
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
	a.Threshold = 35 // one alarm's threshold is a field of the result
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
		AlarmName:               aws.String("team-signin-failure-rate"),
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

	// Twelve clients need several failure alarms: the failure rates fit 5
	// series (10 MetricStat queries) each. The throttle alarm is one
	// Metrics Insights query over the whole pool, whatever the clients.
	in.Clients = nil
	for i := range 12 {
		in.Clients = append(in.Clients, cognitomon.ClientID(fmt.Sprintf("client%02d", i)))
	}
	in.IdentityProviders, in.TrailLogGroup = nil, ""
	alarms, err = cognitomon.StandardAlarms(in)
	if err != nil {
		t.Fatal(err)
	}
	groupSuffix := regexp.MustCompile(`-[01]+$`)
	count := map[string]int{}
	series := map[string]map[string]bool{}
	for _, a := range alarms {
		name := strings.TrimPrefix(a.Name, alarmPrefix)
		base := groupSuffix.ReplaceAllString(name, "")
		if base != name && base == "signin-throttles" {
			t.Errorf("throttle alarm %s is split", a.Name)
		}
		count[base]++
		if series[base] == nil {
			series[base] = map[string]bool{}
		}
		n := 0
		for _, q := range a.Queries {
			if q.Metric != nil && q.Metric.Stat == "SampleCount" {
				n++
				series[base][q.Metric.Dimensions[1].Value] = true
			}
		}
		if n > 5 {
			t.Errorf("%s: %d series, more than 5", a.Name, n)
		}
	}
	if count["signin-throttles"] != 1 {
		t.Errorf("%d throttle alarms, want 1", count["signin-throttles"])
	}
	for _, base := range []string{"signin-failure-rate", "refresh-failures", "signup-failure-rate"} {
		// 12 clients + 1 pseudo-client, each in exactly one group.
		if count[base] < 3 || len(series[base]) != 13 {
			t.Errorf("%s: %d alarms over %d series, want at least 3 over 13", base, count[base], len(series[base]))
		}
	}

	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool}); err == nil {
		t.Error("no clients: no error")
	}
	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: "bad", Clients: alarmClients}); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
}

// A violation that the options cause names the alarm and the option.
func TestStandardAlarmsOptionErrors(t *testing.T) {
	tests := []struct {
		name  string
		opt   func(*cognitomon.DefinitionOptions)
		field string
	}{
		{"90-second period", func(o *cognitomon.DefinitionOptions) { o.Period = 90 * time.Second }, "Period"},
		{"1-minute period", func(o *cognitomon.DefinitionOptions) { o.Period = time.Minute }, "Period"},
		{"negative minimum", func(o *cognitomon.DefinitionOptions) { o.MinAttempts = -1 }, "MinAttempts"},
		{"bad event name", func(o *cognitomon.DefinitionOptions) { o.Events = []string{`UpdateUserPool" || $.x = "`} }, "Events"},
		{"no events", func(o *cognitomon.DefinitionOptions) { o.Events = []string{} }, "Events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := standardAlarmErr(alarmPool, "signin-failure-rate", alarmClients, tt.opt)
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
	_, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients, TrailLogGroup: "trail logs"})
	if fields := alarmErrors(err); len(fields) == 0 || fields[0] != alarmPrefix+"admin-changes|Filter.LogGroup" {
		t.Errorf("bad log group: %v", err)
	}
	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: []cognitomon.ClientID{"bad client"}}); !errors.Is(err, cognitomon.ErrInvalidClientID) {
		t.Errorf("bad client: %v", err)
	}
	if _, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: alarmClients, IdentityProviders: []string{"a", "b", "c", "d", "e", "f"}}); err == nil {
		t.Error("six identity providers (12 MetricStat queries per client): no error")
	}
}

// clientSets returns, per alarm name, the app clients that the alarm's
// MetricStat queries read.
func clientSets(alarms []cognitomon.Alarm) map[string][]string {
	out := map[string][]string{}
	for _, a := range alarms {
		set := []string{}
		for _, q := range a.Queries {
			if q.Metric != nil && q.Metric.Stat == "SampleCount" {
				set = append(set, q.Metric.Dimensions[1].Value)
			}
		}
		slices.Sort(set)
		out[a.Name] = set
	}
	return out
}

// Adding a client changes only the group that gains it: every other
// alarm keeps its name and its exact set of series. (With sorted chunks,
// "client0" and "AAAclient" would shift every group.)
func TestStandardAlarmsStableGroups(t *testing.T) {
	var clients []cognitomon.ClientID
	for c := 'A'; c <= 'K'; c++ {
		clients = append(clients, cognitomon.ClientID("client"+string(c)))
	}
	define := func(clients []cognitomon.ClientID) map[string][]string {
		alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: alarmPool, Clients: clients})
		if err != nil {
			t.Fatal(err)
		}
		return clientSets(alarms)
	}
	before := define(clients)
	groups := 0
	for name := range before {
		if strings.HasPrefix(name, alarmPrefix+"signin-failure-rate-") {
			groups++
		}
	}
	if groups < 3 {
		t.Fatalf("11 clients + Invalid in %d sign-in groups, want at least 3: %v", groups, before)
	}
	joined := 0 // additions that changed an existing group
	for _, added := range []cognitomon.ClientID{"clientL", "client0", "newmobileclient", "zzzclient", "AAAclient", "clientBB"} {
		after := define(append(slices.Clone(clients), added))
		for _, kind := range []string{"signin-failure-rate", "refresh-failures", "signup-failure-rate"} {
			var gone, came []string // clients of the alarms that changed
			changed := 0
			for name, set := range before {
				if !strings.HasPrefix(name, alarmPrefix+kind) {
					continue
				}
				if slices.Equal(after[name], set) {
					continue
				}
				changed++
				gone = append(gone, set...)
			}
			for name, set := range after {
				if strings.HasPrefix(name, alarmPrefix+kind) && !slices.Equal(before[name], set) {
					came = append(came, set...)
				}
			}
			slices.Sort(gone)
			slices.Sort(came)
			// At most the one group that gains the client changes (none
			// when it lands in a group of its own).
			if changed == 1 {
				joined++
			}
			if changed > 1 {
				t.Errorf("adding %s: %d %s alarms changed, want at most the one that gains it", added, changed, kind)
			}
			if want := append(slices.Clone(gone), string(added)); !slices.Equal(came, slices.Sorted(slices.Values(want))) {
				t.Errorf("adding %s to %s: the changed group held %v and now %v", added, kind, gone, came)
			}
		}
	}
	if joined == 0 {
		t.Error("no addition joined an existing group; the test proves nothing")
	}
}
