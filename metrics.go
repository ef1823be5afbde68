package cognitomon

import (
	"context"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/cognitomon/cognitomon/internal/text"
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

// allFlows returns the four flows in report order.
func allFlows() []Flow { return []Flow{SignIn, SignUp, TokenRefresh, Federation} }

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

// Count counts one request with outcome o: an attempt, and a success or a
// throttle when o says so (a throttled request is also a failure).
func (c *Counts) Count(o Outcome) {
	c.Attempts++
	switch o {
	case OutcomeSuccess:
		c.Successes++
	case OutcomeThrottled:
		c.Throttles++
	}
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
	// Coverage says what the figures cover: the range asked for, the first
	// and last period with any attempt, the metrics source, and Warnings as
	// notes. A pool whose metrics show no series is a gap (wrong pool or
	// Region, no traffic in the last 14 days, or clients to pass).
	Coverage Coverage
}

// coverage derives the Coverage of finished stats.
func (s *Stats) coverage() Coverage {
	c := Coverage{Requested: s.Requested, Notes: slices.Clone(s.Warnings)}
	series := 0
	for _, fs := range s.Flows {
		series += len(fs.Clients)
		for t, n := range fs.Series.All() {
			if n.Attempts > 0 {
				c.see(t)
			}
		}
	}
	src := Source{Name: "cloudwatch-metrics", Status: SourceRead}
	if series == 0 {
		src.Status = SourceFailed
		src.Reason = fmt.Sprintf("no AWS/Cognito series for user pool %s: check the pool ID and the Region, whether it had traffic in the last 14 days (ListMetrics lists no older series), or pass the clients", s.UserPool)
	}
	c.AddSource(src)
	return c
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
	// Flows defaults to all four, in the order of the Flow constants.
	Flows []Flow
	// Period overrides MetricsOptions.Period for this call.
	Period time.Duration
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
			return nil, fmt.Errorf("identity provider %q: must be 1 to 1024 characters", text.Truncate(p))
		}
	}
	flows := in.Flows
	if len(flows) == 0 {
		flows = allFlows()
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
	if err := checkSums(set, counts); err != nil {
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
	st.Coverage = st.coverage()
	return st, nil
}

// checkSums rejects a period whose Sum of a *Successes metric is above its
// SampleCount. With datapoints of 0 or 1 (FACTS.md 1.1) that cannot be; if
// AWS ever answers so, the derived failures would be negative, and a
// negative failure count is no figure to report.
func checkSums(set seriesSet, counts []Series) error {
	for i, s := range set.series {
		for k, c := range counts[i].Counts {
			if c.Successes <= c.Attempts {
				continue
			}
			who := "client " + string(s.client)
			if s.provider != "" {
				who += ", identity provider " + s.provider
			}
			return fmt.Errorf("GetMetricData: %s for %s at %s: Sum %d is above SampleCount %d, so the datapoints are not the documented 0 or 1 and failures (SampleCount - Sum) cannot be derived",
				s.flow.SuccessesMetric(), who, counts[i].Time(k).UTC().Format(time.RFC3339), c.Successes, c.Attempts)
		}
	}
	return nil
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
