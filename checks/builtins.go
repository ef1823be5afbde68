package checks

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// BuiltinOptions adjust the built-in checks. The zero value of each field
// means its documented default.
type BuiltinOptions struct {
	// Quotas override the default quotas (DefaultQuotas) of the given
	// categories, for accounts whose quotas were raised.
	Quotas map[string]float64
	// Clock returns the current time, for the trail cross-check's
	// delivery allowance. Default time.Now.
	Clock func() time.Time
	// Baseline is what LearnBaseline learned from a reference window, for
	// the checks in baseline mode and the first-seen checks (their
	// Learned field). It must have been learned for the run's pool.
	// Without it, baseline mode falls back to the plain thresholds and the
	// first-seen checks are skipped.
	Baseline *Baseline
	// Configuration is the pool's configuration (cognitomon.ReadInventory),
	// when it was read: the enumeration blind-spot check then reports each
	// client's PreventUserExistenceErrors setting instead of guessing it
	// from the events.
	Configuration *cognitomon.Inventory
	// LockoutAllowIPs and LockoutAllowSubs are the addresses (or CIDR
	// ranges) and users (subs) whose lockouts the lockout rules do not
	// count: a synthetic canary that signs in with a wrong password on
	// purpose, a load test. Default none.
	LockoutAllowIPs  []string
	LockoutAllowSubs []string
	// SecretRotators are the callers (IAM ARNs; an entry ending in "*" is
	// a prefix, for an assumed role's sessions) expected to add and delete
	// app-client secrets, such as a rotation job's role. Their changes are
	// not reported by admin-client-secret. Default none: every change is
	// reported.
	SecretRotators []string
	// AccessTokenLifetimes are the access-token lifetimes of the app
	// clients whose configuration was read (AppClient.AccessTokenValidity),
	// for m2m-token-per-call. Clients not in it are judged by
	// DefaultAccessTokenLifetime.
	AccessTokenLifetimes map[cognitomon.ClientID]time.Duration
}

// ErrorMeaning returns what a Cognito error code (or an endpoint's
// "HTTP <status>", see Event.FailureReason) means for the operator, from
// the service model's descriptions (FACTS.md 6.1), or "" for a code it does
// not know. The findings' advice quotes it. The meanings live in the one
// table of Cognito names and codes, beside the codes.
func ErrorMeaning(code string) string { return eventnames.Meaning(code) }

// Builtins returns the built-in checks, in a fixed order: the event rules,
// the baseline and first-seen rules, the admin-change rules, the metric
// rules and the trail cross-check. Each is a value of an exported rule type
// whose fields hold its defaults, documented in docs/detections.md; to tune
// one, change its fields and use the changed value in its place.
func Builtins(optFns ...func(*BuiltinOptions)) []cognitomon.Check {
	var o BuiltinOptions
	for _, fn := range optFns {
		fn(&o)
	}
	quotas := cognitomon.DefaultQuotas()
	for k, v := range o.Quotas {
		quotas[k] = v
	}
	// Password guesses: failed sign-ins (throttles are not guesses), except
	// unknown user names, which are the enumeration rule's signal and have
	// no sub to count per user (whether their records carry one at all is
	// not documented: FACTS.md 2.3 [X]).
	//
	// Lockout answers and one-time codes are not password guesses either:
	// during a lockout Cognito checks no password (FACTS.md 9.4 b), and a
	// wrong passwordless code is a wrong code. The lockout and
	// code-guessing rules count them instead, so one attack gives one
	// finding that names what it was.
	signInFailures := EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindSignIn}}, Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}, ExceptErrorCodes: []string{eventnames.UserNotFoundException},
		Func: func(e cognitomon.Event) bool { return !Lockout(e) && !OneTimeCodeStep(e) }}
	codeFailures := EventMatch{Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}, Func: OneTimeCodeStep}
	allSignInFailures := EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindSignIn}}, Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}}
	resets := EventMatch{Filter: cognitomon.EventFilter{Names: []string{eventnames.ForgotPassword, eventnames.ForgotPasswordPOST, eventnames.ManagedForgotPasswordPOST}}}
	m2m := EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindM2MToken}}}
	meaning := func(codes ...string) string {
		var b strings.Builder
		for _, c := range codes {
			b.WriteString(" " + c + ": " + ErrorMeaning(c) + ".")
		}
		return b.String()
	}
	all := []cognitomon.Check{
		EventRule{
			ID:          "brute-force",
			Description: "Password guessing from one address: failed sign-ins per source address.",
			Unit:        "sign-in failures",
			Events:      signInFailures, Key: KeySourceIP, Top: KeySub,
			Threshold: 20, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "Many failed sign-ins from one address. Block or rate-limit it with an AWS WAF web ACL on the user pool (a rate-based rule), check whether a sign-in from it succeeded (success-after-failures), and consider threat protection and MFA." + meaning(eventnames.NotAuthorizedException),
		},
		EventRule{
			ID:          "brute-force-slow",
			Description: "Password guessing paced to stay under per-window limits: failed sign-ins per source address over six hours.",
			Unit:        "sign-in failures",
			Events:      signInFailures, Key: KeySourceIP, Top: KeySub,
			Threshold: 50, Window: 6 * time.Hour, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "A steady stream of failed sign-ins from one address, slow enough to stay under short-window limits and Cognito's lockout reset. Block the address with AWS WAF and check whether any sign-in from it succeeded." + meaning(eventnames.NotAuthorizedException),
		},
		EventRule{
			ID:          "credential-stuffing",
			Description: "A credential list tried from one address: distinct users failing sign-in per source address.",
			Unit:        "distinct users failing sign-in",
			Events:      signInFailures, Key: KeySourceIP, Distinct: KeySub, Top: KeyClient,
			Threshold: 30, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "Many different users failing to sign in from one address: a list of leaked user names and passwords being tried. Block the address with AWS WAF, look for successes from it (success-after-failures), reset the passwords of accounts that signed in from it, and turn on compromised-credentials protection (threat protection)." + meaning(eventnames.NotAuthorizedException),
		},
		EventRule{
			ID:          "credential-stuffing-botnet",
			Description: "A credential list spread over a botnet or proxy pool: distinct failing addresses per /24 (IPv4) or /48 (IPv6).",
			Unit:        "distinct failing addresses",
			Events:      allSignInFailures, Key: KeyIPRange, Distinct: KeySourceIP, Top: KeySourceIP,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "Many addresses of one network range failing sign-ins at once: a botnet or proxy pool spreading a credential list to stay under per-address limits. Block or challenge the range with an AWS WAF IP set, compare with the failure-rate finding from the metrics, and look for successes from the range." + meaning(eventnames.NotAuthorizedException, eventnames.UserNotFoundException),
		},
		EventRule{
			ID:          "distributed-brute-force",
			Description: "One account attacked from many addresses: distinct failing addresses per user.",
			Unit:        "distinct failing addresses",
			Events:      signInFailures, Key: KeySub, Distinct: KeySourceIP, Top: KeySourceIP,
			Threshold: 10, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "One user failing to sign in from many addresses: a distributed attack on one account that per-address limits do not see. Cognito's lockout slows it but does not stop it. If any attempt succeeded, sign the user out everywhere (AdminUserGlobalSignOut) and reset the password; ask the user to turn on MFA." + meaning(eventnames.NotAuthorizedException),
		},
		EventRule{
			ID:          "code-guessing",
			Description: "Passwordless one-time codes guessed from one address: failed verifyCode_POST and EMAIL_OTP or SMS_OTP challenge answers per source address.",
			Unit:        "failed one-time codes",
			Events:      codeFailures, Key: KeySourceIP, Top: KeySub,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "Many wrong one-time codes from one address: someone is guessing the passwordless sign-in codes (or email MFA codes) sent to users. A user who mistypes a code does so once or twice. Block the address with AWS WAF, check whether a sign-in from it succeeded, and keep codes short-lived. Failed verifyCode_POST requests are recognised by their HTTP status, which AWS shows no sample of (FACTS.md 2.3 [X]), and carry no sub, so the users are named only for API challenge answers." + meaning(eventnames.CodeMismatchException, eventnames.ExpiredCodeException, "HTTP 400"),
		},
		EventRule{
			ID:          "code-guessing-user",
			Description: "One user's one-time codes guessed from many addresses: distinct addresses failing code steps per user.",
			Unit:        "distinct addresses failing one-time codes",
			Events:      codeFailures, Key: KeySub, Distinct: KeySourceIP, Top: KeySourceIP,
			Threshold: 5, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityHigh,
			Advice: "Wrong one-time codes for one user from many addresses: a distributed attempt to guess the codes sent to this user, which per-address limits do not see. Sign the user out everywhere (AdminUserGlobalSignOut) if any attempt succeeded, and ask the user whether the codes were expected. It sees only the API's challenge answers: the managed login's verifyCode_POST records carry no sub (FACTS.md 2.3)." + meaning(eventnames.CodeMismatchException),
		},
		LockoutRule{
			ID:          "lockout-address",
			Description: "Users kept locked out from one address: lockout answers ('Password attempts exceeded') per source address.",
			Unit:        "lockout answers",
			Key:         KeySourceIP, Top: KeySub,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityHigh,
			AllowIPs: o.LockoutAllowIPs, AllowSubs: o.LockoutAllowSubs,
			Advice: "One address kept signing in to locked-out users: Cognito answered 'Password attempts exceeded', which it does after five wrong passwords for a lockout that doubles up to about 15 minutes (FACTS.md 9.4 b). A real user gives up; a script guessing passwords goes on. The password-guess rules leave these answers out (no password was checked), so this is the finding for it. Block the address with AWS WAF; the locked-out users regain access after 15 minutes without attempts. A synthetic canary that locks its own test user belongs in the allow-list (BuiltinOptions.LockoutAllowIPs, LockoutAllowSubs)." + meaning(eventnames.NotAuthorizedException),
		},
		LockoutRule{
			ID:          "lockout-storm",
			Description: "Many users locked out at once: distinct locked-out users per pool.",
			Unit:        "distinct locked-out users",
			Key:         KeyUserPool, Distinct: KeySub, Top: KeySourceIP,
			Threshold: 10, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityHigh,
			AllowIPs: o.LockoutAllowIPs, AllowSubs: o.LockoutAllowSubs,
			Advice: "Many users of the pool were locked out in one hour: a password spray, or an attack meant to lock real users out (lockouts last up to about 15 minutes and restart with every wrong password, FACTS.md 9.4 b). Block the addresses in the evidence with AWS WAF, tell support to expect calls, and check the locked-out users for a successful sign-in from those addresses. A broken client that retries a stale password for many users looks the same." + meaning(eventnames.NotAuthorizedException),
		},
		SuccessAfterFailuresRule{
			ID:          "success-after-failures",
			Description: "A possible compromise: a sign-in that succeeded from an address right after many failures from it.",
			Key:         KeySourceIP, MinFailures: 10, Window: time.Hour, Severity: cognitomon.SeverityHigh,
			Advice: "A sign-in succeeded from an address right after many failed ones from it: the attacker may have guessed or found a valid password. For the users in the evidence: sign them out everywhere (AdminUserGlobalSignOut), reset their passwords (AdminResetUserPassword) and review what they did after the sign-in. A user who forgot a password and then remembered it looks the same: confirm with the user.",
		},
		EventRule{
			ID:          "enumeration",
			Description: "User-name enumeration: UserNotFoundException per source address, password resets apart (enumeration-password-reset).",
			Unit:        "UserNotFoundException errors",
			Events:      EventMatch{Filter: cognitomon.EventFilter{ErrorCodes: []string{eventnames.UserNotFoundException}}, Func: notPasswordReset}, Key: KeySourceIP, Top: KeyEventName,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "One address asking about many user names that do not exist: it is finding out which accounts exist, to attack them next. Set PreventUserExistenceErrors=ENABLED on the app client (UpdateUserPoolClient) so unknown users get the same error as wrong passwords, and block the address." + meaning(eventnames.UserNotFoundException),
		},
		EventRule{
			ID:          "enumeration-signup",
			Description: "User-name enumeration through sign-up: SignUp answered UsernameExistsException, per source address.",
			Unit:        "UsernameExistsException errors",
			Events:      EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindSignUp}, ErrorCodes: []string{eventnames.UsernameExistsException}}}, Key: KeySourceIP, Top: KeyEventName,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "One address trying to sign up many user names that are already registered: it is finding out which accounts exist. FACTS.md 9.1 describes PreventUserExistenceErrors for sign-in, confirmation and recovery only, so SignUp's UsernameExistsException (FACTS.md 6.1) is expected to name existing users whatever the client's setting. Block or rate-limit the address with AWS WAF; where self sign-up is not needed, turn it off (AllowAdminCreateUserOnly)." + meaning(eventnames.UsernameExistsException),
		},
		EventRule{
			ID:          "enumeration-password-reset",
			Description: "User-name enumeration through password resets: ForgotPassword and its confirmation answered UserNotFoundException, per source address.",
			Unit:        "UserNotFoundException errors on password resets",
			Events:      EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindPasswordReset}, ErrorCodes: []string{eventnames.UserNotFoundException}}}, Key: KeySourceIP, Top: KeyEventName,
			Threshold: 10, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "One address asking for password resets of many user names that do not exist: it is finding out which accounts exist. With PreventUserExistenceErrors=ENABLED on the app client, ForgotPassword answers unknown users as if a code was sent (FACTS.md 9.1); set it (UpdateUserPoolClient) and block the address. Many resets of existing users from the address are the password-reset-flood finding." + meaning(eventnames.UserNotFoundException),
		},
		EnumerationBlindSpotRule{
			ID:          "enumeration-blind-spot",
			MinFailures: 50, Severity: cognitomon.SeverityInfo,
			Advice: "This client's sign-in failures never say UserNotFoundException, so it very likely has PreventUserExistenceErrors=ENABLED (good practice): unknown user names fail with NotAuthorizedException, and the enumeration rule cannot see probing of user names against it. The brute-force and credential-stuffing rules still count those failures." + meaning(eventnames.NotAuthorizedException),
		},
		EventRule{
			ID:          "password-reset-flood",
			Description: "Password-reset abuse from one address: ForgotPassword requests per source address.",
			Unit:        "password-reset requests",
			Events:      resets, Key: KeySourceIP, Top: KeySub,
			Threshold: 10, Window: 10 * time.Minute, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "Many password-reset requests from one address: SMS or email pumping (each request can send a message you pay for), harassment of users, or enumeration. ForgotPassword shares the UserAccountRecovery quota of 30 requests per second per account, which cannot be raised (FACTS.md 6.3), so a flood also blocks real users' resets. Block the address with AWS WAF." + meaning(eventnames.LimitExceededException, eventnames.CodeDeliveryFailureException, eventnames.UserNotFoundException),
		},
		EventRule{
			ID:          "password-reset-user",
			Description: "Password-reset abuse against one account: ForgotPassword requests per user.",
			Unit:        "password-reset requests",
			Events:      resets, Key: KeySub, Top: KeySourceIP,
			Threshold: 5, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityMedium,
			Advice: "One user's password reset was requested many times: someone may be trying to take over the account by intercepting or guessing a code, or harassing the user. Check the addresses in the evidence, and ConfirmForgotPassword failures for code guessing." + meaning(eventnames.CodeMismatchException, eventnames.TooManyFailedAttemptsException, eventnames.LimitExceededException),
		},
		EventRule{
			ID:          "refresh-failure-spike",
			Description: "Token refreshes failing for an app client, compared with its baseline when there is one.",
			Unit:        "token-refresh failures",
			Events:      EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindTokenRefresh}}, Outcomes: []cognitomon.Outcome{cognitomon.OutcomeFailure}}, Key: KeyClient, Top: KeyErrorCode,
			Threshold: 50, Window: time.Hour, Sliding: true, Severity: cognitomon.SeverityMedium, Baseline: &BaselineMode{Sigmas: 3},
			Advice: "Token refreshes of this client are failing. A spike right after a release points at the app (wrong client ID, broken token storage); after a mass sign-out or a change of the client's refresh-token validity it is expected; a spike of RefreshTokenReuseException can mean stolen tokens." + meaning(eventnames.NotAuthorizedException, eventnames.RefreshTokenReuseException),
		},
		FirstSeenRule{
			ID:          "token-theft",
			Description: "A refresh token used from a network and device the user never used: refreshes per sub from a new /24 or user-agent family.",
			Key:         KeySub, Values: []EventKey{KeyIPRange, KeyUserAgentFamily},
			Judge:         EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindTokenRefresh}}, Outcomes: []cognitomon.Outcome{cognitomon.OutcomeSuccess}},
			Reference:     EventMatch{Outcomes: []cognitomon.Outcome{cognitomon.OutcomeSuccess}},
			Teach:         &EventMatch{Func: CompletedSignIn},
			KnownKeysOnly: true,
			Severity:      cognitomon.SeverityHigh, PartialSeverity: cognitomon.SeverityMedium,
			Advice: "A refresh token was used for this user from a network range or kind of device that the user never used in the baseline and did not sign in from during the run. Refresh tokens are bearer tokens: whoever holds one gets new tokens until it expires (30 days by default, FACTS.md 6.2). If the user does not recognise it, revoke the user's tokens (AdminUserGlobalSignOut) and reset the password; consider refresh-token rotation and a shorter refresh-token validity. Refreshes through the token endpoint carry no sub (FACTS.md 2.3) and are not judged.",
		},
		TokenCachingRule{
			ID:          "m2m-token-per-call",
			Description: "A machine client that does not cache its tokens: client_credentials requests per client against what its access-token lifetime needs.",
			Events:      m2m, Lifetimes: o.AccessTokenLifetimes, PerLifetime: 60, Window: time.Hour, Severity: cognitomon.SeverityMedium,
			Advice: "A machine client requests client_credentials tokens far more often than caching allows: a client that caches needs about one token per access-token lifetime and instance (the lifetime is the client's AccessTokenValidity where the pool's configuration was read, else the default of an hour, FACTS.md 6.2; the notes say which). A token per call adds latency, costs money (machine-to-machine tokens are billed per successful request, FACTS.md 9.4 d: see the report's cost column) and eats into the ClientAuthentication quota of 150 requests per second per account, which cannot be raised (FACTS.md 6.3). Make the client cache tokens until shortly before they expire.",
		},
		EventRule{
			ID:          "m2m-token-volume",
			Description: "A machine client's token volume far above its baseline: client_credentials requests per client and hour against the baseline's mean plus three standard deviations.",
			Unit:        "client_credentials token requests",
			Events:      m2m, Key: KeyClient, Top: KeySourceIP,
			Threshold: 10, Window: time.Hour, Severity: cognitomon.SeverityMedium, Baseline: &BaselineMode{Sigmas: 3, Required: true},
			Advice: "A machine client's token requests are far above what the baseline learned for it. The usual cause is a client that stopped caching tokens (see m2m-token-per-call); otherwise a deployment scaled out, or someone else is using the client's secret.",
		},
		FirstSeenRule{
			ID:          "m2m-new-source",
			Description: "A machine client seen from a new place: client_credentials requests from a /24 or user-agent family the baseline never saw for the client.",
			Key:         KeyClient, Values: []EventKey{KeyIPRange, KeyUserAgentFamily},
			Judge:     m2m,
			Reference: EventMatch{Filter: cognitomon.EventFilter{Kinds: []cognitomon.EventKind{cognitomon.KindM2MToken}}, Outcomes: []cognitomon.Outcome{cognitomon.OutcomeSuccess}},
			Severity:  cognitomon.SeverityMedium,
			Advice:    "A machine client called the token endpoint from a network range or with a user-agent family that the baseline never saw for it. A client secret is the client's password: a new range can be a new deployment region or NAT gateway, or a leaked secret. Confirm with the client's owners; if nobody knows the source, rotate the client secret.",
		},
		FailureStreakRule{
			ID:          "m2m-failure-streak",
			Description: "A machine client whose client_credentials requests keep failing: a secret rotated in one place only.",
			Events:      m2m, Key: KeyClient, MinRun: 10, Severity: cognitomon.SeverityHigh,
			Advice: "A machine client's client_credentials requests kept failing with no success between them. The usual cause is a client secret rotated in one place only: the app client has a new secret and some instances still send the old one (or the client was deleted and is still in use). Update the secret where it is stored, or roll back the rotation. Whether the token endpoint records an error code for these failures is not documented (FACTS.md 2.3 [X]): the rule reads the HTTP status as well." + meaning("HTTP 400"),
		},
		AdminChangeRule{
			ID:          "admin-mfa-off",
			Description: "MFA turned off for the pool.",
			EventNames:  []string{eventnames.SetUserPoolMfaConfig, eventnames.UpdateUserPool},
			Match:       matchMFAOff, Severity: cognitomon.SeverityHigh,
			Advice: "MFA was turned off for the user pool: users can now sign in with a password alone. If the change was not planned, turn MFA back on (SetUserPoolMfaConfig) and find out who made it from the caller's ARN and the caller's other recent calls in CloudTrail.",
		},
		AdminChangeRule{
			ID:          "admin-new-client",
			Description: "A new app client created.",
			EventNames:  []string{eventnames.CreateUserPoolClient},
			Match:       matchNewClient, Severity: cognitomon.SeverityMedium,
			Advice: "A new app client can get tokens for the pool's users, or with a secret and the client_credentials grant for machines. Check that it was planned: its callback URLs, OAuth flows and scopes, and who created it.",
		},
		AdminChangeRule{
			ID:          "admin-callback-urls",
			Description: "An app client's callback or sign-out URLs set.",
			EventNames:  []string{eventnames.UpdateUserPoolClient},
			Match:       matchCallbackURLs, Severity: cognitomon.SeverityMedium,
			Advice: "An app client's callback (or sign-out) URLs were set: whoever controls a callback URL receives the authorization codes of users who sign in through it. UpdateUserPoolClient replaces the whole client configuration, so the URLs are present whether or not they changed: compare them with the previous configuration (DescribeUserPoolClient, or the client's previous CreateUserPoolClient or UpdateUserPoolClient event).",
		},
		AdminChangeRule{
			ID:          "admin-threat-protection-lowered",
			Description: "Threat protection weakened: an adaptive-authentication action set to NO_ACTION, addresses exempted, or advanced security set to AUDIT or OFF.",
			EventNames:  []string{eventnames.SetRiskConfiguration, eventnames.UpdateUserPool},
			Match:       matchThreatLowered, Severity: cognitomon.SeverityHigh,
			Advice: "Threat protection was weakened: risky sign-ins or compromised credentials are no longer blocked or challenged, or some addresses are exempt from risk checks. Restore the configuration if the change was not planned, and find out who made it.",
		},
		AdminChangeRule{
			ID:          "admin-deletion",
			Description: "A pool, app client, identity provider, domain or resource server deleted.",
			EventNames:  []string{eventnames.DeleteUserPool, eventnames.DeleteUserPoolClient, eventnames.DeleteIdentityProvider, eventnames.DeleteUserPoolDomain, "DeleteResourceServer"},
			Match:       matchDeletion, Severity: cognitomon.SeverityHigh,
			Advice: "Something users sign in through was deleted: sign-ins through it fail from now on, and a deleted pool's users cannot be recovered. Check that it was planned.",
		},
		AdminChangeRule{
			ID:          "admin-identity-provider",
			Description: "An identity provider created or changed.",
			EventNames:  []string{eventnames.CreateIdentityProvider, eventnames.UpdateIdentityProvider},
			Match:       matchIdentityProvider, Severity: cognitomon.SeverityMedium,
			Advice: "An identity provider was created or changed: it decides who can sign in through federation, and a changed SAML metadata URL or OIDC issuer can let another directory's users in. Check the provider's details against what was planned.",
		},
		AdminChangeRule{
			ID:          "admin-client-secret",
			Description: "An app client's secret added or deleted by a caller not expected to rotate secrets.",
			EventNames:  []string{eventnames.AddUserPoolClientSecret, eventnames.DeleteUserPoolClientSecret},
			Match:       matchClientSecret, ExpectedCallers: o.SecretRotators, Severity: cognitomon.SeverityHigh,
			Advice: "A client secret was added to (or deleted from) an app client. Whoever adds a secret can get tokens as the client, with the client_credentials grant for a machine client; a client keeps up to two active secrets (FACTS.md 9.4 c), so the old secret goes on working. If the caller is not the rotation job, delete the secret (DeleteUserPoolClientSecret) and find out how the caller got the right. List the rotation job's role in BuiltinOptions.SecretRotators so that planned rotations are not reported.",
		},
		FailureRateRule{
			ID:      "failure-rate",
			MaxRate: 0.2, MinAttempts: 50, Window: time.Hour, Severity: cognitomon.SeverityMedium, HighRate: 0.5,
		},
		ThrottleRule{
			ID:        "throttle-spike",
			Threshold: 10, Window: time.Hour, Severity: cognitomon.SeverityMedium,
			Advice: "Cognito throttled requests of this flow (TooManyRequestsException): the account's requests-per-second quota of the flow's category was exceeded. Quotas are per account and Region, shared by all pools: UserAuthentication 120, UserCreation 50, UserFederation 25 by default (FACTS.md 6.3). See the quota findings, make clients retry with backoff, and ask for a higher quota where it can be raised.",
		},
		QuotaRule{
			ID:     "quota-approach",
			Quotas: quotas, Fraction: 0.8, Severity: cognitomon.SeverityHigh,
			Advice: "The account's calls in this rate-limit category came close to the quota within a metric period. The figure is the period's average, so short peaks were higher; at the quota, Cognito throttles with TooManyRequestsException. The quota is shared by all pools of the account in the Region. Find the caller in CloudTrail, and ask for a higher quota (Service Quotas) before it throttles, where the category allows it (FACTS.md 6.3).",
		},
		QuotaThrottleRule{
			ID:        "quota-throttles",
			Threshold: 10, Window: time.Hour, Severity: cognitomon.SeverityMedium,
			Advice: "Calls in this rate-limit category were throttled (AWS/Usage ThrottleCount), account-wide: by any pool or application of the account in the Region. Make clients retry with backoff, and ask for a higher quota where the category allows it (FACTS.md 6.3).",
		},
		TrailGapRule{
			ID:          "trail-gap",
			MinAttempts: 100, MinRatio: 0.5, Window: time.Hour, Settle: 15 * time.Minute, Clock: o.Clock, Severity: cognitomon.SeverityHigh,
			Advice: "CloudTrail recorded far fewer sign-in, refresh, sign-up and federation events than CloudWatch counted attempts for the same hours. Each attempt normally leaves one or more records, so the trail is missing data: a stopped trail, a changed event selector, a broken S3 bucket policy, or late delivery. Check the trail (GetTrailStatus: IsLogging, LatestDeliveryError). Until it is fixed, the event rules cannot see attacks in those hours. The ratio of records to metric attempts is not documented (FACTS.md 8.2 [X]: whether challenge steps and managed-login sign-ins count in SignInSuccesses), hence the generous threshold.",
		},
	}
	for i, c := range all {
		switch r := c.(type) {
		case EventRule:
			r.Learned = o.Baseline
			all[i] = r
		case FirstSeenRule:
			r.Learned = o.Baseline
			all[i] = r
		case EnumerationBlindSpotRule:
			if o.Configuration != nil {
				r.Configured = o.Configuration.Clients
				all[i] = r
			}
		}
	}
	return all
}

// stringParam returns params[name] if it is a string.
func stringParam(params map[string]any, name string) string {
	s, _ := params[name].(string)
	return s
}

// listParam returns params[name] as strings if it is a list.
func listParam(params map[string]any, name string) []string {
	l, _ := params[name].([]any)
	var out []string
	for _, v := range l {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// The request parameters the admin rules read are not verified against
// records of a real account: AWS publishes no sample of these events
// (FACTS.md 2.4 [X]). Their names follow the API's request members, as
// CloudTrail logs requestParameters for other services.

func matchMFAOff(e cognitomon.Event, params map[string]any) (string, bool) {
	if strings.EqualFold(stringParam(params, "mfaConfiguration"), "OFF") {
		return "mfaConfiguration set to OFF", true
	}
	return "", false
}

func matchNewClient(e cognitomon.Event, params map[string]any) (string, bool) {
	parts := []string{"new app client"}
	if n := stringParam(params, "clientName"); n != "" {
		parts = append(parts, "name "+n)
	}
	if e.ClientID != "" {
		parts = append(parts, "ID "+string(e.ClientID))
	}
	if s, ok := params["generateSecret"].(bool); ok && s {
		parts = append(parts, "with a secret")
	}
	if u := listParam(params, "callbackURLs"); len(u) > 0 {
		parts = append(parts, "callback URLs "+strings.Join(u, " "))
	}
	if f := listParam(params, "allowedOAuthFlows"); len(f) > 0 {
		parts = append(parts, "OAuth flows "+strings.Join(f, " "))
	}
	return strings.Join(parts, ", "), true
}

func matchCallbackURLs(e cognitomon.Event, params map[string]any) (string, bool) {
	var parts []string
	for _, name := range []string{"callbackURLs", "logoutURLs", "defaultRedirectURI"} {
		if _, ok := params[name]; !ok {
			continue
		}
		v := listParam(params, name)
		if s := stringParam(params, name); s != "" {
			v = []string{s}
		}
		parts = append(parts, name+" set to "+cmp.Or(strings.Join(v, " "), "(none)"))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "; "), true
}

func matchThreatLowered(e cognitomon.Event, params map[string]any) (string, bool) {
	var parts []string
	obj := func(m map[string]any, name string) map[string]any {
		v, _ := m[name].(map[string]any)
		return v
	}
	if e.Name == eventnames.UpdateUserPool {
		if mode := stringParam(obj(params, "userPoolAddOns"), "advancedSecurityMode"); mode == "OFF" || mode == "AUDIT" {
			parts = append(parts, "advancedSecurityMode set to "+mode)
		}
	}
	if actions := obj(obj(params, "accountTakeoverRiskConfiguration"), "actions"); actions != nil {
		for _, level := range []string{"highAction", "mediumAction", "lowAction"} {
			if a := stringParam(obj(actions, level), "eventAction"); a == "NO_ACTION" {
				parts = append(parts, "account-takeover "+strings.TrimSuffix(level, "Action")+"-risk action set to NO_ACTION")
			}
		}
	}
	if a := stringParam(obj(obj(params, "compromisedCredentialsRiskConfiguration"), "actions"), "eventAction"); a == "NO_ACTION" {
		parts = append(parts, "compromised-credentials action set to NO_ACTION")
	}
	if r := listParam(obj(params, "riskExceptionConfiguration"), "skippedIPRangeList"); len(r) > 0 {
		parts = append(parts, "risk checks skipped for "+strings.Join(r, " "))
	}
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "; "), true
}

func matchDeletion(e cognitomon.Event, params map[string]any) (string, bool) {
	what := strings.TrimPrefix(e.Name, "Delete")
	for _, name := range []string{"clientId", "providerName", "domain", "identifier", "userPoolId"} {
		if v := stringParam(params, name); v != "" {
			return what + " " + v + " deleted", true
		}
	}
	return what + " deleted", true
}

func matchClientSecret(e cognitomon.Event, params map[string]any) (string, bool) {
	d := "secret added to app client"
	if e.Name == eventnames.DeleteUserPoolClientSecret {
		d = "secret deleted from app client"
	}
	if e.ClientID != "" {
		d += " " + string(e.ClientID)
	}
	if v := stringParam(params, "clientSecretId"); v != "" {
		d += ", secret ID " + v
	}
	if _, ok := params["clientSecret"]; ok {
		d += ", a secret the caller chose"
	}
	return d, true
}

// notPasswordReset keeps the events that are not password resets, which
// enumeration-password-reset counts.
func notPasswordReset(e cognitomon.Event) bool { return e.Kind() != cognitomon.KindPasswordReset }

func matchIdentityProvider(e cognitomon.Event, params map[string]any) (string, bool) {
	d := strings.TrimSuffix(e.Name, "IdentityProvider") + " identity provider"
	if n := stringParam(params, "providerName"); n != "" {
		d += " " + n
	}
	if t := stringParam(params, "providerType"); t != "" {
		d += " (" + t + ")"
	}
	return d, true
}

// missingInput is an error wrapping cognitomon.ErrMissingInput, which
// Detect reports as a skipped check with this reason.
func missingInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", cognitomon.ErrMissingInput, fmt.Sprintf(format, args...))
}
