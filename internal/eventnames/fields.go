package eventnames

// The values of the record fields that refine a kind (FACTS.md 1.4, 2.3,
// 6.2).
const (
	// Auth flows (requestParameters.authFlow, AuthFlowType).
	FlowRefreshTokenAuth = "REFRESH_TOKEN_AUTH"
	FlowRefreshToken     = "REFRESH_TOKEN"
	FlowUserSRPAuth      = "USER_SRP_AUTH"
	FlowCustomAuth       = "CUSTOM_AUTH"
	FlowUserAuth         = "USER_AUTH"

	// Grant types of the token endpoint
	// (additionalEventData.requestParameters.grant_type[0]).
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// RefreshFlows are the auth flows of InitiateAuth and AdminInitiateAuth that
// refresh tokens.
func RefreshFlows() []string { return []string{FlowRefreshTokenAuth, FlowRefreshToken} }

// ChallengeFlows are the auth flows whose InitiateAuth succeeds before any
// secret is checked: it only starts a challenge.
func ChallengeFlows() []string { return []string{FlowUserSRPAuth, FlowCustomAuth, FlowUserAuth} }

// MFAChallenges are the challenge names (requestParameters.challengeName)
// that answer an MFA or one-time-code challenge.
func MFAChallenges() []string {
	return []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "MFA_SETUP", "SELECT_MFA_TYPE"}
}

// CodeErrors are the error codes only a code challenge returns.
func CodeErrors() []string { return []string{CodeMismatchException, ExpiredCodeException} }

// Refined returns the kind of an event with entry e and the given fields:
// e.Kind refined as e.Refine says.
func (e Entry) Refined(authFlow, challenge, grant, errorCode string) Kind {
	switch e.Refine {
	case ByAuthFlow:
		if authFlow == FlowRefreshTokenAuth || authFlow == FlowRefreshToken {
			return TokenRefresh
		}
	case ByChallenge:
		switch challenge {
		case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP", "SMS_OTP", "MFA_SETUP", "SELECT_MFA_TYPE":
			return MFA
		}
		if errorCode == CodeMismatchException || errorCode == ExpiredCodeException {
			return MFA
		}
	case ByGrant:
		switch grant {
		case GrantAuthorizationCode:
			return SignIn
		case GrantRefreshToken:
			return TokenRefresh
		case GrantClientCredentials:
			return M2MToken
		}
		return Other
	}
	return e.Kind
}

// PasswordlessChallenges are the challenge names of a one-time code sent by
// email or SMS (FACTS.md 9.1 AllowedFirstAuthFactors EMAIL_OTP, SMS_OTP):
// passwordless sign-in, and email MFA, which shares EMAIL_OTP.
func PasswordlessChallenges() []string { return []string{"EMAIL_OTP", "SMS_OTP"} }

// OneTimeCodeStep reports whether an event named name, with the given
// challenge name, submits a passwordless one-time code: the managed-login
// verifyCode_POST (FACTS.md 9.4 a), or a challenge response that answers
// EMAIL_OTP or SMS_OTP. Whether CloudTrail records challengeName is not
// documented (FACTS.md 2.3 [X]); without it only verifyCode_POST is
// recognised.
func OneTimeCodeStep(name, challenge string) bool {
	if name == VerifyCodePOST {
		return true
	}
	e, ok := byName[name]
	return ok && e.Refine == ByChallenge && (challenge == "EMAIL_OTP" || challenge == "SMS_OTP")
}
