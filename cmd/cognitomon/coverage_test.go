package main

import (
	"bytes"
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
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// weekFiles writes a week of log files, days old, holding a brute force
// from one address (1,500 failures) and MFA turned off by an IAM user: the
// case that used to print "Findings none" and exit 0.
//
// The files are written once per set of pools and shared by the tests
// (read-only; a test that adds a file copies them first): generating a
// week takes seconds under the race detector.
func weekFiles(t *testing.T, pools ...string) (dir string, end time.Time) {
	t.Helper()
	key := strings.Join(pools, ",")
	weekMu.Lock()
	defer weekMu.Unlock()
	if w, ok := weekCache[key]; ok {
		return w.dir, w.end
	}
	dir, end, err := writeWeek(pools)
	if err != nil {
		t.Fatal(err)
	}
	weekCache[key] = weekDir{dir, end}
	return dir, end
}

type weekDir struct {
	dir string
	end time.Time
}

var (
	weekMu    sync.Mutex
	weekCache = map[string]weekDir{}
)

func writeWeek(pools []string) (dir string, end time.Time, err error) {
	end = time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Hour)
	var ps []*cognitomontest.Pool
	for i, id := range pools {
		p := cognitomontest.NewPool(cognitomon.UserPoolID(id))
		// App client IDs are unique: each pool gets its own.
		cs, ms := cognitomontest.DefaultClients(), cognitomontest.DefaultMachines()
		for j := range cs {
			cs[j].ID = cognitomon.ClientID(fmt.Sprintf("%sp%d", cs[j].ID, i))
		}
		for j := range ms {
			ms[j].ID = cognitomon.ClientID(fmt.Sprintf("%sp%d", ms[j].ID, i))
		}
		cognitomontest.SimulateTraffic(p, cognitomon.TimeRange{Start: end.Add(-7 * 24 * time.Hour), End: end}, cognitomontest.TrafficOptions{Seed: uint64(i + 1), Clients: cs, Machines: ms})
		if i == 0 {
			cognitomontest.SlowBruteForce(p, "4k2webapp0example0client1p0", "alice", "192.0.2.66", end.Add(-30*time.Hour), 5*time.Hour, 50)
			cognitomontest.AdminMFAOff(p, end.Add(-26*time.Hour), "arn:aws:iam::123456789012:user/mallory", "192.0.2.99")
		}
		ps = append(ps, p)
	}
	if dir, err = os.MkdirTemp(weekRoot, "week"); err != nil {
		return "", end, err
	}
	_, err = cognitomontest.WriteTrailFiles(dir, ps, cognitomontest.TrailFileOptions{Seed: 3, Span: time.Hour, OtherShare: 0.2})
	return dir, end, err
}

// copyDir copies the files under src into a new temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// weekClients are the app clients weekFiles gives pool i.
func weekClients(i int) string {
	var ids []string
	for _, c := range cognitomontest.DefaultClients() {
		ids = append(ids, fmt.Sprintf("%sp%d", c.ID, i))
	}
	for _, m := range cognitomontest.DefaultMachines() {
		ids = append(ids, fmt.Sprintf("%sp%d", m.ID, i))
	}
	return strings.Join(ids, ",")
}

func jsonReport(t *testing.T, out string) reportJSON {
	t.Helper()
	var rep reportJSON
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return rep
}

func hasFinding(rep reportJSON, rule string) bool {
	for _, f := range rep.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestFilesWithoutRange: log files without --since/--start are read over
// their own span, and what they hold is found.
func TestFilesWithoutRange(t *testing.T) {
	dir, _ := weekFiles(t, "us-east-1_Week1")
	// Without the pool's app clients, API calls of the mobile clients
	// (which never show in an event that names the pool) are unattributed,
	// and the report says so.
	out, _, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--format", "json", "--fail-on", "none")
	if rep := jsonReport(t, out); code != exitBlind || rep.Coverage.Events.Unattributed == 0 || !strings.Contains(strings.Join(rep.Coverage.Gaps, " "), "pass the pool's app clients") {
		t.Errorf("without --clients: exit %d, coverage %+v", code, rep.Coverage)
	}
	out, errOut, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--format", "json", "--clients", weekClients(0))
	rep := jsonReport(t, out)
	if code != exitFindings || !hasFinding(rep, "admin-mfa-off") || !hasFinding(rep, "brute-force") {
		t.Fatalf("exit %d, findings %+v\nstderr %s", code, rep.Findings, errOut)
	}
	c := rep.Coverage
	if c.Requested != nil || c.Seen == nil || c.Seen.End.Sub(c.Seen.Start) < 6*24*time.Hour || c.Events.InScope == 0 || c.Events.InScope+c.Events.NoSuchClient != c.Events.Read || !c.Complete {
		t.Errorf("coverage %+v", c)
	}
	if c.Files == nil || c.Files.Files < 100 || c.Files.OtherServices == 0 {
		t.Errorf("file counts %+v", c.Files)
	}
	if rep.Range.Start.IsZero() || !rep.Range.Start.Equal(c.Seen.Start) {
		t.Errorf("report range %+v, seen %+v", rep.Range, c.Seen)
	}
}

// TestFilesOutsideRange: a range in which the files hold nothing says so
// and exits 4; the events outside it are counted.
func TestFilesOutsideRange(t *testing.T) {
	dir, _ := weekFiles(t, "us-east-1_Week1")
	out, _, code := cli(t, nil, false, "report", "--trail-files", dir, "--since", "24h")
	if code != exitBlind || !strings.Contains(out, "GAP") || !strings.Contains(out, "lies in the range") || !strings.Contains(out, "outside the range") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestFilesWithoutCognito: files that hold no Cognito event, or a
// directory with no log file at all, are no all-clear.
func TestFilesWithoutCognito(t *testing.T) {
	if out, _, code := cli(t, nil, false, "report", "--trail-files", t.TempDir()); code != exitBlind || !strings.Contains(out, "no CloudTrail log files (.json, .json.gz, .gz) found") {
		t.Errorf("empty directory: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	body := `{"Records":[{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventTime":"2026-11-01T10:00:00Z","awsRegion":"us-east-1"}]}`
	if err := os.WriteFile(filepath.Join(dir, "s3.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, nil, false, "report", "--trail-files", dir)
	if code != exitBlind || !strings.Contains(out, "no Cognito user pool events in 1 records of 1 files") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestFilesTwoPools: with two pools in the files, a report on one counts
// the other's events apart and finds only its own; without a pool the
// report says it covers both.
func TestFilesTwoPools(t *testing.T) {
	dir, _ := weekFiles(t, "us-east-1_Week1", "us-east-1_Other2")
	out, errOut, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Other2", "--format", "json", "--fail-on", "none")
	rep := jsonReport(t, out)
	if hasFinding(rep, "admin-mfa-off") || hasFinding(rep, "brute-force") {
		t.Errorf("the other pool's incidents reported for this one: %+v", rep.Findings)
	}
	if rep.Coverage.Events.OtherPools == 0 || rep.Coverage.Events.InScope == 0 {
		t.Errorf("coverage %+v", rep.Coverage.Events)
	}
	if rep.Coverage.Events.Unattributed > 0 && code != exitBlind {
		t.Errorf("unattributed events, exit %d: %s", code, errOut)
	}
	out, _, _ = cli(t, nil, false, "report", "--trail-files", dir, "--fail-on", "none")
	if !strings.Contains(out, "events of 2 user pools") || !strings.Contains(out, "us-east-1_Other2") {
		t.Errorf("a report over two pools does not say so:\n%s", out)
	}
}

// TestUnreadableFile: a whole unreadable log file is counted as a file,
// the rest is read, and the status says the report is not whole.
func TestUnreadableFile(t *testing.T) {
	week, _ := weekFiles(t, "us-east-1_Week1")
	dir := copyDir(t, week)
	if err := os.WriteFile(filepath.Join(dir, "broken.json.gz"), []byte("\x1f\x8bnot gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--format", "json", "--fail-on", "none")
	rep := jsonReport(t, out)
	if code != exitBlind || rep.Coverage.Files.Unreadable != 1 || rep.Coverage.Events.UnreadableRecords != 0 || rep.Coverage.Events.InScope == 0 {
		t.Errorf("exit %d, coverage %+v %+v", code, rep.Coverage.Files, rep.Coverage.Events)
	}
	// Findings outrank the gap in the status.
	if _, _, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Week1"); code != exitFindings {
		t.Errorf("with findings and a gap: exit %d, want %d", code, exitFindings)
	}
	// A baseline from a broken stream is not written.
	base := filepath.Join(t.TempDir(), "b.json")
	_, errOut, code := cli(t, nil, false, "baseline", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--since", "2000h", "--out", base)
	if _, err := os.Stat(base); err == nil || code != exitBlind || !strings.Contains(errOut, "nothing written") {
		t.Errorf("baseline from a broken stream: exit %d, stderr %s, file written: %v", code, errOut, err == nil)
	}
}

// TestBaselineOfAnotherPool: a baseline belongs to its pool.
func TestBaselineOfAnotherPool(t *testing.T) {
	dir, _ := weekFiles(t, "us-east-1_Week1")
	base := filepath.Join(t.TempDir(), "b.json")
	if _, errOut, code := cli(t, nil, false, "baseline", "--trail-files", dir, "--user-pool", "us-east-1_Week1", "--since", "2000h", "--out", base); code != exitOK {
		t.Fatalf("baseline: exit %d: %s", code, errOut)
	}
	_, errOut, code := cli(t, nil, false, "report", "--trail-files", dir, "--user-pool", "us-east-1_Other2", "--baseline", base)
	if code != exitUsage || !strings.Contains(errOut, "learned for user pool us-east-1_Week1, not us-east-1_Other2") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
}

// TestWrongRegion: a configured Region that is not the pool's is replaced
// by the pool's, with a note naming both.
func TestWrongRegion(t *testing.T) {
	srv, _ := world(t)
	cmd := exec.Command(binary, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "none")
	cmd.Env = append(cliEnv(t, srv, true), "AWS_REGION=eu-west-1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Run()
	if !strings.Contains(errb.String(), "the configured Region eu-west-1 is not the Region of user pool "+demoPool+"; using us-east-1") {
		t.Errorf("no note on stderr: %s", errb.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != exitOK || !strings.Contains(out.String(), "SignIn per client") {
		t.Errorf("exit %d\n%s", code, out.String())
	}
}

// TestInterruptedReport: Ctrl-C during a report prints the findings of
// what was read, marked partial, and exits 130.
func TestInterruptedReport(t *testing.T) {
	srv, _ := world(t)
	cmd := exec.Command(binary, "report", "--user-pool", demoPool, "--since", "24h", "--lookup-rate", "40", "--format", "json")
	cmd.Env = cliEnv(t, srv, true)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The pull takes about ten seconds at 40 pages a second.
	time.Sleep(3 * time.Second)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the report did not stop within 15s of Ctrl-C")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d, want %d; stderr %s", code, exitInterrupted, errb.String())
	}
	rep := jsonReport(t, out.String())
	if !rep.Partial || rep.Coverage.Complete || rep.Coverage.Events.Read == 0 || rep.Trail == nil {
		t.Errorf("partial %v, coverage %+v", rep.Partial, rep.Coverage)
	}
}

// TestReportClientsFromConfiguration: the pool's configuration is the
// client list, idle clients included, with names; without cognito-idp
// access the report still runs, falls back to ListMetrics and names the
// denied action.
func TestReportClientsFromConfiguration(t *testing.T) {
	srv, _ := world(t)
	out, errOut, _ := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "none", "--format", "json")
	rep := jsonReport(t, out)
	if rep.ClientNames[string(cognitomontest.IdleClient)] != "legacy-admin-tool" {
		t.Errorf("client names %v\nstderr %s", rep.ClientNames, errOut)
	}
	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: cognito-idp:ListUserPoolClients", Fault: smithy.FaultClient})
	out, _, code := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "none")
	if code != exitBlind || !strings.Contains(out, "cognito-idp:ListUserPoolClients") || !strings.Contains(out, "SignIn per client") {
		t.Errorf("without cognito-idp: exit %d\n%s", code, out)
	}
}

// TestQueryFindsTheLogGroup: query run without --log-group uses the log
// group of the one trail that logs the pool, and says so.
func TestQueryFindsTheLogGroup(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "query", "run", "token-requests", "--user-pool", demoPool, "--since", "24h")
	if code != exitOK || !strings.Contains(errOut, "aws-cloudtrail-logs-cognitomon") || out == "" {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}
