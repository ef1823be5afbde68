package cognitomon

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// The AWS/Usage dimension values for Cognito user pools (FACTS.md 1.3).
const (
	usageService  = "Cognito user pool"
	usageCalls    = "CallCount"
	usageThrottle = "ThrottleCount"
)

// CategoryUsage is the account's use of one Cognito rate-limit category
// (UserAuthentication, UserCreation ...) in one Region, all pools together.
type CategoryUsage struct {
	// Category is the Resource dimension.
	Category string
	// Calls is Sum of CallCount per period: every call, throttled and
	// failed ones included.
	Calls ValueSeries
	// Throttles is Sum of ThrottleCount per period.
	Throttles ValueSeries
}

// PeakPerSecond returns the busiest period's calls divided by the period's
// length in seconds: the average rate in that period, to compare with the
// category's quota in requests per second.
func (u CategoryUsage) PeakPerSecond(period time.Duration) float64 {
	return u.Calls.Max() / period.Seconds()
}

// QuotaUsage is the answer of MetricsClient.QuotaUsage.
type QuotaUsage struct {
	Range      TimeRange
	Period     time.Duration
	Categories []CategoryUsage // sorted by category
	Warnings   []string
	Usage      Usage
}

// QuotaUsage reports the account's Cognito user-pool API usage per rate-limit
// category from the AWS/Usage namespace. The dimension set is taken from
// ListMetrics as it is, since AWS does not say whether a Class dimension is
// present (FACTS.md 1.3, 8.4).
func (c *MetricsClient) QuotaUsage(ctx context.Context, r TimeRange) (*QuotaUsage, error) {
	now := c.opts.Clock()
	ar, err := c.alignRange(r, c.opts.Period, now)
	if err != nil {
		return nil, err
	}
	out := &QuotaUsage{Range: ar, Period: c.opts.Period}
	in := &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(UsageNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("Service"), Value: aws.String(usageService)}},
	}
	type slot struct {
		cat      int
		throttle bool
	}
	var reqs []metricRequest
	var slots []slot
	byCat := map[string]int{}
	for m, err := range c.listMetrics(ctx, in, &out.Usage) {
		if err != nil {
			return nil, err
		}
		name := aws.ToString(m.MetricName)
		if name != usageCalls && name != usageThrottle {
			continue
		}
		cat := dimValue(m.Dimensions, "Resource")
		if cat == "" {
			out.Warnings = append(out.Warnings, fmt.Sprintf("ignored %s series without a Resource dimension: %s", name, dimString(m.Dimensions)))
			continue
		}
		i, ok := byCat[cat]
		if !ok {
			i = len(out.Categories)
			byCat[cat] = i
			out.Categories = append(out.Categories, CategoryUsage{Category: cat})
		}
		reqs = append(reqs, metricRequest{namespace: UsageNamespace, name: name, dims: m.Dimensions, stat: "Sum"})
		slots = append(slots, slot{cat: i, throttle: name == usageThrottle})
	}
	n := periods(ar, c.opts.Period)
	for i := range out.Categories {
		out.Categories[i].Calls = make(ValueSeries, n)
		out.Categories[i].Throttles = make(ValueSeries, n)
	}
	usage, err := c.fetch(ctx, ar, c.opts.Period, reqs, func(q, k int, v float64) error {
		dst := out.Categories[slots[q].cat].Calls
		if slots[q].throttle {
			dst = out.Categories[slots[q].cat].Throttles
		}
		dst[k] += v // several series per category if AWS adds a dimension value
		return nil
	})
	out.Usage.add(usage)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Categories, func(a, b CategoryUsage) int { return strings.Compare(a.Category, b.Category) })
	return out, nil
}
