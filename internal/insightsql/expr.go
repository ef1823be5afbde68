package insightsql

import (
	"bytes"
	"regexp"
)

type opcode uint8

const (
	opField   opcode = iota // rec[slot]
	opLit                   // lit
	opNeg                   // -l
	opArith                 // l sub r, sub in + - * /
	opCmp                   // l cmp r
	opIn                    // l in list (not in when neg)
	opLike                  // l like re/pat (not like when neg)
	opAnd                   // l and r
	opOr                    // l or r
	opNot                   // not l
	opPresent               // ispresent(rec[slot])
	opEmpty                 // isempty(rec[slot])
	opBlank                 // isblank(rec[slot])
)

type cmpOp uint8

const (
	cmpEq cmpOp = iota
	cmpNe
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

var cmpOps = map[string]cmpOp{"=": cmpEq, "!=": cmpNe, "<": cmpLt, "<=": cmpLe, ">": cmpGt, ">=": cmpGe}

// expr is a node of a compiled filter expression. It is immutable after
// parsing.
type expr struct {
	op     opcode
	arith  byte
	cmp    cmpOp
	neg    bool
	isBool bool // a condition rather than a value
	isTime bool // a field known to hold timestamps
	slot   int
	pos    int
	lit    val
	list   []val
	re     *regexp.Regexp
	pat    []byte
	l, r   *expr
}

// evalCtx holds per-run scratch space for rendering computed values.
type evalCtx struct {
	s1, s2 []byte
}

func newEvalCtx() *evalCtx {
	return &evalCtx{s1: make([]byte, 0, 64), s2: make([]byte, 0, 64)}
}

func (c *evalCtx) value(e *expr, rec []val) val {
	switch e.op {
	case opField:
		return rec[e.slot]
	case opLit:
		return e.lit
	case opNeg:
		f, ok := c.value(e.l, rec).number()
		if !ok {
			return val{}
		}
		return val{k: kNum, f: -f}
	case opArith:
		a, ok := c.value(e.l, rec).number()
		if !ok {
			return val{}
		}
		b, ok := c.value(e.r, rec).number()
		if !ok {
			return val{}
		}
		var f float64
		switch e.arith {
		case '+':
			f = a + b
		case '-':
			f = a - b
		case '*':
			f = a * b
		case '/':
			if b == 0 {
				return val{}
			}
			f = a / b
		}
		return val{k: kNum, f: f}
	}
	// A condition used as a value cannot be built by the parser.
	return val{}
}

func (c *evalCtx) test(e *expr, rec []val) bool {
	switch e.op {
	case opAnd:
		return c.test(e.l, rec) && c.test(e.r, rec)
	case opOr:
		return c.test(e.l, rec) || c.test(e.r, rec)
	case opNot:
		return !c.test(e.l, rec)
	case opCmp:
		return c.compare(c.value(e.l, rec), c.value(e.r, rec), e.cmp)
	case opIn:
		v := c.value(e.l, rec)
		if v.missing() {
			return false
		}
		for _, w := range e.list {
			if c.compare(v, w, cmpEq) {
				return !e.neg
			}
		}
		return e.neg
	case opLike:
		v := c.value(e.l, rec)
		if v.missing() {
			return false
		}
		t := v.text(c.s1)
		var m bool
		if e.re != nil {
			m = e.re.Match(t)
		} else {
			m = bytes.Contains(t, e.pat)
		}
		return m != e.neg
	case opPresent:
		return !rec[e.slot].missing()
	case opEmpty:
		v := rec[e.slot]
		return v.missing() || len(v.text(c.s1)) == 0
	case opBlank:
		v := rec[e.slot]
		return v.missing() || len(bytes.TrimSpace(v.text(c.s1))) == 0
	}
	return false
}

// compare applies a comparison operator. A missing operand makes every
// comparison false, != included. When either side is a number (a JSON
// number, a numeric literal, an arithmetic result) and the other side is
// numeric too (including a string holding a decimal number), the comparison
// is numeric. A number against a non-numeric string is never < <= > >=, and
// = / != compare the rendered texts. Two strings compare byte-wise.
func (c *evalCtx) compare(a, b val, op cmpOp) bool {
	if a.missing() || b.missing() {
		return false
	}
	if a.k != kStr || b.k != kStr {
		af, aok := a.number()
		bf, bok := b.number()
		if aok && bok {
			switch op {
			case cmpEq:
				return af == bf
			case cmpNe:
				return af != bf
			case cmpLt:
				return af < bf
			case cmpLe:
				return af <= bf
			case cmpGt:
				return af > bf
			case cmpGe:
				return af >= bf
			}
			return false
		}
		switch op {
		case cmpEq:
			return bytes.Equal(a.text(c.s1), b.text(c.s2))
		case cmpNe:
			return !bytes.Equal(a.text(c.s1), b.text(c.s2))
		}
		return false
	}
	r := bytes.Compare(a.b, b.b)
	switch op {
	case cmpEq:
		return r == 0
	case cmpNe:
		return r != 0
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	case cmpGe:
		return r >= 0
	}
	return false
}
