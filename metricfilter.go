package cognitomon

import (
	"fmt"
	"strings"

	"github.com/cognitomon/cognitomon/internal/eventnames"
	"github.com/cognitomon/cognitomon/internal/text"
)

// riskyAdminEvents returns the CloudTrail event names that the admin-changes
// alarm counts by default: the entries of the one event-name table marked
// RiskyAdmin (changes to a pool's configuration, MFA, threat protection, app
// clients and their secrets, identity providers, domains and log delivery,
// and its deletion).
func riskyAdminEvents() []string {
	return eventnames.Names(func(e eventnames.Entry) bool { return e.RiskyAdmin })
}

// eventNameAlternatives renders `$.eventName = "A" || $.eventName = "B" ...`
// for names already checked against eventNamePattern.
func eventNameAlternatives(names []string) string {
	alts := make([]string, len(names))
	for i, n := range names {
		alts[i] = `$.eventName = "` + n + `"`
	}
	return strings.Join(alts, " || ")
}

// riskyAdminChangesAlarm returns the alarm on risky changes to a pool, fed
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
// sample record of them. Check with a test change to a pool and
// `aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=UpdateUserPool`.
func riskyAdminChangesAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "admin-changes", 0, 3, 1, optFns)
	events := o.Events
	if events == nil {
		events = riskyAdminEvents()
	}
	name := o.Prefix + o.name
	if len(events) == 0 {
		return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: "no event names"}
	}
	for _, e := range events {
		if !eventNamePattern.MatchString(e) {
			return Alarm{}, &AlarmError{Alarm: name, Field: "Events", Problem: fmt.Sprintf("%q is not a CloudTrail event name", text.Truncate(e))}
		}
	}
	// The pool ID has been validated ([\w-]+_[0-9a-zA-Z]+): no quote or
	// backslash can end the string literal.
	pattern := `{ ($.eventSource = "` + UserPoolEventSource + `") && ($.requestParameters.userPoolId = "` + string(pool) + `") && (` + eventNameAlternatives(events) + `) }`
	listed := strings.Join(events, ", ")
	if len(listed) > maxDescriptionLen/2 {
		listed = fmt.Sprintf("%d event names, listed in the filter pattern", len(events))
	}
	desc := fmt.Sprintf("Risky administrative changes to user pool %s (%s), counted by a metric filter on CloudTrail log group %s", pool, listed, logGroup)
	return filterAlarm(pool, o, logGroup, "RiskyAdminChanges", pattern, desc)
}

// machineTokenSpikeAlarm returns the alarm on machine-to-machine token
// requests, fed by a metric filter on the trail's log group that counts
// token-endpoint requests (the token family of the event-name table) with
// the client_credentials grant:
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
func machineTokenSpikeAlarm(pool UserPoolID, logGroup string, optFns ...func(*DefinitionOptions)) (Alarm, error) {
	if err := pool.Validate(); err != nil {
		return Alarm{}, err
	}
	o := resolveOptions(pool, "m2m-tokens", 300, 3, 1, optFns)
	pattern := `{ ($.eventSource = "` + UserPoolEventSource + `") && ($.additionalEventData.userPoolId = "` + string(pool) +
		`") && (` + eventNameAlternatives(eventnames.FamilyNames(eventnames.FamilyToken)) +
		`) && ($.additionalEventData.requestParameters.grant_type[0] = "` + eventnames.GrantClientCredentials + `") }`
	desc := fmt.Sprintf("Machine-to-machine (client_credentials) token requests to user pool %s, counted by a metric filter on CloudTrail log group %s", pool, logGroup)
	return filterAlarm(pool, o, logGroup, "MachineTokens", pattern, desc)
}

// filterAlarm makes an alarm on the Sum of a metric-filter metric.
func filterAlarm(pool UserPoolID, o definition, logGroup, metric, pattern, desc string) (Alarm, error) {
	a := o.base(pool)
	ns := o.Namespace + "/" + string(pool)
	a.measure = measureCount
	a.Description = desc + ". Managed by cognitomon."
	a.Queries = []MetricQuery{{ID: "events", Metric: &MetricStat{Namespace: ns, MetricName: metric, Stat: "Sum"}, Label: metric, ReturnData: true}}
	a.Filter = &MetricFilter{LogGroup: logGroup, Name: a.Name, Pattern: pattern, Namespace: ns, MetricName: metric, Value: "1"}
	if err := a.Validate(); err != nil {
		return Alarm{}, err
	}
	return a, nil
}
