package insightsql

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func fuzzEvents() []Event {
	return []Event{
		rawEv(0, "s1", `{"eventSource":"cognito-idp.amazonaws.com","eventName":"Token_POST","errorCode":"",
			"additionalEventData":{"requestParameters":{"client_id":["c1"],"grant_type":["refresh_token"]},
			"responseParameters":{"status":400.0}},"a":1,"b":"2","c":[1,{"d":null}]}`),
		rawEv(time.Minute, "s2", `{"eventName":"InitiateAuth","errorCode":"NotAuthorizedException",
			"requestParameters":{"authFlow":"REFRESH_TOKEN_AUTH"},"a":"x","b":-3.5}`),
		rawEv(2*time.Minute, "s1", `plain text 123`),
		rawEv(3*time.Minute, "s3", `{"broken":`),
		rawEv(-time.Hour, "s3", `{"a":"","b":"  "}`),
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		qTokenRequests, qRefreshFailures, qFailCount, qEndpointRefresh,
		`fields a, b as c | filter c like /x(?i)y/ or not ispresent(a) | sort c desc | limit 3`,
		`stats count(*) as n, avg(b) by a, bin(1h) as t | filter n > 0 | stats max(n) by a | display a`,
		`filter a in [1, "2", -3.5] and b not in ['x'] and -a * 2 / b + 1 >= 0 | display @message, @ptr`,
		"filter `a b` =~ \"q\" # c\n| stats count_distinct(a)",
		`stats count(*) by bin(5m) | sort @timestamp`,
		`filter a = 'it\'s'`,
		`parse x`,
		`filter (((a = 1)))`,
		"filter `a.b-c` = 1 and `x_y.0` in [\"q\"] | stats count(*) as n by `a.b-c` | sort n desc",
		"filter a_b = 1",
		"filter `unterminated = 1",
		"fields `a``b`",
		"stats count(*) as n_1 by @`aws.tag.x:y`",
	} {
		f.Add(s)
	}
	evs := fuzzEvents()
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not *ParseError", err)
			}
			if pe.Pos < 0 || pe.Pos > len(src) {
				t.Fatalf("offset %d outside [0, %d]", pe.Pos, len(src))
			}
			if q != nil {
				t.Fatal("non-nil query with an error")
			}
			return
		}
		names := q.Fields()
		if len(names) == 0 {
			t.Fatal("no output fields")
		}
		for round := 0; round < 2; round++ {
			res, err := q.Run(slices.Values(evs))
			if err != nil {
				t.Fatal(err)
			}
			if res.RecordsScanned != int64(len(evs)) || res.RecordsMatched > res.RecordsScanned {
				t.Fatalf("counters %+v", res)
			}
			for _, row := range res.Rows {
				// Columns appear in Fields() order, each at most once.
				i := 0
				for _, fld := range row {
					for i < len(names) && names[i] != fld.Name {
						i++
					}
					if i == len(names) {
						t.Fatalf("row %v does not follow Fields() %q", row, names)
					}
					i++
				}
			}
		}
	})
}

// refFlatten flattens a JSON object with encoding/json's tokenizer, as a
// reference for the extractor: scalar leaves by dotted path, last value wins,
// a container or null at a path makes it missing.
func refFlatten(data []byte) (map[string]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	out := map[string]string{}
	var walk func(path string, root bool, tok json.Token) error
	walk = func(path string, root bool, tok json.Token) error {
		switch v := tok.(type) {
		case json.Delim:
			delete(out, path)
			if v == '{' {
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return err
					}
					k := kt.(string)
					p := k
					if !root {
						p = path + "." + k
					}
					vt, err := dec.Token()
					if err != nil {
						return err
					}
					if err := walk(p, false, vt); err != nil {
						return err
					}
				}
			} else {
				for i := 0; dec.More(); i++ {
					vt, err := dec.Token()
					if err != nil {
						return err
					}
					p := path + "." + strconv.Itoa(i) // arrays are never the root here
					if err := walk(p, false, vt); err != nil {
						return err
					}
				}
			}
			_, err := dec.Token() // closing delimiter
			return err
		case string:
			out[path] = v
		case json.Number:
			s := string(v)
			// Numbers beyond float64 keep their text.
			if f, err := strconv.ParseFloat(s, 64); err == nil && strings.ContainsAny(s, ".eE") {
				s = string(appendNum(nil, f))
			}
			out[path] = s
		case bool:
			out[path] = strconv.FormatBool(v)
		case nil:
			delete(out, path)
		}
		return nil
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, false
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, false
	}
	if err := walk("", true, tok); err != nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return out, true
}

// FuzzExtract checks the single-pass extractor against encoding/json on
// arbitrary input: the same documents are accepted, and every flattened
// field has the same value.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		`{"a":{"b":[1,2.50,{"c":"d"}]},"e":true,"f":null,"g":"\u00e9\n"}`,
		`{"a.b":"x","a":{"c":"y"}}`,
		`{"d":1,"d":{"x":2},"d":"z"}`,
		` {"n":-0.0e-3} `,
		`{"s":"\ud800\udc00\ud800"}`,
		`[1]`, `{`, `{"a":01}`, `{"a":"b"}x`, `"x"`, `{"k":"\x01"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !utf8.Valid(data) {
			return // encoding/json rewrites invalid UTF-8; the extractor keeps the bytes
		}
		ref, refOK := refFlatten(data)
		wantOK := refOK && json.Valid(data)
		root := newPathNode()
		paths := make([]string, 0, len(ref))
		for p := range ref {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		// Also ask for a path that is never a leaf.
		paths = append(paths, "zz.missing")
		slots := make([]int, len(paths))
		for i, p := range paths {
			root.insert(p).slot = i
			slots[i] = i
		}
		// Distinct referenced paths can collide in the trie when keys hold
		// dots ("a.b" and a/b): the reference keeps both, the trie one node.
		seen := map[*pathNode]bool{}
		for _, p := range paths {
			n := root.insert(p)
			if seen[n] {
				return
			}
			seen[n] = true
		}
		vals := make([]val, len(paths))
		x := extractor{root: root, vals: vals, bufs: make([][]byte, len(paths))}
		ok := x.extract(data, slots)
		if ok != wantOK {
			t.Fatalf("extract ok = %v, encoding/json ok = %v for %q", ok, wantOK, data)
		}
		if !ok {
			return
		}
		for i, p := range paths {
			want, present := ref[p]
			got := vals[i]
			if got.missing() == present || (present && string(got.text(nil)) != want) {
				t.Fatalf("%q: field %q = %v (missing %v), want %q (present %v)", data, p, got.String(), got.missing(), want, present)
			}
		}
	})
}
