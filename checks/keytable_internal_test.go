package checks

import (
	"slices"
	"strconv"
	"testing"
)

func TestKeyTableSlots(t *testing.T) {
	seen := map[[2]int]bool{}
	for i := int32(0); i < 5000; i++ {
		c, off, size := chunkOf(i)
		if off < 0 || off >= size || seen[[2]int{c, off}] {
			t.Fatalf("slot %d: chunk %d offset %d size %d", i, c, off, size)
		}
		seen[[2]int{c, off}] = true
	}
	tb := newKeyTable[int](3000, nil)
	for i := range 3000 {
		v, created := tb.get(string(rune('a'+i%26)) + string(rune(i)))
		if !created {
			t.Fatal("not created")
		}
		*v = i
	}
	n := 0
	tb.each(func(_ string, v *int) { n++ })
	if n != 3000 {
		t.Fatalf("%d keys", n)
	}
	tb.expire(func(string, *int) bool { return true })
	if tb.n != 0 || tb.prob.n != 0 || tb.prot.n != 0 || slices.ContainsFunc(tb.idx, func(s int32) bool { return s != 0 }) {
		t.Fatalf("left %d keys", tb.n)
	}
}

// TestKeyTableModel checks the index against a map through random gets,
// evictions and expiries.
func TestKeyTableModel(t *testing.T) {
	model := map[string]int{}
	tb := newKeyTable(300, func(k string, v *int) {
		if model[k] != *v {
			t.Fatalf("evicted %s with %d, want %d", k, *v, model[k])
		}
		delete(model, k)
	})
	x := uint64(1)
	for step := range 200_000 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		k := "k" + strconv.Itoa(int(x%1000))
		switch x >> 60 {
		case 0:
			cut := int(x >> 32 % 50)
			tb.expire(func(k string, v *int) bool {
				if *v%50 != cut {
					return false
				}
				delete(model, k)
				return true
			})
		case 1:
			v := tb.peek(k)
			if w, ok := model[k]; ok != (v != nil) || ok && *v != w {
				t.Fatalf("step %d: peek %s = %v, model %d %v", step, k, v, w, ok)
			}
		default:
			v, created := tb.get(k)
			if _, ok := model[k]; ok == created {
				t.Fatalf("step %d: get %s created %v, in model %v", step, k, created, ok)
			}
			*v = step
			model[k] = step
		}
		if tb.n != len(model) || tb.prob.n+tb.prot.n != tb.n {
			t.Fatalf("step %d: %d keys, lists %d+%d, model %d", step, tb.n, tb.prob.n, tb.prot.n, len(model))
		}
	}
	n := 0
	tb.each(func(k string, v *int) {
		n++
		if model[k] != *v {
			t.Fatalf("each: %s = %d, model %d", k, *v, model[k])
		}
	})
	if n != len(model) {
		t.Fatalf("each saw %d keys, model %d", n, len(model))
	}
}
