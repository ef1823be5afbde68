package insightsql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError reports a query that is malformed or outside the supported
// subset. Pos is the byte offset in the query string where the problem was
// found (len(query) for an unexpected end of input).
type ParseError struct {
	Pos int
	Msg string
}

// Error formats the error with its byte offset.
func (e *ParseError) Error() string {
	return fmt.Sprintf("insightsql: offset %d: %s", e.Pos, e.Msg)
}

func errAt(pos int, format string, args ...any) *ParseError {
	return &ParseError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // bare name, keyword or function name
	tQuoted         // backtick-quoted field name; text is the name without backticks
	tString         // quoted string literal; text is the unescaped value
	tNumber         // numeric literal; text is as written
	tOp             // operator or punctuation; text is the operator
)

type token struct {
	kind     tokKind
	pos, end int
	text     string
}

func (t token) is(op string) bool { return t.kind == tOp && t.text == op }

// isKeyword reports whether t is the bare (unquoted) keyword kw, compared
// case-insensitively.
func (t token) isKeyword(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	case tQuoted:
		return fmt.Sprintf("field `%s`", t.text)
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// lexer produces tokens on demand. Regular-expression literals are lexed only
// when the parser asks for one (after like or =~), because elsewhere '/' is
// division.
type lexer struct {
	src string
	pos int
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '@' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '@' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// skipSpace skips white space and # comments.
func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.pos++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(l.src[l.pos:])
			if !unicode.IsSpace(r) {
				return
			}
			l.pos += n
		default:
			return
		}
	}
}

var twoCharOps = []string{"!=", "<=", ">=", "=~"}

func (l *lexer) next() (token, error) {
	l.skipSpace()
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start, end: start}, nil
	}
	c := l.src[start]
	r, size := utf8.DecodeRuneInString(l.src[start:])
	switch {
	case c == '@' && start+1 < len(l.src) && l.src[start+1] == '`':
		l.pos++
		t, err := l.backtick()
		if err != nil {
			return t, err
		}
		t.pos = start
		t.text = "@" + t.text
		return t, nil
	case r == utf8.RuneError && size == 1:
		return token{}, errAt(start, "invalid UTF-8 in query")
	case isIdentStart(r):
		return l.ident(), nil
	case c == '`':
		return l.backtick()
	case c == '"' || c == '\'':
		return l.str()
	case isDigit(c):
		return l.number(), nil
	}
	for _, op := range twoCharOps {
		if strings.HasPrefix(l.src[start:], op) {
			l.pos += 2
			return token{kind: tOp, pos: start, end: l.pos, text: op}, nil
		}
	}
	switch c {
	case '|', ',', '(', ')', '[', ']', '=', '<', '>', '+', '-', '*', '/':
		l.pos++
		return token{kind: tOp, pos: start, end: l.pos, text: string(c)}, nil
	case '%', '^':
		return token{}, errAt(start, "operator %q is not supported by this evaluator", string(c))
	case '!':
		return token{}, errAt(start, "unexpected '!' (the inequality operator is !=)")
	}
	return token{}, errAt(start, "unexpected character %q", r)
}

func (l *lexer) ident() token {
	start := l.pos
	for l.pos < len(l.src) {
		r, n := utf8.DecodeRuneInString(l.src[l.pos:])
		if !isIdentPart(r) {
			break
		}
		l.pos += n
	}
	return token{kind: tIdent, pos: start, end: l.pos, text: l.src[start:l.pos]}
}

func (l *lexer) backtick() (token, error) {
	start := l.pos
	i := strings.IndexByte(l.src[start+1:], '`')
	if i < 0 {
		return token{}, errAt(start, "unterminated backtick-quoted field name")
	}
	name := l.src[start+1 : start+1+i]
	if end := start + i + 2; end < len(l.src) && l.src[end] == '`' {
		return token{}, errAt(end, "a backtick-quoted field name cannot hold a backtick (Logs Insights documents no escape for one)")
	}
	if name == "" {
		return token{}, errAt(start, "empty backtick-quoted field name")
	}
	if !utf8.ValidString(name) {
		return token{}, errAt(start, "invalid UTF-8 in field name")
	}
	l.pos = start + i + 2
	return token{kind: tQuoted, pos: start, end: l.pos, text: name}, nil
}

// str lexes a single- or double-quoted string. Logs Insights documents no
// escape syntax (FACTS 5.2), so only \\ and an escaped quote character are
// accepted; any other backslash sequence is rejected rather than guessed.
func (l *lexer) str() (token, error) {
	start := l.pos
	q := l.src[start]
	var b strings.Builder
	i := start + 1
	for i < len(l.src) {
		c := l.src[i]
		switch {
		case c == q:
			l.pos = i + 1
			s := b.String()
			if !utf8.ValidString(s) {
				return token{}, errAt(start, "invalid UTF-8 in string literal")
			}
			return token{kind: tString, pos: start, end: l.pos, text: s}, nil
		case c == '\\':
			if i+1 >= len(l.src) {
				return token{}, errAt(start, "unterminated string literal")
			}
			n := l.src[i+1]
			if n != '\\' && n != '"' && n != '\'' {
				return token{}, errAt(i, "unsupported escape sequence \\%c in string literal (only \\\\, \\\" and \\' are accepted)", n)
			}
			b.WriteByte(n)
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return token{}, errAt(start, "unterminated string literal")
}

// number lexes digits [. digits] [(e|E) [+|-] digits]. A unit suffix such as
// the m of 5m is left for the next token.
func (l *lexer) number() token {
	start := l.pos
	s := l.src
	i := start
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			i = j
		}
	}
	l.pos = i
	return token{kind: tNumber, pos: start, end: i, text: s[start:i]}
}

// regex lexes a /regex/ literal whose opening slash is at pos. The pattern
// ends at the first slash not preceded by a backslash; the pattern text is
// passed to Go's regexp unchanged (RE2 accepts \/ as a literal slash).
func (l *lexer) regex(pos int) (token, error) {
	i := pos + 1
	for i < len(l.src) {
		switch l.src[i] {
		case '\\':
			i += 2
			continue
		case '/':
			l.pos = i + 1
			if l.pos < len(l.src) {
				r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
				if isIdentPart(r) {
					return token{}, errAt(l.pos, "regular-expression flags after the closing slash are not supported; use a (?i) prefix inside the pattern")
				}
			}
			return token{kind: tString, pos: pos, end: l.pos, text: l.src[pos+1 : i]}, nil
		}
		i++
	}
	return token{}, errAt(pos, "unterminated regular expression")
}
