// Command cognitomon reports what is happening inside Amazon Cognito user
// pools: failure figures from CloudWatch metrics, the CloudTrail events behind
// them, canned Logs Insights queries, alarms as code, and the findings of the
// built-in detections.
//
// Usage:
//
//	cognitomon demo                      # the whole tool on a simulated pool, no AWS account needed
//	cognitomon report --user-pool ID     # metrics, CloudTrail summaries and findings (--format text|json|html)
//	cognitomon events --user-pool ID     # CloudTrail events as JSON lines
//	cognitomon query list|show|run       # canned Logs Insights queries
//	cognitomon alarms plan|apply|export|backtest
//	cognitomon baseline --user-pool ID --out FILE   # learn normal from last week, for report --baseline
//	cognitomon doctor --user-pool ID     # what the account can see, blind checks, posture, fixes
//	cognitomon dashboard plan|apply|export   # the pool's CloudWatch dashboard as code
//
// Run "cognitomon <command> -h" for a command's flags. AWS configuration
// comes from the standard chain: AWS_PROFILE, AWS_REGION, --profile,
// --region, and AWS_ENDPOINT_URL or the service-specific endpoint variables.
//
// Exit status: 0 when all is well and all was seen, 1 when a finding at or
// above --fail-on exists, 2 for a usage error, 3 for an AWS or input error
// that left nothing to report, 4 when the result could not see all of it
// (nothing in scope, a range without data, a source that failed or was
// denied, unreadable files or records, unattributed events), 130 when
// interrupted (what was read so far is reported, marked partial). When
// several apply, 130 wins over 1, and 1 over 4.
package main

import (
	"context"
	"time"

	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFindings    = 1
	exitUsage       = 2
	exitFailure     = 3
	exitBlind       = 4
	exitInterrupted = 130
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) int
}

func commands() map[string]command {
	return map[string]command{
		"demo":      {"run report, a canned query and an alarm plan and backtest on a simulated pool", runDemo},
		"report":    {"failure figures, CloudTrail summaries and findings for a pool and a range (text, JSON or HTML)", runReport},
		"events":    {"the filtered CloudTrail event stream as JSON lines", runEvents},
		"query":     {"list, show or run the canned Logs Insights queries", runQuery},
		"alarms":    {"plan, apply, export or backtest the pool's standard alarms", runAlarms},
		"dashboard": {"plan, apply or export the pool's CloudWatch dashboard", runDashboard},
		"baseline":  {"learn what normal looks like from a past range, for report --baseline", runBaseline},
		"doctor":    {"what the account can see of a pool, which checks can run, posture and fixes", runDoctor},
	}
}

// env is what a command reads and writes besides its arguments.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// awsConfig and now, when set, replace the standard AWS configuration
	// chain and the clock: the demo points the commands at its fake.
	awsConfig func() aws.Config
	now       func() time.Time
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	os.Exit(run(ctx, e, os.Args[1:]))
}

func run(ctx context.Context, e *env, args []string) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "cognitomon: unknown command %q\n", args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: cognitomon <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'cognitomon <command> -h' for its flags. "+strings.TrimSpace(`
Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage error,
3 AWS or input error, 130 interrupted.`))
}
