package cognitomontest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// mxStart is the first minute of the math tests' range.
var mxStart = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// mxFake returns a CloudWatch fake with two raw series in namespace "Test":
// a = 1, 2, 3 at minutes 0, 1, 2 and b = 4, 0, 5 at minutes 1, 2, 4 (b's 0 is
// a real datapoint), so that they share only minutes 1 and 2.
func mxFake() *cognitomontest.CloudWatch {
	p := cognitomontest.NewPool("us-east-1_MathPool")
	put := func(name string, minute int, v float64) {
		p.PutMetric(cognitomontest.Datum{Namespace: "Test", Name: name, Dimensions: map[string]string{"K": "v"}, Time: mxStart.Add(time.Duration(minute) * time.Minute), Value: v})
	}
	put("a", 0, 1)
	put("a", 1, 2)
	put("a", 2, 3)
	put("b", 1, 4)
	put("b", 2, 0)
	put("b", 4, 5)
	return cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, func(o *cognitomontest.CloudWatchOptions) {
		o.Now = func() time.Time { return mxStart.Add(time.Hour) }
	})
}

func mxStat(id, name string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
		Metric: &cwtypes.Metric{Namespace: aws.String("Test"), MetricName: aws.String(name), Dimensions: []cwtypes.Dimension{{Name: aws.String("K"), Value: aws.String("v")}}},
		Period: aws.Int32(60), Stat: aws.String("Sum"),
	}}
}

func mxExpr(id, e string) cwtypes.MetricDataQuery {
	return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e)}
}

// mxRun evaluates expressions over a and b for the six minutes from mxStart
// and returns each returned series as minute -> value.
func mxRun(t *testing.T, cw *cognitomontest.CloudWatch, exprs ...cwtypes.MetricDataQuery) (map[string]map[int]float64, error) {
	t.Helper()
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(mxStart), EndTime: aws.Time(mxStart.Add(6 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: append([]cwtypes.MetricDataQuery{mxStat("a", "a"), mxStat("b", "b")}, exprs...),
	}
	out, err := cw.GetMetricData(context.Background(), in)
	if err != nil {
		return nil, err
	}
	got := map[string]map[int]float64{}
	for _, r := range out.MetricDataResults {
		m := map[int]float64{}
		for i, ts := range r.Timestamps {
			if i > 0 && !ts.After(r.Timestamps[i-1]) {
				t.Errorf("%s: timestamps not ascending", *r.Id)
			}
			m[int(ts.Sub(mxStart)/time.Minute)] = r.Values[i]
		}
		got[*r.Id] = m
	}
	return got, nil
}

func TestMathExpressions(t *testing.T) {
	tests := []struct {
		expr string
		want map[int]float64
	}{
		// Arithmetic at the union of timestamps, a missing value as 0.
		{"a + b", map[int]float64{0: 1, 1: 6, 2: 3, 4: 5}},
		{"a - b", map[int]float64{0: 1, 1: -2, 2: 3, 4: -5}},
		{"a * 2", map[int]float64{0: 2, 1: 4, 2: 6}},
		{"2 * a + 1", map[int]float64{0: 3, 1: 5, 2: 7}},
		{"2 * (a + 1)", map[int]float64{0: 4, 1: 6, 2: 8}},
		{"-a", map[int]float64{0: -1, 1: -2, 2: -3}},
		{"a - -1", map[int]float64{0: 2, 1: 3, 2: 4}},
		{"1.5e1 - a", map[int]float64{0: 14, 1: 13, 2: 12}},
		// Division by zero (or by a missing value) drops the datapoint.
		{"a / b", map[int]float64{1: 0.5, 4: 0}},
		{"100 * (a - b) / a", map[int]float64{0: 100, 1: -100, 2: 100}},
		// Comparisons give 1 or 0.
		{"a > 1", map[int]float64{0: 0, 1: 1, 2: 1}},
		{"a >= 2", map[int]float64{0: 0, 1: 1, 2: 1}},
		{"a < 2", map[int]float64{0: 1, 1: 0, 2: 0}},
		{"a <= 2", map[int]float64{0: 1, 1: 1, 2: 0}},
		{"a == 2", map[int]float64{0: 0, 1: 1, 2: 0}},
		{"a != 2", map[int]float64{0: 1, 1: 0, 2: 1}},
		{"b > a", map[int]float64{0: 0, 1: 1, 2: 0, 4: 1}},
		{"a + 1 > 2", map[int]float64{0: 0, 1: 1, 2: 1}},
		// IF: no datapoint where the condition is false and no falseValue,
		// or where the chosen series has none.
		{"IF(a >= 2, a, 0)", map[int]float64{0: 0, 1: 2, 2: 3}},
		{"IF(a >= 2, a)", map[int]float64{1: 2, 2: 3}},
		{"IF(a >= 1, b, -1)", map[int]float64{1: 4, 2: 0, 4: -1}},
		{"IF(b, 10, 20)", map[int]float64{1: 10, 2: 20, 4: 10}},
		{"IF(a > 100, 1)", map[int]float64{}},
		// FILL over the period grid of [start, end).
		{"FILL(b, 7)", map[int]float64{0: 7, 1: 4, 2: 0, 3: 7, 4: 5, 5: 7}},
		{"FILL(b, REPEAT)", map[int]float64{1: 4, 2: 0, 3: 0, 4: 5, 5: 5}},
		{"FILL(b, LINEAR)", map[int]float64{1: 4, 2: 0, 3: 2.5, 4: 5}},
		{"FILL(a, b)", map[int]float64{0: 1, 1: 2, 2: 3, 4: 5}},
		// SUM across a list.
		{"SUM([a, b])", map[int]float64{0: 1, 1: 6, 2: 3, 4: 5}},
		{"SUM([a])", map[int]float64{0: 1, 1: 2, 2: 3}},
		{"SUM([a, b, a])", map[int]float64{0: 2, 1: 8, 2: 6, 4: 5}},
	}
	cw := mxFake()
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := mxRun(t, cw, mxExpr("e", tt.expr))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(map[string]map[int]float64{"e": tt.want}, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.expr, diff)
			}
		})
	}
}

// The failure-rate alarm's own math, with an expression that refers to one
// defined after it.
func TestMathExpressionsInDependencyOrder(t *testing.T) {
	cw := mxFake()
	hidden := func(q cwtypes.MetricDataQuery) cwtypes.MetricDataQuery { q.ReturnData = aws.Bool(false); return q }
	got, err := mxRun(t, cw,
		mxExpr("guarded", "IF(attempts >= 4, rate, 0)"),
		hidden(mxExpr("rate", "100 * failures / attempts")),
		hidden(mxExpr("failures", "attempts - a")),
		hidden(mxExpr("attempts", "SUM([a, b])")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// attempts 1, 6, 3, 5; failures 0, 4, 0, 5.
	want := map[string]map[int]float64{"guarded": {0: 0, 1: 100 * 4.0 / 6, 2: 0, 4: 100}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMathExpressionErrors(t *testing.T) {
	tests := []struct {
		name  string
		exprs []cwtypes.MetricDataQuery
		want  string // in the message
	}{
		{"search", []cwtypes.MetricDataQuery{mxExpr("e", `SEARCH('{AWS/Cognito,UserPool} SignInSuccesses', 'Sum')`)}, "query e"},
		{"metrics", []cwtypes.MetricDataQuery{mxExpr("e", "SUM(METRICS())")}, "query e"},
		{"unknown function", []cwtypes.MetricDataQuery{mxExpr("e", "AVG([a, b])")}, "AVG"},
		{"unknown query", []cwtypes.MetricDataQuery{mxExpr("e", "a + nope")}, `"nope"`},
		{"syntax", []cwtypes.MetricDataQuery{mxExpr("e", "a +")}, "query e"},
		{"unbalanced", []cwtypes.MetricDataQuery{mxExpr("e", "(a + b")}, "query e"},
		{"trailing", []cwtypes.MetricDataQuery{mxExpr("e", "a b")}, "query e"},
		{"bad character", []cwtypes.MetricDataQuery{mxExpr("e", "a % b")}, "query e"},
		{"lone equals", []cwtypes.MetricDataQuery{mxExpr("e", "a = b")}, "query e"},
		{"scalar result", []cwtypes.MetricDataQuery{mxExpr("e", "SUM(a)")}, "single value"},
		{"constant", []cwtypes.MetricDataQuery{mxExpr("e", "42")}, "single value"},
		{"scalar division by zero", []cwtypes.MetricDataQuery{mxExpr("e", "a + 1 / 0")}, "division by zero"},
		{"list in arithmetic", []cwtypes.MetricDataQuery{mxExpr("e", "[a, b] + 1")}, "list"},
		{"keyword outside FILL", []cwtypes.MetricDataQuery{mxExpr("e", "IF(a, REPEAT, 0)")}, "REPEAT"},
		{"IF arity", []cwtypes.MetricDataQuery{mxExpr("e", "IF(a)")}, "IF takes"},
		{"FILL of a number", []cwtypes.MetricDataQuery{mxExpr("e", "FILL(1, 0)")}, "FILL"},
		{"cycle", []cwtypes.MetricDataQuery{mxExpr("e", "f + 1"), mxExpr("f", "g * 2"), mxExpr("g", "e")}, "circular"},
		{"self", []cwtypes.MetricDataQuery{mxExpr("e", "e + 1")}, "circular"},
		{"empty", []cwtypes.MetricDataQuery{mxExpr("e", "")}, "query e"},
		{"too long", []cwtypes.MetricDataQuery{mxExpr("e", "a"+strings.Repeat(" + a", 600))}, "2048"},
	}
	cw := mxFake()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mxRun(t, cw, tt.exprs...)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || !strings.Contains(ae.ErrorMessage(), tt.want) {
				t.Errorf("error %v, want a ValidationError mentioning %q", err, tt.want)
			}
		})
	}
}

// The real SDK client sends the expressions over CBOR and gets the computed
// series back.
func TestMathExpressionsOverHTTP(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_MathPool")
	for i, v := range []float64{1, 0, 1, 1} {
		p.PutMetric(cognitomontest.Datum{Namespace: "Test", Name: "a", Dimensions: map[string]string{"K": "v"}, Time: mxStart.Add(time.Duration(i) * time.Minute), Value: v})
	}
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p})
	defer srv.Close()
	client := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	out, err := client.GetMetricData(context.Background(), &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(mxStart), EndTime: aws.Time(mxStart.Add(5 * time.Minute)), ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{mxStat("a", "a"), mxExpr("e", "IF(FILL(a, 0) > 0, 1, -1)")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricDataResults) != 1 {
		t.Fatalf("%d results, want 1 (a has ReturnData false)", len(out.MetricDataResults))
	}
	if diff := cmp.Diff([]float64{1, -1, 1, 1, -1}, out.MetricDataResults[0].Values); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func FuzzMathExpression(f *testing.F) {
	for _, s := range []string{"a + b", "IF(a >= 2, a, 0)", "FILL(b, LINEAR)", "SUM([a, b]) / 2", "-(a)", "a >= b != 1", "[a]"} {
		f.Add(s)
	}
	cw := mxFake()
	f.Fuzz(func(t *testing.T, expr string) {
		in := &cloudwatch.GetMetricDataInput{
			StartTime: aws.Time(mxStart), EndTime: aws.Time(mxStart.Add(6 * time.Minute)),
			MetricDataQueries: []cwtypes.MetricDataQuery{mxStat("a", "a"), mxStat("b", "b"), mxExpr("e", expr)},
		}
		out, err := cw.GetMetricData(context.Background(), in)
		if err != nil {
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an API error", err)
			}
			return
		}
		for _, r := range out.MetricDataResults {
			if len(r.Timestamps) != len(r.Values) {
				t.Fatalf("%d timestamps, %d values", len(r.Timestamps), len(r.Values))
			}
		}
	})
}
