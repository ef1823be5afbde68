package cognitomon

import (
	"strings"
	"testing"
)

func TestLogGroupName(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:logs:us-east-1:123456789012:log-group:aws-cloudtrail-logs-1:*":      "aws-cloudtrail-logs-1",
		"arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/cognito/pool": "/aws/vendedlogs/cognito/pool",
		"arn:aws-cn:logs:cn-north-1:123456789012:log-group:g":                        "g",
		"":                                 "",
		"log-group:g":                      "",
		"arn:aws:s3:::bucket":              "",
		"arn:aws:logs:r:a:log-group::*":    "",
		"arn:aws:logs:r:a:log-group:a:b:*": "",
	} {
		if got := logGroupName(arn); got != want {
			t.Errorf("logGroupName(%q) = %q, want %q", arn, got, want)
		}
	}
}

// FuzzLogGroupName: the name is empty or a colon-free part of the ARN that
// follows ":log-group:".
func FuzzLogGroupName(f *testing.F) {
	f.Add("arn:aws:logs:us-east-1:123456789012:log-group:g:*")
	f.Add("arn:aws:logs:r:a:log-group:")
	f.Fuzz(func(t *testing.T, arn string) {
		name := logGroupName(arn)
		if name == "" {
			return
		}
		if strings.Contains(name, ":") || !strings.Contains(arn, ":log-group:"+name) || !strings.HasPrefix(arn, "arn:") {
			t.Errorf("logGroupName(%q) = %q", arn, name)
		}
	})
}
