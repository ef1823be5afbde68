package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/cognitomon/cognitomon"
)

const dashboardSynopsis = `dashboard plan|apply|export --user-pool ID [--clients A,B] [--identity-providers P,Q] [--trail-log-group G] [--threat-protection]
       cognitomon dashboard apply ... [--yes]`

type dashboardOptions struct {
	options
	providers string
	logGroup  string
	threat    bool
	yes       bool
}

func runDashboard(ctx context.Context, e *env, args []string) int {
	sub, code, ok := subcommand(e, "dashboard", dashboardSynopsis, args, "plan", "apply", "export")
	if !ok {
		return code
	}
	var o dashboardOptions
	fs := newFlagSet("dashboard "+sub, dashboardSynopsis, e)
	o.awsFlags(fs)
	o.poolFlags(fs)
	o.formatFlag(fs)
	fs.StringVar(&o.providers, "identity-providers", "", "comma-separated identity providers, for the federation widgets")
	fs.StringVar(&o.logGroup, "trail-log-group", "", "CloudWatch Logs group of the CloudTrail trail, for the Logs Insights widgets (default: the one trail that logs the pool; none: leave them out)")
	fs.BoolVar(&o.threat, "threat-protection", false, "the pool's plan has threat protection (Plus): add the risk widget")
	if sub == "apply" {
		fs.BoolVar(&o.yes, "yes", false, "apply without asking")
	}
	if code, ok := parse(fs, args[1:]); !ok {
		return code
	}
	o.inherit(e)
	if err := o.validateFormat(); err != nil {
		return fail(e, "dashboard", err)
	}
	policy := "dashboard-read"
	if sub == "apply" {
		policy = "dashboard-apply"
	}
	if err := o.dashboard(ctx, e, sub); err != nil {
		return failWith(e, "dashboard "+sub, policy, err)
	}
	return exitOK
}

// definition builds the pool's dashboard. The clients come from --clients
// or the pool's metrics, the alarm ARNs from the owned alarms that exist;
// without a client (export with --clients) the alarm widget is left out.
func (o *dashboardOptions) definition(ctx context.Context, e *env, pool cognitomon.UserPoolID, cfg aws.Config, cw *cloudwatch.Client, region string) (cognitomon.Dashboard, error) {
	clients, err := o.clientIDs()
	if err != nil {
		return cognitomon.Dashboard{}, err
	}
	group, threat := o.logGroup, o.threat
	if cw != nil && (clients == nil || group == "" || !threat) {
		d, err := discoverDefaults(ctx, e, "dashboard", cfg, cw, pool, clients, group)
		if err != nil {
			return cognitomon.Dashboard{}, err
		}
		clients, group = d.clients, d.logGroup
		if !threat && d.threat {
			threat = true
			fmt.Fprintln(e.stderr, "cognitomon dashboard: note: the pool's threat protection is on, so the risk widget is in")
		}
	}
	if group == noLogGroup {
		group = ""
	}
	if clients == nil {
		return cognitomon.Dashboard{}, usagef("--clients is required here")
	}
	var arns []string
	if cw != nil {
		p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(ownedPrefix(pool))})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return cognitomon.Dashboard{}, fmt.Errorf("listing the pool's alarms: %w", err)
			}
			for _, a := range page.MetricAlarms {
				arns = append(arns, aws.ToString(a.AlarmArn))
			}
		}
	} else {
		fmt.Fprintln(e.stderr, "cognitomon dashboard export: --clients given, so AWS was not asked for the pool's alarms; the alarm widget is left out")
	}
	in := cognitomon.DashboardInput{
		UserPool: pool, Region: region, Clients: clients, IdentityProviders: split(o.providers),
		ThreatProtection: threat, AlarmARNs: arns, TrailLogGroup: group,
	}
	d, err := cognitomon.StandardDashboard(in)
	if err != nil {
		return cognitomon.Dashboard{}, usageError{err}
	}
	return d, nil
}

func (o *dashboardOptions) dashboard(ctx context.Context, e *env, sub string) error {
	pool, err := o.pool()
	if err != nil {
		return err
	}
	region := o.region
	var cfg aws.Config
	var cw *cloudwatch.Client
	if sub != "export" || o.clients == "" {
		if cfg, err = o.config(ctx, pool); err != nil {
			return err
		}
		cw = cloudwatch.NewFromConfig(cfg)
		region = cfg.Region
	}
	d, err := o.definition(ctx, e, pool, cfg, cw, region)
	if err != nil {
		return err
	}
	if sub == "export" {
		tmpl, err := d.CloudFormationTemplate()
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(tmpl)
		return err
	}
	m := cognitomon.NewDashboardManager(cw, pool)
	plan, err := m.Plan(ctx, d)
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
	warnings, err := m.Apply(ctx, plan)
	for _, w := range warnings {
		fmt.Fprintln(e.stderr, "cognitomon dashboard apply: CloudWatch warns: "+w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "applied")
	return nil
}

func (o *dashboardOptions) printPlan(e *env, p *cognitomon.DashboardPlan) error {
	if o.format == "json" {
		return writeJSON(e.stdout, jsonPlan{Schema: "cognitomon.dashboard-plan/v1", Prefix: p.Prefix, Creates: toJSONChanges(p.Creates),
			Updates: toJSONChanges(p.Updates), Deletes: toJSONChanges(p.Deletes), Unchanged: toJSONChanges(p.Unchanged)})
	}
	_, err := fmt.Fprint(e.stdout, p.String())
	return err
}

// ownedPrefix is the name prefix of everything cognitomon owns for a pool,
// alarms and dashboards alike (docs/alarms.md).
func ownedPrefix(pool cognitomon.UserPoolID) string { return "cognitomon-" + string(pool) + "-" }
