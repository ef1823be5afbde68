package cognitomontest

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
)

// The record shapes below follow the AWS samples (docs/FACTS.md 2.3, 2.4)
// for managed-login endpoint events. AWS publishes no sample of an API event
// such as InitiateAuth, so those follow the shapes FACTS.md 2.3 reports from
// third-party records ([P]): requestParameters with authFlow, a redacted
// authParameters string and clientId, additionalEventData with sub. Whether
// API events also carry additionalEventData.userPoolId is unverified (8.5);
// the simulator adds it only where PoolOptions.APIEventsCarryPoolID says so.
// How failed endpoint requests look is unverified too (8.6): the simulator
// gives them an HTTP status of 400 (429 when throttled) and an empty
// errorCode, which is what code must cope with if AWS does not set one.
// Whether Cognito logs throttled requests at all is unverified (8.7); the
// simulator logs them with TooManyRequestsException.

const hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

// record is one CloudTrail record, its members in CloudTrail's order.
type record struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        map[string]any `json:"userIdentity"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           *string        `json:"errorCode,omitempty"`
	ErrorMessage        *string        `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    map[string]any `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	EventType           string         `json:"eventType"`
	ManagementEvent     bool           `json:"managementEvent"`
	RecipientAccountID  string         `json:"recipientAccountId"`
	ServiceEventDetails map[string]any `json:"serviceEventDetails,omitempty"`
	EventCategory       string         `json:"eventCategory"`
	Time                time.Time      `json:"-"`
}

// TrailRecord is one simulated CloudTrail record.
type TrailRecord struct {
	// Time is the record's eventTime.
	Time time.Time
	// EventID and Name are the record's eventID and eventName.
	EventID string
	Name    string
	// JSON is the record as CloudTrail writes it.
	JSON json.RawMessage

	// What LookupEvents reports beside the record.
	source, accessKey, username string
	readOnly                    bool
}

type recordInfo struct {
	source, accessKey, username string
	readOnly                    bool
}

func (r TrailRecord) info() recordInfo {
	return recordInfo{source: r.source, accessKey: r.accessKey, username: r.username, readOnly: r.readOnly}
}

// TrailRecords returns the CloudTrail records of everything recorded on the
// pool, oldest first. The same recordings always give the same records.
func (p *Pool) TrailRecords() []TrailRecord { return slices.Clone(p.cachedTrailRecords()) }

// cachedTrailRecords derives the records of attempts and requests not seen
// before, then sorts and filters all of them once per change of the pool.
func (p *Pool) cachedTrailRecords() []TrailRecord {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.trail != nil && p.trailVersion == p.version {
		return p.trail
	}
	add := func(r record) {
		b, err := json.Marshal(r)
		if err != nil {
			panic("cognitomontest: marshal record: " + err.Error()) // records hold plain values only
		}
		key, _ := r.UserIdentity["accessKeyId"].(string)
		user, _ := r.UserIdentity["userName"].(string)
		p.allTrail = append(p.allTrail, TrailRecord{Time: r.Time, EventID: r.EventID, Name: r.EventName, JSON: b,
			source: r.EventSource, accessKey: key, username: user, readOnly: r.ReadOnly})
	}
	// Sequence numbers: attempts count from 0, requests from 1<<40, so
	// that event IDs do not change as either list grows.
	for ; p.trailAttempts < len(p.attempts); p.trailAttempts++ {
		a := p.attempts[p.trailAttempts]
		for _, r := range p.attemptRecords(p.trailAttempts, a) {
			add(withMessage(r, a.ErrorMessage))
		}
	}
	for ; p.trailRequests < len(p.requests); p.trailRequests++ {
		rq := p.requests[p.trailRequests]
		add(withMessage(p.requestRecord(1<<40+p.trailRequests, rq), rq.ErrorMessage))
	}
	out := make([]TrailRecord, 0, len(p.allTrail))
	for _, r := range p.allTrail {
		if !slices.ContainsFunc(p.gaps, func(g cognitomon.TimeRange) bool { return g.Contains(r.Time) }) {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b TrailRecord) int { return a.Time.Compare(b.Time) })
	p.trail, p.trailVersion = out, p.version
	return out
}

// uuid returns a deterministic UUID-shaped string for a pool, a kind of ID,
// a name and two numbers.
func uuid(pool cognitomon.UserPoolID, kind, name string, a, b int) string {
	h := fnv.New128a()
	var buf [64]byte
	s := append(buf[:0], pool...)
	s = append(s, 0)
	s = append(s, kind...)
	s = append(s, 0)
	s = append(s, name...)
	s = strconv.AppendInt(append(s, 0), int64(a), 10)
	s = strconv.AppendInt(append(s, 0), int64(b), 10)
	h.Write(s)
	var sum [16]byte
	h.Sum(sum[:0])
	var out [36]byte
	hex.Encode(out[0:8], sum[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], sum[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], sum[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], sum[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], sum[10:16])
	return string(out[:])
}

// Sub returns the simulated user's sub, a UUID derived from the pool and
// the user name.
func (p *Pool) Sub(user string) string { return uuid(p.id, "user", user, 0, 0) }

// unknownClientID is the client ID that attempts of the Invalid
// pseudo-client name in their records.
const unknownClientID = "0deleted0client0id0example"

func (p *Pool) base(seq, n int, t time.Time, name, ip, agent string) record {
	if agent == "" {
		agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
	}
	if ip == "" {
		ip = "192.0.2.1"
	}
	return record{
		EventVersion:       "1.08",
		EventTime:          t.UTC().Format(time.RFC3339),
		EventSource:        "cognito-idp.amazonaws.com",
		EventName:          name,
		AWSRegion:          p.id.Region(),
		SourceIPAddress:    ip,
		UserAgent:          agent,
		RequestID:          uuid(p.id, "request", "", seq, n),
		EventID:            uuid(p.id, "event", "", seq, n),
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: p.opts.Account,
		EventCategory:      "Management",
		Time:               t.UTC(),
	}
}

// apiCall is an AwsApiCall record of an unauthenticated user-pool call.
func (p *Pool) apiCall(seq, n int, t time.Time, name, ip, agent string, params map[string]any, outcome Outcome, code, user string) record {
	r := p.base(seq, n, t, name, ip, agent)
	r.UserIdentity = map[string]any{"type": "Unknown", "principalId": "Anonymous"}
	r.RequestParameters = params
	add := map[string]any{}
	if user != "" {
		add["sub"] = p.Sub(user)
	}
	if p.opts.APIEventsCarryPoolID {
		add["userPoolId"] = string(p.id)
	}
	if len(add) > 0 {
		r.AdditionalEventData = add
	}
	setError(&r, outcome, code)
	return r
}

// adminCall is an AwsApiCall record of a call made with IAM credentials.
func (p *Pool) adminCall(seq, n int, t time.Time, name, ip, caller string, params map[string]any, outcome Outcome, code string) record {
	r := p.base(seq, n, t, name, ip, "aws-sdk-go-v2/1.48.0 os/linux lang/go#1.26 api/cognitoidentityprovider")
	if caller == "" {
		caller = "arn:aws:sts::" + p.opts.Account + ":assumed-role/BackOffice/session"
	}
	r.UserIdentity = map[string]any{"type": "AssumedRole", "principalId": "AROAEXAMPLEID:session", "arn": caller, "accountId": p.opts.Account, "accessKeyId": "ASIAEXAMPLEKEY"}
	if params == nil {
		params = map[string]any{}
	}
	if _, ok := params["userPoolId"]; !ok {
		params["userPoolId"] = string(p.id)
	}
	r.RequestParameters = params
	setError(&r, outcome, code)
	return r
}

// endpoint is an AwsServiceEvent record of a managed-login request.
func (p *Pool) endpoint(seq, n int, t time.Time, name, ip, agent string, params map[string][]string, outcome Outcome, readOnly bool) record {
	r := p.base(seq, n, t, name, ip, agent)
	r.EventType = "AwsServiceEvent"
	r.UserIdentity = map[string]any{"accountId": p.opts.Account}
	r.ReadOnly = readOnly
	status := 200
	switch outcome {
	case Failure:
		status = 400
	case Throttled:
		status = 429
	}
	if name != "Token_POST" && outcome == Success {
		status = 302
	}
	req := map[string]any{}
	for k, v := range params {
		req[k] = v
	}
	r.AdditionalEventData = map[string]any{
		"responseParameters": map[string]any{"status": status},
		"requestParameters":  req,
		"userPoolDomain":     p.opts.Domain,
		"userPoolId":         string(p.id),
	}
	r.ServiceEventDetails = map[string]any{"serviceAccountId": "111122223333"}
	return r
}

var errorMessages = map[string]string{
	"NotAuthorizedException":     "Incorrect username or password.",
	"UserNotFoundException":      "User does not exist.",
	"TooManyRequestsException":   "Rate exceeded",
	"CodeMismatchException":      "Invalid verification code provided, please try again.",
	"ExpiredCodeException":       "Invalid code provided, please request a code again.",
	"UsernameExistsException":    "User already exists",
	"ResourceNotFoundException":  "User pool client does not exist.",
	"RefreshTokenReuseException": "Refresh token has been reused.",
}

func setError(r *record, outcome Outcome, code string) {
	switch outcome {
	case Success:
		return
	case Throttled:
		code = "TooManyRequestsException"
	}
	if code == "" {
		code = "NotAuthorizedException"
	}
	msg, ok := errorMessages[code]
	if !ok {
		msg = code
	}
	r.ErrorCode, r.ErrorMessage = &code, &msg
}

// withMessage returns r with msg as its errorMessage when r has an error
// and msg is set.
func withMessage(r record, msg string) record {
	if msg != "" && r.ErrorCode != nil && *r.ErrorCode != "" {
		r.ErrorMessage = &msg
	}
	return r
}

// recordClient is the client ID an attempt's records carry.
func recordClient(c cognitomon.ClientID) string {
	if c == cognitomon.InvalidClient {
		return unknownClientID
	}
	return string(c)
}

// attemptRecords returns the records one attempt leaves, per its path.
func (p *Pool) attemptRecords(seq int, a Attempt) []record {
	client := recordClient(a.Client)
	code := a.ErrorCode
	switch a.Flow {
	case cognitomon.SignIn:
		switch a.Path {
		case PathSRP:
			start := p.apiCall(seq, 0, a.Time.Add(-time.Second), "InitiateAuth", a.IP, a.UserAgent,
				map[string]any{"authFlow": "USER_SRP_AUTH", "authParameters": hidden, "clientId": client}, Success, "", a.User)
			start.ResponseElements = map[string]any{"challengeName": "PASSWORD_VERIFIER", "challengeParameters": hidden}
			challenge := "PASSWORD_VERIFIER"
			if code == "CodeMismatchException" || code == "ExpiredCodeException" {
				challenge = "SOFTWARE_TOKEN_MFA" // the password passed; the MFA code did not
			}
			return []record{start, p.apiCall(seq, 1, a.Time, "RespondToAuthChallenge", a.IP, a.UserAgent,
				map[string]any{"challengeName": challenge, "challengeResponses": hidden, "clientId": client, "session": hidden}, a.Outcome, code, a.User)}
		case PathAdmin:
			return []record{p.adminCall(seq, 0, a.Time, "AdminInitiateAuth", a.IP, "",
				map[string]any{"authFlow": "ADMIN_USER_PASSWORD_AUTH", "authParameters": hidden, "clientId": client}, a.Outcome, code)}
		case PathManagedLogin:
			recs := []record{p.endpoint(seq, 0, a.Time, "login_POST", a.IP, a.UserAgent,
				map[string][]string{"client_id": {client}, "response_type": {"code"}, "username": {hidden}, "password": {hidden}, "_csrf": {hidden}}, a.Outcome, false)}
			if a.Outcome == Success {
				recs = append(recs, p.endpoint(seq, 1, a.Time.Add(time.Second), "Token_POST", a.IP, a.UserAgent,
					map[string][]string{"grant_type": {"authorization_code"}, "code": {hidden}, "client_id": {client}}, Success, false))
			}
			return recs
		}
		return []record{p.apiCall(seq, 0, a.Time, "InitiateAuth", a.IP, a.UserAgent,
			map[string]any{"authFlow": "USER_PASSWORD_AUTH", "authParameters": hidden, "clientId": client}, a.Outcome, code, a.User)}
	case cognitomon.TokenRefresh:
		switch a.Path {
		case PathAdmin:
			return []record{p.adminCall(seq, 0, a.Time, "AdminInitiateAuth", a.IP, "",
				map[string]any{"authFlow": "REFRESH_TOKEN_AUTH", "authParameters": hidden, "clientId": client}, a.Outcome, code)}
		case PathGetTokens:
			return []record{p.apiCall(seq, 0, a.Time, "GetTokensFromRefreshToken", a.IP, a.UserAgent,
				map[string]any{"refreshToken": hidden, "clientId": client}, a.Outcome, code, a.User)}
		case PathManagedLogin:
			return []record{p.endpoint(seq, 0, a.Time, "Token_POST", a.IP, a.UserAgent,
				map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {hidden}, "client_id": {client}}, a.Outcome, false)}
		}
		return []record{p.apiCall(seq, 0, a.Time, "InitiateAuth", a.IP, a.UserAgent,
			map[string]any{"authFlow": "REFRESH_TOKEN_AUTH", "authParameters": hidden, "clientId": client}, a.Outcome, code, a.User)}
	case cognitomon.SignUp:
		if a.Client == cognitomon.AdminClient || a.Path == PathAdmin {
			return []record{p.adminCall(seq, 0, a.Time, "AdminCreateUser", a.IP, "",
				map[string]any{"username": hidden, "userAttributes": hidden, "messageAction": "SUPPRESS"}, a.Outcome, code)}
		}
		if a.Path == PathManagedLogin {
			return []record{p.endpoint(seq, 0, a.Time, "signup_POST", a.IP, a.UserAgent,
				map[string][]string{"client_id": {client}, "username": {hidden}, "password": {hidden}, "_csrf": {hidden}}, a.Outcome, false)}
		}
		return []record{p.apiCall(seq, 0, a.Time, "SignUp", a.IP, a.UserAgent,
			map[string]any{"clientId": client, "username": hidden, "password": hidden, "userAttributes": hidden}, a.Outcome, code, "")}
	case cognitomon.Federation:
		return []record{p.endpoint(seq, 0, a.Time, "SAML2Response_POST", a.IP, a.UserAgent,
			map[string][]string{"SAMLResponse": {hidden}, "RelayState": {hidden}}, a.Outcome, false)}
	}
	return nil
}

// requestRecord returns the record of a request that no metric counts.
func (p *Pool) requestRecord(seq int, r Request) record {
	client := recordClient(r.Client)
	switch {
	case r.Name == "Token_POST" || r.Name == "Beta_Token_POST":
		params := map[string][]string{"grant_type": {r.GrantType}}
		if client != "" {
			params["client_id"] = []string{client}
		}
		if r.GrantType == "client_credentials" {
			params["scope"] = []string{"api/read"}
		}
		return p.endpoint(seq, 0, r.Time, r.Name, r.IP, r.UserAgent, params, r.Outcome, false)
	case isEndpointName(r.Name):
		params := map[string][]string{}
		for k, v := range r.Parameters {
			if s, ok := v.([]string); ok {
				params[k] = s
			} else {
				params[k] = []string{fmt.Sprint(v)}
			}
		}
		if client != "" {
			params["client_id"] = []string{client}
		}
		return p.endpoint(seq, 0, r.Time, r.Name, r.IP, r.UserAgent, params, r.Outcome, strings.HasSuffix(r.Name, "_GET"))
	case r.Caller != "":
		return p.adminCall(seq, 0, r.Time, r.Name, r.IP, r.Caller, cloneParams(r.Parameters), r.Outcome, r.ErrorCode)
	}
	params := cloneParams(r.Parameters)
	if client != "" {
		params["clientId"] = client
	}
	if r.Name == "ForgotPassword" || r.Name == "ConfirmForgotPassword" {
		params["username"] = hidden
	}
	return p.apiCall(seq, 0, r.Time, r.Name, r.IP, r.UserAgent, params, r.Outcome, r.ErrorCode, r.User)
}

// isEndpointName reports whether name is a managed-login or hosted-UI
// endpoint event (FACTS.md 2.2): "Login_GET", "Token_POST", "login_POST",
// "Logout" ..., as opposed to an API operation ("InitiateAuth").
func isEndpointName(name string) bool {
	return strings.HasSuffix(name, "_GET") || strings.HasSuffix(name, "_POST") ||
		name == "Logout" || name == "CognitoAuthentication"
}

func cloneParams(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
