package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TrailInspectAPI is the part of the CloudTrail API that reads how trails
// are set up, for InventoryOptions.Trails. *cloudtrail.Client satisfies it.
// It is separate from CloudTrailAPI, which reads events, because the two
// need different IAM actions.
type TrailInspectAPI interface {
	DescribeTrails(ctx context.Context, params *cloudtrail.DescribeTrailsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(ctx context.Context, params *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, params *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

var _ TrailInspectAPI = (*cloudtrail.Client)(nil)

// TrailCoverage is one CloudTrail trail and whether it records the pool's
// management events (FACTS.md 9.2, "Does trail T log cognito-idp.amazonaws.com
// management events in Region R?").
type TrailCoverage struct {
	// Name, ARN and HomeRegion identify the trail. A multi-Region or
	// organization trail shows up in every Region with its home Region's ARN.
	Name, ARN, HomeRegion string
	// MultiRegion and Organization are IsMultiRegionTrail and
	// IsOrganizationTrail.
	MultiRegion, Organization bool
	// Logging is GetTrailStatus's IsLogging.
	Logging bool
	// ManagementEvents is which cognito-idp management events the trail's
	// selectors let through: "All", "ReadOnly", "WriteOnly", or "" for none.
	ManagementEvents string
	// Covers reports that the trail logs cognito-idp management events of
	// the pool's Region now: it is logging and ManagementEvents is not "".
	// A "ReadOnly" or "WriteOnly" trail covers only part of them.
	Covers bool
	// S3Bucket and S3Prefix are where the trail delivers log files.
	S3Bucket, S3Prefix string
	// LogGroup is the CloudWatch Logs group the trail delivers to (the name
	// from CloudWatchLogsLogGroupArn), or "".
	LogGroup string
	// LatestDeliveryError and LatestCloudWatchLogsDeliveryError are the
	// last S3 and CloudWatch Logs delivery errors, "" when delivery works;
	// LatestDelivery and LatestCloudWatchLogsDelivery are the last
	// deliveries, zero when none.
	LatestDeliveryError, LatestCloudWatchLogsDeliveryError string
	LatestDelivery, LatestCloudWatchLogsDelivery           time.Time
	// Err says what could not be read about this trail (GetTrailStatus or
	// GetEventSelectors failed); Logging, ManagementEvents and Covers are
	// then false or "" because they are unknown. The same error is in
	// Inventory.Failures.
	Err error
}

// TrailLogGroup returns the trail that delivers the pool's management
// events to CloudWatch Logs, when exactly one covering trail does, and
// whether there is exactly one. A trail's log group is where the
// "cloudtrail" queries of Catalog read.
func (inv *Inventory) TrailLogGroup() (TrailCoverage, bool) {
	var found []TrailCoverage
	for _, t := range inv.Trails {
		if t.Covers && t.LogGroup != "" {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return TrailCoverage{}, false
	}
	return found[0], true
}

// The IAM actions of the trail calls, keys of Inventory.Failures.
const (
	actionDescribeTrails = "cloudtrail:DescribeTrails"
	actionTrailStatus    = "cloudtrail:GetTrailStatus"
	actionEventSelectors = "cloudtrail:GetEventSelectors"
)

// readTrailCoverage describes the trails of region, with their status and
// selectors. The failures map holds each failed call under its IAM action;
// the error is the context's only.
func readTrailCoverage(ctx context.Context, api TrailInspectAPI, region string) ([]TrailCoverage, map[string]error, error) {
	failures := map[string]error{}
	record := func(action string, err error) {
		if prev := failures[action]; prev != nil {
			err = errors.Join(prev, err)
		}
		failures[action] = err
	}
	// includeShadowTrails defaults to true, but say so: multi-Region and
	// organization trails appear as shadow trails (FACTS.md 9.5 item 3).
	out, err := api.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
	if err != nil {
		if ctx.Err() != nil {
			return nil, failures, ctx.Err()
		}
		record(actionDescribeTrails, fmt.Errorf("%s: %w", actionDescribeTrails, err))
		return nil, failures, nil
	}
	var trails []TrailCoverage
	seen := map[string]bool{}
	for _, t := range out.TrailList {
		arn := aws.ToString(t.TrailARN)
		if arn == "" {
			record(actionDescribeTrails, fmt.Errorf("%s: trail %q has no TrailARN", actionDescribeTrails, aws.ToString(t.Name)))
			continue
		}
		if seen[arn] { // FACTS.md 9.5 item 3: dedupe by ARN
			continue
		}
		seen[arn] = true
		tc := TrailCoverage{
			Name:         aws.ToString(t.Name),
			ARN:          arn,
			HomeRegion:   aws.ToString(t.HomeRegion),
			MultiRegion:  aws.ToBool(t.IsMultiRegionTrail),
			Organization: aws.ToBool(t.IsOrganizationTrail),
			S3Bucket:     aws.ToString(t.S3BucketName),
			S3Prefix:     aws.ToString(t.S3KeyPrefix),
			LogGroup:     logGroupName(aws.ToString(t.CloudWatchLogsLogGroupArn)),
		}
		if tc.HomeRegion != region && !tc.MultiRegion {
			continue // a single-Region trail of another Region sees nothing here
		}
		if err := inspectTrail(ctx, api, &tc, aws.ToBool(t.HasCustomEventSelectors) || t.HasCustomEventSelectors == nil, record); err != nil {
			return trails, failures, err
		}
		trails = append(trails, tc)
	}
	return trails, failures, nil
}

// inspectTrail reads the status and, when custom is set, the selectors of
// tc, both by ARN, which shadow trails require (FACTS.md 9.5 item 3).
func inspectTrail(ctx context.Context, api TrailInspectAPI, tc *TrailCoverage, custom bool, record func(string, error)) error {
	var errs []error
	st, err := api.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(tc.ARN)})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = fmt.Errorf("%s %s: %w", actionTrailStatus, tc.ARN, err)
		record(actionTrailStatus, err)
		errs = append(errs, err)
	} else {
		tc.Logging = aws.ToBool(st.IsLogging)
		tc.LatestDeliveryError = aws.ToString(st.LatestDeliveryError)
		tc.LatestCloudWatchLogsDeliveryError = aws.ToString(st.LatestCloudWatchLogsDeliveryError)
		tc.LatestDelivery = aws.ToTime(st.LatestDeliveryTime).UTC()
		tc.LatestCloudWatchLogsDelivery = aws.ToTime(st.LatestCloudWatchLogsDeliveryTime).UTC()
	}
	// A trail without custom selectors logs all read and write management
	// events (FACTS.md 9.2, EventSelector).
	events := string(cttypes.ReadWriteTypeAll)
	if custom {
		sel, err := api.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(tc.ARN)})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err = fmt.Errorf("%s %s: %w", actionEventSelectors, tc.ARN, err)
			record(actionEventSelectors, err)
			errs = append(errs, err)
			events = ""
		} else {
			events = managementCoverage(sel.EventSelectors, sel.AdvancedEventSelectors)
		}
	}
	tc.Err = errors.Join(errs...)
	if tc.Err != nil {
		tc.Logging, tc.ManagementEvents, tc.Covers = false, "", false
		return nil
	}
	tc.ManagementEvents = events
	tc.Covers = tc.Logging && events != ""
	return nil
}

// managementCoverage returns which cognito-idp management events the
// selectors let through: "All", "ReadOnly", "WriteOnly" or "". A trail has
// basic or advanced selectors, never both; an event is logged when any
// selector matches it (FACTS.md 9.2).
func managementCoverage(basic []cttypes.EventSelector, advanced []cttypes.AdvancedEventSelector) string {
	var reads, writes bool
	for _, s := range basic {
		// IncludeManagementEvents defaults to true.
		if s.IncludeManagementEvents != nil && !*s.IncludeManagementEvents {
			continue
		}
		if containsString(s.ExcludeManagementEventSources, UserPoolEventSource) {
			continue // not allowed today (FACTS.md 9.2), handled anyway
		}
		switch s.ReadWriteType {
		case cttypes.ReadWriteTypeReadOnly:
			reads = true
		case cttypes.ReadWriteTypeWriteOnly:
			writes = true
		default: // All, and the default when absent
			reads, writes = true, true
		}
	}
	for _, s := range advanced {
		r, w := advancedCoverage(s.FieldSelectors)
		reads, writes = reads || r, writes || w
	}
	switch {
	case reads && writes:
		return string(cttypes.ReadWriteTypeAll)
	case reads:
		return string(cttypes.ReadWriteTypeReadOnly)
	case writes:
		return string(cttypes.ReadWriteTypeWriteOnly)
	}
	return ""
}

// advancedCoverage reports whether one advanced selector, its field
// conditions ANDed ([P] FACTS.md 9.2), lets through read-only and write
// cognito-idp management events.
func advancedCoverage(fields []cttypes.AdvancedFieldSelector) (reads, writes bool) {
	management := false
	reads, writes = true, true
	for _, f := range fields {
		switch aws.ToString(f.Field) {
		case "eventCategory":
			if !containsString(f.Equals, "Management") {
				return false, false
			}
			management = true
		case "eventSource":
			if !matchesCondition(f, UserPoolEventSource) {
				return false, false
			}
		case "readOnly":
			if len(f.Equals) > 0 {
				reads = reads && containsString(f.Equals, "true")
				writes = writes && containsString(f.Equals, "false")
			}
		}
	}
	if !management {
		return false, false
	}
	return reads, writes
}

// matchesCondition reports whether v passes every operator of f.
func matchesCondition(f cttypes.AdvancedFieldSelector, v string) bool {
	anyOf := func(list []string, match func(string) bool) bool {
		for _, s := range list {
			if match(s) {
				return true
			}
		}
		return false
	}
	eq := func(s string) bool { return s == v }
	prefix := func(s string) bool { return strings.HasPrefix(v, s) }
	suffix := func(s string) bool { return strings.HasSuffix(v, s) }
	switch {
	case len(f.Equals) > 0 && !anyOf(f.Equals, eq),
		len(f.StartsWith) > 0 && !anyOf(f.StartsWith, prefix),
		len(f.EndsWith) > 0 && !anyOf(f.EndsWith, suffix),
		anyOf(f.NotEquals, eq),
		anyOf(f.NotStartsWith, prefix),
		anyOf(f.NotEndsWith, suffix):
		return false
	}
	return true
}

func containsString(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
