package analysis_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// streamOf yields events, then err if it is not nil.
func streamOf(err error, events ...cognitomon.Event) iter.Seq2[cognitomon.Event, error] {
	return func(yield func(cognitomon.Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
		if err != nil {
			yield(cognitomon.Event{}, err)
		}
	}
}

// ignoreCoverage leaves the Coverage of summaries to the tests of Consume.
var ignoreCoverage = cmpopts.IgnoreTypes(cognitomon.Coverage{})

// exactList is an exact TopList of the default capacity.
func exactList[K comparable](items ...cognitomon.Counted[K]) analysis.TopList[K] {
	l := analysis.TopList[K]{Items: items, Capacity: 1000, Exact: true}
	for _, it := range items {
		l.Total += it.Count
	}
	if l.Items == nil {
		l.Items = []cognitomon.Counted[K]{}
	}
	return l
}

func n[K comparable](key K, count int64) cognitomon.Counted[K] {
	return cognitomon.Counted[K]{Key: key, Count: count}
}

const (
	ipA   = "198.51.100.1"
	ipB   = "192.0.2.10"
	ipC   = "203.0.113.9"
	ipD   = "198.51.100.50"
	ipM1  = "10.0.0.1"
	ipM2  = "10.0.0.2"
	ipX   = "198.51.100.77"
	ipAdm = "203.0.113.200"
	ipMal = "192.0.2.99"
	sub1  = "a1b2c3d4-0000-4000-8000-00000000cccc"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// analysisStream is a hand-built stream that touches every analyzer.
func analysisStream() []cognitomon.Event {
	api := func(id int, min int, name, ip, client, code string) cognitomon.Event {
		return cognitomon.Event{EventID: fmt.Sprintf("e%02d", id), Time: t0.Add(time.Duration(min) * time.Minute), Name: name,
			Type: cognitomon.EventTypeAPICall, SourceIP: ip, ClientID: cognitomon.ClientID(client), ErrorCode: code}
	}
	token := func(id int, min int, grant, ip, client string, status int, code string) cognitomon.Event {
		return cognitomon.Event{EventID: fmt.Sprintf("e%02d", id), Time: t0.Add(time.Duration(min) * time.Minute), Name: "Token_POST",
			Type: cognitomon.EventTypeServiceEvent, SourceIP: ip, ClientID: cognitomon.ClientID(client), GrantType: grant, HTTPStatus: status, ErrorCode: code}
	}
	with := func(e cognitomon.Event, f func(*cognitomon.Event)) cognitomon.Event { f(&e); return e }
	srp := func(e *cognitomon.Event) { e.AuthFlow = "USER_SRP_AUTH" }
	return []cognitomon.Event{
		with(api(1, 1, "InitiateAuth", ipA, "web", "NotAuthorizedException"), srp),
		with(api(2, 2, "InitiateAuth", ipA, "web", "NotAuthorizedException"), srp),
		api(3, 3, "RespondToAuthChallenge", ipB, "web", ""),
		with(api(4, 4, "InitiateAuth", ipC, "web", "UserNotFoundException"), srp),
		api(5, 5, "ForgotPassword", ipC, "web", "UserNotFoundException"),
		api(6, 6, "ForgotPassword", ipC, "web", ""),
		api(7, 7, "ConfirmForgotPassword", ipC, "web", "CodeMismatchException"),
		with(api(8, 8, "RespondToAuthChallenge", ipD, "web", "CodeMismatchException"), func(e *cognitomon.Event) { e.Sub = sub1 }),
		with(api(9, 9, "RespondToAuthChallenge", ipD, "web", "ExpiredCodeException"), func(e *cognitomon.Event) { e.Sub = sub1 }),
		with(api(10, 2, "InitiateAuth", ipB, "web", "NotAuthorizedException"), func(e *cognitomon.Event) { e.AuthFlow = "REFRESH_TOKEN_AUTH" }),
		api(11, 6, "GetTokensFromRefreshToken", ipB, "web", ""),
		token(12, 7, "refresh_token", ipB, "web", 400, ""),
		token(13, 10, "client_credentials", ipM1, "m2m", 200, ""),
		token(14, 70, "client_credentials", ipM2, "m2m", 200, ""),
		token(15, 130, "client_credentials", ipM1, "m2m", 429, ""),
		token(16, 11, "client_credentials", ipX, "m2m2", 401, "NotAuthorizedException"),
		with(api(17, 20, "UpdateUserPoolClient", ipAdm, "web", ""), func(e *cognitomon.Event) {
			e.CallerType, e.CallerARN = "AssumedRole", "arn:aws:sts::123456789012:assumed-role/CognitoAdmin/ops"
		}),
		with(api(18, 15, "SetRiskConfiguration", ipMal, "", "AccessDeniedException"), func(e *cognitomon.Event) {
			e.CallerType, e.CallerARN = "IAMUser", "arn:aws:iam::123456789012:user/mallory"
		}),
		with(api(19, 3, "InitiateAuth", ipA, "web", "TooManyRequestsException"), srp),
		api(20, 30, "DescribeUserPool", ipAdm, "", ""),
	}
}

func TestAnalyze(t *testing.T) {
	events := analysisStream()
	failures := analysis.NewFailureAnalyzer()
	enumeration := analysis.NewEnumerationAnalyzer()
	resets := analysis.NewPasswordResetAnalyzer()
	mfa := analysis.NewMFAAnalyzer()
	refresh := analysis.NewRefreshAnalyzer(5 * time.Minute)
	m2m := analysis.NewM2MAnalyzer()
	admin := analysis.NewAdminChangeAnalyzer()
	traffic := analysis.NewTrafficAnalyzer()
	if err := analyze(streamOf(nil, events...), failures, enumeration, resets, mfa, refresh, m2m, admin, traffic); err != nil {
		t.Fatal(err)
	}
	type reasonIP = analysis.ReasonIP
	type counts = cognitomon.Counts

	t.Run("failures", func(t *testing.T) {
		want := analysis.FailureSummary{
			Events: 20, Failures: 13, Throttled: 2,
			ByReason: exactList(n("NotAuthorizedException", 4), n("CodeMismatchException", 2), n("UserNotFoundException", 2),
				n("AccessDeniedException", 1), n("ExpiredCodeException", 1), n("HTTP 400", 1), n("HTTP 429", 1), n("TooManyRequestsException", 1)),
			BySourceIP: exactList(n(ipA, 3), n(ipC, 3), n(ipB, 2), n(ipD, 2), n(ipM1, 1), n(ipMal, 1), n(ipX, 1)),
			ByReasonAndIP: exactList(
				n(reasonIP{"NotAuthorizedException", ipA}, 2), n(reasonIP{"UserNotFoundException", ipC}, 2),
				n(reasonIP{"AccessDeniedException", ipMal}, 1), n(reasonIP{"CodeMismatchException", ipD}, 1),
				n(reasonIP{"CodeMismatchException", ipC}, 1), n(reasonIP{"ExpiredCodeException", ipD}, 1),
				n(reasonIP{"HTTP 400", ipB}, 1), n(reasonIP{"HTTP 429", ipM1}, 1),
				n(reasonIP{"NotAuthorizedException", ipB}, 1), n(reasonIP{"NotAuthorizedException", ipX}, 1),
				n(reasonIP{"TooManyRequestsException", ipA}, 1)),
		}
		if diff := cmp.Diff(want, failures.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("FailureSummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("enumeration", func(t *testing.T) {
		want := analysis.EnumerationSummary{
			UserNotFound: 2,
			BySourceIP:   exactList(n(ipC, 2)),
			ByEventName:  exactList(n("ForgotPassword", 1), n("InitiateAuth", 1)),
			ByClientID:   exactList(n[cognitomon.ClientID]("web", 2)),
			Note:         analysis.EnumerationNote,
		}
		if diff := cmp.Diff(want, enumeration.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("EnumerationSummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("password reset", func(t *testing.T) {
		want := analysis.PasswordResetSummary{
			Counts: counts{Attempts: 3, Successes: 1},
			ByName: map[string]cognitomon.Counts{
				"ForgotPassword":        {Attempts: 2, Successes: 1},
				"ConfirmForgotPassword": {Attempts: 1},
			},
			BySourceIP: exactList(n(ipC, 3)),
			BySourceIPAndOutcome: exactList(
				n(analysis.IPOutcome{SourceIP: ipC, Outcome: cognitomon.OutcomeFailure}, 2),
				n(analysis.IPOutcome{SourceIP: ipC, Outcome: cognitomon.OutcomeSuccess}, 1)),
			ByReason: exactList(n("CodeMismatchException", 1), n("UserNotFoundException", 1)),
		}
		if diff := cmp.Diff(want, resets.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("PasswordResetSummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("mfa", func(t *testing.T) {
		want := analysis.MFASummary{
			Counts:       counts{Attempts: 2},
			CodeMismatch: 1, ExpiredCode: 1,
			ByReason:   exactList(n("CodeMismatchException", 1), n("ExpiredCodeException", 1)),
			BySourceIP: exactList(n(ipD, 2)),
			BySub:      exactList(n(sub1, 2)),
			ByClientID: exactList(n[cognitomon.ClientID]("web", 2)),
		}
		if diff := cmp.Diff(want, mfa.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("MFASummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("refresh", func(t *testing.T) {
		want := analysis.RefreshSummary{
			Width: 5 * time.Minute,
			Total: analysis.RefreshCounts{
				InitiateAuth:              counts{Attempts: 1},
				GetTokensFromRefreshToken: counts{Attempts: 1, Successes: 1},
				TokenEndpoint:             counts{Attempts: 1},
			},
			ByReason: exactList(n("HTTP 400", 1), n("NotAuthorizedException", 1)),
			Buckets: []analysis.RefreshBucket{
				{Start: t0, RefreshCounts: analysis.RefreshCounts{InitiateAuth: counts{Attempts: 1}}},
				{Start: t0.Add(5 * time.Minute), RefreshCounts: analysis.RefreshCounts{
					GetTokensFromRefreshToken: counts{Attempts: 1, Successes: 1},
					TokenEndpoint:             counts{Attempts: 1},
				}},
			},
		}
		got := refresh.Summary()
		if diff := cmp.Diff(want, got, ignoreCoverage); diff != "" {
			t.Errorf("RefreshSummary mismatch (-want +got):\n%s", diff)
		}
		if total := got.Total.Total(); total != (counts{Attempts: 3, Successes: 1}) {
			t.Errorf("Total.Total() = %+v", total)
		}
	})
	t.Run("m2m", func(t *testing.T) {
		ipList := func(items ...cognitomon.Counted[string]) analysis.TopList[string] {
			l := exactList(items...)
			l.Capacity = 10
			return l
		}
		want := analysis.M2MSummary{
			Counts: counts{Attempts: 4, Successes: 2, Throttles: 1},
			Clients: []analysis.M2MClient{
				{ClientID: "m2m", Counts: counts{Attempts: 3, Successes: 2, Throttles: 1}, First: t0.Add(10 * time.Minute), Last: t0.Add(130 * time.Minute),
					PerHour: 1.5, SourceIPs: ipList(n(ipM1, 2), n(ipM2, 1))},
				{ClientID: "m2m2", Counts: counts{Attempts: 1}, First: t0.Add(11 * time.Minute), Last: t0.Add(11 * time.Minute),
					PerHour: 1, SourceIPs: ipList(n(ipX, 1))},
			},
			Capacity: 1000, Exact: true,
			Hours: []analysis.M2MHour{
				{Start: t0, Counts: counts{Attempts: 2, Successes: 1}},
				{Start: t0.Add(time.Hour), Counts: counts{Attempts: 1, Successes: 1}},
				{Start: t0.Add(2 * time.Hour), Counts: counts{Attempts: 1, Throttles: 1}},
			},
		}
		if diff := cmp.Diff(want, m2m.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("M2MSummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("admin changes", func(t *testing.T) {
		want := analysis.AdminChangeSummary{Total: 2, Changes: []cognitomon.Event{events[17], events[16]}}
		if diff := cmp.Diff(want, admin.Summary(), equalRaw, ignoreCoverage); diff != "" {
			t.Errorf("AdminChangeSummary mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("traffic", func(t *testing.T) {
		kc := func(k cognitomon.EventKind, c cognitomon.ClientID) analysis.KindClient {
			return analysis.KindClient{Kind: k, ClientID: c}
		}
		want := analysis.TrafficSummary{
			ByKind: map[cognitomon.EventKind]cognitomon.Counts{
				cognitomon.KindSignIn:        {Attempts: 5, Successes: 1, Throttles: 1},
				cognitomon.KindPasswordReset: {Attempts: 3, Successes: 1},
				cognitomon.KindMFA:           {Attempts: 2},
				cognitomon.KindTokenRefresh:  {Attempts: 3, Successes: 1},
				cognitomon.KindM2MToken:      {Attempts: 4, Successes: 2, Throttles: 1},
				cognitomon.KindAdminChange:   {Attempts: 2, Successes: 1},
				cognitomon.KindOther:         {Attempts: 1, Successes: 1},
			},
			ByFlow: map[cognitomon.Flow]cognitomon.Counts{
				cognitomon.SignIn:       {Attempts: 7, Successes: 1, Throttles: 1},
				cognitomon.TokenRefresh: {Attempts: 3, Successes: 1},
			},
			Rows: []analysis.TrafficRow{
				{KindClient: kc(cognitomon.KindSignIn, "web"), Counts: counts{Attempts: 5, Successes: 1, Throttles: 1}},
				{KindClient: kc(cognitomon.KindTokenRefresh, "web"), Counts: counts{Attempts: 3, Successes: 1}},
				{KindClient: kc(cognitomon.KindPasswordReset, "web"), Counts: counts{Attempts: 3, Successes: 1}},
				{KindClient: kc(cognitomon.KindM2MToken, "m2m"), Counts: counts{Attempts: 3, Successes: 2, Throttles: 1}},
				{KindClient: kc(cognitomon.KindMFA, "web"), Counts: counts{Attempts: 2}},
				{KindClient: kc(cognitomon.KindM2MToken, "m2m2"), Counts: counts{Attempts: 1}},
				{KindClient: kc(cognitomon.KindAdminChange, ""), Counts: counts{Attempts: 1}},
				{KindClient: kc(cognitomon.KindAdminChange, "web"), Counts: counts{Attempts: 1, Successes: 1}},
				{KindClient: kc(cognitomon.KindOther, ""), Counts: counts{Attempts: 1, Successes: 1}},
			},
			Capacity: 1000, Exact: true,
		}
		if diff := cmp.Diff(want, traffic.Summary(), ignoreCoverage); diff != "" {
			t.Errorf("TrafficSummary mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestConsumeCountsABadRecordAndGoesOn(t *testing.T) {
	events := analysisStream()
	bad := &cognitomon.ReadError{File: "f.json.gz", Record: 7, Err: errors.New("truncated JSON")}
	seq := func(yield func(cognitomon.Event, error) bool) {
		for i, e := range events[:4] {
			if i == 3 && !yield(cognitomon.Event{}, bad) {
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
	failures := analysis.NewFailureAnalyzer()
	cov, err := cognitomon.Consume(context.Background(), seq, cognitomon.Scope{}, failures)
	if !errors.Is(err, cognitomon.ErrIncomplete) {
		t.Errorf("error %v does not wrap ErrIncomplete", err)
	}
	if want := "incomplete result: 1 records and 0 log files could not be read"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if cov.Read != 4 || cov.InScope != 4 || cov.UnreadableRecords != 1 || cov.Partial || len(cov.Notes) != 1 || !strings.Contains(cov.Notes[0], "record 7") {
		t.Errorf("coverage = %+v, want 4 read and in scope, 1 unreadable record noted, not partial", cov)
	}
	if cov.Complete() {
		t.Error("a pass with an unreadable record is complete")
	}
	s := failures.Summary()
	if s.Events != 4 || s.Coverage.UnreadableRecords != 1 {
		t.Errorf("summary counted %d events with %d unreadable records, want 4 and 1", s.Events, s.Coverage.UnreadableRecords)
	}
}

func TestConsumeStopsAtSourceError(t *testing.T) {
	events := analysisStream()
	boom := errors.New("LookupEvents: access denied")
	failures := analysis.NewFailureAnalyzer()
	cov, err := cognitomon.Consume(context.Background(), streamOf(boom, events[:3]...), cognitomon.Scope{}, failures)
	if !errors.Is(err, cognitomon.ErrIncomplete) || !errors.Is(err, boom) {
		t.Errorf("error %v does not wrap ErrIncomplete and the cause", err)
	}
	if !cov.Partial || cov.Read != 3 || failures.Summary().Events != 3 || !failures.Summary().Coverage.Partial {
		t.Errorf("coverage %+v, summary %+v: want partial after 3 events", cov, failures.Summary())
	}
}

func TestAnalyzeEmpty(t *testing.T) {
	failures, refresh, admin := analysis.NewFailureAnalyzer(), analysis.NewRefreshAnalyzer(0), analysis.NewAdminChangeAnalyzer()
	if err := analyze(streamOf(nil), failures, refresh, admin); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(analysis.FailureSummary{
		ByReason: exactList[string](), BySourceIP: exactList[string](), ByReasonAndIP: exactList[analysis.ReasonIP](),
	}, failures.Summary(), ignoreCoverage); diff != "" {
		t.Errorf("empty FailureSummary mismatch (-want +got):\n%s", diff)
	}
	if s := refresh.Summary(); s.Width != 5*time.Minute || len(s.Buckets) != 0 {
		t.Errorf("empty RefreshSummary = %+v, want width 5m and no buckets", s)
	}
	if s := admin.Summary(); s.Total != 0 || len(s.Changes) != 0 {
		t.Errorf("empty AdminChangeSummary = %+v", s)
	}
}

func TestTopListSpaceSaving(t *testing.T) {
	// With room for 2 keys, the stream a a b c c c d evicts as the
	// algorithm says: c takes b's place (count 1+1, error 1), d takes
	// a's place (2+1, error 2), then c's count is the larger.
	a := analysis.NewFailureAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 2 })
	for _, ip := range []string{"a", "a", "b", "c", "c", "c", "d"} {
		a.Add(cognitomon.Event{Name: "InitiateAuth", ErrorCode: "NotAuthorizedException", SourceIP: ip})
	}
	want := analysis.TopList[string]{
		Items:    []cognitomon.Counted[string]{{Key: "c", Count: 4, Error: 1}, {Key: "d", Count: 3, Error: 2}},
		Total:    7,
		Capacity: 2,
	}
	if diff := cmp.Diff(want, a.Summary().BySourceIP); diff != "" {
		t.Errorf("BySourceIP mismatch (-want +got):\n%s", diff)
	}
}

func TestTopListGuarantees(t *testing.T) {
	// A skewed random stream: every count's bounds hold, and every key
	// whose true count exceeds Total/Capacity is listed.
	const capacity, events = 50, 20_000
	r := rand.New(rand.NewPCG(7, 11))
	a := analysis.NewFailureAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = capacity })
	truth := map[string]int64{}
	for range events {
		var ip string
		if r.IntN(2) == 0 {
			ip = fmt.Sprintf("hot-%d", r.IntN(10))
		} else {
			ip = fmt.Sprintf("cold-%d", r.IntN(5000))
		}
		truth[ip]++
		a.Add(cognitomon.Event{Name: "InitiateAuth", ErrorCode: "NotAuthorizedException", SourceIP: ip})
	}
	got := a.Summary().BySourceIP
	if got.Exact || got.Total != events || len(got.Items) != capacity {
		t.Fatalf("Exact %v, Total %d, %d items; want false, %d, %d", got.Exact, got.Total, len(got.Items), events, capacity)
	}
	listed := map[string]bool{}
	for _, it := range got.Items {
		listed[it.Key] = true
		if tc := truth[it.Key]; tc > it.Count || tc < it.Count-it.Error {
			t.Errorf("%s: true count %d outside [%d, %d]", it.Key, tc, it.Count-it.Error, it.Count)
		}
	}
	for ip, tc := range truth {
		if tc > got.Total/capacity && !listed[ip] {
			t.Errorf("%s has %d > Total/Capacity = %d but is not listed", ip, tc, got.Total/capacity)
		}
	}
	for i := range 10 {
		if ip := fmt.Sprintf("hot-%d", i); !listed[ip] {
			t.Errorf("heavy hitter %s is not listed", ip)
		}
	}
}

func TestAnalyzerBoundedMemory(t *testing.T) {
	// 150,000 failures from 100,000 distinct IPs must not grow the heap
	// with the number of IPs: a map of them would hold megabytes.
	const capacity = 100
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	analyzers := []cognitomon.Consumer{
		analysis.NewFailureAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = capacity }),
		analysis.NewEnumerationAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = capacity }),
		analysis.NewTrafficAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = capacity }),
	}
	for i := range 150_000 {
		ip := "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
		if i%3 == 0 {
			ip = "203.0.113.66" // the attacker
		}
		e := cognitomon.Event{Name: "InitiateAuth", ErrorCode: "UserNotFoundException", SourceIP: ip, ClientID: cognitomon.ClientID("c" + strconv.Itoa(i%5000))}
		for _, a := range analyzers {
			a.Add(e)
		}
	}
	grown := int64(heap()) - int64(before)
	failures := analyzers[0].(*analysis.FailureAnalyzer).Summary()
	if len(failures.BySourceIP.Items) != capacity || failures.BySourceIP.Exact {
		t.Errorf("%d IPs tracked (exact %v), want %d estimates", len(failures.BySourceIP.Items), failures.BySourceIP.Exact, capacity)
	}
	if top := failures.BySourceIP.Items[0]; top.Key != "203.0.113.66" || top.Count-top.Error > 50_000 || top.Count < 50_000 {
		t.Errorf("top IP = %+v, want 203.0.113.66 with 50000 within its bounds", top)
	}
	if grown > 2<<20 {
		t.Errorf("heap grew by %d bytes for %d tracked keys", grown, capacity)
	}
}

func TestRefreshAnalyzerMaxBuckets(t *testing.T) {
	a := analysis.NewRefreshAnalyzer(time.Minute, func(o *analysis.AnalyzerOptions) { o.MaxBuckets = 2 })
	for i := range 4 {
		a.Add(cognitomon.Event{Name: "GetTokensFromRefreshToken", Time: t0.Add(time.Duration(i) * time.Minute)})
	}
	a.Add(cognitomon.Event{Name: "GetTokensFromRefreshToken", Time: t0.Add(30 * time.Second)})
	s := a.Summary()
	if len(s.Buckets) != 2 || s.DroppedEvents != 2 || s.Total.Total().Attempts != 5 || s.Buckets[0].GetTokensFromRefreshToken.Attempts != 2 {
		t.Errorf("summary = %+v; want 2 buckets (the first with 2 refreshes), 2 dropped, 5 in total", s)
	}
}

func TestAdminChangeAnalyzerKeepsNewest(t *testing.T) {
	a := analysis.NewAdminChangeAnalyzer(func(o *analysis.AnalyzerOptions) { o.MaxChanges = 3 })
	for _, min := range []int{5, 1, 9, 3, 7, 2} {
		a.Add(cognitomon.Event{EventID: fmt.Sprint(min), Name: "UpdateUserPool", Time: t0.Add(time.Duration(min) * time.Minute)})
	}
	a.Add(cognitomon.Event{Name: "DescribeUserPool", Time: t0})
	s := a.Summary()
	var ids []string
	for _, e := range s.Changes {
		ids = append(ids, e.EventID)
	}
	if diff := cmp.Diff([]string{"5", "7", "9"}, ids); diff != "" || s.Total != 6 || s.Dropped != 3 {
		t.Errorf("changes %v (total %d, dropped %d); want 5 7 9 of 6, 3 dropped (-want +got):\n%s", ids, s.Total, s.Dropped, diff)
	}
}

func TestM2MAnalyzerEviction(t *testing.T) {
	// With room for one client, the second takes the first's place and
	// reports what it may have missed.
	a := analysis.NewM2MAnalyzer(func(o *analysis.AnalyzerOptions) { o.TopK = 1 })
	for _, c := range []cognitomon.ClientID{"one", "one", "two"} {
		a.Add(cognitomon.Event{Name: "Token_POST", GrantType: "client_credentials", ClientID: c, Time: t0, SourceIP: ipM1})
	}
	s := a.Summary()
	if s.Exact || len(s.Clients) != 1 || s.Clients[0].ClientID != "two" || s.Clients[0].Missed != 2 || s.Clients[0].Counts.Attempts != 1 || s.Counts.Attempts != 3 {
		t.Errorf("summary = %+v; want client two with 1 request counted and 2 possibly missed", s)
	}
}

// BenchmarkFailureAnalyzer feeds failures from a million distinct IPs and
// reports the heap the analyzer keeps: it must not depend on b.N.
func BenchmarkFailureAnalyzer(b *testing.B) {
	ips := make([]string, 1<<20)
	for i := range ips {
		ips[i] = fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
	}
	a := analysis.NewFailureAnalyzer()
	e := cognitomon.Event{Name: "InitiateAuth", ErrorCode: "NotAuthorizedException"}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.SourceIP = ips[i&(len(ips)-1)]
		a.Add(e)
		i++
	}
	b.StopTimer()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(ips) // measured in before, so alive in after
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/(1<<20), "MB-retained")
	if s := a.Summary(); len(s.BySourceIP.Items) > 1000 {
		b.Fatalf("%d IPs tracked", len(s.BySourceIP.Items))
	}
}
