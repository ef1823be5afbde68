package checks

import (
	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// OneTimeCodeStep reports whether e submits a passwordless one-time code:
// the managed login's verifyCode_POST ("a user submits a one-time password
// (OTP) for passwordless authentication", FACTS.md 9.4 a), or a
// RespondToAuthChallenge or AdminRespondToAuthChallenge that answers an
// EMAIL_OTP or SMS_OTP challenge. Email MFA shares the EMAIL_OTP challenge,
// so its code steps count too: a wrong code is a guess either way.
//
// verifyCode_POST is an endpoint event: it fails with an HTTP status of 400
// or more, and AWS shows no failed sample (FACTS.md 2.3 [X]), so Outcome
// reads the status. Endpoint events carry no sub, so guesses through the
// managed login can be counted per address, not per user. Whether
// challenge responses record challengeName is not documented either
// (FACTS.md 2.3 [X]); where they do not, only verifyCode_POST is
// recognised.
//
// The code-guessing rules use it as an EventMatch Func; the password-guess
// rules (brute-force and its kin) leave these events out, since a wrong
// code is not a wrong password.
func OneTimeCodeStep(e cognitomon.Event) bool {
	return eventnames.OneTimeCodeStep(e.Name, e.ChallengeName)
}
