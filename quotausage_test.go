package cognitomon_test

import (
	"context"
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
