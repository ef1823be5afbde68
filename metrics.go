package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// The namespaces and dimension names of the metrics that MetricsClient reads
// (FACTS.md sections 1.1 to 1.3).
const (
	// CognitoNamespace is the CloudWatch namespace of Cognito's metrics.
	CognitoNamespace = "AWS/Cognito"
	// UsageNamespace is the CloudWatch namespace of service-quota usage.
	UsageNamespace = "AWS/Usage"

	dimUserPool         = "UserPool"
	dimUserPoolClient   = "UserPoolClient"
	dimIdentityProvider = "IdentityProvider"
	dimUserPoolID       = "UserPoolId" // threat-protection metrics only
)

// Flow is one of the four authentication flows for which Cognito publishes
// success and throttle metrics. The zero value is not a flow.
type Flow int

// The flows, in the order reports list them.
const (
	SignIn Flow = iota + 1
	SignUp
	TokenRefresh
	Federation
)

// AllFlows returns the four flows in report order.
func AllFlows() []Flow { return []Flow{SignIn, SignUp, TokenRefresh, Federation} }

// String returns Cognito's name for the flow ("SignIn", "TokenRefresh" ...).
func (f Flow) String() string {
	switch f {
	case SignIn:
		return "SignIn"
	case SignUp:
		return "SignUp"
	case TokenRefresh:
		return "TokenRefresh"
	case Federation:
		return "Federation"
	}
	return "Flow(" + strconv.Itoa(int(f)) + ")"
}

// SuccessesMetric returns the name of the flow's success metric, whose
// datapoints are 1 for tokens issued and 0 otherwise ("SignInSuccesses" ...).
func (f Flow) SuccessesMetric() string { return f.String() + "Successes" }

// ThrottlesMetric returns the name of the flow's throttle metric
// ("SignInThrottles" ...).
func (f Flow) ThrottlesMetric() string { return f.String() + "Throttles" }

func (f Flow) valid() bool { return f >= SignIn && f <= Federation }

// pseudoClients returns the pseudo-clients that AWS documents for the flow's
// metrics (FACTS.md 1.1): Admin for sign-up, Invalid for sign-in and refresh.
func (f Flow) pseudoClients() []ClientID {
	switch f {
	case SignUp:
		return []ClientID{AdminClient}
	case SignIn, TokenRefresh:
		return []ClientID{InvalidClient}
	}
	return nil
}

// Counts are the figures of one flow over one period or range.
// Failures and the failure rate are derived, never stored.
type Counts struct {
	// Attempts is SampleCount of the *Successes metric: every request,
	// throttled ones included.
	Attempts int64
	// Successes is Sum of the *Successes metric: requests that got tokens.
	Successes int64
	// Throttles is Sum of the *Throttles metric.
	Throttles int64
}

// Failures returns Attempts - Successes: every request that got no tokens,
// throttled requests included.
//
// Assumption (FACTS.md 1.1, 8.2): AWS does not say whether an authentication
// step that answers with a challenge (SRP PASSWORD_VERIFIER, MFA) adds a 0
// datapoint. If it does, this overcounts failures for pools that use SRP or
// MFA; compare with the CloudTrail counts before trusting it there.
func (c Counts) Failures() int64 { return c.Attempts - c.Successes }

// FailuresExcludingThrottles returns Failures - Throttles, never below zero:
// requests that Cognito answered and refused. It relies on the inference
// (FACTS.md 1.1) that a throttled request adds a 0 to *Successes and a 1 to
// *Throttles.
func (c Counts) FailuresExcludingThrottles() int64 { return max(c.Failures()-c.Throttles, 0) }

// FailureRate returns Failures / Attempts, from 0 to 1, or 0 when there were
// no attempts.
func (c Counts) FailureRate() float64 {
	if c.Attempts == 0 {
		return 0
	}
	return float64(c.Failures()) / float64(c.Attempts)
}

// Add returns the sum of c and o.
func (c Counts) Add(o Counts) Counts {
	return Counts{Attempts: c.Attempts + o.Attempts, Successes: c.Successes + o.Successes, Throttles: c.Throttles + o.Throttles}
}

// Series is a time series of Counts, one per period from Start. A period with
// no datapoint has zero counts: Cognito publishes a datapoint only when there
// is traffic.
type Series struct {
	Start  time.Time
	Period time.Duration
	Counts []Counts
}

// Time returns the start of the i-th period.
func (s Series) Time(i int) time.Time { return s.Start.Add(time.Duration(i) * s.Period) }

// Total returns the sum over all periods.
func (s Series) Total() Counts {
	var t Counts
	for _, c := range s.Counts {
		t = t.Add(c)
	}
	return t
}

// All yields each period's start time and counts, in time order.
func (s Series) All() iter.Seq2[time.Time, Counts] {
	return func(yield func(time.Time, Counts) bool) {
		for i, c := range s.Counts {
			if !yield(s.Time(i), c) {
				return
			}
		}
	}
}

func (s *Series) add(o Series) {
	for i := range s.Counts {
		s.Counts[i] = s.Counts[i].Add(o.Counts[i])
	}
}

// ClientStats are one app client's figures for one flow. For the federation
// flow they are summed over the client's identity providers.
type ClientStats struct {
	Client ClientID
	Counts
	Series Series
}

// ProviderStats are one identity provider's federation figures, summed over
// the pool's app clients.
type ProviderStats struct {
	Provider string
	Counts
	Series Series
}

// FlowStats are one flow's figures for a pool: the pool total (the sum over
// its clients, pseudo-clients included) and each client's share.
type FlowStats struct {
	Flow Flow
	Counts
	Series    Series
	Clients   []ClientStats   // sorted by client ID
	Providers []ProviderStats // Federation only, sorted by provider name
}

// Client returns the stats of the given client, or zero stats when the client
// had no series.
func (fs *FlowStats) Client(id ClientID) ClientStats {
	for _, c := range fs.Clients {
		if c.Client == id {
			return c
		}
	}
	return ClientStats{Client: id}
}

// Usage counts what a MetricsClient call cost.
type Usage struct {
	// GetMetricDataCalls counts GetMetricData requests, pages included and
	// throttled retries excluded.
	GetMetricDataCalls int
	// MetricsRequested counts MetricStat queries sent (per page), the unit
	// GetMetricData is billed by.
	MetricsRequested int
	// ListMetricsCalls counts ListMetrics pages read for discovery.
	ListMetricsCalls int
}

func (u *Usage) add(o Usage) {
	u.GetMetricDataCalls += o.GetMetricDataCalls
	u.MetricsRequested += o.MetricsRequested
	u.ListMetricsCalls += o.ListMetricsCalls
}

// Stats is the answer of MetricsClient.Stats.
type Stats struct {
	UserPool UserPoolID
	// Requested is the range the caller asked for; Range the range actually
	// queried, aligned outwards to whole periods.
	Requested TimeRange
	Range     TimeRange
	Period    time.Duration
	// Discovered is true when the clients came from ListMetrics rather than
	// from StatsInput.Clients.
	Discovered bool
	Flows      []FlowStats // in the order of StatsInput.Flows
	// Warnings say what the caller should know about the figures, such as
	// a range that discovery cannot fully see.
	Warnings []string
	Usage    Usage
}

// Flow returns the stats of flow f, or nil when f was not requested.
func (s *Stats) Flow(f Flow) *FlowStats {
	for i := range s.Flows {
		if s.Flows[i].Flow == f {
			return &s.Flows[i]
		}
	}
	return nil
}

// StatsInput says what MetricsClient.Stats reports on.
type StatsInput struct {
	// UserPool is required.
	UserPool UserPoolID
	// Range is required. It is aligned outwards to whole periods.
	Range TimeRange
	// Clients, when set, are the app clients to report on; the documented
	// pseudo-clients (Admin for sign-up, Invalid for sign-in and refresh)
	// are added. When nil, the pool's series are discovered with
	// ListMetrics, which does not list a series that has had no datapoint
	// for two weeks (FACTS.md 1.1): for older ranges pass Clients.
	Clients []ClientID
	// IdentityProviders, when set with Clients, are the identity providers
	// to report federation for; when nil they are discovered.
	IdentityProviders []string
	// Flows defaults to AllFlows().
	Flows []Flow
	// Period overrides MetricsOptions.Period for this call.
	Period time.Duration
}

// RetryOptions say how a client retries a throttled request. The zero value
// means the defaults documented on each field.
type RetryOptions struct {
	// MaxAttempts is how many times a request is sent in all before a
	// throttling error is returned (wrapping ErrThrottled). Default 5. These
	// retries come on top of the SDK client's own.
	MaxAttempts int
	// BaseDelay is the first wait; each further wait doubles, with full
	// jitter, up to MaxDelay. Default 1s.
	BaseDelay time.Duration
	// MaxDelay caps a wait. Default 20s.
	MaxDelay time.Duration
}

func (r RetryOptions) withDefaults() RetryOptions {
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = 5
	}
	if r.BaseDelay <= 0 {
		r.BaseDelay = time.Second
	}
	if r.MaxDelay <= 0 {
		r.MaxDelay = 20 * time.Second
	}
	return r
}

// MetricsOptions configure a MetricsClient. The zero value of each field
// means the documented default.
type MetricsOptions struct {
	// Period is the length of one datapoint. Default 5 minutes, the interval
	// at which Cognito publishes (FACTS.md 1.1). It must be a whole number
	// of minutes, and for ranges that start more than 15 days ago a
	// multiple of 5 minutes, more than 63 days ago a multiple of an hour
	// (FACTS.md 4.1).
	Period time.Duration
	// MaxQueriesPerCall is the GetMetricData limit on queries per call.
	// Default 500.
	MaxQueriesPerCall int
	// MaxDatapointsPerCall is the GetMetricData limit on datapoints per
	// call. Default 100,800.
	MaxDatapointsPerCall int
	// Retry controls retries of throttled calls.
	Retry RetryOptions
	// Clock returns the current time; it decides which period rules apply.
	// Default time.Now.
	Clock func() time.Time
}

// MetricsClient reads derived failure figures from the AWS/Cognito metrics.
// It is immutable and safe for concurrent use.
type MetricsClient struct {
	api  CloudWatchAPI
	opts MetricsOptions
}

// NewMetricsClient returns a MetricsClient over api. It panics if api is nil.
func NewMetricsClient(api CloudWatchAPI, optFns ...func(*MetricsOptions)) *MetricsClient {
	if api == nil {
		panic("cognitomon: NewMetricsClient with nil CloudWatchAPI")
	}
	var o MetricsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Period == 0 {
		o.Period = 5 * time.Minute
	}
	if o.MaxQueriesPerCall <= 0 {
		o.MaxQueriesPerCall = 500
	}
	if o.MaxDatapointsPerCall <= 0 {
		o.MaxDatapointsPerCall = 100_800
	}
	o.Retry = o.Retry.withDefaults()
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &MetricsClient{api: api, opts: o}
}

// listMetricsVisibility is how far back ListMetrics sees a series
// (FACTS.md 1.1).
const listMetricsVisibility = 14 * 24 * time.Hour

// Stats reports attempts, successes, failures and throttles per flow for the
// pool and each of its app clients, as totals and per period.
func (c *MetricsClient) Stats(ctx context.Context, in StatsInput) (*Stats, error) {
	if err := in.UserPool.Validate(); err != nil {
		return nil, err
	}
	for _, id := range in.Clients {
		if err := id.Validate(); err != nil {
			return nil, err
		}
	}
	for _, p := range in.IdentityProviders {
		if p == "" || len(p) > 1024 {
			return nil, fmt.Errorf("identity provider %q: must be 1 to 1024 characters", truncate(p))
		}
	}
	flows := in.Flows
	if len(flows) == 0 {
		flows = AllFlows()
	}
	for _, f := range flows {
		if !f.valid() {
			return nil, fmt.Errorf("unknown flow %v", f)
		}
	}
	if dup := firstDuplicate(flows); dup != 0 {
		return nil, fmt.Errorf("flow %v requested twice", dup)
	}
	period := in.Period
	if period == 0 {
		period = c.opts.Period
	}
	now := c.opts.Clock()
	r, err := c.alignRange(in.Range, period, now)
	if err != nil {
		return nil, err
	}
	st := &Stats{UserPool: in.UserPool, Requested: in.Range, Range: r, Period: period, Discovered: in.Clients == nil}
	if period < 5*time.Minute {
		st.Warnings = append(st.Warnings, fmt.Sprintf("Cognito publishes metrics at five-minute intervals; a %s period leaves periods without datapoints", period))
	}

	// Decide which series to read.
	var set seriesSet
	if in.Clients == nil {
		set, err = c.discover(ctx, in.UserPool, flows, &st.Usage, &st.Warnings)
		if err != nil {
			return nil, err
		}
		// A series that ListMetrics does not list had no datapoint in the
		// last two weeks: if the whole range lies in those two weeks, its
		// absence means zero, and its throttle metric need not be read.
		if r.Start.Before(now.Add(-listMetricsVisibility)) {
			st.Warnings = append(st.Warnings, fmt.Sprintf("the range starts more than 14 days before now: ListMetrics does not list a client with no datapoint since %s, so such a client is missing; pass StatsInput.Clients for complete figures", now.Add(-listMetricsVisibility).UTC().Format(time.RFC3339)))
			set.allThrottles()
		}
	} else {
		set, err = c.explicitSeries(ctx, in, flows, &st.Usage)
		if err != nil {
			return nil, err
		}
	}

	// One request per (series, statistic).
	var reqs []metricRequest
	type slot struct {
		series int
		field  int // 0 attempts, 1 successes, 2 throttles
	}
	var slots []slot
	for i, s := range set.series {
		dims := s.dimensions(in.UserPool)
		reqs = append(reqs,
			metricRequest{namespace: CognitoNamespace, name: s.flow.SuccessesMetric(), dims: dims, stat: "SampleCount"},
			metricRequest{namespace: CognitoNamespace, name: s.flow.SuccessesMetric(), dims: dims, stat: "Sum"})
		slots = append(slots, slot{i, 0}, slot{i, 1})
		if s.throttles {
			reqs = append(reqs, metricRequest{namespace: CognitoNamespace, name: s.flow.ThrottlesMetric(), dims: dims, stat: "Sum"})
			slots = append(slots, slot{i, 2})
		}
	}
	n := periods(r, period)
	counts := make([]Series, len(set.series))
	for i := range counts {
		counts[i] = Series{Start: r.Start, Period: period, Counts: make([]Counts, n)}
	}
	usage, err := c.fetch(ctx, r, period, reqs, func(q, k int, v float64) error {
		x, err := toCount(v)
		if err != nil {
			return fmt.Errorf("client %s: %w", set.series[slots[q].series].client, err)
		}
		cs := &counts[slots[q].series].Counts[k]
		switch slots[q].field {
		case 0:
			cs.Attempts = x
		case 1:
			cs.Successes = x
		case 2:
			cs.Throttles = x
		}
		return nil
	})
	st.Usage.add(usage)
	if err != nil {
		return nil, err
	}

	for _, f := range flows {
		fs := FlowStats{Flow: f, Series: Series{Start: r.Start, Period: period, Counts: make([]Counts, n)}}
		byClient := map[ClientID]int{}
		byProvider := map[string]int{}
		for i, s := range set.series {
			if s.flow != f {
				continue
			}
			fs.Series.add(counts[i])
			switch ci, ok := byClient[s.client]; {
			case ok:
				fs.Clients[ci].Series.add(counts[i])
			case f == Federation: // a client has a series per provider
				byClient[s.client] = len(fs.Clients)
				cs := ClientStats{Client: s.client, Series: Series{Start: r.Start, Period: period, Counts: make([]Counts, n)}}
				cs.Series.add(counts[i])
				fs.Clients = append(fs.Clients, cs)
			default: // the client's only series
				byClient[s.client] = len(fs.Clients)
				fs.Clients = append(fs.Clients, ClientStats{Client: s.client, Series: counts[i]})
			}
			if f == Federation {
				pi, ok := byProvider[s.provider]
				if !ok {
					pi = len(fs.Providers)
					byProvider[s.provider] = pi
					fs.Providers = append(fs.Providers, ProviderStats{Provider: s.provider, Series: Series{Start: r.Start, Period: period, Counts: make([]Counts, n)}})
				}
				fs.Providers[pi].Series.add(counts[i])
			}
		}
		fs.Counts = fs.Series.Total()
		for i := range fs.Clients {
			fs.Clients[i].Counts = fs.Clients[i].Series.Total()
		}
		for i := range fs.Providers {
			fs.Providers[i].Counts = fs.Providers[i].Series.Total()
		}
		slices.SortFunc(fs.Clients, func(a, b ClientStats) int { return strings.Compare(string(a.Client), string(b.Client)) })
		slices.SortFunc(fs.Providers, func(a, b ProviderStats) int { return strings.Compare(a.Provider, b.Provider) })
		st.Flows = append(st.Flows, fs)
	}
	return st, nil
}

func firstDuplicate(flows []Flow) Flow {
	seen := map[Flow]bool{}
	for _, f := range flows {
		if seen[f] {
			return f
		}
		seen[f] = true
	}
	return 0
}

// toCount converts a Sum or SampleCount of 0/1 datapoints to an integer. A
// value that is not (nearly) a whole number contradicts the documented
// semantics and is an error rather than a silently rounded figure.
func toCount(v float64) (int64, error) {
	r := math.Round(v)
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v-r) > 1e-6 || r < 0 {
		return 0, fmt.Errorf("value %v is not a count of 0/1 datapoints", v)
	}
	return int64(r), nil
}

// alignRange validates r and period against now and CloudWatch's rules, and
// widens r to whole periods.
func (c *MetricsClient) alignRange(r TimeRange, period time.Duration, now time.Time) (TimeRange, error) {
	if err := r.ValidateAt(now); err != nil {
		return TimeRange{}, err
	}
	if period <= 0 || period%time.Minute != 0 {
		return TimeRange{}, fmt.Errorf("%w: %s is not a whole number of minutes (Cognito metrics are standard resolution)", ErrInvalidPeriod, period)
	}
	start := r.Start.UTC().Truncate(period)
	end := r.End.UTC().Truncate(period)
	if end.Before(r.End) {
		end = end.Add(period)
	}
	age := now.Sub(start)
	const day = 24 * time.Hour
	switch {
	case age > 455*day:
		return TimeRange{}, fmt.Errorf("%w: %s starts more than 455 days ago, beyond CloudWatch's retention", ErrInvalidRange, r)
	case age > 63*day && period%time.Hour != 0:
		return TimeRange{}, fmt.Errorf("%w: %s for a range that starts more than 63 days ago; use a multiple of 1h", ErrInvalidPeriod, period)
	case age > 15*day && period%(5*time.Minute) != 0:
		return TimeRange{}, fmt.Errorf("%w: %s for a range that starts more than 15 days ago; use a multiple of 5m", ErrInvalidPeriod, period)
	}
	return TimeRange{Start: start, End: end}, nil
}

func periods(r TimeRange, period time.Duration) int { return int(r.Duration() / period) }

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
type metricRequest struct {
	namespace string
	name      string
	dims      []cwtypes.Dimension
	stat      string
}

// MetricDataError reports a GetMetricData answer that was not a complete
// answer: a result whose status is InternalError, Forbidden or (after the
// last page) PartialData, a result or operation message, or a query that got
// no result at all. It wraps ErrIncomplete.
type MetricDataError struct {
	// QueryID is the query the problem concerns; empty for operation-level
	// messages.
	QueryID string
	// Metric names the metric and statistic of QueryID, when known.
	Metric string
	// StatusCode is the result's status code, when there was one.
	StatusCode string
	// Messages are the messages AWS returned, as "code: value".
	Messages []string
}

func (e *MetricDataError) Error() string {
	var b strings.Builder
	b.WriteString("incomplete metric data")
	if e.QueryID != "" {
		fmt.Fprintf(&b, " for query %s", e.QueryID)
	}
	if e.Metric != "" {
		fmt.Fprintf(&b, " (%s)", e.Metric)
	}
	if e.StatusCode != "" {
		fmt.Fprintf(&b, ": status %s", e.StatusCode)
	}
	if len(e.Messages) > 0 {
		fmt.Fprintf(&b, ": %s", strings.Join(e.Messages, "; "))
	}
	return b.String()
}

// Unwrap returns ErrIncomplete.
func (e *MetricDataError) Unwrap() error { return ErrIncomplete }

// batch is one set of queries sent together over one time window.
type batch struct {
	window TimeRange
	first  int // index into the request list of queries[0]
	n      int
	offset int // period index of window.Start within the whole range
}

// plan packs n queries over r into the fewest GetMetricData calls that both
// per-call limits allow. When one query alone needs more datapoints than a
// call may return, the range is cut into windows.
func (c *MetricsClient) plan(r TimeRange, period time.Duration, n int) []batch {
	total := periods(r, period)
	perWindow := min(total, c.opts.MaxDatapointsPerCall)
	var out []batch
	for off := 0; off < total; off += perWindow {
		w := min(perWindow, total-off)
		win := TimeRange{Start: r.Start.Add(time.Duration(off) * period), End: r.Start.Add(time.Duration(off+w) * period)}
		perCall := max(1, min(c.opts.MaxQueriesPerCall, c.opts.MaxDatapointsPerCall/w))
		for first := 0; first < n; first += perCall {
			out = append(out, batch{window: win, first: first, n: min(perCall, n-first), offset: off})
		}
	}
	return out
}

// fetch reads every request over r at period and calls sink with the
// request's index, the period's index and the value of each datapoint. A
// period without a datapoint gets no call: it had no traffic.
func (c *MetricsClient) fetch(ctx context.Context, r TimeRange, period time.Duration, reqs []metricRequest, sink func(q, k int, v float64) error) (Usage, error) {
	var usage Usage
	n := periods(r, period)
	words := (n + 63) / 64
	seen := make([]uint64, len(reqs)*words) // one bit per request and period
	if len(reqs) == 0 {
		return usage, nil
	}
	secs := int32(period / time.Second)
	for _, b := range c.plan(r, period, len(reqs)) {
		queries := make([]cwtypes.MetricDataQuery, b.n)
		ids := make(map[string]int, b.n)
		for i := range b.n {
			q := reqs[b.first+i]
			id := "m" + strconv.Itoa(b.first+i)
			ids[id] = b.first + i
			queries[i] = cwtypes.MetricDataQuery{
				Id: aws.String(id),
				MetricStat: &cwtypes.MetricStat{
					Metric: &cwtypes.Metric{Namespace: aws.String(q.namespace), MetricName: aws.String(q.name), Dimensions: q.dims},
					Period: aws.Int32(secs),
					Stat:   aws.String(q.stat),
				},
				ReturnData: aws.Bool(true),
			}
		}
		in := &cloudwatch.GetMetricDataInput{
			StartTime:         aws.Time(b.window.Start),
			EndTime:           aws.Time(b.window.End),
			MetricDataQueries: queries,
			ScanBy:            cwtypes.ScanByTimestampAscending,
		}
		status := map[string]cwtypes.StatusCode{}
		for {
			var out *cloudwatch.GetMetricDataOutput
			err := retry(ctx, c.opts.Retry, func() error {
				var err error
				out, err = c.api.GetMetricData(ctx, in)
				return err
			})
			if err != nil {
				return usage, fmt.Errorf("reading %d metrics over %s: %w", len(queries), b.window, err)
			}
			usage.GetMetricDataCalls++
			usage.MetricsRequested += len(queries)
			if len(out.Messages) > 0 {
				return usage, &MetricDataError{Messages: messages(out.Messages)}
			}
			for _, res := range out.MetricDataResults {
				id := aws.ToString(res.Id)
				q, ok := ids[id]
				if !ok {
					return usage, fmt.Errorf("GetMetricData returned a result for unknown query %q", id)
				}
				desc := reqs[q].name + " " + reqs[q].stat
				switch res.StatusCode {
				case cwtypes.StatusCodeComplete, cwtypes.StatusCodePartialData:
				default:
					return usage, &MetricDataError{QueryID: id, Metric: desc, StatusCode: string(res.StatusCode), Messages: messages(res.Messages)}
				}
				if len(res.Messages) > 0 {
					return usage, &MetricDataError{QueryID: id, Metric: desc, StatusCode: string(res.StatusCode), Messages: messages(res.Messages)}
				}
				if len(res.Timestamps) != len(res.Values) {
					return usage, fmt.Errorf("GetMetricData result %s (%s): %d timestamps but %d values", id, desc, len(res.Timestamps), len(res.Values))
				}
				status[id] = res.StatusCode
				for i, t := range res.Timestamps {
					if !b.window.Contains(t) || t.Sub(b.window.Start)%period != 0 {
						return usage, fmt.Errorf("GetMetricData result %s (%s): datapoint at %s is not a period start in %s", id, desc, t.UTC().Format(time.RFC3339), b.window)
					}
					k := b.offset + int(t.Sub(b.window.Start)/period)
					bit := q*words*64 + k
					if seen[bit/64]&(1<<(bit%64)) != 0 {
						return usage, fmt.Errorf("GetMetricData result %s (%s): two datapoints at %s", id, desc, t.UTC().Format(time.RFC3339))
					}
					seen[bit/64] |= 1 << (bit % 64)
					if err := sink(q, k, res.Values[i]); err != nil {
						return usage, fmt.Errorf("%s for %s: %w", desc, t.UTC().Format(time.RFC3339), err)
					}
				}
			}
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		for id, q := range ids {
			switch status[id] {
			case cwtypes.StatusCodeComplete:
			case "":
				return usage, &MetricDataError{QueryID: id, Metric: reqs[q].name + " " + reqs[q].stat, Messages: []string{"no result returned"}}
			default:
				return usage, &MetricDataError{QueryID: id, Metric: reqs[q].name + " " + reqs[q].stat, StatusCode: string(status[id]), Messages: []string{"still partial after the last page"}}
			}
		}
	}
	return usage, nil
}

func messages(ms []cwtypes.MessageData) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = aws.ToString(m.Code) + ": " + aws.ToString(m.Value)
	}
	return out
}

// throttleCodes are the error codes retried as throttling. CloudWatch's
// query-compatible codes are Throttling and LimitExceeded.
var throttleCodes = map[string]bool{
	"Throttling":                true,
	"ThrottlingException":       true,
	"ThrottledException":        true,
	"RequestLimitExceeded":      true,
	"TooManyRequestsException":  true,
	"LimitExceeded":             true,
	"LimitExceededException":    true,
	"RequestThrottledException": true,
}

// isThrottle reports whether err is an AWS throttling error.
func isThrottle(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && throttleCodes[ae.ErrorCode()]
}

// retry runs call until it succeeds, fails with an error other than
// throttling, or has been throttled o.MaxAttempts times. It waits between
// attempts with exponential backoff and full jitter, and stops at once when
// ctx is done.
func retry(ctx context.Context, o RetryOptions, call func() error) error {
	delay := o.BaseDelay
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := call()
		if err == nil || !isThrottle(err) {
			return err
		}
		if attempt >= o.MaxAttempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrThrottled, attempt, err)
		}
		wait := time.Duration(jitter(int64(delay)))
		delay = min(2*delay, o.MaxDelay)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// jitter returns a random duration between d/2 and d.
func jitter(d int64) int64 {
	if d <= 1 {
		return d
	}
	return d/2 + rand.Int64N(d/2+1)
}

// ValueSeries is a series of raw metric values, one per period of the
// enclosing result's range (zero where AWS returned no datapoint).
type ValueSeries []float64

// Total returns the sum of the values.
func (v ValueSeries) Total() float64 {
	var t float64
	for _, x := range v {
		t += x
	}
	return t
}

// Max returns the largest value, or 0 for an empty series.
func (v ValueSeries) Max() float64 {
	var m float64
	for i, x := range v {
		if i == 0 || x > m {
			m = x
		}
	}
	return m
}

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

// MetricsInsightsQuery returns a CloudWatch Metrics Insights query that sums
// stat ("SUM" or "COUNT") of the flow's success metric over every client of
// the pool: COUNT gives attempts and SUM successes. Such a query adapts as
// clients come and go and can back an alarm, but reads only the last three
// hours (FACTS.md 4.2).
func MetricsInsightsQuery(pool UserPoolID, flow Flow, stat string) (string, error) {
	if err := pool.Validate(); err != nil {
		return "", err
	}
	if !flow.valid() {
		return "", fmt.Errorf("unknown flow %v", flow)
	}
	if stat != "SUM" && stat != "COUNT" {
		return "", fmt.Errorf("metrics insights statistic %q: want SUM or COUNT", stat)
	}
	schema := `SCHEMA("AWS/Cognito", UserPool, UserPoolClient)`
	if flow == Federation {
		schema = `SCHEMA("AWS/Cognito", UserPool, UserPoolClient, IdentityProvider)`
	}
	// The pool ID has been validated against [\w-]+_[0-9a-zA-Z]+: it holds
	// no quote or backslash.
	return fmt.Sprintf("SELECT %s(%s) FROM %s WHERE UserPool = '%s'", stat, flow.SuccessesMetric(), schema, pool), nil
}

// Clients returns the app clients that have AWS/Cognito series for the pool,
// as ListMetrics lists them: clients with a datapoint in the last two weeks
// (FACTS.md 1.1), sorted, without the pseudo-clients. Use it to scope
// CloudTrail events of API calls, which may name a client but no pool
// (FACTS.md 8.5).
func (c *MetricsClient) Clients(ctx context.Context, pool UserPoolID) ([]ClientID, error) {
	if err := pool.Validate(); err != nil {
		return nil, err
	}
	in := &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(CognitoNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String(dimUserPool), Value: aws.String(string(pool))}},
	}
	seen := map[ClientID]bool{}
	var out []ClientID
	var usage Usage
	for m, err := range c.listMetrics(ctx, in, &usage) {
		if err != nil {
			return nil, err
		}
		id := ClientID(dimValue(m.Dimensions, dimUserPoolClient))
		if id == "" || id.IsPseudo() || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	slices.Sort(out)
	return out, nil
}
