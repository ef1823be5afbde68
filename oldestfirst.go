package cognitomon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"
)

// OldestFirst returns the events of tc that match filter in ascending time
// order, as Detect wants them: TrailClient.Events yields newest first. It
// reads filter.Range in consecutive chunks of the given length (default
// five minutes), one TrailClient.Events call each, holds one chunk's events
// in memory and yields them sorted by time and event ID. Errors are yielded
// as TrailClient.Events yields them: a *ReadError about one record lets the
// sequence go on if the loop does; any other error ends it.
func OldestFirst(ctx context.Context, tc *TrailClient, filter EventFilter, chunk time.Duration) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if chunk <= 0 {
			chunk = 5 * time.Minute
		}
		if err := filter.Range.Validate(); err != nil {
			yield(Event{}, fmt.Errorf("oldest first: %w", err))
			return
		}
		for start := filter.Range.Start; start.Before(filter.Range.End); start = start.Add(chunk) {
			f := filter
			f.Range = TimeRange{Start: start, End: start.Add(chunk)}
			if f.Range.End.After(filter.Range.End) {
				f.Range.End = filter.Range.End
			}
			var evs []Event
			for e, err := range tc.Events(ctx, f) {
				if err != nil {
					var re *ReadError
					if errors.As(err, &re) && re.EventID != "" {
						if !yield(Event{}, err) {
							return
						}
						continue
					}
					yield(Event{}, err)
					return
				}
				evs = append(evs, e)
			}
			slices.SortStableFunc(evs, func(a, b Event) int {
				return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.EventID, b.EventID))
			})
			for _, e := range evs {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}
