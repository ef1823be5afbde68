package main

import (
	"fmt"
	"strings"

	"github.com/cognitomon/cognitomon"
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

// toJSONFinding converts a finding for the report.
func toJSONFinding(f cognitomon.Finding) jsonFinding {
	jf := jsonFinding{Rule: f.Check, Severity: f.Severity.String(), Summary: f.Summary, Window: toJSONRange(f.Window), Subject: f.Subject.String(), Advice: f.Advice}
	ev := f.Evidence
	if ev.Unit != "" || ev.Value != 0 {
		line := fmt.Sprintf("%g %s (threshold %g", ev.Value, ev.Unit, ev.Threshold)
		if ev.Expected != 0 {
			line += fmt.Sprintf(", expected %g", ev.Expected)
		}
		if ev.Estimated {
			line += ", estimated"
		}
		jf.Evidence = append(jf.Evidence, line+")")
	}
	for _, t := range ev.Top {
		jf.Evidence = append(jf.Evidence, fmt.Sprintf("%s %s: %d", ev.TopOf, t.Key, t.Count))
	}
	if len(ev.EventIDs) > 0 {
		jf.Evidence = append(jf.Evidence, "events "+strings.Join(ev.EventIDs, ", "))
	}
	jf.Evidence = append(jf.Evidence, ev.Notes...)
	return jf
}
