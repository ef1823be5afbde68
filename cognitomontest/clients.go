package cognitomontest

import (
	"slices"

	"github.com/cognitomon/cognitomon"
)

// TrafficClients returns the app clients that the pool's recorded attempts
// and requests name, sorted, without the pseudo-clients: what a test passes
// as cognitomon.Scope.Clients so that API events, which name only their app
// client, are attributed to the pool.
func (p *Pool) TrafficClients() []cognitomon.ClientID {
	p.mu.RLock()
	defer p.mu.RUnlock()
	seen := map[cognitomon.ClientID]bool{}
	for _, a := range p.attempts {
		seen[a.Client] = true
	}
	for _, r := range p.requests {
		seen[r.Client] = true
	}
	var out []cognitomon.ClientID
	for c := range seen {
		if c != "" && !c.IsPseudo() {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}
