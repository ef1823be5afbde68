package insightsql

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The ascending example of the Logs Insights sort documentation.
var awsSortExample = []string{
	"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh",
	"0", "01", "1", "2", "3",
}

func TestCompareSortAWSExample(t *testing.T) {
	for i := range awsSortExample {
		for j := range awsSortExample {
			a, b := strVal(awsSortExample[i]), strVal(awsSortExample[j])
			got := compareSort(a, b, nil, nil)
			want := 0
			switch {
			case i < j:
				want = -1
			case i > j:
				want = 1
			}
			if got != want {
				t.Errorf("compareSort(%q, %q) = %d, want %d", awsSortExample[i], awsSortExample[j], got, want)
			}
		}
	}
}

func TestSortCommand(t *testing.T) {
	shuffled := slices.Clone(awsSortExample)
	rand.New(rand.NewSource(1)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var evs []Event
	for i, v := range shuffled {
		evs = append(evs, jev(t, time.Duration(i)*time.Second, "s", map[string]any{"v": v}))
	}
	evs = append(evs, rawEv(time.Hour, "s", `{"other":1}`)) // no v: always last
	vals := func(rows []Row) []string {
		var out []string
		for _, r := range rows {
			if len(r) == 0 {
				out = append(out, "<missing>")
			} else {
				out = append(out, r[0].Value)
			}
		}
		return out
	}
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"fields v | sort v", append(slices.Clone(awsSortExample), "<missing>")},
		{"fields v | sort v asc", append(slices.Clone(awsSortExample), "<missing>")},
		{"fields v | sort v DESC", append(reversed(awsSortExample), "<missing>")},
	} {
		if got := vals(run(t, c.src, evs).Rows); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestSortNumbersAndTies(t *testing.T) {
	evs := []Event{
		rawEv(1*time.Second, "a", `{"n":10,"g":"x"}`),
		rawEv(2*time.Second, "b", `{"n":9,"g":"y"}`),
		rawEv(3*time.Second, "c", `{"n":"10","g":"x"}`),
		rawEv(4*time.Second, "d", `{"n":-1.5,"g":"y"}`),
		rawEv(4*time.Second, "e", `{"n":100,"g":"x"}`),
	}
	src := "fields @logStream | sort n desc"
	// Equal values keep newest-first order; n 10 and "10" tie on value and are
	// ordered by text (equal here), so by @timestamp descending.
	checkRows(t, src, run(t, src, evs).Rows, []string{"@logStream=e", "@logStream=c", "@logStream=a", "@logStream=b", "@logStream=d"})
	src = "fields @logStream | sort g, n"
	checkRows(t, src, run(t, src, evs).Rows, []string{"@logStream=c", "@logStream=a", "@logStream=e", "@logStream=d", "@logStream=b"})
	src = "fields @logStream | sort g desc"
	checkRows(t, src, run(t, src, evs).Rows, []string{"@logStream=d", "@logStream=b", "@logStream=e", "@logStream=c", "@logStream=a"})
}

func TestNonStatsDefaults(t *testing.T) {
	evs := []Event{
		rawEv(2*time.Second, "s1", `{"a":"two"}`),
		rawEv(1*time.Second+500*time.Millisecond, "s1", `plain text line`),
		rawEv(3*time.Second, "s2", `{"a":"three","b":7}`),
		rawEv(3*time.Second, "s2", `{"a":"three-again"}`),
	}
	src := "filter ispresent(@message)"
	checkRows(t, src, run(t, src, evs).Rows, []string{
		`@timestamp=2024-05-01 10:00:03.000 @message={"a":"three","b":7}`,
		`@timestamp=2024-05-01 10:00:03.000 @message={"a":"three-again"}`,
		`@timestamp=2024-05-01 10:00:02.000 @message={"a":"two"}`,
		`@timestamp=2024-05-01 10:00:01.500 @message=plain text line`,
	})
	// Missing fields are left out of a row.
	src = "fields a, b as bee, @logStream, @log | limit 3"
	checkRows(t, src, run(t, src, evs).Rows, []string{
		"a=three bee=7 @logStream=s2 @log=cloudtrail",
		"a=three-again @logStream=s2 @log=cloudtrail",
		"a=two @logStream=s1 @log=cloudtrail",
	})
	// An alias defined by fields is usable by later commands.
	src = "fields a as x | filter x like 'three' | sort x desc | display x"
	checkRows(t, src, run(t, src, evs).Rows, []string{"x=three-again", "x=three"})
}

func TestDefaultLimit(t *testing.T) {
	n := DefaultLimit + 5
	evs := make([]Event, n)
	for i := range evs {
		evs[i] = rawEv(time.Duration(i)*time.Millisecond, "s", fmt.Sprintf(`{"i":%d}`, i))
	}
	res := run(t, "fields i", evs)
	if len(res.Rows) != DefaultLimit {
		t.Fatalf("got %d rows, want %d", len(res.Rows), DefaultLimit)
	}
	if res.Rows[0][0].Value != fmt.Sprint(n-1) || res.Rows[DefaultLimit-1][0].Value != "5" {
		t.Errorf("first %v last %v", res.Rows[0], res.Rows[DefaultLimit-1])
	}
	if res.RecordsMatched != int64(n) {
		t.Errorf("RecordsMatched = %d", res.RecordsMatched)
	}
	res = run(t, "fields i | sort i asc | limit 3", evs)
	checkRows(t, "sort i asc | limit 3", res.Rows, []string{"i=0", "i=1", "i=2"})
	res = run(t, "stats count(*) by i | limit 20000", evs)
	if len(res.Rows) != n {
		t.Errorf("stats with limit 20000: %d rows", len(res.Rows))
	}
	res = run(t, "stats count(*) by i", evs)
	if len(res.Rows) != DefaultLimit || res.Rows[0][0].Value != "0" {
		t.Errorf("stats default limit: %d rows, first %v", len(res.Rows), res.Rows[0])
	}
}

func TestStatsAggregates(t *testing.T) {
	evs := []Event{
		rawEv(0, "s", `{"g":"a","v":1,"w":"x","e":""}`),
		rawEv(0, "s", `{"g":"a","v":"2.5","w":"x"}`),
		rawEv(0, "s", `{"g":"a","v":"oops","w":"y","e":"z"}`),
		rawEv(0, "s", `{"g":"b","v":-4,"w":""}`),
		rawEv(0, "s", `{"g":"b"}`),
		rawEv(0, "s", `{"v":100}`),
		rawEv(0, "s", `{"g":"","v":7}`),
	}
	src := "stats count(*) as n, count(v) as cv, count(w), count(e), count_distinct(w) as dw, sum(v) as s, avg(v) as a, min(v), max(v) by g"
	checkRows(t, src, run(t, src, evs).Rows, []string{
		// Groups in ascending key order, "" first, missing last; aggregates
		// with no numeric input are left out.
		"g= n=1 cv=1 count(w)=0 count(e)=0 dw=0 s=7 a=7 min(v)=7 max(v)=7",
		"g=a n=3 cv=3 count(w)=3 count(e)=1 dw=2 s=3.5 a=1.75 min(v)=1 max(v)=2.5",
		"g=b n=2 cv=1 count(w)=0 count(e)=0 dw=0 s=-4 a=-4 min(v)=-4 max(v)=-4",
		"n=1 cv=1 count(w)=0 count(e)=0 dw=0 s=100 a=100 min(v)=100 max(v)=100",
	})
	src = "filter g = 'b' and not ispresent(v) | stats sum(v), avg(v), min(v), max(v), count(v), count(*)"
	checkRows(t, src, run(t, src, evs).Rows, []string{"count(v)=0 count(*)=1"})
	// A number and a numeric string with the same text are one group.
	evs2 := []Event{rawEv(0, "s", `{"k":200}`), rawEv(0, "s", `{"k":"200"}`), rawEv(0, "s", `{"k":200.0}`), rawEv(0, "s", `{"k":"200.0"}`)}
	src = "stats count(*) as n by k"
	checkRows(t, src, run(t, src, evs2).Rows, []string{"k=200 n=3", "k=200.0 n=1"})
	// Natural order of keys; numbers after text.
	evs3 := []Event{rawEv(0, "s", `{"k":"a10"}`), rawEv(0, "s", `{"k":"a9"}`), rawEv(0, "s", `{"k":12}`), rawEv(0, "s", `{"k":3}`), rawEv(0, "s", `{"k":"B"}`)}
	checkRows(t, src, run(t, src, evs3).Rows, []string{"k=B n=1", "k=a9 n=1", "k=a10 n=1", "k=3 n=1", "k=12 n=1"})
}

func TestStatsAvgRendering(t *testing.T) {
	evs := []Event{rawEv(0, "s", `{"v":1}`), rawEv(0, "s", `{"v":1}`), rawEv(0, "s", `{"v":2}`)}
	src := "stats avg(v) as a, sum(v) as s"
	checkRows(t, src, run(t, src, evs).Rows, []string{"a=1.3333333333333333 s=4"})
}

func TestBin(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	evs := []Event{
		{Timestamp: at("2024-05-01T10:04:59.999Z"), Message: []byte(`{}`)},
		{Timestamp: at("2024-05-01T10:05:00Z"), Message: []byte(`{}`)},
		{Timestamp: at("2024-05-01T12:05:00+02:00"), Message: []byte(`{}`)}, // 10:05 UTC
		{Timestamp: at("2024-05-01T23:59:59.5Z"), Message: []byte(`{}`)},
		{Timestamp: at("2024-05-02T00:00:00.001Z"), Message: []byte(`{}`)},
	}
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"stats count(*) by bin(5m)", []string{
			"bin(5m)=2024-05-01 10:00:00.000 count(*)=1",
			"bin(5m)=2024-05-01 10:05:00.000 count(*)=2",
			"bin(5m)=2024-05-01 23:55:00.000 count(*)=1",
			"bin(5m)=2024-05-02 00:00:00.000 count(*)=1",
		}},
		{"stats count(*) as n by bin(1d) as day | sort day desc", []string{
			"day=2024-05-02 00:00:00.000 n=1",
			"day=2024-05-01 00:00:00.000 n=4",
		}},
		{"stats count(*) by bin(1h)", []string{
			"bin(1h)=2024-05-01 10:00:00.000 count(*)=3",
			"bin(1h)=2024-05-01 23:00:00.000 count(*)=1",
			"bin(1h)=2024-05-02 00:00:00.000 count(*)=1",
		}},
		{"stats count(*) by bin(30s) | limit 2", []string{
			"bin(30s)=2024-05-01 10:04:30.000 count(*)=1",
			"bin(30s)=2024-05-01 10:05:00.000 count(*)=2",
		}},
		// 7 minutes does not divide an hour: bins count from the Unix epoch.
		{"stats count(*) by bin(7min) | limit 1", []string{"bin(7min)=2024-05-01 10:00:00.000 count(*)=3"}},
		{"stats count(*) by bin(7min) as b | sort b desc | limit 2", []string{
			"b=2024-05-02 00:00:00.000 count(*)=1",
			"b=2024-05-01 23:53:00.000 count(*)=1",
		}},
		{"stats count(*) by bin(2hr) | limit 1", []string{"bin(2hr)=2024-05-01 10:00:00.000 count(*)=3"}},
		{"stats min(@timestamp) as first, max(@timestamp) as last", []string{
			"first=2024-05-01 10:04:59.999 last=2024-05-02 00:00:00.001",
		}},
	} {
		checkRows(t, c.src, run(t, c.src, evs).Rows, c.want)
	}
}

func TestSecondStatsAndFilterAfterStats(t *testing.T) {
	var evs []Event
	// user u1: 3 failures in the first 5 minutes, 1 in the next; u2: 1 failure.
	for _, e := range []struct {
		d    time.Duration
		user string
	}{{0, "u1"}, {time.Minute, "u1"}, {2 * time.Minute, "u1"}, {6 * time.Minute, "u1"}, {7 * time.Minute, "u2"}} {
		evs = append(evs, jev(t, e.d, "s", map[string]any{"user": e.user, "errorCode": "NotAuthorizedException"}))
	}
	cases := []struct {
		src  string
		want []string
	}{
		{"stats count(*) as n by user, bin(5m) as t | stats max(n) as peak, count(*) as windows by user", []string{
			"user=u1 peak=3 windows=2",
			"user=u2 peak=1 windows=1",
		}},
		{"stats count(*) as n by user, bin(5m) as t | filter n > 1", []string{
			"user=u1 t=2024-05-01 10:00:00.000 n=3",
		}},
		{"stats count(*) as n by user, bin(5m) as t | stats sum(n) as total, avg(n) as mean | display mean", []string{"mean=1.6666666666666667"}},
		{"stats count(*) as n by user | filter user = 'u2' or n >= 4 | sort n", []string{"user=u2 n=1", "user=u1 n=4"}},
		{"stats count(*) as n by user | stats count(*) as users, sum(n) as events | filter events > 100", nil},
		{"stats count(*) as n by bin(5m) as t | stats count(*) by t | sort t desc", []string{
			"t=2024-05-01 10:05:00.000 count(*)=1",
			"t=2024-05-01 10:00:00.000 count(*)=1",
		}},
		{"stats count(*) as n by user | display n, user", []string{"n=4 user=u1", "n=1 user=u2"}},
	}
	for _, c := range cases {
		res := run(t, c.src, evs)
		checkRows(t, c.src, res.Rows, c.want)
		if res.RecordsMatched != 5 {
			t.Errorf("%s: RecordsMatched = %d, want 5 (filters after stats do not count)", c.src, res.RecordsMatched)
		}
	}
}

func TestResultCounters(t *testing.T) {
	evs := []Event{rawEv(0, "s", `{"a":1}`), rawEv(0, "s", `{"a":2}`), rawEv(0, "s", `text`)}
	res := run(t, "filter a > 1 | stats count(*)", evs)
	if res.RecordsScanned != 3 || res.RecordsMatched != 1 || res.BytesScanned != int64(7+7+4) {
		t.Errorf("got %+v", res)
	}
}

func TestPtr(t *testing.T) {
	evs := []Event{rawEv(0, "s", `{}`), rawEv(time.Second, "s", `{}`)}
	res := run(t, "fields @ptr", evs)
	if len(res.Rows) != 2 || res.Rows[0][0].Value == "" || res.Rows[0][0].Value == res.Rows[1][0].Value {
		t.Errorf("@ptr values %v", res.Rows)
	}
	res2 := run(t, "fields @ptr", evs)
	if !slices.Equal(fmtRows(res.Rows), fmtRows(res2.Rows)) {
		t.Errorf("@ptr is not deterministic")
	}
}

// TestBufferReuse checks that Run does not retain Event.Message: the
// iterator overwrites one buffer for every event.
func TestBufferReuse(t *testing.T) {
	msgs := []string{`{"k":"first","v":"a\u0041"}`, `{"k":"second","v":"bB"}`, `{"k":"third","v":"cC"}`}
	seq := func(yield func(Event) bool) {
		buf := make([]byte, 0, 64)
		for i, m := range msgs {
			buf = append(buf[:0], m...)
			if !yield(Event{Timestamp: t0.Add(time.Duration(i) * time.Second), Message: buf, LogStream: "s"}) {
				return
			}
		}
	}
	q := mustParse(t, "fields k, v, @message")
	res, _ := q.Run(seq)
	checkRows(t, "fields k, v, @message", res.Rows, []string{
		`k=third v=cC @message={"k":"third","v":"cC"}`,
		`k=second v=bB @message={"k":"second","v":"bB"}`,
		`k=first v=aA @message={"k":"first","v":"a\u0041"}`,
	})
	q = mustParse(t, "stats count(*) by k, v")
	res, _ = q.Run(seq)
	checkRows(t, "stats", res.Rows, []string{"k=first v=aA count(*)=1", "k=second v=bB count(*)=1", "k=third v=cC count(*)=1"})
}

func TestEarlyStopIterator(t *testing.T) {
	// Run consumes the whole iterator; a sequence that stops early is fine.
	q := mustParse(t, "stats count(*)")
	res, err := q.Run(func(yield func(Event) bool) {
		for i := 0; i < 3; i++ {
			if !yield(rawEv(0, "s", "x")) {
				return
			}
		}
	})
	if err != nil || res.Rows[0][0].Value != "3" {
		t.Errorf("got %v %v", res.Rows, err)
	}
}

func TestConcurrentRun(t *testing.T) {
	q := mustParse(t, qFailCount)
	var evs []Event
	for i := 0; i < 200; i++ {
		evs = append(evs, jev(t, time.Duration(i)*time.Second, "s", ctEvent{
			name: "InitiateAuth", errorCode: []string{"NotAuthorizedException", "UserNotFoundException"}[i%2],
			ip: fmt.Sprintf("10.0.0.%d", i%7),
		}.message()))
	}
	want, _ := q.Run(slices.Values(evs))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, _ := q.Run(slices.Values(evs))
			if a, b := strings.Join(fmtRows(got.Rows), "\n"), strings.Join(fmtRows(want.Rows), "\n"); a != b {
				errs <- a
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent run differs:\n%s", e)
	}
}

func TestNumberHelpers(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
		f  float64
	}{
		{"0", true, 0}, {"-12", true, -12}, {"01", true, 1}, {"1.5", true, 1.5}, {"1e3", true, 1000},
		{"-2.5E-1", true, -0.25}, {"1234567890123456789", true, 1234567890123456789},
		{"", false, 0}, {"-", false, 0}, {"+1", false, 0}, {"1.", false, 0}, {".5", false, 0}, {"1e", false, 0},
		{" 1", false, 0}, {"NaN", false, 0}, {"Inf", false, 0}, {"0x10", false, 0}, {"1e999", false, 0}, {"1_000", false, 0},
	} {
		f, ok := parseNumber([]byte(c.in))
		if ok != c.ok || (ok && f != c.f) {
			t.Errorf("parseNumber(%q) = %v, %v; want %v, %v", c.in, f, ok, c.f, c.ok)
		}
	}
	for _, c := range []struct {
		f    float64
		want string
	}{{0, "0"}, {200, "200"}, {-3, "-3"}, {0.5, "0.5"}, {1.0 / 3, "0.3333333333333333"}, {1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1e-7, "1e-07"}} {
		if got := string(appendNum(nil, c.f)); got != c.want {
			t.Errorf("appendNum(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}
