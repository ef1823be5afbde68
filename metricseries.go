package cognitomon

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// series is one metric series of a flow: UserPool + UserPoolClient
// (+ IdentityProvider for federation).
type series struct {
	flow      Flow
	client    ClientID
	provider  string
	throttles bool // whether the *Throttles metric has to be read
}

func (s series) dimensions(pool UserPoolID) []cwtypes.Dimension {
	d := []cwtypes.Dimension{
		{Name: aws.String(dimUserPool), Value: aws.String(string(pool))},
		{Name: aws.String(dimUserPoolClient), Value: aws.String(string(s.client))},
	}
	if s.flow == Federation {
		d = append(d, cwtypes.Dimension{Name: aws.String(dimIdentityProvider), Value: aws.String(s.provider)})
	}
	return d
}

type seriesKey struct {
	flow     Flow
	client   ClientID
	provider string
}

type seriesSet struct {
	series []series
	index  map[seriesKey]int
}

func (s *seriesSet) add(k seriesKey, throttles bool) {
	if s.index == nil {
		s.index = map[seriesKey]int{}
	}
	if i, ok := s.index[k]; ok {
		s.series[i].throttles = s.series[i].throttles || throttles
		return
	}
	s.index[k] = len(s.series)
	s.series = append(s.series, series{flow: k.flow, client: k.client, provider: k.provider, throttles: throttles})
}

func (s *seriesSet) allThrottles() {
	for i := range s.series {
		s.series[i].throttles = true
	}
}

func (s *seriesSet) sort() {
	slices.SortFunc(s.series, func(a, b series) int {
		if a.flow != b.flow {
			return int(a.flow - b.flow)
		}
		if c := strings.Compare(string(a.client), string(b.client)); c != 0 {
			return c
		}
		return strings.Compare(a.provider, b.provider)
	})
	for i, x := range s.series {
		s.index[seriesKey{x.flow, x.client, x.provider}] = i
	}
}

// listMetrics yields every metric that ListMetrics returns for in, following
// NextToken and retrying throttled pages from the same token.
func (c *MetricsClient) listMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, usage *Usage) iter.Seq2[cwtypes.Metric, error] {
	return func(yield func(cwtypes.Metric, error) bool) {
		p := cloudwatch.NewListMetricsPaginator(c.api, in)
		for p.HasMorePages() {
			var out *cloudwatch.ListMetricsOutput
			err := retry(ctx, c.opts.Retry, func() error {
				var err error
				out, err = p.NextPage(ctx)
				return err
			})
			if err != nil {
				yield(cwtypes.Metric{}, fmt.Errorf("listing %s metrics: %w", aws.ToString(in.Namespace), err))
				return
			}
			usage.ListMetricsCalls++
			for _, m := range out.Metrics {
				if !yield(m, nil) {
					return
				}
			}
		}
	}
}

// discover lists the pool's AWS/Cognito series for the given flows.
func (c *MetricsClient) discover(ctx context.Context, pool UserPoolID, flows []Flow, usage *Usage, warnings *[]string) (seriesSet, error) {
	want := map[string]Flow{}
	isThrottle := map[string]bool{}
	for _, f := range flows {
		want[f.SuccessesMetric()] = f
		want[f.ThrottlesMetric()] = f
		isThrottle[f.ThrottlesMetric()] = true
	}
	var set seriesSet
	poolOnly := map[string]bool{}
	in := &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(CognitoNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String(dimUserPool), Value: aws.String(string(pool))}},
	}
	for m, err := range c.listMetrics(ctx, in, usage) {
		if err != nil {
			return seriesSet{}, err
		}
		name := aws.ToString(m.MetricName)
		f, ok := want[name]
		if !ok {
			continue
		}
		var k seriesKey
		k.flow = f
		extra := false
		for _, d := range m.Dimensions {
			switch aws.ToString(d.Name) {
			case dimUserPool:
			case dimUserPoolClient:
				k.client = ClientID(aws.ToString(d.Value))
			case dimIdentityProvider:
				k.provider = aws.ToString(d.Value)
			default:
				extra = true
			}
		}
		switch {
		case k.client == "" && !extra:
			// Undocumented (FACTS.md 1.1, 8.1). Pool totals are sums over
			// clients, so this series would double count: note it only.
			poolOnly[name] = true
			continue
		case extra || (f == Federation) != (k.provider != ""):
			*warnings = append(*warnings, fmt.Sprintf("ignored %s series with unexpected dimensions %s", name, dimString(m.Dimensions)))
			continue
		}
		set.add(k, isThrottle[name])
	}
	for _, name := range sortedKeys(poolOnly) {
		*warnings = append(*warnings, fmt.Sprintf("AWS/Cognito publishes %s with the UserPool dimension alone (undocumented); cognitomon sums the per-client series instead", name))
	}
	if set.index != nil {
		set.sort()
	}
	return set, nil
}

// explicitSeries builds the series for StatsInput.Clients, adding the
// pseudo-clients and discovering federation providers when not given.
func (c *MetricsClient) explicitSeries(ctx context.Context, in StatsInput, flows []Flow, usage *Usage) (seriesSet, error) {
	var set seriesSet
	for _, f := range flows {
		clients := append(slices.Clone(in.Clients), f.pseudoClients()...)
		if f != Federation {
			for _, cl := range clients {
				set.add(seriesKey{flow: f, client: cl}, true)
			}
			continue
		}
		providers := map[ClientID][]string{}
		if in.IdentityProviders != nil {
			for _, cl := range in.Clients {
				providers[cl] = in.IdentityProviders
			}
		} else {
			wanted := map[ClientID]bool{}
			for _, cl := range in.Clients {
				wanted[cl] = true
			}
			lin := &cloudwatch.ListMetricsInput{
				Namespace:  aws.String(CognitoNamespace),
				MetricName: aws.String(Federation.SuccessesMetric()),
				Dimensions: []cwtypes.DimensionFilter{{Name: aws.String(dimUserPool), Value: aws.String(string(in.UserPool))}},
			}
			for m, err := range c.listMetrics(ctx, lin, usage) {
				if err != nil {
					return seriesSet{}, err
				}
				cl := ClientID(dimValue(m.Dimensions, dimUserPoolClient))
				p := dimValue(m.Dimensions, dimIdentityProvider)
				if wanted[cl] && p != "" && !slices.Contains(providers[cl], p) {
					providers[cl] = append(providers[cl], p)
				}
			}
		}
		for _, cl := range in.Clients {
			for _, p := range providers[cl] {
				set.add(seriesKey{flow: f, client: cl, provider: p}, true)
			}
		}
	}
	if set.index != nil {
		set.sort()
	}
	return set, nil
}

func dimValue(dims []cwtypes.Dimension, name string) string {
	for _, d := range dims {
		if aws.ToString(d.Name) == name {
			return aws.ToString(d.Value)
		}
	}
	return ""
}

func dimString(dims []cwtypes.Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// metricRequest is one MetricStat query.
