package main

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// newCloudTrail returns the CloudTrail client the command reads events with.
func newCloudTrail(cfg aws.Config) *cloudtrail.Client { return cloudtrail.NewFromConfig(cfg) }
