package cognitomon

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
)

// UserPoolEventSource is the eventSource of every CloudTrail record about a
// Cognito user pool. Identity-pool records carry
// "cognito-identity.amazonaws.com" instead and are not user-pool events.
const UserPoolEventSource = "cognito-idp.amazonaws.com"

// ErrNotUserPoolEvent reports a well-formed record that is not about a
// Cognito user pool: a record from another service (an identity pool, S3,
// CloudTrail itself ...) or JSON that is not a CloudTrail record at all.
var ErrNotUserPoolEvent = errors.New("not a cognito user pool event")

// lookupWindow is how far back LookupEvents reaches (FACTS.md 3.1).
const lookupWindow = 90 * 24 * time.Hour

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
	// selectChallenge_POST.
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
// managed-login ones start with a lower-case letter. verifyCode_POST is in
// no family: AWS does not say which flow it serves.
func (f EndpointFamily) Names() []string {
	switch f {
	case FamilyToken:
		return []string{"Token_POST", "Beta_Token_POST"}
	case FamilyAuthorize:
		return []string{"OAuth2_Authorize_GET", "Beta_Authorize_GET"}
	case FamilyLogin:
		return []string{"Login_GET", "CognitoAuthentication", "login_POST", "login_continue_POST", "login_passkey_POST", "selectChallenge_POST"}
	case FamilyFederation:
		return []string{"OAuth2Response_GET", "OAuth2Response_POST", "SAML2Response_POST", "Beta_SAML2Response_POST", "Login_OIDC_SAML_POST"}
	case FamilySignUp:
		return []string{"Signup_GET", "Signup_POST", "Confirm_GET", "Confirm_POST", "Confirm_With_Link_GET", "ResendCode_POST", "signup_POST", "signup_confirm_POST", "confirmUser_GET"}
	case FamilyPasswordReset:
		return []string{"ForgotPassword_GET", "ForgotPassword_POST", "ConfirmForgotPassword_GET", "ConfirmForgotPassword_POST", "ResetPassword_GET", "ResetPassword_POST", "forgotPassword_POST"}
	case FamilyMFA:
		return []string{"Mfa_GET", "Mfa_POST", "MfaOption_GET", "MfaOption_POST", "MfaRegister_GET", "MfaRegister_POST", "mfa_back_POST", "mfa_options_POST", "mfa_phone_register_POST", "mfa_phone_verify_POST", "mfa_phone_resendCode_POST", "mfa_totp_POST"}
	case FamilyPasskey:
		return []string{"passkeys_add_GET", "passkeys_add_POST"}
	case FamilyLogout:
		return []string{"Logout", "SAML2Logout_POST"}
	case FamilyUserInfo:
		return []string{"UserInfo_GET", "UserInfo_POST"}
	case FamilyError:
		return []string{"Error_GET"}
	case FamilyFeedback:
		return []string{"Event_Feedback_GET"}
	}
	return nil
}

// FamilyOf returns the endpoint family of an event name, or "" when the name
// is an API operation or an endpoint event that is in no family.
func FamilyOf(name string) EndpointFamily {
	switch name {
	case "Token_POST", "Beta_Token_POST":
		return FamilyToken
	case "OAuth2_Authorize_GET", "Beta_Authorize_GET":
		return FamilyAuthorize
	case "Login_GET", "CognitoAuthentication", "login_POST", "login_continue_POST", "login_passkey_POST", "selectChallenge_POST":
		return FamilyLogin
	case "OAuth2Response_GET", "OAuth2Response_POST", "SAML2Response_POST", "Beta_SAML2Response_POST", "Login_OIDC_SAML_POST":
		return FamilyFederation
	case "Signup_GET", "Signup_POST", "Confirm_GET", "Confirm_POST", "Confirm_With_Link_GET", "ResendCode_POST", "signup_POST", "signup_confirm_POST", "confirmUser_GET":
		return FamilySignUp
	case "ForgotPassword_GET", "ForgotPassword_POST", "ConfirmForgotPassword_GET", "ConfirmForgotPassword_POST", "ResetPassword_GET", "ResetPassword_POST", "forgotPassword_POST":
		return FamilyPasswordReset
	case "Mfa_GET", "Mfa_POST", "MfaOption_GET", "MfaOption_POST", "MfaRegister_GET", "MfaRegister_POST", "mfa_back_POST", "mfa_options_POST", "mfa_phone_register_POST", "mfa_phone_verify_POST", "mfa_phone_resendCode_POST", "mfa_totp_POST":
		return FamilyMFA
	case "passkeys_add_GET", "passkeys_add_POST":
		return FamilyPasskey
	case "Logout", "SAML2Logout_POST":
		return FamilyLogout
	case "UserInfo_GET", "UserInfo_POST":
		return FamilyUserInfo
	case "Error_GET":
		return FamilyError
	case "Event_Feedback_GET":
		return FamilyFeedback
	}
	return ""
}

// Family returns FamilyOf(e.Name).
func (e Event) Family() EndpointFamily { return FamilyOf(e.Name) }

// Kind classifies the event by what the request was for; see EventKind for
// the rules.
func (e Event) Kind() EventKind {
	if f := FamilyOf(e.Name); f != "" {
		switch f {
		case FamilyToken:
			switch e.GrantType {
			case "authorization_code":
				return KindSignIn
			case "refresh_token":
				return KindTokenRefresh
			case "client_credentials":
				return KindM2MToken
			}
			return KindOther
		case FamilyAuthorize, FamilyLogin:
			return KindSignIn
		case FamilyFederation:
			return KindFederation
		case FamilySignUp:
			return KindSignUp
		case FamilyPasswordReset:
			return KindPasswordReset
		case FamilyMFA:
			return KindMFA
		}
		return KindOther
	}
	switch e.Name {
	case "InitiateAuth", "AdminInitiateAuth":
		if e.AuthFlow == "REFRESH_TOKEN_AUTH" || e.AuthFlow == "REFRESH_TOKEN" {
			return KindTokenRefresh
		}
		return KindSignIn
	case "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
		switch e.ChallengeName {
		case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "MFA_SETUP", "SELECT_MFA_TYPE":
			return KindMFA
		}
		if e.ErrorCode == "CodeMismatchException" || e.ErrorCode == "ExpiredCodeException" {
			return KindMFA
		}
		return KindSignIn
	case "GetTokensFromRefreshToken":
		return KindTokenRefresh
	case "SignUp", "ConfirmSignUp", "ResendConfirmationCode", "AdminCreateUser", "AdminConfirmSignUp":
		return KindSignUp
	case "ForgotPassword", "ConfirmForgotPassword", "AdminResetUserPassword":
		return KindPasswordReset
	case "AssociateSoftwareToken", "VerifySoftwareToken", "SetUserMFAPreference", "AdminSetUserMFAPreference":
		return KindMFA
	case "CreateUserPool", "UpdateUserPool", "DeleteUserPool",
		"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"CreateIdentityProvider", "UpdateIdentityProvider", "DeleteIdentityProvider",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
		"CreateResourceServer", "UpdateResourceServer", "DeleteResourceServer",
		"CreateGroup", "UpdateGroup", "DeleteGroup",
		"CreateManagedLoginBranding", "UpdateManagedLoginBranding", "DeleteManagedLoginBranding",
		"SetUserPoolMfaConfig", "SetRiskConfiguration", "AddCustomAttributes",
		"SetUICustomization", "SetLogDeliveryConfiguration", "TagResource", "UntagResource",
		"CreateUserImportJob", "StartUserImportJob", "StopUserImportJob", "UpdateProvisionedLimit":
		return KindAdminChange
	}
	return KindOther
}

// Outcome says how the request ended; see Outcome for the rules.
func (e Event) Outcome() Outcome {
	switch {
	case e.ErrorCode == "TooManyRequestsException" || e.ErrorCode == "ThrottlingException" || e.HTTPStatus == 429:
		return OutcomeThrottled
	case e.ErrorCode != "" || e.HTTPStatus >= 400:
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
	eventTime, eventSource, eventName, eventType  string
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
	d := recordDecoder{data: data}
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
		return Event{}, fmt.Errorf("%w: eventSource is %q", ErrNotUserPoolEvent, truncate(r.eventSource))
	}
	if r.eventName == "" {
		return Event{}, errors.New("user pool record has no eventName")
	}
	t, err := time.Parse(time.RFC3339Nano, r.eventTime)
	if err != nil {
		return Event{}, fmt.Errorf("user pool record %s has eventTime %q, not an RFC 3339 time", truncate(r.eventName), truncate(r.eventTime))
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
	data []byte
	pos  int
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
// array whose first element is a string, else "".
func (d *recordDecoder) firstString(depth int) (string, error) {
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
		first, err = d.stringValue(depth)
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
	switch string(key) {
	case "eventTime":
		return str(&r.eventTime)
	case "eventSource":
		return str(&r.eventSource)
	case "eventName":
		return str(&r.eventName)
	case "eventType":
		return str(&r.eventType)
	case "awsRegion":
		return str(&r.awsRegion)
	case "sourceIPAddress":
		return str(&r.sourceIP)
	case "userAgent":
		return str(&r.userAgent)
	case "errorCode":
		return str(&r.errorCode)
	case "errorMessage":
		return str(&r.errorMessage)
	case "requestID":
		return str(&r.requestID)
	case "eventID":
		return str(&r.eventID)
	case "recipientAccountId":
		return str(&r.recipient)
	case "readOnly":
		r.readOnly, err = d.boolValue(depth)
		return err
	case "userIdentity":
		r.callerType, r.callerARN = "", ""
		return d.objectValue(depth, func(key []byte, depth int) (err error) {
			switch string(key) {
			case "type":
				r.callerType, err = d.stringValue(depth)
			case "arn":
				r.callerARN, err = d.stringValue(depth)
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
				r.reqAuthFlow, err = d.stringValue(depth)
			case "clientId":
				r.reqClientID, err = d.stringValue(depth)
			case "userPoolId":
				r.reqPoolID, err = d.stringValue(depth)
			case "challengeName":
				r.reqChall, err = d.stringValue(depth)
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
				r.adPoolID, err = d.stringValue(depth)
			case "clientId":
				r.adClientID, err = d.stringValue(depth)
			case "requestParameters":
				r.adClientIDs, r.adGrantTypes, r.adSubs = "", "", ""
				err = d.objectValue(depth, func(key []byte, depth int) (err error) {
					switch string(key) {
					case "client_id":
						r.adClientIDs, err = d.firstString(depth)
					case "grant_type":
						r.adGrantTypes, err = d.firstString(depth)
					case "sub":
						r.adSubs, err = d.firstString(depth)
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

// EventFilter selects events. Range is required by TrailClient.Events; every
// other field is optional, and an empty field does not restrict. Names and
// Families together name the allowed event names (an event passes if its
// name is in Names or its family in Families); all other fields must hold
// at the same time. The zero value matches every event.
type EventFilter struct {
	// Range is the half-open time range [Start, End) of the events.
	// TrailClient.Events requires it to lie within the 90 days that
	// LookupEvents covers, measured by TrailOptions.Clock.
	Range TimeRange
	// Names are exact, case-sensitive event names ("InitiateAuth",
	// "Token_POST", "login_POST").
	Names []string
	// Families are endpoint families (FamilyToken ...).
	Families []EndpointFamily
	// Kinds are event kinds.
	Kinds []EventKind
	// FailuresOnly keeps only events whose Outcome is OutcomeFailure or
	// OutcomeThrottled.
	FailuresOnly bool
	// ErrorCodes are exact error codes ("NotAuthorizedException").
	ErrorCodes []string
	// ClientIDs are app client IDs.
	ClientIDs []ClientID
	// SourceIPs are exact source IP addresses as CloudTrail records them.
	SourceIPs []string
	// UserPoolID, when set, keeps only events that name this pool. Events
	// that name no pool (AWS's Login_GET sample has no userPoolId) never
	// match it.
	UserPoolID UserPoolID
}

// Validate checks the fields other than Range: names must be non-empty and
// fit the 2000 characters of a LookupEvents attribute value, kinds and families known, and
// client and pool IDs valid. Range is checked by TrailClient.Events, since
// files have no range to respect.
func (f EventFilter) Validate() error {
	for _, n := range f.Names {
		if n == "" {
			return errors.New("event filter: empty event name")
		}
		if lookupValueLen(n) > 2000 {
			return fmt.Errorf("event filter: event name %q is longer than the 2000 characters LookupEvents accepts", truncate(n))
		}
	}
	for _, fam := range f.Families {
		if fam.Names() == nil {
			return fmt.Errorf("event filter: unknown endpoint family %q", truncate(string(fam)))
		}
	}
	for _, k := range f.Kinds {
		if !k.valid() {
			return fmt.Errorf("event filter: invalid event kind %d", int(k))
		}
	}
	for _, id := range f.ClientIDs {
		if err := id.Validate(); err != nil {
			return fmt.Errorf("event filter: %w", err)
		}
	}
	if f.UserPoolID != "" {
		if err := f.UserPoolID.Validate(); err != nil {
			return fmt.Errorf("event filter: %w", err)
		}
	}
	return nil
}

// Match reports whether e passes every criterion of f. A zero Range does
// not restrict. Match does not validate f.
func (f EventFilter) Match(e Event) bool {
	if !f.Range.Start.IsZero() && e.Time.Before(f.Range.Start) {
		return false
	}
	if !f.Range.End.IsZero() && !e.Time.Before(f.Range.End) {
		return false
	}
	if len(f.Names) > 0 || len(f.Families) > 0 {
		if !slices.Contains(f.Names, e.Name) && !slices.Contains(f.Families, e.Family()) {
			return false
		}
	}
	if f.FailuresOnly && !e.Failed() {
		return false
	}
	if len(f.ErrorCodes) > 0 && !slices.Contains(f.ErrorCodes, e.ErrorCode) {
		return false
	}
	if len(f.ClientIDs) > 0 && !slices.Contains(f.ClientIDs, e.ClientID) {
		return false
	}
	if len(f.SourceIPs) > 0 && !slices.Contains(f.SourceIPs, e.SourceIP) {
		return false
	}
	if f.UserPoolID != "" && e.UserPoolID != f.UserPoolID {
		return false
	}
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind()) {
		return false
	}
	return true
}

// lookupValueLen is the length of a LookupEvents attribute value as AWS
// counts it: '_', ' ', ',' and newline count twice (FACTS.md 3.1).
func lookupValueLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '_', ' ', ',', '\n':
			n++
		}
	}
	return n
}

// eventNames returns the set of names that f allows, or nil when it allows
// every name.
func (f EventFilter) eventNames() []string {
	if len(f.Names) == 0 && len(f.Families) == 0 {
		return nil
	}
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range f.Names {
		add(n)
	}
	for _, fam := range f.Families {
		for _, n := range fam.Names() {
			add(n)
		}
	}
	return names
}

// lookupAttribute returns the one LookupEvents attribute for f: EventName
// when f allows exactly one event name, otherwise
// EventSource=cognito-idp.amazonaws.com.
func (f EventFilter) lookupAttribute() cttypes.LookupAttribute {
	if names := f.eventNames(); len(names) == 1 {
		return cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String(names[0])}
	}
	return cttypes.LookupAttribute{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(UserPoolEventSource)}
}

// TrailOptions configure a TrailClient. The zero value of each field means
// the documented default.
type TrailOptions struct {
	// RequestsPerSecond caps the LookupEvents calls of the client, across
	// all its concurrent iterations, so that a long pull does not trip
	// CloudTrail's limit of two requests per second per account and Region
	// (FACTS.md 3.1). Calls are spaced at least 1.01/RequestsPerSecond
	// apart, the 1% a margin for the time between the limiter and the wire.
	// Default 2. Other programs that call LookupEvents in the same account
	// and Region share AWS's limit but not this one.
	RequestsPerSecond float64
	// Retry controls how a throttled page (ThrottlingException, Throttling,
	// TooManyRequestsException) is retried, from the same NextToken: by
	// default 5 attempts in all, waits from 1s doubling up to 20s, with
	// jitter. After the last attempt the error wraps ErrThrottled. Retries
	// also wait for the rate limit, and come on top of the SDK client's own.
	Retry RetryOptions
	// Clock returns the current time. It decides whether a range lies in
	// the 90 days that LookupEvents covers, and paces the rate limit when
	// Sleep is set too (virtual time); otherwise the rate limit follows the
	// wall clock, so a fixed Clock in a test does not stall it.
	// Default time.Now.
	Clock func() time.Time
	// Sleep waits for d, or until ctx is done and then returns ctx.Err().
	// It paces the rate limit and the retries. Default a timer. Tests pair
	// it with Clock to run in virtual time.
	Sleep func(ctx context.Context, d time.Duration) error
}

// TrailClient reads Cognito user-pool events from CloudTrail's LookupEvents.
// It is immutable apart from its rate limiter and safe for concurrent use;
// concurrent iterations share the rate limit.
type TrailClient struct {
	api     CloudTrailAPI
	opts    TrailOptions
	limiter *trailLimiter
}

// NewTrailClient returns a TrailClient over api. It panics if api is nil.
func NewTrailClient(api CloudTrailAPI, optFns ...func(*TrailOptions)) *TrailClient {
	if api == nil {
		panic("cognitomon: NewTrailClient with nil CloudTrailAPI")
	}
	var o TrailOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if !(o.RequestsPerSecond > 0) {
		o.RequestsPerSecond = 2
	}
	o.Retry = o.Retry.withDefaults()
	if o.Clock == nil {
		o.Clock = time.Now
	}
	// The limiter paces by the wall clock, unless the caller runs the
	// client in virtual time with its own Sleep: then Clock paces it, as
	// only a clock that Sleep advances can.
	pace := time.Now
	if o.Sleep == nil {
		o.Sleep = sleepTimer
	} else {
		pace = o.Clock
	}
	// One per cent of margin, so that the time between the limiter and the
	// call itself cannot fit one call too many into a second.
	interval := time.Duration(1.01 * float64(time.Second) / o.RequestsPerSecond)
	return &TrailClient{
		api:     api,
		opts:    o,
		limiter: &trailLimiter{interval: interval, clock: pace, sleep: o.Sleep},
	}
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// trailLimiter is a token bucket of capacity one: it hands out one call per
// interval, to concurrent callers in the order they ask.
type trailLimiter struct {
	interval time.Duration
	clock    func() time.Time
	sleep    func(context.Context, time.Duration) error

	mu   sync.Mutex
	next time.Time // the earliest time of the next call
}

// wait blocks until the caller may make one call, or ctx is done.
func (l *trailLimiter) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	now := l.clock()
	at := l.next
	if at.Before(now) {
		at = now
	}
	l.next = at.Add(l.interval)
	l.mu.Unlock()
	if d := at.Sub(now); d > 0 {
		if err := l.sleep(ctx, d); err != nil {
			return err
		}
	}
	// The call goes out now: keep the next slot a whole interval after
	// this moment, so that late timers and scheduling never bunch calls.
	l.mu.Lock()
	if t := l.clock().Add(l.interval); t.After(l.next) {
		l.next = t
	}
	l.mu.Unlock()
	return nil
}

// lookupPageSize is the LookupEvents page size: the largest it allows.
const lookupPageSize = 50

// Events returns the user-pool events that match filter, newest first, as
// LookupEvents returns them.
//
// One lookup attribute is sent to AWS: EventName when the filter allows
// exactly one event name, otherwise EventSource=cognito-idp.amazonaws.com;
// every other criterion is applied here. Pages of 50 are fetched lazily:
// nothing is called before the loop starts, and breaking the loop stops the
// calls. Calls respect the client's rate limit, and a throttled page is
// retried from the same NextToken (see TrailOptions).
//
// An invalid filter, or a Range that is not within the 90 days before now
// (by TrailOptions.Clock), is yielded as an error wrapping ErrInvalidRange or
// the ID's error before any call. A record whose CloudTrailEvent does not
// parse is yielded as a *ReadError naming its event ID, and the sequence
// goes on if the loop does. Records that are not user-pool records (an
// EventName lookup matches every service) are skipped without a trace. A
// failed call ends the sequence with an error that wraps the SDK's error.
func (c *TrailClient) Events(ctx context.Context, filter EventFilter) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.checkFilter(filter); err != nil {
			yield(Event{}, err)
			return
		}
		in := &cloudtrail.LookupEventsInput{
			StartTime:        aws.Time(filter.Range.Start.UTC()),
			EndTime:          aws.Time(filter.Range.End.UTC()),
			LookupAttributes: []cttypes.LookupAttribute{filter.lookupAttribute()},
			MaxResults:       aws.Int32(lookupPageSize),
		}
		var token *string
		for page := 1; ; page++ {
			in.NextToken = token
			out, err := c.lookup(ctx, in, page)
			if err != nil {
				yield(Event{}, err)
				return
			}
			for i := range out.Events {
				e, skip, err := c.convert(&out.Events[i])
				if skip {
					continue
				}
				if err != nil {
					if !yield(Event{}, err) {
						return
					}
					continue
				}
				if !filter.Match(e) {
					continue
				}
				if !yield(e, nil) {
					return
				}
			}
			next := aws.ToString(out.NextToken)
			if next == "" {
				return
			}
			if token != nil && next == *token && len(out.Events) == 0 {
				yield(Event{}, fmt.Errorf("cloudtrail lookup events: page %d returned no events and the same NextToken again", page))
				return
			}
			token = aws.String(next)
		}
	}
}

// checkFilter validates filter for LookupEvents.
func (c *TrailClient) checkFilter(filter EventFilter) error {
	now := c.opts.Clock()
	if err := filter.Range.ValidateAt(now); err != nil {
		return fmt.Errorf("cloudtrail lookup events: %w", err)
	}
	if oldest := now.Add(-lookupWindow); filter.Range.Start.Before(oldest) {
		return fmt.Errorf("cloudtrail lookup events: %w: start %s is more than 90 days before now (%s); LookupEvents only reaches back 90 days, so read older events from the trail's log files with ReadEventFiles",
			ErrInvalidRange, filter.Range.Start.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return filter.Validate()
}

// lookup fetches one page, waiting for the rate limit and retrying while
// AWS throttles.
func (c *TrailClient) lookup(ctx context.Context, in *cloudtrail.LookupEventsInput, page int) (*cloudtrail.LookupEventsOutput, error) {
	r := c.opts.Retry
	delay := r.BaseDelay
	for attempt := 1; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
		out, err := c.api.LookupEvents(ctx, in)
		if err == nil {
			return out, nil
		}
		if !lookupThrottled(err) {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
		if attempt >= r.MaxAttempts {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w after %d attempts: %w", page, ErrThrottled, attempt, err)
		}
		wait := delay/2 + time.Duration(rand.Int64N(int64(delay/2)+1))
		delay = min(2*delay, r.MaxDelay)
		if err := c.opts.Sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("cloudtrail lookup events: page %d: %w", page, err)
		}
	}
}

// lookupThrottled reports whether err is CloudTrail (or a proxy in front of
// it) refusing a call for its rate.
func lookupThrottled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "Throttling", "TooManyRequestsException":
		return true
	}
	return false
}

// convert turns one LookupEvents record into an Event. skip is true for a
// record that is not a user-pool record.
func (c *TrailClient) convert(ev *cttypes.Event) (e Event, skip bool, err error) {
	if src := aws.ToString(ev.EventSource); src != "" && src != UserPoolEventSource {
		return Event{}, true, nil
	}
	id := aws.ToString(ev.EventId)
	if ev.CloudTrailEvent == nil {
		return Event{}, false, &ReadError{Record: -1, EventID: id, Err: errors.New("LookupEvents returned no CloudTrailEvent")}
	}
	e, err = parseRecord([]byte(*ev.CloudTrailEvent), true)
	if errors.Is(err, ErrNotUserPoolEvent) {
		return Event{}, true, nil
	}
	if err != nil {
		return Event{}, false, &ReadError{Record: -1, EventID: id, Err: err}
	}
	return e, false, nil
}
