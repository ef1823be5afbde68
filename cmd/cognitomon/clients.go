package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cognitomon/cognitomon"
)

// newCloudTrail returns the CloudTrail client the command reads events with.
// It does not retry throttled requests itself: the TrailClient's rate
// limiter owns every LookupEvents call, slows down when AWS throttles and
// retries the page at its own pace. Connection errors and 5xx answers are
// still retried by the SDK.
func newCloudTrail(cfg aws.Config) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(cfg, cognitomon.WithoutThrottleRetries)
}
