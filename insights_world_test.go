package cognitomon_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/cognitomontest"
	"github.com/cognitomon/cognitomon/internal/insightsql"
	"github.com/google/go-cmp/cmp"
)

// The world the proofs run over: a simulated pool with every kind of
// traffic the catalogue looks for, the extra records the simulator does not
// write, and helpers that evaluate a query and tally its rows.

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
		// Client-secret rotation: a secret added, the old one deleted, one refused.
		cognitomontest.Request{Time: at(306, 0), Name: "AddUserPoolClientSecret", IP: "198.51.100.9", Caller: aliceARN, Parameters: map[string]any{"clientId": webClient}},
		cognitomontest.Request{Time: at(307, 0), Name: "DeleteUserPoolClientSecret", IP: "198.51.100.9", Caller: aliceARN, Parameters: map[string]any{"clientId": webClient, "clientSecretId": "secret-1"}},
		cognitomontest.Request{Time: at(308, 0), Name: "AddUserPoolClientSecret", IP: "198.51.100.10", Caller: bobARN, Outcome: cognitomontest.Failure, ErrorCode: "AccessDeniedException", Parameters: map[string]any{"clientId": webClient}},
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
		// Passwordless sign-in: a wrong one-time code, then the right one (FACTS.md 9.4).
		endpoint(317, "verifyCode_POST", 400, map[string][]string{"client_id": {webClient}, "code": {"HIDDEN_DUE_TO_SECURITY_REASONS"}}),
		endpoint(318, "verifyCode_POST", 200, map[string][]string{"client_id": {webClient}, "code": {"HIDDEN_DUE_TO_SECURITY_REASONS"}}),
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
	if q.Reads == "user-activity" {
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

func topListCounts[K comparable](t *testing.T, l analysis.TopList[K], name func(K) string) map[string]int64 {
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
