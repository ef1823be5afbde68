package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cognitomon/cognitomon"
)

// progress reports a long LookupEvents pull on standard error: pages,
// events, the request rate, how much of the range's time has been read and
// an estimate of the time left. At two pages of 50 events a second a pull
// reads about 100 events a second, some 2.8 hours per million events.
type progress struct {
	w     io.Writer
	quiet bool
	start time.Time
	// span, when set, is the whole range the pull covers. Otherwise the
	// union of the requests' ranges stands for it, which is exact for one
	// newest-first pull and, for a pull in chunks, grows with the chunks.
	span cognitomon.TimeRange

	pages  atomic.Int64
	events atomic.Int64
	last   atomic.Int64 // unix nanoseconds of the last report

	mu     sync.Mutex
	chunks map[chunkKey]*chunk // one per requested range
}

type chunkKey struct{ start, end int64 }

// chunk is how far a newest-first pull of one requested range has got.
type chunk struct {
	start, end time.Time
	oldest     time.Time // the oldest record seen; zero before any
	done       bool      // the last page came
}

// covered returns how much of the chunk's range has been read.
func (c *chunk) covered() time.Duration {
	switch {
	case c.done:
		return c.end.Sub(c.start)
	case c.oldest.IsZero():
		return 0
	}
	return min(max(c.end.Sub(c.oldest), 0), c.end.Sub(c.start))
}

// page records one page of LookupEvents and reports at most every two
// seconds.
func (p *progress) page(in *cloudtrail.LookupEventsInput, out *cloudtrail.LookupEventsOutput) {
	p.pages.Add(1)
	p.observe(in, out)
	now := time.Now()
	if p.quiet || now.UnixNano()-p.last.Load() < int64(2*time.Second) {
		return
	}
	p.last.Store(now.UnixNano())
	fmt.Fprintf(p.w, "\r%s ", p.line(now))
}

// observe updates the coverage of the request's range.
func (p *progress) observe(in *cloudtrail.LookupEventsInput, out *cloudtrail.LookupEventsOutput) {
	if in == nil || in.StartTime == nil || in.EndTime == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.chunks == nil {
		p.chunks = map[chunkKey]*chunk{}
	}
	k := chunkKey{in.StartTime.UnixNano(), in.EndTime.UnixNano()}
	c := p.chunks[k]
	if c == nil {
		c = &chunk{start: *in.StartTime, end: *in.EndTime}
		p.chunks[k] = c
	}
	for _, e := range out.Events {
		if t := aws.ToTime(e.EventTime); !t.IsZero() && (c.oldest.IsZero() || t.Before(c.oldest)) {
			c.oldest = t
		}
	}
	if aws.ToString(out.NextToken) == "" {
		c.done = true
	}
}

// line is the progress line at now.
func (p *progress) line(now time.Time) string {
	pages := p.pages.Load()
	elapsed := now.Sub(p.start)
	var b strings.Builder
	fmt.Fprintf(&b, "LookupEvents: %d pages, %d events, %.1f requests/s", pages, p.events.Load(), float64(pages)/max(elapsed.Seconds(), 0.001))
	covered, total := p.coverage()
	if total <= 0 || covered <= 0 {
		return b.String()
	}
	frac := min(float64(covered)/float64(total), 1)
	fmt.Fprintf(&b, ", %s of %s read (%.0f%%)", fmtSpan(covered), fmtSpan(total), 100*frac)
	if frac < 1 {
		left := time.Duration(float64(elapsed) * (1 - frac) / frac)
		fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
	}
	return b.String()
}

// fmtSpan writes a span of event time to the minute.
func fmtSpan(d time.Duration) string {
	s := d.Round(time.Minute).String()
	s = strings.TrimSuffix(s, "0s")
	if s == "" {
		return "0m"
	}
	return s
}

// coverage returns how much of the pull's range has been read, and its
// length.
func (p *progress) coverage() (covered, total time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var lo, hi time.Time
	for _, c := range p.chunks {
		covered += c.covered()
		if lo.IsZero() || c.start.Before(lo) {
			lo = c.start
		}
		if c.end.After(hi) {
			hi = c.end
		}
	}
	total = hi.Sub(lo)
	if !p.span.Start.IsZero() {
		total = p.span.Duration()
	}
	return covered, total
}

func (p *progress) done() {
	if !p.quiet && p.pages.Load() > 0 {
		fmt.Fprintf(p.w, "\rLookupEvents: %d pages, %d events in %s\n", p.pages.Load(), p.events.Load(), time.Since(p.start).Round(time.Millisecond))
	}
}

// countingTrail counts LookupEvents pages for the progress line.
type countingTrail struct {
	api  cognitomon.CloudTrailAPI
	prog *progress
}

func (c countingTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	out, err := c.api.LookupEvents(ctx, in, optFns...)
	if err == nil {
		c.prog.page(in, out)
	}
	return out, err
}
