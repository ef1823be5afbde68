package checks_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/checks"
	"github.com/google/go-cmp/cmp"
)

// detTokens returns n client_credentials requests of client spread over an
// hour from detT0.
func detTokens(client cognitomon.ClientID, n int) []cognitomon.Event {
	var out []cognitomon.Event
	for i := range n {
		out = append(out, cognitomon.Event{EventID: fmt.Sprintf("%s-%d", client, i), Time: detT0.Add(time.Hour * time.Duration(i) / time.Duration(n)),
			Name: "Token_POST", Type: cognitomon.EventTypeServiceEvent, GrantType: "client_credentials", ClientID: client, SourceIP: "192.0.2.1", HTTPStatus: 200})
	}
	return out
}

// TestTokenCachingLifetimes: each client's threshold follows its
// access-token lifetime, the default hour where none was read.
func TestTokenCachingLifetimes(t *testing.T) {
	var evs []cognitomon.Event
	evs = append(evs, detTokens("short", 100)...)   // 5-minute tokens: 720 an hour allowed
	evs = append(evs, detTokens("long", 10)...)     // 1-day tokens: 3 an hour allowed
	evs = append(evs, detTokens("unknown", 100)...) // the default hour: 60
	evs = append(evs, detTokens("calm", 30)...)     // the default hour, under 60
	var rule cognitomon.Check
	for _, c := range checks.Builtins(func(o *checks.BuiltinOptions) {
		o.AccessTokenLifetimes = map[cognitomon.ClientID]time.Duration{"short": 5 * time.Minute, "long": 24 * time.Hour}
	}) {
		if c.Name() == "m2m-token-per-call" {
			rule = c
		}
	}
	sortByTime(evs)
	det := detDetect(t, evs, cognitomon.DetectLimits{}, rule)
	var got []string
	for _, f := range det.Findings {
		got = append(got, fmt.Sprintf("%s %v/%v %s", f.Subject.Client, f.Evidence.Value, f.Evidence.Threshold, strings.Join(f.Evidence.Notes, "; ")))
	}
	want := []string{
		"long 10/3 access-token lifetime 24h (the client's configuration): a client that caches needs about one token per instance every 24h",
		"unknown 100/60 access-token lifetime 1h (Cognito's default, FACTS.md 6.2; the client's configuration was not read): a client that caches needs about one token per instance every 1h",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings mismatch (-want +got):\n%s", diff)
	}
}

func sortByTime(evs []cognitomon.Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Time.Before(evs[j-1].Time); j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
