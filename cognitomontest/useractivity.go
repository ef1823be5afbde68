package cognitomontest

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/cognitomon/cognitomon"
)

// LogRecord is one simulated log event: a CloudTrail record as CloudTrail
// writes it to CloudWatch Logs, or a user-activity record.
type LogRecord struct {
	// Time is the event's timestamp (@timestamp in Logs Insights).
	Time time.Time
	// JSON is the event's message.
	JSON json.RawMessage
}

// activityRecord is the user-activity log's schema, from the AWS sample
// (FACTS.md 5.3).
type activityRecord struct {
	EventTimestamp string          `json:"eventTimestamp"`
	EventSource    string          `json:"eventSource"`
	LogLevel       string          `json:"logLevel"`
	Message        activityMessage `json:"message"`
	LogSourceID    struct {
		UserPoolID string `json:"userPoolId"`
	} `json:"logSourceId"`
}

type activityMessage struct {
	Version                       string   `json:"version"`
	EventID                       string   `json:"eventId"`
	EventType                     string   `json:"eventType"`
	UserSub                       string   `json:"userSub"`
	UserName                      string   `json:"userName"`
	UserPoolID                    string   `json:"userPoolId"`
	ClientID                      string   `json:"clientId"`
	CreationDate                  string   `json:"creationDate"`
	EventResponse                 string   `json:"eventResponse"`
	RiskLevel                     string   `json:"riskLevel"`
	RiskDecision                  string   `json:"riskDecision"`
	Challenges                    []string `json:"challenges"`
	DeviceName                    string   `json:"deviceName"`
	IPAddress                     string   `json:"ipAddress"`
	RequestID                     string   `json:"requestId"`
	IdpName                       string   `json:"idpName"`
	CompromisedCredentialDetected string   `json:"compromisedCredentialDetected"`
	City                          string   `json:"city"`
	Country                       string   `json:"country"`
	EventFeedbackValue            string   `json:"eventFeedbackValue"`
	EventFeedbackDate             string   `json:"eventFeedbackDate"`
	EventFeedbackProvider         string   `json:"eventFeedbackProvider"`
	HasContextData                string   `json:"hasContextData"`
}

// UserActivityRecords returns the user-activity log of a pool with
// PoolOptions.ThreatProtection: one INFO record per sign-in and sign-up
// attempt that Cognito answered (throttled requests are WARNING or ERROR
// level and not logged, FACTS.md 5.3), oldest first. A pool without threat
// protection has none.
func (p *Pool) UserActivityRecords() []LogRecord {
	if !p.opts.ThreatProtection {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []LogRecord
	for i, a := range p.attempts {
		var kind string
		switch a.Flow {
		case cognitomon.SignIn:
			kind = "SignIn"
		case cognitomon.SignUp:
			kind = "SignUp"
		default:
			continue
		}
		if a.Outcome == Throttled {
			continue
		}
		resp := "Pass"
		if a.Outcome == Failure {
			resp = "Fail"
		}
		decision := a.RiskDecision
		if decision == "" {
			decision = "PASS"
		}
		var r activityRecord
		r.EventTimestamp = strconv.FormatInt(a.Time.UnixMilli(), 10)
		r.EventSource, r.LogLevel = "USER_ACTIVITY", "INFO"
		r.LogSourceID.UserPoolID = string(p.id)
		r.Message = activityMessage{
			Version: "1", EventID: uuid(p.id, "activity", "", i, 0), EventType: kind,
			UserSub: p.Sub(a.User), UserName: a.User, UserPoolID: string(p.id), ClientID: recordClient(a.Client),
			CreationDate: a.Time.UTC().Format("Mon Jan 2 15:04:05 UTC 2006"), EventResponse: resp,
			RiskLevel: a.RiskLevel, RiskDecision: decision, Challenges: []string{}, DeviceName: "Chrome, Linux",
			IPAddress: a.IP, RequestID: uuid(p.id, "request", "", i, 0), IdpName: a.IdentityProvider,
			CompromisedCredentialDetected: strconv.FormatBool(a.CompromisedCredentials),
			City:                          "Seattle", Country: "United States", HasContextData: "true",
		}
		b, err := json.Marshal(r)
		if err != nil {
			panic("cognitomontest: marshal activity record: " + err.Error())
		}
		out = append(out, LogRecord{Time: a.Time, JSON: b})
	}
	return out
}
