package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

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
	fs := newFlagSet("demo", "demo [--format text|json] [--html FILE]", e)
	var o options
	o.formatFlag(fs)
	var htmlOut string
	fs.StringVar(&htmlOut, "html", "", "write the HTML report (report --format html) to this file (default: a new cognitomon-demo-*.html in the system's temporary directory, kept)")
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
	report := []string{"--user-pool", demoPool, "--since", "24h", "--baseline", baseline, "--lookup-rate", "500", "--fail-on", "none"}
	if code := runReport(ctx, &demo, append(slices.Clone(report), "--format", o.format)); code != exitOK {
		return code
	}
	if o.format == "text" {
		// doctor reads the pool's configuration and trails: what the
		// account can see, which checks are blind, and the posture. Its
		// posture findings (exit 1) are the demo pool's, not a failure.
		fmt.Fprintln(e.stdout, "\n$ cognitomon doctor --user-pool "+demoPool)
		if code := runDoctor(ctx, &demo, []string{"--user-pool", demoPool}); code != exitOK && code != exitFindings {
			return code
		}
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
	}
	if code := demoDashboard(ctx, e, &demo, srv, o.format == "text"); code != exitOK {
		return code
	}
	if code := demoHTML(ctx, e, &demo, report, htmlOut, o.format == "text"); code != exitOK {
		return code
	}
	if o.format == "text" {
		fmt.Fprintf(e.stdout, "\n(demo finished in %s)\n", time.Since(start).Round(100*time.Millisecond))
	}
	return exitOK
}

// demoDashboard applies the pool's standard dashboard to the fake, as
// `dashboard apply` does against AWS: the real CloudWatch SDK client sends
// PutDashboard, and the fake validates the body. The plan is not printed
// (it is the whole dashboard); the dashboards the fake then holds are.
func demoDashboard(ctx context.Context, e, demo *env, srv *cognitomontest.Server, text bool) int {
	args := []string{"apply", "--user-pool", demoPool, "--trail-log-group", "aws-cloudtrail-logs-cognitomon", "--threat-protection", "--yes"}
	var out strings.Builder
	quiet := *demo
	quiet.stdout = &out
	if text {
		fmt.Fprintln(e.stdout, "\n$ cognitomon dashboard apply --user-pool "+demoPool+" --trail-log-group aws-cloudtrail-logs-cognitomon --threat-protection --yes")
	}
	if code := runDashboard(ctx, &quiet, args); code != exitOK {
		return code
	}
	list, err := srv.CloudWatch.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(ownedPrefix(demoPool))})
	if err == nil && len(list.DashboardEntries) == 0 {
		err = fmt.Errorf("dashboard apply left no dashboard on the fake: %s", strings.TrimSpace(out.String()))
	}
	if err != nil {
		return fail(e, "demo", err)
	}
	w := e.stdout
	if !text {
		w = e.stderr // standard output is the JSON report alone
	}
	for _, d := range list.DashboardEntries {
		fmt.Fprintf(w, "dashboard %s applied: %d PutDashboard accepted by the fake, which validates the body as CloudWatch documents it\n", aws.ToString(d.DashboardName), srv.CloudWatch.PutDashboards())
	}
	return exitOK
}

// demoHTML writes the HTML report of the same range to path, or to a new
// file in the temporary directory, and says where it went.
func demoHTML(ctx context.Context, e, demo *env, reportArgs []string, path string, text bool) int {
	var f *os.File
	var err error
	if path == "" {
		f, err = os.CreateTemp("", "cognitomon-demo-*.html")
	} else {
		f, err = os.Create(path)
	}
	if err != nil {
		return fail(e, "demo", err)
	}
	args := append(slices.Clone(reportArgs), "--format", "html", "--quiet")
	if text {
		fmt.Fprintln(e.stdout, "\n$ cognitomon report --user-pool "+demoPool+" --since 24h --baseline baseline.json --format html > "+f.Name())
	}
	page := *demo
	page.stdout = f
	code := runReport(ctx, &page, args)
	if cerr := f.Close(); cerr != nil && code == exitOK {
		return fail(e, "demo", cerr)
	}
	if code != exitOK {
		return code
	}
	w := e.stdout
	if !text {
		w = e.stderr
	}
	fmt.Fprintf(w, "HTML report written to %s\n", f.Name())
	return exitOK
}
