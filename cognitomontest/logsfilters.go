package cognitomontest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// registerMetricFilters adds the metric-filter operations to the server's
// routes.
func (f *Logs) registerMetricFilters(r routes) {
	r["Logs.PutMetricFilter"] = op(f.PutMetricFilter)
	r["Logs.DescribeMetricFilters"] = op(f.DescribeMetricFilters)
	r["Logs.DeleteMetricFilter"] = op(f.DeleteMetricFilter)
}

// metricFilterStore holds the fake's metric filters, guarded by Logs.mu.
type metricFilterStore struct {
	byGroup map[string]map[string]logtypes.MetricFilter // log group -> filter name -> filter
}

// The limits and patterns of the CloudWatch Logs API for metric filters
// (the DescribeMetricFilters and PutMetricFilter API reference; FilterPattern
// from the logs service model).
var (
	filterNamePattern   = regexp.MustCompile(`^[^:*]{1,512}$`)
	filterMetricPattern = regexp.MustCompile(`^[^:*$]{1,255}$`)
)

const (
	maxFilterPatternLen = 1024
	maxFiltersPerGroup  = 100
	maxFilterDimensions = 3
)

// logGroupExists reports whether the fake holds log group g: the trail's log
// group or the user-activity log group (see LogsOptions).
func (f *Logs) logGroupExists(g string) bool {
	return g == f.opts.TrailLogGroup || g == f.opts.UserActivityLogGroup
}

// PutMetricFilter creates or replaces a metric filter on one of the fake's
// log groups, rejecting what AWS rejects: names outside the documented
// patterns, a pattern longer than 1,024 characters or with unbalanced braces,
// parentheses or quotes, other than one metric transformation, more than
// three dimensions, and a 101st filter in a log group. The fake does not run
// filters over log events; the metrics they would publish do not appear in
// the CloudWatch fake.
func (f *Logs) PutMetricFilter(ctx context.Context, in *cloudwatchlogs.PutMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("PutMetricFilter")
	if in == nil || in.FilterName == nil || in.FilterPattern == nil || in.LogGroupName == nil || in.MetricTransformations == nil {
		return nil, logsError("InvalidParameterException", "filterName, filterPattern, logGroupName and metricTransformations are required")
	}
	name, group, pattern := *in.FilterName, *in.LogGroupName, *in.FilterPattern
	switch {
	case !filterNamePattern.MatchString(name):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("filterName %q must be 1 to 512 characters without ':' or '*'", name))
	case !logGroupPattern.MatchString(group):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("logGroupName %q must be 1 to 512 characters of [.-_/#A-Za-z0-9]", group))
	case len(pattern) > maxFilterPatternLen:
		return nil, logsError("InvalidParameterException", fmt.Sprintf("filterPattern is %d characters long, more than %d", len(pattern), maxFilterPatternLen))
	case len(in.MetricTransformations) != 1:
		return nil, logsError("InvalidParameterException", fmt.Sprintf("metricTransformations must hold exactly 1 item, not %d", len(in.MetricTransformations)))
	}
	if err := checkFilterPattern(pattern); err != nil {
		return nil, logsError("InvalidParameterException", "Invalid metric filter pattern: "+err.Error())
	}
	mt := in.MetricTransformations[0]
	switch {
	case mt.MetricName == nil || !filterMetricPattern.MatchString(*mt.MetricName):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("metricName %q must be 1 to 255 characters without ':', '*' or '$'", aws.ToString(mt.MetricName)))
	case mt.MetricNamespace == nil || !filterMetricPattern.MatchString(*mt.MetricNamespace):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("metricNamespace %q must be 1 to 255 characters without ':', '*' or '$'", aws.ToString(mt.MetricNamespace)))
	case mt.MetricValue == nil || *mt.MetricValue == "" || len(*mt.MetricValue) > 100:
		return nil, logsError("InvalidParameterException", "metricValue must be 1 to 100 characters")
	case len(mt.Dimensions) > maxFilterDimensions:
		return nil, logsError("InvalidParameterException", fmt.Sprintf("a metric filter can have at most %d dimensions, not %d", maxFilterDimensions, len(mt.Dimensions)))
	case mt.Unit != "" && !slices.Contains(logtypes.StandardUnit("").Values(), mt.Unit):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("unknown unit %q", mt.Unit))
	}
	if !f.logGroupExists(group) {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist: " + group)}
	}
	filter := logtypes.MetricFilter{
		FilterName:                aws.String(name),
		FilterPattern:             aws.String(pattern),
		LogGroupName:              aws.String(group),
		CreationTime:              aws.Int64(f.opts.Now().UnixMilli()),
		ApplyOnTransformedLogs:    in.ApplyOnTransformedLogs,
		EmitSystemFieldDimensions: slices.Clone(in.EmitSystemFieldDimensions),
		FieldSelectionCriteria:    cloneStr(in.FieldSelectionCriteria),
		MetricTransformations: []logtypes.MetricTransformation{{
			MetricName:      aws.String(*mt.MetricName),
			MetricNamespace: aws.String(*mt.MetricNamespace),
			MetricValue:     aws.String(*mt.MetricValue),
			DefaultValue:    cloneFloat(mt.DefaultValue),
			Dimensions:      cloneDims(mt.Dimensions),
			Unit:            mt.Unit,
		}},
	}
	if mt.Dimensions == nil {
		filter.MetricTransformations[0].Dimensions = nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.filters.byGroup == nil {
		f.filters.byGroup = map[string]map[string]logtypes.MetricFilter{}
	}
	g := f.filters.byGroup[group]
	if g == nil {
		g = map[string]logtypes.MetricFilter{}
		f.filters.byGroup[group] = g
	}
	if old, ok := g[name]; ok {
		filter.CreationTime = old.CreationTime
	} else if len(g) >= maxFiltersPerGroup {
		return nil, &logtypes.LimitExceededException{Message: aws.String(fmt.Sprintf("a log group can have at most %d metric filters", maxFiltersPerGroup))}
	}
	g[name] = filter
	return &cloudwatchlogs.PutMetricFilterOutput{}, nil
}

// checkFilterPattern does the syntax checks the fake can do without a full
// filter-pattern parser: quotes closed, and braces, brackets and parentheses
// balanced and properly nested.
func checkFilterPattern(p string) error {
	var stack []byte
	closing := map[byte]byte{')': '(', ']': '[', '}': '{'}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '"':
			j := i + 1
			for j < len(p) && p[j] != '"' {
				if p[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(p) {
				return fmt.Errorf("unterminated string at offset %d", i)
			}
			i = j
		case '(', '[', '{':
			stack = append(stack, c)
		case ')', ']', '}':
			if len(stack) == 0 || stack[len(stack)-1] != closing[c] {
				return fmt.Errorf("unbalanced %q at offset %d", string(c), i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %q", string(stack[len(stack)-1]))
	}
	return nil
}

// DescribeMetricFilters lists metric filters sorted by filter name (then log
// group), limit (1 to 50, default 50) a page. As AWS documents,
// filterNamePrefix counts only together with logGroupName, and metricName
// and metricNamespace only together.
func (f *Logs) DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("DescribeMetricFilters")
	if in == nil {
		in = &cloudwatchlogs.DescribeMetricFiltersInput{}
	}
	switch {
	case in.Limit != nil && (*in.Limit < 1 || *in.Limit > 50):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("limit must be 1 to 50, not %d", *in.Limit))
	case (in.MetricName == nil) != (in.MetricNamespace == nil):
		return nil, logsError("InvalidParameterException", "metricName and metricNamespace must be given together")
	case in.LogGroupName != nil && !logGroupPattern.MatchString(*in.LogGroupName):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("logGroupName %q is not a valid name", *in.LogGroupName))
	case in.FilterNamePrefix != nil && !filterNamePattern.MatchString(*in.FilterNamePrefix):
		return nil, logsError("InvalidParameterException", fmt.Sprintf("filterNamePrefix %q must be 1 to 512 characters without ':' or '*'", *in.FilterNamePrefix))
	}
	if in.LogGroupName != nil && !f.logGroupExists(*in.LogGroupName) {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("The specified log group does not exist: " + *in.LogGroupName)}
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := ""
	if in.NextToken != nil {
		if !strings.HasPrefix(*in.NextToken, "mf:") {
			return nil, logsError("InvalidParameterException", "invalid nextToken")
		}
		after = strings.TrimPrefix(*in.NextToken, "mf:")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []logtypes.MetricFilter
	for group, filters := range f.filters.byGroup {
		if in.LogGroupName != nil && group != *in.LogGroupName {
			continue
		}
		for name, mf := range filters {
			if in.LogGroupName != nil && in.FilterNamePrefix != nil && !strings.HasPrefix(name, *in.FilterNamePrefix) {
				continue
			}
			if in.MetricName != nil && !hasMetric(mf, *in.MetricName, *in.MetricNamespace) {
				continue
			}
			all = append(all, mf)
		}
	}
	key := func(mf logtypes.MetricFilter) string { return *mf.FilterName + "\x00" + *mf.LogGroupName }
	slices.SortFunc(all, func(a, b logtypes.MetricFilter) int { return strings.Compare(key(a), key(b)) })
	out := &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: []logtypes.MetricFilter{}}
	for _, mf := range all {
		if after != "" && key(mf) <= after {
			continue
		}
		if len(out.MetricFilters) == limit {
			out.NextToken = aws.String("mf:" + key(out.MetricFilters[limit-1]))
			break
		}
		out.MetricFilters = append(out.MetricFilters, cloneFilter(mf))
	}
	return out, nil
}

func hasMetric(mf logtypes.MetricFilter, name, namespace string) bool {
	for _, mt := range mf.MetricTransformations {
		if aws.ToString(mt.MetricName) == name && aws.ToString(mt.MetricNamespace) == namespace {
			return true
		}
	}
	return false
}

func cloneFilter(mf logtypes.MetricFilter) logtypes.MetricFilter {
	c := mf
	c.FilterName, c.FilterPattern, c.LogGroupName = cloneStr(mf.FilterName), cloneStr(mf.FilterPattern), cloneStr(mf.LogGroupName)
	c.FieldSelectionCriteria = cloneStr(mf.FieldSelectionCriteria)
	c.EmitSystemFieldDimensions = slices.Clone(mf.EmitSystemFieldDimensions)
	if mf.CreationTime != nil {
		c.CreationTime = aws.Int64(*mf.CreationTime)
	}
	c.MetricTransformations = make([]logtypes.MetricTransformation, len(mf.MetricTransformations))
	for i, mt := range mf.MetricTransformations {
		m := mt
		m.MetricName, m.MetricNamespace, m.MetricValue = cloneStr(mt.MetricName), cloneStr(mt.MetricNamespace), cloneStr(mt.MetricValue)
		m.DefaultValue = cloneFloat(mt.DefaultValue)
		if mt.Dimensions != nil {
			m.Dimensions = cloneDims(mt.Dimensions)
		}
		c.MetricTransformations[i] = m
	}
	return c
}

// DeleteMetricFilter deletes a metric filter; an unknown log group or filter
// is a ResourceNotFoundException.
func (f *Logs) DeleteMetricFilter(ctx context.Context, in *cloudwatchlogs.DeleteMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteMetricFilterOutput, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.count("DeleteMetricFilter")
	if in == nil || in.FilterName == nil || in.LogGroupName == nil {
		return nil, logsError("InvalidParameterException", "filterName and logGroupName are required")
	}
	if !logGroupPattern.MatchString(*in.LogGroupName) || !filterNamePattern.MatchString(*in.FilterName) {
		return nil, logsError("InvalidParameterException", "invalid filterName or logGroupName")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.filters.byGroup[*in.LogGroupName]
	if _, ok := g[*in.FilterName]; !ok || !f.logGroupExists(*in.LogGroupName) {
		return nil, &logtypes.ResourceNotFoundException{Message: aws.String("The specified metric filter does not exist.")}
	}
	delete(g, *in.FilterName)
	return &cloudwatchlogs.DeleteMetricFilterOutput{}, nil
}
