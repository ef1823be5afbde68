package main

import (
	"sort"
	"strings"
)

// severities in rising order, as --fail-on names them.
var severities = []string{"info", "low", "medium", "high", "critical"}

func severityRank(s string) int {
	for i, x := range severities {
		if x == strings.ToLower(s) {
			return i
		}
	}
	return -1
}

// parseFailOn returns the rank at or above which a finding fails the run,
// or len(severities) for "none".
func parseFailOn(s string) (int, error) {
	if strings.ToLower(s) == "none" {
		return len(severities), nil
	}
	if r := severityRank(s); r >= 0 {
		return r, nil
	}
	return 0, usagef("--fail-on %q: want one of %s or none", s, strings.Join(severities, ", "))
}

// jsonFinding is a finding as the report carries it.
type jsonFinding struct {
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	Summary  string    `json:"summary"`
	Window   jsonRange `json:"window"`
	Subject  string    `json:"subject,omitempty"`
	Advice   string    `json:"advice,omitempty"`
	Evidence []string  `json:"evidence,omitempty"`
}

// worst reports whether a finding at or above rank threshold exists.
func (r *reportJSON) worst(threshold int) bool {
	for _, f := range r.Findings {
		if severityRank(f.Severity) >= threshold {
			return true
		}
	}
	return false
}

func sortFindings(fs []jsonFinding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := severityRank(fs[i].Severity), severityRank(fs[j].Severity)
		if a != b {
			return a > b
		}
		return fs[i].Rule < fs[j].Rule
	})
}

// detectFindings runs the built-in detections over what the report
// gathered.
func detectFindings(rep *reportJSON, an *analyses) []jsonFinding {
	return nil
}
