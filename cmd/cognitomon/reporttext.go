package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cognitomon/cognitomon"
)

func printReport(w io.Writer, rep *reportJSON) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	defer func() { tw.Flush() }() // the last writer, not this one
	// Each table aligns on its own.
	next := func() {
		tw.Flush()
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	}
	title := "all pools in the files"
	if rep.UserPool != "" {
		title = "user pool " + rep.UserPool
	}
	if rep.Range.Start.IsZero() {
		fmt.Fprintf(tw, "cognitomon report: %s, %s\n", title, rep.Source)
	} else {
		fmt.Fprintf(tw, "cognitomon report: %s, %s to %s\n", title, rep.Range.Start.Format(time.RFC3339), rep.Range.End.Format(time.RFC3339))
	}
	if rep.Partial {
		fmt.Fprintln(tw, "PARTIAL: reading stopped early; the report covers only what was read (see Coverage)")
	}
	printCoverage(tw, rep.Coverage)
	next()

	fmt.Fprintln(tw, "\nFindings")
	if len(rep.Findings) == 0 {
		fmt.Fprintln(tw, "  none")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.ToUpper(f.Severity), f.Rule, f.Summary)
	}

	next()
	if rep.Metrics == nil {
		fmt.Fprintf(tw, "\nMetrics: omitted (%s)\n", rep.MetricsOmitted)
	} else {
		fmt.Fprintf(tw, "\nMetrics (AWS/Cognito, %s periods; failures = SampleCount - Sum)\n", rep.Metrics.Period)
		fmt.Fprintln(tw, "  flow\tattempts\tfailures\tthrottles\tfailure rate\t")
		for _, f := range rep.Metrics.Flows {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%.1f%%\t\n", f.Flow, f.Attempts, f.Failures, f.Throttles, 100*f.FailureRate)
		}
		for _, f := range rep.Metrics.Flows {
			if len(f.Clients) == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %s per client\t\t\t\t\t\n", f.Flow)
			for _, id := range sortedKeys(f.Clients) {
				c := f.Clients[id]
				mark := ""
				if f.Flow == cognitomon.SignIn.String() && rep.Metrics.SignInCaveats[id] != "" {
					mark = " *"
				}
				fmt.Fprintf(tw, "    %s%s\t%d\t%d\t%d\t%.1f%%\t\n", rep.clientLabel(id), mark, c.Attempts, c.Failures, c.Throttles, 100*c.FailureRate)
			}
		}
		if len(rep.Metrics.SignInCaveats) > 0 {
			next()
			fmt.Fprintf(tw, "  * %s\n", signInCaveat)
		}
		if len(rep.Metrics.Quota) > 0 {
			next()
			fmt.Fprintln(tw, "  rate-limit category (account)\tcalls\tthrottles\tpeak calls/s\t\t")
			for _, q := range rep.Metrics.Quota {
				fmt.Fprintf(tw, "  %s\t%.0f\t%.0f\t%.2f\t\t\n", q.Category, q.Calls, q.Throttles, q.PeakPerSecond)
			}
		}
	}

	t := rep.Trail
	next()
	fmt.Fprintf(tw, "\nCloudTrail (%d events)\n", t.Events)
	fmt.Fprintln(tw, "  kind\tattempts\tfailures\tthrottled\t")
	for _, k := range sortedKeys(t.ByKind) {
		c := t.ByKind[k]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t\n", k, c.Attempts, c.Failures, c.Throttles)
	}
	next()
	printRanks(tw, "Failures by reason and source IP", t.ByReasonIP, 5)
	printRanks(tw, "Top failing source IPs", t.TopIPs, 5)
	printRanks(tw, fmt.Sprintf("UserNotFoundException by source IP (%d in all)", t.UserNotFound), t.Enumeration, 5)
	printRanks(tw, fmt.Sprintf("Password resets by source IP (%d requests, %d failed)", t.Resets.Attempts, t.Resets.Failures), t.ResetIPs, 5)
	printRanks(tw, fmt.Sprintf("MFA failures by source IP (%d in all)", t.MFAFailures), t.MFAIPs, 5)
	next()
	if len(t.Refresh) > 0 {
		fmt.Fprintln(tw, "  Token-refresh failures per hour")
		for _, b := range t.Refresh {
			fmt.Fprintf(tw, "    %s\t%d of %d\t\n", b.Start.Format("2006-01-02 15:04"), b.Failures, b.Refreshes)
		}
	}
	next()
	if len(t.Machines) > 0 {
		fmt.Fprintln(tw, "  Machine-to-machine clients (client_credentials)\trequests\tfailures\tper hour\tcost\t")
		for _, m := range t.Machines {
			fmt.Fprintf(tw, "    %s\t%d\t%d\t%.0f\t$%.2f\t\n", rep.clientLabel(m.ClientID), m.Requests, m.Failures, m.PerHour, m.Cost)
		}
		asOf := ""
		if t.M2MPrice.AsOf != "" {
			asOf = " as of " + t.M2MPrice.AsOf
		}
		fmt.Fprintf(tw, "    M2M token cost: $%.2f for the successful requests at $%.2f per 1,000%s (%s; the $6.00 per client and month is not included)\t\n", t.M2MCost, t.M2MPrice.PerThousand, asOf, t.M2MPrice.Source)
	}
	next()
	if len(t.AdminChanges) > 0 {
		fmt.Fprintln(tw, "  Admin changes")
		for _, c := range t.AdminChanges {
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t\n", c.Time.Format(time.RFC3339), c.Name, c.CallerARN, c.SourceIP)
		}
	}
	if len(rep.Notes) > 0 {
		fmt.Fprintln(tw, "\nNotes")
		for _, n := range rep.Notes {
			fmt.Fprintf(tw, "  - %s\n", n)
		}
	}
}

func printRanks(tw io.Writer, title string, rs []jsonRank, n int) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintf(tw, "  %s\n", title)
	for _, r := range rs[:min(n, len(rs))] {
		c := fmt.Sprint(r.Count)
		if r.Error > 0 {
			c = fmt.Sprintf("%d (±%d)", r.Count, r.Error)
		}
		fmt.Fprintf(tw, "    %s\t%s\t\n", r.Key, c)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
