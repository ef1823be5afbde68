package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

const admin cognitomon.ClientID = "3admin0console0client0001"

// events returns the pool's CloudTrail events, as a team's test gets them
// from the simulated pool.
func events(t *testing.T, p *cognitomontest.Pool) []cognitomon.Event {
	t.Helper()
	var out []cognitomon.Event
	for _, r := range p.TrailRecords() {
		e, err := cognitomon.ParseEvent(r.JSON)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func stream(evs []cognitomon.Event) func(func(cognitomon.Event, error) bool) {
	return func(yield func(cognitomon.Event, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// TestOfficeHours records sign-ins on a simulated pool and expects exactly
// the ones outside office hours to be reported: at night, at the weekend,
// and a failed attempt or another client's sign-in never.
func TestCheckOfficeHours(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	// Wednesday 4 and Saturday 7 March 2026, in CET.
	wed := func(h, m int) time.Time { return time.Date(2026, 3, 4, h, m, 0, 0, cet) }
	sat := time.Date(2026, 3, 7, 11, 0, 0, 0, cet)
	p := cognitomontest.NewPool("us-east-1_TeamPool1")
	signIn := func(at time.Time, client cognitomon.ClientID, user, ip string, o cognitomontest.Outcome) cognitomontest.Attempt {
		return cognitomontest.Attempt{Time: at, Flow: cognitomon.SignIn, Client: client, User: user, IP: ip, UserAgent: "Mozilla/5.0", Outcome: o}
	}
	p.Record(
		signIn(wed(10, 0), admin, "alice", "198.51.100.20", cognitomontest.Success),                   // office hours
		signIn(wed(7, 59), admin, "bob", "198.51.100.21", cognitomontest.Success),                     // a minute early
		signIn(wed(8, 0), admin, "bob", "198.51.100.21", cognitomontest.Success),                      // on time
		signIn(wed(19, 0), admin, "carol", "198.51.100.22", cognitomontest.Success),                   // too late
		signIn(wed(3, 0), admin, "mallory", "203.0.113.66", cognitomontest.Failure),                   // failed: not a sign-in
		signIn(wed(3, 0), "4k2webapp0example0client1", "dave", "203.0.113.7", cognitomontest.Success), // not the admin console
		signIn(sat, admin, "alice", "198.51.100.20", cognitomontest.Success),                          // the weekend
	)
	check := OfficeHours{Clients: []cognitomon.ClientID{admin}, Location: cet, From: 8, To: 19}
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{
		Scope:  cognitomon.Scope{Range: cognitomon.TimeRange{Start: wed(0, 0), End: sat.Add(24 * time.Hour)}},
		Events: stream(events(t, p)),
	}, check)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Subject cognitomon.Subject
		Value   float64
		Window  cognitomon.TimeRange
	}
	var got []row
	for _, f := range det.Findings {
		if f.Check != "admin-off-hours" || f.Severity != cognitomon.SeverityMedium || len(f.Evidence.EventIDs) != int(f.Evidence.Value) {
			t.Errorf("finding %+v", f)
		}
		got = append(got, row{f.Subject, f.Evidence.Value, f.Window})
	}
	at := func(t time.Time) cognitomon.TimeRange {
		return cognitomon.TimeRange{Start: t.UTC(), End: t.UTC().Add(time.Second)}
	}
	want := []row{
		{cognitomon.Subject{Client: admin, Sub: p.Sub("bob")}, 1, at(wed(7, 59))},
		{cognitomon.Subject{Client: admin, Sub: p.Sub("carol")}, 1, at(wed(19, 0))},
		{cognitomon.Subject{Client: admin, Sub: p.Sub("alice")}, 1, at(sat)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}

// TestOfficeHoursNeedsEvents: without events the check is skipped, not
// silent; without clients it is a mistake.
func TestCheckOfficeHoursNeedsEvents(t *testing.T) {
	r := cognitomon.Last(time.Hour, time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC))
	check := OfficeHours{Clients: []cognitomon.ClientID{admin}, Location: time.UTC, From: 8, To: 19}
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: r}}, check)
	if err != nil || len(det.Coverage.Skipped) != 1 || det.Coverage.Skipped[0].Check != "admin-off-hours" {
		t.Errorf("Detect = %+v, %v", det, err)
	}
	if _, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: r}}, OfficeHours{}); err == nil {
		t.Error("a check without clients: no error")
	}
}

// TestRunSimulated runs the command against the simulated pool, through the
// real CloudTrail client and the HTTP fake: the team's check finds the
// 03:00 admin, a built-in check finds the password guessing.
func TestCheckRunSimulated(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // a Wednesday
	if err := run(context.Background(), &out, options{tz: "Europe/Berlin", office: "8-19", since: 24 * time.Hour}, now); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"high    brute-force      2026-03-04T09:00:00Z/2026-03-04T09:10:00Z  ip=192.0.2.55",
		"medium  admin-off-hours  2026-03-04T02:00:00Z/2026-03-04T02:00:01Z  client=3admin0console0client0001 sub=",
		"admin-off-hours: 1 admin sign-ins outside office hours (08:00-19:00 Europe/Berlin, Monday to Friday), first at Wed 03:00",
		"skipped for lack of metrics or a baseline: token-theft",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "medium  admin-off-hours") != 1 {
		t.Errorf("the 10:00 admin was reported:\n%s", s)
	}
}

func TestCheckRunBadFlags(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, o := range []options{
		{tz: "Nowhere/City", office: "8-19", since: time.Hour},
		{tz: "UTC", office: "8 to 19", since: time.Hour},
	} {
		if err := run(context.Background(), &bytes.Buffer{}, o, now); err == nil {
			t.Errorf("run(%+v): no error", o)
		}
	}
}
