package cognitomon_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"testing/iotest"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// logFile wraps records in a CloudTrail log file's top-level object.
func logFile(records ...string) []byte {
	return []byte(`{"Records":[` + strings.Join(records, ",") + `]}`)
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// collect drains seq, keeping events and errors in order.
func collect(seq func(func(cognitomon.Event, error) bool)) (events []cognitomon.Event, errs []error) {
	for e, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		events = append(events, e)
	}
	return events, errs
}

func eventNames(events []cognitomon.Event) []string {
	var names []string
	for _, e := range events {
		names = append(names, e.Name)
	}
	return names
}

// genRecord writes one compact CloudTrail record. Cognito records are the
// shapes of the samples and of FACTS.md 2.3; the others imitate common
// management events of other services.
type logGen struct {
	r   *rand.Rand
	t   time.Time
	seq int
}

func newLogGen(seed uint64) *logGen {
	return &logGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), t: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
}

func (g *logGen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(223), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *logGen) uuid() string {
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", g.r.Uint32(), g.r.Uint32()&0xffff, g.r.Uint32()&0xffff, g.r.Uint32()&0xffff, g.r.Uint64()&0xffffffffffff)
}

func (g *logGen) when() string {
	g.seq++
	return g.t.Add(time.Duration(g.seq) * 37 * time.Millisecond).Format(time.RFC3339)
}

func (g *logGen) cognito() string {
	switch g.r.IntN(4) {
	case 0:
		errorPart := ""
		if g.r.IntN(3) == 0 {
			errorPart = `"errorCode":"NotAuthorizedException","errorMessage":"Incorrect username or password.",`
		}
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"Anonymous"},"eventTime":%q,"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/cognito-identity-provider#3.540.0",%s"requestParameters":{"authFlow":"USER_PASSWORD_AUTH","authParameters":"HIDDEN_DUE_TO_SECURITY_REASONS","clientId":"5ff2example7abcdefghijklmno"},"responseElements":null,"additionalEventData":{"sub":%q},"requestID":%q,"eventID":%q,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"cognito-idp.us-east-1.amazonaws.com"}}`,
			g.when(), g.ip(), errorPart, g.uuid(), g.uuid(), g.uuid())
	case 1:
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"accountId":"123456789012"},"eventTime":%q,"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"Apache-HttpClient/4.5.14 (Java/17.0.10)","requestParameters":null,"responseElements":null,"additionalEventData":{"responseParameters":{"status":200},"requestParameters":{"grant_type":["client_credentials"],"client_id":["1example23456789"],"scope":["orders/read orders/write"]},"userPoolDomain":"mydomain.auth.us-east-1.amazoncognito.com","userPoolId":"us-east-1_EXAMPLE"},"requestID":%q,"eventID":%q,"readOnly":false,"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"123456789012","serviceEventDetails":{"serviceAccountId":"111122223333"},"eventCategory":"Management"}`,
			g.when(), g.ip(), g.uuid(), g.uuid())
	case 2:
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"accountId":"123456789012"},"eventTime":%q,"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15","requestParameters":null,"responseElements":null,"additionalEventData":{"responseParameters":{"status":200},"requestParameters":{"refresh_token":["HIDDEN_DUE_TO_SECURITY_REASONS"],"grant_type":["refresh_token"],"client_id":["1example23456789"]},"userPoolDomain":"mydomain.auth.us-east-1.amazoncognito.com","userPoolId":"us-east-1_EXAMPLE"},"requestID":%q,"eventID":%q,"readOnly":false,"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"123456789012","serviceEventDetails":{"serviceAccountId":"111122223333"},"eventCategory":"Management"}`,
			g.when(), g.ip(), g.uuid(), g.uuid())
	default:
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"Anonymous"},"eventTime":%q,"eventSource":"cognito-idp.amazonaws.com","eventName":"RespondToAuthChallenge","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-amplify/6.0.16 auth/4 framework/2","requestParameters":{"clientId":"5ff2example7abcdefghijklmno","challengeName":"PASSWORD_VERIFIER","challengeResponses":"HIDDEN_DUE_TO_SECURITY_REASONS","session":"HIDDEN_DUE_TO_SECURITY_REASONS"},"responseElements":{"challengeParameters":{},"authenticationResult":"HIDDEN_DUE_TO_SECURITY_REASONS"},"additionalEventData":{"sub":%q},"requestID":%q,"eventID":%q,"readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`,
			g.when(), g.ip(), g.uuid(), g.uuid(), g.uuid())
	}
}

func (g *logGen) other() string {
	role := fmt.Sprintf("arn:aws:sts::123456789012:assumed-role/app-role-%d/i-%016x", g.r.IntN(20), g.r.Uint64())
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0123","arn":%q,"accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/app-role","accountId":"123456789012","userName":"app-role"},"attributes":{"creationDate":"2026-03-01T00:00:00Z","mfaAuthenticated":"false"},"ec2RoleDelivery":"2.0"}},"eventTime":%q,"eventSource":"kms.amazonaws.com","eventName":"Decrypt","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/kms#1.35.0","requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::my-bucket/path/to/object-%d"}},"responseElements":null,"requestID":%q,"eventID":%q,"readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:123456789012:key/%s"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"kms.us-east-1.amazonaws.com"}}`,
			role, g.when(), g.ip(), g.r.IntN(1e6), g.uuid(), g.uuid(), g.uuid())
	case 1:
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":%q,"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"ec2.amazonaws.com","userAgent":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::123456789012:role/app-role","roleSessionName":"i-%016x"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLE%08d","sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE%016x/////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample","expiration":"Mar 1, 2026, 6:00:00 AM"}},"requestID":%q,"eventID":%q,"readOnly":true,"resources":[{"accountId":"123456789012","type":"AWS::IAM::Role","ARN":"arn:aws:iam::123456789012:role/app-role"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","sharedEventID":%q,"eventCategory":"Management"}`,
			g.when(), g.r.Uint64(), g.r.IntN(1e8), g.r.Uint64(), g.uuid(), g.uuid(), g.uuid())
	case 2:
		return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:session","arn":%q,"accountId":"123456789012","accessKeyId":"ASIAEXAMPLE"},"eventTime":%q,"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances","requestParameters":{"instancesSet":{},"filterSet":{"items":[{"name":"tag:Name","valueSet":{"items":[{"value":"web-%d"}]}}]}},"responseElements":null,"requestID":%q,"eventID":%q,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"ec2.us-east-1.amazonaws.com"},"sessionCredentialFromConsole":"true"}`,
			role, g.when(), g.ip(), g.r.IntN(100), g.uuid(), g.uuid())
	default:
		return fmt.Sprintf(`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:lambda","arn":%q,"accountId":"123456789012","accessKeyId":"ASIAEXAMPLE"},"eventTime":%q,"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"aws-sdk-java/2.25.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy","requestParameters":{"name":"/app/prod/config/%d","withDecryption":true},"responseElements":null,"requestID":%q,"eventID":%q,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"ssm.us-east-1.amazonaws.com"}}`,
			role, g.when(), g.ip(), g.r.IntN(50), g.uuid(), g.uuid())
	}
}

// file returns a log file of about size bytes in which about cognitoShare of
// the records are Cognito user-pool records, and how many those are.
func (g *logGen) file(size int, cognitoShare float64) (data []byte, cognito int) {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for n := 0; b.Len() < size; n++ {
		if n > 0 {
			b.WriteByte(',')
		}
		if g.r.Float64() < cognitoShare {
			b.WriteString(g.cognito())
			cognito++
		} else {
			b.WriteString(g.other())
		}
	}
	b.WriteString(`]}`)
	return b.Bytes(), cognito
}

// BenchmarkReadEvents measures ReadEvents over about 20 MB of gzipped log
// files in which 20% of the records are Cognito's, against the time to
// merely decompress the same files ("gunzip"). "read" (ReadEvents alone)
// and "analyze" (ReadEvents feeding all eight analyzers) report MB/s of
// uncompressed data and the ratio of their time per op to gunzip's; the
// targets are at least 200 MB/s and at most 2.5 times gunzip's time. The
// ratio needs gunzip to run first, as it does unless -bench selects one
// sub-benchmark. "plain" is ReadEvents over the uncompressed files.
func BenchmarkReadEvents(b *testing.B) {
	const fileSize = 2 << 20 // 2 MB uncompressed per file, 10 files
	g := newLogGen(1)
	var files, plain [][]byte
	var total, cognito int
	for range 10 {
		data, n := g.file(fileSize, 0.2)
		total += len(data)
		cognito += n
		plain = append(plain, data)
		files = append(files, gzipBytes(b, data))
	}
	mbps := func(b *testing.B) float64 {
		return float64(total) * float64(b.N) / b.Elapsed().Seconds() / 1e6
	}
	var gunzipNsPerOp float64
	b.Run("gunzip", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			for _, f := range files {
				zr, err := gzip.NewReader(bytes.NewReader(f))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, zr); err != nil {
					b.Fatal(err)
				}
			}
		}
		gunzipNsPerOp = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(mbps(b), "MB/s-uncompressed")
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for i, f := range files {
				for _, err := range cognitomon.ReadEvents(bytes.NewReader(f), fmt.Sprintf("file-%d.json.gz", i)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != cognito {
				b.Fatalf("read %d events, want %d", n, cognito)
			}
		}
		nsPerOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(mbps(b), "MB/s-uncompressed")
		if gunzipNsPerOp > 0 {
			b.ReportMetric(nsPerOp/gunzipNsPerOp, "x-gunzip-time")
		}
	})
	// analyze is the full analysis: ReadEvents feeding every analyzer in
	// one pass.
	b.Run("analyze", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			traffic := analysis.NewTrafficAnalyzer()
			analyzers := []cognitomon.Consumer{
				analysis.NewFailureAnalyzer(), analysis.NewEnumerationAnalyzer(), analysis.NewPasswordResetAnalyzer(),
				analysis.NewMFAAnalyzer(), analysis.NewRefreshAnalyzer(5 * time.Minute), analysis.NewM2MAnalyzer(),
				analysis.NewAdminChangeAnalyzer(), traffic,
			}
			for i, f := range files {
				if err := analyze(cognitomon.ReadEvents(bytes.NewReader(f), fmt.Sprintf("file-%d.json.gz", i)), analyzers...); err != nil {
					b.Fatal(err)
				}
			}
			var n int64
			for _, c := range traffic.Summary().ByKind {
				n += c.Attempts
			}
			if n != int64(cognito) {
				b.Fatalf("analyzed %d events, want %d", n, cognito)
			}
		}
		nsPerOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(mbps(b), "MB/s-uncompressed")
		if gunzipNsPerOp > 0 {
			b.ReportMetric(nsPerOp/gunzipNsPerOp, "x-gunzip-time")
		}
	})
	// plain is ReadEvents over the same files uncompressed: the cost of
	// finding, filtering and decoding records alone.
	b.Run("plain", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for i, f := range plain {
				for _, err := range cognitomon.ReadEvents(bytes.NewReader(f), fmt.Sprintf("file-%d.json", i)) {
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
			}
			if n != cognito {
				b.Fatalf("read %d events, want %d", n, cognito)
			}
		}
		b.ReportMetric(mbps(b), "MB/s-uncompressed")
	})
}

// sampleRecords returns the records of testdata/samples and
// testdata/synthesized, trimmed, with the user-pool ones parsed.
func sampleRecords(t testing.TB) (records [][]byte, events []cognitomon.Event) {
	t.Helper()
	for _, dir := range []string{"samples", "synthesized"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.TrimSpace(data)
			if bytes.HasPrefix(data, []byte(`{"Records"`)) {
				continue // the UpdateTrail log file
			}
			records = append(records, data)
			e, err := cognitomon.ParseEvent(data)
			if errors.Is(err, cognitomon.ErrNotUserPoolEvent) {
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			events = append(events, e)
		}
	}
	return records, events
}

func joinRecords(records [][]byte) []byte {
	return logFile(func() []string {
		var ss []string
		for _, r := range records {
			ss = append(ss, string(r))
		}
		return ss
	}()...)
}

func TestReadEvents(t *testing.T) {
	records, want := sampleRecords(t)
	if len(want) != 28 {
		t.Fatalf("%d user-pool records in testdata, want 28 (9 AWS samples and 19 synthesized)", len(want))
	}
	plain := joinRecords(records)
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, plain); err != nil {
		t.Fatal(err)
	}
	inputs := map[string]io.Reader{
		"plain":                bytes.NewReader(plain),
		"gzip":                 bytes.NewReader(gzipBytes(t, plain)),
		"half reads":           iotest.HalfReader(bytes.NewReader(plain)),
		"data with EOF":        iotest.DataErrReader(bytes.NewReader(plain)),
		"other members around": strings.NewReader(`{"x": {"Records": "no"}, "Records": ` + string(plain[len(`{"Records":`):len(plain)-1]) + `, "y": [1, "]}", {"z": null}], "n": -1.5e3 } `),
	}
	for name, r := range inputs {
		t.Run(name, func(t *testing.T) {
			got, errs := collect(cognitomon.ReadEvents(r, "test.json"))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(want, got, equalRaw); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// Reads of one byte split every token and escape somewhere; a few
	// records with escapes, arrays and nesting are enough.
	few, wantFew := joinRecords(records[len(records)-6:]), want[len(want)-6:]
	for name, r := range map[string]io.Reader{
		"one byte at a time": iotest.OneByteReader(bytes.NewReader(few)),
		"gzip, one byte":     iotest.OneByteReader(bytes.NewReader(gzipBytes(t, few))),
	} {
		t.Run(name, func(t *testing.T) {
			got, errs := collect(cognitomon.ReadEvents(r, "test.json"))
			if len(errs) > 0 {
				t.Fatalf("errors: %v", errs)
			}
			if diff := cmp.Diff(wantFew, got, equalRaw); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("compact", func(t *testing.T) {
		got, errs := collect(cognitomon.ReadEvents(bytes.NewReader(compact.Bytes()), "compact.json"))
		if len(errs) > 0 {
			t.Fatalf("errors: %v", errs)
		}
		if diff := cmp.Diff(want, got, ignoreRaw); diff != "" {
			t.Errorf("events mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestReadEventsNoUserPoolRecords(t *testing.T) {
	for name, data := range map[string][]byte{
		"UpdateTrail sample": readTestdata(t, "samples/cloudtrail-UpdateTrail-failure-TrailNotFoundException.json"),
		"empty Records":      []byte(`{"Records":[]}`),
		"spaces":             []byte(" {\n \"Records\" : [ ] \n} \n"),
		"mention only":       logFile(`{"eventSource":"sts.amazonaws.com","userIdentity":{"invokedBy":"cognito-idp.amazonaws.com"},"eventName":"AssumeRole"}`),
		"identity pool":      logFile(string(bytes.TrimSpace(readTestdata(t, "samples/cloudtrail-GetId-success.json")))),
	} {
		t.Run(name, func(t *testing.T) {
			events, errs := collect(cognitomon.ReadEvents(bytes.NewReader(data), name))
			if len(events) != 0 || len(errs) != 0 {
				t.Errorf("got %d events and errors %v, want neither", len(events), errs)
			}
		})
	}
}

func TestReadEventsLargeRecord(t *testing.T) {
	big := strings.Repeat(`x\"{[`, 300_000) // 1.5 MB of string with escapes and brackets
	record := `{"eventSource":"cognito-idp.amazonaws.com","eventName":"UpdateUserPool","eventTime":"2026-03-02T10:00:00Z","requestParameters":{"emailVerificationMessage":"` + big + `"},"eventID":"big"}`
	data := logFile(`{"eventSource":"s3.amazonaws.com","x":"`+big+`"}`, record, `{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventTime":"2026-03-02T10:00:01Z","eventID":"small"}`)
	for name, r := range map[string]io.Reader{"plain": bytes.NewReader(data), "gzip": bytes.NewReader(gzipBytes(t, data))} {
		t.Run(name, func(t *testing.T) {
			events, errs := collect(cognitomon.ReadEvents(r, "big.json"))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if diff := cmp.Diff([]string{"UpdateUserPool", "SignUp"}, eventNames(events)); diff != "" {
				t.Fatalf("events mismatch (-want +got):\n%s", diff)
			}
			if !bytes.Equal(events[0].Raw, []byte(record)) {
				t.Error("Raw of the large record is not its bytes")
			}
		})
	}
}

func TestReadEventsCorrupt(t *testing.T) {
	good := func(id string) string {
		return `{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventTime":"2026-03-02T10:00:00Z","eventID":"` + id + `"}`
	}
	whole := logFile(good("r0"), good("r1"), good("r2"))
	gz := gzipBytes(t, whole)
	badChecksum := bytes.Clone(gz)
	badChecksum[len(badChecksum)-5] ^= 0xff // CRC-32 is in the last 8 bytes
	tests := []struct {
		name   string
		data   []byte
		events []string // event IDs before and after the errors
		record []int    // the Record of each error, in order
		msg    string   // the last error says this
	}{
		{name: "empty", data: nil, record: []int{-1}, msg: "empty file"},
		{name: "not an object", data: []byte(`[{"Records":[]}]`), record: []int{-1}, msg: "starts with '['"},
		{name: "no Records", data: []byte(`{"records":[]}`), record: []int{-1}, msg: "no Records array"},
		{name: "Records not an array", data: []byte(`{"Records":{"eventName":"SignUp"}}`), record: []int{-1}, msg: "not an array"},
		{name: "Records null", data: []byte(`{"Records":null}`), record: []int{-1}, msg: "not an array"},
		{name: "two Records", data: []byte(`{"Records":[],"Records":[]}`), record: []int{-1}, msg: "two Records arrays"},
		{name: "record not an object", data: logFile(good("r0"), `42`, good("r2")), events: []string{"r0"}, record: []int{1}, msg: "not a JSON object: it starts with '4'"},
		{name: "missing comma", data: []byte(`{"Records":[` + good("r0") + good("r1") + `]}`), events: []string{"r0"}, record: []int{0}, msg: "expected ',' or ']'"},
		{name: "truncated in a record", data: whole[:len(whole)-40], events: []string{"r0", "r1"}, record: []int{2}, msg: "truncated JSON: the file ends inside the record"},
		{name: "truncated in a string", data: whole[:bytes.Index(whole, []byte(`"r1"`))+2], events: []string{"r0"}, record: []int{1}, msg: "truncated JSON"},
		{name: "truncated after a record", data: whole[:bytes.Index(whole, []byte(`,`+good("r1")))], events: []string{"r0"}, record: []int{0}, msg: "the file ends after the record"},
		{name: "truncated at the end", data: whole[:len(whole)-1], events: []string{"r0", "r1", "r2"}, record: []int{-1}, msg: "truncated JSON"},
		{name: "garbage after", data: append(bytes.Clone(whole), " x"...), events: []string{"r0", "r1", "r2"}, record: []int{-1}, msg: "unexpected 'x' after the top-level object"},
		{name: "bad gzip header", data: []byte{0x1f, 0x8b, 0, 0, 0}, record: []int{-1}, msg: "bad gzip data"},
		{name: "truncated gzip", data: gz[:len(gz)/2], record: []int{0}, msg: "truncated gzip data: the file ends inside the record"},
		{name: "gzip checksum", data: badChecksum, events: []string{"r0", "r1", "r2"}, record: []int{-1}, msg: "checksum"},
		{
			name:   "bad user-pool records are skipped with an error",
			data:   logFile(good("r0"), `{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventTime":"later","eventID":"bad-time"}`, `{"eventSource":"cognito-idp.amazonaws.com","eventName":SignUp,"eventID":"bad-json"}`, good("r3")),
			events: []string{"r0", "r3"}, record: []int{1, 2}, msg: "malformed record",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, errs := collect(cognitomon.ReadEvents(bytes.NewReader(tt.data), "bad.json.gz"))
			var ids []string
			for _, e := range events {
				ids = append(ids, e.EventID)
			}
			if diff := cmp.Diff(tt.events, ids, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
			var records []int
			for _, err := range errs {
				var re *cognitomon.ReadError
				if !errors.As(err, &re) || re.File != "bad.json.gz" {
					t.Fatalf("error %v is not a *ReadError naming the file", err)
				}
				if !strings.Contains(err.Error(), `file "bad.json.gz"`) {
					t.Errorf("error %q does not name the file", err)
				}
				if re.Record >= 0 && !strings.Contains(err.Error(), fmt.Sprintf("record %d", re.Record)) {
					t.Errorf("error %q does not name record %d", err, re.Record)
				}
				records = append(records, re.Record)
			}
			if diff := cmp.Diff(tt.record, records); diff != "" {
				t.Fatalf("error records mismatch (-want +got):\n%s (errors %v)", diff, errs)
			}
			if last := errs[len(errs)-1]; !strings.Contains(last.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", last, tt.msg)
			}
		})
	}
}

func TestReadEventsRecordErrorNamesEvent(t *testing.T) {
	data := logFile(`{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventID":"e-17"}`)
	_, errs := collect(cognitomon.ReadEvents(bytes.NewReader(data), "f.json"))
	var re *cognitomon.ReadError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.EventID != "e-17" || re.Record != 0 {
		t.Fatalf("errors = %v, want one *ReadError for record 0, event e-17", errs)
	}
	if want := `cloudtrail file "f.json" record 0 event "e-17": user pool record SignUp has eventTime "", not an RFC 3339 time`; errs[0].Error() != want {
		t.Errorf("error = %q, want %q", errs[0], want)
	}
}

func TestReadEventsBreak(t *testing.T) {
	records, _ := sampleRecords(t)
	n := 0
	for _, err := range cognitomon.ReadEvents(bytes.NewReader(joinRecords(records)), "x.json") {
		if err != nil {
			t.Fatal(err)
		}
		n++
		break
	}
	if n != 1 {
		t.Errorf("looped %d times after break", n)
	}
}

func TestReadEventFiles(t *testing.T) {
	rec := func(id string) string {
		return `{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventTime":"2026-03-02T10:00:00Z","eventID":"` + id + `"}`
	}
	dir := "AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/02/"
	fsys := fstest.MapFS{
		dir + "123456789012_CloudTrail_us-east-1_20260302T1005Z_b.json.gz":           {Data: gzipBytes(t, logFile(rec("b1"), rec("b2")))},
		dir + "123456789012_CloudTrail_us-east-1_20260302T1000Z_a.json":              {Data: logFile(rec("a1"))},
		dir + "123456789012_CloudTrail_us-east-1_20260302T1010Z_c.json.gz":           {Data: []byte{0x1f, 0x8b, 9, 9}},
		dir + "123456789012_CloudTrail_us-east-1_20260302T1015Z_d.gz":                {Data: logFile(rec("d1"))}, // not compressed after all
		"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/03/02/digest.json.gz": {Data: gzipBytes(t, []byte(`{"awsAccountId":"123456789012"}`))},
		"AWSLogs/README.txt":            {Data: []byte("not a log file")},
		"AWSLogs/000/CloudTrail/e.json": {Data: logFile(rec("e0"))},
	}
	events, errs := collect(cognitomon.ReadEventFiles(fsys, "AWSLogs"))
	var ids []string
	for _, e := range events {
		ids = append(ids, e.EventID)
	}
	if diff := cmp.Diff([]string{"e0", "a1", "b1", "b2", "d1"}, ids); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	var re *cognitomon.ReadError
	if len(errs) != 1 || !errors.As(errs[0], &re) || re.File != dir+"123456789012_CloudTrail_us-east-1_20260302T1010Z_c.json.gz" {
		t.Errorf("errors = %v, want one for the c file", errs)
	}

	t.Run("one file", func(t *testing.T) {
		fsys := fstest.MapFS{"logfile": {Data: gzipBytes(t, logFile(rec("x")))}}
		events, errs := collect(cognitomon.ReadEventFiles(fsys, "logfile"))
		if len(errs) != 0 || len(events) != 1 || events[0].EventID != "x" {
			t.Errorf("got %v, %v; want event x", events, errs)
		}
	})
	t.Run("missing", func(t *testing.T) {
		_, errs := collect(cognitomon.ReadEventFiles(fsys, "nope"))
		var re *cognitomon.ReadError
		if len(errs) != 1 || !errors.As(errs[0], &re) || !errors.Is(errs[0], fs.ErrNotExist) || re.File != "nope" {
			t.Errorf("errors = %v, want one not-exist error for nope", errs)
		}
	})
	t.Run("break", func(t *testing.T) {
		n := 0
		for range cognitomon.ReadEventFiles(fsys, ".") {
			n++
			break
		}
		if n != 1 {
			t.Errorf("looped %d times after break", n)
		}
	})
}

// referenceLog reads data as a log file with encoding/json and returns the
// stream ReadEvents must produce ("event:<id>:<name>" or "error:<record>"),
// and false when data is not valid JSON, whose stream is not checked.
func referenceLog(data []byte) ([]string, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	fail := func(out []string, record int) ([]string, bool) {
		return append(out, fmt.Sprintf("error:%d", record)), true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return fail(nil, -1)
	}
	var records []json.RawMessage
	seen := 0
	for dec.More() {
		tok, _ := dec.Token()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		if tok != "Records" {
			continue
		}
		if seen++; seen > 1 {
			return fail(nil, -1)
		}
		if v[0] != '[' {
			return fail(nil, -1)
		}
		if err := json.Unmarshal(v, &records); err != nil {
			return nil, false
		}
		records = append(records[:0:0], records...)
		if records == nil {
			records = []json.RawMessage{}
		}
	}
	var out []string
	for i, r := range records {
		if r[0] != '{' {
			return fail(out, i)
		}
		if !bytes.Contains(r, []byte(`"cognito-idp.amazonaws.com"`)) {
			continue
		}
		e, err := cognitomon.ParseEvent(r)
		switch {
		case errors.Is(err, cognitomon.ErrNotUserPoolEvent):
		case err != nil:
			out = append(out, fmt.Sprintf("error:%d", i))
		default:
			out = append(out, "event:"+e.EventID+":"+e.Name)
		}
	}
	if seen == 0 {
		return fail(out, -1)
	}
	return out, true
}

func FuzzReadEvents(f *testing.F) {
	// Small seeds keep the fuzzer fast; the samples' shapes are covered by
	// two of them.
	records, _ := sampleRecords(f)
	f.Add(joinRecords(records[:2]))
	f.Add(joinRecords(records[len(records)-2:]))
	f.Add([]byte(`{"Records":[{"eventSource":"cognito-idp.amazonaws.com","eventName":"A\"}]","eventTime":"2026-01-01T00:00:00Z","eventID":"\\"}]}`))
	f.Add([]byte(`{"a":[{}],"Records":[{},[],{"b":"\\\\"}],"c":"}"}`))
	f.Add([]byte(`{"Records":[1]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []string
		for e, err := range cognitomon.ReadEvents(bytes.NewReader(data), "fuzz.json") {
			if err != nil {
				var re *cognitomon.ReadError
				if !errors.As(err, &re) || re.File != "fuzz.json" {
					t.Fatalf("error %v is not a *ReadError naming the file", err)
				}
				got = append(got, fmt.Sprintf("error:%d", re.Record))
				continue
			}
			got = append(got, "event:"+e.EventID+":"+e.Name)
		}
		want, ok := referenceLog(data)
		if !ok {
			return
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ReadEvents(%q) mismatch (-want +got):\n%s", data, diff)
		}
	})
}

func allAnalyzers() []cognitomon.Consumer {
	return []cognitomon.Consumer{
		analysis.NewFailureAnalyzer(), analysis.NewEnumerationAnalyzer(), analysis.NewPasswordResetAnalyzer(),
		analysis.NewMFAAnalyzer(), analysis.NewRefreshAnalyzer(5 * time.Minute), analysis.NewM2MAnalyzer(),
		analysis.NewAdminChangeAnalyzer(), analysis.NewTrafficAnalyzer(),
	}
}

// peakHeap runs f and returns the highest heap in use while it ran, above
// the heap in use (after a collection) before it started, sampled every 10ms.
func peakHeap(tb testing.TB, f func()) uint64 {
	tb.Helper()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var ms runtime.MemStats
		var hi uint64
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			hi = max(hi, ms.HeapInuse)
			select {
			case <-stop:
				done <- hi
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	hi := <-done
	return hi - min(hi, base.HeapInuse)
}

// BenchmarkAnalyzeFiles runs the full analysis over the CloudTrail log files
// under $COGNITOMON_TRAIL_DIR (scripts/bench-offline.sh generates them), and
// in the same run the time to merely decompress the same files, reporting
// MB/s of uncompressed data and the ratio of the two times (the files are
// held in memory for both), then once more streaming from disk for the peak
// heap the analysis adds. Without the variable it is skipped.
func BenchmarkAnalyzeFiles(b *testing.B) {
	dir := os.Getenv("COGNITOMON_TRAIL_DIR")
	if dir == "" {
		b.Skip("set COGNITOMON_TRAIL_DIR to a directory of CloudTrail log files (scripts/bench-offline.sh)")
	}
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json.gz") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil || len(paths) == 0 {
		b.Fatalf("no .json.gz files under %s: %v", dir, err)
	}
	// The files are read into memory first, so that neither side measures
	// the disk.
	files := make([][]byte, len(paths))
	var total int64
	for i, p := range paths {
		if files[i], err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(files[i]))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, zr)
		if err != nil {
			b.Fatal(err)
		}
		total += n
	}
	var gunzip, analyzeTime time.Duration
	for b.Loop() {
		t0 := time.Now()
		for _, f := range files {
			zr, _ := gzip.NewReader(bytes.NewReader(f))
			if _, err := io.Copy(io.Discard, zr); err != nil {
				b.Fatal(err)
			}
		}
		gunzip += time.Since(t0)

		t1 := time.Now()
		analyzers := allAnalyzers()
		for i, f := range files {
			if err := analyze(cognitomon.ReadEvents(bytes.NewReader(f), paths[i]), analyzers...); err != nil {
				b.Fatal(err)
			}
		}
		analyzeTime += time.Since(t1)
	}
	b.StopTimer()
	files = nil // let the collector have them before the memory pass
	peak := peakHeap(b, func() {
		// Streaming from disk, as a user would, so that the measure is what
		// the analysis holds, not the files.
		analyzers := allAnalyzers()
		if err := analyze(cognitomon.ReadEventFiles(os.DirFS(dir), "."), analyzers...); err != nil {
			b.Fatal(err)
		}
	})
	mb := float64(total) * float64(b.N) / 1e6
	b.ReportMetric(float64(total)/1e6, "MB-uncompressed")
	b.ReportMetric(mb/analyzeTime.Seconds(), "analyze-MB/s")
	b.ReportMetric(mb/gunzip.Seconds(), "gunzip-MB/s")
	b.ReportMetric(analyzeTime.Seconds()/gunzip.Seconds(), "x-gunzip-time")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
