package cognitomontest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/document"
	"github.com/aws/smithy-go/encoding/cbor"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// wireCmp compares SDK structs: it skips the noSmithyDocumentSerde marker and
// ResultMetadata; time.Time values compare with Equal.
var wireCmp = cmp.Options{cmpopts.IgnoreTypes(document.NoSerde{}, middleware.Metadata{})}

// wireClients are the real SDK clients, pointed at a test server.
type wireClients struct {
	cw   *cloudwatch.Client
	ct   *cloudtrail.Client
	logs *cloudwatchlogs.Client
}

// newWireClients builds the three clients against url. maxAttempts is
// RetryMaxAttempts; when it is 0 they use a standard retryer with three
// attempts and no backoff instead.
func newWireClients(url string, maxAttempts int) *wireClients {
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	var retryer aws.Retryer
	if maxAttempts == 0 {
		retryer = retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 3
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	}
	return &wireClients{
		cw: cloudwatch.New(cloudwatch.Options{
			Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url),
			HTTPClient: awshttp.NewBuildableClient(), RetryMaxAttempts: maxAttempts, Retryer: retryer,
		}),
		ct: cloudtrail.New(cloudtrail.Options{
			Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url),
			HTTPClient: awshttp.NewBuildableClient(), RetryMaxAttempts: maxAttempts, Retryer: retryer,
		}),
		logs: cloudwatchlogs.New(cloudwatchlogs.Options{
			Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(url),
			HTTPClient: awshttp.NewBuildableClient(), RetryMaxAttempts: maxAttempts, Retryer: retryer,
		}),
	}
}

// newWireServer starts a test server running handler, closed when the test
// ends. Each answer waits 2 ms first: with RetryMaxAttempts 1 the SDK
// intermittently fails with "use of closed network connection" against a
// localhost server that answers at once (docs/WIRE.md, "Flakiness"). server.go
// should pause the same way before answering.
func newWireServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		handler(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// wireRoute is what a request for op must carry: the URL path for
// CloudWatch, the X-Amz-Target header for the JSON services.
func wireRoute(p protocol, op string) string {
	switch p {
	case protoCBOR:
		return "/service/GraniteServiceVersion20100801/operation/" + op
	case protoJSONCloudTrail:
		return "CloudTrail_20131101." + op
	}
	return "Logs_20140328." + op
}

// requestRoute reads from r what wireRoute describes.
func requestRoute(p protocol, r *http.Request) string {
	if p == protoCBOR {
		return r.URL.Path
	}
	return r.Header.Get("X-Amz-Target")
}

// wireCall calls one operation of a real client with in, a pointer to its
// input struct, and returns the output pointer.
type wireCall func(ctx context.Context, c *wireClients, in any) (any, error)

// viaCW adapts a CloudWatch client method, e.g. (*cloudwatch.Client).ListMetrics.
func viaCW[In, Out any](m func(*cloudwatch.Client, context.Context, *In, ...func(*cloudwatch.Options)) (*Out, error)) wireCall {
	return func(ctx context.Context, c *wireClients, in any) (any, error) { return m(c.cw, ctx, in.(*In)) }
}

// viaCT adapts a CloudTrail client method.
func viaCT[In, Out any](m func(*cloudtrail.Client, context.Context, *In, ...func(*cloudtrail.Options)) (*Out, error)) wireCall {
	return func(ctx context.Context, c *wireClients, in any) (any, error) { return m(c.ct, ctx, in.(*In)) }
}

// viaLogs adapts a CloudWatch Logs client method.
func viaLogs[In, Out any](m func(*cloudwatchlogs.Client, context.Context, *In, ...func(*cloudwatchlogs.Options)) (*Out, error)) wireCall {
	return func(ctx context.Context, c *wireClients, in any) (any, error) { return m(c.logs, ctx, in.(*In)) }
}

var wireT0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// TestWireRoundTrip sends a fully populated input through each real client,
// checks that decodeRequest rebuilds exactly that input, and that the client
// returns exactly the output writeResponse encoded.
func TestWireRoundTrip(t *testing.T) {
	dims := []cwtypes.Dimension{
		{Name: aws.String("UserPool"), Value: aws.String("us-east-1_AbCdEf123")},
		{Name: aws.String("UserPoolClient"), Value: aws.String("client123")},
	}
	signIns := &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("SignInSuccesses"), Dimensions: dims}
	queries := []cwtypes.MetricDataQuery{
		{
			Id:         aws.String("signin_ok"),
			AccountId:  aws.String("123456789012"),
			Label:      aws.String("OK"),
			MetricStat: &cwtypes.MetricStat{Metric: signIns, Period: aws.Int32(300), Stat: aws.String("Sum"), Unit: cwtypes.StandardUnitCount},
			ReturnData: aws.Bool(false),
		},
		{
			Id:         aws.String("signin_total"),
			MetricStat: &cwtypes.MetricStat{Metric: signIns, Period: aws.Int32(300), Stat: aws.String("SampleCount")},
			ReturnData: aws.Bool(false),
		},
		{Id: aws.String("success_rate"), Expression: aws.String("100*signin_ok/signin_total"), Label: aws.String("SuccessRate"), Period: aws.Int32(300), ReturnData: aws.Bool(true)},
	}
	tags := []cwtypes.Tag{{Key: aws.String("owner"), Value: aws.String("cognitomon")}, {Key: aws.String("env"), Value: aws.String("test")}}
	alarm := cwtypes.MetricAlarm{
		ActionConfiguration:                &cwtypes.ActionConfiguration{AlarmTagsPropagation: &cwtypes.AlarmTagsPropagation{Enabled: aws.Bool(true), IncludedTagKeys: []string{"owner"}}},
		ActionsEnabled:                     aws.Bool(true),
		AlarmActions:                       []string{"arn:aws:sns:us-east-1:123456789012:ops"},
		AlarmArn:                           aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:cognitomon-signin-failures"),
		AlarmConfigurationUpdatedTimestamp: aws.Time(wireT0.Add(-24 * time.Hour)),
		AlarmDescription:                   aws.String("Sign-ins dropped – “quotes” & <brackets>"),
		AlarmName:                          aws.String("cognitomon-signin-failures"),
		ComparisonOperator:                 cwtypes.ComparisonOperatorLessThanThreshold,
		DatapointsToAlarm:                  aws.Int32(2),
		Dimensions:                         dims[:1],
		EvaluateLowSampleCountPercentile:   aws.String("ignore"),
		EvaluationPeriods:                  aws.Int32(3),
		EvaluationState:                    cwtypes.EvaluationStatePartialData,
		InsufficientDataActions:            []string{},
		MetricName:                         aws.String("SignInSuccesses"),
		Namespace:                          aws.String("AWS/Cognito"),
		OKActions:                          []string{"arn:aws:sns:us-east-1:123456789012:ok"},
		Period:                             aws.Int32(300),
		StateReason:                        aws.String("Threshold Crossed"),
		StateReasonData:                    aws.String(`{"version":"1.0","queryDate":"2026-11-27T08:00:00.000+0000"}`),
		StateTransitionedTimestamp:         aws.Time(wireT0.Add(123 * time.Millisecond)),
		StateUpdatedTimestamp:              aws.Time(wireT0.Add(1500 * time.Millisecond)),
		StateValue:                         cwtypes.StateValueAlarm,
		Statistic:                          cwtypes.StatisticSum,
		Threshold:                          aws.Float64(10.25),
		TreatMissingData:                   aws.String("breaching"),
		Unit:                               cwtypes.StandardUnitCount,
		WarmUpConfiguration:                &cwtypes.WarmUpConfiguration{WarmUpPeriodDurationInMinutes: aws.Int32(15), OnlyStartEvaluatingAfterWarmUpPeriodEnds: aws.Bool(true)},
	}
	promAlarm := cwtypes.MetricAlarm{
		AlarmName:          aws.String("cognitomon-promql"),
		EvaluationCriteria: &cwtypes.EvaluationCriteriaMemberPromQLCriteria{Value: cwtypes.AlarmPromQLCriteria{Query: aws.String(`sum(rate(signin_total[5m])) < 1`), PendingPeriod: aws.Int32(60), RecoveryPeriod: aws.Int32(120)}},
		EvaluationWindow:   &cwtypes.EvaluationWindowMemberWallClockWindow{Value: cwtypes.WallClockWindow{Timezone: aws.String("Europe/Berlin")}},
		EvaluationInterval: aws.Int32(60),
		Metrics:            queries,
		ThresholdMetricId:  aws.String("success_rate"),
	}
	filter := logstypes.MetricFilter{
		ApplyOnTransformedLogs:    true,
		CreationTime:              aws.Int64(1795766400123),
		EmitSystemFieldDimensions: []string{"@aws.account", "@aws.region"},
		FieldSelectionCriteria:    aws.String(`$.eventName IN ["SignIn"]`),
		FilterName:                aws.String("cognitomon-auth-failures"),
		FilterPattern:             aws.String(`{ $.eventName = "SignIn" && $.errorCode = "NotAuthorizedException" }`),
		LogGroupName:              aws.String("/aws/cognito/userpool/us-east-1_AbCdEf123"),
		MetricTransformations: []logstypes.MetricTransformation{{
			MetricName:      aws.String("AuthFailures"),
			MetricNamespace: aws.String("Cognitomon"),
			MetricValue:     aws.String("1"),
			DefaultValue:    aws.Float64(0),
			Dimensions:      map[string]string{"UserPool": "$.userPool", "Client": "$.clientId"},
			Unit:            logstypes.StandardUnitCount,
		}},
	}

	tests := []struct {
		name    string
		p       protocol
		op      string
		in, out any
		call    wireCall
	}{
		{
			name: "cloudwatch GetMetricData", p: protoCBOR, op: "GetMetricData",
			in: &cloudwatch.GetMetricDataInput{
				StartTime:         aws.Time(wireT0),
				EndTime:           aws.Time(wireT0.Add(time.Hour)),
				MetricDataQueries: queries,
				LabelOptions:      &cwtypes.LabelOptions{Timezone: aws.String("+0130")},
				MaxDatapoints:     aws.Int32(100800),
				NextToken:         aws.String("page-2-token"),
				ScanBy:            cwtypes.ScanByTimestampAscending,
			},
			out: &cloudwatch.GetMetricDataOutput{
				Messages: []cwtypes.MessageData{{Code: aws.String("MaxMetricsExceeded"), Value: aws.String("Maximum number of allowed metrics exceeded")}},
				MetricDataResults: []cwtypes.MetricDataResult{
					{
						Id: aws.String("success_rate"), Label: aws.String("SuccessRate"), StatusCode: cwtypes.StatusCodePartialData,
						Timestamps: []time.Time{wireT0, wireT0.Add(5 * time.Minute), wireT0.Add(10*time.Minute + 500*time.Millisecond)},
						Values:     []float64{99.5, 100, -0.125},
						Messages:   []cwtypes.MessageData{{Code: aws.String("ArithmeticError"), Value: aws.String("division by zero")}},
					},
					{Id: aws.String("empty"), StatusCode: cwtypes.StatusCodeComplete, Timestamps: []time.Time{}, Values: []float64{}},
				},
				NextToken: aws.String("page-3-token"),
			},
			call: viaCW((*cloudwatch.Client).GetMetricData),
		},
		{
			name: "cloudwatch ListMetrics", p: protoCBOR, op: "ListMetrics",
			in: &cloudwatch.ListMetricsInput{
				Dimensions:            []cwtypes.DimensionFilter{{Name: aws.String("UserPool"), Value: aws.String("us-east-1_AbCdEf123")}, {Name: aws.String("UserPoolClient")}},
				IncludeLinkedAccounts: aws.Bool(true),
				MetricName:            aws.String("SignInSuccesses"),
				Namespace:             aws.String("AWS/Cognito"),
				NextToken:             aws.String("lm-2"),
				OwningAccount:         aws.String("123456789012"),
				RecentlyActive:        cwtypes.RecentlyActivePt3h,
			},
			out: &cloudwatch.ListMetricsOutput{
				Metrics:        []cwtypes.Metric{*signIns, {Namespace: aws.String("AWS/Cognito"), MetricName: aws.String("TokenRefreshSuccesses")}},
				NextToken:      aws.String("lm-3"),
				OwningAccounts: []string{"123456789012", "210987654321"},
			},
			call: viaCW((*cloudwatch.Client).ListMetrics),
		},
		{
			name: "cloudwatch PutMetricAlarm", p: protoCBOR, op: "PutMetricAlarm",
			in: &cloudwatch.PutMetricAlarmInput{
				AlarmName:                        alarm.AlarmName,
				ActionConfiguration:              alarm.ActionConfiguration,
				ActionsEnabled:                   alarm.ActionsEnabled,
				AlarmActions:                     alarm.AlarmActions,
				AlarmDescription:                 alarm.AlarmDescription,
				ComparisonOperator:               alarm.ComparisonOperator,
				DatapointsToAlarm:                alarm.DatapointsToAlarm,
				Dimensions:                       alarm.Dimensions,
				EvaluateLowSampleCountPercentile: alarm.EvaluateLowSampleCountPercentile,
				EvaluationPeriods:                alarm.EvaluationPeriods,
				ExtendedStatistic:                aws.String("p99"),
				InsufficientDataActions:          []string{"arn:aws:sns:us-east-1:123456789012:nodata"},
				MetricName:                       alarm.MetricName,
				Namespace:                        alarm.Namespace,
				OKActions:                        alarm.OKActions,
				Period:                           alarm.Period,
				Statistic:                        alarm.Statistic,
				Tags:                             tags,
				Threshold:                        alarm.Threshold,
				TreatMissingData:                 alarm.TreatMissingData,
				Unit:                             alarm.Unit,
				WarmUpConfiguration:              alarm.WarmUpConfiguration,
			},
			out:  &cloudwatch.PutMetricAlarmOutput{},
			call: viaCW((*cloudwatch.Client).PutMetricAlarm),
		},
		{
			name: "cloudwatch PutMetricAlarm with metric math and unions", p: protoCBOR, op: "PutMetricAlarm",
			in: &cloudwatch.PutMetricAlarmInput{
				AlarmName:          promAlarm.AlarmName,
				EvaluationCriteria: promAlarm.EvaluationCriteria,
				EvaluationInterval: promAlarm.EvaluationInterval,
				EvaluationWindow:   &cwtypes.EvaluationWindowMemberSlidingWindow{},
				Metrics:            promAlarm.Metrics,
				ThresholdMetricId:  promAlarm.ThresholdMetricId,
			},
			out:  &cloudwatch.PutMetricAlarmOutput{},
			call: viaCW((*cloudwatch.Client).PutMetricAlarm),
		},
		{
			name: "cloudwatch DescribeAlarms", p: protoCBOR, op: "DescribeAlarms",
			in: &cloudwatch.DescribeAlarmsInput{
				ActionPrefix:        aws.String("arn:aws:sns:"),
				AlarmNamePrefix:     aws.String("cognitomon-"),
				AlarmNames:          []string{"cognitomon-a", "cognitomon-b"},
				AlarmTypes:          []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm},
				ChildrenOfAlarmName: aws.String("parent"),
				MaxRecords:          aws.Int32(100),
				NextToken:           aws.String("da-2"),
				ParentsOfAlarmName:  aws.String("child"),
				StateValue:          cwtypes.StateValueAlarm,
			},
			out: &cloudwatch.DescribeAlarmsOutput{
				MetricAlarms: []cwtypes.MetricAlarm{alarm, promAlarm},
				CompositeAlarms: []cwtypes.CompositeAlarm{{
					ActionsEnabled:                   aws.Bool(false),
					ActionsSuppressedBy:              cwtypes.ActionsSuppressedByAlarm,
					ActionsSuppressedReason:          aws.String("suppressed"),
					ActionsSuppressor:                aws.String("maintenance"),
					ActionsSuppressorExtensionPeriod: aws.Int32(60),
					ActionsSuppressorWaitPeriod:      aws.Int32(30),
					AlarmArn:                         aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:composite"),
					AlarmName:                        aws.String("composite"),
					AlarmRule:                        aws.String(`ALARM("cognitomon-signin-failures")`),
					StateUpdatedTimestamp:            aws.Time(wireT0),
					StateValue:                       cwtypes.StateValueOk,
				}},
				NextToken: aws.String("da-3"),
			},
			call: viaCW((*cloudwatch.Client).DescribeAlarms),
		},
		{
			name: "cloudwatch DeleteAlarms", p: protoCBOR, op: "DeleteAlarms",
			in:   &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"cognitomon-a", "cognitomon-b"}},
			out:  &cloudwatch.DeleteAlarmsOutput{},
			call: viaCW((*cloudwatch.Client).DeleteAlarms),
		},
		{
			name: "cloudwatch TagResource", p: protoCBOR, op: "TagResource",
			in:   &cloudwatch.TagResourceInput{ResourceARN: alarm.AlarmArn, Tags: tags},
			out:  &cloudwatch.TagResourceOutput{},
			call: viaCW((*cloudwatch.Client).TagResource),
		},
		{
			name: "cloudtrail LookupEvents", p: protoJSONCloudTrail, op: "LookupEvents",
			in: &cloudtrail.LookupEventsInput{
				StartTime:        aws.Time(wireT0),
				EndTime:          aws.Time(wireT0.Add(time.Hour + 250*time.Millisecond)),
				EventCategory:    cttypes.EventCategoryInsight,
				LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("cognito-idp.amazonaws.com")}},
				MaxResults:       aws.Int32(50),
				NextToken:        aws.String("ct-page-2"),
			},
			out: &cloudtrail.LookupEventsOutput{
				Events: []cttypes.Event{
					{
						AccessKeyId:     aws.String("ASIAEXAMPLE"),
						CloudTrailEvent: aws.String(`{"eventVersion":"1.08","eventName":"InitiateAuth","requestParameters":{"authFlow":"USER_PASSWORD_AUTH"},"responseElements":null}`),
						EventId:         aws.String("e1"),
						EventName:       aws.String("InitiateAuth"),
						EventSource:     aws.String("cognito-idp.amazonaws.com"),
						EventTime:       aws.Time(wireT0.Add(62*time.Second + 123*time.Millisecond)),
						ReadOnly:        aws.String("false"),
						Resources:       []cttypes.Resource{{ResourceName: aws.String("us-east-1_AbCdEf123"), ResourceType: aws.String("AWS::Cognito::UserPool")}},
						Username:        aws.String("alice"),
					},
					{EventId: aws.String("e2"), EventName: aws.String("RespondToAuthChallenge"), EventTime: aws.Time(wireT0.Add(100 * time.Second)), CloudTrailEvent: aws.String("{}")},
				},
				NextToken: aws.String("ct-page-3"),
			},
			call: viaCT((*cloudtrail.Client).LookupEvents),
		},
		{
			name: "logs StartQuery", p: protoJSONLogs, op: "StartQuery",
			in: &cloudwatchlogs.StartQueryInput{
				EndTime:             aws.Int64(1795770000),
				QueryString:         aws.String("fields @timestamp, @message | filter eventName = 'SignIn' | stats count(*) by bin(5m)"),
				StartTime:           aws.Int64(1795766400),
				Limit:               aws.Int32(1000),
				LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cognito"},
				LogGroupName:        aws.String("/aws/cognito/userpool/us-east-1_AbCdEf123"),
				LogGroupNames:       []string{"/aws/cognito/userpool/us-east-1_AbCdEf123", "/aws/cognito/other"},
				QueryLanguage:       logstypes.QueryLanguageCwli,
			},
			out:  &cloudwatchlogs.StartQueryOutput{QueryId: aws.String("12ab3456-12ab-123a-789e-1234567890ab")},
			call: viaLogs((*cloudwatchlogs.Client).StartQuery),
		},
		{
			name: "logs GetQueryResults", p: protoJSONLogs, op: "GetQueryResults",
			in: &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("12ab3456-12ab-123a-789e-1234567890ab"), MaxItems: aws.Int32(500), NextToken: aws.String("q-2")},
			out: &cloudwatchlogs.GetQueryResultsOutput{
				EncryptionKey: aws.String("arn:aws:kms:us-east-1:123456789012:key/abc"),
				NextToken:     aws.String("q-3"),
				QueryLanguage: logstypes.QueryLanguageCwli,
				Results: [][]logstypes.ResultField{
					{{Field: aws.String("bin(5m)"), Value: aws.String("2026-11-27 08:00:00.000")}, {Field: aws.String("count(*)"), Value: aws.String("42")}},
					{{Field: aws.String("bin(5m)"), Value: aws.String("2026-11-27 08:05:00.000")}, {Field: aws.String("count(*)"), Value: aws.String("7")}},
				},
				Statistics: &logstypes.QueryStatistics{
					BytesScanned: 345678.5, EstimatedBytesSkipped: 12, EstimatedRecordsSkipped: 3, LogGroupsScanned: 2,
					RecordsMatched: 49, RecordsScanned: 1200, ResultCount: 2,
				},
				Status: logstypes.QueryStatusComplete,
			},
			call: viaLogs((*cloudwatchlogs.Client).GetQueryResults),
		},
		{
			name: "logs StopQuery", p: protoJSONLogs, op: "StopQuery",
			in:   &cloudwatchlogs.StopQueryInput{QueryId: aws.String("12ab3456-12ab-123a-789e-1234567890ab")},
			out:  &cloudwatchlogs.StopQueryOutput{Success: true},
			call: viaLogs((*cloudwatchlogs.Client).StopQuery),
		},
		{
			name: "logs PutMetricFilter", p: protoJSONLogs, op: "PutMetricFilter",
			in: &cloudwatchlogs.PutMetricFilterInput{
				FilterName:                filter.FilterName,
				FilterPattern:             filter.FilterPattern,
				LogGroupName:              filter.LogGroupName,
				MetricTransformations:     filter.MetricTransformations,
				ApplyOnTransformedLogs:    true,
				EmitSystemFieldDimensions: filter.EmitSystemFieldDimensions,
				FieldSelectionCriteria:    filter.FieldSelectionCriteria,
			},
			out:  &cloudwatchlogs.PutMetricFilterOutput{},
			call: viaLogs((*cloudwatchlogs.Client).PutMetricFilter),
		},
		{
			name: "logs DescribeMetricFilters", p: protoJSONLogs, op: "DescribeMetricFilters",
			in: &cloudwatchlogs.DescribeMetricFiltersInput{
				FilterNamePrefix: aws.String("cognitomon-"),
				Limit:            aws.Int32(50),
				LogGroupName:     filter.LogGroupName,
				MetricName:       aws.String("AuthFailures"),
				MetricNamespace:  aws.String("Cognitomon"),
				NextToken:        aws.String("mf-2"),
			},
			out:  &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: []logstypes.MetricFilter{filter, {FilterName: aws.String("bare")}}, NextToken: aws.String("mf-3")},
			call: viaLogs((*cloudwatchlogs.Client).DescribeMetricFilters),
		},
		{
			name: "logs DeleteMetricFilter", p: protoJSONLogs, op: "DeleteMetricFilter",
			in:   &cloudwatchlogs.DeleteMetricFilterInput{FilterName: filter.FilterName, LogGroupName: filter.LogGroupName},
			out:  &cloudwatchlogs.DeleteMetricFilterOutput{},
			call: viaLogs((*cloudwatchlogs.Client).DeleteMetricFilter),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			decoded := make(chan any, 1)
			srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
				if got, want := requestRoute(tc.p, r), wireRoute(tc.p, tc.op); got != want {
					t.Errorf("request route = %q, want %q", got, want)
				}
				body, err := io.ReadAll(r.Body)
				if err != nil {
					t.Errorf("read body: %v", err)
				}
				in := reflect.New(reflect.TypeOf(tc.in).Elem()).Interface()
				if err := decodeRequest(tc.p, body, in); err != nil {
					t.Errorf("decodeRequest: %v", err)
				}
				decoded <- in
				writeResponse(w, tc.p, tc.out)
			})
			got, err := tc.call(context.Background(), newWireClients(srv.URL, 1), tc.in)
			if err != nil {
				t.Fatalf("client call: %v", err)
			}
			if diff := cmp.Diff(tc.in, <-decoded, wireCmp); diff != "" {
				t.Errorf("decoded request mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.out, got, wireCmp); diff != "" {
				t.Errorf("client output mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWireErrors checks what each client makes of the errors writeError
// sends: the smithy.APIError code, message and fault, and the typed error.
func TestWireErrors(t *testing.T) {
	malformed := &logstypes.MalformedQueryException{
		Message: aws.String("unexpected symbol"),
		QueryCompileError: &logstypes.QueryCompileError{
			Location: &logstypes.QueryCompileErrorLocation{StartCharOffset: aws.Int32(7), EndCharOffset: aws.Int32(12)},
			Message:  aws.String("mismatched input 'fliter'"),
		},
	}
	minimalGMD := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(wireT0), EndTime: aws.Time(wireT0.Add(time.Hour)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("m"), Expression: aws.String("1")}},
	}
	tests := []struct {
		name string
		p    protocol
		call wireCall
		in   any
		err  error // returned by the fake
		// want is what errors.As into want's type must find.
		want      error
		wantCode  string
		wantFault smithy.ErrorFault
	}{
		{
			name: "cloudwatch Throttling", p: protoCBOR, call: viaCW((*cloudwatch.Client).GetMetricData), in: minimalGMD,
			err:      &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient},
			want:     &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient},
			wantCode: "Throttling", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch Throttling without fault", p: protoCBOR, call: viaCW((*cloudwatch.Client).GetMetricData), in: minimalGMD,
			err:      fmt.Errorf("fake: %w", &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}),
			want:     &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient},
			wantCode: "Throttling", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch LimitExceededFault typed", p: protoCBOR, call: viaCW((*cloudwatch.Client).PutMetricAlarm), in: &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a")},
			err:      &cwtypes.LimitExceededFault{Message: aws.String("The maximum number of alarms has been reached")},
			want:     &cwtypes.LimitExceededFault{Message: aws.String("The maximum number of alarms has been reached"), ErrorCodeOverride: aws.String("LimitExceeded")},
			wantCode: "LimitExceeded", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch LimitExceeded query code", p: protoCBOR, call: viaCW((*cloudwatch.Client).PutMetricAlarm), in: &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a")},
			err:      &smithy.GenericAPIError{Code: "LimitExceeded", Message: "too many"},
			want:     &cwtypes.LimitExceededFault{Message: aws.String("too many"), ErrorCodeOverride: aws.String("LimitExceeded")},
			wantCode: "LimitExceeded", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch shape name in GenericAPIError", p: protoCBOR, call: viaCW((*cloudwatch.Client).DescribeAlarms), in: &cloudwatch.DescribeAlarmsInput{},
			err:      &smithy.GenericAPIError{Code: "InvalidNextToken", Message: "bad token"},
			want:     &cwtypes.InvalidNextToken{Message: aws.String("bad token"), ErrorCodeOverride: aws.String("InvalidNextToken")},
			wantCode: "InvalidNextToken", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch ResourceNotFound", p: protoCBOR, call: viaCW((*cloudwatch.Client).DeleteAlarms), in: &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"x"}},
			err:      &smithy.GenericAPIError{Code: "ResourceNotFound", Message: "no such alarm"},
			want:     &cwtypes.ResourceNotFound{Message: aws.String("no such alarm"), ErrorCodeOverride: aws.String("ResourceNotFound")},
			wantCode: "ResourceNotFound", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudwatch plain error", p: protoCBOR, call: viaCW((*cloudwatch.Client).ListMetrics), in: &cloudwatch.ListMetricsInput{},
			err:      errors.New("boom"),
			want:     &cwtypes.InternalServiceFault{Message: aws.String("boom"), ErrorCodeOverride: aws.String("InternalServiceError")},
			wantCode: "InternalServiceError", wantFault: smithy.FaultServer,
		},
		{
			name: "cloudtrail ThrottlingException", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents), in: &cloudtrail.LookupEventsInput{},
			err:      &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"},
			want:     &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"},
			wantCode: "ThrottlingException",
		},
		{
			// LookupEvents' deserializer has no case for ThrottlingException,
			// so even the typed error arrives as a GenericAPIError.
			name: "cloudtrail ThrottlingException typed", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents), in: &cloudtrail.LookupEventsInput{},
			err:      &cttypes.ThrottlingException{Message: aws.String("Rate exceeded")},
			want:     &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"},
			wantCode: "ThrottlingException",
		},
		{
			name: "cloudtrail InvalidLookupAttributesException", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents), in: &cloudtrail.LookupEventsInput{},
			err:      &cttypes.InvalidLookupAttributesException{Message: aws.String("bad attribute")},
			want:     &cttypes.InvalidLookupAttributesException{Message: aws.String("bad attribute")},
			wantCode: "InvalidLookupAttributesException", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudtrail InvalidLookupAttributesException by code", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents), in: &cloudtrail.LookupEventsInput{},
			err:      &smithy.GenericAPIError{Code: "InvalidLookupAttributesException", Message: "bad attribute"},
			want:     &cttypes.InvalidLookupAttributesException{Message: aws.String("bad attribute")},
			wantCode: "InvalidLookupAttributesException", wantFault: smithy.FaultClient,
		},
		{
			name: "cloudtrail plain error", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents), in: &cloudtrail.LookupEventsInput{},
			err:      errors.New("boom"),
			want:     &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"},
			wantCode: "InternalFailure",
		},
		{
			name: "logs MalformedQueryException", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).StartQuery),
			in:  &cloudwatchlogs.StartQueryInput{QueryString: aws.String("fliter x"), StartTime: aws.Int64(1), EndTime: aws.Int64(2)},
			err: malformed, want: malformed, wantCode: "MalformedQueryException", wantFault: smithy.FaultClient,
		},
		{
			name: "logs LimitExceededException", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).StartQuery),
			in:       &cloudwatchlogs.StartQueryInput{QueryString: aws.String("q"), StartTime: aws.Int64(1), EndTime: aws.Int64(2)},
			err:      &logstypes.LimitExceededException{Message: aws.String("Account maximum query concurrency limit of [30] reached.")},
			want:     &logstypes.LimitExceededException{Message: aws.String("Account maximum query concurrency limit of [30] reached.")},
			wantCode: "LimitExceededException", wantFault: smithy.FaultClient,
		},
		{
			name: "logs ThrottlingException by code", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).GetQueryResults), in: &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("q")},
			err:      &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"},
			want:     &logstypes.ThrottlingException{Message: aws.String("Rate exceeded")},
			wantCode: "ThrottlingException", wantFault: smithy.FaultClient,
		},
		{
			name: "logs ResourceNotFoundException", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).DeleteMetricFilter),
			in:       &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String("f"), LogGroupName: aws.String("g")},
			err:      &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."},
			want:     &logstypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")},
			wantCode: "ResourceNotFoundException", wantFault: smithy.FaultClient,
		},
		{
			name: "logs plain error", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).StopQuery), in: &cloudwatchlogs.StopQueryInput{QueryId: aws.String("q")},
			err:      errors.New("boom"),
			want:     &smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"},
			wantCode: "InternalFailure",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) { writeError(w, tc.p, tc.err) })
			_, err := tc.call(context.Background(), newWireClients(srv.URL, 1), tc.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
			}
			if ae.ErrorCode() != tc.wantCode || ae.ErrorFault() != tc.wantFault {
				t.Errorf("ErrorCode, ErrorFault = %q, %v; want %q, %v", ae.ErrorCode(), ae.ErrorFault(), tc.wantCode, tc.wantFault)
			}
			target := reflect.New(reflect.TypeOf(tc.want))
			if !errors.As(err, target.Interface()) {
				t.Fatalf("errors.As(%T) = false for %v (%T)", tc.want, err, ae)
			}
			if diff := cmp.Diff(tc.want, target.Elem().Interface(), wireCmp); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWireErrorResponse pins the status, headers and body writeError sends.
func TestWireErrorResponse(t *testing.T) {
	tests := []struct {
		name       string
		p          protocol
		err        error
		wantStatus int
		wantQuery  string // X-Amzn-Query-Error; CloudWatch only
		wantBody   map[string]any
	}{
		{
			name: "cloudwatch generic client fault", p: protoCBOR,
			err:        &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient},
			wantStatus: 400, wantQuery: "Throttling;Sender",
			wantBody: map[string]any{"__type": "Throttling", "message": "Rate exceeded"},
		},
		{
			name: "cloudwatch generic server fault", p: protoCBOR,
			err:        &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "down", Fault: smithy.FaultServer},
			wantStatus: 500, wantQuery: "ServiceUnavailable;Receiver",
			wantBody: map[string]any{"__type": "ServiceUnavailable", "message": "down"},
		},
		{
			name: "cloudwatch typed", p: protoCBOR,
			err:        &cwtypes.LimitExceededFault{Message: aws.String("limit")},
			wantStatus: 400, wantQuery: "LimitExceeded;Sender",
			wantBody: map[string]any{"__type": "com.amazonaws.cloudwatch#LimitExceededFault", "message": "limit"},
		},
		{
			name: "cloudwatch modeled httpError status", p: protoCBOR,
			err:        &smithy.GenericAPIError{Code: "ConcurrentModificationException", Message: "busy"},
			wantStatus: 429, wantQuery: "ConcurrentModificationException;Sender",
			wantBody: map[string]any{"__type": "com.amazonaws.cloudwatch#ConcurrentModificationException", "Message": "busy", "message": "busy"},
		},
		{
			name: "cloudwatch plain error", p: protoCBOR,
			err:        errors.New("boom"),
			wantStatus: 500, wantQuery: "InternalServiceError;Receiver",
			wantBody: map[string]any{"__type": "com.amazonaws.cloudwatch#InternalServiceFault", "Message": "boom", "message": "boom"},
		},
		{
			name: "cloudtrail typed", p: protoJSONCloudTrail,
			err:        &cttypes.InvalidLookupAttributesException{Message: aws.String("bad attribute")},
			wantStatus: 400,
			wantBody:   map[string]any{"__type": "InvalidLookupAttributesException", "Message": "bad attribute", "message": "bad attribute"},
		},
		{
			name: "cloudtrail plain error", p: protoJSONCloudTrail,
			err:        errors.New("boom"),
			wantStatus: 500,
			wantBody:   map[string]any{"__type": "InternalFailure", "message": "boom"},
		},
		{
			name: "logs typed with nested members", p: protoJSONLogs,
			err: &logstypes.MalformedQueryException{Message: aws.String("unexpected symbol"), QueryCompileError: &logstypes.QueryCompileError{
				Location: &logstypes.QueryCompileErrorLocation{StartCharOffset: aws.Int32(7), EndCharOffset: aws.Int32(12)},
			}},
			wantStatus: 400,
			wantBody: map[string]any{"__type": "MalformedQueryException", "message": "unexpected symbol", "queryCompileError": map[string]any{
				"location": map[string]any{"startCharOffset": json.Number("7"), "endCharOffset": json.Number("12")},
			}},
		},
		{
			name: "logs modeled server fault", p: protoJSONLogs,
			err:        &smithy.GenericAPIError{Code: "ServiceUnavailableException", Message: "down"},
			wantStatus: 500,
			wantBody:   map[string]any{"__type": "ServiceUnavailableException", "message": "down"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeError(rec, tc.p, tc.err)
			res := rec.Result()
			if res.StatusCode != tc.wantStatus {
				t.Errorf("status = %d, want %d", res.StatusCode, tc.wantStatus)
			}
			if got := res.Header.Get("X-Amzn-Query-Error"); got != tc.wantQuery {
				t.Errorf("X-Amzn-Query-Error = %q, want %q", got, tc.wantQuery)
			}
			wantType, wantProto := "application/x-amz-json-1.1", ""
			if tc.p == protoCBOR {
				wantType, wantProto = "application/cbor", "rpc-v2-cbor"
			}
			if got := res.Header.Get("Content-Type"); got != wantType {
				t.Errorf("Content-Type = %q, want %q", got, wantType)
			}
			if got := res.Header.Get("Smithy-Protocol"); got != wantProto {
				t.Errorf("Smithy-Protocol = %q, want %q", got, wantProto)
			}
			var body any
			if tc.p == protoCBOR {
				v, err := cbor.Decode(rec.Body.Bytes())
				if err == nil {
					body, err = fromCBOR(v)
				}
				if err != nil {
					t.Fatalf("decode CBOR body: %v", err)
				}
			} else {
				dec := json.NewDecoder(rec.Body)
				dec.UseNumber()
				if err := dec.Decode(&body); err != nil {
					t.Fatalf("decode JSON body: %v", err)
				}
			}
			if diff := cmp.Diff(tc.wantBody, body); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWireRetries checks that the default retry rules see the errors the way
// WIRE.md recorded them from the real services: CloudWatch Throttling and
// server faults and Logs LimitExceededException are retried, CloudWatch
// LimitExceededFault is not.
func TestWireRetries(t *testing.T) {
	tests := []struct {
		name         string
		p            protocol
		call         wireCall
		in, out      any
		errs         []error // answers before success; once used up the handler succeeds
		wantAttempts int32
		wantErr      bool
	}{
		{
			name: "cloudwatch Throttling then success", p: protoCBOR, call: viaCW((*cloudwatch.Client).DescribeAlarms),
			in: &cloudwatch.DescribeAlarmsInput{}, out: &cloudwatch.DescribeAlarmsOutput{NextToken: aws.String("t")},
			errs:         []error{&smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded", Fault: smithy.FaultClient}},
			wantAttempts: 2,
		},
		{
			name: "cloudwatch LimitExceededFault not retried", p: protoCBOR, call: viaCW((*cloudwatch.Client).PutMetricAlarm),
			in: &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("a")}, out: &cloudwatch.PutMetricAlarmOutput{},
			errs:         []error{&cwtypes.LimitExceededFault{}, &cwtypes.LimitExceededFault{}, &cwtypes.LimitExceededFault{}},
			wantAttempts: 1, wantErr: true,
		},
		{
			name: "cloudwatch internal error retried", p: protoCBOR, call: viaCW((*cloudwatch.Client).ListMetrics),
			in: &cloudwatch.ListMetricsInput{}, out: &cloudwatch.ListMetricsOutput{},
			errs:         []error{errors.New("boom"), errors.New("boom"), errors.New("boom")},
			wantAttempts: 3, wantErr: true,
		},
		{
			name: "logs LimitExceededException retried", p: protoJSONLogs, call: viaLogs((*cloudwatchlogs.Client).StartQuery),
			in:           &cloudwatchlogs.StartQueryInput{QueryString: aws.String("q"), StartTime: aws.Int64(1), EndTime: aws.Int64(2)},
			out:          &cloudwatchlogs.StartQueryOutput{QueryId: aws.String("q1")},
			errs:         []error{&logstypes.LimitExceededException{}, &logstypes.LimitExceededException{}},
			wantAttempts: 3,
		},
		{
			name: "cloudtrail ThrottlingException retried", p: protoJSONCloudTrail, call: viaCT((*cloudtrail.Client).LookupEvents),
			in: &cloudtrail.LookupEventsInput{}, out: &cloudtrail.LookupEventsOutput{},
			errs:         []error{&smithy.GenericAPIError{Code: "ThrottlingException"}},
			wantAttempts: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int32
			srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
				if n := int(attempts.Add(1)); n <= len(tc.errs) {
					writeError(w, tc.p, tc.errs[n-1])
					return
				}
				writeResponse(w, tc.p, tc.out)
			})
			got, err := tc.call(context.Background(), newWireClients(srv.URL, 0), tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v, want error: %v", err, tc.wantErr)
			}
			if n := attempts.Load(); n != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", n, tc.wantAttempts)
			}
			if err == nil {
				if diff := cmp.Diff(tc.out, got, wireCmp); diff != "" {
					t.Errorf("output mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// mustHex decodes a hex string or fails the test.
func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeRequestBodies covers bodies the client tests do not produce:
// recorded indefinite-length CBOR, integer timestamps, unknown members, empty
// bodies, and the errors for bodies that do not fit.
func TestDecodeRequestBodies(t *testing.T) {
	tests := []struct {
		name    string
		p       protocol
		body    []byte
		into    any
		want    any
		wantErr string // substring of the error; "" for success
	}{
		{
			name: "recorded indefinite-length DeleteAlarms", p: protoCBOR,
			body: mustHex(t, "bf6a416c61726d4e616d65739f6c636f676e69746f6d6f6e2d616c636f676e69746f6d6f6e2d62ffff"),
			into: &cloudwatch.DeleteAlarmsInput{},
			want: &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"cognitomon-a", "cognitomon-b"}},
		},
		{
			name: "empty CBOR map", p: protoCBOR, body: mustHex(t, "bfff"),
			into: &cloudwatch.DescribeAlarmsInput{}, want: &cloudwatch.DescribeAlarmsInput{},
		},
		{
			name: "empty body", p: protoJSONLogs, body: nil,
			into: &cloudwatchlogs.StopQueryInput{}, want: &cloudwatchlogs.StopQueryInput{},
		},
		{
			name: "integer timestamp, unknown member, null", p: protoCBOR,
			body: cbor.Encode(cbor.Map{
				"StartTime": &cbor.Tag{ID: 1, Value: cbor.Uint(1795766400)},
				"EndTime":   &cbor.Tag{ID: 1, Value: cbor.Float64(1795770000.5)},
				"NextToken": &cbor.Nil{},
				"Future":    cbor.List{cbor.Uint(1)},
			}),
			into: &cloudwatch.GetMetricDataInput{},
			want: &cloudwatch.GetMetricDataInput{StartTime: aws.Time(wireT0), EndTime: aws.Time(wireT0.Add(time.Hour + 500*time.Millisecond))},
		},
		{
			name: "JSON epoch float and unknown member", p: protoJSONCloudTrail,
			body: []byte(`{"StartTime":1.7957664E9,"MaxResults":5,"Surprise":{"a":[1,2]}}`),
			into: &cloudtrail.LookupEventsInput{},
			want: &cloudtrail.LookupEventsInput{StartTime: aws.Time(wireT0), MaxResults: aws.Int32(5)},
		},
		{
			name: "wrong JSON type", p: protoJSONLogs, body: []byte(`{"limit":"ten"}`),
			into: &cloudwatchlogs.StartQueryInput{}, wantErr: "limit: cannot decode string",
		},
		{
			name: "int32 overflow", p: protoJSONLogs, body: []byte(`{"limit":4294967296}`),
			into: &cloudwatchlogs.StartQueryInput{}, wantErr: "overflows int32",
		},
		{
			name: "unknown union member", p: protoCBOR,
			body: cbor.Encode(cbor.Map{"EvaluationWindow": cbor.Map{"LunarWindow": cbor.Map{}}}),
			into: &cloudwatch.PutMetricAlarmInput{}, wantErr: `EvaluationWindow: unsupported member "LunarWindow"`,
		},
		{
			name: "malformed JSON", p: protoJSONLogs, body: []byte(`{"queryId":`),
			into: &cloudwatchlogs.StopQueryInput{}, wantErr: "decode request",
		},
		{
			name: "not a pointer", p: protoJSONLogs, body: []byte(`{}`),
			into: cloudwatchlogs.StopQueryInput{}, wantErr: "want a non-nil pointer",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := decodeRequest(tc.p, tc.body, tc.into)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("decodeRequest error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("decodeRequest: %v", err)
			}
			if diff := cmp.Diff(tc.want, tc.into, wireCmp); diff != "" {
				t.Errorf("decoded mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWireFieldsMatchSchemas checks, for every struct reachable from the
// faked operations, that each Go field maps to exactly one schema member and
// each member to a field, so no member is silently dropped.
func TestWireFieldsMatchSchemas(t *testing.T) {
	roots := []any{
		cloudwatch.GetMetricDataInput{}, cloudwatch.GetMetricDataOutput{},
		cloudwatch.ListMetricsInput{}, cloudwatch.ListMetricsOutput{},
		cloudwatch.PutMetricAlarmInput{}, cloudwatch.PutMetricAlarmOutput{},
		cloudwatch.DescribeAlarmsInput{}, cloudwatch.DescribeAlarmsOutput{},
		cloudwatch.DeleteAlarmsInput{}, cloudwatch.DeleteAlarmsOutput{},
		cloudwatch.TagResourceInput{}, cloudwatch.TagResourceOutput{},
		cloudwatchlogs.StartQueryInput{}, cloudwatchlogs.StartQueryOutput{},
		cloudwatchlogs.GetQueryResultsInput{}, cloudwatchlogs.GetQueryResultsOutput{},
		cloudwatchlogs.StopQueryInput{}, cloudwatchlogs.StopQueryOutput{},
		cloudwatchlogs.PutMetricFilterInput{}, cloudwatchlogs.PutMetricFilterOutput{},
		cloudwatchlogs.DescribeMetricFiltersInput{}, cloudwatchlogs.DescribeMetricFiltersOutput{},
		cloudwatchlogs.DeleteMetricFilterInput{}, cloudwatchlogs.DeleteMetricFilterOutput{},
	}
	for _, reg := range []*smithy.TypeRegistry{cloudwatch.TypeRegistry, cloudwatchlogs.TypeRegistry} {
		for _, e := range reg.Entries {
			roots = append(roots, reflect.ValueOf(e.New()).Elem().Interface())
		}
	}
	seen := map[reflect.Type]bool{}
	var visit func(reflect.Type)
	visit = func(rt reflect.Type) {
		switch rt.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			visit(rt.Elem())
			return
		case reflect.Interface:
			for _, vt := range wireUnionVariants {
				if reflect.PointerTo(vt).Implements(rt) {
					visit(vt.Field(0).Type) // the variant's Value
				}
			}
			return
		case reflect.Struct:
		default:
			return
		}
		if rt == timeType || seen[rt] {
			return
		}
		seen[rt] = true
		schema, ok := shapeSchema(rt)
		if !ok {
			t.Errorf("%s: no schema", rt)
			return
		}
		mapped := map[string]bool{}
		byField := map[int]bool{}
		for _, f := range wireFields(rt) {
			mapped[f.name], byField[f.index] = true, true
			visit(rt.Field(f.index).Type)
		}
		if schema != nil { // nil for unit outputs
			for name := range schema.Members() {
				if !mapped[name] {
					t.Errorf("%s: member %q has no field", rt, name)
				}
			}
		}
		for i := range rt.NumField() {
			if f := rt.Field(i); f.IsExported() && f.Name != "ResultMetadata" && f.Name != "ErrorCodeOverride" && !byField[i] {
				t.Errorf("%s: field %s has no member", rt, f.Name)
			}
		}
	}
	for _, r := range roots {
		visit(reflect.TypeOf(r))
	}
	if len(seen) < 50 {
		t.Errorf("visited only %d struct types", len(seen))
	}
}

// TestWireCodecKinds round-trips, through writeResponse and decodeRequest,
// value kinds the faked operations do not use: blobs, negative and large
// integers, non-finite floats, maps of structs, nil list elements.
func TestWireCodecKinds(t *testing.T) {
	type inner struct {
		N *int64
	}
	type kinds struct {
		Blob    []byte
		Empty   []byte
		Neg     int32
		Big     *int64
		Floats  []float64
		Small   float32
		ByName  map[string]inner
		Ptrs    []*string
		When    time.Time
		Skipped string
		hidden  int
	}
	want := &kinds{
		Blob:   []byte{0, 1, 2, 0xff},
		Empty:  []byte{},
		Neg:    -5,
		Big:    aws.Int64(-1 << 62),
		Floats: []float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.5},
		Small:  0.1,
		ByName: map[string]inner{"a": {N: aws.Int64(1)}, "b": {}},
		Ptrs:   []*string{aws.String("x"), nil},
		When:   wireT0.Add(999 * time.Millisecond),
	}
	for _, p := range []protocol{protoCBOR, protoJSONCloudTrail, protoJSONLogs} {
		rec := httptest.NewRecorder()
		writeResponse(rec, p, want)
		if rec.Code != http.StatusOK {
			t.Fatalf("protocol %d: status %d: %s", p, rec.Code, rec.Body)
		}
		got := &kinds{hidden: 7}
		if err := decodeRequest(p, rec.Body.Bytes(), got); err != nil {
			t.Fatalf("protocol %d: decodeRequest: %v", p, err)
		}
		got.hidden = 0
		if diff := cmp.Diff(want, got, cmpopts.EquateNaNs(), cmp.AllowUnexported(kinds{})); diff != "" {
			t.Errorf("protocol %d: round trip mismatch (-want +got):\n%s", p, diff)
		}
	}
}
