package cognitomon_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

// trailsOnly reads only the trails of the pools' configurations, through
// the real CloudTrail client.
func trailsOnly(t *testing.T, pools ...*cognitomontest.Pool) *cognitomon.Inventory {
	t.Helper()
	srv := cognitomontest.NewServer(pools)
	t.Cleanup(srv.Close)
	_, ct := invClients(srv)
	inv, err := cognitomon.ReadInventory(context.Background(), nil, invPool, func(o *cognitomon.InventoryOptions) { o.Trails = ct })
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func selField(name string, op string, values ...string) cttypes.AdvancedFieldSelector {
	f := cttypes.AdvancedFieldSelector{Field: aws.String(name)}
	switch op {
	case "Equals":
		f.Equals = values
	case "NotEquals":
		f.NotEquals = values
	case "StartsWith":
		f.StartsWith = values
	case "NotStartsWith":
		f.NotStartsWith = values
	case "EndsWith":
		f.EndsWith = values
	}
	return f
}

// TestTrailCoverageSelectors: which selectors let cognito-idp management
// events through (FACTS.md 9.2).
func TestTrailCoverageSelectors(t *testing.T) {
	mgmt := selField("eventCategory", "Equals", "Management")
	tests := []struct {
		name     string
		basic    []cttypes.EventSelector
		advanced []cttypes.AdvancedEventSelector
		want     string
	}{
		{"basic default", []cttypes.EventSelector{{}}, nil, "All"},
		{"basic read only", []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly, IncludeManagementEvents: aws.Bool(true)}}, nil, "ReadOnly"},
		{"basic read and write selectors", []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly}, {ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}, nil, "All"},
		{"basic data events only", []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3"}}}}}, nil, ""},
		{"basic excluding kms", []cttypes.EventSelector{{ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}}, nil, "All"},
		{"advanced management", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt}}}, "All"},
		{"advanced not kms", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("eventSource", "NotEquals", "kms.amazonaws.com")}}}, "All"},
		{"advanced not cognito", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("eventSource", "NotEquals", "cognito-idp.amazonaws.com")}}}, ""},
		{"advanced other source only", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("eventSource", "Equals", "iam.amazonaws.com")}}}, ""},
		{"advanced cognito prefix", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("eventSource", "StartsWith", "cognito-")}}}, "All"},
		{"advanced not cognito prefix", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("eventSource", "NotStartsWith", "cognito")}}}, ""},
		{"advanced writes only", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("readOnly", "Equals", "false")}}}, "WriteOnly"},
		{"advanced data only", nil, []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{selField("eventCategory", "Equals", "Data"), selField("resources.type", "Equals", "AWS::S3::Object")}}}, ""},
		{"advanced data and read management", nil, []cttypes.AdvancedEventSelector{
			{FieldSelectors: []cttypes.AdvancedFieldSelector{selField("eventCategory", "Equals", "Data"), selField("resources.type", "Equals", "AWS::S3::Object")}},
			{FieldSelectors: []cttypes.AdvancedFieldSelector{mgmt, selField("readOnly", "Equals", "true")}},
		}, "ReadOnly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pool := cognitomontest.NewPool(invPool)
			cfg := pool.Config()
			cfg.Trails[0].Trail.HasCustomEventSelectors = aws.Bool(true)
			cfg.Trails[0].EventSelectors, cfg.Trails[0].AdvancedEventSelectors = tt.basic, tt.advanced
			pool.SetConfig(cfg)
			inv := trailsOnly(t, pool)
			if len(inv.Failures) != 0 || len(inv.Trails) != 1 {
				t.Fatalf("Failures %v, %d trails", inv.Failures, len(inv.Trails))
			}
			tr := inv.Trails[0]
			if tr.ManagementEvents != tt.want || tr.Covers != (tt.want != "") {
				t.Errorf("ManagementEvents %q Covers %v; want %q", tr.ManagementEvents, tr.Covers, tt.want)
			}
		})
	}
}

// TestTrailCoverageTrails: shadow copies are deduplicated by ARN,
// single-Region trails elsewhere are left out, a stopped trail covers
// nothing, and TrailLogGroup wants exactly one covering trail with a group.
func TestTrailCoverageTrails(t *testing.T) {
	home := cognitomontest.NewPool(invPool)
	// A pool of the same account in another Region whose configuration
	// lists the same multi-Region trail, and its own single-Region trail.
	other := cognitomontest.NewPool("us-west-2_OtherPool1")
	cfg := other.Config()
	local := cognitomontest.DefaultTrail("us-west-2", "123456789012")
	local.Trail.Name, local.Trail.TrailARN = aws.String("west-only"), aws.String("arn:aws:cloudtrail:us-west-2:123456789012:trail/west-only")
	local.Trail.IsMultiRegionTrail = aws.Bool(false)
	cfg.Trails = []cognitomontest.TrailSetup{home.Config().Trails[0], local}
	other.SetConfig(cfg)

	inv := trailsOnly(t, home, other)
	var arns []string
	for _, tr := range inv.Trails {
		arns = append(arns, tr.ARN)
	}
	if diff := cmp.Diff([]string{"arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events"}, arns); diff != "" {
		t.Errorf("trails (-want +got):\n%s", diff)
	}

	// A second covering trail with a log group: no single group.
	second := cognitomontest.DefaultTrail("eu-west-1", "123456789012")
	second.Trail.Name, second.Trail.TrailARN = aws.String("security"), aws.String("arn:aws:cloudtrail:eu-west-1:123456789012:trail/security")
	second.Trail.CloudWatchLogsLogGroupArn = aws.String("arn:aws:logs:eu-west-1:123456789012:log-group:security-trail:*")
	cfg = home.Config()
	cfg.Trails = append(cfg.Trails, second)
	home.SetConfig(cfg)
	inv = trailsOnly(t, home)
	if tr, ok := inv.TrailLogGroup(); ok {
		t.Errorf("two covering trails with groups: TrailLogGroup = %s", tr.LogGroup)
	}

	// The second one stopped: the first is the one again.
	cfg.Trails[1].Status.IsLogging = aws.Bool(false)
	cfg.Trails[1].Status.LatestDeliveryError = aws.String("AccessDenied")
	home.SetConfig(cfg)
	inv = trailsOnly(t, home)
	if tr, ok := inv.TrailLogGroup(); !ok || tr.Name != "management-events" {
		t.Errorf("TrailLogGroup = %+v, %v; want management-events", tr, ok)
	}
	stopped := inv.Trails[1]
	if stopped.Covers || stopped.Logging || stopped.LatestDeliveryError != "AccessDenied" || stopped.LogGroup != "security-trail" {
		t.Errorf("stopped trail %+v", stopped)
	}
}
