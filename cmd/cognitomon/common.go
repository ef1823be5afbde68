package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
)

// options are the flags the commands share.
type options struct {
	region, profile string
	format          string
	userPool        string
	clients         string
	since           time.Duration
	start, end      string

	// awsConfig, when set, replaces the standard chain: the demo points the
	// commands at its HTTP fake with it.
	awsConfig func() aws.Config
	// now is the clock; time.Now unless the demo or a test sets it.
	now func() time.Time
	// stderr takes the notes the user should see, such as a Region
	// replaced by the pool's.
	stderr io.Writer
}

// inherit takes the demo's overrides from the environment.
func (o *options) inherit(e *env) {
	o.awsConfig, o.now, o.stderr = e.awsConfig, e.now, e.stderr
}

func newFlagSet(name, synopsis string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("cognitomon "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: cognitomon %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func (o *options) awsFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.region, "region", "", "AWS Region (default: AWS_REGION, the profile's, else the pool ID's)")
	fs.StringVar(&o.profile, "profile", "", "shared-config profile (default: AWS_PROFILE)")
}

func (o *options) poolFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.userPool, "user-pool", "", "user pool ID, such as us-east-1_AbCdEf123 (required)")
	fs.StringVar(&o.clients, "clients", "", "comma-separated app client IDs (default: discovered)")
}

func (o *options) rangeFlags(fs *flag.FlagSet, def time.Duration) {
	fs.DurationVar(&o.since, "since", def, "report on this much time before now")
	fs.StringVar(&o.start, "start", "", "start of the range, RFC 3339 (instead of --since)")
	fs.StringVar(&o.end, "end", "", "end of the range, RFC 3339 (default: now)")
}

func (o *options) formatFlag(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "output format: text or json (docs/json-output.md)")
}

// reportFormatFlag is formatFlag for the report, which also writes HTML.
func (o *options) reportFormatFlag(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "output format: text, json (docs/json-output.md) or html (one self-contained page, charts as inline SVG)")
}

// validateReportFormat is validateFormat for the report.
func (o *options) validateReportFormat() error {
	if o.format != "html" {
		if err := o.validateFormat(); err != nil {
			return usagef("--format %q: want text, json or html", o.format)
		}
	}
	return nil
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// parse parses args, reporting -h as a clean exit.
func parse(fs *flag.FlagSet, args []string) (exit int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	return 0, true
}

func (o *options) clock() time.Time {
	if o.now != nil {
		return o.now()
	}
	return time.Now()
}

func (o *options) validateFormat() error {
	if o.format != "text" && o.format != "json" {
		return usagef("--format %q: want text or json", o.format)
	}
	return nil
}

func (o *options) pool() (cognitomon.UserPoolID, error) {
	if o.userPool == "" {
		return "", usagef("--user-pool is required")
	}
	id, err := cognitomon.ParseUserPoolID(o.userPool)
	if err != nil {
		return "", usageError{err}
	}
	return id, nil
}

func (o *options) clientIDs() ([]cognitomon.ClientID, error) {
	if o.clients == "" {
		return nil, nil
	}
	var out []cognitomon.ClientID
	for _, s := range strings.Split(o.clients, ",") {
		id, err := cognitomon.ParseClientID(strings.TrimSpace(s))
		if err != nil {
			return nil, usageError{err}
		}
		out = append(out, id)
	}
	return out, nil
}

func (o *options) timeRange() (cognitomon.TimeRange, error) {
	now := o.clock().UTC()
	if o.start == "" {
		if o.end != "" {
			return cognitomon.TimeRange{}, usagef("--end needs --start")
		}
		if o.since <= 0 {
			return cognitomon.TimeRange{}, usagef("--since must be positive")
		}
		return cognitomon.Last(o.since, now), nil
	}
	start, err := time.Parse(time.RFC3339, o.start)
	if err != nil {
		return cognitomon.TimeRange{}, usagef("--start: %v", err)
	}
	end := now
	if o.end != "" {
		if end, err = time.Parse(time.RFC3339, o.end); err != nil {
			return cognitomon.TimeRange{}, usagef("--end: %v", err)
		}
	}
	r, err := cognitomon.NewTimeRange(start, end)
	if err != nil {
		return cognitomon.TimeRange{}, usageError{err}
	}
	return r, nil
}

// config loads the AWS configuration from the standard chain (or the demo's
// override), with --region and --profile. A pool lives in the Region its ID
// names (FACTS.md 1.1), so with a pool the Region is always the pool's: a
// configured Region that differs is replaced, with a note on standard error
// naming both, rather than reading nothing from the wrong Region.
func (o *options) config(ctx context.Context, pool cognitomon.UserPoolID) (aws.Config, error) {
	if o.awsConfig != nil {
		cfg := o.awsConfig()
		o.poolRegion(&cfg, pool)
		return cfg, nil
	}
	var opts []func(*config.LoadOptions) error
	if o.region != "" {
		opts = append(opts, config.WithRegion(o.region))
	}
	if o.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	o.poolRegion(&cfg, pool)
	return cfg, nil
}

// poolRegion sets cfg's Region to the pool's, noting a replaced one.
func (o *options) poolRegion(cfg *aws.Config, pool cognitomon.UserPoolID) {
	if pool == "" || cfg.Region == pool.Region() {
		return
	}
	if cfg.Region != "" && o.stderr != nil {
		fmt.Fprintf(o.stderr, "note: the configured Region %s is not the Region of user pool %s; using %s\n", cfg.Region, pool, pool.Region())
	}
	cfg.Region = pool.Region()
}

// iamActions maps the SDK's service IDs to IAM's action prefixes.
var iamActions = map[string]string{"CloudWatch": "cloudwatch", "CloudTrail": "cloudtrail", "CloudWatch Logs": "logs", "Cognito Identity Provider": "cognito-idp"}

// explain turns err into the one-line message and exit status the user
// gets. policy names the IAM policy document of the command.
func explain(err error, policy string) (string, int) {
	var ue usageError
	var oe *smithy.OperationError
	var ae smithy.APIError
	var mr *aws.MissingRegionError
	msg := err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted", exitInterrupted
	case errors.As(err, &ue):
		return msg, exitUsage
	case errors.As(err, &mr):
		return "no AWS Region: set AWS_REGION or pass --region", exitFailure
	case strings.Contains(msg, "get credentials") || strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "failed to refresh cached credentials"):
		return "no usable AWS credentials: set AWS_PROFILE (and run 'aws sso login' for SSO profiles) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile", exitFailure
	case errors.As(err, &ae) && isAccessDenied(ae.ErrorCode()):
		action := "the action it called"
		if errors.As(err, &oe) {
			if p, ok := iamActions[oe.ServiceID]; ok {
				action = p + ":" + oe.OperationName
			}
		}
		return fmt.Sprintf("access denied: the caller needs %s (the least-privilege policy is docs/iam/%s.json): %s", action, policy, ae.ErrorMessage()), exitFailure
	case errors.As(err, &ae) && isBadToken(ae.ErrorCode()):
		return fmt.Sprintf("AWS rejected the credentials (%s): refresh them, or check the Region (--region) and the account", ae.ErrorCode()), exitFailure
	case errors.Is(err, cognitomon.ErrThrottled):
		return msg + " (AWS kept throttling: try again later, or over a shorter range)", exitFailure
	}
	return msg, exitFailure
}

func isAccessDenied(code string) bool {
	switch code {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess":
		return true
	}
	return false
}

func isBadToken(code string) bool {
	switch code {
	case "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "InvalidSignatureException", "SignatureDoesNotMatch":
		return true
	}
	return false
}

// fail reports err on standard error and returns its exit status; the IAM
// policy it points to is the command's own.
func fail(e *env, cmd string, err error) int { return failWith(e, cmd, cmd, err) }

// failWith is fail for a command whose policy has another name.
func failWith(e *env, cmd, policy string, err error) int {
	msg, code := explain(err, policy)
	fmt.Fprintf(e.stderr, "cognitomon %s: %s\n", cmd, msg)
	return code
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// jsonRange is a time range as JSON output carries it.
type jsonRange struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func toJSONRange(r cognitomon.TimeRange) jsonRange { return jsonRange{r.Start.UTC(), r.End.UTC()} }

// confirmApply asks on stderr whether to apply the plan just printed,
// unless yes (--yes) says so already, and reads the answer from stdin.
// Anything but "yes" is a refusal, said on stderr: ok false with a nil
// error. No answer at all (stdin closed) is a usage error, so that a cron
// job without --yes fails instead of applying nothing quietly.
func confirmApply(e *env, yes bool) (ok bool, err error) {
	if yes {
		return true, nil
	}
	fmt.Fprint(e.stderr, "apply these changes? type yes: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false, usagef("no answer on standard input: pass --yes to apply without asking")
	}
	if strings.TrimSpace(line) != "yes" {
		fmt.Fprintln(e.stderr, "not applied")
		return false, nil
	}
	return true, nil
}

// subcommand reads the subcommand of a command with subcommands (alarms,
// dashboard, query): its name, or, when args hold none or ask for help,
// the usage on stderr and the exit status to return (2 without arguments,
// 0 for -h). An unknown subcommand is a usage error naming the known ones.
func subcommand(e *env, cmd, synopsis string, args []string, known ...string) (sub string, code int, ok bool) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(e.stderr, "usage: cognitomon %s\n", synopsis)
		if len(args) == 0 {
			return "", exitUsage, false
		}
		return "", exitOK, false
	}
	if !slices.Contains(known, args[0]) {
		want := strings.Join(known[:len(known)-1], ", ") + " or " + known[len(known)-1]
		return "", fail(e, cmd, usagef("unknown %s subcommand %q: want %s", cmd, args[0], want)), false
	}
	return args[0], 0, true
}
