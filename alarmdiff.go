package cognitomon

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// none stands for an absent value in a FieldDiff.
const none = "(none)"

// fieldDiffs collects the fields whose formatted values differ.
type fieldDiffs []FieldDiff

func (d *fieldDiffs) add(field, old, new string) {
	if old != new {
		*d = append(*d, FieldDiff{Field: field, Old: old, New: new})
	}
}

func quoteOr(s string) string {
	if s == "" {
		return none
	}
	return strconv.Quote(s)
}

func orNone(s string) string {
	if s == "" {
		return none
	}
	return s
}

func fmtFloat(p *float64) string {
	if p == nil {
		return none
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

func fmtInt(p *int32) string {
	if p == nil {
		return none
	}
	return strconv.Itoa(int(*p))
}

// fmtSet formats a list whose order does not matter (actions).
func fmtSet(l []string) string {
	if len(l) == 0 {
		return none
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return "[" + strings.Join(s, ", ") + "]"
}

func fmtDims(ds []cwtypes.Dimension) string {
	if len(ds) == 0 {
		return none
	}
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
	}
	slices.Sort(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

func fmtMap(m map[string]string) string {
	if len(m) == 0 {
		return none
	}
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// describeStat formats a MetricStat with its dimensions in name order, so
// that the order AWS returns them in does not show as a change.
func describeStat(ms *cwtypes.MetricStat) string {
	if ms == nil {
		return none
	}
	var ns, name string
	var dims []cwtypes.Dimension
	if ms.Metric != nil {
		ns, name, dims = aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName), ms.Metric.Dimensions
	}
	s := fmt.Sprintf("%s of %s %s", aws.ToString(ms.Stat), ns, name)
	if len(dims) > 0 {
		s += " " + fmtDims(dims)
	}
	s += " per " + fmtInt(ms.Period) + "s"
	if ms.Unit != "" {
		s += " in " + string(ms.Unit)
	}
	return s
}

func describeQuery(q cwtypes.MetricDataQuery) string {
	if q.Expression != nil {
		return strconv.Quote(*q.Expression)
	}
	return describeStat(q.MetricStat)
}

// diffAlarm compares the rendered definition with the alarm that exists,
// field by field, after normalizing what AWS fills in or reorders: absent
// lists and empty lists, ActionsEnabled (default true), DatapointsToAlarm
// (default EvaluationPeriods), TreatMissingData (default missing), the order
// of actions, queries and dimensions. Fields of the single-metric form that
// the existing alarm has and the definition lacks show as changes too.
func diffAlarm(in *cloudwatch.PutMetricAlarmInput, ex cwtypes.MetricAlarm) []FieldDiff {
	var d fieldDiffs
	d.add("AlarmDescription", quoteOr(aws.ToString(ex.AlarmDescription)), quoteOr(aws.ToString(in.AlarmDescription)))
	d.add("ActionsEnabled", strconv.FormatBool(ex.ActionsEnabled == nil || *ex.ActionsEnabled), strconv.FormatBool(in.ActionsEnabled == nil || *in.ActionsEnabled))
	d.add("AlarmActions", fmtSet(ex.AlarmActions), fmtSet(in.AlarmActions))
	d.add("OKActions", fmtSet(ex.OKActions), fmtSet(in.OKActions))
	d.add("InsufficientDataActions", fmtSet(ex.InsufficientDataActions), fmtSet(in.InsufficientDataActions))
	d.add("ComparisonOperator", orNone(string(ex.ComparisonOperator)), orNone(string(in.ComparisonOperator)))
	d.add("Threshold", fmtFloat(ex.Threshold), fmtFloat(in.Threshold))
	d.add("EvaluationPeriods", fmtInt(ex.EvaluationPeriods), fmtInt(in.EvaluationPeriods))
	exM, inM := ex.DatapointsToAlarm, in.DatapointsToAlarm
	if exM == nil {
		exM = ex.EvaluationPeriods
	}
	if inM == nil {
		inM = in.EvaluationPeriods
	}
	d.add("DatapointsToAlarm", fmtInt(exM), fmtInt(inM))
	missing := func(p *string) string {
		if p == nil || *p == "" {
			return string(MissingDataMissing)
		}
		return *p
	}
	d.add("TreatMissingData", missing(ex.TreatMissingData), missing(in.TreatMissingData))
	d.add("Namespace", quoteOr(aws.ToString(ex.Namespace)), none)
	d.add("MetricName", quoteOr(aws.ToString(ex.MetricName)), none)
	d.add("Statistic", orNone(string(ex.Statistic)), none)
	d.add("ExtendedStatistic", quoteOr(aws.ToString(ex.ExtendedStatistic)), none)
	d.add("Period", fmtInt(ex.Period), none)
	d.add("Dimensions", fmtDims(ex.Dimensions), none)
	d.add("Unit", orNone(string(ex.Unit)), none)
	d.add("ThresholdMetricId", quoteOr(aws.ToString(ex.ThresholdMetricId)), none)
	d.add("EvaluateLowSampleCountPercentile", quoteOr(aws.ToString(ex.EvaluateLowSampleCountPercentile)), none)
	d.add("EvaluationInterval", fmtInt(ex.EvaluationInterval), none)
	if ex.EvaluationCriteria != nil {
		d.add("EvaluationCriteria", "(set)", none)
	}
	if _, wall := ex.EvaluationWindow.(*cwtypes.EvaluationWindowMemberWallClockWindow); wall {
		d.add("EvaluationWindow", "wall clock", "sliding (the default)")
	}
	if ex.ActionConfiguration != nil && ex.ActionConfiguration.AlarmTagsPropagation != nil {
		d.add("ActionConfiguration", "(set)", none)
	}
	have := map[string]cwtypes.MetricDataQuery{}
	for _, q := range ex.Metrics {
		have[aws.ToString(q.Id)] = q
	}
	returns := func(q cwtypes.MetricDataQuery) string {
		return strconv.FormatBool(q.ReturnData == nil || *q.ReturnData)
	}
	seen := map[string]bool{}
	for _, q := range in.Metrics {
		id := aws.ToString(q.Id)
		seen[id] = true
		f := "Metrics[" + id + "]"
		e, ok := have[id]
		if !ok {
			d.add(f, none, describeQuery(q))
			continue
		}
		d.add(f+".Expression", quoteOr(aws.ToString(e.Expression)), quoteOr(aws.ToString(q.Expression)))
		d.add(f+".MetricStat", describeStat(e.MetricStat), describeStat(q.MetricStat))
		d.add(f+".ReturnData", returns(e), returns(q))
		// Fields the definition leaves unset are not compared, in case AWS
		// fills them in (a default label, the account, a query period).
		if q.Label != nil {
			d.add(f+".Label", quoteOr(aws.ToString(e.Label)), quoteOr(*q.Label))
		}
		if q.Period != nil {
			d.add(f+".Period", fmtInt(e.Period), fmtInt(q.Period))
		}
		if q.AccountId != nil {
			d.add(f+".AccountId", quoteOr(aws.ToString(e.AccountId)), quoteOr(*q.AccountId))
		}
	}
	for _, id := range sortedKeys(have) {
		if !seen[id] {
			d.add("Metrics["+id+"]", describeQuery(have[id]), none)
		}
	}
	return d
}

// diffTags compares desired tags with the alarm's, and returns the diffs,
// the tags to set and the keys to remove.
func diffTags(want, have map[string]string) (diffs []FieldDiff, set map[string]string, unset []string) {
	var d fieldDiffs
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range have {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		w, inWant := want[k]
		h, inHave := have[k]
		switch {
		case !inWant:
			d.add("Tags["+k+"]", strconv.Quote(h), none)
			unset = append(unset, k)
		case !inHave || w != h:
			old := none
			if inHave {
				old = strconv.Quote(h)
			}
			d.add("Tags["+k+"]", old, strconv.Quote(w))
			if set == nil {
				set = map[string]string{}
			}
			set[k] = w
		}
	}
	return d, set, unset
}

// diffFilter compares a rendered metric filter with the one that exists.
func diffFilter(in *cloudwatchlogs.PutMetricFilterInput, ex logtypes.MetricFilter) []FieldDiff {
	var d fieldDiffs
	d.add("FilterPattern", quoteOr(aws.ToString(ex.FilterPattern)), quoteOr(aws.ToString(in.FilterPattern)))
	if n := len(ex.MetricTransformations); n != 1 {
		d.add("MetricTransformations", fmt.Sprintf("%d transformations", n), "1 transformation")
	} else {
		e, w := ex.MetricTransformations[0], in.MetricTransformations[0]
		unit := func(u logtypes.StandardUnit) string {
			if u == "" {
				return string(logtypes.StandardUnitNone)
			}
			return string(u)
		}
		d.add("MetricTransformation.MetricName", quoteOr(aws.ToString(e.MetricName)), quoteOr(aws.ToString(w.MetricName)))
		d.add("MetricTransformation.MetricNamespace", quoteOr(aws.ToString(e.MetricNamespace)), quoteOr(aws.ToString(w.MetricNamespace)))
		d.add("MetricTransformation.MetricValue", quoteOr(aws.ToString(e.MetricValue)), quoteOr(aws.ToString(w.MetricValue)))
		d.add("MetricTransformation.DefaultValue", fmtFloat(e.DefaultValue), fmtFloat(w.DefaultValue))
		d.add("MetricTransformation.Unit", unit(e.Unit), unit(w.Unit))
		d.add("MetricTransformation.Dimensions", fmtMap(e.Dimensions), fmtMap(w.Dimensions))
	}
	d.add("ApplyOnTransformedLogs", strconv.FormatBool(ex.ApplyOnTransformedLogs), "false")
	d.add("FieldSelectionCriteria", quoteOr(aws.ToString(ex.FieldSelectionCriteria)), none)
	d.add("EmitSystemFieldDimensions", fmtSet(ex.EmitSystemFieldDimensions), none)
	return d
}
