package analysis_test

import (
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
)

// TestM2MCost: successful client_credentials requests times the price;
// failures are not billed (FACTS.md 9.4 d).
func TestM2MCost(t *testing.T) {
	a := analysis.NewM2MAnalyzer()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		e := cognitomon.Event{EventID: "e", Time: t0.Add(time.Duration(i) * time.Minute), Name: "Token_POST", Type: cognitomon.EventTypeServiceEvent,
			GrantType: "client_credentials", ClientID: "m2m1", SourceIP: "192.0.2.1", HTTPStatus: 200}
		if i%10 == 0 {
			e.HTTPStatus = 400
		}
		a.Add(e)
	}
	s := a.Summary()
	if len(s.Clients) != 1 || s.Clients[0].Counts.Successes != 1800 {
		t.Fatalf("summary: %+v", s)
	}
	if got := s.Clients[0].Cost(analysis.M2MPrice{}); got != 1800*2.25/1000 {
		t.Errorf("default cost %v, want %v", got, 1800*2.25/1000)
	}
	if got := s.Cost(analysis.M2MPrice{PerThousand: 1}); got != 1.8 {
		t.Errorf("cost at $1 per 1,000: %v", got)
	}
	if p := analysis.DefaultM2MPrice(); p.PerThousand != 2.25 || p.AsOf != "2024-05-09" {
		t.Errorf("default price %+v", p)
	}
}
