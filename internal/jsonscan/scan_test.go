package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestHasSpecialByte checks the 8-byte test against a byte-by-byte one,
// for every byte value at every position.
func TestHasSpecialByte(t *testing.T) {
	special := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			b := []byte("abcdefgh")
			b[pos] = byte(c)
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			if got, want := hasSpecialByte(w), special(byte(c)); got != want {
				t.Fatalf("hasSpecialByte with byte %#x at %d = %v, want %v", c, pos, got, want)
			}
		}
	}
}

// TestSkipAgreesWithEncodingJSON: Skip accepts a text exactly when
// encoding/json calls it valid, and reports where it stopped.
func TestSkipAgreesWithEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`{}`, `[]`, `{"a":[1,-0.5e+10,"x\u00e9\n",true,false,null,{"b":{}}]}`, `"\ud800"`, `"é"`, "\"\xff\"",
		`{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `"\x"`, `"\u12g4"`, "\"a\x01\"", `01`, `1.`, `1e`, `-`, `tru`, `nul`, `[`, `{"a":`, `"abc`,
		strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth),
		strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1),
	} {
		s := Scanner{Data: []byte(text)}
		err := s.Skip(0)
		if err == nil {
			s.SkipSpace()
			if s.Pos != len(text) {
				err = s.Errorf("after the value")
			}
		}
		want := json.Valid([]byte(text))
		if (err == nil) != want {
			t.Errorf("%.40q: Skip error %v, encoding/json valid %v", text, err, want)
		}
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Offset < 0 || se.Offset > len(text)) {
			t.Errorf("%.40q: error %v is not a SyntaxError within the text", text, err)
		}
	}
}

// TestString reports escapes and non-ASCII bytes, and the token as it is.
func TestString(t *testing.T) {
	for text, want := range map[string]Str{
		`"plain"`:        {Tok: []byte(`"plain"`)},
		`"a\"b"`:         {Tok: []byte(`"a\"b"`), Escaped: true},
		`"é"`:            {Tok: []byte(`"é"`), NonASCII: true},
		`"0123456789ab"`: {Tok: []byte(`"0123456789ab"`)},
	} {
		s := Scanner{Data: []byte(text + ` tail`)}
		got, err := s.String()
		if err != nil || string(got.Tok) != string(want.Tok) || got.Escaped != want.Escaped || got.NonASCII != want.NonASCII || s.Pos != len(text) {
			t.Errorf("%s: %+v at %d, %v; want %+v at %d", text, got, s.Pos, err, want, len(text))
		}
		if got.Plain() != (!want.Escaped && !want.NonASCII) || string(got.Content()) != text[1:len(text)-1] {
			t.Errorf("%s: Plain %v, Content %q", text, got.Plain(), got.Content())
		}
	}
}

// TestNumber tells integers from other numbers and finds the end.
func TestNumber(t *testing.T) {
	for text, isInt := range map[string]bool{"0": true, "-12": true, "1.5": false, "2e3": false, "-0.0E-1": false} {
		s := Scanner{Data: []byte(text + ",")}
		got, err := s.Number()
		if err != nil || got != isInt || s.Pos != len(text) {
			t.Errorf("%s: isInt %v at %d, %v", text, got, s.Pos, err)
		}
		if !IsNumber([]byte(text)) || IsNumber([]byte(text+" ")) {
			t.Errorf("IsNumber(%q) wrong", text)
		}
	}
	if IsNumber(nil) || IsNumber([]byte("+1")) {
		t.Error("IsNumber accepts what is not a number")
	}
}

// FuzzSkip: Skip agrees with encoding/json on validity and never panics.
func FuzzSkip(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"c"}]}`, `"\u00e9"`, `[1,]`, `-0.5e+3`, `nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := Scanner{Data: data}
		err := s.Skip(0)
		if err == nil {
			s.SkipSpace()
			if s.Pos != len(data) {
				err = s.Errorf("after the value")
			}
		}
		if (err == nil) != json.Valid(data) {
			t.Fatalf("%q: Skip error %v, encoding/json valid %v", data, err, json.Valid(data))
		}
	})
}
