package cognitomon

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"runtime"

	"github.com/cognitomon/cognitomon/internal/text"
	"github.com/klauspost/compress/gzip"
)

// maxRecordSize bounds the memory that one record of a log file may take.
// CloudTrail caps events at 256 KB from event version 1.05 (FACTS.md 3.2);
// anything far larger is not a CloudTrail record.
const maxRecordSize = 64 << 20

// ReadEvents reads the user-pool events of one CloudTrail log file as
// CloudTrail delivers it to S3: a JSON object whose "Records" array holds
// the records, gzip-compressed (.json.gz) or plain. Compression is detected
// from the gzip magic bytes, not from name, which is used only in errors.
//
// The file is streamed: records are found one at a time and memory does not
// grow with the file. Records from other services are skipped cheaply: a
// record is decoded only if its bytes contain "cognito-idp.amazonaws.com",
// and then kept only if its eventSource is exactly that. (CloudTrail writes
// eventSource without JSON escapes; a record that spelled it with \u escapes
// would be skipped.) Records of other services are checked only for string
// and bracket structure, not fully validated.
//
// Errors are *ReadError values naming the file and the record index. A
// user-pool record that does not parse is yielded as an error and reading
// goes on with the next record if the loop continues. A corrupt file (bad
// gzip data, truncated JSON, a top level that is not an object with a
// Records array, an element of Records that is not an object, garbage
// between records) ends the sequence after its error.
func ReadEvents(r io.Reader, name string, optFns ...func(*ReadOptions)) iter.Seq2[Event, error] {
	o := readOptions(optFns)
	return func(yield func(Event, error) bool) {
		o.count(func(c *FileCounts) { c.Files++ })
		lr := logReader{ahead: runtime.GOMAXPROCS(0) > 1, lean: o.LeanRaw}
		lr.read(r, name, o.counts(), yield)
	}
}

// ReadOptions configure ReadEvents and ReadEventFiles.
type ReadOptions struct {
	// Counts, when set, receives how many files and records were read and
	// how many records were of other services, for Coverage.Files (the
	// events and errors themselves go to the sequence; Consume counts the
	// unreadable files). It is updated as the sequence runs, from the
	// goroutine that ranges over it.
	Counts *FileCounts
	// LeanRaw, when set, leaves Event.Raw nil for the high-volume kinds
	// (sign-ins, refreshes, MFA, M2M tokens, federation, sign-ups,
	// password resets), as OldestFirst does: the analyses and detections
	// of this package read Raw only for KindAdminChange and KindOther
	// events (checks.AdminChangeRule.Match gets their requestParameters), which
	// keep it. It saves a copy of each such record, most of the garbage of
	// reading.
	LeanRaw bool
}

func readOptions(optFns []func(*ReadOptions)) ReadOptions {
	var o ReadOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return o
}

func (o *ReadOptions) count(fn func(*FileCounts)) {
	if o.Counts != nil {
		fn(o.Counts)
	}
}

// counts returns Counts, or somewhere to count that nobody reads.
func (o *ReadOptions) counts() *FileCounts {
	if o.Counts != nil {
		return o.Counts
	}
	return new(FileCounts)
}

// logReader reads log files one after another, reusing its buffers and
// its gzip reader, which are most of the garbage when files are small. It
// is not safe for concurrent use.
type logReader struct {
	br    *bufio.Reader
	gz    *gzip.Reader
	buf   []byte
	cache stringCache
	// ahead, when set, has gzip data decompressed in a goroutine of its
	// own, chunks from free.
	ahead bool
	free  chan []byte
	lean  bool // ReadOptions.LeanRaw
}

// keptBuffer is the largest scan buffer a logReader keeps for the next
// file; one that grew for a huge record is let go.
const keptBuffer = 1 << 20

// read streams the events of one log file to yield. It returns false when
// yield asked to stop.
func (lr *logReader) read(r io.Reader, name string, counts *FileCounts, yield func(Event, error) bool) bool {
	if lr.br == nil {
		lr.br = bufio.NewReaderSize(r, 16<<10)
	} else {
		lr.br.Reset(r)
	}
	var src io.Reader = lr.br
	if magic, _ := lr.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		var err error
		if lr.gz == nil {
			lr.gz, err = gzip.NewReader(lr.br)
		} else {
			err = lr.gz.Reset(lr.br)
		}
		if err != nil {
			lr.gz = nil
			return yield(Event{}, &ReadError{File: name, Record: -1, Err: fmt.Errorf("bad gzip data: %w", err), wholeFile: true})
		}
		src = lr.gz
		if lr.ahead {
			if lr.free == nil {
				lr.free = make(chan []byte, aheadChunks+2)
			}
			a := startAhead(lr.gz, lr.free)
			defer a.stop()
			src = a
		}
	}
	if lr.buf == nil {
		lr.buf = make([]byte, 0, 16<<10)
	}
	s := &logScanner{r: src, buf: lr.buf[:0], needle: []byte(UserPoolEventSource), counts: counts, cache: &lr.cache, lean: lr.lean}
	defer func() {
		// Events own copies of their records, so the buffer is free.
		lr.buf = nil
		if cap(s.buf) <= keptBuffer {
			lr.buf = s.buf[:0]
		}
	}()
	fail := func(record int, err error) bool {
		return yield(Event{}, &ReadError{File: name, Record: record, Err: err, wholeFile: true})
	}

	c, err := s.nonSpace()
	if err != nil {
		if err == io.EOF {
			return fail(-1, errors.New("empty file, not a CloudTrail log file"))
		}
		return fail(-1, s.readErr(err))
	}
	if c != '{' {
		return fail(-1, fmt.Errorf("not a CloudTrail log file: it starts with %q, not '{'", c))
	}
	s.off++
	sawRecords := false
	for member := 0; ; member++ {
		c, err := s.nonSpace()
		if err != nil {
			return fail(-1, s.eofErr(err, "in the top-level object"))
		}
		if c == '}' && member == 0 {
			s.off++
			break
		}
		if c != '"' {
			return fail(-1, fmt.Errorf("malformed top-level object: expected a key, found %q", c))
		}
		key, err := s.scanString()
		if err != nil {
			return fail(-1, s.eofErr(err, "in a top-level key"))
		}
		isRecords := string(key) == `"Records"`
		if c, err := s.nonSpace(); err != nil || c != ':' {
			if err != nil {
				return fail(-1, s.eofErr(err, "in the top-level object"))
			}
			return fail(-1, fmt.Errorf("malformed top-level object: expected ':' after key %s, found %q", text.Truncate(string(key)), c))
		}
		s.off++
		if isRecords {
			if sawRecords {
				return fail(-1, errors.New("malformed log file: two Records arrays"))
			}
			sawRecords = true
			ok, more := s.records(name, yield)
			if !more {
				return ok
			}
		} else if err := s.skipValue(); err != nil {
			return fail(-1, s.eofErr(err, "in a top-level value"))
		}
		c, err = s.nonSpace()
		if err != nil {
			return fail(-1, s.eofErr(err, "in the top-level object"))
		}
		s.off++
		if c == '}' {
			break
		}
		if c != ',' {
			return fail(-1, fmt.Errorf("malformed top-level object: expected ',' or '}', found %q", c))
		}
	}
	if c, err := s.nonSpace(); err != io.EOF {
		if err != nil {
			return fail(-1, fmt.Errorf("after the top-level object: %w", s.readErr(err)))
		}
		return fail(-1, fmt.Errorf("unexpected %q after the top-level object", c))
	}
	if !sawRecords {
		return fail(-1, errors.New("not a CloudTrail log file: no Records array"))
	}
	return true
}

// logScanner finds the records of a log file without decoding them. It
// tracks only what it needs to find where a JSON value ends: strings with
// their escapes, and the depth of braces and brackets.
//
// It is not a second JSON scanner but a framer, and it stays apart from
// internal/jsonscan, which decodes the records it finds, for two reasons.
// It works on a stream, refilling and moving its buffer in the middle of a
// value, where jsonscan reads a complete text in memory (holding each
// decompressed file whole instead costs its size, 15 MB a file on the
// generated 2M-sign-in day, for every file in flight). And it must not validate the records of other services,
// most of a trail, that it only skips: validating every record with
// jsonscan takes 1.4 to 1.5 times as long as framing them
// (BenchmarkFraming reports the ratio as x-validate/frame).
type logScanner struct {
	r      io.Reader
	buf    []byte // unread data is buf[off:]
	off    int
	err    error // the reader's sticky error, io.EOF at the end
	needle []byte
	counts *FileCounts // never nil
	cache  *stringCache
	lean   bool // ReadOptions.LeanRaw
}

// minRead is the least room that more leaves for a read, so that reads
// stay large and a record is moved at most a few times.
const minRead = 4 << 10

// more reads more data, keeping buf[keep:] (keep <= off). When the room
// left is short, it first moves the kept bytes to the front of buf, and
// grows buf if that is not enough; it returns by how much indices into buf
// shifted. It returns the reader's error only when no data came.
func (s *logScanner) more(keep int) (shift int, err error) {
	if s.err != nil {
		return 0, s.err
	}
	if cap(s.buf)-len(s.buf) < minRead {
		if keep > 0 {
			n := copy(s.buf, s.buf[keep:])
			s.buf = s.buf[:n]
			s.off -= keep
			shift = keep
		}
		if cap(s.buf)-len(s.buf) < minRead {
			if cap(s.buf) >= maxRecordSize {
				return shift, fmt.Errorf("a JSON value is larger than %d MiB", maxRecordSize>>20)
			}
			grown := make([]byte, len(s.buf), 2*cap(s.buf))
			copy(grown, s.buf)
			s.buf = grown
		}
	}
	for empty := 0; ; empty++ {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.err = err
		}
		if n > 0 {
			return shift, nil
		}
		if err != nil {
			return shift, err
		}
		if empty > 100 {
			return shift, io.ErrNoProgress
		}
	}
}

// nonSpace skips whitespace and returns the byte at off without consuming
// it.
func (s *logScanner) nonSpace() (byte, error) {
	for {
		for s.off < len(s.buf) {
			switch c := s.buf[s.off]; c {
			case ' ', '\t', '\r', '\n':
				s.off++
			default:
				return c, nil
			}
		}
		if _, err := s.more(s.off); err != nil {
			return 0, err
		}
	}
}

// scanString consumes the string that starts at off and returns it with its
// quotes and escapes as they are. The slice is valid until the next read.
func (s *logScanner) scanString() ([]byte, error) {
	start := s.off
	i := start + 1
	for {
		b := s.buf
		for {
			k := bytes.IndexByte(b[i:], '"')
			if k < 0 {
				i = len(b)
				break
			}
			q := i + k
			i = q + 1
			if !escapedQuote(b, q) {
				s.off = i
				return b[start:i], nil
			}
		}
		shift, err := s.more(start)
		if err != nil {
			return nil, err
		}
		start -= shift
		i -= shift
	}
}

// escapedQuote reports whether the quote at b[q] is escaped: preceded by an
// odd number of backslashes. The string's opening quote, at some index
// before q, ends the count.
func escapedQuote(b []byte, q int) bool {
	n := 0
	for p := q - 1; p >= 0 && b[p] == '\\'; p-- {
		n++
	}
	return n&1 == 1
}

// scanComposite consumes the object or array that starts at off and returns
// its bytes, and whether one of its strings (keys included) is exactly
// needle. The slice is valid until the next read.
func (s *logScanner) scanComposite() (value []byte, hit bool, err error) {
	start := s.off
	i := start
	depth := 0
	inString := false
	strStart := 0
	for {
		b := s.buf
		for i < len(b) {
			if inString {
				k := bytes.IndexByte(b[i:], '"')
				if k < 0 {
					i = len(b)
					break
				}
				q := i + k
				i = q + 1
				if escapedQuote(b, q) {
					continue
				}
				inString = false
				if q-strStart-1 == len(s.needle) && string(b[strStart+1:q]) == string(s.needle) {
					hit = true
				}
				continue
			}
			c := b[i]
			i++
			switch c {
			case '"':
				inString = true
				strStart = i - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.off = i
					return b[start:i], hit, nil
				}
			}
		}
		shift, err := s.more(start)
		if err != nil {
			return nil, false, err
		}
		start -= shift
		i -= shift
		strStart -= shift
	}
}

// skipValue consumes the JSON value at off.
func (s *logScanner) skipValue() error {
	c, err := s.nonSpace()
	if err != nil {
		return err
	}
	switch c {
	case '{', '[':
		_, _, err = s.scanComposite()
		return err
	case '"':
		_, err = s.scanString()
		return err
	}
	// A number or literal: it ends at a delimiter or at the end of data.
	for {
		for s.off < len(s.buf) {
			switch s.buf[s.off] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return nil
			}
			s.off++
		}
		if _, err := s.more(s.off); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// records streams the Records array that starts at off. ok is yield's
// answer (false to stop); more is false when the caller must stop reading
// the file, because yield asked to or because the array is corrupt.
func (s *logScanner) records(name string, yield func(Event, error) bool) (ok, more bool) {
	fail := func(record int, err error) (bool, bool) {
		return yield(Event{}, &ReadError{File: name, Record: record, Err: err, wholeFile: true}), false
	}
	c, err := s.nonSpace()
	if err != nil {
		return fail(-1, s.eofErr(err, "before the Records array"))
	}
	if c != '[' {
		return fail(-1, fmt.Errorf("the Records value is not an array: it starts with %q", c))
	}
	s.off++
	if c, err := s.nonSpace(); err != nil {
		return fail(0, s.eofErr(err, "in the Records array"))
	} else if c == ']' {
		s.off++
		return true, true
	}
	for index := 0; ; index++ {
		c, err := s.nonSpace()
		if err != nil {
			return fail(index, s.eofErr(err, "before the record"))
		}
		if c != '{' {
			return fail(index, fmt.Errorf("the record is not a JSON object: it starts with %q", c))
		}
		rec, hit, err := s.scanComposite()
		if err != nil {
			return fail(index, s.eofErr(err, "inside the record"))
		}
		s.counts.Records++
		if !hit {
			s.counts.OtherServices++
		} else {
			// The record is decoded in the buffer and copied only if
			// its Raw is kept: no member of Event aliases it.
			e, err := parseCached(rec, true, s.cache)
			if err == nil && (!s.lean || rawKept(e)) {
				e.Raw = bytes.Clone(rec)
			} else {
				e.Raw = nil
			}
			switch {
			case errors.Is(err, ErrNotUserPoolEvent):
				s.counts.OtherServices++
			case err != nil:
				if !yield(Event{}, &ReadError{File: name, Record: index, EventID: recordEventID(rec), Err: err}) {
					return false, false
				}
			default:
				if !yield(e, nil) {
					return false, false
				}
			}
		}
		c, err = s.nonSpace()
		if err != nil {
			return fail(index, s.eofErr(err, "after the record"))
		}
		s.off++
		switch c {
		case ',':
		case ']':
			return true, true
		default:
			return fail(index, fmt.Errorf("expected ',' or ']' after the record, found %q", c))
		}
	}
}

// eofErr turns the end of data where more was expected into a message about
// truncation, and wraps other read errors.
func (s *logScanner) eofErr(err error, where string) error {
	if err == io.EOF {
		return fmt.Errorf("truncated JSON: the file ends %s", where)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated gzip data: the file ends %s", where)
	}
	return fmt.Errorf("%s: %w", where, s.readErr(err))
}

func (s *logScanner) readErr(err error) error {
	return fmt.Errorf("reading: %w", err)
}

// recordEventID finds the eventID of a record that did not parse, for the
// error message, or returns "".
func recordEventID(rec []byte) string {
	i := bytes.Index(rec, []byte(`"eventID"`))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(rec[i+len(`"eventID"`):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	end := bytes.IndexByte(rest[1:], '"')
	if end < 0 || end > 128 || bytes.IndexByte(rest[1:1+end], '\\') >= 0 {
		return ""
	}
	return string(rest[1 : 1+end])
}
