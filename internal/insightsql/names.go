package insightsql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field names. Logs Insights requires backticks around a field name that
// holds any character other than letters, digits, @ and . (FACTS 5.2):
// `foo-bar`, `requestParameters.requiredAttributes[email]`, and, read
// literally, `additionalEventData.requestParameters.client_id.0`, since _ is
// neither a letter nor a digit. Whether Logs Insights also accepts a bare
// name with _ is not documented either way; FieldRef quotes such names, which
// is right under both readings, and the parser rejects them bare, so that a
// canned query that forgot its backticks fails its tests.

// isBareRune reports whether r may appear in a field name written without
// backticks: a letter, a digit, @ or . (FACTS 5.2).
func isBareRune(r rune) bool {
	return r == '@' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isBareName reports whether name can be written without backticks and read
// back by the parser as the same field: it starts with a letter or @, holds
// only letters, digits, @ and dots, has no empty dotted segment, and is not
// a keyword or a bare literal the parser refuses.
func isBareName(name string) bool {
	if name == "" || name == "@" || strings.HasSuffix(name, ".") || strings.Contains(name, "..") || isReserved(name) {
		return false
	}
	switch strings.ToLower(name) {
	case "true", "false", "null":
		return false
	}
	for i, r := range name {
		if !isBareRune(r) || i == 0 && !(r == '@' || unicode.IsLetter(r)) {
			return false
		}
	}
	return true
}

// FieldRef returns name written as a field reference in a query: as it is
// when it needs no quoting, else between backticks (FACTS 5.2). It fails for
// a name that cannot be written at all: empty, not valid UTF-8, or holding a
// backtick (Logs Insights documents no way to escape one) or a control
// character such as a newline.
func FieldRef(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("insightsql: empty field name")
	case !utf8.ValidString(name):
		return "", fmt.Errorf("insightsql: field name %q is not valid UTF-8", name)
	case strings.ContainsRune(name, '`'):
		return "", fmt.Errorf("insightsql: field name %q holds a backtick, which cannot be quoted", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", fmt.Errorf("insightsql: field name %q holds a control character", name)
	}
	if isBareName(name) {
		return name, nil
	}
	return "`" + name + "`", nil
}

// fieldName reads a field name: a bare name or a backtick-quoted one.
func (p *parser) fieldName(what string) token {
	t := p.next()
	switch t.kind {
	case tQuoted:
		return t
	case tIdent:
		if isReserved(t.text) {
			p.fail(t.pos, "expected %s, found keyword %q (quote a field with that name in backticks)", what, t.text)
		}
		if t.text == "@" || strings.HasSuffix(t.text, ".") || strings.Contains(t.text, "..") {
			p.fail(t.pos, "malformed field name %q", t.text)
		}
		if p.peek().is("(") {
			p.fail(t.pos, "expected %s, found a call of %s(); functions are not supported here", what, t.text)
		}
		p.checkBare(t)
		return t
	}
	p.fail(t.pos, "expected %s, found %s", what, t.describe())
	return t
}

// checkBare rejects a bare name with a character that Logs Insights wants
// in backticks (FACTS 5.2). The lexer lets such a name through (it reads _
// as part of a name) so that the error can say what to write instead.
func (p *parser) checkBare(t token) {
	for i, r := range t.text {
		if !isBareRune(r) {
			p.fail(t.pos+i, "field name %s holds %q, which Logs Insights requires in backticks (only letters, digits, @ and . may appear bare): write `%s`", t.text, r, t.text)
		}
	}
}

var reservedWords = []string{"and", "or", "not", "in", "like", "by", "as", "asc", "desc"}

func isReserved(s string) bool {
	for _, w := range reservedWords {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

// alias reads the name after "as". An alias is a field name of the later
// commands and follows the same quoting rule.
func (p *parser) alias() token {
	t := p.next()
	if t.kind == tQuoted {
		return t
	}
	if t.kind == tIdent && !isReserved(t.text) && !strings.HasSuffix(t.text, ".") && t.text != "@" {
		p.checkBare(t)
		return t
	}
	p.fail(t.pos, "expected an alias name after as, found %s", t.describe())
	return t
}
