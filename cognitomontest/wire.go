package cognitomontest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/encoding/cbor"
	smithytime "github.com/aws/smithy-go/time"
	"github.com/aws/smithy-go/traits"
)

// This file is the wire codec of the HTTP fake: it converts request bodies
// into the SDK's own input structs and output structs or errors into response
// bodies, for the three protocols the real clients speak (see
// docs/WIRE.md). It works by reflection over the SDK structs, so no
// operation needs code of its own. Wire member names come from the SDK's
// smithy schemas where the client has them (CloudWatch, Logs); CloudTrail's
// client predates schemas and uses its Go field names, with the exceptions in
// ctWireNames.
//
// No member of cloudwatch v1.75.7, cloudwatchlogs v1.92.2 or cloudtrail
// v1.56.0 carries @timestampFormat, so every timestamp travels as epoch
// seconds: CBOR tag 1 around a float64, or a JSON number.

// protocol identifies the wire protocol of one of the faked services.
type protocol int

const (
	protoCBOR           protocol = iota // CloudWatch: Smithy RPC v2 CBOR, awsQueryCompatible
	protoJSONCloudTrail                 // CloudTrail: AWS JSON 1.1, PascalCase members
	protoJSONLogs                       // CloudWatch Logs: AWS JSON 1.1, camelCase members
)

// registry returns the SDK's registry of modeled error shapes for p, or nil
// for CloudTrail, whose client has none.
func (p protocol) registry() *smithy.TypeRegistry {
	switch p {
	case protoCBOR:
		return cloudwatch.TypeRegistry
	case protoJSONLogs:
		return cloudwatchlogs.TypeRegistry
	}
	return nil
}

// decodeRequest decodes a request body of protocol p into into, a pointer to
// an SDK input struct. Unknown members are ignored and an empty body leaves
// into untouched.
func decodeRequest(p protocol, body []byte, into any) error {
	dst := reflect.ValueOf(into)
	if dst.Kind() != reflect.Pointer || dst.IsNil() {
		return fmt.Errorf("decode request: want a non-nil pointer, got %T", into)
	}
	var tree any
	switch {
	case p == protoCBOR && len(body) > 0:
		v, err := cbor.Decode(body)
		if err != nil {
			return fmt.Errorf("decode request: %w", err)
		}
		if tree, err = fromCBOR(v); err != nil {
			return fmt.Errorf("decode request: %w", err)
		}
	case p != protoCBOR && len(bytes.TrimSpace(body)) > 0:
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&tree); err != nil {
			return fmt.Errorf("decode request: %w", err)
		}
	}
	if err := decodeValue(tree, dst.Elem()); err != nil {
		return fmt.Errorf("decode request into %T: %w", into, err)
	}
	return nil
}

// writeResponse writes out, a pointer to an SDK output struct, as a 200
// response of protocol p. A value the codec cannot encode becomes a 500.
func writeResponse(w http.ResponseWriter, p protocol, out any) {
	tree, err := encodeValue(reflect.ValueOf(out))
	if err != nil {
		writeError(w, p, fmt.Errorf("encode %T: %w", out, err))
		return
	}
	if tree == nil {
		tree = map[string]any{}
	}
	writeBody(w, p, http.StatusOK, tree)
}

// writeError writes err as an error response of protocol p. A smithy.APIError
// keeps its code, message and fault: the status is the modeled shape's
// @httpError, else 500 for a server fault and 400 otherwise. An SDK error
// struct is sent with all its members, and a GenericAPIError whose code names
// a modeled shape (or, for CloudWatch, its awsQueryError code) is sent as that
// shape, so the client builds the typed error. For CloudWatch the
// X-Amzn-Query-Error header carries the awsQuery code the client reports as
// ErrorCode(). Any other error becomes a 500 InternalServiceError (CloudWatch)
// or InternalFailure (JSON services).
func writeError(w http.ResponseWriter, p protocol, err error) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		code := "InternalFailure"
		if p == protoCBOR {
			code = "InternalServiceError"
		}
		ae = &smithy.GenericAPIError{Code: code, Message: err.Error(), Fault: smithy.FaultServer}
	}
	modeled, schema := modeledError(p, ae)
	body, typ := map[string]any{}, ae.ErrorCode()
	if modeled != nil {
		if tree, err := encodeValue(reflect.ValueOf(modeled)); err == nil && tree != nil {
			body = tree.(map[string]any)
		}
		typ = reflect.TypeOf(modeled).Elem().Name()
		if schema != nil && p == protoCBOR {
			typ = schema.ID().String()
		}
	}
	body["__type"] = typ
	if _, ok := body["message"]; !ok && ae.ErrorMessage() != "" {
		body["message"] = ae.ErrorMessage()
	}

	fault := ae.ErrorFault()
	if et, ok := smithy.SchemaTrait[*traits.Error](schema); ok && fault == smithy.FaultUnknown && et.Type == "server" {
		fault = smithy.FaultServer
	}
	status := http.StatusBadRequest
	if fault == smithy.FaultServer {
		status = http.StatusInternalServerError
	}
	if he, ok := smithy.SchemaTrait[*traits.HTTPError](schema); ok && he.Code != 0 {
		status = he.Code
	}
	if p == protoCBOR {
		code, role := ae.ErrorCode(), "Sender"
		if q, ok := smithy.SchemaTrait[*traits.AWSQueryError](schema); ok {
			code = q.ErrorCode
		}
		if fault == smithy.FaultServer {
			role = "Receiver"
		}
		w.Header().Set("X-Amzn-Query-Error", code+";"+role)
	}
	writeBody(w, p, status, body)
}

// modeledError returns the SDK error struct to send for ae and its schema:
// ae itself when it is one of the SDK's error types, else a new instance of
// the shape ae's code names, carrying ae's message. It returns nil when the
// code names no modeled shape. The schema is nil for CloudTrail.
func modeledError(p protocol, ae smithy.APIError) (any, *smithy.Schema) {
	reg := p.registry()
	if t := reflect.TypeOf(ae); t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct &&
		strings.HasPrefix(t.Elem().PkgPath(), "github.com/aws/aws-sdk-go-v2/service/") {
		if reg != nil {
			if e, ok := reg.LookupEntry(t.Elem().Name()); ok && reflect.TypeOf(e.New()) == t {
				return ae, e.Schema
			}
		}
		return ae, nil
	}
	if reg == nil {
		return nil, nil
	}
	e, ok := reg.LookupEntry(ae.ErrorCode())
	if ok {
		_, ok = smithy.SchemaTrait[*traits.Error](e.Schema)
	}
	if !ok && p == protoCBOR {
		e, ok = cwQueryCodes()[ae.ErrorCode()]
	}
	if !ok {
		return nil, nil
	}
	v := e.New()
	msg, f := ae.ErrorMessage(), reflect.ValueOf(v).Elem().FieldByName("Message")
	if msg != "" && f.IsValid() && f.Type() == reflect.TypeFor[*string]() {
		f.Set(reflect.ValueOf(&msg))
	}
	return v, e.Schema
}

// cwQueryCodes maps each awsQueryError code of CloudWatch's modeled errors to
// its shape, e.g. "LimitExceeded" to LimitExceededFault. Where two shapes
// share a code ("ResourceNotFound") the first shape ID in sort order wins;
// modeledError looks shape names up first, so the code that is also a shape
// name still finds that shape.
var cwQueryCodes = sync.OnceValue(func() map[string]*smithy.TypeRegistryEntry {
	ids := make([]string, 0, len(cloudwatch.TypeRegistry.Entries))
	for id := range cloudwatch.TypeRegistry.Entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	codes := map[string]*smithy.TypeRegistryEntry{}
	for _, id := range ids {
		e := cloudwatch.TypeRegistry.Entries[id]
		if q, ok := smithy.SchemaTrait[*traits.AWSQueryError](e.Schema); ok && codes[q.ErrorCode] == nil {
			codes[q.ErrorCode] = e
		}
	}
	return codes
})

// writeBody writes tree, the output of encodeValue, with the status and the
// content headers of protocol p.
func writeBody(w http.ResponseWriter, p protocol, status int, tree any) {
	var body []byte
	if p == protoCBOR {
		w.Header().Set("Content-Type", "application/cbor")
		w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
		body = cbor.Encode(toCBOR(tree))
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(toJSON(tree)); err != nil {
			// Unreachable: toJSON leaves only values encoding/json accepts.
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		body = buf.Bytes()
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// wireField is one serialized member of an SDK struct: the Go field's index
// and the member's name on the wire.
type wireField struct {
	index int
	name  string
}

// wireFieldCache holds the []wireField of each struct type seen.
var wireFieldCache sync.Map

// ctWireNames lists the CloudTrail v1.56.0 members whose wire name is not
// their Go field name (all in DescribeTrails), taken from the client's
// serializers.go and deserializers.go.
var ctWireNames = map[string]string{
	"IncludeShadowTrails": "includeShadowTrails",
	"TrailNameList":       "trailNameList",
	"TrailList":           "trailList",
}

// wireFields returns the serialized members of struct type t. Fields that are
// unexported (the noSmithyDocumentSerde marker), ResultMetadata,
// ErrorCodeOverride, and, when t has a schema, fields matching none of its
// members are left out.
func wireFields(t reflect.Type) []wireField {
	if fs, ok := wireFieldCache.Load(t); ok {
		return fs.([]wireField)
	}
	var members map[string]string // lower-cased member name -> member name
	if s, ok := shapeSchema(t); ok {
		members = map[string]string{}
		if s != nil { // nil for unit outputs such as PutMetricAlarmOutput
			for name := range s.Members() {
				members[strings.ToLower(name)] = name
			}
		}
	}
	var fs []wireField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Name == "ResultMetadata" || f.Name == "ErrorCodeOverride" {
			continue
		}
		name, ok := f.Name, true
		if members != nil {
			name, ok = members[strings.ToLower(f.Name)]
		} else if n, found := ctWireNames[f.Name]; found {
			name = n
		}
		if ok {
			fs = append(fs, wireField{i, name})
		}
	}
	cached, _ := wireFieldCache.LoadOrStore(t, fs)
	return cached.([]wireField)
}

// schemaProbe is a smithy.ShapeSerializer that stops a generated Serialize
// method at its first call, WriteStruct, by panicking with the schema it was
// given; shapeSchema recovers it. The embedded nil interface is never called.
type schemaProbe struct{ smithy.ShapeSerializer }

// probedSchema is the panic value of schemaProbe.
type probedSchema struct{ schema *smithy.Schema }

// WriteStruct implements smithy.ShapeSerializer by panicking with s.
func (schemaProbe) WriteStruct(s *smithy.Schema) { panic(probedSchema{s}) }

// shapeSchema returns the smithy schema of SDK struct type t: the structure's
// schema, or the union member's schema for a union variant such as
// EvaluationCriteriaMemberPromQLCriteria; nil for a unit output. ok is false
// when *t has no generated Serialize method (CloudTrail).
func shapeSchema(t reflect.Type) (schema *smithy.Schema, ok bool) {
	v, ok := reflect.New(t).Interface().(smithy.Serializable)
	if !ok {
		return nil, false
	}
	defer func() {
		r := recover()
		p, isProbe := r.(probedSchema)
		if !isProbe {
			panic(r)
		}
		schema = p.schema
	}()
	v.Serialize(schemaProbe{})
	panic("unreachable: Serialize did not call WriteStruct")
}

// wireUnionVariants lists the union variants decodeValue can build. Go cannot
// list the implementations of an interface, so the variants of the unions in
// the faked operations are named here: CloudWatch PutMetricAlarm's
// EvaluationCriteria and EvaluationWindow.
var wireUnionVariants = []reflect.Type{
	reflect.TypeFor[cwtypes.EvaluationCriteriaMemberPromQLCriteria](),
	reflect.TypeFor[cwtypes.EvaluationWindowMemberSlidingWindow](),
	reflect.TypeFor[cwtypes.EvaluationWindowMemberWallClockWindow](),
}

var timeType = reflect.TypeFor[time.Time]()

// encodeValue converts v into a protocol-neutral tree of map[string]any,
// []any, string, bool, int64, float64, []byte, time.Time and nil, which toCBOR
// and toJSON finish. Nil pointers, slices, maps and interfaces and empty
// strings (unset enums) are left out of structs.
func encodeValue(v reflect.Value) (any, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return nil, nil
	case reflect.Pointer:
		if v.IsNil() {
			return nil, nil
		}
		return encodeValue(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return encodeUnion(v.Elem())
	case reflect.Struct:
		if v.Type() == timeType {
			return v.Interface(), nil
		}
		m := map[string]any{}
		for _, f := range wireFields(v.Type()) {
			fv := v.Field(f.index)
			switch fv.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
				if fv.IsNil() {
					continue
				}
			case reflect.String:
				if fv.Len() == 0 {
					continue
				}
			}
			e, err := encodeValue(fv)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.name, err)
			}
			m[f.name] = e
		}
		return m, nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes(), nil
		}
		l := make([]any, v.Len())
		for i := range l {
			e, err := encodeValue(v.Index(i))
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			l[i] = e
		}
		return l, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			e, err := encodeValue(it.Value())
			if err != nil {
				return nil, fmt.Errorf("[%q]: %w", it.Key().String(), err)
			}
			m[it.Key().String()] = e
		}
		return m, nil
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	}
	return nil, fmt.Errorf("unsupported type %s", v.Type())
}

// encodeUnion encodes v, the dynamic value of a union interface such as
// *cwtypes.EvaluationWindowMemberSlidingWindow, as a one-member object keyed
// by the union member's name.
func encodeUnion(v reflect.Value) (any, error) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("unsupported interface value %s", v.Type())
	}
	s, _ := shapeSchema(v.Elem().Type())
	val := v.Elem().FieldByName("Value")
	if s == nil || s.MemberName() == "" || !val.IsValid() {
		return nil, fmt.Errorf("unsupported union or document value %s", v.Type())
	}
	e, err := encodeValue(val)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.MemberName(), err)
	}
	return map[string]any{s.MemberName(): e}, nil
}

// toCBOR finishes an encodeValue tree as CBOR, timestamps as tag 1 around
// float64 epoch seconds.
func toCBOR(v any) cbor.Value {
	switch v := v.(type) {
	case map[string]any:
		m := make(cbor.Map, len(v))
		for k, e := range v {
			m[k] = toCBOR(e)
		}
		return m
	case []any:
		l := make(cbor.List, len(v))
		for i, e := range v {
			l[i] = toCBOR(e)
		}
		return l
	case string:
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case int64:
		if v < 0 {
			return cbor.NegInt(uint64(-v)) // NegInt(n) is -n
		}
		return cbor.Uint(v)
	case float64:
		return cbor.Float64(v)
	case []byte:
		return cbor.Slice(v)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(smithytime.FormatEpochSeconds(v))}
	}
	return &cbor.Nil{}
}

// toJSON finishes an encodeValue tree, in place, for encoding/json:
// timestamps become epoch-second numbers and non-finite floats the strings
// "NaN", "Infinity" and "-Infinity". []byte is left to encoding/json's base64.
func toJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = toJSON(e)
		}
	case []any:
		for i, e := range v {
			v[i] = toJSON(e)
		}
	case time.Time:
		return json.Number(strconv.FormatFloat(smithytime.FormatEpochSeconds(v), 'f', -1, 64))
	case float64:
		switch {
		case math.IsNaN(v):
			return "NaN"
		case math.IsInf(v, 1):
			return "Infinity"
		case math.IsInf(v, -1):
			return "-Infinity"
		}
	}
	return v
}

// fromCBOR converts a decoded CBOR value into the tree decodeValue reads:
// maps, lists, strings, bool, uint64, int64, float64, []byte, time.Time (tag
// 1) and nil.
func fromCBOR(v cbor.Value) (any, error) {
	switch v := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(v))
		for k, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			m[k] = x
		}
		return m, nil
	case cbor.List:
		l := make([]any, len(v))
		for i, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			l[i] = x
		}
		return l, nil
	case cbor.String:
		return string(v), nil
	case cbor.Bool:
		return bool(v), nil
	case cbor.Uint:
		return uint64(v), nil
	case cbor.NegInt:
		if v == 0 || v > 1<<63 {
			return nil, fmt.Errorf("cbor negative integer out of int64 range")
		}
		return -int64(v), nil
	case cbor.Float32:
		return float64(v), nil
	case cbor.Float64:
		return float64(v), nil
	case cbor.Slice:
		return []byte(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case *cbor.Tag:
		if v.ID == 1 {
			secs, err := cbor.AsFloat64(v.Value)
			if err != nil {
				return nil, fmt.Errorf("cbor timestamp: %w", err)
			}
			return smithytime.ParseEpochSeconds(secs), nil
		}
		return nil, fmt.Errorf("unsupported cbor tag %d", v.ID)
	}
	return nil, fmt.Errorf("unsupported cbor value %T", v)
}

// decodeValue stores v, a tree from fromCBOR or from encoding/json with
// UseNumber, into dst. Null leaves dst at its zero value.
func decodeValue(v any, dst reflect.Value) error {
	if v == nil {
		return nil
	}
	t := dst.Type()
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := decodeValue(v, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Interface:
		return decodeUnion(v, dst)
	case reflect.Struct:
		if t == timeType {
			tm, ok := v.(time.Time)
			if !ok {
				secs, err := asFloat(v)
				if err != nil {
					return err
				}
				tm = smithytime.ParseEpochSeconds(secs)
			}
			dst.Set(reflect.ValueOf(tm))
			return nil
		}
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		for _, f := range wireFields(t) {
			if e, ok := m[f.name]; ok {
				if err := decodeValue(e, dst.Field(f.index)); err != nil {
					return fmt.Errorf("%s: %w", f.name, err)
				}
			}
		}
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, err := asBytes(v)
			if err == nil {
				dst.SetBytes(b)
			}
			return err
		}
		l, ok := v.([]any)
		if !ok {
			break
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		for i, e := range l {
			if err := decodeValue(e, s.Index(i)); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		dst.Set(s)
		return nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			break
		}
		mv := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if err := decodeValue(e, ev); err != nil {
				return fmt.Errorf("[%q]: %w", k, err)
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		dst.Set(mv)
		return nil
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			break
		}
		dst.SetString(s)
		return nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			break
		}
		dst.SetBool(b)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := asInt(v)
		if err == nil && dst.OverflowInt(n) {
			err = fmt.Errorf("%d overflows %s", n, t)
		}
		if err == nil {
			dst.SetInt(n)
		}
		return err
	case reflect.Float32, reflect.Float64:
		f, err := asFloat(v)
		if err == nil {
			dst.SetFloat(f)
		}
		return err
	default:
		return fmt.Errorf("unsupported type %s", t)
	}
	return fmt.Errorf("cannot decode %T into %s", v, t)
}

// decodeUnion stores v, a one-member object, into dst, a union interface, as
// the wireUnionVariants type whose member name is the object's key.
func decodeUnion(v any, dst reflect.Value) error {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return fmt.Errorf("union %s: want an object with one member, got %T", dst.Type(), v)
	}
	for name, e := range m {
		for _, vt := range wireUnionVariants {
			if s, _ := shapeSchema(vt); !reflect.PointerTo(vt).Implements(dst.Type()) || s == nil || s.MemberName() != name {
				continue
			}
			p := reflect.New(vt)
			if err := decodeValue(e, p.Elem().FieldByName("Value")); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			dst.Set(p)
			return nil
		}
		return fmt.Errorf("unsupported member %q of union or document %s", name, dst.Type())
	}
	return nil
}

// asInt reads an integer decoded from CBOR or JSON.
func asInt(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
	case json.Number:
		return n.Int64()
	}
	return 0, fmt.Errorf("cannot decode %T %v as an integer", v, v)
}

// asFloat reads a number decoded from CBOR or JSON, including the strings
// "NaN", "Infinity" and "-Infinity" that JSON uses for non-finite values.
func asFloat(v any) (float64, error) {
	switch n := v.(type) {
	case float64:
		return n, nil
	case int64:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case json.Number:
		return n.Float64()
	case string:
		switch n {
		case "NaN":
			return math.NaN(), nil
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
	}
	return 0, fmt.Errorf("cannot decode %T %v as a number", v, v)
}

// asBytes reads a blob: a CBOR byte string or a base64 JSON string.
func asBytes(v any) ([]byte, error) {
	switch b := v.(type) {
	case []byte:
		return b, nil
	case string:
		return base64.StdEncoding.DecodeString(b)
	}
	return nil, fmt.Errorf("cannot decode %T as a blob", v)
}
