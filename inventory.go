package cognitomon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	cgtypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
)

// CognitoAPI is the part of the Cognito user pools API (cognito-idp) that
// ReadInventory calls. *cognitoidentityprovider.Client satisfies it; so does
// cognitomontest.Cognito.
type CognitoAPI interface {
	ListUserPoolClients(ctx context.Context, params *cognitoidentityprovider.ListUserPoolClientsInput, optFns ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.ListUserPoolClientsOutput, error)
	DescribeUserPoolClient(ctx context.Context, params *cognitoidentityprovider.DescribeUserPoolClientInput, optFns ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolClientOutput, error)
	DescribeUserPool(ctx context.Context, params *cognitoidentityprovider.DescribeUserPoolInput, optFns ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeUserPoolOutput, error)
	GetLogDeliveryConfiguration(ctx context.Context, params *cognitoidentityprovider.GetLogDeliveryConfigurationInput, optFns ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.GetLogDeliveryConfigurationOutput, error)
	DescribeRiskConfiguration(ctx context.Context, params *cognitoidentityprovider.DescribeRiskConfigurationInput, optFns ...func(*cognitoidentityprovider.Options)) (*cognitoidentityprovider.DescribeRiskConfigurationOutput, error)
}

var _ CognitoAPI = (*cognitoidentityprovider.Client)(nil)

// InventoryOptions configure ReadInventory. Zero values mean the documented
// defaults.
type InventoryOptions struct {
	// ClientReadsPerSecond caps the ListUserPoolClients and
	// DescribeUserPoolClient calls, which share Cognito's UserPoolClientRead
	// category: 15 requests per second per account and Region, and 5 per
	// user pool (FACTS.md 9.1, 9.5 item 5). Calls are spaced at least
	// 1.01/ClientReadsPerSecond apart. Default 5. Other programs in
	// the account share AWS's limits but not this one; lower it when they
	// run at the same time. A negative value is an error.
	ClientReadsPerSecond float64
	// Trails, when set, is used to read which CloudTrail trails log the
	// pool's management events (Inventory.Trails). Call it in the pool's
	// Region: DescribeTrails answers for the Region it is called in.
	Trails TrailInspectAPI
	// Clock and Sleep run the pacing in virtual time, as in TrailOptions:
	// with Sleep set, Clock paces the calls. Defaults time.Now and a timer.
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Inventory is a user pool's own configuration as the Cognito API and, when
// asked for, CloudTrail describe it. It is read once by ReadInventory and
// is a plain value afterwards.
//
// Reading degrades instead of failing: a call that AWS refuses (access
// denied, throttled after the SDK's retries, any other error) leaves its
// fields at their zero values and is recorded in Failures under the IAM
// action it needs, so a caller can say what it could not see.
type Inventory struct {
	// UserPool is the pool's ID.
	UserPool UserPoolID
	// Name is the pool's name.
	Name string
	// Tier is the feature plan: "LITE", "ESSENTIALS" or "PLUS" (FACTS.md
	// 9.1), "" when DescribeUserPool was not read or did not say.
	Tier string
	// ThreatProtection is UserPoolAddOns.AdvancedSecurityMode for standard
	// authentication: "OFF", "AUDIT" or "ENFORCED". A pool without
	// UserPoolAddOns is "OFF" (FACTS.md 9.5 item 6). "" when not read.
	ThreatProtection string
	// CustomAuthThreatProtection is AdvancedSecurityAdditionalFlows.
	// CustomAuthMode, "AUDIT" or "ENFORCED"; "OFF" when absent; "" when
	// not read.
	CustomAuthThreatProtection string
	// MFA is MfaConfiguration: "OFF", "ON" or "OPTIONAL"; "" when not read.
	MFA string
	// DeletionProtection reports DeletionProtection ACTIVE.
	DeletionProtection bool
	// Domain is the managed-login domain prefix, CustomDomain the custom
	// domain's full name; "" when the pool has none.
	Domain, CustomDomain string
	// EstimatedUsers is Cognito's estimate of the number of users (not an
	// exact count, FACTS.md 9.1).
	EstimatedUsers int
	// PasswordMinLength, PasswordRequires and TemporaryPasswordDays are the
	// pool's password policy. PasswordRequires lists what a password must
	// contain, from "lowercase", "uppercase", "numbers" and "symbols".
	PasswordMinLength     int
	PasswordRequires      []string
	TemporaryPasswordDays int
	// LogDelivery is where the pool exports its logs
	// (GetLogDeliveryConfiguration), one entry per destination. Empty when
	// nothing is configured, or when the call failed (see Failures).
	LogDelivery []LogDelivery
	// ThreatProtectionConfigured reports that DescribeRiskConfiguration
	// answered with a pool-level configuration. It is false when threat
	// protection is not enabled (UserPoolAddOnNotEnabledException, FACTS.md
	// 9.1) or the call failed.
	ThreatProtectionConfigured bool
	// CompromisedCredentialsAction is the pool-level action on compromised
	// credentials, "BLOCK" or "NO_ACTION"; "" when not configured.
	CompromisedCredentialsAction string
	// AccountTakeoverActions maps "LOW", "MEDIUM" and "HIGH" to the
	// adaptive-authentication action at that risk ("BLOCK",
	// "MFA_IF_CONFIGURED", "MFA_REQUIRED", "NO_ACTION").
	AccountTakeoverActions map[string]string
	// SkippedIPRanges are the CIDR ranges threat protection never checks.
	SkippedIPRanges []string
	// Clients are the pool's app clients, every one that ListUserPoolClients
	// lists, idle ones included, in its order.
	Clients []AppClient
	// Trails are the trails in the pool's Region or multi-Region trails,
	// one per trail ARN, when InventoryOptions.Trails was set.
	Trails []TrailCoverage
	// Failures maps the IAM action of each call that failed
	// ("cognito-idp:ListUserPoolClients", "cloudtrail:GetTrailStatus") to
	// its error; several failures of one action are joined. Empty when
	// everything was read.
	Failures map[string]error
}

// LogDelivery is one destination of a pool's log export.
type LogDelivery struct {
	// EventSource is "userNotification" (message delivery errors) or
	// "userAuthEvents" (the user-activity log of threat protection).
	EventSource string
	// Level is "ERROR" or "INFO".
	Level string
	// Kind is "cloudwatch-logs", "s3" or "firehose".
	Kind string
	// ARN is the destination: a log group, bucket or stream ARN.
	ARN string
	// LogGroup is the log group's name for a CloudWatch Logs destination,
	// else "".
	LogGroup string
}

// AppClient is one app client of a pool, as DescribeUserPoolClient gives
// it, with Cognito's documented defaults applied to absent fields. The
// client secret is never kept: Confidential says whether there is one.
type AppClient struct {
	// ID and Name are the client's ID and name.
	ID   ClientID
	Name string
	// Described reports that DescribeUserPoolClient answered. When false,
	// only ID and Name are known (from ListUserPoolClients) and the other
	// fields are zero.
	Described bool
	// Confidential reports that the client has a secret (FACTS.md 9.5
	// item 8).
	Confidential bool
	// PreventUserExistenceErrors is "ENABLED" or "LEGACY" (the documented
	// default when absent, FACTS.md 9.5 item 6).
	PreventUserExistenceErrors string
	// ExplicitAuthFlows are the client's auth flows. When the client lists
	// none, they are Cognito's documented default: ALLOW_REFRESH_TOKEN_AUTH,
	// ALLOW_USER_SRP_AUTH and ALLOW_CUSTOM_AUTH (FACTS.md 9.5 item 6).
	ExplicitAuthFlows []string
	// OAuthFlows ("code", "implicit", "client_credentials") and OAuthScopes
	// are the client's OAuth settings; OAuthEnabled is
	// AllowedOAuthFlowsUserPoolClient, without which they do not apply.
	OAuthFlows   []string
	OAuthScopes  []string
	OAuthEnabled bool
	// CallbackURLs are the allowed redirect URLs.
	CallbackURLs []string
	// AccessTokenValidity, IDTokenValidity and RefreshTokenValidity are the
	// token lifetimes, converted with TokenValidityUnits and the documented
	// defaults: 1 hour, 1 hour, 30 days, and 30 days for a refresh
	// validity of 0 (FACTS.md 6.2, 9.5 item 7).
	AccessTokenValidity  time.Duration
	IDTokenValidity      time.Duration
	RefreshTokenValidity time.Duration
	// TokenRevocation is EnableTokenRevocation.
	TokenRevocation bool
}

// Machine reports that the client is a machine-to-machine client: its only
// OAuth flow is client_credentials (FACTS.md 9.1).
func (c AppClient) Machine() bool {
	return len(c.OAuthFlows) == 1 && c.OAuthFlows[0] == string(cgtypes.OAuthFlowTypeClientCredentials)
}

// AllowsSRPOrUserAuth reports that the client allows SRP
// (ALLOW_USER_SRP_AUTH) or choice-based sign-in (ALLOW_USER_AUTH). Sign-ins
// through these flows take a challenge step before tokens are issued, and
// whether that step counts in SignInSuccesses is not documented (FACTS.md
// 1.1, 8 item 2), so the client's derived sign-in failures carry that caveat.
func (c AppClient) AllowsSRPOrUserAuth() bool {
	for _, f := range c.ExplicitAuthFlows {
		if f == string(cgtypes.ExplicitAuthFlowsTypeAllowUserSrpAuth) || f == string(cgtypes.ExplicitAuthFlowsTypeAllowUserAuth) {
			return true
		}
	}
	return false
}

// Client returns the app client with the given ID, and whether there is one.
func (inv *Inventory) Client(id ClientID) (AppClient, bool) {
	for _, c := range inv.Clients {
		if c.ID == id {
			return c, true
		}
	}
	return AppClient{}, false
}

// ClientIDs returns the IDs of the pool's app clients in order.
func (inv *Inventory) ClientIDs() []ClientID {
	out := make([]ClientID, len(inv.Clients))
	for i, c := range inv.Clients {
		out[i] = c.ID
	}
	return out
}

// The IAM actions of the calls ReadInventory makes, the keys of
// Inventory.Failures.
const (
	actionListClients    = "cognito-idp:ListUserPoolClients"
	actionDescribeClient = "cognito-idp:DescribeUserPoolClient"
	actionDescribePool   = "cognito-idp:DescribeUserPool"
	actionLogDelivery    = "cognito-idp:GetLogDeliveryConfiguration"
	actionRisk           = "cognito-idp:DescribeRiskConfiguration"
)

// listClientsPageSize is the largest page ListUserPoolClients allows
// (FACTS.md 9.1); its default page size is not documented.
const listClientsPageSize = 60

// ReadInventory reads the configuration of pool through api: the pool
// (DescribeUserPool), its log export (GetLogDeliveryConfiguration), its
// threat-protection settings (DescribeRiskConfiguration), every app client
// (ListUserPoolClients, then one DescribeUserPoolClient each, paced by
// InventoryOptions.ClientReadsPerSecond) and, with InventoryOptions.Trails,
// the trails that log the pool's events (see TrailCoverage). api may be nil
// to read the trails alone.
//
// It returns an error only for bad input (an invalid pool ID, a negative
// rate, neither api nor Trails) or a done context; then the inventory read
// so far comes back too. Every AWS failure is recorded in
// Inventory.Failures instead, and the inventory holds what was read.
func ReadInventory(ctx context.Context, api CognitoAPI, pool UserPoolID, optFns ...func(*InventoryOptions)) (*Inventory, error) {
	if err := pool.Validate(); err != nil {
		return nil, err
	}
	var o InventoryOptions
	for _, fn := range optFns {
		fn(&o)
	}
	switch {
	case o.ClientReadsPerSecond < 0:
		return nil, fmt.Errorf("inventory: ClientReadsPerSecond %v is negative", o.ClientReadsPerSecond)
	case o.ClientReadsPerSecond == 0:
		o.ClientReadsPerSecond = 5
	}
	if api == nil && o.Trails == nil {
		return nil, fmt.Errorf("inventory: neither a CognitoAPI nor InventoryOptions.Trails to read with")
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	pace := time.Now
	if o.Sleep == nil {
		o.Sleep = sleepTimer
	} else {
		pace = o.Clock
	}
	r := &inventoryReader{
		api:     api,
		pool:    pool,
		inv:     &Inventory{UserPool: pool, Failures: map[string]error{}},
		limiter: newTrailLimiter(o.ClientReadsPerSecond, 0, pace, o.Sleep),
	}
	if err := ctx.Err(); err != nil {
		return r.inv, err
	}
	if api != nil {
		steps := []func(context.Context) error{r.readPool, r.readLogDelivery, r.readRisk, r.readClients}
		for _, step := range steps {
			if err := step(ctx); err != nil {
				return r.inv, err
			}
		}
	}
	if o.Trails != nil {
		trails, failures, err := readTrailCoverage(ctx, o.Trails, pool.Region())
		r.inv.Trails = trails
		for action, e := range failures {
			r.fail(action, e)
		}
		if err != nil {
			return r.inv, err
		}
	}
	return r.inv, nil
}

// inventoryReader holds the state of one ReadInventory call.
type inventoryReader struct {
	api     CognitoAPI
	pool    UserPoolID
	inv     *Inventory
	limiter *trailLimiter
	// poolFound reports that DescribeUserPool answered, so that a
	// ResourceNotFoundException from GetLogDeliveryConfiguration can only
	// mean that nothing is configured.
	poolFound bool
}

// fail records err under action, joined to any earlier failure of it.
func (r *inventoryReader) fail(action string, err error) {
	if prev := r.inv.Failures[action]; prev != nil {
		err = errors.Join(prev, err)
	}
	r.inv.Failures[action] = err
}

// failed records err under action and reports whether reading must stop,
// returning the context's error when it is done.
func (r *inventoryReader) failed(ctx context.Context, action string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	r.fail(action, fmt.Errorf("%s for %s: %w", action, r.pool, err))
	return nil
}

func (r *inventoryReader) readPool(ctx context.Context) error {
	out, err := r.api.DescribeUserPool(ctx, &cognitoidentityprovider.DescribeUserPoolInput{UserPoolId: aws.String(string(r.pool))})
	if err != nil {
		return r.failed(ctx, actionDescribePool, err)
	}
	p := out.UserPool
	if p == nil {
		return r.failed(ctx, actionDescribePool, fmt.Errorf("%w: the answer has no UserPool", ErrIncomplete))
	}
	r.poolFound = true
	inv := r.inv
	inv.Name = aws.ToString(p.Name)
	inv.Tier = string(p.UserPoolTier)
	// FACTS.md 9.5 item 6 [P]: a missing UserPoolAddOns is effectively OFF.
	inv.ThreatProtection, inv.CustomAuthThreatProtection = string(cgtypes.AdvancedSecurityModeTypeOff), string(cgtypes.AdvancedSecurityModeTypeOff)
	if a := p.UserPoolAddOns; a != nil {
		if a.AdvancedSecurityMode != "" {
			inv.ThreatProtection = string(a.AdvancedSecurityMode)
		}
		if f := a.AdvancedSecurityAdditionalFlows; f != nil && f.CustomAuthMode != "" {
			inv.CustomAuthThreatProtection = string(f.CustomAuthMode)
		}
	}
	inv.MFA = string(p.MfaConfiguration)
	inv.DeletionProtection = p.DeletionProtection == cgtypes.DeletionProtectionTypeActive
	// CustomDomain is not checked against its model pattern, which has no
	// dots (FACTS.md 9.5, runners-up).
	inv.Domain, inv.CustomDomain = aws.ToString(p.Domain), aws.ToString(p.CustomDomain)
	inv.EstimatedUsers = int(p.EstimatedNumberOfUsers)
	if p.Policies != nil && p.Policies.PasswordPolicy != nil {
		pp := p.Policies.PasswordPolicy
		inv.PasswordMinLength = int(aws.ToInt32(pp.MinimumLength))
		inv.TemporaryPasswordDays = int(pp.TemporaryPasswordValidityDays)
		for _, req := range []struct {
			on   bool
			name string
		}{{pp.RequireLowercase, "lowercase"}, {pp.RequireUppercase, "uppercase"}, {pp.RequireNumbers, "numbers"}, {pp.RequireSymbols, "symbols"}} {
			if req.on {
				inv.PasswordRequires = append(inv.PasswordRequires, req.name)
			}
		}
	}
	return nil
}

func (r *inventoryReader) readLogDelivery(ctx context.Context) error {
	out, err := r.api.GetLogDeliveryConfiguration(ctx, &cognitoidentityprovider.GetLogDeliveryConfigurationInput{UserPoolId: aws.String(string(r.pool))})
	if err != nil {
		// FACTS.md 9.1 [X]: a pool with no logging configured answers
		// with an empty list or with ResourceNotFoundException. Once
		// DescribeUserPool has found the pool, the second can only mean
		// "nothing configured".
		// Assumption: a user with an account can check it by calling
		// `aws cognito-idp get-log-delivery-configuration` on a pool
		// without log export.
		if r.poolFound && apiErrorCode(err) == "ResourceNotFoundException" {
			return nil
		}
		return r.failed(ctx, actionLogDelivery, err)
	}
	if out.LogDeliveryConfiguration == nil {
		return nil
	}
	for _, c := range out.LogDeliveryConfiguration.LogConfigurations {
		base := LogDelivery{EventSource: string(c.EventSource), Level: string(c.LogLevel)}
		if c.CloudWatchLogsConfiguration != nil && c.CloudWatchLogsConfiguration.LogGroupArn != nil {
			d := base
			d.Kind, d.ARN = "cloudwatch-logs", *c.CloudWatchLogsConfiguration.LogGroupArn
			d.LogGroup = logGroupName(d.ARN)
			r.inv.LogDelivery = append(r.inv.LogDelivery, d)
		}
		if c.S3Configuration != nil && c.S3Configuration.BucketArn != nil {
			d := base
			d.Kind, d.ARN = "s3", *c.S3Configuration.BucketArn
			r.inv.LogDelivery = append(r.inv.LogDelivery, d)
		}
		if c.FirehoseConfiguration != nil && c.FirehoseConfiguration.StreamArn != nil {
			d := base
			d.Kind, d.ARN = "firehose", *c.FirehoseConfiguration.StreamArn
			r.inv.LogDelivery = append(r.inv.LogDelivery, d)
		}
	}
	return nil
}

func (r *inventoryReader) readRisk(ctx context.Context) error {
	out, err := r.api.DescribeRiskConfiguration(ctx, &cognitoidentityprovider.DescribeRiskConfigurationInput{UserPoolId: aws.String(string(r.pool))})
	if err != nil {
		// FACTS.md 9.1 [P]: UserPoolAddOnNotEnabledException means threat
		// protection is not active, which is a setting, not a failure.
		if apiErrorCode(err) == "UserPoolAddOnNotEnabledException" {
			return nil
		}
		return r.failed(ctx, actionRisk, err)
	}
	rc := out.RiskConfiguration
	if rc == nil {
		return nil
	}
	inv := r.inv
	inv.ThreatProtectionConfigured = true
	if cc := rc.CompromisedCredentialsRiskConfiguration; cc != nil && cc.Actions != nil {
		inv.CompromisedCredentialsAction = string(cc.Actions.EventAction)
	}
	if at := rc.AccountTakeoverRiskConfiguration; at != nil && at.Actions != nil {
		inv.AccountTakeoverActions = map[string]string{}
		for level, a := range map[string]*cgtypes.AccountTakeoverActionType{"LOW": at.Actions.LowAction, "MEDIUM": at.Actions.MediumAction, "HIGH": at.Actions.HighAction} {
			if a != nil {
				inv.AccountTakeoverActions[level] = string(a.EventAction)
			}
		}
	}
	if ex := rc.RiskExceptionConfiguration; ex != nil {
		inv.SkippedIPRanges = append([]string(nil), ex.SkippedIPRangeList...)
	}
	return nil
}

func (r *inventoryReader) readClients(ctx context.Context) error {
	p := cognitoidentityprovider.NewListUserPoolClientsPaginator(r.api, &cognitoidentityprovider.ListUserPoolClientsInput{
		UserPoolId: aws.String(string(r.pool)),
		MaxResults: aws.Int32(listClientsPageSize),
	}, func(o *cognitoidentityprovider.ListUserPoolClientsPaginatorOptions) { o.StopOnDuplicateToken = true })
	seen := map[ClientID]bool{}
	for p.HasMorePages() {
		call, err := r.limiter.wait(ctx)
		if err != nil {
			return err
		}
		page, err := p.NextPage(ctx)
		r.limiter.done(call, throttled(err))
		if err != nil {
			// What was listed so far is kept; the rest is unknown.
			return r.failed(ctx, actionListClients, err)
		}
		for _, d := range page.UserPoolClients {
			id := ClientID(aws.ToString(d.ClientId))
			if err := id.Validate(); err != nil {
				if err := r.failed(ctx, actionListClients, fmt.Errorf("listed client: %w", err)); err != nil {
					return err
				}
				continue
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			r.inv.Clients = append(r.inv.Clients, AppClient{ID: id, Name: aws.ToString(d.ClientName)})
		}
	}
	for i := range r.inv.Clients {
		c := &r.inv.Clients[i]
		call, err := r.limiter.wait(ctx)
		if err != nil {
			return err
		}
		out, err := r.api.DescribeUserPoolClient(ctx, &cognitoidentityprovider.DescribeUserPoolClientInput{UserPoolId: aws.String(string(r.pool)), ClientId: aws.String(string(c.ID))})
		r.limiter.done(call, throttled(err))
		if err == nil && out.UserPoolClient == nil {
			err = fmt.Errorf("%w: the answer has no UserPoolClient", ErrIncomplete)
		}
		if err != nil {
			if err := r.failed(ctx, actionDescribeClient, fmt.Errorf("client %s: %w", c.ID, err)); err != nil {
				return err
			}
			continue
		}
		*c = appClient(c.ID, c.Name, out.UserPoolClient)
	}
	return nil
}

// appClient converts a described client, applying the documented defaults.
// The secret is read only for whether it is there.
func appClient(id ClientID, listedName string, u *cgtypes.UserPoolClientType) AppClient {
	c := AppClient{
		ID:                         id,
		Name:                       aws.ToString(u.ClientName),
		Described:                  true,
		Confidential:               u.ClientSecret != nil && *u.ClientSecret != "",
		PreventUserExistenceErrors: string(u.PreventUserExistenceErrors),
		OAuthScopes:                append([]string(nil), u.AllowedOAuthScopes...),
		OAuthEnabled:               aws.ToBool(u.AllowedOAuthFlowsUserPoolClient),
		CallbackURLs:               append([]string(nil), u.CallbackURLs...),
		TokenRevocation:            aws.ToBool(u.EnableTokenRevocation),
	}
	if c.Name == "" {
		c.Name = listedName
	}
	if c.PreventUserExistenceErrors == "" {
		c.PreventUserExistenceErrors = string(cgtypes.PreventUserExistenceErrorTypesLegacy) // FACTS.md 9.5 item 6
	}
	for _, f := range u.ExplicitAuthFlows {
		c.ExplicitAuthFlows = append(c.ExplicitAuthFlows, string(f))
	}
	if len(c.ExplicitAuthFlows) == 0 { // FACTS.md 9.5 item 6
		c.ExplicitAuthFlows = []string{
			string(cgtypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth),
			string(cgtypes.ExplicitAuthFlowsTypeAllowUserSrpAuth),
			string(cgtypes.ExplicitAuthFlowsTypeAllowCustomAuth),
		}
	}
	for _, f := range u.AllowedOAuthFlows {
		c.OAuthFlows = append(c.OAuthFlows, string(f))
	}
	var units cgtypes.TokenValidityUnitsType
	if u.TokenValidityUnits != nil {
		units = *u.TokenValidityUnits
	}
	// FACTS.md 6.2 and 9.5 item 7: the numbers are in TokenValidityUnits,
	// hours for access and ID tokens and days for refresh tokens by
	// default; absent values are 1 hour, 1 hour and 30 days, and a refresh
	// validity of 0 is overridden with 30 days.
	c.AccessTokenValidity = tokenValidity(u.AccessTokenValidity, units.AccessToken, cgtypes.TimeUnitsTypeHours, time.Hour)
	c.IDTokenValidity = tokenValidity(u.IdTokenValidity, units.IdToken, cgtypes.TimeUnitsTypeHours, time.Hour)
	c.RefreshTokenValidity = tokenValidity(&u.RefreshTokenValidity, units.RefreshToken, cgtypes.TimeUnitsTypeDays, 30*24*time.Hour)
	return c
}

// tokenValidity converts a validity in unit (def when empty) to a
// duration; an absent or zero value is dflt.
func tokenValidity(v *int32, unit, def cgtypes.TimeUnitsType, dflt time.Duration) time.Duration {
	if v == nil || *v <= 0 {
		return dflt
	}
	if unit == "" {
		unit = def
	}
	var per time.Duration
	switch unit {
	case cgtypes.TimeUnitsTypeSeconds:
		per = time.Second
	case cgtypes.TimeUnitsTypeMinutes:
		per = time.Minute
	case cgtypes.TimeUnitsTypeHours:
		per = time.Hour
	case cgtypes.TimeUnitsTypeDays:
		per = 24 * time.Hour
	default:
		// An unknown unit: the default unit is the documented reading.
		return tokenValidity(v, def, def, dflt)
	}
	return time.Duration(*v) * per
}

// apiErrorCode returns the AWS error code in err's chain, or "".
func apiErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// logGroupName returns the log group's name from its ARN,
// arn:aws:logs:<region>:<account>:log-group:<name>[:*], or "" when arn is
// not a log-group ARN.
func logGroupName(arn string) string {
	const marker = ":log-group:"
	i := strings.Index(arn, marker)
	if !strings.HasPrefix(arn, "arn:") || i < 0 {
		return ""
	}
	name := strings.TrimSuffix(arn[i+len(marker):], ":*")
	if name == "" || strings.Contains(name, ":") {
		return ""
	}
	return name
}
