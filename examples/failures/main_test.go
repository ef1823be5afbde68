package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRunSimulated(t *testing.T) {
	var out bytes.Buffer
	// A whole day, so that the simulated traffic holds requests of the Invalid
	// pseudo-client whatever the time of day (six hours at night may not).
	if err := run(context.Background(), &out, "", 24*time.Hour, 5*time.Minute, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SignIn", "SignUp", "TokenRefresh", "Federation", "SignIn per client", "Invalid", "per identity provider", "GetMetricData calls"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunBadInput(t *testing.T) {
	for _, tt := range []struct{ pool, clients string }{
		{"", "good,bad client"},
		{"", "ok"}, // period error below
	} {
		var out bytes.Buffer
		period := 5 * time.Minute
		if tt.clients == "ok" {
			period = 90 * time.Second
		}
		if err := run(context.Background(), &out, tt.pool, time.Hour, period, tt.clients, ""); err == nil {
			t.Errorf("run(%q, %q, %s): no error", tt.pool, tt.clients, period)
		}
	}
}
