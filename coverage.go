package cognitomon

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Coverage says what a result looked at: the range asked for and the span
// seen, how many events were read and where each went, which sources were
// read or not and why, and which checks did not run. It is part of every
// result (Consume, the analyses' summaries, Detection, Baseline, Stats), so
// that silence can be told apart from blindness: a result with gaps
// (Gaps) is not an all-clear, whatever it found.
type Coverage struct {
	// Requested is the range asked for; zero when none was (log files read
	// over their own span).
	Requested TimeRange
	// First and Last are the times of the first and last event or
	// datapoint in scope; zero when there was none.
	First, Last time.Time
	// Read counts the events read from the sources; InScope those that
	// belong to the scope. The others are OutsideRange, OtherPools (an
	// event that names, or whose app client belongs to, another pool),
	// OtherRegions and Unattributed (an event that names no pool and an
	// app client not known to be the pool's; see Scope).
	Read, InScope, OutsideRange, OtherPools, OtherRegions, Unattributed int64
	// NoSuchClient counts events that name no pool and an app client that
	// does not exist (they failed with ResourceNotFoundException): they
	// belong to no pool, and are no gap.
	NoSuchClient int64
	// UnattributedClients are the app clients of the unattributed events,
	// most frequent first, at most ten.
	UnattributedClients []Counted[ClientID]
	// Pools counts the in-scope events per pool named, when the scope has
	// no pool (events that name none are under "").
	Pools map[UserPoolID]int64
	// Files counts the log files read, when the events came from files.
	Files FileCounts
	// UnreadableRecords counts records that could not be read, from files
	// or from LookupEvents; the rest of the stream was read.
	UnreadableRecords int64
	// Sources says, for each source the result draws on, whether it was
	// read.
	Sources []Source
	// Skipped are the checks that did not run, and why. A check skipped
	// for a source that is not available by design (no metrics offline) is
	// no gap; the failed or denied source it needed is.
	Skipped []Skipped
	// Partial reports that reading stopped before the end: the context was
	// cancelled or a source failed. The result covers what was read before.
	Partial bool
	// Notes say what else the reader should know.
	Notes []string
	// ReadsEvents reports that the result was meant to read events (Consume
	// sets it), so that reading none is a gap.
	ReadsEvents bool
}

// FileCounts count what ReadEventFiles read: files, records, records of
// services other than cognito-idp (skipped, not errors), and files that
// could not be read at all or broke part way.
type FileCounts struct {
	Files, Records, OtherServices, Unreadable int64
}

// Source is one source of data and whether it was read.
type Source struct {
	// Name is the source: "cloudtrail-lookup", "cloudtrail-files",
	// "cloudwatch-metrics", "cloudwatch-usage", "cognito-config" ...
	Name string
	// Status is SourceRead, SourceNotAvailable, SourceFailed or
	// SourceDenied.
	Status SourceStatus
	// Reason says why a source was not read.
	Reason string
	// Action is the IAM action that was denied, for SourceDenied.
	Action string
}

// SourceStatus is whether a source was read.
type SourceStatus string

// The source statuses. SourceNotAvailable is by design (no metrics for log
// files read offline) and is no gap; SourceFailed and SourceDenied are.
const (
	SourceRead         SourceStatus = "read"
	SourceNotAvailable SourceStatus = "not-available"
	SourceFailed       SourceStatus = "failed"
	SourceDenied       SourceStatus = "denied"
)

// AddSource records a source's status.
func (c *Coverage) AddSource(s Source) { c.Sources = append(c.Sources, s) }

// Gaps returns, in words, what the result could not see: nothing in scope,
// a range without data, a source that failed or was denied, unreadable
// files or records, unattributed events, a partial read. An empty list
// means the result saw all it was asked to look at.
func (c *Coverage) Gaps() []string {
	var g []string
	if c.Partial {
		g = append(g, "reading stopped early: the result covers only what was read before")
	}
	for _, s := range c.Sources {
		switch s.Status {
		case SourceFailed:
			g = append(g, fmt.Sprintf("source %s failed: %s", s.Name, s.Reason))
		case SourceDenied:
			g = append(g, fmt.Sprintf("source %s: access denied to %s", s.Name, cmpOr(s.Action, "it")))
		}
	}
	if c.eventsExpected() {
		switch {
		case c.Read == 0 && c.Files == (FileCounts{}) && c.hasSource("cloudtrail-files"):
			g = append(g, "no CloudTrail log files (.json, .json.gz, .gz) found")
		case c.Read == 0 && c.Files.Records > 0:
			g = append(g, fmt.Sprintf("no Cognito user pool events in %d records of %d files", c.Files.Records, c.Files.Files))
		case c.Read == 0:
			g = append(g, "no events read")
		case c.InScope == 0 && c.OutsideRange > 0 && c.OutsideRange == c.Read:
			g = append(g, fmt.Sprintf("none of the %d events read lies in the range %s", c.Read, c.Requested))
		case c.InScope == 0:
			g = append(g, fmt.Sprintf("none of the %d events read is in scope", c.Read))
		}
	}
	if c.Files.Unreadable > 0 {
		g = append(g, fmt.Sprintf("%d log files unreadable", c.Files.Unreadable))
	}
	if c.UnreadableRecords > 0 {
		g = append(g, fmt.Sprintf("%d records unreadable", c.UnreadableRecords))
	}
	if c.Unattributed > 0 {
		g = append(g, fmt.Sprintf("%d events name no pool and an app client not known to be the pool's (%s): pass the pool's app clients", c.Unattributed, c.clientList()))
	}
	return g
}

// Complete reports whether Gaps is empty.
func (c *Coverage) Complete() bool { return len(c.Gaps()) == 0 }

// eventsExpected reports whether the result was meant to read events.
func (c *Coverage) eventsExpected() bool {
	if c.ReadsEvents {
		return true
	}
	for _, s := range c.Sources {
		if strings.HasPrefix(s.Name, "cloudtrail") && s.Status == SourceRead {
			return true
		}
	}
	return false
}

func (c *Coverage) hasSource(name string) bool {
	for _, s := range c.Sources {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (c *Coverage) clientList() string {
	var b strings.Builder
	for i, cc := range c.UnattributedClients {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", cmpOr(string(cc.Key), "no client"), cc.Count)
	}
	if b.Len() == 0 {
		return "no client"
	}
	return b.String()
}

// Span returns [First, Last] as a range one nanosecond past Last, or the
// zero range when nothing was seen.
func (c *Coverage) Span() TimeRange {
	if c.First.IsZero() {
		return TimeRange{}
	}
	return TimeRange{Start: c.First, End: c.Last.Add(time.Nanosecond)}
}

// see widens [First, Last] to t.
func (c *Coverage) see(t time.Time) {
	if t.IsZero() {
		return
	}
	if c.First.IsZero() || t.Before(c.First) {
		c.First = t
	}
	if t.After(c.Last) {
		c.Last = t
	}
}

// Merge adds o's counts, sources, skipped checks and notes to c, and widens
// the span seen. Requested is kept unless c has none.
func (c *Coverage) Merge(o Coverage) {
	if c.Requested.IsZero() {
		c.Requested = o.Requested
	}
	c.see(o.First)
	c.see(o.Last)
	c.Read += o.Read
	c.InScope += o.InScope
	c.OutsideRange += o.OutsideRange
	c.OtherPools += o.OtherPools
	c.OtherRegions += o.OtherRegions
	c.Unattributed += o.Unattributed
	c.NoSuchClient += o.NoSuchClient
	c.UnreadableRecords += o.UnreadableRecords
	c.Files.Files += o.Files.Files
	c.Files.Records += o.Files.Records
	c.Files.OtherServices += o.Files.OtherServices
	c.Files.Unreadable += o.Files.Unreadable
	if len(o.UnattributedClients) > 0 {
		m := map[ClientID]int64{}
		for _, cc := range append(slices.Clone(c.UnattributedClients), o.UnattributedClients...) {
			m[cc.Key] += cc.Count
		}
		c.UnattributedClients = topClients(m, 10)
	}
	for p, n := range o.Pools {
		if c.Pools == nil {
			c.Pools = map[UserPoolID]int64{}
		}
		c.Pools[p] += n
	}
	c.Sources = append(c.Sources, o.Sources...)
	c.Skipped = append(c.Skipped, o.Skipped...)
	c.Partial = c.Partial || o.Partial
	c.ReadsEvents = c.ReadsEvents || o.ReadsEvents
	for _, n := range o.Notes {
		if !slices.Contains(c.Notes, n) {
			c.Notes = append(c.Notes, n)
		}
	}
}

// PoolIDs returns the pools of Pools, sorted, without "".
func (c *Coverage) PoolIDs() []UserPoolID {
	ids := slices.Sorted(maps.Keys(c.Pools))
	return slices.DeleteFunc(ids, func(id UserPoolID) bool { return id == "" })
}

func topClients(m map[ClientID]int64, n int) []Counted[ClientID] {
	if len(m) == 0 {
		return nil
	}
	out := make([]Counted[ClientID], 0, len(m))
	for k, v := range m {
		out = append(out, Counted[ClientID]{Key: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Counted[ClientID]) int {
		if a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.Key), string(b.Key))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
