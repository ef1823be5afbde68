// Package text holds the small text rules that the root package and checks
// share: brief durations, truncated echoes of bad input, and check names.
package text

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Duration formats d briefly: "10m", "6h", "1h30m", "45s".
func Duration(d time.Duration) string {
	if d <= 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
		d -= m * time.Minute
	}
	if d > 0 {
		if d%time.Second == 0 {
			b.WriteString(strconv.FormatInt(int64(d/time.Second), 10) + "s")
		} else {
			b.WriteString(d.String())
		}
	}
	return b.String()
}

// Truncate shortens s to 64 bytes, for echoing bad input in an error.
func Truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

var checkName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// CheckName reports whether name is a valid check name: 1 to 64 lower-case
// letters, digits and dashes, starting with a letter or digit. Findings
// carry it and the baseline file keys on it.
func CheckName(name string) error {
	if !checkName.MatchString(name) {
		return fmt.Errorf("check name %q: want 1 to 64 lower-case letters, digits and dashes", Truncate(name))
	}
	return nil
}
