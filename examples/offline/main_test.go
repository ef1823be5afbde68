package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSample(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, "../../testdata/trail", 5); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Requests per kind", "Top failing source IPs",
		"192.0.2.77", // the enumeration
		"192.0.2.88", // the password-reset abuse
		"5reports0machine0client00",
		"Admin changes: 4", "SetUserPoolMfaConfig  arn:aws:iam::123456789012:user/mallory",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunCorruptFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"Records":[{"eventSource":"cognito-idp.amazonaws.com",`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(&out, dir, 5); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "coverage gap: 1 log files unreadable") || !strings.Contains(out.String(), "bad.json") {
		t.Errorf("a truncated file should be reported with its name:\n%s", out.String())
	}
	if err := run(&out, filepath.Join(dir, "missing"), 5); err == nil {
		t.Error("a missing path gave no error")
	}
}

func TestPathArg(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		dirSet  bool
		want    string
		wantErr string
	}{
		{nil, false, "testdata/trail", ""},
		{[]string{"/logs"}, false, "/logs", ""},
		{[]string{"/logs"}, true, "", "both -dir"},
		{[]string{"/a", "/b"}, false, "", "at most one"},
	} {
		got, err := pathArg("testdata/trail", tt.args, tt.dirSet)
		if got != tt.want || (tt.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("pathArg(%v, %v) = %q, %v; want %q, %q", tt.args, tt.dirSet, got, err, tt.want, tt.wantErr)
		}
	}
}
