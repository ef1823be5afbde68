package cognitomontest

import (
	"time"

	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// evaluateExpressions computes the metric-math expressions of a GetMetricData
// request over the MetricStat results in computed (oldest first), adding one
// result per expression. For now no expression is supported.
func (f *CloudWatch) evaluateExpressions(exprs []cwtypes.MetricDataQuery, computed map[string]cwtypes.MetricDataResult, start, end time.Time) error {
	return validationError("query %s: metric math expressions are not evaluated by this fake", *exprs[0].Id)
}
