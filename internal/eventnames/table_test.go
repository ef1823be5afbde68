package eventnames

import "testing"

func TestTableIsConsistent(t *testing.T) {
	fams := map[Family]bool{}
	for _, f := range Families() {
		fams[f] = true
	}
	for _, e := range table {
		if e.Family != "" && !e.Endpoint {
			t.Errorf("%s: an API call has family %q", e.Name, e.Family)
		}
		if e.Family != "" && !fams[e.Family] {
			t.Errorf("%s: family %q is not in Families()", e.Name, e.Family)
		}
		if e.Kind < SignIn || e.Kind > Other {
			t.Errorf("%s: kind %d out of range", e.Name, e.Kind)
		}
		if e.RiskyAdmin && e.Kind != AdminChange {
			t.Errorf("%s: risky but not an admin change", e.Name)
		}
		if e.Refine == ByGrant && e.Family != FamilyToken {
			t.Errorf("%s: refined by grant outside the token family", e.Name)
		}
	}
	for _, f := range Families() {
		if len(FamilyNames(f)) == 0 {
			t.Errorf("family %q has no names", f)
		}
	}
	if FamilyNames("") != nil || FamilyNames("nope") != nil {
		t.Error("FamilyNames of a non-family is not empty")
	}
}

func TestRefined(t *testing.T) {
	in, _ := Lookup(InitiateAuth)
	rc, _ := Lookup(RespondToAuthChallenge)
	tok, _ := Lookup(TokenPOST)
	cases := []struct {
		e                           Entry
		flow, challenge, grant, err string
		want                        Kind
	}{
		{in, "USER_PASSWORD_AUTH", "", "", "", SignIn},
		{in, FlowRefreshTokenAuth, "", "", "", TokenRefresh},
		{in, FlowRefreshToken, "", "", "NotAuthorizedException", TokenRefresh},
		{rc, "", "SMS_MFA", "", "", MFA},
		{rc, "", "PASSWORD_VERIFIER", "", "", SignIn},
		{rc, "", "PASSWORD_VERIFIER", "", CodeMismatchException, MFA},
		{tok, "", "", "client_credentials", "", M2MToken},
		{tok, "", "", "refresh_token", "", TokenRefresh},
		{tok, "", "", "authorization_code", "", SignIn},
		{tok, "", "", "", "", Other},
	}
	for _, c := range cases {
		if got := c.e.Refined(c.flow, c.challenge, c.grant, c.err); got != c.want {
			t.Errorf("%s(%q,%q,%q,%q) = %d, want %d", c.e.Name, c.flow, c.challenge, c.grant, c.err, got, c.want)
		}
	}
}

func TestOutcomeCodes(t *testing.T) {
	if !Throttle("TooManyRequestsException", 0) || !Throttle("", 429) || Throttle("NotAuthorizedException", 400) {
		t.Error("Throttle misclassifies")
	}
	if !Failed("NotAuthorizedException", 0) || !Failed("", 400) || Failed("", 200) || Failed("", 0) {
		t.Error("Failed misclassifies")
	}
	if Meaning(UserNotFoundException) == "" || Meaning("NoSuchCode") != "" {
		t.Error("Meaning misses a known code or invents one")
	}
}

func TestLockout(t *testing.T) {
	for _, c := range []struct {
		code, msg string
		want      bool
	}{
		{"NotAuthorizedException", "Password attempts exceeded", true},
		{"NotAuthorizedException", "Password attempts exceeded. Please try again later.", true},
		{"NotAuthorizedException", "password attempts exceeded", true},
		{"NotAuthorizedException", "Incorrect username or password.", false},
		{"NotAuthorizedException", "", false},
		{"UserNotFoundException", "Password attempts exceeded", false},
		{"", "", false},
	} {
		if got := Lockout(c.code, c.msg); got != c.want {
			t.Errorf("Lockout(%q, %q) = %v, want %v", c.code, c.msg, got, c.want)
		}
	}
}

func TestOneTimeCodeStep(t *testing.T) {
	for _, c := range []struct {
		name, challenge string
		want            bool
	}{
		{"verifyCode_POST", "", true},
		{"RespondToAuthChallenge", "EMAIL_OTP", true},
		{"AdminRespondToAuthChallenge", "SMS_OTP", true},
		{"RespondToAuthChallenge", "SOFTWARE_TOKEN_MFA", false},
		{"RespondToAuthChallenge", "", false},
		{"InitiateAuth", "EMAIL_OTP", false},
		{"login_POST", "", false},
	} {
		if got := OneTimeCodeStep(c.name, c.challenge); got != c.want {
			t.Errorf("OneTimeCodeStep(%q, %q) = %v, want %v", c.name, c.challenge, got, c.want)
		}
	}
}
