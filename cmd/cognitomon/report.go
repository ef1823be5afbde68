package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/cognitomon/cognitomon/checks"
)

type reportOptions struct {
	eventOptions
	failOn   string
	baseline string
	m2mPrice float64
}

// reportMemoryLimit is the soft memory limit of a report (runtime/debug
// SetMemoryLimit) unless GOMEMLIMIT sets one. Detection state is bounded by
// DetectLimits.MaxKeys, but with GOGC=100 the heap may grow to twice the
// live state before a collection; the limit makes the collector run
// earlier instead as the heap nears it. GOGC still applies below it, and
// a run whose live state exceeds it is not stopped, only collected more
// often (the runtime caps that at about half the CPU).
const reportMemoryLimit = 96 << 20

func runReport(ctx context.Context, e *env, args []string) int {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(reportMemoryLimit)
	}
	var o reportOptions
	fs := newFlagSet("report", "report --user-pool ID [--since 24h | --start T --end T] [--trail-files DIR] [--format text|json|html] [--fail-on high]", e)
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.rangeFlags(fs, 24*time.Hour)
	o.reportFormatFlag(fs)
	fs.StringVar(&o.trailFiles, "trail-files", "", "read CloudTrail log files (a file or a directory tree) instead of LookupEvents; metrics are then omitted, and without --since/--start the files' own span is reported")
	fs.StringVar(&o.baseline, "baseline", "", "a baseline file (cognitomon baseline) for the checks that compare with normal")
	fs.Float64Var(&o.m2mPrice, "m2m-price", 0, "price in US dollars of 1,000 successful machine-to-machine token requests, for the cost column; 0 means the default, $2.25, the published first tier as of 2024-05-09 (FACTS.md 9.4 d)")
	fs.StringVar(&o.failOn, "fail-on", "high", "exit 1 when a finding of this severity or above exists (info, low, medium, high, critical; none to never)")
	o.lookupFlags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.inherit(e)
	o.rangeSet = flagsSet(fs, "since", "start", "end")
	if err := o.validateReportFormat(); err != nil {
		return fail(e, "report", err)
	}
	threshold, err := parseFailOn(o.failOn)
	if err != nil {
		return fail(e, "report", err)
	}
	if o.m2mPrice < 0 || math.IsNaN(o.m2mPrice) || math.IsInf(o.m2mPrice, 0) {
		return fail(e, "report", usagef("--m2m-price %v: want a price of 0 or more", o.m2mPrice))
	}
	rep, err := o.report(ctx, e)
	if rep == nil {
		return fail(e, "report", err)
	}
	switch o.format {
	case "json":
		if werr := writeJSON(e.stdout, rep); werr != nil {
			return fail(e, "report", werr)
		}
	case "html":
		if werr := writeHTML(e.stdout, rep); werr != nil {
			return fail(e, "report", werr)
		}
	default:
		printReport(e.stdout, rep)
	}
	if err != nil && !errors.Is(err, cognitomon.ErrIncomplete) {
		fmt.Fprintf(e.stderr, "cognitomon report: %s\n", oneLine(err))
	}
	code := exitStatus(ctx, rep.cov, rep.worst(threshold))
	if code == exitBlind {
		fmt.Fprintf(e.stderr, "cognitomon report: the report could not see all it was asked to (exit %d): %s\n", exitBlind, strings.Join(rep.cov.Gaps(), "; "))
	}
	return code
}

// exitStatus is the exit status of a command that produced a result:
// interrupted (130) wins, then findings at or above --fail-on (1), then a
// coverage gap (4: the result could not see all of it), else 0.
func exitStatus(ctx context.Context, cov *cognitomon.Coverage, findings bool) int {
	switch {
	case ctx.Err() != nil:
		return exitInterrupted
	case findings:
		return exitFindings
	case cov != nil && !cov.Complete():
		return exitBlind
	}
	return exitOK
}

// report gathers the report. It returns a report, partial or with coverage
// gaps, whenever one can be made; nil and the error only for bad input or
// when nothing could be read at all.
func (o *reportOptions) report(ctx context.Context, e *env) (*reportJSON, error) {
	in, err := o.input(ctx)
	if err != nil {
		return nil, err
	}
	var baseline *checks.Baseline
	if o.baseline != "" {
		if baseline, err = checks.LoadBaseline(o.baseline); err != nil {
			return nil, usageError{fmt.Errorf("--baseline: %w", err)}
		}
		if in.pool != "" && baseline.UserPool != "" && baseline.UserPool != in.pool {
			return nil, usagef("--baseline: %s was learned for user pool %s, not %s", o.baseline, baseline.UserPool, in.pool)
		}
	}
	rep := &reportJSON{Schema: reportSchema, UserPool: string(in.pool), Findings: []jsonFinding{}}
	if in.inv != nil {
		for _, c := range in.inv.Clients {
			if rep.ClientNames == nil {
				rep.ClientNames = map[string]string{}
			}
			rep.ClientNames[string(c.ID)] = c.Name
		}
	}
	var metrics cognitomon.Coverage
	var stats *cognitomon.Stats
	var quota *cognitomon.QuotaUsage
	if o.trailFiles != "" {
		rep.MetricsOmitted = "read from CloudTrail log files: CloudWatch metrics are not read"
		rep.Source = "files: " + o.trailFiles
		metrics.AddSource(cognitomon.Source{Name: "cloudwatch-metrics", Status: cognitomon.SourceNotAvailable, Reason: "log files are read offline"})
	} else {
		rep.Source = "aws"
		mc := cognitomon.NewMetricsClient(in.cw)
		stats, err = mc.Stats(ctx, cognitomon.StatsInput{UserPool: in.pool, Range: in.scope.Range, Clients: in.scope.Clients})
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil:
			metrics.AddSource(sourceFailure("cloudwatch-metrics", "cloudwatch:GetMetricData", err))
			rep.MetricsOmitted = "the metrics could not be read: " + oneLine(err)
			stats = nil
		default:
			// The metrics' own coverage: their source, the span with
			// data, and a gap when the pool shows no series at all.
			metrics.Merge(stats.Coverage)
			rep.Metrics = toJSONMetrics(stats)
			rep.Metrics.addSignInCaveats(in.inv)
			if qu, err := mc.QuotaUsage(ctx, in.scope.Range); err == nil {
				rep.Metrics.Quota = toJSONQuota(qu)
				quota = qu
				metrics.AddSource(cognitomon.Source{Name: "cloudwatch-usage", Status: cognitomon.SourceRead})
			} else if ctx.Err() == nil {
				metrics.AddSource(sourceFailure("cloudwatch-usage", "cloudwatch:GetMetricData", err))
			}
		}
	}

	det, err := cognitomon.NewDetector(cognitomon.DetectInput{Scope: in.scope, Stats: stats, Quota: quota},
		checks.Builtins(func(b *checks.BuiltinOptions) {
			b.Clock, b.Baseline, b.Configuration = o.now, baseline, in.inv
			b.AccessTokenLifetimes = accessTokenLifetimes(in.inv)
		})...)
	if err != nil {
		return nil, err
	}
	in.scope = det.Scope() // with the clients the metrics saw
	an := newAnalyses()
	an.price = analysis.M2MPrice{PerThousand: o.m2mPrice}
	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now(), span: in.filter.Range}
	// One pass over the events feeds the analyses and every detection,
	// and for the HTML page the events' counts over time.
	consumers := append(an.consumers(), det)
	rep.series = reportSeries{stats: stats}
	if o.format == "html" {
		rep.series.events = newEventSeries()
		consumers = append(consumers, rep.series.events)
	}
	cov, cerr := in.consume(ctx, &o.eventOptions, prog, true, consumers...)
	prog.done()
	if cov == nil {
		return nil, cerr
	}
	if cerr != nil && !errors.Is(cerr, cognitomon.ErrIncomplete) {
		return nil, cerr
	}
	if cov.Partial && ctx.Err() == nil && cov.Read == 0 && rep.Metrics == nil {
		// Nothing at all could be read: no report, the AWS error itself.
		return nil, unwrapIncomplete(cerr)
	}
	if cov.Partial && ctx.Err() == nil {
		// A source failed part way or at once: say which, in the coverage.
		var cause error = cerr
		cov.Sources = append(cov.Sources, sourceFailure(eventSourceName(o.trailFiles), "cloudtrail:LookupEvents", unwrapIncomplete(cause)))
	}
	d, err := det.Result(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	cov = &d.Coverage
	in.finish(cov)
	cov.Merge(metrics)
	rep.cov = cov
	rep.Partial = cov.Partial
	rep.Range = toJSONRange(d.Range)
	rep.Coverage = toJSONCoverage(cov)
	rep.Trail = an.summary(cov.InScope)
	for _, fd := range d.Findings {
		rep.Findings = append(rep.Findings, toJSONFinding(fd))
	}
	rep.Notes = append(rep.Notes, d.Notes...)
	return rep, cerr
}

// accessTokenLifetimes returns the access-token lifetimes of the clients
// whose configuration DescribeUserPoolClient gave, for m2m-token-per-call.
func accessTokenLifetimes(inv *cognitomon.Inventory) map[cognitomon.ClientID]time.Duration {
	if inv == nil {
		return nil
	}
	out := map[cognitomon.ClientID]time.Duration{}
	for _, c := range inv.Clients {
		if c.Described && c.AccessTokenValidity > 0 {
			out[c.ID] = c.AccessTokenValidity
		}
	}
	return out
}

// eventSourceName names the events' source in the coverage.
func eventSourceName(files string) string {
	if files != "" {
		return "cloudtrail-files"
	}
	return "cloudtrail-lookup"
}

// unwrapIncomplete returns the cause inside Consume's ErrIncomplete error.
func unwrapIncomplete(err error) error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range u.Unwrap() {
			if !errors.Is(e, cognitomon.ErrIncomplete) {
				return e
			}
		}
	}
	return err
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }

// analyses are the CloudTrail analyses of a report, fed in one pass.
type analyses struct {
	failures    *analysis.FailureAnalyzer
	enumeration *analysis.EnumerationAnalyzer
	resets      *analysis.PasswordResetAnalyzer
	mfa         *analysis.MFAAnalyzer
	refresh     *analysis.RefreshAnalyzer
	m2m         *analysis.M2MAnalyzer
	admin       *analysis.AdminChangeAnalyzer
	traffic     *analysis.TrafficAnalyzer
	// price is the M2M price for the cost column; zero means the default.
	price analysis.M2MPrice
}

func newAnalyses() *analyses {
	return &analyses{
		failures: analysis.NewFailureAnalyzer(), enumeration: analysis.NewEnumerationAnalyzer(),
		resets: analysis.NewPasswordResetAnalyzer(), mfa: analysis.NewMFAAnalyzer(),
		refresh: analysis.NewRefreshAnalyzer(time.Hour), m2m: analysis.NewM2MAnalyzer(),
		admin: analysis.NewAdminChangeAnalyzer(), traffic: analysis.NewTrafficAnalyzer(),
	}
}

func (a *analyses) consumers() []cognitomon.Consumer {
	return []cognitomon.Consumer{a.failures, a.enumeration, a.resets, a.mfa, a.refresh, a.m2m, a.admin, a.traffic}
}
