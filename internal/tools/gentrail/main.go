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
	flag.Parse()
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
