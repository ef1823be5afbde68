package cognitomontest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// TrailFileOptions shape the CloudTrail log files that WriteTrailFiles and
// WriteTrailLog produce. Zero values mean the documented defaults.
type TrailFileOptions struct {
	// OtherShare is the share of records from services other than Cognito
	// (S3, EC2, STS, KMS, Lambda ...), as in a real account's trail.
	// Default 0.8. A negative value means none.
	OtherShare float64
	// Span is the time one file covers; CloudTrail delivers about every
	// five minutes. Default 5 minutes.
	Span time.Duration
	// Plain writes .json files instead of .json.gz.
	Plain bool
	// Seed makes the other services' records reproducible.
	Seed uint64
}

func (o TrailFileOptions) withDefaults() TrailFileOptions {
	if o.OtherShare == 0 {
		o.OtherShare = 0.8
	}
	if o.OtherShare < 0 {
		o.OtherShare = 0
	}
	if o.Span <= 0 {
		o.Span = 5 * time.Minute
	}
	return o
}

// WriteTrailFiles writes the pools' CloudTrail records as log files under
// dir, laid out as a trail delivers them to S3:
// AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz,
// one file per span, with records of other services mixed in. It returns the
// files' paths.
func WriteTrailFiles(dir string, pools []*Pool, o TrailFileOptions) ([]string, error) {
	o = o.withDefaults()
	type fileKey struct {
		account, region string
		start           time.Time
	}
	groups := map[fileKey][]TrailRecord{}
	var keys []fileKey
	for _, p := range pools {
		for _, r := range p.cachedTrailRecords() {
			k := fileKey{p.opts.Account, p.id.Region(), r.Time.Truncate(o.Span)}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], r)
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x747261696c))
	var paths []string
	for _, k := range keys {
		ext := ".json.gz"
		if o.Plain {
			ext = ".json"
		}
		end := k.start.Add(o.Span)
		name := fmt.Sprintf("%s_CloudTrail_%s_%s_%016x%s", k.account, k.region, end.Format("20060102T1504Z"), rng.Uint64(), ext)
		path := filepath.Join(dir, "AWSLogs", k.account, "CloudTrail", k.region, end.Format("2006/01/02"), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return paths, err
		}
		f, err := os.Create(path)
		if err != nil {
			return paths, err
		}
		o.Seed = rng.Uint64()
		err = WriteTrailLog(f, groups[k], o)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return paths, fmt.Errorf("writing %s: %w", path, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// WriteTrailLog writes one CloudTrail log file, {"Records":[...]}, gzipped
// unless o.Plain, holding recs in shuffled order (CloudTrail files are not
// ordered) and as many records of other services as o.OtherShare asks for.
func WriteTrailLog(w io.Writer, recs []TrailRecord, o TrailFileOptions) error {
	o = o.withDefaults()
	rng := rand.New(rand.NewPCG(o.Seed, 0x6c6f67))
	others := 0
	if o.OtherShare < 1 {
		others = int(float64(len(recs)) * o.OtherShare / (1 - o.OtherShare))
	}
	order := rng.Perm(len(recs) + others)
	var at time.Time
	if len(recs) > 0 {
		at = recs[0].Time
	}
	var zw *gzip.Writer
	out := w
	if !o.Plain {
		zw = gzip.NewWriter(w)
		out = zw
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i, k := range order {
		if i > 0 {
			buf.WriteByte(',')
		}
		if k < len(recs) {
			buf.Write(recs[k].JSON)
		} else {
			buf.Write(OtherServiceRecord(rng, at))
		}
		if buf.Len() > 64<<10 {
			if _, err := out.Write(buf.Bytes()); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	buf.WriteString("]}")
	if _, err := out.Write(buf.Bytes()); err != nil {
		return err
	}
	if zw != nil {
		return zw.Close()
	}
	return nil
}

// otherServices are the kinds of records a busy account's trail is mostly
// made of.
var otherServices = []struct{ source, name, params string }{
	{"s3.amazonaws.com", "GetBucketAcl", `{"bucketName":"logs-archive-%d","Host":"logs-archive.s3.amazonaws.com","acl":""}`},
	{"ec2.amazonaws.com", "DescribeInstances", `{"instancesSet":{"items":[{"instanceId":"i-0%015x"}]},"filterSet":{}}`},
	{"sts.amazonaws.com", "AssumeRole", `{"roleArn":"arn:aws:iam::123456789012:role/deploy-%d","roleSessionName":"ci","durationSeconds":3600}`},
	{"kms.amazonaws.com", "Decrypt", `{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":"arn:aws:kms:us-east-1:123456789012:key/%08x"}`},
	{"lambda.amazonaws.com", "ListFunctions20150331", `{"maxItems":%d}`},
	{"logs.amazonaws.com", "CreateLogStream", `{"logGroupName":"/aws/lambda/api-%d","logStreamName":"2026/11/27/[$LATEST]abc"}`},
	{"dynamodb.amazonaws.com", "DescribeTable", `{"tableName":"orders-%d"}`},
	{"iam.amazonaws.com", "GetRole", `{"roleName":"service-role-%d"}`},
}

// OtherServiceRecord returns one CloudTrail record of a service other than
// Cognito, around time t, for filling log files as a real account's trail
// would be filled.
func OtherServiceRecord(rng *rand.Rand, t time.Time) []byte {
	s := otherServices[rng.IntN(len(otherServices))]
	t = t.Add(time.Duration(rng.Int64N(int64(5 * time.Minute))))
	params := fmt.Sprintf(s.params, rng.IntN(1<<24))
	return fmt.Appendf(nil, `{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE%05d:session","arn":"arn:aws:sts::123456789012:assumed-role/app-%d/session","accountId":"123456789012","accessKeyId":"ASIA%016X","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/app","accountId":"123456789012","userName":"app"},"attributes":{"creationDate":"%s","mfaAuthenticated":"false"}}},"eventTime":"%s","eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","sourceIPAddress":"10.%d.%d.%d","userAgent":"aws-sdk-go-v2/1.30.0 os/linux lang/go#1.22 md/GOOS#linux md/GOARCH#amd64 api/x","requestParameters":%s,"responseElements":null,"requestID":"%08x-%04x-%04x-%04x-%012x","eventID":"%08x-%04x-%04x-%04x-%012x","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"%s"}}`,
		rng.IntN(100000), rng.IntN(50), rng.Uint64(), t.Add(-time.Hour).Format(time.RFC3339), t.Format(time.RFC3339), s.source, s.name,
		rng.IntN(256), rng.IntN(256), rng.IntN(256), params,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff,
		rng.Uint32(), rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint32()&0xffff, rng.Uint64()&0xffffffffffff,
		s.source)
}
