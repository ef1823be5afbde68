package cognitomontest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cognitomon/cognitomon"
)

// ClientProfile describes one simulated app client's traffic.
type ClientProfile struct {
	// ID is the app client ID. Required.
	ID cognitomon.ClientID
	// SignInsPerHour is the sign-in rate at the daily peak; the rate
	// follows a day curve with a night low of a fifth of the peak.
	SignInsPerHour float64
	// RefreshesPerSignIn is how many token refreshes follow each sign-in.
	RefreshesPerSignIn float64
	// SignUpShare is the share of sign-ins that are preceded by a sign-up.
	SignUpShare float64
	// IdentityProviders, when set, make a share of this client's sign-ins
	// federated through these providers.
	IdentityProviders []string
	// FailureRate is the share of sign-ins that fail (wrong password, unknown
	// user); refreshes fail at a tenth of it.
	FailureRate float64
}

// TrafficOptions shape SimulateTraffic. Zero values mean the documented
// defaults.
type TrafficOptions struct {
	// Clients default to DefaultClients().
	Clients []ClientProfile
	// Users is how many distinct users sign in. Default 400.
	Users int
	// ThrottleRate is the share of requests throttled. Default 0.002.
	ThrottleRate float64
	// Seed makes the traffic reproducible. The same seed, pool range and
	// options give the same attempts.
	Seed uint64
}

// DefaultClients returns the client profiles of a typical small product: a
// web app with Google and SAML federation, two mobile apps, and admin
// sign-ups from a back office.
func DefaultClients() []ClientProfile {
	return []ClientProfile{
		{ID: "4k2webapp0example0client1", SignInsPerHour: 120, RefreshesPerSignIn: 3, SignUpShare: 0.05, IdentityProviders: []string{"Google", "CorpSAML"}, FailureRate: 0.04},
		{ID: "7ios0mobile0example0client", SignInsPerHour: 60, RefreshesPerSignIn: 6, SignUpShare: 0.03, FailureRate: 0.03},
		{ID: "9android0example0client00", SignInsPerHour: 45, RefreshesPerSignIn: 6, SignUpShare: 0.03, FailureRate: 0.035},
	}
}

// SimulateTraffic records ordinary traffic on p over r: sign-ins with a day
// curve (peak at 14:00 UTC), refreshes, sign-ups (some by admins, as the
// Admin pseudo-client), federation, a few calls with an unknown client ID
// (the Invalid pseudo-client), failures and rare throttles. Users come from
// 198.51.100.0/24 and 203.0.113.0/24 (documentation ranges).
func SimulateTraffic(p *Pool, r cognitomon.TimeRange, o TrafficOptions) {
	if len(o.Clients) == 0 {
		o.Clients = DefaultClients()
	}
	if o.Users <= 0 {
		o.Users = 400
	}
	if o.ThrottleRate == 0 {
		o.ThrottleRate = 0.002
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x636f676e69746f))
	user := func() (string, string) {
		u := rng.IntN(o.Users)
		return fmt.Sprintf("user%04d", u), fmt.Sprintf("%s.%d", []string{"198.51.100", "203.0.113"}[u%2], u%250+1)
	}
	outcome := func(failRate float64) Outcome {
		x := rng.Float64()
		switch {
		case x < o.ThrottleRate:
			return Throttled
		case x < o.ThrottleRate+failRate:
			return Failure
		}
		return Success
	}
	var batch []Attempt
	for hour := r.Start.Truncate(time.Hour); hour.Before(r.End); hour = hour.Add(time.Hour) {
		// A day curve between 0.2 and 1.0 of the peak.
		h := float64(hour.Hour()) + 0.5
		curve := 0.6 + 0.4*math.Cos((h-14)/24*2*math.Pi)
		for _, c := range o.Clients {
			n := poisson(rng, c.SignInsPerHour*curve)
			for range n {
				at := hour.Add(time.Duration(rng.Int64N(int64(time.Hour))))
				if !r.Contains(at) {
					continue
				}
				u, ip := user()
				if rng.Float64() < c.SignUpShare {
					batch = append(batch, Attempt{Time: at.Add(-time.Minute), Flow: cognitomon.SignUp, Client: c.ID, User: u, IP: ip, Outcome: outcome(0.1), ErrorCode: "UsernameExistsException"})
				}
				fl := Attempt{Time: at, Flow: cognitomon.SignIn, Client: c.ID, User: u, IP: ip, Outcome: outcome(c.FailureRate)}
				if len(c.IdentityProviders) > 0 && rng.Float64() < 0.3 {
					fl.Flow = cognitomon.Federation
					fl.IdentityProvider = c.IdentityProviders[rng.IntN(len(c.IdentityProviders))]
					fl.Outcome = outcome(c.FailureRate / 4)
				} else if fl.Outcome == Failure && rng.Float64() < 0.2 {
					fl.ErrorCode = "UserNotFoundException"
				}
				batch = append(batch, fl)
				if fl.Outcome != Success {
					continue
				}
				for k := range poisson(rng, c.RefreshesPerSignIn) {
					rt := at.Add(time.Duration(k+1) * 50 * time.Minute)
					if r.Contains(rt) {
						batch = append(batch, Attempt{Time: rt, Flow: cognitomon.TokenRefresh, Client: c.ID, User: u, IP: ip, Outcome: outcome(c.FailureRate / 10)})
					}
				}
			}
		}
		// Back-office sign-ups and stale app builds with a deleted client ID.
		if rng.IntN(4) == 0 {
			u, _ := user()
			batch = append(batch, Attempt{Time: hour.Add(17 * time.Minute), Flow: cognitomon.SignUp, Client: cognitomon.AdminClient, User: u, IP: "10.0.3.12", Outcome: Success})
		}
		if rng.IntN(3) == 0 {
			u, ip := user()
			batch = append(batch, Attempt{Time: hour.Add(41 * time.Minute), Flow: cognitomon.SignIn, Client: cognitomon.InvalidClient, User: u, IP: ip, Outcome: Failure, ErrorCode: "ResourceNotFoundException"})
		}
	}
	var kept []Attempt
	for _, a := range batch {
		if r.Contains(a.Time) {
			kept = append(kept, a)
		}
	}
	p.Record(kept...)
}

// poisson draws from a Poisson distribution with mean lambda (Knuth's method
// for small means, a normal approximation for large ones).
func poisson(rng *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(lambda+math.Sqrt(lambda)*rng.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
