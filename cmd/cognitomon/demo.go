package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// demoPool is the simulated pool's ID.
const demoPool = "us-east-1_DemoPool1"

// demoWorld records two days of ordinary traffic on a simulated pool with
// threat protection, and the attacks of the scenario library in the last six
// hours before now.
func demoWorld(now time.Time) (*cognitomontest.Pool, []cognitomontest.Incident) {
	p := cognitomontest.NewPool(demoPool, func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	cognitomontest.SimulateTraffic(p, cognitomon.Last(48*time.Hour, now), cognitomontest.TrafficOptions{Seed: 42})
	web := cognitomontest.DefaultClients()[0].ID
	at := func(hoursAgo float64) time.Time {
		return now.Add(-time.Duration(hoursAgo * float64(time.Hour))).Truncate(time.Minute)
	}
	incidents := []cognitomontest.Incident{
		cognitomontest.CredentialStuffing(p, web, at(5), 20*time.Minute, 120, 5),
		cognitomontest.Enumeration(p, web, "192.0.2.77", at(4), 30*time.Minute, 80),
		cognitomontest.PasswordResetAbuse(p, web, "192.0.2.88", at(3.5), 15*time.Minute, 60),
		cognitomontest.MisbehavingMachine(p, "5reports0machine0client00", at(3), 2*time.Hour, 400, 25),
		cognitomontest.AdminMFAOff(p, at(2), "arn:aws:iam::123456789012:user/mallory", "192.0.2.99"),
		cognitomontest.TokenTheft(p, web, "user0007", "192.0.2.111", at(1.5), 6),
	}
	return p, incidents
}

func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet("demo", "demo [--format text|json]", e)
	var o options
	o.formatFlag(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if err := o.validateFormat(); err != nil {
		return fail(e, "demo", err)
	}
	now := time.Now().UTC()
	if e.now != nil {
		now = e.now()
	}
	start := time.Now()
	pool, incidents := demoWorld(now)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool}, func(s *cognitomontest.ServerOptions) {
		clock := func() time.Time { return now }
		s.CloudWatch = append(s.CloudWatch, func(c *cognitomontest.CloudWatchOptions) { c.Now = clock })
		s.CloudTrail = append(s.CloudTrail, func(c *cognitomontest.CloudTrailOptions) { c.Now = clock })
		s.Logs = append(s.Logs, func(c *cognitomontest.LogsOptions) { c.Now = clock })
	})
	defer srv.Close()

	// Every command below runs as against AWS: the real SDK clients, built
	// from this configuration, talk to the fake over HTTP.
	demo := *e
	demo.awsConfig = srv.AWSConfig
	demo.now = func() time.Time { return now }
	if o.format == "text" {
		fmt.Fprintf(e.stdout, "cognitomon demo: a simulated user pool %s with two days of ordinary traffic and, in the last six hours,", demoPool)
		for i, inc := range incidents {
			sep := ","
			if i == len(incidents)-1 {
				sep = "."
			}
			fmt.Fprintf(e.stdout, " %s%s", inc.Name, sep)
		}
		fmt.Fprintf(e.stdout, "\nIt is served by the cognitomontest HTTP fake at %s; the real AWS SDK clients talk to it.\n", srv.URL)
	}
	// The day before the last is the baseline the report compares with.
	dir, err := os.MkdirTemp("", "cognitomon-demo")
	if err != nil {
		return fail(e, "demo", err)
	}
	defer os.RemoveAll(dir)
	baseline := filepath.Join(dir, "baseline.json")
	learn := []string{"--user-pool", demoPool, "--start", now.Add(-48 * time.Hour).Format(time.RFC3339), "--end", now.Add(-24 * time.Hour).Format(time.RFC3339),
		"--out", baseline, "--lookup-rate", "500", "--quiet"}
	if o.format == "text" {
		fmt.Fprintln(e.stdout, "\n$ cognitomon baseline --user-pool "+demoPool+" --start <48h ago> --end <24h ago> --out baseline.json")
	}
	quiet := demo
	quiet.stderr = io.Discard
	if code := runBaseline(ctx, &quiet, learn); code != exitOK {
		return code
	}
	if o.format == "text" {
		fmt.Fprintln(e.stdout, "\n$ cognitomon report --user-pool "+demoPool+" --since 24h --baseline baseline.json")
	}
	report := []string{"--user-pool", demoPool, "--since", "24h", "--baseline", baseline, "--lookup-rate", "500", "--fail-on", "none", "--format", o.format}
	if code := runReport(ctx, &demo, report); code != exitOK {
		return code
	}
	if o.format == "text" {
		fmt.Fprintln(e.stdout, "\n$ cognitomon query run token-requests --log-group aws-cloudtrail-logs-cognitomon --since 24h")
		if code := runQuery(ctx, &demo, []string{"run", "token-requests", "--log-group", "aws-cloudtrail-logs-cognitomon", "--since", "24h"}); code != exitOK {
			return code
		}
		fmt.Fprintln(e.stdout, "\n$ cognitomon alarms plan --user-pool "+demoPool+" --trail-log-group aws-cloudtrail-logs-cognitomon")
		if code := runAlarms(ctx, &demo, []string{"plan", "--user-pool", demoPool, "--trail-log-group", "aws-cloudtrail-logs-cognitomon"}); code != exitOK {
			return code
		}
		fmt.Fprintln(e.stdout, "\n$ cognitomon alarms backtest --user-pool "+demoPool+" --since 24h")
		if code := runAlarms(ctx, &demo, []string{"backtest", "--user-pool", demoPool, "--since", "24h"}); code != exitOK {
			return code
		}
		fmt.Fprintf(e.stdout, "\n(demo finished in %s)\n", time.Since(start).Round(100*time.Millisecond))
	}
	return exitOK
}
