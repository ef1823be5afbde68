// Package cognitomon tells a team what is happening inside its Amazon Cognito
// user pools: how many sign-ins, sign-ups, token refreshes and federated
// sign-ins fail and why, who is hammering a pool, and which machine clients
// burn tokens.
//
// # The three sources
//
// Cognito publishes no "failed sign-in" figure of its own. cognitomon derives
// one from three AWS sources, each reached through a narrow interface that the
// real aws-sdk-go-v2 client satisfies as it is:
//
//   - CloudWatch metrics in the AWS/Cognito namespace ([CloudWatchAPI],
//     read by [MetricsClient]): counts per five-minute period, per pool and
//     app client. Cheap and complete, but they say nothing about who or why.
//   - CloudTrail ([CloudTrailAPI]): one record per request, with the event
//     name, error code, source IP, user agent, app client and user sub.
//     LookupEvents reaches back 90 days at two requests per second.
//   - CloudWatch Logs Insights ([LogsAPI]): server-side aggregation over a log
//     group that the trail (or Cognito's user-activity log) is routed to.
//
// # The failure arithmetic
//
// Every datapoint of a *Successes metric (SignInSuccesses, SignUpSuccesses,
// TokenRefreshSuccesses, FederationSuccesses) is 1 when Cognito issued tokens
// and 0 otherwise, throttled requests included. So for any period:
//
//	attempts  = SampleCount(*Successes)
//	successes = Sum(*Successes)
//	failures  = SampleCount(*Successes) - Sum(*Successes)
//	throttles = Sum(*Throttles)   (each throttled request is also one failure)
//
// AWS documents these metrics only with the dimensions UserPool and
// UserPoolClient (plus IdentityProvider for federation), with the
// pseudo-clients "Admin" (admin API calls) and "Invalid" (an unknown client
// ID). Whether a series with the UserPool dimension alone exists is not
// documented, so cognitomon computes a pool total as the sum over the pool's
// clients. A period with no datapoint is a period with no traffic.
//
// # The map of the module
//
// The root package holds the clients over the three sources, the Event that
// CloudTrail's API and log files both give, and what every result shares:
//
//   - api.go: the narrow service interfaces; ids.go: UserPoolID, ClientID,
//     TimeRange; scope.go and coverage.go: what a pass is about and what
//     it saw; consume.go: Consume and the Consumer contract.
//   - metrics*.go, risk.go, quotausage.go, metricmath.go: MetricsClient;
//     trail*.go, event.go, record.go, oldestfirst.go: TrailClient,
//     ReadEventFiles; insights*.go: InsightsClient and Catalog.
//   - detect.go and findings.go: Detect, Detector, Check, Finding.
//   - alarm*.go, backtest.go, cloudformation.go, metricfilter.go: alarms
//     as code; dashboard*.go: dashboards as code; inventory.go and
//     trailcoverage.go: the pool's configuration and its trails.
//
// Beside it, package analysis summarises events (failures, enumeration,
// resets, MFA, refreshes, machine clients, admin changes, traffic) and
// package checks holds the detections and baselines that Detect runs.
//
// # Testing code built on cognitomon
//
// Package cognitomontest is to cognitomon what net/http/httptest is to
// net/http. It holds a simulated user pool that records attempts with their
// real metric semantics, in-memory fakes of [CloudWatchAPI] (and, as they
// arrive, the other interfaces) that read that pool, and an HTTP server that
// speaks the services' real wire protocols, so that a real SDK client pointed
// at it with BaseEndpoint or AWS_ENDPOINT_URL runs unchanged. A test can also
// implement an interface itself: each has only the methods cognitomon calls.
//
// # Concurrency
//
// Clients are immutable after construction and safe for concurrent use.
package cognitomon
