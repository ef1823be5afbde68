package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// manyOptions shape a many-address day: signIns sign-ins spread evenly
// over ips distinct addresses (each address signs in signIns/ips times),
// plus one brute-force address, among records of other services.
type manyOptions struct {
	dir          string
	signIns, ips int
	share        float64 // share of Cognito records
	seed         uint64
	day          time.Time
}

// The one brute-force address of a many-address day, and its attack: this
// many failed sign-ins in the hour from 10:00 UTC, far above every
// threshold of the built-in detections while each ordinary address signs in
// a few times a day.
const (
	bruteIP       = "203.0.113.66"
	bruteFailures = 3000
	manyPool      = "us-east-1_BenchPool1"
	manyClient    = "4k2webapp0example0client1"
	manyAccount   = "123456789012"
	manySpan      = 5 * time.Minute
)

// runMany writes the day as one .json.gz file per five minutes, in a
// trail's S3 layout, using every core. It streams: no file is held in
// memory whole.
func runMany(o manyOptions) error {
	if o.ips <= 0 || o.ips > 1<<22 || o.signIns < o.ips {
		return fmt.Errorf("-ips must be between 1 and %d and at most -signins", 1<<22)
	}
	files := int(24 * time.Hour / manySpan)
	jobs := make(chan int)
	errs := make(chan error, files)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				errs <- writeManyFile(o, i, files)
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "%d sign-ins from %d addresses and %d failures from %s in %d files\n", o.signIns, o.ips, bruteFailures, bruteIP, files)
	return nil
}

// writeManyFile writes file i of files: the sign-ins whose number k has
// k*files/signIns == i, so that each file gets its share in order.
func writeManyFile(o manyOptions, i, files int) error {
	start := o.day.Add(time.Duration(i) * manySpan)
	end := start.Add(manySpan)
	rng := rand.New(rand.NewPCG(o.seed, uint64(i)))
	name := fmt.Sprintf("%s_CloudTrail_us-east-1_%s_%016x.json.gz", manyAccount, end.Format("20060102T1504Z"), rng.Uint64())
	path := filepath.Join(o.dir, "AWSLogs", manyAccount, "CloudTrail", "us-east-1", start.Format("2006/01/02"), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	w := bufio.NewWriterSize(zw, 64<<10)
	first := int((int64(i)*int64(o.signIns) + int64(files) - 1) / int64(files))
	last := int((int64(i+1)*int64(o.signIns) + int64(files) - 1) / int64(files))
	// The brute force runs from 10:00 to 11:00: 12 files.
	bruteFrom := int(10 * time.Hour / manySpan)
	brute := 0
	if i >= bruteFrom && i < bruteFrom+12 {
		brute = bruteFailures / 12
	}
	cognito := last - first + brute
	others := 0
	if o.share < 1 {
		others = int(float64(cognito) * (1 - o.share) / o.share)
	}
	order := rng.Perm(cognito + others)
	buf := make([]byte, 0, 4<<10)
	w.WriteString(`{"Records":[`)
	for n, k := range order {
		if n > 0 {
			w.WriteByte(',')
		}
		t := start.Add(time.Duration(rng.Int64N(int64(manySpan))))
		switch {
		case k < last-first:
			buf = signInRecord(buf[:0], rng, first+k, o, t)
		case k < cognito:
			buf = loginRecord(buf[:0], rng, bruteIP, t, false)
		default:
			buf = cognitomontest.OtherServiceRecord(rng, start)
		}
		w.Write(buf)
	}
	w.WriteString("]}")
	err = w.Flush()
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// signInRecord appends sign-in number k: from address (k*stride) mod ips, so
// that every address gets the same number of sign-ins spread over the day.
// Half are managed-login login_POST requests, which name the pool and the
// client, half InitiateAuth calls, which name only the client; 4% fail.
func signInRecord(dst []byte, rng *rand.Rand, k int, o manyOptions, t time.Time) []byte {
	idx := int((int64(k) * 7919) % int64(o.ips))
	ip := fmt.Sprintf("100.%d.%d.%d", 64+idx>>16, idx>>8&0xff, idx&0xff)
	ok := rng.IntN(100) >= 4
	if k%2 == 0 {
		return loginRecord(dst, rng, ip, t, ok)
	}
	errPart := ""
	if !ok {
		errPart = `"errorCode":"NotAuthorizedException","errorMessage":"Incorrect username or password.",`
	}
	return fmt.Appendf(dst, `{"eventVersion":"1.08","userIdentity":{"type":"Unknown","principalId":"Anonymous"},"eventTime":"%s","eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","awsRegion":"us-east-1","sourceIPAddress":"%s","userAgent":"aws-amplify/6.6.0 android/14 framework/react-native",%s"requestParameters":{"authFlow":"USER_PASSWORD_AUTH","authParameters":"HIDDEN_DUE_TO_SECURITY_REASONS","clientId":"%s"},"responseElements":null,"additionalEventData":{"sub":"%08x-0000-4000-8000-%012x"},"requestID":"%08x-%04x-4%03x-8%03x-%012x","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"cognito-idp.us-east-1.amazonaws.com"}}`,
		t.Format(time.RFC3339), ip, errPart, manyClient, idx, rng.Uint64()&0xffffffffffff,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff,
		manyAccount)
}

// loginRecord appends a managed-login login_POST from ip: a 302 when ok,
// else a 400 (FACTS.md 2.3: a failed endpoint request may carry only its
// HTTP status).
func loginRecord(dst []byte, rng *rand.Rand, ip string, t time.Time, ok bool) []byte {
	status := 302
	if !ok {
		status = 400
	}
	return fmt.Appendf(dst, `{"eventVersion":"1.09","userIdentity":{"accountId":"%s"},"eventTime":"%s","eventSource":"cognito-idp.amazonaws.com","eventName":"login_POST","awsRegion":"us-east-1","sourceIPAddress":"%s","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36","requestParameters":null,"responseElements":null,"additionalEventData":{"responseParameters":{"status":%d},"requestParameters":{"client_id":["%s"],"response_type":["code"],"username":["HIDDEN_DUE_TO_SECURITY_REASONS"],"password":["HIDDEN_DUE_TO_SECURITY_REASONS"],"_csrf":["HIDDEN_DUE_TO_SECURITY_REASONS"]},"userPoolDomain":"auth.example.com","userPoolId":"%s"},"requestID":"%08x-%04x-4%03x-8%03x-%012x","eventID":"%08x-%04x-4%03x-8%03x-%012x","readOnly":false,"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management"}`,
		manyAccount, t.Format(time.RFC3339), ip, status, manyClient, manyPool,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xfff, rng.Uint32()&0xfff, rng.Uint64()&0xffffffffffff,
		manyAccount)
}
