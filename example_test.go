package cognitomon_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// A test of code built on MetricsClient records attempts on a simulated pool
// and reads them back through the in-memory CloudWatch fake.
func ExampleMetricsClient_Stats() {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	for i := range 10 {
		outcome := cognitomontest.Success
		if i%4 == 0 {
			outcome = cognitomontest.Failure
		}
		pool.Record(cognitomontest.Attempt{
			Time: at.Add(time.Duration(i) * time.Minute), Flow: cognitomon.SignIn,
			Client: "web1example", IP: "203.0.113.9", Outcome: outcome,
		})
	}
	pool.Record(cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: "web1example", Outcome: cognitomontest.Throttled})

	clock := func() time.Time { return at.Add(time.Hour) }
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{pool}, func(o *cognitomontest.CloudWatchOptions) { o.Now = clock })
	mc := cognitomon.NewMetricsClient(cw, func(o *cognitomon.MetricsOptions) { o.Clock = clock })

	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{
		UserPool: "us-east-1_AbCdEf123",
		Range:    cognitomon.Last(time.Hour, clock()),
		Flows:    []cognitomon.Flow{cognitomon.SignIn},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	signIn := st.Flow(cognitomon.SignIn)
	fmt.Printf("attempts %d, failures %d (%d throttled), failure rate %.0f%%\n",
		signIn.Attempts, signIn.Failures(), signIn.Throttles, 100*signIn.FailureRate())
	for t, c := range signIn.Series.All() {
		if c.Attempts > 0 {
			fmt.Printf("%s: %d attempts, %d failures\n", t.Format("15:04"), c.Attempts, c.Failures())
		}
	}
	// Output:
	// attempts 11, failures 4 (1 throttled), failure rate 36%
	// 09:00: 6 attempts, 3 failures
	// 09:05: 5 attempts, 1 failures
}

// FlowMath gives the metric math for a dashboard or an alarm.
func ExampleFlowMath() {
	queries, err := cognitomon.FlowMath(cognitomon.MathInput{
		UserPool: "us-east-1_AbCdEf123",
		Flow:     cognitomon.TokenRefresh,
		Clients:  []cognitomon.ClientID{"web1example", cognitomon.InvalidClient},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range queries {
		if q.Expression != nil {
			fmt.Printf("%s = %s\n", *q.Id, *q.Expression)
		}
	}
	// Output:
	// attempts = SUM([n0, n1])
	// successes = SUM([s0, s1])
	// failures = attempts - successes
	// throttles = SUM([t0, t1])
	// failure_rate = 100 * failures / attempts
}
