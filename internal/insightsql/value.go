package insightsql

import (
	"bytes"
	"math"
	"strconv"
	"time"
)

// kind is the dynamic type of a value during evaluation.
type kind uint8

const (
	kMissing kind = iota // field absent (or JSON null, or an object/array)
	kStr                 // a string (JSON strings, booleans, @message, ...)
	kNum                 // a number (JSON numbers, numeric literals, arithmetic, aggregates)
	kTime                // a timestamp in epoch milliseconds (@timestamp, bin(...))
)

// val is one value. For kStr b is the text. For kNum f is the number and b
// its rendered text, or nil when the text has not been produced (arithmetic
// results). For kTime f holds epoch milliseconds and b is nil.
type val struct {
	b []byte
	f float64
	k kind
}

func (v val) missing() bool { return v.k == kMissing }

func strVal(s string) val { return val{k: kStr, b: []byte(s)} }

func numVal(f float64) val { return val{k: kNum, f: f, b: appendNum(nil, f)} }

// number returns v as a number when it has one: numbers and timestamps
// always, strings when their whole text is a decimal number.
func (v val) number() (float64, bool) {
	switch v.k {
	case kNum, kTime:
		return v.f, true
	case kStr:
		return parseNumber(v.b)
	}
	return 0, false
}

// text returns the rendered text of v, using scratch when it has to be
// produced. It returns nil for a missing value.
func (v val) text(scratch []byte) []byte {
	switch v.k {
	case kStr:
		return v.b
	case kNum:
		if v.b != nil {
			return v.b
		}
		return appendNum(scratch[:0], v.f)
	case kTime:
		return appendTime(scratch[:0], int64(v.f))
	}
	return nil
}

func (v val) String() string { return string(v.text(nil)) }

// clone returns a copy of v that does not alias any event buffer.
func (v val) clone() val {
	if v.b != nil {
		v.b = bytes.Clone(v.b)
	}
	return v
}

// parseNumber parses a decimal number: an optional minus sign, digits, an
// optional fraction and an optional exponent. Anything else (white space,
// a plus sign, hex, "NaN", "Inf", "1.") is not a number.
func parseNumber(b []byte) (float64, bool) {
	n := len(b)
	if n == 0 {
		return 0, false
	}
	i := 0
	if b[0] == '-' {
		i++
	}
	digits := i
	var iv uint64
	for i < n && isDigit(b[i]) {
		iv = iv*10 + uint64(b[i]-'0')
		i++
	}
	nd := i - digits
	if nd == 0 {
		return 0, false
	}
	if i == n && nd <= 15 {
		f := float64(iv)
		if b[0] == '-' {
			f = -f
		}
		return f, true
	}
	if i < n && b[i] == '.' {
		i++
		j := i
		for i < n && isDigit(b[i]) {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < n && isDigit(b[i]) {
			i++
		}
		if i == j {
			return 0, false
		}
	}
	if i != n {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// appendNum renders a number the way results show it: no exponent and no
// trailing ".0" for integral values, the shortest round-tripping decimal
// otherwise; exponent form only outside [1e-6, 1e21).
func appendNum(dst []byte, f float64) []byte {
	if f == 0 {
		return append(dst, '0')
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	}
	a := math.Abs(f)
	if a >= 1e21 || a < 1e-6 {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// timeLayout is how GetQueryResults renders timestamps.
const timeLayout = "2006-01-02 15:04:05.000"

func appendTime(dst []byte, ms int64) []byte {
	return time.UnixMilli(ms).UTC().AppendFormat(dst, timeLayout)
}

// compareSort orders two present values the way the Logs Insights sort
// command documents for ascending order: every non-number value comes
// before every number value; numbers compare by value; other text is
// compared in chunks of consecutive digits and consecutive non-digits, digit
// chunks by length and then by value, other chunks by Unicode code point.
// Exact ties fall back to byte order so the result is deterministic.
func compareSort(a, b val, sa, sb []byte) int {
	af, an := a.number()
	bf, bn := b.number()
	switch {
	case an && bn:
		switch {
		case af < bf:
			return -1
		case af > bf:
			return 1
		}
		return bytes.Compare(a.text(sa), b.text(sb))
	case an:
		return 1
	case bn:
		return -1
	}
	at, bt := a.text(sa), b.text(sb)
	if c := naturalCompare(at, bt); c != 0 {
		return c
	}
	return bytes.Compare(at, bt)
}

func naturalCompare(a, b []byte) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ad, bd := isDigit(a[i]), isDigit(b[j])
		ie, je := i+1, j+1
		for ie < len(a) && isDigit(a[ie]) == ad {
			ie++
		}
		for je < len(b) && isDigit(b[je]) == bd {
			je++
		}
		ca, cb := a[i:ie], b[j:je]
		switch {
		case ad && bd:
			if len(ca) != len(cb) {
				if len(ca) < len(cb) {
					return -1
				}
				return 1
			}
			if c := bytes.Compare(ca, cb); c != 0 {
				return c
			}
		case !ad && !bd:
			// UTF-8 byte order is Unicode code-point order.
			if c := bytes.Compare(ca, cb); c != 0 {
				return c
			}
		default:
			// A digit against a non-digit: their code points decide.
			if a[i] < b[j] {
				return -1
			}
			return 1
		}
		i, j = ie, je
	}
	switch {
	case i == len(a) && j == len(b):
		return 0
	case i == len(a):
		return -1
	}
	return 1
}
