package insightsql

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cognitomon/cognitomon/internal/jsonscan"
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

// extractor pulls the values of the referenced fields out of one JSON
// document in a single pass of the project's one JSON scanner
// (internal/jsonscan), without building any tree: subtrees that hold no
// referenced field are validated and skipped.
type extractor struct {
	root *pathNode
	vals []val    // the event's value slots (shared with the runner)
	bufs [][]byte // per-slot buffers for unescaped strings and numbers
	key  []byte   // buffer for an escaped object key
	idx  []byte   // buffer for an array index
	sc   jsonscan.Scanner
}

var (
	trueText  = []byte("true")
	falseText = []byte("false")
)

// extract fills the JSON slots from msg. It reports false, leaving every JSON
// slot missing, when msg is not a JSON object (plain text, an array, invalid
// or truncated JSON): such an event has only the system fields.
func (x *extractor) extract(msg []byte, slots []int) bool {
	for _, s := range slots {
		x.vals[s] = val{}
	}
	x.sc = jsonscan.Scanner{Data: msg}
	c, err := x.sc.Peek()
	if err != nil || c != '{' {
		x.sc.Data = nil
		return false
	}
	err = x.value(x.root, 0)
	if err == nil {
		x.sc.SkipSpace()
		if x.sc.Pos != len(msg) {
			err = errTrailing
		}
	}
	x.sc.Data = nil
	if err != nil {
		for _, s := range slots {
			x.vals[s] = val{}
		}
	}
	return err == nil
}

// errTrailing reports data after the document; only its being non-nil
// matters.
var errTrailing = errors.New("data after the top-level value")

// value parses one JSON value at the scanner's position. n is the trie
// node for the value's flattened name, or nil when nothing below it is
// referenced; level is the nesting level of the value's container.
func (x *extractor) value(n *pathNode, level int) error {
	sc := &x.sc
	c, err := sc.Peek()
	if err != nil {
		return err
	}
	slot := -1
	if n != nil {
		slot = n.slot
	}
	switch c {
	case '{':
		if slot >= 0 {
			x.vals[slot] = val{} // only scalar leaves are fields
		}
		if n == nil || n.kids == nil {
			return sc.Object(level+1, nil)
		}
		return sc.Object(level+1, func(key jsonscan.Str, level int) error {
			k := key.Content()
			if key.Escaped {
				x.key = unescape(x.key[:0], k)
				k = x.key
			}
			return x.value(n.child(k), level)
		})
	case '[':
		if slot >= 0 {
			x.vals[slot] = val{}
		}
		if n == nil || n.kids == nil {
			return sc.Array(level+1, nil)
		}
		return sc.Array(level+1, func(i, level int) error {
			x.idx = strconv.AppendInt(x.idx[:0], int64(i), 10)
			return x.value(n.kids[string(x.idx)], level)
		})
	case '"':
		t, err := sc.String()
		if err != nil {
			return err
		}
		if slot >= 0 {
			b := t.Content()
			if t.Escaped {
				x.bufs[slot] = unescape(x.bufs[slot][:0], b)
				b = x.bufs[slot]
			}
			x.vals[slot] = val{k: kStr, b: b}
		}
		return nil
	case 't':
		return x.literal("true", trueText, slot)
	case 'f':
		return x.literal("false", falseText, slot)
	case 'n':
		return x.literal("null", nil, slot)
	}
	if c != '-' && !isDigit(c) {
		return sc.Errorf("invalid character %q looking for beginning of value", c)
	}
	start := sc.Pos
	isInt, err := sc.Number()
	if err != nil {
		return err
	}
	if slot >= 0 {
		raw := sc.Data[start:sc.Pos]
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
	return nil
}

// literal consumes lit and stores text in the slot; a nil text (JSON
// null) is a missing field.
func (x *extractor) literal(lit string, text []byte, slot int) error {
	if err := x.sc.Literal(lit); err != nil {
		return err
	}
	if slot >= 0 {
		if text != nil {
			x.vals[slot] = val{k: kStr, b: text}
		} else {
			x.vals[slot] = val{}
		}
	}
	return nil
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
		r = r<<4 | rune(jsonscan.HexValue(c))
	}
	return r
}
