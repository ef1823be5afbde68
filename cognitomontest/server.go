package cognitomontest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
)

// ServerOptions configure a Server. Zero values mean the documented defaults.
type ServerOptions struct {
	// CloudWatch configures the CloudWatch fake the server answers with.
	CloudWatch []func(*CloudWatchOptions)
	// CloudTrail configures the CloudTrail fake.
	CloudTrail []func(*CloudTrailOptions)
	// Logs configures the CloudWatch Logs fake.
	Logs []func(*LogsOptions)
	// Cognito configures the Cognito user pools fake.
	Cognito []func(*CognitoOptions)
	// Delay is how long the server waits before each answer. Default 2ms:
	// the SDK intermittently fails with "use of closed network connection"
	// against a server that answers before it has finished sending
	// (aws-sdk-go-v2 issues 1825 and 2737), and a short pause avoids it.
	// A negative value means no pause.
	Delay time.Duration
}

// Server is an HTTP server on 127.0.0.1 that speaks the wire protocols of the
// AWS services cognitomon uses (CloudWatch: Smithy RPC v2 CBOR; CloudTrail,
// CloudWatch Logs and Cognito user pools: AWS JSON 1.1), answering
// from the in-memory fakes over the same simulated pools. Point a real SDK
// client at it with AWSConfig, BaseEndpoint, or AWS_ENDPOINT_URL=URL.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string
	// CloudWatch is the fake that answers CloudWatch requests; use it to
	// inject faults and count calls.
	CloudWatch *CloudWatch

	// CloudTrail is the fake that answers CloudTrail requests.
	CloudTrail *CloudTrail
	// Logs is the fake that answers CloudWatch Logs requests.
	Logs *Logs
	// Cognito is the fake that answers Cognito user pools (cognito-idp)
	// requests, and Trails the one that answers CloudTrail's trail
	// operations, both from the pools' PoolConfig.
	Cognito *Cognito
	Trails  *Trails

	srv    *httptest.Server
	delay  time.Duration
	routes routes

	mu       sync.Mutex
	requests map[string]int
}

// routes maps "Service.Operation" ("CloudWatch.GetMetricData",
// "Logs.StartQuery") to the fake's operation. Each fake registers its own.
type routes map[string]operation

// operation is one AWS operation: how to make its input, and the fake's
// method that answers it.
type operation struct {
	newInput func() any
	call     func(ctx context.Context, in any) (any, error)
}

// op adapts a fake's SDK-shaped method to an operation.
func op[I, O, P any](fn func(context.Context, *I, ...func(*P)) (*O, error)) operation {
	return operation{
		newInput: func() any { return new(I) },
		call:     func(ctx context.Context, in any) (any, error) { return fn(ctx, in.(*I)) },
	}
}

// NewServer starts a Server over the given pools. Close it when done.
func NewServer(pools []*Pool, optFns ...func(*ServerOptions)) *Server {
	var o ServerOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Delay == 0 {
		o.Delay = 2 * time.Millisecond
	}
	s := &Server{
		CloudWatch: NewCloudWatch(pools, o.CloudWatch...),
		CloudTrail: NewCloudTrail(pools, o.CloudTrail...),
		Logs:       NewLogs(pools, o.Logs...),
		Cognito:    NewCognito(pools, o.Cognito...),
		Trails:     NewTrails(pools),
		delay:      o.Delay,
		routes:     routes{},
		requests:   map[string]int{},
	}
	s.CloudWatch.register(s.routes)
	s.CloudTrail.register(s.routes)
	s.Logs.register(s.routes)
	s.Cognito.register(s.routes)
	s.Trails.register(s.routes)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Requests returns how many HTTP requests the server received for an
// operation, named as "Service.Operation" ("CloudWatch.GetMetricData"),
// retries and throttled requests included.
func (s *Server) Requests(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[name]
}

// AWSConfig returns an aws.Config for SDK clients that talk to the server:
// Region us-east-1, static test credentials, BaseEndpoint the server's URL,
// and an HTTP client that works where AWS_CA_BUNDLE is set.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDCOGNITOMONTEST", "cognitomontest-secret", ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   awshttp.NewBuildableClient(),
	}
}

// How requests name their service and operation (docs/WIRE.md section 2).
const (
	cloudWatchPrefix = "/service/GraniteServiceVersion20100801/operation/"
	cloudTrailTarget = "CloudTrail_20131101."
	logsTarget       = "Logs_20140328."
	cognitoTarget    = "AWSCognitoIdentityProviderService."
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	var name string
	var p protocol
	switch {
	case r.Method != http.MethodPost:
	case strings.HasPrefix(r.URL.Path, cloudWatchPrefix):
		name, p = "CloudWatch."+strings.TrimPrefix(r.URL.Path, cloudWatchPrefix), protoCBOR
	case r.URL.Path == "/" && strings.HasPrefix(target, cloudTrailTarget):
		name, p = "CloudTrail."+strings.TrimPrefix(target, cloudTrailTarget), protoJSONCloudTrail
	case r.URL.Path == "/" && strings.HasPrefix(target, logsTarget):
		name, p = "Logs."+strings.TrimPrefix(target, logsTarget), protoJSONLogs
	case r.URL.Path == "/" && strings.HasPrefix(target, cognitoTarget):
		// AWS JSON 1.1 with PascalCase members named as the Go fields,
		// like CloudTrail (docs/WIRE.md section 6).
		name, p = "Cognito."+strings.TrimPrefix(target, cognitoTarget), protoJSONCloudTrail
	}
	if name == "" {
		writeError(w, protoJSONCloudTrail, &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "cognitomontest serves no " + r.Method + " " + r.URL.Path + " " + target, Fault: smithy.FaultClient})
		return
	}
	s.count(name)
	s.dispatch(w, r, p, s.routes[name], name, body)
}

func (s *Server) count(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[name]++
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, p protocol, o operation, name string, body []byte) {
	if o.newInput == nil {
		writeError(w, p, &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "cognitomontest does not implement " + name, Fault: smithy.FaultClient})
		return
	}
	in := o.newInput()
	if err := decodeRequest(p, body, in); err != nil {
		writeError(w, p, &smithy.GenericAPIError{Code: "SerializationException", Message: err.Error(), Fault: smithy.FaultClient})
		return
	}
	out, err := o.call(r.Context(), in)
	if err != nil {
		writeError(w, p, err)
		return
	}
	writeResponse(w, p, out)
}
