package cognitomon

import (
	"fmt"
	"hash/fnv"
	"slices"
)

// clientGroup is one alarm's share of the clients: the clients whose hashes
// start with the bits of suffix.
type clientGroup struct {
	// suffix is "" when one alarm holds every client, else the binary
	// digits of the hash prefix that the group's clients share.
	suffix  string
	clients []ClientID
}

// clientHash is the stable hash that places a client in a group: the 64-bit
// FNV-1a hash of its ID, which depends on nothing but the ID.
func clientHash(c ClientID) uint64 {
	h := fnv.New64a()
	h.Write([]byte(c))
	return h.Sum64()
}

// groupClients splits clients into groups of at most per, such that adding a
// client changes only the group it joins. The rule: all clients form one
// group while they fit; a group that does not fit splits in two by the next
// bit of its clients' hashes (the most significant first), recursively, and
// empty halves are dropped. A group is thus named by the hash bits its
// clients share, and whether it exists depends only on the clients under
// its own prefix and its parent's. A new client changes the counts only
// along its own hash's path, so every group off that path keeps exactly its
// clients; the group it lands in gains it, or splits. Clients within a group
// are sorted. clients must be distinct.
func groupClients(clients []ClientID, per int) ([]clientGroup, error) {
	if per < 1 {
		return nil, fmt.Errorf("group size %d: must be at least 1", per)
	}
	type hashed struct {
		id ClientID
		h  uint64
	}
	all := make([]hashed, len(clients))
	for i, c := range clients {
		all[i] = hashed{c, clientHash(c)}
	}
	var out []clientGroup
	var split func(bits string, members []hashed) error
	split = func(bits string, members []hashed) error {
		if len(members) == 0 {
			return nil
		}
		if len(members) <= per {
			g := clientGroup{suffix: bits}
			for _, m := range members {
				g.clients = append(g.clients, m.id)
			}
			slices.Sort(g.clients)
			out = append(out, g)
			return nil
		}
		depth := len(bits)
		if depth == 64 {
			return fmt.Errorf("%d clients share one 64-bit hash; cannot group them %d to an alarm", len(members), per)
		}
		var zero, one []hashed
		for _, m := range members {
			if m.h>>(63-depth)&1 == 0 {
				zero = append(zero, m)
			} else {
				one = append(one, m)
			}
		}
		if err := split(bits+"0", zero); err != nil {
			return err
		}
		return split(bits+"1", one)
	}
	if err := split("", all); err != nil {
		return nil, err
	}
	return out, nil
}
