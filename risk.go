package cognitomon

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The threat-protection metrics (FACTS.md 1.2), keyed by their lower-cased
// names: the documents disagree on the case of AccountTakeoverRisk, so the
// spelling that ListMetrics reports is the one used.
var riskMetrics = map[string]bool{
	"risk":                      true,
	"norisk":                    true,
	"overrideblock":             true,
	"accounttakeoverrisk":       true,
	"compromisedcredentialrisk": true,
}

// RiskSeries is one threat-protection metric series of a pool, read with the
// Sum statistic.
//
// Assumption (FACTS.md 1.2, 8.3): AWS does not document what a datapoint of
// these metrics holds; cognitomon assumes a count of requests.
type RiskSeries struct {
	// Metric is the metric name as ListMetrics spells it.
	Metric string
	// Operation is SignIn, SignUp or PasswordChange.
	Operation string
	// RiskLevel is the RiskLevel dimension, empty for Risk and NoRisk.
	RiskLevel string
	// Values holds Sum per period.
	Values ValueSeries
}

// RiskStats is the answer of MetricsClient.Risk.
type RiskStats struct {
	UserPool UserPoolID
	Range    TimeRange
	Period   time.Duration
	Series   []RiskSeries // sorted by metric, operation, risk level
	Warnings []string
	Usage    Usage
}

// Risk reports the pool's threat-protection metrics (dimension UserPoolId,
// names discovered with ListMetrics). A pool without threat protection has
// none, and the result is empty.
func (c *MetricsClient) Risk(ctx context.Context, pool UserPoolID, r TimeRange) (*RiskStats, error) {
	if err := pool.Validate(); err != nil {
		return nil, err
	}
	now := c.opts.Clock()
	ar, err := c.alignRange(r, c.opts.Period, now)
	if err != nil {
		return nil, err
	}
	out := &RiskStats{UserPool: pool, Range: ar, Period: c.opts.Period}
	in := &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(CognitoNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String(dimUserPoolID), Value: aws.String(string(pool))}},
	}
	var reqs []metricRequest
	for m, err := range c.listMetrics(ctx, in, &out.Usage) {
		if err != nil {
			return nil, err
		}
		if !riskMetrics[strings.ToLower(aws.ToString(m.MetricName))] {
			continue
		}
		reqs = append(reqs, metricRequest{namespace: CognitoNamespace, name: aws.ToString(m.MetricName), dims: m.Dimensions, stat: "Sum"})
		out.Series = append(out.Series, RiskSeries{
			Metric:    aws.ToString(m.MetricName),
			Operation: dimValue(m.Dimensions, "Operation"),
			RiskLevel: dimValue(m.Dimensions, "RiskLevel"),
		})
	}
	if ar.Start.Before(now.Add(-listMetricsVisibility)) {
		out.Warnings = append(out.Warnings, "the range starts more than 14 days before now: series with no datapoint in the last 14 days are not listed by ListMetrics and are missing")
	}
	for i := range out.Series {
		out.Series[i].Values = make(ValueSeries, periods(ar, c.opts.Period))
	}
	usage, err := c.fetch(ctx, ar, c.opts.Period, reqs, func(q, k int, v float64) error {
		out.Series[q].Values[k] = v
		return nil
	})
	out.Usage.add(usage)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out.Series, func(a, b RiskSeries) int {
		return strings.Compare(a.Metric+"\x00"+a.Operation+"\x00"+a.RiskLevel, b.Metric+"\x00"+b.Operation+"\x00"+b.RiskLevel)
	})
	return out, nil
}
