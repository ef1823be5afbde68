package checks_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
)

// TestEventRuleTopAfterLoss checks the one approximation of Top: once the
// rule has dropped state, a key ranks its Top values only from the event
// that brings its count to a quarter of Threshold, so its Top counts are
// lower by at most that many events less one, and the finding says it is
// Estimated. Before any loss the same attack is ranked on every event.
func TestEventRuleTopAfterLoss(t *testing.T) {
	r := detEdgeRule(20, true)
	r.Top = checks.KeySub
	attack := func(from time.Time, evs []cognitomon.Event) []cognitomon.Event {
		for i := range 25 {
			evs = append(evs, detEvent(from.Add(time.Duration(i)*time.Second), "192.0.2.66", "victim", "NotAuthorizedException"))
		}
		return evs
	}
	det := detDetect(t, attack(detT0, nil), cognitomon.DetectLimits{MaxKeys: 1000}, r)
	if f := detFindingFor(det, "192.0.2.66"); f == nil || f.Evidence.Estimated || len(f.Evidence.Top) != 1 || f.Evidence.Top[0].Count != 25 {
		t.Fatalf("without loss: %+v", f)
	}

	// A flood of addresses seen twice each overflows the table first.
	var evs []cognitomon.Event
	for i := range 3000 {
		at := detT0.Add(time.Duration(i) * 10 * time.Millisecond)
		ip := fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255)
		evs = append(evs, detEvent(at, ip, "sub", "NotAuthorizedException"), detEvent(at, ip, "sub", "NotAuthorizedException"))
	}
	det = detDetect(t, attack(detT0.Add(time.Minute), evs), cognitomon.DetectLimits{MaxKeys: 1000}, r)
	f := detFindingFor(det, "192.0.2.66")
	if f == nil || f.Evidence.Value != 25 || !f.Evidence.Estimated || len(f.Evidence.Top) != 1 {
		t.Fatalf("after loss: %+v", f)
	}
	// Ranking starts at the 5th event (a quarter of 20): 21 of 25 counted.
	if c := f.Evidence.Top[0]; c.Key != "victim" || c.Count != 21 {
		t.Errorf("after loss, top %+v; want victim 21", f.Evidence.Top)
	}
}
