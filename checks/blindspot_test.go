package checks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
)

// With the pool's configuration, the blind-spot check reports the setting
// itself: every described client with PreventUserExistenceErrors=ENABLED,
// traffic or not, and guesses from the events only for clients the
// configuration does not describe.
func TestEnumerationBlindSpotFromConfiguration(t *testing.T) {
	rule := checks.EnumerationBlindSpotRule{ID: "enumeration-blind-spot", MinFailures: 3, Severity: cognitomon.SeverityInfo, Advice: "a"}
	rule.Configured = []cognitomon.AppClient{
		{ID: "web1example", Name: "web app", Described: true, PreventUserExistenceErrors: "ENABLED"},
		{ID: "idle0client", Described: true, PreventUserExistenceErrors: "ENABLED"},
		{ID: "legacy0client", Described: true, PreventUserExistenceErrors: "LEGACY"},
		{ID: "undescribed", Described: false},
	}
	var evs []cognitomon.Event
	for i := range 4 {
		at := detT0.Add(time.Duration(i) * time.Minute)
		for _, c := range []cognitomon.ClientID{"web1example", "legacy0client", "undescribed"} {
			e := detEvent(at, "192.0.2.1", "", "NotAuthorizedException")
			e.ClientID = c
			evs = append(evs, e)
		}
	}
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(evs)}, rule)
	if err != nil {
		t.Fatal(err)
	}
	got := map[cognitomon.ClientID]string{}
	for _, f := range det.Findings {
		got[f.Subject.Client] = f.Summary
	}
	if len(got) != 3 {
		t.Fatalf("findings for %v, want web1example, idle0client (configured) and undescribed (guessed)", got)
	}
	if s := got["web1example"]; !strings.Contains(s, "PreventUserExistenceErrors=ENABLED in the pool's configuration") || !strings.Contains(s, "(web app)") || !strings.Contains(s, "(4 such sign-in failures") {
		t.Errorf("web client: %s", s)
	}
	if s := got["idle0client"]; !strings.Contains(s, "PreventUserExistenceErrors=ENABLED") || !strings.Contains(s, "(0 such") {
		t.Errorf("idle client: %s", s)
	}
	if s := got["undescribed"]; !strings.Contains(s, "none with UserNotFoundException") {
		t.Errorf("undescribed client, guessed from events: %s", s)
	}
	// The configuration alone is enough input: no events, still the
	// findings of the setting.
	det, err = cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}}, rule)
	if err != nil || len(det.Findings) != 2 || len(det.Coverage.Skipped) != 0 {
		t.Errorf("configuration only: err %v, %d findings, skipped %v", err, len(det.Findings), det.Coverage.Skipped)
	}
	// Through Builtins.
	inv := &cognitomon.Inventory{UserPool: "us-east-1_AbCdEf123", Clients: rule.Configured}
	found := false
	for _, c := range checks.Builtins(func(o *checks.BuiltinOptions) { o.Configuration = inv }) {
		if r, ok := c.(checks.EnumerationBlindSpotRule); ok {
			found = len(r.Configured) == 4
		}
	}
	if !found {
		t.Error("Builtins did not hand the configuration to the blind-spot rule")
	}
}
