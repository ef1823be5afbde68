package cognitomon_test

import (
	"strings"
	"testing"

	"github.com/cognitomon/cognitomon"
)

// The generated filter patterns stay within the 1,024 characters a
// metric-filter pattern may hold, for the longest pool ID Cognito allows
// (55 characters); the one to watch is the admin filter, which grows with
// every risky event name the table gains.
func TestFilterPatternsWithinLimit(t *testing.T) {
	pool := cognitomon.UserPoolID("ap-southeast-1_" + strings.Repeat("A", 40))
	if err := pool.Validate(); err != nil || len(pool) != 55 {
		t.Fatalf("test pool %q (%d): %v", pool, len(pool), err)
	}
	alarms, err := cognitomon.StandardAlarms(cognitomon.StandardAlarmsInput{UserPool: pool, Clients: alarmClients, TrailLogGroup: alarmLogGroup})
	if err != nil {
		t.Fatal(err)
	}
	filters := 0
	for _, a := range alarms {
		if a.Filter == nil {
			continue
		}
		filters++
		if n := len(a.Filter.Pattern); n > 1024 {
			t.Errorf("%s: pattern of %d characters, more than 1024", a.Name, n)
		} else {
			t.Logf("%s: %d of 1024 characters", a.Name, n)
		}
	}
	if filters != 2 {
		t.Errorf("%d metric filters, want 2", filters)
	}

	// Too many event names make a pattern that Validate rejects, naming the
	// limit, rather than one that PutMetricFilter would refuse.
	many := make([]string, 60)
	for i := range many {
		many[i] = "SomeRatherLongOperationName"
	}
	_, err = standardAlarmErr(pool, "admin-changes", alarmClients, func(o *cognitomon.DefinitionOptions) { o.Events = many })
	if fields := alarmErrors(err); len(fields) != 1 || !strings.HasSuffix(fields[0], "|Filter.Pattern") || !strings.Contains(err.Error(), "1024") {
		t.Errorf("60 event names: %v, want one Filter.Pattern error", err)
	}
}

// The admin filter counts exactly these events, an independent list of the
// changes that weaken sign-in or change who can get tokens, client-secret
// rotation included.
func TestRiskyAdminFilterEvents(t *testing.T) {
	a := standardAlarm(t, "admin-changes", alarmClients)
	want := []string{
		"UpdateUserPool", "DeleteUserPool", "CreateUserPoolClient", "UpdateUserPoolClient", "DeleteUserPoolClient",
		"AddUserPoolClientSecret", "DeleteUserPoolClientSecret", "CreateIdentityProvider", "UpdateIdentityProvider",
		"DeleteIdentityProvider", "CreateUserPoolDomain", "UpdateUserPoolDomain", "DeleteUserPoolDomain",
		"SetUserPoolMfaConfig", "SetRiskConfiguration", "SetLogDeliveryConfiguration",
	}
	for _, e := range want {
		if !strings.Contains(a.Filter.Pattern, `$.eventName = "`+e+`"`) {
			t.Errorf("the admin filter does not count %s", e)
		}
	}
	if n := strings.Count(a.Filter.Pattern, "$.eventName = "); n != len(want) {
		t.Errorf("the admin filter names %d events, want %d", n, len(want))
	}
	m2m := standardAlarm(t, "m2m-tokens", alarmClients)
	for _, e := range []string{"Token_POST", "Beta_Token_POST"} {
		if !strings.Contains(m2m.Filter.Pattern, `$.eventName = "`+e+`"`) {
			t.Errorf("the M2M filter does not count %s", e)
		}
	}
}
