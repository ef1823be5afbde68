package cognitomon_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cognitomon/cognitomon"
)

func TestCloudFormationTemplate(t *testing.T) {
	m2m := standardAlarm(t, "m2m-tokens", alarmClients, func(o *cognitomon.DefinitionOptions) { o.AlarmActions = []string{alarmTopic} })
	out, err := cognitomon.CloudFormationTemplate([]cognitomon.Alarm{m2m})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
	  "AWSTemplateFormatVersion": "2010-09-09",
	  "Description": "Amazon Cognito user-pool alarms defined by cognitomon",
	  "Resources": {
	    "CognitomonUsEast1AbCdEf123M2mTokensMetricFilter": {
	      "Type": "AWS::Logs::MetricFilter",
	      "Properties": {
	        "FilterName": "cognitomon-us-east-1_AbCdEf123-m2m-tokens",
	        "LogGroupName": "aws-cloudtrail-logs-cognitomon",
	        "FilterPattern": "{ ($.eventSource = \"cognito-idp.amazonaws.com\") && ($.additionalEventData.userPoolId = \"us-east-1_AbCdEf123\") && ($.eventName = \"Token_POST\" || $.eventName = \"Beta_Token_POST\") && ($.additionalEventData.requestParameters.grant_type[0] = \"client_credentials\") }",
	        "MetricTransformations": [{"MetricName": "MachineTokens", "MetricNamespace": "Cognitomon/us-east-1_AbCdEf123", "MetricValue": "1", "DefaultValue": 0}]
	      }
	    },
	    "CognitomonUsEast1AbCdEf123M2mTokensAlarm": {
	      "Type": "AWS::CloudWatch::Alarm",
	      "DependsOn": "CognitomonUsEast1AbCdEf123M2mTokensMetricFilter",
	      "Properties": {
	        "AlarmName": "cognitomon-us-east-1_AbCdEf123-m2m-tokens",
	        "AlarmDescription": "Machine-to-machine (client_credentials) token requests to user pool us-east-1_AbCdEf123, counted by a metric filter on CloudTrail log group aws-cloudtrail-logs-cognitomon. Managed by cognitomon.",
	        "ActionsEnabled": true,
	        "AlarmActions": ["arn:aws:sns:us-east-1:123456789012:pager"],
	        "ComparisonOperator": "GreaterThanThreshold",
	        "Threshold": 300,
	        "EvaluationPeriods": 3,
	        "DatapointsToAlarm": 1,
	        "TreatMissingData": "notBreaching",
	        "Metrics": [{
	          "Id": "events",
	          "MetricStat": {"Metric": {"Namespace": "Cognitomon/us-east-1_AbCdEf123", "MetricName": "MachineTokens"}, "Period": 300, "Stat": "Sum"},
	          "Label": "MachineTokens",
	          "ReturnData": true
	        }],
	        "Tags": [{"Key": "ManagedBy", "Value": "cognitomon"}, {"Key": "UserPool", "Value": "us-east-1_AbCdEf123"}]
	      }
	    }
	  }
	}`
	var wantTree, gotTree any
	if err := json.Unmarshal([]byte(want), &wantTree); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &gotTree); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantTree, gotTree); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}
	if strings.Contains(string(out), `\u003e`) {
		t.Error("the template escapes > in expressions")
	}

	// The standard set: one resource per alarm and filter, expressions
	// readable, and invalid alarms refused.
	out, err = cognitomon.CloudFormationTemplate(standardAlarms(t))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(out, &tmpl); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, r := range tmpl.Resources {
		types[r.Type]++
	}
	if diff := cmp.Diff(map[string]int{"AWS::CloudWatch::Alarm": 7, "AWS::Logs::MetricFilter": 2}, types); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(out), `"IF(attempts >= 20, failure_rate, 0)"`) {
		t.Error("the template lacks the guarded rate")
	}
	m2m.Threshold = -1
	if _, err := cognitomon.CloudFormationTemplate([]cognitomon.Alarm{m2m}); !errors.Is(err, cognitomon.ErrInvalidAlarm) {
		t.Errorf("invalid alarm: %v", err)
	}
}
