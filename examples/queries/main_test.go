package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
)

func TestQueryProgramSimulated(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{since: 2 * time.Hour, rows: 1000}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := []string{"11 queries over", "192.0.2.66", "192.0.2.77", "192.0.2.88", "5reports0machine0client00", "client_credentials",
		"SetUserPoolMfaConfig", "mallory", "InvalidParameterException", "192.0.2.111", "BLOCK", "records matched"}
	for _, q := range cognitomon.Catalog() {
		want = append(want, "== "+q.Name+" (")
	}
	for _, s := range want {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "error:") || strings.Contains(out.String(), "skipped") {
		t.Errorf("a query failed or was skipped:\n%s", out.String())
	}
}

func TestQueryProgramList(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{list: true, clients: "4k2webapp0example0client1", limit: 7}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"== failed-sign-ins (cloudtrail; parameters:", "| limit 7", `"4k2webapp0example0client1"`, "assumes:"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}

func TestQueryProgramBadInput(t *testing.T) {
	for _, o := range []options{
		{since: time.Hour, clients: "good,bad client"},
		{since: time.Hour, query: "no-such-query"},
		{since: time.Hour, ips: "192.0.2.1,not-an-ip"},
		{since: time.Hour, pool: "us-east-1_AbC"}, // a pool without its clients
		{since: time.Hour, limit: 100000},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), &out, o); err == nil {
			t.Errorf("run(%+v): no error", o)
		}
	}
}
