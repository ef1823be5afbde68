package cognitomon

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/eventnames"
	"github.com/cognitomon/cognitomon/internal/insightsql"
	"github.com/cognitomon/cognitomon/internal/text"
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

// The values of Query.Reads: the kinds of log group a canned query reads.
const (
	// readsCloudTrail is a log group that a CloudTrail trail delivers to
	// (FACTS.md 3.2): one JSON CloudTrail record per log event, fields
	// addressed as eventName, additionalEventData.userPoolId ...
	readsCloudTrail = "cloudtrail"
	// readsUserActivity is the log group of Cognito's user-activity log
	// (threat protection, Plus feature plan, FACTS.md 5.3): fields
	// addressed as message.eventType, message.riskLevel ...
	readsUserActivity = "user-activity"
)

// The values of Query.Params, each named after the QueryParams field it
// stands for.
const (
	paramUserPool   = "user-pool"
	paramClients    = "clients"
	paramEventNames = "event-names"
	paramIPs        = "ips"
	paramBin        = "bin"
	paramLimit      = "limit"
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
	// Reads is the kind of log group the query reads: "cloudtrail" (a log
	// group a CloudTrail trail delivers to, FACTS.md 3.2) or
	// "user-activity" (Cognito's user-activity log of threat protection,
	// FACTS.md 5.3).
	Reads string
	// Params are the parameters the query takes, each named after the
	// QueryParams field it stands for: "user-pool", "clients",
	// "event-names", "ips", "bin" and "limit".
	Params []string
	// DefaultLimit is the row limit when QueryParams.Limit is zero.
	DefaultLimit int
	// DefaultBin is the bucket width when QueryParams.Bin is zero, for a
	// query that takes "bin"; zero otherwise.
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
func (q Query) takes(p string) bool { return slices.Contains(q.Params, p) }

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
		p   string
		set bool
	}{
		{paramUserPool, p.UserPool != ""},
		{paramClients, len(p.Clients) > 0},
		{paramEventNames, len(p.EventNames) > 0},
		{paramIPs, len(p.IPs) > 0},
		{paramBin, p.Bin != 0},
		{paramLimit, p.Limit != 0},
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
			return fail("event name %d: %q is not one the query reads", i+1, text.Truncate(n))
		case q.EventNames == nil && !knownEventName(n):
			return fail("event name %d: %q is not a Cognito event name cognitomon knows", i+1, text.Truncate(n))
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
	if q.takes(paramBin) {
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
		if q.Reads == readsUserActivity {
			field = "message.ipAddress"
		}
		conds = append(conds, r.field(field)+" in "+r.list(ips))
	}
	if len(names) > 0 {
		conds = append(conds, r.field("eventName")+" in "+r.list(names))
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
		if q.Reads == readsUserActivity {
			alts = append(alts, r.field("message.userPoolId")+" = "+r.str(string(pool)))
		} else {
			alts = append(alts, r.field("additionalEventData.userPoolId")+" = "+r.str(string(pool)),
				r.field("requestParameters.userPoolId")+" = "+r.str(string(pool)))
		}
	}
	if len(clients) > 0 {
		if q.Reads == readsUserActivity {
			alts = append(alts, r.field("message.clientId")+" in "+r.list(clients))
		} else {
			alts = append(alts, r.field("requestParameters.clientId")+" in "+r.list(clients),
				r.field(fieldClientID)+" in "+r.list(clients))
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

// renderer writes literals and field names into query text. Logs Insights documents no
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

// field returns a reference to the field name: the name, in backticks
// where Logs Insights needs them (insightsql.FieldRef, FACTS.md 5.2). Field
// names come from the catalogue, never from parameters.
func (r *renderer) field(name string) string {
	ref, err := insightsql.FieldRef(name)
	if err != nil {
		if r.err == nil {
			r.err = err
		}
		return "`invalid`"
	}
	return ref
}

// str returns s as a double-quoted string literal.
func (r *renderer) str(s string) string {
	if !isLiteralSafe(s) {
		if r.err == nil {
			r.err = fmt.Errorf("value %q cannot be written as a query literal", text.Truncate(s))
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

// The CloudTrail event names the catalogue reads, all from the one table
// of internal/eventnames (FACTS.md 2.2: the endpoint names verbatim, and
// API events named after their cognito-idp operation). The tests that prove
// the queries keep an independent list of their own.

// apiNames are the API operations (not endpoint events) of kind k.
func apiNames(k eventnames.Kind) []string {
	return eventnames.Names(func(e eventnames.Entry) bool { return !e.Endpoint && e.Kind == k })
}

// kindNames are the events of kind k, endpoint events and API operations.
func kindNames(k eventnames.Kind) []string {
	return eventnames.Names(func(e eventnames.Entry) bool { return e.Kind == k })
}

// refinedBy are the events whose kind the field r names refines.
func refinedBy(r eventnames.Refine) []string {
	return eventnames.Names(func(e eventnames.Entry) bool { return e.Refine == r })
}

// knownEventName reports whether name is on cognitomon's closed list of
// Cognito event names.
func knownEventName(name string) bool { return eventnames.Known(name) }

// The fields the catalogue shares, as Logs Insights names them (FACTS.md
// 2.3, 5.2). The renderer puts the names that need them in backticks.
const (
	fieldStatus   = "additionalEventData.responseParameters.status"
	fieldClientID = "additionalEventData.requestParameters.client_id.0"
	fieldGrant    = "additionalEventData.requestParameters.grant_type.0"
	fieldRedirect = "additionalEventData.requestParameters.redirect_uri.0"
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
	assumeBackticks       = "Field names with characters other than letters, digits, @ and . are written in backticks (FACTS.md 5.2), so client_id.0, grant_type.0 and redirect_uri.0 are; Logs Insights accepts the backticks and names the result column without them."
)

// Catalog returns the canned queries, in a fixed order. Each call returns
// fresh values that the caller may change.
func Catalog() []Query {
	r := &renderer{}
	f := r.field
	fields := func(names ...string) string {
		refs := make([]string, len(names))
		for i, n := range names {
			refs[i] = f(n)
		}
		return strings.Join(refs, ", ")
	}
	in := func(field string, names []string) string { return f(field) + " in " + r.list(names) }
	eq := func(field, v string) string { return f(field) + " = " + r.str(v) }
	cat := func(lists ...[]string) []string { return slices.Concat(lists...) }

	source := eq("eventSource", UserPoolEventSource)
	// failed is a failed request: an API call with an error code, or an
	// endpoint request with an HTTP error status (FACTS.md 2.3). "not
	// isempty", never ispresent: endpoint records carry "errorCode": "" on
	// success (FACTS.md 2.3, 5.2).
	failed := "(not isempty(" + f("errorCode") + ") or " + f(fieldStatus) + " >= 400)"
	refreshFlow := in("requestParameters.authFlow", eventnames.RefreshFlows())
	grant := func(g string) string { return eq(fieldGrant, g) }

	authFlowNames := refinedBy(eventnames.ByAuthFlow)   // InitiateAuth, AdminInitiateAuth
	challengeNames := refinedBy(eventnames.ByChallenge) // the challenge responses
	tokenNames := eventnames.FamilyNames(eventnames.FamilyToken)
	authorizeNames := eventnames.FamilyNames(eventnames.FamilyAuthorize)
	loginNames := eventnames.FamilyNames(eventnames.FamilyLogin) // verifyCode_POST among them (FACTS.md 9.4)
	mfaPageNames := eventnames.FamilyNames(eventnames.FamilyMFA)
	mfaAPINames := apiNames(eventnames.MFA)
	errorPageNames := eventnames.FamilyNames(eventnames.FamilyError)
	resetNames := kindNames(eventnames.PasswordReset)
	adminNames := kindNames(eventnames.AdminChange) // client-secret rotation among them (FACTS.md 9.4)

	signInNames := cat(apiNames(eventnames.SignIn), loginNames, mfaPageNames, tokenNames)
	refreshNames := cat(authFlowNames, apiNames(eventnames.TokenRefresh), tokenNames)
	mfaNames := cat(challengeNames, mfaAPINames, mfaPageNames)
	ctParams := []string{paramUserPool, paramClients, paramEventNames, paramIPs, paramLimit}
	uaParams := []string{paramUserPool, paramClients, paramIPs, paramLimit}

	qs := []Query{
		{
			Name:         "failed-sign-ins",
			Description:  "Failed sign-in steps by error code (or HTTP status) and source IP: InitiateAuth, AdminInitiateAuth, RespondToAuthChallenge, AdminRespondToAuthChallenge, managed-login and hosted-UI sign-in pages (passwordless one-time codes, verifyCode_POST, included) and MFA pages, and authorization-code token requests; refreshes excluded.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{"errorCode", fieldStatus, "sourceIPAddress", "failures"},
			EventNames:   signInNames,
			NeedsClients: true,
			Assumptions:  []string{assumeAuthFlow, assumeNotIn, assumeEndpointFailure, assumeThrottles, assumeAPIPool, assumeBackticks},
			conds: []string{source,
				"((" + in("eventName", authFlowNames) + " and not (" + refreshFlow + ")) or " +
					in("eventName", cat(challengeNames, loginNames, mfaPageNames)) + " or (" +
					in("eventName", tokenNames) + " and " + grant(eventnames.GrantAuthorizationCode) + "))",
				failed},
			tail: []string{"stats count(*) as failures by " + fields("errorCode", fieldStatus, "sourceIPAddress"), "sort failures desc"},
		},
		{
			Name:         "refresh-failures",
			Description:  "Failed token refreshes over time, per event name, across the three refresh paths: InitiateAuth or AdminInitiateAuth with REFRESH_TOKEN_AUTH or REFRESH_TOKEN, GetTokensFromRefreshToken, and the token endpoint with grant_type refresh_token.",
			Reads:        readsCloudTrail,
			Params:       []string{paramUserPool, paramClients, paramEventNames, paramIPs, paramBin, paramLimit},
			DefaultLimit: 1000,
			DefaultBin:   5 * time.Minute,
			Columns:      []string{"t", "eventName", "failures"},
			EventNames:   refreshNames,
			NeedsClients: true,
			Assumptions:  []string{assumeAuthFlow, assumeEndpointFailure, assumeThrottles, assumeTimestamp, assumeAPIPool, assumeBackticks},
			conds: []string{source,
				"((" + in("eventName", authFlowNames) + " and " + refreshFlow + ") or " + in("eventName", apiNames(eventnames.TokenRefresh)) +
					" or (" + in("eventName", tokenNames) + " and " + grant(eventnames.GrantRefreshToken) + "))",
				failed},
			tail: []string{"stats count(*) as failures by bin({bin}) as t, " + f("eventName"), "sort t desc"},
		},
		{
			Name:         "top-failing-ips",
			Description:  "Source IPs with the most failed requests of any kind (brute force, credential stuffing, broken clients).",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 25,
			Columns:      []string{"sourceIPAddress", "failures"},
			NeedsClients: true,
			Assumptions:  []string{assumeEndpointFailure, assumeThrottles, assumeAPIPool},
			conds:        []string{source, failed},
			tail:         []string{"stats count(*) as failures by " + f("sourceIPAddress"), "sort failures desc"},
		},
		{
			Name:         "token-requests",
			Description:  "Token-endpoint requests (Token_POST, Beta_Token_POST) per app client and grant type; machine-to-machine clients are the client_credentials rows.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{fieldClientID, fieldGrant, "requests"},
			EventNames:   tokenNames,
			Assumptions:  []string{assumeBasicAuth, assumeBackticks},
			conds:        []string{source, in("eventName", tokenNames)},
			tail:         []string{"stats count(*) as requests by " + fields(fieldClientID, fieldGrant), "sort requests desc"},
		},
		{
			Name:         "user-enumeration",
			Description:  "UserNotFoundException failures per source IP: someone probing which user names exist. Clients with PreventUserExistenceErrors=ENABLED answer NotAuthorizedException instead and do not show here.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 25,
			Columns:      []string{"sourceIPAddress", "userNotFound"},
			NeedsClients: true,
			Assumptions: []string{
				"A failed managed-login or hosted-UI request carries no errorCode as far as AWS shows (FACTS.md 2.3, 8.6), so enumeration through those pages does not show here; failed-sign-ins counts it as an HTTP status.",
				assumeAPIPool},
			conds: []string{source, eq("errorCode", eventnames.UserNotFoundException)},
			tail:  []string{"stats count(*) as userNotFound by " + f("sourceIPAddress"), "sort userNotFound desc"},
		},
		{
			Name:         "password-reset-abuse",
			Description:  "Password-reset requests (ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword and the reset pages) per source IP, event name and outcome: code flooding and code guessing.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"sourceIPAddress", "eventName", "errorCode", fieldStatus, "requests"},
			EventNames:   resetNames,
			NeedsClients: true,
			Assumptions:  []string{assumeEndpointFailure, assumeAPIPool},
			conds:        []string{source, in("eventName", resetNames)},
			tail:         []string{"stats count(*) as requests by " + fields("sourceIPAddress", "eventName", "errorCode", fieldStatus), "sort requests desc"},
		},
		{
			Name:         "mfa-failures",
			Description:  "Failed MFA steps by error code (or HTTP status) and source IP: challenge responses to an MFA or one-time-code challenge or failing with CodeMismatchException or ExpiredCodeException, software-token and MFA-preference calls, and the MFA pages.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"errorCode", fieldStatus, "sourceIPAddress", "failures"},
			EventNames:   mfaNames,
			NeedsClients: true,
			Assumptions: []string{
				"CloudTrail may not record requestParameters.challengeName (FACTS.md 2.3 [X]); challenge responses that fail with CodeMismatchException or ExpiredCodeException are counted either way, since only code challenges check codes.",
				assumeEndpointFailure, assumeThrottles, assumeAPIPool},
			conds: []string{source,
				"((" + in("eventName", challengeNames) + " and (" + in("requestParameters.challengeName", eventnames.MFAChallenges()) + " or " +
					in("errorCode", eventnames.CodeErrors()) + ")) or " +
					in("eventName", cat(mfaAPINames, mfaPageNames)) + ")",
				failed},
			tail: []string{"stats count(*) as failures by " + fields("errorCode", fieldStatus, "sourceIPAddress"), "sort failures desc"},
		},
		{
			Name:         "admin-changes",
			Description:  "Changes to a pool's configuration (pools, app clients and their secrets, identity providers, domains, groups, risk and MFA settings ...), failed attempts included, newest first, with the caller's ARN and source IP.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 100,
			Columns:      []string{"@timestamp", "eventName", "userIdentity.arn", "sourceIPAddress", "errorCode", "requestParameters.userPoolId", "eventID"},
			EventNames:   adminNames,
			Assumptions: []string{
				"Records of admin operations carry the request's userPoolId in requestParameters.userPoolId (CloudTrail logs API request parameters; no Cognito sample shows it). CreateUserPool names no pool there and is left out when the query is scoped to a pool.",
				"AddUserPoolClientSecret and DeleteUserPoolClientSecret are recorded under their operation names, as every API call is (FACTS.md 2.2, 9.4); no sample shows them."},
			conds: []string{source, in("eventName", adminNames)},
			tail: []string{"fields " + fields("@timestamp", "eventName", "userIdentity.arn", "sourceIPAddress", "errorCode", "requestParameters.userPoolId", "eventID"),
				"sort @timestamp desc"},
		},
		{
			Name:         "redirect-mismatches",
			Description:  "Callback and redirect errors: InvalidParameterException on any request (a callback URL that is not registered among the causes), authorize requests with an HTTP error status, and hosted-UI error pages (Error_GET), per event, client and redirect URI.",
			Reads:        readsCloudTrail,
			Params:       ctParams,
			DefaultLimit: 50,
			Columns:      []string{"eventName", "errorCode", "requestParameters.clientId", fieldClientID, fieldRedirect, "errors"},
			NeedsClients: true,
			Assumptions: []string{
				"InvalidParameterException has many causes besides a callback URL; the redirect_uri column tells them apart where the request carried one.",
				"A rejected redirect_uri at the authorize endpoint shows as an HTTP status of 400 or more or as an Error_GET page; AWS documents neither (FACTS.md 2.3, 8.6).",
				assumeAPIPool, assumeBackticks},
			conds: []string{source,
				"(" + eq("errorCode", eventnames.InvalidParameterException) + " or " + in("eventName", errorPageNames) + " or (" + in("eventName", authorizeNames) + " and " + f(fieldStatus) + " >= 400))"},
			tail: []string{"stats count(*) as errors by " + fields("eventName", "errorCode", "requestParameters.clientId", fieldClientID, fieldRedirect), "sort errors desc"},
		},
		{
			Name:         "risky-sign-ins",
			Description:  "Sign-ins that threat protection rated high risk or blocked, per IP, user, risk level, decision and response (user-activity log, Plus plan).",
			Reads:        readsUserActivity,
			Params:       uaParams,
			DefaultLimit: 50,
			Columns:      []string{"message.ipAddress", "message.userName", "message.riskLevel", "message.riskDecision", "message.eventResponse", "signIns"},
			Assumptions: []string{assumeActivityFields,
				"A sign-in has eventType SignIn (the API's spelling; SIGN_IN matches too), a high risk level is HIGH or High, a block is riskDecision BLOCK or Block (FACTS.md 5.3)."},
			conds: []string{f("message.eventType") + " =~ " + r.regex("^sign_?in$"),
				"(" + f("message.riskLevel") + " =~ " + r.regex("^high$") + " or " + f("message.riskDecision") + " =~ " + r.regex("^block$") + ")"},
			tail: []string{"stats count(*) as signIns by " + fields("message.ipAddress", "message.userName", "message.riskLevel", "message.riskDecision", "message.eventResponse"), "sort signIns desc"},
		},
		{
			Name:         "compromised-credentials",
			Description:  "Requests in which threat protection detected compromised credentials, per event type, IP and user (user-activity log, Plus plan).",
			Reads:        readsUserActivity,
			Params:       uaParams,
			DefaultLimit: 50,
			Columns:      []string{"message.eventType", "message.ipAddress", "message.userName", "detections"},
			Assumptions: []string{assumeActivityFields,
				`compromisedCredentialDetected is the string "true" on a detection, as the sample's "false" suggests (FACTS.md 5.3).`},
			conds: []string{f("message.compromisedCredentialDetected") + " =~ " + r.regex("^true$")},
			tail:  []string{"stats count(*) as detections by " + fields("message.eventType", "message.ipAddress", "message.userName"), "sort detections desc"},
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
