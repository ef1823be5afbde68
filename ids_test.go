package cognitomon_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
)

func TestUserPoolID(t *testing.T) {
	tests := []struct {
		in     string
		region string
		ok     bool
	}{
		{"us-east-1_AbCdEf123", "us-east-1", true},
		{"eu-west-2_x", "eu-west-2", true},
		{"a_b_c", "a_b", true},
		{"", "", false},
		{"us-east-1", "", false},
		{"us-east-1_", "", false},
		{"us east-1_abc", "", false},
		{"us-east-1_ab-c", "", false},
		{"us-east-1_" + strings.Repeat("a", 45), "us-east-1", true},
		{"us-east-1_" + strings.Repeat("a", 46), "", false},
	}
	for _, tt := range tests {
		id, err := cognitomon.ParseUserPoolID(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseUserPoolID(%q) error %v, want ok=%v", tt.in, err, tt.ok)
		}
		if err != nil && !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
			t.Errorf("ParseUserPoolID(%q) error %v does not wrap ErrInvalidUserPoolID", tt.in, err)
		}
		if got := cognitomon.UserPoolID(tt.in).Region(); got != tt.region {
			t.Errorf("Region(%q) = %q, want %q", tt.in, got, tt.region)
		}
		if err == nil && id.String() != tt.in {
			t.Errorf("String() = %q", id)
		}
	}
}

func TestClientID(t *testing.T) {
	for _, s := range []string{"1example23456789", "a+b_c", "Admin", "Invalid", strings.Repeat("x", 128)} {
		if _, err := cognitomon.ParseClientID(s); err != nil {
			t.Errorf("ParseClientID(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "a-b", "a b", "a\"b", strings.Repeat("x", 129)} {
		if _, err := cognitomon.ParseClientID(s); !errors.Is(err, cognitomon.ErrInvalidClientID) {
			t.Errorf("ParseClientID(%q): %v, want ErrInvalidClientID", s, err)
		}
	}
	if !cognitomon.AdminClient.IsPseudo() || !cognitomon.InvalidClient.IsPseudo() || cognitomon.ClientID("web").IsPseudo() {
		t.Error("IsPseudo")
	}
}

func TestTimeRange(t *testing.T) {
	if _, err := cognitomon.NewTimeRange(now, now.Add(-time.Second)); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("inverted: %v", err)
	}
	if _, err := cognitomon.NewTimeRange(now, now); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("empty: %v", err)
	}
	if _, err := cognitomon.NewTimeRange(time.Time{}, now); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("zero start: %v", err)
	}
	local := time.FixedZone("X", 3600)
	r, err := cognitomon.NewTimeRange(now.In(local), now.Add(time.Hour).In(local))
	if err != nil {
		t.Fatal(err)
	}
	if r.Start.Location() != time.UTC || r.Duration() != time.Hour || !r.Contains(now) || r.Contains(now.Add(time.Hour)) {
		t.Errorf("range %v", r)
	}
	if err := r.ValidateAt(now); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("range starting now: %v", err)
	}
	if got, want := r.String(), "2026-11-27T12:00:00Z/2026-11-27T13:00:00Z"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
