package cognitomon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// CloudFormationTemplate returns the alarms as a CloudFormation template in
// JSON, for teams that deploy through infrastructure as code: one
// AWS::CloudWatch::Alarm per alarm (the same properties PutMetricAlarm
// gets) and one AWS::Logs::MetricFilter per metric filter, which its alarm
// DependsOn. Logical IDs are the names in CamelCase. Every alarm is validated
// first.
func CloudFormationTemplate(alarms []Alarm) ([]byte, error) {
	var errs []error
	for _, a := range alarms {
		errs = append(errs, a.Validate())
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	type dimension struct{ Name, Value string }
	type metric struct {
		Namespace  string
		MetricName string
		Dimensions []dimension `json:",omitempty"`
	}
	type metricStat struct {
		Metric metric
		Period int32
		Stat   string
	}
	type query struct {
		Id         string
		Expression string      `json:",omitempty"`
		MetricStat *metricStat `json:",omitempty"`
		Period     int32       `json:",omitempty"`
		Label      string      `json:",omitempty"`
		ReturnData bool
	}
	type tag struct{ Key, Value string }
	type alarmProps struct {
		AlarmName               string
		AlarmDescription        string `json:",omitempty"`
		ActionsEnabled          bool
		AlarmActions            []string `json:",omitempty"`
		OKActions               []string `json:",omitempty"`
		InsufficientDataActions []string `json:",omitempty"`
		ComparisonOperator      string
		Threshold               float64
		EvaluationPeriods       int32
		DatapointsToAlarm       int32
		TreatMissingData        string `json:",omitempty"`
		Metrics                 []query
		Tags                    []tag `json:",omitempty"`
	}
	type transformation struct {
		MetricName      string
		MetricNamespace string
		MetricValue     string
		DefaultValue    float64
	}
	type filterProps struct {
		FilterName            string
		LogGroupName          string
		FilterPattern         string
		MetricTransformations []transformation
	}
	type resource struct {
		Type       string
		DependsOn  string `json:",omitempty"`
		Properties any
	}
	resources := map[string]resource{}
	logicalID := func(name, suffix string) string {
		var b strings.Builder
		for _, part := range logicalIDPart.FindAllString(name, -1) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
		id := b.String() + suffix
		if len(id) > 200 {
			id = id[len(id)-200:]
		}
		base := id
		for i := 2; ; i++ {
			if _, taken := resources[id]; !taken {
				return id
			}
			id = base + strconv.Itoa(i)
		}
	}
	for _, a := range alarms {
		in := a.render()
		p := alarmProps{
			AlarmName:               a.Name,
			AlarmDescription:        a.Description,
			ActionsEnabled:          !a.ActionsDisabled,
			AlarmActions:            in.AlarmActions,
			OKActions:               in.OKActions,
			InsufficientDataActions: in.InsufficientDataActions,
			ComparisonOperator:      string(in.ComparisonOperator),
			Threshold:               a.Threshold,
			EvaluationPeriods:       *in.EvaluationPeriods,
			DatapointsToAlarm:       *in.DatapointsToAlarm,
			TreatMissingData:        aws.ToString(in.TreatMissingData),
		}
		for _, q := range in.Metrics {
			cq := query{Id: *q.Id, Expression: aws.ToString(q.Expression), Label: aws.ToString(q.Label), ReturnData: aws.ToBool(q.ReturnData), Period: aws.ToInt32(q.Period)}
			if ms := q.MetricStat; ms != nil {
				cm := metric{Namespace: *ms.Metric.Namespace, MetricName: *ms.Metric.MetricName}
				for _, d := range ms.Metric.Dimensions {
					cm.Dimensions = append(cm.Dimensions, dimension{*d.Name, *d.Value})
				}
				cq.MetricStat = &metricStat{Metric: cm, Period: *ms.Period, Stat: *ms.Stat}
			}
			p.Metrics = append(p.Metrics, cq)
		}
		for _, t := range in.Tags {
			p.Tags = append(p.Tags, tag{*t.Key, *t.Value})
		}
		var dependsOn string
		if f := a.Filter; f != nil {
			dependsOn = logicalID(f.Name, "MetricFilter")
			resources[dependsOn] = resource{Type: "AWS::Logs::MetricFilter", Properties: filterProps{
				FilterName: f.Name, LogGroupName: f.LogGroup, FilterPattern: f.Pattern,
				MetricTransformations: []transformation{{MetricName: f.MetricName, MetricNamespace: f.Namespace, MetricValue: f.Value, DefaultValue: f.DefaultValue}},
			}}
		}
		resources[logicalID(a.Name, "Alarm")] = resource{Type: "AWS::CloudWatch::Alarm", DependsOn: dependsOn, Properties: p}
	}
	tmpl := struct {
		AWSTemplateFormatVersion string
		Description              string
		Resources                map[string]resource
	}{"2010-09-09", "Amazon Cognito user-pool alarms defined by cognitomon", resources}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep ">=" readable in expressions
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return nil, fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	return buf.Bytes(), nil
}
