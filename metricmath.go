package cognitomon

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The IDs of the expressions that FlowMath returns.
const (
	MathAttempts    = "attempts"
	MathSuccesses   = "successes"
	MathFailures    = "failures"
	MathThrottles   = "throttles"
	MathFailureRate = "failure_rate"
)

// MathInput says which figures FlowMath computes.
type MathInput struct {
	// UserPool is required.
	UserPool UserPoolID
	// Flow is required.
	Flow Flow
	// Clients are the app clients to sum over; at least one. Include the
	// pseudo-clients if their traffic should count.
	Clients []ClientID
	// IdentityProviders are required for Federation and ignored otherwise.
	IdentityProviders []string
	// Period defaults to 5 minutes.
	Period time.Duration
}

// FlowMath returns GetMetricData queries that compute a flow's pool-wide
// figures over the given clients with metric math, for dashboards and
// alarms. Each series contributes three MetricStat queries (n<i>:
// SampleCount of the *Successes metric, s<i>: its Sum, t<i>: Sum of the
// *Throttles metric), with ReturnData false; five expressions return the
// figures:
//
//	attempts     = SUM([n0, n1, ...])
//	successes    = SUM([s0, s1, ...])
//	failures     = attempts - successes
//	throttles    = SUM([t0, t1, ...])
//	failure_rate = 100 * failures / attempts
//
// An alarm may hold at most 10 MetricStat queries (FACTS.md 4.3), so an alarm
// built from these fits at most three series.
func FlowMath(in MathInput) ([]cwtypes.MetricDataQuery, error) {
	if err := in.UserPool.Validate(); err != nil {
		return nil, err
	}
	if !in.Flow.valid() {
		return nil, fmt.Errorf("unknown flow %v", in.Flow)
	}
	if len(in.Clients) == 0 {
		return nil, errors.New("flow math needs at least one client")
	}
	period := in.Period
	if period == 0 {
		period = 5 * time.Minute
	}
	if period <= 0 || period%time.Minute != 0 {
		return nil, fmt.Errorf("%w: %s is not a whole number of minutes", ErrInvalidPeriod, period)
	}
	var set []series
	for _, cl := range in.Clients {
		if err := cl.Validate(); err != nil {
			return nil, err
		}
		if in.Flow != Federation {
			set = append(set, series{flow: in.Flow, client: cl})
			continue
		}
		if len(in.IdentityProviders) == 0 {
			return nil, errors.New("federation flow math needs identity providers")
		}
		for _, p := range in.IdentityProviders {
			set = append(set, series{flow: in.Flow, client: cl, provider: p})
		}
	}
	secs := aws.Int32(int32(period / time.Second))
	stat := func(id, metric, statistic string, dims []cwtypes.Dimension) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{
			Id: aws.String(id),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{Namespace: aws.String(CognitoNamespace), MetricName: aws.String(metric), Dimensions: dims},
				Period: secs,
				Stat:   aws.String(statistic),
			},
			ReturnData: aws.Bool(false),
		}
	}
	var qs []cwtypes.MetricDataQuery
	var n, s, t []string
	for i, x := range set {
		dims := x.dimensions(in.UserPool)
		is := strconv.Itoa(i)
		n, s, t = append(n, "n"+is), append(s, "s"+is), append(t, "t"+is)
		qs = append(qs,
			stat("n"+is, in.Flow.SuccessesMetric(), "SampleCount", dims),
			stat("s"+is, in.Flow.SuccessesMetric(), "Sum", dims),
			stat("t"+is, in.Flow.ThrottlesMetric(), "Sum", dims))
	}
	expr := func(id, e string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), Expression: aws.String(e), Label: aws.String(in.Flow.String() + " " + id), ReturnData: aws.Bool(true)}
	}
	sum := func(ids []string) string { return "SUM([" + strings.Join(ids, ", ") + "])" }
	qs = append(qs,
		expr(MathAttempts, sum(n)),
		expr(MathSuccesses, sum(s)),
		expr(MathFailures, MathAttempts+" - "+MathSuccesses),
		expr(MathThrottles, sum(t)),
		expr(MathFailureRate, "100 * "+MathFailures+" / "+MathAttempts))
	return qs, nil
}
