package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
)

// Errors of the Logs Insights catalogue and runner, for errors.Is.
var (
	// ErrInvalidQueryParam reports a canned query's parameter that is
	// malformed, not taken by the query, or outside its allowed values. No
	// such value ever reaches query text.
	ErrInvalidQueryParam = errors.New("invalid query parameter")
	// ErrQueryFailed reports a Logs Insights query that ended with a status
	// other than Complete; the error is a *QueryError.
	ErrQueryFailed = errors.New("logs insights query did not complete")
	// ErrMalformedQuery reports a query that Logs Insights could not compile;
	// the error is a *QueryCompileError.
	ErrMalformedQuery = errors.New("malformed logs insights query")
)

// LogKind is the kind of log group a canned query reads. The zero value is
// no kind.
type LogKind int

// The log kinds.
const (
	// CloudTrailLog is a log group that a CloudTrail trail delivers to
	// (FACTS.md 3.2): one JSON CloudTrail record per log event, fields
	// addressed as eventName, additionalEventData.userPoolId ...
	CloudTrailLog LogKind = iota + 1
	// UserActivityLog is the log group of Cognito's user-activity log
	// (threat protection, Plus feature plan, FACTS.md 5.3): fields addressed
	// as message.eventType, message.riskLevel ...
	UserActivityLog
)

// String returns "cloudtrail" or "user-activity".
func (k LogKind) String() string {
	switch k {
	case CloudTrailLog:
		return "cloudtrail"
	case UserActivityLog:
		return "user-activity"
	}
	return "LogKind(" + strconv.Itoa(int(k)) + ")"
}

// Param names a parameter that a canned query takes (a field of
// QueryParams).
type Param string

// The parameters, each named after the QueryParams field it stands for.
const (
	// ParamUserPool is QueryParams.UserPool.
	ParamUserPool Param = "user-pool"
	// ParamClients is QueryParams.Clients.
	ParamClients Param = "clients"
	// ParamEventNames is QueryParams.EventNames.
	ParamEventNames Param = "event-names"
	// ParamIPs is QueryParams.IPs.
	ParamIPs Param = "ips"
	// ParamBin is QueryParams.Bin.
	ParamBin Param = "bin"
	// ParamLimit is QueryParams.Limit.
	ParamLimit Param = "limit"
)

// QueryParams are the values a canned query is rendered with. The zero value
// renders every query with its defaults: every pool in the log group, every
// client, event name and IP, the query's default bin and row limit.
//
// Every value is validated before it is written into the query text, and
// Render rejects a parameter that the query does not take (see Query.Params)
// rather than ignore it.
type QueryParams struct {
	// UserPool and Clients scope the query to a user pool. An event is kept
	// when it names the pool or one of the clients:
	//
	//   - CloudTrail: the pool in additionalEventData.userPoolId (endpoint
	//     events) or requestParameters.userPoolId (admin calls), or a client
	//     in requestParameters.clientId (API calls) or
	//     additionalEventData.requestParameters.client_id.0 (endpoint
	//     events).
	//   - User activity: message.userPoolId or message.clientId.
	//
	// Whether CloudTrail's records of unauthenticated API calls
	// (InitiateAuth, RespondToAuthChallenge, ForgotPassword ...) carry a
	// pool ID is unverified (FACTS.md 2.3, 8.5), so a CloudTrail query that
	// reads them can only be scoped to a pool through its app clients:
	// Render rejects UserPool without Clients for such a query (see
	// Query.NeedsClients). Give all of the pool's app client IDs.
	// Clients alone keep the events that name one of these clients.
	// Pseudo-clients (Admin, Invalid) are not client IDs and are rejected.
	UserPool UserPoolID
	Clients  []ClientID
	// EventNames keeps only events with one of these CloudTrail event names.
	// Each must be one the query reads (Query.EventNames), or for a query
	// that reads any event, one of the names cognitomon knows (the endpoint
	// events of FACTS.md 2.2 and the API operations the catalogue names).
	EventNames []string
	// IPs keeps only events from these source IPs (sourceIPAddress, or
	// message.ipAddress in the user-activity log). IPv4 or IPv6, without a
	// zone.
	IPs []netip.Addr
	// Bin is the width of a time bucket for a query that takes one: whole
	// minutes from 1m to 24h. Zero means the query's default. How Logs
	// Insights aligns bins is not documented; the tests' evaluator floors
	// @timestamp to a multiple of the width counted from the Unix epoch.
	Bin time.Duration
	// Limit is the most rows the query returns, 1 to 10,000. Zero means
	// the query's default.
	Limit int
}

// Query is one canned Logs Insights query: data that can be inspected,
// compared and tested without AWS. Get the queries with Catalog or
// LookupQuery; render the text with Render and run it with
// InsightsClient.Run. A Query made any other way cannot be rendered.
type Query struct {
	// Name identifies the query ("failed-sign-ins").
	Name string
	// Description says in one line what the query computes.
	Description string
	// Reads is the kind of log group the query reads.
	Reads LogKind
	// Params are the parameters the query takes.
	Params []Param
	// DefaultLimit is the row limit when QueryParams.Limit is zero.
	DefaultLimit int
	// DefaultBin is the bucket width when QueryParams.Bin is zero, for a
	// query that takes ParamBin; zero otherwise.
	DefaultBin time.Duration
	// Columns are the names of the result columns, in order. A row leaves
	// out a column that has no value for it, as GetQueryResults does.
	Columns []string
	// EventNames are the CloudTrail event names the query reads, or nil for
	// a query that may read any event.
	EventNames []string
	// NeedsClients reports that the query reads CloudTrail records of
	// unauthenticated API calls, which may carry no pool ID, so that
	// scoping it to a pool needs the pool's client IDs (see
	// QueryParams.UserPool).
	NeedsClients bool
	// Assumptions list the AWS behaviours the query relies on that are not
	// verified, with the FACTS.md section of each; check them against a
	// real account before trusting the figures (docs/insights.md says how).
	Assumptions []string

	conds []string // the conditions of the first filter command, ANDed
	tail  []string // the commands after it, without the limit; "{bin}" is the bin
}

// maxQueryLength is StartQuery's limit on queryString (FACTS.md 5.1).
const maxQueryLength = 10000

// maxQueryLimit is the largest row limit a canned query takes: the
// per-call page size of GetQueryResults, and the largest StartQuery limit
// before 2026 (FACTS.md 5.1).
const maxQueryLimit = 10000

// takes reports whether q takes the parameter p.
func (q Query) takes(p Param) bool { return slices.Contains(q.Params, p) }

// Render returns the query text for p. The text is deterministic: the same
// query and parameters always give the same text. It fails with an error
// wrapping ErrInvalidQueryParam when a parameter is invalid or not taken by
// the query.
//
// The first command is a filter whose conditions are the query's own, then
// the scope, IPs and event names from p, all ANDed; a limit command ends the
// query. Parameters never add commands.
func (q Query) Render(p QueryParams) (string, error) {
	if len(q.conds) == 0 {
		return "", fmt.Errorf("%w: query %q is not from the catalogue", ErrInvalidQueryParam, q.Name)
	}
	fail := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: query %s: "+format, append([]any{ErrInvalidQueryParam, q.Name}, args...)...)
	}
	for _, set := range []struct {
		p   Param
		set bool
	}{
		{ParamUserPool, p.UserPool != ""},
		{ParamClients, len(p.Clients) > 0},
		{ParamEventNames, len(p.EventNames) > 0},
		{ParamIPs, len(p.IPs) > 0},
		{ParamBin, p.Bin != 0},
		{ParamLimit, p.Limit != 0},
	} {
		if set.set && !q.takes(set.p) {
			return fail("takes no %s parameter", set.p)
		}
	}
	if p.UserPool != "" {
		if err := p.UserPool.Validate(); err != nil {
			return fail("%w", err)
		}
		if q.NeedsClients && len(p.Clients) == 0 {
			return fail("scoping to user pool %s needs the pool's app client IDs too: CloudTrail records of unauthenticated API calls may carry no pool ID (FACTS.md 8.5)", p.UserPool)
		}
	}
	var clients []string
	for i, c := range p.Clients {
		if err := c.Validate(); err != nil {
			return fail("client %d: %w", i+1, err)
		}
		if c.IsPseudo() {
			return fail("client %d: %q is a metrics pseudo-client, not an app client ID", i+1, string(c))
		}
		if !slices.Contains(clients, string(c)) {
			clients = append(clients, string(c))
		}
	}
	var names []string
	for i, n := range p.EventNames {
		switch {
		case q.EventNames != nil && !slices.Contains(q.EventNames, n):
			return fail("event name %d: %q is not one the query reads", i+1, truncate(n))
		case q.EventNames == nil && !knownEventName(n):
			return fail("event name %d: %q is not a Cognito event name cognitomon knows", i+1, truncate(n))
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var ips []string
	for i, ip := range p.IPs {
		switch {
		case !ip.IsValid():
			return fail("IP %d: not a valid address", i+1)
		case ip.Zone() != "":
			return fail("IP %d: %s has a zone", i+1, ip.WithZone(""))
		}
		if s := ip.String(); !slices.Contains(ips, s) {
			ips = append(ips, s)
		}
	}
	bin := q.DefaultBin
	if p.Bin != 0 {
		bin = p.Bin
	}
	binText := ""
	if q.takes(ParamBin) {
		var err error
		if binText, err = renderBin(bin); err != nil {
			return fail("%w", err)
		}
	}
	limit := q.DefaultLimit
	if p.Limit != 0 {
		limit = p.Limit
	}
	if limit < 1 || limit > maxQueryLimit {
		return fail("limit %d is outside 1 to %d", limit, maxQueryLimit)
	}

	r := &renderer{}
	conds := slices.Clone(q.conds)
	if s := q.scope(r, p.UserPool, clients); s != "" {
		conds = append(conds, s)
	}
	if len(ips) > 0 {
		field := "sourceIPAddress"
		if q.Reads == UserActivityLog {
			field = "message.ipAddress"
		}
		conds = append(conds, field+" in "+r.list(ips))
	}
	if len(names) > 0 {
		conds = append(conds, "eventName in "+r.list(names))
	}
	var b strings.Builder
	b.WriteString("filter ")
	b.WriteString(strings.Join(conds, " and "))
	for _, c := range q.tail {
		b.WriteString("\n| ")
		b.WriteString(strings.ReplaceAll(c, "{bin}", binText))
	}
	b.WriteString("\n| limit ")
	b.WriteString(strconv.Itoa(limit))
	if r.err != nil {
		return fail("%w", r.err)
	}
	if b.Len() > maxQueryLength {
		return fail("the text is %d characters long, more than StartQuery's %d; pass fewer values", b.Len(), maxQueryLength)
	}
	return b.String(), nil
}

// scope renders the pool-and-clients condition, or "" when neither is set.
func (q Query) scope(r *renderer, pool UserPoolID, clients []string) string {
	var alts []string
	if pool != "" {
		if q.Reads == UserActivityLog {
			alts = append(alts, "message.userPoolId = "+r.str(string(pool)))
		} else {
			alts = append(alts, "additionalEventData.userPoolId = "+r.str(string(pool)),
				"requestParameters.userPoolId = "+r.str(string(pool)))
		}
	}
	if len(clients) > 0 {
		if q.Reads == UserActivityLog {
			alts = append(alts, "message.clientId in "+r.list(clients))
		} else {
			alts = append(alts, "requestParameters.clientId in "+r.list(clients),
				"additionalEventData.requestParameters.client_id.0 in "+r.list(clients))
		}
	}
	switch len(alts) {
	case 0:
		return ""
	case 1:
		return alts[0]
	}
	return "(" + strings.Join(alts, " or ") + ")"
}

// renderBin renders a bin width for bin(): whole minutes from 1m to 24h, in
// the largest unit that divides it (FACTS.md 5.2 lists m, h and d).
func renderBin(d time.Duration) (string, error) {
	switch {
	case d < time.Minute || d > 24*time.Hour:
		return "", fmt.Errorf("bin %s is outside 1m to 24h", d)
	case d%time.Minute != 0:
		return "", fmt.Errorf("bin %s is not a whole number of minutes", d)
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d", nil
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h", nil
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m", nil
}

// renderer writes literals into query text. Logs Insights documents no
// escape syntax for string literals or regular expressions (FACTS.md 5.2,
// 8.8), so nothing is escaped: every literal must consist of characters that
// need none. The validators of every parameter already guarantee that; the
// renderer checks again so that a future, more permissive validator cannot
// let a quote, a backslash, a pipe or a comment into the text.
type renderer struct{ err error }

// isLiteralSafe reports whether s may appear between double quotes as is:
// letters, digits and _ . : + - only.
func isLiteralSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_' || c == '.' || c == ':' || c == '+' || c == '-':
		default:
			return false
		}
	}
	return true
}

// str returns s as a double-quoted string literal.
func (r *renderer) str(s string) string {
	if !isLiteralSafe(s) {
		if r.err == nil {
			r.err = fmt.Errorf("value %q cannot be written as a query literal", truncate(s))
		}
		return `""`
	}
	return `"` + s + `"`
}

// list returns ss as a list literal, ["a", "b"].
func (r *renderer) list(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = r.str(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// regex returns a case-insensitive regular-expression literal, /(?i)pat/,
// for a pattern of the catalogue's own.
func (r *renderer) regex(pat string) string {
	if pat == "" || strings.ContainsAny(pat, "/\\\"'`#|\n\r") {
		if r.err == nil {
			r.err = fmt.Errorf("pattern %q cannot be written as a query regex", pat)
		}
		return "/^$/"
	}
	return "/(?i)" + pat + "/"
}

// The CloudTrail event names the catalogue reads. The endpoint names are
// FACTS.md 2.2's list; the API names are cognito-idp operations (FACTS.md
// 2.2: an API event is named after its operation). They are written here
// rather than taken from EventKind's rules so that the proof tests, which
// classify events with those rules, check the queries independently.

func signInAPINames() []string {
	return []string{"InitiateAuth", "AdminInitiateAuth", "RespondToAuthChallenge", "AdminRespondToAuthChallenge"}
}

func challengeNames() []string {
	return []string{"RespondToAuthChallenge", "AdminRespondToAuthChallenge"}
}

func tokenNames() []string { return []string{"Token_POST", "Beta_Token_POST"} }

func authorizeNames() []string { return []string{"OAuth2_Authorize_GET", "Beta_Authorize_GET"} }

func loginPageNames() []string {
	return []string{"Login_GET", "CognitoAuthentication", "login_POST", "login_continue_POST", "login_passkey_POST", "selectChallenge_POST"}
}

func mfaPageNames() []string {
	return []string{"Mfa_GET", "Mfa_POST", "MfaOption_GET", "MfaOption_POST", "MfaRegister_GET", "MfaRegister_POST",
		"mfa_back_POST", "mfa_options_POST", "mfa_phone_register_POST", "mfa_phone_verify_POST", "mfa_phone_resendCode_POST", "mfa_totp_POST"}
}

func mfaAPINames() []string {
	return []string{"AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "AdminSetUserMFAPreference"}
}

func passwordResetNames() []string {
	return []string{"ForgotPassword", "ConfirmForgotPassword", "AdminResetUserPassword",
		"ForgotPassword_GET", "ForgotPassword_POST", "ConfirmForgotPassword_GET", "ConfirmForgotPassword_POST",
		"ResetPassword_GET", "ResetPassword_POST", "forgotPassword_POST"}
}

func adminChangeNames() []string {
	return []string{
		"CreateUserPool", "UpdateUserPool", "DeleteUserPool",
		"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"CreateIdentityProvider", "UpdateIdentityProvider", "DeleteIdentityProvider",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
		"CreateResourceServer", "UpdateResourceServer", "DeleteResourceServer",
		"CreateGroup", "UpdateGroup", "DeleteGroup",
		"CreateManagedLoginBranding", "UpdateManagedLoginBranding", "DeleteManagedLoginBranding",
		"SetUserPoolMfaConfig", "SetRiskConfiguration", "AddCustomAttributes",
		"SetUICustomization", "SetLogDeliveryConfiguration", "TagResource", "UntagResource",
		"CreateUserImportJob", "StartUserImportJob", "StopUserImportJob", "UpdateProvisionedLimit",
	}
}

// otherEndpointNames are FACTS.md 2.2's endpoint names that no query lists
// by name.
func otherEndpointNames() []string {
	return []string{"OAuth2Response_GET", "OAuth2Response_POST", "SAML2Response_POST", "Beta_SAML2Response_POST", "Login_OIDC_SAML_POST",
		"Signup_GET", "Signup_POST", "Confirm_GET", "Confirm_POST", "ResendCode_POST", "Logout", "SAML2Logout_POST", "Error_GET",
		"UserInfo_GET", "UserInfo_POST", "Confirm_With_Link_GET", "Event_Feedback_GET",
		"confirmUser_GET", "signup_POST", "signup_confirm_POST", "verifyCode_POST", "passkeys_add_POST", "passkeys_add_GET"}
}

// otherAPINames are API operations that a query for any event may be
// narrowed to.
func otherAPINames() []string {
	return []string{"GetTokensFromRefreshToken", "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "AdminCreateUser", "AdminConfirmSignUp",
		"ChangePassword", "GetUser", "GlobalSignOut", "RevokeToken", "AdminSetUserPassword", "AdminUserGlobalSignOut"}
}

// knownEventName reports whether name is on cognitomon's closed list of
// Cognito event names.
func knownEventName(name string) bool {
	for _, list := range [][]string{signInAPINames(), tokenNames(), authorizeNames(), loginPageNames(), mfaPageNames(), mfaAPINames(),
		passwordResetNames(), adminChangeNames(), otherEndpointNames(), otherAPINames()} {
		if slices.Contains(list, name) {
			return true
		}
	}
	return false
}

// The conditions and fields the catalogue shares.
const (
	fieldStatus   = "additionalEventData.responseParameters.status"
	fieldClientID = "additionalEventData.requestParameters.client_id.0"
	fieldGrant    = "additionalEventData.requestParameters.grant_type.0"
	fieldRedirect = "additionalEventData.requestParameters.redirect_uri.0"

	// condFailed is a failed request: an API call with an error code, or
	// an endpoint request with an HTTP error status. "not isempty", never
	// ispresent: endpoint records carry "errorCode": "" on success
	// (FACTS.md 2.3, 5.2).
	condFailed = "(not isempty(errorCode) or " + fieldStatus + " >= 400)"
)

// The assumptions that several queries share, as Query.Assumptions lists
// them.
const (
	assumeEndpointFailure = "A failed managed-login or hosted-UI request has an HTTP status of 400 or more in additionalEventData.responseParameters.status, with or without an errorCode; AWS has published no record of one (FACTS.md 2.3, 8.6)."
	assumeThrottles       = "Throttled requests (TooManyRequestsException, HTTP 429) are counted as failures if CloudTrail logs them, which is unverified (FACTS.md 2.1, 8.7)."
	assumeAPIPool         = "Records of unauthenticated API calls may carry no pool ID, so scoping to a pool goes through the pool's client IDs (FACTS.md 2.3, 8.5)."
	assumeAuthFlow        = "InitiateAuth and AdminInitiateAuth records carry requestParameters.authFlow, which tells a refresh from a sign-in; seen only in third-party records (FACTS.md 2.3 [P])."
	assumeTimestamp       = "@timestamp of a CloudTrail record in CloudWatch Logs is its eventTime, not the delivery time (FACTS.md 8.10); bins shift by the delivery delay otherwise."
	assumeBasicAuth       = "A token request that authenticated with an HTTP Basic header may carry no client_id and shows as a row without a client (FACTS.md 2.3 [X])."
	assumeActivityFields  = "The user-activity log's fields are addressed as message.<field>, inferred from the sample's nesting; the case of their values is unverified, so values are matched case-insensitively (FACTS.md 5.3)."
	assumeNotIn           = "not (f in [...]) is true when f is missing, as for the other comparisons; Logs Insights does not document it."
)

// Catalog returns the canned queries, in a fixed order. Each call returns
// fresh values that the caller may change.
func Catalog() []Query {
	r := &renderer{}
	source := "eventSource = " + r.str(UserPoolEventSource)
	in := func(field string, names []string) string { return field + " in " + r.list(names) }
	notRefresh := "not (requestParameters.authFlow in " + r.list([]string{"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"}) + ")"
	refreshFlow := in("requestParameters.authFlow", []string{"REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"})
	grant := func(g string) string { return fieldGrant + " = " + r.str(g) }
	cat := func(lists ...[]string) []string { return slices.Concat(lists...) }

	signInNames := cat(signInAPINames(), loginPageNames(), mfaPageNames(), tokenNames())
	refreshNames := cat([]string{"InitiateAuth", "AdminInitiateAuth", "GetTokensFromRefreshToken"}, tokenNames())
	mfaNames := cat(challengeNames(), mfaAPINames(), mfaPageNames())
	mfaChallenges := []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "MFA_SETUP", "SELECT_MFA_TYPE"}
	ctParams := []Param{ParamUserPool, ParamClients, ParamEventNames, ParamIPs, ParamLimit}
	uaParams := []Param{ParamUserPool, ParamClients, ParamIPs, ParamLimit}

	qs := []Query{
		{
			Name:         "failed-sign-ins",
			Description:  "Failed sign-in steps by error code (or HTTP status) and source IP: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge, managed-login and hosted-UI sign-in and MFA pages, and authorization-code token requests; refreshes excluded.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{"errorCode", fieldStatus, "sourceIPAddress", "failures"},
			EventNames:   signInNames,
			NeedsClients: true,
			Assumptions:  []string{assumeAuthFlow, assumeNotIn, assumeEndpointFailure, assumeThrottles, assumeAPIPool},
			conds: []string{source,
				"((" + in("eventName", []string{"InitiateAuth", "AdminInitiateAuth"}) + " and " + notRefresh + ") or " +
					in("eventName", cat(challengeNames(), loginPageNames(), mfaPageNames())) + " or (" +
					in("eventName", tokenNames()) + " and " + grant("authorization_code") + "))",
				condFailed},
			tail: []string{"stats count(*) as failures by errorCode, " + fieldStatus + ", sourceIPAddress", "sort failures desc"},
		},
		{
			Name:         "refresh-failures",
			Description:  "Failed token refreshes over time, per event name, across the three refresh paths: InitiateAuth or AdminInitiateAuth with REFRESH_TOKEN_AUTH or REFRESH_TOKEN, GetTokensFromRefreshToken, and the token endpoint with grant_type refresh_token.",
			Reads:        CloudTrailLog,
			Params:       []Param{ParamUserPool, ParamClients, ParamEventNames, ParamIPs, ParamBin, ParamLimit},
			DefaultLimit: 1000,
			DefaultBin:   5 * time.Minute,
			Columns:      []string{"t", "eventName", "failures"},
			EventNames:   refreshNames,
			NeedsClients: true,
			Assumptions:  []string{assumeAuthFlow, assumeEndpointFailure, assumeThrottles, assumeTimestamp, assumeAPIPool},
			conds: []string{source,
				"((" + in("eventName", []string{"InitiateAuth", "AdminInitiateAuth"}) + " and " + refreshFlow + ") or eventName = " + r.str("GetTokensFromRefreshToken") +
					" or (" + in("eventName", tokenNames()) + " and " + grant("refresh_token") + "))",
				condFailed},
			tail: []string{"stats count(*) as failures by bin({bin}) as t, eventName", "sort t desc"},
		},
		{
			Name:         "top-failing-ips",
			Description:  "Source IPs with the most failed requests of any kind (brute force, credential stuffing, broken clients).",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 25,
			Columns:      []string{"sourceIPAddress", "failures"},
			NeedsClients: true,
			Assumptions:  []string{assumeEndpointFailure, assumeThrottles, assumeAPIPool},
			conds:        []string{source, condFailed},
			tail:         []string{"stats count(*) as failures by sourceIPAddress", "sort failures desc"},
		},
		{
			Name:         "token-requests",
			Description:  "Token-endpoint requests (Token_POST, Beta_Token_POST) per app client and grant type; machine-to-machine clients are the client_credentials rows.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{fieldClientID, fieldGrant, "requests"},
			EventNames:   tokenNames(),
			Assumptions:  []string{assumeBasicAuth},
			conds:        []string{source, in("eventName", tokenNames())},
			tail:         []string{"stats count(*) as requests by " + fieldClientID + ", " + fieldGrant, "sort requests desc"},
		},
		{
			Name:         "user-enumeration",
			Description:  "UserNotFoundException failures per source IP: someone probing which user names exist. Clients with PreventUserExistenceErrors=ENABLED answer NotAuthorizedException instead and do not show here.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 25,
			Columns:      []string{"sourceIPAddress", "userNotFound"},
			NeedsClients: true,
			Assumptions: []string{
				"A failed managed-login or hosted-UI request carries no errorCode as far as AWS shows (FACTS.md 2.3, 8.6), so enumeration through those pages does not show here; failed-sign-ins counts it as an HTTP status.",
				assumeAPIPool},
			conds: []string{source, "errorCode = " + r.str("UserNotFoundException")},
			tail:  []string{"stats count(*) as userNotFound by sourceIPAddress", "sort userNotFound desc"},
		},
		{
			Name:         "password-reset-abuse",
			Description:  "Password-reset requests (ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword and the reset pages) per source IP, event name and outcome: code flooding and code guessing.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"sourceIPAddress", "eventName", "errorCode", fieldStatus, "requests"},
			EventNames:   passwordResetNames(),
			NeedsClients: true,
			Assumptions:  []string{assumeEndpointFailure, assumeAPIPool},
			conds:        []string{source, in("eventName", passwordResetNames())},
			tail:         []string{"stats count(*) as requests by sourceIPAddress, eventName, errorCode, " + fieldStatus, "sort requests desc"},
		},
		{
			Name:         "mfa-failures",
			Description:  "Failed MFA steps by error code (or HTTP status) and source IP: challenge responses to an MFA or one-time-code challenge or failing with CodeMismatchException or ExpiredCodeException, software-token and MFA-preference calls, and the MFA pages.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"errorCode", fieldStatus, "sourceIPAddress", "failures"},
			EventNames:   mfaNames,
			NeedsClients: true,
			Assumptions: []string{
				"CloudTrail may not record requestParameters.challengeName (FACTS.md 2.3 [X]); challenge responses that fail with CodeMismatchException or ExpiredCodeException are counted either way, since only code challenges check codes.",
				assumeEndpointFailure, assumeThrottles, assumeAPIPool},
			conds: []string{source,
				"((" + in("eventName", challengeNames()) + " and (" + in("requestParameters.challengeName", mfaChallenges) + " or " +
					in("errorCode", []string{"CodeMismatchException", "ExpiredCodeException"}) + ")) or " +
					in("eventName", cat(mfaAPINames(), mfaPageNames())) + ")",
				condFailed},
			tail: []string{"stats count(*) as failures by errorCode, " + fieldStatus + ", sourceIPAddress", "sort failures desc"},
		},
		{
			Name:         "admin-changes",
			Description:  "Changes to a pool's configuration (pools, app clients, identity providers, domains, groups, risk and MFA settings ...), failed attempts included, newest first, with the caller's ARN and source IP.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{"@timestamp", "eventName", "userIdentity.arn", "sourceIPAddress", "errorCode", "requestParameters.userPoolId", "eventID"},
			EventNames:   adminChangeNames(),
			Assumptions: []string{
				"Records of admin operations carry the request's userPoolId in requestParameters.userPoolId (CloudTrail logs API request parameters; no Cognito sample shows it). CreateUserPool names no pool there and is left out when the query is scoped to a pool."},
			conds: []string{source, in("eventName", adminChangeNames())},
			tail:  []string{"fields @timestamp, eventName, userIdentity.arn, sourceIPAddress, errorCode, requestParameters.userPoolId, eventID", "sort @timestamp desc"},
		},
		{
			Name:         "redirect-mismatches",
			Description:  "Callback and redirect errors: InvalidParameterException on any request (a callback URL that is not registered among the causes), authorize requests with an HTTP error status, and hosted-UI error pages (Error_GET), per event, client and redirect URI.",
			Reads:        CloudTrailLog,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"eventName", "errorCode", "requestParameters.clientId", fieldClientID, fieldRedirect, "errors"},
			NeedsClients: true,
			Assumptions: []string{
				"InvalidParameterException has many causes besides a callback URL; the redirect_uri column tells them apart where the request carried one.",
				"A rejected redirect_uri at the authorize endpoint shows as an HTTP status of 400 or more or as an Error_GET page; AWS documents neither (FACTS.md 2.3, 8.6).",
				assumeAPIPool},
			conds: []string{source,
				"(errorCode = " + r.str("InvalidParameterException") + " or eventName = " + r.str("Error_GET") + " or (" + in("eventName", authorizeNames()) + " and " + fieldStatus + " >= 400))"},
			tail: []string{"stats count(*) as errors by eventName, errorCode, requestParameters.clientId, " + fieldClientID + ", " + fieldRedirect, "sort errors desc"},
		},
		{
			Name:         "risky-sign-ins",
			Description:  "Sign-ins that threat protection rated high risk or blocked, per IP, user, risk level, decision and response (user-activity log, Plus plan).",
			Reads:        UserActivityLog,
			Params:       uaParams,
			DefaultLimit: 50,
			Columns:      []string{"message.ipAddress", "message.userName", "message.riskLevel", "message.riskDecision", "message.eventResponse", "signIns"},
			Assumptions: []string{assumeActivityFields,
				"A sign-in has eventType SignIn (the API's spelling; SIGN_IN matches too), a high risk level is HIGH or High, a block is riskDecision BLOCK or Block (FACTS.md 5.3)."},
			conds: []string{"message.eventType =~ " + r.regex("^sign_?in$"),
				"(message.riskLevel =~ " + r.regex("^high$") + " or message.riskDecision =~ " + r.regex("^block$") + ")"},
			tail: []string{"stats count(*) as signIns by message.ipAddress, message.userName, message.riskLevel, message.riskDecision, message.eventResponse", "sort signIns desc"},
		},
		{
			Name:         "compromised-credentials",
			Description:  "Requests in which threat protection detected compromised credentials, per event type, IP and user (user-activity log, Plus plan).",
			Reads:        UserActivityLog,
			Params:       uaParams,
			DefaultLimit: 50,
			Columns:      []string{"message.eventType", "message.ipAddress", "message.userName", "detections"},
			Assumptions: []string{assumeActivityFields,
				`compromisedCredentialDetected is the string "true" on a detection, as the sample's "false" suggests (FACTS.md 5.3).`},
			conds: []string{"message.compromisedCredentialDetected =~ " + r.regex("^true$")},
			tail:  []string{"stats count(*) as detections by message.eventType, message.ipAddress, message.userName", "sort detections desc"},
		},
	}
	if r.err != nil {
		panic("cognitomon: catalogue constant: " + r.err.Error()) // a mistake in this file; the tests render every query
	}
	return qs
}

// LookupQuery returns the catalogue query with the given name.
func LookupQuery(name string) (Query, bool) {
	for _, q := range Catalog() {
		if q.Name == name {
			return q, true
		}
	}
	return Query{}, false
}

// QueryError reports a Logs Insights query that ended with a status other
// than Complete: Failed, Cancelled (stopped by someone else), Timeout (AWS's
// own limit of 60 minutes, FACTS.md 5.1), Unknown, or a status cognitomon
// does not know. It unwraps to ErrQueryFailed.
type QueryError struct {
	QueryID string
	Status  string
}

// Error says which query ended how.
func (e *QueryError) Error() string {
	return "logs insights query " + e.QueryID + " ended with status " + e.Status
}

// Unwrap returns ErrQueryFailed.
func (e *QueryError) Unwrap() error { return ErrQueryFailed }

// QueryCompileError reports a query that Logs Insights could not compile
// (MalformedQueryException). It unwraps to ErrMalformedQuery and to the AWS
// error, so errors.As still reaches smithy.APIError.
type QueryCompileError struct {
	// Message is AWS's compile error (queryCompileError.message), or the
	// exception's message when AWS gave no compile error.
	Message string
	// Start and End are the character offsets of the offending text in the
	// query, or -1 when AWS gave none.
	Start, End int
	// Err is the AWS error.
	Err error
}

// Error says what AWS could not compile and where.
func (e *QueryCompileError) Error() string {
	if e.Start >= 0 {
		return fmt.Sprintf("logs insights cannot compile the query at offset %d: %s", e.Start, e.Message)
	}
	return "logs insights cannot compile the query: " + e.Message
}

// Unwrap returns ErrMalformedQuery and the AWS error.
func (e *QueryCompileError) Unwrap() []error { return []error{ErrMalformedQuery, e.Err} }

// InsightsOptions configure an InsightsClient. The zero value of each field
// means the documented default.
type InsightsOptions struct {
	// PollInterval is the wait between the first and the second
	// GetQueryResults call; the first comes right after StartQuery. Each
	// further wait is PollFactor times the one before, up to
	// MaxPollInterval, so a query that runs for d is polled about
	// log2(d/PollInterval) times. Default 500ms.
	PollInterval time.Duration
	// PollFactor is the growth of the wait; values below 1 mean the
	// default, 2.
	PollFactor float64
	// MaxPollInterval caps a wait. Default 10s.
	MaxPollInterval time.Duration
	// MaxConcurrent is how many queries the client runs at once; further
	// Runs wait for a slot. AWS's account-wide limit has been 10, 20, 30
	// and 100 concurrent queries (FACTS.md 5.1) and other tools share it.
	// Default 10.
	MaxConcurrent int
	// Timeout is how long Run lets a query run before it stops it (AWS
	// stops queries after 60 minutes). Default 15m.
	Timeout time.Duration
	// GracePeriod is how long a StartQuery call in flight, and the
	// StopQuery call that follows it, may still take once the caller's
	// context is done or Timeout has passed: long enough to learn the ID of
	// a query AWS has started and to stop it. Default 10s.
	GracePeriod time.Duration
	// MaxLogGroups is StartQuery's limit on log groups per query. Default
	// 50 (FACTS.md 5.1; it was 20).
	MaxLogGroups int
	// Retry controls the retries of StartQuery when the account runs too
	// many queries (LimitExceededException) and of throttled calls, on top
	// of the SDK client's own retries.
	Retry RetryOptions
}

// InsightsClient runs Logs Insights queries. It is immutable and safe for
// concurrent use; concurrent Runs share its MaxConcurrent slots.
type InsightsClient struct {
	api  LogsAPI
	opts InsightsOptions
	sem  chan struct{}
}

// NewInsightsClient returns an InsightsClient over api. It panics if api is
// nil.
func NewInsightsClient(api LogsAPI, optFns ...func(*InsightsOptions)) *InsightsClient {
	if api == nil {
		panic("cognitomon: NewInsightsClient with nil LogsAPI")
	}
	var o InsightsOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 500 * time.Millisecond
	}
	if o.PollFactor < 1 {
		o.PollFactor = 2
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = 10 * time.Second
	}
	o.MaxPollInterval = max(o.MaxPollInterval, o.PollInterval)
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 10
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Minute
	}
	if o.GracePeriod <= 0 {
		o.GracePeriod = 10 * time.Second
	}
	if o.MaxLogGroups <= 0 {
		o.MaxLogGroups = 50
	}
	o.Retry = o.Retry.withDefaults()
	return &InsightsClient{api: api, opts: o, sem: make(chan struct{}, o.MaxConcurrent)}
}

// QueryResult is the outcome of a completed query.
type QueryResult struct {
	// QueryID is the ID AWS gave the query.
	QueryID string
	// Rows are the result rows, in AWS's order.
	Rows []Row
	// Stats are AWS's scan statistics.
	Stats QueryStats
	// Polls counts the GetQueryResults calls made until the query ended,
	// not counting the calls that fetched further pages.
	Polls int
}

// QueryStats are the scan statistics of a query (GetQueryResults
// statistics).
type QueryStats struct {
	// RecordsMatched is the log events that matched the query.
	RecordsMatched int64
	// RecordsScanned is the log events scanned.
	RecordsScanned int64
	// BytesScanned is the bytes of the log events scanned, which Logs
	// Insights bills by.
	BytesScanned int64
}

// ResultField is one field of a result row.
type ResultField struct {
	Name, Value string
}

// Row is one result row: its fields in the order AWS returned them. A field
// with no value in the row is absent, as in GetQueryResults. AWS adds @ptr
// (a pointer to the log event) to the rows of queries without stats.
type Row []ResultField

// Value returns the value of the field named name, and whether the row has
// it.
func (r Row) Value(name string) (string, bool) {
	for _, f := range r {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// errRunTimeout is the cause of a Run's context when InsightsOptions.Timeout
// ran out.
var errRunTimeout = errors.New("logs insights query ran out of time")

// Run runs query over the log groups and r, and returns its rows and scan
// statistics once the query is Complete.
//
// Logs Insights takes whole epoch seconds, both inclusive (FACTS.md 5.1), so
// Run asks for r widened to whole seconds: events in the second that starts
// at a non-whole End may be included. StartQuery runs with queryLanguage
// CWLI; a LimitExceededException (the account runs too many queries) is
// retried with backoff per InsightsOptions.Retry. Run then polls
// GetQueryResults with backoff until the query ends and follows nextToken
// for further pages of rows.
//
// A query that ends Failed, Cancelled, Timeout or Unknown is a *QueryError;
// a query that does not compile is a *QueryCompileError. When ctx is
// cancelled or InsightsOptions.Timeout runs out while the query runs, and on
// any other error after StartQuery succeeded, Run calls StopQuery (with a
// context that is not the cancelled one) before it returns, so no query is
// left running; the error then wraps ctx's error, or
// context.DeadlineExceeded for the client's own timeout. A StartQuery call
// in flight when ctx ends is given InsightsOptions.GracePeriod to answer, so
// that the query it may have started can be stopped too.
func (c *InsightsClient) Run(ctx context.Context, query string, logGroups []string, r TimeRange) (*QueryResult, error) {
	in, err := c.startInput(query, logGroups, r)
	if err != nil {
		return nil, err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for a free logs insights query slot: %w", ctx.Err())
	}
	defer func() { <-c.sem }()

	runCtx, cancel := context.WithTimeoutCause(ctx, c.opts.Timeout, errRunTimeout)
	defer cancel()
	var id string
	err = retry(runCtx, c.opts.Retry, func() error {
		// A StartQuery in flight is not cut off when runCtx ends: AWS may
		// have started the query, and only the answer says which to stop.
		sctx, cancel := c.grace(ctx, runCtx)
		defer cancel()
		out, err := c.api.StartQuery(sctx, in)
		if err != nil {
			return err
		}
		id = aws.ToString(out.QueryId)
		return nil
	})
	switch {
	case err == nil && id == "":
		return nil, errors.New("starting logs insights query: StartQuery returned no query ID")
	case err == nil && runCtx.Err() != nil:
		err = c.contextError(ctx, runCtx, "logs insights query "+id)
		if serr := c.stop(ctx, id); serr != nil {
			return nil, fmt.Errorf("%w; stopping the query failed too: %w", err, serr)
		}
		return nil, err
	case err != nil && runCtx.Err() != nil:
		return nil, c.contextError(ctx, runCtx, "starting logs insights query")
	case err != nil:
		var mq *logtypes.MalformedQueryException
		if errors.As(err, &mq) {
			return nil, compileError(mq, err)
		}
		return nil, fmt.Errorf("starting logs insights query: %w", err)
	}

	res, stop, err := c.poll(runCtx, id)
	if err == nil {
		return res, nil
	}
	if runCtx.Err() != nil {
		err = c.contextError(ctx, runCtx, "logs insights query "+id)
		stop = true
	}
	if stop {
		if serr := c.stop(ctx, id); serr != nil {
			return nil, fmt.Errorf("%w; stopping the query failed too: %w", err, serr)
		}
	}
	return nil, err
}

// compileError converts AWS's MalformedQueryException (err, as mq).
func compileError(mq *logtypes.MalformedQueryException, err error) *QueryCompileError {
	ce := &QueryCompileError{Message: aws.ToString(mq.Message), Start: -1, End: -1, Err: err}
	if qc := mq.QueryCompileError; qc != nil {
		if m := aws.ToString(qc.Message); m != "" {
			ce.Message = m
		}
		if loc := qc.Location; loc != nil {
			if loc.StartCharOffset != nil {
				ce.Start = int(*loc.StartCharOffset)
			}
			if loc.EndCharOffset != nil {
				ce.End = int(*loc.EndCharOffset)
			}
		}
	}
	return ce
}

// contextError describes why runCtx ended: the caller's ctx, or the
// client's own timeout.
func (c *InsightsClient) contextError(ctx, runCtx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if context.Cause(runCtx) == errRunTimeout {
		return fmt.Errorf("%s: ran longer than %s (InsightsOptions.Timeout): %w", what, c.opts.Timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("%s: %w", what, runCtx.Err())
}

// grace returns a context for a call that must outlive runCtx: it keeps
// ctx's values and ends GracePeriod after runCtx does.
func (c *InsightsClient) grace(ctx, runCtx context.Context) (context.Context, context.CancelFunc) {
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(runCtx, func() { time.AfterFunc(c.opts.GracePeriod, cancel) })
	return gctx, func() { stop(); cancel() }
}

// stop stops query id, with a context that outlives ctx's cancellation. A
// query that is no longer running is no error: StopQuery fails for it with
// InvalidParameterException in the fake; the code AWS uses there is not
// documented (FACTS.md 5.1).
func (c *InsightsClient) stop(ctx context.Context, id string) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.GracePeriod)
	defer cancel()
	err := retry(sctx, c.opts.Retry, func() error {
		_, err := c.api.StopQuery(sctx, &cloudwatchlogs.StopQueryInput{QueryId: aws.String(id)})
		return err
	})
	var ae smithy.APIError
	if err == nil || errors.As(err, &ae) && ae.ErrorCode() == "InvalidParameterException" {
		return nil
	}
	return fmt.Errorf("stopping logs insights query %s: %w", id, err)
}

// startInput validates Run's arguments and builds the StartQuery input.
func (c *InsightsClient) startInput(query string, logGroups []string, r TimeRange) (*cloudwatchlogs.StartQueryInput, error) {
	switch {
	case strings.TrimSpace(query) == "":
		return nil, errors.New("logs insights query: empty query")
	case len(query) > maxQueryLength:
		return nil, fmt.Errorf("logs insights query: %d characters, more than %d", len(query), maxQueryLength)
	case len(logGroups) == 0:
		return nil, errors.New("logs insights query: no log group")
	case len(logGroups) > c.opts.MaxLogGroups:
		return nil, fmt.Errorf("logs insights query: %d log groups, more than %d", len(logGroups), c.opts.MaxLogGroups)
	}
	arns := false
	for i, g := range logGroups {
		if g == "" || strings.HasSuffix(g, "*") {
			return nil, fmt.Errorf("logs insights query: log group %d: %q is not a log group name or ARN", i+1, g)
		}
		arns = arns || strings.HasPrefix(g, "arn:")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	start := r.Start.Unix()
	end := r.End.Unix()
	if r.End.After(time.Unix(end, 0)) {
		end++
	}
	in := &cloudwatchlogs.StartQueryInput{
		QueryString:   aws.String(query),
		StartTime:     aws.Int64(start),
		EndTime:       aws.Int64(end),
		QueryLanguage: logtypes.QueryLanguageCwli,
	}
	if arns {
		in.LogGroupIdentifiers = slices.Clone(logGroups)
	} else {
		in.LogGroupNames = slices.Clone(logGroups)
	}
	return in, nil
}

// poll calls GetQueryResults with backoff until the query ends. stop
// reports whether an error left the query possibly running.
func (c *InsightsClient) poll(ctx context.Context, id string) (res *QueryResult, stop bool, err error) {
	wait := c.opts.PollInterval
	for polls := 1; ; polls++ {
		out, err := c.results(ctx, id, nil)
		if err != nil {
			return nil, true, fmt.Errorf("logs insights query %s: reading results: %w", id, err)
		}
		switch out.Status {
		case logtypes.QueryStatusComplete:
			res, err := c.collect(ctx, id, out)
			if err != nil {
				return nil, false, err
			}
			res.Polls = polls
			return res, false, nil
		case logtypes.QueryStatusFailed, logtypes.QueryStatusCancelled, logtypes.QueryStatusTimeout:
			return nil, false, &QueryError{QueryID: id, Status: string(out.Status)}
		case logtypes.QueryStatusScheduled, logtypes.QueryStatusRunning:
		default:
			// Unknown, or a status added after this was written: stop the
			// query in case it still runs.
			return nil, true, &QueryError{QueryID: id, Status: string(out.Status)}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, true, ctx.Err()
		case <-t.C:
		}
		wait = min(time.Duration(float64(wait)*c.opts.PollFactor), c.opts.MaxPollInterval)
	}
}

// results calls GetQueryResults, retrying throttled calls.
func (c *InsightsClient) results(ctx context.Context, id string, token *string) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	var out *cloudwatchlogs.GetQueryResultsOutput
	err := retry(ctx, c.opts.Retry, func() error {
		var err error
		out, err = c.api.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String(id), NextToken: token})
		return err
	})
	return out, err
}

// collect converts a Complete answer and follows nextToken for the rest of
// the rows (FACTS.md 5.1: pages of up to 10,000 rows).
func (c *InsightsClient) collect(ctx context.Context, id string, out *cloudwatchlogs.GetQueryResultsOutput) (*QueryResult, error) {
	res := &QueryResult{QueryID: id}
	if s := out.Statistics; s != nil {
		res.Stats = QueryStats{RecordsMatched: statCount(s.RecordsMatched), RecordsScanned: statCount(s.RecordsScanned), BytesScanned: statCount(s.BytesScanned)}
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		for _, fields := range out.Results {
			row := make(Row, 0, len(fields))
			for _, f := range fields {
				row = append(row, ResultField{Name: aws.ToString(f.Field), Value: aws.ToString(f.Value)})
			}
			res.Rows = append(res.Rows, row)
		}
		token := aws.ToString(out.NextToken)
		if token == "" {
			return res, nil
		}
		if seen[token] {
			return nil, fmt.Errorf("logs insights query %s: GetQueryResults repeated page token %q", id, truncate(token))
		}
		seen[token] = true
		var err error
		if out, err = c.results(ctx, id, aws.String(token)); err != nil {
			return nil, fmt.Errorf("logs insights query %s: reading page %d of the results: %w", id, page+1, err)
		}
	}
}

// statCount converts one of AWS's statistics (a double) to a count.
func statCount(f float64) int64 {
	if f <= 0 || math.IsNaN(f) {
		return 0
	}
	if f >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(math.Round(f))
}

// DecodeRows decodes rows into values of the struct type T. A field of T
// takes the column named by its `insights:"name"` tag, or else by its own
// name; `insights:"-"` skips it, and columns that no field takes are
// ignored. A column missing from a row leaves the field at its zero value
// (a pointer field nil).
//
// Fields may be strings, bools, integers, floats, time.Time, or pointers to
// them. Logs Insights returns every value as text: integers may be written
// as whole decimals ("12.0"); times may be Logs Insights' timestamps
// ("2006-01-02 15:04:05.000", UTC), RFC 3339 (CloudTrail's eventTime), or
// epoch milliseconds (the user-activity log's eventTimestamp). An error
// names the row (from 0) and the column.
func DecodeRows[T any](rows []Row) ([]T, error) {
	rt := reflect.TypeFor[T]()
	if rt.Kind() != reflect.Struct {
		return nil, fmt.Errorf("decoding logs insights rows: %s is not a struct type", rt)
	}
	plan := map[string]int{}
	for i := range rt.NumField() {
		f := rt.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("insights"); ok {
			if tag == "-" {
				continue
			}
			if tag != "" {
				name = tag
			}
		}
		if !decodable(f.Type) {
			return nil, fmt.Errorf("decoding logs insights rows: field %s.%s has type %s, which cannot hold a result value", rt, f.Name, f.Type)
		}
		if _, dup := plan[name]; dup {
			return nil, fmt.Errorf("decoding logs insights rows: two fields of %s take column %q", rt, name)
		}
		plan[name] = i
	}
	out := make([]T, len(rows))
	for i, row := range rows {
		v := reflect.ValueOf(&out[i]).Elem()
		for _, f := range row {
			idx, ok := plan[f.Name]
			if !ok {
				continue
			}
			if err := setValue(v.Field(idx), f.Value); err != nil {
				return nil, fmt.Errorf("decoding logs insights row %d, column %q into %s.%s: %w", i, f.Name, rt, rt.Field(idx).Name, err)
			}
		}
	}
	return out, nil
}

var timeType = reflect.TypeFor[time.Time]()

func decodable(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func setValue(v reflect.Value, s string) error {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		if err := setValue(p.Elem(), s); err != nil {
			return err
		}
		v.Set(p)
		return nil
	}
	if v.Type() == timeType {
		t, err := parseResultTime(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(t))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not a boolean", truncate(s))
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return fmt.Errorf("%q is not an integer", truncate(s))
			}
			n = int64(f)
		}
		if v.OverflowInt(n) {
			return fmt.Errorf("%s overflows %s", s, v.Type())
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil || f != math.Trunc(f) || f < 0 || f >= math.MaxUint64 {
				return fmt.Errorf("%q is not a non-negative integer", truncate(s))
			}
			n = uint64(f)
		}
		if v.OverflowUint(n) {
			return fmt.Errorf("%s overflows %s", s, v.Type())
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a number", truncate(s))
		}
		v.SetFloat(f)
	}
	return nil
}

// parseResultTime parses a time as Logs Insights results and log records
// write them.
func parseResultTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05.000", "2006-01-02 15:04:05", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && s != "" && s[0] != '-' && s[0] != '+' {
		return time.UnixMilli(ms).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time", truncate(s))
}
