package cognitomontest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cgtypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
)

// PoolConfig is a simulated pool's own configuration, as the Cognito user
// pools API and CloudTrail's trail operations describe it. Its fields are
// the SDK's own types, so a test can set anything AWS can return.
type PoolConfig struct {
	// UserPool is what DescribeUserPool returns. Its Id is the pool's.
	UserPool cgtypes.UserPoolType
	// Clients are the app clients, in ListUserPoolClients order. A
	// confidential client has a ClientSecret.
	Clients []cgtypes.UserPoolClientType
	// LogDelivery is what GetLogDeliveryConfiguration returns.
	LogDelivery []cgtypes.LogConfigurationType
	// Risk is the pool-level risk configuration; nil makes
	// DescribeRiskConfiguration fail with UserPoolAddOnNotEnabledException,
	// as on a pool without threat protection (FACTS.md 9.1 [P]).
	Risk *cgtypes.RiskConfigurationType
	// Trails are the CloudTrail trails in the pool's account that the
	// Trails fake serves, as DescribeTrails, GetTrailStatus and
	// GetEventSelectors describe them.
	Trails []TrailSetup
}

// The client IDs of DefaultPoolConfig besides those of DefaultClients and
// DefaultMachines.
const (
	// IdleClient is a client with no traffic: ListMetrics never shows it.
	IdleClient cognitomon.ClientID = "5idle0legacy0example0clnt"
)

// DefaultPoolConfig returns the configuration of a typical small pool with
// the clients of DefaultClients and DefaultMachines plus IdleClient:
//   - the web app (managed login, code flow, PreventUserExistenceErrors
//     ENABLED, SRP and refresh flows);
//   - the iOS app with every optional field absent (LEGACY, the default
//     flows, a refresh validity of 0);
//   - the Android app (USER_PASSWORD_AUTH, LEGACY, validities in minutes);
//   - the machine client (confidential, client_credentials only);
//   - the idle client (confidential, admin password flow).
//
// The pool is on the Essentials plan without threat protection and without
// log export, or on the Plus plan with threat protection in AUDIT mode and
// user-activity logs (to the Logs fake's default group) when o says
// ThreatProtection. One multi-Region trail logs all management events to S3
// and to the Logs fake's default trail group.
func DefaultPoolConfig(id cognitomon.UserPoolID, o PoolOptions) PoolConfig {
	region := id.Region()
	account := o.Account
	if account == "" {
		account = "123456789012"
	}
	suffix := strings.ToLower(string(id)[strings.LastIndexByte(string(id), '_')+1:])
	pool := cgtypes.UserPoolType{
		Id:                     aws.String(string(id)),
		Name:                   aws.String("cognitomon-" + suffix),
		Arn:                    aws.String("arn:aws:cognito-idp:" + region + ":" + account + ":userpool/" + string(id)),
		UserPoolTier:           cgtypes.UserPoolTierTypeEssentials,
		MfaConfiguration:       cgtypes.UserPoolMfaTypeOptional,
		DeletionProtection:     cgtypes.DeletionProtectionTypeInactive,
		EstimatedNumberOfUsers: 400,
		Policies: &cgtypes.UserPoolPolicyType{PasswordPolicy: &cgtypes.PasswordPolicyType{
			MinimumLength: aws.Int32(8), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: false,
			TemporaryPasswordValidityDays: 7,
		}},
	}
	domain := o.Domain
	if domain == "" {
		domain = suffix + ".auth." + region + ".amazoncognito.com"
	}
	if prefix, ok := strings.CutSuffix(domain, ".auth."+region+".amazoncognito.com"); ok {
		pool.Domain = aws.String(prefix)
	} else {
		pool.CustomDomain = aws.String(domain)
	}
	cfg := PoolConfig{UserPool: pool}
	if o.ThreatProtection {
		cfg.UserPool.UserPoolTier = cgtypes.UserPoolTierTypePlus
		cfg.UserPool.UserPoolAddOns = &cgtypes.UserPoolAddOnsType{AdvancedSecurityMode: cgtypes.AdvancedSecurityModeTypeAudit}
		cfg.LogDelivery = []cgtypes.LogConfigurationType{{
			EventSource: cgtypes.EventSourceNameUserAuthEvents, LogLevel: cgtypes.LogLevelInfo,
			CloudWatchLogsConfiguration: &cgtypes.CloudWatchLogsConfigurationType{
				LogGroupArn: aws.String("arn:aws:logs:" + region + ":" + account + ":log-group:/aws/vendedlogs/cognito/user-activity"),
			},
		}}
		action := func(a cgtypes.AccountTakeoverEventActionType) *cgtypes.AccountTakeoverActionType {
			return &cgtypes.AccountTakeoverActionType{EventAction: a, Notify: true}
		}
		cfg.Risk = &cgtypes.RiskConfigurationType{
			UserPoolId: aws.String(string(id)),
			CompromisedCredentialsRiskConfiguration: &cgtypes.CompromisedCredentialsRiskConfigurationType{
				Actions: &cgtypes.CompromisedCredentialsActionsType{EventAction: cgtypes.CompromisedCredentialsEventActionTypeBlock},
			},
			AccountTakeoverRiskConfiguration: &cgtypes.AccountTakeoverRiskConfigurationType{Actions: &cgtypes.AccountTakeoverActionsType{
				LowAction:    action(cgtypes.AccountTakeoverEventActionTypeNoAction),
				MediumAction: action(cgtypes.AccountTakeoverEventActionTypeMfaIfConfigured),
				HighAction:   action(cgtypes.AccountTakeoverEventActionTypeBlock),
			}},
		}
	}
	client := func(id cognitomon.ClientID, name string) cgtypes.UserPoolClientType {
		return cgtypes.UserPoolClientType{ClientId: aws.String(string(id)), ClientName: aws.String(name), UserPoolId: pool.Id}
	}
	web := client(DefaultClients()[0].ID, "web-app")
	web.PreventUserExistenceErrors = cgtypes.PreventUserExistenceErrorTypesEnabled
	web.ExplicitAuthFlows = []cgtypes.ExplicitAuthFlowsType{cgtypes.ExplicitAuthFlowsTypeAllowUserSrpAuth, cgtypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	web.AllowedOAuthFlows = []cgtypes.OAuthFlowType{cgtypes.OAuthFlowTypeCode}
	web.AllowedOAuthFlowsUserPoolClient = aws.Bool(true)
	web.AllowedOAuthScopes = []string{"openid", "email", "profile"}
	web.CallbackURLs = []string{"https://app.example.com/callback"}
	web.SupportedIdentityProviders = []string{"COGNITO", "Google", "CorpSAML"}
	web.AccessTokenValidity, web.IdTokenValidity, web.RefreshTokenValidity = aws.Int32(1), aws.Int32(1), 30
	web.TokenValidityUnits = &cgtypes.TokenValidityUnitsType{AccessToken: cgtypes.TimeUnitsTypeHours, IdToken: cgtypes.TimeUnitsTypeHours, RefreshToken: cgtypes.TimeUnitsTypeDays}
	web.EnableTokenRevocation = aws.Bool(true)

	ios := client(DefaultClients()[1].ID, "ios-app") // every optional field absent

	android := client(DefaultClients()[2].ID, "android-app")
	android.PreventUserExistenceErrors = cgtypes.PreventUserExistenceErrorTypesLegacy
	android.ExplicitAuthFlows = []cgtypes.ExplicitAuthFlowsType{cgtypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth, cgtypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	android.AccessTokenValidity, android.IdTokenValidity, android.RefreshTokenValidity = aws.Int32(30), aws.Int32(30), 7
	android.TokenValidityUnits = &cgtypes.TokenValidityUnitsType{AccessToken: cgtypes.TimeUnitsTypeMinutes, IdToken: cgtypes.TimeUnitsTypeMinutes, RefreshToken: cgtypes.TimeUnitsTypeDays}
	android.EnableTokenRevocation = aws.Bool(true)

	machine := client(DefaultMachines()[0].ID, "billing-backend")
	machine.ClientSecret = aws.String("cognitomontestsecret0machine0" + suffix)
	machine.AllowedOAuthFlows = []cgtypes.OAuthFlowType{cgtypes.OAuthFlowTypeClientCredentials}
	machine.AllowedOAuthFlowsUserPoolClient = aws.Bool(true)
	machine.AllowedOAuthScopes = []string{"billing/read", "billing/write"}
	machine.PreventUserExistenceErrors = cgtypes.PreventUserExistenceErrorTypesEnabled
	machine.ExplicitAuthFlows = []cgtypes.ExplicitAuthFlowsType{cgtypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	machine.EnableTokenRevocation = aws.Bool(true)

	idle := client(IdleClient, "legacy-admin-tool")
	idle.ClientSecret = aws.String("cognitomontestsecret0idle0" + suffix)
	idle.ExplicitAuthFlows = []cgtypes.ExplicitAuthFlowsType{cgtypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, cgtypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	idle.EnableTokenRevocation = aws.Bool(false)

	cfg.Clients = []cgtypes.UserPoolClientType{web, ios, android, machine, idle}
	cfg.Trails = []TrailSetup{DefaultTrail(region, account)}
	return cfg
}

// Config returns a copy of the pool's configuration.
func (p *Pool) Config() PoolConfig {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.config.clone()
}

// SetConfig replaces the pool's configuration. The user pool's Id is set to
// the pool's ID.
func (p *Pool) SetConfig(c PoolConfig) {
	c = c.clone()
	c.UserPool.Id = aws.String(string(p.id))
	p.mu.Lock()
	defer p.mu.Unlock()
	p.config = c
}

// clone copies c deeply enough that the copy's slices can be changed.
func (c PoolConfig) clone() PoolConfig {
	c.Clients = slices.Clone(c.Clients)
	c.LogDelivery = slices.Clone(c.LogDelivery)
	c.Trails = slices.Clone(c.Trails)
	if c.Risk != nil {
		r := *c.Risk
		c.Risk = &r
	}
	return c
}

// CognitoOptions configure a Cognito fake. Zero values mean the documented
// defaults.
type CognitoOptions struct {
	// ClientReadsPerSecond, when positive, makes the fake throttle
	// (TooManyRequestsException) ListUserPoolClients and
	// DescribeUserPoolClient calls for one pool beyond this many in any
	// one-second window, as Cognito's UserPoolClientRead category does at 5
	// per pool (FACTS.md 9.1). Default 0: no limit.
	ClientReadsPerSecond float64
}

// Cognito is an in-memory fake of the Cognito user pools API operations
// that read a pool's configuration (PoolConfig): ListUserPoolClients,
// DescribeUserPoolClient, DescribeUserPool, GetLogDeliveryConfiguration and
// DescribeRiskConfiguration. It implements cognitomon.CognitoAPI.
type Cognito struct {
	pools []*Pool
	opts  CognitoOptions

	mu      sync.Mutex
	calls   map[string][]time.Time // by operation
	failing map[string][]error     // by operation
}

// NewCognito returns a Cognito fake over the given pools.
func NewCognito(pools []*Pool, optFns ...func(*CognitoOptions)) *Cognito {
	var o CognitoOptions
	for _, fn := range optFns {
		fn(&o)
	}
	return &Cognito{pools: slices.Clone(pools), opts: o, calls: map[string][]time.Time{}, failing: map[string][]error{}}
}

// register adds the fake's operations to the server's routes.
func (f *Cognito) register(r routes) {
	r["Cognito.ListUserPoolClients"] = op(f.ListUserPoolClients)
	r["Cognito.DescribeUserPoolClient"] = op(f.DescribeUserPoolClient)
	r["Cognito.DescribeUserPool"] = op(f.DescribeUserPool)
	r["Cognito.GetLogDeliveryConfiguration"] = op(f.GetLogDeliveryConfiguration)
	r["Cognito.DescribeRiskConfiguration"] = op(f.DescribeRiskConfiguration)
}

// FailNext makes the next call of operation ("DescribeUserPool",
// "ListUserPoolClients" ...) return err, such as
// &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "..."}.
// Calls queue up: FailNext twice fails the next two calls.
func (f *Cognito) FailNext(operation string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing[operation] = append(f.failing[operation], err)
}

// Calls returns how many calls of operation the fake received, failed ones
// included.
func (f *Cognito) Calls(operation string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls[operation])
}

// CallTimes returns when each call of operation arrived, by the wall clock.
func (f *Cognito) CallTimes(operation string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls[operation])
}

// cgError is a Cognito error as the service sends it: __type and a
// lower-case message (FACTS.md 9.5 item 2).
func cgError(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg, Fault: smithy.FaultClient}
}

// begin counts a call, applies an injected failure or the rate limit, and
// finds the pool. clientRead marks the UserPoolClientRead category.
func (f *Cognito) begin(ctx context.Context, operation string, poolID *string, clientRead bool) (*Pool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	f.mu.Lock()
	f.calls[operation] = append(f.calls[operation], now)
	var failure error
	if q := f.failing[operation]; len(q) > 0 {
		failure, f.failing[operation] = q[0], q[1:]
	}
	throttled := false
	if clientRead && f.opts.ClientReadsPerSecond > 0 {
		n := 0
		for _, name := range []string{"ListUserPoolClients", "DescribeUserPoolClient"} {
			for _, t := range f.calls[name] {
				if now.Sub(t) < time.Second {
					n++
				}
			}
		}
		throttled = float64(n) > f.opts.ClientReadsPerSecond
	}
	f.mu.Unlock()
	if failure != nil {
		return nil, failure
	}
	if throttled {
		return nil, cgError("TooManyRequestsException", "Rate exceeded")
	}
	id := aws.ToString(poolID)
	if id == "" {
		return nil, cgError("InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
	}
	if err := cognitomon.UserPoolID(id).Validate(); err != nil {
		return nil, cgError("InvalidParameterException", "1 validation error detected: Value at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+")
	}
	for _, p := range f.pools {
		if string(p.id) == id {
			return p, nil
		}
	}
	return nil, cgError("ResourceNotFoundException", "User pool "+id+" does not exist.")
}

// ListUserPoolClients lists the pool's clients: IDs, names and the pool
// only, as AWS does (FACTS.md 9.1), MaxResults 1 to 60 (default 60 here;
// AWS's default is not documented).
func (f *Cognito) ListUserPoolClients(ctx context.Context, in *cognitoidentityprovider.ListUserPoolClientsInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ListUserPoolClientsOutput, error) {
	if in == nil {
		in = &cognitoidentityprovider.ListUserPoolClientsInput{}
	}
	p, err := f.begin(ctx, "ListUserPoolClients", in.UserPoolId, true)
	if err != nil {
		return nil, err
	}
	limit := 60
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 60 {
			return nil, cgError("InvalidParameterException", "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 60")
		}
		limit = int(*in.MaxResults)
	}
	clients := p.Config().Clients
	offset := 0
	if in.NextToken != nil {
		n, err := strconv.Atoi(strings.TrimPrefix(*in.NextToken, "clients-"))
		if err != nil || !strings.HasPrefix(*in.NextToken, "clients-") || n < 0 || n > len(clients) {
			return nil, cgError("InvalidParameterException", "invalid NextToken")
		}
		offset = n
	}
	stop := min(offset+limit, len(clients))
	out := &cognitoidentityprovider.ListUserPoolClientsOutput{UserPoolClients: []cgtypes.UserPoolClientDescription{}}
	for _, c := range clients[offset:stop] {
		out.UserPoolClients = append(out.UserPoolClients, cgtypes.UserPoolClientDescription{ClientId: c.ClientId, ClientName: c.ClientName, UserPoolId: aws.String(string(p.id))})
	}
	if stop < len(clients) {
		out.NextToken = aws.String("clients-" + strconv.Itoa(stop))
	}
	return out, nil
}

// DescribeUserPoolClient returns one client's whole configuration, its
// secret in clear text as AWS does (FACTS.md 9.5 item 8).
func (f *Cognito) DescribeUserPoolClient(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolClientInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolClientOutput, error) {
	if in == nil {
		in = &cognitoidentityprovider.DescribeUserPoolClientInput{}
	}
	p, err := f.begin(ctx, "DescribeUserPoolClient", in.UserPoolId, true)
	if err != nil {
		return nil, err
	}
	id := aws.ToString(in.ClientId)
	if err := cognitomon.ClientID(id).Validate(); err != nil {
		return nil, cgError("InvalidParameterException", "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+]+")
	}
	for _, c := range p.Config().Clients {
		if aws.ToString(c.ClientId) == id {
			c.UserPoolId = aws.String(string(p.id))
			return &cognitoidentityprovider.DescribeUserPoolClientOutput{UserPoolClient: &c}, nil
		}
	}
	return nil, cgError("ResourceNotFoundException", "User pool client "+id+" does not exist.")
}

// DescribeUserPool returns the pool's settings.
func (f *Cognito) DescribeUserPool(ctx context.Context, in *cognitoidentityprovider.DescribeUserPoolInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolOutput, error) {
	if in == nil {
		in = &cognitoidentityprovider.DescribeUserPoolInput{}
	}
	p, err := f.begin(ctx, "DescribeUserPool", in.UserPoolId, false)
	if err != nil {
		return nil, err
	}
	up := p.Config().UserPool
	return &cognitoidentityprovider.DescribeUserPoolOutput{UserPool: &up}, nil
}

// GetLogDeliveryConfiguration returns the pool's log export, an empty list
// when none is configured (which of an empty list or
// ResourceNotFoundException AWS answers is not documented, FACTS.md 9.1; a
// test can inject the second with FailNext).
func (f *Cognito) GetLogDeliveryConfiguration(ctx context.Context, in *cognitoidentityprovider.GetLogDeliveryConfigurationInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.GetLogDeliveryConfigurationOutput, error) {
	if in == nil {
		in = &cognitoidentityprovider.GetLogDeliveryConfigurationInput{}
	}
	p, err := f.begin(ctx, "GetLogDeliveryConfiguration", in.UserPoolId, false)
	if err != nil {
		return nil, err
	}
	logs := p.Config().LogDelivery
	if logs == nil {
		logs = []cgtypes.LogConfigurationType{}
	}
	return &cognitoidentityprovider.GetLogDeliveryConfigurationOutput{LogDeliveryConfiguration: &cgtypes.LogDeliveryConfigurationType{
		UserPoolId: aws.String(string(p.id)), LogConfigurations: logs,
	}}, nil
}

// DescribeRiskConfiguration returns the pool-level risk configuration, or
// UserPoolAddOnNotEnabledException when the pool has none. A ClientId asks
// for the client's override, which this fake does not model: it answers
// with the pool's.
func (f *Cognito) DescribeRiskConfiguration(ctx context.Context, in *cognitoidentityprovider.DescribeRiskConfigurationInput, _ ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeRiskConfigurationOutput, error) {
	if in == nil {
		in = &cognitoidentityprovider.DescribeRiskConfigurationInput{}
	}
	p, err := f.begin(ctx, "DescribeRiskConfiguration", in.UserPoolId, false)
	if err != nil {
		return nil, err
	}
	rc := p.Config().Risk
	if rc == nil {
		return nil, cgError("UserPoolAddOnNotEnabledException", fmt.Sprintf("Advanced security features are not enabled for user pool %s.", p.id))
	}
	rc.UserPoolId = aws.String(string(p.id))
	return &cognitoidentityprovider.DescribeRiskConfigurationOutput{RiskConfiguration: rc}, nil
}
