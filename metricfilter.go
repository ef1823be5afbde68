package cognitomon

import (
	"fmt"
	"strings"
)

// RiskyAdminEvents returns the CloudTrail event names that
// RiskyAdminChangesAlarm counts by default: changes to a pool's
// configuration, MFA, threat protection, app clients, identity providers,
// domains and log delivery, and its deletion.
func RiskyAdminEvents() []string {
	return []string{
		"UpdateUserPool", "DeleteUserPool", "SetUserPoolMfaConfig", "SetRiskConfiguration", "SetLogDeliveryConfiguration",
		"CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"CreateIdentityProvider", "UpdateIdentityProvider", "DeleteIdentityProvider",
		"CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
	}
}

// RiskyAdminChangesAlarm returns the alarm on risky changes to a pool, fed
// by a metric filter on the log group that the CloudTrail trail writes to:
//
//	{ ($.eventSource = "cognito-idp.amazonaws.com") &&
//	  ($.requestParameters.userPoolId = "<pool>") &&
//	  ($.eventName = "UpdateUserPool" || ...) }
//
// Each matching event adds 1 to the metric RiskyAdminChanges in namespace
// "Cognitomon/<pool>" (0 for other events); the alarm watches its Sum.
// Failed attempts count too. Defaults: above 0 in 1 of 3 five-minute periods,
// so that an event CloudTrail delivers late (about 5 minutes, FACTS.md 2.1)
// still fires, missing data not breaching.
//
// Assumption (FACTS.md 2.3, 8.5): CloudTrail records the UserPoolId request
// parameter of these calls as requestParameters.userPoolId; AWS publishes no
// sample record of them.
func RiskyAdminChangesAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "admin-changes", 0, 3, 1, optFns)
	events := o.Events
	if events == nil {
		events = RiskyAdminEvents()
	}
	name := o.Prefix + o.Name
	if len(events) == 0 {
		return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: "no event names"}
	}
	alts := make([]string, len(events))
	for i, e := range events {
		if !eventNamePattern.MatchString(e) {
			return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: fmt.Sprintf("%q is not a CloudTrail event name", truncate(e))}
		}
		alts[i] = `$.eventName = "` + e + `"`
	}
	pattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.requestParameters.userPoolId = "` + string(pool) + `") && (` + strings.Join(alts, " || ") + `) }`
	desc := fmt.Sprintf("Risky administrative changes to user pool %s (%s), counted by a metric filter on CloudTrail log group %s", pool, strings.Join(events, ", "), logGroup)
	return filterAlarm(pool, o, logGroup, "RiskyAdminChanges", pattern, desc)
}

// MachineTokenSpikeAlarm returns the alarm on machine-to-machine token
// requests, fed by a metric filter on the trail's log group that counts
// token-endpoint requests with the client_credentials grant:
//
//	{ ($.eventSource = "cognito-idp.amazonaws.com") &&
//	  ($.additionalEventData.userPoolId = "<pool>") &&
//	  ($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") &&
//	  ($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }
//
// (event names and fields from FACTS.md 1.4, 2.2 and 2.3; the array syntax
// from the CloudWatch Logs filter-pattern documentation). The metric is
// MachineTokens in namespace "Cognitomon/<pool>". Defaults: above 300 (one
// token a second, where tokens are valid for an hour) in 1 of 3 five-minute
// periods, missing data not breaching.
func MachineTokenSpikeAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "m2m-tokens", 300, 3, 1, optFns)
	pattern := `{ ($.eventSource = "cognito-idp.amazonaws.com") && ($.additionalEventData.userPoolId = "` + string(pool) +
		`") && ($.eventName = "Token_POST" || $.eventName = "Beta_Token_POST") && ($.additionalEventData.requestParameters.grant_type[0] = "client_credentials") }`
	desc := fmt.Sprintf("Machine-to-machine (client_credentials) token requests to user pool %s, counted by a metric filter on CloudTrail log group %s", pool, logGroup)
	return filterAlarm(pool, o, logGroup, "MachineTokens", pattern, desc)
}

// filterAlarm makes an alarm on the Sum of a metric-filter metric.
func filterAlarm(pool UserPoolID, o DefinitionOptions, logGroup, metric, pattern, desc string) (Alarm, error) {
	a := o.base(pool)
	ns := o.Namespace + "/" + string(pool)
	a.Measure = MeasureCount
	a.Description = desc + ". Managed by cognitomon."
	a.Queries = []MetricQuery{{ID: "events", Metric: &MetricStat{Namespace: ns, MetricName: metric, Stat: "Sum"}, Label: metric, ReturnData: true}}
	a.Filter = &MetricFilter{LogGroup: logGroup, Name: a.Name, Pattern: pattern, Namespace: ns, MetricName: metric, Value: "1"}
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}
	return a, nil
}
