package cognitomon_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go/document"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
)

func TestFlowMath(t *testing.T) {
	qs, err := cognitomon.FlowMath(cognitomon.MathInput{UserPool: testPool, Flow: cognitomon.SignIn, Clients: []cognitomon.ClientID{"web", cognitomon.InvalidClient}})
	if err != nil {
		t.Fatal(err)
	}
	stat := func(id, metric, stat, client string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Cognito"), MetricName: aws.String(metric), Dimensions: []cwtypes.Dimension{
				{Name: aws.String("UserPool"), Value: aws.String(string(testPool))},
				{Name: aws.String("UserPoolClient"), Value: aws.String(client)},
			}},
			Period: aws.Int32(300), Stat: aws.String(stat),
		}}
	}
	expr := func(id, e string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e), Label: aws.String("SignIn " + id), ReturnData: aws.Bool(true)}
	}
	want := []cwtypes.MetricDataQuery{
		stat("n0", "SignInSuccesses", "SampleCount", "web"), stat("s0", "SignInSuccesses", "Sum", "web"), stat("t0", "SignInThrottles", "Sum", "web"),
		stat("n1", "SignInSuccesses", "SampleCount", "Invalid"), stat("s1", "SignInSuccesses", "Sum", "Invalid"), stat("t1", "SignInThrottles", "Sum", "Invalid"),
		expr("attempts", "SUM([n0, n1])"), expr("successes", "SUM([s0, s1])"), expr("failures", "attempts - successes"),
		expr("throttles", "SUM([t0, t1])"), expr("failure_rate", "100 * failures / attempts"),
	}
	if diff := cmp.Diff(want, qs, cmpopts.IgnoreTypes(document.NoSerde{})); diff != "" {
		t.Errorf("FlowMath (-want +got):\n%s", diff)
	}
	bad := []cognitomon.MathInput{
		{UserPool: "x", Flow: cognitomon.SignIn, Clients: []cognitomon.ClientID{"web"}},
		{UserPool: testPool, Flow: 0, Clients: []cognitomon.ClientID{"web"}},
		{UserPool: testPool, Flow: cognitomon.SignIn},
		{UserPool: testPool, Flow: cognitomon.SignIn, Clients: []cognitomon.ClientID{"a'b"}},
		{UserPool: testPool, Flow: cognitomon.Federation, Clients: []cognitomon.ClientID{"web"}},
		{UserPool: testPool, Flow: cognitomon.SignIn, Clients: []cognitomon.ClientID{"web"}, Period: 30 * time.Second},
	}
	for _, in := range bad {
		if _, err := cognitomon.FlowMath(in); err == nil {
			t.Errorf("FlowMath(%+v): no error", in)
		}
	}
}
