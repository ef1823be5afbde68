package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
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
	if o.trailFiles != "" && !o.rangeSet {
		return fail(e, "baseline", usagef("a baseline needs its reference range: pass --since or --start/--end with --trail-files"))
	}
	in, err := o.input(ctx)
	if err != nil {
		return failWith(e, "baseline", "events", err)
	}
	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now(), span: in.filter.Range}
	// LearnBaseline reads the stream through Consume, so its scope and
	// coverage are the report's; it refuses a stream that broke, and then
	// nothing is written.
	b, err := checks.LearnBaseline(ctx, cognitomon.DetectInput{Scope: in.scope, Events: in.events(ctx, &o, prog, true)}, checks.Builtins()...)
	prog.done()
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(e.stderr, "cognitomon baseline: interrupted; nothing written")
			return exitInterrupted
		}
		if errors.Is(err, cognitomon.ErrIncomplete) {
			fmt.Fprintf(e.stderr, "cognitomon baseline: %s; nothing written: a baseline learned from part of the window would make the rest look new\n", oneLine(err))
			return exitBlind
		}
		return failWith(e, "baseline", "events", err)
	}
	if err := b.Save(out); err != nil {
		return fail(e, "baseline", err)
	}
	fmt.Fprintf(e.stderr, "baseline of %s over %s written to %s (%d events)\n", cmpOr(string(in.pool), "all pools"), in.scope.Range, out, prog.events.Load())
	return exitOK
}
