package insightsql

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func TestFieldRef(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		// Letters, digits, @ and . stand bare (FACTS 5.2).
		{"eventName", "eventName"},
		{"userIdentity.arn", "userIdentity.arn"},
		{"@timestamp", "@timestamp"},
		{"additionalEventData.responseParameters.status", "additionalEventData.responseParameters.status"},
		{"requestParameters.items.0.id", "requestParameters.items.0.id"},
		{"größe", "größe"},
		// Anything else is quoted: _ (neither letter nor digit), -, [ ], :, space.
		{"additionalEventData.requestParameters.client_id.0", "`additionalEventData.requestParameters.client_id.0`"},
		{"foo-bar", "`foo-bar`"},
		{"requestParameters.requiredAttributes[email]", "`requestParameters.requiredAttributes[email]`"},
		{"aws.tag.x:y", "`aws.tag.x:y`"},
		{"a b", "`a b`"},
		{"a|b", "`a|b`"},
		{`a"b`, "`a\"b`"},
		// Names the parser would not read bare as a field.
		{"0abc", "`0abc`"},
		{"a.", "`a.`"},
		{"a..b", "`a..b`"},
		{"@", "`@`"},
		{"by", "`by`"},
		{"NOT", "`NOT`"},
		{"true", "`true`"},
	} {
		got, err := FieldRef(c.name)
		if err != nil || got != c.want {
			t.Errorf("FieldRef(%q) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "a`b", "`", "a\nb", "a\rb", "a\x00b", "\xff"} {
		if got, err := FieldRef(bad); err == nil {
			t.Errorf("FieldRef(%q) = %q, want an error", bad, got)
		}
	}
}

// TestFieldRefRoundTrip checks that every reference FieldRef writes reads
// back as the same field, and reaches the JSON value of that name.
func TestFieldRefRoundTrip(t *testing.T) {
	ev := rawEv(0, "s", `{"a":{"client_id":["c1"]},"foo-bar":"fb","requiredAttributes[email]":"e","by":"kw","plain":"p"}`)
	for name, want := range map[string]string{"a.client_id.0": "c1", "foo-bar": "fb", "requiredAttributes[email]": "e", "by": "kw", "plain": "p"} {
		ref, err := FieldRef(name)
		if err != nil {
			t.Fatal(err)
		}
		src := "fields " + ref + " | filter " + ref + " = \"" + want + "\""
		q := mustParse(t, src)
		if got := q.Fields(); !slices.Equal(got, []string{name}) {
			t.Errorf("%s: Fields() = %q, want [%q]", src, got, name)
		}
		res := run(t, src, []Event{ev})
		checkRows(t, src, res.Rows, []string{name + "=" + want})
	}
}

// TestParseQuotedNames checks that a backticked name is the same field as
// its bare form where both are allowed, and that quoting works in every
// place a field can stand.
func TestParseQuotedNames(t *testing.T) {
	evs := []Event{
		rawEv(0, "s", `{"eventName":"Token_POST","additionalEventData":{"requestParameters":{"client_id":["c1"],"grant_type":["refresh_token"]}},"x-y":3}`),
		rawEv(time.Minute, "s", `{"eventName":"Token_POST","additionalEventData":{"requestParameters":{"client_id":["c2"],"grant_type":["refresh_token"]}},"x-y":5}`),
		rawEv(2*time.Minute, "s", `{"eventName":"Login_GET","x-y":7}`),
	}
	for _, c := range []struct {
		src  string
		want []string
	}{
		{"filter `eventName` = \"Token_POST\" | stats count(*) as n", []string{"n=2"}},
		{"filter eventName = \"Token_POST\" | stats count(*) as n by `additionalEventData.requestParameters.client_id.0` | sort n desc, `additionalEventData.requestParameters.client_id.0`",
			[]string{"additionalEventData.requestParameters.client_id.0=c1 n=1", "additionalEventData.requestParameters.client_id.0=c2 n=1"}},
		{"filter ispresent(`additionalEventData.requestParameters.grant_type.0`) | stats sum(`x-y`) as s, count(`x-y`) as `n-x`", []string{"s=8 n-x=2"}},
		{"filter `x-y` > 4 | fields `x-y` as `x_y` | sort `x_y`", []string{"x_y=5", "x_y=7"}},
		{"filter `additionalEventData.requestParameters.client_id.0` in [\"c2\"] | display `x-y`", []string{"x-y=5"}},
	} {
		res := run(t, c.src, evs)
		checkRows(t, c.src, res.Rows, c.want)
	}
}

// TestParseNamesNeedingBackticks checks that a bare name that Logs
// Insights wants in backticks (FACTS 5.2) is refused wherever it stands,
// with the offset of the offending character and the quoted form.
func TestParseNamesNeedingBackticks(t *testing.T) {
	for _, c := range []struct{ src, at string }{
		{"filter client_id = 1", "_id ="},
		{"filter a.grant_type.0 = \"x\"", "_type"},
		{"filter ispresent(a_b)", "_b)"},
		{"fields a_b", "_b"},
		{"fields a as b_c", "_c"},
		{"display a_b", "_b"},
		{"stats count(a_b)", "_b)"},
		{"stats count(*) by a_b", "_b"},
		{"stats count(*) as n_1", "_1"},
		{"stats count(*) by a | sort a_b", "_b"},
		{"filter _x = 1", "_x"},
	} {
		_, err := Parse(c.src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *ParseError", c.src, err)
			continue
		}
		want := strings.Index(c.src, c.at)
		if pe.Pos != want || !strings.Contains(pe.Msg, "requires in backticks") || !strings.Contains(pe.Msg, "write `") {
			t.Errorf("Parse(%q) = offset %d %q; want offset %d asking for backticks", c.src, pe.Pos, pe.Msg, want)
		}
	}
	// Function names keep their underscore: count_distinct is no field.
	mustParse(t, "stats count_distinct(a) as n")
}

func TestParseBacktickErrors(t *testing.T) {
	for _, c := range []struct{ src, at, msg string }{
		{"filter `a.b-c = 1", "`a.b", "unterminated backtick"},
		{"stats count(*) by `x", "`x", "unterminated backtick"},
		{"fields `a``b`", "`b`", "cannot hold a backtick"},
		{"fields ``", "``", "empty backtick"},
		{"fields @`x", "`x", "unterminated backtick"},
	} {
		_, err := Parse(c.src)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want a *ParseError", c.src, err)
			continue
		}
		if want := strings.Index(c.src, c.at); pe.Pos != want || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("Parse(%q) = offset %d %q; want offset %d containing %q", c.src, pe.Pos, pe.Msg, want, c.msg)
		}
	}
}

// FuzzFieldRef checks that FieldRef either refuses a name or writes a
// reference that parses back to exactly that field.
func FuzzFieldRef(f *testing.F) {
	for _, s := range []string{"eventName", "a.client_id.0", "foo-bar", "x[y]", "a`b", "", "by", "a\nb", "0a", "a..b", "@`x", "é_1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ref, err := FieldRef(name)
		if err != nil {
			if name != "" && utf8.ValidString(name) && !strings.ContainsAny(name, "`") && !strings.ContainsFunc(name, unicode.IsControl) {
				t.Fatalf("FieldRef(%q) refused a writable name: %v", name, err)
			}
			return
		}
		q, err := Parse("fields " + ref)
		if err != nil {
			t.Fatalf("FieldRef(%q) = %q, which does not parse: %v", name, ref, err)
		}
		if got := q.Fields(); !slices.Equal(got, []string{name}) {
			t.Fatalf("FieldRef(%q) = %q, which reads back as %q", name, ref, got)
		}
	})
}
