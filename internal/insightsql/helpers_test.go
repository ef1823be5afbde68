package insightsql

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// t0 is the base time of the hand-built event sets.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// jev builds an event whose message is the JSON encoding of m.
func jev(t testing.TB, at time.Duration, stream string, m map[string]any) Event {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return Event{Timestamp: t0.Add(at), Message: b, LogStream: stream, LogGroup: "cloudtrail"}
}

// rawEv builds an event from raw message text.
func rawEv(at time.Duration, stream, msg string) Event {
	return Event{Timestamp: t0.Add(at), Message: []byte(msg), LogStream: stream, LogGroup: "cloudtrail"}
}

func mustParse(t testing.TB, src string) *Query {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return q
}

func run(t testing.TB, src string, evs []Event) Result {
	t.Helper()
	res, err := mustParse(t, src).Run(slices.Values(evs))
	if err != nil {
		t.Fatalf("Run(%q): %v", src, err)
	}
	return res
}

// fmtRows renders rows as "name=value name=value" lines for comparison.
func fmtRows(rows []Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(r))
		for j, f := range r {
			parts[j] = f.Name + "=" + f.Value
		}
		out[i] = strings.Join(parts, " ")
	}
	return out
}

func checkRows(t *testing.T, src string, got []Row, want []string) {
	t.Helper()
	g := fmtRows(got)
	if !slices.Equal(g, want) {
		t.Errorf("%s\n got: %q\nwant: %q", src, g, want)
	}
}

// ctEvent is a CloudTrail-shaped Cognito record. Zero fields are omitted.
type ctEvent struct {
	source, name, errorCode, ip string
	emptyErrorCode              bool   // "errorCode": "" as endpoint events carry
	authFlow                    string // requestParameters.authFlow (API events)
	clientID, grantType         string // additionalEventData.requestParameters.*.0 (endpoint events)
	status                      any    // additionalEventData.responseParameters.status
}

func (c ctEvent) message() map[string]any {
	m := map[string]any{
		"eventVersion":      "1.08",
		"userIdentity":      map[string]any{"accountId": "123456789012"},
		"eventSource":       c.source,
		"eventName":         c.name,
		"awsRegion":         "us-west-2",
		"sourceIPAddress":   c.ip,
		"eventType":         "AwsServiceEvent",
		"readOnly":          false,
		"managementEvent":   true,
		"requestParameters": nil,
	}
	if c.source == "" {
		m["eventSource"] = "cognito-idp.amazonaws.com"
	}
	if c.ip == "" {
		m["sourceIPAddress"] = "192.0.2.1"
	}
	if c.errorCode != "" || c.emptyErrorCode {
		m["errorCode"] = c.errorCode
		m["errorMessage"] = ""
	}
	if c.authFlow != "" {
		m["eventType"] = "AwsApiCall"
		m["requestParameters"] = map[string]any{
			"authFlow":       c.authFlow,
			"authParameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
			"clientId":       "1example23456789",
		}
		m["additionalEventData"] = map[string]any{"sub": "00000000-0000-0000-0000-000000000000"}
	}
	if c.clientID != "" || c.grantType != "" || c.status != nil {
		rp := map[string]any{"refresh_token": []string{"HIDDEN_DUE_TO_SECURITY_REASONS"}}
		if c.clientID != "" {
			rp["client_id"] = []string{c.clientID}
		}
		if c.grantType != "" {
			rp["grant_type"] = []string{c.grantType}
		}
		aed := map[string]any{
			"requestParameters": rp,
			"userPoolDomain":    "mydomain.auth.us-west-2.amazoncognito.com",
			"userPoolId":        "us-west-2_EXAMPLE",
		}
		if c.status != nil {
			aed["responseParameters"] = map[string]any{"status": c.status}
		}
		m["additionalEventData"] = aed
	}
	return m
}

func ctEvents(t testing.TB, step time.Duration, list ...ctEvent) []Event {
	evs := make([]Event, len(list))
	for i, c := range list {
		evs[i] = jev(t, time.Duration(i)*step, "stream", c.message())
	}
	return evs
}

// jsonNumber lets a test put an exact number text (200.0) in a message.
type jsonNumber string

func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(n), nil }

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }

func itoa(i int) string { return strconv.Itoa(i) }
