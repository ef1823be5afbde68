package cognitomontest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

func TestServerUnknownRoutes(t *testing.T) {
	srv := cognitomontest.NewServer(nil)
	defer srv.Close()
	for _, path := range []string{"/", "/service/GraniteServiceVersion20100801/operation/DescribeAlarmHistory"} {
		resp, err := http.Post(srv.URL+path, "application/cbor", strings.NewReader(""))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST %s: status %d, want 400", path, resp.StatusCode)
		}
	}
	// A real client calling an operation the fake does not serve gets a
	// typed API error, not a hang or a parse failure.
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	_, err := cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("d")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnknownOperationException" {
		t.Errorf("error %v, want UnknownOperationException", err)
	}
	if srv.Requests("CloudWatch.DescribeAlarmHistory") != 2 {
		t.Errorf("requests %d", srv.Requests("CloudWatch.DescribeAlarmHistory"))
	}
}

func TestServerBadBody(t *testing.T) {
	srv := cognitomontest.NewServer(nil)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/service/GraniteServiceVersion20100801/operation/GetMetricData", "application/cbor", strings.NewReader("\xff\x00garbage"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
}
