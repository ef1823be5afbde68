package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon/analysis"
)

func TestRunSimulated(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "", 3*time.Hour, analysis.DefaultM2MPrice()); err != nil {
		t.Fatal(err)
	}
	// The misbehaving client: 600 requests, 580 successful, about $1.30
	// at $2.25 per 1,000.
	for _, want := range []string{"5reports0machine0client00", "600", "per hour", "cost", "cost of the successful requests: $", "at $2.25 per 1,000"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunBadPool(t *testing.T) {
	if err := run(context.Background(), &bytes.Buffer{}, "not-a-pool", time.Hour, analysis.M2MPrice{}); err == nil {
		t.Error("a malformed pool ID gave no error")
	}
}
