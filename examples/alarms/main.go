// Command alarms keeps a user pool's standard CloudWatch alarms in place as
// code: it defines them (sign-in failure rate with a minimum-volume guard,
// sign-in throttles, token-refresh failures, sign-up and federation failure
// rates, and, given the CloudTrail log group, risky admin changes and M2M
// token spikes), prints the plan against what exists, applies it, replays
// each alarm over the pool's recent history, and prints the same alarms as a
// CloudFormation template.
//
// Without -user-pool it runs against a simulated pool with a day of ordinary
// traffic and a credential-stuffing burst, served by the cognitomontest HTTP
// fake, through the real CloudWatch and CloudWatch Logs clients; it applies
// the plan and plans again to show that nothing is left to do. With
// -user-pool it only plans, unless -apply is given:
//
//	go run ./examples/alarms
//	go run ./examples/alarms -user-pool us-east-1_AbCdEf123 -trail-log-group aws-cloudtrail-logs-123 -sns-topic arn:aws:sns:...
//	go run ./examples/alarms -user-pool us-east-1_AbCdEf123 -apply
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// options are the command's flags.
type options struct {
	pool     string
	region   string
	since    time.Duration
	clients  string
	logGroup string
	topic    string
	apply    bool
	template string // "-" for standard output, "" for none
}

func main() {
	os.Exit(cli(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// cli parses args and runs the command: exit status 0 on success, 1 on a
// failure, 2 on a usage error (unknown flags, stray arguments).
func cli(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("alarms", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.pool, "user-pool", "", "user pool ID; empty runs against a simulated pool")
	fs.StringVar(&o.region, "region", "", "AWS Region (default: from the environment, else the pool's)")
	fs.DurationVar(&o.since, "since", 24*time.Hour, "backtest the alarms over this much time before now")
	fs.StringVar(&o.clients, "clients", "", "comma-separated app client IDs (default: discover with ListMetrics)")
	fs.StringVar(&o.logGroup, "trail-log-group", "", "CloudWatch Logs group of the CloudTrail trail; empty leaves out the admin-change and M2M alarms")
	fs.StringVar(&o.topic, "sns-topic", "", "SNS topic ARN to notify on ALARM")
	fs.BoolVar(&o.apply, "apply", false, "apply the plan to a real pool (the simulated pool is always applied)")
	fs.StringVar(&o.template, "template", "-", `write the CloudFormation template here ("-": standard output, "": nowhere)`)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "alarms: unexpected arguments %q: every option is a flag\n", fs.Args())
		fs.Usage()
		return 2
	}
	if err := run(ctx, stdout, o); err != nil {
		fmt.Fprintln(stderr, "alarms:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, w io.Writer, o options) error {
	now := time.Now().UTC()
	if o.pool != "" {
		if _, err := cognitomon.ParseUserPoolID(o.pool); err != nil {
			return err
		}
	}
	var cfg aws.Config
	if o.pool == "" {
		sim := cognitomontest.NewPool("us-east-1_DemoPool1")
		cognitomontest.SimulateTraffic(sim, cognitomon.Last(o.since, now), cognitomontest.TrafficOptions{Seed: 1})
		burst := now.Add(-o.since / 4).Truncate(5 * time.Minute)
		credentialStuffing(sim, cognitomontest.DefaultClients()[0].ID, burst)
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{sim})
		defer srv.Close()
		cfg = srv.AWSConfig()
		o.pool, o.apply = string(sim.ID()), true
		if o.logGroup == "" {
			o.logGroup = "aws-cloudtrail-logs-cognitomon" // the fake's trail log group
		}
		fmt.Fprintf(w, "(simulated pool %s served on %s, with a credential-stuffing burst at %s; pass -user-pool for a real one)\n\n",
			o.pool, srv.URL, burst.Format("15:04 MST"))
	} else {
		var opts []func(*config.LoadOptions) error
		if o.region != "" {
			opts = append(opts, config.WithRegion(o.region))
		}
		var err error
		if cfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return err
		}
		if cfg.Region == "" {
			cfg.Region = cognitomon.UserPoolID(o.pool).Region()
		}
	}
	pool, err := cognitomon.ParseUserPoolID(o.pool)
	if err != nil {
		return err
	}
	cw := cloudwatch.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)

	in, err := clientsOf(ctx, cw, pool, o, now)
	if err != nil {
		return err
	}
	alarms, err := cognitomon.StandardAlarms(in, func(d *cognitomon.DefinitionOptions) {
		if o.topic != "" {
			d.AlarmActions = []string{o.topic}
		}
	})
	if err != nil {
		return err
	}

	m := cognitomon.NewAlarmManager(cw, logs, pool)
	plan, err := m.Plan(ctx, alarms)
	if err != nil {
		return err
	}
	fmt.Fprint(w, plan)
	if o.apply && plan.HasChanges() {
		if err := m.Apply(ctx, plan); err != nil {
			return err
		}
		fmt.Fprintln(w, "applied.")
		if plan, err = m.Plan(ctx, alarms); err != nil {
			return err
		}
		fmt.Fprint(w, "\nplanning again: ", plan)
	} else if plan.HasChanges() {
		fmt.Fprintln(w, "(not applied; pass -apply)")
	}

	fmt.Fprintf(w, "\nbacktest over the last %s:\n", strings.TrimSuffix(strings.TrimSuffix(o.since.String(), "0s"), "0m"))
	for _, a := range alarms {
		name := strings.TrimPrefix(a.Name, m.Prefix())
		bt, err := a.Backtest(ctx, cw, cognitomon.Last(o.since, now))
		if errors.Is(err, cognitomon.ErrNotBacktestable) {
			fmt.Fprintf(w, "  %-25s not backtestable: its metric-filter metric has no history yet\n", name)
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %-25s %d page(s)", name, bt.Pages())
		for _, s := range bt.AlarmSpans {
			fmt.Fprintf(w, "; ALARM %s-%s", s.Start.Format("Jan 2 15:04"), s.End.Format("15:04"))
		}
		fmt.Fprintln(w)
	}

	if o.template == "" {
		return nil
	}
	tmpl, err := cognitomon.CloudFormationTemplate(alarms)
	if err != nil {
		return err
	}
	if o.template != "-" {
		if err := os.WriteFile(o.template, tmpl, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(w, "\nCloudFormation template written to %s\n", o.template)
		return nil
	}
	fmt.Fprintf(w, "\nthe same alarms as a CloudFormation template:\n%s", tmpl)
	return nil
}

// clientsOf returns what StandardAlarms needs: the -clients flag, or the
// pool's clients and identity providers as ListMetrics finds them.
func clientsOf(ctx context.Context, cw *cloudwatch.Client, pool cognitomon.UserPoolID, o options, now time.Time) (cognitomon.StandardAlarmsInput, error) {
	in := cognitomon.StandardAlarmsInput{UserPool: pool, TrailLogGroup: o.logGroup}
	if o.clients != "" {
		for _, c := range strings.Split(o.clients, ",") {
			id, err := cognitomon.ParseClientID(strings.TrimSpace(c))
			if err != nil {
				return in, err
			}
			in.Clients = append(in.Clients, id)
		}
		return in, nil
	}
	st, err := cognitomon.NewMetricsClient(cw).Stats(ctx, cognitomon.StatsInput{
		UserPool: pool, Range: cognitomon.Last(min(o.since, 14*24*time.Hour), now),
		Flows: []cognitomon.Flow{cognitomon.SignIn, cognitomon.Federation},
	})
	if err != nil {
		return in, fmt.Errorf("discovering the pool's clients: %w", err)
	}
	for _, c := range st.Flow(cognitomon.SignIn).Clients {
		if !c.Client.IsPseudo() {
			in.Clients = append(in.Clients, c.Client)
		}
	}
	fed := st.Flow(cognitomon.Federation)
	for _, c := range fed.Clients {
		in.FederationClients = append(in.FederationClients, c.Client)
	}
	for _, p := range fed.Providers {
		in.IdentityProviders = append(in.IdentityProviders, p.Provider)
	}
	if len(in.Clients) == 0 {
		return in, fmt.Errorf("no sign-in traffic found for %s; pass -clients", pool)
	}
	return in, nil
}

// credentialStuffing records three five-minute periods of 200 failed
// sign-ins each, from many IPs, against one client.
func credentialStuffing(p *cognitomontest.Pool, client cognitomon.ClientID, start time.Time) {
	var burst []cognitomontest.Attempt
	for i := range 600 {
		burst = append(burst, cognitomontest.Attempt{
			Time: start.Add(time.Duration(i) * 1500 * time.Millisecond), Flow: cognitomon.SignIn, Client: client,
			User: fmt.Sprintf("victim%04d", i), IP: fmt.Sprintf("198.18.%d.%d", i/250, i%250+1),
			UserAgent: "python-requests/2.32", Outcome: cognitomontest.Failure, ErrorCode: "NotAuthorizedException",
		})
	}
	p.Record(burst...)
}
