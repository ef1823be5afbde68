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
// category's quota in requests per second. At QuotaUsage's 60-second period
// it is the busiest minute's rate; peaks within the minute were higher.
func (u CategoryUsage) PeakPerSecond(period time.Duration) float64 {
	return u.Calls.Max() / period.Seconds()
}

// QuotaUsage is the answer of MetricsClient.QuotaUsage.
type QuotaUsage struct {
	Range TimeRange
	// Period is the period the usage was read at: 1 minute, the interval
	// at which AWS/Usage is collected, wherever CloudWatch still keeps
	// 1-minute data, coarser otherwise; PeriodReason says which and why.
	Period       time.Duration
	PeriodReason string
	Categories   []CategoryUsage // sorted by category
	Warnings     []string
	Usage        Usage
}

// usagePeriod picks the finest period at which CloudWatch still holds the
// data of a range that starts at start: AWS/Usage is collected every minute
// (FACTS.md 9.4 e); 60-second data is kept 15 days, 300-second data 63 days
// (FACTS.md 4.1).
func usagePeriod(start, now time.Time) (time.Duration, string) {
	const day = 24 * time.Hour
	age := now.Sub(start.UTC().Truncate(time.Minute))
	switch {
	case age <= 15*day:
		return time.Minute, "1 minute: AWS/Usage is collected every minute (FACTS.md 9.4 e)"
	case age <= 63*day:
		return 5 * time.Minute, fmt.Sprintf("5 minutes: the range starts %.0f days ago and CloudWatch keeps 1-minute data for 15 days (FACTS.md 4.1)", age.Hours()/24)
	}
	return time.Hour, fmt.Sprintf("1 hour: the range starts %.0f days ago and CloudWatch keeps 5-minute data for 63 days (FACTS.md 4.1)", age.Hours()/24)
}

// QuotaUsage reports the account's Cognito user-pool API usage per rate-limit
// category from the AWS/Usage namespace, at the finest period the range
// allows (QuotaUsage.Period; MetricsOptions.Period does not apply), so that
// PeakPerSecond compares a minute's rate with the quota wherever it can.
// The dimension set is taken from ListMetrics as it is, since AWS does not
// say whether a Class dimension is present (FACTS.md 1.3, 8.4). Compare the
// rates with DefaultQuotas, or with the account's raised quotas.
func (c *MetricsClient) QuotaUsage(ctx context.Context, r TimeRange) (*QuotaUsage, error) {
	now := c.opts.Clock()
	if err := r.ValidateAt(now); err != nil {
		return nil, err
	}
	period, why := usagePeriod(r.Start, now)
	ar, err := c.alignRange(r, period, now)
	if err != nil {
		return nil, err
	}
	out := &QuotaUsage{Range: ar, Period: period, PeriodReason: why}
	if period > time.Minute {
		out.Warnings = append(out.Warnings, "quota usage read at "+why+"; the peak rates are averages over that period and understate the busiest minutes")
	}
	if ar.Start.Before(now.Add(-listMetricsVisibility)) {
		out.Warnings = append(out.Warnings, "the range starts more than 14 days before now: ListMetrics does not list a category with no call since "+now.Add(-listMetricsVisibility).UTC().Format(time.RFC3339)+", so such a category is missing")
	}
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
	n := periods(ar, period)
	for i := range out.Categories {
		out.Categories[i].Calls = make(ValueSeries, n)
		out.Categories[i].Throttles = make(ValueSeries, n)
	}
	usage, err := c.fetch(ctx, ar, period, reqs, func(q, k int, v float64) error {
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

// DefaultQuotas returns Cognito's default requests-per-second quota of each
// rate-limit category, per account and Region across all user pools
// (FACTS.md 6.3). UserAuthentication, UserCreation, UserFederation,
// UserRead, UserToken and UserResourceRead can be raised; pass the raised
// values to checks.Builtins in its options' Quotas.
func DefaultQuotas() map[string]float64 {
	return map[string]float64{
		"UserAuthentication":     120,
		"UserCreation":           50,
		"UserFederation":         25,
		"UserAccountRecovery":    30,
		"UserRead":               120,
		"UserUpdate":             25,
		"UserToken":              120,
		"UserResourceRead":       50,
		"UserResourceUpdate":     25,
		"UserList":               30,
		"UserPoolRead":           15,
		"UserPoolUpdate":         15,
		"UserPoolResourceRead":   20,
		"UserPoolResourceUpdate": 15,
		"UserPoolClientRead":     15,
		"UserPoolClientUpdate":   15,
		"ClientAuthentication":   150,
		"LimitManagement":        1,
	}
}
