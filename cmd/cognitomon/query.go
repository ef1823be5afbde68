package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/cognitomon/cognitomon"
)

const querySynopsis = `query list
       cognitomon query show NAME [--user-pool ID --clients A,B --event-names A,B --ips IP,IP --bin 5m --limit N]
       cognitomon query run NAME --log-group GROUP [--since 24h | --start T --end T] [parameters as for show]`

// queryOptions are the flags of query show and run.
type queryOptions struct {
	options
	logGroups string
	ips       string
	names     string
	bin       time.Duration
	limit     int
}

func runQuery(ctx context.Context, e *env, args []string) int {
	sub, code, ok := subcommand(e, "query", querySynopsis, args, "list", "show", "run")
	if !ok {
		return code
	}
	var o queryOptions
	fs := newFlagSet("query "+sub, querySynopsis, e)
	o.formatFlag(fs)
	if sub == "list" {
		if code, ok := parse(fs, args[1:]); !ok {
			return code
		}
		o.inherit(e)
		return o.list(e)
	}
	o.poolFlags(fs)
	fs.StringVar(&o.ips, "ips", "", "comma-separated source IPs to keep")
	fs.StringVar(&o.names, "event-names", "", "comma-separated event names to keep (where the query takes them)")
	fs.DurationVar(&o.bin, "bin", 0, "bin size for queries over time (default: the query's)")
	fs.IntVar(&o.limit, "limit", 0, "row limit (default: the query's)")
	if sub == "run" {
		o.awsFlags(fs)
		o.rangeFlags(fs, 24*time.Hour)
		fs.StringVar(&o.logGroups, "log-group", "", "comma-separated log groups to query (required, at most 50)")
	}
	// The query name comes first; flags follow it.
	if len(args) < 2 || strings.HasPrefix(args[1], "-") {
		if len(args) >= 2 && (args[1] == "-h" || args[1] == "--help") {
			fs.Usage()
			return exitOK
		}
		return fail(e, "query", usagef("query %s needs a query name (see 'cognitomon query list')", sub))
	}
	q, ok := cognitomon.LookupQuery(args[1])
	if !ok {
		return fail(e, "query", usagef("no canned query %q (see 'cognitomon query list')", args[1]))
	}
	if code, ok := parse(fs, args[2:]); !ok {
		return code
	}
	o.inherit(e)
	if err := o.validateFormat(); err != nil {
		return fail(e, "query", err)
	}
	text, err := o.render(q)
	if err != nil {
		return fail(e, "query", err)
	}
	if sub == "show" {
		fmt.Fprintln(e.stdout, text)
		return exitOK
	}
	return o.run(ctx, e, q, text)
}

func (o *queryOptions) list(e *env) int {
	if err := o.validateFormat(); err != nil {
		return fail(e, "query", err)
	}
	if o.format == "json" {
		type item struct {
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Reads       string   `json:"reads"`
			Params      []string `json:"params"`
		}
		out := struct {
			Schema  string `json:"schema"`
			Queries []item `json:"queries"`
		}{Schema: "cognitomon.queries/v1"}
		for _, q := range cognitomon.Catalog() {
			out.Queries = append(out.Queries, item{Name: q.Name, Description: q.Description, Reads: q.Reads, Params: q.Params})
		}
		if err := writeJSON(e.stdout, out); err != nil {
			return fail(e, "query", err)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "name\treads\tdescription")
	for _, q := range cognitomon.Catalog() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", q.Name, q.Reads, q.Description)
	}
	if err := tw.Flush(); err != nil {
		return fail(e, "query", err)
	}
	return exitOK
}

// render validates the parameters and renders the query's text.
func (o *queryOptions) render(q cognitomon.Query) (string, error) {
	var p cognitomon.QueryParams
	var err error
	if o.userPool != "" {
		if p.UserPool, err = o.pool(); err != nil {
			return "", err
		}
	}
	if p.Clients, err = o.clientIDs(); err != nil {
		return "", err
	}
	for _, s := range split(o.ips) {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return "", usagef("--ips: %v", err)
		}
		p.IPs = append(p.IPs, ip)
	}
	p.EventNames = split(o.names)
	p.Bin, p.Limit = o.bin, o.limit
	text, err := q.Render(p)
	if err != nil {
		return "", usageError{err}
	}
	return text, nil
}

func (o *queryOptions) run(ctx context.Context, e *env, q cognitomon.Query, text string) int {
	groups := split(o.logGroups)
	if len(groups) == 0 && o.userPool == "" {
		return fail(e, "query", usagef("--log-group is required (or --user-pool, to use the log group of the one trail that logs the pool)"))
	}
	r, err := o.timeRange()
	if err != nil {
		return fail(e, "query", err)
	}
	pool := cognitomon.UserPoolID(o.userPool)
	cfg, err := o.config(ctx, pool)
	if err != nil {
		return fail(e, "query", err)
	}
	if len(groups) == 0 {
		// The log group of the one trail that logs the pool's
		// management events in its Region (DescribeTrails ...).
		group, note, err := trailLogGroup(ctx, cfg, pool)
		if err != nil {
			return fail(e, "query", usagef("--log-group is required: %v", err))
		}
		fmt.Fprintln(e.stderr, "note: "+note)
		groups = []string{group}
	}
	ic := cognitomon.NewInsightsClient(cloudwatchlogs.NewFromConfig(cfg))
	res, err := ic.Run(ctx, text, groups, r)
	if err != nil {
		return fail(e, "query", err)
	}
	if o.format == "json" {
		out := queryJSON(q, r, groups, res)
		if err := writeJSON(e.stdout, out); err != nil {
			return fail(e, "query", err)
		}
		return exitOK
	}
	printRows(e, res)
	return exitOK
}

// jsonQueryResult is `query run --format json` (schema cognitomon.query/v1).
type jsonQueryResult struct {
	Schema    string              `json:"schema"`
	Query     string              `json:"query"`
	QueryID   string              `json:"queryId"`
	Range     jsonRange           `json:"range"`
	LogGroups []string            `json:"logGroups"`
	Rows      []map[string]string `json:"rows"`
	Stats     struct {
		RecordsMatched int64 `json:"recordsMatched"`
		RecordsScanned int64 `json:"recordsScanned"`
		BytesScanned   int64 `json:"bytesScanned"`
	} `json:"stats"`
}

func queryJSON(q cognitomon.Query, r cognitomon.TimeRange, groups []string, res *cognitomon.QueryResult) jsonQueryResult {
	out := jsonQueryResult{Schema: "cognitomon.query/v1", Query: q.Name, QueryID: res.QueryID, Range: toJSONRange(r), LogGroups: groups, Rows: []map[string]string{}}
	for _, row := range res.Rows {
		m := map[string]string{}
		for _, f := range row {
			m[f.Name] = f.Value
		}
		out.Rows = append(out.Rows, m)
	}
	out.Stats.RecordsMatched, out.Stats.RecordsScanned, out.Stats.BytesScanned = res.Stats.RecordsMatched, res.Stats.RecordsScanned, res.Stats.BytesScanned
	return out
}

// printRows prints a query result as a table, columns in first-seen order.
func printRows(e *env, res *cognitomon.QueryResult) {
	var cols []string
	seen := map[string]bool{}
	for _, row := range res.Rows {
		for _, f := range row {
			if !seen[f.Name] && f.Name != "@ptr" {
				seen[f.Name] = true
				cols = append(cols, f.Name)
			}
		}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cols, "\t"))
	for _, row := range res.Rows {
		vals := make([]string, len(cols))
		for i, c := range cols {
			vals[i], _ = row.Value(c)
		}
		fmt.Fprintln(tw, strings.Join(vals, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d rows; %d records matched of %d scanned (%d bytes)\n", len(res.Rows), res.Stats.RecordsMatched, res.Stats.RecordsScanned, res.Stats.BytesScanned)
}
