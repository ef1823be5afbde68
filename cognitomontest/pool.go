// Package cognitomontest provides what tests of code built on cognitomon
// need, as net/http/httptest does for net/http: a simulated user pool, fakes
// of the AWS APIs that read it, and an HTTP server that speaks the services'
// real wire protocols.
//
// The simulated Pool is the one world every fake reads. Record attempts on
// it (a sign-in from an IP that failed, a refresh that was throttled ...) and
// the CloudWatch fake answers with the datapoints Cognito would have
// published for them, with Cognito's real semantics: one datapoint per
// request in the flow's *Successes metric, 1 when tokens were issued and 0
// otherwise, plus a 1 in the *Throttles metric for a throttled request, with
// the dimensions UserPool and UserPoolClient (and IdentityProvider for
// federation). Because every source derives from the same attempts, figures
// from different sources agree in tests as they would in a healthy account.
//
// The fakes are safe for concurrent use. Their fault switches (throttling,
// partial data, failed statuses) let a test check how code copes with AWS
// having a bad day.
package cognitomontest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cognitomon/cognitomon"
)

// Outcome is how a simulated attempt ended.
type Outcome int

// The outcomes.
const (
	// Success: Cognito issued tokens (or registered the user, for sign-up).
	Success Outcome = iota + 1
	// Failure: Cognito answered with an error.
	Failure
	// Throttled: Cognito refused the request for its rate (quota) limit.
	Throttled
)

// String returns "Success", "Failure" or "Throttled".
func (o Outcome) String() string {
	switch o {
	case Success:
		return "Success"
	case Failure:
		return "Failure"
	case Throttled:
		return "Throttled"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Attempt is one simulated request to a user pool.
type Attempt struct {
	// Time is when the request was made. Required.
	Time time.Time
	// Flow is the metric flow it counts in. Required.
	Flow cognitomon.Flow
	// Client is the app client ID, or cognitomon.AdminClient or
	// cognitomon.InvalidClient as Cognito's metrics would name it. Required.
	Client cognitomon.ClientID
	// IdentityProvider names the provider of a federated sign-in; required
	// for Federation, ignored otherwise.
	IdentityProvider string
	// User, IP and UserAgent describe the caller; the CloudTrail fakes
	// report them.
	User      string
	IP        string
	UserAgent string
	// Outcome is required.
	Outcome Outcome
	// ErrorCode is the Cognito error of a failure (NotAuthorizedException
	// when empty) and is ignored otherwise.
	ErrorCode string
	// ErrorMessage, when set, is the failure's errorMessage in its
	// CloudTrail records instead of the code's usual text ("Password
	// attempts exceeded" for a locked-out user).
	ErrorMessage string
	// Path is the API the request went through; it decides the CloudTrail
	// records the attempt leaves, not its metrics.
	Path Path
	// RiskLevel, RiskDecision and CompromisedCredentials are what threat
	// protection decided, on a pool with PoolOptions.ThreatProtection, as
	// the user-activity log spells them: RiskLevel "", "LOW", "MEDIUM" or
	// "HIGH"; RiskDecision "PASS" (the default), "BLOCK" or
	// "ACCOUNT_TAKEOVER". AWS documents only "PASS" and "" from a sample
	// (FACTS.md 5.3), so code should compare them case-insensitively.
	RiskLevel              string
	RiskDecision           string
	CompromisedCredentials bool
}

// Path is how a simulated attempt reached Cognito.
type Path int

// The paths. Each names the CloudTrail records an attempt leaves.
const (
	// PathDefault is the flow's plain API call: InitiateAuth with
	// USER_PASSWORD_AUTH (sign-in) or REFRESH_TOKEN_AUTH (refresh), SignUp,
	// and for federation a SAML2Response_POST to the managed-login domain.
	PathDefault Path = iota
	// PathSRP (sign-in): InitiateAuth with USER_SRP_AUTH answered with a
	// PASSWORD_VERIFIER challenge, then RespondToAuthChallenge, which
	// carries the outcome. The challenge step adds no metric datapoint
	// here (whether it does in AWS is unverified, FACTS.md 8.2).
	PathSRP
	// PathAdmin: a back end calls AdminInitiateAuth (sign-in, refresh) or
	// AdminCreateUser (sign-up) with IAM credentials.
	PathAdmin
	// PathGetTokens (refresh): GetTokensFromRefreshToken.
	PathGetTokens
	// PathManagedLogin: the managed-login pages. Sign-in is login_POST
	// (then Token_POST with authorization_code on success), refresh is
	// Token_POST with refresh_token, sign-up is signup_POST.
	PathManagedLogin
)

// Request is a simulated request that no AWS/Cognito success metric counts:
// a machine-to-machine token request, a password reset, an admin change.
type Request struct {
	// Time is when the request was made. Required.
	Time time.Time
	// Name is the CloudTrail event name ("Token_POST", "ForgotPassword",
	// "SetUserPoolMfaConfig" ...). Required.
	Name string
	// Client is the app client, where the request names one.
	Client cognitomon.ClientID
	// GrantType is the OAuth grant of a Token_POST ("client_credentials").
	GrantType string
	// User, IP and UserAgent describe the caller.
	User      string
	IP        string
	UserAgent string
	// Caller is the IAM ARN of an admin operation's caller.
	Caller string
	// Parameters are the request parameters of an API call, as CloudTrail
	// logs them.
	Parameters map[string]any
	// Outcome defaults to Success.
	Outcome Outcome
	// ErrorCode is the error of a failure.
	ErrorCode string
	// ErrorMessage, when set, is the failure's errorMessage instead of the
	// code's usual text.
	ErrorMessage string
}

// PoolOptions configure a simulated pool. Zero values mean the documented
// defaults.
type PoolOptions struct {
	// Account is the AWS account ID in records. Default "123456789012".
	Account string
	// Domain is the managed-login domain. Default
	// "<pool id suffix, lower case>.auth.<region>.amazoncognito.com".
	Domain string
	// ThreatProtection makes the pool publish the threat-protection
	// metrics (Risk, NoRisk, AccountTakeoverRisk, CompromisedCredentialRisk,
	// dimension UserPoolId) and the user-activity log for its sign-ins and
	// sign-ups, as a Plus-plan pool with threat protection does.
	ThreatProtection bool
	// APIEventsCarryPoolID adds additionalEventData.userPoolId to the
	// CloudTrail records of unauthenticated API calls (InitiateAuth ...).
	// Whether AWS does is unverified (FACTS.md 8.5), so code must work
	// both ways; the default is not to.
	APIEventsCarryPoolID bool
	// Config is the pool's own configuration, which the Cognito and
	// Trails fakes serve. Default DefaultPoolConfig(id, options).
	Config *PoolConfig
}

func (a Attempt) validate() error {
	switch {
	case a.Time.IsZero():
		return fmt.Errorf("attempt has no time")
	case a.Flow < cognitomon.SignIn || a.Flow > cognitomon.Federation:
		return fmt.Errorf("attempt has unknown flow %v", a.Flow)
	case a.Outcome < Success || a.Outcome > Throttled:
		return fmt.Errorf("attempt has unknown outcome %v", a.Outcome)
	case a.Flow == cognitomon.Federation && a.IdentityProvider == "":
		return fmt.Errorf("federation attempt has no identity provider")
	case a.Path < PathDefault || a.Path > PathManagedLogin:
		return fmt.Errorf("attempt has unknown path %d", a.Path)
	}
	return a.Client.Validate()
}

// Datum is one raw metric datapoint.
type Datum struct {
	Namespace  string
	Name       string
	Dimensions map[string]string
	Time       time.Time
	Value      float64
}

// Pool is a simulated Cognito user pool. Its zero value is not usable; create
// one with NewPool. A Pool is safe for concurrent use.
type Pool struct {
	id cognitomon.UserPoolID

	opts PoolOptions

	mu       sync.RWMutex
	attempts []Attempt
	requests []Request
	version  int // counts changes to attempts and requests

	allTrail      []TrailRecord // the records of attempts[:trailAttempts] and requests[:trailRequests]
	trailAttempts int
	trailRequests int
	trail         []TrailRecord // allTrail outside the gaps, oldest first
	trailVersion  int
	gaps          []cognitomon.TimeRange // when the trail recorded nothing
	series        map[string]*seriesData // by seriesID
	config        PoolConfig             // see cognito.go
}

// seriesData holds the datapoints of one series in time order.
type seriesData struct {
	namespace, name string
	dims            map[string]string
	times           []time.Time
	values          []float64
	sorted          bool
}

// add appends d to its series, creating the series on first use. p.mu must
// be held for writing.
func (p *Pool) add(d Datum) {
	if p.series == nil {
		p.series = map[string]*seriesData{}
	}
	id := seriesID(d.Namespace, d.Name, d.Dimensions)
	s := p.series[id]
	if s == nil {
		s = &seriesData{namespace: d.Namespace, name: d.Name, dims: d.Dimensions, sorted: true}
		p.series[id] = s
	}
	if n := len(s.times); n > 0 && d.Time.Before(s.times[n-1]) {
		s.sorted = false
	}
	s.times = append(s.times, d.Time)
	s.values = append(s.values, d.Value)
}

// NewPool returns an empty simulated pool. It panics if id is not a valid
// user-pool ID, as a test can only pass one by mistake.
func NewPool(id cognitomon.UserPoolID, optFns ...func(*PoolOptions)) *Pool {
	if err := id.Validate(); err != nil {
		panic("cognitomontest: NewPool: " + err.Error())
	}
	var o PoolOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Account == "" {
		o.Account = "123456789012"
	}
	if o.Domain == "" {
		s := string(id)
		o.Domain = strings.ToLower(s[strings.LastIndexByte(s, '_')+1:]) + ".auth." + id.Region() + ".amazoncognito.com"
	}
	p := &Pool{id: id, opts: o}
	if o.Config != nil {
		p.SetConfig(*o.Config)
	} else {
		p.config = DefaultPoolConfig(id, o)
	}
	return p
}

// RecordRequest adds requests that no success metric counts. It panics on a
// request without a time or name.
func (p *Pool) RecordRequest(requests ...Request) {
	for _, r := range requests {
		if r.Time.IsZero() || r.Name == "" {
			panic("cognitomontest: RecordRequest: a request needs a time and a name")
		}
		if r.Client != "" {
			if err := r.Client.Validate(); err != nil {
				panic("cognitomontest: RecordRequest: " + err.Error())
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.version++
	for _, r := range requests {
		r.Time = r.Time.UTC()
		if r.Outcome == 0 {
			r.Outcome = Success
		}
		p.requests = append(p.requests, r)
		if r.Name == "Token_POST" && r.GrantType == "client_credentials" {
			p.addUsage("ClientAuthentication", r.Time, r.Outcome == Throttled)
		}
	}
}

// Requests returns a copy of the recorded requests, in recording order.
func (p *Pool) Requests() []Request {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.requests)
}

// ID returns the pool's ID.
func (p *Pool) ID() cognitomon.UserPoolID { return p.id }

// Record adds attempts to the pool. It panics on an attempt that lacks a
// required field, since that is a mistake in the test.
func (p *Pool) Record(attempts ...Attempt) {
	for _, a := range attempts {
		if err := a.validate(); err != nil {
			panic("cognitomontest: Record: " + err.Error())
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.version++
	for _, a := range attempts {
		a.Time = a.Time.UTC()
		if a.Outcome == Failure && a.ErrorCode == "" {
			a.ErrorCode = "NotAuthorizedException"
		}
		p.attempts = append(p.attempts, a)
		for _, d := range p.datums(a) {
			p.add(d)
		}
		p.addUsage(usageCategory(a.Flow), a.Time, a.Outcome == Throttled)
		if p.opts.ThreatProtection {
			for _, d := range p.riskDatums(a) {
				p.add(d)
			}
		}
	}
}

// PutMetric adds a raw datapoint, for metrics that attempts do not produce
// (the threat-protection metrics, say). Dimensions are copied.
func (p *Pool) PutMetric(d Datum) {
	d.Dimensions = cloneDims(d.Dimensions)
	d.Time = d.Time.UTC()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.add(d)
}

// Attempts returns a copy of the recorded attempts, in recording order.
func (p *Pool) Attempts() []Attempt {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return slices.Clone(p.attempts)
}

// Expected returns the figures that an attempt-by-attempt count gives for the
// flow and client over [start, end): what cognitomon.MetricsClient should
// report. An empty client means all clients.
func (p *Pool) Expected(flow cognitomon.Flow, client cognitomon.ClientID, r cognitomon.TimeRange) cognitomon.Counts {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var c cognitomon.Counts
	for _, a := range p.attempts {
		if a.Flow != flow || (client != "" && a.Client != client) || !r.Contains(a.Time) {
			continue
		}
		c.Attempts++
		switch a.Outcome {
		case Success:
			c.Successes++
		case Throttled:
			c.Throttles++
		}
	}
	return c
}

// sortByTime puts the series' datapoints in time order.
func (s *seriesData) sortByTime() {
	if s.sorted {
		return
	}
	idx := make([]int, len(s.times))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.times[idx[a]].Before(s.times[idx[b]]) })
	times := make([]time.Time, len(idx))
	values := make([]float64, len(idx))
	for i, j := range idx {
		times[i], values[i] = s.times[j], s.values[j]
	}
	s.times, s.values, s.sorted = times, values, true
}

// points calls fn with each datapoint of series id in [start, end), in time
// order.
func (p *Pool) points(id string, start, end time.Time, fn func(time.Time, float64)) {
	p.mu.Lock() // sorting writes
	defer p.mu.Unlock()
	s := p.series[id]
	if s == nil {
		return
	}
	s.sortByTime()
	i := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(start) })
	for ; i < len(s.times) && s.times[i].Before(end); i++ {
		fn(s.times[i], s.values[i])
	}
}

// eachSeries calls fn for every series with a datapoint in [since, until].
func (p *Pool) eachSeries(since, until time.Time, fn func(namespace, name string, dims map[string]string)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.series {
		s.sortByTime()
		i := sort.Search(len(s.times), func(i int) bool { return !s.times[i].Before(since) })
		if i < len(s.times) && !s.times[i].After(until) {
			fn(s.namespace, s.name, s.dims)
		}
	}
}

// addUsage publishes one call of a rate-limit category to AWS/Usage. The
// Class dimension ("None") is the simulator's guess (FACTS.md 1.3, 8.4).
// p.mu must be held for writing.
func (p *Pool) addUsage(category string, t time.Time, throttled bool) {
	usage := map[string]string{"Service": "Cognito user pool", "Type": "API", "Resource": category, "Class": "None"}
	p.add(Datum{Namespace: cognitomon.UsageNamespace, Name: "CallCount", Dimensions: usage, Time: t, Value: 1})
	if throttled {
		p.add(Datum{Namespace: cognitomon.UsageNamespace, Name: "ThrottleCount", Dimensions: cloneDims(usage), Time: t, Value: 1})
	}
}

// riskDatums returns the threat-protection metrics of one attempt. The
// metric names are the current documentation's spelling; AWS says nothing
// about the values (FACTS.md 1.2), so each request counts 1.
func (p *Pool) riskDatums(a Attempt) []Datum {
	var op string
	switch a.Flow {
	case cognitomon.SignIn:
		op = "SignIn"
	case cognitomon.SignUp:
		op = "SignUp"
	default:
		return nil
	}
	dims := func(level string) map[string]string {
		d := map[string]string{"UserPoolId": string(p.id), "Operation": op}
		if level != "" {
			d["RiskLevel"] = level
		}
		return d
	}
	datum := func(name, level string) Datum {
		return Datum{Namespace: cognitomon.CognitoNamespace, Name: name, Dimensions: dims(level), Time: a.Time, Value: 1}
	}
	level := strings.ToLower(a.RiskLevel)
	if level == "" {
		return []Datum{datum("NoRisk", "")}
	}
	out := []Datum{datum("Risk", ""), datum("AccountTakeoverRisk", level)}
	if a.CompromisedCredentials {
		out = append(out, datum("CompromisedCredentialRisk", "high"))
	}
	return out
}

// usageCategory is the rate-limit category a flow's requests count against
// (FACTS.md 6.3).
func usageCategory(f cognitomon.Flow) string {
	switch f {
	case cognitomon.SignUp:
		return "UserCreation"
	case cognitomon.Federation:
		return "UserFederation"
	}
	return "UserAuthentication"
}

// datums returns what Cognito publishes in AWS/Cognito for one attempt.
func (p *Pool) datums(a Attempt) []Datum {
	dims := map[string]string{"UserPool": string(p.id), "UserPoolClient": string(a.Client)}
	if a.Flow == cognitomon.Federation {
		dims["IdentityProvider"] = a.IdentityProvider
	}
	ok := 0.0
	if a.Outcome == Success {
		ok = 1
	}
	out := []Datum{{Namespace: cognitomon.CognitoNamespace, Name: a.Flow.SuccessesMetric(), Dimensions: dims, Time: a.Time, Value: ok}}
	if a.Outcome == Throttled {
		out = append(out, Datum{Namespace: cognitomon.CognitoNamespace, Name: a.Flow.ThrottlesMetric(), Dimensions: cloneDims(dims), Time: a.Time, Value: 1})
	}
	return out
}

func cloneDims(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
