package insightsql

import (
	"encoding/base64"
	"encoding/binary"
	"iter"
	"slices"
	"strconv"
	"time"
)

// Event is one log event as stored in CloudWatch Logs.
type Event struct {
	// Timestamp is the event time (@timestamp); it is used at millisecond
	// precision.
	Timestamp time.Time
	// Message is the raw event text (@message): a JSON object for
	// CloudTrail and Cognito user-activity records, or plain text. Run
	// does not retain it after the event has been processed, so the
	// iterator may reuse the buffer.
	Message []byte
	// LogStream is @logStream.
	LogStream string
	// LogGroup is @log. Logs Insights shows it as "account-id:log-group-name";
	// callers that need that form put it here.
	LogGroup string
}

// Field is one column of a result row, as GetQueryResults returns it.
type Field struct {
	Name, Value string
}

// Row is one result row: its columns in the order of Query.Fields, except
// that a column whose value is missing for this row is left out.
type Row []Field

// Result is the outcome of running a query.
type Result struct {
	// Rows are the result rows, in result order, at most the query's limit.
	Rows []Row
	// RecordsScanned counts every event the iterator produced.
	RecordsScanned int64
	// RecordsMatched counts the events that passed every filter that comes
	// before the first stats command (all filters, without stats).
	RecordsMatched int64
	// BytesScanned sums len(Message) over the scanned events.
	BytesScanned int64
}

// Run executes the query over events and returns the result rows and
// statistics. It may be called concurrently on the same Query. The error is
// reserved for failures while running; the current subset has none, so it is
// always nil.
func (q *Query) Run(events iter.Seq[Event]) (Result, error) {
	r := newRunner(q)
	for ev := range events {
		r.event(ev)
	}
	return r.finish(), nil
}

type runner struct {
	q    *Query
	vals []val
	x    extractor
	ctx  *evalCtx
	res  Result
	seq  int64

	streamStr, groupStr string
	streamB, groupB     []byte

	grp *grouper // first stats command

	top     []*keptRow // heap of the best rows so far, worst at top
	tmp     keptRow
	sa, sb  []byte
	maxRows int
}

func newRunner(q *Query) *runner {
	r := &runner{
		q:    q,
		vals: make([]val, q.nslots),
		ctx:  newEvalCtx(),
		sa:   make([]byte, 0, 64),
		sb:   make([]byte, 0, 64),
	}
	r.x = extractor{root: q.root, vals: r.vals, bufs: make([][]byte, q.nslots)}
	if len(q.stats) > 0 {
		r.grp = newGrouper(q.stats[0], r.ctx)
	} else {
		r.maxRows = q.limit
		r.tmp.vals = make([]val, len(q.keep))
	}
	return r
}

func (r *runner) event(ev Event) {
	q := r.q
	r.res.RecordsScanned++
	r.res.BytesScanned += int64(len(ev.Message))
	ms := ev.Timestamp.UnixMilli()
	seq := r.seq
	r.seq++
	if s := q.sys[sysTimestamp]; s >= 0 {
		r.vals[s] = val{k: kTime, f: float64(ms)}
	}
	if s := q.sys[sysMessage]; s >= 0 {
		r.vals[s] = val{k: kStr, b: ev.Message}
	}
	if s := q.sys[sysLogStream]; s >= 0 {
		if r.streamB == nil || ev.LogStream != r.streamStr {
			r.streamStr, r.streamB = ev.LogStream, []byte(ev.LogStream)
		}
		r.vals[s] = val{k: kStr, b: r.streamB}
	}
	if s := q.sys[sysLog]; s >= 0 {
		if r.groupB == nil || ev.LogGroup != r.groupStr {
			r.groupStr, r.groupB = ev.LogGroup, []byte(ev.LogGroup)
		}
		r.vals[s] = val{k: kStr, b: r.groupB}
	}
	if s := q.sys[sysPtr]; s >= 0 {
		r.vals[s] = val{k: kStr, b: ptrFor(ev, seq)}
	}
	if len(q.jsonSlots) > 0 {
		r.x.extract(ev.Message, q.jsonSlots)
	}
	for _, f := range q.pre {
		if !r.ctx.test(f, r.vals) {
			return
		}
	}
	r.res.RecordsMatched++
	if r.grp != nil {
		r.grp.add(r.vals, ms)
		return
	}
	r.collect(ms, seq)
}

// ptrFor makes a deterministic, opaque @ptr for an event.
func ptrFor(ev Event, seq int64) []byte {
	raw := make([]byte, 0, len(ev.LogGroup)+len(ev.LogStream)+24)
	raw = append(raw, ev.LogGroup...)
	raw = append(raw, 0)
	raw = append(raw, ev.LogStream...)
	raw = append(raw, 0)
	raw = strconv.AppendInt(raw, seq, 10)
	raw = append(raw, 0)
	raw = strconv.AppendInt(raw, ev.Timestamp.UnixMilli(), 10)
	out := make([]byte, base64.RawURLEncoding.EncodedLen(len(raw)))
	base64.RawURLEncoding.Encode(out, raw)
	return out
}

// ---- queries without stats: keep the best rows in a bounded heap ----

type keptRow struct {
	ms, seq int64
	vals    []val
	buf     []byte
}

// rank orders rows: the sort keys (missing values last), then newest
// @timestamp first, then input order.
func (r *runner) rank(a, b *keptRow) int {
	for _, k := range r.q.sortKeys {
		if c := r.compareKey(a.vals[k.idx], b.vals[k.idx], k.desc); c != 0 {
			return c
		}
	}
	switch {
	case a.ms > b.ms:
		return -1
	case a.ms < b.ms:
		return 1
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

func (r *runner) compareKey(a, b val, desc bool) int {
	switch {
	case a.missing() && b.missing():
		return 0
	case a.missing():
		return 1
	case b.missing():
		return -1
	}
	c := compareSort(a, b, r.sa, r.sb)
	if desc {
		c = -c
	}
	return c
}

func (r *runner) collect(ms, seq int64) {
	t := &r.tmp
	t.ms, t.seq = ms, seq
	for i, s := range r.q.keep {
		t.vals[i] = r.vals[s]
	}
	var row *keptRow
	evict := len(r.top) >= r.maxRows
	if evict {
		if r.rank(t, r.top[0]) >= 0 {
			return
		}
		row = r.top[0] // evict the worst row and reuse its storage
	} else {
		row = &keptRow{vals: make([]val, len(t.vals))}
		r.top = append(r.top, row)
	}
	row.ms, row.seq = ms, seq
	row.buf = row.buf[:0]
	for _, v := range t.vals {
		row.buf = append(row.buf, v.b...)
	}
	off := 0
	for i, v := range t.vals {
		if v.b != nil {
			n := len(v.b)
			v.b = row.buf[off : off+n : off+n]
			off += n
		}
		row.vals[i] = v
	}
	if evict {
		r.down(0)
	} else {
		r.up(len(r.top) - 1)
	}
}

// worse reports whether heap entry i ranks after entry j.
func (r *runner) worse(i, j int) bool { return r.rank(r.top[i], r.top[j]) > 0 }

func (r *runner) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !r.worse(i, p) {
			return
		}
		r.top[i], r.top[p] = r.top[p], r.top[i]
		i = p
	}
}

func (r *runner) down(i int) {
	n := len(r.top)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if c := l + 1; c < n && r.worse(c, l) {
			w = c
		}
		if !r.worse(w, i) {
			return
		}
		r.top[i], r.top[w] = r.top[w], r.top[i]
		i = w
	}
}

// ---- stats ----

type group struct {
	keys []val
	accs []acc
}

type acc struct {
	n        int64
	sum      float64
	has      bool
	isTime   bool
	distinct map[string]struct{}
}

type grouper struct {
	st     *statsStage
	ctx    *evalCtx
	groups map[string]*group
	order  []*group
	key    []byte
	kv     []val
}

func newGrouper(st *statsStage, ctx *evalCtx) *grouper {
	return &grouper{st: st, ctx: ctx, groups: make(map[string]*group), kv: make([]val, len(st.keys))}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// add folds one record into its group. ms is the record's @timestamp, used
// by bin().
func (g *grouper) add(rec []val, ms int64) {
	key := g.key[:0]
	for i, k := range g.st.keys {
		var v val
		if k.binMs > 0 {
			v = val{k: kTime, f: float64(floorDiv(ms, k.binMs) * k.binMs)}
		} else {
			v = rec[k.slot]
		}
		g.kv[i] = v
		switch v.k {
		case kMissing:
			key = append(key, 0)
		case kTime:
			key = append(key, 2)
			key = binary.LittleEndian.AppendUint64(key, uint64(int64(v.f)))
		default:
			t := v.text(g.ctx.s1)
			key = append(key, 1)
			key = binary.AppendUvarint(key, uint64(len(t)))
			key = append(key, t...)
		}
	}
	g.key = key
	gr := g.groups[string(key)]
	if gr == nil {
		gr = &group{keys: make([]val, len(g.kv)), accs: make([]acc, len(g.st.aggs))}
		for i, v := range g.kv {
			if v.k == kNum && v.b == nil {
				v.b = appendNum(nil, v.f)
			}
			gr.keys[i] = v.clone()
		}
		for i, a := range g.st.aggs {
			if a.fn == aggCountDistinct {
				gr.accs[i].distinct = make(map[string]struct{})
			}
		}
		g.groups[string(key)] = gr
		g.order = append(g.order, gr)
	}
	for i, a := range g.st.aggs {
		ac := &gr.accs[i]
		if a.slot < 0 { // count(*)
			ac.n++
			continue
		}
		v := rec[a.slot]
		if v.missing() {
			continue
		}
		switch a.fn {
		case aggCount:
			if len(v.text(g.ctx.s1)) > 0 {
				ac.n++
			}
		case aggCountDistinct:
			t := v.text(g.ctx.s1)
			if len(t) == 0 {
				continue
			}
			if _, ok := ac.distinct[string(t)]; !ok {
				ac.distinct[string(t)] = struct{}{}
			}
		case aggSum, aggAvg:
			if f, ok := v.number(); ok {
				ac.sum += f
				ac.n++
			}
		case aggMin, aggMax:
			f, ok := v.number()
			if !ok {
				continue
			}
			if !ac.has || (a.fn == aggMin && f < ac.sum) || (a.fn == aggMax && f > ac.sum) {
				ac.sum = f
			}
			ac.has = true
			ac.isTime = ac.isTime || v.k == kTime
		}
	}
}

func (a *acc) result(fn aggFn) val {
	switch fn {
	case aggCount:
		return numVal(float64(a.n))
	case aggCountDistinct:
		return numVal(float64(len(a.distinct)))
	case aggSum:
		if a.n == 0 {
			return val{}
		}
		return numVal(a.sum)
	case aggAvg:
		if a.n == 0 {
			return val{}
		}
		return numVal(a.sum / float64(a.n))
	default: // min, max
		if !a.has {
			return val{}
		}
		if a.isTime {
			return val{k: kTime, f: a.sum}
		}
		return numVal(a.sum)
	}
}

// rows returns the stage's output rows (keys, then aggregates) ordered by
// the group keys ascending, missing keys last. Without by, there is exactly
// one row, even when no record matched.
func (g *grouper) rows(r *runner) [][]val {
	if len(g.st.keys) == 0 && len(g.order) == 0 {
		g.order = append(g.order, &group{accs: make([]acc, len(g.st.aggs))})
	}
	out := make([][]val, 0, len(g.order))
	for _, gr := range g.order {
		row := make([]val, 0, len(gr.keys)+len(gr.accs))
		row = append(row, gr.keys...)
		for i, a := range g.st.aggs {
			row = append(row, gr.accs[i].result(a.fn))
		}
		out = append(out, row)
	}
	nk := len(g.st.keys)
	slices.SortStableFunc(out, func(a, b []val) int {
		for i := 0; i < nk; i++ {
			if c := r.compareKey(a[i], b[i], false); c != 0 {
				return c
			}
		}
		return 0
	})
	return out
}

func (r *runner) filterRows(rows [][]val, filters []*expr) [][]val {
	if len(filters) == 0 {
		return rows
	}
	out := rows[:0]
next:
	for _, row := range rows {
		for _, f := range filters {
			if !r.ctx.test(f, row) {
				continue next
			}
		}
		out = append(out, row)
	}
	return out
}

func (r *runner) finish() Result {
	q := r.q
	var recs [][]val
	if r.grp != nil {
		recs = r.filterRows(r.grp.rows(r), q.stats[0].after)
		if len(q.stats) == 2 {
			g2 := newGrouper(q.stats[1], r.ctx)
			for _, row := range recs {
				g2.add(row, 0)
			}
			recs = r.filterRows(g2.rows(r), q.stats[1].after)
		}
		if len(q.sortKeys) > 0 {
			slices.SortStableFunc(recs, func(a, b []val) int {
				for _, k := range q.sortKeys {
					if c := r.compareKey(a[k.idx], b[k.idx], k.desc); c != 0 {
						return c
					}
				}
				return 0
			})
		}
		if len(recs) > q.limit {
			recs = recs[:q.limit]
		}
	} else {
		slices.SortFunc(r.top, r.rank)
		recs = make([][]val, len(r.top))
		for i, row := range r.top {
			recs[i] = row.vals
		}
	}
	res := r.res
	res.Rows = make([]Row, 0, len(recs))
	for _, rec := range recs {
		row := make(Row, 0, len(q.cols))
		for _, c := range q.cols {
			v := rec[c.idx]
			if v.missing() {
				continue
			}
			row = append(row, Field{Name: c.name, Value: string(v.text(r.sa))})
		}
		res.Rows = append(res.Rows, row)
	}
	return res
}
