package cognitomon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	gocmp "github.com/google/go-cmp/cmp"
)

// pagedTrail is a LookupEvents fake over fixed records: newest first,
// StartTime and EndTime inclusive (FACTS.md 3.1), pages of MaxResults. It
// counts the calls.
type pagedTrail struct {
	events []cttypes.Event // newest first
	calls  int
}

func (p *pagedTrail) LookupEvents(_ context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	p.calls++
	var match []cttypes.Event
	for _, e := range p.events {
		t := aws.ToTime(e.EventTime)
		if !t.Before(aws.ToTime(in.StartTime)) && !t.After(aws.ToTime(in.EndTime)) {
			match = append(match, e)
		}
	}
	from := 0
	if in.NextToken != nil {
		from, _ = strconv.Atoi(*in.NextToken)
	}
	to := min(from+int(aws.ToInt32(in.MaxResults)), len(match))
	out := &cloudtrail.LookupEventsOutput{Events: match[from:to]}
	if to < len(match) {
		out.NextToken = aws.String(strconv.Itoa(to))
	}
	return out, nil
}

// trailOf returns a fake holding one record per (time, name) pair, with
// event IDs that sort against time order where times tie, and a record
// whose CloudTrailEvent does not parse when broken is set.
func trailOf(t0 time.Time, n int, every time.Duration, broken bool) *pagedTrail {
	p := &pagedTrail{}
	names := []string{"InitiateAuth", "SetUserPoolMfaConfig", "login_POST", "AdminDisableUser"}
	for i := range n {
		at := t0.Add(time.Duration(i) * every)
		name := names[i%len(names)]
		id := fmt.Sprintf("%08d-id", n-i)
		rec := fmt.Sprintf(`{"eventTime":%q,"eventSource":"cognito-idp.amazonaws.com","eventName":%q,"eventType":"AwsApiCall","eventID":%q,"requestID":"r%d","sourceIPAddress":"198.51.100.%d","userAgent":"agent","awsRegion":"us-east-1","recipientAccountId":"123456789012","readOnly":%t,"requestParameters":{"userPoolId":"us-east-1_Abc","clientId":"c%d","mfaConfiguration":"OFF"},"additionalEventData":{"responseParameters":{"status":%d}}}`,
			at.Format(time.RFC3339Nano), name, id, i, i%7, i%2 == 0, i%3, 200+i%3)
		p.events = append(p.events, cttypes.Event{EventId: aws.String(id), EventTime: aws.Time(at), EventSource: aws.String(UserPoolEventSource), CloudTrailEvent: aws.String(rec)})
	}
	if broken {
		at := t0.Add(every / 2)
		p.events = append(p.events, cttypes.Event{EventId: aws.String("broken"), EventTime: aws.Time(at), EventSource: aws.String(UserPoolEventSource), CloudTrailEvent: aws.String(`{"eventSource":`)})
	}
	slices.SortStableFunc(p.events, func(a, b cttypes.Event) int { return aws.ToTime(b.EventTime).Compare(aws.ToTime(a.EventTime)) })
	return p
}

func collect(t *testing.T, seq func(func(Event, error) bool)) (evs []Event, errs []string) {
	t.Helper()
	for e, err := range seq {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		evs = append(evs, e)
	}
	return evs, errs
}

// TestCompactEventSize pins the size that OldestFirst's doc states.
func TestCompactEventSize(t *testing.T) {
	if compactEventSize != 96 {
		t.Errorf("a compact event takes %d bytes; OldestFirst's doc says 96", compactEventSize)
	}
}

// TestOldestFirstCompactValues: every field but Raw comes back as
// TrailClient.Events gives it, in time then event-ID order; Raw is kept
// exactly for the admin-change and other kinds and nil for the others.
func TestOldestFirstCompactValues(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(24 * time.Hour) }
	// Two records per second, so that times tie and IDs decide.
	api := trailOf(t0, 400, 500*time.Millisecond, false)
	for i := range api.events {
		if i%2 == 1 {
			api.events[i].EventTime = api.events[i-1].EventTime
			api.events[i].CloudTrailEvent = aws.String(strings.Replace(*api.events[i].CloudTrailEvent,
				aws.ToTime(api.events[i].EventTime).Format(time.RFC3339Nano), aws.ToTime(api.events[i-1].EventTime).Format(time.RFC3339Nano), 1))
		}
	}
	tc := NewTrailClient(api, func(o *TrailOptions) { o.Clock, o.RequestsPerSecond = now, 1e9 })
	r := TimeRange{Start: t0, End: t0.Add(10 * time.Minute)}
	want, errs := collect(t, tc.Events(context.Background(), EventFilter{Range: r}))
	if len(errs) > 0 || len(want) != 400 {
		t.Fatalf("%d events, errors %v", len(want), errs)
	}
	slices.SortStableFunc(want, func(a, b Event) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.EventID, b.EventID))
	})
	got, errs := collect(t, OldestFirst(context.Background(), tc, EventFilter{Range: r}, 3*time.Minute))
	if len(errs) > 0 || len(got) != len(want) {
		t.Fatalf("%d events (want %d), errors %v", len(got), len(want), errs)
	}
	kept := 0
	for i := range want {
		w, g := want[i], got[i]
		if rawKept(w) {
			kept++
			if string(g.Raw) != string(w.Raw) {
				t.Errorf("event %d (%s): Raw %q, want %q", i, w.Name, g.Raw, w.Raw)
			}
		} else if g.Raw != nil {
			t.Errorf("event %d (%s): Raw kept for kind %v", i, w.Name, w.Kind())
		}
		w.Raw, g.Raw = nil, nil
		if diff := gocmp.Diff(w, g); diff != "" {
			t.Errorf("event %d (-want +got):\n%s", i, diff)
		}
		if g.Time.Location() != time.UTC {
			t.Errorf("event %d: time in %v", i, g.Time.Location())
		}
	}
	if kept != 200 {
		t.Errorf("%d events kept Raw, want the 200 admin changes and others", kept)
	}
}

// TestOldestFirstBound: with a budget too small for a chunk, the chunk is
// read again in halves: the same events in the same order, the record error
// once and before its chunk's events, more calls, and the buffer never
// over the budget by more than one event.
func TestOldestFirstBound(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(24 * time.Hour) }
	r := TimeRange{Start: t0, End: t0.Add(10 * time.Minute)}
	run := func(budget int) ([]Event, []string, int) {
		api := trailOf(t0, 300, 2*time.Second, true)
		tc := NewTrailClient(api, func(o *TrailOptions) { o.Clock, o.RequestsPerSecond = now, 1e9 })
		evs, errs := collect(t, oldestFirst(context.Background(), tc, EventFilter{Range: r}, time.Hour, budget))
		return evs, errs, api.calls
	}
	want, wantErrs, wantCalls := run(maxChunkBytes)
	got, gotErrs, gotCalls := run(8 << 10)
	if len(want) != 300 || len(wantErrs) != 1 || !strings.Contains(wantErrs[0], `event "broken"`) {
		t.Fatalf("unbounded: %d events, errors %q", len(want), wantErrs)
	}
	if !slices.EqualFunc(want, got, func(a, b Event) bool {
		a.Raw, b.Raw = nil, nil
		return gocmp.Equal(a, b)
	}) {
		t.Errorf("bounded read gave %d events, not the unbounded %d in the same order", len(got), len(want))
	}
	if !slices.Equal(wantErrs, gotErrs) {
		t.Errorf("bounded errors %q, want %q", gotErrs, wantErrs)
	}
	if gotCalls <= wantCalls {
		t.Errorf("%d calls bounded, %d unbounded: the chunk was not read again", gotCalls, wantCalls)
	}
	// The buffer's accounting: one event of this trail is well under 1 KiB.
	var c compactChunk
	c.reset()
	api := trailOf(t0, 1, time.Second, false)
	e, err := parseRecord([]byte(*api.events[0].CloudTrailEvent), true)
	if err != nil {
		t.Fatal(err)
	}
	c.add(e)
	if c.bytes < compactEventSize || c.bytes > 1<<10 {
		t.Errorf("one event accounted as %d bytes", c.bytes)
	}
	if e.Name != "InitiateAuth" || c.events[0].raw != -1 {
		t.Fatalf("first event %s kept Raw %v", e.Name, c.events[0].raw)
	}
	// Only the IDs are new: the event and two strings.
	before := c.bytes
	e.EventID, e.RequestID = "another-id", "another-request"
	c.add(e)
	if d := c.bytes - before; d != compactEventSize+2*16+len("another-id")+len("another-request") {
		t.Errorf("a second event with repeated strings added %d bytes", d)
	}
	// An admin change keeps its Raw, and its name is new.
	before = c.bytes
	e.EventID, e.RequestID, e.Name = "third-id", "third-request", "SetUserPoolMfaConfig"
	c.add(e)
	if d := c.bytes - before; d != compactEventSize+2*16+len("third-id")+len("third-request")+16+len(e.Name)+32+24+len(e.Raw) {
		t.Errorf("an admin change added %d bytes", d)
	}
}

// TestOldestFirstDenseSecond: more events within one second than the
// budget holds end the sequence with an error that says so.
func TestOldestFirstDenseSecond(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return t0.Add(24 * time.Hour) }
	api := trailOf(t0, 200, time.Millisecond, false)
	tc := NewTrailClient(api, func(o *TrailOptions) { o.Clock, o.RequestsPerSecond = now, 1e9 })
	var last error
	n := 0
	for _, err := range oldestFirst(context.Background(), tc, EventFilter{Range: TimeRange{Start: t0, End: t0.Add(time.Minute)}}, time.Minute, 4<<10) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	if last == nil || !strings.Contains(last.Error(), "need more than 4096 bytes") || !strings.Contains(last.Error(), "events from 2026-03-02T10:00:00Z to 2026-03-02T10:00:00.") {
		t.Errorf("error %v after %d events", last, n)
	}
	var re *ReadError
	if errors.As(last, &re) {
		t.Errorf("the bound is a ReadError, which Consume would skip: %v", last)
	}
}
