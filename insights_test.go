package cognitomon_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/insightsql"
)

// ---------------------------------------------------------------------------
// The catalogue as data: golden text, columns, parameters.

// scopedParams are parameters that exercise every parameter a query takes.
func scopedParams(q cognitomon.Query) cognitomon.QueryParams {
	var p cognitomon.QueryParams
	for _, param := range q.Params {
		switch param {
		case "user-pool":
			p.UserPool = "us-east-1_AbCdEf123"
		case "clients":
			p.Clients = []cognitomon.ClientID{"4k2webapp0example0client1", "7ios0mobile0example0client"}
		case "event-names":
			if q.EventNames != nil {
				p.EventNames = q.EventNames[:1]
			} else {
				p.EventNames = []string{"InitiateAuth", "login_POST"}
			}
		case "ips":
			p.IPs = []netip.Addr{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("2001:db8::7")}
		case "bin":
			p.Bin = time.Hour
		case "limit":
			p.Limit = 20
		}
	}
	return p
}

func TestQueryRenderRejects(t *testing.T) {
	signIns, _ := cognitomon.LookupQuery("failed-sign-ins")
	tokens, _ := cognitomon.LookupQuery("token-requests")
	risky, _ := cognitomon.LookupQuery("risky-sign-ins")
	ip := netip.MustParseAddr
	many := make([]cognitomon.ClientID, 400)
	for i := range many {
		many[i] = cognitomon.ClientID(fmt.Sprintf("client%030d", i))
	}
	for _, tt := range []struct {
		name string
		q    cognitomon.Query
		p    cognitomon.QueryParams
		also error
	}{
		{"bad pool", signIns, cognitomon.QueryParams{UserPool: `us-east-1_x" | stats`, Clients: []cognitomon.ClientID{"c1"}}, cognitomon.ErrInvalidUserPoolID},
		{"pool without clients", signIns, cognitomon.QueryParams{UserPool: "us-east-1_AbC"}, nil},
		{"bad client", signIns, cognitomon.QueryParams{Clients: []cognitomon.ClientID{`abc"def`}}, cognitomon.ErrInvalidClientID},
		{"pseudo client", signIns, cognitomon.QueryParams{Clients: []cognitomon.ClientID{cognitomon.InvalidClient}}, nil},
		{"unknown event", signIns, cognitomon.QueryParams{EventNames: []string{"Token"}}, nil},
		{"event the query does not read", signIns, cognitomon.QueryParams{EventNames: []string{"ForgotPassword"}}, nil},
		{"event with a quote", tokens, cognitomon.QueryParams{EventNames: []string{`Token_POST"`}}, nil},
		{"zero IP", signIns, cognitomon.QueryParams{IPs: []netip.Addr{{}}}, nil},
		{"IP with a zone", signIns, cognitomon.QueryParams{IPs: []netip.Addr{ip(`fe80::1%eth0"|x`)}}, nil},
		{"bin not taken", signIns, cognitomon.QueryParams{Bin: time.Minute}, nil},
		{"event names not taken", risky, cognitomon.QueryParams{EventNames: []string{"InitiateAuth"}}, nil},
		{"limit too big", signIns, cognitomon.QueryParams{Limit: 10001}, nil},
		{"negative limit", signIns, cognitomon.QueryParams{Limit: -1}, nil},
		{"too long", signIns, cognitomon.QueryParams{Clients: many}, nil},
		{"not from the catalogue", cognitomon.Query{Name: "mine"}, cognitomon.QueryParams{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, err := tt.q.Render(tt.p)
			if !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
				t.Fatalf("Render = %q, %v; want ErrInvalidQueryParam", text, err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("error %v does not wrap %v", err, tt.also)
			}
		})
	}
	refresh, _ := cognitomon.LookupQuery("refresh-failures")
	for _, bin := range []time.Duration{30 * time.Second, 90 * time.Second, 25 * time.Hour, -time.Minute} {
		if _, err := refresh.Render(cognitomon.QueryParams{Bin: bin}); !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
			t.Errorf("bin %s: %v, want ErrInvalidQueryParam", bin, err)
		}
	}
	for bin, want := range map[time.Duration]string{time.Minute: "bin(1m)", 90 * time.Minute: "bin(90m)", 3 * time.Hour: "bin(3h)", 24 * time.Hour: "bin(1d)"} {
		text, err := refresh.Render(cognitomon.QueryParams{Bin: bin})
		if err != nil || !strings.Contains(text, want) {
			t.Errorf("bin %s: %v, text lacks %s:\n%s", bin, err, want, text)
		}
	}
	// Duplicates are rendered once.
	text, err := signIns.Render(cognitomon.QueryParams{IPs: []netip.Addr{ip("192.0.2.1"), ip("192.0.2.1")}})
	if err != nil || strings.Count(text, "192.0.2.1") != 1 {
		t.Errorf("duplicate IPs: %v\n%s", err, text)
	}
}

// ---------------------------------------------------------------------------
// Parameter fuzzing: no input may add a command, a comment or an escape.

// lexCommands splits query text into its literals and its backtick-quoted
// field names, and counts the command separators outside them. A literal is
// "...", '...' or /.../; the catalogue writes no division, so every slash
// starts a regex.
func lexCommands(text string) (pipes int, literals, quoted []string, err error) {
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '"', '\'', '/', '`':
			j := strings.IndexByte(text[i+1:], c)
			if j < 0 {
				return 0, nil, nil, fmt.Errorf("unterminated %c at %d", c, i)
			}
			if c == '`' {
				quoted = append(quoted, text[i+1:i+1+j])
			} else {
				literals = append(literals, text[i+1:i+1+j])
			}
			i += j + 1
		case '|':
			pipes++
		case '#', '\\':
			return 0, nil, nil, fmt.Errorf("%q outside a literal at %d", c, i)
		}
	}
	return pipes, literals, quoted, nil
}

// quotedFields are the only field names a canned query writes in
// backticks: those with a _ (FACTS.md 5.2). Written out here, not taken
// from the catalogue.
var quotedFields = []string{
	"additionalEventData.requestParameters.client_id.0",
	"additionalEventData.requestParameters.grant_type.0",
	"additionalEventData.requestParameters.redirect_uri.0",
}

func FuzzQueryParams(f *testing.F) {
	f.Add("us-east-1_AbCdEf123", "4k2webapp0example0client1", "InitiateAuth", "203.0.113.7", int64(time.Hour), 20)
	f.Add(`us-east-1_x"|y`, `c" or 1=1 | stats`, `Token_POST"`, "fe80::1%a\"b", int64(90*time.Second), 0)
	f.Add("a_b", "x+y_z", "login_POST", "::ffff:192.0.2.1", int64(0), 10000)
	f.Add("", `\`, "Error_GET", "2001:db8::1", int64(-1), -5)
	f.Add("eu-west-1_Q", "c#d", "ForgotPassword", "1.2.3.4", int64(24*time.Hour), 1)
	f.Add("us-east-1_a`b", "c`|`d", "Token_POST`", "::1", int64(time.Minute), 5)
	f.Add("us-east-1_x\n| stats", "c\nd", "login_POST\n# x", "10.0.0.1", int64(5*time.Minute), 7)
	f.Add("us-east-1_x'y", "c'd", "verifyCode_POST", "192.0.2.1", int64(time.Hour), 3)
	catalog := cognitomon.Catalog()
	skeleton := map[string]int{}
	for _, q := range catalog {
		text, err := q.Render(cognitomon.QueryParams{})
		if err != nil {
			f.Fatal(err)
		}
		pipes, _, _, err := lexCommands(text)
		if err != nil {
			f.Fatal(err)
		}
		skeleton[q.Name] = pipes
	}
	f.Fuzz(func(t *testing.T, pool, client, event, ipText string, bin int64, limit int) {
		var ips []netip.Addr
		if a, err := netip.ParseAddr(ipText); err == nil {
			ips = []netip.Addr{a}
		}
		for _, q := range catalog {
			p := cognitomon.QueryParams{
				UserPool:   cognitomon.UserPoolID(pool),
				Clients:    []cognitomon.ClientID{cognitomon.ClientID(client)},
				EventNames: []string{event},
				IPs:        ips,
				Bin:        time.Duration(bin),
				Limit:      limit,
			}
			// Drop what the query does not take, so that most inputs
			// reach the validators.
			if !slices.Contains(q.Params, "event-names") {
				p.EventNames = nil
			}
			if !slices.Contains(q.Params, "bin") {
				p.Bin = 0
			}
			text, err := q.Render(p)
			if err != nil {
				if !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
					t.Fatalf("%s: error %v does not wrap ErrInvalidQueryParam", q.Name, err)
				}
				continue
			}
			pipes, lits, quoted, err := lexCommands(text)
			if err != nil {
				t.Fatalf("%s: %v\n%s", q.Name, err, text)
			}
			for _, name := range quoted {
				if !slices.Contains(quotedFields, name) {
					t.Fatalf("%s: backticks around %q, which is no field of the catalogue's\n%s", q.Name, name, text)
				}
			}
			if pipes != skeleton[q.Name] {
				t.Fatalf("%s: %d commands, the template has %d\n%s", q.Name, pipes+1, skeleton[q.Name]+1, text)
			}
			for _, l := range lits {
				if strings.ContainsAny(l, "\"'\\`\n\r") {
					t.Fatalf("%s: literal %q holds a quote, backslash or newline", q.Name, l)
				}
			}
			if _, err := insightsql.Parse(text); err != nil {
				t.Fatalf("%s: rendered text does not parse: %v\n%s", q.Name, err, text)
			}
		}
	})
}

// ---------------------------------------------------------------------------
// Examples.

func ExampleQuery_Render() {
	q, _ := cognitomon.LookupQuery("user-enumeration")
	text, err := q.Render(cognitomon.QueryParams{
		Clients: []cognitomon.ClientID{"4k2webapp0example0client1"},
		Limit:   10,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(text)
	// Output:
	// filter eventSource = "cognito-idp.amazonaws.com" and errorCode = "UserNotFoundException" and (requestParameters.clientId in ["4k2webapp0example0client1"] or `additionalEventData.requestParameters.client_id.0` in ["4k2webapp0example0client1"])
	// | stats count(*) as userNotFound by sourceIPAddress
	// | sort userNotFound desc
	// | limit 10
}

// TestQueryRenderHostileValues checks that no parameter value can carry a
// quote, backtick, newline, pipe, comment, backslash or slash into the
// text: every such value is refused with ErrInvalidQueryParam, by every
// query that takes the parameter.
func TestQueryRenderHostileValues(t *testing.T) {
	hostile := []string{
		`"`, `'`, "`", "\n", "\r", "|", "#", `\`, "/", " ", "\t", "\x00", "[", "]", "(", ")", ",", "=",
		`x" or eventName = "y`, "x` | fields `@message", "x\n| stats count(*)", "x | limit 1", "x # hidden", `x\"`, "x/", "é",
	}
	for _, q := range cognitomon.Catalog() {
		for _, h := range hostile {
			var cases []cognitomon.QueryParams
			if slices.Contains(q.Params, "user-pool") {
				cases = append(cases,
					cognitomon.QueryParams{UserPool: cognitomon.UserPoolID("us-east-1_Ab" + h), Clients: []cognitomon.ClientID{"c1"}},
					cognitomon.QueryParams{UserPool: cognitomon.UserPoolID(h + "us-east-1_Ab"), Clients: []cognitomon.ClientID{"c1"}})
			}
			if slices.Contains(q.Params, "clients") {
				cases = append(cases, cognitomon.QueryParams{Clients: []cognitomon.ClientID{"c1", cognitomon.ClientID("c2" + h)}})
			}
			if slices.Contains(q.Params, "event-names") {
				cases = append(cases, cognitomon.QueryParams{EventNames: []string{"Token_POST" + h}}, cognitomon.QueryParams{EventNames: []string{h}})
			}
			for _, p := range cases {
				text, err := q.Render(p)
				if !errors.Is(err, cognitomon.ErrInvalidQueryParam) {
					t.Errorf("%s: Render(%+v) = %q, %v; want ErrInvalidQueryParam", q.Name, p, text, err)
				}
				if text != "" {
					t.Errorf("%s: Render returned text with its error", q.Name)
				}
			}
		}
	}
	// A zone is the one free text a netip.Addr holds.
	q, _ := cognitomon.LookupQuery("top-failing-ips")
	for _, zone := range []string{`eth0"|x`, "a`b", "a\nb"} {
		ip := netip.MustParseAddr("fe80::1").WithZone(zone)
		if text, err := q.Render(cognitomon.QueryParams{IPs: []netip.Addr{ip}}); !errors.Is(err, cognitomon.ErrInvalidQueryParam) || strings.Contains(err.Error(), "\n") {
			t.Errorf("zone %q: Render = %q, %v; want ErrInvalidQueryParam on one line", zone, text, err)
		}
	}
}
