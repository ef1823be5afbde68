package cognitomon_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
	"github.com/cognitomon/cognitomon/internal/insightsql"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/insights/*.golden from the catalogue")

// ---------------------------------------------------------------------------
// The catalogue as data: golden text, columns, parameters.

// scopedParams are parameters that exercise every parameter a query takes.
func scopedParams(q cognitomon.Query) cognitomon.QueryParams {
	var p cognitomon.QueryParams
	for _, param := range q.Params {
		switch param {
		case cognitomon.ParamUserPool:
			p.UserPool = "us-east-1_AbCdEf123"
		case cognitomon.ParamClients:
			p.Clients = []cognitomon.ClientID{"4k2webapp0example0client1", "7ios0mobile0example0client"}
		case cognitomon.ParamEventNames:
			if q.EventNames != nil {
				p.EventNames = q.EventNames[:1]
			} else {
				p.EventNames = []string{"InitiateAuth", "login_POST"}
			}
		case cognitomon.ParamIPs:
			p.IPs = []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")}
		case cognitomon.ParamBin:
			p.Bin = time.Hour
		case cognitomon.ParamLimit:
			p.Limit = 20
		}
	}
	return p
}

func TestCatalogGolden(t *testing.T) {
	for _, q := range cognitomon.Catalog() {
		for _, v := range []struct {
			suffix string
			params cognitomon.QueryParams
		}{{"", cognitomon.QueryParams{}}, {".scoped", scopedParams(q)}} {
			text, err := q.Render(v.params)
			if err != nil {
				t.Fatalf("%s%s: %v", q.Name, v.suffix, err)
			}
			again, _ := q.Render(v.params)
			if again != text {
				t.Errorf("%s%s: two renderings differ", q.Name, v.suffix)
			}
			path := filepath.Join("testdata", "insights", q.Name+v.suffix+".golden")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(text+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestCatalogGolden -update)", err)
			}
			if diff := cmp.Diff(string(want), text+"\n"); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		}
	}
}

// TestCatalogDocs keeps docs/insights.md in step with the catalogue.
func TestCatalogDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "insights.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range cognitomon.Catalog() {
		text, err := q.Render(cognitomon.QueryParams{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "### "+q.Name+"\n") || !strings.Contains(string(doc), "```\n"+text+"\n```") {
			t.Errorf("docs/insights.md lacks a section for %s with its default text", q.Name)
		}
	}
}

func TestCatalogShape(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range cognitomon.Catalog() {
		if seen[q.Name] {
			t.Errorf("query name %q repeated", q.Name)
		}
		seen[q.Name] = true
		if q.Description == "" || strings.Contains(q.Description, "\n") {
			t.Errorf("%s: description must be one line", q.Name)
		}
		if q.Reads != cognitomon.CloudTrailLog && q.Reads != cognitomon.UserActivityLog {
			t.Errorf("%s: reads %v", q.Name, q.Reads)
		}
		if !slices.Contains(q.Params, cognitomon.ParamLimit) || len(q.Assumptions) == 0 {
			t.Errorf("%s: every query takes a limit and lists its assumptions", q.Name)
		}
		if (q.DefaultBin != 0) != slices.Contains(q.Params, cognitomon.ParamBin) {
			t.Errorf("%s: DefaultBin %s but takes bin: %v", q.Name, q.DefaultBin, slices.Contains(q.Params, cognitomon.ParamBin))
		}
		for _, p := range []cognitomon.QueryParams{{}, scopedParams(q)} {
			text, err := q.Render(p)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			parsed, err := insightsql.Parse(text)
			if err != nil {
				t.Fatalf("%s: the evaluator rejects the text: %v\n%s", q.Name, err, text)
			}
			if diff := cmp.Diff(q.Columns, parsed.Fields()); diff != "" {
				t.Errorf("%s: Columns (-want +got):\n%s", q.Name, diff)
			}
			if strings.Contains(text, "ispresent(errorCode)") {
				t.Errorf("%s: ispresent(errorCode) is true for the empty errorCode of endpoint events", q.Name)
			}
			if strings.Contains(text, "sort @timestamp") && strings.Contains(text, "stats ") {
				t.Errorf("%s: sorts on @timestamp after stats", q.Name)
			}
		}
		got, ok := cognitomon.LookupQuery(q.Name)
		if !ok || got.Name != q.Name {
			t.Errorf("LookupQuery(%q) = %v, %v", q.Name, got.Name, ok)
		}
	}
	if _, ok := cognitomon.LookupQuery("no-such-query"); ok {
		t.Error("LookupQuery found a query that does not exist")
	}
	// Catalog returns fresh values.
	a := cognitomon.Catalog()
	a[0].EventNames[0] = "changed"
	if b := cognitomon.Catalog(); b[0].EventNames[0] == "changed" {
		t.Error("Catalog shares its slices between calls")
	}
}

func TestQueryRenderRejects(t *testing.T) {
	signIns, _ := cognitomon.LookupQuery("failed-sign-ins")
	tokens, _ := cognitomon.LookupQuery("token-requests")
	risky, _ := cognitomon.LookupQuery("risky-sign-ins")
	ip := netip.MustParseAddr
	many := make([]cognitomon.ClientID, 400)
	for i := range many {
		many[i] = cognitomon.ClientID(fmt.Sprintf("client%030d", i))
	}
	for _, tt := range []struct {
		name string
		q    cognitomon.Query
		p    cognitomon.QueryParams
		also error
	}{
		{"bad pool", signIns, cognitomon.QueryParams{UserPool: `us-east-1_x" | stats`, Clients: []cognitomon.ClientID{"c1"}}, cognitomon.ErrInvalidUserPoolID},
		{"pool without clients", signIns, cognitomon.QueryParams{UserPool: "us-east-1_AbC"}, nil},
		{"bad client", signIns, cognitomon.QueryParams{Clients: []cognitomon.ClientID{`abc"def`}}, cognitomon.ErrInvalidClientID},
		{"pseudo client", signIns, cognitomon.QueryParams{Clients: []cognitomon.ClientID{cognitomon.InvalidClient}}, nil},
		{"unknown event", signIns, cognitomon.QueryParams{EventNames: []string{"Token"}}, nil},
		{"event the query does not read", signIns, cognitomon.QueryParams{EventNames: []string{"ForgotPassword"}}, nil},
		{"event with a quote", tokens, cognitomon.QueryParams{EventNames: []string{`Token_POST"`}}, nil},
		{"zero IP", signIns, cognitomon.QueryParams{IPs: []netip.Addr{{}}}, nil},
		{"IP with a zone", signIns, cognitomon.QueryParams{IPs: []netip.Addr{ip(`fe80::1%eth0"|x`)}}, nil},
		{"bin not taken", signIns, cognitomon.QueryParams{Bin: time.Minute}, nil},
		{"event names not taken", risky, cognitomon.QueryParams{EventNames: []string{"InitiateAuth"}}, nil},
		{"limit too big", signIns, cognitomon.QueryParams{Limit: 10001}, nil},
		{"negative limit", signIns, cognitomon.QueryParams{Limit: -1}, nil},
		{"too long", signIns, cognitomon.QueryParams{Clients: many}, nil},
		{"not from the catalogue", cognitomon.Query{Name: "mine"}, cognitomon.QueryParams{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, err := tt.q.Render(tt.p)
			if !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
				t.Fatalf("Render = %q, %v; want ErrInvalidQueryParam", text, err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("error %v does not wrap %v", err, tt.also)
			}
		})
	}
	refresh, _ := cognitomon.LookupQuery("refresh-failures")
	for _, bin := range []time.Duration{30 * time.Second, 90 * time.Second, 25 * time.Hour, -time.Minute} {
		if _, err := refresh.Render(cognitomon.QueryParams{Bin: bin}); !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
			t.Errorf("bin %s: %v, want ErrInvalidQueryParam", bin, err)
		}
	}
	for bin, want := range map[time.Duration]string{time.Minute: "bin(1m)", 90 * time.Minute: "bin(90m)", 3 * time.Hour: "bin(3h)", 24 * time.Hour: "bin(1d)"} {
		text, err := refresh.Render(cognitomon.QueryParams{Bin: bin})
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("bin %s: %v, text lacks %s:\n%s", bin, err, want, text)
		}
	}
	// Duplicates are rendered once.
	text, err := signIns.Render(cognitomon.QueryParams{IPs: []netip.Addr{ip("192.0.2.1"), ip("192.0.2.1")}})
	if err != nil || strings.Count(text, "192.0.2.1") != 1 {
		t.Errorf("duplicate IPs: %v\n%s", err, text)
	}
}

// ---------------------------------------------------------------------------
// Parameter fuzzing: no input may add a command, a comment or an escape.

// lexCommands splits query text into its literals and counts the command
// separators outside them. A literal is "...", '...' or /.../; the catalogue
// writes no division, so every slash starts a regex.
func lexCommands(text string) (pipes int, literals []string, err error) {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '"', '\'', '/':
			j := strings.IndexByte(text[i+1:], c)
			if j < 0 {
				return 0, nil, fmt.Errorf("unterminated literal at %d", i)
			}
			literals = append(literals, text[i+1:i+1+j])
			i += j + 1
		case '|':
			pipes++
		case '#', '`', '\\':
			return 0, nil, fmt.Errorf("%q outside a literal at %d", c, i)
		}
	}
	return pipes, literals, nil
}

func FuzzQueryParams(f *testing.F) {
	f.Add("us-east-1_AbCdEf123", "4k2webapp0example0client1", "InitiateAuth", "203.0.113.7", int64(time.Hour), 20)
	f.Add(`us-east-1_x"|y`, `c" or 1=1 | stats`, `Token_POST"`, "fe80::1%a\"b", int64(90*time.Second), 0)
	f.Add("a_b", "x+y_z", "login_POST", "::ffff:192.0.2.1", int64(0), 10000)
	f.Add("", `\`, "Error_GET", "2001:db8::1", int64(-1), -5)
	f.Add("eu-west-1_Q", "c#d", "ForgotPassword", "1.2.3.4", int64(24*time.Hour), 1)
	catalog := cognitomon.Catalog()
	skeleton := map[string]int{}
	for _, q := range catalog {
		text, err := q.Render(cognitomon.QueryParams{})
		if err != nil {
			f.Fatal(err)
		}
		pipes, _, err := lexCommands(text)
		if err != nil {
			f.Fatal(err)
		}
		skeleton[q.Name] = pipes
	}
	f.Fuzz(func(t *testing.T, pool, client, event, ipText string, bin int64, limit int) {
		var ips []netip.Addr
		if a, err := netip.ParseAddr(ipText); err == nil {
			ips = []netip.Addr{a}
		}
		for _, q := range catalog {
			p := cognitomon.QueryParams{
				UserPool:   cognitomon.UserPoolID(pool),
				Clients:    []cognitomon.ClientID{cognitomon.ClientID(client)},
				EventNames: []string{event},
				IPs:        ips,
				Bin:        time.Duration(bin),
				Limit:      limit,
			}
			// Drop what the query does not take, so that most inputs
			// reach the validators.
			if !slices.Contains(q.Params, cognitomon.ParamEventNames) {
				p.EventNames = nil
			}
			if !slices.Contains(q.Params, cognitomon.ParamBin) {
				p.Bin = 0
			}
			text, err := q.Render(p)
			if err != nil {
				if !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
					t.Fatalf("%s: error %v does not wrap ErrInvalidQueryParam", q.Name, err)
				}
				continue
			}
			pipes, lits, err := lexCommands(text)
			if err != nil {
				t.Fatalf("%s: %v\n%s", q.Name, err, text)
			}
			if pipes != skeleton[q.Name] {
				t.Fatalf("%s: %d commands, the template has %d\n%s", q.Name, pipes+1, skeleton[q.Name]+1, text)
			}
			for _, l := range lits {
				if strings.ContainsAny(l, "\"'\\`\n\r") {
					t.Fatalf("%s: literal %q holds a quote, backslash or newline", q.Name, l)
				}
			}
			if _, err := insightsql.Parse(text); err != nil {
				t.Fatalf("%s: rendered text does not parse: %v\n%s", q.Name, err, text)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// The proofs: every canned query, run by the evaluator over a simulated
// pool, agrees with the CloudTrail analyses over the same events, and with
// what the pool knows it recorded.

var proofStart = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

const (
	proofPoolID   = "us-east-1_Pr00fPool"
	webClient     = "4k2webapp0example0client1"
	m2mBilling    = "m2m0billing0example0client"
	m2mReports    = "m2m0reports0example0client"
	bruteIP       = "192.0.2.66"
	enumIP        = "192.0.2.77"
	resetAbuseIP  = "192.0.2.88"
	mfaGuessIP    = "192.0.2.99"
	riskyIP       = "192.0.2.111"
	backOfficeIP  = "10.0.3.12"
	aliceARN      = "arn:aws:iam::123456789012:user/alice"
	bobARN        = "arn:aws:sts::123456789012:assumed-role/Deploy/bob"
	m2mServiceIP  = "10.0.9.9"
	managedUserIP = "198.51.100.250"
)

// proofClients are DefaultClients at a third of their rate, to keep the
// tests quick under the race detector.
func proofClients() []cognitomontest.ClientProfile {
	cs := cognitomontest.DefaultClients()
	for i := range cs {
		cs[i].SignInsPerHour /= 3
	}
	return cs
}

// proofPool simulates six hours of ordinary traffic plus every kind of
// traffic the catalogue looks for, through every path.
func proofPool(t testing.TB) *cognitomontest.Pool {
	t.Helper()
	p := cognitomontest.NewPool(proofPoolID, func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	r := cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(6 * time.Hour)}
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 42, Users: 120, Clients: proofClients()})
	at := func(min, sec int) time.Time {
		return proofStart.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second + 250*time.Millisecond)
	}
	var as []cognitomontest.Attempt
	for i := range 30 { // brute force through SRP: the password fails in RespondToAuthChallenge
		as = append(as, cognitomontest.Attempt{Time: at(60+i/6, i*7%60), Flow: cognitomon.SignIn, Client: webClient, User: fmt.Sprintf("victim%d", i%3), IP: bruteIP, Outcome: cognitomontest.Failure, Path: cognitomontest.PathSRP})
	}
	for i := range 12 { // enumeration
		as = append(as, cognitomontest.Attempt{Time: at(90+i, 3), Flow: cognitomon.SignIn, Client: webClient, User: fmt.Sprintf("guess%d", i), IP: enumIP, Outcome: cognitomontest.Failure, ErrorCode: "UserNotFoundException"})
	}
	as = append(as,
		cognitomontest.Attempt{Time: at(100, 0), Flow: cognitomon.SignIn, Client: webClient, User: "ops1", IP: backOfficeIP, Outcome: cognitomontest.Failure, Path: cognitomontest.PathAdmin},
		cognitomontest.Attempt{Time: at(100, 10), Flow: cognitomon.SignIn, Client: webClient, User: "ops1", IP: backOfficeIP, Outcome: cognitomontest.Success, Path: cognitomontest.PathAdmin},
		cognitomontest.Attempt{Time: at(101, 0), Flow: cognitomon.TokenRefresh, Client: webClient, User: "ops1", IP: backOfficeIP, Outcome: cognitomontest.Failure, Path: cognitomontest.PathAdmin},
		cognitomontest.Attempt{Time: at(101, 30), Flow: cognitomon.TokenRefresh, Client: webClient, User: "ops1", IP: backOfficeIP, Outcome: cognitomontest.Throttled, Path: cognitomontest.PathAdmin},
		cognitomontest.Attempt{Time: at(130, 0), Flow: cognitomon.SignIn, Client: webClient, User: "srp1", IP: "203.0.113.40", Outcome: cognitomontest.Throttled, Path: cognitomontest.PathSRP},
	)
	for i := range 9 { // GetTokensFromRefreshToken, with rotation reuse
		o, code := cognitomontest.Success, ""
		switch {
		case i%3 == 1:
			o, code = cognitomontest.Failure, "RefreshTokenReuseException"
		case i == 8:
			o = cognitomontest.Throttled
		}
		as = append(as, cognitomontest.Attempt{Time: at(140+i, 0), Flow: cognitomon.TokenRefresh, Client: "7ios0mobile0example0client", User: "mob1", IP: "203.0.113.41", Outcome: o, ErrorCode: code, Path: cognitomontest.PathGetTokens})
	}
	for i := range 9 { // managed login: sign-ins (login_POST, then Token_POST) and refreshes at the token endpoint
		o := cognitomontest.Success
		if i%2 == 1 {
			o = cognitomontest.Failure
		}
		as = append(as,
			cognitomontest.Attempt{Time: at(150+i, 0), Flow: cognitomon.SignIn, Client: webClient, User: "ml1", IP: managedUserIP, Outcome: o, Path: cognitomontest.PathManagedLogin},
			cognitomontest.Attempt{Time: at(150+i, 30), Flow: cognitomon.TokenRefresh, Client: webClient, User: "ml1", IP: managedUserIP, Outcome: o, Path: cognitomontest.PathManagedLogin})
	}
	as = append(as, cognitomontest.Attempt{Time: at(159, 0), Flow: cognitomon.TokenRefresh, Client: webClient, User: "ml1", IP: managedUserIP, Outcome: cognitomontest.Throttled, Path: cognitomontest.PathManagedLogin})
	// Threat protection.
	for i := range 3 {
		as = append(as, cognitomontest.Attempt{Time: at(200+i, 0), Flow: cognitomon.SignIn, Client: webClient, User: "victim1", IP: riskyIP, Outcome: cognitomontest.Failure, RiskLevel: "HIGH", RiskDecision: "BLOCK"})
	}
	as = append(as,
		cognitomontest.Attempt{Time: at(204, 0), Flow: cognitomon.SignIn, Client: webClient, User: "victim2", IP: riskyIP, Outcome: cognitomontest.Success, RiskLevel: "HIGH", RiskDecision: "ACCOUNT_TAKEOVER"},
		cognitomontest.Attempt{Time: at(205, 0), Flow: cognitomon.SignIn, Client: webClient, User: "victim2", IP: riskyIP, Outcome: cognitomontest.Success, RiskLevel: "High", RiskDecision: "ACCOUNT_TAKEOVER"},
		cognitomontest.Attempt{Time: at(206, 0), Flow: cognitomon.SignIn, Client: webClient, User: "calm", IP: "203.0.113.50", Outcome: cognitomontest.Success, RiskLevel: "LOW"},
		cognitomontest.Attempt{Time: at(207, 0), Flow: cognitomon.SignIn, Client: webClient, User: "calm", IP: "203.0.113.50", Outcome: cognitomontest.Failure, RiskLevel: "MEDIUM", RiskDecision: "Block"},
		cognitomontest.Attempt{Time: at(208, 0), Flow: cognitomon.SignIn, Client: webClient, User: "leaky", IP: "203.0.113.51", Outcome: cognitomontest.Success, CompromisedCredentials: true, RiskLevel: "HIGH"},
		cognitomontest.Attempt{Time: at(209, 0), Flow: cognitomon.SignUp, Client: webClient, User: "leaky2", IP: "203.0.113.52", Outcome: cognitomontest.Success, CompromisedCredentials: true},
		cognitomontest.Attempt{Time: at(210, 0), Flow: cognitomon.SignIn, Client: webClient, User: "leaky3", IP: "203.0.113.53", Outcome: cognitomontest.Throttled, CompromisedCredentials: true, RiskLevel: "HIGH"},
	)
	p.Record(as...)

	var rs []cognitomontest.Request
	for i := range 20 {
		o := cognitomontest.Success
		if i == 7 {
			o = cognitomontest.Failure
		}
		rs = append(rs, cognitomontest.Request{Time: at(10+i, 0), Name: "Token_POST", Client: m2mBilling, GrantType: "client_credentials", IP: m2mServiceIP, Outcome: o})
	}
	for i := range 7 {
		o := cognitomontest.Success
		if i == 6 {
			o = cognitomontest.Throttled
		}
		rs = append(rs, cognitomontest.Request{Time: at(40+i, 0), Name: "Token_POST", Client: m2mReports, GrantType: "client_credentials", IP: "10.0.9.10", Outcome: o})
	}
	rs = append(rs,
		cognitomontest.Request{Time: at(48, 0), Name: "Beta_Token_POST", Client: m2mReports, GrantType: "client_credentials", IP: "10.0.9.10"},
		cognitomontest.Request{Time: at(49, 0), Name: "Token_POST", GrantType: "client_credentials", IP: "10.0.9.11"}, // HTTP Basic: no client_id
	)
	for i := range 6 {
		rs = append(rs, cognitomontest.Request{Time: at(220+i, 0), Name: "ForgotPassword", Client: webClient, IP: "198.51.100.200", User: fmt.Sprintf("forgetful%d", i)})
	}
	for i := range 3 {
		rs = append(rs, cognitomontest.Request{Time: at(226+i, 0), Name: "ForgotPassword", Client: webClient, IP: enumIP, Outcome: cognitomontest.Failure, ErrorCode: "UserNotFoundException"})
	}
	for i := range 8 {
		rs = append(rs, cognitomontest.Request{Time: at(230+i, 0), Name: "ConfirmForgotPassword", Client: webClient, IP: resetAbuseIP, Outcome: cognitomontest.Failure, ErrorCode: "CodeMismatchException"})
	}
	rs = append(rs,
		cognitomontest.Request{Time: at(239, 0), Name: "ConfirmForgotPassword", Client: webClient, IP: resetAbuseIP, Outcome: cognitomontest.Failure, ErrorCode: "ExpiredCodeException"},
		cognitomontest.Request{Time: at(240, 0), Name: "ConfirmForgotPassword", Client: webClient, IP: "198.51.100.200"},
		cognitomontest.Request{Time: at(241, 0), Name: "AdminResetUserPassword", IP: backOfficeIP, Caller: aliceARN, Parameters: map[string]any{"username": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
	)
	// MFA: wrong and stale TOTP codes, an SMS challenge through the admin API.
	for i := range 9 {
		o, code := cognitomontest.Success, ""
		switch {
		case i < 6:
			o, code = cognitomontest.Failure, "CodeMismatchException"
		case i == 6:
			o, code = cognitomontest.Failure, "ExpiredCodeException"
		}
		rs = append(rs, cognitomontest.Request{Time: at(250+i, 0), Name: "RespondToAuthChallenge", Client: webClient, IP: mfaGuessIP, User: "mfa1",
			Parameters: map[string]any{"challengeName": "SOFTWARE_TOKEN_MFA", "challengeResponses": "HIDDEN_DUE_TO_SECURITY_REASONS", "session": "HIDDEN_DUE_TO_SECURITY_REASONS"}, Outcome: o, ErrorCode: code})
	}
	rs = append(rs,
		cognitomontest.Request{Time: at(259, 0), Name: "RespondToAuthChallenge", Client: webClient, IP: mfaGuessIP, User: "mfa1",
			Parameters: map[string]any{"challengeName": "SMS_MFA"}, Outcome: cognitomontest.Failure, ErrorCode: "NotAuthorizedException"},
		cognitomontest.Request{Time: at(260, 0), Name: "AdminRespondToAuthChallenge", IP: backOfficeIP, Caller: bobARN,
			Parameters: map[string]any{"challengeName": "SMS_MFA", "clientId": webClient}, Outcome: cognitomontest.Failure, ErrorCode: "CodeMismatchException"},
		cognitomontest.Request{Time: at(261, 0), Name: "VerifySoftwareToken", IP: mfaGuessIP, Outcome: cognitomontest.Failure, ErrorCode: "EnableSoftwareTokenMFAException"},
	)
	// Admin changes, one refused, one with a rejected callback URL.
	rs = append(rs,
		cognitomontest.Request{Time: at(300, 0), Name: "UpdateUserPoolClient", IP: "198.51.100.9", Caller: aliceARN, Parameters: map[string]any{"clientId": webClient, "callbackURLs": []string{"https://app.example.com/cb"}}},
		cognitomontest.Request{Time: at(301, 0), Name: "SetRiskConfiguration", IP: "198.51.100.10", Caller: bobARN, Outcome: cognitomontest.Failure, ErrorCode: "AccessDeniedException"},
		cognitomontest.Request{Time: at(302, 0), Name: "DeleteIdentityProvider", IP: "198.51.100.9", Caller: aliceARN, Parameters: map[string]any{"providerName": "CorpSAML"}},
		cognitomontest.Request{Time: at(303, 0), Name: "UpdateUserPoolClient", IP: "198.51.100.9", Caller: aliceARN, Outcome: cognitomontest.Failure, ErrorCode: "InvalidParameterException",
			Parameters: map[string]any{"clientId": webClient, "callbackURLs": []string{"http://localhost:3000/cb"}}},
		cognitomontest.Request{Time: at(304, 0), Name: "AdminDisableUser", IP: "198.51.100.9", Caller: aliceARN}, // a user operation, not a configuration change
		cognitomontest.Request{Time: at(305, 0), Name: "SignUp", Client: webClient, IP: "203.0.113.60", Outcome: cognitomontest.Failure, ErrorCode: "InvalidParameterException"},
	)
	p.RecordRequest(rs...)
	return p
}

// proofExtras are records the simulator does not write: every CloudTrail
// record of testdata/samples (AWS's) and testdata/synthesized, and hosted-UI
// error pages and authorize failures written here. They go to the
// evaluator and to the analyses alike.
func proofExtras(t testing.TB) (trail, activity []insightsql.Event) {
	t.Helper()
	var files []string
	for _, dir := range []string{"samples", "synthesized"} {
		m, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var head struct {
			EventTime      string `json:"eventTime"`
			EventTimestamp string `json:"eventTimestamp"`
			EventSource    string `json:"eventSource"`
		}
		_ = json.Unmarshal(data, &head) // {"Records": [...]} has neither
		ts := proofStart.Add(5 * time.Hour)
		if tt, err := time.Parse(time.RFC3339, head.EventTime); err == nil {
			ts = tt
		}
		ev := insightsql.Event{Timestamp: ts, Message: data, LogStream: filepath.Base(f)}
		if head.EventSource == "USER_ACTIVITY" {
			activity = append(activity, ev)
		} else {
			trail = append(trail, ev)
		}
	}
	endpoint := func(min int, name string, status any, params map[string][]string) insightsql.Event {
		ts := proofStart.Add(time.Duration(min) * time.Minute)
		rec := map[string]any{
			"eventVersion": "1.08", "userIdentity": map[string]any{"accountId": "123456789012"},
			"eventTime": ts.Format(time.RFC3339), "eventSource": "cognito-idp.amazonaws.com", "eventName": name,
			"awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.70", "userAgent": "Mozilla/5.0",
			"requestParameters": nil, "responseElements": nil,
			"additionalEventData": map[string]any{
				"responseParameters": map[string]any{"status": status}, "requestParameters": params,
				"userPoolDomain": "pr00fpool.auth.us-east-1.amazoncognito.com", "userPoolId": proofPoolID,
			},
			"requestID": fmt.Sprintf("extra-%d", min), "eventID": fmt.Sprintf("00000000-0000-4000-8000-%012d", min),
			"readOnly": strings.HasSuffix(name, "_GET"), "eventType": "AwsServiceEvent", "managementEvent": true,
			"recipientAccountId": "123456789012", "eventCategory": "Management",
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return insightsql.Event{Timestamp: ts, Message: b, LogStream: "extra"}
	}
	trail = append(trail,
		endpoint(310, "OAuth2_Authorize_GET", 400, map[string][]string{"client_id": {webClient}, "redirect_uri": {"https://evil.example.net/cb"}, "response_type": {"code"}}),
		endpoint(311, "OAuth2_Authorize_GET", 400, map[string][]string{"client_id": {webClient}, "redirect_uri": {"https://evil.example.net/cb"}, "response_type": {"code"}}),
		endpoint(312, "OAuth2_Authorize_GET", 302, map[string][]string{"client_id": {webClient}, "redirect_uri": {"https://app.example.com/cb"}, "response_type": {"code"}}),
		endpoint(313, "Error_GET", 200, map[string][]string{"client_id": {webClient}}),
		endpoint(314, "mfa_totp_POST", 400, map[string][]string{"client_id": {webClient}, "code": {"HIDDEN_DUE_TO_SECURITY_REASONS"}}),
		endpoint(315, "ForgotPassword_POST", 400, map[string][]string{"client_id": {webClient}, "username": {"HIDDEN_DUE_TO_SECURITY_REASONS"}}),
		endpoint(316, "Beta_Token_POST", "400", map[string][]string{"client_id": {webClient}, "grant_type": {"refresh_token"}}),
	)
	return trail, activity
}

// world is what the proofs run over.
type world struct {
	pool *cognitomontest.Pool
	// poolTrail and poolActivity are the pool's own log events; extraTrail
	// and extraActivity are proofExtras.
	poolTrail, poolActivity   []insightsql.Event
	extraTrail, extraActivity []insightsql.Event
	// parsedAll are the CloudTrail events, pool's and extras, as the
	// analyses see them.
	parsedAll []cognitomon.Event
}

// sharedWorld is built once: the tests only read it.
var sharedWorld struct {
	once sync.Once
	w    *world
}

func newWorld(t testing.TB) *world {
	t.Helper()
	sharedWorld.once.Do(func() { sharedWorld.w = buildWorld(t) })
	if sharedWorld.w == nil {
		t.Fatal("building the simulated world failed in an earlier test")
	}
	return sharedWorld.w
}

func buildWorld(t testing.TB) *world {
	t.Helper()
	w := &world{pool: proofPool(t)}
	for _, r := range w.pool.TrailRecords() {
		w.poolTrail = append(w.poolTrail, insightsql.Event{Timestamp: r.Time, Message: r.JSON})
	}
	for _, r := range w.pool.UserActivityRecords() {
		w.poolActivity = append(w.poolActivity, insightsql.Event{Timestamp: r.Time, Message: r.JSON})
	}
	w.extraTrail, w.extraActivity = proofExtras(t)
	w.parsedAll = parsed(t, slices.Concat(w.poolTrail, w.extraTrail))
	return w
}

// events returns the events a query reads: the pool's alone, or with the
// extras.
func (w *world) events(q cognitomon.Query, extras bool) []insightsql.Event {
	if q.Reads == cognitomon.UserActivityLog {
		if extras {
			return slices.Concat(w.poolActivity, w.extraActivity)
		}
		return w.poolActivity
	}
	if extras {
		return slices.Concat(w.poolTrail, w.extraTrail)
	}
	return w.poolTrail
}

// parsed returns the CloudTrail events as the analyses see them.
func parsed(t testing.TB, evs []insightsql.Event) []cognitomon.Event {
	t.Helper()
	var out []cognitomon.Event
	for _, ev := range evs {
		e, err := cognitomon.ParseEvent(ev.Message)
		if errors.Is(err, cognitomon.ErrNotUserPoolEvent) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", ev.LogStream, err)
		}
		out = append(out, e)
	}
	return out
}

// evaluate runs q's text (with the largest limit, so that no row is cut)
// over evs with the local evaluator.
func evaluate(t testing.TB, q cognitomon.Query, evs []insightsql.Event) []cognitomon.Row {
	t.Helper()
	text, err := q.Render(cognitomon.QueryParams{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	pq, err := insightsql.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	res, err := pq.Run(slices.Values(evs))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) >= 10000 {
		t.Fatalf("%s: %d rows: the limit cut the result", q.Name, len(res.Rows))
	}
	rows := make([]cognitomon.Row, len(res.Rows))
	for i, r := range res.Rows {
		for _, f := range r {
			rows[i] = append(rows[i], cognitomon.ResultField{Name: f.Name, Value: f.Value})
		}
	}
	return rows
}

// key joins a row's values of the given columns, "-" for a missing one.
func key(r cognitomon.Row, cols ...string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		v, ok := r.Value(c)
		if !ok {
			v = "-"
		}
		parts[i] = v
	}
	return strings.Join(parts, " | ")
}

func join(parts ...string) string {
	for i, p := range parts {
		if p == "" {
			parts[i] = "-"
		}
	}
	return strings.Join(parts, " | ")
}

// tally sums a count column by key.
func tally(t testing.TB, rows []cognitomon.Row, countCol string, cols ...string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, r := range rows {
		v, _ := r.Value(countCol)
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("row %v: %s = %q", r, countCol, v)
		}
		out[key(r, cols...)] += n
	}
	return out
}

// reason is FailureReason's form of a row: its error code, or "HTTP
// <status>".
func reason(r cognitomon.Row) string {
	if c, ok := r.Value("errorCode"); ok && c != "" {
		return c
	}
	if s, ok := r.Value("additionalEventData.responseParameters.status"); ok {
		return "HTTP " + s
	}
	return ""
}

func tallyReasonIP(t testing.TB, rows []cognitomon.Row, countCol string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range rows {
		ip, _ := r.Value("sourceIPAddress")
		out[join(reason(r), ip)] += tally(t, []cognitomon.Row{r}, countCol)[""]
	}
	return out
}

func diffCounts(t *testing.T, what string, want, got map[string]int64) {
	t.Helper()
	if len(want) == 0 {
		t.Errorf("%s: the oracle counted nothing; the proof would be empty", what)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

func topListCounts[K comparable](t *testing.T, l cognitomon.TopList[K], name func(K) string) map[string]int64 {
	t.Helper()
	if !l.Exact {
		t.Fatal("the analysis dropped keys; raise AnalyzerOptions.TopK")
	}
	out := map[string]int64{}
	for _, it := range l.Items {
		out[name(it.Key)] += it.Count
	}
	return out
}

// The pool's truths.

// attemptReason is the failure reason an attempt's failing record shows.
func attemptReason(a cognitomontest.Attempt) string {
	if a.Path == cognitomontest.PathManagedLogin || a.Flow == cognitomon.Federation {
		if a.Outcome == cognitomontest.Throttled {
			return "HTTP 429"
		}
		return "HTTP 400"
	}
	if a.Outcome == cognitomontest.Throttled {
		return "TooManyRequestsException"
	}
	return a.ErrorCode
}

// attemptCode is the errorCode of an attempt's failing record: none for
// the endpoint records of managed login and federation.
func attemptCode(a cognitomontest.Attempt) string {
	if !failed(a.Outcome) || a.Path == cognitomontest.PathManagedLogin || a.Flow == cognitomon.Federation {
		return ""
	}
	return attemptReason(a)
}

func requestReason(r cognitomontest.Request) string {
	if r.Name == "Token_POST" || r.Name == "Beta_Token_POST" {
		if r.Outcome == cognitomontest.Throttled {
			return "HTTP 429"
		}
		return "HTTP 400"
	}
	if r.Outcome == cognitomontest.Throttled {
		return "TooManyRequestsException"
	}
	if r.ErrorCode == "" {
		return "NotAuthorizedException"
	}
	return r.ErrorCode
}

func failed(o cognitomontest.Outcome) bool {
	return o == cognitomontest.Failure || o == cognitomontest.Throttled
}

func isMFAChallenge(r cognitomontest.Request) bool {
	if r.Name != "RespondToAuthChallenge" && r.Name != "AdminRespondToAuthChallenge" {
		return false
	}
	switch r.Parameters["challengeName"] {
	case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "MFA_SETUP", "SELECT_MFA_TYPE":
		return true
	}
	return r.ErrorCode == "CodeMismatchException" || r.ErrorCode == "ExpiredCodeException"
}

// proof checks one query: rows over the pool alone against the pool's
// truth, and rows over the pool and the extras against the analyses.
type proof func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row)

func proofs() map[string]proof {
	return map[string]proof{
		"failed-sign-ins": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				if a.Flow == cognitomon.SignIn && failed(a.Outcome) {
					truth[join(attemptReason(a), a.IP)]++
				}
			}
			for _, r := range w.pool.Requests() {
				if (r.Name == "RespondToAuthChallenge" || r.Name == "AdminRespondToAuthChallenge") && failed(r.Outcome) {
					truth[join(requestReason(r), r.IP)]++
				}
			}
			diffCounts(t, "pool truth", truth, tallyReasonIP(t, poolRows, "failures"))

			// Sign-in steps: EventKind SignIn but the authorize endpoint
			// (redirect-mismatches reads it), plus the MFA steps of
			// challenge responses and MFA pages.
			a := cognitomon.NewFailureAnalyzer(func(o *cognitomon.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				switch {
				case e.Kind() == cognitomon.KindSignIn && e.Family() != cognitomon.FamilyAuthorize,
					e.Kind() == cognitomon.KindMFA && (e.Name == "RespondToAuthChallenge" || e.Name == "AdminRespondToAuthChallenge" || e.Family() == cognitomon.FamilyMFA):
					a.Add(e)
				}
			}
			want := topListCounts(t, a.Summary().ByReasonAndIP, func(k cognitomon.ReasonIP) string { return join(k.Reason, k.SourceIP) })
			diffCounts(t, "FailureAnalyzer over sign-in steps", want, tallyReasonIP(t, allRows, "failures"))
		},
		"refresh-failures": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			path := func(name string) string {
				switch name {
				case "InitiateAuth", "AdminInitiateAuth":
					return "InitiateAuth"
				case "Token_POST", "Beta_Token_POST":
					return "TokenEndpoint"
				}
				return name
			}
			got := func(rows []cognitomon.Row) map[string]int64 {
				out := map[string]int64{}
				for _, r := range rows {
					tv, _ := r.Value("t")
					name, _ := r.Value("eventName")
					out[join(tv, path(name))] += tally(t, []cognitomon.Row{r}, "failures")[""]
				}
				return out
			}
			bucket := func(ts time.Time) string { return ts.UTC().Truncate(5 * time.Minute).Format("2006-01-02 15:04:05.000") }
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				if a.Flow != cognitomon.TokenRefresh || !failed(a.Outcome) {
					continue
				}
				name := map[cognitomontest.Path]string{cognitomontest.PathDefault: "InitiateAuth", cognitomontest.PathAdmin: "AdminInitiateAuth",
					cognitomontest.PathGetTokens: "GetTokensFromRefreshToken", cognitomontest.PathManagedLogin: "Token_POST"}[a.Path]
				truth[join(bucket(a.Time), path(name))]++
			}
			diffCounts(t, "pool truth", truth, got(poolRows))

			ra := cognitomon.NewRefreshAnalyzer(5 * time.Minute)
			for _, e := range w.parsedAll {
				ra.Add(e)
			}
			s := ra.Summary()
			want := map[string]int64{}
			for _, b := range s.Buckets {
				for p, c := range map[string]cognitomon.Counts{"InitiateAuth": b.InitiateAuth, "GetTokensFromRefreshToken": b.GetTokensFromRefreshToken, "TokenEndpoint": b.TokenEndpoint} {
					if f := c.Failures(); f > 0 {
						want[join(bucket(b.Start), p)] += f
					}
				}
			}
			diffCounts(t, "RefreshAnalyzer", want, got(allRows))
			for i := 1; i < len(allRows); i++ {
				a, _ := allRows[i-1].Value("t")
				b, _ := allRows[i].Value("t")
				if a < b {
					t.Fatalf("rows are not newest first: %s before %s", a, b)
				}
			}
		},
		"top-failing-ips": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				if failed(a.Outcome) {
					truth[a.IP]++
				}
			}
			for _, r := range w.pool.Requests() {
				if failed(r.Outcome) {
					truth[r.IP]++
				}
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "failures", "sourceIPAddress"))
			a := cognitomon.NewFailureAnalyzer(func(o *cognitomon.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				a.Add(e)
			}
			want := topListCounts(t, a.Summary().BySourceIP, func(ip string) string { return ip })
			diffCounts(t, "FailureAnalyzer.BySourceIP", want, tally(t, allRows, "failures", "sourceIPAddress"))
			if ip, _ := allRows[0].Value("sourceIPAddress"); ip != bruteIP {
				t.Errorf("top failing IP %s, want the brute-forcing %s", ip, bruteIP)
			}
		},
		"token-requests": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			cols := []string{"additionalEventData.requestParameters.client_id.0", "additionalEventData.requestParameters.grant_type.0"}
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				switch {
				case a.Path != cognitomontest.PathManagedLogin:
				case a.Flow == cognitomon.SignIn && a.Outcome == cognitomontest.Success:
					truth[join(string(a.Client), "authorization_code")]++
				case a.Flow == cognitomon.TokenRefresh:
					truth[join(string(a.Client), "refresh_token")]++
				}
			}
			for _, r := range w.pool.Requests() {
				if r.Name == "Token_POST" || r.Name == "Beta_Token_POST" {
					truth[join(string(r.Client), r.GrantType)]++
				}
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "requests", cols...))

			want := map[string]int64{}
			m2m := cognitomon.NewM2MAnalyzer()
			for _, e := range w.parsedAll {
				if e.Family() == cognitomon.FamilyToken {
					want[join(string(e.ClientID), e.GrantType)]++
				}
				m2m.Add(e)
			}
			got := tally(t, allRows, "requests", cols...)
			diffCounts(t, "token-endpoint events", want, got)
			ms := m2m.Summary()
			wantM2M := map[string]int64{}
			for _, c := range ms.Clients {
				wantM2M[join(string(c.ClientID), "client_credentials")] = c.Counts.Attempts
			}
			gotM2M := map[string]int64{}
			for k, n := range got {
				if strings.HasSuffix(k, "| client_credentials") {
					gotM2M[k] = n
				}
			}
			diffCounts(t, "M2MAnalyzer", wantM2M, gotM2M)
		},
		"user-enumeration": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				if attemptCode(a) == "UserNotFoundException" {
					truth[a.IP]++
				}
			}
			for _, r := range w.pool.Requests() {
				if r.Outcome == cognitomontest.Failure && r.ErrorCode == "UserNotFoundException" {
					truth[r.IP]++
				}
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "userNotFound", "sourceIPAddress"))
			a := cognitomon.NewEnumerationAnalyzer(func(o *cognitomon.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				a.Add(e)
			}
			want := topListCounts(t, a.Summary().BySourceIP, func(ip string) string { return ip })
			diffCounts(t, "EnumerationAnalyzer.BySourceIP", want, tally(t, allRows, "userNotFound", "sourceIPAddress"))
		},
		"password-reset-abuse": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			truth := map[string]int64{}
			for _, r := range w.pool.Requests() {
				switch r.Name {
				case "ForgotPassword", "ConfirmForgotPassword", "AdminResetUserPassword":
					code := ""
					if failed(r.Outcome) {
						code = requestReason(r)
					}
					truth[join(r.IP, r.Name, code)]++
				}
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "requests", "sourceIPAddress", "eventName", "errorCode"))

			a := cognitomon.NewPasswordResetAnalyzer(func(o *cognitomon.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				a.Add(e)
			}
			s := a.Summary()
			wantByName, wantFailedByName := map[string]int64{}, map[string]int64{}
			for n, c := range s.ByName {
				wantByName[n] = c.Attempts
				if c.Failures() > 0 {
					wantFailedByName[n] = c.Failures()
				}
			}
			gotFailedByName := map[string]int64{}
			for _, r := range allRows {
				if reason(r) != "" && !strings.HasPrefix(reason(r), "HTTP 2") && !strings.HasPrefix(reason(r), "HTTP 3") {
					n, _ := r.Value("eventName")
					gotFailedByName[n] += tally(t, []cognitomon.Row{r}, "requests")[""]
				}
			}
			diffCounts(t, "PasswordResetAnalyzer.ByName", wantByName, tally(t, allRows, "requests", "eventName"))
			diffCounts(t, "PasswordResetAnalyzer.ByName failures", wantFailedByName, gotFailedByName)
			diffCounts(t, "PasswordResetAnalyzer.BySourceIP", topListCounts(t, s.BySourceIP, func(ip string) string { return ip }),
				tally(t, allRows, "requests", "sourceIPAddress"))
		},
		"mfa-failures": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				// SRP: a wrong or stale code fails the MFA challenge response.
				if a.Flow == cognitomon.SignIn && a.Path == cognitomontest.PathSRP && failed(a.Outcome) &&
					(a.ErrorCode == "CodeMismatchException" || a.ErrorCode == "ExpiredCodeException") {
					truth[join(attemptReason(a), a.IP)]++
				}
			}
			for _, r := range w.pool.Requests() {
				if (isMFAChallenge(r) || r.Name == "VerifySoftwareToken") && failed(r.Outcome) {
					truth[join(requestReason(r), r.IP)]++
				}
			}
			diffCounts(t, "pool truth", truth, tallyReasonIP(t, poolRows, "failures"))
			a := cognitomon.NewMFAAnalyzer(func(o *cognitomon.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				a.Add(e)
			}
			s := a.Summary()
			byReason := map[string]int64{}
			byIP := map[string]int64{}
			for k, n := range tallyReasonIP(t, allRows, "failures") {
				reason, ip, _ := strings.Cut(k, " | ")
				byReason[reason] += n
				byIP[ip] += n
			}
			diffCounts(t, "MFAAnalyzer.ByReason", topListCounts(t, s.ByReason, func(r string) string { return r }), byReason)
			diffCounts(t, "MFAAnalyzer.BySourceIP", topListCounts(t, s.BySourceIP, func(ip string) string { return ip }), byIP)
			if total := s.Counts.Failures(); total != s.CodeMismatch+s.ExpiredCode+byReason["NotAuthorizedException"]+byReason["EnableSoftwareTokenMFAException"]+byReason["HTTP 400"] {
				t.Errorf("MFAAnalyzer counted %d failures; rows split them as %v", total, byReason)
			}
		},
		"admin-changes": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			cols := []string{"eventName", "userIdentity.arn", "sourceIPAddress", "errorCode"}
			truth := map[string]int64{}
			for _, r := range w.pool.Requests() {
				if r.Caller != "" && r.Name != "AdminDisableUser" && r.Name != "AdminResetUserPassword" && r.Name != "AdminRespondToAuthChallenge" {
					code := ""
					if failed(r.Outcome) {
						code = requestReason(r)
					}
					truth[join(r.Name, r.Caller, r.IP, code)]++
				}
			}
			diffCounts(t, "pool truth", truth, countRows(poolRows, cols...))
			a := cognitomon.NewAdminChangeAnalyzer()
			for _, e := range w.parsedAll {
				a.Add(e)
			}
			want := map[string]int64{}
			for _, e := range a.Summary().Changes {
				want[join(e.EventID, e.Name, e.CallerARN, e.SourceIP, e.ErrorCode)]++
			}
			diffCounts(t, "AdminChangeAnalyzer.Changes", want, countRows(allRows, append([]string{"eventID"}, cols...)...))
			for i := 1; i < len(allRows); i++ {
				a, _ := allRows[i-1].Value("@timestamp")
				b, _ := allRows[i].Value("@timestamp")
				if a < b {
					t.Fatalf("rows are not newest first: %s before %s", a, b)
				}
			}
		},
		"redirect-mismatches": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			client := func(r cognitomon.Row) string {
				if c, ok := r.Value("requestParameters.clientId"); ok {
					return c
				}
				c, _ := r.Value("additionalEventData.requestParameters.client_id.0")
				return c
			}
			got := func(rows []cognitomon.Row) map[string]int64 {
				out := map[string]int64{}
				for _, r := range rows {
					out[join(key(r, "eventName", "errorCode"), client(r), key(r, "additionalEventData.requestParameters.redirect_uri.0"))] += tally(t, []cognitomon.Row{r}, "errors")[""]
				}
				return out
			}
			truth := map[string]int64{}
			for _, r := range w.pool.Requests() {
				if r.ErrorCode == "InvalidParameterException" {
					c, _ := r.Parameters["clientId"].(string)
					if c == "" {
						c = string(r.Client)
					}
					truth[join(r.Name, r.ErrorCode, c, "")]++
				}
			}
			diffCounts(t, "pool truth", truth, got(poolRows))
			want := map[string]int64{}
			for _, e := range w.parsedAll {
				if e.ErrorCode == "InvalidParameterException" || e.Name == "Error_GET" || e.Family() == cognitomon.FamilyAuthorize && e.HTTPStatus >= 400 {
					var raw struct {
						AdditionalEventData struct {
							RequestParameters struct {
								RedirectURI []string `json:"redirect_uri"`
							} `json:"requestParameters"`
						} `json:"additionalEventData"`
					}
					if err := json.Unmarshal(e.Raw, &raw); err != nil {
						t.Fatal(err)
					}
					redirect := ""
					if r := raw.AdditionalEventData.RequestParameters.RedirectURI; len(r) > 0 {
						redirect = r[0]
					}
					want[join(e.Name, e.ErrorCode, string(e.ClientID), redirect)]++
				}
			}
			diffCounts(t, "classified events", want, got(allRows))
		},
		"risky-sign-ins": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			cols := []string{"message.ipAddress", "message.userName", "message.riskLevel", "message.riskDecision", "message.eventResponse"}
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				decision := a.RiskDecision
				if decision == "" {
					decision = "PASS"
				}
				if a.Flow != cognitomon.SignIn || a.Outcome == cognitomontest.Throttled ||
					!strings.EqualFold(a.RiskLevel, "high") && !strings.EqualFold(decision, "block") {
					continue
				}
				resp := "Pass"
				if a.Outcome == cognitomontest.Failure {
					resp = "Fail"
				}
				truth[join(a.IP, a.User, a.RiskLevel, decision, resp)]++
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "signIns", cols...))
			want := map[string]int64{}
			for _, m := range activityMessages(t, w.events(cognitomon.Query{Reads: cognitomon.UserActivityLog}, true)) {
				if strings.EqualFold(m.EventType, "signin") && (strings.EqualFold(m.RiskLevel, "high") || strings.EqualFold(m.RiskDecision, "block")) {
					want[join(m.IPAddress, m.UserName, m.RiskLevel, m.RiskDecision, m.EventResponse)]++
				}
			}
			diffCounts(t, "decoded user-activity records", want, tally(t, allRows, "signIns", cols...))
		},
		"compromised-credentials": func(t *testing.T, w *world, poolRows, allRows []cognitomon.Row) {
			cols := []string{"message.eventType", "message.ipAddress", "message.userName"}
			truth := map[string]int64{}
			for _, a := range w.pool.Attempts() {
				if a.CompromisedCredentials && a.Outcome != cognitomontest.Throttled && (a.Flow == cognitomon.SignIn || a.Flow == cognitomon.SignUp) {
					truth[join(a.Flow.String(), a.IP, a.User)]++
				}
			}
			diffCounts(t, "pool truth", truth, tally(t, poolRows, "detections", cols...))
			want := map[string]int64{}
			for _, m := range activityMessages(t, w.events(cognitomon.Query{Reads: cognitomon.UserActivityLog}, true)) {
				if strings.EqualFold(m.CompromisedCredentialDetected, "true") {
					want[join(m.EventType, m.IPAddress, m.UserName)]++
				}
			}
			diffCounts(t, "decoded user-activity records", want, tally(t, allRows, "detections", cols...))
		},
	}
}

// countRows counts rows by the values of cols.
func countRows(rows []cognitomon.Row, cols ...string) map[string]int64 {
	out := map[string]int64{}
	for _, r := range rows {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i], _ = r.Value(c)
		}
		out[join(parts...)]++
	}
	return out
}

type activityMessage struct {
	EventType                     string `json:"eventType"`
	EventResponse                 string `json:"eventResponse"`
	RiskLevel                     string `json:"riskLevel"`
	RiskDecision                  string `json:"riskDecision"`
	CompromisedCredentialDetected string `json:"compromisedCredentialDetected"`
	IPAddress                     string `json:"ipAddress"`
	UserName                      string `json:"userName"`
}

func activityMessages(t testing.TB, evs []insightsql.Event) []activityMessage {
	t.Helper()
	var out []activityMessage
	for _, ev := range evs {
		var rec struct {
			Message activityMessage `json:"message"`
		}
		if err := json.Unmarshal(ev.Message, &rec); err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.Message)
	}
	return out
}

func TestCatalogProofs(t *testing.T) {
	w := newWorld(t)
	ps := proofs()
	for _, q := range cognitomon.Catalog() {
		t.Run(q.Name, func(t *testing.T) {
			p, ok := ps[q.Name]
			if !ok {
				t.Fatal("no proof for this query: add one to proofs()")
			}
			p(t, w, evaluate(t, q, w.events(q, false)), evaluate(t, q, w.events(q, true)))
		})
	}
	for name := range ps {
		if _, ok := cognitomon.LookupQuery(name); !ok {
			t.Errorf("proof for %q, which is not in the catalogue", name)
		}
	}
}

// TestCatalogScopedQuery checks that scoping by pool and clients keeps
// exactly the pool's events.
func TestCatalogScopedQuery(t *testing.T) {
	w := newWorld(t)
	other := cognitomontest.NewPool("eu-west-1_OtherPool", func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	cognitomontest.SimulateTraffic(other, cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(2 * time.Hour)},
		cognitomontest.TrafficOptions{Seed: 9, Users: 50, Machines: []cognitomontest.MachineProfile{}, Clients: []cognitomontest.ClientProfile{{ID: "other0client", SignInsPerHour: 80, RefreshesPerSignIn: 2, FailureRate: 0.2}}})
	var otherTrail []insightsql.Event
	for _, r := range other.TrailRecords() {
		otherTrail = append(otherTrail, insightsql.Event{Timestamp: r.Time, Message: r.JSON})
	}
	var clients []cognitomon.ClientID
	for _, c := range proofClients() {
		clients = append(clients, c.ID)
	}
	for _, m := range cognitomontest.DefaultMachines() {
		clients = append(clients, m.ID)
	}
	clients = append(clients, m2mBilling, m2mReports)
	for _, name := range []string{"failed-sign-ins", "top-failing-ips", "refresh-failures", "token-requests"} {
		q, _ := cognitomon.LookupQuery(name)
		text, err := q.Render(cognitomon.QueryParams{UserPool: proofPoolID, Clients: clients, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		pq, err := insightsql.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := pq.Run(slices.Values(slices.Concat(w.poolTrail, otherTrail)))
		var got []cognitomon.Row
		for _, r := range res.Rows {
			var row cognitomon.Row
			for _, f := range r {
				row = append(row, cognitomon.ResultField{Name: f.Name, Value: f.Value})
			}
			got = append(got, row)
		}
		// Unscoped over the pool's own events, minus those that name no
		// pool and none of its clients (a deleted client ID, a token request
		// without client_id ...): compare with the same query over them.
		var own []insightsql.Event
		for _, ev := range w.poolTrail {
			e, err := cognitomon.ParseEvent(ev.Message)
			if err != nil {
				t.Fatal(err)
			}
			if e.UserPoolID == proofPoolID || slices.Contains(clients, e.ClientID) {
				own = append(own, ev)
			}
		}
		want := evaluate(t, q, own)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s scoped to the pool (-want +got):\n%s", name, diff)
		}
	}
	// The user-activity log carries the pool in every record.
	q, _ := cognitomon.LookupQuery("risky-sign-ins")
	text, err := q.Render(cognitomon.QueryParams{UserPool: "eu-west-1_OtherPool"})
	if err != nil {
		t.Fatal(err)
	}
	pq, _ := insightsql.Parse(text)
	if res, _ := pq.Run(slices.Values(w.poolActivity)); len(res.Rows) != 0 {
		t.Errorf("risky-sign-ins scoped to another pool: %d rows", len(res.Rows))
	}
}

// TestCatalogThroughLogsFake runs every query through InsightsClient and the
// Logs fake, and checks that the rows are the evaluator's.
func TestCatalogThroughLogsFake(t *testing.T) {
	w := newWorld(t)
	fake := cognitomontest.NewLogs([]*cognitomontest.Pool{w.pool})
	ic := cognitomon.NewInsightsClient(fake, fastPolling)
	r := cognitomon.TimeRange{Start: proofStart.Add(-time.Hour), End: proofStart.Add(7 * time.Hour)}
	for _, q := range cognitomon.Catalog() {
		text, err := q.Render(cognitomon.QueryParams{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		group := "aws-cloudtrail-logs-cognitomon"
		if q.Reads == cognitomon.UserActivityLog {
			group = "/aws/vendedlogs/cognito/user-activity"
		}
		res, err := ic.Run(context.Background(), text, []string{group}, r)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		if diff := cmp.Diff(evaluate(t, q, w.events(q, false)), res.Rows); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q.Name, diff)
		}
		if res.Stats.RecordsScanned != int64(len(w.events(q, false))) || res.Stats.BytesScanned == 0 || res.Stats.RecordsMatched == 0 {
			t.Errorf("%s: stats %+v", q.Name, res.Stats)
		}
	}
}

// ---------------------------------------------------------------------------
// The runner.

func fastPolling(o *cognitomon.InsightsOptions) {
	o.PollInterval = time.Millisecond
	o.MaxPollInterval = 4 * time.Millisecond
	o.Retry = cognitomon.RetryOptions{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
}

// scriptedLogs is a LogsAPI whose answers a test scripts. It records every
// query it started and whether each was seen to end (a final status) or was
// stopped, so a test can check that no query is left running.
type scriptedLogs struct {
	// startErrs are returned by the first StartQuery calls, in order.
	startErrs []error
	// status answers the n-th GetQueryResults call (from 1) of a query.
	status func(ctx context.Context, id string, n int) (logtypes.QueryStatus, error)
	// pages are the result pages of a Complete query; page i > 0 is
	// reached with token "p<i>".
	pages [][][]logtypes.ResultField
	// stopErr is returned by StopQuery.
	stopErr error
	// startHook runs in StartQuery before it answers.
	startHook func()

	mu          sync.Mutex
	startCtxErr error
	inputs      []*cloudwatchlogs.StartQueryInput
	starts      int
	ended       map[string]bool
	polls       map[string]int
	stopped     []string
	stopCtxErrs []error
	running     int
	maxRunning  int
}

func (s *scriptedLogs) StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error) {
	if s.startHook != nil {
		s.startHook()
	}
	s.mu.Lock()
	if err := ctx.Err(); err != nil && s.startCtxErr == nil {
		s.startCtxErr = err
	}
	defer s.mu.Unlock()
	s.starts++
	s.inputs = append(s.inputs, in)
	if len(s.startErrs) > 0 {
		err := s.startErrs[0]
		s.startErrs = s.startErrs[1:]
		return nil, err
	}
	if s.ended == nil {
		s.ended = map[string]bool{}
	}
	id := fmt.Sprintf("q%d", s.starts)
	s.ended[id] = false
	s.running++
	s.maxRunning = max(s.maxRunning, s.running)
	return &cloudwatchlogs.StartQueryOutput{QueryId: aws.String(id)}, nil
}

func (s *scriptedLogs) GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	id := aws.ToString(in.QueryId)
	if tok := aws.ToString(in.NextToken); tok != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(tok, "p"))
		if err != nil || i >= len(s.pages) {
			return nil, &logtypes.InvalidParameterException{Message: aws.String("bad token " + tok)}
		}
		return s.page(i), nil
	}
	st, err := s.status(ctx, id, s.poll(id))
	if err != nil {
		return nil, err
	}
	switch st {
	case logtypes.QueryStatusComplete, logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout:
		s.end(id)
	}
	if st != logtypes.QueryStatusComplete {
		return &cloudwatchlogs.GetQueryResultsOutput{Status: st}, nil
	}
	out := s.page(0)
	out.Status = st
	out.Statistics = &logtypes.QueryStatistics{RecordsMatched: 7, RecordsScanned: 1234, BytesScanned: 56789}
	return out, nil
}

func (s *scriptedLogs) page(i int) *cloudwatchlogs.GetQueryResultsOutput {
	out := &cloudwatchlogs.GetQueryResultsOutput{}
	if i < len(s.pages) {
		out.Results = s.pages[i]
	}
	if i+1 < len(s.pages) {
		out.NextToken = aws.String(fmt.Sprintf("p%d", i+1))
	}
	return out
}

func (s *scriptedLogs) poll(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.polls == nil {
		s.polls = map[string]int{}
	}
	s.polls[id]++
	return s.polls[id]
}

func (s *scriptedLogs) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended[id] {
		s.ended[id] = true
		s.running--
	}
}

func (s *scriptedLogs) StopQuery(ctx context.Context, in *cloudwatchlogs.StopQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StopQueryOutput, error) {
	id := aws.ToString(in.QueryId)
	s.mu.Lock()
	s.stopped = append(s.stopped, id)
	s.stopCtxErrs = append(s.stopCtxErrs, ctx.Err())
	s.mu.Unlock()
	if s.stopErr != nil {
		return nil, s.stopErr
	}
	s.end(id)
	return &cloudwatchlogs.StopQueryOutput{Success: true}, nil
}

// leaked returns the queries that were started and neither ended nor
// stopped.
func (s *scriptedLogs) leaked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id, done := range s.ended {
		if !done && !slices.Contains(s.stopped, id) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

var runRange = cognitomon.TimeRange{Start: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (test)", Fault: smithy.FaultClient}
}

func always(st logtypes.QueryStatus) func(context.Context, string, int) (logtypes.QueryStatus, error) {
	return func(context.Context, string, int) (logtypes.QueryStatus, error) { return st, nil }
}

func afterPolls(n int, final logtypes.QueryStatus) func(context.Context, string, int) (logtypes.QueryStatus, error) {
	return func(_ context.Context, _ string, poll int) (logtypes.QueryStatus, error) {
		if poll < n {
			return logtypes.QueryStatusRunning, nil
		}
		return final, nil
	}
}

func field(name, value string) logtypes.ResultField {
	return logtypes.ResultField{Field: aws.String(name), Value: aws.String(value)}
}

func TestInsightsRunResult(t *testing.T) {
	api := &scriptedLogs{
		status: afterPolls(4, logtypes.QueryStatusComplete),
		pages: [][][]logtypes.ResultField{
			{{field("sourceIPAddress", "192.0.2.1"), field("failures", "12"), field("@ptr", "x")}},
			{{field("sourceIPAddress", "192.0.2.2"), field("failures", "3")}},
			{{field("failures", "1")}},
		},
	}
	ic := cognitomon.NewInsightsClient(api, fastPolling)
	r := cognitomon.TimeRange{Start: runRange.Start.Add(300 * time.Millisecond), End: runRange.End.Add(200 * time.Millisecond)}
	res, err := ic.Run(context.Background(), "stats count(*) as failures by sourceIPAddress", []string{"trail", "activity"}, r)
	if err != nil {
		t.Fatal(err)
	}
	want := &cognitomon.QueryResult{
		QueryID: "q1",
		Rows: []cognitomon.Row{
			{{Name: "sourceIPAddress", Value: "192.0.2.1"}, {Name: "failures", Value: "12"}, {Name: "@ptr", Value: "x"}},
			{{Name: "sourceIPAddress", Value: "192.0.2.2"}, {Name: "failures", Value: "3"}},
			{{Name: "failures", Value: "1"}},
		},
		Stats: cognitomon.QueryStats{RecordsMatched: 7, RecordsScanned: 1234, BytesScanned: 56789},
		Polls: 4,
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	in := api.inputs[0]
	if got, want := []any{aws.ToInt64(in.StartTime), aws.ToInt64(in.EndTime), in.QueryLanguage, in.LogGroupNames, in.LogGroupIdentifiers},
		[]any{runRange.Start.Unix(), runRange.End.Unix() + 1, logtypes.QueryLanguageCwli, []string{"trail", "activity"}, []string(nil)}; !cmp.Equal(got, want) {
		t.Errorf("StartQuery input %v, want %v", got, want)
	}
	// ARNs go in logGroupIdentifiers.
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:trail"
	if _, err := ic.Run(context.Background(), "stats count(*)", []string{arn}, runRange); err != nil {
		t.Fatal(err)
	}
	if in := api.inputs[1]; !slices.Equal(in.LogGroupIdentifiers, []string{arn}) || in.LogGroupNames != nil {
		t.Errorf("StartQuery with an ARN: names %v identifiers %v", in.LogGroupNames, in.LogGroupIdentifiers)
	}
	if l := api.leaked(); len(l) > 0 {
		t.Errorf("queries left running: %v", l)
	}
}

// TestInsightsRunNeverLeaks goes through every way Run can end after
// StartQuery succeeded and checks that no query is left running.
func TestInsightsRunNeverLeaks(t *testing.T) {
	for _, tt := range []struct {
		name     string
		status   func(context.Context, string, int) (logtypes.QueryStatus, error)
		opts     func(*cognitomon.InsightsOptions)
		cancelAt int // cancel the caller's context at this poll; -1: during StartQuery
		stopErr  error
		check    func(t *testing.T, err error)
		stops    int
	}{
		{name: "complete", status: afterPolls(2, logtypes.QueryStatusComplete), check: noError},
		{name: "failed", status: afterPolls(3, logtypes.QueryStatusFailed), check: queryError("Failed")},
		{name: "cancelled by someone else", status: always(logtypes.QueryStatusCancelled), check: queryError("Cancelled")},
		{name: "AWS timeout", status: afterPolls(2, logtypes.QueryStatusTimeout), check: queryError("Timeout")},
		{name: "unknown", status: afterPolls(2, logtypes.QueryStatusUnknown), check: queryError("Unknown"), stops: 1},
		{name: "new status", status: always("Paused"), check: queryError("Paused"), stops: 1},
		{name: "results error", stops: 1, status: func(_ context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 3 {
				return "", apiErr("ServiceUnavailableException")
			}
			return logtypes.QueryStatusRunning, nil
		}, check: func(t *testing.T, err error) {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException" {
				t.Errorf("error %v does not carry the API error", err)
			}
		}},
		{name: "results throttled then complete", status: func(_ context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 2 {
				return "", apiErr("ThrottlingException")
			}
			return afterPolls(4, logtypes.QueryStatusComplete)(nil, "", n)
		}, check: noError},
		{name: "results throttled to the end", stops: 1, status: func(context.Context, string, int) (logtypes.QueryStatus, error) {
			return "", apiErr("ThrottlingException")
		}, check: func(t *testing.T, err error) {
			if !errors.Is(err, cognitomon.ErrThrottled) {
				t.Errorf("error %v, want ErrThrottled", err)
			}
		}},
		{name: "caller cancels", status: always(logtypes.QueryStatusRunning), cancelAt: 3, stops: 1, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		}},
		{name: "caller cancels during a call", stops: 1, status: func(ctx context.Context, _ string, n int) (logtypes.QueryStatus, error) {
			if n == 2 {
				<-ctx.Done() // the call hangs until the caller gives up
				return "", ctx.Err()
			}
			return logtypes.QueryStatusRunning, nil
		}, cancelAt: 2, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		}},
		{name: "caller cancels during StartQuery", status: always(logtypes.QueryStatusRunning), cancelAt: -1, stops: 1, check: func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "q1") {
				t.Errorf("error %v, want context.Canceled for q1", err)
			}
		}},
		{name: "own timeout", status: always(logtypes.QueryStatusScheduled), stops: 1,
			opts: func(o *cognitomon.InsightsOptions) { o.Timeout = 20 * time.Millisecond },
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "InsightsOptions.Timeout") {
					t.Errorf("error %v, want the client's own deadline", err)
				}
			}},
		{name: "stop fails", status: always(logtypes.QueryStatusRunning), cancelAt: 2, stops: 3, stopErr: apiErr("ThrottlingException"),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) || !errors.Is(err, cognitomon.ErrThrottled) || !strings.Contains(err.Error(), "stopping") {
					t.Errorf("error %v, want the cancellation and the failed stop", err)
				}
			}},
		{name: "stop of a finished query", status: always(logtypes.QueryStatusRunning), cancelAt: 2, stops: 1, stopErr: apiErr("InvalidParameterException"),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "stopping") {
					t.Errorf("error %v, want the cancellation alone", err)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			status := tt.status
			if tt.cancelAt > 0 {
				status = func(c context.Context, id string, n int) (logtypes.QueryStatus, error) {
					if n == tt.cancelAt {
						cancel()
					}
					return tt.status(c, id, n)
				}
			}
			api := &scriptedLogs{status: status, stopErr: tt.stopErr}
			if tt.cancelAt == -1 {
				api.startHook = cancel
			}
			opts := []func(*cognitomon.InsightsOptions){fastPolling}
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			ic := cognitomon.NewInsightsClient(api, opts...)
			_, err := ic.Run(ctx, "stats count(*)", []string{"g"}, runRange)
			tt.check(t, err)
			if len(api.stopped) != tt.stops {
				t.Errorf("StopQuery called %d times, want %d", len(api.stopped), tt.stops)
			}
			if api.startCtxErr != nil {
				t.Errorf("StartQuery got a context that was already done: %v", api.startCtxErr)
			}
			for i, e := range api.stopCtxErrs {
				if e != nil {
					t.Errorf("StopQuery %d got a context that was already done: %v", i+1, e)
				}
			}
			if tt.stopErr == nil {
				if l := api.leaked(); len(l) > 0 {
					t.Errorf("queries left running: %v", l)
				}
			}
		})
	}
}

func noError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("error %v", err)
	}
}

func queryError(status string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var qe *cognitomon.QueryError
		if !errors.As(err, &qe) || qe.Status != status || qe.QueryID != "q1" || !errors.Is(err, cognitomon.ErrQueryFailed) {
			t.Errorf("error %v, want a QueryError with status %s", err, status)
		}
	}
}

func TestInsightsRunStartErrors(t *testing.T) {
	limit := &logtypes.LimitExceededException{Message: aws.String("Account maximum query concurrency limit reached.")}
	t.Run("limit exceeded, then started", func(t *testing.T) {
		api := &scriptedLogs{startErrs: []error{limit, limit}, status: always(logtypes.QueryStatusComplete)}
		if _, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*)", []string{"g"}, runRange); err != nil {
			t.Fatal(err)
		}
		if api.starts != 3 {
			t.Errorf("%d StartQuery calls, want 3", api.starts)
		}
	})
	t.Run("limit exceeded to the end", func(t *testing.T) {
		api := &scriptedLogs{startErrs: []error{limit, limit, limit, limit}, status: always(logtypes.QueryStatusComplete)}
		_, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
		var le *logtypes.LimitExceededException
		if !errors.Is(err, cognitomon.ErrThrottled) || !errors.As(err, &le) || api.starts != 3 {
			t.Errorf("error %v after %d calls, want ErrThrottled with the AWS error after 3", err, api.starts)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		mq := &logtypes.MalformedQueryException{Message: aws.String("Query is malformed"), QueryCompileError: &logtypes.QueryCompileError{
			Message: aws.String("unexpected symbol"), Location: &logtypes.QueryCompileErrorLocation{StartCharOffset: aws.Int32(7), EndCharOffset: aws.Int32(9)}}}
		api := &scriptedLogs{startErrs: []error{mq}}
		_, err := cognitomon.NewInsightsClient(api, fastPolling).Run(context.Background(), "stats count(*) by", []string{"g"}, runRange)
		var ce *cognitomon.QueryCompileError
		if !errors.As(err, &ce) {
			t.Fatalf("error %v, want a QueryCompileError", err)
		}
		if ce.Message != "unexpected symbol" || ce.Start != 7 || ce.End != 9 {
			t.Errorf("compile error %+v", ce)
		}
		var ae smithy.APIError
		if !errors.Is(err, cognitomon.ErrMalformedQuery) || !errors.As(err, &ae) || ae.ErrorCode() != "MalformedQueryException" {
			t.Errorf("error %v does not reach ErrMalformedQuery and the API error", err)
		}
		if api.starts != 1 {
			t.Errorf("a malformed query was retried: %d calls", api.starts)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		api := &scriptedLogs{status: always(logtypes.QueryStatusComplete)}
		ic := cognitomon.NewInsightsClient(api, fastPolling)
		groups51 := make([]string, 51)
		for i := range groups51 {
			groups51[i] = fmt.Sprintf("g%d", i)
		}
		for _, tt := range []struct {
			query  string
			groups []string
			r      cognitomon.TimeRange
		}{
			{"", []string{"g"}, runRange},
			{"stats count(*)", nil, runRange},
			{"stats count(*)", groups51, runRange},
			{"stats count(*)", []string{"aws-*"}, runRange},
			{"stats count(*)", []string{""}, runRange},
			{"stats count(*)", []string{"g"}, cognitomon.TimeRange{}},
			{strings.Repeat("x", 10001), []string{"g"}, runRange},
		} {
			if _, err := ic.Run(context.Background(), tt.query, tt.groups, tt.r); err == nil {
				t.Errorf("Run(%.20q, %d groups, %v): no error", tt.query, len(tt.groups), tt.r)
			}
		}
		if api.starts != 0 {
			t.Errorf("bad input reached StartQuery %d times", api.starts)
		}
		if _, err := ic.Run(context.Background(), "x", []string{"g"}, cognitomon.TimeRange{}); !errors.Is(err, cognitomon.ErrInvalidRange) {
			t.Errorf("zero range: %v, want ErrInvalidRange", err)
		}
	})
}

func TestInsightsRunConcurrencyCap(t *testing.T) {
	api := &scriptedLogs{status: afterPolls(5, logtypes.QueryStatusComplete)}
	ic := cognitomon.NewInsightsClient(api, fastPolling, func(o *cognitomon.InsightsOptions) { o.MaxConcurrent = 2 })
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := ic.Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if api.maxRunning > 2 || api.starts != 8 {
		t.Errorf("%d queries ran at once (cap 2), %d started (want 8)", api.maxRunning, api.starts)
	}

	// A Run that waits for a slot gives up with its context, starting
	// nothing.
	block := make(chan struct{})
	api2 := &scriptedLogs{status: func(ctx context.Context, _ string, _ int) (logtypes.QueryStatus, error) {
		<-block
		return logtypes.QueryStatusComplete, nil
	}}
	ic2 := cognitomon.NewInsightsClient(api2, fastPolling, func(o *cognitomon.InsightsOptions) { o.MaxConcurrent = 1 })
	done := make(chan error)
	go func() {
		_, err := ic2.Run(context.Background(), "stats count(*)", []string{"g"}, runRange)
		done <- err
	}()
	for {
		api2.mu.Lock()
		n := api2.starts
		api2.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := ic2.Run(ctx, "stats count(*)", []string{"g"}, runRange); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting Run: %v, want its context's error", err)
	}
	close(block)
	if err := <-done; err != nil {
		t.Error(err)
	}
	if api2.starts != 1 {
		t.Errorf("%d StartQuery calls, want 1", api2.starts)
	}
}

// ---------------------------------------------------------------------------
// The real SDK client against the HTTP fake.

func logsClient(srv *cognitomontest.Server) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(srv.AWSConfig(), func(o *cloudwatchlogs.Options) { o.RetryMaxAttempts = 1 })
}

func TestInsightsQueryOverHTTP(t *testing.T) {
	w := newWorld(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{w.pool})
	defer srv.Close()
	ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling)
	r := cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(6 * time.Hour)}
	ctx := context.Background()

	q, _ := cognitomon.LookupQuery("top-failing-ips")
	text, err := q.Render(cognitomon.QueryParams{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(evaluate(t, q, w.poolTrail)[:5], res.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	t.Run("Timeout", func(t *testing.T) {
		srv.Logs.FailNextQuery(logtypes.QueryStatusTimeout)
		_, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		var qe *cognitomon.QueryError
		if !errors.As(err, &qe) || qe.Status != "Timeout" || qe.QueryID == "" {
			t.Errorf("error %v, want a QueryError with status Timeout", err)
		}
	})
	t.Run("LimitExceeded", func(t *testing.T) {
		before := srv.Requests("Logs.StartQuery")
		srv.Logs.LimitNextStarts(2)
		if _, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r); err != nil {
			t.Fatal(err)
		}
		if n := srv.Requests("Logs.StartQuery") - before; n != 3 {
			t.Errorf("%d StartQuery requests, want 3", n)
		}
	})
	t.Run("Malformed", func(t *testing.T) {
		_, err := ic.Run(ctx, "filter eventName = | stats count(*)", []string{"aws-cloudtrail-logs-cognitomon"}, r)
		var ce *cognitomon.QueryCompileError
		if !errors.As(err, &ce) || ce.Message == "" || ce.Start < 0 {
			t.Errorf("error %v, want a QueryCompileError with a message and an offset", err)
		}
	})
	t.Run("UnknownLogGroup", func(t *testing.T) {
		_, err := ic.Run(ctx, text, []string{"no-such-group"}, r)
		var nf *logtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			t.Errorf("error %v, want ResourceNotFoundException", err)
		}
	})
}

func TestInsightsQueryStoppedOverHTTP(t *testing.T) {
	w := newWorld(t)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{w.pool}, func(o *cognitomontest.ServerOptions) {
		o.Logs = append(o.Logs, func(lo *cognitomontest.LogsOptions) { lo.QueryDuration = time.Minute })
	})
	defer srv.Close()
	q, _ := cognitomon.LookupQuery("failed-sign-ins")
	text, _ := q.Render(cognitomon.QueryParams{})
	r := cognitomon.TimeRange{Start: proofStart, End: proofStart.Add(6 * time.Hour)}

	t.Run("cancelled", func(t *testing.T) {
		ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			for srv.Logs.Calls("GetQueryResults") < 3 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		_, err := ic.Run(ctx, text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if got := srv.Logs.Stopped(); len(got) != 1 || !strings.Contains(err.Error(), got[0]) {
			t.Errorf("stopped %v; error %v", got, err)
		}
	})
	t.Run("own timeout", func(t *testing.T) {
		ic := cognitomon.NewInsightsClient(logsClient(srv), fastPolling, func(o *cognitomon.InsightsOptions) { o.Timeout = 50 * time.Millisecond })
		_, err := ic.Run(context.Background(), text, []string{"aws-cloudtrail-logs-cognitomon"}, r)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.DeadlineExceeded", err)
		}
		if got := srv.Logs.Stopped(); len(got) != 2 {
			t.Errorf("stopped %v, want the second query too", got)
		}
	})
}

// ---------------------------------------------------------------------------
// Decoding rows.

func TestInsightsDecodeRows(t *testing.T) {
	type failure struct {
		IP       string     `insights:"sourceIPAddress"`
		Failures int        `insights:"failures"`
		Share    float64    `insights:"share"`
		Status   *int       `insights:"additionalEventData.responseParameters.status"`
		At       time.Time  `insights:"t"`
		When     *time.Time `insights:"eventTime"`
		Blocked  bool
		Skipped  string `insights:"-"`
	}
	rows := []cognitomon.Row{
		{{Name: "sourceIPAddress", Value: "192.0.2.1"}, {Name: "failures", Value: "12"}, {Name: "share", Value: "0.25"}, {Name: "t", Value: "2026-11-27 09:05:00.000"}, {Name: "Blocked", Value: "true"}, {Name: "@ptr", Value: "abc"}, {Name: "-", Value: "x"}},
		{{Name: "failures", Value: "3.0"}, {Name: "additionalEventData.responseParameters.status", Value: "400"}, {Name: "eventTime", Value: "2026-11-27T09:06:07Z"}, {Name: "t", Value: "1795770000000"}},
	}
	got, err := cognitomon.DecodeRows[failure](rows)
	if err != nil {
		t.Fatal(err)
	}
	status := 400
	when := time.Date(2026, 11, 27, 9, 6, 7, 0, time.UTC)
	want := []failure{
		{IP: "192.0.2.1", Failures: 12, Share: 0.25, At: time.Date(2026, 11, 27, 9, 5, 0, 0, time.UTC), Blocked: true},
		{Failures: 3, Status: &status, When: &when, At: time.UnixMilli(1795770000000).UTC()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DecodeRows (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		row  cognitomon.Row
		want string
	}{
		{cognitomon.Row{{Name: "failures", Value: "many"}}, `row 0, column "failures"`},
		{cognitomon.Row{{Name: "failures", Value: "1.5"}}, "not an integer"},
		{cognitomon.Row{{Name: "t", Value: "yesterday"}}, "not a time"},
		{cognitomon.Row{{Name: "Blocked", Value: "maybe"}}, "not a boolean"},
		{cognitomon.Row{{Name: "share", Value: "x"}}, "not a number"},
	} {
		_, err := cognitomon.DecodeRows[failure]([]cognitomon.Row{tt.row})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("DecodeRows(%v) = %v, want an error saying %q", tt.row, err, tt.want)
		}
	}
	if _, err := cognitomon.DecodeRows[struct{ N int8 }]([]cognitomon.Row{{{Name: "N", Value: "300"}}}); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("overflow: %v", err)
	}
	if _, err := cognitomon.DecodeRows[string](nil); err == nil {
		t.Error("DecodeRows[string]: no error")
	}
	if _, err := cognitomon.DecodeRows[struct{ M map[string]int }](nil); err == nil {
		t.Error("map field: no error")
	}
	if _, err := cognitomon.DecodeRows[struct {
		A string `insights:"x"`
		B string `insights:"x"`
	}](nil); err == nil {
		t.Error("two fields for one column: no error")
	}
}

func FuzzInsightsDecodeRows(f *testing.F) {
	for _, s := range []string{"12", "3.0", "-1", "1e3", "0.25", "true", "2026-11-27 09:05:00.000", "2026-11-27T09:06:07Z", "1795770000000", "", "NaN", "+5", "18446744073709551616", "-0"} {
		f.Add(s)
	}
	type all struct {
		S  string    `insights:"s"`
		I  int64     `insights:"i"`
		U  *uint8    `insights:"u"`
		F  float32   `insights:"f"`
		B  bool      `insights:"b"`
		T  time.Time `insights:"t"`
		I8 int8      `insights:"i8"`
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, col := range []string{"s", "i", "u", "f", "b", "t", "i8"} {
			got, err := cognitomon.DecodeRows[all]([]cognitomon.Row{{{Name: col, Value: v}}})
			if err != nil {
				if !strings.Contains(err.Error(), `row 0, column "`+col+`"`) {
					t.Fatalf("error %v does not name the row and column", err)
				}
				continue
			}
			if len(got) != 1 {
				t.Fatalf("%d values", len(got))
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Examples.

func ExampleQuery_Render() {
	q, _ := cognitomon.LookupQuery("user-enumeration")
	text, err := q.Render(cognitomon.QueryParams{
		Clients: []cognitomon.ClientID{"4k2webapp0example0client1"},
		Limit:   10,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// filter eventSource = "cognito-idp.amazonaws.com" and errorCode = "UserNotFoundException" and (requestParameters.clientId in ["4k2webapp0example0client1"] or additionalEventData.requestParameters.client_id.0 in ["4k2webapp0example0client1"])
	// | stats count(*) as userNotFound by sourceIPAddress
	// | sort userNotFound desc
	// | limit 10
}

// A test of code built on InsightsClient records attempts on a simulated
// pool and runs a canned query over the in-memory Logs fake.
func ExampleInsightsClient_Run() {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	for i := range 12 {
		ip, code := "203.0.113.9", "NotAuthorizedException"
		if i%3 == 0 {
			ip, code = "198.51.100.7", "UserNotFoundException"
		}
		pool.Record(cognitomontest.Attempt{
			Time: at.Add(time.Duration(i) * time.Minute), Flow: cognitomon.SignIn, Client: "web1example",
			IP: ip, Outcome: cognitomontest.Failure, ErrorCode: code, Path: cognitomontest.PathSRP,
		})
	}
	ic := cognitomon.NewInsightsClient(cognitomontest.NewLogs([]*cognitomontest.Pool{pool}),
		func(o *cognitomon.InsightsOptions) { o.PollInterval = time.Millisecond })

	q, _ := cognitomon.LookupQuery("failed-sign-ins")
	text, err := q.Render(cognitomon.QueryParams{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := ic.Run(context.Background(), text, []string{"aws-cloudtrail-logs-cognitomon"}, cognitomon.Last(time.Hour, at.Add(30*time.Minute)))
	if err != nil {
		fmt.Println(err)
		return
	}
	type failure struct {
		Code     string `insights:"errorCode"`
		IP       string `insights:"sourceIPAddress"`
		Failures int    `insights:"failures"`
	}
	failures, err := cognitomon.DecodeRows[failure](res.Rows)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range failures {
		fmt.Printf("%-24s %-14s %d\n", f.Code, f.IP, f.Failures)
	}
	fmt.Printf("%d of %d records matched\n", res.Stats.RecordsMatched, res.Stats.RecordsScanned)
	// Output:
	// NotAuthorizedException   203.0.113.9    8
	// UserNotFoundException    198.51.100.7   4
	// 12 of 24 records matched
}

// TestQueryErrorMessages pins the error texts users see.
func TestQueryErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&cognitomon.QueryError{QueryID: "q1", Status: "Failed"}, "logs insights query q1 ended with status Failed"},
		{&cognitomon.QueryCompileError{Message: "unexpected symbol", Start: 7, End: 9}, "logs insights cannot compile the query at offset 7: unexpected symbol"},
		{&cognitomon.QueryCompileError{Message: "bad", Start: -1, End: -1}, "logs insights cannot compile the query: bad"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// ---------------------------------------------------------------------------
// Benchmarks.

// BenchmarkInsightsPolling runs a query that the Logs fake completes after a
// set duration and reports how Run polls it: GetQueryResults calls per query
// (polls/op, against the calls a fixed interval would need), and how late
// Run returns after the query completed, as a share of the poll interval
// in use at that point (late/interval, under 1 by construction: the
// completion falls within the last wait).
func BenchmarkInsightsPolling(b *testing.B) {
	pool := cognitomontest.NewPool("us-east-1_Bench1")
	pool.Record(cognitomontest.Attempt{Time: runRange.Start.Add(time.Minute), Flow: cognitomon.SignIn, Client: "web1example", IP: "203.0.113.9", Outcome: cognitomontest.Failure})
	const interval = 10 * time.Millisecond
	for _, d := range []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, 800 * time.Millisecond} {
		b.Run(d.String(), func(b *testing.B) {
			fake := cognitomontest.NewLogs([]*cognitomontest.Pool{pool}, func(o *cognitomontest.LogsOptions) { o.QueryDuration = d })
			ic := cognitomon.NewInsightsClient(fake, func(o *cognitomon.InsightsOptions) { o.PollInterval = interval })
			var n, polls int
			var lateShare, maxShare float64
			var late time.Duration
			for b.Loop() {
				start := time.Now()
				res, err := ic.Run(context.Background(), "stats count(*)", []string{"aws-cloudtrail-logs-cognitomon"}, runRange)
				took := time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				n++
				polls += res.Polls
				// The waits are interval, 2*interval, 4*interval ...; the
				// last one before the final poll is the interval at the
				// moment of completion.
				last := interval << max(res.Polls-2, 0)
				share := float64(took-d) / float64(last)
				lateShare += share
				maxShare = max(maxShare, share)
				late += took - d
			}
			b.ReportMetric(float64(polls)/float64(n), "polls/op")
			b.ReportMetric(float64(d/interval), "fixed-interval-polls/op")
			b.ReportMetric(lateShare/float64(n), "late/interval")
			b.ReportMetric(maxShare, "max-late/interval")
			b.ReportMetric(float64(late.Milliseconds())/float64(n), "late-ms/op")
		})
	}
}
