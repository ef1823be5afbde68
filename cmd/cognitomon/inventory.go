package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
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
	return logGroupOf(inv, pool)
}

// logGroupOf is trailLogGroup over an inventory already read.
func logGroupOf(inv *cognitomon.Inventory, pool cognitomon.UserPoolID) (group, note string, err error) {
	if t, ok := inv.TrailLogGroup(); ok {
		return t.LogGroup, fmt.Sprintf("using log group %s of trail %s (it logs the pool's management events in %s)", t.LogGroup, t.Name, pool.Region()), nil
	}
	for _, n := range failureNotes(inv) {
		if strings.HasPrefix(n, "cloudtrail:") {
			return "", "", fmt.Errorf("no default log group: the trails could not be inspected (%s)", n)
		}
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

// noLogGroup is the --trail-log-group value that asks for none: the
// CloudTrail-based alarms (and dashboard widgets) are left out, and those
// the tool owns are deleted on apply.
const noLogGroup = "none"

// poolDefaults is what alarms and dashboard take from the account when
// their flags leave it out.
type poolDefaults struct {
	clients  []cognitomon.ClientID
	logGroup string
	// threat is whether the pool's threat protection is on (AUDIT or
	// ENFORCED), when the configuration said.
	threat, threatKnown bool
}

// discoverDefaults fills in what --clients and --trail-log-group leave out,
// saying on stderr where each came from. The app clients come from the
// pool's configuration (every client, idle ones included), or, when it
// cannot be read, from the metrics (ListMetrics: only clients with traffic
// in the last two weeks). The log group is the one trail's that logs the
// pool (see trailLogGroup); without one, the command goes on without it and
// says so. --trail-log-group none asks for no log group and no lookup.
// cmd names the command for the notes.
func discoverDefaults(ctx context.Context, e *env, cmd string, cfg aws.Config, cw *cloudwatch.Client, pool cognitomon.UserPoolID, clients []cognitomon.ClientID, logGroup string) (poolDefaults, error) {
	d := poolDefaults{clients: clients, logGroup: logGroup}
	if logGroup == noLogGroup {
		d.logGroup = ""
	}
	inv, notes := readInventory(ctx, cfg, pool)
	if inv == nil {
		return d, ctx.Err()
	}
	if inv.ThreatProtection != "" {
		d.threat, d.threatKnown = inv.ThreatProtection != "OFF", true
	}
	if d.clients == nil {
		if _, failed := inv.Failures["cognito-idp:ListUserPoolClients"]; !failed && len(inv.Clients) > 0 {
			d.clients = inv.ClientIDs()
			fmt.Fprintf(e.stderr, "cognitomon %s: note: the %d app clients of the pool's configuration\n", cmd, len(d.clients))
		} else {
			for _, n := range notes {
				fmt.Fprintf(e.stderr, "cognitomon %s: note: %s\n", cmd, n)
			}
			found, err := cognitomon.NewMetricsClient(cw).Clients(ctx, pool)
			if err != nil {
				return d, fmt.Errorf("finding the pool's app clients: %w", err)
			}
			if len(found) == 0 {
				return d, errors.New("neither the pool's configuration nor its metrics name an app client (metrics show only clients with traffic in two weeks): pass --clients")
			}
			d.clients = found
			fmt.Fprintf(e.stderr, "cognitomon %s: note: the %d app clients the metrics name (ListMetrics: clients idle for two weeks are missing; pass --clients to be sure)\n", cmd, len(found))
		}
	}
	if logGroup == "" {
		group, note, err := logGroupOf(inv, pool)
		if err != nil {
			fmt.Fprintf(e.stderr, "cognitomon %s: note: no --trail-log-group, so the Logs-based parts are left out: %v\n", cmd, err)
		} else {
			d.logGroup = group
			fmt.Fprintf(e.stderr, "cognitomon %s: note: %s\n", cmd, note)
		}
	}
	return d, nil
}
