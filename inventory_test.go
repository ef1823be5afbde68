package cognitomon_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cgtypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

const invPool cognitomon.UserPoolID = "eu-west-1_InvPool01"

// invClients returns real SDK clients for srv, without retries.
func invClients(srv *cognitomontest.Server) (*cognitoidentityprovider.Client, *cloudtrail.Client) {
	cfg := srv.AWSConfig()
	cfg.Region = invPool.Region()
	cg := cognitoidentityprovider.NewFromConfig(cfg, func(o *cognitoidentityprovider.Options) { o.RetryMaxAttempts = 1 })
	ct := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
	return cg, ct
}

// fastReads lifts the pacing so that tests do not wait for it.
func fastReads(ct cognitomon.TrailInspectAPI) func(*cognitomon.InventoryOptions) {
	return func(o *cognitomon.InventoryOptions) {
		o.ClientReadsPerSecond = 1000
		o.Trails = ct
	}
}

// TestReadInventoryDefaultPool reads the default simulated configuration
// through the real SDK clients and checks every client, the documented
// defaults and the trail.
func TestReadInventoryDefaultPool(t *testing.T) {
	pool := cognitomontest.NewPool(invPool)
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool})
	defer srv.Close()
	cg, ct := invClients(srv)

	inv, err := cognitomon.ReadInventory(context.Background(), cg, invPool, fastReads(ct))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Failures) != 0 {
		t.Fatalf("Failures = %v, want none", inv.Failures)
	}
	day := 24 * time.Hour
	defaultFlows := []string{"ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"}
	want := &cognitomon.Inventory{
		UserPool: invPool, Name: "cognitomon-invpool01", Tier: "ESSENTIALS",
		ThreatProtection: "OFF", CustomAuthThreatProtection: "OFF", MFA: "OPTIONAL",
		Domain: "invpool01", EstimatedUsers: 400,
		PasswordMinLength: 8, PasswordRequires: []string{"lowercase", "uppercase", "numbers"}, TemporaryPasswordDays: 7,
		Clients: []cognitomon.AppClient{
			{ID: "4k2webapp0example0client1", Name: "web-app", Described: true, PreventUserExistenceErrors: "ENABLED",
				ExplicitAuthFlows: []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
				OAuthFlows:        []string{"code"}, OAuthScopes: []string{"openid", "email", "profile"}, OAuthEnabled: true,
				CallbackURLs:        []string{"https://app.example.com/callback"},
				AccessTokenValidity: time.Hour, IDTokenValidity: time.Hour, RefreshTokenValidity: 30 * day, TokenRevocation: true},
			// Every optional field absent: the documented defaults.
			{ID: "7ios0mobile0example0client", Name: "ios-app", Described: true, PreventUserExistenceErrors: "LEGACY",
				ExplicitAuthFlows:   defaultFlows,
				AccessTokenValidity: time.Hour, IDTokenValidity: time.Hour, RefreshTokenValidity: 30 * day},
			{ID: "9android0example0client00", Name: "android-app", Described: true, PreventUserExistenceErrors: "LEGACY",
				ExplicitAuthFlows:   []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
				AccessTokenValidity: 30 * time.Minute, IDTokenValidity: 30 * time.Minute, RefreshTokenValidity: 7 * day, TokenRevocation: true},
			{ID: "2m2m0billing0example0clnt", Name: "billing-backend", Described: true, Confidential: true, PreventUserExistenceErrors: "ENABLED",
				ExplicitAuthFlows: []string{"ALLOW_REFRESH_TOKEN_AUTH"},
				OAuthFlows:        []string{"client_credentials"}, OAuthScopes: []string{"billing/read", "billing/write"}, OAuthEnabled: true,
				AccessTokenValidity: time.Hour, IDTokenValidity: time.Hour, RefreshTokenValidity: 30 * day, TokenRevocation: true},
			{ID: cognitomontest.IdleClient, Name: "legacy-admin-tool", Described: true, Confidential: true, PreventUserExistenceErrors: "LEGACY",
				ExplicitAuthFlows:   []string{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
				AccessTokenValidity: time.Hour, IDTokenValidity: time.Hour, RefreshTokenValidity: 30 * day},
		},
		Trails: []cognitomon.TrailCoverage{{
			Name: "management-events", ARN: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events", HomeRegion: "eu-west-1",
			MultiRegion: true, Logging: true, ManagementEvents: "All", Covers: true,
			S3Bucket: "cognitomon-trail-123456789012", S3Prefix: "cloudtrail", LogGroup: "aws-cloudtrail-logs-cognitomon",
		}},
		Failures: map[string]error{},
	}
	opts := cmp.Options{
		cmpopts.IgnoreFields(cognitomon.TrailCoverage{}, "LatestDelivery", "LatestCloudWatchLogsDelivery"),
		cmpopts.EquateEmpty(),
	}
	if diff := cmp.Diff(want, inv, opts); diff != "" {
		t.Errorf("inventory (-want +got):\n%s", diff)
	}
	if inv.Trails[0].LatestDelivery.IsZero() {
		t.Error("LatestDelivery is zero; the fake reports a delivery three minutes ago")
	}
	if s := fmt.Sprintf("%+v", inv); strings.Contains(s, "cognitomontestsecret") {
		t.Errorf("the inventory keeps a client secret: %s", s)
	}
	var machines, srp []cognitomon.ClientID
	for _, c := range inv.Clients {
		if c.Machine() {
			machines = append(machines, c.ID)
		}
		if c.AllowsSRPOrUserAuth() {
			srp = append(srp, c.ID)
		}
	}
	if diff := cmp.Diff([]cognitomon.ClientID{"2m2m0billing0example0clnt"}, machines); diff != "" {
		t.Errorf("Machine (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]cognitomon.ClientID{"4k2webapp0example0client1", "7ios0mobile0example0client"}, srp); diff != "" {
		t.Errorf("AllowsSRPOrUserAuth (-want +got):\n%s", diff)
	}
	tr, ok := inv.TrailLogGroup()
	if !ok || tr.LogGroup != "aws-cloudtrail-logs-cognitomon" {
		t.Errorf("TrailLogGroup = %+v, %v; want the default trail's group", tr, ok)
	}
}

// TestReadInventoryThreatProtection: a Plus pool with threat protection
// shows its mode, risk actions and user-activity log export.
func TestReadInventoryThreatProtection(t *testing.T) {
	pool := cognitomontest.NewPool(invPool, func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool})
	defer srv.Close()
	cg, _ := invClients(srv)
	inv, err := cognitomon.ReadInventory(context.Background(), cg, invPool, func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = 1000 })
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Tier, Mode, Compromised string
		ATO                     map[string]string
		Configured              bool
		Logs                    []cognitomon.LogDelivery
		Trails                  int
	}{inv.Tier, inv.ThreatProtection, inv.CompromisedCredentialsAction, inv.AccountTakeoverActions, inv.ThreatProtectionConfigured, inv.LogDelivery, len(inv.Trails)}
	want := got
	want.Tier, want.Mode, want.Compromised, want.Configured, want.Trails = "PLUS", "AUDIT", "BLOCK", true, 0
	want.ATO = map[string]string{"LOW": "NO_ACTION", "MEDIUM": "MFA_IF_CONFIGURED", "HIGH": "BLOCK"}
	want.Logs = []cognitomon.LogDelivery{{EventSource: "userAuthEvents", Level: "INFO", Kind: "cloudwatch-logs",
		ARN: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vendedlogs/cognito/user-activity", LogGroup: "/aws/vendedlogs/cognito/user-activity"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(inv.Failures) != 0 {
		t.Errorf("Failures = %v", inv.Failures)
	}
}

// TestReadInventoryAccessDenied: each call denied in turn is recorded
// under its IAM action, and everything else is still read.
func TestReadInventoryAccessDenied(t *testing.T) {
	denied := func() error {
		return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User is not authorized to perform this action", Fault: smithy.FaultClient}
	}
	tests := []struct {
		service, op string
		check       func(t *testing.T, inv *cognitomon.Inventory)
	}{
		{"cognito-idp", "DescribeUserPool", func(t *testing.T, inv *cognitomon.Inventory) {
			if inv.Name != "" || inv.Tier != "" || len(inv.Clients) != 5 {
				t.Errorf("Name %q Tier %q, %d clients; want no pool settings and all 5 clients", inv.Name, inv.Tier, len(inv.Clients))
			}
		}},
		{"cognito-idp", "ListUserPoolClients", func(t *testing.T, inv *cognitomon.Inventory) {
			if len(inv.Clients) != 0 || inv.Name == "" {
				t.Errorf("%d clients, name %q; want none and the pool's name", len(inv.Clients), inv.Name)
			}
		}},
		{"cognito-idp", "DescribeUserPoolClient", func(t *testing.T, inv *cognitomon.Inventory) {
			var described int
			for _, c := range inv.Clients {
				if c.Described {
					described++
				}
			}
			first := inv.Clients[0]
			if described != 4 || first.Described || first.Name != "web-app" || first.PreventUserExistenceErrors != "" {
				t.Errorf("%d described, first %+v; want 4 and the first known by ID and name only", described, first)
			}
		}},
		{"cognito-idp", "GetLogDeliveryConfiguration", func(t *testing.T, inv *cognitomon.Inventory) {
			if len(inv.LogDelivery) != 0 || len(inv.Clients) != 5 {
				t.Errorf("LogDelivery %v, %d clients", inv.LogDelivery, len(inv.Clients))
			}
		}},
		{"cognito-idp", "DescribeRiskConfiguration", func(t *testing.T, inv *cognitomon.Inventory) {
			if inv.ThreatProtectionConfigured || inv.ThreatProtection != "AUDIT" {
				t.Errorf("configured %v, mode %q; want false and AUDIT (from DescribeUserPool)", inv.ThreatProtectionConfigured, inv.ThreatProtection)
			}
		}},
		{"cloudtrail", "DescribeTrails", func(t *testing.T, inv *cognitomon.Inventory) {
			if len(inv.Trails) != 0 || len(inv.Clients) != 5 {
				t.Errorf("%d trails, %d clients", len(inv.Trails), len(inv.Clients))
			}
		}},
		{"cloudtrail", "GetTrailStatus", func(t *testing.T, inv *cognitomon.Inventory) {
			tr := inv.Trails[0]
			if tr.Covers || tr.Logging || tr.Err == nil || tr.LogGroup == "" {
				t.Errorf("trail %+v; want coverage unknown, the error, and the log group from DescribeTrails", tr)
			}
			if _, ok := inv.TrailLogGroup(); ok {
				t.Error("TrailLogGroup found a group on a trail whose status is unknown")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			pool := cognitomontest.NewPool(invPool, func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
			srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool})
			defer srv.Close()
			if tt.service == "cloudtrail" {
				srv.Trails.FailNext(tt.op, denied())
			} else {
				srv.Cognito.FailNext(tt.op, denied())
			}
			cg, ct := invClients(srv)
			inv, err := cognitomon.ReadInventory(context.Background(), cg, invPool, fastReads(ct))
			if err != nil {
				t.Fatalf("ReadInventory failed: %v; want a partial inventory", err)
			}
			action := tt.service + ":" + tt.op
			if len(inv.Failures) != 1 || inv.Failures[action] == nil {
				t.Fatalf("Failures = %v, want exactly %s", inv.Failures, action)
			}
			var ae smithy.APIError
			if !errors.As(inv.Failures[action], &ae) || ae.ErrorCode() != "AccessDeniedException" {
				t.Errorf("failure %v does not carry the AccessDeniedException", inv.Failures[action])
			}
			tt.check(t, inv)
		})
	}
}

// TestReadInventoryPaging: more clients than a page holds are all listed,
// each described once.
func TestReadInventoryPaging(t *testing.T) {
	pool := cognitomontest.NewPool(invPool)
	cfg := pool.Config()
	cfg.Clients = nil
	for i := range 130 {
		cfg.Clients = append(cfg.Clients, cgtypes.UserPoolClientType{ClientId: aws.String(fmt.Sprintf("client%03d", i)), ClientName: aws.String(fmt.Sprintf("app %d", i))})
	}
	pool.SetConfig(cfg)
	fake := cognitomontest.NewCognito([]*cognitomontest.Pool{pool})
	inv, err := cognitomon.ReadInventory(context.Background(), fake, invPool, func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = 1e6 })
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Clients) != 130 || inv.Clients[129].ID != "client129" || inv.Clients[129].Name != "app 129" {
		t.Fatalf("%d clients, last %+v", len(inv.Clients), inv.Clients[len(inv.Clients)-1])
	}
	if got := fake.Calls("ListUserPoolClients"); got != 3 {
		t.Errorf("ListUserPoolClients calls = %d, want 3 pages of 60", got)
	}
	if got := fake.Calls("DescribeUserPoolClient"); got != 130 {
		t.Errorf("DescribeUserPoolClient calls = %d, want 130", got)
	}
}

// invClock is a clock that Sleep advances.
type invClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *invClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *invClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return nil
}

// TestReadInventoryPacing: the UserPoolClientRead calls are spaced at the
// configured rate (in virtual time), and at the default rate a fake that
// throttles beyond Cognito's 5 per pool and second never throttles.
func TestReadInventoryPacing(t *testing.T) {
	t.Run("virtual", func(t *testing.T) {
		pool := cognitomontest.NewPool(invPool)
		fake := cognitomontest.NewCognito([]*cognitomontest.Pool{pool})
		clock := &invClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		_, err := cognitomon.ReadInventory(context.Background(), fake, invPool, func(o *cognitomon.InventoryOptions) {
			o.ClientReadsPerSecond = 2
			o.Clock, o.Sleep = clock.Now, clock.Sleep
		})
		if err != nil {
			t.Fatal(err)
		}
		// One list page and five describes: six calls, five gaps of
		// 1/2 s (the shared limiter keeps any one-second window at the
		// rate).
		if want := 5 * 500 * time.Millisecond; clock.slept < want || clock.slept > want+time.Millisecond {
			t.Errorf("slept %v, want %v", clock.slept, want)
		}
	})
	t.Run("wire", func(t *testing.T) {
		if testing.Short() {
			t.Skip("takes over a second")
		}
		pool := cognitomontest.NewPool(invPool)
		srv := cognitomontest.NewServer([]*cognitomontest.Pool{pool}, func(o *cognitomontest.ServerOptions) {
			o.Cognito = append(o.Cognito, func(o *cognitomontest.CognitoOptions) { o.ClientReadsPerSecond = 5 })
		})
		defer srv.Close()
		cg, _ := invClients(srv)
		inv, err := cognitomon.ReadInventory(context.Background(), cg, invPool)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Failures) != 0 {
			t.Errorf("at the default rate: Failures = %v", inv.Failures)
		}
		// Unpaced, a fresh fake like it throttles: the failure is recorded.
		srv2 := cognitomontest.NewServer([]*cognitomontest.Pool{pool}, func(o *cognitomontest.ServerOptions) {
			o.Cognito = append(o.Cognito, func(o *cognitomontest.CognitoOptions) { o.ClientReadsPerSecond = 5 })
		})
		defer srv2.Close()
		cg, _ = invClients(srv2)
		inv, err = cognitomon.ReadInventory(context.Background(), cg, invPool, func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = 1e6 })
		if err != nil {
			t.Fatal(err)
		}
		var ae smithy.APIError
		if f := inv.Failures["cognito-idp:DescribeUserPoolClient"]; !errors.As(f, &ae) || ae.ErrorCode() != "TooManyRequestsException" {
			t.Errorf("unpaced: Failures = %v, want a TooManyRequestsException for DescribeUserPoolClient", inv.Failures)
		}
	})
}

// TestReadInventoryBadInput: bad input and a done context are errors.
func TestReadInventoryBadInput(t *testing.T) {
	fake := cognitomontest.NewCognito([]*cognitomontest.Pool{cognitomontest.NewPool(invPool)})
	if _, err := cognitomon.ReadInventory(context.Background(), fake, "not-a-pool"); !errors.Is(err, cognitomon.ErrInvalidUserPoolID) {
		t.Errorf("bad pool: err = %v, want ErrInvalidUserPoolID", err)
	}
	if _, err := cognitomon.ReadInventory(context.Background(), fake, invPool, func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = -1 }); err == nil {
		t.Error("negative rate: no error")
	}
	if _, err := cognitomon.ReadInventory(context.Background(), nil, invPool); err == nil {
		t.Error("no API at all: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := cognitomon.ReadInventory(ctx, fake, invPool); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
	// Cancelled in the middle of the describes: the error, not a failure.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	clock := &invClock{now: time.Unix(0, 0)}
	calls := 0
	inv, err := cognitomon.ReadInventory(ctx, fake, invPool, func(o *cognitomon.InventoryOptions) {
		o.Clock = clock.Now
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if calls++; calls == 3 {
				cancel()
			}
			return clock.Sleep(ctx, d)
		}
	})
	if !errors.Is(err, context.Canceled) || inv == nil || len(inv.Failures) != 0 || inv.Name == "" {
		t.Errorf("cancelled mid-way: err %v, inventory %+v; want context.Canceled with what was read", err, inv)
	}
}

// TestReadInventoryLogDeliveryNotFound: ResourceNotFoundException from
// GetLogDeliveryConfiguration on a pool that exists means nothing is
// configured (FACTS.md 9.1 [X]: AWS may answer either way).
func TestReadInventoryLogDeliveryNotFound(t *testing.T) {
	pool := cognitomontest.NewPool(invPool, func(o *cognitomontest.PoolOptions) { o.ThreatProtection = true })
	fake := cognitomontest.NewCognito([]*cognitomontest.Pool{pool})
	fake.FailNext("GetLogDeliveryConfiguration", &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "no configuration"})
	inv, err := cognitomon.ReadInventory(context.Background(), fake, invPool, func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = 1e6 })
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Failures) != 0 || len(inv.LogDelivery) != 0 {
		t.Errorf("Failures %v, LogDelivery %v; want neither", inv.Failures, inv.LogDelivery)
	}
	// For a pool that does not exist it is a failure of every call.
	inv, err = cognitomon.ReadInventory(context.Background(), fake, "eu-west-1_Missing1", func(o *cognitomon.InventoryOptions) { o.ClientReadsPerSecond = 1e6 })
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"cognito-idp:DescribeUserPool", "cognito-idp:GetLogDeliveryConfiguration", "cognito-idp:DescribeRiskConfiguration", "cognito-idp:ListUserPoolClients"} {
		if inv.Failures[action] == nil {
			t.Errorf("missing pool: no failure for %s (%v)", action, inv.Failures)
		}
	}
}
