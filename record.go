package cognitomon

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/text"
)

// ParseEvent decodes one CloudTrail record (the JSON of one element of a log
// file's Records array, or the CloudTrailEvent string of LookupEvents).
//
// It returns an error wrapping ErrNotUserPoolEvent for a well-formed object
// whose eventSource is not cognito-idp.amazonaws.com (identity-pool records
// from cognito-identity.amazonaws.com are not user-pool records), and an error
// saying what is wrong for data that is not a JSON object, or for a user-pool
// record without an eventName or with an eventTime that is not RFC 3339.
// The JSON is validated as encoding/json would (RFC 8259, at most 10,000
// levels of nesting). Event.Raw is a copy of data. ParseEvent never panics.
func ParseEvent(data []byte) (Event, error) {
	return parseRecord(data, false)
}

// rawRecord is the part of a CloudTrail record that Event is built from.
type rawRecord struct {
	eventTime                                     []byte // valid while the record's data is
	eventSource, eventName, eventType             string
	awsRegion, sourceIP, userAgent                string
	errorCode, errorMessage, requestID, eventID   string
	recipient                                     string
	readOnly                                      bool
	callerType, callerARN                         string
	reqAuthFlow, reqClientID, reqPoolID, reqChall string
	respPoolID, respClientID, respClientPoolID    string
	adSub, adPoolID, adClientID                   string
	adClientIDs, adGrantTypes, adSubs             string // the first elements of the arrays
	adStatus                                      string // the status's number literal
	resourcePoolID                                string
}

// parseRecord is ParseEvent; owned says whether data may be kept as Raw
// without a copy.
func parseRecord(data []byte, owned bool) (Event, error) {
	return parseCached(data, owned, nil)
}

// parseCached is parseRecord taking the strings that repeat from record to
// record from cache, which may be nil.
func parseCached(data []byte, owned bool, cache *stringCache) (Event, error) {
	d := recordDecoder{data: data, cache: cache}
	d.skipSpace()
	if d.pos >= len(data) {
		return Event{}, errors.New("empty record")
	}
	if c := data[d.pos]; c != '{' {
		return Event{}, fmt.Errorf("record is not a JSON object: it starts with %q", c)
	}
	var r rawRecord
	err := d.object(1, func(key []byte, depth int) error { return d.topMember(&r, key, depth) })
	if err == nil {
		d.skipSpace()
		if d.pos < len(data) {
			err = d.syntaxError("invalid character %q after top-level value", data[d.pos])
		}
	}
	if err != nil {
		return Event{}, fmt.Errorf("malformed record: %w", err)
	}
	if r.eventSource != UserPoolEventSource {
		if r.eventSource == "" {
			return Event{}, fmt.Errorf("%w: the record has no eventSource", ErrNotUserPoolEvent)
		}
		return Event{}, fmt.Errorf("%w: eventSource is %q", ErrNotUserPoolEvent, text.Truncate(r.eventSource))
	}
	if r.eventName == "" {
		return Event{}, errors.New("user pool record has no eventName")
	}
	t, err := parseEventTime(r.eventTime)
	if err != nil {
		return Event{}, fmt.Errorf("user pool record %s has eventTime %q, not an RFC 3339 time", text.Truncate(r.eventName), text.Truncate(string(r.eventTime)))
	}
	raw := data
	if !owned {
		raw = bytes.Clone(data)
	}
	return Event{
		EventID:       r.eventID,
		Time:          t.UTC(),
		Name:          r.eventName,
		Type:          EventType(r.eventType),
		ErrorCode:     r.errorCode,
		ErrorMessage:  r.errorMessage,
		SourceIP:      r.sourceIP,
		UserAgent:     r.userAgent,
		UserPoolID:    UserPoolID(firstUnredacted(r.adPoolID, r.reqPoolID, r.resourcePoolID, r.respPoolID, r.respClientPoolID)),
		ClientID:      ClientID(firstUnredacted(r.reqClientID, r.adClientIDs, r.adClientID, r.respClientID)),
		AuthFlow:      unredacted(r.reqAuthFlow),
		ChallengeName: unredacted(r.reqChall),
		GrantType:     unredacted(r.adGrantTypes),
		Sub:           firstUnredacted(r.adSub, r.adSubs),
		HTTPStatus:    parseHTTPStatus(r.adStatus),
		CallerType:    r.callerType,
		CallerARN:     r.callerARN,
		Region:        r.awsRegion,
		Account:       r.recipient,
		RequestID:     r.requestID,
		ReadOnly:      r.readOnly,
		Raw:           raw,
	}, nil
}

// recordDecoder is a single-pass JSON decoder for one CloudTrail record. It
// validates the whole record as encoding/json would (RFC 8259, at most
// 10,000 levels of nesting) but decodes only the members that Event needs,
// matching keys exactly. A member that occurs twice counts with its last
// value, and a value of an unexpected JSON type counts as absent. Strings
// with escapes or non-ASCII bytes are unquoted by encoding/json, so they
// read exactly as it reads them.
type recordDecoder struct {
	data  []byte
	pos   int
	cache *stringCache // nil: every string is allocated
}

// stringCache holds one copy of each string that repeats from record to
// record (names, Regions, user agents, client and pool IDs, error codes),
// so that decoding them allocates nothing. It is bounded; it is not safe
// for concurrent use.
type stringCache struct{ m map[string]string }

// maxCachedStrings and maxCachedLen bound a stringCache: past them,
// strings are allocated as without one.
const (
	maxCachedStrings = 4096
	maxCachedLen     = 512
)

func (c *stringCache) get(b []byte) string {
	if c == nil {
		return string(b)
	}
	if s, ok := c.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= maxCachedLen && len(c.m) < maxCachedStrings {
		if c.m == nil {
			c.m = make(map[string]string)
		}
		c.m[s] = s
	}
	return s
}

// parseEventTime parses an RFC 3339 eventTime as time.Parse with
// time.RFC3339Nano does, without allocating for CloudTrail's own form
// (2026-03-02T10:00:01Z).
func parseEventTime(b []byte) (time.Time, error) {
	if len(b) == 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[19] == 'Z' {
		year, ok1 := digits(b[0:4])
		month, ok2 := digits(b[5:7])
		day, ok3 := digits(b[8:10])
		hour, ok4 := digits(b[11:13])
		minute, ok5 := digits(b[14:16])
		sec, ok6 := digits(b[17:19])
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && month >= 1 && month <= 12 && day >= 1 && hour < 24 && minute < 60 && sec < 60 {
			t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
			if t.Day() == day { // not normalized from a day past the month's end
				return t, nil
			}
		}
	}
	return time.Parse(time.RFC3339Nano, string(b))
}

// digits returns the value of b if it is all ASCII digits.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

const maxJSONDepth = 10000

// recordSyntaxError is a syntax error at a byte offset of the record.
type recordSyntaxError struct {
	msg    string
	offset int
}

func (e *recordSyntaxError) Error() string {
	return e.msg + " at offset " + strconv.Itoa(e.offset)
}

func (d *recordDecoder) syntaxError(format string, args ...any) error {
	return &recordSyntaxError{msg: fmt.Sprintf(format, args...), offset: d.pos}
}

func (d *recordDecoder) eof() error {
	return &recordSyntaxError{msg: "unexpected end of JSON input", offset: len(d.data)}
}

func (d *recordDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\r', '\n':
			d.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte.
func (d *recordDecoder) peek() (byte, error) {
	d.skipSpace()
	if d.pos >= len(d.data) {
		return 0, d.eof()
	}
	return d.data[d.pos], nil
}

// object decodes the object at pos, calling member for each key (unquoted)
// with pos before the value, which member must consume. depth is the
// object's own nesting level.
func (d *recordDecoder) object(depth int, member func(key []byte, depth int) error) error {
	if depth > maxJSONDepth {
		return d.syntaxError("exceeded max depth")
	}
	d.pos++ // '{'
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == '}' {
		d.pos++
		return nil
	}
	for {
		c, err := d.peek()
		if err != nil {
			return err
		}
		if c != '"' {
			return d.syntaxError("invalid character %q looking for beginning of object key string", c)
		}
		tok, simple, err := d.str()
		if err != nil {
			return err
		}
		if c, err := d.peek(); err != nil {
			return err
		} else if c != ':' {
			return d.syntaxError("invalid character %q after object key", c)
		}
		d.pos++
		if member == nil {
			err = d.skipValue(depth)
		} else {
			err = member(unquote(tok, simple), depth)
		}
		if err != nil {
			return err
		}
		c, err = d.peek()
		if err != nil {
			return err
		}
		d.pos++
		switch c {
		case ',':
		case '}':
			return nil
		default:
			d.pos--
			return d.syntaxError("invalid character %q after object key:value pair", c)
		}
	}
}

// array decodes the array at pos, calling elem for each element with pos
// before it, which elem must consume.
func (d *recordDecoder) array(depth int, elem func(i, depth int) error) error {
	if depth > maxJSONDepth {
		return d.syntaxError("exceeded max depth")
	}
	d.pos++ // '['
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		if elem == nil {
			err = d.skipValue(depth)
		} else {
			err = elem(i, depth)
		}
		if err != nil {
			return err
		}
		c, err := d.peek()
		if err != nil {
			return err
		}
		d.pos++
		switch c {
		case ',':
		case ']':
			return nil
		default:
			d.pos--
			return d.syntaxError("invalid character %q after array element", c)
		}
	}
}

// skipValue validates and consumes the value at pos; depth is the nesting
// level of the value's container.
func (d *recordDecoder) skipValue(depth int) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{':
		return d.object(depth+1, nil)
	case c == '[':
		return d.array(depth+1, nil)
	case c == '"':
		_, _, err := d.str()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		_, err := d.number()
		return err
	}
	return d.syntaxError("invalid character %q looking for beginning of value", c)
}

func (d *recordDecoder) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if d.pos >= len(d.data) {
			return d.eof()
		}
		if d.data[d.pos] != lit[i] {
			return d.syntaxError("invalid character %q in literal %s (expecting %q)", d.data[d.pos], lit, lit[i])
		}
		d.pos++
	}
	return nil
}

// number consumes a number and returns its text.
func (d *recordDecoder) number() ([]byte, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos >= len(d.data):
		return nil, d.eof()
	case d.data[d.pos] == '0':
		d.pos++
	case d.data[d.pos] >= '1' && d.data[d.pos] <= '9':
		digits()
	default:
		return nil, d.syntaxError("invalid character %q in numeric literal", d.data[d.pos])
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if d.pos >= len(d.data) {
			return nil, d.eof()
		}
		if digits() == 0 {
			return nil, d.syntaxError("invalid character %q after decimal point in numeric literal", d.data[d.pos])
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return nil, d.eof()
		}
		if digits() == 0 {
			return nil, d.syntaxError("invalid character %q in exponent of numeric literal", d.data[d.pos])
		}
	}
	return d.data[start:d.pos], nil
}

// str consumes a string and returns it with its quotes. simple is true when
// it has neither escapes nor non-ASCII bytes, so that its bytes between the
// quotes are its value.
func (d *recordDecoder) str() (tok []byte, simple bool, err error) {
	data := d.data
	start := d.pos
	i := start + 1
	simple = true
	for {
		// Skip 8 plain bytes at a time, then find the special byte.
		for i+8 <= len(data) && !hasSpecialByte(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		for i < len(data) {
			c := data[i]
			if c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
				break
			}
			i++
		}
		if i >= len(data) {
			return nil, false, d.eof()
		}
		switch c := data[i]; {
		case c == '"':
			d.pos = i + 1
			return data[start:d.pos], simple, nil
		case c == '\\':
			simple = false
			if i+1 >= len(data) {
				return nil, false, d.eof()
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := i + 2; k < i+6; k++ {
					if k >= len(data) {
						return nil, false, d.eof()
					}
					if !isHex(data[k]) {
						d.pos = k
						return nil, false, d.syntaxError("invalid character %q in \\u hexadecimal character escape", data[k])
					}
				}
				i += 6
			default:
				d.pos = i + 1
				return nil, false, d.syntaxError("invalid character %q in string escape code", data[i+1])
			}
		case c < 0x20:
			d.pos = i
			return nil, false, d.syntaxError("invalid character %q in string literal", c)
		default:
			simple = false
			i++
		}
	}
}

// hasSpecialByte reports whether any of the 8 bytes in x is a quote, a
// backslash, a control character or a non-ASCII byte. Each term sets the
// high bit of a byte that is (or, by borrowing, follows) such a byte.
func hasSpecialByte(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ ('"' * lo)
	bs := x ^ ('\\' * lo)
	return ((q-lo)&^q|(bs-lo)&^bs|(x-0x20*lo)&^x|x)&hi != 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote returns the value of a valid string token.
func unquote(tok []byte, simple bool) []byte {
	if simple {
		return tok[1 : len(tok)-1]
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return nil // unreachable for a token that str accepted
	}
	return []byte(s)
}

// stringValue consumes a value and returns it if it is a string, else "".
func (d *recordDecoder) stringValue(depth int) (string, error) {
	c, err := d.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", d.skipValue(depth)
	}
	tok, simple, err := d.str()
	if err != nil {
		return "", err
	}
	return string(unquote(tok, simple)), nil
}

// cachedValue is stringValue for a member whose values repeat.
func (d *recordDecoder) cachedValue(depth int) (string, error) {
	c, err := d.peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", d.skipValue(depth)
	}
	tok, simple, err := d.str()
	if err != nil {
		return "", err
	}
	return d.cache.get(unquote(tok, simple)), nil
}

// bytesValue is stringValue returning the bytes, which may be a part of
// the data.
func (d *recordDecoder) bytesValue(depth int) ([]byte, error) {
	c, err := d.peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, d.skipValue(depth)
	}
	tok, simple, err := d.str()
	if err != nil {
		return nil, err
	}
	return unquote(tok, simple), nil
}

// boolValue consumes a value and returns it if it is true, else false.
func (d *recordDecoder) boolValue(depth int) (bool, error) {
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	if c == 't' {
		return true, d.literal("true")
	}
	return false, d.skipValue(depth)
}

// numberText consumes a value and returns its text if it is a number, or
// the content of a string that is a valid number (as encoding/json accepts
// for json.Number), else "".
func (d *recordDecoder) numberText(depth int) (string, error) {
	c, err := d.peek()
	if err != nil {
		return "", err
	}
	switch {
	case c == '-' || c >= '0' && c <= '9':
		n, err := d.number()
		return string(n), err
	case c == '"':
		s, err := d.stringValue(depth)
		if err != nil || !isJSONNumber(s) {
			return "", err
		}
		return s, nil
	}
	return "", d.skipValue(depth)
}

func isJSONNumber(s string) bool {
	if s == "" {
		return false
	}
	d := recordDecoder{data: []byte(s)}
	_, err := d.number()
	return err == nil && d.pos == len(s)
}

// firstString consumes a value and returns its first element if it is an
// array whose first element is a string, else "", from the cache when
// cached is set.
func (d *recordDecoder) firstString(depth int, cached bool) (string, error) {
	c, err := d.peek()
	if err != nil {
		return "", err
	}
	if c != '[' {
		return "", d.skipValue(depth)
	}
	var first string
	err = d.array(depth+1, func(i, depth int) error {
		if i > 0 {
			return d.skipValue(depth)
		}
		var err error
		if cached {
			first, err = d.cachedValue(depth)
		} else {
			first, err = d.stringValue(depth)
		}
		return err
	})
	return first, err
}

// objectValue consumes a value, calling member for its members if it is an
// object.
func (d *recordDecoder) objectValue(depth int, member func(key []byte, depth int) error) error {
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return d.skipValue(depth)
	}
	return d.object(depth+1, member)
}

// topMember decodes one member of the record.
func (d *recordDecoder) topMember(r *rawRecord, key []byte, depth int) (err error) {
	str := func(dst *string) error {
		*dst, err = d.stringValue(depth)
		return err
	}
	cached := func(dst *string) error {
		*dst, err = d.cachedValue(depth)
		return err
	}
	switch string(key) {
	case "eventTime":
		r.eventTime, err = d.bytesValue(depth)
		return err
	case "eventSource":
		return cached(&r.eventSource)
	case "eventName":
		return cached(&r.eventName)
	case "eventType":
		return cached(&r.eventType)
	case "awsRegion":
		return cached(&r.awsRegion)
	case "sourceIPAddress":
		return str(&r.sourceIP)
	case "userAgent":
		return cached(&r.userAgent)
	case "errorCode":
		return cached(&r.errorCode)
	case "errorMessage":
		return cached(&r.errorMessage)
	case "requestID":
		return str(&r.requestID)
	case "eventID":
		return str(&r.eventID)
	case "recipientAccountId":
		return cached(&r.recipient)
	case "readOnly":
		r.readOnly, err = d.boolValue(depth)
		return err
	case "userIdentity":
		r.callerType, r.callerARN = "", ""
		return d.objectValue(depth, func(key []byte, depth int) (err error) {
			switch string(key) {
			case "type":
				r.callerType, err = d.cachedValue(depth)
			case "arn":
				r.callerARN, err = d.cachedValue(depth)
			default:
				err = d.skipValue(depth)
			}
			return err
		})
	case "requestParameters":
		r.reqAuthFlow, r.reqClientID, r.reqPoolID, r.reqChall = "", "", "", ""
		return d.objectValue(depth, func(key []byte, depth int) (err error) {
			switch string(key) {
			case "authFlow":
				r.reqAuthFlow, err = d.cachedValue(depth)
			case "clientId":
				r.reqClientID, err = d.cachedValue(depth)
			case "userPoolId":
				r.reqPoolID, err = d.cachedValue(depth)
			case "challengeName":
				r.reqChall, err = d.cachedValue(depth)
			default:
				err = d.skipValue(depth)
			}
			return err
		})
	case "responseElements":
		r.respPoolID, r.respClientID, r.respClientPoolID = "", "", ""
		return d.objectValue(depth, func(key []byte, depth int) error {
			switch string(key) {
			case "userPool":
				r.respPoolID = ""
				return d.objectValue(depth, func(key []byte, depth int) (err error) {
					if string(key) == "id" {
						r.respPoolID, err = d.stringValue(depth)
						return err
					}
					return d.skipValue(depth)
				})
			case "userPoolClient":
				r.respClientID, r.respClientPoolID = "", ""
				return d.objectValue(depth, func(key []byte, depth int) (err error) {
					switch string(key) {
					case "clientId":
						r.respClientID, err = d.stringValue(depth)
					case "userPoolId":
						r.respClientPoolID, err = d.stringValue(depth)
					default:
						err = d.skipValue(depth)
					}
					return err
				})
			}
			return d.skipValue(depth)
		})
	case "additionalEventData":
		r.adSub, r.adPoolID, r.adClientID, r.adClientIDs, r.adGrantTypes, r.adSubs, r.adStatus = "", "", "", "", "", "", ""
		return d.objectValue(depth, func(key []byte, depth int) (err error) {
			switch string(key) {
			case "sub":
				r.adSub, err = d.stringValue(depth)
			case "userPoolId":
				r.adPoolID, err = d.cachedValue(depth)
			case "clientId":
				r.adClientID, err = d.cachedValue(depth)
			case "requestParameters":
				r.adClientIDs, r.adGrantTypes, r.adSubs = "", "", ""
				err = d.objectValue(depth, func(key []byte, depth int) (err error) {
					switch string(key) {
					case "client_id":
						r.adClientIDs, err = d.firstString(depth, true)
					case "grant_type":
						r.adGrantTypes, err = d.firstString(depth, true)
					case "sub":
						r.adSubs, err = d.firstString(depth, false)
					default:
						err = d.skipValue(depth)
					}
					return err
				})
			case "responseParameters":
				r.adStatus = ""
				err = d.objectValue(depth, func(key []byte, depth int) (err error) {
					if string(key) == "status" {
						r.adStatus, err = d.numberText(depth)
						return err
					}
					return d.skipValue(depth)
				})
			default:
				err = d.skipValue(depth)
			}
			return err
		})
	case "resources":
		r.resourcePoolID = ""
		c, err := d.peek()
		if err != nil {
			return err
		}
		if c != '[' {
			return d.skipValue(depth)
		}
		return d.array(depth+1, func(_, depth int) error {
			var arn string
			err := d.objectValue(depth, func(key []byte, depth int) (err error) {
				if string(key) == "ARN" {
					arn, err = d.stringValue(depth)
					return err
				}
				return d.skipValue(depth)
			})
			if r.resourcePoolID == "" {
				r.resourcePoolID = poolFromARN(arn)
			}
			return err
		})
	}
	return d.skipValue(depth)
}

// unredacted returns s, or "" when s is Cognito's redaction marker. AWS's own
// pages spell the marker two ways (FACTS.md 2.1).
func unredacted(s string) string {
	if s == "HIDDEN_DUE_TO_SECURITY_REASONS" || s == "HIDDEN_FOR_SECURITY_REASONS" {
		return ""
	}
	return s
}

// firstUnredacted returns the first of ss that is neither empty nor redacted.
func firstUnredacted(ss ...string) string {
	for _, s := range ss {
		if s = unredacted(s); s != "" {
			return s
		}
	}
	return ""
}

// poolFromARN returns the pool ID of a user-pool ARN
// ("arn:aws:cognito-idp:<region>:<account>:userpool/<id>"), or "".
func poolFromARN(arn string) string {
	if !strings.HasPrefix(arn, "arn:") || !strings.Contains(arn, ":cognito-idp:") {
		return ""
	}
	if _, id, ok := strings.Cut(arn, ":userpool/"); ok && id != "" && !strings.Contains(id, "/") {
		return id
	}
	return ""
}

// parseHTTPStatus converts responseParameters.status (200, 200.0 or "200") to an
// int, or 0 when it is absent or not a plausible status.
func parseHTTPStatus(n string) int {
	if n == "" {
		return 0
	}
	if i, err := strconv.Atoi(n); err == nil {
		if i < 0 || i > 999 {
			return 0
		}
		return i
	}
	f, err := strconv.ParseFloat(n, 64)
	if err != nil || f < 0 || f > 999 {
		return 0
	}
	return int(f)
}
