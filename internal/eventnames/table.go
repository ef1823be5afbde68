// Package eventnames is cognitomon's one table of the CloudTrail event names
// of Cognito user pools: for each name, whether it is an API call or an
// endpoint event, its endpoint family, the kind of request it is and how
// that kind is refined from the record's fields. Event classification, the
// Logs Insights catalogue, the alarm metric filters and the detections all
// read it, so a new AWS event name is one edit here.
//
// The names come from docs/FACTS.md section 2.2 (endpoint events, verbatim
// from AWS's CloudTrail page) and section 9.4 (managed login); API events
// are named after their cognito-idp operation (FACTS.md 2.2). The tests that
// prove the canned queries keep an independent list of their own.
package eventnames

// Kind is the kind of request an event is. The values mirror
// cognitomon.EventKind one to one, in the same order.
type Kind uint8

// The kinds.
const (
	SignIn Kind = iota + 1
	TokenRefresh
	SignUp
	PasswordReset
	MFA
	M2MToken
	Federation
	AdminChange
	Other
)

// Family is an endpoint family; the values are cognitomon.EndpointFamily's.
type Family string

// The endpoint families.
const (
	FamilyToken         Family = "token"
	FamilyAuthorize     Family = "authorize"
	FamilyLogin         Family = "login"
	FamilyFederation    Family = "federation"
	FamilySignUp        Family = "signup"
	FamilyPasswordReset Family = "password-reset"
	FamilyMFA           Family = "mfa"
	FamilyPasskey       Family = "passkey"
	FamilyLogout        Family = "logout"
	FamilyUserInfo      Family = "userinfo"
	FamilyError         Family = "error"
	FamilyFeedback      Family = "feedback"
)

// Families returns every family, in a fixed order.
func Families() []Family {
	return []Family{FamilyToken, FamilyAuthorize, FamilyLogin, FamilyFederation, FamilySignUp, FamilyPasswordReset,
		FamilyMFA, FamilyPasskey, FamilyLogout, FamilyUserInfo, FamilyError, FamilyFeedback}
}

// Refine says which field of a record refines an entry's Kind.
type Refine uint8

// The refinements.
const (
	// ByNothing: the entry's Kind is the event's kind.
	ByNothing Refine = iota
	// ByAuthFlow: InitiateAuth and AdminInitiateAuth with a refresh flow
	// (RefreshFlows) are TokenRefresh, any other flow SignIn.
	ByAuthFlow
	// ByChallenge: a challenge response that answers an MFA or one-time
	// code challenge (MFAChallenges), or fails with a code error
	// (CodeErrors), is MFA; any other is SignIn.
	ByChallenge
	// ByGrant: a token-endpoint request is SignIn (authorization_code),
	// TokenRefresh (refresh_token), M2MToken (client_credentials), else
	// Other.
	ByGrant
)

// Entry is one event name.
type Entry struct {
	// Name is the eventName, case-sensitive.
	Name string
	// Endpoint is true for endpoint events (eventType AwsServiceEvent:
	// managed login, hosted UI, OAuth and SAML endpoints). They fail with
	// an HTTP status of 400 or more in
	// additionalEventData.responseParameters.status, with or without an
	// errorCode (FACTS.md 2.3 [X]); API calls fail with an errorCode.
	Endpoint bool
	// Family is the endpoint family, or "" for API calls and endpoint
	// events in no family.
	Family Family
	// Kind is the kind before refinement.
	Kind Kind
	// Refine says how Kind is refined.
	Refine Refine
	// RiskyAdmin marks the admin changes that the admin-change alarm and
	// queries count by default: those that weaken sign-in or change who
	// can get tokens.
	RiskyAdmin bool
}

// Page reports whether the entry is a page load (an endpoint *_GET event),
// which checks no secret.
func (e Entry) Page() bool {
	return e.Endpoint && len(e.Name) > 4 && e.Name[len(e.Name)-4:] == "_GET"
}

// Event names that code outside the table refers to one by one.
const (
	InitiateAuth                = "InitiateAuth"
	AdminInitiateAuth           = "AdminInitiateAuth"
	RespondToAuthChallenge      = "RespondToAuthChallenge"
	AdminRespondToAuthChallenge = "AdminRespondToAuthChallenge"
	GetTokensFromRefreshToken   = "GetTokensFromRefreshToken"
	SignUpOp                    = "SignUp"
	ForgotPassword              = "ForgotPassword"
	ForgotPasswordPOST          = "ForgotPassword_POST"
	ManagedForgotPasswordPOST   = "forgotPassword_POST"
	TokenPOST                   = "Token_POST"
	BetaTokenPOST               = "Beta_Token_POST"
	UpdateUserPool              = "UpdateUserPool"
	DeleteUserPool              = "DeleteUserPool"
	SetUserPoolMfaConfig        = "SetUserPoolMfaConfig"
	SetRiskConfiguration        = "SetRiskConfiguration"
	CreateUserPoolClient        = "CreateUserPoolClient"
	UpdateUserPoolClient        = "UpdateUserPoolClient"
	DeleteUserPoolClient        = "DeleteUserPoolClient"
	CreateIdentityProvider      = "CreateIdentityProvider"
	UpdateIdentityProvider      = "UpdateIdentityProvider"
	DeleteIdentityProvider      = "DeleteIdentityProvider"
	DeleteUserPoolDomain        = "DeleteUserPoolDomain"
	DeleteResourceServer        = "DeleteResourceServer"
	AddUserPoolClientSecret     = "AddUserPoolClientSecret"
	DeleteUserPoolClientSecret  = "DeleteUserPoolClientSecret"
	VerifyCodePOST              = "verifyCode_POST"
	LoginPasskeyPOST            = "login_passkey_POST"
)

// table is every known name. Order: endpoint families as FACTS.md 2.2
// lists them, then the API operations by kind.
var table = []Entry{
	// The token endpoint.
	{Name: TokenPOST, Endpoint: true, Family: FamilyToken, Kind: Other, Refine: ByGrant},
	{Name: BetaTokenPOST, Endpoint: true, Family: FamilyToken, Kind: Other, Refine: ByGrant},
	// The authorize endpoint.
	{Name: "OAuth2_Authorize_GET", Endpoint: true, Family: FamilyAuthorize, Kind: SignIn},
	{Name: "Beta_Authorize_GET", Endpoint: true, Family: FamilyAuthorize, Kind: SignIn},
	// The sign-in pages, classic and managed login.
	{Name: "Login_GET", Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	{Name: "CognitoAuthentication", Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	{Name: "login_POST", Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	{Name: "login_continue_POST", Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	{Name: LoginPasskeyPOST, Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	{Name: "selectChallenge_POST", Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	// The passwordless one-time-code step of managed login (FACTS.md 9.4):
	// a sign-in step whose failures are wrong or expired codes.
	{Name: VerifyCodePOST, Endpoint: true, Family: FamilyLogin, Kind: SignIn},
	// Identity-provider responses and the federated sign-in form.
	{Name: "OAuth2Response_GET", Endpoint: true, Family: FamilyFederation, Kind: Federation},
	{Name: "OAuth2Response_POST", Endpoint: true, Family: FamilyFederation, Kind: Federation},
	{Name: "SAML2Response_POST", Endpoint: true, Family: FamilyFederation, Kind: Federation},
	{Name: "Beta_SAML2Response_POST", Endpoint: true, Family: FamilyFederation, Kind: Federation},
	{Name: "Login_OIDC_SAML_POST", Endpoint: true, Family: FamilyFederation, Kind: Federation},
	// Sign-up and confirmation pages.
	{Name: "Signup_GET", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "Signup_POST", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "Confirm_GET", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "Confirm_POST", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "Confirm_With_Link_GET", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "ResendCode_POST", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "signup_POST", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "signup_confirm_POST", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	{Name: "confirmUser_GET", Endpoint: true, Family: FamilySignUp, Kind: SignUp},
	// Password-reset pages.
	{Name: "ForgotPassword_GET", Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: ForgotPasswordPOST, Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: "ConfirmForgotPassword_GET", Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: "ConfirmForgotPassword_POST", Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: "ResetPassword_GET", Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: "ResetPassword_POST", Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	{Name: ManagedForgotPasswordPOST, Endpoint: true, Family: FamilyPasswordReset, Kind: PasswordReset},
	// MFA pages.
	{Name: "Mfa_GET", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "Mfa_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "MfaOption_GET", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "MfaOption_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "MfaRegister_GET", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "MfaRegister_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_back_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_options_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_phone_register_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_phone_verify_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_phone_resendCode_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	{Name: "mfa_totp_POST", Endpoint: true, Family: FamilyMFA, Kind: MFA},
	// Passkey registration, sign-out, userInfo, errors, feedback.
	{Name: "passkeys_add_GET", Endpoint: true, Family: FamilyPasskey, Kind: Other},
	{Name: "passkeys_add_POST", Endpoint: true, Family: FamilyPasskey, Kind: Other},
	{Name: "Logout", Endpoint: true, Family: FamilyLogout, Kind: Other},
	{Name: "SAML2Logout_POST", Endpoint: true, Family: FamilyLogout, Kind: Other},
	{Name: "UserInfo_GET", Endpoint: true, Family: FamilyUserInfo, Kind: Other},
	{Name: "UserInfo_POST", Endpoint: true, Family: FamilyUserInfo, Kind: Other},
	{Name: "Error_GET", Endpoint: true, Family: FamilyError, Kind: Other},
	{Name: "Event_Feedback_GET", Endpoint: true, Family: FamilyFeedback, Kind: Other},

	// API operations: signing in.
	{Name: InitiateAuth, Kind: SignIn, Refine: ByAuthFlow},
	{Name: AdminInitiateAuth, Kind: SignIn, Refine: ByAuthFlow},
	{Name: RespondToAuthChallenge, Kind: SignIn, Refine: ByChallenge},
	{Name: AdminRespondToAuthChallenge, Kind: SignIn, Refine: ByChallenge},
	// Refreshing.
	{Name: GetTokensFromRefreshToken, Kind: TokenRefresh},
	// Signing up.
	{Name: SignUpOp, Kind: SignUp},
	{Name: "ConfirmSignUp", Kind: SignUp},
	{Name: "ResendConfirmationCode", Kind: SignUp},
	{Name: "AdminCreateUser", Kind: SignUp},
	{Name: "AdminConfirmSignUp", Kind: SignUp},
	// Password resets.
	{Name: ForgotPassword, Kind: PasswordReset},
	{Name: "ConfirmForgotPassword", Kind: PasswordReset},
	{Name: "AdminResetUserPassword", Kind: PasswordReset},
	// MFA settings.
	{Name: "AssociateSoftwareToken", Kind: MFA},
	{Name: "VerifySoftwareToken", Kind: MFA},
	{Name: "SetUserMFAPreference", Kind: MFA},
	{Name: "AdminSetUserMFAPreference", Kind: MFA},
	// Configuration changes.
	{Name: "CreateUserPool", Kind: AdminChange},
	{Name: UpdateUserPool, Kind: AdminChange, RiskyAdmin: true},
	{Name: DeleteUserPool, Kind: AdminChange, RiskyAdmin: true},
	{Name: CreateUserPoolClient, Kind: AdminChange, RiskyAdmin: true},
	{Name: UpdateUserPoolClient, Kind: AdminChange, RiskyAdmin: true},
	{Name: DeleteUserPoolClient, Kind: AdminChange, RiskyAdmin: true},
	// Client-secret rotation (FACTS.md 9.4 c; the event names are the
	// operation names, no sample shows them).
	{Name: AddUserPoolClientSecret, Kind: AdminChange, RiskyAdmin: true},
	{Name: DeleteUserPoolClientSecret, Kind: AdminChange, RiskyAdmin: true},
	{Name: CreateIdentityProvider, Kind: AdminChange, RiskyAdmin: true},
	{Name: UpdateIdentityProvider, Kind: AdminChange, RiskyAdmin: true},
	{Name: DeleteIdentityProvider, Kind: AdminChange, RiskyAdmin: true},
	{Name: "CreateUserPoolDomain", Kind: AdminChange, RiskyAdmin: true},
	{Name: "UpdateUserPoolDomain", Kind: AdminChange, RiskyAdmin: true},
	{Name: DeleteUserPoolDomain, Kind: AdminChange, RiskyAdmin: true},
	{Name: "CreateResourceServer", Kind: AdminChange},
	{Name: "UpdateResourceServer", Kind: AdminChange},
	{Name: DeleteResourceServer, Kind: AdminChange},
	{Name: "CreateGroup", Kind: AdminChange},
	{Name: "UpdateGroup", Kind: AdminChange},
	{Name: "DeleteGroup", Kind: AdminChange},
	{Name: "CreateManagedLoginBranding", Kind: AdminChange},
	{Name: "UpdateManagedLoginBranding", Kind: AdminChange},
	{Name: "DeleteManagedLoginBranding", Kind: AdminChange},
	{Name: SetUserPoolMfaConfig, Kind: AdminChange, RiskyAdmin: true},
	{Name: SetRiskConfiguration, Kind: AdminChange, RiskyAdmin: true},
	{Name: "AddCustomAttributes", Kind: AdminChange},
	{Name: "SetUICustomization", Kind: AdminChange},
	{Name: "SetLogDeliveryConfiguration", Kind: AdminChange, RiskyAdmin: true},
	{Name: "TagResource", Kind: AdminChange},
	{Name: "UntagResource", Kind: AdminChange},
	{Name: "CreateUserImportJob", Kind: AdminChange},
	{Name: "StartUserImportJob", Kind: AdminChange},
	{Name: "StopUserImportJob", Kind: AdminChange},
	{Name: "UpdateProvisionedLimit", Kind: AdminChange},
	// Other operations a query may name.
	{Name: "ChangePassword", Kind: Other},
	{Name: "GetUser", Kind: Other},
	{Name: "GlobalSignOut", Kind: Other},
	{Name: "RevokeToken", Kind: Other},
	{Name: "AdminSetUserPassword", Kind: Other},
	{Name: "AdminUserGlobalSignOut", Kind: Other},
	{Name: "ListUserPoolClientSecrets", Kind: Other},
}

var byName = func() map[string]*Entry {
	m := make(map[string]*Entry, len(table))
	for i := range table {
		if _, dup := m[table[i].Name]; dup {
			panic("eventnames: " + table[i].Name + " listed twice")
		}
		m[table[i].Name] = &table[i]
	}
	return m
}()

// Lookup returns the entry of name, and false for a name the table does
// not know.
func Lookup(name string) (Entry, bool) {
	if e, ok := byName[name]; ok {
		return *e, true
	}
	return Entry{}, false
}

// Known reports whether the table knows name.
func Known(name string) bool {
	_, ok := byName[name]
	return ok
}

// Names returns, in table order, the names whose entries keep returns true
// for.
func Names(keep func(Entry) bool) []string {
	var out []string
	for _, e := range table {
		if keep(e) {
			out = append(out, e.Name)
		}
	}
	return out
}

// FamilyNames returns the names of family f in table order, or nil for a
// value that is not a family.
func FamilyNames(f Family) []string {
	if f == "" {
		return nil
	}
	return Names(func(e Entry) bool { return e.Family == f })
}

// FamilyOf returns the family of name, or "".
func FamilyOf(name string) Family {
	if e, ok := byName[name]; ok {
		return e.Family
	}
	return ""
}
