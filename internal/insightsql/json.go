package insightsql

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// pathNode is one segment of the trie of flattened field names a query
// references. The trie is built at parse time and only read afterwards, so a
// parsed Query can be shared between goroutines.
type pathNode struct {
	slot int // value slot for the field that ends here, or -1
	kids map[string]*pathNode
	// small lists the kids when there are few: a linear scan that compares
	// lengths first beats hashing every key of the document.
	small []kidEntry
}

type kidEntry struct {
	name string
	node *pathNode
}

const smallKids = 8

func newPathNode() *pathNode { return &pathNode{slot: -1} }

// insert adds the flattened name (segments separated by dots) and returns
// its node.
func (n *pathNode) insert(name string) *pathNode {
	for _, seg := range strings.Split(name, ".") {
		c := n.kids[seg]
		if c == nil {
			if n.kids == nil {
				n.kids = make(map[string]*pathNode)
			}
			c = newPathNode()
			n.kids[seg] = c
			n.small = nil
			if len(n.kids) <= smallKids {
				for name, node := range n.kids {
					n.small = append(n.small, kidEntry{name, node})
				}
			}
		}
		n = c
	}
	return n
}

// child finds the node for an object key. A key that itself contains dots
// flattens to several segments, so {"a.b":1} and {"a":{"b":1}} both produce
// the field a.b.
func (n *pathNode) child(key []byte) *pathNode {
	for n != nil {
		if n.small != nil {
			for _, k := range n.small {
				if len(k.name) == len(key) && k.name == string(key) {
					return k.node
				}
			}
		} else if c, ok := n.kids[string(key)]; ok {
			return c
		}
		i := bytes.IndexByte(key, '.')
		if i < 0 {
			return nil
		}
		n = n.kids[string(key[:i])]
		key = key[i+1:]
	}
	return nil
}

// maxDepth bounds nesting, as encoding/json does.
const maxDepth = 10000

// extractor pulls the values of the referenced fields out of one JSON
// document in a single pass, without building any tree: subtrees that hold no
// referenced field are validated and skipped.
type extractor struct {
	root *pathNode
	vals []val    // the event's value slots (shared with the runner)
	bufs [][]byte // per-slot buffers for unescaped strings and numbers
	key  []byte   // buffer for an escaped object key
	idx  []byte   // buffer for an array index
	data []byte
	pos  int
}

var (
	trueText  = []byte("true")
	falseText = []byte("false")
	nullText  = []byte("null")
)

// extract fills the JSON slots from msg. It reports false, leaving every JSON
// slot missing, when msg is not a JSON object (plain text, an array, invalid
// or truncated JSON): such an event has only the system fields.
func (x *extractor) extract(msg []byte, slots []int) bool {
	for _, s := range slots {
		x.vals[s] = val{}
	}
	x.data, x.pos = msg, 0
	x.space()
	if x.pos >= len(msg) || msg[x.pos] != '{' {
		x.data = nil
		return false
	}
	ok := x.value(x.root, 0)
	if ok {
		x.space()
		ok = x.pos == len(msg)
	}
	x.data = nil
	if !ok {
		for _, s := range slots {
			x.vals[s] = val{}
		}
	}
	return ok
}

func (x *extractor) space() {
	for x.pos < len(x.data) {
		switch x.data[x.pos] {
		case ' ', '\t', '\n', '\r':
			x.pos++
		default:
			return
		}
	}
}

// value parses one JSON value at x.pos. n is the trie node for the value's
// flattened name, or nil when nothing below it is referenced.
func (x *extractor) value(n *pathNode, depth int) bool {
	x.space()
	if x.pos >= len(x.data) {
		return false
	}
	slot := -1
	if n != nil {
		slot = n.slot
	}
	switch c := x.data[x.pos]; c {
	case '{':
		if slot >= 0 {
			x.vals[slot] = val{} // only scalar leaves are fields
		}
		if depth >= maxDepth {
			return false
		}
		return x.object(n, depth+1)
	case '[':
		if slot >= 0 {
			x.vals[slot] = val{}
		}
		if depth >= maxDepth {
			return false
		}
		return x.array(n, depth+1)
	case '"':
		start := x.pos + 1
		end, esc, ok := x.str()
		if !ok {
			return false
		}
		if slot >= 0 {
			b := x.data[start:end]
			if esc {
				x.bufs[slot] = unescape(x.bufs[slot][:0], b)
				b = x.bufs[slot]
			}
			x.vals[slot] = val{k: kStr, b: b}
		}
		return true
	case 't':
		return x.literal(trueText, slot, true)
	case 'f':
		return x.literal(falseText, slot, true)
	case 'n':
		return x.literal(nullText, slot, false)
	default:
		if c != '-' && !isDigit(c) {
			return false
		}
		start := x.pos
		isInt, ok := x.number()
		if !ok {
			return false
		}
		if slot >= 0 {
			raw := x.data[start:x.pos]
			f, fok := parseNumber(raw)
			switch {
			case !fok: // beyond float64: keep the text, not a number
				x.vals[slot] = val{k: kStr, b: raw}
			case isInt:
				x.vals[slot] = val{k: kNum, f: f, b: raw}
			default:
				x.bufs[slot] = appendNum(x.bufs[slot][:0], f)
				x.vals[slot] = val{k: kNum, f: f, b: x.bufs[slot]}
			}
		}
		return true
	}
}

func (x *extractor) literal(word []byte, slot int, present bool) bool {
	if !bytes.HasPrefix(x.data[x.pos:], word) {
		return false
	}
	x.pos += len(word)
	if slot >= 0 {
		if present {
			x.vals[slot] = val{k: kStr, b: word}
		} else {
			x.vals[slot] = val{} // JSON null is treated as a missing field
		}
	}
	return true
}

func (x *extractor) object(n *pathNode, depth int) bool {
	x.pos++ // '{'
	x.space()
	if x.pos < len(x.data) && x.data[x.pos] == '}' {
		x.pos++
		return true
	}
	for {
		x.space()
		if x.pos >= len(x.data) || x.data[x.pos] != '"' {
			return false
		}
		start := x.pos + 1
		end, esc, ok := x.str()
		if !ok {
			return false
		}
		var c *pathNode
		if n != nil && n.kids != nil {
			key := x.data[start:end]
			if esc {
				x.key = unescape(x.key[:0], key)
				key = x.key
			}
			c = n.child(key)
		}
		x.space()
		if x.pos >= len(x.data) || x.data[x.pos] != ':' {
			return false
		}
		x.pos++
		if !x.value(c, depth) {
			return false
		}
		x.space()
		if x.pos >= len(x.data) {
			return false
		}
		switch x.data[x.pos] {
		case ',':
			x.pos++
		case '}':
			x.pos++
			return true
		default:
			return false
		}
	}
}

func (x *extractor) array(n *pathNode, depth int) bool {
	x.pos++ // '['
	x.space()
	if x.pos < len(x.data) && x.data[x.pos] == ']' {
		x.pos++
		return true
	}
	for i := 0; ; i++ {
		var c *pathNode
		if n != nil && n.kids != nil {
			x.idx = strconv.AppendInt(x.idx[:0], int64(i), 10)
			c = n.kids[string(x.idx)]
		}
		if !x.value(c, depth) {
			return false
		}
		x.space()
		if x.pos >= len(x.data) {
			return false
		}
		switch x.data[x.pos] {
		case ',':
			x.pos++
		case ']':
			x.pos++
			return true
		default:
			return false
		}
	}
}

// strPlain marks the bytes that need no attention inside a JSON string.
var strPlain = func() (t [256]bool) {
	for i := 0x20; i < 256; i++ {
		t[i] = true
	}
	t['"'], t['\\'] = false, false
	return t
}()

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasSpecial reports whether any of the eight bytes in w is a control
// character, a quote or a backslash (the bytes strPlain rejects).
func hasSpecial(w uint64) bool {
	ctl := (w - 0x20*lsb) &^ w & msb
	q := w ^ ('"' * lsb)
	q = (q - lsb) &^ q & msb
	bs := w ^ ('\\' * lsb)
	bs = (bs - lsb) &^ bs & msb
	return ctl|q|bs != 0
}

// str validates the string starting at the quote at x.pos and leaves x.pos
// after the closing quote. end is the offset of the closing quote; esc
// reports whether the content holds escapes.
func (x *extractor) str() (end int, esc, ok bool) {
	d := x.data
	i := x.pos + 1
	for {
		// Skip eight plain bytes at a time, then finish byte by byte.
		for i+8 <= len(d) && !hasSpecial(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && strPlain[d[i]] {
			i++
		}
		if i >= len(d) {
			return 0, false, false
		}
		switch d[i] {
		case '"':
			x.pos = i + 1
			return i, esc, true
		case '\\':
			esc = true
			if i+1 >= len(d) {
				return 0, false, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) {
					return 0, false, false
				}
				for _, h := range d[i+2 : i+6] {
					if hexVal(h) < 0 {
						return 0, false, false
					}
				}
				i += 6
			default:
				return 0, false, false
			}
		default: // control character
			return 0, false, false
		}
	}
}

// number validates a JSON number at x.pos; isInt reports that it has neither
// a fraction nor an exponent.
func (x *extractor) number() (isInt, ok bool) {
	d := x.data
	i := x.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return false, false
	}
	isInt = true
	if i < len(d) && d[i] == '.' {
		isInt = false
		i++
		j := i
		for i < len(d) && isDigit(d[i]) {
			i++
		}
		if i == j {
			return false, false
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		isInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && isDigit(d[i]) {
			i++
		}
		if i == j {
			return false, false
		}
	}
	x.pos = i
	return isInt, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// unescape appends the decoded content of an already validated JSON string.
// Unpaired surrogates become U+FFFD, as with encoding/json.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			dst = append(dst, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hex4(s[i+2:])); r2 != utf8.RuneError {
						dst = utf8.AppendRune(dst, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			continue
		default: // " \ /
			dst = append(dst, s[i+1])
		}
		i += 2
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		r = r<<4 | rune(hexVal(c))
	}
	return r
}
