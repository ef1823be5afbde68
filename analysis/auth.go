package analysis

import (
	"cmp"
	"maps"
	"strings"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/internal/eventnames"
)

// FailureAnalyzer counts failed events (Outcome OutcomeFailure or
// OutcomeThrottled) by reason (Event.FailureReason: the error code, or
// "HTTP <status>") and by source IP.
type FailureAnalyzer struct {
	coverageOf
	events, failures, throttled int64
	byReason                    counter[string]
	byIP                        counter[string]
	byReasonIP                  counter[ReasonIP]
}

// NewFailureAnalyzer returns an empty FailureAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewFailureAnalyzer(optFns ...func(*AnalyzerOptions)) *FailureAnalyzer {
	o := analyzerOptions(optFns)
	return &FailureAnalyzer{
		byReason:   newCounter(o.TopK, strings.Compare),
		byIP:       newCounter(o.TopK, strings.Compare),
		byReasonIP: newCounter(o.TopK, compareReasonIP),
	}
}

// Add counts e.
func (a *FailureAnalyzer) Add(e cognitomon.Event) {
	a.events++
	o := e.Outcome()
	if o == cognitomon.OutcomeSuccess {
		return
	}
	a.failures++
	if o == cognitomon.OutcomeThrottled {
		a.throttled++
	}
	reason := e.FailureReason()
	a.byReason.add(reason)
	a.byIP.add(e.SourceIP)
	a.byReasonIP.add(ReasonIP{Reason: reason, SourceIP: e.SourceIP})
}

// ReasonIP is a failure reason (an error code or "HTTP <status>") and a
// source IP.
type ReasonIP struct {
	// Reason is Event.FailureReason.
	Reason string
	// SourceIP is Event.SourceIP.
	SourceIP string
}

func compareReasonIP(a, b ReasonIP) int {
	if c := strings.Compare(a.Reason, b.Reason); c != 0 {
		return c
	}
	return strings.Compare(a.SourceIP, b.SourceIP)
}

// FailureSummary is what a FailureAnalyzer counted.
type FailureSummary struct {
	// Events is every event added.
	Events int64
	// Failures is the events that failed, throttled ones included.
	Failures int64
	// Throttled is the failures that were throttled.
	Throttled int64
	// ByReason ranks the failures by error code or "HTTP <status>".
	ByReason TopList[string]
	// BySourceIP ranks the failures by source IP: the top failing IPs.
	BySourceIP TopList[string]
	// ByReasonAndIP ranks the failures by reason and source IP.
	ByReasonAndIP TopList[ReasonIP]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *FailureAnalyzer) Summary() FailureSummary {
	return FailureSummary{
		Events:        a.events,
		Failures:      a.failures,
		Throttled:     a.throttled,
		ByReason:      a.byReason.list(),
		BySourceIP:    a.byIP.list(),
		ByReasonAndIP: a.byReasonIP.list(),
		Coverage:      a.cov,
	}
}

// EnumerationNote explains what EnumerationSummary cannot see.
const EnumerationNote = "UserNotFoundException reveals that a user name does not exist. " +
	"App clients with PreventUserExistenceErrors=ENABLED answer NotAuthorizedException instead " +
	"(the API default is LEGACY), so enumeration against them is hidden among wrong-password " +
	"failures: look at NotAuthorizedException per source IP in FailureSummary.ByReasonAndIP."

// EnumerationAnalyzer counts UserNotFoundException failures, the sign of
// account enumeration, by source IP, event name and app client.
type EnumerationAnalyzer struct {
	coverageOf
	count    int64
	byIP     counter[string]
	byName   counter[string]
	byClient counter[cognitomon.ClientID]
}

// NewEnumerationAnalyzer returns an empty EnumerationAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewEnumerationAnalyzer(optFns ...func(*AnalyzerOptions)) *EnumerationAnalyzer {
	o := analyzerOptions(optFns)
	return &EnumerationAnalyzer{
		byIP:     newCounter(o.TopK, strings.Compare),
		byName:   newCounter(o.TopK, strings.Compare),
		byClient: newCounter(o.TopK, cmp.Compare[cognitomon.ClientID]),
	}
}

// Add counts e if it failed with UserNotFoundException.
func (a *EnumerationAnalyzer) Add(e cognitomon.Event) {
	if e.ErrorCode != eventnames.UserNotFoundException {
		return
	}
	a.count++
	a.byIP.add(e.SourceIP)
	a.byName.add(e.Name)
	a.byClient.add(e.ClientID)
}

// EnumerationSummary is what an EnumerationAnalyzer counted.
type EnumerationSummary struct {
	// UserNotFound is the number of UserNotFoundException failures.
	UserNotFound int64
	// BySourceIP ranks them by source IP.
	BySourceIP TopList[string]
	// ByEventName ranks them by event name (InitiateAuth, ForgotPassword ...).
	ByEventName TopList[string]
	// ByClientID ranks them by app client ("" for requests that named none).
	ByClientID TopList[cognitomon.ClientID]
	// Note is EnumerationNote.
	Note string
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *EnumerationAnalyzer) Summary() EnumerationSummary {
	return EnumerationSummary{
		UserNotFound: a.count,
		BySourceIP:   a.byIP.list(),
		ByEventName:  a.byName.list(),
		ByClientID:   a.byClient.list(),
		Note:         EnumerationNote,
		Coverage:     a.cov,
	}
}

// PasswordResetAnalyzer counts password-reset events (KindPasswordReset:
// ForgotPassword, ConfirmForgotPassword, AdminResetUserPassword and the
// password-reset endpoint family) by name, source IP and outcome, to expose
// abuse such as code flooding or code guessing.
type PasswordResetAnalyzer struct {
	coverageOf
	counts      cognitomon.Counts
	byName      map[string]cognitomon.Counts
	byIP        counter[string]
	byIPOutcome counter[IPOutcome]
	byReason    counter[string]
}

// NewPasswordResetAnalyzer returns an empty PasswordResetAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewPasswordResetAnalyzer(optFns ...func(*AnalyzerOptions)) *PasswordResetAnalyzer {
	o := analyzerOptions(optFns)
	return &PasswordResetAnalyzer{
		byName:      make(map[string]cognitomon.Counts),
		byIP:        newCounter(o.TopK, strings.Compare),
		byIPOutcome: newCounter(o.TopK, compareIPOutcome),
		byReason:    newCounter(o.TopK, strings.Compare),
	}
}

// IPOutcome is a source IP and an outcome.
type IPOutcome struct {
	// SourceIP is Event.SourceIP.
	SourceIP string
	// Outcome is Event.Outcome.
	Outcome cognitomon.Outcome
}

func compareIPOutcome(a, b IPOutcome) int {
	if c := strings.Compare(a.SourceIP, b.SourceIP); c != 0 {
		return c
	}
	return cmp.Compare(a.Outcome, b.Outcome)
}

// Add counts e if it is a password-reset event.
func (a *PasswordResetAnalyzer) Add(e cognitomon.Event) {
	if e.Kind() != cognitomon.KindPasswordReset {
		return
	}
	o := e.Outcome()
	a.counts.Count(o)
	// The names of KindPasswordReset are a fixed set, so this map is
	// bounded.
	c := a.byName[e.Name]
	c.Count(o)
	a.byName[e.Name] = c
	a.byIP.add(e.SourceIP)
	a.byIPOutcome.add(IPOutcome{SourceIP: e.SourceIP, Outcome: o})
	if o != cognitomon.OutcomeSuccess {
		a.byReason.add(e.FailureReason())
	}
}

// PasswordResetSummary is what a PasswordResetAnalyzer counted.
type PasswordResetSummary struct {
	// Counts are all password-reset requests.
	Counts cognitomon.Counts
	// ByName splits Counts by event name (exact).
	ByName map[string]cognitomon.Counts
	// BySourceIP ranks the requests by source IP.
	BySourceIP TopList[string]
	// BySourceIPAndOutcome ranks them by source IP and outcome.
	BySourceIPAndOutcome TopList[IPOutcome]
	// ByReason ranks the failed ones by error code or "HTTP <status>".
	ByReason TopList[string]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *PasswordResetAnalyzer) Summary() PasswordResetSummary {
	return PasswordResetSummary{
		Counts:               a.counts,
		ByName:               maps.Clone(a.byName),
		BySourceIP:           a.byIP.list(),
		BySourceIPAndOutcome: a.byIPOutcome.list(),
		ByReason:             a.byReason.list(),
		Coverage:             a.cov,
	}
}

// MFAAnalyzer counts MFA events (KindMFA) and their failures. The failures
// that matter most are challenge responses that fail with
// CodeMismatchException (a wrong code: guessing, or a clock-skewed
// authenticator) or ExpiredCodeException (a stale code).
type MFAAnalyzer struct {
	coverageOf
	counts                    cognitomon.Counts
	codeMismatch, expiredCode int64
	byReason                  counter[string]
	byIP                      counter[string]
	bySub                     counter[string]
	byClient                  counter[cognitomon.ClientID]
}

// NewMFAAnalyzer returns an empty MFAAnalyzer. It uses
// AnalyzerOptions.TopK.
func NewMFAAnalyzer(optFns ...func(*AnalyzerOptions)) *MFAAnalyzer {
	o := analyzerOptions(optFns)
	return &MFAAnalyzer{
		byReason: newCounter(o.TopK, strings.Compare),
		byIP:     newCounter(o.TopK, strings.Compare),
		bySub:    newCounter(o.TopK, strings.Compare),
		byClient: newCounter(o.TopK, cmp.Compare[cognitomon.ClientID]),
	}
}

// Add counts e if it is an MFA event.
func (a *MFAAnalyzer) Add(e cognitomon.Event) {
	if e.Kind() != cognitomon.KindMFA {
		return
	}
	o := e.Outcome()
	a.counts.Count(o)
	if o == cognitomon.OutcomeSuccess {
		return
	}
	switch e.ErrorCode {
	case eventnames.CodeMismatchException:
		a.codeMismatch++
	case eventnames.ExpiredCodeException:
		a.expiredCode++
	}
	a.byReason.add(e.FailureReason())
	a.byIP.add(e.SourceIP)
	if e.Sub != "" {
		a.bySub.add(e.Sub)
	}
	a.byClient.add(e.ClientID)
}

// MFASummary is what an MFAAnalyzer counted. The ranked tables count
// failures only.
type MFASummary struct {
	// Counts are all MFA events.
	Counts cognitomon.Counts
	// CodeMismatch is the failures with CodeMismatchException.
	CodeMismatch int64
	// ExpiredCode is the failures with ExpiredCodeException.
	ExpiredCode int64
	// ByReason ranks the failures by error code or "HTTP <status>".
	ByReason TopList[string]
	// BySourceIP ranks the failures by source IP.
	BySourceIP TopList[string]
	// BySub ranks the failures that name a user by the user's sub.
	BySub TopList[string]
	// ByClientID ranks the failures by app client.
	ByClientID TopList[cognitomon.ClientID]
	// Coverage is what the pass that fed the analyzer saw, as Consume
	// reported it; zero until Consume has finished.
	Coverage cognitomon.Coverage
}

// Summary returns the counts so far.
func (a *MFAAnalyzer) Summary() MFASummary {
	return MFASummary{
		Counts:       a.counts,
		CodeMismatch: a.codeMismatch,
		ExpiredCode:  a.expiredCode,
		ByReason:     a.byReason.list(),
		BySourceIP:   a.byIP.list(),
		BySub:        a.bySub.list(),
		ByClientID:   a.byClient.list(),
		Coverage:     a.cov,
	}
}
