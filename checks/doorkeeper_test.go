package checks

import "testing"

func TestDoorkeeper(t *testing.T) {
	d := newDoorkeeper(3)
	for h := uint64(1); h <= 3; h++ {
		if _, dropped := d.put(onceRecord{h: h, b: int64(h)}); dropped {
			t.Fatalf("put %d dropped a record below capacity", h)
		}
	}
	if r, ok := d.take(2); !ok || r.b != 2 {
		t.Fatalf("take(2) = %+v, %v", r, ok)
	}
	if _, ok := d.take(2); ok {
		t.Fatal("take(2) found a record taken already")
	}
	// Full (a taken record still holds its place): the oldest goes first.
	old, dropped := d.put(onceRecord{h: 4, b: 4})
	if !dropped || old.h != 1 {
		t.Fatalf("put(4) dropped %+v, %v; want record 1", old, dropped)
	}
	// The next oldest place is the taken record 2: nothing live is lost.
	if old, dropped := d.put(onceRecord{h: 5, b: 5}); dropped {
		t.Fatalf("put(5) dropped %+v, a taken record", old)
	}
	for h, want := range map[uint64]bool{1: false, 3: true, 4: true, 5: true} {
		if _, ok := d.idx[h]; ok != want {
			t.Errorf("record %d held: %v, want %v", h, ok, want)
		}
	}
	d.expire(5)
	if _, ok := d.take(3); ok {
		t.Error("record 3 held after expire(5)")
	}
	if _, ok := d.take(5); !ok {
		t.Error("record 5 dropped by expire(5)")
	}
}

// TestDoorkeeperGrows checks that growing the ring keeps the records'
// order and positions.
func TestDoorkeeperGrows(t *testing.T) {
	d := newDoorkeeper(1000)
	for h := uint64(1); h <= 100; h++ {
		d.put(onceRecord{h: h, b: int64(h)})
		if h%3 == 0 {
			d.pop()
		}
	}
	for h := uint64(1); h <= 100; h++ {
		r, ok := d.take(h)
		if ok && r.b != int64(h) {
			t.Fatalf("record %d has bucket %d", h, r.b)
		}
	}
	if len(d.idx) != 0 {
		t.Errorf("%d records left after taking every one", len(d.idx))
	}
}
