package insightsql

import (
	"encoding/json"
	"fmt"
	"iter"
	"math/rand"
	"testing"
	"time"
)

const (
	benchEvents = 1_000_000
	benchPool   = 8192 // distinct messages, cycled to make benchEvents events
)

const benchQuery = `filter eventSource = "cognito-idp.amazonaws.com" and not isempty(errorCode)
| stats count(*) as failures by errorCode, sourceIPAddress`

// benchMessages synthesizes CloudTrail-like records (about 1.2 KB each):
// Cognito API and endpoint events, some other services, errors on ~20%.
func benchMessages(tb testing.TB) [][]byte {
	rng := rand.New(rand.NewSource(42))
	pick := func(s ...string) string { return s[rng.Intn(len(s))] }
	out := make([][]byte, benchPool)
	for i := range out {
		source := "cognito-idp.amazonaws.com"
		if rng.Intn(10) < 3 {
			source = pick("sts.amazonaws.com", "s3.amazonaws.com", "kms.amazonaws.com", "cognito-identity.amazonaws.com")
		}
		m := map[string]any{
			"eventVersion":       "1.08",
			"userIdentity":       map[string]any{"type": pick("Unknown", "IAMUser", "AssumedRole"), "accountId": "123456789012", "principalId": fmt.Sprintf("AIDA%012d", rng.Intn(1e6))},
			"eventTime":          "2024-05-01T10:00:00Z",
			"eventSource":        source,
			"eventName":          pick("InitiateAuth", "RespondToAuthChallenge", "AdminInitiateAuth", "Token_POST", "Login_GET", "GetUser", "SignUp"),
			"awsRegion":          "us-west-2",
			"sourceIPAddress":    fmt.Sprintf("198.51.100.%d", rng.Intn(64)),
			"userAgent":          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
			"requestID":          fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<16), rng.Intn(1<<16), rng.Int63n(1<<48)),
			"eventID":            fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<16), rng.Intn(1<<16), rng.Int63n(1<<48)),
			"readOnly":           rng.Intn(2) == 0,
			"eventType":          pick("AwsApiCall", "AwsServiceEvent"),
			"managementEvent":    true,
			"recipientAccountId": "123456789012",
			"eventCategory":      "Management",
			"tlsDetails":         map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "cognito-idp.us-west-2.amazonaws.com"},
			"requestParameters": map[string]any{
				"authFlow":       pick("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "USER_PASSWORD_AUTH"),
				"authParameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
				"clientId":       fmt.Sprintf("client%04d", rng.Intn(20)),
			},
			"additionalEventData": map[string]any{
				"sub":                fmt.Sprintf("%08x-0000-0000-0000-%012x", rng.Uint32(), rng.Int63n(1<<48)),
				"requestParameters":  map[string]any{"client_id": []string{fmt.Sprintf("client%04d", rng.Intn(20))}, "grant_type": []string{pick("refresh_token", "client_credentials")}},
				"responseParameters": map[string]any{"status": pick("200", "400", "302")},
				"userPoolId":         "us-west-2_EXAMPLE",
			},
		}
		switch r := rng.Intn(10); {
		case r < 2:
			m["errorCode"] = pick("NotAuthorizedException", "UserNotFoundException", "TooManyRequestsException", "CodeMismatchException")
			m["errorMessage"] = "Incorrect username or password."
		case r < 4:
			m["errorCode"] = "" // endpoint events carry an empty errorCode on success
			m["errorMessage"] = ""
		}
		b, err := json.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func benchSeq(msgs [][]byte, n int) iter.Seq[Event] {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	return func(yield func(Event) bool) {
		for i := 0; i < n; i++ {
			ev := Event{
				Timestamp: base.Add(time.Duration(i) * 50 * time.Millisecond),
				Message:   msgs[i%len(msgs)],
				LogStream: "123456789012_CloudTrail_us-west-2",
				LogGroup:  "aws-cloudtrail-logs",
			}
			if !yield(ev) {
				return
			}
		}
	}
}

// BenchmarkRun runs a filter + stats count(*) by two fields over 1,000,000
// synthetic CloudTrail events per iteration. Besides events/s it reports the
// ratio of its time to a plain json.Unmarshal into map[string]any of the same
// events, measured in the same run, which stays meaningful on a noisy
// machine.
func BenchmarkRun(b *testing.B) {
	msgs := benchMessages(b)
	var bytes int64
	for i := 0; i < benchEvents; i++ {
		bytes += int64(len(msgs[i%len(msgs)]))
	}
	q, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	seq := benchSeq(msgs, benchEvents)
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	var res Result
	for i := 0; i < b.N; i++ {
		res, err = q.Run(seq)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runNs := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	if res.RecordsScanned != benchEvents || res.RecordsMatched == 0 || len(res.Rows) == 0 {
		b.Fatalf("unexpected result: %d scanned, %d matched, %d rows", res.RecordsScanned, res.RecordsMatched, len(res.Rows))
	}

	// Baseline: json.Unmarshal of the same events into map[string]any.
	start := time.Now()
	for ev := range seq {
		var m map[string]any
		if err := json.Unmarshal(ev.Message, &m); err != nil {
			b.Fatal(err)
		}
	}
	unmarshalNs := float64(time.Since(start).Nanoseconds())

	b.ReportMetric(float64(benchEvents)/(runNs/1e9), "events/s")
	b.ReportMetric(runNs/benchEvents, "ns/event")
	b.ReportMetric(unmarshalNs/benchEvents, "unmarshal-ns/event")
	b.ReportMetric(runNs/unmarshalNs, "eval/unmarshal")
}

// BenchmarkExtract measures the field extractor alone on one synthetic
// record per iteration.
func BenchmarkExtract(b *testing.B) {
	msgs := benchMessages(b)
	q, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	r := newRunner(q)
	b.ReportAllocs()
	b.ResetTimer()
	var n int64
	for i := 0; i < b.N; i++ {
		m := msgs[i%len(msgs)]
		n += int64(len(m))
		r.x.extract(m, q.jsonSlots)
	}
	b.SetBytes(n / int64(b.N))
}
