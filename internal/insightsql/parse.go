package insightsql

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits of the limit command and of the implicit result size.
const (
	// DefaultLimit is the number of rows returned when the query has no
	// limit command ("If you omit limit, the query will return as many as
	// 10,000 log events", FACTS 5.1).
	DefaultLimit = 10000
	// MaxLimit is the largest n accepted by "limit n" (the current
	// StartQuery maximum, FACTS 5.1).
	MaxLimit = 100000
)

// System fields. Their slots are allocated only when a query references
// them.
const (
	sysTimestamp = iota
	sysMessage
	sysLogStream
	sysLog
	sysPtr
	numSys
)

var sysNames = map[string]int{
	"@timestamp": sysTimestamp,
	"@message":   sysMessage,
	"@logStream": sysLogStream,
	"@log":       sysLog,
	"@ptr":       sysPtr,
}

// unmodelled system fields that AWS defines but Event does not carry.
var unmodelledSys = map[string]bool{"@ingestionTime": true}

type aggFn uint8

const (
	aggCount aggFn = iota
	aggCountDistinct
	aggSum
	aggAvg
	aggMin
	aggMax
)

var aggNames = map[string]aggFn{
	"count":          aggCount,
	"count_distinct": aggCountDistinct,
	"sum":            aggSum,
	"avg":            aggAvg,
	"min":            aggMin,
	"max":            aggMax,
}

// Functions that exist in Logs Insights but are outside this subset; they
// get a "not supported" error rather than "unknown".
var knownUnsupported = map[string]bool{
	"pct": true, "stddev": true, "earliest": true, "latest": true, "sortsfirst": true, "sortslast": true,
	"abs": true, "ceil": true, "floor": true, "greatest": true, "least": true, "log": true, "sqrt": true,
	"coalesce": true, "concat": true, "ltrim": true, "rtrim": true, "trim": true, "strlen": true,
	"toupper": true, "tolower": true, "substr": true, "replace": true, "strcontains": true,
	"datefloor": true, "dateceil": true, "frommillis": true, "tomillis": true, "isvalidip": true,
	"isvalidipv4": true, "isvalidipv6": true, "isipinsubnet": true, "isipv4insubnet": true, "isipv6insubnet": true,
	"jsonparse": true, "unnest": true, "if": true,
}

var supportedCommands = "fields, display, filter, stats, sort, limit"

// binUnits maps the supported bin() units to milliseconds.
var binUnits = map[string]int64{
	"s": 1000, "m": 60000, "min": 60000, "h": 3600000, "hr": 3600000, "d": 86400000,
}

// Query is a parsed Logs Insights query. It is immutable and safe for
// concurrent use by multiple goroutines.
type Query struct {
	src string

	root      *pathNode // referenced JSON fields
	nslots    int       // event value slots
	jsonSlots []int     // slots filled from the JSON message
	sys       [numSys]int

	pre   []*expr       // filters on events, before the first stats
	stats []*statsStage // 0, 1 or 2 stats commands

	sortKeys []sortKey
	limit    int
	cols     []outCol
	keep     []int // without stats: the event slots each result row retains
	names    []string
}

type statsStage struct {
	keys  []keySpec
	aggs  []aggSpec
	after []*expr // filters over this stage's output rows
	names []string
}

type keySpec struct {
	slot  int   // input slot, when bin == 0
	binMs int64 // bin size in milliseconds
}

type aggSpec struct {
	fn   aggFn
	slot int // -1 for count(*)
}

type sortKey struct {
	idx  int // index in the final record (kept slots, or stats row)
	desc bool
}

type outCol struct {
	name string
	idx  int
}

// nsEntry is one field of the namespace after a stats command.
type nsEntry struct {
	idx    int
	isTime bool
}

type nameRef struct {
	name string // output name
	slot int    // event slot or stats-row index
	pos  int
}

type parser struct {
	lx  lexer
	buf []token // lookahead

	q          *Query
	slotByName map[string]int
	aliases    map[string]string // fields aliases, before the first stats

	phase    int                // stats commands seen
	ns       map[string]nsEntry // namespace after the latest stats
	nsNames  []string
	fields   []nameRef
	display  []nameRef
	sawField bool
	sawSort  bool
	sawLimit bool
	sawDisp  bool
	sortRefs []nameRef
	sortDesc []bool
}

// Parse parses a Logs Insights query in the supported subset. Anything
// outside the subset, including commands and functions that Logs Insights
// itself accepts, is reported as a *ParseError carrying the byte offset of
// the offending text.
func Parse(src string) (q *Query, err error) {
	p := &parser{
		lx:         lexer{src: src},
		slotByName: make(map[string]int),
		aliases:    make(map[string]string),
		q:          &Query{src: src, limit: DefaultLimit},
	}
	for i := range p.q.sys {
		p.q.sys[i] = -1
	}
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(*ParseError)
			if !ok {
				panic(r)
			}
			q, err = nil, pe
		}
	}()
	p.query()
	return p.q, nil
}

// Fields returns the names of the output columns in order: the names each
// result Field may carry.
func (q *Query) Fields() []string { return slices.Clone(q.names) }

// String returns the query text as given to Parse.
func (q *Query) String() string { return q.src }

func (p *parser) fail(pos int, format string, args ...any) {
	panic(errAt(pos, format, args...))
}

func (p *parser) fill(n int) {
	for len(p.buf) < n {
		t, err := p.lx.next()
		if err != nil {
			panic(err)
		}
		p.buf = append(p.buf, t)
	}
}

// peek returns the next token without consuming it.
func (p *parser) peek() token {
	p.fill(1)
	return p.buf[0]
}

// peek2 returns the token after the next one.
func (p *parser) peek2() token {
	p.fill(2)
	return p.buf[1]
}

func (p *parser) next() token {
	p.fill(1)
	t := p.buf[0]
	p.buf = p.buf[:copy(p.buf, p.buf[1:])]
	return t
}

func (p *parser) expectOp(op string) token {
	t := p.next()
	if !t.is(op) {
		p.fail(t.pos, "expected %q, found %s", op, t.describe())
	}
	return t
}

func (p *parser) atCommandEnd() bool {
	t := p.peek()
	return t.kind == tEOF || t.is("|")
}

func (p *parser) query() {
	if t := p.peek(); t.kind == tEOF {
		p.fail(t.pos, "empty query")
	}
	for {
		t := p.next()
		if t.kind != tIdent {
			p.fail(t.pos, "expected a command (%s), found %s", supportedCommands, t.describe())
		}
		switch strings.ToLower(t.text) {
		case "fields":
			p.fieldsCmd(t)
		case "display":
			p.displayCmd(t)
		case "filter":
			p.filterCmd(t)
		case "stats":
			p.statsCmd(t)
		case "sort":
			p.sortCmd(t)
		case "limit":
			p.limitCmd(t)
		default:
			p.fail(t.pos, "command %q is not supported by this evaluator (supported: %s)", t.text, supportedCommands)
		}
		t = p.next()
		switch {
		case t.kind == tEOF:
			p.finish()
			return
		case t.is("|"):
			if p.peek().kind == tEOF {
				p.fail(p.peek().pos, "expected a command after '|'")
			}
		default:
			p.fail(t.pos, "expected '|' or end of query, found %s", t.describe())
		}
	}
}

// eventSlot returns the slot of an event field, allocating it.
func (p *parser) eventSlot(name string, pos int) int {
	if s, ok := p.slotByName[name]; ok {
		return s
	}
	if unmodelledSys[name] {
		p.fail(pos, "system field %s is not available in this evaluator", name)
	}
	s := p.q.nslots
	p.q.nslots++
	p.slotByName[name] = s
	if sys, ok := sysNames[name]; ok {
		p.q.sys[sys] = s
		return s
	}
	if p.q.root == nil {
		p.q.root = newPathNode()
	}
	p.q.root.insert(name).slot = s
	p.q.jsonSlots = append(p.q.jsonSlots, s)
	return s
}

// resolve maps a field reference to its slot in the current namespace: event
// slots before the first stats (after applying fields aliases), the previous
// stats command's output afterwards.
func (p *parser) resolve(t token) (slot int, isTime bool) {
	name := t.text
	if p.phase == 0 {
		if target, ok := p.aliases[name]; ok {
			name = target
		}
		s := p.eventSlot(name, t.pos)
		return s, s == p.q.sys[sysTimestamp]
	}
	e, ok := p.ns[name]
	if !ok {
		p.fail(t.pos, "field %q is not available after stats; the previous stats command produced only: %s", t.text, strings.Join(p.nsNames, ", "))
	}
	return e.idx, e.isTime
}

func (p *parser) fieldsCmd(cmd token) {
	if p.phase > 0 {
		p.fail(cmd.pos, "fields after stats is not supported by this evaluator; use display to choose columns")
	}
	if p.sawField {
		p.fail(cmd.pos, "only one fields command is supported by this evaluator")
	}
	if p.sawSort || p.sawLimit {
		p.fail(cmd.pos, "fields after sort or limit is not supported by this evaluator")
	}
	p.sawField = true
	newAliases := map[string]string{}
	seen := map[string]bool{}
	for {
		t := p.fieldName("a field name")
		slot, _ := p.resolve(t)
		name := t.text
		target := name
		if a, ok := p.aliases[name]; ok {
			target = a
		}
		pos := t.pos
		if p.peek().isKeyword("as") {
			p.next()
			a := p.alias()
			name, pos = a.text, a.pos
			newAliases[name] = target
		}
		if seen[name] {
			p.fail(pos, "duplicate output field %q", name)
		}
		seen[name] = true
		p.fields = append(p.fields, nameRef{name: name, slot: slot, pos: pos})
		if p.peek().is(",") {
			p.next()
			continue
		}
		if !p.atCommandEnd() {
			t := p.peek()
			if t.kind == tOp && t.text != "|" {
				p.fail(t.pos, "expressions in fields are not supported by this evaluator; found %s", t.describe())
			}
			p.fail(t.pos, "expected ',' or '|' in fields, found %s", t.describe())
		}
		break
	}
	for k, v := range newAliases {
		p.aliases[k] = v
	}
}

func (p *parser) displayCmd(cmd token) {
	p.sawDisp = true
	var refs []nameRef
	seen := map[string]bool{}
	for {
		t := p.fieldName("a field name")
		slot, _ := p.resolve(t)
		if seen[t.text] {
			p.fail(t.pos, "duplicate display field %q", t.text)
		}
		seen[t.text] = true
		refs = append(refs, nameRef{name: t.text, slot: slot, pos: t.pos})
		if p.peek().isKeyword("as") {
			p.fail(p.peek().pos, "display does not take aliases; define them with fields or stats")
		}
		if p.peek().is(",") {
			p.next()
			continue
		}
		if !p.atCommandEnd() {
			p.fail(p.peek().pos, "expected ',' or '|' in display, found %s", p.peek().describe())
		}
		break
	}
	p.display = refs // the last display command wins
}

func (p *parser) filterCmd(cmd token) {
	if p.sawLimit {
		p.fail(cmd.pos, "filter after limit is not supported by this evaluator")
	}
	e := p.orExpr()
	p.needBool(e)
	if !p.atCommandEnd() {
		p.fail(p.peek().pos, "unexpected %s in filter expression", p.peek().describe())
	}
	if p.phase == 0 {
		p.q.pre = append(p.q.pre, e)
	} else {
		st := p.q.stats[p.phase-1]
		st.after = append(st.after, e)
	}
}

func (p *parser) statsCmd(cmd token) {
	switch {
	case p.phase == 2:
		p.fail(cmd.pos, "at most 2 stats commands are allowed in a query")
	case p.sawSort || p.sawLimit:
		p.fail(cmd.pos, "sort and limit must come after the last stats command")
	case p.sawDisp:
		p.fail(cmd.pos, "display must come after the last stats command")
	}
	st := &statsStage{}
	ns := map[string]nsEntry{}
	var nsNames []string
	add := func(name string, pos int, isTime bool) {
		if _, dup := ns[name]; dup {
			p.fail(pos, "duplicate output field %q in stats", name)
		}
		ns[name] = nsEntry{idx: len(nsNames), isTime: isTime}
		nsNames = append(nsNames, name)
	}
	type aggOut struct {
		name   string
		pos    int
		isTime bool
	}
	var aggOuts []aggOut
	for {
		fn := p.next()
		if fn.kind != tIdent || !p.peek().is("(") {
			p.fail(fn.pos, "expected an aggregate function (count, count_distinct, sum, avg, min, max), found %s", fn.describe())
		}
		lower := strings.ToLower(fn.text)
		f, ok := aggNames[lower]
		if !ok {
			switch {
			case lower == "bin":
				p.fail(fn.pos, "bin() can only be used after by")
			case knownUnsupported[lower] || isPredicate(lower):
				p.fail(fn.pos, "function %s() is not supported as a stats aggregate by this evaluator", fn.text)
			default:
				p.fail(fn.pos, "unknown aggregate function %s()", fn.text)
			}
		}
		p.next() // (
		argStart := p.peek().pos
		spec := aggSpec{fn: f, slot: -1}
		isTime := false
		if p.peek().is("*") {
			star := p.next()
			if f != aggCount {
				p.fail(star.pos, "only count accepts *")
			}
		} else {
			if p.peek().is(")") {
				p.fail(p.peek().pos, "%s() needs a field name (or * for count)", lower)
			}
			t := p.fieldName("a field name")
			spec.slot, isTime = p.resolve(t)
			if isTime && (f == aggSum || f == aggAvg) {
				p.fail(t.pos, "%s() of a timestamp is not supported", lower)
			}
			isTime = isTime && (f == aggMin || f == aggMax)
		}
		argEnd := p.peek().pos
		if !p.peek().is(")") {
			p.fail(argEnd, "expected ')' after the argument of %s(); expressions are not supported here", lower)
		}
		p.next()
		name := lower + "(" + strings.TrimSpace(p.lx.src[argStart:argEnd]) + ")"
		pos := fn.pos
		if p.peek().isKeyword("as") {
			p.next()
			a := p.alias()
			name, pos = a.text, a.pos
		}
		st.aggs = append(st.aggs, spec)
		aggOuts = append(aggOuts, aggOut{name, pos, isTime})
		if p.peek().is(",") {
			p.next()
			continue
		}
		break
	}
	if p.peek().isKeyword("by") {
		p.next()
		for {
			t := p.peek()
			var key keySpec
			var name string
			var isTime bool
			switch {
			case t.kind == tIdent && p.peek2().is("("):
				p.next()
				if !strings.EqualFold(t.text, "bin") {
					p.fail(t.pos, "only field names and bin() are supported after by; found %s()", t.text)
				}
				if p.phase > 0 {
					p.fail(t.pos, "bin() needs @timestamp, which is not available in a second stats command")
				}
				key.binMs, name = p.bin()
				isTime = true
			case t.kind == tIdent || t.kind == tQuoted:
				t = p.fieldName("a field name or bin()")
				key.slot, isTime = p.resolve(t)
				name = t.text
			default:
				p.fail(t.pos, "expected a field name or bin() after by, found %s", t.describe())
			}
			pos := t.pos
			if p.peek().isKeyword("as") {
				p.next()
				a := p.alias()
				name, pos = a.text, a.pos
			}
			st.keys = append(st.keys, key)
			add(name, pos, isTime)
			if p.peek().is(",") {
				p.next()
				continue
			}
			break
		}
	}
	if !p.atCommandEnd() {
		p.fail(p.peek().pos, "expected ',', by or '|' in stats, found %s", p.peek().describe())
	}
	for _, a := range aggOuts {
		add(a.name, a.pos, a.isTime)
	}
	st.names = nsNames
	p.q.stats = append(p.q.stats, st)
	p.phase++
	p.ns, p.nsNames = ns, nsNames
}

// bin parses "(5m)" after the bin name and returns the size and the
// column name.
func (p *parser) bin() (int64, string) {
	p.expectOp("(")
	n := p.next()
	if n.kind != tNumber || strings.ContainsAny(n.text, ".eE") {
		p.fail(n.pos, "bin() needs a whole number followed by a unit (s, m, min, h, hr, d), e.g. bin(5m)")
	}
	u := p.next()
	if u.kind != tIdent || u.pos != n.end {
		p.fail(u.pos, "bin() needs a unit directly after the number: s, m, min, h, hr or d")
	}
	unit, ok := binUnits[u.text]
	if !ok {
		p.fail(u.pos, "bin() unit %q is not supported by this evaluator (supported: s, m, min, h, hr, d)", u.text)
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	if err != nil || v <= 0 || v > 1e6 {
		p.fail(n.pos, "bin() size must be between 1 and 1000000")
	}
	p.expectOp(")")
	return v * unit, "bin(" + n.text + u.text + ")"
}

func (p *parser) sortCmd(cmd token) {
	if p.sawSort {
		p.fail(cmd.pos, "only one sort command is supported by this evaluator")
	}
	if p.sawLimit {
		p.fail(cmd.pos, "sort after limit is not supported by this evaluator")
	}
	p.sawSort = true
	for {
		t := p.fieldName("a field name")
		slot, _ := p.resolve(t)
		desc := false
		switch nt := p.peek(); {
		case nt.isKeyword("desc"):
			p.next()
			desc = true
		case nt.isKeyword("asc"):
			p.next()
		}
		p.sortRefs = append(p.sortRefs, nameRef{name: t.text, slot: slot, pos: t.pos})
		p.sortDesc = append(p.sortDesc, desc)
		if p.peek().is(",") {
			p.next()
			continue
		}
		if !p.atCommandEnd() {
			p.fail(p.peek().pos, "expected asc, desc, ',' or '|' in sort, found %s", p.peek().describe())
		}
		break
	}
}

func (p *parser) limitCmd(cmd token) {
	if p.sawLimit {
		p.fail(cmd.pos, "only one limit command is supported by this evaluator")
	}
	p.sawLimit = true
	t := p.next()
	if t.kind != tNumber || strings.ContainsAny(t.text, ".eE") {
		p.fail(t.pos, "limit needs a whole number, found %s", t.describe())
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 1 || n > MaxLimit {
		p.fail(t.pos, "limit must be between 1 and %d", MaxLimit)
	}
	p.q.limit = n
}

// finish derives the output columns and the slots kept per row.
func (p *parser) finish() {
	q := p.q
	if p.phase == 0 {
		cols := p.display
		if cols == nil {
			cols = p.fields
		}
		if cols == nil {
			cols = []nameRef{
				{name: "@timestamp", slot: p.eventSlot("@timestamp", 0)},
				{name: "@message", slot: p.eventSlot("@message", 0)},
			}
		}
		keepIdx := map[int]int{}
		keep := func(slot int) int {
			if i, ok := keepIdx[slot]; ok {
				return i
			}
			keepIdx[slot] = len(q.keep)
			q.keep = append(q.keep, slot)
			return len(q.keep) - 1
		}
		for _, c := range cols {
			q.cols = append(q.cols, outCol{name: c.name, idx: keep(c.slot)})
			q.names = append(q.names, c.name)
		}
		for i, r := range p.sortRefs {
			q.sortKeys = append(q.sortKeys, sortKey{idx: keep(r.slot), desc: p.sortDesc[i]})
		}
		return
	}
	if p.display != nil {
		for _, c := range p.display {
			q.cols = append(q.cols, outCol{name: c.name, idx: c.slot})
			q.names = append(q.names, c.name)
		}
	} else {
		for i, n := range p.nsNames {
			q.cols = append(q.cols, outCol{name: n, idx: i})
			q.names = append(q.names, n)
		}
	}
	for i, r := range p.sortRefs {
		q.sortKeys = append(q.sortKeys, sortKey{idx: r.slot, desc: p.sortDesc[i]})
	}
}

// ---- expressions ----

func (p *parser) needBool(e *expr) {
	if !e.isBool {
		p.fail(e.pos, "expected a condition (a comparison, in, like, and/or/not, or ispresent/isempty/isblank), found a value")
	}
}

func (p *parser) needValue(e *expr) {
	if e.isBool {
		p.fail(e.pos, "expected a value, found a condition")
	}
	if e.isTime {
		p.fail(e.pos, "comparisons and arithmetic on timestamps are not supported by this evaluator")
	}
}

func (p *parser) needNumber(e *expr) {
	p.needValue(e)
	if e.op == opLit && e.lit.k == kStr {
		p.fail(e.pos, "arithmetic needs numbers, found a string literal")
	}
}

func (p *parser) orExpr() *expr {
	l := p.andExpr()
	for p.peek().isKeyword("or") {
		t := p.next()
		r := p.andExpr()
		p.needBool(l)
		p.needBool(r)
		l = &expr{op: opOr, l: l, r: r, isBool: true, pos: t.pos}
	}
	return l
}

func (p *parser) andExpr() *expr {
	l := p.notExpr()
	for p.peek().isKeyword("and") {
		t := p.next()
		r := p.notExpr()
		p.needBool(l)
		p.needBool(r)
		l = &expr{op: opAnd, l: l, r: r, isBool: true, pos: t.pos}
	}
	return l
}

func (p *parser) notExpr() *expr {
	if p.peek().isKeyword("not") {
		t := p.next()
		e := p.notExpr()
		p.needBool(e)
		return &expr{op: opNot, l: e, isBool: true, pos: t.pos}
	}
	return p.cmpExpr()
}

func (p *parser) cmpExpr() *expr {
	l := p.addExpr()
	t := p.peek()
	if t.kind == tOp {
		if op, ok := cmpOps[t.text]; ok {
			p.next()
			r := p.addExpr()
			p.needValue(l)
			p.needValue(r)
			return &expr{op: opCmp, cmp: op, l: l, r: r, isBool: true, pos: t.pos}
		}
	}
	neg := false
	if t.isKeyword("not") {
		p.next()
		neg = true
		t = p.peek()
		if !t.isKeyword("in") && !t.isKeyword("like") {
			p.fail(t.pos, "expected in or like after not, found %s", t.describe())
		}
	}
	switch {
	case t.isKeyword("in"):
		p.next()
		p.needValue(l)
		return &expr{op: opIn, neg: neg, l: l, list: p.list(), isBool: true, pos: t.pos}
	case t.isKeyword("like") || (!neg && t.is("=~")):
		p.next()
		p.needValue(l)
		e := &expr{op: opLike, neg: neg, l: l, isBool: true, pos: t.pos}
		p.pattern(e)
		return e
	}
	return l
}

// list parses [lit, lit, ...] for in.
func (p *parser) list() []val {
	p.expectOp("[")
	var out []val
	for {
		t := p.peek()
		e := p.unary()
		if e.op != opLit {
			p.fail(t.pos, "in lists may hold only string and number literals")
		}
		out = append(out, e.lit)
		nt := p.next()
		if nt.is("]") {
			return out
		}
		if !nt.is(",") {
			p.fail(nt.pos, "expected ',' or ']' in list, found %s", nt.describe())
		}
	}
}

// pattern parses the right side of like / =~: a "substring" or a /regex/.
func (p *parser) pattern(e *expr) {
	t := p.peek()
	switch {
	case t.kind == tString:
		p.next()
		e.pat = []byte(t.text)
	case t.is("/"):
		p.buf = p.buf[:0] // the regex lexer restarts at the slash
		rt, err := p.lx.regex(t.pos)
		if err != nil {
			panic(err)
		}
		re, cerr := regexp.Compile(rt.text)
		if cerr != nil {
			p.fail(t.pos, "regular expression /%s/ is not supported: %v (this evaluator uses Go's RE2 engine; Hyperscan-only constructs such as backreferences and lookaround are out of scope)", rt.text, cerr)
		}
		e.re = re
	default:
		p.fail(t.pos, "expected a \"substring\" or /regex/ after like, found %s", t.describe())
	}
}

func (p *parser) addExpr() *expr {
	l := p.mulExpr()
	for t := p.peek(); t.is("+") || t.is("-"); t = p.peek() {
		p.next()
		r := p.mulExpr()
		p.needNumber(l)
		p.needNumber(r)
		l = &expr{op: opArith, arith: t.text[0], l: l, r: r, pos: t.pos}
	}
	return l
}

func (p *parser) mulExpr() *expr {
	l := p.unary()
	for t := p.peek(); t.is("*") || t.is("/"); t = p.peek() {
		p.next()
		r := p.unary()
		p.needNumber(l)
		p.needNumber(r)
		l = &expr{op: opArith, arith: t.text[0], l: l, r: r, pos: t.pos}
	}
	return l
}

func (p *parser) unary() *expr {
	if t := p.peek(); t.is("-") {
		p.next()
		e := p.unary()
		p.needNumber(e)
		if e.op == opLit {
			f := -e.lit.f
			return &expr{op: opLit, lit: numVal(f), pos: t.pos}
		}
		return &expr{op: opNeg, l: e, pos: t.pos}
	}
	return p.primary()
}

func isAggregate(lower string) bool {
	_, ok := aggNames[lower]
	return ok
}

func isPredicate(lower string) bool {
	return lower == "ispresent" || lower == "isempty" || lower == "isblank"
}

func (p *parser) primary() *expr {
	if t := p.peek(); t.kind == tIdent && !p.peek2().is("(") && !isReserved(t.text) {
		switch lower := strings.ToLower(t.text); lower {
		case "true", "false", "null":
			p.fail(t.pos, "bare %s is not supported by this evaluator; quote it (\"%s\") to compare with the text, or use backticks for a field named %s", t.text, lower, t.text)
		}
		ft := p.fieldName("a value")
		slot, isTime := p.resolve(ft)
		return &expr{op: opField, slot: slot, isTime: isTime, pos: ft.pos}
	}
	t := p.next()
	switch t.kind {
	case tNumber:
		f, ok := parseNumber([]byte(t.text))
		if !ok {
			p.fail(t.pos, "number %s is out of range", t.text)
		}
		if nt := p.peek(); nt.kind == tIdent && nt.pos == t.end {
			p.fail(t.pos, "unexpected %s%s (a number followed by a name; durations are only valid inside bin())", t.text, nt.text)
		}
		return &expr{op: opLit, lit: numVal(f), pos: t.pos}
	case tString:
		return &expr{op: opLit, lit: strVal(t.text), pos: t.pos}
	case tOp:
		if t.is("(") {
			e := p.orExpr()
			p.expectOp(")")
			return e
		}
	case tQuoted:
		slot, isTime := p.resolve(t)
		return &expr{op: opField, slot: slot, isTime: isTime, pos: t.pos}
	case tIdent:
		if p.peek().is("(") {
			return p.call(t, strings.ToLower(t.text))
		}
		p.fail(t.pos, "unexpected keyword %q", t.text)
	}
	p.fail(t.pos, "expected a value, found %s", t.describe())
	return nil
}

func (p *parser) call(fn token, lower string) *expr {
	switch {
	case isPredicate(lower):
	case isAggregate(lower):
		p.fail(fn.pos, "aggregate function %s() is only allowed in stats", fn.text)
	case lower == "bin":
		p.fail(fn.pos, "bin() is only allowed after by in stats")
	case knownUnsupported[lower]:
		p.fail(fn.pos, "function %s() is not supported by this evaluator", fn.text)
	default:
		p.fail(fn.pos, "unknown function %s()", fn.text)
	}
	p.expectOp("(")
	a := p.fieldName(fmt.Sprintf("a field name as the argument of %s()", lower))
	slot, _ := p.resolve(a)
	p.expectOp(")")
	op := map[string]opcode{"ispresent": opPresent, "isempty": opEmpty, "isblank": opBlank}[lower]
	return &expr{op: op, slot: slot, isBool: true, pos: fn.pos}
}
