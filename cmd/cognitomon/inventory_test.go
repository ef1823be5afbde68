package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon/cognitomontest"
)

// TestTrailLogGroup: the one covering trail's group comes with a note;
// none, two, or a failed inspection give an error that says which.
func TestTrailLogGroup(t *testing.T) {
	ctx := context.Background()
	srv := plainWorld(t, "us-east-1_HelpPool01", nil)
	group, note, err := trailLogGroup(ctx, srv.AWSConfig(), "us-east-1_HelpPool01")
	if err != nil || group != "aws-cloudtrail-logs-cognitomon" || !strings.Contains(note, "using log group aws-cloudtrail-logs-cognitomon of trail management-events") {
		t.Errorf("one trail: %q, %q, %v", group, note, err)
	}

	srv.Trails.FailNext("DescribeTrails", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"})
	if _, _, err := trailLogGroup(ctx, srv.AWSConfig(), "us-east-1_HelpPool01"); err == nil || !strings.Contains(err.Error(), "cloudtrail:DescribeTrails") {
		t.Errorf("denied: %v, want an error naming cloudtrail:DescribeTrails", err)
	}

	two := plainWorld(t, "us-east-1_HelpPool02", func(c *cognitomontest.PoolConfig) {
		second := cognitomontest.DefaultTrail("us-east-1", "123456789012")
		second.Trail.Name, second.Trail.TrailARN = aws.String("security"), aws.String("arn:aws:cloudtrail:us-east-1:123456789012:trail/security")
		second.Trail.CloudWatchLogsLogGroupArn = aws.String("arn:aws:logs:us-east-1:123456789012:log-group:security:*")
		c.Trails = append(c.Trails, second)
	})
	if _, _, err := trailLogGroup(ctx, two.AWSConfig(), "us-east-1_HelpPool02"); err == nil || !strings.Contains(err.Error(), "2 trails") {
		t.Errorf("two trails: %v", err)
	}

	none := plainWorld(t, "us-east-1_HelpPool03", func(c *cognitomontest.PoolConfig) { c.Trails = nil })
	if _, _, err := trailLogGroup(ctx, none.AWSConfig(), "us-east-1_HelpPool03"); err == nil || !strings.Contains(err.Error(), "no logging trail") {
		t.Errorf("no trail: %v", err)
	}
}

// TestReadInventoryHelper: a denied call becomes a note naming the action;
// the rest is read.
func TestReadInventoryHelper(t *testing.T) {
	srv := plainWorld(t, "us-east-1_HelpPool04", nil)
	srv.Cognito.FailNext("ListUserPoolClients", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied"})
	inv, notes := readInventory(context.Background(), srv.AWSConfig(), "us-east-1_HelpPool04")
	if inv == nil || inv.Name == "" || len(inv.Trails) != 1 {
		t.Fatalf("inventory %+v", inv)
	}
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "cognito-idp:ListUserPoolClients not read") {
		t.Errorf("notes %q", notes)
	}
	inv, notes = readInventory(context.Background(), srv.AWSConfig(), "us-east-1_HelpPool04")
	if len(notes) != 0 || len(inv.Clients) != 5 || inv.Clients[4].Name != "legacy-admin-tool" {
		t.Errorf("second read: notes %q, clients %+v", notes, inv.Clients)
	}
}
