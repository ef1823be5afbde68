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
	if err := run(context.Background(), &out, "", 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5reports0machine0client00", "600", "per hour"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunBadPool(t *testing.T) {
	if err := run(context.Background(), &bytes.Buffer{}, "not-a-pool", time.Hour); err == nil {
		t.Error("a malformed pool ID gave no error")
	}
}
