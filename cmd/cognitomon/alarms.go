package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/cognitomon/cognitomon"
)

const alarmsSynopsis = `alarms plan|apply|export|backtest --user-pool ID [--clients A,B] [--identity-providers P,Q] [--trail-log-group G] [--sns-topic ARN]
       cognitomon alarms apply ... [--yes]
       cognitomon alarms backtest ... [--since 7d | --start T --end T]`

type alarmOptions struct {
	options
	providers string
	logGroup  string
	topic     string
	yes       bool
}

func runAlarms(ctx context.Context, e *env, args []string) int {
	sub, code, ok := subcommand(e, "alarms", alarmsSynopsis, args, "plan", "apply", "export", "backtest")
	if !ok {
		return code
	}
	var o alarmOptions
	fs := newFlagSet("alarms "+sub, alarmsSynopsis, e)
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.formatFlag(fs)
	fs.StringVar(&o.providers, "identity-providers", "", "comma-separated identity providers, for the federation alarm")
	fs.StringVar(&o.logGroup, "trail-log-group", "", "CloudWatch Logs group of the CloudTrail trail, for the admin-change and M2M alarms (default: the one trail that logs the pool; none: leave them out)")
	fs.StringVar(&o.topic, "sns-topic", "", "SNS topic ARN the alarms notify")
	if sub == "apply" {
		fs.BoolVar(&o.yes, "yes", false, "apply without asking")
	}
	if sub == "backtest" {
		o.rangeFlags(fs, 7*24*time.Hour)
	}
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	o.inherit(e)
	if err := o.validateFormat(); err != nil {
		return fail(e, "alarms", err)
	}
	policy := "alarms-read"
	if sub == "apply" {
		policy = "alarms-apply"
	}
	if err := o.alarms(ctx, e, sub); err != nil {
		return failWith(e, "alarms "+sub, policy, err)
	}
	return exitOK
}

// definitions builds the pool's standard alarms. What --clients and
// --trail-log-group leave out comes from the account (discoverDefaults);
// export with --clients asks AWS nothing.
func (o *alarmOptions) definitions(ctx context.Context, e *env, pool cognitomon.UserPoolID, cfg aws.Config, cw *cloudwatch.Client) ([]cognitomon.Alarm, error) {
	clients, err := o.clientIDs()
	if err != nil {
		return nil, err
	}
	group := o.logGroup
	if cw != nil && (clients == nil || group == "") {
		d, err := discoverDefaults(ctx, e, "alarms", cfg, cw, pool, clients, group)
		if err != nil {
			return nil, err
		}
		clients, group = d.clients, d.logGroup
	}
	if group == noLogGroup {
		group = ""
	}
	if clients == nil {
		return nil, usagef("--clients is required here")
	}
	in := cognitomon.StandardAlarmsInput{UserPool: pool, Clients: clients, IdentityProviders: split(o.providers), TrailLogGroup: group}
	var opts []func(*cognitomon.DefinitionOptions)
	if o.topic != "" {
		opts = append(opts, func(d *cognitomon.DefinitionOptions) { d.AlarmActions = []string{o.topic} })
	}
	alarms, err := cognitomon.StandardAlarms(in, opts...)
	if err != nil {
		return nil, usageError{err}
	}
	return alarms, nil
}

func (o *alarmOptions) alarms(ctx context.Context, e *env, sub string) error {
	pool, err := o.pool()
	if err != nil {
		return err
	}
	var cfg aws.Config
	var cw *cloudwatch.Client
	if sub != "export" || o.clients == "" {
		if cfg, err = o.config(ctx, pool); err != nil {
			return err
		}
		cw = cloudwatch.NewFromConfig(cfg)
	}
	defs, err := o.definitions(ctx, e, pool, cfg, cw)
	if err != nil {
		return err
	}
	switch sub {
	case "export":
		tmpl, err := cognitomon.CloudFormationTemplate(defs)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(tmpl)
		return err
	case "backtest":
		return o.backtest(ctx, e, defs, cw)
	}
	// The Logs client is there even without --trail-log-group: the plan
	// then finds the owned metric filters of alarms it deletes and deletes
	// them too, instead of leaving them behind.
	m := cognitomon.NewAlarmManager(cw, cloudwatchlogs.NewFromConfig(cfg), pool)
	plan, err := m.Plan(ctx, defs)
	if err != nil {
		return err
	}
	if sub == "plan" || !plan.HasChanges() {
		return o.printPlan(e, plan)
	}
	fmt.Fprint(e.stdout, plan.String())
	if ok, err := confirmApply(e, o.yes); !ok {
		return err
	}
	if err := m.Apply(ctx, plan); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "applied")
	return nil
}

// jsonPlan is `alarms plan --format json` (schema cognitomon.alarm-plan/v1).
type jsonPlan struct {
	Schema    string       `json:"schema"`
	Prefix    string       `json:"prefix"`
	Creates   []jsonChange `json:"creates"`
	Updates   []jsonChange `json:"updates"`
	Deletes   []jsonChange `json:"deletes"`
	Unchanged []jsonChange `json:"unchanged"`
}

type jsonChange struct {
	Resource string   `json:"resource"`
	Name     string   `json:"name"`
	LogGroup string   `json:"logGroup,omitempty"`
	Diffs    []string `json:"diffs,omitempty"`
}

func toJSONChanges(cs []cognitomon.Change) []jsonChange {
	out := []jsonChange{}
	for _, c := range cs {
		jc := jsonChange{Resource: string(c.Resource), Name: c.Name, LogGroup: c.LogGroup}
		for _, d := range c.Diffs {
			jc.Diffs = append(jc.Diffs, d.String())
		}
		out = append(out, jc)
	}
	return out
}

func (o *alarmOptions) printPlan(e *env, p *cognitomon.Plan) error {
	if o.format == "json" {
		return writeJSON(e.stdout, jsonPlan{Schema: "cognitomon.alarm-plan/v1", Prefix: p.Prefix, Creates: toJSONChanges(p.Creates),
			Updates: toJSONChanges(p.Updates), Deletes: toJSONChanges(p.Deletes), Unchanged: toJSONChanges(p.Unchanged)})
	}
	_, err := fmt.Fprint(e.stdout, p.String())
	return err
}

// jsonBacktest is `alarms backtest --format json` (schema
// cognitomon.alarm-backtest/v1).
type jsonBacktest struct {
	Schema string          `json:"schema"`
	Range  jsonRange       `json:"range"`
	Alarms []jsonAlarmTest `json:"alarms"`
}

type jsonAlarmTest struct {
	Alarm          string      `json:"alarm"`
	Backtestable   bool        `json:"backtestable"`
	Reason         string      `json:"reason,omitempty"`
	Pages          int         `json:"pages"`
	AlarmSpans     []jsonRange `json:"alarmSpans"`
	PeriodsInRange int         `json:"periods"`
}

func (o *alarmOptions) backtest(ctx context.Context, e *env, defs []cognitomon.Alarm, cw *cloudwatch.Client) error {
	r, err := o.timeRange()
	if err != nil {
		return err
	}
	out := jsonBacktest{Schema: "cognitomon.alarm-backtest/v1", Range: toJSONRange(r)}
	for _, a := range defs {
		t := jsonAlarmTest{Alarm: a.Name, Backtestable: true, AlarmSpans: []jsonRange{}}
		bt, err := a.Backtest(ctx, cw, r, func(b *cognitomon.BacktestOptions) { b.Clock = o.now })
		switch {
		case errors.Is(err, cognitomon.ErrNotBacktestable):
			t.Backtestable, t.Reason = false, err.Error()
		case err != nil:
			return fmt.Errorf("backtesting %s: %w", a.Name, err)
		default:
			t.Pages, t.PeriodsInRange = bt.Pages(), len(bt.Points)
			for _, s := range bt.AlarmSpans {
				t.AlarmSpans = append(t.AlarmSpans, toJSONRange(s))
			}
		}
		out.Alarms = append(out.Alarms, t)
	}
	if o.format == "json" {
		return writeJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "backtest over %s:\n", r)
	for _, t := range out.Alarms {
		switch {
		case !t.Backtestable:
			fmt.Fprintf(e.stdout, "  %-40s not backtestable: %s\n", t.Alarm, t.Reason)
		case t.Pages == 0:
			fmt.Fprintf(e.stdout, "  %-40s would not have fired\n", t.Alarm)
		default:
			var spans []string
			for _, s := range t.AlarmSpans {
				spans = append(spans, s.Start.Format("Jan 02 15:04")+"-"+s.End.Format("15:04"))
			}
			fmt.Fprintf(e.stdout, "  %-40s would have fired %d time(s): %s\n", t.Alarm, t.Pages, strings.Join(spans, ", "))
		}
	}
	return nil
}
