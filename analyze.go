package cognitomon

import (
	"cmp"
	"container/heap"
	"maps"
	"slices"
	"strings"
	"time"
)

// The analyses: each is a Consumer that keeps a summary of the events it
// is given in bounded memory, with a Summary method that returns its typed
// summary, valid at any time for the events added so far. Feed them with
// Consume, which also hands them the pass's Coverage for their summaries.
// They are not safe for concurrent use.

// AnalyzerOptions bound the memory of an analyzer. The zero value of each
// field means its documented default. Options that an analyzer does not use
// are ignored.
type AnalyzerOptions struct {
	// TopK is how many keys (IPs, app clients, error codes, subs, event
	// names) each ranked table tracks. Default 1000.
	TopK int
	// IPsPerClient is how many source IPs M2MAnalyzer tracks per app
	// client. Default 10.
	IPsPerClient int
	// MaxBuckets is how many time buckets RefreshAnalyzer and M2MAnalyzer
	// keep; events that would need more are counted as dropped. Default
	// 100,000 (about 347 days of 5-minute buckets).
	MaxBuckets int
	// MaxChanges is how many admin changes AdminChangeAnalyzer keeps: the
	// newest. Default 1000.
	MaxChanges int
}

func analyzerOptions(optFns []func(*AnalyzerOptions)) AnalyzerOptions {
	var o AnalyzerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.TopK <= 0 {
		o.TopK = 1000
	}
	if o.IPsPerClient <= 0 {
		o.IPsPerClient = 10
	}
	if o.MaxBuckets <= 0 {
		o.MaxBuckets = 100_000
	}
	if o.MaxChanges <= 0 {
		o.MaxChanges = 1000
	}
	return o
}

// TopList ranks the keys seen most often in a stream, counted in bounded
// memory with the Space-Saving algorithm (Metwally, Agrawal and El Abbadi,
// 2005). It tracks at most Capacity keys; when a new key arrives with the
// table full, it takes the place of the key with the smallest count and
// inherits that count as its possible overcount.
//
// So every count is an estimate with a known error: a key's true count lies
// in [Count-Error, Count], and every key whose true count exceeds
// Total/Capacity is in Items. When Exact is true no key was ever replaced,
// every Error is 0 and Items holds every key with its exact count.
type TopList[K comparable] struct {
	// Items are the tracked keys, highest Count first (ties: lower Error
	// first, then by key).
	Items []Counted[K]
	// Total is the exact number of occurrences counted.
	Total int64
	// Capacity is the most keys tracked at once.
	Capacity int
	// Exact reports whether every count is exact.
	Exact bool
}

// Counted is one key of a TopList with its estimated count.
type Counted[K comparable] struct {
	// Key is what was counted.
	Key K
	// Count is an upper bound of the key's true count.
	Count int64
	// Error bounds the overcount: the true count is at least Count-Error.
	Error int64
}

// spaceSaving is the Space-Saving table behind TopList and the ranked rows
// of the analyzers: a min-heap on count of at most capacity items, with an
// index from key to item. Each item carries a payload P that starts afresh
// when the item takes the place of an evicted one.
type spaceSaving[K comparable, P any] struct {
	capacity int
	fresh    func() P
	index    map[K]*ssItem[K, P]
	heap     []*ssItem[K, P]
	total    int64
	evicted  bool
}

type ssItem[K comparable, P any] struct {
	key     K
	count   int64 // upper bound of the true count
	err     int64 // count inherited from the evicted item
	pos     int   // position in heap
	payload P
}

func newSpaceSaving[K comparable, P any](capacity int, fresh func() P) *spaceSaving[K, P] {
	return &spaceSaving[K, P]{capacity: capacity, fresh: fresh, index: make(map[K]*ssItem[K, P], min(capacity, 1024))}
}

func (s *spaceSaving[K, P]) newPayload() P {
	if s.fresh == nil {
		var zero P
		return zero
	}
	return s.fresh()
}

// add counts one occurrence of key and returns its payload.
func (s *spaceSaving[K, P]) add(key K) *P {
	s.total++
	if it, ok := s.index[key]; ok {
		it.count++
		s.down(it.pos)
		return &it.payload
	}
	if len(s.heap) < s.capacity {
		it := &ssItem[K, P]{key: key, count: 1, pos: len(s.heap), payload: s.newPayload()}
		s.heap = append(s.heap, it)
		s.index[key] = it
		s.up(it.pos)
		return &it.payload
	}
	s.evicted = true
	it := s.heap[0]
	delete(s.index, it.key)
	it.key, it.err, it.payload = key, it.count, s.newPayload()
	it.count++
	s.index[key] = it
	s.down(0)
	return &it.payload
}

func (s *spaceSaving[K, P]) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.heap[i].pos, s.heap[j].pos = i, j
}

func (s *spaceSaving[K, P]) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if s.heap[p].count <= s.heap[i].count {
			return
		}
		s.swap(i, p)
		i = p
	}
}

func (s *spaceSaving[K, P]) down(i int) {
	n := len(s.heap)
	for {
		m := 2*i + 1
		if m >= n {
			return
		}
		if r := m + 1; r < n && s.heap[r].count < s.heap[m].count {
			m = r
		}
		if s.heap[m].count >= s.heap[i].count {
			return
		}
		s.swap(i, m)
		i = m
	}
}

// sorted returns the items, highest count first, then lowest error, then
// by key.
func (s *spaceSaving[K, P]) sorted(compareKeys func(a, b K) int) []*ssItem[K, P] {
	out := slices.Clone(s.heap)
	slices.SortFunc(out, func(a, b *ssItem[K, P]) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		if c := cmp.Compare(a.err, b.err); c != 0 {
			return c
		}
		return compareKeys(a.key, b.key)
	})
	return out
}

// counter is a Space-Saving table without payload.
type counter[K comparable] struct {
	ss      *spaceSaving[K, struct{}]
	compare func(a, b K) int
}

func newCounter[K comparable](capacity int, compare func(a, b K) int) counter[K] {
	return counter[K]{ss: newSpaceSaving[K, struct{}](capacity, nil), compare: compare}
}

func (c counter[K]) add(key K) { c.ss.add(key) }

func (c counter[K]) list() TopList[K] {
	items := c.ss.sorted(c.compare)
	out := TopList[K]{Items: make([]Counted[K], 0, len(items)), Total: c.ss.total, Capacity: c.ss.capacity, Exact: !c.ss.evicted}
	for _, it := range items {
		out.Items = append(out.Items, Counted[K]{Key: it.key, Count: it.count, Error: it.err})
	}
	return out
}

// addOutcome counts one request with outcome o into c.
func addOutcome(c *Counts, o Outcome) {
	c.Attempts++
	switch o {
	case OutcomeSuccess:
		c.Successes++
	case OutcomeThrottled:
		c.Throttles++
	}
}

// FailureAnalyzer counts failed events (Outcome OutcomeFailure or
// OutcomeThrottled) by reason (Event.FailureReason: the error code, or
// "HTTP <status>") and by source IP.
type FailureAnalyzer struct {
	coverageOf
	events, failures, throttled int64
	byReason                    counter[string]
	byIP                        counter[string]
	byReasonIP                  counter[ReasonIP]
}

// NewFailureAnalyzer returns an empty FailureAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewFailureAnalyzer(optFns ...func(*AnalyzerOptions)) *FailureAnalyzer {
	o := analyzerOptions(optFns)
	return &FailureAnalyzer{
		byReason:   newCounter(o.TopK, strings.Compare),
		byIP:       newCounter(o.TopK, strings.Compare),
		byReasonIP: newCounter(o.TopK, compareReasonIP),
	}
}

// Add counts e.
func (a *FailureAnalyzer) Add(e Event) {
	a.events++
	o := e.Outcome()
	if o == OutcomeSuccess {
		return
	}
	a.failures++
	if o == OutcomeThrottled {
		a.throttled++
	}
	reason := e.FailureReason()
	a.byReason.add(reason)
	a.byIP.add(e.SourceIP)
	a.byReasonIP.add(ReasonIP{Reason: reason, SourceIP: e.SourceIP})
}

// ReasonIP is a failure reason (an error code or "HTTP <status>") and a
// source IP.
type ReasonIP struct {
	// Reason is Event.FailureReason.
	Reason string
	// SourceIP is Event.SourceIP.
	SourceIP string
}

func compareReasonIP(a, b ReasonIP) int {
	if c := strings.Compare(a.Reason, b.Reason); c != 0 {
		return c
	}
	return strings.Compare(a.SourceIP, b.SourceIP)
}

// FailureSummary is what a FailureAnalyzer counted.
type FailureSummary struct {
	// Events is every event added.
	Events int64
	// Failures is the events that failed, throttled ones included.
	Failures int64
	// Throttled is the failures that were throttled.
	Throttled int64
	// ByReason ranks the failures by error code or "HTTP <status>".
	ByReason TopList[string]
	// BySourceIP ranks the failures by source IP: the top failing IPs.
	BySourceIP TopList[string]
	// ByReasonAndIP ranks the failures by reason and source IP.
	ByReasonAndIP TopList[ReasonIP]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *FailureAnalyzer) Summary() FailureSummary {
	return FailureSummary{
		Events:        a.events,
		Failures:      a.failures,
		Throttled:     a.throttled,
		ByReason:      a.byReason.list(),
		BySourceIP:    a.byIP.list(),
		ByReasonAndIP: a.byReasonIP.list(),
		Coverage:      a.cov,
	}
}

// EnumerationNote explains what EnumerationSummary cannot see.
const EnumerationNote = "UserNotFoundException reveals that a user name does not exist. " +
	"App clients with PreventUserExistenceErrors=ENABLED answer NotAuthorizedException instead " +
	"(the API default is LEGACY), so enumeration against them is hidden among wrong-password " +
	"failures: look at NotAuthorizedException per source IP in FailureSummary.ByReasonAndIP."

// EnumerationAnalyzer counts UserNotFoundException failures, the sign of
// account enumeration, by source IP, event name and app client.
type EnumerationAnalyzer struct {
	coverageOf
	count    int64
	byIP     counter[string]
	byName   counter[string]
	byClient counter[ClientID]
}

// NewEnumerationAnalyzer returns an empty EnumerationAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewEnumerationAnalyzer(optFns ...func(*AnalyzerOptions)) *EnumerationAnalyzer {
	o := analyzerOptions(optFns)
	return &EnumerationAnalyzer{
		byIP:     newCounter(o.TopK, strings.Compare),
		byName:   newCounter(o.TopK, strings.Compare),
		byClient: newCounter(o.TopK, cmp.Compare[ClientID]),
	}
}

// Add counts e if it failed with UserNotFoundException.
func (a *EnumerationAnalyzer) Add(e Event) {
	if e.ErrorCode != "UserNotFoundException" {
		return
	}
	a.count++
	a.byIP.add(e.SourceIP)
	a.byName.add(e.Name)
	a.byClient.add(e.ClientID)
}

// EnumerationSummary is what an EnumerationAnalyzer counted.
type EnumerationSummary struct {
	// UserNotFound is the number of UserNotFoundException failures.
	UserNotFound int64
	// BySourceIP ranks them by source IP.
	BySourceIP TopList[string]
	// ByEventName ranks them by event name (InitiateAuth, ForgotPassword ...).
	ByEventName TopList[string]
	// ByClientID ranks them by app client ("" for requests that named none).
	ByClientID TopList[ClientID]
	// Note is EnumerationNote.
	Note string
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *EnumerationAnalyzer) Summary() EnumerationSummary {
	return EnumerationSummary{
		UserNotFound: a.count,
		BySourceIP:   a.byIP.list(),
		ByEventName:  a.byName.list(),
		ByClientID:   a.byClient.list(),
		Note:         EnumerationNote,
		Coverage:     a.cov,
	}
}

// PasswordResetAnalyzer counts password-reset events (KindPasswordReset:
// ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword and the
// password-reset endpoint family) by name, source IP and outcome, to expose
// abuse such as code flooding or code guessing.
type PasswordResetAnalyzer struct {
	coverageOf
	counts      Counts
	byName      map[string]Counts
	byIP        counter[string]
	byIPOutcome counter[IPOutcome]
	byReason    counter[string]
}

// NewPasswordResetAnalyzer returns an empty PasswordResetAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewPasswordResetAnalyzer(optFns ...func(*AnalyzerOptions)) *PasswordResetAnalyzer {
	o := analyzerOptions(optFns)
	return &PasswordResetAnalyzer{
		byName:      make(map[string]Counts),
		byIP:        newCounter(o.TopK, strings.Compare),
		byIPOutcome: newCounter(o.TopK, compareIPOutcome),
		byReason:    newCounter(o.TopK, strings.Compare),
	}
}

// IPOutcome is a source IP and an outcome.
type IPOutcome struct {
	// SourceIP is Event.SourceIP.
	SourceIP string
	// Outcome is Event.Outcome.
	Outcome Outcome
}

func compareIPOutcome(a, b IPOutcome) int {
	if c := strings.Compare(a.SourceIP, b.SourceIP); c != 0 {
		return c
	}
	return cmp.Compare(a.Outcome, b.Outcome)
}

// Add counts e if it is a password-reset event.
func (a *PasswordResetAnalyzer) Add(e Event) {
	if e.Kind() != KindPasswordReset {
		return
	}
	o := e.Outcome()
	addOutcome(&a.counts, o)
	// The names of KindPasswordReset are a fixed set, so this map is
	// bounded.
	c := a.byName[e.Name]
	addOutcome(&c, o)
	a.byName[e.Name] = c
	a.byIP.add(e.SourceIP)
	a.byIPOutcome.add(IPOutcome{SourceIP: e.SourceIP, Outcome: o})
	if o != OutcomeSuccess {
		a.byReason.add(e.FailureReason())
	}
}

// PasswordResetSummary is what a PasswordResetAnalyzer counted.
type PasswordResetSummary struct {
	// Counts are all password-reset requests.
	Counts Counts
	// ByName splits Counts by event name (exact).
	ByName map[string]Counts
	// BySourceIP ranks the requests by source IP.
	BySourceIP TopList[string]
	// BySourceIPAndOutcome ranks them by source IP and outcome.
	BySourceIPAndOutcome TopList[IPOutcome]
	// ByReason ranks the failed ones by error code or "HTTP <status>".
	ByReason TopList[string]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *PasswordResetAnalyzer) Summary() PasswordResetSummary {
	return PasswordResetSummary{
		Counts:               a.counts,
		ByName:               maps.Clone(a.byName),
		BySourceIP:           a.byIP.list(),
		BySourceIPAndOutcome: a.byIPOutcome.list(),
		ByReason:             a.byReason.list(),
		Coverage:             a.cov,
	}
}

// MFAAnalyzer counts MFA events (KindMFA) and their failures. The failures
// that matter most are challenge responses that fail with
// CodeMismatchException (a wrong code: guessing, or a clock-skewed
// authenticator) or ExpiredCodeException (a stale code).
type MFAAnalyzer struct {
	coverageOf
	counts                    Counts
	codeMismatch, expiredCode int64
	byReason                  counter[string]
	byIP                      counter[string]
	bySub                     counter[string]
	byClient                  counter[ClientID]
}

// NewMFAAnalyzer returns an empty MFAAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewMFAAnalyzer(optFns ...func(*AnalyzerOptions)) *MFAAnalyzer {
	o := analyzerOptions(optFns)
	return &MFAAnalyzer{
		byReason: newCounter(o.TopK, strings.Compare),
		byIP:     newCounter(o.TopK, strings.Compare),
		bySub:    newCounter(o.TopK, strings.Compare),
		byClient: newCounter(o.TopK, cmp.Compare[ClientID]),
	}
}

// Add counts e if it is an MFA event.
func (a *MFAAnalyzer) Add(e Event) {
	if e.Kind() != KindMFA {
		return
	}
	o := e.Outcome()
	addOutcome(&a.counts, o)
	if o == OutcomeSuccess {
		return
	}
	switch e.ErrorCode {
	case "CodeMismatchException":
		a.codeMismatch++
	case "ExpiredCodeException":
		a.expiredCode++
	}
	a.byReason.add(e.FailureReason())
	a.byIP.add(e.SourceIP)
	if e.Sub != "" {
		a.bySub.add(e.Sub)
	}
	a.byClient.add(e.ClientID)
}

// MFASummary is what an MFAAnalyzer counted. The ranked tables count
// failures only.
type MFASummary struct {
	// Counts are all MFA events.
	Counts Counts
	// CodeMismatch is the failures with CodeMismatchException.
	CodeMismatch int64
	// ExpiredCode is the failures with ExpiredCodeException.
	ExpiredCode int64
	// ByReason ranks the failures by error code or "HTTP <status>".
	ByReason TopList[string]
	// BySourceIP ranks the failures by source IP.
	BySourceIP TopList[string]
	// BySub ranks the failures that name a user by the user's sub.
	BySub TopList[string]
	// ByClientID ranks the failures by app client.
	ByClientID TopList[ClientID]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *MFAAnalyzer) Summary() MFASummary {
	return MFASummary{
		Counts:       a.counts,
		CodeMismatch: a.codeMismatch,
		ExpiredCode:  a.expiredCode,
		ByReason:     a.byReason.list(),
		BySourceIP:   a.byIP.list(),
		BySub:        a.bySub.list(),
		ByClientID:   a.byClient.list(),
		Coverage:     a.cov,
	}
}

// RefreshCounts split token refreshes by the path they took (FACTS.md 6.2).
type RefreshCounts struct {
	// InitiateAuth is InitiateAuth and AdminInitiateAuth with
	// REFRESH_TOKEN_AUTH or REFRESH_TOKEN.
	InitiateAuth Counts
	// GetTokensFromRefreshToken is the GetTokensFromRefreshToken operation.
	GetTokensFromRefreshToken Counts
	// TokenEndpoint is Token_POST and Beta_Token_POST with grant_type
	// refresh_token.
	TokenEndpoint Counts
}

// Total returns the sum over the three paths.
func (r RefreshCounts) Total() Counts {
	return r.InitiateAuth.Add(r.GetTokensFromRefreshToken).Add(r.TokenEndpoint)
}

func (r *RefreshCounts) add(e Event, o Outcome) {
	switch {
	case e.Name == "GetTokensFromRefreshToken":
		addOutcome(&r.GetTokensFromRefreshToken, o)
	case e.Family() == FamilyToken:
		addOutcome(&r.TokenEndpoint, o)
	default:
		addOutcome(&r.InitiateAuth, o)
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
func (a *RefreshAnalyzer) Add(e Event) {
	if e.Kind() != KindTokenRefresh {
		return
	}
	o := e.Outcome()
	a.total.add(e, o)
	if o != OutcomeSuccess {
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
	Coverage Coverage
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
	counts       Counts
	clients      *spaceSaving[ClientID, m2mClient]
	hours        map[time.Time]*Counts
	dropped      int64
}

type m2mClient struct {
	counts      Counts
	first, last time.Time
	ips         counter[string]
}

// NewM2MAnalyzer returns an empty M2MAnalyzer. It uses AnalyzerOptions.TopK
// (clients), IPsPerClient and MaxBuckets (hours).
func NewM2MAnalyzer(optFns ...func(*AnalyzerOptions)) *M2MAnalyzer {
	o := analyzerOptions(optFns)
	a := &M2MAnalyzer{ipsPerClient: o.IPsPerClient, maxBuckets: o.MaxBuckets, hours: make(map[time.Time]*Counts)}
	a.clients = newSpaceSaving[ClientID](o.TopK, func() m2mClient {
		return m2mClient{ips: newCounter(a.ipsPerClient, strings.Compare)}
	})
	return a
}

// Add counts e if it is a client-credentials token request.
func (a *M2MAnalyzer) Add(e Event) {
	if e.Kind() != KindM2MToken {
		return
	}
	o := e.Outcome()
	addOutcome(&a.counts, o)
	c := a.clients.add(e.ClientID)
	addOutcome(&c.counts, o)
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
		h = new(Counts)
		a.hours[hour] = h
	}
	addOutcome(h, o)
}

// M2MClient is the client-credentials traffic of one app client.
type M2MClient struct {
	// ClientID is the app client ("" for requests that named none, such
	// as requests that authenticated with an HTTP Basic header, FACTS.md
	// 2.3 [X]).
	ClientID ClientID
	// Counts are the client's requests since it entered the table: exact
	// when Missed is 0.
	Counts Counts
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
	Counts Counts
}

// M2MSummary is what an M2MAnalyzer counted.
type M2MSummary struct {
	// Counts are all client-credentials requests.
	Counts Counts
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
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *M2MAnalyzer) Summary() M2MSummary {
	s := M2MSummary{Counts: a.counts, Capacity: a.clients.capacity, Exact: !a.clients.evicted, DroppedEvents: a.dropped, Coverage: a.cov}
	for _, it := range a.clients.sorted(cmp.Compare[ClientID]) {
		c := it.payload
		hours := c.last.Sub(c.first).Hours()
		s.Clients = append(s.Clients, M2MClient{
			ClientID:  it.key,
			Counts:    c.counts,
			Missed:    it.err,
			First:     c.first,
			Last:      c.last,
			PerHour:   float64(c.counts.Attempts) / max(hours, 1),
			SourceIPs: c.ips.list(),
		})
	}
	for _, start := range slices.SortedFunc(maps.Keys(a.hours), time.Time.Compare) {
		s.Hours = append(s.Hours, M2MHour{Start: start, Counts: *a.hours[start]})
	}
	return s
}

// AdminChangeAnalyzer collects admin configuration changes (KindAdminChange:
// UpdateUserPoolClient, SetRiskConfiguration, DeleteIdentityProvider ...),
// failed attempts included, with who made them (Event.CallerARN,
// Event.CallerType) and from where (Event.SourceIP). It keeps the newest
// MaxChanges changes.
type AdminChangeAnalyzer struct {
	coverageOf
	max     int
	total   int64
	changes eventHeap // oldest at the root
}

// NewAdminChangeAnalyzer returns an empty AdminChangeAnalyzer. It uses
// AnalyzerOptions.MaxChanges.
func NewAdminChangeAnalyzer(optFns ...func(*AnalyzerOptions)) *AdminChangeAnalyzer {
	o := analyzerOptions(optFns)
	return &AdminChangeAnalyzer{max: o.MaxChanges}
}

// Add keeps e if it is an admin change and among the newest.
func (a *AdminChangeAnalyzer) Add(e Event) {
	if e.Kind() != KindAdminChange {
		return
	}
	a.total++
	if len(a.changes) < a.max {
		heap.Push(&a.changes, e)
		return
	}
	if eventBefore(a.changes[0], e) {
		a.changes[0] = e
		heap.Fix(&a.changes, 0)
	}
}

// eventBefore orders events by time, then event ID.
func eventBefore(a, b Event) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.EventID < b.EventID
}

type eventHeap []Event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return eventBefore(h[i], h[j]) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(Event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// AdminChangeSummary is what an AdminChangeAnalyzer collected.
type AdminChangeSummary struct {
	// Total is every admin change added.
	Total int64
	// Changes are the newest changes kept, earliest first (ties by event
	// ID).
	Changes []Event
	// Dropped is the older changes not kept (Total - len(Changes)).
	Dropped int64
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the changes so far.
func (a *AdminChangeAnalyzer) Summary() AdminChangeSummary {
	changes := slices.Clone([]Event(a.changes))
	slices.SortFunc(changes, func(x, y Event) int {
		switch {
		case eventBefore(x, y):
			return -1
		case eventBefore(y, x):
			return 1
		}
		return 0
	})
	return AdminChangeSummary{Total: a.total, Changes: changes, Dropped: a.total - int64(len(changes)), Coverage: a.cov}
}

// TrafficAnalyzer counts attempts, successes, failures and throttles per
// event kind and per kind and app client, to compare CloudTrail's view with
// CloudWatch's metrics (see EventKind.Flow).
type TrafficAnalyzer struct {
	coverageOf
	byKind map[EventKind]Counts
	rows   *spaceSaving[KindClient, Counts]
}

// KindClient is an event kind and an app client.
type KindClient struct {
	// Kind is Event.Kind.
	Kind EventKind
	// ClientID is Event.ClientID ("" for requests that named none).
	ClientID ClientID
}

// NewTrafficAnalyzer returns an empty TrafficAnalyzer. It uses
// AnalyzerOptions.TopK (kind and client pairs).
func NewTrafficAnalyzer(optFns ...func(*AnalyzerOptions)) *TrafficAnalyzer {
	o := analyzerOptions(optFns)
	return &TrafficAnalyzer{byKind: make(map[EventKind]Counts), rows: newSpaceSaving[KindClient, Counts](o.TopK, nil)}
}

// Add counts e.
func (a *TrafficAnalyzer) Add(e Event) {
	k, o := e.Kind(), e.Outcome()
	c := a.byKind[k]
	addOutcome(&c, o)
	a.byKind[k] = c
	addOutcome(a.rows.add(KindClient{Kind: k, ClientID: e.ClientID}), o)
}

// TrafficRow is the traffic of one kind and app client.
type TrafficRow struct {
	KindClient
	// Counts are the requests since the row entered the table: exact when
	// Missed is 0.
	Counts Counts
	// Missed bounds the requests that came before the row entered the
	// table (Space-Saving, see TopList).
	Missed int64
}

// TrafficSummary is what a TrafficAnalyzer counted.
type TrafficSummary struct {
	// ByKind are the counts per kind (exact).
	ByKind map[EventKind]Counts
	// ByFlow are the counts per CloudWatch flow (exact), summed over the
	// kinds that map to it (EventKind.Flow).
	ByFlow map[Flow]Counts
	// Rows are the tracked kind and client pairs, most requests first.
	Rows []TrafficRow
	// Capacity is the most rows tracked at once.
	Capacity int
	// Exact reports whether every row is exact (every Missed is 0).
	Exact bool
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage Coverage
}

// Summary returns the counts so far.
func (a *TrafficAnalyzer) Summary() TrafficSummary {
	s := TrafficSummary{ByKind: maps.Clone(a.byKind), ByFlow: make(map[Flow]Counts), Capacity: a.rows.capacity, Exact: !a.rows.evicted, Coverage: a.cov}
	for k, c := range a.byKind {
		if f, ok := k.Flow(); ok {
			s.ByFlow[f] = s.ByFlow[f].Add(c)
		}
	}
	for _, it := range a.rows.sorted(compareKindClient) {
		s.Rows = append(s.Rows, TrafficRow{KindClient: it.key, Counts: it.payload, Missed: it.err})
	}
	return s
}

func compareKindClient(a, b KindClient) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return cmp.Compare(a.ClientID, b.ClientID)
}
