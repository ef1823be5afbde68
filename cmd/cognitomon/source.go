package main

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
)

// eventInput is where a command's events come from and what is in scope:
// the pool, its known app clients and Region, the range, and the selection
// flags. It is built once per run by eventOptions.input.
type eventInput struct {
	pool   cognitomon.UserPoolID
	scope  cognitomon.Scope
	filter cognitomon.EventFilter // what the events are; its Range is LookupEvents'
	ct     *cloudtrail.Client     // nil for log files
	cw     *cloudwatch.Client     // nil for log files
	files  cognitomon.FileCounts  // what the log-file reader counted
	// cov holds what is known before the pass: the sources, and how the
	// app clients were found.
	cov cognitomon.Coverage
	// rangeOwn is true for log files read without a range: the report
	// covers the files' own span.
	rangeOwn bool
	// inv is the pool's configuration, when it could be read.
	inv *cognitomon.Inventory
}

// input builds the event input from the flags. With log files the pool is
// optional and AWS is not called; the range applies only when given.
// Otherwise the pool is required, the Region is the pool's (see
// options.config), and the app clients are --clients or, failing that,
// those the pool's metrics list.
func (o *eventOptions) input(ctx context.Context) (*eventInput, error) {
	in := &eventInput{}
	var err error
	if o.trailFiles == "" || o.userPool != "" {
		if in.pool, err = o.pool(); err != nil {
			return nil, err
		}
	}
	r, err := o.timeRange()
	if err != nil {
		return nil, err
	}
	if in.filter, err = o.filter(); err != nil {
		return nil, err
	}
	clients, err := o.clientIDs()
	if err != nil {
		return nil, err
	}
	in.scope = cognitomon.Scope{UserPool: in.pool, Clients: clients}
	if o.trailFiles != "" {
		if _, err := os.Stat(o.trailFiles); err != nil {
			return nil, fmt.Errorf("--trail-files: %w", err)
		}
		in.rangeOwn = !o.rangeSet
		if o.rangeSet {
			in.scope.Range = r
		}
		in.cov.AddSource(cognitomon.Source{Name: "cloudtrail-files", Status: cognitomon.SourceRead, Reason: o.trailFiles})
		return in, nil
	}
	in.scope.Range, in.filter.Range = r, r
	cfg, err := o.config(ctx, in.pool)
	if err != nil {
		return nil, err
	}
	in.cw, in.ct = cloudwatch.NewFromConfig(cfg), newCloudTrail(cfg)
	in.cov.AddSource(cognitomon.Source{Name: "cloudtrail-lookup", Status: cognitomon.SourceRead, Reason: "LookupEvents in " + cfg.Region})
	if clients == nil {
		// The pool's configuration is the authoritative client list, idle
		// clients included; without access to it, fall back to the
		// clients the metrics list, and say which action was denied.
		inv, notes := readInventory(ctx, cfg, in.pool)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		in.cov.Notes = append(in.cov.Notes, notes...)
		if inv != nil {
			in.inv = inv
			for _, action := range sortedKeys(inv.Failures) {
				if strings.HasPrefix(action, "cognito-idp:") {
					in.cov.AddSource(sourceFailure("cognito-config", action, inv.Failures[action]))
				}
			}
			if len(inv.Clients) > 0 {
				clients = inv.ClientIDs()
				in.cov.AddSource(cognitomon.Source{Name: "cognito-config", Status: cognitomon.SourceRead, Reason: fmt.Sprintf("%d app clients", len(clients))})
				clients = append(clients, in.unlistedClients(ctx, inv)...)
				in.scope.Clients = clients
			}
		}
	}
	if clients == nil {
		found, err := cognitomon.NewMetricsClient(in.cw).Clients(ctx, in.pool)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, err
		case err != nil:
			in.cov.AddSource(sourceFailure("cloudwatch-listmetrics", "cloudwatch:ListMetrics", err))
		case len(found) == 0:
			in.cov.Notes = append(in.cov.Notes, fmt.Sprintf("ListMetrics found no AWS/Cognito series for user pool %s in %s: check the pool ID and the Region, whether the pool had traffic in the last 14 days (ListMetrics shows no older series), or pass --clients; API calls that name only an app client cannot be attributed without them", in.pool, cfg.Region))
		}
		in.scope.Clients = found
	}
	return in, nil
}

// unlistedClients returns the app clients that the pool's metrics show
// (ListMetrics) and its configuration does not list, each with a note: a
// deleted client whose metrics remain for two weeks, or one created after
// the configuration was read. Their traffic still counts in the metrics.
// A failed ListMetrics is a source that was not read: the configuration's
// clients stand, and the coverage says what could be missing.
func (in *eventInput) unlistedClients(ctx context.Context, inv *cognitomon.Inventory) []cognitomon.ClientID {
	found, err := cognitomon.NewMetricsClient(in.cw).Clients(ctx, in.pool)
	if err != nil {
		if ctx.Err() == nil {
			in.cov.AddSource(sourceFailure("cloudwatch-listmetrics", "cloudwatch:ListMetrics", err))
			in.cov.Notes = append(in.cov.Notes, "without ListMetrics, app clients deleted in the last two weeks (metrics but no configuration) are not counted")
		}
		return nil
	}
	var extra []cognitomon.ClientID
	for _, id := range found {
		if _, ok := inv.Client(id); ok || id.IsPseudo() {
			continue
		}
		extra = append(extra, id)
		in.cov.Notes = append(in.cov.Notes, fmt.Sprintf("app client %s has AWS/Cognito metrics but the pool's configuration does not list it (deleted, or created since): its traffic is counted", id))
	}
	return extra
}

// sourceFailure describes a source that could not be read: denied, with the
// IAM action, or failed.
func sourceFailure(name, action string, err error) cognitomon.Source {
	msg, _ := explain(err, "report")
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		if p, ok := iamActions[oe.ServiceID]; ok {
			action = p + ":" + oe.OperationName
		}
	}
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) && isAccessDenied(ae.ErrorCode()) {
		return cognitomon.Source{Name: name, Status: cognitomon.SourceDenied, Action: action, Reason: msg}
	}
	return cognitomon.Source{Name: name, Status: cognitomon.SourceFailed, Action: action, Reason: oneLine(errors.New(msg))}
}

// filter builds the selection of events from the flags: what they are,
// never which pool they belong to, which is the scope's question.
func (o *eventOptions) filter() (cognitomon.EventFilter, error) {
	f := cognitomon.EventFilter{Names: split(o.names), ErrorCodes: split(o.errorCodes), SourceIPs: split(o.ips), FailuresOnly: o.failures}
	for _, k := range split(o.kinds) {
		kind, err := cognitomon.ParseEventKind(k)
		if err != nil {
			return f, usageError{err}
		}
		f.Kinds = append(f.Kinds, kind)
	}
	if err := f.Validate(); err != nil {
		return f, usageError{err}
	}
	return f, nil
}

// events yields the selected events, unscoped, for Consume to judge: from
// log files in file order, or from LookupEvents with progress on standard
// error, newest first, or oldest first (an hour at a time) for the
// detections, whose windows want time order.
func (in *eventInput) events(ctx context.Context, o *eventOptions, prog *progress, oldestFirst bool) iter.Seq2[cognitomon.Event, error] {
	var src iter.Seq2[cognitomon.Event, error]
	if o.trailFiles != "" {
		src = readFiles(o.trailFiles, &in.files)
	} else {
		tc := cognitomon.NewTrailClient(countingTrail{api: in.ct, prog: prog}, func(t *cognitomon.TrailOptions) {
			t.RequestsPerSecond = o.rate
			if o.now != nil {
				t.Clock = o.now
			}
		})
		if oldestFirst {
			src = cognitomon.OldestFirst(ctx, tc, in.filter, time.Hour)
		} else {
			src = tc.Events(ctx, in.filter)
		}
	}
	return func(yield func(cognitomon.Event, error) bool) {
		for ev, err := range src {
			if err == nil {
				if !in.filter.Match(ev) {
					continue
				}
				prog.events.Add(1)
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// consume runs one pass over the events for the consumers and returns the
// pass's coverage; finish adds what input knew before it.
func (in *eventInput) consume(ctx context.Context, o *eventOptions, prog *progress, oldestFirst bool, consumers ...cognitomon.Consumer) (*cognitomon.Coverage, error) {
	cov, err := cognitomon.Consume(ctx, in.events(ctx, o, prog, oldestFirst), in.scope, consumers...)
	return cov, err
}

// finish adds to a pass's coverage what input knew before it and what the
// file reader counted.
func (in *eventInput) finish(cov *cognitomon.Coverage) {
	pre := in.cov
	pre.Requested = cov.Requested
	cov.Sources = append(pre.Sources, cov.Sources...)
	cov.Notes = append(pre.Notes, cov.Notes...)
	cov.Files.Files += in.files.Files
	cov.Files.Records += in.files.Records
	cov.Files.OtherServices += in.files.OtherServices
}

// readFiles reads a log file or a directory tree of them, counting files
// and records into counts.
func readFiles(path string, counts *cognitomon.FileCounts) iter.Seq2[cognitomon.Event, error] {
	info, err := os.Stat(path)
	if err != nil {
		return func(yield func(cognitomon.Event, error) bool) { yield(cognitomon.Event{}, err) }
	}
	root, name := path, "."
	if !info.IsDir() {
		root, name = filepath.Dir(path), filepath.Base(path)
	}
	// The command reads no Raw but the admin changes' (LeanRaw keeps theirs).
	return cognitomon.ReadEventFiles(os.DirFS(root), name, func(ro *cognitomon.ReadOptions) { ro.Counts, ro.LeanRaw = counts, true })
}
