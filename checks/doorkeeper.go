package checks

import "maps"

// doorkeeper holds the keys of a rule seen exactly once, each as a small
// fixed record with its one event's bucket, distinct value and Top value,
// and no key string: a key is known by a 64-bit hash of it. A key's second
// event takes its record (take) and gives it full state in the rule's
// keyTable, replaying the first event, so counts stay exact. A flood of
// one-off addresses thus costs a record each (about 70 bytes with the
// index) instead of a keyTable entry with its slices (about 250 bytes).
//
// At most max records are kept, in arrival order: when full, the oldest
// goes. A record whose bucket is still in an open window is lost state
// (the rule says so); dropping one whose window has closed loses nothing
// but its Top value, which the rule would have forgotten too once the key
// was idle. Two keys with the same hash would share a record: with n keys
// live at once the chance of any such collision is below n²/2⁶⁵, under
// 3·10⁻¹⁰ at the default of 100,000 keys.
type doorkeeper struct {
	max  int
	idx  map[uint64]uint32 // hash -> position in ring
	ring []onceRecord      // circular, oldest at head
	head int
	n    int // records in ring, taken ones included
	puts int // since idx was last rebuilt
}

// onceRecord is the one event of a key seen once.
type onceRecord struct {
	h       uint64
	b       int64  // bucket
	dv      uint64 // distinct value's hash
	top     string // Top value
	partial bool   // state was already lost when it arrived
	taken   bool
}

// doorCapacity is how many one-off keys a rule's doorkeeper holds for a
// rule of at most maxKeys keys: a quarter of them, at least 256. A record
// only has to wait until its key's second event, and a key that can reach a
// threshold comes back soon: a heavy hitter's second event arrives while
// its first is still held unless more than the capacity of other one-off
// keys came in between (25,000 at the default of 100,000 keys). A record
// dropped while its window is still open makes the rule note lost state
// and mark later findings Estimated, as before.
func doorCapacity(maxKeys int) int { return max(maxKeys/4, 256) }

func newDoorkeeper(capacity int) *doorkeeper {
	capacity = max(capacity, 1)
	return &doorkeeper{max: capacity, idx: make(map[uint64]uint32, min(capacity, 1024))}
}

// take removes and returns the record of hash h, if there is one.
func (d *doorkeeper) take(h uint64) (onceRecord, bool) {
	i, ok := d.idx[h]
	if !ok {
		return onceRecord{}, false
	}
	delete(d.idx, h)
	r := d.ring[i]
	d.ring[i] = onceRecord{taken: true}
	return r, true
}

// put records the first event of a key. When the table is full it drops
// the oldest record first and returns it with dropped set.
func (d *doorkeeper) put(r onceRecord) (old onceRecord, dropped bool) {
	if d.n == d.max {
		old, dropped = d.pop()
	}
	if d.n == len(d.ring) {
		d.grow()
	}
	i := (d.head + d.n) % len(d.ring)
	d.ring[i] = r
	d.n++
	d.idx[r.h] = uint32(i)
	if d.puts++; d.puts >= d.max && d.max >= 1024 {
		d.rebuild()
	}
	return old, dropped && !old.taken
}

// rebuild copies idx into a map of its size. Under the doorkeeper's
// steady churn of one insertion and one deletion a record, a Go map's
// deleted slots pile up and it settles at about three times the size of a
// fresh one; copying it once every max records keeps it near that size at
// a cost of one insertion a record.
func (d *doorkeeper) rebuild() {
	idx := make(map[uint64]uint32, len(d.idx))
	maps.Copy(idx, d.idx)
	d.idx, d.puts = idx, 0
}

// grow doubles the ring, up to max records, keeping their order.
func (d *doorkeeper) grow() {
	ring := make([]onceRecord, min(d.max, 2*len(d.ring)+64))
	for j := range d.n {
		r := d.ring[(d.head+j)%len(d.ring)]
		ring[j] = r
		if !r.taken {
			d.idx[r.h] = uint32(j)
		}
	}
	d.ring, d.head = ring, 0
}

// pop removes the oldest record.
func (d *doorkeeper) pop() (onceRecord, bool) {
	if d.n == 0 {
		return onceRecord{}, false
	}
	r := d.ring[d.head]
	if !r.taken {
		delete(d.idx, r.h)
	}
	d.ring[d.head] = onceRecord{}
	d.head = (d.head + 1) % len(d.ring)
	d.n--
	return r, true
}

// expire drops the oldest records while they are taken or their bucket is
// before from: in a stream in time order these have no open window.
func (d *doorkeeper) expire(from int64) {
	for d.n > 0 {
		r := d.ring[d.head]
		if !r.taken && r.b >= from {
			return
		}
		d.pop()
	}
}
