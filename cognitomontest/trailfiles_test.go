package cognitomontest_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func TestWriteTrailFiles(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	r := cognitomon.Last(20*time.Minute, now)
	cognitomontest.SimulateTraffic(p, r, cognitomontest.TrafficOptions{Seed: 3})
	dir := t.TempDir()
	paths, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 4 || len(paths) > 5 {
		t.Fatalf("%d files for 20 minutes", len(paths))
	}
	cognito, others := 0, 0
	for _, path := range paths {
		rel, _ := filepath.Rel(dir, path)
		if !strings.HasPrefix(rel, filepath.Join("AWSLogs", "123456789012", "CloudTrail", "us-east-1", "2026", "11", "27")+string(filepath.Separator)) ||
			!strings.HasPrefix(filepath.Base(path), "123456789012_CloudTrail_us-east-1_20261127T") || !strings.HasSuffix(path, ".json.gz") {
			t.Errorf("file %s is not where a trail puts it", rel)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []map[string]any }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		f.Close()
		for _, rec := range doc.Records {
			if rec["eventSource"] == "cognito-idp.amazonaws.com" {
				cognito++
			} else {
				others++
			}
		}
	}
	if want := len(p.TrailRecords()); cognito != want {
		t.Errorf("%d Cognito records in files, want %d", cognito, want)
	}
	if share := float64(others) / float64(cognito+others); share < 0.75 || share > 0.85 {
		t.Errorf("other services' share %.2f, want about 0.8", share)
	}
}

func TestWriteTrailLogPlain(t *testing.T) {
	var buf bytes.Buffer
	if err := cognitomontest.WriteTrailLog(&buf, nil, cognitomontest.TrailFileOptions{Plain: true, OtherShare: -1}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != `{"Records":[]}` {
		t.Errorf("empty log %q", buf.String())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		if rec := cognitomontest.OtherServiceRecord(rng, now); !json.Valid(rec) {
			t.Fatalf("invalid record %s", rec)
		}
	}
	if _, err := io.Copy(io.Discard, &buf); err != nil {
		t.Fatal(err)
	}
}
