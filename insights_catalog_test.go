package cognitomon_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/insightsql"
)

// The independent lists that prove the catalogue: for each query, the
// CloudTrail event names it must read, written out here from FACTS.md 2.2
// and 9.4 rather than taken from internal/eventnames, which the catalogue
// reads. A change to the table that moves a name in or out of a query makes
// these tests fail until the list here is changed to match.
var (
	wantSignInAPI   = []string{"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge"}
	wantChallenges  = []string{"RespondToAuthChallenge", "AdminRespondToAuthChallenge"}
	wantTokenPOST   = []string{"Token_POST", "Beta_Token_POST"}
	wantAuthorize   = []string{"OAuth2_Authorize_GET", "Beta_Authorize_GET"}
	wantLoginPages  = []string{"Login_GET", "CognitoAuthentication", "login_POST", "login_continue_POST", "login_passkey_POST", "selectChallenge_POST", "verifyCode_POST"}
	wantMFAPages    = []string{"Mfa_GET", "Mfa_POST", "MfaOption_GET", "MfaOption_POST", "MfaRegister_GET", "MfaRegister_POST", "mfa_back_POST", "mfa_options_POST", "mfa_phone_register_POST", "mfa_phone_verify_POST", "mfa_phone_resendCode_POST", "mfa_totp_POST"}
	wantMFAAPI      = []string{"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "AdminSetUserMFAPreference"}
	wantResetNames  = []string{"ForgotPassword", "ConfirmForgotPassword", "AdminResetUserPassword", "ForgotPassword_GET", "ForgotPassword_POST", "ConfirmForgotPassword_GET", "ConfirmForgotPassword_POST", "ResetPassword_GET", "ResetPassword_POST", "forgotPassword_POST"}
	wantAdminChange = []string{
		"CreateUserPool", "UpdateUserPool", "DeleteUserPool",
		"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"AddUserPoolClientSecret", "DeleteUserPoolClientSecret",
		"CreateIdentityProvider", "UpdateIdentityProvider", "DeleteIdentityProvider",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
		"CreateResourceServer", "UpdateResourceServer", "DeleteResourceServer",
		"CreateGroup", "UpdateGroup", "DeleteGroup",
		"CreateManagedLoginBranding", "UpdateManagedLoginBranding", "DeleteManagedLoginBranding",
		"SetUserPoolMfaConfig", "SetRiskConfiguration", "AddCustomAttributes",
		"SetUICustomization", "SetLogDeliveryConfiguration", "TagResource", "UntagResource",
		"CreateUserImportJob", "StartUserImportJob", "StopUserImportJob", "UpdateProvisionedLimit",
	}
	// wantOthers are names no query lists by name.
	wantOthers = []string{
		"GetTokensFromRefreshToken", "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "AdminCreateUser", "AdminConfirmSignUp",
		"ChangePassword", "GetUser", "GlobalSignOut", "RevokeToken", "AdminSetUserPassword", "AdminUserGlobalSignOut", "ListUserPoolClientSecrets",
		"OAuth2Response_GET", "OAuth2Response_POST", "SAML2Response_POST", "Beta_SAML2Response_POST", "Login_OIDC_SAML_POST",
		"Signup_GET", "Signup_POST", "Confirm_GET", "Confirm_POST", "ResendCode_POST", "Logout", "SAML2Logout_POST", "Error_GET",
		"UserInfo_GET", "UserInfo_POST", "Confirm_With_Link_GET", "Event_Feedback_GET",
		"confirmUser_GET", "signup_POST", "signup_confirm_POST", "passkeys_add_POST", "passkeys_add_GET",
	}
)

func sortedNames(lists ...[]string) []string {
	out := slices.Concat(lists...)
	slices.Sort(out)
	return slices.Compact(out)
}

// TestCatalogEventNames checks each query's EventNames against the lists
// above.
func TestCatalogEventNames(t *testing.T) {
	want := map[string][]string{
		"failed-sign-ins":      sortedNames(wantSignInAPI, wantLoginPages, wantMFAPages, wantTokenPOST),
		"refresh-failures":     sortedNames([]string{"InitiateAuth", "AdminInitiateAuth", "GetTokensFromRefreshToken"}, wantTokenPOST),
		"token-requests":       sortedNames(wantTokenPOST),
		"password-reset-abuse": sortedNames(wantResetNames),
		"mfa-failures":         sortedNames(wantChallenges, wantMFAAPI, wantMFAPages),
		"admin-changes":        sortedNames(wantAdminChange),
	}
	for _, q := range cognitomon.Catalog() {
		var got []string
		if q.EventNames != nil {
			got = sortedNames(q.EventNames)
		}
		if diff := cmp.Diff(want[q.Name], got); diff != "" {
			t.Errorf("%s: EventNames (-want +got):\n%s", q.Name, diff)
		}
	}
	// Every name cognitomon knows narrows a query for any event; no other.
	q, _ := cognitomon.LookupQuery("top-failing-ips")
	for _, n := range sortedNames(wantSignInAPI, wantTokenPOST, wantAuthorize, wantLoginPages, wantMFAPages, wantMFAAPI, wantResetNames, wantAdminChange, wantOthers) {
		if _, err := q.Render(cognitomon.QueryParams{EventNames: []string{n}}); err != nil {
			t.Errorf("top-failing-ips narrowed to %s: %v", n, err)
		}
	}
	for _, n := range []string{"Token", "Authorize", "token_post", "AdminDisableUser", "CreateIdentityPool"} {
		if _, err := q.Render(cognitomon.QueryParams{EventNames: []string{n}}); err == nil {
			t.Errorf("top-failing-ips narrowed to %s, which is no Cognito user-pool event name cognitomon knows", n)
		}
	}
}

// isEndpointName tells the endpoint events of FACTS.md 2.2 from API calls
// by their spelling.
func isEndpointName(n string) bool {
	return strings.HasSuffix(n, "_GET") || strings.HasSuffix(n, "_POST") || n == "CognitoAuthentication" || n == "Logout"
}

// flavour is how a synthesized record looks beyond its name and outcome.
type flavour string

const (
	// signInFlavour: a password auth flow, an MFA challenge, an
	// authorization-code grant.
	signInFlavour flavour = "sign-in"
	// refreshFlavour: a refresh auth flow and grant, no challenge.
	refreshFlavour flavour = "refresh"
)

// byNameRecord writes one CloudTrail record of name, failed or not, in the
// shapes of FACTS.md 2.3: an API call fails with an errorCode, an endpoint
// event with an HTTP status of 400 and an empty errorCode.
func byNameRecord(t *testing.T, i int, name string, fl flavour, failed bool) insightsql.Event {
	t.Helper()
	ts := proofStart.Add(time.Duration(i) * time.Second)
	rec := map[string]any{
		"eventVersion": "1.08", "eventTime": ts.Format(time.RFC3339), "eventSource": "cognito-idp.amazonaws.com",
		"eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": fmt.Sprintf("198.51.100.%d", i%250),
		"requestID": fmt.Sprintf("byname-%d", i), "eventID": fmt.Sprintf("00000000-0000-4000-9000-%012d", i),
		"recipientAccountId": "123456789012", "eventCategory": "Management", "managementEvent": true,
	}
	if isEndpointName(name) {
		params := map[string][]string{"client_id": {webClient}, "grant_type": {"authorization_code"}}
		if fl == refreshFlavour {
			params["grant_type"] = []string{"refresh_token"}
		}
		status := 200
		if failed {
			status = 400
		}
		rec["eventType"], rec["errorCode"] = "AwsServiceEvent", ""
		rec["userIdentity"] = map[string]any{"accountId": "123456789012"}
		rec["additionalEventData"] = map[string]any{"requestParameters": params, "responseParameters": map[string]any{"status": status}, "userPoolId": proofPoolID}
	} else {
		params := map[string]any{"clientId": webClient, "authFlow": "USER_PASSWORD_AUTH", "challengeName": "SOFTWARE_TOKEN_MFA", "userPoolId": proofPoolID}
		if fl == refreshFlavour {
			params["authFlow"] = "REFRESH_TOKEN_AUTH"
			delete(params, "challengeName")
		}
		rec["eventType"], rec["requestParameters"] = "AwsApiCall", params
		rec["userIdentity"] = map[string]any{"type": "Unknown"}
		if failed {
			rec["errorCode"], rec["errorMessage"] = "NotAuthorizedException", "Incorrect username or password."
		}
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return insightsql.Event{Timestamp: ts, Message: b, LogStream: name}
}

// TestCatalogMatchesByName runs every CloudTrail query over one failed and
// one successful record of every event name, in both flavours, and checks
// which records each query counts against the lists above.
func TestCatalogMatchesByName(t *testing.T) {
	universe := sortedNames(wantSignInAPI, wantTokenPOST, wantAuthorize, wantLoginPages, wantMFAPages, wantMFAAPI, wantResetNames, wantAdminChange, wantOthers)
	type rec struct {
		name   string
		fl     flavour
		failed bool
	}
	key := func(r rec) string { return fmt.Sprintf("%s/%s/failed=%v", r.name, r.fl, r.failed) }
	var recs []rec
	var evs []insightsql.Event
	for _, n := range universe {
		for _, fl := range []flavour{signInFlavour, refreshFlavour} {
			for _, failed := range []bool{false, true} {
				recs = append(recs, rec{n, fl, failed})
				evs = append(evs, byNameRecord(t, len(evs), n, fl, failed))
			}
		}
	}
	// expect builds the keys of the records a query must count: the names,
	// in the given flavours, failed only or both outcomes.
	expect := func(names []string, fls []flavour, failedOnly bool) map[string]bool {
		m := map[string]bool{}
		for _, r := range recs {
			if slices.Contains(names, r.name) && slices.Contains(fls, r.fl) && (r.failed || !failedOnly) {
				m[key(r)] = true
			}
		}
		return m
	}
	union := func(ms ...map[string]bool) map[string]bool {
		out := map[string]bool{}
		for _, m := range ms {
			for k := range m {
				out[k] = true
			}
		}
		return out
	}
	both := []flavour{signInFlavour, refreshFlavour}
	signInOnly, refreshOnly := []flavour{signInFlavour}, []flavour{refreshFlavour}
	pages := sortedNames(wantChallenges, wantLoginPages, wantMFAPages)
	want := map[string]map[string]bool{
		// Sign-in steps: the password flows and authorization-code grants,
		// and every challenge response and sign-in or MFA page whatever it
		// carries; passwordless codes (verifyCode_POST) among the pages.
		"failed-sign-ins": union(expect(sortedNames(wantSignInAPI, wantLoginPages, wantMFAPages, wantTokenPOST), signInOnly, true), expect(pages, refreshOnly, true)),
		"refresh-failures": union(expect([]string{"GetTokensFromRefreshToken"}, both, true),
			expect(sortedNames([]string{"InitiateAuth", "AdminInitiateAuth"}, wantTokenPOST), refreshOnly, true)),
		"top-failing-ips":      expect(universe, both, true),
		"token-requests":       expect(wantTokenPOST, both, false),
		"password-reset-abuse": expect(wantResetNames, both, false),
		// MFA: challenge responses to an MFA challenge (the sign-in
		// flavour carries SOFTWARE_TOKEN_MFA), the MFA calls and pages.
		"mfa-failures":  union(expect(wantChallenges, signInOnly, true), expect(sortedNames(wantMFAAPI, wantMFAPages), both, true)),
		"admin-changes": expect(wantAdminChange, both, false),
		// Error pages whatever their status, failed authorize requests.
		"redirect-mismatches": union(expect([]string{"Error_GET"}, both, false), expect(wantAuthorize, both, true)),
	}
	for _, q := range cognitomon.Catalog() {
		if q.Reads != "cloudtrail" || q.Name == "user-enumeration" {
			continue // user-enumeration counts an error code, not names: the proofs check it
		}
		t.Run(q.Name, func(t *testing.T) {
			w, ok := want[q.Name]
			if !ok {
				t.Fatal("no expectation for this query: add one")
			}
			got := map[string]bool{}
			for i, ev := range evs {
				if n := countOne(t, q, ev); n > 0 {
					got[key(recs[i])] = true
				}
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("records counted (-want +got):\n%s", diff)
			}
		})
	}
}

// countOne runs q over the one event ev and returns how many events its
// rows count: the rows of a query without stats (admin-changes lists
// events), else the sum of the count column, which comes last.
func countOne(t *testing.T, q cognitomon.Query, ev insightsql.Event) int64 {
	t.Helper()
	rows := evaluate(t, q, []insightsql.Event{ev})
	if slices.Contains(q.Columns, "@timestamp") {
		return int64(len(rows))
	}
	return tally(t, rows, q.Columns[len(q.Columns)-1])[""]
}

func TestCatalogShape(t *testing.T) {
	seen := map[string]bool{}
	for _, q := range cognitomon.Catalog() {
		if seen[q.Name] {
			t.Errorf("query name %q repeated", q.Name)
		}
		seen[q.Name] = true
		if q.Description == "" || strings.Contains(q.Description, "\n") {
			t.Errorf("%s: description must be one line", q.Name)
		}
		if q.Reads != "cloudtrail" && q.Reads != "user-activity" {
			t.Errorf("%s: reads %v", q.Name, q.Reads)
		}
		if !slices.Contains(q.Params, "limit") || len(q.Assumptions) == 0 {
			t.Errorf("%s: every query takes a limit and lists its assumptions", q.Name)
		}
		if (q.DefaultBin != 0) != slices.Contains(q.Params, "bin") {
			t.Errorf("%s: DefaultBin %s but takes bin: %v", q.Name, q.DefaultBin, slices.Contains(q.Params, "bin"))
		}
		for _, p := range []cognitomon.QueryParams{{}, scopedParams(q)} {
			text, err := q.Render(p)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			parsed, err := insightsql.Parse(text)
			if err != nil {
				t.Fatalf("%s: the evaluator rejects the text: %v\n%s", q.Name, err, text)
			}
			if diff := cmp.Diff(q.Columns, parsed.Fields()); diff != "" {
				t.Errorf("%s: Columns (-want +got):\n%s", q.Name, diff)
			}
			if strings.Contains(text, "ispresent(errorCode)") {
				t.Errorf("%s: ispresent(errorCode) is true for the empty errorCode of endpoint events", q.Name)
			}
			if strings.Contains(text, "sort @timestamp") && strings.Contains(text, "stats ") {
				t.Errorf("%s: sorts on @timestamp after stats", q.Name)
			}
		}
		got, ok := cognitomon.LookupQuery(q.Name)
		if !ok || got.Name != q.Name {
			t.Errorf("LookupQuery(%q) = %v, %v", q.Name, got.Name, ok)
		}
	}
	if _, ok := cognitomon.LookupQuery("no-such-query"); ok {
		t.Error("LookupQuery found a query that does not exist")
	}
	// Catalog returns fresh values.
	a := cognitomon.Catalog()
	a[0].EventNames[0] = "changed"
	if b := cognitomon.Catalog(); b[0].EventNames[0] == "changed" {
		t.Error("Catalog shares its slices between calls")
	}
}
