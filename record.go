package cognitomon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/jsonscan"
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
	d := recordDecoder{Scanner: jsonscan.Scanner{Data: data}, cache: cache}
	d.SkipSpace()
	if d.Pos >= len(data) {
		return Event{}, errors.New("empty record")
	}
	if c := data[d.Pos]; c != '{' {
		return Event{}, fmt.Errorf("record is not a JSON object: it starts with %q", c)
	}
	var r rawRecord
	err := d.object(1, func(key []byte, depth int) error { return d.topMember(&r, key, depth) })
	if err == nil {
		d.SkipSpace()
		if d.Pos < len(data) {
			err = d.Errorf("invalid character %q after top-level value", data[d.Pos])
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

// recordDecoder decodes one CloudTrail record with the one JSON scanner,
// internal/jsonscan, in a single pass. It
// validates the whole record as encoding/json would (RFC 8259, at most
// 10,000 levels of nesting) but decodes only the members that Event needs,
// matching keys exactly. A member that occurs twice counts with its last
// value, and a value of an unexpected JSON type counts as absent. Strings
// with escapes or non-ASCII bytes are unquoted by encoding/json, so they
// read exactly as it reads them.
type recordDecoder struct {
	jsonscan.Scanner
	cache *stringCache // nil: every string is allocated
}

// stringCache holds one copy of strings that repeat from record to record
// (names, Regions, user agents, client and pool IDs, error codes), so that
// decoding them allocates nothing. It is a direct-mapped table: a string
// whose slot holds another replaces it. Its zero value is empty; it is not
// safe for concurrent use.
type stringCache struct{ slots *[cacheSlots]string }

// cacheSlots is the size of a stringCache, and maxCachedLen the longest
// string it keeps.
const (
	cacheBits    = 10
	cacheSlots   = 1 << cacheBits
	maxCachedLen = 512
)

func (c *stringCache) get(b []byte) string {
	if c == nil || len(b) == 0 || len(b) > maxCachedLen {
		return string(b)
	}
	// A cheap hash of the length and a few bytes: repeated values are few,
	// so collisions are rare and cost only an allocation.
	h := uint32(len(b))*0x9e3779b1 ^ uint32(b[0])<<16 ^ uint32(b[len(b)-1])<<8 ^ uint32(b[len(b)/2])
	h ^= uint32(b[len(b)/4])<<24 ^ uint32(b[3*len(b)/4])
	h = (h * 0x85ebca6b) >> (32 - cacheBits)
	if c.slots == nil {
		c.slots = new([cacheSlots]string)
	}
	if s := c.slots[h]; s == string(b) {
		return s
	}
	s := string(b)
	c.slots[h] = s
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

// object decodes the object at Pos, calling member for each key,
// unquoted, with Pos before the value, which member must consume. depth is
// the object's own nesting level.
func (d *recordDecoder) object(depth int, member func(key []byte, depth int) error) error {
	return d.Object(depth, func(key jsonscan.Str, depth int) error { return member(unquote(key), depth) })
}

// unquote returns the value of a valid string token, as encoding/json
// reads it (invalid UTF-8 becomes U+FFFD).
func unquote(t jsonscan.Str) []byte {
	if t.Plain() {
		return t.Content()
	}
	var s string
	if err := json.Unmarshal(t.Tok, &s); err != nil {
		return nil // unreachable for a token that str accepted
	}
	return []byte(s)
}

// stringValue consumes a value and returns it if it is a string, else "".
func (d *recordDecoder) stringValue(depth int) (string, error) {
	c, err := d.Peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", d.Skip(depth)
	}
	t, err := d.String()
	if err != nil {
		return "", err
	}
	return string(unquote(t)), nil
}

// cachedValue is stringValue for a member whose values repeat.
func (d *recordDecoder) cachedValue(depth int) (string, error) {
	c, err := d.Peek()
	if err != nil {
		return "", err
	}
	if c != '"' {
		return "", d.Skip(depth)
	}
	t, err := d.String()
	if err != nil {
		return "", err
	}
	return d.cache.get(unquote(t)), nil
}

// bytesValue is stringValue returning the bytes, which may be a part of
// the data.
func (d *recordDecoder) bytesValue(depth int) ([]byte, error) {
	c, err := d.Peek()
	if err != nil {
		return nil, err
	}
	if c != '"' {
		return nil, d.Skip(depth)
	}
	t, err := d.String()
	if err != nil {
		return nil, err
	}
	return unquote(t), nil
}

// boolValue consumes a value and returns it if it is true, else false.
func (d *recordDecoder) boolValue(depth int) (bool, error) {
	c, err := d.Peek()
	if err != nil {
		return false, err
	}
	if c == 't' {
		return true, d.Literal("true")
	}
	return false, d.Skip(depth)
}

// numberText consumes a value and returns its text if it is a number, or
// the content of a string that is a valid number (as encoding/json accepts
// for json.Number), else "".
func (d *recordDecoder) numberText(depth int) (string, error) {
	c, err := d.Peek()
	if err != nil {
		return "", err
	}
	switch {
	case c == '-' || c >= '0' && c <= '9':
		start := d.Pos
		_, err := d.Number()
		return string(d.Data[start:d.Pos]), err
	case c == '"':
		s, err := d.stringValue(depth)
		if err != nil || !jsonscan.IsNumber([]byte(s)) {
			return "", err
		}
		return s, nil
	}
	return "", d.Skip(depth)
}

// firstString consumes a value and returns its first element if it is an
// array whose first element is a string, else "", from the cache when
// cached is set.
func (d *recordDecoder) firstString(depth int, cached bool) (string, error) {
	c, err := d.Peek()
	if err != nil {
		return "", err
	}
	if c != '[' {
		return "", d.Skip(depth)
	}
	var first string
	err = d.Array(depth+1, func(i, depth int) error {
		if i > 0 {
			return d.Skip(depth)
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
	c, err := d.Peek()
	if err != nil {
		return err
	}
	if c != '{' {
		return d.Skip(depth)
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
				err = d.Skip(depth)
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
				err = d.Skip(depth)
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
					return d.Skip(depth)
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
						err = d.Skip(depth)
					}
					return err
				})
			}
			return d.Skip(depth)
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
						err = d.Skip(depth)
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
					return d.Skip(depth)
				})
			default:
				err = d.Skip(depth)
			}
			return err
		})
	case "resources":
		r.resourcePoolID = ""
		c, err := d.Peek()
		if err != nil {
			return err
		}
		if c != '[' {
			return d.Skip(depth)
		}
		return d.Array(depth+1, func(_, depth int) error {
			var arn string
			err := d.objectValue(depth, func(key []byte, depth int) (err error) {
				if string(key) == "ARN" {
					arn, err = d.stringValue(depth)
					return err
				}
				return d.Skip(depth)
			})
			if r.resourcePoolID == "" {
				r.resourcePoolID = poolFromARN(arn)
			}
			return err
		})
	}
	return d.Skip(depth)
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
