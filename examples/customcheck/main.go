// Command customcheck shows how a team adds its own detection to
// cognitomon's: OfficeHours reports sign-ins to the admin console's app
// clients outside office hours. It implements cognitomon.Check, so it runs
// beside the built-in checks in the same single pass over the CloudTrail
// events, and main_test.go tests it with cognitomontest the way a team would
// test its own.
//
// Without -user-pool it runs against a simulated pool, served by the
// cognitomontest HTTP fake, through the real CloudTrail client:
//
//	go run ./examples/customcheck
//	go run ./examples/customcheck -user-pool us-east-1_AbCdEf123 -admin-clients 1example23456789 -tz Europe/Berlin -office 8-19
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // -tz works where the system has no time-zone database

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// OfficeHours reports completed sign-ins (checks.CompletedSignIn) to the
// given app clients outside office hours: before From or from To o'clock,
// or on a Saturday or Sunday, in Location. One finding per user (per sub,
// or per address for requests that carry no sub).
type OfficeHours struct {
	// Clients are the admin console's app clients.
	Clients []cognitomon.ClientID
	// Location is the office's time zone.
	Location *time.Location
	// From and To are the office hours, [From, To) o'clock.
	From, To int
}

// Name names the check.
func (OfficeHours) Name() string { return "admin-off-hours" }

// Start begins an evaluation; the check needs CloudTrail events.
func (c OfficeHours) Start(in *cognitomon.DetectInput) (cognitomon.Evaluation, error) {
	if len(c.Clients) == 0 || c.Location == nil || c.From < 0 || c.To > 24 || c.From >= c.To {
		return nil, errors.New("admin-off-hours needs app clients, a location and office hours From < To")
	}
	if in.Events == nil {
		return nil, fmt.Errorf("%w: no CloudTrail events", cognitomon.ErrMissingInput)
	}
	return &offHours{c: c, users: map[string]*offUser{}}, nil
}

func (c OfficeHours) during(t time.Time) bool {
	l := t.In(c.Location)
	if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
		return false
	}
	return l.Hour() >= c.From && l.Hour() < c.To
}

// maxUsers bounds the check's memory, as cognitomon's own checks are
// bounded.
const maxUsers = 1000

type offHours struct {
	c     OfficeHours
	users map[string]*offUser
	more  int
}

type offUser struct {
	subject     cognitomon.Subject
	n           int
	first, last time.Time
	ids         []string
}

func (o *offHours) Add(e cognitomon.Event) {
	if !checks.CompletedSignIn(e) || !slices.Contains(o.c.Clients, e.ClientID) || o.c.during(e.Time) {
		return
	}
	subj := cognitomon.Subject{Client: e.ClientID, Sub: e.Sub}
	if e.Sub == "" {
		subj.IP = e.SourceIP
	}
	key := subj.String()
	u := o.users[key]
	if u == nil {
		if len(o.users) >= maxUsers {
			o.more++
			return
		}
		u = &offUser{subject: subj, first: e.Time}
		o.users[key] = u
	}
	u.n++
	u.first, u.last = minTime(u.first, e.Time), maxTime(u.last, e.Time)
	if len(u.ids) < 5 {
		u.ids = append(u.ids, e.EventID)
	}
}

func (o *offHours) Findings(context.Context) ([]cognitomon.Finding, error) {
	var out []cognitomon.Finding
	for _, u := range o.users {
		out = append(out, cognitomon.Finding{
			Severity: cognitomon.SeverityMedium,
			Summary: fmt.Sprintf("%d admin sign-ins outside office hours (%02d:00-%02d:00 %s, Monday to Friday), first at %s",
				u.n, o.c.From, o.c.To, o.c.Location, u.first.In(o.c.Location).Format("Mon 15:04")),
			Window:   cognitomon.TimeRange{Start: u.first.Truncate(time.Second), End: u.last.Truncate(time.Second).Add(time.Second)},
			Subject:  u.subject,
			Evidence: cognitomon.Evidence{Value: float64(u.n), Threshold: 1, Unit: "admin sign-ins outside office hours", EventIDs: u.ids},
			Advice:   "Ask the user whether it was them. If not, sign them out everywhere (AdminUserGlobalSignOut), reset their password and review what they changed.",
		})
	}
	return out, nil
}

// Notes says when the memory bound was reached.
func (o *offHours) Notes() []string {
	if o.more > 0 {
		return []string{fmt.Sprintf("%d sign-ins of further users not tracked", o.more)}
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// options are the command's flags.
type options struct {
	pool, region string
	adminClients string
	clients      string
	tz, office   string
	since        time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.pool, "user-pool", "", "user pool ID; empty runs against a simulated pool")
	flag.StringVar(&o.region, "region", "", "AWS Region (default: from the environment, else the pool's)")
	flag.StringVar(&o.adminClients, "admin-clients", "", "comma-separated app client IDs of the admin console")
	flag.StringVar(&o.clients, "clients", "", "comma-separated app client IDs of the pool: API events name only their client, and the scope attributes them by it")
	flag.StringVar(&o.tz, "tz", "Europe/Berlin", "time zone of the office")
	flag.StringVar(&o.office, "office", "8-19", "office hours, from-to in whole hours")
	flag.DurationVar(&o.since, "since", 24*time.Hour, "look at this much time before now")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q: this example takes only flags\n", "customcheck", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, o, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "customcheck:", err)
		os.Exit(1)
	}
}

// demoAdmin is the simulated pool's admin console.
const demoAdmin cognitomon.ClientID = "3admin0console0client0001"

func run(ctx context.Context, w io.Writer, o options, now time.Time) error {
	loc, err := time.LoadLocation(o.tz)
	if err != nil {
		return err
	}
	from, to, ok := strings.Cut(o.office, "-")
	fromH, err1 := strconv.Atoi(from)
	toH, err2 := strconv.Atoi(to)
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("office hours %q: want from-to, as 8-19", o.office)
	}
	r := cognitomon.Last(o.since, now)
	clock := time.Now
	simulated := o.pool == ""
	var cfg aws.Config
	if simulated {
		sim := simulate(r, loc)
		clock = func() time.Time { return now }
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{sim}, func(so *cognitomontest.ServerOptions) {
			so.CloudTrail = append(so.CloudTrail, func(co *cognitomontest.CloudTrailOptions) { co.Now = clock })
		})
		defer srv.Close()
		cfg, o.pool, o.adminClients = srv.AWSConfig(), string(sim.ID()), string(demoAdmin)
		var ids []string
		for _, c := range sim.TrafficClients() {
			ids = append(ids, string(c))
		}
		o.clients = strings.Join(ids, ",")
		fmt.Fprintf(w, "(simulated pool %s served on %s; pass -user-pool to read a real one)\n\n", o.pool, srv.URL)
	} else {
		var opts []func(*config.LoadOptions) error
		if o.region != "" {
			opts = append(opts, config.WithRegion(o.region))
		}
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
	check := OfficeHours{Location: loc, From: fromH, To: toH}
	for _, c := range strings.Split(o.adminClients, ",") {
		if c = strings.TrimSpace(c); c != "" {
			id, err := cognitomon.ParseClientID(c)
			if err != nil {
				return err
			}
			check.Clients = append(check.Clients, id)
		}
	}
	scope := cognitomon.Scope{UserPool: pool, Clients: slices.Clone(check.Clients), Range: r}
	for _, c := range strings.Split(o.clients, ",") {
		if c = strings.TrimSpace(c); c != "" {
			id, err := cognitomon.ParseClientID(c)
			if err != nil {
				return err
			}
			scope.Clients = append(scope.Clients, id)
		}
	}
	tc := cognitomon.NewTrailClient(cloudtrail.NewFromConfig(cfg, cognitomon.WithoutThrottleRetries), func(to *cognitomon.TrailOptions) {
		to.Clock = clock
		if simulated {
			to.RequestsPerSecond = 1000 // the fake has no rate limit
		}
	})
	det, err := cognitomon.Detect(ctx, cognitomon.DetectInput{
		Scope:  scope,
		Events: cognitomon.OldestFirst(ctx, tc, cognitomon.EventFilter{Range: r}, 5*time.Minute),
	}, append([]cognitomon.Check{check}, checks.Builtins()...)...)
	if err != nil {
		return err
	}
	return printDetection(w, det)
}

func printDetection(w io.Writer, det *cognitomon.Detection) error {
	fmt.Fprintf(w, "%s: %d events, %d findings\n\n", det.Range, det.Coverage.InScope, len(det.Findings))
	for _, g := range det.Coverage.Gaps() {
		fmt.Fprintf(w, "coverage gap: %s\n", g)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range det.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Severity, f.Check, f.Window, f.Subject)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, f := range det.Findings {
		fmt.Fprintf(w, "%s: %s\n", f.Check, f.Summary)
	}
	if len(det.Coverage.Skipped) > 0 {
		var names []string
		for _, s := range det.Coverage.Skipped {
			names = append(names, s.Check)
		}
		fmt.Fprintf(w, "\nskipped for lack of metrics or a baseline: %s\n", strings.Join(names, ", "))
	}
	for _, n := range det.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}

// simulate returns a pool with ordinary traffic over r, two admins who sign
// in to the console (one at 10:00, one at 03:00 office time) and a burst of
// password guessing that a built-in check catches.
func simulate(r cognitomon.TimeRange, loc *time.Location) *cognitomontest.Pool {
	p := cognitomontest.NewPool("us-east-1_DemoPool1")
	web := cognitomontest.DefaultClients()[2]
	web.SignInsPerHour = 20
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 1, Clients: []cognitomontest.ClientProfile{web}, Machines: []cognitomontest.MachineProfile{}})
	last := func(hour int) time.Time {
		l := r.End.In(loc)
		t := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
		if !t.Before(r.End) {
			t = t.AddDate(0, 0, -1)
		}
		return t
	}
	p.Record(
		cognitomontest.Attempt{Time: last(10), Flow: cognitomon.SignIn, Client: demoAdmin, User: "ops-alice", IP: "198.51.100.20", UserAgent: "Mozilla/5.0", Outcome: cognitomontest.Success},
		cognitomontest.Attempt{Time: last(3), Flow: cognitomon.SignIn, Client: demoAdmin, User: "ops-mallory", IP: "203.0.113.66", UserAgent: "Mozilla/5.0", Outcome: cognitomontest.Success},
	)
	cognitomontest.SlowBruteForce(p, web.ID, "user0042", "192.0.2.55", r.End.Add(-3*time.Hour), 10*time.Minute, 30)
	return p
}
