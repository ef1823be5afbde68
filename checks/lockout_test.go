package checks_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/google/go-cmp/cmp"
)

// detLockouts returns n lockout answers for sub from ip, a second apart.
func detLockouts(ip, sub string, n int) []cognitomon.Event {
	var out []cognitomon.Event
	for i := range n {
		e := detEvent(detT0.Add(time.Duration(i)*time.Second), ip, sub, "NotAuthorizedException")
		e.ErrorMessage = "Password attempts exceeded"
		out = append(out, e)
	}
	return out
}

// TestLockoutAllowList: a canary's address and a canary's user are left
// out; everyone else's lockouts count, and wrong passwords do not.
func TestLockoutAllowList(t *testing.T) {
	var evs []cognitomon.Event
	evs = append(evs, detLockouts("192.0.2.10", "sub-a", 12)...)    // allowed by range
	evs = append(evs, detLockouts("198.51.100.7", "canary", 12)...) // allowed by sub
	evs = append(evs, detLockouts("203.0.113.5", "sub-b", 12)...)   // counted
	for i := range 30 {                                             // wrong passwords: not lockouts
		evs = append(evs, detEvent(detT0.Add(time.Duration(i)*time.Second), "203.0.113.6", "sub-c", "NotAuthorizedException"))
	}
	opts := func(o *checks.BuiltinOptions) {
		o.LockoutAllowIPs = []string{"192.0.2.0/24"}
		o.LockoutAllowSubs = []string{"canary"}
	}
	var rule cognitomon.Check
	for _, c := range checks.Builtins(opts) {
		if c.Name() == "lockout-address" {
			rule = c
		}
	}
	det := detDetect(t, evs, cognitomon.DetectLimits{}, rule)
	var got []string
	for _, f := range det.Findings {
		got = append(got, detRow(f))
	}
	if diff := cmp.Diff([]string{"high lockout-address ip=203.0.113.5"}, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
	// Without the allow-list, all three lockout addresses are found.
	if det := detDetect(t, evs, cognitomon.DetectLimits{}, detBuiltin(t, "lockout-address")); len(det.Findings) != 3 {
		t.Errorf("%d findings without the allow-list, want 3", len(det.Findings))
	}
}

// TestLockoutNotBruteForce: lockout answers are not password guesses, so
// brute-force does not count them.
func TestLockoutNotBruteForce(t *testing.T) {
	evs := detLockouts("203.0.113.5", "sub-b", 30)
	if det := detDetect(t, evs, cognitomon.DetectLimits{}, detBuiltin(t, "brute-force")); len(det.Findings) != 0 {
		t.Errorf("brute-force counted lockout answers: %v", det.Findings)
	}
	for i := range evs {
		evs[i].ErrorMessage = "Incorrect username or password."
	}
	if det := detDetect(t, evs, cognitomon.DetectLimits{}, detBuiltin(t, "brute-force")); len(det.Findings) != 1 {
		t.Errorf("brute-force did not count wrong passwords: %v", det.Findings)
	}
}

func TestLockoutRuleValidate(t *testing.T) {
	r := checks.LockoutRule{ID: "x", Key: checks.KeySourceIP, Threshold: 1, Window: time.Minute, Severity: cognitomon.SeverityLow, AllowIPs: []string{"not-an-ip"}}
	if err := r.Validate(); err == nil || !strings.Contains(err.Error(), "not-an-ip") {
		t.Errorf("Validate = %v", err)
	}
	r.AllowIPs = []string{"192.0.2.1", "2001:db8::/32"}
	if err := r.Validate(); err != nil {
		t.Errorf("Validate = %v", err)
	}
}

// TestSecretRotators: the rotation job's role is expected; another caller
// is reported.
func TestSecretRotators(t *testing.T) {
	add := func(caller string) cognitomon.Event {
		raw := `{"eventSource":"cognito-idp.amazonaws.com","eventName":"AddUserPoolClientSecret","requestParameters":{"userPoolId":"us-east-1_X","clientId":"m2m1"}}`
		return cognitomon.Event{EventID: caller, Time: detT0, Name: "AddUserPoolClientSecret", Type: cognitomon.EventTypeAPICall,
			SourceIP: "192.0.2.9", CallerARN: caller, ClientID: "m2m1", Raw: json.RawMessage(raw)}
	}
	del := add("arn:aws:iam::123456789012:user/ops")
	del.Name, del.EventID = "DeleteUserPoolClientSecret", "del"
	evs := []cognitomon.Event{add("arn:aws:sts::123456789012:assumed-role/SecretRotation/job-1"), add("arn:aws:iam::123456789012:user/mallory"), del}
	var rule cognitomon.Check
	for _, c := range checks.Builtins(func(o *checks.BuiltinOptions) {
		o.SecretRotators = []string{"arn:aws:sts::123456789012:assumed-role/SecretRotation/*"}
	}) {
		if c.Name() == "admin-client-secret" {
			rule = c
		}
	}
	det := detDetect(t, evs, cognitomon.DetectLimits{}, rule)
	var got []string
	for _, f := range det.Findings {
		got = append(got, fmt.Sprintf("%s: %s", f.Subject.Caller, strings.Join(f.Evidence.Notes, "; ")))
	}
	want := []string{
		"arn:aws:iam::123456789012:user/mallory: secret added to app client m2m1",
		"arn:aws:iam::123456789012:user/ops: secret deleted from app client m2m1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}
