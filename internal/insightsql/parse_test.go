package insightsql

import (
	"errors"
	"strings"
	"testing"
)

func TestParseFields(t *testing.T) {
	cases := []struct {
		src  string
		want string // Fields() joined with " | "
	}{
		{`filter a = 1`, "@timestamp | @message"},
		{`fields a, b.c as x, @logStream`, "a | x | @logStream"},
		{"fields `a-b`, @`aws.tag.x:y`", "a-b | @aws.tag.x:y"},
		{`fields a, b | display b`, "b"},
		{`display a | display b, c`, "b | c"},
		{`stats count(*)`, "count(*)"},
		{`STATS COUNT(*), Count_Distinct(x), sum(y), AVG(y), min(y), max(y)`, "count(*) | count_distinct(x) | sum(y) | avg(y) | min(y) | max(y)"},
		{`stats count( * ) by bin(5m)`, "bin(5m) | count(*)"},
		{`stats count(*) BY BIN(1h) AS @t`, "@t | count(*)"},
		{`stats count(*) as n by a, b as bee`, "a | bee | n"},
		{"stats count(`a-b`) by `c d`", "c d | count(`a-b`)"},
		{`stats count(*) as n by a | stats avg(n) as m`, "m"},
		{`stats count(*) as n by a, bin(30s) as t | stats max(n) by t | sort t`, "t | max(n)"},
		{`stats count(*) as n by a | display n`, "n"},
		{`fields x as y | stats count(*) by y`, "y | count(*)"},
		{`filter a = 1 | sort b desc | limit 5`, "@timestamp | @message"},
		{"\n  filter a = 1 # comment | not a command\n | limit 10000", "@timestamp | @message"},
		{`stats count(*) by bin(1d), bin(1min), bin(2hr), bin(10s), bin(1h)`, "bin(1d) | bin(1min) | bin(2hr) | bin(10s) | bin(1h) | count(*)"},
		{`sort a asc, b desc, c`, "@timestamp | @message"},
		{`limit 100000`, "@timestamp | @message"},
		{`filter fields = 1 and stats = 2 | fields filter`, "filter"},
	}
	for _, c := range cases {
		q, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if got := strings.Join(q.Fields(), " | "); got != c.want {
			t.Errorf("Parse(%q).Fields() = %q, want %q", c.src, got, c.want)
		}
		if q.String() != c.src {
			t.Errorf("String() = %q", q.String())
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src string
		at  string // the error is at the first occurrence of at; "" means end of input
		msg string // substring of the message
	}{
		{``, "", "empty query"},
		{`  # only a comment`, "", "empty query"},
		{`parse @message "user=*" as user`, "parse", `command "parse" is not supported`},
		{`filter a = 1 | dedup a`, "dedup", "not supported"},
		{`filter a = 1 | unmask @message`, "unmask", "not supported"},
		{`SOURCE "lg" | filter a = 1`, "SOURCE", "not supported"},
		{`filter a = 1 |`, "", "expected a command after '|'"},
		{`filter a = 1 | | limit 1`, "| limit", "expected a command"},
		{`stats count(*) | stats count(*) | stats count(*)`, "stats count(*)\x00", "at most 2 stats"},
		{`sort a | stats count(*)`, "stats", "sort and limit must come after the last stats"},
		{`stats count(*) as n by x | limit 5 | stats sum(n)`, "stats sum", "sort and limit must come after"},
		{`display a | stats count(*)`, "stats", "display must come after"},
		{`stats count(*) as c by bin(5m) | sort @timestamp desc`, "@timestamp", `"@timestamp" is not available after stats`},
		{`stats count(*) as c by x | stats sum(y)`, "y)", `"y" is not available after stats`},
		{`stats count(*) as c by x | filter d > 1`, "d >", `"d" is not available`},
		{`stats count(*) as c by x | display x, y`, "y\x00", "not available"},
		{`stats count(*) as c by x | stats count(*) by bin(5m)`, "bin(5m)", "not available in a second stats"},
		{`filter foo(a)`, "foo", "unknown function foo()"},
		{`filter strlen(a) > 1`, "strlen", "not supported"},
		{`filter count(*) > 1`, "count", "only allowed in stats"},
		{`filter bin(5m) = 1`, "bin", "only allowed after by"},
		{`filter a = `, "", "expected a value, found end of query"},
		{`filter a = "x`, `"x`, "unterminated string"},
		{`filter a = 'x\n'`, `\n`, "unsupported escape"},
		{"filter a = `x", "`x", "unterminated backtick"},
		{"fields ``", "``", "empty backtick"},
		{`filter a like /(?<=x)y/`, "/", "not supported"},
		{`filter a like /(a)\1/`, "/", "RE2"},
		{`filter a like /x/i`, "i\x00", "flags"},
		{`filter a like /unterminated`, "/", "unterminated regular expression"},
		{`filter a like 5`, "5", `expected a "substring" or /regex/`},
		{`filter a not = 1`, "=", "expected in or like after not"},
		{`filter a`, "a", "expected a condition"},
		{`filter a = 1 and b`, "b", "expected a condition"},
		{`filter not a`, "a", "expected a condition"},
		{`filter (a = 1) + 2 = 3`, "= 1", "expected a value, found a condition"},
		{`filter a == 1`, "= 1", "expected a value"},
		{`filter a <> 1`, "> 1", "expected a value"},
		{`filter a % 2 = 0`, "%", `operator "%" is not supported`},
		{`filter a ^ 2 = 0`, "^", "not supported"},
		{`filter a ! b`, "!", "unexpected '!'"},
		{`filter a && b`, "&", "unexpected character"},
		{`filter a = 1 extra`, "extra", "unexpected"},
		{`filter a = true`, "true", "bare true"},
		{`filter a = NULL`, "NULL", "bare NULL"},
		{`filter a + "1" = 2`, `"1"`, "arithmetic needs numbers"},
		{`filter a in []`, "]", "expected a value"},
		{`filter a in [b]`, "b]", "only string and number literals"},
		{`filter a in ["x" "y"]`, `"y"`, "expected ',' or ']'"},
		{`filter a in "x"`, `"x"`, `expected "["`},
		{`filter ispresent(a + 1)`, "+", `expected ")"`},
		{`filter ispresent("a")`, `"a"`, "expected a field name"},
		{`filter @timestamp > 5`, "@timestamp", "timestamps"},
		{`stats count(*) by bin(5m) as t | filter t > 0`, "t >", "timestamps"},
		{`filter @ingestionTime > 1`, "@ingestionTime", "not available in this evaluator"},
		{`filter 5m = 1`, "5m", "durations are only valid inside bin()"},
		{`filter and = 1`, "and", "unexpected keyword"},
		{`filter a.b. = 1`, "a.b.", "malformed field name"},
		{`filter a..b = 1`, "a..b", "malformed field name"},
		{`fields a + 1`, "+", "expressions in fields are not supported"},
		{`fields abs(a)`, "abs", "functions are not supported here"},
		{`fields a | fields b`, "fields b", "only one fields command"},
		{`stats count(*) | fields a`, "fields", "fields after stats"},
		{`fields a as`, "", "expected an alias"},
		{`fields a as by`, "by", "expected an alias"},
		{`fields a, a`, "a\x00", "duplicate output field"},
		{`display a as b`, "as", "display does not take aliases"},
		{`stats pct(a, 50)`, "pct", "not supported as a stats aggregate"},
		{`stats stddev(a)`, "stddev", "not supported"},
		{`stats median(a)`, "median", "unknown aggregate"},
		{`stats isempty(a)`, "isempty", "not supported as a stats aggregate"},
		{`stats bin(5m)`, "bin", "only be used after by"},
		{`stats a`, "a\x00", "expected an aggregate function"},
		{`stats count()`, ")", "needs a field name"},
		{`stats sum(*)`, "*", "only count accepts *"},
		{`stats sum(a + b)`, "+", "expected ')'"},
		{`stats sum(@timestamp)`, "@timestamp", "of a timestamp"},
		{`stats count(*) as n, count(*) as n`, "n\x00", "duplicate output field"},
		{`stats count(*) by a, a`, "a\x00", "duplicate output field"},
		{`stats count(*) by bin(5w)`, "w", `unit "w" is not supported`},
		{`stats count(*) by bin(5ms)`, "ms", "not supported"},
		{`stats count(*) by bin(5M)`, "M", "not supported"},
		{`stats count(*) by bin(5 m)`, "m)", "directly after the number"},
		{`stats count(*) by bin(1.5h)`, "1.5", "whole number"},
		{`stats count(*) by bin(0m)`, "0m", "between 1 and"},
		{`stats count(*) by bin(5m`, "", `expected ")"`},
		{`stats count(*) by abs(a)`, "abs", "only field names and bin()"},
		{`stats count(*) by 5`, "5", "expected a field name or bin()"},
		{`stats count(*) foo`, "foo", "expected ',', by or '|'"},
		{`stats count(*) by`, "", "expected a field name or bin()"},
		{`sort a | sort b`, "sort b", "only one sort"},
		{`limit 5 | sort a`, "sort", "sort after limit"},
		{`limit 5 | filter a = 1`, "filter", "filter after limit"},
		{`limit 5 | limit 6`, "limit 6", "only one limit"},
		{`limit 5 | fields a`, "fields", "fields after sort or limit"},
		{`sort a up`, "up", "expected asc, desc"},
		{`limit 0`, "0", "between 1 and 100000"},
		{`limit 100001`, "100001", "between 1 and 100000"},
		{`limit 1.5`, "1.5", "whole number"},
		{`limit n`, "n", "whole number"},
		{"filter a = \xff", "\xff", "invalid UTF-8"},
		{`filter a = 1 ;`, ";", "unexpected character"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", c.src, c.msg)
			continue
		}
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) error %T is not *ParseError", c.src, err)
			continue
		}
		want := len(c.src)
		if c.at != "" {
			at := c.at
			if strings.HasSuffix(at, "\x00") { // the last occurrence
				want = strings.LastIndex(c.src, strings.TrimSuffix(at, "\x00"))
			} else {
				want = strings.Index(c.src, at)
			}
			if want < 0 {
				t.Fatalf("bad test: %q not in %q", at, c.src)
			}
		}
		if pe.Pos != want || !strings.Contains(pe.Msg, c.msg) {
			t.Errorf("Parse(%q) = offset %d %q; want offset %d containing %q", c.src, pe.Pos, pe.Msg, want, c.msg)
		}
		if !strings.Contains(err.Error(), "offset") {
			t.Errorf("Error() = %q lacks the offset", err.Error())
		}
	}
}
