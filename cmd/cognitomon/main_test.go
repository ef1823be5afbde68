package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// binary is the command built once for the end-to-end tests.
var binary string

// weekRoot holds the log files the coverage tests share.
var weekRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cognitomon-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cognitomon")
	weekRoot = dir
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the command: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	// weekRoot lies under dir, removed below.
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	poolOnce  sync.Once
	testPool  *cognitomontest.Pool
	testStart time.Time
)

// world serves the demo's simulated pool over HTTP. The pool is built once
// (it takes seconds under the race detector) and shared: each test gets its
// own server, so its fault switches and alarms are its own.
func world(t *testing.T) (*cognitomontest.Server, time.Time) {
	t.Helper()
	poolOnce.Do(func() {
		testStart = time.Now().UTC()
		testPool, _ = demoWorld(testStart)
		testPool.TrailRecords() // derive the records now, not in the first request
	})
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{testPool})
	t.Cleanup(srv.Close)
	return srv, testStart
}

// cli runs the built command against srv (through AWS_ENDPOINT_URL, as a
// user would), with test credentials unless creds is false, and no access
// to any shared config, credentials file or instance metadata.
func cli(t *testing.T, srv *cognitomontest.Server, creds bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = cliEnv(t, srv, creds)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("running %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func cliEnv(t *testing.T, srv *cognitomontest.Server, creds bool) []string {
	home := t.TempDir()
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
	}
	if srv != nil {
		env = append(env, "AWS_ENDPOINT_URL="+srv.URL)
	}
	if creds {
		env = append(env, "AWS_ACCESS_KEY_ID=AKIDCLITEST", "AWS_SECRET_ACCESS_KEY=cli-test-secret")
	}
	return env
}

func TestReportText(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "report", "--user-pool", demoPool, "--since", "24h", "--lookup-rate", "1000", "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"cognitomon report: user pool " + demoPool, "Findings", "SignIn per client", "Invalid",
		"UserNotFoundException by source IP", "192.0.2.77", "5reports0machine0client00", "SetUserPoolMfaConfig",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "LookupEvents:") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
}

func TestReportFailOn(t *testing.T) {
	srv, _ := world(t)
	// The simulated attacks raise high findings: the default --fail-on high
	// exits 1, --fail-on critical does not.
	out, errOut, code := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet")
	if code != exitFindings || !strings.Contains(out, "HIGH    admin-mfa-off") || !strings.Contains(out, "credential-stuffing") {
		t.Errorf("exit %d, want %d with high findings\n%s%s", code, exitFindings, out, errOut)
	}
	_, _, code = cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "critical")
	if code != exitOK {
		t.Errorf("--fail-on critical: exit %d", code)
	}
}

func TestReportJSON(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--format", "json", "--quiet", "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("--quiet still wrote %q", errOut)
	}
	var rep struct {
		Schema  string `json:"schema"`
		Partial bool   `json:"partial"`
		Metrics struct {
			Flows []struct {
				Flow     string `json:"flow"`
				Attempts int64  `json:"attempts"`
				Failures int64  `json:"failures"`
			} `json:"flows"`
		} `json:"metrics"`
		Trail struct {
			Events       int64             `json:"events"`
			AdminChanges []json.RawMessage `json:"adminChanges"`
		} `json:"trail"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep.Schema != "cognitomon.report/v2" || rep.Partial || len(rep.Metrics.Flows) != 4 || rep.Trail.Events < 1000 || len(rep.Trail.AdminChanges) != 4 {
		t.Errorf("report %+v", rep)
	}
	if rep.Metrics.Flows[0].Flow != "SignIn" || rep.Metrics.Flows[0].Failures == 0 {
		t.Errorf("sign-in figures %+v", rep.Metrics.Flows[0])
	}
}

func TestReportFromFiles(t *testing.T) {
	out, errOut, code := cli(t, nil, false, "report", "--trail-files", "../../testdata/trail", "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{"all pools in the files", "Metrics: omitted (read from CloudTrail log files", "192.0.2.77", "Admin changes"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestEvents(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "events", "--user-pool", demoPool, "--since", "24h", "--kinds", "SignIn", "--failures", "--ips", "192.0.2.77", "--lookup-rate", "1000")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var ev struct {
			Kind, Outcome, SourceIP, EventID string
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d is not JSON: %v", n+1, err)
		}
		if ev.Kind != "SignIn" || ev.Outcome == "Success" || ev.SourceIP != "192.0.2.77" || ev.EventID == "" {
			t.Errorf("event %+v does not match the filter", ev)
		}
		n++
	}
	if n != 80 {
		t.Errorf("%d events, want the enumeration's 80 sign-in failures", n)
	}
}

func TestQuery(t *testing.T) {
	srv, _ := world(t)
	out, _, code := cli(t, srv, true, "query", "list")
	if code != exitOK || !strings.Contains(out, "token-requests") || !strings.Contains(out, "failed-sign-ins") {
		t.Errorf("query list: exit %d\n%s", code, out)
	}
	out, _, code = cli(t, srv, true, "query", "show", "top-failing-ips", "--limit", "5")
	if code != exitOK || !strings.Contains(out, "not isempty(errorCode)") || !strings.HasSuffix(strings.TrimSpace(out), "limit 5") {
		t.Errorf("query show: exit %d\n%s", code, out)
	}
	out, errOut, code := cli(t, srv, true, "query", "run", "token-requests", "--log-group", "aws-cloudtrail-logs-cognitomon", "--format", "json")
	if code != exitOK {
		t.Fatalf("query run: exit %d\n%s", code, errOut)
	}
	var res struct {
		Schema string              `json:"schema"`
		Rows   []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Schema != "cognitomon.query/v1" || len(res.Rows) < 3 {
		t.Errorf("query run JSON: %v %+v", err, res)
	}
	_, errOut, code = cli(t, srv, true, "query", "show", "top-failing-ips", "--ips", `1.2.3.4"|stats`)
	if code != exitUsage || !strings.Contains(errOut, "--ips") {
		t.Errorf("an injected IP: exit %d, %q", code, errOut)
	}
}

func TestAlarms(t *testing.T) {
	srv, _ := world(t)
	args := []string{"--user-pool", demoPool, "--trail-log-group", "aws-cloudtrail-logs-cognitomon"}
	out, errOut, code := cli(t, srv, true, append([]string{"alarms", "plan", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	var plan struct {
		Creates []struct{ Name string } `json:"creates"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan.Creates) < 6 {
		t.Fatalf("plan JSON: %v\n%s", err, out)
	}
	// Without a terminal to confirm on, apply wants --yes.
	_, errOut, code = cli(t, srv, true, append([]string{"alarms", "apply"}, args...)...)
	if code != exitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("apply without --yes: exit %d, %q", code, errOut)
	}
	out, errOut, code = cli(t, srv, true, append([]string{"alarms", "apply", "--yes"}, args...)...)
	if code != exitOK || !strings.Contains(out, "applied") {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errOut)
	}
	out, _, code = cli(t, srv, true, append([]string{"alarms", "plan"}, args...)...)
	if code != exitOK || !strings.Contains(out, "no changes") {
		t.Errorf("second plan: exit %d\n%s", code, out)
	}
	out, _, code = cli(t, srv, true, "alarms", "export", "--user-pool", demoPool, "--clients", "web1,web2")
	if code != exitOK || !strings.Contains(out, `"AWS::CloudWatch::Alarm"`) {
		t.Errorf("export: exit %d\n%s", code, out)
	}
	out, errOut, code = cli(t, srv, true, "alarms", "backtest", "--user-pool", demoPool, "--since", "24h")
	if code != exitOK || !strings.Contains(out, "signin-failure-rate") || !strings.Contains(out, "would have fired") {
		t.Errorf("backtest: exit %d\n%s%s", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"nope"},
		{"report"},                              // no pool
		{"report", "--user-pool", "not-a-pool"}, // malformed pool
		{"report", "--user-pool", demoPool, "--bogus"}, // unknown flag
		{"report", "--user-pool", demoPool, "--start", "2026-11-27T10:00:00Z", "--end", "2026-11-27T09:00:00Z"},
		{"report", "--user-pool", demoPool, "--fail-on", "severe"},
		{"report", "--user-pool", demoPool, "--format", "xml"},
		{"events", "--user-pool", demoPool, "--kinds", "Login"},
		{"query", "run", "no-such-query"},
		{"query", "run", "token-requests"}, // no log group
		{"alarms", "rollback", "--user-pool", demoPool},
	}
	for _, args := range tests {
		_, errOut, code := cli(t, nil, true, args...)
		if code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	out, _, code := cli(t, nil, true, "report", "-h")
	if code != exitOK || out != "" {
		t.Errorf("-h: exit %d", code)
	}
}

func TestMissingCredentials(t *testing.T) {
	srv, _ := world(t)
	_, errOut, code := cli(t, srv, false, "report", "--user-pool", demoPool)
	if code != exitFailure || !strings.Contains(errOut, "no usable AWS credentials") || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
		t.Errorf("exit %d, stderr %q; want 3 and one line naming the credentials", code, errOut)
	}
}

func TestAccessDenied(t *testing.T) {
	srv, _ := world(t)
	srv.CloudWatch.FailNext("ListMetrics", &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudwatch:ListMetrics", Fault: smithy.FaultClient})
	// A denied source does not stop the report: it says what it could not
	// read, and exits 4.
	out, errOut, code := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "none")
	if code != exitBlind || !strings.Contains(out, "access denied to cloudwatch:ListMetrics") || !strings.Contains(out, "docs/iam/report.json") || !strings.Contains(errOut, "exit 4") {
		t.Errorf("exit %d, stdout %s\nstderr %q", code, out, errOut)
	}
	srv.CloudTrail.FailNext(&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: cloudtrail:LookupEvents"})
	_, errOut, code = cli(t, srv, true, "events", "--user-pool", demoPool, "--clients", "web")
	if code != exitFailure || !strings.Contains(errOut, "cloudtrail:LookupEvents") {
		t.Errorf("events: exit %d, stderr %q", code, errOut)
	}
}

func TestInterruptedPull(t *testing.T) {
	srv, _ := world(t)
	cmd := exec.Command(binary, "events", "--user-pool", demoPool, "--since", "24h", "--lookup-rate", "20")
	cmd.Env = cliEnv(t, srv, true)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once events flow: at 20 pages a second the whole pull
	// would take about 20 seconds.
	lines := make(chan int)
	go func() {
		sc := bufio.NewScanner(stdout)
		n := 0
		for sc.Scan() {
			if n++; n == 1 {
				lines <- n
			}
		}
		lines <- n
	}()
	select {
	case <-lines:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("no event within 30s")
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var n int
	select {
	case n = <-lines:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the command did not stop within 10s of Ctrl-C")
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	if n == 0 || n > 10000 || !strings.Contains(errb.String(), "partial") {
		t.Errorf("%d lines before the interrupt; stderr %q", n, errb.String())
	}
}

// TestDemoInProcess runs the demo as the README's main command does.
func TestDemoInProcess(t *testing.T) {
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb}
	if code := run(context.Background(), e, []string{"demo"}); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"$ cognitomon baseline", "$ cognitomon report", "HIGH    token-theft", "HIGH    admin-mfa-off", "m2m-new-source",
		"$ cognitomon query run token-requests", "$ cognitomon alarms plan", "would have fired", "demo finished"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
}
