package main

import (
	"context"
	"fmt"
	"time"

	"github.com/cognitomon/cognitomon"
)

// runBaseline learns what normal looks like from a past range of the pool's
// CloudTrail events and saves it, for `report --baseline`: a scheduled job
// learns from last week and compares today with it.
func runBaseline(ctx context.Context, e *env, args []string) int {
	var o eventOptions
	var out string
	fs := newFlagSet("baseline", "baseline --user-pool ID [--since 168h | --start T --end T] [--trail-files DIR] --out FILE", e)
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.rangeFlags(fs, 7*24*time.Hour)
	fs.StringVar(&o.trailFiles, "trail-files", "", "learn from CloudTrail log files instead of LookupEvents")
	fs.StringVar(&out, "out", "", "the baseline file to write (required)")
	o.lookupFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.inherit(e)
	o.rangeSet = flagsSet(fs, "since", "start", "end")
	if out == "" {
		return fail(e, "baseline", usagef("--out is required"))
	}
	pool, f, sc, ct, _, err := o.source(ctx, e)
	if err != nil {
		return failWith(e, "baseline", "events", err)
	}
	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now()}
	events := func(yield func(cognitomon.Event, error) bool) {
		for ev, err := range eventSource(ctx, &o, f, sc, ct, prog, true) {
			if err != nil && isRecordError(ctx, err) {
				fmt.Fprintln(e.stderr, "cognitomon baseline: skipped:", oneLine(err))
				continue
			}
			if !yield(ev, err) || err != nil {
				return
			}
		}
	}
	r := f.Range
	if r.Start.IsZero() {
		r, _ = o.timeRange()
	}
	b, err := cognitomon.LearnBaseline(ctx, cognitomon.DetectInput{UserPool: pool, Range: r, Events: events}, cognitomon.Builtins()...)
	prog.done()
	if err != nil {
		return failWith(e, "baseline", "events", err)
	}
	if err := b.Save(out); err != nil {
		return fail(e, "baseline", err)
	}
	fmt.Fprintf(e.stderr, "baseline of %s over %s written to %s (%d events)\n", pool, r, out, prog.events.Load())
	return exitOK
}
