package analysis_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// poolEvents yields the simulated pool's CloudTrail records as events.
func poolEvents(p *cognitomontest.Pool) func(func(cognitomon.Event, error) bool) {
	return func(yield func(cognitomon.Event, error) bool) {
		for _, r := range p.TrailRecords() {
			if !yield(cognitomon.ParseEvent(r.JSON)) {
				return
			}
		}
	}
}

// A team asks why sign-ins failed and from where: the failure analysis
// ranks the reasons and the addresses, in bounded memory, from one pass.
func ExampleFailureAnalyzer() {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	cognitomontest.SlowBruteForce(pool, "web1example", "alice", "192.0.2.66", at, 10*time.Minute, 30)
	failures := analysis.NewFailureAnalyzer()
	scope := cognitomon.Scope{UserPool: pool.ID(), Clients: []cognitomon.ClientID{"web1example"}}
	if _, err := cognitomon.Consume(context.Background(), poolEvents(pool), scope, failures); err != nil {
		fmt.Println(err)
		return
	}
	s := failures.Summary()
	fmt.Println("failed sign-in steps:", s.ByReason.Total)
	for _, r := range s.ByReason.Items {
		fmt.Println(" ", r.Key, r.Count)
	}
	for _, ip := range s.BySourceIP.Items {
		fmt.Println(" ", ip.Key, ip.Count)
	}
	fmt.Println("events in scope:", s.Coverage.InScope)
	// Output:
	// failed sign-in steps: 30
	//   NotAuthorizedException 30
	//   192.0.2.66 30
	// events in scope: 30
}

// A machine client that asks for a token before every call shows in its
// request rate and in its bill: successful client_credentials requests at
// the published price per 1,000 (or one's own).
func ExampleM2MAnalyzer() {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	cognitomontest.MisbehavingMachine(pool, "m2m1example", start, 2*time.Hour, 600, 20)
	m2m := analysis.NewM2MAnalyzer()
	scope := cognitomon.Scope{UserPool: pool.ID(), Clients: []cognitomon.ClientID{"m2m1example"}}
	if _, err := cognitomon.Consume(context.Background(), poolEvents(pool), scope, m2m); err != nil {
		fmt.Println(err)
		return
	}
	s := m2m.Summary()
	price := analysis.DefaultM2MPrice()
	for _, c := range s.Clients {
		fmt.Printf("%s: %d requests, %d failed, %.0f an hour, $%.2f at $%.2f per 1,000 (%s)\n",
			c.ClientID, c.Counts.Attempts, c.Counts.Attempts-c.Counts.Successes, c.PerHour, c.Cost(price), price.PerThousand, price.AsOf)
	}
	fmt.Printf("at a negotiated $1.50: $%.2f\n", s.Cost(analysis.M2MPrice{PerThousand: 1.5}))
	// Output:
	// m2m1example: 1200 requests, 20 failed, 601 an hour, $2.65 at $2.25 per 1,000 (2024-05-09)
	// at a negotiated $1.50: $1.77
}
