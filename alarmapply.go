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
// new Plan shows what is left. A put refused with LimitExceeded (a quota on
// alarms or on a log group's metric filters) fails at once, wrapping
// ErrQuotaExceeded and naming the quota: it is not retried, neither by Apply
// nor by the SDK, since only a quota change or a deletion can make it pass.
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
		if err := m.putUnderQuota(ctx, "putting metric filter "+c.Name, filterQuota, func() error {
			_, err := m.logs.PutMetricFilter(ctx, c.filterInput, func(o *cloudwatchlogs.Options) { o.Retryer = quotaNotRetried(o.Retryer) })
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
			if err := m.putUnderQuota(ctx, "putting alarm "+c.Name, alarmQuota(in), func() error {
				_, err := m.cw.PutMetricAlarm(ctx, in, func(o *cloudwatch.Options) { o.Retryer = quotaNotRetried(o.Retryer) })
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

// The error codes of a quota refusal: CloudWatch's LimitExceededFault
// (code LimitExceeded, FACTS.md 4.3; the SDK reports the shape name where no
// query-compatible code comes back) and CloudWatch Logs'
// LimitExceededException.
func isQuotaError(err error) bool {
	return hasErrorCode(err, "LimitExceeded") || hasErrorCode(err, "LimitExceededFault") || hasErrorCode(err, "LimitExceededException")
}

// filterQuota names the quota a PutMetricFilter LimitExceededException
// reports.
//
// Assumption: the quota is 100 metric filters per log group. FACTS.md does
// not say; the PutMetricFilter API reference does ("The maximum number of
// metric filters that can be associated with a log group is 100"). Check in
// Service Quotas (CloudWatch Logs) or with `aws logs describe-metric-filters
// --log-group-name G` on a log group that refused a filter.
const filterQuota = "the quota of metric filters per log group (100)"

// alarmQuota names the quota a PutMetricAlarm LimitExceeded reports: for a
// Metrics Insights alarm, the 200 Metrics Insights alarms per account and
// Region (FACTS.md 9.4 f).
//
// Assumption: for other alarms, which quota it is is not documented (FACTS.md
// 4.3 names only the error; AWS's quota page says there is no limit on the
// number of metric alarms). Check the account's CloudWatch quotas in Service
// Quotas when it happens.
func alarmQuota(in *cloudwatch.PutMetricAlarmInput) string {
	for _, q := range in.Metrics {
		if strings.HasPrefix(aws.ToString(q.Expression), "SELECT ") {
			return "the quota of Metrics Insights alarms per account and Region (default 200, FACTS.md 9.4 f)"
		}
	}
	return "a CloudWatch alarm quota of the account and Region (see Service Quotas)"
}

// putUnderQuota runs a put that a quota can refuse, retrying throttles as
// retry does but returning a quota refusal at once: LimitExceeded is not a
// throttle here (FACTS.md 9.5 item 9: the SDK would otherwise retry
// LimitExceededException too, which call's optFns prevent with
// quotaNotRetried).
func (m *AlarmManager) putUnderQuota(ctx context.Context, what, quota string, call func() error) error {
	var refused error
	err := retry(ctx, m.opts.Retry, func() error {
		err := call()
		if isQuotaError(err) {
			refused = err
			return nil
		}
		return err
	})
	switch {
	case refused != nil:
		return fmt.Errorf("%s: %w: %s is reached; raise it or delete unused ones, then apply a new plan (not retried): %w", what, ErrQuotaExceeded, quota, refused)
	case err != nil:
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// quotaNotRetried wraps the SDK's retryer so that a quota refusal is not
// retried; every other error is retried as r decides. A nil r (an API
// fake's options) means no retries.
func quotaNotRetried(r aws.Retryer) aws.Retryer {
	if r == nil {
		r = aws.NopRetryer{}
	}
	return quotaRetryer{r}
}

type quotaRetryer struct{ aws.Retryer }

// IsErrorRetryable reports false for a quota refusal.
func (r quotaRetryer) IsErrorRetryable(err error) bool {
	return !isQuotaError(err) && r.Retryer.IsErrorRetryable(err)
}
