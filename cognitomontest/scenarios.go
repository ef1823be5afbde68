package cognitomontest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cognitomon/cognitomon"
)

// Incident says what a scenario recorded, so a test can check that a
// detection found exactly that.
type Incident struct {
	// Name names the scenario ("credential-stuffing" ...).
	Name string
	// Window is when it happened.
	Window cognitomon.TimeRange
	// IPs, Users and Clients are the addresses, user names and app clients
	// involved.
	IPs     []string
	Users   []string
	Clients []cognitomon.ClientID
	// Attempts and Requests count what was recorded.
	Attempts, Requests int
}

// The addresses attackers use in scenarios: 192.0.2.0/24 and
// 100.64.0.0/10 are not used by SimulateTraffic's users.
func botIP(i int) string { return fmt.Sprintf("100.%d.%d.%d", 64+i/65536%64, i/256%256, i%256) }

// QuietWeek records seven days of ordinary traffic ending at end: the
// baseline every detection must stay silent on.
func QuietWeek(p *Pool, end time.Time, seed uint64) Incident {
	r := cognitomon.TimeRange{Start: end.Add(-7 * 24 * time.Hour), End: end}
	before := len(p.Attempts())
	beforeR := len(p.Requests())
	SimulateTraffic(p, r, TrafficOptions{Seed: seed})
	return Incident{Name: "quiet-week", Window: r, Attempts: len(p.Attempts()) - before, Requests: len(p.Requests()) - beforeR}
}

// CredentialStuffing records a botnet of ips addresses trying leaked
// username and password pairs against client over d from start: each
// address tries a handful of distinct users, most fail
// (NotAuthorizedException, or UserNotFoundException for names the pool does
// not have) and one in two hundred succeeds.
func CredentialStuffing(p *Pool, client cognitomon.ClientID, start time.Time, d time.Duration, ips, attemptsPerIP int) Incident {
	rng := rand.New(rand.NewPCG(uint64(start.Unix()), 0x7374756666))
	inc := Incident{Name: "credential-stuffing", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, Clients: []cognitomon.ClientID{client}}
	var as []Attempt
	for i := range ips {
		ip := botIP(i)
		inc.IPs = append(inc.IPs, ip)
		for j := range attemptsPerIP {
			u := fmt.Sprintf("leaked%05d", i*attemptsPerIP+j)
			inc.Users = append(inc.Users, u)
			a := Attempt{Time: start.Add(time.Duration(rng.Int64N(int64(d)))), Flow: cognitomon.SignIn, Client: client, User: u, IP: ip,
				UserAgent: "python-requests/2.31.0", Outcome: Failure, ErrorCode: "NotAuthorizedException"}
			switch x := rng.IntN(200); {
			case x == 0:
				a.Outcome, a.ErrorCode = Success, ""
			case x < 60:
				a.ErrorCode = "UserNotFoundException"
			}
			as = append(as, a)
		}
	}
	p.Record(as...)
	inc.Attempts = len(as)
	return inc
}

// SlowBruteForce records one address guessing one user's password at
// perTenMinutes failures every ten minutes over d from start: a pace meant
// to stay under per-window thresholds.
func SlowBruteForce(p *Pool, client cognitomon.ClientID, user, ip string, start time.Time, d time.Duration, perTenMinutes int) Incident {
	inc := Incident{Name: "slow-brute-force", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: []string{ip}, Users: []string{user}, Clients: []cognitomon.ClientID{client}}
	step := 10 * time.Minute / time.Duration(perTenMinutes)
	var as []Attempt
	for t := start; t.Before(start.Add(d)); t = t.Add(step) {
		as = append(as, Attempt{Time: t, Flow: cognitomon.SignIn, Client: client, User: user, IP: ip, UserAgent: "curl/8.5.0", Outcome: Failure, ErrorCode: "NotAuthorizedException"})
	}
	p.Record(as...)
	inc.Attempts = len(as)
	return inc
}

// Enumeration records one address probing n usernames over d from start,
// most of which the pool does not have (UserNotFoundException), as happens
// against a client whose PreventUserExistenceErrors is LEGACY.
func Enumeration(p *Pool, client cognitomon.ClientID, ip string, start time.Time, d time.Duration, n int) Incident {
	inc := Incident{Name: "enumeration", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: []string{ip}, Clients: []cognitomon.ClientID{client}}
	var as []Attempt
	var rs []Request
	for i := range n {
		t := start.Add(d * time.Duration(i) / time.Duration(n))
		u := fmt.Sprintf("probe%04d", i)
		inc.Users = append(inc.Users, u)
		code := "UserNotFoundException"
		if i%10 == 0 {
			code = "NotAuthorizedException" // a name that exists
		}
		as = append(as, Attempt{Time: t, Flow: cognitomon.SignIn, Client: client, User: u, IP: ip, UserAgent: "python-requests/2.31.0", Outcome: Failure, ErrorCode: code})
		if i%4 == 0 {
			rs = append(rs, Request{Time: t.Add(time.Second), Name: "ForgotPassword", Client: client, User: u, IP: ip, UserAgent: "python-requests/2.31.0", Outcome: Failure, ErrorCode: "UserNotFoundException"})
		}
	}
	p.Record(as...)
	p.RecordRequest(rs...)
	inc.Attempts, inc.Requests = len(as), len(rs)
	return inc
}

// PasswordResetAbuse records one address asking for password resets of n
// users over d from start (SMS and email pumping, or a nuisance attack).
func PasswordResetAbuse(p *Pool, client cognitomon.ClientID, ip string, start time.Time, d time.Duration, n int) Incident {
	inc := Incident{Name: "password-reset-abuse", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: []string{ip}, Clients: []cognitomon.ClientID{client}}
	var rs []Request
	for i := range n {
		u := fmt.Sprintf("user%04d", i%400)
		inc.Users = append(inc.Users, u)
		rs = append(rs, Request{Time: start.Add(d * time.Duration(i) / time.Duration(n)), Name: "ForgotPassword", Client: client, User: u, IP: ip, UserAgent: "okhttp/4.12.0", Outcome: Success})
	}
	p.RecordRequest(rs...)
	inc.Requests = len(rs)
	return inc
}

// MisbehavingMachine records a machine client that requests a new
// client_credentials token for nearly every call (perHour an hour over d
// from start) from a new address range, then a run of failures after its
// secret was rotated in one place only (the last failures requests).
func MisbehavingMachine(p *Pool, client cognitomon.ClientID, start time.Time, d time.Duration, perHour, failures int) Incident {
	inc := Incident{Name: "misbehaving-machine", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, Clients: []cognitomon.ClientID{client}}
	total := int(d.Hours() * float64(perHour))
	var rs []Request
	for i := range total {
		ip := fmt.Sprintf("172.31.%d.%d", 200+i%4, 10+i%3)
		if i < 12 {
			inc.IPs = append(inc.IPs, ip)
		}
		r := Request{Time: start.Add(d * time.Duration(i) / time.Duration(total)), Name: "Token_POST", GrantType: "client_credentials", Client: client, IP: ip, UserAgent: machineAgent, Outcome: Success}
		if i >= total-failures {
			r.Outcome = Failure
		}
		rs = append(rs, r)
	}
	p.RecordRequest(rs...)
	inc.Requests = len(rs)
	return inc
}

// AdminMFAOff records an operator turning MFA off for the pool, adding an
// app client and changing a client's callback URLs, from an address the
// back office does not use.
func AdminMFAOff(p *Pool, at time.Time, caller, ip string) Incident {
	rs := []Request{
		{Time: at, Name: "SetUserPoolMfaConfig", Caller: caller, IP: ip, Parameters: map[string]any{"mfaConfiguration": "OFF"}},
		{Time: at.Add(2 * time.Minute), Name: "CreateUserPoolClient", Caller: caller, IP: ip, Parameters: map[string]any{"clientName": "tmp", "generateSecret": true}},
		{Time: at.Add(3 * time.Minute), Name: "UpdateUserPoolClient", Caller: caller, IP: ip, Parameters: map[string]any{"clientId": "4k2webapp0example0client1", "callbackURLs": []string{"https://login.example.net/callback"}}},
		{Time: at.Add(4 * time.Minute), Name: "SetRiskConfiguration", Caller: caller, IP: ip, Parameters: map[string]any{"accountTakeoverRiskConfiguration": map[string]any{"actions": map[string]any{"highAction": map[string]any{"eventAction": "NO_ACTION", "notify": false}}}}},
	}
	p.RecordRequest(rs...)
	return Incident{Name: "admin-mfa-off", Window: cognitomon.TimeRange{Start: at, End: at.Add(5 * time.Minute)}, IPs: []string{ip}, Requests: len(rs)}
}

// TokenTheft records refreshes for one user's sub from an address and user
// agent the user has never used, as when a refresh token was stolen.
func TokenTheft(p *Pool, client cognitomon.ClientID, user, ip string, start time.Time, n int) Incident {
	var as []Attempt
	for i := range n {
		as = append(as, Attempt{Time: start.Add(time.Duration(i) * 7 * time.Minute), Flow: cognitomon.TokenRefresh, Client: client, User: user, IP: ip, UserAgent: "Go-http-client/1.1", Outcome: Success})
	}
	p.Record(as...)
	return Incident{Name: "token-theft", Window: cognitomon.TimeRange{Start: start, End: start.Add(time.Duration(n) * 7 * time.Minute)}, IPs: []string{ip}, Users: []string{user}, Clients: []cognitomon.ClientID{client}, Attempts: n}
}

// BrokenTrail stops the pool's CloudTrail records over r while its metrics
// go on, as when a trail is stopped, misconfigured or its bucket policy
// broken.
func BrokenTrail(p *Pool, r cognitomon.TimeRange) Incident {
	p.mu.Lock()
	p.gaps = append(p.gaps, r)
	p.version++
	p.mu.Unlock()
	return Incident{Name: "broken-trail", Window: r}
}

// CodeGuessing records one address submitting n wrong passwordless
// one-time codes to the managed login's verifyCode_POST over d from start
// (HTTP 400 each). Endpoint records carry no sub (FACTS.md 2.3).
func CodeGuessing(p *Pool, client cognitomon.ClientID, ip string, start time.Time, d time.Duration, n int) Incident {
	inc := Incident{Name: "code-guessing", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: []string{ip}, Clients: []cognitomon.ClientID{client}}
	var rs []Request
	for i := range n {
		rs = append(rs, Request{Time: start.Add(d * time.Duration(i) / time.Duration(n)), Name: "verifyCode_POST", Client: client, IP: ip, UserAgent: "python-requests/2.31.0",
			Parameters: map[string]any{"code": hidden, "_csrf": hidden}, Outcome: Failure})
	}
	p.RecordRequest(rs...)
	inc.Requests = len(rs)
	return inc
}

// DistributedCodeGuessing records wrong answers to one user's EMAIL_OTP
// challenge (RespondToAuthChallenge, CodeMismatchException) from each of
// ips, two per address, spread over d from start.
func DistributedCodeGuessing(p *Pool, client cognitomon.ClientID, user string, ips []string, start time.Time, d time.Duration) Incident {
	inc := Incident{Name: "distributed-code-guessing", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: ips, Users: []string{user}, Clients: []cognitomon.ClientID{client}}
	var rs []Request
	n := 2 * len(ips)
	for i := range n {
		rs = append(rs, Request{Time: start.Add(d * time.Duration(i) / time.Duration(n)), Name: "RespondToAuthChallenge", Client: client, User: user, IP: ips[i/2],
			UserAgent: "python-requests/2.31.0", Parameters: map[string]any{"challengeName": "EMAIL_OTP", "challengeResponses": hidden, "session": hidden},
			Outcome: Failure, ErrorCode: "CodeMismatchException"})
	}
	p.RecordRequest(rs...)
	inc.Requests = len(rs)
	return inc
}

// lockoutMessage is the message Cognito gives a locked-out user (FACTS.md
// 9.4 b).
const lockoutMessage = "Password attempts exceeded"

// LockoutStorm records a password spray that locks users out: users
// accounts ("locked000" ...) each get five wrong passwords and then
// perUser more attempts during the lockout, answered NotAuthorizedException
// "Password attempts exceeded" (FACTS.md 9.4 b), from ips in turn, spread
// over d from start.
func LockoutStorm(p *Pool, client cognitomon.ClientID, ips []string, start time.Time, d time.Duration, users, perUser int) Incident {
	inc := Incident{Name: "lockout-storm", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: ips, Clients: []cognitomon.ClientID{client}}
	var as []Attempt
	per := 5 + perUser
	total := users * per
	for u := range users {
		name := fmt.Sprintf("locked%03d", u)
		inc.Users = append(inc.Users, name)
		ip := ips[u%len(ips)]
		for i := range per {
			a := Attempt{Time: start.Add(d * time.Duration(u*per+i) / time.Duration(total)), Flow: cognitomon.SignIn, Client: client, User: name, IP: ip,
				UserAgent: "python-requests/2.31.0", Outcome: Failure, ErrorCode: "NotAuthorizedException"}
			if i >= 5 {
				a.ErrorMessage = lockoutMessage
			}
			as = append(as, a)
		}
	}
	p.Record(as...)
	inc.Attempts = len(as)
	return inc
}

// SignUpEnumeration records one address signing up n user names over d
// from start, nine in ten of them already registered
// (UsernameExistsException).
func SignUpEnumeration(p *Pool, client cognitomon.ClientID, ip string, start time.Time, d time.Duration, n int) Incident {
	inc := Incident{Name: "signup-enumeration", Window: cognitomon.TimeRange{Start: start, End: start.Add(d)}, IPs: []string{ip}, Clients: []cognitomon.ClientID{client}}
	var as []Attempt
	for i := range n {
		u := fmt.Sprintf("probe%04d", i)
		inc.Users = append(inc.Users, u)
		a := Attempt{Time: start.Add(d * time.Duration(i) / time.Duration(n)), Flow: cognitomon.SignUp, Client: client, User: u, IP: ip,
			UserAgent: "python-requests/2.31.0", Outcome: Failure, ErrorCode: "UsernameExistsException"}
		if i%10 == 9 {
			a.Outcome, a.ErrorCode = Success, "" // a name that was free
		}
		as = append(as, a)
	}
	p.Record(as...)
	inc.Attempts = len(as)
	return inc
}

// SecretAdded records caller adding a client secret to client from ip
// (AddUserPoolClientSecret, FACTS.md 9.4 c), as an unexpected IAM user
// would to get tokens as the client.
func SecretAdded(p *Pool, client cognitomon.ClientID, at time.Time, caller, ip string) Incident {
	p.RecordRequest(Request{Time: at, Name: "AddUserPoolClientSecret", Caller: caller, IP: ip, Client: client,
		Parameters: map[string]any{"clientId": string(client)}})
	return Incident{Name: "secret-added", Window: cognitomon.TimeRange{Start: at, End: at.Add(time.Minute)}, IPs: []string{ip}, Clients: []cognitomon.ClientID{client}, Requests: 1}
}
