// Package jsonscan is cognitomon's one JSON scanner: a single pass over a
// complete JSON text in memory that validates it as encoding/json does
// (RFC 8259, at most MaxDepth levels of nesting) while its caller decodes
// only the members it needs, without building a tree. CloudTrail records
// (the root package's record decoder) and Logs Insights messages
// (internal/insightsql's field extractor) are both read with it.
//
// Finding where each record of a CloudTrail log file ends, in a stream,
// is a different job done elsewhere (the root package's logScanner): it
// never decodes, and it must not validate the records of other services
// that it skips, which are most of a trail, as this scanner would.
package jsonscan

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// MaxDepth is the deepest nesting accepted, as with encoding/json.
const MaxDepth = 10000

// SyntaxError is a syntax error at a byte offset of the text.
type SyntaxError struct {
	Msg    string
	Offset int
}

// Error returns the message and the offset.
func (e *SyntaxError) Error() string {
	return e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// Scanner reads the JSON text Data from Pos. The zero value scans nothing;
// set Data (and Pos, to start elsewhere than at 0).
type Scanner struct {
	Data []byte
	Pos  int
}

// Errorf returns a *SyntaxError at Pos.
func (s *Scanner) Errorf(format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Offset: s.Pos}
}

// EOF returns the error for a text that ends too early.
func (s *Scanner) EOF() error {
	return &SyntaxError{Msg: "unexpected end of JSON input", Offset: len(s.Data)}
}

// SkipSpace moves Pos past whitespace.
func (s *Scanner) SkipSpace() {
	for s.Pos < len(s.Data) {
		switch s.Data[s.Pos] {
		case ' ', '\t', '\r', '\n':
			s.Pos++
		default:
			return
		}
	}
}

// Peek skips whitespace and returns the next byte without consuming it.
func (s *Scanner) Peek() (byte, error) {
	s.SkipSpace()
	if s.Pos >= len(s.Data) {
		return 0, s.EOF()
	}
	return s.Data[s.Pos], nil
}

// Str is a string token as it appears in the text.
type Str struct {
	// Tok is the token, quotes included; it aliases the text.
	Tok []byte
	// Escaped says the content has backslash escapes.
	Escaped bool
	// NonASCII says the content has bytes of 0x80 or more.
	NonASCII bool
}

// Content returns the bytes between the quotes.
func (t Str) Content() []byte { return t.Tok[1 : len(t.Tok)-1] }

// Plain reports whether Content is the string's value as it is: no
// escapes and no bytes that a decoder might have to replace.
func (t Str) Plain() bool { return !t.Escaped && !t.NonASCII }

// String consumes the string at Pos, which must be at its opening quote,
// and returns it as it appears, after checking its escapes.
func (s *Scanner) String() (Str, error) {
	data := s.Data
	start := s.Pos
	i := start + 1
	var t Str
	for {
		// Skip 8 plain bytes at a time, then find the special byte.
		for i+8 <= len(data) && !hasSpecialByte(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		for i < len(data) {
			c := data[i]
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			i++
		}
		if i >= len(data) {
			return Str{}, s.EOF()
		}
		switch c := data[i]; {
		case c == '"':
			s.Pos = i + 1
			t.Tok = data[start:s.Pos]
			return t, nil
		case c == '\\':
			t.Escaped = true
			if i+1 >= len(data) {
				return Str{}, s.EOF()
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(data) {
						return Str{}, s.EOF()
					}
					if HexValue(data[k]) < 0 {
						s.Pos = k
						return Str{}, s.Errorf("invalid character %q in \\u hexadecimal character escape", data[k])
					}
				}
				i += 6
			default:
				s.Pos = i + 1
				return Str{}, s.Errorf("invalid character %q in string escape code", data[i+1])
			}
		case c < 0x20:
			s.Pos = i
			return Str{}, s.Errorf("invalid character %q in string literal", c)
		default:
			t.NonASCII = true
			i++
		}
	}
}

// hasSpecialByte reports whether any of the 8 bytes in x is a quote, a
// backslash, a control character or a non-ASCII byte. Each term sets the
// high bit of a byte that is (or, by borrowing, follows) such a byte.
func hasSpecialByte(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * lo)
	bs := x ^ ('\\' * lo)
	return ((q-lo)&^q|(bs-lo)&^bs|(x-0x20*lo)&^x|x)&hi != 0
}

// HexValue returns the value of a hexadecimal digit, or -1.
func HexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Number consumes the number at Pos, which must start with '-' or a digit;
// its text is Data[start:Pos]. isInt says it has neither a fraction nor an
// exponent.
func (s *Scanner) Number() (isInt bool, err error) {
	d := s.Data
	digits := func() int {
		n := 0
		for s.Pos < len(d) && d[s.Pos] >= '0' && d[s.Pos] <= '9' {
			s.Pos++
			n++
		}
		return n
	}
	if s.Pos < len(d) && d[s.Pos] == '-' {
		s.Pos++
	}
	switch {
	case s.Pos >= len(d):
		return false, s.EOF()
	case d[s.Pos] == '0':
		s.Pos++
	case d[s.Pos] >= '1' && d[s.Pos] <= '9':
		digits()
	default:
		return false, s.Errorf("invalid character %q in numeric literal", d[s.Pos])
	}
	isInt = true
	if s.Pos < len(d) && d[s.Pos] == '.' {
		isInt = false
		s.Pos++
		if s.Pos >= len(d) {
			return false, s.EOF()
		}
		if digits() == 0 {
			return false, s.Errorf("invalid character %q after decimal point in numeric literal", d[s.Pos])
		}
	}
	if s.Pos < len(d) && (d[s.Pos] == 'e' || d[s.Pos] == 'E') {
		isInt = false
		s.Pos++
		if s.Pos < len(d) && (d[s.Pos] == '+' || d[s.Pos] == '-') {
			s.Pos++
		}
		if s.Pos >= len(d) {
			return false, s.EOF()
		}
		if digits() == 0 {
			return false, s.Errorf("invalid character %q in exponent of numeric literal", d[s.Pos])
		}
	}
	return isInt, nil
}

// IsNumber reports whether b is exactly one JSON number.
func IsNumber(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	s := Scanner{Data: b}
	_, err := s.Number()
	return err == nil && s.Pos == len(b)
}

// Literal consumes lit (true, false or null) at Pos.
func (s *Scanner) Literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if s.Pos >= len(s.Data) {
			return s.EOF()
		}
		if s.Data[s.Pos] != lit[i] {
			return s.Errorf("invalid character %q in literal %s (expecting %q)", s.Data[s.Pos], lit, lit[i])
		}
		s.Pos++
	}
	return nil
}

// Object consumes the object at Pos, which must be at its '{', calling
// member for each key with Pos before the value, which member must consume
// (with Skip when it does not want it). level is the object's own nesting
// level: 1 for a top-level object. A nil member skips every value.
func (s *Scanner) Object(level int, member func(key Str, level int) error) error {
	if level > MaxDepth {
		return s.Errorf("exceeded max depth")
	}
	s.Pos++ // '{'
	c, err := s.Peek()
	if err != nil {
		return err
	}
	if c == '}' {
		s.Pos++
		return nil
	}
	for {
		c, err := s.Peek()
		if err != nil {
			return err
		}
		if c != '"' {
			return s.Errorf("invalid character %q looking for beginning of object key string", c)
		}
		key, err := s.String()
		if err != nil {
			return err
		}
		if c, err := s.Peek(); err != nil {
			return err
		} else if c != ':' {
			return s.Errorf("invalid character %q after object key", c)
		}
		s.Pos++
		if member == nil {
			err = s.Skip(level)
		} else {
			err = member(key, level)
		}
		if err != nil {
			return err
		}
		c, err = s.Peek()
		if err != nil {
			return err
		}
		switch c {
		case ',':
			s.Pos++
		case '}':
			s.Pos++
			return nil
		default:
			return s.Errorf("invalid character %q after object key:value pair", c)
		}
	}
}

// Array consumes the array at Pos, which must be at its '[', calling elem
// for each element with Pos before it, which elem must consume. level is
// the array's own nesting level. A nil elem skips every element.
func (s *Scanner) Array(level int, elem func(i, level int) error) error {
	if level > MaxDepth {
		return s.Errorf("exceeded max depth")
	}
	s.Pos++ // '['
	c, err := s.Peek()
	if err != nil {
		return err
	}
	if c == ']' {
		s.Pos++
		return nil
	}
	for i := 0; ; i++ {
		if elem == nil {
			err = s.Skip(level)
		} else {
			err = elem(i, level)
		}
		if err != nil {
			return err
		}
		c, err := s.Peek()
		if err != nil {
			return err
		}
		switch c {
		case ',':
			s.Pos++
		case ']':
			s.Pos++
			return nil
		default:
			return s.Errorf("invalid character %q after array element", c)
		}
	}
}

// Skip validates and consumes the value at Pos; level is the nesting level
// of the value's container.
func (s *Scanner) Skip(level int) error {
	c, err := s.Peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{':
		return s.Object(level+1, nil)
	case c == '[':
		return s.Array(level+1, nil)
	case c == '"':
		_, err := s.String()
		return err
	case c == 't':
		return s.Literal("true")
	case c == 'f':
		return s.Literal("false")
	case c == 'n':
		return s.Literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := s.Number()
		return err
	}
	return s.Errorf("invalid character %q looking for beginning of value", c)
}
