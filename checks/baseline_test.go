package checks_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var baseT0 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

func baseRange(hours int) cognitomon.TimeRange {
	return cognitomon.TimeRange{Start: baseT0, End: baseT0.Add(time.Duration(hours) * time.Hour)}
}

// TestProfileBuilder: the mean and spread count every window of the range,
// empty ones as zero, per slot of the seasonality.
func TestProfileBuilder(t *testing.T) {
	pb := checks.NewProfileBuilder(checks.KeyClient, baseRange(4), time.Hour, checks.SeasonalityNone)
	// Client a: 2, 0, 4, 0 per hour; client b: 1 in the last hour. An
	// event before the range and one after do not count.
	for _, at := range []time.Duration{0, 10 * time.Minute, 2 * time.Hour, 2*time.Hour + time.Minute, 2*time.Hour + 2*time.Minute, 2*time.Hour + 3*time.Minute} {
		pb.Add("a", baseT0.Add(at))
	}
	pb.Add("b", baseT0.Add(3*time.Hour+59*time.Minute))
	pb.Add("a", baseT0.Add(-time.Minute))
	pb.Add("a", baseT0.Add(4*time.Hour))
	want := &checks.Profile{
		Key: checks.KeyClient, Window: time.Hour, Seasonality: checks.SeasonalityNone,
		Keys: map[string][]checks.SlotStats{
			"a": {{Slot: 0, Windows: 4, Mean: 1.5, StdDev: math.Sqrt(2.75), Max: 4}},
			"b": {{Slot: 0, Windows: 4, Mean: 0.25, StdDev: math.Sqrt(0.1875), Max: 1}},
		},
	}
	if diff := cmp.Diff(want, pb.Profile()); diff != "" {
		t.Errorf("profile mismatch (-want +got):\n%s", diff)
	}
}

func TestProfileSeasonality(t *testing.T) {
	// Two days of hours; the key has 3 events at 09:00 each day and one at
	// 10:00 on the first day.
	pb := checks.NewProfileBuilder(checks.KeySub, baseRange(48), time.Hour, checks.SeasonalityHourOfDay)
	for day := range 2 {
		for i := range 3 {
			pb.Add("s", baseT0.Add(time.Duration(day)*24*time.Hour+9*time.Hour+time.Duration(i)*time.Minute))
		}
		if day == 0 {
			pb.Add("s", baseT0.Add(10*time.Hour))
		}
	}
	p := pb.Profile()
	want := []checks.SlotStats{{Slot: 9, Windows: 2, Mean: 3, StdDev: 0, Max: 3}, {Slot: 10, Windows: 2, Mean: 0.5, StdDev: 0.5, Max: 1}}
	if diff := cmp.Diff(want, p.Keys["s"]); diff != "" {
		t.Errorf("slots mismatch (-want +got):\n%s", diff)
	}
	st, known := p.Stats("s", baseT0.Add(50*time.Hour)) // 02:00: a slot without events
	if !known || st != (checks.SlotStats{Slot: 2}) {
		t.Errorf("empty slot: %+v, %v", st, known)
	}
	for _, tt := range []struct {
		key    string
		at     time.Time
		sigmas float64
		floor  float64
		want   float64
	}{
		{"s", baseT0.Add(9 * time.Hour), 3, 1, 3},  // mean 3, no spread
		{"s", baseT0.Add(10 * time.Hour), 3, 1, 2}, // 0.5 + 3*0.5
		{"s", baseT0.Add(10 * time.Hour), 3, 5, 5}, // the floor
		{"unknown", baseT0.Add(9 * time.Hour), 3, 7, 7},
	} {
		if got, _, _ := p.Limit(tt.key, tt.at, tt.sigmas, tt.floor); got != tt.want {
			t.Errorf("Limit(%s, %s) = %v, want %v", tt.key, tt.at.Format("15:04"), got, tt.want)
		}
	}
	if checks.SeasonalityHourOfWeek.Slot(time.Date(2026, 3, 3, 5, 0, 0, 0, time.UTC)) != 2*24+5 { // a Tuesday
		t.Error("hour-of-week slot")
	}
}

// TestProfileBuilderBounds: late events and keys beyond MaxKeys are
// dropped and counted.
func TestProfileBuilderBounds(t *testing.T) {
	pb := checks.NewProfileBuilder(checks.KeyClient, baseRange(48), time.Hour, checks.SeasonalityNone, func(o *checks.ProfileOptions) {
		o.MaxKeys, o.Lateness = 2, 30*time.Minute
	})
	pb.Add("a", baseT0.Add(10*time.Hour))
	pb.Add("b", baseT0.Add(10*time.Hour))
	pb.Add("c", baseT0.Add(10*time.Hour)) // a third key
	pb.Add("a", baseT0.Add(5*time.Hour))  // five hours late
	p := pb.Profile()
	if p.Dropped != 2 || !p.Truncated || len(p.Keys) != 2 {
		t.Errorf("dropped %d, truncated %v, keys %d", p.Dropped, p.Truncated, len(p.Keys))
	}
}

func TestValueSetBuilder(t *testing.T) {
	sb := checks.NewValueSetBuilder(checks.KeySub, []checks.EventKey{checks.KeyIPRange, checks.KeyUserAgentFamily}, func(o *checks.ValueSetOptions) {
		o.MaxKeys, o.MaxValues = 2, 2
	})
	for _, v := range []string{"c", "a", "a", "b"} {
		sb.Add("s1", checks.KeyIPRange, v)
	}
	sb.Add("s1", checks.KeySourceIP, "not a field")
	sb.Add("s2", checks.KeyUserAgentFamily, "ua")
	sb.Add("s3", checks.KeyUserAgentFamily, "ua")
	want := &checks.ValueSets{
		Key: checks.KeySub, Fields: []checks.EventKey{checks.KeyIPRange, checks.KeyUserAgentFamily}, MaxValues: 2, Truncated: true,
		Keys: map[string]map[checks.EventKey][]string{
			"s1": {checks.KeyIPRange: {"a", "c"}},
			"s2": {checks.KeyUserAgentFamily: {"ua"}},
		},
	}
	got := sb.ValueSets()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sets mismatch (-want +got):\n%s", diff)
	}
	if !got.Known("s1", checks.KeyIPRange, "a") || got.Known("s1", checks.KeyIPRange, "b") {
		t.Error("Known")
	}
}

// learnedBaseline learns the built-ins' baseline from a small synthetic
// reference day.
func learnedBaseline(t *testing.T) *checks.Baseline {
	t.Helper()
	var evs []cognitomon.Event
	for h := range 24 {
		at := baseT0.Add(time.Duration(h) * time.Hour)
		e := detEvent(at, "198.51.100.7", "alice", "")
		evs = append(evs, e)
		r := detEvent(at.Add(time.Minute), "198.51.100.7", "alice", "NotAuthorizedException")
		r.AuthFlow = "REFRESH_TOKEN_AUTH"
		if h%6 == 0 {
			evs = append(evs, r)
		}
		evs = append(evs, detToken(at.Add(2*time.Minute), "m2m1", 200))
	}
	b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{UserPool: detPool, Clients: detClients, Range: baseRange(24)}, Events: detStream(evs)}, checks.Builtins()...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLearnBaseline(t *testing.T) {
	b := learnedBaseline(t)
	if b.UserPool != detPool || b.Range != baseRange(24) {
		t.Errorf("pool %s, range %s", b.UserPool, b.Range)
	}
	var profiles, sets []string
	for name := range b.Profiles {
		profiles = append(profiles, name)
	}
	for name := range b.ValueSets {
		sets = append(sets, name)
	}
	if diff := cmp.Diff([]string{"m2m-token-volume", "refresh-failure-spike"}, sorted(profiles)); diff != "" {
		t.Errorf("profiles mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"m2m-new-source", "token-theft"}, sorted(sets)); diff != "" {
		t.Errorf("value sets mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]checks.SlotStats{{Slot: 0, Windows: 24, Mean: 1, StdDev: 0, Max: 1}}, b.Profiles["m2m-token-volume"].Keys["m2m1"]); diff != "" {
		t.Errorf("m2m profile mismatch (-want +got):\n%s", diff)
	}
	want := map[checks.EventKey][]string{checks.KeyIPRange: {"198.51.100.0/24"}, checks.KeyUserAgentFamily: {"app/"}}
	if diff := cmp.Diff(want, b.ValueSets["token-theft"].Keys["alice"]); diff != "" {
		t.Errorf("alice's values mismatch (-want +got):\n%s", diff)
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestBaselineRoundTrip: what WriteTo writes, ReadBaseline reads back
// unchanged, and a file written by Save loads with LoadBaseline.
func TestBaselineRoundTrip(t *testing.T) {
	b := learnedBaseline(t)
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "{\n  \"version\": 1,") {
		t.Errorf("file starts %q", buf.String()[:min(40, buf.Len())])
	}
	got, err := checks.ReadBaseline(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	// The learning pass's Coverage is not part of the file.
	if b.Coverage.InScope == 0 || got.Coverage.InScope != 0 {
		t.Errorf("coverage: learned %d events, read back %d", b.Coverage.InScope, got.Coverage.InScope)
	}
	if diff := cmp.Diff(b, got, cmpopts.IgnoreFields(checks.Baseline{}, "Coverage")); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
	name := filepath.Join(t.TempDir(), "baseline.json")
	if err := b.Save(name); err != nil {
		t.Fatal(err)
	}
	loaded, err := checks.LoadBaseline(name)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, loaded, cmpopts.IgnoreFields(checks.Baseline{}, "Coverage")); diff != "" {
		t.Errorf("Save/LoadBaseline mismatch (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("Save left %d files", len(entries))
	}
	if _, err := checks.LoadBaseline(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("loading a missing file: %v", err)
	}
}

// TestReadBaselineRejects: a corrupt file, or one of another version, is an
// error, never an empty baseline.
func TestReadBaselineRejects(t *testing.T) {
	valid := `{"version":1,"range":{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z"},"profiles":{"p":{"key":"client","window":"1h0m0s","seasonality":"none","keys":{"a":[{"slot":0,"windows":24,"mean":1,"stddev":0.5,"max":3}]}}},"valueSets":{"s":{"key":"sub","fields":["ip-range"],"maxValues":16,"keys":{"alice":{"ip-range":["198.51.100.0/24"]}}}}}`
	if _, err := checks.ReadBaseline(strings.NewReader(valid)); err != nil {
		t.Fatalf("the valid file: %v", err)
	}
	for _, tt := range []struct{ name, old, new string }{
		{"empty", valid, ""},
		{"not JSON", valid, "version 1"},
		{"truncated", valid, valid[:len(valid)/2]},
		{"no version", `"version":1,`, ``},
		{"version 2", `"version":1`, `"version":2`},
		{"version as a string", `"version":1`, `"version":"1"`},
		{"unknown member", `"version":1`, `"version":1,"extra":true`},
		{"trailing data", valid, valid + ` {}`},
		{"no profiles", `"profiles":{"p":{"key":"client","window":"1h0m0s","seasonality":"none","keys":{"a":[{"slot":0,"windows":24,"mean":1,"stddev":0.5,"max":3}]}}},`, ``},
		{"inverted range", `"end":"2026-03-03T00:00:00Z"`, `"end":"2026-03-01T00:00:00Z"`},
		{"bad window", `"window":"1h0m0s"`, `"window":"soon"`},
		{"zero window", `"window":"1h0m0s"`, `"window":"0s"`},
		{"bad key", `"key":"client"`, `"key":"nobody"`},
		{"bad seasonality", `"seasonality":"none"`, `"seasonality":"monthly"`},
		{"slot out of range", `"slot":0`, `"slot":1`},
		{"no windows", `"windows":24`, `"windows":0`},
		{"negative spread", `"stddev":0.5`, `"stddev":-0.5`},
		{"max below mean", `"max":3`, `"max":0.5`},
		{"bad name", `"p":{`, `"P P":{`},
		{"field not declared", `"alice":{"ip-range"`, `"alice":{"sub"`},
		{"repeated value", `["198.51.100.0/24"]`, `["198.51.100.0/24","198.51.100.0/24"]`},
		{"empty value", `["198.51.100.0/24"]`, `[""]`},
		{"no fields", `"fields":["ip-range"]`, `"fields":[]`},
		{"too many values", `"maxValues":16`, `"maxValues":0`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(valid, tt.old, tt.new, 1)
			if in == valid {
				t.Fatal("the test changed nothing")
			}
			b, err := checks.ReadBaseline(strings.NewReader(in))
			if !errors.Is(err, checks.ErrInvalidBaseline) || b != nil {
				t.Errorf("ReadBaseline = %v, %v; want an error wrapping ErrInvalidBaseline", b, err)
			}
		})
	}
}

// TestBaselineModeNeedsItsProfile: a rule in baseline mode uses the
// baseline's limit; without a baseline it falls back to its threshold, or,
// when the baseline is required, is skipped; a profile learned for other
// windows is not used.
func TestBaselineModeNeedsItsProfile(t *testing.T) {
	rule := checks.EventRule{ID: "tokens", Events: checks.EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindM2MToken}}},
		Key: checks.KeyClient, Threshold: 3, Window: time.Hour, Severity: cognitomon.SeverityMedium, Baseline: &checks.BaselineMode{Sigmas: 3}}
	// Reference: 10 tokens an hour, with a spread of 2 (8 and 12).
	var ref []cognitomon.Event
	for h := range 24 {
		for i := range 10 + 2*(h%2*2-1) {
			ref = append(ref, detToken(baseT0.Add(time.Duration(h)*time.Hour+time.Duration(i)*time.Minute), "m2m1", 200))
		}
	}
	b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: baseRange(24)}, Events: detStream(ref)}, rule)
	if err != nil {
		t.Fatal(err)
	}
	burst := func(n int) []cognitomon.Event {
		var out []cognitomon.Event
		for i := range n {
			out = append(out, detToken(detT0.Add(time.Duration(i)*time.Minute), "m2m1", 200))
		}
		return out
	}
	run := func(r checks.EventRule, b *checks.Baseline, n int) *cognitomon.Detection {
		r.Learned = b
		det, err := cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: detRange()}, Events: detStream(burst(n))}, r)
		if err != nil {
			t.Fatal(err)
		}
		return det
	}
	// Limit: 10 + 3*2 = 16.
	if det := run(rule, b, 15); len(det.Findings) != 0 {
		t.Errorf("15 against a limit of 16: %+v", det.Findings)
	}
	det := run(rule, b, 16)
	if len(det.Findings) != 1 || det.Findings[0].Evidence.Threshold != 16 || det.Findings[0].Evidence.Expected != 10 {
		t.Errorf("16 against a limit of 16: %+v", det.Findings)
	}
	if det := run(rule, nil, 3); len(det.Findings) != 1 || !strings.Contains(strings.Join(det.Notes, " "), "the plain threshold applies") {
		t.Errorf("no baseline: %+v, notes %q", det.Findings, det.Notes)
	}
	required := rule
	required.Baseline = &checks.BaselineMode{Required: true}
	if det := run(required, nil, 30); len(det.Coverage.Skipped) != 1 || len(det.Findings) != 0 {
		t.Errorf("required baseline missing: %+v", det)
	}
	other := required
	other.Window = 2 * time.Hour
	if det := run(other, b, 30); len(det.Coverage.Skipped) != 1 || !strings.Contains(det.Coverage.Skipped[0].Reason, "learn it again") {
		t.Errorf("a profile of other windows: %+v", det.Coverage.Skipped)
	}
}

// TestLearnBaselineErrors: no events, or a stream that fails, give no
// baseline.
func TestLearnBaselineErrors(t *testing.T) {
	if _, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: baseRange(1)}}, checks.Builtins()...); !errors.Is(err, cognitomon.ErrMissingInput) {
		t.Errorf("no events: %v", err)
	}
	boom := errors.New("boom")
	failing := func(yield func(cognitomon.Event, error) bool) {
		if yield(detEvent(baseT0, "192.0.2.1", "s", ""), nil) {
			yield(cognitomon.Event{}, boom)
		}
	}
	b, err := checks.LearnBaseline(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: baseRange(1)}, Events: failing}, checks.Builtins()...)
	if !errors.Is(err, cognitomon.ErrIncomplete) || !errors.Is(err, boom) || b != nil {
		t.Errorf("failing stream: %v, %v", b, err)
	}
}

func FuzzReadBaseline(f *testing.F) {
	f.Add([]byte(`{"version":1,"range":{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z"},"profiles":{},"valueSets":{}}`))
	f.Add([]byte(`{"version":1,"range":{"start":"2026-03-02T00:00:00Z","end":"2026-03-03T00:00:00Z"},"profiles":{"p":{"key":"client","window":"1h0m0s","seasonality":"hour-of-day","keys":{"a":[{"slot":3,"windows":1,"mean":1,"stddev":0,"max":1}]}}},"valueSets":{"s":{"key":"sub","fields":["ip-range","user-agent"],"maxValues":2,"keys":{"x":{"user-agent":["u"]}}}}}`))
	f.Add([]byte(`{"version":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := checks.ReadBaseline(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, checks.ErrInvalidBaseline) {
				t.Fatalf("error %v does not wrap ErrInvalidBaseline", err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := b.WriteTo(&buf); err != nil {
			t.Fatalf("a baseline that was read cannot be written: %v", err)
		}
		again, err := checks.ReadBaseline(&buf)
		if err != nil {
			t.Fatalf("a written baseline cannot be read: %v", err)
		}
		if diff := cmp.Diff(b, again); diff != "" {
			t.Fatalf("round trip mismatch (-want +got):\n%s", diff)
		}
	})
}

func FuzzParseSeverity(f *testing.F) {
	for _, s := range []string{"high", "Info", " low ", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := cognitomon.ParseSeverity(s)
		if err != nil {
			return
		}
		b, err := v.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if back, err := cognitomon.ParseSeverity(string(b)); err != nil || back != v {
			t.Fatalf("round trip of %q: %v, %v", s, back, err)
		}
	})
}
