package cognitomon_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func TestRisk(t *testing.T) {
	p := cognitomontest.NewPool(testPool)
	at := now.Add(-30 * time.Minute)
	put := func(name, op, level string, v float64) {
		dims := map[string]string{"UserPoolId": string(testPool), "Operation": op}
		if level != "" {
			dims["RiskLevel"] = level
		}
		p.PutMetric(cognitomontest.Datum{Namespace: "AWS/Cognito", Name: name, Dimensions: dims, Time: at, Value: v})
	}
	put("AccountTakeOverRisk", "SignIn", "high", 3) // the 2023 spelling
	put("CompromisedCredentialRisk", "SignIn", "high", 2)
	put("NoRisk", "SignIn", "", 40)
	// Another pool's risk is not this pool's.
	p.PutMetric(cognitomontest.Datum{Namespace: "AWS/Cognito", Name: "Risk", Dimensions: map[string]string{"UserPoolId": "us-east-1_Other1", "Operation": "SignIn"}, Time: at, Value: 9})
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	rs, err := mc.Risk(context.Background(), testPool, cognitomon.Last(time.Hour, now))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Metric, Op, Level string
		Total             float64
	}
	var got []row
	for _, s := range rs.Series {
		got = append(got, row{s.Metric, s.Operation, s.RiskLevel, s.Values.Total()})
	}
	want := []row{{"AccountTakeOverRisk", "SignIn", "high", 3}, {"CompromisedCredentialRisk", "SignIn", "high", 2}, {"NoRisk", "SignIn", "", 40}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("risk series (-want +got):\n%s", diff)
	}
	if _, err := mc.Risk(context.Background(), "bad", cognitomon.Last(time.Hour, now)); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: %v", err)
	}
}
