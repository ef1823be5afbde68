package cognitomontest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/cognitomon/cognitomon"
)

// ClientProfile describes one simulated app client's user traffic.
type ClientProfile struct {
	// ID is the app client ID. Required.
	ID cognitomon.ClientID
	// SignInsPerHour is the sign-in rate at the daily peak; the rate
	// follows a day curve with a night low of a fifth of the peak.
	SignInsPerHour float64
	// SignInPath is how users sign in (PathDefault, PathSRP, PathManagedLogin).
	SignInPath Path
	// RefreshPath is how tokens are refreshed (PathDefault, PathGetTokens,
	// PathManagedLogin).
	RefreshPath Path
	// RefreshesPerSignIn is how many token refreshes follow each sign-in.
	RefreshesPerSignIn float64
	// SignUpShare is the share of sign-ins that are preceded by a sign-up.
	SignUpShare float64
	// IdentityProviders, when set, make a share of this client's sign-ins
	// federated through these providers.
	IdentityProviders []string
	// FailureRate is the share of sign-ins that fail (wrong password, unknown
	// user, a wrong MFA code on SRP clients); refreshes fail at a tenth of it.
	FailureRate float64
	// UserAgent is what the client's requests carry.
	UserAgent string
}

// MachineProfile describes a machine-to-machine client that gets tokens
// with the client_credentials grant at the token endpoint.
type MachineProfile struct {
	// ID is the app client ID. Required.
	ID cognitomon.ClientID
	// TokensPerHour is how many tokens it requests an hour; a client that
	// caches its tokens (valid an hour by default) needs about one.
	TokensPerHour float64
	// IPs are the addresses it calls from.
	IPs []string
}

// TrafficOptions shape SimulateTraffic. Zero values mean the documented
// defaults.
type TrafficOptions struct {
	// Clients default to DefaultClients().
	Clients []ClientProfile
	// Machines default to DefaultMachines().
	Machines []MachineProfile
	// Users is how many distinct users sign in. Default 400.
	Users int
	// ThrottleRate is the share of requests throttled. Default 0.002.
	ThrottleRate float64
	// ResetsPerHour is how many users a day-peak hour ask for a password
	// reset (ForgotPassword, then ConfirmForgotPassword). Default 2.
	ResetsPerHour float64
	// Seed makes the traffic reproducible. The same seed, pool range and
	// options give the same attempts.
	Seed uint64
}

// The user agents of the default clients.
const (
	browserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	iosAgent     = "aws-amplify/6.6.0 ios/17.5 framework/react-native"
	androidAgent = "aws-amplify/6.6.0 android/14 framework/react-native"
	machineAgent = "Go-http-client/2.0"
)

// DefaultClients returns the client profiles of a typical small product: a
// web app on the managed login pages with Google and SAML federation, and
// two mobile apps that sign in with SRP and refresh with
// GetTokensFromRefreshToken.
func DefaultClients() []ClientProfile {
	return []ClientProfile{
		{ID: "4k2webapp0example0client1", SignInsPerHour: 120, SignInPath: PathManagedLogin, RefreshPath: PathManagedLogin, RefreshesPerSignIn: 3, SignUpShare: 0.05, IdentityProviders: []string{"Google", "CorpSAML"}, FailureRate: 0.04, UserAgent: browserAgent},
		{ID: "7ios0mobile0example0client", SignInsPerHour: 60, SignInPath: PathSRP, RefreshPath: PathGetTokens, RefreshesPerSignIn: 6, SignUpShare: 0.03, FailureRate: 0.03, UserAgent: iosAgent},
		{ID: "9android0example0client00", SignInsPerHour: 45, SignInPath: PathDefault, RefreshPath: PathDefault, RefreshesPerSignIn: 6, SignUpShare: 0.03, FailureRate: 0.035, UserAgent: androidAgent},
	}
}

// DefaultMachines returns one well-behaved back-end client that caches its
// tokens: one client_credentials request every 55 minutes or so, from two
// addresses.
func DefaultMachines() []MachineProfile {
	return []MachineProfile{{ID: "2m2m0billing0example0clnt", TokensPerHour: 1.1, IPs: []string{"192.0.2.10", "192.0.2.11"}}}
}

// SimulateTraffic records ordinary traffic on p over r: sign-ins with a day
// curve (peak at 14:00 UTC) through each client's path, refreshes, sign-ups
// (some by admins, as the Admin pseudo-client), federation, a few calls with
// an unknown client ID (the Invalid pseudo-client), password resets,
// machine-to-machine token requests, failures and rare throttles. Users come
// from 198.51.100.0/24 and 203.0.113.0/24 (documentation ranges).
func SimulateTraffic(p *Pool, r cognitomon.TimeRange, o TrafficOptions) {
	if len(o.Clients) == 0 {
		o.Clients = DefaultClients()
	}
	if o.Machines == nil {
		o.Machines = DefaultMachines()
	}
	if o.Users <= 0 {
		o.Users = 400
	}
	if o.ThrottleRate == 0 {
		o.ThrottleRate = 0.002
	}
	if o.ResetsPerHour == 0 {
		o.ResetsPerHour = 2
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
	within := func(t time.Time) bool { return r.Contains(t) }
	var attempts []Attempt
	var requests []Request
	for hour := r.Start.Truncate(time.Hour); hour.Before(r.End); hour = hour.Add(time.Hour) {
		h := float64(hour.Hour()) + 0.5
		curve := 0.6 + 0.4*math.Cos((h-14)/24*2*math.Pi) // 0.2 at night to 1.0 at the peak
		minute := func() time.Time { return hour.Add(time.Duration(rng.Int64N(int64(time.Hour)))) }
		for _, c := range o.Clients {
			for range poisson(rng, c.SignInsPerHour*curve) {
				at := minute()
				u, ip := user()
				if rng.Float64() < c.SignUpShare {
					attempts = append(attempts, Attempt{Time: at.Add(-time.Minute), Flow: cognitomon.SignUp, Client: c.ID, User: u, IP: ip, UserAgent: c.UserAgent, Outcome: outcome(0.1), ErrorCode: "UsernameExistsException", Path: signUpPath(c.SignInPath)})
				}
				a := Attempt{Time: at, Flow: cognitomon.SignIn, Client: c.ID, User: u, IP: ip, UserAgent: c.UserAgent, Outcome: outcome(c.FailureRate), Path: c.SignInPath}
				switch {
				case len(c.IdentityProviders) > 0 && rng.Float64() < 0.3:
					a.Flow, a.Path = cognitomon.Federation, PathDefault
					a.IdentityProvider = c.IdentityProviders[rng.IntN(len(c.IdentityProviders))]
					a.Outcome = outcome(c.FailureRate / 4)
				case a.Outcome == Failure && rng.Float64() < 0.2:
					a.ErrorCode = "UserNotFoundException"
				case a.Outcome == Failure && a.Path == PathSRP && rng.Float64() < 0.3:
					a.ErrorCode = "CodeMismatchException"
				}
				attempts = append(attempts, a)
				if a.Outcome != Success {
					continue
				}
				for k := range poisson(rng, c.RefreshesPerSignIn) {
					attempts = append(attempts, Attempt{Time: at.Add(time.Duration(k+1) * 50 * time.Minute), Flow: cognitomon.TokenRefresh, Client: c.ID, User: u, IP: ip, UserAgent: c.UserAgent, Outcome: outcome(c.FailureRate / 10), Path: c.RefreshPath})
				}
			}
		}
		for range poisson(rng, o.ResetsPerHour*curve) {
			at := minute()
			u, ip := user()
			c := o.Clients[rng.IntN(len(o.Clients))].ID
			requests = append(requests,
				Request{Time: at, Name: "ForgotPassword", Client: c, User: u, IP: ip, Outcome: Success},
				Request{Time: at.Add(4 * time.Minute), Name: "ConfirmForgotPassword", Client: c, User: u, IP: ip, Outcome: outcome(0.1), ErrorCode: "CodeMismatchException"})
		}
		for _, m := range o.Machines {
			for range poisson(rng, m.TokensPerHour) {
				ip := ""
				if len(m.IPs) > 0 {
					ip = m.IPs[rng.IntN(len(m.IPs))]
				}
				requests = append(requests, Request{Time: minute(), Name: "Token_POST", GrantType: "client_credentials", Client: m.ID, IP: ip, UserAgent: machineAgent, Outcome: outcome(0)})
			}
		}
		// Back-office sign-ups and stale app builds with a deleted client ID.
		if rng.IntN(4) == 0 {
			u, _ := user()
			attempts = append(attempts, Attempt{Time: hour.Add(17 * time.Minute), Flow: cognitomon.SignUp, Client: cognitomon.AdminClient, User: u, IP: "10.0.3.12", Outcome: Success})
		}
		if rng.IntN(3) == 0 {
			u, ip := user()
			attempts = append(attempts, Attempt{Time: hour.Add(41 * time.Minute), Flow: cognitomon.SignIn, Client: cognitomon.InvalidClient, User: u, IP: ip, Outcome: Failure, ErrorCode: "ResourceNotFoundException"})
		}
	}
	var keptA []Attempt
	for _, a := range attempts {
		if within(a.Time) {
			keptA = append(keptA, a)
		}
	}
	var keptR []Request
	for _, q := range requests {
		if within(q.Time) {
			keptR = append(keptR, q)
		}
	}
	p.Record(keptA...)
	p.RecordRequest(keptR...)
}

// signUpPath is the sign-up path that goes with a sign-in path.
func signUpPath(signIn Path) Path {
	if signIn == PathManagedLogin {
		return PathManagedLogin
	}
	return PathDefault
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
