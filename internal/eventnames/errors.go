package eventnames

import "strings"

// Cognito error codes that code outside the table refers to, from the
// cognito-idp service model (FACTS.md 6.1).
const (
	NotAuthorizedException                  = "NotAuthorizedException"
	UserNotFoundException                   = "UserNotFoundException"
	TooManyRequestsException                = "TooManyRequestsException"
	LimitExceededException                  = "LimitExceededException"
	TooManyFailedAttemptsException          = "TooManyFailedAttemptsException"
	CodeMismatchException                   = "CodeMismatchException"
	ExpiredCodeException                    = "ExpiredCodeException"
	PasswordResetRequiredException          = "PasswordResetRequiredException"
	UserNotConfirmedException               = "UserNotConfirmedException"
	InvalidPasswordException                = "InvalidPasswordException"
	PasswordHistoryPolicyViolationException = "PasswordHistoryPolicyViolationException"
	UsernameExistsException                 = "UsernameExistsException"
	CodeDeliveryFailureException            = "CodeDeliveryFailureException"
	RefreshTokenReuseException              = "RefreshTokenReuseException"
	ResourceNotFoundException               = "ResourceNotFoundException"
	InvalidParameterException               = "InvalidParameterException"
	ForbiddenException                      = "ForbiddenException"
	MFAMethodNotFoundException              = "MFAMethodNotFoundException"
	SoftwareTokenMFANotFoundException       = "SoftwareTokenMFANotFoundException"
	UnauthorizedException                   = "UnauthorizedException"
	UnsupportedTokenTypeException           = "UnsupportedTokenTypeException"
	InvalidUserPoolConfigurationException   = "InvalidUserPoolConfigurationException"
	// ThrottlingException is CloudTrail's generic throttling code.
	ThrottlingException = "ThrottlingException"
)

// meanings say what each error code means for the operator, from the
// service model's descriptions (FACTS.md 6.1).
var meanings = map[string]string{
	NotAuthorizedException:                  "the user is not authorized: a wrong user name or password; a locked-out user (after 5 failures Cognito locks the user out for a time that doubles per failure, up to about 15 minutes, and says 'Password attempts exceeded'); an unknown user where the client has PreventUserExistenceErrors=ENABLED; or, on a refresh, an expired, revoked or invalid token",
	UserNotFoundException:                   "the user does not exist; returned only where the client's PreventUserExistenceErrors is LEGACY (the API default), so it reveals which user names exist",
	TooManyRequestsException:                "the request was throttled: the account's requests-per-second quota for the operation's category was exceeded (per account and Region, all pools together)",
	LimitExceededException:                  "a Cognito limit for the resource was exceeded, such as the number of codes sent for a user in sign-up, confirmation and password recovery",
	TooManyFailedAttemptsException:          "too many failed attempts at a confirmation or password-reset code (ConfirmSignUp, ConfirmForgotPassword only)",
	CodeMismatchException:                   "the confirmation, reset or MFA code was wrong",
	ExpiredCodeException:                    "the code has expired: request a new one",
	PasswordResetRequiredException:          "the user must reset the password before signing in (set by an administrator or by a user import)",
	UserNotConfirmedException:               "the user has not confirmed the account (the sign-up code was never entered)",
	InvalidPasswordException:                "the new password does not meet the pool's password policy",
	PasswordHistoryPolicyViolationException: "the new password was used before (password history policy)",
	UsernameExistsException:                 "the user name is already registered",
	CodeDeliveryFailureException:            "the verification message could not be sent: check the pool's SMS (SNS) or email (SES) configuration",
	RefreshTokenReuseException:              "a refresh token already replaced by refresh-token rotation was used again: a client retrying with an old token, or a stolen token",
	ResourceNotFoundException:               "the pool or app client named in the request does not exist (on sign-ins: a deleted or mistyped client ID)",
	InvalidParameterException:               "the request had an invalid parameter, such as an auth flow the client does not allow",
	ForbiddenException:                      "the request was blocked by the AWS WAF web ACL associated with the user pool",
	MFAMethodNotFoundException:              "the user has no MFA method of the kind the flow needs",
	SoftwareTokenMFANotFoundException:       "the user has no MFA method of the kind the flow needs",
	UnauthorizedException:                   "the request to revoke a token was not authorized",
	UnsupportedTokenTypeException:           "the token given to RevokeToken is not a refresh token",
	InvalidUserPoolConfigurationException:   "the pool's configuration does not allow the request (for example an auth flow that needs a setting the pool lacks)",
}

// httpMeaning is what an endpoint's "HTTP <status>" failure means.
const httpMeaning = "an endpoint of the managed login or the token endpoint refused the request with this HTTP status; CloudTrail does not record why (for the token endpoint, typically invalid_client or invalid_grant); how failed endpoint requests are recorded is not documented (FACTS.md 2.3 [X])"

// Meaning returns what code (an error code, or an endpoint's "HTTP <status>")
// means for the operator, or "" for a code the table does not know.
func Meaning(code string) string {
	if m, ok := meanings[code]; ok {
		return m
	}
	if strings.HasPrefix(code, "HTTP ") {
		return httpMeaning
	}
	return ""
}

// LockoutMessage is the text of the NotAuthorizedException that Cognito
// returns while a user is locked out after repeated wrong passwords
// (FACTS.md 9.4 b [V] for the behaviour, [P] for the exact wire text).
const LockoutMessage = "Password attempts exceeded"

// Lockout reports whether an error is Cognito's lockout answer:
// NotAuthorizedException whose message contains "Password attempts
// exceeded", in any case (some clients show ". Please try again later."
// after it, FACTS.md 9.4 b). It is the one place that reads an error
// message: the code alone cannot tell a locked-out user from a wrong
// password.
//
// Assumption: CloudTrail's errorMessage carries the same text as the API
// (FACTS.md 9.4 b [P]). A user with an account can check it by failing six
// sign-ins of a test user in a row and reading the last InitiateAuth
// record's errorMessage.
func Lockout(errorCode, errorMessage string) bool {
	return errorCode == NotAuthorizedException && strings.Contains(strings.ToLower(errorMessage), "password attempts exceeded")
}

// Throttle reports whether an event's error code or HTTP status says it was
// throttled: TooManyRequestsException (Cognito's quota throttle),
// ThrottlingException (CloudTrail's generic code) or HTTP 429.
func Throttle(errorCode string, httpStatus int) bool {
	return errorCode == TooManyRequestsException || errorCode == ThrottlingException || httpStatus == 429
}

// Failed reports whether an event failed: any error code, or an HTTP status
// of 400 or more (FACTS.md 2.3: endpoint records carry an empty errorCode on
// success, and no sample of a failed endpoint request exists).
func Failed(errorCode string, httpStatus int) bool {
	return errorCode != "" || httpStatus >= 400
}
