package cognitomon

import (
	"io"
	"io/fs"
	"iter"
	"runtime"
	"strings"
	"sync"
)

// ReadEventFiles reads the user-pool events of the CloudTrail log files in
// fsys at root: root itself when it is a file (whatever its name), or every
// regular file under root whose name ends in .json, .json.gz or .gz, in
// lexical order, skipping CloudTrail-Digest directories (digest files are
// not log files). Each file is read as ReadEvents reads it.
//
// Files are decompressed and decoded in parallel, up to GOMAXPROCS+1 at a
// time (one more than the cores, so that both stay busy while a reader
// waits to open or read a file: 5% faster on a week of 2,011 small files),
// but the sequence is the same as reading them one by one: files in
// lexical order, each file's events and errors in the file's order, and
// Counts updated as the sequence reaches each record. Memory stays bounded:
// at most 2×(GOMAXPROCS+1)+1 files are in flight, each holding at most 1024
// decoded events, with 1 MiB of records, that the loop has not taken yet.
// fsys must be safe for concurrent use, as os.DirFS and fstest.MapFS are.
//
// A file that cannot be opened or is corrupt is yielded as a *ReadError;
// if the loop continues, reading goes on with the next file.
func ReadEventFiles(fsys fs.FS, root string, optFns ...func(*ReadOptions)) iter.Seq2[Event, error] {
	o := readOptions(optFns)
	return readEventFiles(fsys, root, &o, runtime.GOMAXPROCS(0)+1, fileBatch)
}

// fileBatch is how many events and errors a file's reader hands over at a
// time, batchBytes how many bytes of records at most, and fileQueue how
// many such batches of one file may wait: a file read ahead holds at most
// 1 MiB of records (and 1024 events). More would let a worker read further
// ahead of a slow loop, but every MiB of it is live heap.
const (
	fileBatch  = 256
	batchBytes = 256 << 10
	fileQueue  = 4
)

// readEventFiles is ReadEventFiles with workers files read at a time, each
// handing over batch items at a time; with one worker it reads in the
// loop's goroutine.
func readEventFiles(fsys fs.FS, root string, o *ReadOptions, workers, batch int) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		info, err := fs.Stat(fsys, root)
		if err != nil {
			yield(Event{}, &ReadError{File: root, Record: -1, Err: err, wholeFile: true})
			return
		}
		if workers <= 1 {
			lr := logReader{lean: o.LeanRaw}
			walkLogFiles(fsys, root, info, func(path string, err error) bool {
				if err != nil {
					return yield(Event{}, err)
				}
				o.count(func(c *FileCounts) { c.Files++ })
				return readFSFile(&lr, fsys, path, o.counts(), yield)
			})
			return
		}
		readParallel(fsys, root, info, o, workers, batch, yield)
	}
}

// walkLogFiles calls visit with each log file under root in lexical order,
// or with a *ReadError for a directory that could not be read, until visit
// returns false.
func walkLogFiles(fsys fs.FS, root string, info fs.FileInfo, visit func(path string, err error) bool) {
	if !info.IsDir() {
		visit(root, nil)
		return
	}
	// WalkDir visits directory entries in lexical order.
	_ = fs.WalkDir(fsys, root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if !visit("", &ReadError{File: path, Record: -1, Err: err, wholeFile: true}) {
				return fs.SkipAll
			}
			return nil
		}
		if d.IsDir() {
			if path != root && d.Name() == "CloudTrail-Digest" {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isLogFileName(d.Name()) {
			return nil
		}
		if !visit(path, nil) {
			return fs.SkipAll
		}
		return nil
	})
}

func isLogFileName(name string) bool {
	return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".gz")
}

// readFSFile reads one file of fsys. It returns false when yield asked to
// stop.
func readFSFile(lr *logReader, fsys fs.FS, path string, counts *FileCounts, yield func(Event, error) bool) bool {
	f, err := fsys.Open(path)
	if err != nil {
		return yield(Event{}, &ReadError{File: path, Record: -1, Err: err, wholeFile: true})
	}
	defer f.Close()
	if lr.ahead {
		// A small file fits in its queue whole, so reading it ahead in a
		// goroutine of its own would only cost the handoffs.
		defer func() { lr.ahead = true }()
		if info, err := f.Stat(); err == nil && info.Size() < aheadMinSize {
			lr.ahead = false
		}
	}
	return lr.read(f, path, counts, yield)
}

// fileItem is one event or error of a file read ahead, with the file's
// counts as they stood when the sequential reader would have yielded it.
type fileItem struct {
	e                     Event
	err                   error
	records, otherService int64
	last                  bool // the file's end: e and err are unset
}

// fileJob is one entry of the walk: a log file to read, or a walk error.
type fileJob struct {
	path  string
	err   error
	items chan []fileItem // nil for a walk error
}

// readParallel reads the files with a pool of workers, each reading whole
// files ahead into its job's bounded queue, while the loop's goroutine
// takes the jobs in walk order. Nothing is read ahead beyond 2*workers
// files, and all goroutines have ended when it returns.
func readParallel(fsys fs.FS, root string, info fs.FileInfo, o *ReadOptions, workers, batch int, yield func(Event, error) bool) {
	done := make(chan struct{})
	ordered := make(chan *fileJob, workers)
	work := make(chan *fileJob)
	// Batches go back to the workers once taken, so that reading
	// allocates no more than the events themselves.
	free := make(chan []fileItem, 2*workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(done)

	wg.Add(1)
	go func() { // the walk, in lexical order
		defer wg.Done()
		defer close(ordered)
		defer close(work)
		walkLogFiles(fsys, root, info, func(path string, err error) bool {
			j := &fileJob{path: path, err: err}
			if err == nil {
				j.items = make(chan []fileItem, fileQueue)
			}
			select {
			case ordered <- j:
			case <-done:
				return false
			}
			if j.items == nil {
				return true
			}
			select {
			case work <- j:
				return true
			case <-done:
				return false
			}
		})
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lr := logReader{ahead: true, lean: o.LeanRaw}
			for j := range work {
				readAhead(&lr, fsys, j, batch, free, done)
			}
		}()
	}

	for j := range ordered {
		if j.items == nil {
			if !yield(Event{}, j.err) {
				return
			}
			continue
		}
		o.count(func(c *FileCounts) { c.Files++ })
		var records, others int64
		for items := range j.items {
			for _, it := range items {
				if o.Counts != nil {
					o.Counts.Records += it.records - records
					o.Counts.OtherServices += it.otherService - others
				}
				records, others = it.records, it.otherService
				if it.last {
					continue
				}
				if !yield(it.e, it.err) {
					return
				}
			}
			clear(items)
			select {
			case free <- items[:0]:
			default:
			}
		}
	}
}

// readAhead reads the job's file into its queue, batch items at a time,
// taking empty batches from free, and closes the queue. It gives up when
// done is closed.
func readAhead(lr *logReader, fsys fs.FS, j *fileJob, batch int, free chan []fileItem, done <-chan struct{}) {
	defer close(j.items)
	var counts FileCounts
	size := 0
	var items []fileItem // taken from free when the first item comes
	send := func() bool {
		select {
		case j.items <- items:
			items, size = nil, 0
			return true
		case <-done:
			return false
		}
	}
	add := func(it fileItem) {
		if items == nil {
			select {
			case items = <-free:
			default:
				items = make([]fileItem, 0, batch)
			}
		}
		items = append(items, it)
	}
	ok := readFSFile(lr, fsys, j.path, &counts, func(e Event, err error) bool {
		add(fileItem{e: e, err: err, records: counts.Records, otherService: counts.OtherServices})
		size += len(e.Raw)
		return len(items) < batch && size < batchBytes || send()
	})
	if ok {
		add(fileItem{records: counts.Records, otherService: counts.OtherServices, last: true})
		send()
	}
}

// aheadChunk is one chunk of decompressed data, with the error that ended
// the data after it, if any.
type aheadChunk struct {
	b   []byte
	err error
}

// aheadSize is the size of the chunks that an aheadReader decompresses,
// and aheadChunks how many may wait: 256 KiB ahead of the scanner.
const (
	aheadSize   = 64 << 10
	aheadChunks = 4
)

// aheadMinSize is the size of the smallest file, as stored, that
// ReadEventFiles decompresses ahead: about 1 MB of records, a few hundred
// of them Cognito's, which the file's queue holds anyway.
const aheadMinSize = 128 << 10

// aheadReader decompresses in a goroutine of its own, a few chunks ahead
// of its reader, so that one file's gunzip and its scan use two cores. It
// yields the same bytes and then the same error as the source.
type aheadReader struct {
	chunks chan aheadChunk
	free   chan []byte // empty chunks, shared with the logReader
	done   chan struct{}
	exited chan struct{}
	cur    []byte // the unread part of held
	held   []byte
	err    error
}

// startAhead starts decompressing src into chunks from free.
func startAhead(src io.Reader, free chan []byte) *aheadReader {
	a := &aheadReader{
		chunks: make(chan aheadChunk, aheadChunks),
		free:   free,
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	go a.fill(src)
	return a
}

func (a *aheadReader) fill(src io.Reader) {
	defer close(a.exited)
	for {
		var b []byte
		select {
		case b = <-a.free:
		default:
			b = make([]byte, aheadSize)
		}
		n := 0
		var err error
		for n < len(b) && err == nil {
			var k int
			k, err = src.Read(b[n:])
			n += k
		}
		select {
		case a.chunks <- aheadChunk{b: b[:n], err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the decompressed bytes in order, then the source's error.
func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.held != nil {
			select {
			case a.free <- a.held[:cap(a.held)]:
			default:
			}
			a.held = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		c := <-a.chunks
		a.held, a.cur, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// stop ends the goroutine and waits for it, so that the source is free.
func (a *aheadReader) stop() {
	close(a.done)
	<-a.exited
}
