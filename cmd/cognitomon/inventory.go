package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitomon/cognitomon"
)

// readInventory reads the pool's configuration and trail coverage for a
// command. It never fails the command: what could not be read comes back as
// notes naming the IAM action ("cognito-idp:ListUserPoolClients: access
// denied ..."), for the command's coverage notes, and the inventory holds
// what was read. cfg's Region should be the pool's. The inventory is nil
// only when the context ended.
func readInventory(ctx context.Context, cfg aws.Config, pool cognitomon.UserPoolID) (*cognitomon.Inventory, []string) {
	cg := cognitoidentityprovider.NewFromConfig(cfg)
	ct := cloudtrail.NewFromConfig(cfg)
	inv, err := cognitomon.ReadInventory(ctx, cg, pool, func(o *cognitomon.InventoryOptions) { o.Trails = ct })
	if err != nil {
		return nil, []string{"the pool's configuration was not read: " + oneLine(err)}
	}
	return inv, failureNotes(inv)
}

// failureNotes lists the inventory's failures, one note per IAM action, in
// order.
func failureNotes(inv *cognitomon.Inventory) []string {
	actions := make([]string, 0, len(inv.Failures))
	for a := range inv.Failures {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	var notes []string
	for _, a := range actions {
		notes = append(notes, fmt.Sprintf("%s not read (the caller needs it, see docs/iam/doctor.json): %s", a, oneLine(inv.Failures[a])))
	}
	return notes
}

// trailLogGroup finds the CloudWatch Logs group of the one logging trail
// that records the pool's management events, for a --log-group or
// --trail-log-group default. With exactly one such trail it returns the
// group and a note for stderr ("using log group X of trail Y"); otherwise
// an error that says why there is no default (none, several, or the trail
// calls failed), for a usage message that asks for the flag.
func trailLogGroup(ctx context.Context, cfg aws.Config, pool cognitomon.UserPoolID) (group, note string, err error) {
	inv, err := cognitomon.ReadInventory(ctx, nil, pool, func(o *cognitomon.InventoryOptions) { o.Trails = cloudtrail.NewFromConfig(cfg) })
	if err != nil {
		return "", "", err
	}
	if t, ok := inv.TrailLogGroup(); ok {
		return t.LogGroup, fmt.Sprintf("using log group %s of trail %s (it logs the pool's management events in %s)", t.LogGroup, t.Name, pool.Region()), nil
	}
	if len(inv.Failures) > 0 {
		return "", "", fmt.Errorf("no default log group: the trails could not be inspected (%s)", failureNotes(inv)[0])
	}
	var groups []string
	for _, t := range inv.Trails {
		if t.Covers && t.LogGroup != "" {
			groups = append(groups, t.LogGroup+" (trail "+t.Name+")")
		}
	}
	if len(groups) > 1 {
		return "", "", fmt.Errorf("no default log group: %d trails deliver the pool's events to CloudWatch Logs: %v", len(groups), groups)
	}
	return "", "", fmt.Errorf("no default log group: no logging trail delivers the pool's management events in %s to CloudWatch Logs", pool.Region())
}
