package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRunSimulated(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{since: 24 * time.Hour, template: "-"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"9 to create, 0 to update, 0 to delete, 0 unchanged",
		"+ metric filter cognitomon-us-east-1_DemoPool1-admin-changes",
		"applied.",
		"planning again: plan for \"cognitomon-us-east-1_DemoPool1-\": no changes (9 unchanged)",
		"backtest over the last 24h:",
		"signin-failure-rate       1 page(s); ALARM",
		"signin-throttles          0 page(s)",
		"m2m-tokens                not backtestable",
		`"Type": "AWS::CloudWatch::Alarm"`,
		`"Type": "AWS::Logs::MetricFilter"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunTemplateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "alarms.json")
	var out bytes.Buffer
	if err := run(context.Background(), &out, options{since: 6 * time.Hour, clients: "4k2webapp0example0client1", template: path}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "AWSTemplateFormatVersion") || strings.Contains(out.String(), "AWSTemplateFormatVersion") {
		t.Errorf("template in the file: %v, on standard output: %v", strings.Contains(string(b), "AWSTemplateFormatVersion"), strings.Contains(out.String(), "AWSTemplateFormatVersion"))
	}
}

func TestRunBadInput(t *testing.T) {
	for _, o := range []options{
		{pool: "not a pool", since: time.Hour},
		{clients: "good,bad client", since: time.Hour},
	} {
		if err := run(context.Background(), &bytes.Buffer{}, o); err == nil {
			t.Errorf("run(%+v): no error", o)
		}
	}
}

func TestCLIUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"us-east-1_AbCdEf123"},   // a pool ID without -user-pool
		{"-since", "1h", "apply"}, // a stray word after the flags
		{"-no-such-flag"},         // an unknown flag
	} {
		var out, errb bytes.Buffer
		code := cli(context.Background(), args, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "Usage of alarms") {
			t.Errorf("cli(%q): exit %d, stdout %q, stderr %q; want exit 2 and the usage", args, code, out.String(), errb.String())
		}
	}
	var errb bytes.Buffer
	if code := cli(context.Background(), []string{"extra"}, &bytes.Buffer{}, &errb); !strings.Contains(errb.String(), `unexpected arguments ["extra"]`) || code != 2 {
		t.Errorf("stray argument: exit %d, %q", code, errb.String())
	}
}
