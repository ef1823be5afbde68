package checks_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
)

// BenchmarkDetectMillionIPs runs every built-in check over a stream of
// synthetic events, at 2.5 million events from 250,000 addresses and at four
// times that, 10 million from a million, and reports the peak heap (HeapInuse
// sampled every 250,000 events), the heap retained at the end of the stream
// (after a collection) and the throughput; the larger size also reports
// its peak over the smaller's, measured in the same run (peak-ratio-4x).
// Memory is bounded by DetectLimits.MaxKeys, not by the input.
//
//	go test -run XXX -bench DetectMillionIPs -benchtime 1x
func BenchmarkDetectMillionIPs(b *testing.B) {
	var peak1x float64
	for _, size := range []struct{ events, ips int }{{2_500_000, 250_000}, {10_000_000, 1_000_000}} {
		b.Run(fmt.Sprintf("events=%d/ips=%d", size.events, size.ips), func(b *testing.B) {
			var peak, retained uint64
			sample := func(end bool) {
				if end {
					b.StopTimer()
					runtime.GC()
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				if end {
					retained = max(retained, ms.HeapAlloc)
					b.StartTimer()
				}
			}
			r := cognitomon.TimeRange{Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)}
			var det *cognitomon.Detection
			for b.Loop() {
				var err error
				det, err = cognitomon.Detect(context.Background(), cognitomon.DetectInput{Scope: cognitomon.Scope{Range: r}, Events: detSynthetic(size.events, size.ips, sample)}, checks.Builtins()...)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			if size.ips == 250_000 {
				peak1x = float64(peak)
			} else if peak1x > 0 {
				b.ReportMetric(float64(peak)/peak1x, "peak-ratio-4x")
			}
			b.ReportMetric(float64(retained)/(1<<20), "retained-heap-MB")
			b.ReportMetric(float64(size.events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			if f := detFindingFor(det, "192.0.2.66"); f == nil || f.Check != "brute-force" {
				b.Errorf("the attacker was not found first: %+v", f)
			}
		})
	}
}
