package cognitomontest_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

func dashboardClient(t *testing.T) (*cognitomontest.Server, *cloudwatch.Client) {
	t.Helper()
	srv := cognitomontest.NewServer(nil)
	t.Cleanup(srv.Close)
	return srv, cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
}

func TestDashboardOperationsOverHTTP(t *testing.T) {
	ctx := context.Background()
	srv, cw := dashboardClient(t)
	body := `{"widgets":[{"type":"text","x":0,"y":0,"width":24,"height":2,"properties":{"markdown":"# hello"}}]}`
	for _, name := range []string{"cognitomon-a-overview", "cognitomon-a-second", "other"} {
		out, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(name), DashboardBody: aws.String(body)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.DashboardValidationMessages) != 0 {
			t.Errorf("messages %v", out.DashboardValidationMessages)
		}
	}
	got, err := cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("cognitomon-a-overview")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.DashboardBody) != body || aws.ToString(got.DashboardArn) != cognitomontest.DashboardARNPrefix+"cognitomon-a-overview" {
		t.Errorf("GetDashboard %+v", got)
	}
	list, err := cw.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("cognitomon-a-")})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range list.DashboardEntries {
		names = append(names, aws.ToString(e.DashboardName))
		if e.LastModified == nil || aws.ToInt64(e.Size) != int64(len(body)) {
			t.Errorf("entry %+v", e)
		}
	}
	if diff := cmp.Diff([]string{"cognitomon-a-overview", "cognitomon-a-second"}, names); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}

	// Deleting a missing dashboard deletes none of the batch.
	_, err = cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"cognitomon-a-second", "missing"}})
	var nf *cwtypes.DashboardNotFoundError
	if !errors.As(err, &nf) || nf.ErrorCode() != "ResourceNotFound" {
		t.Fatalf("error %v, want DashboardNotFoundError", err)
	}
	if _, ok := srv.CloudWatch.Dashboard("cognitomon-a-second"); !ok {
		t.Error("a failed DeleteDashboards deleted a dashboard")
	}
	if _, err := cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"cognitomon-a-second"}}); err != nil {
		t.Fatal(err)
	}
	_, err = cw.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("cognitomon-a-second")})
	if !errors.As(err, &nf) {
		t.Errorf("GetDashboard of a deleted dashboard: %v", err)
	}
	if n := srv.CloudWatch.PutDashboards(); n != 3 {
		t.Errorf("%d accepted puts, want 3", n)
	}
}

func TestDashboardBodyRejected(t *testing.T) {
	ctx := context.Background()
	srv, cw := dashboardClient(t)
	metric := func(props string) string {
		return `{"widgets":[{"type":"metric","x":0,"y":0,"width":6,"height":6,"properties":` + props + `}]}`
	}
	tests := []struct{ name, body, path string }{
		{"not JSON", `{"widgets":`, ""},
		{"no widgets", `{}`, ""},
		{"unknown type", `{"widgets":[{"type":"pie","properties":{}}]}`, "/widgets/0/type"},
		{"no properties", `{"widgets":[{"type":"text"}]}`, "/widgets/0"},
		{"x 24", `{"widgets":[{"type":"text","x":24,"y":0,"properties":{"markdown":"m"}}]}`, "/widgets/0/x"},
		{"x without y", `{"widgets":[{"type":"text","x":1,"properties":{"markdown":"m"}}]}`, "/widgets/0"},
		{"width 25", `{"widgets":[{"type":"text","width":25,"properties":{"markdown":"m"}}]}`, "/widgets/0/width"},
		{"height 0", `{"widgets":[{"type":"text","height":0,"properties":{"markdown":"m"}}]}`, "/widgets/0/height"},
		{"past the grid", `{"widgets":[{"type":"text","x":18,"y":0,"width":12,"properties":{"markdown":"m"}}]}`, "/widgets/0"},
		{"metric region", metric(`{"metrics":[["AWS/Cognito","SignInSuccesses"]]}`), "/widgets/0/properties"},
		{"metric id", metric(`{"region":"us-east-1","metrics":[[{"expression":"1","id":"A"}]]}`), "/widgets/0/properties/metrics/0"},
		{"metric period", metric(`{"region":"us-east-1","period":30,"metrics":[]}`), "/widgets/0/properties/period"},
		{"log region", `{"widgets":[{"type":"log","properties":{"query":"SOURCE 'g' | fields 1"}}]}`, "/widgets/0/properties"},
		{"log SOURCE", `{"widgets":[{"type":"log","properties":{"region":"us-east-1","query":"fields @message"}}]}`, "/widgets/0/properties/query"},
		{"alarm ARNs", `{"widgets":[{"type":"alarm","properties":{"alarms":[]}}]}`, "/widgets/0/properties/alarms"},
		{"text markdown", `{"widgets":[{"type":"text","properties":{}}]}`, "/widgets/0/properties"},
		{"501 widgets", `{"widgets":[` + strings.TrimSuffix(strings.Repeat(`{"type":"text","properties":{"markdown":"m"}},`, 501), ",") + `]}`, "/widgets"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("d" + strconv.Itoa(i)), DashboardBody: aws.String(tt.body)})
			var invalid *cwtypes.DashboardInvalidInputError
			if !errors.As(err, &invalid) || invalid.ErrorCode() != "InvalidParameterInput" {
				t.Fatalf("error %v, want DashboardInvalidInputError", err)
			}
			var paths []string
			for _, m := range invalid.DashboardValidationMessages {
				paths = append(paths, aws.ToString(m.DataPath))
			}
			found := false
			for _, p := range paths {
				found = found || p == tt.path
			}
			if !found {
				t.Errorf("messages at %q, want %q", paths, tt.path)
			}
		})
	}
	for _, name := range []string{"has space", "dot.name", strings.Repeat("n", 256)} {
		_, err := cw.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(name), DashboardBody: aws.String(`{"widgets":[]}`)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterInput" {
			t.Errorf("name %q: %v", name, err)
		}
	}
	if n := srv.CloudWatch.PutDashboards(); n != 0 {
		t.Errorf("%d rejected puts counted as accepted", n)
	}
}
