package cognitomon

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// DefinitionOptions change the documented defaults of the standard alarms.
// StandardAlarms applies them to every alarm it returns; zero values keep
// the defaults. To change one alarm's threshold or actions, pick it from the
// returned slice by name and set its fields.
type DefinitionOptions struct {
	// Prefix starts every alarm's name. Default "cognitomon-<pool>-"; an
	// AlarmManager manages only names with its own prefix.
	Prefix string
	// Period is the length of a datapoint. Default 5 minutes, the interval
	// at which Cognito publishes (FACTS.md 1.1); alarms on AWS/Cognito
	// metrics need a multiple of it.
	Period time.Duration
	// EvaluationPeriods (N) and DatapointsToAlarm (M) replace each alarm's
	// defaults.
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
	// Events are the CloudTrail event names that the admin-changes alarm
	// counts. Default: the names internal/eventnames marks RiskyAdmin.
	Events []string
	// Namespace is the root of the namespace that the metric filters
	// publish to; the pool's ID is appended. Default "Cognitomon".
	Namespace string
}

// definition is one alarm's resolved options: the caller's, over the
// alarm's own name and threshold and the common defaults.
type definition struct {
	DefinitionOptions
	name      string
	threshold float64
}

// resolveOptions applies optFns over the defaults of one alarm.
func resolveOptions(pool UserPoolID, name string, threshold float64, n, m int, optFns []func(*DefinitionOptions)) definition {
	var o DefinitionOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prefix == "" {
		o.Prefix = alarmPrefix(pool)
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
		o.Namespace = filterNamespace
	}
	return definition{DefinitionOptions: o, name: name, threshold: threshold}
}

// base returns an alarm with the definition's common settings.
func (o definition) base(pool UserPoolID) Alarm {
	tags := map[string]string{"ManagedBy": "cognitomon", "UserPool": string(pool)}
	for k, v := range o.Tags {
		tags[k] = v
	}
	return Alarm{
		Name:                    o.Prefix + o.name,
		Period:                  o.Period,
		EvaluationPeriods:       o.EvaluationPeriods,
		DatapointsToAlarm:       o.DatapointsToAlarm,
		Comparison:              cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold:               o.threshold,
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
func (s flowAlarmSpec) build(pool UserPoolID, clients []ClientID, providers []string, o definition) (Alarm, error) {
	a := o.base(pool)
	if o.Period <= 0 || o.Period%time.Minute != 0 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Period", Problem: fmt.Sprintf("%s is not a whole number of minutes", o.Period)}
	}
	if o.MinAttempts < 1 {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "MinAttempts", Problem: fmt.Sprintf("%d: must be at least 1", o.MinAttempts)}
	}
	if s.kind == watchThrottles {
		return s.poolThrottles(pool, clients, o, a)
	}
	if n := len(clients) * max(1, len(providers)) * s.statsPerSeries(); n > maxAlarmMetricStats {
		return Alarm{}, &AlarmError{Alarm: a.Name, Field: "Queries", Problem: fmt.Sprintf("%d series need %d MetricStat queries, more than the %d an alarm may hold; pass fewer clients per alarm (StandardAlarms splits them)", n/s.statsPerSeries(), n, maxAlarmMetricStats)}
	}
	qs, err := s.math(pool, clients, providers, o.Period)
	if err != nil {
		return Alarm{}, fmt.Errorf("alarm %q: %w", a.Name, err)
	}
	a.Queries = qs
	var watch string
	switch s.kind {
	case watchFailureRate:
		watch = guardedRateID
		a.measure = measurePercent
		a.Queries = append(a.Queries, MetricQuery{
			ID:         guardedRateID,
			Expression: fmt.Sprintf("IF(%s >= %d, %s, 0)", MathAttempts, o.MinAttempts, MathFailureRate),
			Label:      fmt.Sprintf("%s failure rate (%%) with at least %d attempts", s.flow, o.MinAttempts),
		})
		a.Description = fmt.Sprintf("%s failure rate (%%) of user pool %s: 100 * (SampleCount - Sum) / SampleCount of %s summed over the app clients in the metrics, throttled requests included; 0 in periods with fewer than %d attempts.", flowWords(s.flow), pool, s.flow.SuccessesMetric(), o.MinAttempts)
	case watchFailures:
		watch = MathFailures
		a.measure = measureCount
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

// math returns FlowMath's queries over exactly these clients as alarm
// queries, without ReturnData (build prunes them and marks the watched one).
func (s flowAlarmSpec) math(pool UserPoolID, clients []ClientID, providers []string, period time.Duration) ([]MetricQuery, error) {
	qs, err := FlowMath(MathInput{UserPool: pool, Flow: s.flow, Clients: clients, IdentityProviders: providers, Period: period})
	if err != nil {
		return nil, err
	}
	out := make([]MetricQuery, 0, len(qs))
	for _, q := range qs {
		mq := MetricQuery{ID: aws.ToString(q.Id), Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label)}
		if ms := q.MetricStat; ms != nil {
			mq.Metric = &MetricStat{Namespace: aws.ToString(ms.Metric.Namespace), MetricName: aws.ToString(ms.Metric.MetricName), Stat: aws.ToString(ms.Stat)}
			for _, d := range ms.Metric.Dimensions {
				mq.Metric.Dimensions = append(mq.Metric.Dimensions, Dimension{Name: aws.ToString(d.Name), Value: aws.ToString(d.Value)})
			}
		}
		out = append(out, mq)
	}
	return out, nil
}

// poolThrottles makes the alarm on a flow's throttled requests to the whole
// pool: one Metrics Insights query summing the flow's *Throttles metric over
// every UserPoolClient series of the pool, pseudo-clients and clients
// created later included, so it is never split over groups of clients
// (FACTS.md 1.1 gives this form of pool-wide query and says it can back an
// alarm; 9.4 f: at most 200 such alarms per account and Region, and they see
// the last three hours). Backtest cannot read three hours back, so the alarm
// carries the same sum over the listed clients for replaying history.
func (s flowAlarmSpec) poolThrottles(pool UserPoolID, clients []ClientID, o definition, a Alarm) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	for _, c := range clients {
		if err := c.Validate(); err != nil {
			return Alarm{}, fmt.Errorf("alarm %q: %w", a.Name, err)
		}
	}
	// The pool ID has been validated against [\w-]+_[0-9a-zA-Z]+: it holds
	// no quote or backslash, so it can stand inside the string literal.
	query := fmt.Sprintf(`SELECT SUM(%s) FROM SCHEMA("%s", UserPool, UserPoolClient) WHERE UserPool = '%s'`, s.flow.ThrottlesMetric(), CognitoNamespace, pool)
	a.measure = measureCount
	a.Queries = []MetricQuery{{ID: MathThrottles, Expression: query, Label: s.flow.String() + " " + MathThrottles, ReturnData: true}}
	a.Description = fmt.Sprintf("Throttled %s requests to user pool %s: Sum of %s over every app client of the pool (a Metrics Insights query). Managed by cognitomon.", strings.ToLower(flowWords(s.flow)), pool, s.flow.ThrottlesMetric())
	if len(clients) > 0 {
		replay, err := s.math(pool, clients, nil, o.Period)
		if err != nil {
			return Alarm{}, fmt.Errorf("alarm %q: %w", a.Name, err)
		}
		for i := range replay {
			replay[i].ReturnData = replay[i].ID == MathThrottles
		}
		a.replay, a.replayOf = prune(replay, MathThrottles), query
	}
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

// StandardAlarms returns a pool's standard alarms with their defaults, named
// under the prefix (default "cognitomon-<pool>-"):
//
//	signin-failure-rate      guarded sign-in failure rate (%) over the clients
//	signin-throttles         throttled sign-ins to the whole pool
//	refresh-failures         failed token refreshes over the clients
//	signup-failure-rate      guarded sign-up failure rate (%) over the clients
//	federation-failure-rate  with IdentityProviders: over clients x providers
//	admin-changes            with TrailLogGroup: risky admin changes (metric filter)
//	m2m-tokens               with TrailLogGroup: client_credentials tokens (metric filter)
//
// docs/alarms.md gives each alarm's math and defaults. The failure alarms
// list the clients (plus the pseudo-clients), because their arithmetic
// needs two statistics per series and SEARCH cannot back an alarm (FACTS.md
// 4.2); where the clients need more MetricStat queries than one alarm may
// hold (10, FACTS.md 4.3), the alarm is split over groups of clients by a
// stable hash of their IDs, named with the group's hash bits ("-0", "-10",
// "-11" ...), so that adding a client changes only the group it joins
// (groupClients documents the rule). The throttle alarm is one Metrics
// Insights query over every client of the pool and is never split.
//
// optFns apply to every alarm. To change one alarm, pick it from the slice
// by name and set its fields (Threshold, AlarmActions ...) before planning.
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
		if s.kind == watchThrottles {
			a, err := s.build(in.UserPool, all, nil, o)
			if err != nil {
				return err
			}
			out = append(out, a)
			return nil
		}
		per := maxAlarmMetricStats / s.statsPerSeries() / max(1, len(providers))
		if per == 0 {
			return fmt.Errorf("alarm %q: %d identity providers are too many for one alarm; at most %d fit", o.Prefix+o.name, len(providers), maxAlarmMetricStats/s.statsPerSeries())
		}
		groups, err := groupClients(all, per)
		if err != nil {
			return fmt.Errorf("alarm %q: %w", o.Prefix+o.name, err)
		}
		for _, g := range groups {
			og := o
			if g.suffix != "" {
				og.name = o.name + "-" + g.suffix
			}
			a, err := s.build(in.UserPool, g.clients, providers, og)
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
		for _, fn := range []func(UserPoolID, string, ...func(*DefinitionOptions)) (Alarm, error){riskyAdminChangesAlarm, machineTokenSpikeAlarm} {
			a, err := fn(in.UserPool, in.TrailLogGroup, optFns...)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}
