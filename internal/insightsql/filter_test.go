package insightsql

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// opEvents is a small event set whose @logStream names each event.
func opEvents(t testing.TB) []Event {
	return []Event{
		rawEv(1*time.Second, "e1", `{"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth",
			"errorCode":"NotAuthorizedException","n":5,"s":"10","status":200.0,"tags":["a","b"],
			"obj":{"x":{"y":"deep"}},"blank":"  ","empty":"","b":true,"nul":null,"msg":"Hello World",
			"requestParameters":{"requiredAttributes[email]":["HIDDEN"]},"neg":-2.5}`),
		rawEv(2*time.Second, "e2", `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST",
			"errorCode":"","n":15,"s":"9","status":400,"msg":"hello world","neg":-3,"path":"/oauth2/token"}`),
		rawEv(3*time.Second, "e3", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","n":"abc","s":"x","status":"500"}`),
		rawEv(4*time.Second, "e4", `not json at all id=e4`),
	}
}

func TestFilterOperators(t *testing.T) {
	evs := opEvents(t)
	cases := []struct {
		filter string
		want   string // matching streams, comma-separated, sorted
	}{
		{`eventName = "InitiateAuth"`, "e1"},
		{`eventName != "InitiateAuth"`, "e2,e3"}, // e4 has no eventName: != is false
		{`"InitiateAuth" = eventName`, "e1"},
		{`eventSource = 'cognito-idp.amazonaws.com'`, "e1,e2"},
		{"`eventName` = \"Token_POST\"", "e2"},
		{`n > 10`, "e2"}, // "abc" is not a number: never >
		{`n >= 5`, "e1,e2"},
		{`n < 15`, "e1"},
		{`n <= 15`, "e1,e2"},
		{`n = 5`, "e1"},
		{`n != 5`, "e2,e3"}, // "abc" != 5 by text
		{`n = "abc"`, "e3"},
		{`s > 9`, "e1"},   // numeric: "10" > 9
		{`s > "9"`, "e3"}, // byte-wise: "10" < "9" < "x"
		{`s < 9.5`, "e2"}, // numeric
		{`s >= "10"`, "e1,e2,e3"},
		{`status = 200`, "e1"},   // 200.0 is 200
		{`status = "200"`, "e1"}, // number against a numeric string
		{`status >= 400`, "e2,e3"},
		{`status like "20"`, "e1"}, // rendered text "200"
		{`neg < -2`, "e1,e2"},
		{`neg = -2.5`, "e1"},
		{`eventName in ["InitiateAuth","AssumeRole"]`, "e1,e3"},
		{`eventName not in ["InitiateAuth"]`, "e2,e3"},
		{`eventName IN ['Token_POST']`, "e2"},
		{`n in [5, 15]`, "e1,e2"},
		{`n in ["5"]`, "e1"},
		{`msg like "World"`, "e1"},
		{`msg like /(?i)world/`, "e1,e2"},
		{`msg LIKE /World$/`, "e1"},
		{`msg =~ /^hello/`, "e2"},
		{`path like /^\/oauth2\/token$/`, "e2"},
		{`path like "/oauth2/"`, "e2"},
		{`path =~ /(?i)^\/OAUTH2/`, "e2"},
		{`eventName like /^(Initiate|Assume)/`, "e1,e3"},
		{`msg =~ "llo"`, "e1,e2"},
		{`msg not like "World"`, "e2"},
		{`msg not like /o/`, ""},
		{`not msg like "World"`, "e2,e3,e4"},
		{`@message like "id=e4"`, "e4"},
		{`@message like /"n":15/`, "e2"},
		{`@logStream = "e3"`, "e3"},
		{`@log = "cloudtrail"`, "e1,e2,e3,e4"},
		{`ispresent(errorCode)`, "e1,e2"},
		{`isempty(errorCode)`, "e2,e3,e4"},
		{`not isempty(errorCode)`, "e1"},
		{`errorCode != ""`, "e1"},
		{`isblank(blank)`, "e1,e2,e3,e4"},
		{`isempty(blank)`, "e2,e3,e4"},
		{`isempty(empty)`, "e1,e2,e3,e4"},
		{`ispresent(empty)`, "e1"},
		{`ispresent(nul)`, ""},   // JSON null is missing
		{`ispresent(obj.x)`, ""}, // objects are not fields
		{`ispresent(tags)`, ""},  // nor arrays
		{`obj.x.y = "deep"`, "e1"},
		{`tags.0 = "a" and tags.1 = "b"`, "e1"},
		{`ispresent(tags.2)`, ""},
		{"`requestParameters.requiredAttributes[email].0` = \"HIDDEN\"", "e1"},
		{`b = "true"`, "e1"},
		{`n * 2 = 30`, "e2"},
		{`n + 1 > 10 and n - 1 < 20`, "e2"},
		{`n / 5 = 1`, "e1"},
		{`n / 0 = 1 or n / 0 != 1`, ""}, // division by zero is missing
		{`-n < -10`, "e2"},
		{`n - -5 = 10`, "e1"},
		{`2 * 3 + 4 = 10 and 2 + 3 * 4 = 14`, "e1,e2,e3,e4"},
		{`(2 + 3) * 4 = 20`, "e1,e2,e3,e4"},
		{`n = 5 or eventName = "AssumeRole"`, "e1,e3"},
		{`n = 5 or n = 15 and eventName = "AssumeRole"`, "e1"}, // and binds tighter
		{`(n = 5 or n = 15) and eventName = "Token_POST"`, "e2"},
		{`not (eventName = "InitiateAuth")`, "e2,e3,e4"},
		{`not not ispresent(n)`, "e1,e2,e3"},
		{`NOT isempty(errorCode) AND n > 1 OR eventName = "AssumeRole"`, "e1,e3"},
		{"eventName = \"InitiateAuth\" # trailing comment | display eventName\n", "e1"},
		{"# leading comment\n  eventName = \"Token_POST\" # x\n or n = 5", "e1,e2"},
	}
	for _, c := range cases {
		src := "filter " + c.filter + " | display @logStream"
		res := run(t, src, evs)
		var got []string
		for _, r := range res.Rows {
			got = append(got, r[0].Value)
		}
		slices.Sort(got)
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("filter %s: got %q, want %q", c.filter, g, c.want)
		}
		if int(res.RecordsMatched) != len(got) {
			t.Errorf("filter %s: RecordsMatched %d, rows %d", c.filter, res.RecordsMatched, len(got))
		}
	}
}

func TestSeveralFilters(t *testing.T) {
	src := `filter ispresent(n) | filter n > 1 | display @logStream | filter eventSource like "cognito"`
	res := run(t, src, opEvents(t))
	checkRows(t, src, res.Rows, []string{"@logStream=e2", "@logStream=e1"})
}

func TestFlattening(t *testing.T) {
	cases := []struct {
		msg   string
		field string
		want  string // "<missing>" when absent
	}{
		{`{"a":{"b":{"c":"x"}}}`, "a.b.c", "x"},
		{`{"a.b":"dotted"}`, "a.b", "dotted"},
		{`{"a":{"b.c":"mixed"}}`, "a.b.c", "mixed"},
		{`{"a":[["p","q"],["r"]]}`, "a.1.0", "r"},
		{`{"a":[{"id":"first"},{"id":"second"}]}`, "a.1.id", "second"},
		{`{"a":{"0":"key zero"}}`, "a.0", "key zero"},
		{`{"k":"a\"b\\c\u00e9\n"}`, "k", "a\"b\\cé\n"},
		{`{"k\u0065y":"escaped key"}`, "key", "escaped key"},
		{`{"k":"\ud83d\ude00"}`, "k", "😀"},
		{`{"k":"\ud83d"}`, "k", "\uFFFD"},
		{`{"n":1e3}`, "n", "1000"},
		{`{"n":200.0}`, "n", "200"},
		{`{"n":-0.5}`, "n", "-0.5"},
		{`{"n":12345678901234567890}`, "n", "12345678901234567890"},
		{`{"n":1.5e300}`, "n", "1.5e+300"},
		{`{"n":0.0000001}`, "n", "1e-07"},
		{`{"t":true,"f":false}`, "f", "false"},
		{`{"z":null}`, "z", "<missing>"},
		{`{"o":{}}`, "o", "<missing>"},
		{`{"a":[]}`, "a", "<missing>"},
		{`{"d":"first","d":"last"}`, "d", "last"},
		{`{"d":{"x":1},"d":"scalar"}`, "d", "scalar"},
		{`{"d":"scalar","d":{"x":1}}`, "d", "<missing>"},
		{` 	{"ws" : "ok" }  ` + "\n", "ws", "ok"},
		{`{"a":"b"} trailing`, "a", "<missing>"}, // invalid JSON: no fields
		{`{"a":"b"`, "a", "<missing>"},
		{`{"a":"b","x":01}`, "a", "<missing>"},
		{`{"a":"b","x":"ctl` + "\x01" + `"}`, "a", "<missing>"},
		{`{"a":"b","x":"\q"}`, "a", "<missing>"},
		{`[{"a":"b"}]`, "0.a", "<missing>"}, // top-level arrays are not records
		{`a=b`, "a", "<missing>"},
		{``, "a", "<missing>"},
		{`{"a":"b"}`, "a.", "<parse error>"},
		{`{"userIdentity":{"type":"Unknown"}}`, "userIdentity.type", "Unknown"},
	}
	for _, c := range cases {
		src := "fields `" + c.field + "`"
		if c.want == "<parse error>" {
			src = "fields " + c.field
			if _, err := Parse(src); err == nil {
				t.Errorf("Parse(%q) succeeded", src)
			}
			continue
		}
		res := run(t, src, []Event{rawEv(0, "s", c.msg)})
		got := "<missing>"
		if len(res.Rows) != 1 {
			t.Fatalf("%s: %d rows", c.msg, len(res.Rows))
		}
		if len(res.Rows[0]) == 1 {
			got = res.Rows[0][0].Value
		}
		if got != c.want {
			t.Errorf("%s over %s: got %q, want %q", src, c.msg, got, c.want)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	res := run(t, "fields a.a", []Event{rawEv(0, "s", deep)})
	if len(res.Rows) != 1 || len(res.Rows[0]) != 0 {
		t.Errorf("too-deep JSON should yield no fields, got %v", res.Rows)
	}
	ok := strings.Repeat(`{"a":`, 3) + `"v"` + strings.Repeat("}", 3)
	res = run(t, "fields a.a.a", []Event{rawEv(0, "s", ok)})
	checkRows(t, "fields a.a.a", res.Rows, []string{"a.a.a=v"})
}
