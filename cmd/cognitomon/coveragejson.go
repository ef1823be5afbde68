package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
)

// jsonCoverage is a result's coverage as the JSON outputs carry it
// (docs/json-output.md, "coverage").
type jsonCoverage struct {
	Complete            bool             `json:"complete"`
	Gaps                []string         `json:"gaps"`
	Requested           *jsonRange       `json:"requested,omitempty"`
	Seen                *jsonRange       `json:"seen,omitempty"`
	Events              jsonEventCounts  `json:"events"`
	UnattributedClients []jsonRank       `json:"unattributedClients,omitempty"`
	Pools               map[string]int64 `json:"pools,omitempty"`
	Files               *jsonFileCounts  `json:"files,omitempty"`
	Sources             []jsonSource     `json:"sources"`
	Skipped             []jsonSkipped    `json:"skippedChecks"`
	Notes               []string         `json:"notes"`
}

type jsonEventCounts struct {
	Read              int64 `json:"read"`
	InScope           int64 `json:"inScope"`
	OutsideRange      int64 `json:"outsideRange"`
	OtherPools        int64 `json:"otherPools"`
	OtherRegions      int64 `json:"otherRegions"`
	Unattributed      int64 `json:"unattributed"`
	NoSuchClient      int64 `json:"noSuchClient"`
	UnreadableRecords int64 `json:"unreadableRecords"`
}

type jsonFileCounts struct {
	Files         int64 `json:"files"`
	Records       int64 `json:"records"`
	OtherServices int64 `json:"otherServices"`
	Unreadable    int64 `json:"unreadable"`
}

type jsonSource struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Action string `json:"action,omitempty"`
}

type jsonSkipped struct {
	Check  string `json:"check"`
	Reason string `json:"reason"`
}

func toJSONCoverage(c *cognitomon.Coverage) jsonCoverage {
	j := jsonCoverage{
		Complete: c.Complete(), Gaps: append([]string{}, c.Gaps()...),
		Events:  jsonEventCounts{c.Read, c.InScope, c.OutsideRange, c.OtherPools, c.OtherRegions, c.Unattributed, c.NoSuchClient, c.UnreadableRecords},
		Sources: []jsonSource{}, Skipped: []jsonSkipped{}, Notes: append([]string{}, c.Notes...),
	}
	if !c.Requested.IsZero() {
		r := toJSONRange(c.Requested)
		j.Requested = &r
	}
	if !c.First.IsZero() {
		j.Seen = &jsonRange{c.First.UTC(), c.Last.UTC()}
	}
	for _, u := range c.UnattributedClients {
		j.UnattributedClients = append(j.UnattributedClients, jsonRank{Key: string(u.Key), Count: u.Count})
	}
	for p, n := range c.Pools {
		if j.Pools == nil {
			j.Pools = map[string]int64{}
		}
		j.Pools[string(p)] = n
	}
	if f := c.Files; f != (cognitomon.FileCounts{}) {
		j.Files = &jsonFileCounts{f.Files, f.Records, f.OtherServices, f.Unreadable}
	}
	for _, s := range c.Sources {
		j.Sources = append(j.Sources, jsonSource{s.Name, string(s.Status), s.Reason, s.Action})
	}
	for _, s := range c.Skipped {
		j.Skipped = append(j.Skipped, jsonSkipped{s.Check, s.Reason})
	}
	return j
}

// printCoverage writes the Coverage block of the text outputs.
func printCoverage(w io.Writer, c jsonCoverage) {
	state := "complete"
	if !c.Complete {
		state = "INCOMPLETE: the result could not see all of it"
	}
	fmt.Fprintf(w, "\nCoverage (%s)\n", state)
	if c.Requested != nil {
		fmt.Fprintf(w, "  range asked   %s to %s\n", c.Requested.Start.Format(time.RFC3339), c.Requested.End.Format(time.RFC3339))
	} else {
		fmt.Fprintln(w, "  range asked   none: the events' own span")
	}
	if c.Seen != nil {
		fmt.Fprintf(w, "  events seen   %s to %s\n", c.Seen.Start.Format(time.RFC3339), c.Seen.End.Format(time.RFC3339))
	} else {
		fmt.Fprintln(w, "  events seen   none")
	}
	ev := c.Events
	fmt.Fprintf(w, "  events        %d read, %d in scope, %d outside the range, %d of other pools, %d of other Regions, %d unattributed, %d unreadable\n",
		ev.Read, ev.InScope, ev.OutsideRange, ev.OtherPools, ev.OtherRegions, ev.Unattributed, ev.UnreadableRecords)
	if ev.NoSuchClient > 0 {
		fmt.Fprintf(w, "  no such client %d events named an app client that does not exist (ResourceNotFoundException): no pool's\n", ev.NoSuchClient)
	}
	if f := c.Files; f != nil {
		fmt.Fprintf(w, "  log files     %d read (%d unreadable), %d records, %d of other services\n", f.Files, f.Unreadable, f.Records, f.OtherServices)
	}
	if len(c.UnattributedClients) > 0 {
		var parts []string
		for _, u := range c.UnattributedClients {
			parts = append(parts, fmt.Sprintf("%s (%d)", cmpOr(u.Key, "no client"), u.Count))
		}
		fmt.Fprintf(w, "  unattributed  app clients %s: pass --clients to attribute them\n", strings.Join(parts, ", "))
	}
	if len(c.Pools) > 1 {
		var parts []string
		for _, p := range sortedKeys(c.Pools) {
			parts = append(parts, fmt.Sprintf("%s (%d)", cmpOr(p, "no pool named"), c.Pools[p]))
		}
		fmt.Fprintf(w, "  pools         %s\n", strings.Join(parts, ", "))
	}
	for _, s := range c.Sources {
		line := fmt.Sprintf("  source        %s: %s", s.Name, s.Status)
		if s.Reason != "" {
			line += " (" + s.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
	for _, s := range c.Skipped {
		fmt.Fprintf(w, "  not evaluated %s: %s\n", s.Check, s.Reason)
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note          %s\n", n)
	}
	for _, g := range c.Gaps {
		fmt.Fprintf(w, "  GAP           %s\n", g)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
