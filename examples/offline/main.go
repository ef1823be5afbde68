// Command offline analyses CloudTrail log files as a trail delivers them to
// S3 (.json.gz or .json, one file or a directory tree) and prints what
// happened in the Cognito user pools they cover: failures by error code and
// source IP, account enumeration, password-reset abuse, MFA failures,
// token-refresh failures over time, machine-to-machine token use per client,
// and admin changes.
//
// It reads the repository's small generated sample when no -dir is given:
//
//	go run ./examples/offline
//	go run ./examples/offline -dir ~/trail/AWSLogs
//	go run ./examples/offline ~/trail/AWSLogs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
)

func main() {
	dir := flag.String("dir", "testdata/trail", "a CloudTrail log file or a directory of them")
	top := flag.Int("top", 5, "rows per ranking")
	flag.Parse()
	path, err := pathArg(*dir, flag.Args(), dirSet())
	if err != nil {
		fmt.Fprintln(os.Stderr, "offline:", err)
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, path, *top); err != nil {
		fmt.Fprintln(os.Stderr, "offline:", err)
		os.Exit(1)
	}
}

// dirSet reports whether -dir was given.
func dirSet() bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "dir" })
	return set
}

// pathArg returns the path to read: one positional argument, or -dir; both,
// or more than one argument, is a usage error rather than a silent choice.
func pathArg(dir string, args []string, dirGiven bool) (string, error) {
	switch {
	case len(args) == 0:
		return dir, nil
	case len(args) > 1:
		return "", fmt.Errorf("want at most one log file or directory, got %d arguments", len(args))
	case dirGiven:
		return "", fmt.Errorf("both -dir %q and the argument %q name what to read: give one", dir, args[0])
	}
	return args[0], nil
}

func run(w io.Writer, path string, top int) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	root, name := path, "."
	if !info.IsDir() {
		root, name = filepath.Dir(path), filepath.Base(path)
	}
	failures := analysis.NewFailureAnalyzer()
	enumeration := analysis.NewEnumerationAnalyzer()
	resets := analysis.NewPasswordResetAnalyzer()
	mfa := analysis.NewMFAAnalyzer()
	refresh := analysis.NewRefreshAnalyzer(15 * time.Minute)
	m2m := analysis.NewM2MAnalyzer()
	admin := analysis.NewAdminChangeAnalyzer()
	traffic := analysis.NewTrafficAnalyzer()
	var files cognitomon.FileCounts
	events := cognitomon.ReadEventFiles(os.DirFS(root), name, func(o *cognitomon.ReadOptions) { o.Counts = &files })
	cov, err := cognitomon.Consume(context.Background(), events, cognitomon.Scope{}, failures, enumeration, resets, mfa, refresh, m2m, admin, traffic)
	if err != nil && !errors.Is(err, cognitomon.ErrIncomplete) {
		return err
	}
	cov.Files.Files, cov.Files.Records, cov.Files.OtherServices = files.Files, files.Records, files.OtherServices
	fmt.Fprintf(w, "read %d files, %d records, %d user-pool events\n", files.Files, files.Records, cov.Read)
	for _, g := range cov.Gaps() {
		fmt.Fprintf(w, "coverage gap: %s\n", g)
	}
	for _, n := range cov.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	section := func(title string) { fmt.Fprintf(tw, "\n%s\n", title) }

	section("Requests per kind")
	fmt.Fprintln(tw, "kind\tattempts\tfailures\tthrottled\t")
	for _, k := range cognitomon.AllEventKinds() {
		if c, ok := traffic.Summary().ByKind[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", k, c.Attempts, c.Failures(), c.Throttles)
		}
	}

	fs := failures.Summary()
	section(fmt.Sprintf("Failures: %d of %d requests (%d throttled)", fs.Failures, fs.Events, fs.Throttled))
	fmt.Fprintln(tw, "reason\tsource IP\tfailures\t")
	for _, it := range first(fs.ByReasonAndIP.Items, top) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", it.Key.Reason, it.Key.SourceIP, count(it.Count, it.Error))
	}
	section("Top failing source IPs")
	for _, it := range first(fs.BySourceIP.Items, top) {
		fmt.Fprintf(tw, "%s\t%s\t\n", it.Key, count(it.Count, it.Error))
	}

	es := enumeration.Summary()
	section(fmt.Sprintf("Account enumeration: %d UserNotFoundException", es.UserNotFound))
	for _, it := range first(es.BySourceIP.Items, top) {
		fmt.Fprintf(tw, "%s\t%s\t\n", it.Key, count(it.Count, it.Error))
	}
	fmt.Fprintf(tw, "(%s)\n", es.Note)

	rs := resets.Summary()
	section(fmt.Sprintf("Password resets: %d requests, %d failed", rs.Counts.Attempts, rs.Counts.Failures()))
	for _, it := range first(rs.BySourceIP.Items, top) {
		fmt.Fprintf(tw, "%s\t%s\t\n", it.Key, count(it.Count, it.Error))
	}

	ms := mfa.Summary()
	section(fmt.Sprintf("MFA: %d failures (%d wrong codes, %d expired)", ms.Counts.Failures(), ms.CodeMismatch, ms.ExpiredCode))
	for _, it := range first(ms.BySourceIP.Items, top) {
		fmt.Fprintf(tw, "%s\t%s\t\n", it.Key, count(it.Count, it.Error))
	}

	section("Token-refresh failures per 15 minutes")
	fmt.Fprintln(tw, "from\trefreshes\tfailures\t")
	for _, b := range refresh.Summary().Buckets {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", b.Start.Format("2006-01-02 15:04"), b.Total().Attempts, b.Total().Failures())
	}

	m := m2m.Summary()
	section(fmt.Sprintf("Machine-to-machine tokens: %d requests, %d failed", m.Counts.Attempts, m.Counts.Failures()))
	fmt.Fprintln(tw, "client\trequests\tfailures\tper hour\tsource IPs\t")
	for _, c := range first(m.Clients, top) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%d\t\n", c.ClientID, c.Counts.Attempts, c.Counts.Failures(), c.PerHour, len(c.SourceIPs.Items))
	}

	as := admin.Summary()
	section(fmt.Sprintf("Admin changes: %d", as.Total))
	for _, e := range as.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", e.Time.Format(time.RFC3339), e.Name, e.CallerARN, e.SourceIP)
	}
	return tw.Flush()
}

func first[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// count formats a Space-Saving count with its error bound when it has one.
func count(n, errBound int64) string {
	if errBound == 0 {
		return fmt.Sprint(n)
	}
	return fmt.Sprintf("%d (±%d)", n, errBound)
}
