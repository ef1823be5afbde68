package cognitomontest

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

// CloudTrailOptions configure a CloudTrail fake. Zero values mean the
// documented defaults.
type CloudTrailOptions struct {
	// Now is the fake's clock: LookupEvents reaches back 90 days from it.
	// Default time.Now.
	Now func() time.Time
	// StrictRate, when above zero, makes LookupEvents admit at most
	// StrictRate requests in any sliding second of the wall clock, as AWS
	// limits LookupEvents to two per second (FACTS.md 3.1); a request
	// beyond that fails with ThrottlingException and does not count
	// against the window. Default 0: no limit, so tests that do not care
	// about the rate run at full speed.
	StrictRate int
	// Jitter, when above zero, delays each request by a random time from 0
	// to Jitter before the StrictRate window looks at it, as network delay
	// does before a request reaches AWS.
	Jitter time.Duration
}

// CloudTrail is an in-memory fake of CloudTrail's LookupEvents over the
// records of simulated pools (Pool.TrailRecords). It implements
// cognitomon.CloudTrailAPI, with AWS's rules: one lookup attribute, time
// bounds inclusive, newest events first, pages of at most 50, a NextToken
// valid only with the same parameters, and the 90-day window.
type CloudTrail struct {
	pools []*Pool
	opts  CloudTrailOptions

	mu        sync.Mutex
	calls     []time.Time
	throttle  int
	throttled int         // throttles returned, injected and by the window
	admitted  []time.Time // arrivals the window admitted in the last second
	corrupt   map[string]bool
	failing   []error
	// The matching records of the last lookup, newest first, so that
	// paging through a long result does not filter every record anew.
	cacheKey string
	cacheAt  []int // the pools' versions the cache was built at
	cache    []TrailRecord
}

// NewCloudTrail returns a CloudTrail fake over the given pools.
func NewCloudTrail(pools []*Pool, optFns ...func(*CloudTrailOptions)) *CloudTrail {
	var o CloudTrailOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &CloudTrail{pools: slices.Clone(pools), opts: o, corrupt: map[string]bool{}}
}

// register adds the fake's operations to the server's routes.
func (f *CloudTrail) register(r routes) {
	r["CloudTrail.LookupEvents"] = op(f.LookupEvents)
}

// Calls returns how many LookupEvents calls the fake received, throttled ones
// included.
func (f *CloudTrail) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// CallTimes returns when each LookupEvents call arrived, by the wall clock,
// so a test can check a caller's rate.
func (f *CloudTrail) CallTimes() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Throttled returns how many LookupEvents calls the fake refused with
// ThrottlingException: those ThrottleNext asked for and those beyond the
// StrictRate window.
func (f *CloudTrail) Throttled() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.throttled
}

// ThrottleNext makes the next n calls fail with ThrottlingException.
func (f *CloudTrail) ThrottleNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle += n
}

// FailNext makes the next LookupEvents call return err, such as
// &smithy.GenericAPIError{Code: "AccessDeniedException"}.
func (f *CloudTrail) FailNext(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing = append(f.failing, err)
}

// CorruptEvent makes the record with the given event ID come back with a
// CloudTrailEvent string that is not JSON.
func (f *CloudTrail) CorruptEvent(eventID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.corrupt[eventID] = true
}

func ctError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// LookupEvents returns the pools' records that match, newest first.
func (f *CloudTrail) LookupEvents(ctx context.Context, in *cloudtrail.LookupEventsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.LookupEventsOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.opts.Jitter > 0 {
		t := time.NewTimer(time.Duration(rand.Int64N(int64(f.opts.Jitter) + 1)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	f.mu.Lock()
	arrived := time.Now()
	f.calls = append(f.calls, arrived)
	throttled := f.throttle > 0
	if throttled {
		f.throttle--
	} else if f.opts.StrictRate > 0 {
		throttled = !f.admit(arrived)
	}
	if throttled {
		f.throttled++
	}
	var failure error
	if len(f.failing) > 0 {
		failure, f.failing = f.failing[0], f.failing[1:]
	}
	corrupt := make(map[string]bool, len(f.corrupt))
	for k := range f.corrupt {
		corrupt[k] = true
	}
	f.mu.Unlock()
	if throttled {
		return nil, ctError("ThrottlingException", "Rate exceeded")
	}
	if failure != nil {
		return nil, failure
	}
	if in == nil {
		in = &cloudtrail.LookupEventsInput{}
	}
	if len(in.LookupAttributes) > 1 {
		return nil, ctError("InvalidLookupAttributesException", "You cannot use more than one lookup attribute.")
	}
	if in.EventCategory != "" {
		return nil, ctError("InvalidEventCategoryException", "this fake serves management events only")
	}
	limit := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, ctError("InvalidMaxResultsException", "MaxResults must be from 1 to 50")
		}
		limit = int(*in.MaxResults)
	}
	now := f.opts.Now()
	start, end := now.Add(-90*24*time.Hour), now
	if in.StartTime != nil && in.StartTime.After(start) {
		start = *in.StartTime
	}
	if in.EndTime != nil && in.EndTime.Before(end) {
		end = *in.EndTime
	}
	if in.StartTime != nil && in.EndTime != nil && in.StartTime.After(*in.EndTime) {
		return nil, ctError("InvalidTimeRangeException", "start time is after end time")
	}
	match, err := attributeMatcher(in.LookupAttributes)
	if err != nil {
		return nil, err
	}

	key := tokenKey(in)
	hits := f.matching(key, start, end, match)
	offset := 0
	if in.NextToken != nil {
		k, o, ok := strings.Cut(*in.NextToken, ":")
		n, err := strconv.Atoi(o)
		if !ok || k != key || err != nil || n < 0 || n > len(hits) {
			return nil, ctError("InvalidNextTokenException", "invalid NextToken, or not for these parameters")
		}
		offset = n
	}
	stop := min(offset+limit, len(hits))
	out := &cloudtrail.LookupEventsOutput{}
	for _, r := range hits[offset:stop] {
		info := r.info()
		body := string(r.JSON)
		if corrupt[r.EventID] {
			body = body[:len(body)/2]
		}
		out.Events = append(out.Events, cttypes.Event{
			EventId:         aws.String(r.EventID),
			EventName:       aws.String(r.Name),
			EventSource:     aws.String(info.source),
			EventTime:       aws.Time(r.Time),
			ReadOnly:        aws.String(strconv.FormatBool(info.readOnly)),
			AccessKeyId:     nilIfEmpty(info.accessKey),
			Username:        nilIfEmpty(info.username),
			CloudTrailEvent: aws.String(body),
		})
	}
	if stop < len(hits) {
		out.NextToken = aws.String(key + ":" + strconv.Itoa(stop))
	}
	return out, nil
}

// admit reports whether a request arriving at t fits in the StrictRate
// window: fewer than StrictRate admitted arrivals in the second up to t.
// f.mu is held.
func (f *CloudTrail) admit(t time.Time) bool {
	keep := f.admitted[:0]
	for _, a := range f.admitted {
		if t.Sub(a) < time.Second {
			keep = append(keep, a)
		}
	}
	f.admitted = keep
	if len(f.admitted) >= f.opts.StrictRate {
		return false
	}
	f.admitted = append(f.admitted, t)
	return true
}

// matching returns the records in [start, end] that match, newest first,
// reusing the last result for the same parameters while the pools are
// unchanged.
func (f *CloudTrail) matching(key string, start, end time.Time, match func(TrailRecord) bool) []TrailRecord {
	versions := make([]int, len(f.pools))
	for i, p := range f.pools {
		p.mu.RLock()
		versions[i] = p.version
		p.mu.RUnlock()
	}
	key += "|" + strconv.FormatInt(start.UnixNano(), 10) + "|" + strconv.FormatInt(end.UnixNano(), 10)
	f.mu.Lock()
	if f.cacheKey == key && slices.Equal(f.cacheAt, versions) {
		hits := f.cache
		f.mu.Unlock()
		return hits
	}
	f.mu.Unlock()
	var hits []TrailRecord
	for _, p := range f.pools {
		for _, r := range p.cachedTrailRecords() {
			if !r.Time.Before(start) && !r.Time.After(end) && match(r) {
				hits = append(hits, r)
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b TrailRecord) int { return b.Time.Compare(a.Time) })
	f.mu.Lock()
	f.cacheKey, f.cacheAt, f.cache = key, versions, hits
	f.mu.Unlock()
	return hits
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// tokenKey fingerprints the parameters a NextToken is valid for.
func tokenKey(in *cloudtrail.LookupEventsInput) string {
	h := fnv.New64a()
	for _, a := range in.LookupAttributes {
		fmt.Fprint(h, a.AttributeKey, "=", aws.ToString(a.AttributeValue), ";")
	}
	fmt.Fprint(h, aws.ToTime(in.StartTime).Unix(), aws.ToTime(in.EndTime).Unix(), aws.ToInt32(in.MaxResults))
	return strconv.FormatUint(h.Sum64(), 36)
}

// attributeMatcher returns a test for the one lookup attribute.
func attributeMatcher(attrs []cttypes.LookupAttribute) (func(TrailRecord) bool, error) {
	if len(attrs) == 0 {
		return func(TrailRecord) bool { return true }, nil
	}
	a := attrs[0]
	v := aws.ToString(a.AttributeValue)
	if v == "" || len(v) > 2000 {
		return nil, ctError("InvalidLookupAttributesException", "AttributeValue must be 1 to 2000 characters")
	}
	switch a.AttributeKey {
	case cttypes.LookupAttributeKeyEventName:
		return func(r TrailRecord) bool { return r.Name == v }, nil
	case cttypes.LookupAttributeKeyEventId:
		return func(r TrailRecord) bool { return r.EventID == v }, nil
	case cttypes.LookupAttributeKeyEventSource:
		return func(r TrailRecord) bool { return r.info().source == v }, nil
	case cttypes.LookupAttributeKeyReadOnly:
		return func(r TrailRecord) bool { return strconv.FormatBool(r.info().readOnly) == v }, nil
	case cttypes.LookupAttributeKeyAccessKeyId:
		return func(r TrailRecord) bool { return r.info().accessKey == v }, nil
	case cttypes.LookupAttributeKeyUsername:
		return func(r TrailRecord) bool { return r.info().username == v }, nil
	}
	return nil, ctError("InvalidLookupAttributesException", fmt.Sprintf("lookup attribute %q is not supported by this fake", a.AttributeKey))
}
