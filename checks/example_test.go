package checks_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// A team adds a rule of its own, as data: sign-ups failing from one
// address, counted in tumbling windows of an hour.
func ExampleEventRule() {
	rule := checks.EventRule{
		ID:          "signup-abuse",
		Description: "Bots registering accounts: failed sign-ups per address.",
		Unit:        "failed sign-ups",
		Events: checks.EventMatch{
			Filter:   cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindSignUp}},
			Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure},
		},
		Key:       checks.KeySourceIP,
		Top:       checks.KeyErrorCode,
		Threshold: 5,
		Window:    time.Hour,
		Severity:  cognitomon.SeverityMedium,
		Advice:    "Put a CAPTCHA or a WAF rate-based rule in front of sign-up.",
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	for i := range 6 {
		pool.Record(cognitomontest.Attempt{Time: at.Add(time.Duration(i) * 5 * time.Minute), Flow: cognitomon.SignUp, Client: "web1example",
			User: fmt.Sprintf("bot%d", i), IP: "192.0.2.44", Outcome: cognitomontest.Failure, ErrorCode: "InvalidPasswordException"})
	}
	var events []cognitomon.Event
	for _, r := range pool.TrailRecords() {
		e, err := cognitomon.ParseEvent(r.JSON)
		if err != nil {
			fmt.Println(err)
			return
		}
		events = append(events, e)
	}
	det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{
		Scope: cognitomon.Scope{Range: cognitomon.TimeRange{Start: at, End: at.Add(time.Hour)}},
		Events: func(yield func(cognitomon.Event, error) bool) {
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
			}
		},
	}, rule)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range det.Findings {
		fmt.Println(f.Severity, f.Check, f.Subject)
		fmt.Println(f.Summary)
		fmt.Println(f.Evidence.TopOf, f.Evidence.Top)
	}
	// Output:
	// medium signup-abuse ip=192.0.2.44
	// 6 failed sign-ups within 1h for ip=192.0.2.44 (threshold 5)
	// error-code [{InvalidPasswordException 6 0}]
}

// LearnBaseline learns normal from a reference window; a baseline belongs
// to its pool, and the checks refuse it for another.
func ExampleLearnBaseline() {
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	end := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	cognitomontest.QuietWeek(pool, end, 1)
	events := func(yield func(cognitomon.Event, error) bool) {
		for _, r := range pool.TrailRecords() {
			if !yield(cognitomon.ParseEvent(r.JSON)) {
				return
			}
		}
	}
	ref := cognitomon.TimeRange{Start: end.Add(-7 * 24 * time.Hour), End: end}
	b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{
		Scope:  cognitomon.Scope{UserPool: pool.ID(), Clients: pool.TrafficClients(), Range: ref},
		Events: events,
	}, checks.Builtins()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("learned for", b.UserPool, "over", b.Range.Duration())
	_, err = cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: "us-east-1_Other1"}, Events: events},
		checks.Builtins(func(o *checks.BuiltinOptions) { o.Baseline = b })...)
	fmt.Println(err)
	// Output:
	// learned for us-east-1_AbCdEf123 over 168h0m0s
	// detect: check refresh-failure-spike: invalid baseline: the baseline was learned for user pool us-east-1_AbCdEf123, not us-east-1_Other1
}
