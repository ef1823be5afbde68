package cognitomon

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cognitomon/cognitomon/internal/jsonscan"
)

// benchLog returns a decompressed log file of n records, four of five from
// other services, shaped as CloudTrail writes them, and the records.
func benchLog(n int) ([]byte, [][]byte) {
	var recs [][]byte
	for i := range n {
		var r string
		if i%5 == 0 {
			r = fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"Anonymous"},"eventTime":"2026-11-26T10:00:%02dZ","eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","awsRegion":"us-east-1","sourceIPAddress":"100.64.%d.%d","userAgent":"aws-amplify/6.6.0 android/14 framework/react-native","requestParameters":{"authFlow":"USER_PASSWORD_AUTH","authParameters":"HIDDEN_DUE_TO_SECURITY_REASONS","clientId":"4k2webapp0example0client1"},"responseElements":null,"additionalEventData":{"sub":"%08x-0000-4000-8000-000000000000"},"requestID":"%08x-1111-4111-8111-111111111111","eventID":"%08x-2222-4222-8222-222222222222","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`, i%60, i>>8&0xff, i&0xff, i, i, i)
		} else {
			r = fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE%05d:session","arn":"arn:aws:sts::123456789012:assumed-role/app-%d/session","accountId":"123456789012","accessKeyId":"ASIA%016X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/app","accountId":"123456789012","userName":"app"},"attributes":{"creationDate":"2026-11-26T09:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2026-11-26T10:00:00Z","eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","sourceIPAddress":"10.0.%d.%d","userAgent":"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux md/GOARCH#amd64 api/x","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"arn:aws:kms:us-east-1:123456789012:key/%08x"},"responseElements":null,"requestID":"%08x-3333-4333-8333-333333333333","eventID":"%08x-4444-4444-8444-444444444444","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"kms.us-east-1.amazonaws.com"}}`, i%100000, i%50, i, i>>8&0xff, i&0xff, i, i, i)
		}
		recs = append(recs, []byte(r))
	}
	return append(append([]byte(`{"Records":[`), bytes.Join(recs, []byte(","))...), "]}"...), recs
}

// BenchmarkFraming compares finding the records of a log file, as
// logScanner does, with validating every record with jsonscan, which
// skipping the records of other services would cost if the two were one
// scanner. It reports the ratio of the two times.
func BenchmarkFraming(b *testing.B) {
	file, recs := benchLog(5000)
	b.SetBytes(int64(len(file)))
	var frame, validate time.Duration
	for b.Loop() {
		t0 := time.Now()
		s := &logScanner{r: bytes.NewReader(file), buf: make([]byte, 0, 64<<10), needle: []byte(UserPoolEventSource), counts: new(FileCounts)}
		hits := 0
		s.nonSpace()
		s.off += len(`{"Records":[`)
		for {
			if _, err := s.nonSpace(); err != nil {
				b.Fatal(err)
			}
			_, hit, err := s.scanComposite()
			if err != nil {
				b.Fatal(err)
			}
			if hit {
				hits++
			}
			c, _ := s.nonSpace()
			s.off++
			if c == ']' {
				break
			}
		}
		if hits != len(recs)/5 {
			b.Fatalf("%d hits", hits)
		}
		t1 := time.Now()
		for _, r := range recs {
			s := jsonscan.Scanner{Data: r}
			if err := s.Skip(0); err != nil {
				b.Fatal(err)
			}
		}
		frame += t1.Sub(t0)
		validate += time.Since(t1)
	}
	b.ReportMetric(float64(validate)/float64(frame), "x-validate/frame")
}

// BenchmarkReadEventFiles reads the CloudTrail log files under
// $COGNITOMON_TRAIL_DIR (scripts/bench-offline.sh generates them) with
// ReadEventFiles and with one worker, and reports MB/s of uncompressed
// data and the speed-up of the parallel reader. Without the variable it is
// skipped.
func BenchmarkReadEventFiles(b *testing.B) {
	dir := os.Getenv("COGNITOMON_TRAIL_DIR")
	if dir == "" {
		b.Skip("set COGNITOMON_TRAIL_DIR to a directory of CloudTrail log files (scripts/bench-offline.sh)")
	}
	fsys := os.DirFS(dir)
	read := func(workers int) (int64, time.Duration) {
		var counts FileCounts
		t0 := time.Now()
		for _, err := range readEventFiles(fsys, ".", &ReadOptions{Counts: &counts}, workers, fileBatch) {
			if err != nil {
				b.Fatal(err)
			}
		}
		return counts.Records, time.Since(t0)
	}
	var par, seq time.Duration
	var records int64
	for b.Loop() {
		n, d := read(runtime.GOMAXPROCS(0))
		par += d
		_, d = read(1)
		seq += d
		records = n
	}
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(float64(records)*float64(b.N)/par.Seconds(), "records/s")
	b.ReportMetric(seq.Seconds()/par.Seconds(), "x-sequential")
}

// BenchmarkGunzip decompresses the .json.gz files under
// $COGNITOMON_TRAIL_DIR, held in memory, with compress/gzip and with
// klauspost/compress/gzip, which the reader uses, and reports the ratio of
// their times. Without the variable it is skipped.
func BenchmarkGunzip(b *testing.B) {
	dir := os.Getenv("COGNITOMON_TRAIL_DIR")
	if dir == "" {
		b.Skip("set COGNITOMON_TRAIL_DIR to a directory of CloudTrail log files (scripts/bench-offline.sh)")
	}
	var files [][]byte
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			data, err := fs.ReadFile(os.DirFS(dir), p)
			files = append(files, data)
			return err
		}
		return err
	})
	if err != nil || len(files) == 0 {
		b.Fatalf("no .json.gz files under %s: %v", dir, err)
	}
	var std, kp time.Duration
	var total int64
	for b.Loop() {
		total = 0
		t0 := time.Now()
		for _, f := range files {
			zr, err := stdgzip.NewReader(bytes.NewReader(f))
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.Copy(io.Discard, zr)
			if err != nil {
				b.Fatal(err)
			}
			total += n
		}
		t1 := time.Now()
		for _, f := range files {
			zr, err := gzip.NewReader(bytes.NewReader(f))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				b.Fatal(err)
			}
		}
		std += t1.Sub(t0)
		kp += time.Since(t1)
	}
	mb := float64(total) * float64(b.N) / 1e6
	b.ReportMetric(mb/std.Seconds(), "stdlib-MB/s")
	b.ReportMetric(mb/kp.Seconds(), "klauspost-MB/s")
	b.ReportMetric(std.Seconds()/kp.Seconds(), "x-faster")
}
