package checks

import "testing"

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
	if len(tb.m) != 0 || tb.prob.n != 0 || tb.prot.n != 0 {
		t.Fatalf("left %d keys", len(tb.m))
	}
}
