package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// TestReportM2MCost: a week of client_credentials tokens in log files, ten
// an hour with one in twenty failing, gives each machine client's cost in
// the report's text and JSON: successful requests times $2.25 per 1,000 by
// default (FACTS.md 9.4 d), or the --m2m-price.
func TestReportM2MCost(t *testing.T) {
	end := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Hour)
	p := cognitomontest.NewPool("us-east-1_CostPool01")
	var rs []cognitomontest.Request
	ok := 0
	for i := range 7 * 24 * 10 {
		r := cognitomontest.Request{Time: end.Add(-7*24*time.Hour + time.Duration(i)*6*time.Minute), Name: "Token_POST", GrantType: "client_credentials",
			Client: "3m2m0cost0example0client0", IP: "192.0.2.10", UserAgent: "Go-http-client/2.0"}
		if i%20 == 0 {
			r.Outcome = cognitomontest.Failure
		} else {
			ok++
		}
		rs = append(rs, r)
	}
	p.RecordRequest(rs...)
	dir := t.TempDir()
	if _, err := cognitomontest.WriteTrailFiles(dir, []*cognitomontest.Pool{p}, cognitomontest.TrailFileOptions{Seed: 1, Span: time.Hour}); err != nil {
		t.Fatal(err)
	}
	cost := float64(ok) * 2.25 / 1000 // 1596 successes: $3.59

	out, errOut, code := cli(t, nil, false, "report", "--trail-files", dir, "--format", "json", "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var rep struct {
		Trail struct {
			Machines []struct {
				ClientID  string  `json:"clientId"`
				Requests  int64   `json:"requests"`
				Successes int64   `json:"successes"`
				Cost      float64 `json:"costUsd"`
			} `json:"machineClients"`
			Price struct {
				PerThousand float64 `json:"perThousandUsd"`
				AsOf        string  `json:"asOf"`
			} `json:"m2mPrice"`
			Cost float64 `json:"m2mCostUsd"`
		} `json:"trail"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	m := rep.Trail.Machines
	if len(m) != 1 || m[0].ClientID != "3m2m0cost0example0client0" || m[0].Requests != int64(len(rs)) || m[0].Successes != int64(ok) || !near(m[0].Cost, cost) {
		t.Errorf("machine clients %+v, want %d requests, %d successes, $%.4f", m, len(rs), ok, cost)
	}
	if rep.Trail.Price.PerThousand != 2.25 || rep.Trail.Price.AsOf != "2024-05-09" || !near(rep.Trail.Cost, cost) {
		t.Errorf("price %+v, total $%v", rep.Trail.Price, rep.Trail.Cost)
	}

	out, errOut, code = cli(t, nil, false, "report", "--trail-files", dir, "--fail-on", "none")
	if code != exitOK {
		t.Fatalf("text: exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{fmt.Sprintf("$%.2f", cost), "M2M token cost: $3.59 for the successful requests at $2.25 per 1,000 as of 2024-05-09"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}

	out, _, _ = cli(t, nil, false, "report", "--trail-files", dir, "--fail-on", "none", "--m2m-price", "3")
	if want := fmt.Sprintf("M2M token cost: $%.2f for the successful requests at $3.00 per 1,000 (--m2m-price;", float64(ok)*3/1000); !strings.Contains(out, want) {
		t.Errorf("text report with --m2m-price 3 lacks %q:\n%s", want, out)
	}
	if _, _, code := cli(t, nil, false, "report", "--trail-files", dir, "--m2m-price", "-1"); code != exitUsage {
		t.Errorf("--m2m-price -1: exit %d", code)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
