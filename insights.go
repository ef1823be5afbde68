package cognitomon

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
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
