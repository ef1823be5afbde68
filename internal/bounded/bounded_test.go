package bounded

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGuarantees checks the Space-Saving bounds on both layouts over a
// skewed stream: every tracked count brackets the true count, and every key
// more frequent than total/capacity is tracked.
func TestGuarantees(t *testing.T) {
	const capacity = 8
	r := rand.New(rand.NewPCG(1, 2))
	truth := map[int]int64{}
	table := NewTable[int, struct{}](capacity, nil)
	var small Small[int]
	var total int64
	for range 20000 {
		k := int(r.ExpFloat64() * 3)
		if r.IntN(4) == 0 {
			k = 100 + r.IntN(5000) // a long tail seen about once each
		}
		truth[k]++
		total++
		table.Add(k)
		small.Add(k, capacity)
	}
	if table.Total() != total {
		t.Errorf("Total = %d, want %d", table.Total(), total)
	}
	if table.Exact() {
		t.Error("Exact after evictions")
	}
	for name, items := range map[string][]Counted[int]{"Table": table.Items(cmp.Compare[int]), "Small": small} {
		if len(items) > capacity {
			t.Errorf("%s tracks %d keys, capacity %d", name, len(items), capacity)
		}
		tracked := map[int]bool{}
		for _, it := range items {
			tracked[it.Key] = true
			if got := truth[it.Key]; got > it.Count || got < it.Count-it.Error {
				t.Errorf("%s: key %d true count %d outside [%d, %d]", name, it.Key, got, it.Count-it.Error, it.Count)
			}
		}
		for k, n := range truth {
			if n > total/capacity && !tracked[k] {
				t.Errorf("%s lost heavy hitter %d (%d of %d)", name, k, n, total)
			}
		}
	}
}

func TestTableExactAndPayload(t *testing.T) {
	table := NewTable[string, int](4, func() int { return 10 })
	for _, k := range []string{"a", "b", "a", "c", "a", "b"} {
		*table.Add(k)++
	}
	if !table.Exact() || table.Len() != 3 || table.Capacity() != 4 {
		t.Fatalf("Exact %v Len %d Capacity %d", table.Exact(), table.Len(), table.Capacity())
	}
	var got []string
	table.Each(cmp.Compare[string], func(c Counted[string], p *int) bool {
		got = append(got, c.Key)
		if want := 10 + int(c.Count); *p != want {
			t.Errorf("payload of %s = %d, want %d", c.Key, *p, want)
		}
		return true
	})
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	// A new key takes the smallest's place with a fresh payload and its
	// count as the error bound.
	small := NewTable[string, int](1, nil)
	small.Add("x")
	small.Add("x")
	*small.Add("y") = 7
	items := small.Items(cmp.Compare[string])
	if len(items) != 1 || items[0] != (Counted[string]{Key: "y", Count: 3, Error: 2}) || small.Exact() {
		t.Errorf("after eviction: %+v exact %v", items, small.Exact())
	}
}
