package cognitomon

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// UserPoolEventSource is the eventSource of every CloudTrail record about a
// Cognito user pool. Identity-pool records carry
// "cognito-identity.amazonaws.com" instead and are not user-pool events.
const UserPoolEventSource = "cognito-idp.amazonaws.com"

// ErrNotUserPoolEvent reports a well-formed record that is not about a
// Cognito user pool: a record from another service (an identity pool, S3,
// CloudTrail itself ...) or JSON that is not a CloudTrail record at all.
var ErrNotUserPoolEvent = errors.New("not a cognito user pool event")

// EventType is the eventType of a CloudTrail record.
type EventType string

// The two event types of user-pool records (FACTS.md 2.1).
const (
	// EventTypeAPICall is a request to the user-pool API (InitiateAuth,
	// SignUp, UpdateUserPool ...). Its parameters are in requestParameters.
	EventTypeAPICall EventType = "AwsApiCall"
	// EventTypeServiceEvent is a request to a managed-login, hosted-UI, OAuth
	// or SAML endpoint (Token_POST, Login_GET, login_POST ...). Its
	// parameters are arrays of strings in
	// additionalEventData.requestParameters and its HTTP status is in
	// additionalEventData.responseParameters.status.
	EventTypeServiceEvent EventType = "AwsServiceEvent"
)

// Event is one CloudTrail record about a Cognito user pool, decoded once
// into plain values. The zero value is an empty event; events come from
// ParseEvent, ReadEvents, ReadEventFiles and TrailClient.Events.
//
// Fields that a record does not carry are left at their zero values: AWS's
// endpoint records have no caller ARN, API records have no HTTPStatus, and
// Login_GET has no userPoolId. Values are as recorded and IDs are not
// validated, except that UserPoolID, ClientID, AuthFlow, ChallengeName,
// GrantType and Sub are left empty when they hold Cognito's redaction marker
// (HIDDEN_DUE_TO_SECURITY_REASONS, or HIDDEN_FOR_SECURITY_REASONS as one AWS
// page spells it). A member whose JSON type is not the expected one is
// treated as absent rather than failing the record.
//
// Kind, Outcome and Family classify the event from these fields.
type Event struct {
	// EventID is CloudTrail's unique ID of the record (eventID).
	EventID string
	// Time is eventTime, in UTC.
	Time time.Time
	// Name is eventName: the API operation ("InitiateAuth") or the endpoint
	// event ("Token_POST", "login_POST"). Names are case-sensitive.
	Name string
	// Type is eventType.
	Type EventType
	// ErrorCode is the error the request ended with
	// ("NotAuthorizedException"), or "" when the record has none. AWS's
	// endpoint records carry an empty-string errorCode on success, which is
	// no error; an endpoint request may also fail with only an HTTP status
	// (see Outcome).
	ErrorCode string
	// ErrorMessage is the error's message, or "".
	ErrorMessage string
	// SourceIP is sourceIPAddress: the client's IP, or an AWS service name
	// for calls that a service made.
	SourceIP string
	// UserAgent is the client's user agent as recorded.
	UserAgent string
	// UserPoolID is the pool the request was about: additionalEventData.userPoolId,
	// else requestParameters.userPoolId (admin operations), else the pool in
	// resources, else the pool that responseElements describes
	// (CreateUserPool). Empty when the record names no pool.
	UserPoolID UserPoolID
	// ClientID is the app client the request named: requestParameters.clientId
	// (API calls), else additionalEventData.requestParameters.client_id[0]
	// (endpoint events), else additionalEventData.clientId, else the client
	// that responseElements describes (CreateUserPoolClient). A token-endpoint
	// request that authenticated with an HTTP Basic header may have none
	// (FACTS.md 2.3 [X]).
	ClientID ClientID
	// AuthFlow is requestParameters.authFlow of InitiateAuth and
	// AdminInitiateAuth ("USER_SRP_AUTH", "REFRESH_TOKEN_AUTH" ...).
	AuthFlow string
	// ChallengeName is requestParameters.challengeName of
	// RespondToAuthChallenge and AdminRespondToAuthChallenge, when CloudTrail
	// records it ("SOFTWARE_TOKEN_MFA" ...). Whether it does is not
	// documented (FACTS.md 2.3 [X]).
	ChallengeName string
	// GrantType is additionalEventData.requestParameters.grant_type[0] of
	// token-endpoint events ("authorization_code", "refresh_token",
	// "client_credentials").
	GrantType string
	// Sub is the user's sub: additionalEventData.sub, or
	// additionalEventData.requestParameters.sub[0] (Confirm_POST).
	// Cognito records the sub, never the user name (FACTS.md 2.1).
	Sub string
	// HTTPStatus is additionalEventData.responseParameters.status of
	// endpoint events (200, 302 ...), recorded by AWS as a number (200 or
	// 200.0) and accepted as a string too. 0 when absent.
	HTTPStatus int
	// CallerType is userIdentity.type ("IAMUser", "AssumedRole", "Unknown"),
	// or "" when the record's userIdentity has no type, as in every AWS
	// sample of an endpoint event.
	CallerType string
	// CallerARN is userIdentity.arn: who made an IAM-authorized call such as
	// an admin operation. "" for unauthenticated requests.
	CallerARN string
	// Region is awsRegion.
	Region string
	// Account is recipientAccountId: the account that owns the pool.
	Account string
	// RequestID is requestID, or "" (AWS's Login_GET sample has none).
	RequestID string
	// ReadOnly is readOnly.
	ReadOnly bool
	// Raw is the record's own JSON, for anything the fields above leave out.
	// It is never shared with the caller's input buffers.
	Raw json.RawMessage
}

// Failed reports whether the event's Outcome is OutcomeFailure or
// OutcomeThrottled.
func (e Event) Failed() bool { return e.Outcome() != OutcomeSuccess }

// FailureReason returns the event's ErrorCode, or "HTTP <status>" for an
// endpoint event that failed with only an HTTP status, or "" when the event
// did not fail.
func (e Event) FailureReason() string {
	switch {
	case e.ErrorCode != "":
		return e.ErrorCode
	case e.HTTPStatus >= 400:
		return "HTTP " + strconv.Itoa(e.HTTPStatus)
	}
	return ""
}

// EventKind classifies an Event by what the request was for. The zero value
// is not a kind.
//
// The rules, from FACTS.md sections 2.2, 6.1 and 6.2:
//
//   - KindSignIn: InitiateAuth and AdminInitiateAuth with any flow but a
//     refresh; RespondToAuthChallenge and AdminRespondToAuthChallenge (with
//     SRP a wrong password fails there, not on InitiateAuth) unless they are
//     KindMFA; the endpoints of the authorize and login families;
//     Token_POST and Beta_Token_POST with grant_type authorization_code.
//   - KindMFA: a challenge response that answers an MFA or one-time-code
//     challenge (ChallengeName SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//     SMS_OTP, MFA_SETUP or SELECT_MFA_TYPE), or that fails with
//     CodeMismatchException or ExpiredCodeException (only code challenges
//     check codes; this rule matters because whether CloudTrail records
//     challengeName is unverified, FACTS.md 2.3 [X]); AssociateSoftwareToken,
//     VerifySoftwareToken, SetUserMFAPreference, AdminSetUserMFAPreference;
//     the MFA endpoint family. For such a challenge response the kind says
//     which step failed and the Outcome that it failed: a wrong TOTP code is
//     KindMFA with OutcomeFailure, never KindSignIn. CloudWatch counts the
//     same requests under SignIn, so compare KindSignIn plus KindMFA with
//     its SignIn figures.
//   - KindTokenRefresh: InitiateAuth or AdminInitiateAuth with AuthFlow
//     REFRESH_TOKEN_AUTH or REFRESH_TOKEN; GetTokensFromRefreshToken;
//     Token_POST and Beta_Token_POST with grant_type refresh_token.
//   - KindM2MToken: Token_POST and Beta_Token_POST with grant_type
//     client_credentials.
//   - KindFederation: the identity-provider responses (SAML2Response_POST,
//     Beta_SAML2Response_POST, OAuth2Response_GET, OAuth2Response_POST,
//     Login_OIDC_SAML_POST).
//   - KindSignUp: SignUp, ConfirmSignUp, ResendConfirmationCode,
//     AdminCreateUser, AdminConfirmSignUp; the sign-up endpoint family.
//   - KindPasswordReset: ForgotPassword, ConfirmForgotPassword,
//     AdminResetUserPassword; the password-reset endpoint family.
//   - KindAdminChange: operations that change a pool's configuration
//     (create, update or delete a pool, app client, identity provider,
//     domain, resource server, group or branding; SetUserPoolMfaConfig,
//     SetRiskConfiguration, AddCustomAttributes, SetUICustomization,
//     SetLogDeliveryConfiguration, TagResource, UntagResource, user-import
//     jobs, UpdateProvisionedLimit). Admin operations on single users
//     (AdminDisableUser ...) are not configuration changes: they are
//     KindOther unless listed above.
//   - KindOther: everything else, including page loads that belong to no
//     flow (Logout, UserInfo_GET), reads (Describe*, List*, GetUser),
//     RevokeToken, GlobalSignOut, and operations that the library does not
//     know yet.
//
// Endpoint page loads (Login_GET, Signup_GET ...) take the kind of their
// flow: every request is counted, whether or not it could issue tokens.
type EventKind int

// The kinds of event. See EventKind for the rules.
const (
	KindSignIn EventKind = iota + 1
	KindTokenRefresh
	KindSignUp
	KindPasswordReset
	KindMFA
	KindM2MToken
	KindFederation
	KindAdminChange
	KindOther
)

// AllEventKinds returns every kind, in declaration order.
func AllEventKinds() []EventKind {
	return []EventKind{KindSignIn, KindTokenRefresh, KindSignUp, KindPasswordReset, KindMFA, KindM2MToken, KindFederation, KindAdminChange, KindOther}
}

// String returns the kind's name without the prefix ("SignIn", "M2MToken").
func (k EventKind) String() string {
	switch k {
	case KindSignIn:
		return "SignIn"
	case KindTokenRefresh:
		return "TokenRefresh"
	case KindSignUp:
		return "SignUp"
	case KindPasswordReset:
		return "PasswordReset"
	case KindMFA:
		return "MFA"
	case KindM2MToken:
		return "M2MToken"
	case KindFederation:
		return "Federation"
	case KindAdminChange:
		return "AdminChange"
	case KindOther:
		return "Other"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText returns String's result, so that kinds read well as JSON
// values and map keys. It fails for a value that is not a kind.
func (k EventKind) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("cognitomon: invalid event kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// ParseEventKind returns the kind whose String is s.
func ParseEventKind(s string) (EventKind, error) {
	for _, k := range AllEventKinds() {
		if k.String() == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown event kind %q", s)
}

func (k EventKind) valid() bool { return k >= KindSignIn && k <= KindOther }

// Flow returns the CloudWatch flow whose metrics count the same requests,
// and false for kinds that CloudWatch does not count (KindPasswordReset,
// KindM2MToken, KindAdminChange, KindOther). KindMFA maps to SignIn because
// MFA steps are part of signing in; CloudTrail's and CloudWatch's counts are
// still not identical (CloudWatch counts a request as a success only when
// tokens are issued, FACTS.md 1.1).
func (k EventKind) Flow() (Flow, bool) {
	switch k {
	case KindSignIn, KindMFA:
		return SignIn, true
	case KindTokenRefresh:
		return TokenRefresh, true
	case KindSignUp:
		return SignUp, true
	case KindFederation:
		return Federation, true
	}
	return 0, false
}

// Outcome says how a request ended. The zero value is not an outcome.
//
// An event is OutcomeThrottled when its ErrorCode is TooManyRequestsException
// (or CloudTrail's generic ThrottlingException), or when it is an endpoint
// event with HTTP status 429. Whether Cognito logs throttled requests to
// CloudTrail at all is unverified (FACTS.md 2.1, 8.7). It is OutcomeFailure
// when it has any other non-empty ErrorCode, or when its HTTPStatus is 400 or
// more. No AWS sample of a failed endpoint request exists (FACTS.md 2.3 [X]):
// both shapes, an errorCode and a 4xx/5xx status with an empty errorCode, are
// accepted. A failure that an endpoint reports as a 200 page or a 302
// redirect cannot be seen and counts as OutcomeSuccess.
type Outcome int

// The outcomes of a request.
const (
	OutcomeSuccess Outcome = iota + 1
	OutcomeFailure
	OutcomeThrottled
)

// String returns "Success", "Failure" or "Throttled".
func (o Outcome) String() string {
	switch o {
	case OutcomeSuccess:
		return "Success"
	case OutcomeFailure:
		return "Failure"
	case OutcomeThrottled:
		return "Throttled"
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// MarshalText returns String's result. It fails for a value that is not an
// outcome.
func (o Outcome) MarshalText() ([]byte, error) {
	if o < OutcomeSuccess || o > OutcomeThrottled {
		return nil, fmt.Errorf("cognitomon: invalid outcome %d", int(o))
	}
	return []byte(o.String()), nil
}

// EndpointFamily groups the endpoint event names (EventTypeServiceEvent) that
// serve one endpoint or page across the classic hosted UI, its Beta_ variants
// and the newer managed login (FACTS.md 2.2), so that a filter can ask for
// "every token-endpoint event" without listing names that AWS keeps adding.
// The zero value, "", is no family: API calls and unknown endpoint names.
type EndpointFamily string

// The endpoint families. Each constant's doc lists its event names.
const (
	// FamilyToken is the token endpoint: Token_POST, Beta_Token_POST.
	FamilyToken EndpointFamily = "token"
	// FamilyAuthorize is the authorize endpoint: OAuth2_Authorize_GET,
	// Beta_Authorize_GET.
	FamilyAuthorize EndpointFamily = "authorize"
	// FamilyLogin is the sign-in pages: Login_GET, CognitoAuthentication,
	// login_POST, login_continue_POST, login_passkey_POST,
	// selectChallenge_POST, verifyCode_POST.
	FamilyLogin EndpointFamily = "login"
	// FamilyFederation is the identity-provider responses and the
	// federated sign-in form: OAuth2Response_GET, OAuth2Response_POST
	// (/oauth2/idpresponse), SAML2Response_POST, Beta_SAML2Response_POST
	// (/saml2/idpresponse), Login_OIDC_SAML_POST.
	FamilyFederation EndpointFamily = "federation"
	// FamilySignUp is the sign-up and confirmation pages: Signup_GET,
	// Signup_POST, Confirm_GET, Confirm_POST, Confirm_With_Link_GET,
	// ResendCode_POST, signup_POST, signup_confirm_POST, confirmUser_GET.
	FamilySignUp EndpointFamily = "signup"
	// FamilyPasswordReset is the password-reset pages: ForgotPassword_GET,
	// ForgotPassword_POST, ConfirmForgotPassword_GET,
	// ConfirmForgotPassword_POST, ResetPassword_GET, ResetPassword_POST,
	// forgotPassword_POST.
	FamilyPasswordReset EndpointFamily = "password-reset"
	// FamilyMFA is the MFA pages: Mfa_GET, Mfa_POST, MfaOption_GET,
	// MfaOption_POST, MfaRegister_GET, MfaRegister_POST, mfa_back_POST,
	// mfa_options_POST, mfa_phone_register_POST, mfa_phone_verify_POST,
	// mfa_phone_resendCode_POST, mfa_totp_POST.
	FamilyMFA EndpointFamily = "mfa"
	// FamilyPasskey is passkey registration: passkeys_add_GET,
	// passkeys_add_POST.
	FamilyPasskey EndpointFamily = "passkey"
	// FamilyLogout is sign-out: Logout, SAML2Logout_POST.
	FamilyLogout EndpointFamily = "logout"
	// FamilyUserInfo is the userInfo endpoint: UserInfo_GET, UserInfo_POST.
	FamilyUserInfo EndpointFamily = "userinfo"
	// FamilyError is the hosted UI's error page: Error_GET.
	FamilyError EndpointFamily = "error"
	// FamilyFeedback is the risk-feedback link: Event_Feedback_GET.
	FamilyFeedback EndpointFamily = "feedback"
)

// AllEndpointFamilies returns every family.
func AllEndpointFamilies() []EndpointFamily {
	return []EndpointFamily{FamilyToken, FamilyAuthorize, FamilyLogin, FamilyFederation, FamilySignUp, FamilyPasswordReset, FamilyMFA, FamilyPasskey, FamilyLogout, FamilyUserInfo, FamilyError, FamilyFeedback}
}

// Names returns the event names of the family, as listed in its doc, or nil
// for a value that is not a family. The names come from FACTS.md 2.2; the
// managed-login ones start with a lower-case letter. verifyCode_POST, the
// passwordless one-time-code step (FACTS.md 9.4), is in the login family.
func (f EndpointFamily) Names() []string { return eventnames.FamilyNames(eventnames.Family(f)) }

// FamilyOf returns the endpoint family of an event name, or "" when the name
// is an API operation or an endpoint event that is in no family.
func FamilyOf(name string) EndpointFamily { return EndpointFamily(eventnames.FamilyOf(name)) }

// Family returns FamilyOf(e.Name).
func (e Event) Family() EndpointFamily { return FamilyOf(e.Name) }

// Kind classifies the event by what the request was for; see EventKind for
// the rules.
func (e Event) Kind() EventKind {
	ent, ok := eventnames.Lookup(e.Name)
	if !ok {
		return KindOther
	}
	return EventKind(ent.Refined(e.AuthFlow, e.ChallengeName, e.GrantType, e.ErrorCode))
}

// Outcome says how the request ended; see Outcome for the rules.
func (e Event) Outcome() Outcome {
	switch {
	case eventnames.Throttle(e.ErrorCode, e.HTTPStatus):
		return OutcomeThrottled
	case eventnames.Failed(e.ErrorCode, e.HTTPStatus):
		return OutcomeFailure
	}
	return OutcomeSuccess
}

// ReadError reports CloudTrail data that could not be read: a log file that
// is corrupt or truncated, or one record, from a file or from LookupEvents,
// that is not a valid event. It unwraps to the cause.
//
// A stream that yields a ReadError about a single record (File and Record
// set and the file otherwise intact, or EventID set by TrailClient) goes on
// with the next record if the loop continues. A ReadError about a file's
// structure ends that file.
type ReadError struct {
	// File names the log file, as given to ReadEvents or as a path in the
	// fs.FS given to ReadEventFiles; "" for LookupEvents.
	File string
	// Record is the index in the file's Records array of the record being
	// read, or -1 when the error is not inside the array (a bad gzip
	// header, a file that is not a CloudTrail log file) or the data came
	// from LookupEvents.
	Record int
	// EventID is the record's event ID when it is known, else "".
	EventID string
	// Err is the cause.
	Err error

	wholeFile bool // the file could not be read, or not past this point
}

// Error describes where the error is and what it is.
func (e *ReadError) Error() string {
	var b strings.Builder
	b.WriteString("cloudtrail")
	if e.File != "" {
		b.WriteString(" file ")
		b.WriteString(strconv.Quote(e.File))
	}
	if e.Record >= 0 {
		b.WriteString(" record ")
		b.WriteString(strconv.Itoa(e.Record))
	}
	if e.EventID != "" {
		b.WriteString(" event ")
		b.WriteString(strconv.Quote(e.EventID))
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *ReadError) Unwrap() error { return e.Err }

// FileError reports whether the error concerns a log file as a whole: it
// could not be opened, is corrupt, or broke part way, so that what came
// after the error in that file was not read.
func (e *ReadError) FileError() bool { return e.wholeFile }
