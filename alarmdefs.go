package cognitomon

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// DefinitionOptions change the documented defaults of an alarm constructor.
// Zero values keep the defaults.
type DefinitionOptions struct {
	// Prefix starts the alarm's name. Default AlarmPrefix(pool); an
	// AlarmManager manages only names with its own prefix.
	Prefix string
	// Name follows the prefix. Each constructor has its own default, such
	// as "signin-failure-rate".
	Name string
	// Threshold replaces the constructor's default threshold. Zero keeps the
	// default; to alarm at exactly 0, set Alarm.Threshold on the result.
	Threshold float64
	// Period is the length of a datapoint. Default 5 minutes, the interval
	// at which Cognito publishes (FACTS.md 1.1); alarms on AWS/Cognito
	// metrics need a multiple of it.
	Period time.Duration
	// EvaluationPeriods (N) and DatapointsToAlarm (M) replace the defaults.
	EvaluationPeriods int
	DatapointsToAlarm int
	// TreatMissingData replaces the default, MissingDataNotBreaching:
	// Cognito publishes no datapoint for a period without traffic.
	TreatMissingData MissingData
	// MinAttempts is the minimum-volume guard of the failure-rate alarms:
	// a period with fewer attempts never breaches, so that three failures
	// out of five attempts at night page nobody. Default 20.
	MinAttempts int
	// The actions (ARNs, such as SNS topics) for the transitions to ALARM,
	// OK and INSUFFICIENT_DATA. Default none.
	AlarmActions            []string
	OKActions               []string
	InsufficientDataActions []string
	// Tags are added to the default tags, ManagedBy=cognitomon and
	// UserPool=<pool>, and may replace their values.
	Tags map[string]string
	// ExcludePseudoClients leaves out the pseudo-clients that AWS documents
	// for the flow (Invalid for sign-in and token refresh, Admin for
	// sign-up), which are otherwise added to the clients, as
	// MetricsClient.Stats adds them.
	ExcludePseudoClients bool
	// Events are the CloudTrail event names that RiskyAdminChangesAlarm
	// counts. Default RiskyAdminEvents().
	Events []string
	// Namespace is the root of the namespace that the metric filters
	// publish to; the pool's ID is appended. Default Namespace.
	Namespace string
}

// resolveOptions applies optFns over the defaults of one constructor.
func resolveOptions(pool UserPoolID, name string, threshold float64, n, m int, optFns []func(*DefinitionOptions)) DefinitionOptions {
	var o DefinitionOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prefix == "" {
		o.Prefix = AlarmPrefix(pool)
	}
	if o.Name == "" {
		o.Name = name
	}
	if o.Threshold == 0 {
		o.Threshold = threshold
	}
	if o.Period == 0 {
		o.Period = cognitoPublishPeriod
	}
	if o.EvaluationPeriods == 0 {
		o.EvaluationPeriods = n
	}
	if o.DatapointsToAlarm == 0 {
		o.DatapointsToAlarm = min(m, o.EvaluationPeriods)
	}
	if o.TreatMissingData == "" {
		o.TreatMissingData = MissingDataNotBreaching
	}
	if o.MinAttempts == 0 {
		o.MinAttempts = 20
	}
	if o.Namespace == "" {
		o.Namespace = Namespace
	}
	return o
}

// base returns an alarm with the options' common settings.
func (o DefinitionOptions) base(pool UserPoolID) Alarm {
	tags := map[string]string{"ManagedBy": "cognitomon", "UserPool": string(pool)}
	for k, v := range o.Tags {
		tags[k] = v
	}
	return Alarm{
		Name:                    o.Prefix + o.Name,
		Period:                  o.Period,
		EvaluationPeriods:       o.EvaluationPeriods,
		DatapointsToAlarm:       o.DatapointsToAlarm,
		Comparison:              cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:               o.Threshold,
		TreatMissingData:        o.TreatMissingData,
		AlarmActions:            slices.Clone(o.AlarmActions),
		OKActions:               slices.Clone(o.OKActions),
		InsufficientDataActions: slices.Clone(o.InsufficientDataActions),
		Tags:                    tags,
	}
}

// flowAlarmKind is what a metric-math alarm over a flow's series watches.
type flowAlarmKind int

const (
	watchFailureRate flowAlarmKind = iota // guarded 100 * failures / attempts
	watchThrottles                        // sum of *Throttles
	watchFailures                         // attempts - successes
)

// flowAlarmSpec is one of the standard metric-math alarms.
type flowAlarmSpec struct {
	flow      Flow
	kind      flowAlarmKind
	name      string
	threshold float64
}

// The standard metric-math alarms and their defaults.
var (
	signInFailureRateSpec     = flowAlarmSpec{SignIn, watchFailureRate, "signin-failure-rate", 20}
	signUpFailureRateSpec     = flowAlarmSpec{SignUp, watchFailureRate, "signup-failure-rate", 20}
	federationFailureRateSpec = flowAlarmSpec{Federation, watchFailureRate, "federation-failure-rate", 20}
	signInThrottlesSpec       = flowAlarmSpec{SignIn, watchThrottles, "signin-throttles", 100}
	refreshFailuresSpec       = flowAlarmSpec{TokenRefresh, watchFailures, "refresh-failures", 50}
)

// statsPerSeries is how many MetricStat queries one series costs the alarm.
func (s flowAlarmSpec) statsPerSeries() int {
	if s.kind == watchThrottles {
		return 1
	}
	return 2
}

// withPseudo returns clients plus the flow's documented pseudo-clients,
// unless excluded, deduplicated and sorted so that the definition does not
// depend on the order the caller found its clients in.
func withPseudo(flow Flow, clients []ClientID, exclude bool) []ClientID {
	out := slices.Clone(clients)
	if !exclude {
		out = append(out, flow.pseudoClients()...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s flowAlarmSpec) define(pool UserPoolID, clients []ClientID, providers []string, optFns []func(*DefinitionOptions)) (Alarm, error) {
	o := resolveOptions(pool, s.name, s.threshold, 1, 1, optFns)
	return s.build(pool, withPseudo(s.flow, clients, o.ExcludePseudoClients), sortedProviders(providers), o)
}

// sortedProviders returns the providers sorted and deduplicated, so that the
// definition does not depend on the order they were found in.
func sortedProviders(providers []string) []string {
	out := slices.Clone(providers)
	slices.Sort(out)
	return slices.Compact(out)
}

// build makes the alarm over exactly these clients, from FlowMath's queries
// pruned to what the watched value needs.
func (s flowAlarmSpec) build(pool UserPoolID, clients []ClientID, providers []string, o DefinitionOptions) (Alarm, error) {
	a := o.base(pool)
	if o.Period <= 0 || o.Period%time.Minute != 0 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Period", Problem: fmt.Sprintf("%s is not a whole number of minutes", o.Period)}
	}
	if o.MinAttempts < 1 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "MinAttempts", Problem: fmt.Sprintf("%d: must be at least 1", o.MinAttempts)}
	}
	if n := len(clients) * max(1, len(providers)) * s.statsPerSeries(); n > maxAlarmMetricStats {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Queries", Problem: fmt.Sprintf("%d series need %d MetricStat queries, more than the %d an alarm may hold; pass fewer clients per alarm (StandardAlarms splits them)", n/s.statsPerSeries(), n, maxAlarmMetricStats)}
	}
	qs, err := FlowMath(MathInput{UserPool: pool, Flow: s.flow, Clients: clients, IdentityProviders: providers, Period: o.Period})
	if err != nil {
		return Alarm{}, fmt.Errorf("alarm %q: %w", a.Name, err)
	}
	for _, q := range qs {
		mq := MetricQuery{ID: aws.ToString(q.Id), Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label)}
		if ms := q.MetricStat; ms != nil {
			mq.Metric = &MetricStat{Namespace: aws.ToString(ms.Metric.Namespace), MetricName: aws.ToString(ms.Metric.MetricName), Stat: aws.ToString(ms.Stat)}
			for _, d := range ms.Metric.Dimensions {
				mq.Metric.Dimensions = append(mq.Metric.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
			}
		}
		a.Queries = append(a.Queries, mq)
	}
	var watch string
	switch s.kind {
	case watchFailureRate:
		watch = guardedRateID
		a.Measure = MeasurePercent
		a.Queries = append(a.Queries, MetricQuery{
			ID:         guardedRateID,
			Expression: fmt.Sprintf("IF(%s >= %d, %s, 0)", MathAttempts, o.MinAttempts, MathFailureRate),
			Label:      fmt.Sprintf("%s failure rate (%%) with at least %d attempts", s.flow, o.MinAttempts),
		})
		a.Description = fmt.Sprintf("%s failure rate (%%) of user pool %s: 100 * (SampleCount - Sum) / SampleCount of %s summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than %d attempts.", flowWords(s.flow), pool, s.flow.SuccessesMetric(), o.MinAttempts)
	case watchThrottles:
		watch = MathThrottles
		a.Measure = MeasureCount
		a.Description = fmt.Sprintf("Throttled %s requests to user pool %s: Sum of %s summed over the app clients in the metrics.", strings.ToLower(flowWords(s.flow)), pool, s.flow.ThrottlesMetric())
	case watchFailures:
		watch = MathFailures
		a.Measure = MeasureCount
		a.Description = fmt.Sprintf("%s failures of user pool %s: SampleCount - Sum of %s summed over the app clients in the metrics, throttled requests included.", flowWords(s.flow), pool, s.flow.SuccessesMetric())
	}
	if len(providers) > 0 {
		a.Description += " Identity providers: " + strings.Join(providers, ", ") + "."
	}
	a.Description += " Managed by cognitomon."
	for i := range a.Queries {
		a.Queries[i].ReturnData = a.Queries[i].ID == watch
	}
	a.Queries = prune(a.Queries, watch)
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}
	return a, nil
}

// flowWords names a flow in a sentence.
func flowWords(f Flow) string {
	switch f {
	case SignIn:
		return "Sign-in"
	case SignUp:
		return "Sign-up"
	case TokenRefresh:
		return "Token-refresh"
	}
	return "Federated sign-in"
}

// prune keeps the queries that the watched query needs, in their order.
func prune(qs []MetricQuery, watch string) []MetricQuery {
	byID := map[string]MetricQuery{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	need := map[string]bool{}
	var visit func(id string)
	visit = func(id string) {
		if need[id] {
			return
		}
		need[id] = true
		for _, w := range queryRefPattern.FindAllString(byID[id].Expression, -1) {
			if _, ok := byID[w]; ok {
				visit(w)
			}
		}
	}
	visit(watch)
	var out []MetricQuery
	for _, q := range qs {
		if need[q.ID] {
			out = append(out, q)
		}
	}
	return out
}

// SignInFailureRateAlarm returns the alarm on a pool's sign-in failure rate:
// 100 * (SampleCount - Sum) / SampleCount of SignInSuccesses summed over the
// clients (plus the Invalid pseudo-client), guarded so that a period with
// fewer than MinAttempts attempts counts as 0:
//
//	attempts     = SUM([n0, n1, ...])     SampleCount per client
//	successes    = SUM([s0, s1, ...])     Sum per client
//	failures     = attempts - successes
//	failure_rate = 100 * failures / attempts
//	guarded_rate = IF(attempts >= 20, failure_rate, 0)   watched
//
// Defaults: above 20 (%) in 1 of 1 five-minute periods, MinAttempts 20,
// missing data not breaching. The clients are listed because SEARCH cannot
// back an alarm (FACTS.md 4.2); an alarm holds at most 10 MetricStat
// queries, so at most 5 series (see docs/alarms.md for why not Metrics
// Insights). List the clients with MetricsClient.Stats or pass them.
func SignInFailureRateAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signInFailureRateSpec.define(pool, clients, nil, optFns)
}

// SignUpFailureRateAlarm is SignInFailureRateAlarm for sign-ups
// (SignUpSuccesses, with the Admin pseudo-client). Defaults: above 20 (%)
// in 1 of 1 five-minute periods with at least 20 attempts.
func SignUpFailureRateAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signUpFailureRateSpec.define(pool, clients, nil, optFns)
}

// FederationFailureRateAlarm is SignInFailureRateAlarm for federated
// sign-ins (FederationSuccesses), over every pair of the clients and
// identity providers; AWS documents no pseudo-client for federation.
// Defaults: above 20 (%) in 1 of 1 five-minute periods with at least 20
// attempts.
func FederationFailureRateAlarm(pool UserPoolID, clients []ClientID, providers []string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if len(providers) == 0 {
		return Alarm{}, errors.New("federation failure-rate alarm needs at least one identity provider")
	}
	return federationFailureRateSpec.define(pool, clients, providers, optFns)
}

// SignInThrottlesAlarm returns the alarm on a pool's throttled sign-ins,
// Sum of SignInThrottles summed over the clients (plus Invalid):
//
//	throttles = SUM([t0, t1, ...])   watched
//
// Defaults: above 100 in 1 of 1 five-minute periods, missing data not
// breaching. At most 10 series.
func SignInThrottlesAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return signInThrottlesSpec.define(pool, clients, nil, optFns)
}

// TokenRefreshFailuresAlarm returns the alarm on a pool's failed token
// refreshes, SampleCount - Sum of TokenRefreshSuccesses summed over the
// clients (plus Invalid), throttled refreshes included:
//
//	attempts  = SUM([n0, n1, ...])
//	successes = SUM([s0, s1, ...])
//	failures  = attempts - successes   watched
//
// Defaults: above 50 in 1 of 1 five-minute periods, missing data not
// breaching. At most 5 series.
func TokenRefreshFailuresAlarm(pool UserPoolID, clients []ClientID, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	return refreshFailuresSpec.define(pool, clients, nil, optFns)
}

// StandardAlarmsInput says which alarms StandardAlarms defines.
type StandardAlarmsInput struct {
	// UserPool is required.
	UserPool UserPoolID
	// Clients are the pool's app clients, required (discover them with
	// MetricsClient.Stats). The documented pseudo-clients are added.
	Clients []ClientID
	// IdentityProviders, when set, add the federation failure-rate alarm
	// over FederationClients (default Clients) and these providers.
	IdentityProviders []string
	FederationClients []ClientID
	// TrailLogGroup, when set, adds the metric-filter alarms on the
	// CloudTrail log group: risky admin changes and M2M token spikes.
	TrailLogGroup string
}

// StandardAlarms returns a pool's standard alarms with their defaults: sign-in
// failure rate, sign-in throttles, token-refresh failures, sign-up failure
// rate, federation failure rate (with IdentityProviders) and the CloudTrail
// alarms (with TrailLogGroup). Where the clients need more MetricStat queries
// than one alarm may hold, an alarm is split into several over groups of
// clients, named with "-1", "-2" ... optFns apply to every alarm: use them
// for actions, tags and the prefix, and the constructors for per-alarm
// thresholds.
func StandardAlarms(in StandardAlarmsInput, optFns ...func(*DefinitionOptions)) ([]Alarm, error) {
	if err := in.UserPool.Validate(); err != nil {
		return nil, err
	}
	if len(in.Clients) == 0 {
		return nil, errors.New("standard alarms need the pool's app clients; list them with MetricsClient.Stats")
	}
	var out []Alarm
	split := func(s flowAlarmSpec, clients []ClientID, providers []string) error {
		o := resolveOptions(in.UserPool, s.name, s.threshold, 1, 1, optFns)
		all := withPseudo(s.flow, clients, o.ExcludePseudoClients)
		per := maxAlarmMetricStats / s.statsPerSeries() / max(1, len(providers))
		if per == 0 {
			return fmt.Errorf("alarm %q: %d identity providers are too many for one alarm; use FederationFailureRateAlarm with at most %d", o.Prefix+o.Name, len(providers), maxAlarmMetricStats/s.statsPerSeries())
		}
		groups := slices.Collect(slices.Chunk(all, per))
		for i, g := range groups {
			og := o
			if len(groups) > 1 {
				og.Name = o.Name + "-" + strconv.Itoa(i+1)
			}
			a, err := s.build(in.UserPool, g, providers, og)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
		return nil
	}
	for _, s := range []flowAlarmSpec{signInFailureRateSpec, signInThrottlesSpec, refreshFailuresSpec, signUpFailureRateSpec} {
		if err := split(s, in.Clients, nil); err != nil {
			return nil, err
		}
	}
	if len(in.IdentityProviders) > 0 {
		fc := in.FederationClients
		if fc == nil {
			fc = in.Clients
		}
		if err := split(federationFailureRateSpec, fc, sortedProviders(in.IdentityProviders)); err != nil {
			return nil, err
		}
	}
	if in.TrailLogGroup != "" {
		for _, fn := range []func(UserPoolID, string, ...func(*DefinitionOptions)) (Alarm, error){RiskyAdminChangesAlarm, MachineTokenSpikeAlarm} {
			a, err := fn(in.UserPool, in.TrailLogGroup, optFns...)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}
