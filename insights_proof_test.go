package cognitomon_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/cognitomontest"
	"github.com/cognitomon/cognitomon/internal/insightsql"
	"github.com/google/go-cmp/cmp"
)

// The proofs: every canned query, run by the evaluator over a simulated
// pool (insights_world_test.go), agrees with the CloudTrail analyses over
// the same events, and with what the pool knows it recorded.

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
			a := analysis.NewFailureAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 100000 })
			for _, e := range w.parsedAll {
				switch {
				case e.Kind() == cognitomon.KindSignIn && e.Family() != cognitomon.FamilyAuthorize,
					e.Kind() == cognitomon.KindMFA && (e.Name == "RespondToAuthChallenge" || e.Name == "AdminRespondToAuthChallenge" || e.Family() == cognitomon.FamilyMFA):
					a.Add(e)
				}
			}
			want := topListCounts(t, a.Summary().ByReasonAndIP, func(k analysis.ReasonIP) string { return join(k.Reason, k.SourceIP) })
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

			ra := analysis.NewRefreshAnalyzer(5 * time.Minute)
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
			a := analysis.NewFailureAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 100000 })
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
			m2m := analysis.NewM2MAnalyzer()
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
			a := analysis.NewEnumerationAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 100000 })
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

			a := analysis.NewPasswordResetAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 100000 })
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
			a := analysis.NewMFAAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 100000 })
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
			a := analysis.NewAdminChangeAnalyzer()
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
			for _, m := range activityMessages(t, w.events(cognitomon.Query{Reads: "user-activity"}, true)) {
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
			for _, m := range activityMessages(t, w.events(cognitomon.Query{Reads: "user-activity"}, true)) {
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
		if q.Reads == "user-activity" {
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
