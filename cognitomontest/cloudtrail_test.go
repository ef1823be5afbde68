package cognitomontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// names returns the event names of the records, oldest first.
func names(recs []cognitomontest.TrailRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Name)
	}
	return out
}

func TestTrailRecordsPerPath(t *testing.T) {
	tests := []struct {
		a    cognitomontest.Attempt
		want []string
	}{
		{cognitomontest.Attempt{Flow: cognitomon.SignIn, Outcome: cognitomontest.Failure}, []string{"InitiateAuth"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignIn, Path: cognitomontest.PathSRP, Outcome: cognitomontest.Failure}, []string{"InitiateAuth", "RespondToAuthChallenge"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignIn, Path: cognitomontest.PathAdmin, Outcome: cognitomontest.Success}, []string{"AdminInitiateAuth"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignIn, Path: cognitomontest.PathManagedLogin, Outcome: cognitomontest.Success}, []string{"login_POST", "Token_POST"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignIn, Path: cognitomontest.PathManagedLogin, Outcome: cognitomontest.Failure}, []string{"login_POST"}},
		{cognitomontest.Attempt{Flow: cognitomon.TokenRefresh, Outcome: cognitomontest.Success}, []string{"InitiateAuth"}},
		{cognitomontest.Attempt{Flow: cognitomon.TokenRefresh, Path: cognitomontest.PathGetTokens, Outcome: cognitomontest.Success}, []string{"GetTokensFromRefreshToken"}},
		{cognitomontest.Attempt{Flow: cognitomon.TokenRefresh, Path: cognitomontest.PathManagedLogin, Outcome: cognitomontest.Success}, []string{"Token_POST"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignUp, Outcome: cognitomontest.Success}, []string{"SignUp"}},
		{cognitomontest.Attempt{Flow: cognitomon.SignUp, Client: cognitomon.AdminClient, Outcome: cognitomontest.Success}, []string{"AdminCreateUser"}},
		{cognitomontest.Attempt{Flow: cognitomon.Federation, IdentityProvider: "Google", Outcome: cognitomontest.Success}, []string{"SAML2Response_POST"}},
	}
	for _, tt := range tests {
		p := cognitomontest.NewPool("us-east-1_Pool1")
		tt.a.Time, tt.a.User, tt.a.IP = now, "alice", "203.0.113.5"
		if tt.a.Client == "" {
			tt.a.Client = "web"
		}
		p.Record(tt.a)
		if diff := cmp.Diff(tt.want, names(p.TrailRecords())); diff != "" {
			t.Errorf("%v via %d (-want +got):\n%s", tt.a.Flow, tt.a.Path, diff)
		}
	}
}

func TestTrailRecordShape(t *testing.T) {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	p.Record(cognitomontest.Attempt{Time: now, Flow: cognitomon.SignIn, Client: "web", User: "alice", IP: "203.0.113.5", Outcome: cognitomontest.Failure, ErrorCode: "UserNotFoundException"})
	p.RecordRequest(cognitomontest.Request{Time: now, Name: "Token_POST", GrantType: "client_credentials", Client: "m2m", IP: "198.51.100.1", Outcome: cognitomontest.Throttled})
	recs := p.TrailRecords()
	var api, m2m map[string]any
	if err := json.Unmarshal(recs[0].JSON, &api); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(recs[1].JSON, &m2m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"eventName": "InitiateAuth", "eventType": "AwsApiCall", "errorCode": "UserNotFoundException", "sourceIPAddress": "203.0.113.5",
		"awsRegion": "us-east-1", "eventSource": "cognito-idp.amazonaws.com", "recipientAccountId": "123456789012"}
	for k, v := range want {
		if api[k] != v {
			t.Errorf("%s = %v, want %v", k, api[k], v)
		}
	}
	rp := api["requestParameters"].(map[string]any)
	if rp["authFlow"] != "USER_PASSWORD_AUTH" || rp["clientId"] != "web" || rp["authParameters"] != "HIDDEN_DUE_TO_SECURITY_REASONS" {
		t.Errorf("requestParameters %v", rp)
	}
	if sub := api["additionalEventData"].(map[string]any)["sub"]; sub != p.Sub("alice") {
		t.Errorf("sub %v", sub)
	}
	aed := m2m["additionalEventData"].(map[string]any)
	if fmt.Sprint(aed["requestParameters"].(map[string]any)["grant_type"]) != "[client_credentials]" || fmt.Sprint(aed["responseParameters"]) != "map[status:429]" {
		t.Errorf("Token_POST additionalEventData %v", aed)
	}
	if m2m["eventType"] != "AwsServiceEvent" || m2m["errorCode"] != nil {
		t.Errorf("Token_POST %v", m2m)
	}
	// Deterministic.
	again := p.TrailRecords()
	if string(again[0].JSON) != string(recs[0].JSON) || recs[0].EventID == recs[1].EventID {
		t.Error("records are not stable or IDs collide")
	}
}

func lookupPool(n int) *cognitomontest.Pool {
	p := cognitomontest.NewPool("us-east-1_Pool1")
	for i := range n {
		p.Record(cognitomontest.Attempt{Time: now.Add(-time.Duration(n-i) * time.Minute), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	}
	p.RecordRequest(cognitomontest.Request{Time: now.Add(-30 * time.Second), Name: "UpdateUserPool", Caller: "arn:aws:iam::123456789012:user/ops"})
	return p
}

func TestLookupEventsPaging(t *testing.T) {
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{lookupPool(120)}, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return now } })
	in := &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("InitiateAuth")}},
		StartTime:        aws.Time(now.Add(-2 * time.Hour)), EndTime: aws.Time(now),
	}
	var sizes []int
	var last time.Time
	for pg := cloudtrail.NewLookupEventsPaginator(ct, in); pg.HasMorePages(); {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(out.Events))
		for _, e := range out.Events {
			if !last.IsZero() && e.EventTime.After(last) {
				t.Fatalf("not newest first: %s after %s", e.EventTime, last)
			}
			last = *e.EventTime
			if !json.Valid([]byte(*e.CloudTrailEvent)) || *e.EventSource != "cognito-idp.amazonaws.com" {
				t.Fatalf("event %s", *e.EventId)
			}
		}
	}
	if diff := cmp.Diff([]int{50, 50, 20}, sizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	if ct.Calls() != 3 {
		t.Errorf("calls %d", ct.Calls())
	}
}

func TestLookupEventsFilters(t *testing.T) {
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{lookupPool(10)}, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return now } })
	count := func(in *cloudtrail.LookupEventsInput) int {
		out, err := ct.LookupEvents(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Events)
	}
	attr := func(k cttypes.LookupAttributeKey, v string) []cttypes.LookupAttribute {
		return []cttypes.LookupAttribute{{AttributeKey: k, AttributeValue: aws.String(v)}}
	}
	if n := count(&cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyEventSource, "cognito-idp.amazonaws.com")}); n != 11 {
		t.Errorf("by source: %d", n)
	}
	if n := count(&cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyReadOnly, "false")}); n != 11 {
		t.Errorf("by read-only: %d", n)
	}
	if n := count(&cloudtrail.LookupEventsInput{LookupAttributes: attr(cttypes.LookupAttributeKeyAccessKeyId, "ASIAEXAMPLEKEY")}); n != 1 {
		t.Errorf("by access key: %d", n)
	}
	// Both bounds are inclusive: [now-3m, now-2m] holds the attempts at -3m and -2m.
	if n := count(&cloudtrail.LookupEventsInput{StartTime: aws.Time(now.Add(-3 * time.Minute)), EndTime: aws.Time(now.Add(-2 * time.Minute))}); n != 2 {
		t.Errorf("inclusive bounds: %d", n)
	}
}

func TestLookupEventsErrors(t *testing.T) {
	p := lookupPool(60)
	old := cognitomontest.NewPool("us-east-1_Pool2")
	old.Record(cognitomontest.Attempt{Time: now.Add(-91 * 24 * time.Hour), Flow: cognitomon.SignIn, Client: "web", Outcome: cognitomontest.Success})
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{p, old}, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return now } })
	ctx := context.Background()
	first, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Events) != 10 || first.NextToken == nil {
		t.Fatalf("first page %d events, token %v", len(first.Events), first.NextToken)
	}
	tests := []struct {
		name string
		in   *cloudtrail.LookupEventsInput
		code string
	}{
		{"two attributes", &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("b")}}}, "InvalidLookupAttributesException"},
		{"empty value", &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("")}}}, "InvalidLookupAttributesException"},
		{"inverted", &cloudtrail.LookupEventsInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))}, "InvalidTimeRangeException"},
		{"max results", &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)}, "InvalidMaxResultsException"},
		{"token for other parameters", &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(20), NextToken: first.NextToken}, "InvalidNextTokenException"},
		{"insights", &cloudtrail.LookupEventsInput{EventCategory: cttypes.EventCategoryInsight}, "InvalidEventCategoryException"},
	}
	for _, tt := range tests {
		_, err := ct.LookupEvents(ctx, tt.in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
			t.Errorf("%s: error %v, want %s", tt.name, err, tt.code)
		}
	}
	// Nothing older than 90 days.
	all, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(now.Add(-200 * 24 * time.Hour)), LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("InitiateAuth")}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all.Events {
		if e.EventTime.Before(now.Add(-90 * 24 * time.Hour)) {
			t.Errorf("event from %s, beyond the 90-day window", e.EventTime)
		}
	}
	// Throttling and corruption.
	ct.ThrottleNext(1)
	if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err == nil || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Errorf("throttle: %v", err)
	}
	ct.CorruptEvent(*first.Events[0].EventId)
	again, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}
	if json.Valid([]byte(*again.Events[0].CloudTrailEvent)) {
		t.Error("corrupted event is valid JSON")
	}
}

func TestLookupEventsOverHTTP(t *testing.T) {
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{lookupPool(70)}, func(o *cognitomontest.ServerOptions) {
		o.CloudTrail = append(o.CloudTrail, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return now } })
	})
	defer srv.Close()
	client := cloudtrail.NewFromConfig(srv.AWSConfig(), func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
	direct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{lookupPool(70)}, func(o *cognitomontest.CloudTrailOptions) { o.Now = func() time.Time { return now } })
	in := &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("cognito-idp.amazonaws.com")}}}
	var viaHTTP, inMemory []cttypes.Event
	for pg := cloudtrail.NewLookupEventsPaginator(client, in); pg.HasMorePages(); {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		viaHTTP = append(viaHTTP, out.Events...)
	}
	for pg := cloudtrail.NewLookupEventsPaginator(direct, in); pg.HasMorePages(); {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		inMemory = append(inMemory, out.Events...)
	}
	if len(viaHTTP) != 71 {
		t.Errorf("%d events over HTTP", len(viaHTTP))
	}
	if diff := cmp.Diff(inMemory, viaHTTP, cmp.AllowUnexported(cttypes.Event{})); diff != "" {
		t.Errorf("HTTP vs memory (-want +got):\n%s", diff)
	}
	if srv.Requests("CloudTrail.LookupEvents") != 2 {
		t.Errorf("requests %d", srv.Requests("CloudTrail.LookupEvents"))
	}
}

func TestLookupEventsStrictRate(t *testing.T) {
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{lookupPool(3)}, func(o *cognitomontest.CloudTrailOptions) {
		o.Now = func() time.Time { return now }
		o.StrictRate = 2
	})
	ctx := context.Background()
	call := func() error {
		_, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
		return err
	}
	// Two at once are admitted, the third in the same second is not.
	begin := time.Now()
	for i := range 2 {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	var ae smithy.APIError
	if err := call(); !errors.As(err, &ae) || ae.ErrorCode() != "ThrottlingException" {
		t.Fatalf("third call in a second: %v, want ThrottlingException", err)
	}
	// A refused call does not count: once the first two are a second old,
	// two more fit.
	time.Sleep(time.Until(begin.Add(time.Second + 20*time.Millisecond)))
	for i := range 2 {
		if err := call(); err != nil {
			t.Fatalf("after a second, call %d: %v", i+1, err)
		}
	}
	if err := call(); err == nil {
		t.Error("fifth call within the second window admitted")
	}
	ct.ThrottleNext(1)
	_ = call()
	if got := ct.Throttled(); got != 3 {
		t.Errorf("Throttled() = %d, want 3 (two by the window, one injected)", got)
	}
	if got := ct.Calls(); got != 7 {
		t.Errorf("Calls() = %d, want 7", got)
	}
}

func TestLookupEventsJitter(t *testing.T) {
	const jitter = 30 * time.Millisecond
	ct := cognitomontest.NewCloudTrail([]*cognitomontest.Pool{lookupPool(3)}, func(o *cognitomontest.CloudTrailOptions) {
		o.Now = func() time.Time { return now }
		o.Jitter = jitter
	})
	var delays []time.Duration
	for range 40 {
		sent := time.Now()
		if _, err := ct.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{}); err != nil {
			t.Fatal(err)
		}
		times := ct.CallTimes()
		delays = append(delays, times[len(times)-1].Sub(sent))
	}
	var longest time.Duration
	for _, d := range delays {
		if d < 0 {
			t.Fatalf("arrival before departure: %v", d)
		}
		longest = max(longest, d)
	}
	if longest < jitter/4 {
		t.Errorf("longest delay %v over 40 calls; the jitter of up to %v is not applied", longest, jitter)
	}
	// A cancelled request does not wait out its jitter.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
