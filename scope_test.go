package cognitomon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// TestScopeAttribution: every event lands in exactly one count, by the rule
// of Scope's doc, and only in-scope events reach the consumers.
func TestScopeAttribution(t *testing.T) {
	const pool, other = cognitomon.UserPoolID("us-east-1_Mine1"), cognitomon.UserPoolID("us-east-1_Theirs1")
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ev := func(id string, p cognitomon.UserPoolID, c cognitomon.ClientID, region string, off time.Duration) cognitomon.Event {
		return cognitomon.Event{EventID: id, Name: "InitiateAuth", Time: t0.Add(off), UserPoolID: p, ClientID: c, Region: region}
	}
	events := []cognitomon.Event{
		ev("mine-named", pool, "webA", "us-east-1", 0),
		ev("mine-by-given-client", "", "given1", "us-east-1", time.Minute),
		ev("mine-by-learned-client", "", "webA", "us-east-1", 2*time.Minute),
		ev("theirs-named", other, "theirB", "us-east-1", 3*time.Minute),
		ev("theirs-by-client", "", "theirB", "us-east-1", 4*time.Minute),
		ev("unknown-client", "", "who", "us-east-1", 5*time.Minute),
		ev("no-client", "", "", "us-east-1", 6*time.Minute),
		ev("other-region", pool, "webA", "eu-west-1", 7*time.Minute),
		ev("too-early", pool, "webA", "us-east-1", -time.Hour),
	}
	seq := func(yield func(cognitomon.Event, error) bool) {
		for _, e := range events {
			if !yield(e, nil) {
				return
			}
		}
	}
	var got []string
	rec := consumerFunc(func(e cognitomon.Event) { got = append(got, e.EventID) })
	scope := cognitomon.Scope{UserPool: pool, Clients: []cognitomon.ClientID{"given1", cognitomon.AdminClient}, Range: cognitomon.TimeRange{Start: t0, End: t0.Add(time.Hour)}}
	cov, err := cognitomon.Consume(context.Background(), seq, scope, rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := "mine-named mine-by-given-client mine-by-learned-client"; strings.Join(got, " ") != want {
		t.Errorf("consumed %v, want %s", got, want)
	}
	if cov.Read != 9 || cov.InScope != 3 || cov.OtherPools != 2 || cov.Unattributed != 2 || cov.OtherRegions != 1 || cov.OutsideRange != 1 {
		t.Errorf("coverage counts %+v", cov)
	}
	if len(cov.UnattributedClients) != 2 || cov.UnattributedClients[0].Key != "" || cov.UnattributedClients[1].Key != "who" {
		t.Errorf("unattributed clients %v", cov.UnattributedClients)
	}
	if !cov.First.Equal(t0) || !cov.Last.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("span %s..%s", cov.First, cov.Last)
	}
	gaps := strings.Join(cov.Gaps(), "\n")
	if !strings.Contains(gaps, "2 events name no pool") || !strings.Contains(gaps, "who 1") {
		t.Errorf("gaps do not name the unattributed events: %q", gaps)
	}
}

// TestScopeEveryPool: without a pool, every pool is in scope and the
// coverage says which were seen.
func TestScopeEveryPool(t *testing.T) {
	seq := func(yield func(cognitomon.Event, error) bool) {
		for _, p := range []cognitomon.UserPoolID{"us-east-1_A1", "us-east-1_B1", "us-east-1_A1", ""} {
			if !yield(cognitomon.Event{Name: "Token_POST", UserPoolID: p, Time: time.Unix(1, 0)}, nil) {
				return
			}
		}
	}
	cov, err := cognitomon.Consume(context.Background(), seq, cognitomon.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if cov.InScope != 4 || cov.Pools["us-east-1_A1"] != 2 || cov.Pools["us-east-1_B1"] != 1 || cov.Pools[""] != 1 {
		t.Errorf("coverage %+v", cov)
	}
	if len(cov.Notes) != 1 || !strings.Contains(cov.Notes[0], "events of 2 user pools") {
		t.Errorf("notes %q", cov.Notes)
	}
	if !cov.Complete() {
		t.Errorf("gaps %q", cov.Gaps())
	}
}

func TestScopeValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    cognitomon.Scope
		want string
	}{
		{"bad pool", cognitomon.Scope{UserPool: "nope"}, "invalid user pool id"},
		{"wrong region", cognitomon.Scope{UserPool: "us-east-1_A1", Region: "eu-west-1"}, "Region eu-west-1 is not the Region of user pool us-east-1_A1 (us-east-1)"},
		{"bad client", cognitomon.Scope{Clients: []cognitomon.ClientID{"a b"}}, "invalid app client id"},
		{"inverted range", cognitomon.Scope{Range: cognitomon.TimeRange{Start: time.Unix(10, 0), End: time.Unix(5, 0)}}, "invalid time range"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cognitomon.Consume(context.Background(), func(func(cognitomon.Event, error) bool) {}, tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestCoverageGaps: each kind of blindness is a gap; a clean pass is not.
func TestCoverageGaps(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    cognitomon.Coverage
		want string
	}{
		{"nothing read", cognitomon.Coverage{ReadsEvents: true}, "no events read"},
		{"files without cognito", cognitomon.Coverage{ReadsEvents: true, Files: cognitomon.FileCounts{Files: 3, Records: 40, OtherServices: 40}}, "no Cognito user pool events in 40 records of 3 files"},
		{"range without data", cognitomon.Coverage{ReadsEvents: true, Read: 5, OutsideRange: 5, Requested: cognitomon.TimeRange{Start: time.Unix(0, 0).UTC(), End: time.Unix(60, 0).UTC()}}, "none of the 5 events read lies in the range"},
		{"other pools only", cognitomon.Coverage{ReadsEvents: true, Read: 5, OtherPools: 5}, "none of the 5 events read is in scope"},
		{"failed source", cognitomon.Coverage{Sources: []cognitomon.Source{{Name: "cloudwatch-metrics", Status: cognitomon.SourceFailed, Reason: "throttled"}}}, "source cloudwatch-metrics failed: throttled"},
		{"denied source", cognitomon.Coverage{Sources: []cognitomon.Source{{Name: "cognito-config", Status: cognitomon.SourceDenied, Action: "cognito-idp:ListUserPoolClients"}}}, "access denied to cognito-idp:ListUserPoolClients"},
		{"unreadable file", cognitomon.Coverage{ReadsEvents: true, Read: 1, InScope: 1, Files: cognitomon.FileCounts{Unreadable: 1}}, "1 log files unreadable"},
		{"partial", cognitomon.Coverage{Partial: true}, "reading stopped early"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if g := strings.Join(tt.c.Gaps(), "\n"); !strings.Contains(g, tt.want) || tt.c.Complete() {
				t.Errorf("gaps %q, want %q", g, tt.want)
			}
		})
	}
	clean := cognitomon.Coverage{ReadsEvents: true, Read: 3, InScope: 2, OtherPools: 1,
		Sources: []cognitomon.Source{{Name: "cloudwatch-metrics", Status: cognitomon.SourceNotAvailable, Reason: "log files are read offline"}}}
	if !clean.Complete() {
		t.Errorf("a clean pass has gaps %q", clean.Gaps())
	}
}

// TestConsumeCancelled: a cancelled context stops the pass; what was read
// stays with the consumers and the coverage says partial.
func TestConsumeCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	seq := func(yield func(cognitomon.Event, error) bool) {
		for i := 0; ; i++ {
			if i == 5000 {
				cancel()
			}
			if !yield(cognitomon.Event{Name: "InitiateAuth", Time: time.Unix(int64(i), 0)}, nil) {
				return
			}
			if i > 1_000_000 {
				t.Error("Consume did not stop")
				return
			}
		}
	}
	cov, err := cognitomon.Consume(ctx, seq, cognitomon.Scope{}, consumerFunc(func(cognitomon.Event) { n++ }))
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cognitomon.ErrIncomplete) || !cov.Partial || n < 5000 || int64(n) != cov.InScope {
		t.Errorf("err %v, partial %v, consumed %d of %d", err, cov.Partial, n, cov.InScope)
	}
}

type consumerFunc func(cognitomon.Event)

func (f consumerFunc) Add(e cognitomon.Event) { f(e) }

// TestStatsCoverage: metrics carry their coverage; a pool whose metrics
// show no series is a gap that says what to check.
func TestStatsCoverage(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return at.Add(time.Hour) }
	pool := cognitomontest.NewPool("us-east-1_AbCdEf123")
	pool.Record(cognitomontest.Attempt{Time: at.Add(10 * time.Minute), Flow: cognitomon.SignIn, Client: "web1example", Outcome: cognitomontest.Success})
	cw := cognitomontest.NewCloudWatch([]*cognitomontest.Pool{pool}, func(o *cognitomontest.CloudWatchOptions) { o.Now = clock })
	mc := cognitomon.NewMetricsClient(cw, func(o *cognitomon.MetricsOptions) { o.Clock = clock })
	st, err := mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: pool.ID(), Range: cognitomon.Last(time.Hour, clock())})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Coverage.Complete() || st.Coverage.First.IsZero() || !st.Coverage.Requested.Start.Equal(at) {
		t.Errorf("coverage %+v, gaps %q", st.Coverage, st.Coverage.Gaps())
	}
	st, err = mc.Stats(context.Background(), cognitomon.StatsInput{UserPool: "us-east-1_Nobody1", Range: cognitomon.Last(time.Hour, clock())})
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(st.Coverage.Gaps(), " "); !strings.Contains(g, "no AWS/Cognito series for user pool us-east-1_Nobody1") {
		t.Errorf("gaps %q", g)
	}
}
