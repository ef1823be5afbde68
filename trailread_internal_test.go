package cognitomon

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	gocmp "github.com/google/go-cmp/cmp"
)

// rawBytes compares Raw with bytes.Equal, much faster than cmp's walk.
var rawBytes = gocmp.Comparer(func(a, b json.RawMessage) bool { return bytes.Equal(a, b) })

// readStep is what one step of a file sequence showed: an event or an
// error, and the counts at that moment.
type readStep struct {
	Event     Event
	Err       string
	FileError bool
	Counts    FileCounts
}

// readSteps runs readEventFiles with the given workers and batch size,
// stopping after stop steps when stop > 0.
func readSteps(fsys fs.FS, root string, workers, batch, stop int) []readStep {
	var counts FileCounts
	o := ReadOptions{Counts: &counts}
	var steps []readStep
	for e, err := range readEventFiles(fsys, root, &o, workers, batch) {
		s := readStep{Event: e, Counts: counts}
		if err != nil {
			s.Err = err.Error()
			var re *ReadError
			s.FileError = errors.As(err, &re) && re.FileError()
		}
		steps = append(steps, s)
		if stop > 0 && len(steps) == stop {
			break
		}
	}
	// The counts once the loop is over.
	steps = append(steps, readStep{Counts: counts})
	return steps
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func rec(id, name string) string {
	return fmt.Sprintf(`{"eventTime":"2026-03-02T10:00:%02dZ","eventSource":"cognito-idp.amazonaws.com","eventName":%q,"eventID":%q,"sourceIPAddress":"198.51.100.1"}`, len(id)%60, name, id)
}

const otherRec = `{"eventTime":"2026-03-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}`

// corruptFS holds log files of every kind of damage among good ones.
func corruptFS(t *testing.T) fstest.MapFS {
	good := func(ids ...string) string {
		var rs []string
		for i, id := range ids {
			rs = append(rs, rec(id, "InitiateAuth"))
			if i%2 == 0 {
				rs = append(rs, otherRec)
			}
		}
		return `{"Records":[` + strings.Join(rs, ",") + `]}`
	}
	truncated := gz(t, good("t1", "t2", "t3"))
	truncated = truncated[:len(truncated)-12]
	return fstest.MapFS{
		"logs/a/01.json.gz":       {Data: gz(t, good("a1", "a2", "a3", "a4", "a5"))},
		"logs/a/02.json":          {Data: []byte(good("b1", "b2"))},
		"logs/a/03-badgzip.gz":    {Data: []byte{0x1f, 0x8b, 0, 0, 1, 2, 3}},
		"logs/a/04-trunc.json.gz": {Data: truncated},
		"logs/a/05-records.json": {Data: []byte(`{"Records":[` + rec("c1", "InitiateAuth") + `,{"eventSource":"cognito-idp.amazonaws.com","eventName":"X","eventTime":"yesterday"},` +
			otherRec + `,{"eventSource":"cognito-idp.amazonaws.com","eventName":"SignUp","eventTime":"2026-03-02T10:00:00Z","eventID":"bad", "x":tru},` + rec("c2", "SignUp") + `]}`)},
		"logs/a/06-notlog.json":                  {Data: []byte(`[1,2,3]`)},
		"logs/a/07-empty.json":                   {Data: nil},
		"logs/a/08-garbage.json":                 {Data: []byte(`{"Records":[` + rec("d1", "InitiateAuth") + `] x`)},
		"logs/a/09-elem.json":                    {Data: []byte(`{"Records":[` + rec("e1", "InitiateAuth") + `,42]}`)},
		"logs/b/CloudTrail-Digest/x.json.gz":     {Data: []byte("not read")},
		"logs/b/10.json.gz":                      {Data: gz(t, good("f1", "f2", "f3", "f4", "f5", "f6", "f7"))},
		"logs/b/11.txt":                          {Data: []byte("not a log file name")},
		"logs/b/12-two.json":                     {Data: []byte(`{"Records":[],"Records":[]}`)},
		"logs/c/13.json":                         {Data: []byte(good("g1"))},
		"logs/unreadable/14.json":                {Data: []byte(good("h1"))},
		"logs/z/15-after-unreadable-dir.json.gz": {Data: gz(t, good("i1", "i2"))},
	}
}

// failingFS fails to list one directory and to open one file, so that the
// walk yields errors of its own among the files.
type failingFS struct{ fstest.MapFS }

func (f failingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "logs/unreadable" {
		return nil, fs.ErrPermission
	}
	return f.MapFS.ReadDir(name)
}

func (f failingFS) Open(name string) (fs.File, error) {
	if name == "logs/c/13.json" {
		return nil, fs.ErrPermission
	}
	if name == "logs/unreadable" {
		return nil, fs.ErrPermission
	}
	return f.MapFS.Open(name)
}

// TestReadEventFilesParallelSameAsSequential: the parallel reader yields
// exactly what the sequential one does, events, errors and the counts at
// every step, on the shipped trail and on damaged files, for any number of
// workers and batch size, and when the loop stops early at any step.
func TestReadEventFilesParallelSameAsSequential(t *testing.T) {
	sets := map[string]struct {
		fsys fs.FS
		root string
	}{
		"testdata":      {os.DirFS("testdata/trail"), "."},
		"corrupt":       {failingFS{corruptFS(t)}, "logs"},
		"one file":      {corruptFS(t), "logs/a/05-records.json"},
		"missing root":  {corruptFS(t), "nowhere"},
		"no log files":  {fstest.MapFS{"x/readme.txt": {Data: []byte("hi")}}, "x"},
		"corrupt alone": {corruptFS(t), "logs/a/04-trunc.json.gz"},
	}
	for name, set := range sets {
		t.Run(name, func(t *testing.T) {
			want := readSteps(set.fsys, set.root, 1, 0, 0)
			if name == "testdata" && len(want) < 1000 {
				t.Fatalf("only %d steps in testdata/trail", len(want))
			}
			if name == "corrupt" {
				var files, records int
				for _, s := range want {
					if s.FileError {
						files++
					} else if s.Err != "" {
						records++
					}
				}
				// bad gzip, truncated, not a log, empty, garbage, element,
				// two arrays, the unopenable file, the unreadable directory;
				// two bad records.
				if files != 9 || records != 2 {
					t.Fatalf("%d file errors and %d record errors, want 9 and 2:\n%v", files, records, want)
				}
			}
			for _, workers := range []int{2, 3, 8} {
				for _, batch := range []int{1, 3, fileBatch} {
					got := readSteps(set.fsys, set.root, workers, batch, 0)
					if diff := gocmp.Diff(want, got, rawBytes); diff != "" {
						t.Fatalf("%d workers, batches of %d (-sequential +parallel):\n%s", workers, batch, diff)
					}
				}
			}
			stops := []int{1, 2, 3, len(want) / 2, len(want) - 2}
			for _, stop := range stops {
				if stop < 1 || stop >= len(want) {
					continue
				}
				w := readSteps(set.fsys, set.root, 1, 0, stop)
				g := readSteps(set.fsys, set.root, 2, 2, stop)
				if diff := gocmp.Diff(w, g, rawBytes); diff != "" {
					t.Fatalf("stopping after %d steps (-sequential +parallel):\n%s", stop, diff)
				}
			}
		})
	}
}

// TestReadEventFilesIsParallel: ReadEventFiles uses parallel workers and
// gives what one worker gives.
func TestReadEventFilesIsParallel(t *testing.T) {
	fsys := os.DirFS("testdata/trail")
	var counts FileCounts
	var got []readStep
	for e, err := range ReadEventFiles(fsys, ".", func(o *ReadOptions) { o.Counts = &counts }) {
		s := readStep{Event: e, Counts: counts}
		if err != nil {
			s.Err = err.Error()
		}
		got = append(got, s)
	}
	got = append(got, readStep{Counts: counts})
	if diff := gocmp.Diff(readSteps(fsys, ".", 1, 0, 0), got, rawBytes); diff != "" {
		t.Errorf("(-sequential +ReadEventFiles):\n%s", diff)
	}
}

// TestLeanRaw: with LeanRaw the events are the same but for Raw, which is
// nil exactly for the kinds that OldestFirst does not keep it for, in the
// sequential and the parallel reader and in ReadEvents.
func TestLeanRaw(t *testing.T) {
	fsys := os.DirFS("testdata/trail")
	read := func(lean bool, workers int) []Event {
		var evs []Event
		for e, err := range readEventFiles(fsys, ".", &ReadOptions{LeanRaw: lean}, workers, fileBatch) {
			if err != nil {
				t.Fatal(err)
			}
			evs = append(evs, e)
		}
		return evs
	}
	full := read(false, 1)
	kept, dropped := 0, 0
	for _, workers := range []int{1, 2} {
		lean := read(true, workers)
		if len(lean) != len(full) {
			t.Fatalf("%d events lean, %d in full", len(lean), len(full))
		}
		for i := range full {
			f, l := full[i], lean[i]
			if rawKept(f) {
				kept++
				if !bytes.Equal(f.Raw, l.Raw) || l.Raw == nil {
					t.Fatalf("event %d (%s): Raw not kept", i, f.Name)
				}
			} else {
				dropped++
				if l.Raw != nil {
					t.Fatalf("event %d (%s, %v): Raw kept", i, f.Name, f.Kind())
				}
			}
			f.Raw, l.Raw = nil, nil
			if diff := gocmp.Diff(f, l); diff != "" {
				t.Fatalf("event %d (-full +lean):\n%s", i, diff)
			}
		}
	}
	if kept == 0 || dropped == 0 {
		t.Errorf("%d events kept Raw and %d did not: the test data should have both", kept, dropped)
	}
	// ReadEvents takes the option too.
	f, err := fsys.Open("AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/27/123456789012_CloudTrail_us-east-1_20261127T1015Z_ca746c9321d856ec.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for e, err := range ReadEvents(f, "one", func(o *ReadOptions) { o.LeanRaw = true }) {
		if err != nil {
			t.Fatal(err)
		}
		if (e.Raw != nil) != rawKept(e) {
			t.Fatalf("ReadEvents LeanRaw: %s (%v) has Raw %v", e.Name, e.Kind(), e.Raw != nil)
		}
	}
}
