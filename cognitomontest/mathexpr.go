package cognitomontest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// This file evaluates the subset of CloudWatch metric math that cognitomon's
// alarms and dashboards use (FACTS.md 4.2):
//
//	numbers, query IDs, parentheses, unary minus
//	+ - * /                       arithmetic; a missing value counts as 0 and
//	                              a division by zero drops the datapoint
//	> >= < <= == !=               comparisons, giving 1 or 0
//	IF(cond, a[, b])              a where cond is not 0, else b (or nothing)
//	FILL(ts, value|REPEAT|LINEAR|ts)
//	SUM([ts, ...])                the sum across a list of series
//	SUM(ts)                       the sum over time (a scalar)
//
// A series is evaluated at the union of its operands' timestamps. Anything
// else (SEARCH, METRICS, strings, other functions) is a ValidationError that
// names the query, so a test finds out when it relies on more than the fake
// knows.

// evaluateExpressions computes the metric-math expressions of a GetMetricData
// request over the MetricStat results in computed (oldest first), adding one
// result per expression, oldest first. Expressions may refer to each other;
// they are evaluated in dependency order and a cycle is an error.
func (f *CloudWatch) evaluateExpressions(exprs []cwtypes.MetricDataQuery, computed map[string]cwtypes.MetricDataResult, start, end time.Time, period time.Duration) error {
	parsed := make(map[string]mxNode, len(exprs))
	byID := make(map[string]cwtypes.MetricDataQuery, len(exprs))
	for _, q := range exprs {
		id := aws.ToString(q.Id)
		e := aws.ToString(q.Expression)
		if e == "" || len(e) > 2048 {
			return validationError("query %s: the expression must be 1 to 2048 characters", id)
		}
		n, err := parseMathExpr(e)
		if err != nil {
			return validationError("query %s: %v", id, err)
		}
		parsed[id] = n
		byID[id] = q
	}
	order, err := mathOrder(exprs, parsed, computed)
	if err != nil {
		return err
	}
	env := mathEnv{series: map[string]mxSeries{}, start: start, end: end}
	for id, res := range computed {
		env.series[id] = seriesOf(res)
	}
	for _, id := range order {
		env.period = expressionPeriod(byID[id], period)
		v, err := env.eval(parsed[id])
		if err != nil {
			return validationError("query %s: %v", id, err)
		}
		if v.kind != mxTS {
			return validationError("query %s: the expression gives %s, not a time series", id, v.kind)
		}
		env.series[id] = v.ts
		res := v.ts.result()
		res.Label = aws.String(id)
		computed[id] = res
	}
	return nil
}

// mathOrder returns the expressions' IDs in an order where each comes after
// the expressions it refers to, or an error for a reference to an unknown
// query or a cycle.
func mathOrder(exprs []cwtypes.MetricDataQuery, parsed map[string]mxNode, computed map[string]cwtypes.MetricDataResult) ([]string, error) {
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var order []string
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case done:
			return nil
		case visiting:
			return validationError("query %s: circular reference %s", path[0], strings.Join(append(path, id), " -> "))
		}
		state[id] = visiting
		for _, ref := range mathRefs(parsed[id]) {
			if _, ok := parsed[ref]; ok {
				if err := visit(ref, append(path, id)); err != nil {
					return err
				}
				continue
			}
			if _, ok := computed[ref]; !ok {
				return validationError("query %s: the expression refers to %q, which is not a query of this request", id, ref)
			}
		}
		state[id] = done
		order = append(order, id)
		return nil
	}
	for _, q := range exprs {
		if err := visit(aws.ToString(q.Id), nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// expressionPeriod returns the period FILL fills at: the expression's own
// Period when set, else the request's (its shortest MetricStat period).
func expressionPeriod(q cwtypes.MetricDataQuery, request time.Duration) time.Duration {
	if q.Period != nil && *q.Period > 0 {
		return time.Duration(*q.Period) * time.Second
	}
	return request
}

// mxSeries is a time series keyed by Unix nanoseconds.
type mxSeries map[int64]float64

func seriesOf(r cwtypes.MetricDataResult) mxSeries {
	s := make(mxSeries, len(r.Timestamps))
	for i, t := range r.Timestamps {
		if i < len(r.Values) {
			s[t.UnixNano()] = r.Values[i]
		}
	}
	return s
}

func (s mxSeries) keys() []int64 {
	ks := make([]int64, 0, len(s))
	for k := range s {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// result returns s as a GetMetricData result, oldest first.
func (s mxSeries) result() cwtypes.MetricDataResult {
	var r cwtypes.MetricDataResult
	for _, k := range s.keys() {
		r.Timestamps = append(r.Timestamps, time.Unix(0, k).UTC())
		r.Values = append(r.Values, s[k])
	}
	return r
}

// mxKind is the type of a metric-math value.
type mxKind int

const (
	mxScalar mxKind = iota
	mxTS
	mxList
	mxKeyword // REPEAT, LINEAR: only as FILL's second argument
)

func (k mxKind) String() string {
	switch k {
	case mxScalar:
		return "a single value"
	case mxTS:
		return "a time series"
	case mxList:
		return "a list"
	}
	return "a keyword"
}

// mxValue is a value during evaluation.
type mxValue struct {
	kind mxKind
	num  float64
	ts   mxSeries
	list []mxValue
	word string
}

// The syntax tree.
type (
	mxNode   any
	mxNumber float64
	mxRef    string
	mxWord   string // REPEAT, LINEAR
	mxNeg    struct{ x mxNode }
	mxBinary struct {
		op   string
		l, r mxNode
	}
	mxCall struct {
		fn   string
		args []mxNode
	}
	mxListNode []mxNode
)

// mathRefs returns the query IDs n refers to, in order of appearance.
func mathRefs(n mxNode) []string {
	var out []string
	var walk func(mxNode)
	walk = func(n mxNode) {
		switch n := n.(type) {
		case mxRef:
			if !slices.Contains(out, string(n)) {
				out = append(out, string(n))
			}
		case mxNeg:
			walk(n.x)
		case mxBinary:
			walk(n.l)
			walk(n.r)
		case mxCall:
			for _, a := range n.args {
				walk(a)
			}
		case mxListNode:
			for _, a := range n {
				walk(a)
			}
		}
	}
	walk(n)
	return out
}

// mxToken is a lexical token: kind is 'n' (number), 'i' (identifier), or the
// operator itself.
type mxToken struct {
	kind string
	text string
	pos  int
}

func lexMathExpr(s string) ([]mxToken, error) {
	var toks []mxToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
				k := j + 1
				if k < len(s) && (s[k] == '+' || s[k] == '-') {
					k++
				}
				if k < len(s) && s[k] >= '0' && s[k] <= '9' {
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
					}
					j = k
				}
			}
			toks = append(toks, mxToken{"n", s[i:j], i})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, mxToken{"i", s[i:j], i})
			i = j
		case strings.ContainsRune("+-*/()[],", rune(c)):
			toks = append(toks, mxToken{string(c), string(c), i})
			i++
		case c == '>' || c == '<' || c == '=' || c == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, mxToken{s[i : i+2], s[i : i+2], i})
				i += 2
				continue
			}
			if c == '=' || c == '!' {
				return nil, fmt.Errorf("unsupported operator %q at offset %d", string(c), i)
			}
			toks = append(toks, mxToken{string(c), string(c), i})
			i++
		case c == '"' || c == '\'':
			return nil, fmt.Errorf("string literals (offset %d) are not supported by this fake", i)
		default:
			return nil, fmt.Errorf("unexpected character %q at offset %d", string(c), i)
		}
	}
	return toks, nil
}

// mxParser is a recursive-descent parser over the tokens. Precedence, low to
// high: comparison, + -, * /, unary minus.
type mxParser struct {
	toks []mxToken
	i    int
}

func parseMathExpr(s string) (mxNode, error) {
	toks, err := lexMathExpr(s)
	if err != nil {
		return nil, err
	}
	p := &mxParser{toks: toks}
	n, err := p.comparison()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q at offset %d", p.toks[p.i].text, p.toks[p.i].pos)
	}
	return n, nil
}

func (p *mxParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i].kind
	}
	return ""
}

func (p *mxParser) expect(kind string) error {
	if p.peek() != kind {
		if p.i < len(p.toks) {
			return fmt.Errorf("want %q at offset %d, got %q", kind, p.toks[p.i].pos, p.toks[p.i].text)
		}
		return fmt.Errorf("want %q, got the end of the expression", kind)
	}
	p.i++
	return nil
}

func (p *mxParser) comparison() (mxNode, error) {
	l, err := p.additive()
	if err != nil {
		return nil, err
	}
	for {
		switch op := p.peek(); op {
		case ">", ">=", "<", "<=", "==", "!=":
			p.i++
			r, err := p.additive()
			if err != nil {
				return nil, err
			}
			l = mxBinary{op, l, r}
		default:
			return l, nil
		}
	}
}

func (p *mxParser) additive() (mxNode, error) {
	l, err := p.multiplicative()
	if err != nil {
		return nil, err
	}
	for op := p.peek(); op == "+" || op == "-"; op = p.peek() {
		p.i++
		r, err := p.multiplicative()
		if err != nil {
			return nil, err
		}
		l = mxBinary{op, l, r}
	}
	return l, nil
}

func (p *mxParser) multiplicative() (mxNode, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for op := p.peek(); op == "*" || op == "/"; op = p.peek() {
		p.i++
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = mxBinary{op, l, r}
	}
	return l, nil
}

func (p *mxParser) unary() (mxNode, error) {
	if p.peek() == "-" {
		p.i++
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return mxNeg{x}, nil
	}
	return p.primary()
}

// mxFunctions are the functions the fake evaluates, with their arities.
var mxFunctions = map[string][2]int{"IF": {2, 3}, "FILL": {2, 2}, "SUM": {1, 1}}

func (p *mxParser) primary() (mxNode, error) {
	if p.i >= len(p.toks) {
		return nil, fmt.Errorf("unexpected end of the expression")
	}
	t := p.toks[p.i]
	switch t.kind {
	case "n":
		p.i++
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q at offset %d", t.text, t.pos)
		}
		return mxNumber(v), nil
	case "(":
		p.i++
		n, err := p.comparison()
		if err != nil {
			return nil, err
		}
		return n, p.expect(")")
	case "[":
		p.i++
		var items mxListNode
		for p.peek() != "]" {
			n, err := p.comparison()
			if err != nil {
				return nil, err
			}
			items = append(items, n)
			if p.peek() != "," {
				break
			}
			p.i++
		}
		return items, p.expect("]")
	case "i":
		p.i++
		if c := t.text[0]; c >= 'a' && c <= 'z' {
			return mxRef(t.text), nil
		}
		if t.text == "REPEAT" || t.text == "LINEAR" {
			return mxWord(t.text), nil
		}
		arity, ok := mxFunctions[t.text]
		if !ok {
			return nil, fmt.Errorf("function or name %s (offset %d) is not supported by this fake (it knows IF, FILL, SUM)", t.text, t.pos)
		}
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var args []mxNode
		for p.peek() != ")" {
			n, err := p.comparison()
			if err != nil {
				return nil, err
			}
			args = append(args, n)
			if p.peek() != "," {
				break
			}
			p.i++
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if len(args) < arity[0] || len(args) > arity[1] {
			return nil, fmt.Errorf("%s takes %d to %d arguments, not %d", t.text, arity[0], arity[1], len(args))
		}
		return mxCall{t.text, args}, nil
	}
	return nil, fmt.Errorf("unexpected %q at offset %d", t.text, t.pos)
}

// mathEnv evaluates syntax trees over the series computed so far.
type mathEnv struct {
	series     map[string]mxSeries
	start, end time.Time
	period     time.Duration // for FILL; 0 when unknown
}

func (e *mathEnv) eval(n mxNode) (mxValue, error) {
	switch n := n.(type) {
	case mxNumber:
		return mxValue{kind: mxScalar, num: float64(n)}, nil
	case mxRef:
		s, ok := e.series[string(n)]
		if !ok {
			return mxValue{}, fmt.Errorf("unknown query %q", string(n))
		}
		return mxValue{kind: mxTS, ts: s}, nil
	case mxWord:
		return mxValue{kind: mxKeyword, word: string(n)}, nil
	case mxNeg:
		x, err := e.eval(n.x)
		if err != nil {
			return mxValue{}, err
		}
		return applyBinary("*", mxValue{kind: mxScalar, num: -1}, x)
	case mxBinary:
		l, err := e.eval(n.l)
		if err != nil {
			return mxValue{}, err
		}
		r, err := e.eval(n.r)
		if err != nil {
			return mxValue{}, err
		}
		return applyBinary(n.op, l, r)
	case mxListNode:
		v := mxValue{kind: mxList}
		for _, item := range n {
			x, err := e.eval(item)
			if err != nil {
				return mxValue{}, err
			}
			if x.kind != mxTS {
				return mxValue{}, fmt.Errorf("a list may hold only time series, not %s", x.kind)
			}
			v.list = append(v.list, x)
		}
		return v, nil
	case mxCall:
		args := make([]mxValue, len(n.args))
		for i, a := range n.args {
			x, err := e.eval(a)
			if err != nil {
				return mxValue{}, err
			}
			if x.kind == mxKeyword && !(n.fn == "FILL" && i == 1) {
				return mxValue{}, fmt.Errorf("%s is only allowed as the second argument of FILL", x.word)
			}
			if x.kind == mxList && n.fn != "SUM" {
				return mxValue{}, fmt.Errorf("%s does not take a list in this fake", n.fn)
			}
			args[i] = x
		}
		switch n.fn {
		case "IF":
			return ifValue(args)
		case "FILL":
			return e.fill(args[0], args[1])
		case "SUM":
			return sumValue(args[0])
		}
	}
	return mxValue{}, fmt.Errorf("unsupported expression")
}

// applyBinary applies an arithmetic or comparison operator. Series are combined at
// the union of their timestamps with a missing value taken as 0; a division
// by zero drops the datapoint (FACTS.md 4.2).
func applyBinary(op string, l, r mxValue) (mxValue, error) {
	for _, v := range []mxValue{l, r} {
		if v.kind == mxList || v.kind == mxKeyword {
			return mxValue{}, fmt.Errorf("operator %s cannot take %s", op, v.kind)
		}
	}
	apply := func(a, b float64) (float64, bool) {
		switch op {
		case "+":
			return a + b, true
		case "-":
			return a - b, true
		case "*":
			return a * b, true
		case "/":
			if b == 0 {
				return 0, false
			}
			return a / b, true
		case ">":
			return boolValue(a > b), true
		case ">=":
			return boolValue(a >= b), true
		case "<":
			return boolValue(a < b), true
		case "<=":
			return boolValue(a <= b), true
		case "==":
			return boolValue(a == b), true
		case "!=":
			return boolValue(a != b), true
		}
		return 0, false
	}
	if l.kind == mxScalar && r.kind == mxScalar {
		v, ok := apply(l.num, r.num)
		if !ok {
			return mxValue{}, fmt.Errorf("division by zero")
		}
		return mxValue{kind: mxScalar, num: v}, nil
	}
	out := mxSeries{}
	for _, k := range unionKeys(l, r) {
		v, ok := apply(valueAt(l, k), valueAt(r, k))
		if ok {
			out[k] = v
		}
	}
	return mxValue{kind: mxTS, ts: out}, nil
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// valueAt returns v at timestamp k: a scalar everywhere, a series' value or 0.
func valueAt(v mxValue, k int64) float64 {
	if v.kind == mxScalar {
		return v.num
	}
	return v.ts[k]
}

// valueLookup returns v at timestamp k and whether there is a value there.
func valueLookup(v mxValue, k int64) (float64, bool) {
	if v.kind == mxScalar {
		return v.num, true
	}
	x, ok := v.ts[k]
	return x, ok
}

func unionKeys(vs ...mxValue) []int64 {
	seen := map[int64]bool{}
	var ks []int64
	for _, v := range vs {
		if v.kind != mxTS {
			continue
		}
		for k := range v.ts {
			if !seen[k] {
				seen[k] = true
				ks = append(ks, k)
			}
		}
	}
	slices.Sort(ks)
	return ks
}

// ifValue is IF(cond, a[, b]) at the union of the series arguments'
// timestamps. A condition with no value at a timestamp counts as 0; where the
// chosen branch has no value, or is omitted, there is no datapoint.
func ifValue(args []mxValue) (mxValue, error) {
	anyTS := false
	for _, a := range args {
		anyTS = anyTS || a.kind == mxTS
	}
	pick := func(c float64) (mxValue, bool) {
		if c != 0 {
			return args[1], true
		}
		if len(args) == 3 {
			return args[2], true
		}
		return mxValue{}, false
	}
	if !anyTS {
		b, ok := pick(args[0].num)
		if !ok {
			return mxValue{kind: mxTS, ts: mxSeries{}}, nil
		}
		return b, nil
	}
	out := mxSeries{}
	for _, k := range unionKeys(args...) {
		b, ok := pick(valueAt(args[0], k))
		if !ok {
			continue
		}
		if v, ok := valueLookup(b, k); ok {
			out[k] = v
		}
	}
	return mxValue{kind: mxTS, ts: out}, nil
}

// fill is FILL(ts, x): every period of [start, end) without a value gets x
// (a constant, another series' value, REPEAT: the last earlier value, or
// LINEAR: the straight line between the neighbouring values). Periods before
// the first value are left empty by REPEAT and LINEAR, and after the last by
// LINEAR.
func (e *mathEnv) fill(ts, x mxValue) (mxValue, error) {
	if ts.kind != mxTS {
		return mxValue{}, fmt.Errorf("FILL's first argument must be a time series, not %s", ts.kind)
	}
	if e.period <= 0 {
		return mxValue{}, fmt.Errorf("FILL needs the period of the request's metrics")
	}
	out := make(mxSeries, len(ts.ts))
	for k, v := range ts.ts {
		out[k] = v
	}
	var grid []int64
	for t := e.start; t.Before(e.end); t = t.Add(e.period) {
		grid = append(grid, t.UnixNano())
	}
	switch {
	case x.kind == mxScalar || x.kind == mxTS:
		for _, k := range grid {
			if _, ok := out[k]; !ok {
				if v, ok := valueLookup(x, k); ok {
					out[k] = v
				}
			}
		}
	case x.word == "REPEAT":
		last, have := 0.0, false
		for _, k := range grid {
			if v, ok := ts.ts[k]; ok {
				last, have = v, true
			} else if have {
				out[k] = last
			}
		}
	case x.word == "LINEAR":
		prev := -1
		for i, k := range grid {
			v, ok := ts.ts[k]
			if !ok {
				continue
			}
			if prev >= 0 {
				pv := ts.ts[grid[prev]]
				for j := prev + 1; j < i; j++ {
					out[grid[j]] = pv + (v-pv)*float64(j-prev)/float64(i-prev)
				}
			}
			prev = i
		}
	default:
		return mxValue{}, fmt.Errorf("FILL's second argument must be a number, a series, REPEAT or LINEAR")
	}
	return mxValue{kind: mxTS, ts: out}, nil
}

// sumValue is SUM([ts, ...]), the series of sums across the list at the union
// of their timestamps, or SUM(ts), the sum over time.
func sumValue(v mxValue) (mxValue, error) {
	switch v.kind {
	case mxList:
		out := mxSeries{}
		for _, k := range unionKeys(v.list...) {
			var s float64
			for _, x := range v.list {
				s += x.ts[k]
			}
			out[k] = s
		}
		return mxValue{kind: mxTS, ts: out}, nil
	case mxTS:
		var s float64
		for _, x := range v.ts {
			s += x
		}
		return mxValue{kind: mxScalar, num: s}, nil
	}
	return mxValue{}, fmt.Errorf("SUM takes a list of series or a series, not %s", v.kind)
}
