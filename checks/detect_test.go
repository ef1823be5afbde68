package checks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/cognitomon/cognitomon/cognitomontest"
	"github.com/google/go-cmp/cmp"
)

// The scenario world: one quiet week on a simulated pool, built once per
// test binary, whose first six days teach the baseline and whose last day is
// the background of every scenario.

const (
	detPool    cognitomon.UserPoolID = "us-east-1_DetectPool1"
	detWeb     cognitomon.ClientID   = "4k2webapp0example0client1"
	detIOS     cognitomon.ClientID   = "7ios0mobile0example0client"
	detAndroid cognitomon.ClientID   = "9android0example0client00"
	detBilling cognitomon.ClientID   = "2m2m0billing0example0clnt"
	detHidden  cognitomon.ClientID   = "5hidden0example0client000"
)

// detEnd is the end of the quiet week; scenarios happen on its last day.
var detEnd = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)

// detStart is when most scenarios begin: 14:00 UTC, the traffic's daily peak.
var detStart = detEnd.Add(-10 * time.Hour)

func detDay() cognitomon.TimeRange {
	return cognitomon.TimeRange{Start: detEnd.Add(-24 * time.Hour), End: detEnd}
}

func detClock() time.Time { return detEnd.Add(time.Hour) }

type detWorld struct {
	quiet    *cognitomontest.Pool
	day      []cognitomon.Event // the quiet pool's events of the last day
	baseline *checks.Baseline
}

var detShared struct {
	once sync.Once
	w    *detWorld
	err  error
}

func detStream(evs []cognitomon.Event) iter.Seq2[cognitomon.Event, error] {
	return func(yield func(cognitomon.Event, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// detParse parses the records, in as many goroutines as there are
// processors: the quiet week has over 130,000.
func detParse(recs []cognitomontest.TrailRecord) ([]cognitomon.Event, error) {
	out := make([]cognitomon.Event, len(recs))
	n := runtime.GOMAXPROCS(0)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(recs); i += n {
				e, err := cognitomon.ParseEvent(recs[i].JSON)
				if err != nil {
					errs[w] = fmt.Errorf("record %s: %w", recs[i].EventID, err)
					return
				}
				out[i] = e
			}
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func detectWorld(t testing.TB) *detWorld {
	t.Helper()
	detShared.once.Do(func() {
		p := cognitomontest.NewPool(detPool)
		cognitomontest.QuietWeek(p, detEnd, 1)
		evs, err := detParse(p.TrailRecords())
		if err != nil {
			detShared.err = err
			return
		}
		day := detDay()
		i, _ := slices.BinarySearchFunc(evs, day.Start, func(e cognitomon.Event, t time.Time) int { return e.Time.Compare(t) })
		ref := cognitomon.TimeRange{Start: detEnd.Add(-7 * 24 * time.Hour), End: day.Start}
		b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: p.TrafficClients(), Range: ref}, Events: detStream(evs[:i])}, checks.Builtins()...)
		if err != nil {
			detShared.err = err
			return
		}
		// Through the file, as a scheduled job keeps it from one run to
		// the next.
		var file bytes.Buffer
		if _, err := b.WriteTo(&file); err != nil {
			detShared.err = err
			return
		}
		if b, err = checks.ReadBaseline(&file); err != nil {
			detShared.err = err
			return
		}
		detShared.w = &detWorld{quiet: p, day: evs[i:], baseline: b}
	})
	if detShared.err != nil {
		t.Fatal(detShared.err)
	}
	if detShared.w == nil {
		t.Fatal("building the quiet week failed in an earlier test")
	}
	return detShared.w
}

// detRun is one scenario run: its events and its detection.
type detRun struct {
	events   []cognitomon.Event
	scenario map[string]bool // the scenario pool's event IDs
	det      *cognitomon.Detection
}

// run records a scenario on a fresh pool with the quiet pool's ID (so the
// CloudWatch fake sums the two) and runs every built-in check over the last
// day of both: events from CloudTrail records parsed with ParseEvent, metrics
// and quota usage through MetricsClient over the CloudWatch fake, and the
// baseline of the first six days. drop removes background events, for
// the broken trail.
func (w *detWorld) run(t testing.TB, record func(p *cognitomontest.Pool), drop func(cognitomon.Event) bool) detRun {
	t.Helper()
	ctx := context.Background()
	s := cognitomontest.NewPool(detPool)
	if record != nil {
		record(s)
	}
	evs, err := detParse(s.TrailRecords())
	if err != nil {
		t.Fatal(err)
	}
	run := detRun{scenario: map[string]bool{}}
	for _, e := range evs {
		run.scenario[e.EventID] = true
	}
	run.events = slices.Concat(w.day, evs)
	if drop != nil {
		run.events = slices.DeleteFunc(run.events, drop)
	}
	slices.SortStableFunc(run.events, func(a, b cognitomon.Event) int { return a.Time.Compare(b.Time) })
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{w.quiet, s}, func(o *cognitomontest.CloudWatchOptions) { o.Now = detClock })
	mc := cognitomon.NewMetricsClient(cw, func(o *cognitomon.MetricsOptions) { o.Clock = detClock })
	st, err := mc.Stats(ctx, cognitomon.StatsInput{UserPool: detPool, Range: detDay()})
	if err != nil {
		t.Fatal(err)
	}
	qu, err := mc.QuotaUsage(ctx, detDay())
	if err != nil {
		t.Fatal(err)
	}
	run.det, err = cognitomon.Detect(ctx, cognitomon.DetectInput{
		Scope: cognitomon.Scope{UserPool: detPool, Clients: detClients, Range: detDay()}, Events: detStream(run.events), Stats: st, Quota: qu,
	}, checks.Builtins(func(o *checks.BuiltinOptions) { o.Clock, o.Baseline = detClock, w.baseline })...)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// detRow is how the README's table shows a finding.
func detRow(f cognitomon.Finding) string {
	return fmt.Sprintf("%s %s %s", f.Severity, f.Check, f.Subject)
}

// detScenario is one row group of the README's table.
type detScenario struct {
	name   string
	record func(p *cognitomontest.Pool)
	drop   func(cognitomon.Event) bool
	want   func(w *detWorld) []string
	// check, when set, checks the evidence further.
	check func(t *testing.T, w *detWorld, run detRun)
}

const (
	detMallory = "arn:aws:iam::123456789012:user/mallory"
	detGapFrom = 8  // the broken trail's first hour (UTC)
	detGapTo   = 11 // and the hour after its last
)

func detScenarios() []detScenario {
	start := detStart
	gap := cognitomon.TimeRange{Start: detDay().Start.Add(detGapFrom * time.Hour), End: detDay().Start.Add(detGapTo * time.Hour)}
	rows := func(rs ...string) func(*detWorld) []string { return func(*detWorld) []string { return rs } }
	androidRate := func(sev string) string { return sev + " failure-rate flow=SignIn client=" + string(detAndroid) }
	return []detScenario{
		{name: "quiet-week", want: rows()},
		{
			name: "credential-stuffing",
			// A botnet of 50 addresses in 100.64.0.0/24, 8 leaked users
			// each, over 30 minutes: 8 failures and 8 users per address
			// stay under brute-force (20) and credential-stuffing (30).
			record: func(p *cognitomontest.Pool) {
				cognitomontest.CredentialStuffing(p, detAndroid, start, 30*time.Minute, 50, 8)
			},
			want: rows("high credential-stuffing-botnet ip=100.64.0.0/24", androidRate("high")),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "credential-stuffing-botnet")
				if f.Evidence.Value < 40 || f.Evidence.TopOf != "source-ip" || len(f.Evidence.Top) != 5 || !strings.HasPrefix(f.Evidence.Top[0].Key, "100.64.0.") {
					t.Errorf("botnet evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "credential-stuffing-one-source",
			// One address, 50 leaked users over an hour: about 35 fail
			// with NotAuthorizedException (the rest are unknown users and
			// have no sub), at most 16 in any 10 minutes.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.CredentialStuffing(p, detAndroid, start, time.Hour, 1, 50)
			},
			want: rows("high credential-stuffing ip=100.64.0.0", androidRate("high")),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "credential-stuffing")
				if f.Evidence.Value < 30 || f.Evidence.Threshold != 30 || f.Evidence.Unit != "distinct users failing sign-in in 1h" {
					t.Errorf("stuffing evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "brute-force",
			// 30 failures in 10 minutes from one address.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SlowBruteForce(p, detAndroid, "user0042", "192.0.2.55", start, 10*time.Minute, 30)
			},
			want: rows("high brute-force ip=192.0.2.55", androidRate("medium")),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "brute-force")
				want := cognitomon.Evidence{Value: 30, Threshold: 20, Unit: "sign-in failures in 10m", TopOf: "sub",
					Top: []cognitomon.Counted[string]{{Key: w.quiet.Sub("user0042"), Count: 30}}}
				if diff := cmp.Diff(want, f.Evidence, detIgnoreIDs); diff != "" {
					t.Errorf("evidence mismatch (-want +got):\n%s", diff)
				}
				if f.Window != (cognitomon.TimeRange{Start: start, End: start.Add(10 * time.Minute)}) {
					t.Errorf("window %s", f.Window)
				}
			},
		},
		{
			name: "slow-brute-force",
			// SlowBruteForce as designed: 15 failures every 10 minutes for
			// an hour, under brute-force's 20 in 10 minutes; 90 in all, over
			// brute-force-slow's 50 in 6 hours.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SlowBruteForce(p, detAndroid, "user0042", "192.0.2.66", start, time.Hour, 15)
			},
			want: rows(androidRate("high"), "medium brute-force-slow ip=192.0.2.66"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "brute-force-slow")
				if f.Evidence.Value != 90 || f.Evidence.Threshold != 50 {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "success-after-failures",
			// 12 failures in 10 minutes, then the password works.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SlowBruteForce(p, detAndroid, "user0042", "192.0.2.67", start, 10*time.Minute, 12)
				p.Record(cognitomontest.Attempt{Time: start.Add(10 * time.Minute), Flow: cognitomon.SignIn, Client: detAndroid, User: "user0042",
					IP: "192.0.2.67", UserAgent: "curl/8.5.0", Outcome: cognitomontest.Success})
			},
			want: rows("high success-after-failures ip=192.0.2.67", androidRate("medium")),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "success-after-failures")
				want := cognitomon.Evidence{Value: 12, Threshold: 10, Unit: "failed sign-ins in the 1h before a successful one", TopOf: "sub signed in",
					Top: []cognitomon.Counted[string]{{Key: w.quiet.Sub("user0042"), Count: 1}}}
				if diff := cmp.Diff(want, f.Evidence, detIgnoreIDs); diff != "" {
					t.Errorf("evidence mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "distributed-brute-force",
			// One user, 12 addresses in 12 different /24s, 30 minutes.
			record: func(p *cognitomontest.Pool) {
				for i := range 12 {
					p.Record(cognitomontest.Attempt{Time: start.Add(time.Duration(i) * 150 * time.Second), Flow: cognitomon.SignIn, Client: detAndroid,
						User: "user0077", IP: fmt.Sprintf("198.18.%d.7", i), UserAgent: "python-requests/2.31.0", Outcome: cognitomontest.Failure})
				}
			},
			want: func(w *detWorld) []string {
				return []string{"high distributed-brute-force sub=" + w.quiet.Sub("user0077"), androidRate("medium")}
			},
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "distributed-brute-force")
				if f.Evidence.Value != 12 || f.Evidence.TopOf != "source-ip" || len(f.Evidence.Top) != 5 {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "enumeration",
			// Enumeration as designed: 100 user names in an hour (90
			// unknown) and 25 ForgotPassword for unknown users.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.Enumeration(p, detAndroid, "192.0.2.77", start, time.Hour, 100)
			},
			// The ForgotPassword probes are enumeration-password-reset's,
			// not enumeration's.
			want: rows(androidRate("high"), "medium enumeration ip=192.0.2.77", "medium enumeration-password-reset ip=192.0.2.77"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "enumeration")
				if f.Evidence.TopOf != "event-name" || len(f.Evidence.Top) != 1 || f.Evidence.Top[0].Key != "InitiateAuth" {
					t.Errorf("evidence: %+v", f.Evidence)
				}
				r := detFind(t, run.det, "enumeration-password-reset")
				if r.Evidence.Value != 25 || len(r.Evidence.Top) != 1 || r.Evidence.Top[0] != (cognitomon.Counted[string]{Key: "ForgotPassword", Count: 25}) {
					t.Errorf("password-reset evidence: %+v", r.Evidence)
				}
				if !strings.Contains(f.Advice, "PreventUserExistenceErrors") {
					t.Errorf("advice does not say how to fix it: %s", f.Advice)
				}
			},
		},
		{
			name: "enumeration-blind-spot",
			// A client with PreventUserExistenceErrors=ENABLED: ordinary
			// users, one sign-in in seven failing with
			// NotAuthorizedException, never UserNotFoundException.
			record: func(p *cognitomontest.Pool) {
				for h := range 24 {
					for i := range 20 {
						n := h*20 + i
						a := cognitomontest.Attempt{Time: detDay().Start.Add(time.Duration(h)*time.Hour + time.Duration(i)*3*time.Minute), Flow: cognitomon.SignIn,
							Client: detHidden, User: fmt.Sprintf("user%04d", n%400), IP: fmt.Sprintf("198.51.100.%d", n%250+1), UserAgent: "aws-amplify/6.6.0 web", Outcome: cognitomontest.Success}
						if i%7 == 0 {
							a.Outcome, a.ErrorCode = cognitomontest.Failure, "NotAuthorizedException"
						}
						p.Record(a)
					}
				}
			},
			want: rows("info enumeration-blind-spot client=" + string(detHidden)),
		},
		{
			name: "password-reset-flood",
			// PasswordResetAbuse: 60 resets in 10 minutes from one address.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.PasswordResetAbuse(p, detWeb, "192.0.2.88", start, 10*time.Minute, 60)
			},
			want: rows("medium password-reset-flood ip=192.0.2.88"),
		},
		{
			name: "password-reset-one-user",
			// One user's reset requested 8 times in 40 minutes from 4
			// addresses.
			record: func(p *cognitomontest.Pool) {
				for i := range 8 {
					p.RecordRequest(cognitomontest.Request{Time: start.Add(time.Duration(i) * 5 * time.Minute), Name: "ForgotPassword", Client: detWeb,
						User: "user0123", IP: fmt.Sprintf("198.18.%d.9", i%4), UserAgent: "okhttp/4.12.0"})
				}
			},
			want: func(w *detWorld) []string {
				return []string{"medium password-reset-user sub=" + w.quiet.Sub("user0123")}
			},
		},
		{
			name: "refresh-tokens-revoked",
			// 200 refreshes of the iOS app fail in 30 minutes (tokens
			// revoked): above the baseline's limit for the client.
			record: func(p *cognitomontest.Pool) {
				for i := range 200 {
					p.Record(cognitomontest.Attempt{Time: start.Add(time.Duration(i) * 9 * time.Second), Flow: cognitomon.TokenRefresh, Client: detIOS,
						User: fmt.Sprintf("user%04d", i%400), IP: fmt.Sprintf("203.0.113.%d", i%250+1), UserAgent: "aws-amplify/6.6.0 ios/17.5 framework/react-native",
						Outcome: cognitomontest.Failure, Path: cognitomontest.PathGetTokens})
				}
			},
			want: rows("medium refresh-failure-spike client="+string(detIOS), "medium failure-rate flow=TokenRefresh client="+string(detIOS)),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "refresh-failure-spike")
				if f.Evidence.Expected <= 0 || f.Evidence.Expected > 2 || f.Evidence.Threshold != 50 || f.Evidence.Value < 200 {
					t.Errorf("the baseline was not used: %+v", f.Evidence)
				}
				if f.Evidence.TopOf != "error-code" || f.Evidence.Top[0] != (cognitomon.Counted[string]{Key: "NotAuthorizedException", Count: f.Evidence.Top[0].Count}) {
					t.Errorf("top error codes: %+v", f.Evidence.Top)
				}
			},
		},
		{
			name: "misbehaving-machine",
			// MisbehavingMachine on the billing client: 600 tokens an hour
			// for two hours from 172.31.200-203.x, the last 40 failing.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.MisbehavingMachine(p, detBilling, start, 2*time.Hour, 600, 40)
			},
			want: rows(
				"high m2m-failure-streak client="+string(detBilling),
				"medium m2m-token-per-call client="+string(detBilling),
				"medium m2m-new-source client="+string(detBilling),
				"medium m2m-token-volume client="+string(detBilling)),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "m2m-new-source")
				var keys []string
				for _, c := range f.Evidence.Top {
					keys = append(keys, c.Key)
				}
				want := []string{"ip-range=172.31.200.0/24", "ip-range=172.31.201.0/24", "ip-range=172.31.202.0/24", "ip-range=172.31.203.0/24"}
				if diff := cmp.Diff(want, keys); diff != "" {
					t.Errorf("new ranges mismatch (-want +got):\n%s", diff)
				}
				if f := detFind(t, run.det, "m2m-failure-streak"); f.Evidence.Value != 40 {
					t.Errorf("streak: %+v", f.Evidence)
				}
				if f := detFind(t, run.det, "m2m-token-volume"); f.Evidence.Threshold != 10 || f.Evidence.Expected < 1 || f.Evidence.Expected > 1.5 {
					t.Errorf("volume against the baseline: %+v", f.Evidence)
				}
			},
		},
		{
			name: "admin-mfa-off",
			// AdminMFAOff: MFA off, a new client, callback URLs, a weakened
			// risk configuration, by one caller.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.AdminMFAOff(p, start, detMallory, "192.0.2.99")
			},
			want: rows(
				"high admin-mfa-off ip=192.0.2.99 caller="+detMallory,
				"high admin-threat-protection-lowered ip=192.0.2.99 caller="+detMallory,
				"medium admin-new-client ip=192.0.2.99 caller="+detMallory,
				"medium admin-callback-urls client="+string(detWeb)+" ip=192.0.2.99 caller="+detMallory),
			check: func(t *testing.T, w *detWorld, run detRun) {
				var notes []string
				for _, f := range run.det.Findings {
					notes = append(notes, f.Evidence.Notes...)
				}
				want := []string{
					"mfaConfiguration set to OFF",
					"account-takeover high-risk action set to NO_ACTION",
					"new app client, name tmp, with a secret",
					"callbackURLs set to https://login.example.net/callback",
				}
				if diff := cmp.Diff(want, notes); diff != "" {
					t.Errorf("details mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "token-theft",
			// TokenTheft: five refreshes for user0001 from 192.0.2.111 with
			// Go-http-client, never seen for the user.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.TokenTheft(p, detAndroid, "user0001", "192.0.2.111", start, 5)
			},
			want: func(w *detWorld) []string { return []string{"high token-theft sub=" + w.quiet.Sub("user0001")} },
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "token-theft")
				want := []cognitomon.Counted[string]{{Key: "ip-range=192.0.2.0/24", Count: 5}, {Key: "user-agent-family=Go-http-client/", Count: 5}}
				if diff := cmp.Diff(want, f.Evidence.Top); diff != "" {
					t.Errorf("new values mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "throttling",
			// 150 sign-ins throttled in 10 minutes.
			record: func(p *cognitomontest.Pool) {
				for i := range 150 {
					p.Record(cognitomontest.Attempt{Time: start.Add(time.Duration(i) * 4 * time.Second), Flow: cognitomon.SignIn, Client: detAndroid,
						User: fmt.Sprintf("user%04d", i%400), IP: fmt.Sprintf("198.51.100.%d", i%250+1), UserAgent: "aws-amplify/6.6.0 android/14 framework/react-native",
						Outcome: cognitomontest.Throttled})
				}
			},
			want: rows("medium quota-throttles category=UserAuthentication", "medium throttle-spike flow=SignIn"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "throttle-spike")
				if f.Evidence.Value < 150 || f.Evidence.TopOf != "client" || f.Evidence.Top[0].Key != string(detAndroid) {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "quota-approach",
			// The account (another pool, say) made 29,000
			// UserAuthentication calls in one five-minute period: 96.7
			// requests/s, over 80% of the default 120.
			record: func(p *cognitomontest.Pool) {
				p.PutMetric(cognitomontest.Datum{Namespace: cognitomon.UsageNamespace, Name: "CallCount", Time: start, Value: 29000,
					Dimensions: map[string]string{"Service": "Cognito user pool", "Type": "API", "Resource": "UserAuthentication", "Class": "None"}})
			},
			want: rows("high quota-approach category=UserAuthentication"),
		},
		{
			name: "broken-trail",
			// BrokenTrail from 08:00 to 11:00: the records are gone, the
			// metrics are not. BrokenTrail hides the records of the pool it
			// is called on, and the background is shared, so the test also
			// drops the background's events of those hours.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SimulateTraffic(p, gap, cognitomontest.TrafficOptions{Seed: 7})
				cognitomontest.BrokenTrail(p, gap)
			},
			drop: func(e cognitomon.Event) bool { return gap.Contains(e.Time) },
			want: rows("high trail-gap pool=" + string(detPool)),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "trail-gap")
				if f.Window != gap || f.Evidence.Value != 0 {
					t.Errorf("window %s, evidence %+v", f.Window, f.Evidence)
				}
			},
		},
		{
			name: "code-guessing",
			// CodeGuessing: 40 wrong passwordless codes in 20 minutes from
			// one address through the managed login (verifyCode_POST,
			// HTTP 400, no sub).
			record: func(p *cognitomontest.Pool) {
				cognitomontest.CodeGuessing(p, detWeb, "192.0.2.120", start, 20*time.Minute, 40)
			},
			want: rows("high code-guessing ip=192.0.2.120"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "code-guessing")
				if f.Evidence.Value != 20 || f.Evidence.Threshold != 10 || f.Evidence.Unit != "failed one-time codes in 10m" {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "distributed-code-guessing",
			// DistributedCodeGuessing: 8 addresses in 8 /24s answer
			// user0042's EMAIL_OTP challenge wrongly, twice each, in 40
			// minutes.
			record: func(p *cognitomontest.Pool) {
				var ips []string
				for i := range 8 {
					ips = append(ips, fmt.Sprintf("198.18.%d.21", i))
				}
				cognitomontest.DistributedCodeGuessing(p, detWeb, "user0042", ips, start, 40*time.Minute)
			},
			want: func(w *detWorld) []string {
				return []string{"high code-guessing-user sub=" + w.quiet.Sub("user0042")}
			},
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "code-guessing-user")
				if f.Evidence.Value != 8 || f.Evidence.TopOf != "source-ip" || len(f.Evidence.Top) != 5 {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "lockout-storm",
			// LockoutStorm: 24 users, each 5 wrong passwords and then 6
			// attempts during the lockout, from 3 addresses over 40
			// minutes. The wrong passwords alone stay under brute-force
			// (at most 15 per address in 10 minutes) and
			// credential-stuffing (8 users per address).
			record: func(p *cognitomontest.Pool) {
				cognitomontest.LockoutStorm(p, detAndroid, []string{"192.0.2.131", "192.0.2.132", "192.0.2.133"}, start, 40*time.Minute, 24, 6)
			},
			want: rows(androidRate("high"), "high lockout-address ip=192.0.2.131", "high lockout-storm pool="+string(detPool),
				"high lockout-address ip=192.0.2.132", "high lockout-address ip=192.0.2.133"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "lockout-storm")
				if f.Evidence.Value != 24 || f.Evidence.TopOf != "source-ip" || len(f.Evidence.Top) != 3 || f.Evidence.Top[0].Count != 48 {
					t.Errorf("storm evidence: %+v", f.Evidence)
				}
				// 24 users in a table of eight: the counts are ranges
				// around the true 6.
				subs := map[string]bool{}
				for i := range 24 {
					subs[w.quiet.Sub(fmt.Sprintf("locked%03d", i))] = true
				}
				note, ok := "", len(f.Evidence.Notes) == 1
				if ok {
					note, ok = strings.CutPrefix(f.Evidence.Notes[0], "locked-out users (sub: lockout answers) over the run: ")
				}
				parts := strings.Split(note, ", ")
				for _, part := range parts {
					var sub string
					var lo, hi int
					if n, _ := fmt.Sscanf(strings.Replace(part, ": ", " ", 1), "%s %d to %d", &sub, &lo, &hi); n == 2 {
						hi = lo
					} else if n != 3 {
						ok = false
					}
					ok = ok && subs[sub] && lo <= 6 && 6 <= hi
				}
				if !ok || len(parts) != 5 {
					t.Errorf("storm notes: %q", f.Evidence.Notes)
				}
				a := detFind(t, run.det, "lockout-address")
				if a.Evidence.TopOf != "sub" || len(a.Evidence.Top) == 0 || a.Evidence.Top[0].Count != 6 {
					t.Errorf("address evidence: %+v", a.Evidence)
				}
			},
		},
		{
			name: "signup-enumeration",
			// SignUpEnumeration: 60 sign-ups in 30 minutes from one
			// address, 54 of them for names already registered.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SignUpEnumeration(p, detAndroid, "192.0.2.140", start, 30*time.Minute, 60)
			},
			want: rows("high failure-rate flow=SignUp client="+string(detAndroid), "medium enumeration-signup ip=192.0.2.140"),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "enumeration-signup")
				if f.Evidence.Value < 18 || f.Evidence.Top[0].Key != "SignUp" {
					t.Errorf("evidence: %+v", f.Evidence)
				}
			},
		},
		{
			name: "secret-added",
			// SecretAdded: an IAM user nobody expects adds a secret to the
			// billing machine client.
			record: func(p *cognitomontest.Pool) {
				cognitomontest.SecretAdded(p, detBilling, start, detMallory, "192.0.2.150")
			},
			want: rows("high admin-client-secret client=" + string(detBilling) + " ip=192.0.2.150 caller=" + detMallory),
			check: func(t *testing.T, w *detWorld, run detRun) {
				f := detFind(t, run.det, "admin-client-secret")
				if want := []string{"secret added to app client " + string(detBilling)}; !slices.Equal(f.Evidence.Notes, want) {
					t.Errorf("notes %q, want %q", f.Evidence.Notes, want)
				}
			},
		},
	}
}

var detIgnoreIDs = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".EventIDs" }, cmp.Ignore())

// detFind returns the finding of the check.
func detFind(t *testing.T, det *cognitomon.Detection, check string) cognitomon.Finding {
	t.Helper()
	for _, f := range det.Findings {
		if f.Check == check {
			return f
		}
	}
	t.Fatalf("no %s finding", check)
	return cognitomon.Finding{}
}

// TestDetectScenarios runs every built-in check over each scenario on top
// of the quiet week and expects exactly the findings of the README's table,
// in order; the quiet week alone gives none and skips nothing.
func TestDetectScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a quiet week of CloudTrail records: about 4 s, 25 s with -race")
	}
	w := detectWorld(t)
	for _, sc := range detScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			run := w.run(t, sc.record, sc.drop)
			var got []string
			for _, f := range run.det.Findings {
				got = append(got, detRow(f))
			}
			if diff := cmp.Diff(sc.want(w), got, cmp.Transformer("nil", func(s []string) []string {
				if s == nil {
					return []string{}
				}
				return s
			})); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s", diff)
				for _, f := range run.det.Findings {
					t.Logf("%s %s: %s", detRow(f), f.Window, f.Summary)
				}
			}
			if len(run.det.Coverage.Skipped) > 0 || len(run.det.Notes) > 0 || run.det.Late > 0 || run.det.Coverage.Partial {
				t.Errorf("skipped %v, notes %v, late %d, incomplete %v", run.det.Coverage.Skipped, run.det.Notes, run.det.Late, run.det.Coverage.Partial)
			}
			detCheckEvidence(t, run)
			if sc.check != nil && len(run.det.Findings) > 0 {
				sc.check(t, w, run)
			}
		})
	}
}

// detCheckEvidence checks what every finding must have: a window inside
// the day, advice, a summary, no estimate, and event IDs (at most five) of
// events of the scenario that the subject names.
func detCheckEvidence(t *testing.T, run detRun) {
	t.Helper()
	byID := map[string][]cognitomon.Event{}
	for _, e := range run.events {
		byID[e.EventID] = append(byID[e.EventID], e)
	}
	for _, f := range run.det.Findings {
		if err := f.Window.Validate(); err != nil || f.Window.Start.Before(detDay().Start) || f.Window.End.After(detDay().End) {
			t.Errorf("%s: window %s", detRow(f), f.Window)
		}
		if f.Advice == "" || f.Summary == "" || f.Evidence.Unit == "" || f.Subject.UserPool != detPool {
			t.Errorf("%s: advice %q, summary %q, unit %q, pool %q", detRow(f), f.Advice, f.Summary, f.Evidence.Unit, f.Subject.UserPool)
		}
		if f.Evidence.Estimated {
			t.Errorf("%s: estimated", detRow(f))
		}
		if len(f.Evidence.EventIDs) > 5 {
			t.Errorf("%s: %d event IDs", detRow(f), len(f.Evidence.EventIDs))
		}
		for _, id := range f.Evidence.EventIDs {
			ok := false
			for _, e := range byID[id] {
				s := f.Subject
				ok = ok || run.scenario[id] &&
					(s.IP == "" || e.SourceIP == s.IP || strings.Contains(s.IP, "/")) &&
					(s.Sub == "" || e.Sub == s.Sub) &&
					(s.Caller == "" || e.CallerARN == s.Caller) &&
					(s.Client == "" || e.ClientID == s.Client)
			}
			if !ok {
				t.Errorf("%s: event %s is not a scenario event about the subject", detRow(f), id)
			}
		}
	}
}

// detEvent is a synthetic event for the rule tests: an InitiateAuth with
// USER_PASSWORD_AUTH that failed with code, or succeeded when code is "".
func detEvent(at time.Time, ip, sub, code string) cognitomon.Event {
	return cognitomon.Event{
		EventID: fmt.Sprintf("%s-%s-%d", ip, sub, at.UnixNano()), Time: at, Name: "InitiateAuth", Type: cognitomon.EventTypeAPICall,
		AuthFlow: "USER_PASSWORD_AUTH", ErrorCode: code, SourceIP: ip, Sub: sub, ClientID: "web1example", UserAgent: "app/1.0",
	}
}

var detT0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func detRange() cognitomon.TimeRange {
	return cognitomon.TimeRange{Start: detT0.Add(-24 * time.Hour), End: detT0.Add(24 * time.Hour)}
}

// detClients are the app clients of the hand-made events: API events name
// only their client, and the scope attributes them to detPool by it.
var detClients = []cognitomon.ClientID{"web1example", "m2m1", "m2m"}

func detFailures(ip string, offsets ...time.Duration) []cognitomon.Event {
	var out []cognitomon.Event
	for i, d := range offsets {
		out = append(out, detEvent(detT0.Add(d), ip, fmt.Sprintf("sub%d", i), "NotAuthorizedException"))
	}
	return out
}

// detMinutes returns offsets of n events spread evenly over d from off.
func detSpread(off, d time.Duration, n int) []time.Duration {
	var out []time.Duration
	for i := range n {
		out = append(out, off+d*time.Duration(i)/time.Duration(n))
	}
	return out
}

func detEdgeRule(threshold int, sliding bool) checks.EventRule {
	return checks.EventRule{
		ID: "edge", Unit: "failures",
		Events: checks.EventMatch{Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}},
		Key:    checks.KeySourceIP, Threshold: threshold, Window: 10 * time.Minute, Sliding: sliding, Severity: cognitomon.SeverityHigh,
	}
}

func detDetect(t *testing.T, evs []cognitomon.Event, lim cognitomon.DetectLimits, checks ...cognitomon.Check) *cognitomon.Detection {
	t.Helper()
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(evs), Limits: lim}, checks...)
	if err != nil {
		t.Fatal(err)
	}
	return det
}

// TestRuleWindowEdges pins the window semantics: the threshold counts
// ("at least"), windows are aligned to the epoch, a sliding window hops by a
// tenth of its length, a tumbling one does not slide.
func TestRuleWindowEdges(t *testing.T) {
	for _, tt := range []struct {
		name       string
		offsets    []time.Duration
		sliding    bool
		wantValue  float64 // 0: no finding
		wantWindow cognitomon.TimeRange
	}{
		{"exactly at threshold", detSpread(0, time.Minute, 5), true, 5, cognitomon.TimeRange{Start: detT0, End: detT0.Add(time.Minute)}},
		{"one below", detSpread(0, time.Minute, 4), true, 0, cognitomon.TimeRange{}},
		{"spread over one aligned window", detSpread(0, 10*time.Minute, 5), true, 5, cognitomon.TimeRange{Start: detT0, End: detT0.Add(9 * time.Minute)}},
		{"spread over more than a window", []time.Duration{0, 3 * time.Minute, 6 * time.Minute, 9 * time.Minute, 10 * time.Minute}, true, 0, cognitomon.TimeRange{}},
		{"across a tumbling boundary, sliding", detSpread(7*time.Minute, 5*time.Minute, 5), true, 5, cognitomon.TimeRange{Start: detT0.Add(7 * time.Minute), End: detT0.Add(12 * time.Minute)}},
		{"across a tumbling boundary, tumbling", detSpread(7*time.Minute, 5*time.Minute, 5), false, 0, cognitomon.TimeRange{}},
		{"inside one tumbling window", detSpread(10*time.Minute, 10*time.Minute, 5), false, 5, cognitomon.TimeRange{Start: detT0.Add(10 * time.Minute), End: detT0.Add(20 * time.Minute)}},
		{"two bursts make two findings", append(detSpread(0, time.Minute, 5), detSpread(30*time.Minute, time.Minute, 6)...), true, 5, cognitomon.TimeRange{Start: detT0, End: detT0.Add(time.Minute)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			det := detDetect(t, detFailures("192.0.2.1", tt.offsets...), cognitomon.DetectLimits{}, detEdgeRule(5, tt.sliding))
			if tt.wantValue == 0 {
				if len(det.Findings) != 0 {
					t.Fatalf("findings %+v, want none", det.Findings)
				}
				return
			}
			if len(det.Findings) == 0 {
				t.Fatal("no finding")
			}
			f := det.Findings[0]
			if f.Evidence.Value != tt.wantValue || f.Window != tt.wantWindow {
				t.Errorf("value %v window %s, want %v %s", f.Evidence.Value, f.Window, tt.wantValue, tt.wantWindow)
			}
			if tt.name == "two bursts make two findings" && (len(det.Findings) != 2 || det.Findings[1].Evidence.Value != 6) {
				t.Errorf("findings %+v", det.Findings)
			}
		})
	}
}

// TestRuleDistinct counts distinct values, not events.
func TestRuleDistinct(t *testing.T) {
	rule := checks.EventRule{ID: "distinct", Events: checks.EventMatch{Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}},
		Key: checks.KeySourceIP, Distinct: checks.KeySub, Top: checks.KeySub, Threshold: 3, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityHigh}
	same := []cognitomon.Event{
		detEvent(detT0, "192.0.2.1", "a", "NotAuthorizedException"),
		detEvent(detT0.Add(time.Minute), "192.0.2.1", "a", "NotAuthorizedException"),
		detEvent(detT0.Add(2*time.Minute), "192.0.2.1", "b", "NotAuthorizedException"),
		detEvent(detT0.Add(3*time.Minute), "192.0.2.1", "", "NotAuthorizedException"), // no sub: not counted
	}
	if det := detDetect(t, same, cognitomon.DetectLimits{}, rule); len(det.Findings) != 0 {
		t.Errorf("two distinct subs fired: %+v", det.Findings)
	}
	three := append(slices.Clone(same), detEvent(detT0.Add(4*time.Minute), "192.0.2.1", "c", "NotAuthorizedException"))
	det := detDetect(t, three, cognitomon.DetectLimits{}, rule)
	if len(det.Findings) != 1 {
		t.Fatalf("findings %+v", det.Findings)
	}
	want := cognitomon.Evidence{Value: 3, Threshold: 3, Unit: "distinct sub values in 10m", TopOf: "sub",
		Top: []cognitomon.Counted[string]{{Key: "a", Count: 2}, {Key: "b", Count: 1}, {Key: "c", Count: 1}}}
	if diff := cmp.Diff(want, det.Findings[0].Evidence, detIgnoreIDs); diff != "" {
		t.Errorf("evidence mismatch (-want +got):\n%s", diff)
	}
}

// TestRuleArrivalOrder: events shuffled within the lateness give the same
// findings; a stream in reverse over hours loses events and says so.
func TestRuleArrivalOrder(t *testing.T) {
	var evs []cognitomon.Event
	for burst := range 6 {
		evs = append(evs, detFailures(fmt.Sprintf("192.0.2.%d", burst), detSpread(time.Duration(burst)*25*time.Minute, 4*time.Minute, 6)...)...)
	}
	rule := detEdgeRule(5, true)
	want := detDetect(t, evs, cognitomon.DetectLimits{}, rule)
	if len(want.Findings) != 6 {
		t.Fatalf("%d findings in order, want 6", len(want.Findings))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	shuffled := slices.Clone(evs)
	// Shuffle within blocks of 12 events (at most 25 minutes apart), under
	// a lateness of 30 minutes.
	for i := 0; i < len(shuffled); i += 12 {
		block := shuffled[i:min(i+12, len(shuffled))]
		rng.Shuffle(len(block), func(a, b int) { block[a], block[b] = block[b], block[a] })
	}
	got := detDetect(t, shuffled, cognitomon.DetectLimits{Lateness: 30 * time.Minute}, rule)
	if diff := cmp.Diff(want.Findings, got.Findings, detIgnoreIDs); diff != "" {
		t.Errorf("shuffled findings mismatch (-want +got):\n%s", diff)
	}

	reversed := slices.Clone(evs)
	slices.Reverse(reversed)
	late := detDetect(t, reversed, cognitomon.DetectLimits{}, rule)
	if late.Late == 0 || len(late.Findings) >= 6 || !slices.ContainsFunc(late.Notes, func(n string) bool { return strings.Contains(n, "ascending time order") }) {
		t.Errorf("reversed: %d findings, late %d, notes %q", len(late.Findings), late.Late, late.Notes)
	}
	if !slices.ContainsFunc(late.Notes, func(n string) bool { return strings.HasPrefix(n, "edge: ") && strings.Contains(n, "too late") }) {
		t.Errorf("the rule does not say it dropped events: %q", late.Notes)
	}
	generous := detDetect(t, reversed, cognitomon.DetectLimits{Lateness: 3 * time.Hour}, rule)
	if diff := cmp.Diff(want.Findings, generous.Findings, detIgnoreIDs); diff != "" {
		t.Errorf("reversed with a lateness of 3h mismatch (-want +got):\n%s", diff)
	}
}

// TestRuleMemoryBound: with room for few keys, a flood of one-off
// addresses does not push out an attacker who keeps coming back, and the
// findings say their counts may be low.
func TestRuleMemoryBound(t *testing.T) {
	var evs []cognitomon.Event
	for i := range 2000 {
		at := detT0.Add(time.Duration(i) * 200 * time.Millisecond)
		evs = append(evs, detEvent(at, fmt.Sprintf("198.18.%d.%d", i/256, i%256), "", "NotAuthorizedException"))
		if i%50 == 0 {
			evs = append(evs, detEvent(at, "192.0.2.66", "victim", "NotAuthorizedException"))
		}
	}
	det := detDetect(t, evs, cognitomon.DetectLimits{MaxKeys: 100}, detEdgeRule(20, true))
	if len(det.Findings) != 1 || det.Findings[0].Subject.IP != "192.0.2.66" || det.Findings[0].Evidence.Value != 40 {
		t.Fatalf("findings %+v", det.Findings)
	}
	if !slices.ContainsFunc(det.Notes, func(n string) bool { return strings.Contains(n, "MaxKeys") }) {
		t.Errorf("no note about the memory bound: %q", det.Notes)
	}
	// The attacker's key was created before any state was dropped; a key
	// created after says its counts are estimates.
	evs = append(evs, detFailures("192.0.2.77", detSpread(10*time.Minute, time.Minute, 25)...)...)
	det = detDetect(t, evs, cognitomon.DetectLimits{MaxKeys: 100}, detEdgeRule(20, true))
	late := detFindingFor(det, "192.0.2.77")
	if late == nil || !late.Evidence.Estimated {
		t.Errorf("finding for a key created under pressure: %+v", late)
	}
}

// detBuiltin returns the built-in check of that name.
func detBuiltin(t *testing.T, name string) cognitomon.Check {
	t.Helper()
	for _, c := range checks.Builtins() {
		if c.Name() == name {
			return c
		}
	}
	t.Fatalf("no built-in %s", name)
	return nil
}

func detFindingFor(det *cognitomon.Detection, ip string) *cognitomon.Finding {
	for i := range det.Findings {
		if det.Findings[i].Subject.IP == ip {
			return &det.Findings[i]
		}
	}
	return nil
}

// TestSlowBruteForceAgainstThresholds makes the scenario and the two
// brute-force rules meet at their edges: SlowBruteForce's 15 failures every
// ten minutes stay under brute-force's 20 and reach brute-force-slow's 50;
// exactly 20 in ten minutes fire brute-force, and a threshold one higher
// does not; exactly 50 fire brute-force-slow and 49 do not.
func TestSlowBruteForceAgainstThresholds(t *testing.T) {
	builtin := map[string]checks.EventRule{}
	for _, c := range checks.Builtins() {
		if r, ok := c.(checks.EventRule); ok {
			builtin[r.ID] = r
		}
	}
	fast, slow := builtin["brute-force"], builtin["brute-force-slow"]
	if fast.Threshold != 20 || fast.Window != 10*time.Minute || slow.Threshold != 50 || slow.Window != 6*time.Hour {
		t.Fatalf("defaults changed: %+v %+v", fast, slow)
	}
	stricter := fast
	stricter.ID, stricter.Threshold = "brute-force-21", 21
	for _, tt := range []struct {
		name         string
		d            time.Duration
		perTen       int
		want         []string // rule IDs that fire
		wantSlowPeak float64
	}{
		{"the scenario: 15 per 10m for 1h", time.Hour, 15, []string{"brute-force-slow"}, 90},
		{"exactly 20 in 10m", 10 * time.Minute, 20, []string{"brute-force"}, 0},
		{"exactly 50 in 50m", 50 * time.Minute, 10, []string{"brute-force-slow"}, 50},
		{"49 in 49m", 49 * time.Minute, 10, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := cognitomontest.NewPool(detPool)
			inc := cognitomontest.SlowBruteForce(p, detAndroid, "user0042", "192.0.2.66", detT0, tt.d, tt.perTen)
			evs, err := detParse(p.TrailRecords())
			if err != nil {
				t.Fatal(err)
			}
			det := detDetect(t, evs, cognitomon.DetectLimits{}, fast, slow, stricter)
			var got []string
			for _, f := range det.Findings {
				got = append(got, f.Check)
				if f.Check == "brute-force-slow" && f.Evidence.Value != tt.wantSlowPeak {
					t.Errorf("slow peak %v, want %v", f.Evidence.Value, tt.wantSlowPeak)
				}
				if f.Check == "brute-force" && f.Evidence.Value != float64(inc.Attempts) {
					t.Errorf("fast peak %v, want %d", f.Evidence.Value, inc.Attempts)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules fired mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSuccessAfterFailuresEdges: nine failures are not enough, ten are,
// whatever the order of arrival within the lateness; failures older than the
// window do not count.
func TestSuccessAfterFailuresEdges(t *testing.T) {
	rule := checks.SuccessAfterFailuresRule{ID: "saf", MinFailures: 10, Window: time.Hour, Severity: cognitomon.SeverityHigh}
	build := func(n int, first time.Duration) []cognitomon.Event {
		evs := detFailures("192.0.2.5", detSpread(first, 10*time.Minute, n)...)
		return append(evs, detEvent(detT0.Add(first+10*time.Minute), "192.0.2.5", "victim", ""))
	}
	for _, tt := range []struct {
		name    string
		evs     []cognitomon.Event
		reverse bool
		want    float64
	}{
		{"ten", build(10, 0), false, 10},
		{"nine", build(9, 0), false, 0},
		{"ten, success first", build(10, 0), true, 10},
		{"ten but older than the window", append(detFailures("192.0.2.5", detSpread(0, 5*time.Minute, 10)...), detEvent(detT0.Add(70*time.Minute), "192.0.2.5", "victim", "")), false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evs := slices.Clone(tt.evs)
			if tt.reverse {
				slices.Reverse(evs)
			}
			det := detDetect(t, evs, cognitomon.DetectLimits{}, rule)
			if tt.want == 0 {
				if len(det.Findings) > 0 {
					t.Errorf("findings %+v", det.Findings)
				}
				return
			}
			if len(det.Findings) != 1 || det.Findings[0].Evidence.Value != tt.want ||
				!slices.Equal(det.Findings[0].Evidence.Top, []cognitomon.Counted[string]{{Key: "victim", Count: 1}}) {
				t.Errorf("findings %+v", det.Findings)
			}
		})
	}
}

func detToken(at time.Time, client string, status int) cognitomon.Event {
	return cognitomon.Event{EventID: fmt.Sprintf("tok-%d", at.UnixNano()), Time: at, Name: "Token_POST", Type: cognitomon.EventTypeServiceEvent,
		GrantType: "client_credentials", ClientID: cognitomon.ClientID(client), SourceIP: "192.0.2.10", HTTPStatus: status}
}

// TestFailureStreakEdges: a run of nine is not reported, ten is; a success
// ends a run; throttles neither break nor extend one.
func TestFailureStreakEdges(t *testing.T) {
	rule := checks.FailureStreakRule{ID: "streak", Events: checks.EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindM2MToken}}}, MinRun: 10, Severity: cognitomon.SeverityHigh}
	seq := func(statuses ...int) []cognitomon.Event {
		var out []cognitomon.Event
		for i, s := range statuses {
			out = append(out, detToken(detT0.Add(time.Duration(i)*time.Second), "m2m", s))
		}
		return out
	}
	rep := func(s, n int) []int { return slices.Repeat([]int{s}, n) }
	for _, tt := range []struct {
		name     string
		statuses []int
		want     float64
	}{
		{"nine", slices.Concat(rep(200, 3), rep(400, 9)), 0},
		{"ten", slices.Concat(rep(200, 3), rep(400, 10)), 10},
		{"broken by a success", slices.Concat(rep(400, 6), rep(200, 1), rep(400, 6)), 0},
		{"throttles do not break it", slices.Concat(rep(400, 6), rep(429, 3), rep(400, 4)), 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			det := detDetect(t, seq(tt.statuses...), cognitomon.DetectLimits{}, rule)
			switch {
			case tt.want == 0 && len(det.Findings) > 0:
				t.Errorf("findings %+v", det.Findings)
			case tt.want > 0 && (len(det.Findings) != 1 || det.Findings[0].Evidence.Value != tt.want || det.Findings[0].Subject.Client != "m2m"):
				t.Errorf("findings %+v", det.Findings)
			}
		})
	}
}

// TestFirstSeenTeach: a user who signs in with a password from a new place
// and refreshes there is not reported, whichever event arrives first; a
// refresh without that sign-in is; a user the baseline does not know is not
// judged.
func TestFirstSeenTeach(t *testing.T) {
	rule := detBuiltin(t, "token-theft").(checks.FirstSeenRule)
	refresh := func(at time.Time, ip, sub, ua string) cognitomon.Event {
		e := detEvent(at, ip, sub, "")
		e.AuthFlow, e.UserAgent = "REFRESH_TOKEN_AUTH", ua
		return e
	}
	signIn := func(at time.Time, ip, sub, ua string) cognitomon.Event {
		e := detEvent(at, ip, sub, "")
		e.UserAgent = ua
		return e
	}
	ref := cognitomon.TimeRange{Start: detT0.Add(-48 * time.Hour), End: detT0.Add(-24 * time.Hour)}
	b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: ref}, Events: detStream([]cognitomon.Event{
		signIn(ref.Start.Add(time.Hour), "198.51.100.7", "alice", "app/1.0"),
		refresh(ref.Start.Add(2*time.Hour), "198.51.100.7", "alice", "app/1.2"),
	})}, rule)
	if err != nil {
		t.Fatal(err)
	}
	rule.Learned = b
	run := func(evs ...cognitomon.Event) []cognitomon.Finding {
		det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(evs)}, rule)
		if err != nil {
			t.Fatal(err)
		}
		return det.Findings
	}
	hotel := signIn(detT0, "203.0.113.40", "alice", "app/1.3")
	later := refresh(detT0.Add(50*time.Minute), "203.0.113.40", "alice", "app/1.3")
	if fs := run(hotel, later); len(fs) != 0 {
		t.Errorf("sign-in then refresh: %+v", fs)
	}
	if fs := run(later, hotel); len(fs) != 0 {
		t.Errorf("refresh then sign-in: %+v", fs)
	}
	if fs := run(refresh(detT0, "198.51.100.7", "alice", "app/1.4")); len(fs) != 0 {
		t.Errorf("a new app version is not a new device: %+v", fs)
	}
	fs := run(later)
	if len(fs) != 1 || fs[0].Severity != cognitomon.SeverityMedium || fs[0].Subject.Sub != "alice" ||
		!slices.Equal(fs[0].Evidence.Top, []cognitomon.Counted[string]{{Key: "ip-range=203.0.113.0/24", Count: 1}}) {
		t.Errorf("refresh from a new range alone: %+v", fs)
	}
	if fs := run(refresh(detT0, "192.0.2.1", "bob", "curl/8")); len(fs) != 0 {
		t.Errorf("a user the baseline does not know: %+v", fs)
	}
}

// TestAdminRules: only successful, risky changes are reported.
func TestAdminRules(t *testing.T) {
	admin := func(name, params, code string) cognitomon.Event {
		raw := fmt.Sprintf(`{"eventSource":"cognito-idp.amazonaws.com","eventName":%q,"requestParameters":%s}`, name, params)
		return cognitomon.Event{EventID: name + params, Time: detT0, Name: name, Type: cognitomon.EventTypeAPICall, ErrorCode: code,
			SourceIP: "192.0.2.9", CallerARN: "arn:aws:iam::123456789012:user/ops", Raw: json.RawMessage(raw)}
	}
	evs := []cognitomon.Event{
		admin("SetUserPoolMfaConfig", `{"mfaConfiguration":"ON"}`, ""),
		admin("SetUserPoolMfaConfig", `{"mfaConfiguration":"OFF"}`, "AccessDeniedException"),
		admin("UpdateUserPool", `{"mfaConfiguration":"OFF","userPoolAddOns":{"advancedSecurityMode":"AUDIT"}}`, ""),
		admin("SetRiskConfiguration", `{"compromisedCredentialsRiskConfiguration":{"actions":{"eventAction":"BLOCK"}}}`, ""),
		admin("SetRiskConfiguration", `{"riskExceptionConfiguration":{"skippedIPRangeList":["0.0.0.0/0"]}}`, ""),
		admin("UpdateUserPoolClient", `{"clientId":"web1","clientName":"web"}`, ""),
		admin("DeleteUserPoolClient", `{"clientId":"web1"}`, ""),
		admin("UpdateIdentityProvider", `{"providerName":"CorpSAML","providerType":"SAML"}`, ""),
	}
	det := detDetect(t, evs, cognitomon.DetectLimits{}, checks.Builtins()...)
	var got []string
	for _, f := range det.Findings {
		got = append(got, f.Check+": "+strings.Join(f.Evidence.Notes, "; "))
	}
	want := []string{
		"admin-deletion: UserPoolClient web1 deleted",
		"admin-mfa-off: mfaConfiguration set to OFF",
		"admin-threat-protection-lowered: risk checks skipped for 0.0.0.0/0", // SetRiskConfiguration sorts before UpdateUserPool
		"admin-threat-protection-lowered: advancedSecurityMode set to AUDIT",
		"admin-identity-provider: Update identity provider CorpSAML (SAML)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("admin findings mismatch (-want +got):\n%s", diff)
	}
}

// detStats builds a Stats with one flow and one client from hourly counts
// starting at detT0.
func detStats(flow cognitomon.Flow, client cognitomon.ClientID, hours ...cognitomon.Counts) *cognitomon.Stats {
	s := cognitomon.Series{Start: detT0, Period: time.Hour, Counts: hours}
	fs := cognitomon.FlowStats{Flow: flow, Counts: s.Total(), Series: s, Clients: []cognitomon.ClientStats{{Client: client, Counts: s.Total(), Series: s}}}
	return &cognitomon.Stats{UserPool: detPool, Range: cognitomon.TimeRange{Start: detT0, End: detT0.Add(time.Duration(len(hours)) * time.Hour)}, Period: time.Hour, Flows: []cognitomon.FlowStats{fs}}
}

// TestMetricRuleEdges: the failure rate must be above 20% with at least 50
// attempts; throttles are not failures there.
func TestMetricRuleEdges(t *testing.T) {
	rule := checks.FailureRateRule{ID: "rate", MaxRate: 0.2, MinAttempts: 50, Window: time.Hour, Severity: cognitomon.SeverityMedium, HighRate: 0.5}
	for _, tt := range []struct {
		name string
		c    cognitomon.Counts
		want []string
	}{
		{"exactly 20%", cognitomon.Counts{Attempts: 100, Successes: 80}, nil},
		{"21%", cognitomon.Counts{Attempts: 100, Successes: 79}, []string{"medium rate flow=SignIn client=web1", "medium rate flow=SignIn"}},
		{"49 attempts", cognitomon.Counts{Attempts: 49, Successes: 0}, nil},
		{"50 attempts, 50%", cognitomon.Counts{Attempts: 50, Successes: 25}, []string{"high rate flow=SignIn client=web1", "high rate flow=SignIn"}},
		{"throttles are not failures", cognitomon.Counts{Attempts: 100, Successes: 70, Throttles: 20}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// The pool's finding stays when the client's window does not
			// overlap it: the client's figures are an hour earlier.
			st := detStats(cognitomon.SignIn, "web1", tt.c)
			st.Flows[0].Clients[0].Series = cognitomon.Series{Start: detT0.Add(-time.Hour), Period: time.Hour, Counts: []cognitomon.Counts{tt.c, {}}}
			det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: detClients, Range: detRange()}, Stats: st}, rule)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range det.Findings {
				got = append(got, detRow(f))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestQuotaOverride: a raised quota, passed to Builtins, raises the limit.
func TestQuotaOverride(t *testing.T) {
	q := &cognitomon.QuotaUsage{Range: cognitomon.TimeRange{Start: detT0, End: detT0.Add(10 * time.Minute)}, Period: 5 * time.Minute,
		Categories: []cognitomon.CategoryUsage{{Category: "UserAuthentication", Calls: cognitomon.ValueSeries{28800, 100}, Throttles: cognitomon.ValueSeries{0, 0}},
			{Category: "SomethingNew", Calls: cognitomon.ValueSeries{1, 1}, Throttles: cognitomon.ValueSeries{0, 0}}}}
	for _, tt := range []struct {
		quotas map[string]float64
		want   int
	}{{nil, 1}, {map[string]float64{"UserAuthentication": 200}, 0}} {
		det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Quota: q},
			checks.Builtins(func(o *checks.BuiltinOptions) { o.Quotas = tt.quotas })...)
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Findings) != tt.want {
			t.Errorf("quotas %v: findings %+v", tt.quotas, det.Findings)
		}
		if !slices.Contains(det.Notes, "quota-approach: no quota known for category SomethingNew: not checked") {
			t.Errorf("notes %q", det.Notes)
		}
	}
}

// TestTrailGapSettle: hours CloudTrail may not have delivered yet are not
// compared.
func TestTrailGapSettle(t *testing.T) {
	st := detStats(cognitomon.SignIn, "web1", cognitomon.Counts{Attempts: 200, Successes: 190}, cognitomon.Counts{Attempts: 200, Successes: 190})
	for _, tt := range []struct {
		now  time.Time
		want int
	}{
		{detT0.Add(2*time.Hour + 15*time.Minute), 1}, // both hours settled: one finding for both
		{detT0.Add(2*time.Hour + 14*time.Minute), 1}, // the second hour is too recent
		{detT0.Add(time.Hour + 14*time.Minute), 0},   // neither
	} {
		rule := checks.TrailGapRule{ID: "gap", MinAttempts: 100, MinRatio: 0.5, Severity: cognitomon.SeverityHigh, Clock: func() time.Time { return tt.now }}
		det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Stats: st, Events: detStream(nil)}, rule)
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Findings) != tt.want {
			t.Errorf("now %s: findings %+v", tt.now, det.Findings)
			continue
		}
		if tt.want == 1 {
			wantEnd := detT0.Add(2 * time.Hour)
			if tt.now.Before(detT0.Add(2*time.Hour + 15*time.Minute)) {
				wantEnd = detT0.Add(time.Hour)
			}
			if w := det.Findings[0].Window; w.Start != detT0 || w.End != wantEnd {
				t.Errorf("now %s: window %s", tt.now, w)
			}
		}
	}
}

// TestDetectSkipsMissingInput: a check without its input is listed as
// skipped, never silent.
func TestDetectSkipsMissingInput(t *testing.T) {
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(nil)}, checks.Builtins()...)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range det.Coverage.Skipped {
		got = append(got, s.Check+": "+s.Reason)
	}
	want := []string{
		"token-theft: missing input: no baseline",
		"m2m-token-volume: missing input: no baseline",
		"m2m-new-source: missing input: no baseline",
		"failure-rate: missing input: no metrics (MetricsClient.Stats)",
		"throttle-spike: missing input: no metrics (MetricsClient.Stats)",
		"quota-approach: missing input: no quota usage (MetricsClient.QuotaUsage)",
		"quota-throttles: missing input: no quota usage (MetricsClient.QuotaUsage)",
		"trail-gap: missing input: no metrics (MetricsClient.Stats) to compare the trail with",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"refresh-failure-spike: no baseline: the plain threshold applies"}, det.Notes); diff != "" {
		t.Errorf("notes mismatch (-want +got):\n%s", diff)
	}

	none, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}}, checks.Builtins()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Coverage.Skipped) != len(checks.Builtins()) || len(none.Findings) != 0 {
		t.Errorf("with no input: %d skipped of %d, %d findings", len(none.Coverage.Skipped), len(checks.Builtins()), len(none.Findings))
	}
}

// TestDetectStreamError: an error in the stream returns the findings so far
// and an error that wraps ErrIncomplete and the stream's error.
func TestDetectStreamError(t *testing.T) {
	boom := errors.New("boom")
	evs := detFailures("192.0.2.1", detSpread(0, time.Minute, 5)...)
	stream := func(yield func(cognitomon.Event, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
		if yield(cognitomon.Event{}, boom) {
			t.Error("Detect went on after the error")
		}
	}
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: stream}, detEdgeRule(5, true))
	if !errors.Is(err, cognitomon.ErrIncomplete) || !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if det == nil || !det.Coverage.Partial || len(det.Findings) != 1 || det.Coverage.InScope != 5 {
		t.Errorf("detection %+v", det)
	}
}

// TestDetectErrors: bad input and bad checks are errors.
func TestDetectErrors(t *testing.T) {
	bad := detEdgeRule(0, true)
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		ctx    context.Context
		in     cognitomon.DetectInput
		checks []cognitomon.Check
		is     error
	}{
		{"inverted range", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: cognitomon.TimeRange{Start: detRange().End, End: detRange().Start}}}, nil, cognitomon.ErrInvalidRange},
		{"metrics without a range", ctx, cognitomon.DetectInput{Stats: &cognitomon.Stats{}}, nil, cognitomon.ErrInvalidRange},
		{"region not the pool's", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Region: "eu-west-9"}}, nil, nil},
		{"baseline of another pool", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool}, Events: detStream(nil)}, checks.Builtins(func(o *checks.BuiltinOptions) { o.Baseline = &checks.Baseline{UserPool: "eu-west-1_Other"} }), checks.ErrInvalidBaseline},
		{"bad pool", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange(), UserPool: "nope"}}, nil, cognitomon.ErrInvalidUserPoolID},
		{"bad rule", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(nil)}, []cognitomon.Check{bad}, nil},
		{"two checks named alike", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}}, []cognitomon.Check{detEdgeRule(1, true), detEdgeRule(2, true)}, nil},
		{"nil check", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}}, []cognitomon.Check{nil}, nil},
		{"bad name", ctx, cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}}, []cognitomon.Check{cognitomon.CheckFunc("Bad Name", nil)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			det, err := cognitomon.Detect(tt.ctx, tt.in, tt.checks...)
			if err == nil || det != nil || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("Detect = %v, %v", det, err)
			}
		})
	}
}

// detCounter is a team's check, written against the Check interface.
type detCounter struct{ min int }

func (detCounter) Name() string { return "counter" }

func (c detCounter) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if in.Events == nil {
		return nil, fmt.Errorf("%w: events", cognitomon.ErrMissingInput)
	}
	return &detCounterEval{min: c.min, r: in.Scope.Range}, nil
}

type detCounterEval struct {
	min, n int
	r      cognitomon.TimeRange
}

func (e *detCounterEval) Add(cognitomon.Event) { e.n++ }

func (e *detCounterEval) Findings(context.Context) ([]cognitomon.Finding, error) {
	if e.n < e.min {
		return nil, nil
	}
	return []cognitomon.Finding{{Severity: cognitomon.SeverityLow, Summary: strconv.Itoa(e.n) + " events", Window: e.r}}, nil
}

// TestCustomChecks: a team's own checks run beside the built-ins, get the
// run's name and pool filled in, and are skipped like them.
func TestCustomChecks(t *testing.T) {
	metricsOnly := cognitomon.CheckFunc("metrics-only", func(ctx context.Context, in *cognitomon.DetectInput) ([]cognitomon.Finding, error) {
		if in.Stats == nil {
			return nil, fmt.Errorf("%w: metrics", cognitomon.ErrMissingInput)
		}
		return nil, nil
	})
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: detClients, Range: detRange()}, Events: detStream(detFailures("192.0.2.1", 0, time.Second))},
		detCounter{min: 2}, metricsOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := &cognitomon.Detection{
		Range:    detRange(),
		Findings: []cognitomon.Finding{{Check: "counter", Severity: cognitomon.SeverityLow, Summary: "2 events", Window: detRange(), Subject: cognitomon.Subject{UserPool: detPool}}},
		Coverage: cognitomon.Coverage{
			Requested: detRange(), First: detT0, Last: detT0.Add(time.Second), Read: 2, InScope: 2, ReadsEvents: true,
			Skipped: []cognitomon.Skipped{{Check: "metrics-only", Reason: "missing input: metrics"}},
		},
	}
	if diff := cmp.Diff(want, det); diff != "" {
		t.Errorf("detection mismatch (-want +got):\n%s", diff)
	}
}

// TestDetectMaxFindings: a check reports at most MaxFindings findings, the
// strongest, and the rest are counted.
func TestDetectMaxFindings(t *testing.T) {
	var evs []cognitomon.Event
	for i := range 10 {
		evs = append(evs, detFailures(fmt.Sprintf("192.0.2.%d", i), detSpread(0, time.Minute, 5+i)...)...)
	}
	slices.SortStableFunc(evs, func(a, b cognitomon.Event) int { return a.Time.Compare(b.Time) })
	det := detDetect(t, evs, cognitomon.DetectLimits{MaxFindings: 3}, detEdgeRule(5, true))
	var got []float64
	for _, f := range det.Findings {
		got = append(got, f.Evidence.Value)
	}
	// The strongest three, in report order (by subject).
	if diff := cmp.Diff([]float64{12, 13, 14}, got); diff != "" {
		t.Errorf("values mismatch (-want +got):\n%s", diff)
	}
	if !slices.Contains(det.Notes, "edge: 7 findings with the lowest counts left out") {
		t.Errorf("notes %q", det.Notes)
	}
}

func TestSeverity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want cognitomon.Severity
	}{{"info", cognitomon.SeverityInfo}, {"LOW", cognitomon.SeverityLow}, {" Medium ", cognitomon.SeverityMedium}, {"high", cognitomon.SeverityHigh}, {"critical", cognitomon.SeverityCritical}} {
		got, err := cognitomon.ParseSeverity(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSeverity(%q) = %v, %v", tt.in, got, err)
		}
	}
	if _, err := cognitomon.ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent): no error")
	}
	b, err := json.Marshal(map[string]cognitomon.Severity{"s": cognitomon.SeverityHigh})
	if err != nil || string(b) != `{"s":"high"}` {
		t.Errorf("marshal: %s, %v", b, err)
	}
	var back map[string]cognitomon.Severity
	if err := json.Unmarshal(b, &back); err != nil || back["s"] != cognitomon.SeverityHigh {
		t.Errorf("unmarshal: %v, %v", back, err)
	}
	if _, err := json.Marshal(cognitomon.Severity(0)); err == nil {
		t.Error("marshalling the zero severity: no error")
	}
}

func TestSortFindings(t *testing.T) {
	at := func(h int) cognitomon.TimeRange {
		return cognitomon.TimeRange{Start: detT0.Add(time.Duration(h) * time.Hour), End: detT0.Add(time.Duration(h+1) * time.Hour)}
	}
	fs := []cognitomon.Finding{
		{Check: "b", Severity: cognitomon.SeverityMedium, Window: at(0)},
		{Check: "a", Severity: cognitomon.SeverityHigh, Window: at(2)},
		{Check: "a", Severity: cognitomon.SeverityMedium, Window: at(0), Subject: cognitomon.Subject{IP: "2"}},
		{Check: "a", Severity: cognitomon.SeverityMedium, Window: at(0), Subject: cognitomon.Subject{IP: "1"}},
		{Check: "c", Severity: cognitomon.SeverityHigh, Window: at(1)},
		{Check: "z", Severity: cognitomon.SeverityInfo, Window: at(0)},
	}
	cognitomon.SortFindings(fs)
	var got []string
	for _, f := range fs {
		got = append(got, fmt.Sprintf("%s %s %s", f.Severity, f.Check, f.Subject))
	}
	want := []string{"high c ", "high a ", "medium a ip=1", "medium a ip=2", "medium b ", "info z "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
}

func TestEventKeys(t *testing.T) {
	e := cognitomon.Event{SourceIP: "203.0.113.77", UserAgent: "aws-amplify/6.6.0 ios/17.5 framework/react-native", Sub: "s", ClientID: "c", ErrorCode: "X", Name: "N", CallerARN: "arn"}
	for _, tt := range []struct {
		k    checks.EventKey
		e    cognitomon.Event
		want string
	}{
		{checks.KeyIPRange, e, "203.0.113.0/24"},
		{checks.KeyIPRange, cognitomon.Event{SourceIP: "2001:db8:1234:5678::1"}, "2001:db8:1234::/48"},
		{checks.KeyIPRange, cognitomon.Event{SourceIP: "::ffff:192.0.2.9"}, "192.0.2.0/24"},
		{checks.KeyIPRange, cognitomon.Event{SourceIP: "cognito-idp.amazonaws.com"}, ""},
		{checks.KeyUserAgentFamily, e, "aws-amplify/ ios/ framework/react-native"},
		{checks.KeyUserAgentFamily, cognitomon.Event{UserAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0"}, "Mozilla/ (Windows NT ; Win; x) Chrome/"},
		{checks.KeySourceIP, e, "203.0.113.77"},
		{checks.KeySub, e, "s"},
		{checks.KeyClient, e, "c"},
		{checks.KeyErrorCode, cognitomon.Event{HTTPStatus: 400}, "HTTP 400"},
		{checks.KeyEventName, e, "N"},
		{checks.KeyCaller, e, "arn"},
	} {
		if got := tt.k.Of(tt.e); got != tt.want {
			t.Errorf("%s.Of = %q, want %q", tt.k, got, tt.want)
		}
	}
	var k checks.EventKey
	if err := k.UnmarshalText([]byte("ip-range")); err != nil || k != checks.KeyIPRange {
		t.Errorf("UnmarshalText: %v %v", k, err)
	}
}

func TestCompletedSignIn(t *testing.T) {
	for _, tt := range []struct {
		e    cognitomon.Event
		want bool
	}{
		{cognitomon.Event{Name: "InitiateAuth", AuthFlow: "USER_PASSWORD_AUTH"}, true},
		{cognitomon.Event{Name: "InitiateAuth", AuthFlow: "USER_SRP_AUTH"}, false},
		{cognitomon.Event{Name: "InitiateAuth", AuthFlow: "USER_PASSWORD_AUTH", ErrorCode: "NotAuthorizedException"}, false},
		{cognitomon.Event{Name: "InitiateAuth", AuthFlow: "REFRESH_TOKEN_AUTH"}, false},
		{cognitomon.Event{Name: "RespondToAuthChallenge", ChallengeName: "PASSWORD_VERIFIER"}, true},
		{cognitomon.Event{Name: "RespondToAuthChallenge", ChallengeName: "SOFTWARE_TOKEN_MFA"}, true},
		{cognitomon.Event{Name: "login_POST", HTTPStatus: 302}, true},
		{cognitomon.Event{Name: "Login_GET", HTTPStatus: 200}, false},
		{cognitomon.Event{Name: "SignUp"}, false},
	} {
		if got := checks.CompletedSignIn(tt.e); got != tt.want {
			t.Errorf("CompletedSignIn(%s %s %s) = %v", tt.e.Name, tt.e.AuthFlow, tt.e.ChallengeName, got)
		}
	}
}

func TestErrorMeaning(t *testing.T) {
	for _, code := range []string{"NotAuthorizedException", "UserNotFoundException", "TooManyRequestsException", "LimitExceededException",
		"CodeMismatchException", "ExpiredCodeException", "RefreshTokenReuseException", "TooManyFailedAttemptsException", "HTTP 400"} {
		if checks.ErrorMeaning(code) == "" {
			t.Errorf("no meaning for %s", code)
		}
	}
	if !strings.Contains(checks.ErrorMeaning("NotAuthorizedException"), "Password attempts exceeded") {
		t.Error("NotAuthorizedException does not mention the lockout")
	}
	if checks.ErrorMeaning("SomethingElse") != "" {
		t.Error("a meaning for an unknown code")
	}
}

// TestBuiltinsValid: every built-in validates, has a unique name, and has
// advice.
func TestBuiltinsValid(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range checks.Builtins() {
		if seen[c.Name()] {
			t.Errorf("two checks named %s", c.Name())
		}
		seen[c.Name()] = true
		if v, ok := c.(interface{ Validate() error }); ok {
			if err := v.Validate(); err != nil {
				t.Errorf("%s: %v", c.Name(), err)
			}
		}
	}
	if len(seen) != 34 {
		t.Errorf("%d built-in checks, want 34", len(seen))
	}
}

// TestOldestFirst reads LookupEvents (newest first) through OldestFirst and
// gets every event in ascending order.
func TestOldestFirst(t *testing.T) {
	p := cognitomontest.NewPool(detPool)
	r := cognitomon.TimeRange{Start: detT0, End: detT0.Add(40 * time.Minute)}
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 3, Clients: cognitomontest.DefaultClients()[1:2]})
	want, err := detParse(p.TrailRecords())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return detT0.Add(time.Hour) }
	tc := cognitomon.NewTrailClient(cognitomontest.NewCloudTrail([]*cognitomontest.Pool{p}, func(o *cognitomontest.CloudTrailOptions) { o.Now = now }),
		func(o *cognitomon.TrailOptions) {
			o.Clock, o.RequestsPerSecond = now, 1e9
		})
	var got []cognitomon.Event
	for e, err := range cognitomon.OldestFirst(context.Background(), tc, cognitomon.EventFilter{Range: r}, 7*time.Minute) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if !slices.IsSortedFunc(got, func(a, b cognitomon.Event) int { return a.Time.Compare(b.Time) }) || len(got) != len(want) || len(want) < 20 {
		t.Fatalf("%d events (want %d), sorted %v", len(got), len(want), slices.IsSortedFunc(got, func(a, b cognitomon.Event) int { return a.Time.Compare(b.Time) }))
	}
	ids := func(evs []cognitomon.Event) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.EventID)
		}
		slices.Sort(out)
		return out
	}
	if diff := cmp.Diff(ids(want), ids(got)); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	for _, err := range cognitomon.OldestFirst(context.Background(), tc, cognitomon.EventFilter{}, 0) {
		if !errors.Is(err, cognitomon.ErrInvalidRange) {
			t.Errorf("no range: %v", err)
		}
	}
}

// TestDetectFromTrailFiles: the same scenario read from CloudTrail log
// files, whose records are shuffled within each five-minute file, gives the
// same findings as the ordered events.
func TestDetectFromTrailFiles(t *testing.T) {
	p := cognitomontest.NewPool(detPool)
	r := cognitomon.TimeRange{Start: detT0.Add(-30 * time.Minute), End: detT0.Add(time.Hour)}
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 5})
	cognitomontest.CredentialStuffing(p, detAndroid, detT0, 30*time.Minute, 50, 8)
	cognitomontest.SlowBruteForce(p, detAndroid, "user0042", "192.0.2.55", detT0, 10*time.Minute, 30)
	ordered, err := detParse(p.TrailRecords())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{Seed: 9, OtherShare: 0.3}); err != nil {
		t.Fatal(err)
	}
	checks := checks.Builtins()
	want, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: p.TrafficClients(), Range: r}, Events: detStream(ordered)}, checks...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: p.TrafficClients(), Range: r}, Events: cognitomon.ReadEventFiles(os.DirFS(dir), ".")}, checks...)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Findings) < 2 {
		t.Fatalf("ordered findings %+v", want.Findings)
	}
	// The ranking of fifty equal botnet addresses in a table of sixteen
	// depends on their order of arrival (Space-Saving), so Top is compared
	// by length only.
	ignoreTop := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Top" }, cmp.Comparer(func(a, b []cognitomon.Counted[string]) bool { return len(a) == len(b) }))
	if diff := cmp.Diff(want.Findings, got.Findings, detIgnoreIDs, ignoreTop); diff != "" {
		t.Errorf("findings from files mismatch (-want +got):\n%s", diff)
	}
	if got.Late != 0 || got.Coverage.InScope != want.Coverage.InScope {
		t.Errorf("from files: late %d, events %d (want %d)", got.Late, got.Coverage.InScope, want.Coverage.InScope)
	}
}

// detSynthetic yields n synthetic events over a day from ips addresses
// spread over the IPv4 space: sign-in failures and successes with subs,
// refreshes, machine tokens, and one attacker guessing a password every ten
// seconds. sample is called every 250,000 events and at the end.
func detSynthetic(n, ips int, sample func(end bool)) iter.Seq2[cognitomon.Event, error] {
	return func(yield func(cognitomon.Event, error) bool) {
		start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		step := 24 * time.Hour / time.Duration(n)
		attackEvery := int(10*time.Second/step) + 1
		var x uint64 = 88172645463325252
		next := func() uint64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
		for i := range n {
			if i%250_000 == 0 {
				sample(false)
			}
			r := next()
			ip := uint32(r % uint64(ips))
			t := start.Add(time.Duration(i) * step)
			e := cognitomon.Event{Time: t, Type: cognitomon.EventTypeAPICall, Name: "InitiateAuth", AuthFlow: "USER_PASSWORD_AUTH",
				SourceIP: detIPv4(ip * 2654435761), ClientID: "web1example",
				Sub: "sub-" + strconv.FormatUint(r>>20%uint64(ips), 10), UserAgent: "app/1.0"}
			switch k := r >> 40 % 100; {
			case k < 60:
				e.ErrorCode = "NotAuthorizedException"
			case k < 65:
				e.ErrorCode = "UserNotFoundException"
			case k < 90:
			case k < 97:
				e.AuthFlow = "REFRESH_TOKEN_AUTH"
			default:
				e = cognitomon.Event{Time: t, Type: cognitomon.EventTypeServiceEvent, Name: "Token_POST", GrantType: "client_credentials",
					SourceIP: "192.0.2.10", ClientID: cognitomon.ClientID("m2m" + strconv.Itoa(int(r%10))), HTTPStatus: 200}
			}
			if i%attackEvery == 0 {
				e = cognitomon.Event{Time: t, Type: cognitomon.EventTypeAPICall, Name: "InitiateAuth", AuthFlow: "USER_PASSWORD_AUTH",
					SourceIP: "192.0.2.66", ClientID: "web1example", Sub: "victim", ErrorCode: "NotAuthorizedException"}
			}
			e.EventID = "e" + strconv.Itoa(i)
			if !yield(e, nil) {
				return
			}
		}
		sample(true)
	}
}

func detIPv4(v uint32) string {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String()
}
