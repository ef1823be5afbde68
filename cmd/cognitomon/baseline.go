package main

import (
	"context"
	"errors"
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
	src := readFiles(o.trailFiles)
	if o.trailFiles == "" {
		tc := cognitomon.NewTrailClient(countingTrail{api: ct, prog: prog}, func(t *cognitomon.TrailOptions) {
			t.RequestsPerSecond = o.rate
			if o.now != nil {
				t.Clock = o.now
			}
		})
		src = cognitomon.OldestFirst(ctx, tc, f, time.Hour)
	}
	events := func(yield func(cognitomon.Event, error) bool) {
		for ev, err := range src {
			var re *cognitomon.ReadError
			switch {
			case err != nil && errors.As(err, &re) && ctx.Err() == nil:
				fmt.Fprintln(e.stderr, "cognitomon baseline: skipped:", oneLine(err))
				continue
			case err != nil:
				yield(ev, err)
				return
			case !f.Match(ev) || !sc.match(ev):
				continue
			}
			prog.events.Add(1)
			if !yield(ev, nil) {
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
