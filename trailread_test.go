package cognitomon_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
)

// BenchmarkReportFiles is what `cognitomon report --trail-files` does with
// the log files under $COGNITOMON_TRAIL_DIR: one pass of ReadEventFiles
// feeding the eight analyses and a Detector with the built-in checks. It
// reports events per second and the peak heap above the start. With
// $COGNITOMON_HEAP_PROFILE set, it writes there a heap profile of what is
// live at the end of the pass, before the results are dropped, for
// `go tool pprof -sample_index=inuse_space -top`. Without the directory it
// is skipped.
func BenchmarkReportFiles(b *testing.B) {
	dir := os.Getenv("COGNITOMON_TRAIL_DIR")
	if dir == "" {
		b.Skip("set COGNITOMON_TRAIL_DIR to a directory of CloudTrail log files (scripts/bench-offline.sh)")
	}
	var read int64
	var took time.Duration
	pass := func(profile string) {
		det, err := cognitomon.NewDetector(cognitomon.DetectInput{}, checks.Builtins()...)
		if err != nil {
			b.Fatal(err)
		}
		consumers := append(allAnalyzers(), det)
		t0 := time.Now()
		cov, err := cognitomon.Consume(context.Background(), cognitomon.ReadEventFiles(os.DirFS(dir), ".", func(o *cognitomon.ReadOptions) { o.LeanRaw = true }), det.Scope(), consumers...)
		took += time.Since(t0)
		if err != nil && !errors.Is(err, cognitomon.ErrIncomplete) {
			b.Fatal(err)
		}
		read = cov.Read
		if profile != "" {
			runtime.GC()
			f, err := os.Create(profile)
			if err != nil {
				b.Fatal(err)
			}
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		if _, err := det.Result(context.Background()); err != nil {
			b.Fatal(err)
		}
		runtime.KeepAlive(consumers)
	}
	for b.Loop() {
		pass("")
	}
	b.StopTimer()
	peak := peakHeap(b, func() { pass(os.Getenv("COGNITOMON_HEAP_PROFILE")) })
	b.ReportMetric(float64(read), "events")
	b.ReportMetric(float64(read)*float64(b.N+1)/took.Seconds(), "events/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
