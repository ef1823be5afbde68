package cognitomontest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cgtypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

var (
	_ cognitomon.CognitoAPI      = (*cognitomontest.Cognito)(nil)
	_ cognitomon.TrailInspectAPI = (*cognitomontest.Trails)(nil)
)

const cgPool cognitomon.UserPoolID = "us-east-1_CgFake001"

func cgClient(srv *cognitomontest.Server) *cognitoidentityprovider.Client {
	return cognitoidentityprovider.NewFromConfig(srv.AWSConfig(), func(o *cognitoidentityprovider.Options) { o.RetryMaxAttempts = 1 })
}

// post sends a raw JSON 1.1 request and returns the status and the decoded
// body.
func post(t *testing.T, srv *cognitomontest.Server, target, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("body %q: %v", data, err)
	}
	return resp.StatusCode, m
}

// TestCognitoWire: the real client reads the fake's answers, and errors
// carry __type and a lower-case message (FACTS.md 9.5 item 2).
func TestCognitoWire(t *testing.T) {
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{cognitomontest.NewPool(cgPool)})
	defer srv.Close()
	cg := cgClient(srv)
	ctx := context.Background()

	out, err := cg.DescribeUserPoolClient(ctx, &cognitoidentityprovider.DescribeUserPoolClientInput{UserPoolId: aws.String(string(cgPool)), ClientId: aws.String("9android0example0client00")})
	if err != nil {
		t.Fatal(err)
	}
	u := out.UserPoolClient
	if aws.ToString(u.ClientName) != "android-app" || u.TokenValidityUnits == nil || u.TokenValidityUnits.AccessToken != cgtypes.TimeUnitsTypeMinutes || aws.ToInt32(u.AccessTokenValidity) != 30 {
		t.Errorf("client %+v", u)
	}

	_, err = cg.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String("us-east-1_Nope0001")})
	var nf *cgtypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown pool: %v, want *types.ResourceNotFoundException", err)
	}
	_, err = cg.DescribeRiskConfiguration(ctx, &cognitoidentityprovider.DescribeRiskConfigurationInput{UserPoolId: aws.String(string(cgPool))})
	var off *cgtypes.UserPoolAddOnNotEnabledException
	if !errors.As(err, &off) {
		t.Errorf("risk configuration without threat protection: %v, want UserPoolAddOnNotEnabledException", err)
	}
	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"})
	_, err = cg.ListUserPoolClients(ctx, &cognitoidentityprovider.ListUserPoolClientsInput{UserPoolId: aws.String(string(cgPool))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != "not allowed" {
		t.Errorf("FailNext: %v", err)
	}
	if _, err = cg.ListUserPoolClients(ctx, &cognitoidentityprovider.ListUserPoolClientsInput{UserPoolId: aws.String(string(cgPool))}); err != nil {
		t.Errorf("after the injected failure: %v", err)
	}

	status, body := post(t, srv, "AWSCognitoIdentityProviderService.ListUserPoolClients", `{"UserPoolId":"us-east-1_CgFake001","MaxResults":61}`)
	if status != http.StatusBadRequest || body["__type"] != "InvalidParameterException" || body["message"] == nil || body["Message"] != nil {
		t.Errorf("MaxResults 61: %d %v", status, body)
	}
	status, body = post(t, srv, "AWSCognitoIdentityProviderService.ListUserPoolClients", `{"UserPoolId":"us-east-1_CgFake001","NextToken":"forged"}`)
	if status != http.StatusBadRequest || body["__type"] != "InvalidParameterException" {
		t.Errorf("forged NextToken: %d %v", status, body)
	}
	status, body = post(t, srv, "AWSCognitoIdentityProviderService.ListUserPoolClients", `{"UserPoolId":"us-east-1_CgFake001","MaxResults":2}`)
	if clients, _ := body["UserPoolClients"].([]any); status != http.StatusOK || len(clients) != 2 || body["NextToken"] == nil {
		t.Errorf("first page of 2: %d %v", status, body)
	}
}

// TestTrailsWire: DescribeTrails speaks lowerCamel at the top level
// (FACTS.md 9.5 item 2), includeShadowTrails false leaves shadow trails
// out, and a shadow trail is found by ARN only.
func TestTrailsWire(t *testing.T) {
	// A pool in us-west-2 whose account trail's home is us-east-1: a
	// shadow trail there.
	west := cognitomontest.NewPool("us-west-2_CgFake002")
	cfg := west.Config()
	cfg.Trails = []cognitomontest.TrailSetup{cognitomontest.DefaultTrail("us-east-1", "123456789012")}
	west.SetConfig(cfg)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{west})
	defer srv.Close()

	status, body := post(t, srv, "CloudTrail_20131101.DescribeTrails", `{"includeShadowTrails":true}`)
	list, _ := body["trailList"].([]any)
	if status != http.StatusOK || len(list) != 1 {
		t.Fatalf("DescribeTrails: %d %v", status, body)
	}
	if tr := list[0].(map[string]any); tr["TrailARN"] == nil || tr["IsMultiRegionTrail"] != true {
		t.Errorf("trail members are PascalCase: %v", tr)
	}
	if _, body := post(t, srv, "CloudTrail_20131101.DescribeTrails", `{"includeShadowTrails":false}`); len(body["trailList"].([]any)) != 0 {
		t.Errorf("without shadow trails: %v", body)
	}

	ct := cloudtrail.NewFromConfig(srv.AWSConfig(), func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
	ctx := context.Background()
	_, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management-events")})
	var nf *cttypes.TrailNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("shadow trail by name: %v, want TrailNotFoundException", err)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events")})
	if err != nil || !aws.ToBool(st.IsLogging) || st.LatestDeliveryTime == nil {
		t.Errorf("by ARN: %+v, %v", st, err)
	}
	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events")})
	if err != nil || len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll {
		t.Errorf("default selectors: %+v, %v", sel, err)
	}
	srv.Trails.FailNext("DescribeTrails", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"})
	_, err = ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("FailNext: %v", err)
	}
	if srv.Trails.Calls("DescribeTrails") != 3 || srv.Trails.Calls("GetTrailStatus") != 2 {
		t.Errorf("calls: DescribeTrails %d, GetTrailStatus %d", srv.Trails.Calls("DescribeTrails"), srv.Trails.Calls("GetTrailStatus"))
	}
}
