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

	mu       sync.RWMutex
	attempts []Attempt
	series   map[string]*seriesData // by seriesID
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
func NewPool(id cognitomon.UserPoolID) *Pool {
	if err := id.Validate(); err != nil {
		panic("cognitomontest: NewPool: " + err.Error())
	}
	return &Pool{id: id}
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
	for _, a := range attempts {
		a.Time = a.Time.UTC()
		if a.Outcome == Failure && a.ErrorCode == "" {
			a.ErrorCode = "NotAuthorizedException"
		}
		p.attempts = append(p.attempts, a)
		for _, d := range p.datums(a) {
			p.add(d)
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

// datums returns what Cognito publishes for one attempt.
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
	usage := map[string]string{"Service": "Cognito user pool", "Type": "API", "Resource": usageCategory(a.Flow), "Class": "None"}
	out = append(out, Datum{Namespace: cognitomon.UsageNamespace, Name: "CallCount", Dimensions: usage, Time: a.Time, Value: 1})
	if a.Outcome == Throttled {
		out = append(out,
			Datum{Namespace: cognitomon.CognitoNamespace, Name: a.Flow.ThrottlesMetric(), Dimensions: cloneDims(dims), Time: a.Time, Value: 1},
			Datum{Namespace: cognitomon.UsageNamespace, Name: "ThrottleCount", Dimensions: cloneDims(usage), Time: a.Time, Value: 1})
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
