package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestQueryShowBackticks checks that query show prints the catalogue's
// text, field names with _ in backticks (FACTS.md 5.2), and that run
// reports their columns without the backticks.
func TestQueryShowBackticks(t *testing.T) {
	srv, _ := world(t)
	out, errOut, code := cli(t, srv, true, "query", "show", "token-requests", "--clients", "4k2webapp0example0client1")
	if code != exitOK {
		t.Fatalf("query show: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"`additionalEventData.requestParameters.client_id.0` in [\"4k2webapp0example0client1\"]",
		"by `additionalEventData.requestParameters.client_id.0`, `additionalEventData.requestParameters.grant_type.0`",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("query show lacks %s:\n%s", want, out)
		}
	}
	out, errOut, code = cli(t, srv, true, "query", "run", "token-requests", "--log-group", "aws-cloudtrail-logs-cognitomon", "--format", "json")
	if code != exitOK {
		t.Fatalf("query run: exit %d\n%s", code, errOut)
	}
	var res struct {
		Rows []map[string]string `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Rows) == 0 {
		t.Fatalf("query run JSON: %v\n%s", err, out)
	}
	for _, r := range res.Rows {
		if _, ok := r["additionalEventData.requestParameters.grant_type.0"]; !ok {
			t.Errorf("row %v lacks the grant_type.0 column", r)
		}
	}
}

// TestQueryList checks the JSON listing: every query with what it reads
// and the parameters it takes, by name.
func TestQueryList(t *testing.T) {
	out, errOut, code := cli(t, nil, false, "query", "list", "--format", "json")
	if code != exitOK {
		t.Fatalf("query list: exit %d\n%s", code, errOut)
	}
	var res struct {
		Schema  string `json:"schema"`
		Queries []struct {
			Name   string   `json:"name"`
			Reads  string   `json:"reads"`
			Params []string `json:"params"`
		} `json:"queries"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Schema != "cognitomon.queries/v1" {
		t.Fatalf("query list JSON: %v\n%s", err, out)
	}
	reads := map[string]string{}
	for _, q := range res.Queries {
		reads[q.Name] = q.Reads
		if !slices.Contains(q.Params, "limit") {
			t.Errorf("%s: params %v lack limit", q.Name, q.Params)
		}
	}
	if reads["failed-sign-ins"] != "cloudtrail" || reads["risky-sign-ins"] != "user-activity" || len(reads) != 11 {
		t.Errorf("reads = %v", reads)
	}
}

// TestQueryHostileParams checks that a value carrying a quote, backtick,
// newline, pipe or comment is a usage error and prints no query.
func TestQueryHostileParams(t *testing.T) {
	for _, args := range [][]string{
		{"--clients", `abc"def`},
		{"--clients", "abc`def"},
		{"--clients", "abc\n| stats count(*)"},
		{"--clients", "a|b"},
		{"--event-names", `login_POST" or eventName = "x`},
		{"--event-names", "login_POST`"},
		{"--event-names", "login_POST\n# x"},
		{"--user-pool", "us-east-1_x`y", "--clients", "c1"},
		{"--ips", "fe80::1%eth0\"|x"},
	} {
		out, errOut, code := cli(t, nil, false, append([]string{"query", "show", "failed-sign-ins"}, args...)...)
		if code != exitUsage || out != "" || errOut == "" {
			t.Errorf("query show %q: exit %d, stdout %q, stderr %q; want a usage error and no query", args, code, out, errOut)
		}
	}
}
