package analysis

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/bounded"
)

// RefreshCounts split token refreshes by the path they took (FACTS.md 6.2).
type RefreshCounts struct {
	// InitiateAuth is InitiateAuth and AdminInitiateAuth with
	// REFRESH_TOKEN_AUTH or REFRESH_TOKEN.
	InitiateAuth cognitomon.Counts
	// GetTokensFromRefreshToken is the GetTokensFromRefreshToken operation.
	GetTokensFromRefreshToken cognitomon.Counts
	// TokenEndpoint is Token_POST and Beta_Token_POST with grant_type
	// refresh_token.
	TokenEndpoint cognitomon.Counts
}

// Total returns the sum over the three paths.
func (r RefreshCounts) Total() cognitomon.Counts {
	return r.InitiateAuth.Add(r.GetTokensFromRefreshToken).Add(r.TokenEndpoint)
}

func (r *RefreshCounts) add(e cognitomon.Event, o cognitomon.Outcome) {
	switch {
	case e.Name == "GetTokensFromRefreshToken":
		r.GetTokensFromRefreshToken.Count(o)
	case e.Family() == cognitomon.FamilyToken:
		r.TokenEndpoint.Count(o)
	default:
		r.InitiateAuth.Count(o)
	}
}

// RefreshBucket is the refreshes of one time bucket.
type RefreshBucket struct {
	// Start is the bucket's start: the event times truncated to the
	// analyzer's width (time.Time.Truncate, so buckets of a width that
	// divides a day start at UTC midnight).
	Start time.Time
	RefreshCounts
}

// RefreshAnalyzer counts token refreshes (KindTokenRefresh) over time, in
// buckets of a fixed width, across the three refresh paths, so that a rise
// in refresh failures (expired or revoked refresh tokens,
// RefreshTokenReuseException after rotation) shows when it started.
type RefreshAnalyzer struct {
	coverageOf
	width      time.Duration
	maxBuckets int
	total      RefreshCounts
	byReason   counter[string]
	buckets    map[time.Time]*RefreshCounts
	dropped    int64
}

// NewRefreshAnalyzer returns an empty RefreshAnalyzer with buckets of the
// given width; a width that is not positive means 5 minutes, the period of
// Cognito's metrics. It uses AnalyzerOptions.TopK and MaxBuckets.
func NewRefreshAnalyzer(width time.Duration, optFns ...func(*AnalyzerOptions)) *RefreshAnalyzer {
	o := analyzerOptions(optFns)
	if width <= 0 {
		width = 5 * time.Minute
	}
	return &RefreshAnalyzer{
		width:      width,
		maxBuckets: o.MaxBuckets,
		byReason:   newCounter(o.TopK, strings.Compare),
		buckets:    make(map[time.Time]*RefreshCounts),
	}
}

// Add counts e if it is a token refresh.
func (a *RefreshAnalyzer) Add(e cognitomon.Event) {
	if e.Kind() != cognitomon.KindTokenRefresh {
		return
	}
	o := e.Outcome()
	a.total.add(e, o)
	if o != cognitomon.OutcomeSuccess {
		a.byReason.add(e.FailureReason())
	}
	start := e.Time.UTC().Truncate(a.width)
	b, ok := a.buckets[start]
	if !ok {
		if len(a.buckets) >= a.maxBuckets {
			a.dropped++
			return
		}
		b = new(RefreshCounts)
		a.buckets[start] = b
	}
	b.add(e, o)
}

// RefreshSummary is what a RefreshAnalyzer counted.
type RefreshSummary struct {
	// Width is the bucket width.
	Width time.Duration
	// Total are all refreshes, by path.
	Total RefreshCounts
	// ByReason ranks the failed refreshes by error code or "HTTP <status>".
	ByReason TopList[string]
	// Buckets are the buckets that had refreshes, earliest first.
	Buckets []RefreshBucket
	// DroppedEvents is the refreshes left out of Buckets because
	// MaxBuckets buckets were already kept; Total still counts them.
	// When it is not 0, Buckets is incomplete.
	DroppedEvents int64
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *RefreshAnalyzer) Summary() RefreshSummary {
	s := RefreshSummary{Width: a.width, Total: a.total, ByReason: a.byReason.list(), DroppedEvents: a.dropped, Coverage: a.cov}
	for _, start := range slices.SortedFunc(maps.Keys(a.buckets), time.Time.Compare) {
		s.Buckets = append(s.Buckets, RefreshBucket{Start: start, RefreshCounts: *a.buckets[start]})
	}
	return s
}

// M2MAnalyzer counts machine-to-machine token requests (KindM2MToken:
// Token_POST with grant_type client_credentials) per app client: volume,
// failures, source IPs and rate. Cognito publishes no metric for these
// (FACTS.md 1.4), so CloudTrail is the only per-client view.
type M2MAnalyzer struct {
	coverageOf
	ipsPerClient int
	maxBuckets   int
	counts       cognitomon.Counts
	clients      *bounded.Table[cognitomon.ClientID, m2mClient]
	hours        map[time.Time]*cognitomon.Counts
	dropped      int64
}

type m2mClient struct {
	counts      cognitomon.Counts
	first, last time.Time
	ips         counter[string]
}

// NewM2MAnalyzer returns an empty M2MAnalyzer. It uses AnalyzerOptions.TopK
// (clients), IPsPerClient and MaxBuckets (hours).
func NewM2MAnalyzer(optFns ...func(*AnalyzerOptions)) *M2MAnalyzer {
	o := analyzerOptions(optFns)
	a := &M2MAnalyzer{ipsPerClient: o.IPsPerClient, maxBuckets: o.MaxBuckets, hours: make(map[time.Time]*cognitomon.Counts)}
	a.clients = bounded.NewTable[cognitomon.ClientID](o.TopK, func() m2mClient {
		return m2mClient{ips: newCounter(a.ipsPerClient, strings.Compare)}
	})
	return a
}

// Add counts e if it is a client-credentials token request.
func (a *M2MAnalyzer) Add(e cognitomon.Event) {
	if e.Kind() != cognitomon.KindM2MToken {
		return
	}
	o := e.Outcome()
	a.counts.Count(o)
	c := a.clients.Add(e.ClientID)
	c.counts.Count(o)
	if c.first.IsZero() || e.Time.Before(c.first) {
		c.first = e.Time
	}
	if e.Time.After(c.last) {
		c.last = e.Time
	}
	c.ips.add(e.SourceIP)
	hour := e.Time.UTC().Truncate(time.Hour)
	h, ok := a.hours[hour]
	if !ok {
		if len(a.hours) >= a.maxBuckets {
			a.dropped++
			return
		}
		h = new(cognitomon.Counts)
		a.hours[hour] = h
	}
	h.Count(o)
}

// M2MClient is the client-credentials traffic of one app client.
type M2MClient struct {
	// ClientID is the app client ("" for requests that named none, such
	// as requests that authenticated with an HTTP Basic header, FACTS.md
	// 2.3 [X]).
	ClientID cognitomon.ClientID
	// Counts are the client's requests since it entered the table: exact
	// when Missed is 0.
	Counts cognitomon.Counts
	// Missed bounds the requests of this client that came before it
	// entered the table (Space-Saving, see TopList): the true number of
	// requests lies in [Counts.Attempts, Counts.Attempts+Missed].
	Missed int64
	// First and Last are the times of the earliest and latest request
	// counted.
	First, Last time.Time
	// PerHour is Counts.Attempts divided by the hours from First to Last,
	// at least one hour.
	PerHour float64
	// SourceIPs ranks the client's source IPs.
	SourceIPs TopList[string]
}

// M2MHour is the client-credentials requests of one hour, all clients
// together.
type M2MHour struct {
	// Start is the start of the hour, in UTC.
	Start time.Time
	// Counts are the requests of the hour.
	Counts cognitomon.Counts
}

// M2MSummary is what an M2MAnalyzer counted.
type M2MSummary struct {
	// Counts are all client-credentials requests.
	Counts cognitomon.Counts
	// Clients are the tracked clients, most requests first.
	Clients []M2MClient
	// Capacity is the most clients tracked at once.
	Capacity int
	// Exact reports whether every client was tracked from its first
	// request (every Missed is 0).
	Exact bool
	// Hours are the hours that had requests, earliest first.
	Hours []M2MHour
	// DroppedEvents is the requests left out of Hours because MaxBuckets
	// hours were already kept. When it is not 0, Hours is incomplete.
	DroppedEvents int64
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *M2MAnalyzer) Summary() M2MSummary {
	s := M2MSummary{Counts: a.counts, Capacity: a.clients.Capacity(), Exact: a.clients.Exact(), DroppedEvents: a.dropped, Coverage: a.cov}
	a.clients.Each(cmp.Compare[cognitomon.ClientID], func(it cognitomon.Counted[cognitomon.ClientID], c *m2mClient) bool {
		hours := c.last.Sub(c.first).Hours()
		s.Clients = append(s.Clients, M2MClient{
			ClientID:  it.Key,
			Counts:    c.counts,
			Missed:    it.Error,
			First:     c.first,
			Last:      c.last,
			PerHour:   float64(c.counts.Attempts) / max(hours, 1),
			SourceIPs: c.ips.list(),
		})
		return true
	})
	for _, start := range slices.SortedFunc(maps.Keys(a.hours), time.Time.Compare) {
		s.Hours = append(s.Hours, M2MHour{Start: start, Counts: *a.hours[start]})
	}
	return s
}
