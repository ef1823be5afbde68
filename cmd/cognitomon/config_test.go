package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// The report reads the pool's configuration: the clients configured with
// PreventUserExistenceErrors=ENABLED are a finding that names the setting
// and the client's name, idle or not; without cognito-idp access the
// report still runs, falls back to guessing, and names the denied action.
func TestReportFindingFromConfiguration(t *testing.T) {
	srv, _ := world(t)
	args := []string{"report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--format", "json", "--fail-on", "none"}
	out, errOut, code := cli(t, srv, true, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var rep struct {
		Findings []jsonFinding `json:"findings"`
		Metrics  jsonMetrics   `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var configured []string
	for _, f := range rep.Findings {
		if f.Rule == "enumeration-blind-spot" && strings.Contains(f.Summary, "PreventUserExistenceErrors=ENABLED in the pool's configuration") {
			configured = append(configured, f.Summary)
		}
	}
	// DefaultPoolConfig: the web client and the machine clients have it
	// enabled; the Android and idle clients are LEGACY.
	if len(configured) < 2 || !strings.Contains(strings.Join(configured, "\n"), "(web-app)") {
		t.Errorf("configuration-derived findings:\n%s", strings.Join(configured, "\n"))
	}

	// The web and iOS clients allow SRP, the Android client only
	// passwords: the caveat on the sign-in failures is theirs alone.
	web := string(cognitomontest.DefaultClients()[0].ID)
	var marked []string
	for id := range rep.Metrics.SignInCaveats {
		marked = append(marked, id)
	}
	slices.Sort(marked)
	if want := []string{web, "7ios0mobile0example0client"}; !slices.Equal(marked, want) {
		t.Errorf("sign-in caveats for %v, want %v", marked, want)
	}
	text, _, _ := cli(t, srv, true, "report", "--user-pool", demoPool, "--lookup-rate", "1000", "--quiet", "--fail-on", "none")
	if !strings.Contains(text, web+" (web-app) *") || !strings.Contains(text, "* allows SRP or USER_AUTH") {
		t.Errorf("text lacks the marked client and the caveat:\n%s", text)
	}

	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: cognito-idp:ListUserPoolClients", Fault: smithy.FaultClient})
	out, errOut, code = cli(t, srv, true, args...)
	if code != exitBlind {
		t.Fatalf("denied: exit %d, want %d (the configuration is a source that was not read)\n%s", code, exitBlind, errOut)
	}
	if !strings.Contains(out, "cognito-idp:ListUserPoolClients") {
		t.Errorf("denied: the report does not name the denied action:\n%s", out)
	}
	if strings.Contains(out, "in the pool's configuration:") {
		t.Error("denied: configuration-derived finding without a configuration")
	}
}

// A client that the metrics show and the configuration does not list (a
// deleted client) is noted in the coverage, and its traffic is counted.
func TestReportNotesClientsTheConfigurationLacks(t *testing.T) {
	const pool = "us-east-1_GhostPool1"
	p := cognitomontest.NewPool(pool)
	now := time.Now().UTC()
	for i := range 3 {
		p.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour + time.Duration(i)*time.Minute), Flow: cognitomon.SignIn, Client: "ghost0deleted0client", Outcome: cognitomontest.Failure})
	}
	p.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.SignIn, Client: cognitomontest.DefaultClients()[0].ID, Outcome: cognitomontest.Success})
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p})
	t.Cleanup(srv.Close)
	out, errOut, _ := cli(t, srv, true, "report", "--user-pool", pool, "--since", "3h", "--lookup-rate", "1000", "--quiet", "--fail-on", "none", "--format", "json")
	rep := jsonReport(t, out)
	if !strings.Contains(strings.Join(rep.Coverage.Notes, "\n"), "app client ghost0deleted0client has AWS/Cognito metrics but the pool's configuration does not list it") {
		t.Errorf("coverage notes %q\nstderr %s", rep.Coverage.Notes, errOut)
	}
	var signIn jsonFlow
	for _, f := range rep.Metrics.Flows {
		if f.Flow == "SignIn" {
			signIn = f
		}
	}
	if c := signIn.Clients["ghost0deleted0client"]; c.Attempts != 3 || c.Failures != 3 {
		t.Errorf("the unlisted client's sign-ins %+v, want 3 attempts, 3 failures", c)
	}
}
