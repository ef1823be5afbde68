package checks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/google/go-cmp/cmp"
)

// TestEventRuleFloodOfOneOffKeys mixes an attacker into a flood of
// addresses seen once each, more than DetectLimits.MaxKeys of them: the
// one-off addresses wait in the rule's doorkeeper and cannot push the
// attacker's state out, so its count is exact. One-off addresses dropped
// from the full doorkeeper were in open windows, so the rule says its
// state is incomplete and the finding is marked estimated.
func TestEventRuleFloodOfOneOffKeys(t *testing.T) {
	var evs []cognitomon.Event
	for i := range 5000 {
		at := detT0.Add(time.Duration(i) * 100 * time.Millisecond)
		evs = append(evs, detEvent(at, fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255), "sub", "NotAuthorizedException"))
		if i%200 == 0 {
			evs = append(evs, detEvent(at, "192.0.2.66", fmt.Sprintf("user%d", i%3), "NotAuthorizedException"))
		}
	}
	det := detDetect(t, evs, cognitomon.DetectLimits{MaxKeys: 1000}, detEdgeRule(20, true))
	f := detFindingFor(det, "192.0.2.66")
	if f == nil {
		t.Fatalf("the attacker was not found: %+v", det.Findings)
	}

	if f.Evidence.Value != 25 || !f.Evidence.Estimated {
		t.Errorf("attacker's value %v, estimated %v; want 25, estimated", f.Evidence.Value, f.Evidence.Estimated)
	}
	if len(det.Notes) != 1 {
		t.Errorf("notes %q; want one about dropped state", det.Notes)
	}

}

// TestEventRuleTopSinceIdle checks that a key's Top ranks its values
// since it was last idle (no event in a window still open): an address
// seen once in the morning and attacking in the afternoon is ranked on the
// attack.
func TestEventRuleTopSinceIdle(t *testing.T) {
	evs := []cognitomon.Event{detEvent(detT0, "192.0.2.66", "morning", "NotAuthorizedException")}
	for i := range 20 {
		evs = append(evs, detEvent(detT0.Add(6*time.Hour+time.Duration(i)*time.Second), "192.0.2.66", "victim", "NotAuthorizedException"))
	}
	r := detEdgeRule(20, true)
	r.Top = checks.KeySub
	det := detDetect(t, evs, cognitomon.DetectLimits{}, r)
	if len(det.Findings) != 1 {
		t.Fatalf("findings %+v", det.Findings)
	}
	want := []cognitomon.Counted[string]{{Key: "victim", Count: 20}}
	if diff := cmp.Diff(want, det.Findings[0].Evidence.Top); diff != "" {
		t.Errorf("top mismatch (-want +got):\n%s", diff)
	}
}
