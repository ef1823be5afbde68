package cognitomon_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

var exampleAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// examplePool is a pool with a slow brute force from one address against
// its web client, and an IAM user who turns MFA off, lowers threat
// protection and adds a client (cognitomontest.AdminMFAOff).
func examplePool() *cognitomontest.Pool {
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	cognitomontest.SlowBruteForce(pool, "web1example", "alice", "192.0.2.66", exampleAt, 10*time.Minute, 30)
	cognitomontest.AdminMFAOff(pool, exampleAt.Add(5*time.Minute), "arn:aws:iam::123456789012:user/mallory", "192.0.2.99")
	return pool
}

// TrailClient reads a pool's events from LookupEvents; here the in-memory
// CloudTrail fake answers, with AWS's paging and rules.
func ExampleTrailClient_Events() {
	pool := examplePool()
	clock := func() time.Time { return exampleAt.Add(time.Hour) }
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{pool}, func(o *cognitomontest.CloudTrailOptions) { o.Now = clock })
	tc := cognitomon.NewTrailClient(ct, func(o *cognitomon.TrailOptions) {
		o.Clock = clock
		o.RequestsPerSecond = 1000 // the fake has no rate limit
	})
	filter := cognitomon.EventFilter{Range: cognitomon.Last(2*time.Hour, clock()), Kinds: []cognitomon.EventKind{cognitomon.KindAdminChange}}
	for e, err := range tc.Events(context.Background(), filter) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(e.Name, e.CallerARN, e.Kind())
	}
	// Output:
	// SetRiskConfiguration arn:aws:iam::123456789012:user/mallory AdminChange
	// UpdateUserPoolClient arn:aws:iam::123456789012:user/mallory AdminChange
	// CreateUserPoolClient arn:aws:iam::123456789012:user/mallory AdminChange
	// SetUserPoolMfaConfig arn:aws:iam::123456789012:user/mallory AdminChange
}

// ReadEventFiles reads CloudTrail log files as a trail delivers them to S3;
// Consume gives the events to the analyses in one pass and says what it
// read.
func ExampleReadEventFiles() {
	dir, err := os.MkdirTemp("", "trail")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if _, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{examplePool()}, cognitomontest.TrailFileOptions{Seed: 1, OtherShare: -1}); err != nil {
		fmt.Println(err)
		return
	}
	var files cognitomon.FileCounts
	events := cognitomon.ReadEventFiles(os.DirFS(filepath.Join(dir, "AWSLogs")), ".", func(o *cognitomon.ReadOptions) { o.Counts = &files })
	failures := analysis.NewFailureAnalyzer()
	cov, err := cognitomon.Consume(context.Background(), events, cognitomon.Scope{}, failures)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := failures.Summary()
	fmt.Printf("%d files, %d events read, %d failures\n", files.Files, cov.Read, s.Failures)
	top := s.BySourceIP.Items[0]
	fmt.Printf("top failing address %s: %d\n", top.Key, top.Count)
	// Output:
	// 2 files, 34 events read, 30 failures
	// top failing address 192.0.2.66: 30
}

// Consume judges each event by the Scope: events that name only an app
// client are the pool's when the client is, and the Coverage says what was
// left out and why.
func ExampleConsume() {
	pool := cognitomon.UserPoolID("us-east-1_AbCdEf123")
	events := []cognitomon.Event{
		{Name: "Token_POST", Time: exampleAt, UserPoolID: pool, ClientID: "web1example"},
		{Name: "InitiateAuth", Time: exampleAt, ClientID: "web1example"}, // the client was seen with the pool
		{Name: "InitiateAuth", Time: exampleAt, ClientID: "ios1example"}, // a client of the pool, given
		{Name: "InitiateAuth", Time: exampleAt, ClientID: "who1example"}, // nobody knows
		{Name: "Token_POST", Time: exampleAt, UserPoolID: "us-east-1_Other1", ClientID: "x1"},
	}
	seq := func(yield func(cognitomon.Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
	traffic := analysis.NewTrafficAnalyzer()
	cov, err := cognitomon.Consume(context.Background(), seq, cognitomon.Scope{UserPool: pool, Clients: []cognitomon.ClientID{"ios1example"}}, traffic)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("read %d, in scope %d, other pools %d, unattributed %d\n", cov.Read, cov.InScope, cov.OtherPools, cov.Unattributed)
	for _, g := range cov.Gaps() {
		fmt.Println("gap:", g)
	}
	// Output:
	// read 5, in scope 3, other pools 1, unattributed 1
	// gap: 1 events name no pool and an app client not known to be the pool's (who1example 1): pass the pool's app clients
}

// A Detector is fed by the caller, so that one pass over the events serves
// the analyses and the detections together.
func ExampleDetector() {
	pool := examplePool()
	scope := cognitomon.Scope{UserPool: pool.ID(), Clients: pool.TrafficClients()}
	det, err := cognitomon.NewDetector(cognitomon.DetectInput{Scope: scope}, checks.Builtins()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	admin := analysis.NewAdminChangeAnalyzer()
	events := func(yield func(cognitomon.Event, error) bool) {
		for _, r := range pool.TrailRecords() {
			if !yield(cognitomon.ParseEvent(r.JSON)) {
				return
			}
		}
	}
	if _, err := cognitomon.Consume(context.Background(), events, det.Scope(), det, admin); err != nil {
		fmt.Println(err)
		return
	}
	res, err := det.Result(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d events in scope, %d admin changes\n", res.Coverage.InScope, admin.Summary().Total)
	for _, f := range res.Findings {
		fmt.Println(f.Severity, f.Check, f.Subject)
	}
	// Output:
	// 34 events in scope, 4 admin changes
	// high brute-force ip=192.0.2.66
	// high admin-mfa-off ip=192.0.2.99 caller=arn:aws:iam::123456789012:user/mallory
	// high admin-threat-protection-lowered ip=192.0.2.99 caller=arn:aws:iam::123456789012:user/mallory
	// medium admin-new-client ip=192.0.2.99 caller=arn:aws:iam::123456789012:user/mallory
	// medium admin-callback-urls client=4k2webapp0example0client1 ip=192.0.2.99 caller=arn:aws:iam::123456789012:user/mallory
}

// A team runs the built-in checks over a day of CloudTrail events and the
// metrics, and prints what they found.
func ExampleDetect() {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	cognitomontest.SlowBruteForce(pool, "web1example", "alice", "192.0.2.66", at, 10*time.Minute, 30)

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
		// The pool and its app client: InitiateAuth events name only the
		// client, and the scope attributes them to the pool by it.
		Scope: cognitomon.Scope{UserPool: pool.ID(), Clients: []cognitomon.ClientID{"web1example"}, Range: cognitomon.TimeRange{Start: at.Add(-time.Hour), End: at.Add(time.Hour)}},
		Events: func(yield func(cognitomon.Event, error) bool) {
			for _, e := range events {
				if !yield(e, nil) {
					return
				}
			}
		},
	}, checks.Builtins()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range det.Findings {
		fmt.Printf("%s %s %s\n  %s\n", f.Severity, f.Check, f.Window, f.Summary)
	}
	fmt.Println(len(det.Coverage.Skipped), "checks skipped, for lack of metrics or a baseline")
	// Output:
	// high brute-force 2026-03-02T09:00:00Z/2026-03-02T09:10:00Z
	//   30 sign-in failures within 10m for ip=192.0.2.66 (threshold 20)
	// 8 checks skipped, for lack of metrics or a baseline
}
