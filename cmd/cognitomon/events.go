package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/cognitomon/cognitomon"
)

// eventOptions are the flags that select events.
type eventOptions struct {
	options
	trailFiles string
	names      string
	kinds      string
	errorCodes string
	ips        string
	failures   bool
	quiet      bool
	rangeSet   bool // whether --since, --start or --end was given
	rate       float64
}

func (o *eventOptions) flags(fs *flag.FlagSet) {
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.rangeFlags(fs, 24*time.Hour)
	fs.StringVar(&o.trailFiles, "trail-files", "", "read CloudTrail log files (a file or a directory tree, .json.gz or .json) instead of LookupEvents")
	fs.StringVar(&o.names, "names", "", "comma-separated event names (InitiateAuth,Token_POST ...)")
	fs.StringVar(&o.kinds, "kinds", "", "comma-separated event kinds (SignIn,TokenRefresh,SignUp,PasswordReset,MFA,M2MToken,Federation,AdminChange,Other)")
	fs.StringVar(&o.errorCodes, "error-codes", "", "comma-separated error codes (NotAuthorizedException ...)")
	fs.StringVar(&o.ips, "ips", "", "comma-separated source IPs")
	fs.BoolVar(&o.failures, "failures", false, "only failed and throttled requests")
	o.lookupFlags(fs)
}

func (o *eventOptions) lookupFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.quiet, "quiet", false, "no progress on standard error")
	fs.Float64Var(&o.rate, "lookup-rate", 2, "LookupEvents requests per second; AWS allows 2 per account and Region, so raise it only against a test endpoint")
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// filter builds the event filter from the flags. The pool is matched by
// scope, not by EventFilter.UserPoolID: see scope.
func (o *eventOptions) filter(r cognitomon.TimeRange) (cognitomon.EventFilter, error) {
	f := cognitomon.EventFilter{Names: split(o.names), ErrorCodes: split(o.errorCodes), SourceIPs: split(o.ips), FailuresOnly: o.failures}
	if o.trailFiles == "" || o.rangeSet {
		f.Range = r
	}
	for _, k := range split(o.kinds) {
		kind, err := cognitomon.ParseEventKind(k)
		if err != nil {
			return f, usageError{err}
		}
		f.Kinds = append(f.Kinds, kind)
	}
	clients, err := o.clientIDs()
	if err != nil {
		return f, err
	}
	f.ClientIDs = clients
	if err := f.Validate(); err != nil {
		return f, usageError{err}
	}
	return f, nil
}

// scope decides which events belong to the pool. An event that names a pool
// belongs to it when it names this one. An API call such as InitiateAuth may
// name only its app client (whether AWS records the pool is unverified,
// FACTS.md 8.5), so such an event belongs to the pool when it names one of
// the pool's clients.
type scope struct {
	pool    cognitomon.UserPoolID
	clients map[cognitomon.ClientID]bool
}

func (s scope) match(e cognitomon.Event) bool {
	if s.pool == "" {
		return true
	}
	if e.UserPoolID != "" {
		return e.UserPoolID == s.pool
	}
	return s.clients[e.ClientID]
}

// newScope finds the pool's clients: --clients, else those its metrics
// list. Without any, events that name no pool cannot be attributed and are
// left out, which the user is told.
func newScope(ctx context.Context, e *env, o *options, pool cognitomon.UserPoolID, cw *cloudwatch.Client) (scope, error) {
	s := scope{pool: pool, clients: map[cognitomon.ClientID]bool{}}
	ids, err := o.clientIDs()
	if err != nil {
		return s, err
	}
	if ids == nil && cw != nil {
		if ids, err = cognitomon.NewMetricsClient(cw).Clients(ctx, pool); err != nil {
			return s, fmt.Errorf("finding the pool's app clients: %w", err)
		}
	}
	for _, id := range ids {
		s.clients[id] = true
	}
	if len(ids) == 0 && pool != "" {
		fmt.Fprintln(e.stderr, "note: no app clients known for the pool; API calls that name only a client (InitiateAuth ...) are left out: pass --clients")
	}
	return s, nil
}

// eventSource yields the selected events of the pool: from log files, or
// from LookupEvents with progress on standard error, newest first, or oldest
// first (an hour at a time) for the detections, whose windows want time
// order. Errors are passed on for the caller to judge; a *ReadError about one
// record lets the sequence go on.
func eventSource(ctx context.Context, o *eventOptions, f cognitomon.EventFilter, sc scope, ct *cloudtrail.Client, prog *progress, oldestFirst bool) iter.Seq2[cognitomon.Event, error] {
	var src iter.Seq2[cognitomon.Event, error]
	switch {
	case o.trailFiles != "":
		src = readFiles(o.trailFiles)
	default:
		tc := cognitomon.NewTrailClient(countingTrail{api: ct, prog: prog}, func(t *cognitomon.TrailOptions) {
			t.RequestsPerSecond = o.rate
			if o.now != nil {
				t.Clock = o.now
			}
		})
		if oldestFirst {
			src = cognitomon.OldestFirst(ctx, tc, f, time.Hour)
		} else {
			src = tc.Events(ctx, f)
		}
	}
	return func(yield func(cognitomon.Event, error) bool) {
		for ev, err := range src {
			if err != nil {
				if !yield(ev, err) {
					return
				}
				continue
			}
			if ctx.Err() != nil {
				yield(cognitomon.Event{}, ctx.Err())
				return
			}
			if !f.Match(ev) || !sc.match(ev) {
				continue
			}
			prog.events.Add(1)
			if !yield(ev, nil) {
				return
			}
		}
	}
}

// isRecordError reports whether err concerns one unreadable record, after
// which reading goes on, rather than the source as a whole.
func isRecordError(ctx context.Context, err error) bool {
	var re *cognitomon.ReadError
	return errors.As(err, &re) && ctx.Err() == nil
}

// readFiles reads a log file or a directory tree of them.
func readFiles(path string) iter.Seq2[cognitomon.Event, error] {
	info, err := os.Stat(path)
	if err != nil {
		return func(yield func(cognitomon.Event, error) bool) { yield(cognitomon.Event{}, err) }
	}
	root, name := path, "."
	if !info.IsDir() {
		root, name = filepath.Dir(path), filepath.Base(path)
	}
	return cognitomon.ReadEventFiles(os.DirFS(root), name)
}

// jsonEvent is an event as `events` and report JSON write it
// (docs/json-output.md, schema cognitomon.event/v1).
type jsonEvent struct {
	Time         time.Time `json:"time"`
	EventID      string    `json:"eventId"`
	Name         string    `json:"name"`
	Type         string    `json:"type"`
	Kind         string    `json:"kind"`
	Outcome      string    `json:"outcome"`
	ErrorCode    string    `json:"errorCode,omitempty"`
	ErrorMessage string    `json:"errorMessage,omitempty"`
	SourceIP     string    `json:"sourceIp,omitempty"`
	UserAgent    string    `json:"userAgent,omitempty"`
	UserPoolID   string    `json:"userPoolId,omitempty"`
	ClientID     string    `json:"clientId,omitempty"`
	AuthFlow     string    `json:"authFlow,omitempty"`
	GrantType    string    `json:"grantType,omitempty"`
	Sub          string    `json:"sub,omitempty"`
	HTTPStatus   int       `json:"httpStatus,omitempty"`
	CallerARN    string    `json:"callerArn,omitempty"`
	CallerType   string    `json:"callerType,omitempty"`
	Region       string    `json:"region,omitempty"`
	Account      string    `json:"account,omitempty"`
}

func toJSONEvent(ev cognitomon.Event) jsonEvent {
	return jsonEvent{
		Time: ev.Time.UTC(), EventID: ev.EventID, Name: ev.Name, Type: string(ev.Type), Kind: ev.Kind().String(), Outcome: ev.Outcome().String(),
		ErrorCode: ev.ErrorCode, ErrorMessage: ev.ErrorMessage, SourceIP: ev.SourceIP, UserAgent: ev.UserAgent,
		UserPoolID: string(ev.UserPoolID), ClientID: string(ev.ClientID), AuthFlow: ev.AuthFlow, GrantType: ev.GrantType, Sub: ev.Sub,
		HTTPStatus: ev.HTTPStatus, CallerARN: ev.CallerARN, CallerType: ev.CallerType, Region: ev.Region, Account: ev.Account,
	}
}

func runEvents(ctx context.Context, e *env, args []string) int {
	var o eventOptions
	fs := newFlagSet("events", "events --user-pool ID [--since 24h | --start T --end T] [filters] [--trail-files DIR]", e)
	o.flags(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.inherit(e)
	o.rangeSet = flagsSet(fs, "since", "start", "end")
	return o.events(ctx, e)
}

// flagsSet reports whether any of the named flags was given.
func flagsSet(fs *flag.FlagSet, names ...string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		for _, n := range names {
			set = set || f.Name == n
		}
	})
	return set
}

// source sets up where events come from: the pool and its scope, the
// filter, and the CloudTrail client (nil for log files). With log files the
// pool is optional and AWS is not called.
func (o *eventOptions) source(ctx context.Context, e *env) (cognitomon.UserPoolID, cognitomon.EventFilter, scope, *cloudtrail.Client, *cloudwatch.Client, error) {
	var pool cognitomon.UserPoolID
	var err error
	if o.trailFiles == "" || o.userPool != "" {
		if pool, err = o.pool(); err != nil {
			return "", cognitomon.EventFilter{}, scope{}, nil, nil, err
		}
	}
	r, err := o.timeRange()
	if err != nil {
		return "", cognitomon.EventFilter{}, scope{}, nil, nil, err
	}
	f, err := o.filter(r)
	if err != nil {
		return "", cognitomon.EventFilter{}, scope{}, nil, nil, err
	}
	if o.trailFiles != "" {
		sc, err := newScope(ctx, e, &o.options, pool, nil)
		return pool, f, sc, nil, nil, err
	}
	cfg, err := o.config(ctx, pool)
	if err != nil {
		return "", cognitomon.EventFilter{}, scope{}, nil, nil, err
	}
	cw := cloudwatch.NewFromConfig(cfg)
	sc, err := newScope(ctx, e, &o.options, pool, cw)
	return pool, f, sc, newCloudTrail(cfg), cw, err
}

func (o *eventOptions) events(ctx context.Context, e *env) int {
	_, f, sc, ct, _, err := o.source(ctx, e)
	if err != nil {
		return fail(e, "events", err)
	}
	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now()}
	enc := json.NewEncoder(e.stdout)
	n, bad := 0, 0
	for ev, err := range eventSource(ctx, o, f, sc, ct, prog, false) {
		if err != nil {
			if isRecordError(ctx, err) {
				bad++ // a corrupt record: say so, and go on
				fmt.Fprintln(e.stderr, "cognitomon events:", err)
				continue
			}
			prog.done()
			if ctx.Err() != nil {
				fmt.Fprintf(e.stderr, "cognitomon events: interrupted after %d events; the output is partial\n", n)
				return exitInterrupted
			}
			return fail(e, "events", err)
		}
		if err := enc.Encode(toJSONEvent(ev)); err != nil {
			return fail(e, "events", err)
		}
		n++
	}
	prog.done()
	if bad > 0 {
		fmt.Fprintf(e.stderr, "cognitomon events: %d records could not be read (above); the output lacks them\n", bad)
		return exitFailure
	}
	return exitOK
}
