package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// TestReportFilesFindTheNewAttacks runs the built command over CloudTrail
// log files that hold, on a day of ordinary traffic, each case the
// detections of issue 15 are for: passwordless code guessing, a lockout
// storm, sign-up enumeration and a client secret added by an unexpected IAM
// user; and the machine clients' cost.
func TestReportFilesFindTheNewAttacks(t *testing.T) {
	end := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Hour)
	p := cognitomontest.NewPool("us-east-1_AttackPool1")
	cognitomontest.SimulateTraffic(p, cognitomon.TimeRange{Start: end.Add(-24 * time.Hour), End: end}, cognitomontest.TrafficOptions{Seed: 7})
	web := cognitomontest.DefaultClients()[0].ID
	android := cognitomontest.DefaultClients()[2].ID
	machine := cognitomontest.DefaultMachines()[0].ID
	cognitomontest.CodeGuessing(p, web, "192.0.2.120", end.Add(-10*time.Hour), 20*time.Minute, 40)
	cognitomontest.LockoutStorm(p, android, []string{"192.0.2.131", "192.0.2.132", "192.0.2.133"}, end.Add(-8*time.Hour), 40*time.Minute, 24, 6)
	cognitomontest.SignUpEnumeration(p, android, "192.0.2.140", end.Add(-6*time.Hour), 30*time.Minute, 60)
	cognitomontest.SecretAdded(p, machine, end.Add(-4*time.Hour), "arn:aws:iam::123456789012:user/intruder", "192.0.2.150")
	dir := t.TempDir()
	if _, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{Seed: 5, Span: time.Hour, OtherShare: 0.1}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, nil, false, "report", "--trail-files", dir, "--format", "json")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s", code, exitFindings, errOut)
	}
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		got[f.Rule] = append(got[f.Rule], f.Subject)
	}
	for rule, subject := range map[string]string{
		"code-guessing":        "192.0.2.120",
		"lockout-address":      "192.0.2.131",
		"lockout-storm":        "pool=(not named)",
		"enumeration-signup":   "192.0.2.140",
		"admin-client-secret":  "intruder",
		"brute-force":          "-", // lockouts and codes are not password guesses
		"credential-stuffing":  "-",
		"brute-force-slow":     "-",
		"password-reset-flood": "-",
	} {
		subjects, found := got[rule]
		switch {
		case subject == "-" && found:
			t.Errorf("%s fired on %v: the attacks are not password guessing", rule, subjects)
		case subject != "-" && !found:
			t.Errorf("no %s finding; findings %v", rule, got)
		case subject != "-" && !strings.Contains(strings.Join(subjects, " "), subject):
			t.Errorf("%s findings %v, want one about %s", rule, subjects, subject)
		}
	}
	// The machine clients' bill: successes at the default price.
	var cost float64
	for _, m := range rep.Trail.Machines {
		if want := float64(m.Successes) * 2.25 / 1000; fmt.Sprintf("%.6f", m.Cost) != fmt.Sprintf("%.6f", want) {
			t.Errorf("%s: cost %v, want %v", m.ClientID, m.Cost, want)
		}
		cost += m.Cost
	}
	if len(rep.Trail.Machines) == 0 || cost <= 0 || rep.Trail.M2MPrice.AsOf != "2024-05-09" {
		t.Errorf("machine clients %d, cost %v, price %+v", len(rep.Trail.Machines), cost, rep.Trail.M2MPrice)
	}
}
