package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
)

// pagesOf answers LookupEvents with scripted pages and errors.
type pagesOf struct {
	outs []*cloudtrail.LookupEventsOutput
	errs []error
	n    int
}

func (p *pagesOf) LookupEvents(_ context.Context, _ *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	i := p.n
	p.n++
	if i < len(p.errs) && p.errs[i] != nil {
		return nil, p.errs[i]
	}
	return p.outs[i], nil
}

func eventsAt(ts ...time.Time) []cttypes.Event {
	var out []cttypes.Event
	for _, t := range ts {
		out = append(out, cttypes.Event{EventTime: aws.Time(t)})
	}
	return out
}

func TestProgressETA(t *testing.T) {
	end := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(end.Add(-24 * time.Hour)), EndTime: aws.Time(end)}
	api := &pagesOf{
		outs: []*cloudtrail.LookupEventsOutput{
			nil,
			{Events: eventsAt(end.Add(-time.Hour), end.Add(-6*time.Hour)), NextToken: aws.String("t1")},
			{Events: eventsAt(end.Add(-18 * time.Hour))}, // the last page
		},
		errs: []error{&smithy.GenericAPIError{Code: "ThrottlingException"}},
	}
	begin := time.Now()
	var w bytes.Buffer
	p := &progress{w: &w, quiet: true, start: begin}
	ct := countingTrail{api: api, prog: p}
	if _, err := ct.LookupEvents(context.Background(), in); err == nil {
		t.Fatal("scripted throttle not returned")
	}
	if got := p.line(begin.Add(10 * time.Second)); got != "LookupEvents: 0 pages, 0 events, 0.0 requests/s" {
		t.Errorf("before any page: %q", got)
	}
	if _, err := ct.LookupEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	// A quarter of the day read in 10s: 30s left.
	want := "LookupEvents: 1 pages, 0 events, 0.1 requests/s, 6h0m of 24h0m read (25%), about 30s left"
	if got := p.line(begin.Add(10 * time.Second)); got != want {
		t.Errorf("after one page:\n got %q\nwant %q", got, want)
	}
	if _, err := ct.LookupEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	// The last page came: the whole range is read, whatever the oldest
	// record.
	if got := p.line(begin.Add(20 * time.Second)); !strings.HasSuffix(got, "24h0m of 24h0m read (100%)") {
		t.Errorf("after the last page: %q", got)
	}
	if w.Len() != 0 {
		t.Errorf("quiet progress wrote %q", w.String())
	}
}

func TestProgressChunks(t *testing.T) {
	// A pull in hourly chunks, oldest first, with the whole span given:
	// the chunks' coverage adds up.
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	p := &progress{quiet: true, start: time.Now(), span: cognitomon.TimeRange{Start: start, End: start.Add(4 * time.Hour)}}
	for h := range 2 {
		in := &cloudtrail.LookupEventsInput{StartTime: aws.Time(start.Add(time.Duration(h) * time.Hour)), EndTime: aws.Time(start.Add(time.Duration(h+1) * time.Hour))}
		p.observe(in, &cloudtrail.LookupEventsOutput{})
	}
	if covered, total := p.coverage(); covered != 2*time.Hour || total != 4*time.Hour {
		t.Errorf("coverage %v of %v, want 2h of 4h", covered, total)
	}
	// Without the span, the chunks seen stand for the range.
	p.span = cognitomon.TimeRange{}
	if _, total := p.coverage(); total != 2*time.Hour {
		t.Errorf("total %v, want the 2h of the chunks seen", total)
	}
}
