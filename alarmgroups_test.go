package cognitomon

import (
	"fmt"
	"slices"
	"testing"
)

func TestGroupClients(t *testing.T) {
	var clients []ClientID
	for i := range 40 {
		clients = append(clients, ClientID(fmt.Sprintf("app%02d", i)))
	}
	groups, err := groupClients(clients, 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ClientID]string{}
	for _, g := range groups {
		if len(g.clients) == 0 || len(g.clients) > 5 || g.suffix == "" {
			t.Errorf("group %q holds %d clients", g.suffix, len(g.clients))
		}
		if !slices.IsSorted(g.clients) {
			t.Errorf("group %q is not sorted: %v", g.suffix, g.clients)
		}
		for _, c := range g.clients {
			if prev, dup := seen[c]; dup {
				t.Errorf("%s in groups %q and %q", c, prev, g.suffix)
			}
			seen[c] = g.suffix
			// The suffix is the leading bits of the client's hash.
			h := clientHash(c)
			for i, b := range g.suffix {
				if bit := h >> (63 - i) & 1; fmt.Sprint(bit) != string(b) {
					t.Errorf("%s: bit %d of its hash is %d, its group is %q", c, i, bit, g.suffix)
				}
			}
		}
	}
	if len(seen) != len(clients) {
		t.Errorf("%d of %d clients grouped", len(seen), len(clients))
	}
	one, err := groupClients(clients[:5], 5)
	if err != nil || len(one) != 1 || one[0].suffix != "" {
		t.Errorf("five clients in groups of five: %+v, %v", one, err)
	}
	if _, err := groupClients(clients, 0); err == nil {
		t.Error("group size 0: no error")
	}
	// The hash is FNV-1a, fixed for all time: a changed hash would rename
	// every split alarm.
	// (The value is FNV-1a 64 computed by hand from its definition.)
	if h := clientHash("web1example"); h != 0x44265429a154975e {
		t.Errorf("clientHash(web1example) = %#x", h)
	}
}

// The internal constructors refuse what StandardAlarms never asks of them.
func TestFlowAlarmSpecLimits(t *testing.T) {
	pool := UserPoolID("us-east-1_AbCdEf123")
	many := []ClientID{"c1", "c2", "c3", "c4", "c5", "c6"}
	if _, err := signInFailureRateSpec.define(pool, many, nil, nil); err == nil {
		t.Error("six clients plus Invalid in one failure-rate alarm: no error")
	}
	if _, err := federationFailureRateSpec.define(pool, many[:1], nil, nil); err == nil {
		t.Error("federation without identity providers: no error")
	}
	a, err := signInThrottlesSpec.define(pool, many, nil, nil)
	if err != nil {
		t.Fatalf("throttles over seven series: %v", err)
	}
	if len(a.Queries) != 1 || !a.Queries[0].insights() || len(a.replay) != 8 {
		t.Errorf("throttle alarm: %d queries, replay of %d (want 1 Metrics Insights query, 7 series + SUM)", len(a.Queries), len(a.replay))
	}
}
