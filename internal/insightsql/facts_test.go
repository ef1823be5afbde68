package insightsql

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The four queries below are the ones FACTS.md (5.4) recommends; each runs
// over a small synthesized CloudTrail event set (AWS publishes no sample of a
// failed Cognito event, FACTS 2.4). FACTS 5.4 writes the client_id.0 and
// grant_type.0 names bare; FACTS 5.2's rule wants them in backticks, so they
// are quoted here (TestFactsBareUnderscore checks the bare form is refused).

const qTokenRequests = "filter eventSource = \"cognito-idp.amazonaws.com\" and eventName in [\"Token_POST\",\"Beta_Token_POST\"]\n" +
	"| stats count(*) as tokenRequests by `additionalEventData.requestParameters.client_id.0` as clientId, `additionalEventData.requestParameters.grant_type.0` as grantType\n" +
	"| sort tokenRequests desc"

const qRefreshFailures = `filter eventSource = "cognito-idp.amazonaws.com" and eventName in ["InitiateAuth","AdminInitiateAuth"] and requestParameters.authFlow in ["REFRESH_TOKEN_AUTH","REFRESH_TOKEN"] and not isempty(errorCode)
| stats count(*) as failures by bin(5m) as t | sort t desc`

const qFailCount = `fields @timestamp, eventName, errorCode, sourceIPAddress
| filter eventSource = 'cognito-idp.amazonaws.com' and not isempty(errorCode)
| stats count(*) as failCount by errorCode, sourceIPAddress | sort failCount desc | limit 50`

const qEndpointRefresh = "filter eventName = \"Token_POST\" and `additionalEventData.requestParameters.grant_type.0` = \"refresh_token\" and additionalEventData.responseParameters.status >= 400 | stats count(*) as n"

// TestFactsBareUnderscore checks that FACTS 5.4's bare spelling of the
// token-request query is refused with the fix in the message, so a canned
// query that forgets its backticks fails.
func TestFactsBareUnderscore(t *testing.T) {
	bare := strings.ReplaceAll(qTokenRequests, "`", "")
	_, err := Parse(bare)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q) = %v, want a *ParseError", bare, err)
	}
	if want := strings.Index(bare, "additionalEventData.requestParameters.client_id.0") + len("additionalEventData.requestParameters.client"); pe.Pos != want {
		t.Errorf("error at offset %d, want %d (the _)", pe.Pos, want)
	}
	if !strings.Contains(pe.Msg, "write `additionalEventData.requestParameters.client_id.0`") {
		t.Errorf("message %q does not say how to write the name", pe.Msg)
	}
}

func TestFactsTokenRequests(t *testing.T) {
	tok := func(name, client, grant string) ctEvent {
		return ctEvent{name: name, clientID: client, grantType: grant, status: 200, emptyErrorCode: name == "Token_POST"}
	}
	evs := ctEvents(t, time.Minute,
		tok("Token_POST", "clientA", "refresh_token"),
		tok("Token_POST", "clientB", "client_credentials"),
		tok("Token_POST", "clientA", "refresh_token"),
		tok("Beta_Token_POST", "clientB", "client_credentials"),
		tok("Token_POST", "clientA", "authorization_code"),
		tok("Token_POST", "clientA", "refresh_token"),
		tok("Token_POST", "clientB", "client_credentials"),
		tok("Token_POST", "clientA", "refresh_token"),
		tok("Token_POST", "", "client_credentials"), // Basic auth: no client_id (FACTS 2.3 [X])
		tok("Login_GET", "clientA", ""),
		ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN_AUTH"},
		ctEvent{source: "sts.amazonaws.com", name: "Token_POST", clientID: "clientA", grantType: "refresh_token"},
	)
	q := mustParse(t, qTokenRequests)
	if got, want := q.Fields(), []string{"clientId", "grantType", "tokenRequests"}; !equalStrings(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
	res := run(t, qTokenRequests, evs)
	checkRows(t, qTokenRequests, res.Rows, []string{
		"clientId=clientA grantType=refresh_token tokenRequests=4",
		"clientId=clientB grantType=client_credentials tokenRequests=3",
		// Ties keep the default key order: clientId ascending, missing last.
		"clientId=clientA grantType=authorization_code tokenRequests=1",
		"grantType=client_credentials tokenRequests=1",
	})
	if res.RecordsScanned != 12 || res.RecordsMatched != 9 {
		t.Errorf("scanned %d matched %d, want 12 and 9", res.RecordsScanned, res.RecordsMatched)
	}
}

func TestFactsRefreshFailures(t *testing.T) {
	type at struct {
		d time.Duration
		c ctEvent
	}
	list := []at{
		{1 * time.Minute, ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN_AUTH", errorCode: "NotAuthorizedException"}},
		{2*time.Minute + 59*time.Second, ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN_AUTH", errorCode: "NotAuthorizedException"}},
		{3 * time.Minute, ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN_AUTH"}},                                      // success
		{4 * time.Minute, ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", errorCode: "NotAuthorizedException"}}, // not a refresh
		{5 * time.Minute, ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN", emptyErrorCode: true}},                     // "" is no error
		{7 * time.Minute, ctEvent{name: "InitiateAuth", authFlow: "REFRESH_TOKEN", errorCode: "NotAuthorizedException"}},
		{12 * time.Minute, ctEvent{name: "AdminInitiateAuth", authFlow: "REFRESH_TOKEN_AUTH", errorCode: "NotAuthorizedException"}},
		{13 * time.Minute, ctEvent{name: "RespondToAuthChallenge", authFlow: "REFRESH_TOKEN_AUTH", errorCode: "CodeMismatchException"}},
		{14 * time.Minute, ctEvent{source: "sts.amazonaws.com", name: "InitiateAuth", authFlow: "REFRESH_TOKEN_AUTH", errorCode: "X"}},
	}
	var evs []Event
	for _, a := range list {
		evs = append(evs, jev(t, a.d, "s", a.c.message()))
	}
	res := run(t, qRefreshFailures, evs)
	checkRows(t, qRefreshFailures, res.Rows, []string{
		"t=2024-05-01 10:10:00.000 failures=1",
		"t=2024-05-01 10:05:00.000 failures=1",
		"t=2024-05-01 10:00:00.000 failures=2",
	})
	if res.RecordsMatched != 4 {
		t.Errorf("RecordsMatched = %d, want 4", res.RecordsMatched)
	}
}

func TestFactsFailCount(t *testing.T) {
	evs := ctEvents(t, time.Second,
		ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", errorCode: "NotAuthorizedException", ip: "198.51.100.1"},
		ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", errorCode: "UserNotFoundException", ip: "198.51.100.1"},
		ctEvent{name: "AdminInitiateAuth", authFlow: "ADMIN_USER_PASSWORD_AUTH", errorCode: "NotAuthorizedException", ip: "198.51.100.1"},
		ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", errorCode: "NotAuthorizedException", ip: "203.0.113.9"},
		ctEvent{name: "RespondToAuthChallenge", authFlow: "USER_SRP_AUTH", errorCode: "NotAuthorizedException", ip: "198.51.100.1"},
		ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", errorCode: "UserNotFoundException", ip: "198.51.100.1"},
		ctEvent{name: "Login_GET", emptyErrorCode: true, clientID: "c", status: 200},
		ctEvent{name: "InitiateAuth", authFlow: "USER_PASSWORD_AUTH", ip: "198.51.100.1"},
		ctEvent{source: "sts.amazonaws.com", name: "AssumeRole", errorCode: "AccessDenied", ip: "198.51.100.1"},
	)
	res := run(t, qFailCount, evs)
	checkRows(t, qFailCount, res.Rows, []string{
		"errorCode=NotAuthorizedException sourceIPAddress=198.51.100.1 failCount=3",
		"errorCode=UserNotFoundException sourceIPAddress=198.51.100.1 failCount=2",
		"errorCode=NotAuthorizedException sourceIPAddress=203.0.113.9 failCount=1",
	})
	if res.RecordsMatched != 6 {
		t.Errorf("RecordsMatched = %d, want 6", res.RecordsMatched)
	}

	// limit 50 caps the groups.
	var many []ctEvent
	for i := 0; i < 60; i++ {
		many = append(many, ctEvent{name: "InitiateAuth", errorCode: "NotAuthorizedException", ip: "10.0.0." + itoa(i)})
	}
	if res := run(t, qFailCount, ctEvents(t, time.Second, many...)); len(res.Rows) != 50 {
		t.Errorf("limit 50: got %d rows", len(res.Rows))
	}
}

func TestFactsEndpointRefresh(t *testing.T) {
	tp := func(grant string, status any) ctEvent {
		return ctEvent{name: "Token_POST", clientID: "c", grantType: grant, status: status, emptyErrorCode: true}
	}
	evs := ctEvents(t, time.Second,
		tp("refresh_token", 400),
		tp("refresh_token", jsonNumber("401.0")),
		tp("refresh_token", 200),
		tp("refresh_token", jsonNumber("200.0")),
		tp("refresh_token", 302),
		tp("refresh_token", "500"), // a numeric string compares numerically too
		tp("refresh_token", nil),   // no status: a missing field fails >=
		tp("authorization_code", 400),
		tp("client_credentials", 503),
		ctEvent{name: "Beta_Token_POST", clientID: "c", grantType: "refresh_token", status: 400},
	)
	res := run(t, qEndpointRefresh, evs)
	checkRows(t, qEndpointRefresh, res.Rows, []string{"n=3"})
	// stats without by returns one row even when nothing matches.
	res = run(t, qEndpointRefresh, evs[2:5])
	checkRows(t, qEndpointRefresh, res.Rows, []string{"n=0"})
	if res.RecordsMatched != 0 || res.RecordsScanned != 3 {
		t.Errorf("matched %d scanned %d", res.RecordsMatched, res.RecordsScanned)
	}
}

// TestIsEmptyErrorCode pins the FACTS 5.2 presence semantics on the
// endpoint-event shape ("errorCode": "" on success).
func TestIsEmptyErrorCode(t *testing.T) {
	evs := ctEvents(t, time.Second,
		ctEvent{name: "Login_GET", emptyErrorCode: true},
		ctEvent{name: "InitiateAuth", authFlow: "USER_SRP_AUTH"},
		ctEvent{name: "InitiateAuth", authFlow: "USER_SRP_AUTH", errorCode: "NotAuthorizedException"},
	)
	for _, c := range []struct {
		filter string
		want   string
	}{
		{"isempty(errorCode)", "count(*)=2"},
		{"not isempty(errorCode)", "count(*)=1"},
		{"ispresent(errorCode)", "count(*)=2"},
		{"not ispresent(errorCode)", "count(*)=1"},
		{`errorCode != ""`, "count(*)=1"},
		{`errorCode = ""`, "count(*)=1"},
		{"isblank(errorCode)", "count(*)=2"},
	} {
		src := "filter " + c.filter + " | stats count(*)"
		checkRows(t, src, run(t, src, evs).Rows, []string{c.want})
	}
}
