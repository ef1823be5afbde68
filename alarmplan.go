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
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// AlarmOptions configure an AlarmManager. The zero value of each field means
// the documented default.
type AlarmOptions struct {
	// Prefix is the name prefix of the alarms and metric filters the
	// manager owns: Plan reads and proposes changes only under it, and
	// Apply refuses to touch any other name. Default "cognitomon-<pool>-".
	Prefix string
	// Retry controls retries of throttled calls.
	Retry RetryOptions
}

// AlarmManager plans and applies a pool's alarms and their metric filters:
// Plan compares definitions with what exists under the manager's prefix,
// Apply carries a plan out. Nothing outside the prefix is read into a plan
// or changed. It is immutable and safe for concurrent use; concurrent Apply
// calls for the same prefix are not coordinated.
type AlarmManager struct {
	cw   AlarmAPI
	logs MetricFilterAPI
	pool UserPoolID
	opts AlarmOptions
}

// NewAlarmManager returns an AlarmManager for the pool's alarms over cw and,
// for alarms fed by metric filters, logs. logs may be nil when no definition
// has a filter; metric filters are then neither read nor changed. It panics
// if cw is nil.
func NewAlarmManager(cw AlarmAPI, logs MetricFilterAPI, pool UserPoolID, optFns ...func(*AlarmOptions)) *AlarmManager {
	if cw == nil {
		panic("cognitomon: NewAlarmManager with nil AlarmAPI")
	}
	var o AlarmOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Prefix == "" {
		o.Prefix = alarmPrefix(pool)
	}
	o.Retry = o.Retry.withDefaults()
	return &AlarmManager{cw: cw, logs: logs, pool: pool, opts: o}
}

// Prefix returns the name prefix the manager owns.
func (m *AlarmManager) Prefix() string { return m.opts.Prefix }

func (m *AlarmManager) checkPrefix() error {
	if err := m.pool.Validate(); err != nil {
		return err
	}
	p := m.opts.Prefix
	if !validName(p) || strings.ContainsAny(p, ":*") || len(p) > 200 {
		return fmt.Errorf("alarm prefix %q must be 1 to 200 characters without control characters, ':' or '*'", text.Truncate(p))
	}
	return nil
}

// Resource is the kind of AWS resource a Change concerns.
type Resource string

// The resources an AlarmManager manages.
const (
	ResourceAlarm        Resource = "alarm"
	ResourceMetricFilter Resource = "metric filter"
)

// FieldDiff is one field that differs between what exists and what is
// desired, with both values formatted for people ("(none)" when absent).
type FieldDiff struct {
	Field string
	Old   string
	New   string
}

// String formats d as "Field: old -> new".
func (d FieldDiff) String() string { return d.Field + ": " + d.Old + " -> " + d.New }

// Change is one alarm or metric filter to create, update, delete or leave
// as it is.
type Change struct {
	Resource Resource
	// Name is the alarm's or the metric filter's name.
	Name string
	// LogGroup is the metric filter's log group; empty for alarms.
	LogGroup string
	// Diffs are the differing fields of an update, tags included.
	Diffs []FieldDiff

	alarmInput    *cloudwatch.PutMetricAlarmInput      // the rendered definition, for alarm creates and updates
	filterInput   *cloudwatchlogs.PutMetricFilterInput // the same for metric filters
	arn           string                               // the existing alarm's ARN, for tag updates
	configChanged bool                                 // whether an update changes more than tags
	tagSet        map[string]string
	untag         []string
}

// Plan is what Apply would do: the changes under one prefix, each list
// sorted, metric filters before alarms in Creates and Updates, alarms
// before filters in Deletes. A Plan is data; only Apply acts on it.
type Plan struct {
	// Prefix is the prefix the plan was made under.
	Prefix    string
	Creates   []Change
	Updates   []Change
	Deletes   []Change
	Unchanged []Change
}

// HasChanges reports whether Apply would change anything.
func (p *Plan) HasChanges() bool {
	return len(p.Creates)+len(p.Updates)+len(p.Deletes) > 0
}

// String formats the plan for people: a summary line, then one line per
// change ("+" create, "~" update with its field diffs, "-" delete).
func (p *Plan) String() string {
	var b strings.Builder
	if !p.HasChanges() {
		fmt.Fprintf(&b, "plan for %q: no changes (%d unchanged)\n", p.Prefix, len(p.Unchanged))
		return b.String()
	}
	fmt.Fprintf(&b, "plan for %q: %d to create, %d to update, %d to delete, %d unchanged\n", p.Prefix, len(p.Creates), len(p.Updates), len(p.Deletes), len(p.Unchanged))
	line := func(sign string, c Change) {
		fmt.Fprintf(&b, "  %s %s %s", sign, c.Resource, c.Name)
		if c.LogGroup != "" {
			fmt.Fprintf(&b, " (log group %s)", c.LogGroup)
		}
		b.WriteByte('\n')
		for _, d := range c.Diffs {
			fmt.Fprintf(&b, "      %s\n", d)
		}
	}
	for _, c := range p.Creates {
		line("+", c)
	}
	for _, c := range p.Updates {
		line("~", c)
	}
	for _, c := range p.Deletes {
		line("-", c)
	}
	return b.String()
}

type filterKey struct{ group, name string }

// Plan reads the alarms (DescribeAlarms by the owned prefix, paginated, with
// their tags) and metric filters (DescribeMetricFilters by the prefix in the
// desired filters' log groups, and by metric for existing alarms on
// metric-filter metrics) that exist under the manager's prefix and returns
// what Apply must do to reach desired: creates, updates with a field-by-field
// diff, deletes of owned alarms and filters that are no longer desired, and
// the unchanged. Every desired alarm must be valid and named under the
// prefix. A manager without a MetricFilterAPI refuses to plan the deletion
// of an alarm on a metric outside AWS/, whose metric filter it could neither
// see nor delete. Plan changes nothing.
func (m *AlarmManager) Plan(ctx context.Context, desired []Alarm) (*Plan, error) {
	if err := m.checkPrefix(); err != nil {
		return nil, err
	}
	prefix := m.opts.Prefix
	var errs []error
	names := map[string]bool{}
	wantFilters := map[filterKey]*Alarm{}
	for i := range desired {
		a := &desired[i]
		if err := a.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if !strings.HasPrefix(a.Name, prefix) {
			errs = append(errs, fmt.Errorf("alarm %q: %w: the manager owns names starting with %q", a.Name, ErrNotOwned, prefix))
		}
		if names[a.Name] {
			errs = append(errs, fmt.Errorf("alarm %q is defined twice", a.Name))
		}
		names[a.Name] = true
		if a.Filter == nil {
			continue
		}
		k := filterKey{a.Filter.LogGroup, a.Filter.Name}
		switch {
		case m.logs == nil:
			errs = append(errs, fmt.Errorf("alarm %q has a metric filter, but the manager has no MetricFilterAPI", a.Name))
		case !strings.HasPrefix(a.Filter.Name, prefix):
			errs = append(errs, fmt.Errorf("metric filter %q: %w: the manager owns names starting with %q", a.Filter.Name, ErrNotOwned, prefix))
		case wantFilters[k] != nil:
			errs = append(errs, fmt.Errorf("metric filter %q in log group %q is defined twice", k.name, k.group))
		}
		wantFilters[k] = a
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	existing, err := m.ownedAlarms(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Prefix: prefix}
	for i := range desired {
		a := &desired[i]
		c := Change{Resource: ResourceAlarm, Name: a.Name, alarmInput: a.render()}
		ex, ok := existing[a.Name]
		if !ok {
			p.Creates = append(p.Creates, c)
			continue
		}
		c.arn = aws.ToString(ex.AlarmArn)
		c.Diffs = diffAlarm(c.alarmInput, ex)
		c.configChanged = len(c.Diffs) > 0
		var tags map[string]string
		err := retry(ctx, m.opts.Retry, func() error {
			out, err := m.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: ex.AlarmArn})
			if err == nil {
				tags = map[string]string{}
				for _, t := range out.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading the tags of alarm %s: %w", a.Name, err)
		}
		var tagDiffs []FieldDiff
		tagDiffs, c.tagSet, c.untag = diffTags(a.Tags, tags)
		c.Diffs = append(c.Diffs, tagDiffs...)
		if len(c.Diffs) == 0 {
			p.Unchanged = append(p.Unchanged, c)
		} else {
			p.Updates = append(p.Updates, c)
		}
	}
	for _, name := range sortedKeys(existing) {
		if names[name] {
			continue
		}
		if m.logs == nil {
			if ns, metric, ok := customMetric(existing[name]); ok {
				errs = append(errs, fmt.Errorf("alarm %q watches %s %s, which a metric filter may publish: deleting the alarm without a MetricFilterAPI would leave its filter behind; give NewAlarmManager the CloudWatch Logs client", name, ns, metric))
				continue
			}
		}
		p.Deletes = append(p.Deletes, Change{Resource: ResourceAlarm, Name: name})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	if m.logs != nil {
		have, err := m.ownedFilters(ctx, wantFilters, existing)
		if err != nil {
			return nil, err
		}
		for k, a := range wantFilters {
			c := Change{Resource: ResourceMetricFilter, Name: k.name, LogGroup: k.group, filterInput: a.Filter.render()}
			ex, ok := have[k]
			switch {
			case !ok:
				p.Creates = append(p.Creates, c)
			default:
				if c.Diffs = diffFilter(c.filterInput, ex); len(c.Diffs) == 0 {
					p.Unchanged = append(p.Unchanged, c)
				} else {
					c.configChanged = true
					p.Updates = append(p.Updates, c)
				}
			}
		}
		for k := range have {
			if wantFilters[k] == nil {
				p.Deletes = append(p.Deletes, Change{Resource: ResourceMetricFilter, Name: k.name, LogGroup: k.group})
			}
		}
	}
	order := func(first Resource) func(a, b Change) int {
		return func(a, b Change) int {
			if a.Resource != b.Resource {
				if a.Resource == first {
					return -1
				}
				return 1
			}
			return strings.Compare(a.Name+"\x00"+a.LogGroup, b.Name+"\x00"+b.LogGroup)
		}
	}
	slices.SortFunc(p.Creates, order(ResourceMetricFilter))
	slices.SortFunc(p.Updates, order(ResourceMetricFilter))
	slices.SortFunc(p.Unchanged, order(ResourceMetricFilter))
	slices.SortFunc(p.Deletes, order(ResourceAlarm))
	return p, nil
}

// customMetric returns the first metric outside AWS/ that an alarm reads,
// such as one a metric filter publishes.
func customMetric(a cwtypes.MetricAlarm) (namespace, metric string, ok bool) {
	if ns := aws.ToString(a.Namespace); ns != "" && !strings.HasPrefix(ns, "AWS/") {
		return ns, aws.ToString(a.MetricName), true
	}
	for _, q := range a.Metrics {
		if q.MetricStat == nil || q.MetricStat.Metric == nil {
			continue
		}
		if ns := aws.ToString(q.MetricStat.Metric.Namespace); !strings.HasPrefix(ns, "AWS/") {
			return ns, aws.ToString(q.MetricStat.Metric.MetricName), true
		}
	}
	return "", "", false
}

// ownedAlarms returns the metric alarms whose names start with the prefix.
func (m *AlarmManager) ownedAlarms(ctx context.Context) (map[string]cwtypes.MetricAlarm, error) {
	in := &cloudwatch.DescribeAlarmsInput{
		AlarmNamePrefix: aws.String(m.opts.Prefix),
		AlarmTypes:      []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
		MaxRecords:      aws.Int32(100),
	}
	out := map[string]cwtypes.MetricAlarm{}
	pg := cloudwatch.NewDescribeAlarmsPaginator(m.cw, in)
	for pg.HasMorePages() {
		var page *cloudwatch.DescribeAlarmsOutput
		err := retry(ctx, m.opts.Retry, func() error {
			var err error
			page, err = pg.NextPage(ctx)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("listing alarms with prefix %q: %w", m.opts.Prefix, err)
		}
		for _, a := range page.MetricAlarms {
			if name := aws.ToString(a.AlarmName); strings.HasPrefix(name, m.opts.Prefix) {
				out[name] = a
			}
		}
	}
	return out, nil
}

// ownedFilters returns the metric filters under the prefix in the desired
// filters' log groups, and those that publish the metrics of existing owned
// alarms (so that a filter whose log group is no longer desired is found).
func (m *AlarmManager) ownedFilters(ctx context.Context, want map[filterKey]*Alarm, alarms map[string]cwtypes.MetricAlarm) (map[filterKey]logtypes.MetricFilter, error) {
	out := map[filterKey]logtypes.MetricFilter{}
	list := func(in *cloudwatchlogs.DescribeMetricFiltersInput, what string) error {
		pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(m.logs, in)
		for pg.HasMorePages() {
			var page *cloudwatchlogs.DescribeMetricFiltersOutput
			err := retry(ctx, m.opts.Retry, func() error {
				var err error
				page, err = pg.NextPage(ctx)
				return err
			})
			if err != nil {
				return fmt.Errorf("listing metric filters %s: %w", what, err)
			}
			for _, f := range page.MetricFilters {
				if name := aws.ToString(f.FilterName); strings.HasPrefix(name, m.opts.Prefix) {
					out[filterKey{aws.ToString(f.LogGroupName), name}] = f
				}
			}
		}
		return nil
	}
	groups := map[string]bool{}
	for k := range want {
		groups[k.group] = true
	}
	for _, g := range sortedKeys(groups) {
		if err := list(&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(g), FilterNamePrefix: aws.String(m.opts.Prefix)}, "in log group "+g); err != nil {
			return nil, err
		}
	}
	seen := map[[2]string]bool{}
	for _, name := range sortedKeys(alarms) {
		for _, q := range alarms[name].Metrics {
			if q.MetricStat == nil || q.MetricStat.Metric == nil {
				continue
			}
			ns, metric := aws.ToString(q.MetricStat.Metric.Namespace), aws.ToString(q.MetricStat.Metric.MetricName)
			if strings.HasPrefix(ns, "AWS/") || seen[[2]string{ns, metric}] {
				continue
			}
			seen[[2]string{ns, metric}] = true
			if err := list(&cloudwatchlogs.DescribeMetricFiltersInput{MetricNamespace: aws.String(ns), MetricName: aws.String(metric)}, "for metric "+ns+" "+metric); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
