package cognitomon_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func TestQuotaUsage(t *testing.T) {
	p := busyPool(t)
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
	mc := cognitomon.NewMetricsClient(cw, clockAt(now))
	r := cognitomon.Last(3*time.Hour, now)
	qu, err := mc.QuotaUsage(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{}
	for _, a := range p.Attempts() {
		cat := map[cognitomon.Flow]string{cognitomon.SignIn: "UserAuthentication", cognitomon.TokenRefresh: "UserAuthentication", cognitomon.SignUp: "UserCreation", cognitomon.Federation: "UserFederation"}[a.Flow]
		w := want[cat]
		w[0]++
		if a.Outcome == cognitomontest.Throttled {
			w[1]++
		}
		want[cat] = w
	}
	got := map[string][2]float64{}
	for _, c := range qu.Categories {
		got[c.Category] = [2]float64{c.Calls.Total(), c.Throttles.Total()}
		if c.PeakPerSecond(qu.Period) <= 0 {
			t.Errorf("%s peak rate %v", c.Category, c.PeakPerSecond(qu.Period))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
}

// burstPool records a burst of n sign-ins within one minute, at, on top of
// one sign-in a minute over the hour before it.
func burstPool(at time.Time, n int) *cognitomontest.Pool {
	p := cognitomontest.NewPool(testPool)
	for m := range 60 {
		p.Record(cognitomontest.Attempt{Time: at.Add(-time.Duration(m+1) * time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	}
	for i := range n {
		p.Record(cognitomontest.Attempt{Time: at.Add(time.Duration(i) * 100 * time.Millisecond), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	}
	return p
}

func TestQuotaUsagePeriod(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name   string
		age    time.Duration // of the burst
		period time.Duration
		reason string
		warn   bool
	}{
		{"recent: one minute", 2 * time.Hour, time.Minute, "collected every minute", false},
		{"14 days: one minute", 14 * day, time.Minute, "collected every minute", false},
		{"20 days: five minutes", 20 * day, 5 * time.Minute, "keeps 1-minute data for 15 days", true},
		{"70 days: an hour", 70 * day, time.Hour, "keeps 5-minute data for 63 days", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			burst := now.Add(-tt.age).Truncate(time.Hour).Add(30 * time.Minute)
			p := burstPool(burst, 300) // 300 calls in 30s
			// A recent call, so that ListMetrics, which sees two weeks back,
			// lists the series.
			p.Record(cognitomontest.Attempt{Time: now.Add(-time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
			cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{p}, fakeAt(now))
			mc := cognitomon.NewMetricsClient(cw, clockAt(now))
			r := cognitomon.TimeRange{Start: burst.Add(-time.Hour), End: burst.Add(time.Hour)}
			qu, err := mc.QuotaUsage(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if qu.Period != tt.period || !strings.Contains(qu.PeriodReason, tt.reason) {
				t.Errorf("period %v (%q), want %v because %q", qu.Period, qu.PeriodReason, tt.period, tt.reason)
			}
			if warned := slices.ContainsFunc(qu.Warnings, func(w string) bool { return strings.Contains(w, "understate") }); warned != tt.warn {
				t.Errorf("warnings %q, want one about the coarse period: %v", qu.Warnings, tt.warn)
			}
			if old := r.Start.Before(now.Add(-14 * day)); slices.ContainsFunc(qu.Warnings, func(w string) bool { return strings.Contains(w, "ListMetrics") }) != old {
				t.Errorf("warnings %q, want one about discovery: %v", qu.Warnings, old)
			}
			if len(qu.Categories) != 1 || qu.Categories[0].Category != "UserAuthentication" {
				t.Fatalf("categories %+v", qu.Categories)
			}
			cu := qu.Categories[0]
			// Every call is there, whatever the period: the fake returns no
			// datapoints at a period CloudWatch no longer keeps.
			if got := cu.Calls.Total(); got != 360 {
				t.Errorf("%v calls, want 360", got)
			}
			// The peak is the busiest period's calls over its seconds: at
			// one minute, the burst's 300 calls plus none other in that
			// minute (the hourly sign-ins are a minute before).
			want := 300 / tt.period.Seconds()
			if tt.period > time.Minute {
				want = float64(300+count(p, burst, tt.period)) / tt.period.Seconds()
			}
			if got := cu.PeakPerSecond(qu.Period); got != want {
				t.Errorf("peak %.3f/s, want %.3f/s", got, want)
			}
		})
	}
	// A bad range is an error before any call.
	cw := cognitomontest.NewCloudWatch(nil, fakeAt(now))
	if _, err := cognitomon.NewMetricsClient(cw, clockAt(now)).QuotaUsage(context.Background(), cognitomon.TimeRange{Start: now, End: now.Add(-time.Hour)}); !errors.Is(err, cognitomon.ErrInvalidRange) {
		t.Errorf("inverted range: %v", err)
	}
	if n := cw.Calls("ListMetrics") + cw.Calls("GetMetricData"); n != 0 {
		t.Errorf("%d calls for a bad range", n)
	}
}

// count returns the pool's sign-ins outside the burst in the period that
// holds burst.
func count(p *cognitomontest.Pool, burst time.Time, period time.Duration) int {
	start := burst.Truncate(period)
	n := 0
	for _, a := range p.Attempts() {
		if !a.Time.Before(start) && a.Time.Before(start.Add(period)) && a.Time.Before(burst) {
			n++
		}
	}
	return n
}
