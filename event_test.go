package cognitomon

import (
	"testing"

	"github.com/cognitomon/cognitomon/internal/eventnames"
)

func TestEventKindMirrorsTheTable(t *testing.T) {
	pairs := []struct {
		k EventKind
		n eventnames.Kind
	}{
		{KindSignIn, eventnames.SignIn}, {KindTokenRefresh, eventnames.TokenRefresh}, {KindSignUp, eventnames.SignUp},
		{KindPasswordReset, eventnames.PasswordReset}, {KindMFA, eventnames.MFA}, {KindM2MToken, eventnames.M2MToken},
		{KindFederation, eventnames.Federation}, {KindAdminChange, eventnames.AdminChange}, {KindOther, eventnames.Other},
	}
	for _, p := range pairs {
		if int(p.k) != int(p.n) {
			t.Errorf("%v = %d, table kind = %d", p.k, p.k, p.n)
		}
	}
}
