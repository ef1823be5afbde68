// Command queries lists cognitomon's catalogue of canned Logs Insights
// queries and runs them: failed sign-ins, refresh failures, brute force,
// machine-to-machine token use, enumeration, password-reset abuse, MFA
// failures, admin changes, redirect errors and threat-protection findings.
//
// Without -log-group it simulates a pool's traffic with a few incidents,
// serves it with the cognitomontest HTTP fake and runs every query through
// the real CloudWatch Logs client:
//
//	go run ./examples/queries
//	go run ./examples/queries -list
//	go run ./examples/queries -log-group aws-cloudtrail-logs-123456789012 \
//	    -activity-log-group /aws/vendedlogs/cognito/user-activity -since 24h
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

type options struct {
	trailGroup, activityGroup string
	since                     time.Duration
	query                     string
	list                      bool
	pool, clients, ips        string
	limit, rows               int
	region                    string
}

func main() {
	var o options
	flag.StringVar(&o.trailGroup, "log-group", "", "log group the CloudTrail trail delivers to; empty runs against a simulated pool")
	flag.StringVar(&o.activityGroup, "activity-log-group", "", "log group of the pool's user-activity log (threat protection); empty skips those queries")
	flag.DurationVar(&o.since, "since", 24*time.Hour, "query this much time before now")
	flag.StringVar(&o.query, "query", "", "run only this query (see -list)")
	flag.BoolVar(&o.list, "list", false, "list the catalogue with each query's text, and run nothing")
	flag.StringVar(&o.pool, "user-pool", "", "scope the queries to this user pool (CloudTrail queries that read API calls need -clients too)")
	flag.StringVar(&o.clients, "clients", "", "comma-separated app client IDs to scope the queries to")
	flag.StringVar(&o.ips, "ips", "", "comma-separated source IPs to keep")
	flag.IntVar(&o.limit, "limit", 0, "row limit of each query (default: the query's own)")
	flag.IntVar(&o.rows, "rows", 10, "rows to print per query")
	flag.StringVar(&o.region, "region", "", "AWS Region (default: from the environment)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "%s: unexpected argument %q: this example takes only flags\n", "queries", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), os.Stdout, o); err != nil {
		fmt.Fprintln(os.Stderr, "queries:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	params, err := parseParams(o)
	if err != nil {
		return err
	}
	queries := cognitomon.Catalog()
	if o.query != "" {
		q, ok := cognitomon.LookupQuery(o.query)
		if !ok {
			return fmt.Errorf("no query %q in the catalogue (see -list)", o.query)
		}
		queries = []cognitomon.Query{q}
	}
	if o.list {
		return list(w, queries, params)
	}

	now := time.Now()
	var cfg aws.Config
	if o.trailGroup == "" {
		// The simulated pool, served over HTTP so the real client runs.
		pool := simulate(now, o.since)
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool})
		defer srv.Close()
		cfg = srv.AWSConfig()
		o.trailGroup, o.activityGroup = "aws-cloudtrail-logs-cognitomon", "/aws/vendedlogs/cognito/user-activity"
		fmt.Fprintf(w, "(simulated pool %s served on %s; pass -log-group to query your own)\n\n", pool.ID(), srv.URL)
	} else {
		var lo []func(*config.LoadOptions) error
		if o.region != "" {
			lo = append(lo, config.WithRegion(o.region))
		}
		if cfg, err = config.LoadDefaultConfig(ctx, lo...); err != nil {
			return err
		}
	}
	ic := cognitomon.NewInsightsClient(cloudwatchlogs.NewFromConfig(cfg))
	r := cognitomon.Last(o.since, now)

	// Render every query first, so that a bad parameter fails before any
	// query runs, then run them all at once: the client runs at most
	// InsightsOptions.MaxConcurrent at a time.
	type job struct {
		q     cognitomon.Query
		group string
		text  string
		res   *cognitomon.QueryResult
		err   error
	}
	var jobs []*job
	for _, q := range queries {
		p := params
		if !slices.Contains(q.Params, "event-names") {
			p.EventNames = nil
		}
		text, err := q.Render(p)
		if err != nil {
			return err
		}
		group := o.trailGroup
		if q.Reads == "user-activity" {
			group = o.activityGroup
		}
		jobs = append(jobs, &job{q: q, group: group, text: text})
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		if j.group == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			j.res, j.err = ic.Run(ctx, j.text, []string{j.group}, r)
		}()
	}
	wg.Wait()

	noun := "queries"
	if len(jobs) == 1 {
		noun = "query"
	}
	fmt.Fprintf(w, "%d %s over %s\n", len(jobs), noun, r)
	var failed int
	for _, j := range jobs {
		fmt.Fprintf(w, "\n== %s (%s: %s)\n%s\n", j.q.Name, j.q.Reads, orNone(j.group), j.q.Description)
		switch {
		case j.group == "":
			fmt.Fprintln(w, "skipped: pass -activity-log-group to read the user-activity log")
			continue
		case j.err != nil:
			failed++
			fmt.Fprintln(w, "error:", j.err)
			var ce *cognitomon.QueryCompileError
			if errors.As(j.err, &ce) {
				fmt.Fprintf(w, "query:\n%s\n", j.text)
			}
			continue
		}
		if err := printRows(w, j.q, j.res, o.rows); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d queries failed", failed, len(jobs))
	}
	return nil
}

func parseParams(o options) (cognitomon.QueryParams, error) {
	p := cognitomon.QueryParams{Limit: o.limit}
	if o.pool != "" {
		id, err := cognitomon.ParseUserPoolID(o.pool)
		if err != nil {
			return p, err
		}
		p.UserPool = id
	}
	for _, c := range split(o.clients) {
		id, err := cognitomon.ParseClientID(c)
		if err != nil {
			return p, err
		}
		p.Clients = append(p.Clients, id)
	}
	for _, s := range split(o.ips) {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return p, fmt.Errorf("-ips: %w", err)
		}
		p.IPs = append(p.IPs, ip)
	}
	return p, nil
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no log group"
	}
	return s
}

// list prints the catalogue with each query's text.
func list(w io.Writer, queries []cognitomon.Query, p cognitomon.QueryParams) error {
	for i, q := range queries {
		if i > 0 {
			fmt.Fprintln(w)
		}
		text, err := q.Render(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "== %s (%s; parameters: %s)\n%s\n\n%s\n", q.Name, q.Reads, strings.Join(q.Params, ", "), q.Description, text)
		for _, a := range q.Assumptions {
			fmt.Fprintf(w, "  assumes: %s\n", a)
		}
	}
	return nil
}

// shortColumn shortens a column name for display.
func shortColumn(c string) string {
	for _, prefix := range []string{"additionalEventData.requestParameters.", "additionalEventData.responseParameters.", "requestParameters.", "message."} {
		if strings.HasPrefix(c, prefix) {
			return strings.TrimPrefix(c, prefix)
		}
	}
	return c
}

func printRows(w io.Writer, q cognitomon.Query, res *cognitomon.QueryResult, max int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		head[i] = shortColumn(c)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for i, row := range res.Rows {
		if i == max {
			break
		}
		cells := make([]string, len(q.Columns))
		for k, c := range q.Columns {
			v, ok := row.Value(c)
			if !ok {
				// Assumption: a backticked field's column is named
				// without the backticks; check with query show's text
				// in the console. Accept the other form too.
				v, ok = row.Value("`" + c + "`")
			}
			if !ok {
				v = "-"
			}
			cells[k] = v
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	more := ""
	if len(res.Rows) > max {
		more = fmt.Sprintf(", %d not shown", len(res.Rows)-max)
	}
	fmt.Fprintf(w, "(%d rows%s; %d of %d records matched, %d bytes scanned, %d polls)\n",
		len(res.Rows), more, res.Stats.RecordsMatched, res.Stats.RecordsScanned, res.Stats.BytesScanned, res.Polls)
	return nil
}

// simulate records the traffic of a small product over the last since, with
// an incident of each kind the catalogue looks for.
func simulate(now time.Time, since time.Duration) *cognitomontest.Pool {
	pool := cognitomontest.NewPool("us-east-1_DemoPool1", func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	r := cognitomon.Last(since, now)
	cognitomontest.SimulateTraffic(pool, r, cognitomontest.TrafficOptions{Seed: 1})
	const web = "4k2webapp0example0client1"
	const android = "9android0example0client00"
	at := func(frac float64) time.Time { return r.Start.Add(time.Duration(frac * float64(since))) }
	span := since / 24
	cognitomontest.CredentialStuffing(pool, android, at(0.5), span, 12, 6)
	cognitomontest.SlowBruteForce(pool, android, "user0042", "192.0.2.66", at(0.3), 4*span, 2)
	cognitomontest.Enumeration(pool, android, "192.0.2.77", at(0.6), span, 40)
	cognitomontest.PasswordResetAbuse(pool, android, "192.0.2.88", at(0.7), span, 30)
	cognitomontest.MisbehavingMachine(pool, "5reports0machine0client00", at(0.2), 4*span, 40, 6)
	cognitomontest.AdminMFAOff(pool, at(0.8), "arn:aws:sts::123456789012:assumed-role/Contractor/mallory", "192.0.2.99")
	pool.RecordRequest(cognitomontest.Request{Time: at(0.81), Name: "UpdateUserPoolClient", Caller: "arn:aws:sts::123456789012:assumed-role/Contractor/mallory", IP: "192.0.2.99",
		Outcome: cognitomontest.Failure, ErrorCode: "InvalidParameterException", Parameters: map[string]any{"clientId": web, "callbackURLs": []string{"http://evil.example.net/cb"}}})
	for i := range 4 {
		pool.Record(cognitomontest.Attempt{Time: at(0.9).Add(time.Duration(i) * time.Minute), Flow: cognitomon.SignIn, Client: web, User: "ceo", IP: "192.0.2.111",
			Outcome: cognitomontest.Failure, RiskLevel: "HIGH", RiskDecision: "BLOCK", CompromisedCredentials: i == 0})
	}
	return pool
}
