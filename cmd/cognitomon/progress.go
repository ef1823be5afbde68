package main

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cognitomon/cognitomon"
)

// progress reports a long LookupEvents pull on standard error.
type progress struct {
	w      io.Writer
	quiet  bool
	start  time.Time
	pages  atomic.Int64
	events atomic.Int64
	last   atomic.Int64 // unix nanoseconds of the last report
}

func (p *progress) page() {
	n := p.pages.Add(1)
	now := time.Now()
	if p.quiet || now.UnixNano()-p.last.Load() < int64(2*time.Second) {
		return
	}
	p.last.Store(now.UnixNano())
	el := now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\rLookupEvents: %d pages, %d events, %.1f requests/s ", n, p.events.Load(), float64(n)/max(el, 0.001))
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
		c.prog.page()
	}
	return out, err
}
