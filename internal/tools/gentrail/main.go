// Command gentrail writes realistic CloudTrail log files for benchmarks: the
// simulated pool's ordinary traffic (cognitomontest.SimulateTraffic) with an
// attack mixed in, among records of other services, as .json.gz files in a
// trail's S3 layout. It is how scripts/bench-offline.sh makes its input.
//
//	go run ./internal/tools/gentrail -out /tmp/trail -mb 200
//
// With -sample it writes instead the small set the repository ships in
// testdata/trail: two hours of one pool's traffic with each kind of attack.
//
//	go run ./internal/tools/gentrail -sample -out testdata/trail
//
// With -signins and -ips it writes a many-address day instead: that many
// sign-ins spread evenly over that many distinct addresses, with one
// brute-force address, half the records from other services:
//
//	go run ./internal/tools/gentrail -out /tmp/day -signins 2000000 -ips 1000000
//
// With -week it writes seven days of the simulated pool's traffic with
// every kind of attack, about -records records in all:
//
//	go run ./internal/tools/gentrail -out /tmp/week -week -records 100000
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func main() {
	out := flag.String("out", "", "directory to write into (required)")
	mb := flag.Int("mb", 200, "approximate uncompressed size in MB")
	cognito := flag.Float64("cognito-share", 0.2, "share of records from Cognito")
	seed := flag.Uint64("seed", 1, "seed")
	sample := flag.Bool("sample", false, "write the small sample set of testdata/trail instead")
	signIns := flag.Int("signins", 0, "write a many-address day of this many sign-ins instead (with -ips)")
	ips := flag.Int("ips", 0, "distinct addresses of the many-address day")
	week := flag.Bool("week", false, "write a week of the simulated pool's traffic with attacks instead (with -records)")
	records := flag.Int("records", 100000, "records of the -week set, all services together")
	flag.Parse()
	if *signIns > 0 && *out != "" {
		if *ips%7919 == 0 {
			fmt.Fprintln(os.Stderr, "gentrail: -ips must not be a multiple of 7919")
			os.Exit(2)
		}
		share := *cognito
		if !isFlagSet("cognito-share") {
			share = 0.5
		}
		o := manyOptions{dir: *out, signIns: *signIns, ips: *ips, share: share, seed: *seed, day: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
		if err := runMany(o); err != nil {
			fmt.Fprintln(os.Stderr, "gentrail:", err)
			os.Exit(1)
		}
		return
	}
	if *week && *out != "" {
		if err := writeWeek(*out, *records, *seed); err != nil {
			fmt.Fprintln(os.Stderr, "gentrail:", err)
			os.Exit(1)
		}
		return
	}
	if *sample && *out != "" {
		if err := writeSample(*out); err != nil {
			fmt.Fprintln(os.Stderr, "gentrail:", err)
			os.Exit(1)
		}
		return
	}
	if *out == "" || *mb <= 0 || *cognito <= 0 || *cognito > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, int64(*mb)<<20, *cognito, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gentrail:", err)
		os.Exit(1)
	}
}

func run(dir string, size int64, share float64, seed uint64) error {
	// Two hours of the default traffic make about 3 to 15 MB at a 20%
	// share; simulate two-hour chunks, going back in time, until size is
	// filled.
	end := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	const chunk = 2 * time.Hour
	var written int64
	for i := 0; written < size; i++ {
		p := cognitomontest.NewPool("us-east-1_BenchPool1")
		r := cognitomon.TimeRange{Start: end.Add(-time.Duration(i+1) * chunk), End: end.Add(-time.Duration(i) * chunk)}
		cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: seed + uint64(i)})
		cognitomontest.CredentialStuffing(p, "4k2webapp0example0client1", r.Start.Add(time.Hour), 20*time.Minute, 20, 10)
		paths, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{OtherShare: 1 - share, Seed: seed + uint64(i)})
		if err != nil {
			return err
		}
		for _, path := range paths {
			n, err := uncompressedSize(path)
			if err != nil {
				return err
			}
			written += n
		}
		fmt.Fprintf(os.Stderr, "%s: %d files, %d MB so far\n", r, len(paths), written>>20)
	}
	return nil
}

// writeSample writes two hours of one pool's traffic with attacks mixed in,
// ending 2026-11-27 12:00 UTC.
func writeSample(dir string) error {
	end := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	r := cognitomon.TimeRange{Start: end.Add(-2 * time.Hour), End: end}
	p := cognitomontest.NewPool("us-east-1_DemoPool1")
	web := cognitomontest.DefaultClients()[0].ID
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 1})
	cognitomontest.CredentialStuffing(p, web, r.Start.Add(40*time.Minute), 15*time.Minute, 40, 6)
	cognitomontest.Enumeration(p, web, "192.0.2.77", r.Start.Add(70*time.Minute), 20*time.Minute, 60)
	cognitomontest.PasswordResetAbuse(p, web, "192.0.2.88", r.Start.Add(90*time.Minute), 10*time.Minute, 40)
	cognitomontest.MisbehavingMachine(p, "5reports0machine0client00", r.Start, 2*time.Hour, 120, 15)
	cognitomontest.AdminMFAOff(p, r.Start.Add(100*time.Minute), "arn:aws:iam::123456789012:user/mallory", "192.0.2.99")
	_, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{Span: 15 * time.Minute, Seed: 1})
	return err
}

// writeWeek writes seven days of one pool's traffic, ending 2026-11-27
// 00:00 UTC, with an attack of each kind on the fifth day and records of
// other services filling the files up to about records in all.
func writeWeek(dir string, records int, seed uint64) error {
	end := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	r := cognitomon.TimeRange{Start: end.Add(-7 * 24 * time.Hour), End: end}
	p := cognitomontest.NewPool("us-east-1_WeekPool1")
	web := cognitomontest.DefaultClients()[0].ID
	// A fifth of the default rates keeps a week near 100k Cognito records.
	clients := cognitomontest.DefaultClients()
	for i := range clients {
		clients[i].SignInsPerHour /= 5
	}
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: seed, Clients: clients})
	day5 := r.Start.Add(4 * 24 * time.Hour)
	cognitomontest.CredentialStuffing(p, web, day5.Add(10*time.Hour), 15*time.Minute, 40, 6)
	cognitomontest.Enumeration(p, web, "192.0.2.77", day5.Add(12*time.Hour), 20*time.Minute, 60)
	cognitomontest.PasswordResetAbuse(p, web, "192.0.2.88", day5.Add(14*time.Hour), 10*time.Minute, 40)
	cognitomontest.MisbehavingMachine(p, "5reports0machine0client00", day5, 2*time.Hour, 120, 15)
	cognitomontest.AdminMFAOff(p, day5.Add(16*time.Hour), "arn:aws:iam::123456789012:user/mallory", "192.0.2.99")
	n := len(p.TrailRecords())
	share := -1.0 // no other services
	if n < records {
		share = 1 - float64(n)/float64(records)
	}
	paths, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{OtherShare: share, Seed: seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d Cognito records of %d in %d files\n", n, records, len(paths))
	return nil
}

func isFlagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// uncompressedSize reads a gzip file's ISIZE trailer: the uncompressed size
// modulo 2^32, exact for files under 4 GiB.
func uncompressedSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var b [4]byte
	if _, err := f.ReadAt(b[:], mustSize(f)-4); err != nil {
		return 0, err
	}
	return int64(binary.LittleEndian.Uint32(b[:])), nil
}

func mustSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}
