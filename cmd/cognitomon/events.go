package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

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

func (o *eventOptions) events(ctx context.Context, e *env) int {
	in, err := o.input(ctx)
	if err != nil {
		return fail(e, "events", err)
	}
	prog := &progress{w: e.stderr, quiet: o.quiet, start: time.Now(), span: in.filter.Range}
	enc := json.NewEncoder(e.stdout)
	var werr error
	print := consumerFunc(func(ev cognitomon.Event) {
		if werr == nil {
			werr = enc.Encode(toJSONEvent(ev))
		}
	})
	cov, err := in.consume(ctx, o, prog, false, print)
	prog.done()
	if cov != nil {
		in.finish(cov)
	}
	switch {
	case cov == nil:
		return fail(e, "events", err)
	case werr != nil:
		return fail(e, "events", werr)
	case ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "cognitomon events: interrupted after %d events; the output is partial\n", cov.InScope)
		return exitInterrupted
	case cov.Partial && cov.Read == 0:
		// Nothing was read: the source itself failed.
		return fail(e, "events", unwrapIncomplete(err))
	}
	if cov.Partial {
		fmt.Fprintf(e.stderr, "cognitomon events: %s\n", oneLine(unwrapIncomplete(err)))
	}
	for _, n := range cov.Notes {
		fmt.Fprintf(e.stderr, "cognitomon events: note: %s\n", n)
	}
	fmt.Fprintf(e.stderr, "cognitomon events: %d events read, %d in scope and written, %d outside the range, %d of other pools, %d unattributed, %d unreadable records, %d unreadable files\n",
		cov.Read, cov.InScope, cov.OutsideRange, cov.OtherPools, cov.Unattributed, cov.UnreadableRecords, cov.Files.Unreadable)
	return exitStatus(ctx, cov, false)
}

// consumerFunc adapts a function to cognitomon.Consumer.
type consumerFunc func(cognitomon.Event)

func (f consumerFunc) Add(e cognitomon.Event) { f(e) }
