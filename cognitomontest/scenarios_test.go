package cognitomontest_test

import (
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func TestScenarios(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	quiet := cognitomontest.QuietWeek(p, now, 1)
	if quiet.Attempts < 10000 || quiet.Requests == 0 || quiet.Window.Duration() != 7*24*time.Hour {
		t.Errorf("quiet week: %+v", quiet)
	}
	start := now.Add(-6 * time.Hour)
	cs := cognitomontest.CredentialStuffing(p, "web", start, 30*time.Minute, 50, 8)
	if cs.Attempts != 400 || len(cs.IPs) != 50 || len(cs.Users) != 400 {
		t.Errorf("stuffing: %d attempts, %d IPs, %d users", cs.Attempts, len(cs.IPs), len(cs.Users))
	}
	bf := cognitomontest.SlowBruteForce(p, "web", "alice", "192.0.2.66", start, time.Hour, 15)
	if bf.Attempts != 90 {
		t.Errorf("slow brute force: %d attempts", bf.Attempts)
	}
	en := cognitomontest.Enumeration(p, "web", "192.0.2.77", start, time.Hour, 100)
	if en.Attempts != 100 || en.Requests != 25 {
		t.Errorf("enumeration: %+v", en)
	}
	m := cognitomontest.MisbehavingMachine(p, "m2mbad", start, 2*time.Hour, 600, 40)
	if m.Requests != 1200 {
		t.Errorf("machine: %d requests", m.Requests)
	}
	pr := cognitomontest.PasswordResetAbuse(p, "web", "192.0.2.88", start, 10*time.Minute, 60)
	if pr.Requests != 60 {
		t.Errorf("resets: %d", pr.Requests)
	}
	cognitomontest.AdminMFAOff(p, start, "arn:aws:iam::123456789012:user/mallory", "192.0.2.99")
	cognitomontest.TokenTheft(p, "web", "user0001", "192.0.2.111", start, 5)

	// A broken trail removes records, not metrics.
	gap := cognitomon.TimeRange{Start: start, End: start.Add(time.Hour)}
	before := len(p.TrailRecords())
	cognitomontest.BrokenTrail(p, gap)
	after := p.TrailRecords()
	if len(after) >= before {
		t.Errorf("broken trail: %d records before, %d after", before, len(after))
	}
	for _, r := range after {
		if gap.Contains(r.Time) {
			t.Fatalf("record %s at %s inside the gap", r.Name, r.Time)
		}
	}
	if got := p.Expected(cognitomon.SignIn, "web", gap); got.Attempts < 400 {
		t.Errorf("the metrics lost the attempts too: %+v", got)
	}
}
