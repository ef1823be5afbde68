package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	cgtypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// plainWorld serves one simulated pool without threat protection and with
// a little traffic, so that its metrics exist. configure, when set, changes
// its configuration.
func plainWorld(t *testing.T, id cognitomon.UserPoolID, configure func(*cognitomontest.PoolConfig)) *cognitomontest.Server {
	t.Helper()
	p := cognitomontest.NewPool(id)
	now := time.Now().UTC()
	p.Record(cognitomontest.Attempt{Time: now.Add(-time.Hour), Flow: cognitomon.SignIn, Client: cognitomontest.DefaultClients()[0].ID, Outcome: cognitomontest.Success})
	if configure != nil {
		cfg := p.Config()
		configure(&cfg)
		p.SetConfig(cfg)
	}
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{p})
	t.Cleanup(srv.Close)
	return srv
}

// TestDoctorDemoPool: the demo's Plus pool shows its trail, log group,
// plan, every client by name, and exits 0 at the default --fail-on high.
func TestDoctorDemoPool(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "doctor", "--user-pool", demoPool)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s\n%s", code, errOut, out)
	}
	for _, want := range []string{
		"plan PLUS", "threat protection AUDIT",
		"trail management-events -> log group aws-cloudtrail-logs-cognitomon", "s3://cognitomon-trail-123456789012/cloudtrail",
		"web-app", "ios-app", "android-app", "billing-backend", "legacy-admin-tool",
		"INFO to cloudwatch-logs arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/cognito/user-activity",
		"Cognito.1", "Cognito.6", "AWS::Cognito::UserPool DeletionProtection: ACTIVE",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q\n%s", want, out)
		}
	}
	if strings.Contains(out, "cognitomontestsecret") {
		t.Error("doctor printed a client secret")
	}
}

// TestDoctorGaps: an Essentials pool without threat protection or log
// export: the user-activity logs are off and named with their fix, the risk
// metrics and user-activity queries are blind, and --fail-on medium fails
// on the Security Hub controls.
func TestDoctorGaps(t *testing.T) {
	srv := plainWorld(t, "us-east-1_GapPool01", nil)
	out, errOut, code := cli(t, srv, true, "doctor", "--user-pool", "us-east-1_GapPool01", "--format", "json", "--fail-on", "medium")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, errOut)
	}
	var doc doctorJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if doc.Schema != "cognitomon.doctor/v1" || doc.Pool.Tier != "ESSENTIALS" || len(doc.Clients) != 5 || len(doc.NotInspected) != 0 {
		t.Errorf("schema %q tier %q, %d clients, not inspected %v", doc.Schema, doc.Pool.Tier, len(doc.Clients), doc.NotInspected)
	}
	status := map[string]string{}
	for _, s := range doc.Sources {
		status[s.Name] = s.Status
	}
	want := map[string]string{srcMetrics: "on", srcHistory: "on", srcTrailS3: "on", srcTrailLogs: "on", srcUserActivity: "off", srcThreat: "off"}
	for k, v := range want {
		if status[k] != v {
			t.Errorf("source %s: %q, want %q", k, status[k], v)
		}
	}
	checks := map[string]doctorCheck{}
	for _, c := range doc.Checks {
		checks[c.Name] = c
	}
	for name, st := range map[string]string{"risk-metrics": "blind", "risky-sign-ins": "blind", "admin-changes": "runs", "enumeration": "partial", "m2m-token-per-call": "runs", "failure-rate": "runs"} {
		if checks[name].Status != st {
			t.Errorf("check %s: %+v, want %s", name, checks[name], st)
		}
	}
	if r := checks["enumeration"].Reason; !strings.Contains(r, "PreventUserExistenceErrors=ENABLED") || !strings.Contains(r, "web-app") {
		t.Errorf("enumeration reason %q names neither the setting nor the client", r)
	}
	var fixed []string
	for _, p := range doc.Posture {
		if p.Status == "fail" && p.Fix != nil {
			fixed = append(fixed, p.ID)
		}
		if p.ID == "user-activity-logs" && (p.Status != "fail" || !strings.Contains(p.Fix.CLI, "set-log-delivery-configuration --user-pool-id us-east-1_GapPool01")) {
			t.Errorf("user-activity-logs posture %+v", p)
		}
	}
	for _, id := range []string{"threat-protection-enforced", "deletion-protection", "user-activity-logs", "password-policy"} {
		if !slices.Contains(fixed, id) {
			t.Errorf("no failed posture check %s with a fix among %v", id, fixed)
		}
	}
}

// TestDoctorEnumerationBlind: ENABLED on every client blinds the
// enumeration check, and a stopped trail is a high finding.
func TestDoctorEnumerationBlind(t *testing.T) {
	srv := plainWorld(t, "us-east-1_BlindPool1", func(c *cognitomontest.PoolConfig) {
		for i := range c.Clients {
			c.Clients[i].PreventUserExistenceErrors = cgtypes.PreventUserExistenceErrorTypesEnabled
		}
		c.Trails[0].Status.IsLogging = new(bool)
	})
	out, errOut, code := cli(t, srv, true, "doctor", "--user-pool", "us-east-1_BlindPool1")
	if code != exitFindings {
		t.Fatalf("exit %d, want %d (a stopped trail is high); stderr:\n%s\n%s", code, exitFindings, errOut, out)
	}
	for _, want := range []string{"enumeration", "PreventUserExistenceErrors=ENABLED on every client", "trail management-events is not logging", "aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q\n%s", want, out)
		}
	}
}

// TestDoctorAccessDenied: a denied call is named and the status is 4; what
// could be read is still shown.
func TestDoctorAccessDenied(t *testing.T) {
	srv := plainWorld(t, "us-east-1_DenyPool01", nil)
	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform: cognito-idp:ListUserPoolClients"})
	srv.Trails.FailNext("GetTrailStatus", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"})
	out, errOut, code := cli(t, srv, true, "doctor", "--user-pool", "us-east-1_DenyPool01")
	if code != exitIncomplete {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitIncomplete, errOut)
	}
	for _, want := range []string{"Not inspected", "cognito-idp:ListUserPoolClients", "cloudtrail:GetTrailStatus", "plan ESSENTIALS", "App clients (0)"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor lacks %q\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "docs/iam/doctor.json") {
		t.Errorf("stderr %q does not point to the policy", errOut)
	}
}

// TestDoctorErrors: usage errors exit 2; an unknown pool exits 3; a
// configured Region other than the pool's is noted and the pool's used.
func TestDoctorErrors(t *testing.T) {
	srv := plainWorld(t, "eu-west-1_ElsePool1", nil)
	for _, args := range [][]string{
		{"doctor"},
		{"doctor", "--user-pool", "nonsense"},
		{"doctor", "--user-pool", "eu-west-1_ElsePool1", "--format", "yaml"},
		{"doctor", "--user-pool", "eu-west-1_ElsePool1", "--fail-on", "severe"},
	} {
		if _, errOut, code := cli(t, srv, true, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errOut)
		}
	}
	_, errOut, code := cli(t, srv, true, "doctor", "--user-pool", "eu-west-1_NoSuchPool")
	if code != exitFailure || !strings.Contains(errOut, "does not exist") {
		t.Errorf("unknown pool: exit %d, stderr %q", code, errOut)
	}
	// cli sets AWS_REGION=us-east-1.
	out, errOut, code := cli(t, srv, true, "doctor", "--user-pool", "eu-west-1_ElsePool1")
	if code != exitOK || !strings.Contains(errOut, "us-east-1") || !strings.Contains(errOut, "eu-west-1") || !strings.Contains(out, "Region eu-west-1") {
		t.Errorf("region note: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

// TestDoctorCheckNames: every check doctor names is a built-in one, and
// every built-in check is named, so the tables cannot drift apart.
func TestDoctorCheckNames(t *testing.T) {
	var named []string
	for _, l := range [][]string{eventChecks, machineChecks, metricChecks, bothChecks, enumerationChecks} {
		named = append(named, l...)
	}
	var builtin []string
	for _, c := range checks.Builtins() {
		builtin = append(builtin, c.Name())
	}
	slices.Sort(named)
	slices.Sort(builtin)
	if !slices.Equal(named, builtin) {
		t.Errorf("doctor names %v\nbuilt-ins are %v", named, builtin)
	}
}
