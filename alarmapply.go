package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/smithy-go"
)

// Apply carries out a plan made by Plan with the same prefix: it creates and
// updates metric filters, then alarms (PutMetricAlarm sets tags only when it
// creates an alarm, so an update's tags go through TagResource and
// UntagResource), then deletes alarms, then metric filters. It first checks
// every change: a name outside the manager's prefix fails the whole plan
// with ErrNotOwned before any call. Deleting what is already gone is not an
// error, so applying the same plan twice changes nothing the second time.
// Apply stops at the first failure; what was done before stays done, and a
// new Plan shows what is left.
func (m *AlarmManager) Apply(ctx context.Context, p *Plan) error {
	if p == nil {
		return errors.New("apply: nil plan")
	}
	if err := m.checkPrefix(); err != nil {
		return err
	}
	prefix := m.opts.Prefix
	if p.Prefix != prefix {
		return fmt.Errorf("apply: %w: the plan was made for prefix %q, the manager owns %q", ErrNotOwned, p.Prefix, prefix)
	}
	var errs []error
	check := func(c Change, define bool) {
		switch {
		case !strings.HasPrefix(c.Name, prefix):
			errs = append(errs, fmt.Errorf("%s %q: %w: the manager owns names starting with %q", c.Resource, c.Name, ErrNotOwned, prefix))
		case c.Resource != ResourceAlarm && c.Resource != ResourceMetricFilter:
			errs = append(errs, fmt.Errorf("change %q: unknown resource %q", c.Name, c.Resource))
		case c.Resource == ResourceMetricFilter && (m.logs == nil || c.LogGroup == ""):
			errs = append(errs, fmt.Errorf("metric filter %q: needs a log group and a MetricFilterAPI", c.Name))
		case define && (c.Resource == ResourceAlarm && c.alarmInput == nil || c.Resource == ResourceMetricFilter && c.filterInput == nil):
			errs = append(errs, fmt.Errorf("%s %q: the change was not made by Plan", c.Resource, c.Name))
		}
	}
	for _, c := range p.Creates {
		check(c, true)
	}
	for _, c := range p.Updates {
		check(c, true)
	}
	for _, c := range p.Deletes {
		check(c, false)
	}
	if len(errs) > 0 {
		return fmt.Errorf("apply: %w", errors.Join(errs...))
	}

	call := func(what string, fn func() error) error {
		if err := retry(ctx, m.opts.Retry, fn); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	}
	puts := append(slices.Clone(p.Creates), p.Updates...)
	for _, c := range puts {
		if c.Resource != ResourceMetricFilter {
			continue
		}
		if err := call("putting metric filter "+c.Name, func() error {
			_, err := m.logs.PutMetricFilter(ctx, c.filterInput)
			return err
		}); err != nil {
			return err
		}
	}
	for i, c := range puts {
		if c.Resource != ResourceAlarm {
			continue
		}
		update := i >= len(p.Creates)
		if !update || c.configChanged {
			in := c.alarmInput
			if update {
				stripped := *in
				stripped.Tags = nil // ignored on update; see TagResource below
				in = &stripped
			}
			if err := call("putting alarm "+c.Name, func() error {
				_, err := m.cw.PutMetricAlarm(ctx, in)
				return err
			}); err != nil {
				return err
			}
		}
		if len(c.tagSet) > 0 {
			in := &cloudwatch.TagResourceInput{ResourceARN: aws.String(c.arn)}
			for _, k := range sortedKeys(c.tagSet) {
				in.Tags = append(in.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(c.tagSet[k])})
			}
			if err := call("tagging alarm "+c.Name, func() error {
				_, err := m.cw.TagResource(ctx, in)
				return err
			}); err != nil {
				return err
			}
		}
		if len(c.untag) > 0 {
			if err := call("untagging alarm "+c.Name, func() error {
				_, err := m.cw.UntagResource(ctx, &cloudwatch.UntagResourceInput{ResourceARN: aws.String(c.arn), TagKeys: c.untag})
				return err
			}); err != nil {
				return err
			}
		}
	}
	var gone []string
	for _, c := range p.Deletes {
		if c.Resource == ResourceAlarm {
			gone = append(gone, c.Name)
		}
	}
	for batch := range slices.Chunk(gone, 100) {
		if err := call("deleting alarms "+strings.Join(batch, ", "), func() error {
			_, err := m.cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: batch})
			if hasErrorCode(err, "ResourceNotFound") {
				return nil // already gone, or some were (FACTS.md 4.4 caveat in docs/alarms.md)
			}
			return err
		}); err != nil {
			return err
		}
	}
	for _, c := range p.Deletes {
		if c.Resource != ResourceMetricFilter {
			continue
		}
		if err := call("deleting metric filter "+c.Name, func() error {
			_, err := m.logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{FilterName: aws.String(c.Name), LogGroupName: aws.String(c.LogGroup)})
			if hasErrorCode(err, "ResourceNotFoundException") {
				return nil
			}
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

func hasErrorCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
