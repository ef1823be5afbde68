package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/cognitomon/cognitomon"
)

// exitIncomplete is doctor's status when some source could not be
// inspected (access denied, throttled, any other failure).
const exitIncomplete = 4

// doctorJSON is doctor's output, schema cognitomon.doctor/v1.
type doctorJSON struct {
	Schema       string               `json:"schema"`
	UserPool     string               `json:"user_pool"`
	Region       string               `json:"region"`
	Pool         doctorPool           `json:"pool"`
	Clients      []doctorClient       `json:"clients"`
	Trails       []doctorTrail        `json:"trails"`
	Sources      []doctorSource       `json:"sources"`
	Checks       []doctorCheck        `json:"checks"`
	Posture      []doctorPosture      `json:"posture"`
	NotInspected []doctorNotInspected `json:"not_inspected"`
}

type doctorPool struct {
	Name                       string `json:"name,omitempty"`
	Tier                       string `json:"tier,omitempty"`
	ThreatProtection           string `json:"threat_protection,omitempty"`
	CustomAuthThreatProtection string `json:"custom_auth_threat_protection,omitempty"`
	MFA                        string `json:"mfa,omitempty"`
	DeletionProtection         bool   `json:"deletion_protection"`
	Domain                     string `json:"domain,omitempty"`
	CustomDomain               string `json:"custom_domain,omitempty"`
	EstimatedUsers             int    `json:"estimated_users"`
}

type doctorClient struct {
	ID                         string   `json:"id"`
	Name                       string   `json:"name"`
	Described                  bool     `json:"described"`
	Confidential               bool     `json:"confidential"`
	Machine                    bool     `json:"machine"`
	PreventUserExistenceErrors string   `json:"prevent_user_existence_errors,omitempty"`
	ExplicitAuthFlows          []string `json:"explicit_auth_flows,omitempty"`
	OAuthFlows                 []string `json:"oauth_flows,omitempty"`
	AccessTokenValidity        string   `json:"access_token_validity,omitempty"`
	RefreshTokenValidity       string   `json:"refresh_token_validity,omitempty"`
	TokenRevocation            bool     `json:"token_revocation"`
}

type doctorTrail struct {
	Name             string `json:"name"`
	ARN              string `json:"arn"`
	Logging          bool   `json:"logging"`
	ManagementEvents string `json:"management_events"`
	Covers           bool   `json:"covers"`
	S3Bucket         string `json:"s3_bucket,omitempty"`
	S3Prefix         string `json:"s3_prefix,omitempty"`
	LogGroup         string `json:"log_group,omitempty"`
	DeliveryError    string `json:"delivery_error,omitempty"`
	LogsError        string `json:"cloudwatch_logs_delivery_error,omitempty"`
	Error            string `json:"error,omitempty"`
}

// doctorSource is one source of data: on, off, or unknown (not inspected).
type doctorSource struct {
	Name   string `json:"name"`
	Gives  string `json:"gives"`
	Status string `json:"status"`
	Detail string `json:"detail"`
}

// doctorCheck is one built-in check or canned query: runs, partial, blind,
// not-applicable or unknown.
type doctorCheck struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// doctorPosture is one posture check: pass, fail or unknown, with the fix.
type doctorPosture struct {
	ID       string     `json:"id"`
	Control  string     `json:"security_hub_control,omitempty"`
	Severity string     `json:"severity"`
	Status   string     `json:"status"`
	Detail   string     `json:"detail"`
	Fix      *doctorFix `json:"fix,omitempty"`
}

// doctorFix is how to close a gap: an AWS CLI command and the
// CloudFormation property.
type doctorFix struct {
	CLI            string `json:"cli"`
	CloudFormation string `json:"cloudformation"`
	Caveat         string `json:"caveat,omitempty"`
}

type doctorNotInspected struct {
	Action string `json:"action"`
	Error  string `json:"error"`
}

func runDoctor(ctx context.Context, e *env, args []string) int {
	var o options
	var failOn string
	fs := newFlagSet("doctor", "doctor --user-pool ID [--format text|json] [--fail-on high]", e)
	o.awsFlags(fs)
	fs.StringVar(&o.userPool, "user-pool", "", "user pool ID, such as us-east-1_AbCdEf123 (required)")
	o.formatFlag(fs)
	fs.StringVar(&failOn, "fail-on", "high", "exit 1 when a posture problem of this severity or above exists (info, low, medium, high, critical; none to never)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	o.inherit(e)
	if fs.NArg() > 0 {
		return fail(e, "doctor", usagef("unexpected argument %q", fs.Arg(0)))
	}
	if err := o.validateFormat(); err != nil {
		return fail(e, "doctor", err)
	}
	threshold, err := parseFailOn(failOn)
	if err != nil {
		return fail(e, "doctor", err)
	}
	pool, err := o.pool()
	if err != nil {
		return fail(e, "doctor", err)
	}
	cfg, err := o.config(ctx, pool) // the pool's Region, with a note if another was configured
	if err != nil {
		return fail(e, "doctor", err)
	}
	doc, err := diagnose(ctx, cfg, pool)
	if err != nil {
		return fail(e, "doctor", err)
	}
	if o.format == "json" {
		if err := writeJSON(e.stdout, doc); err != nil {
			return fail(e, "doctor", err)
		}
	} else {
		printDoctor(e.stdout, doc)
	}
	worst := -1
	for _, p := range doc.Posture {
		if p.Status == "fail" {
			worst = max(worst, severityRank(p.Severity))
		}
	}
	switch {
	case len(doc.NotInspected) > 0:
		fmt.Fprintf(e.stderr, "cognitomon doctor: could not inspect everything: %d call(s) failed; the policy is docs/iam/doctor.json\n", len(doc.NotInspected))
		return exitIncomplete
	case worst >= threshold:
		return exitFindings
	}
	return exitOK
}

// diagnose reads everything doctor shows. It fails only when nothing at
// all could be read, or the pool does not exist.
func diagnose(ctx context.Context, cfg aws.Config, pool cognitomon.UserPoolID) (*doctorJSON, error) {
	inv, metrics, history, err := inspect(ctx, cfg, pool)
	if err != nil {
		return nil, err
	}
	if f := inv.Failures["cognito-idp:DescribeUserPool"]; apiCode(f) == "ResourceNotFoundException" {
		return nil, fmt.Errorf("user pool %s does not exist in %s (or the account cannot see it): %w", pool, cfg.Region, f)
	}
	if f := inv.Failures["cognito-idp:DescribeUserPool"]; f != nil && metrics.err != nil && history.err != nil &&
		inv.Failures["cognito-idp:ListUserPoolClients"] != nil && inv.Failures["cloudtrail:DescribeTrails"] != nil {
		return nil, fmt.Errorf("nothing could be read: %w", f)
	}
	return buildDoctor(pool, cfg.Region, inv, metrics, history), nil
}

// probe is the outcome of one reachability call.
type probe struct {
	found int // series or events found
	err   error
}

// inspect makes every call: the inventory with trails, a ListMetrics page
// for the pool's series, and one LookupEvents page.
func inspect(ctx context.Context, cfg aws.Config, pool cognitomon.UserPoolID) (*cognitomon.Inventory, probe, probe, error) {
	cg := cognitoidentityprovider.NewFromConfig(cfg)
	ct := cloudtrail.NewFromConfig(cfg)
	cw := cloudwatch.NewFromConfig(cfg)
	inv, err := cognitomon.ReadInventory(ctx, cg, pool, func(o *cognitomon.InventoryOptions) { o.Trails = ct })
	if err != nil {
		return nil, probe{}, probe{}, err
	}
	var metrics, history probe
	mo, err := cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{
		Namespace:  aws.String(cognitomon.CognitoNamespace),
		Dimensions: []cwtypes.DimensionFilter{{Name: aws.String("UserPool"), Value: aws.String(string(pool))}},
	})
	if err != nil {
		metrics.err = fmt.Errorf("cloudwatch:ListMetrics: %w", err)
	} else {
		metrics.found = len(mo.Metrics)
	}
	lo, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		MaxResults:       aws.Int32(1),
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String(cognitomon.UserPoolEventSource)}},
	})
	if err != nil {
		history.err = fmt.Errorf("cloudtrail:LookupEvents: %w", err)
	} else {
		history.found = len(lo.Events)
	}
	if ctx.Err() != nil {
		return nil, probe{}, probe{}, ctx.Err()
	}
	return inv, metrics, history, nil
}

func apiCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Source names, in the order doctor shows them.
const (
	srcMetrics      = "metrics"
	srcHistory      = "event-history"
	srcTrailS3      = "trail-s3"
	srcTrailLogs    = "trail-cloudwatch-logs"
	srcUserActivity = "user-activity-logs"
	srcThreat       = "threat-protection"
)

func buildDoctor(pool cognitomon.UserPoolID, region string, inv *cognitomon.Inventory, metrics, history probe) *doctorJSON {
	d := &doctorJSON{
		Schema: "cognitomon.doctor/v1", UserPool: string(pool), Region: region,
		Pool: doctorPool{Name: inv.Name, Tier: inv.Tier, ThreatProtection: inv.ThreatProtection, CustomAuthThreatProtection: inv.CustomAuthThreatProtection,
			MFA: inv.MFA, DeletionProtection: inv.DeletionProtection, Domain: inv.Domain, CustomDomain: inv.CustomDomain, EstimatedUsers: inv.EstimatedUsers},
		Clients: []doctorClient{}, Trails: []doctorTrail{}, Checks: []doctorCheck{}, Posture: []doctorPosture{}, NotInspected: []doctorNotInspected{},
	}
	for _, c := range inv.Clients {
		dc := doctorClient{ID: string(c.ID), Name: c.Name, Described: c.Described, Confidential: c.Confidential, Machine: c.Machine(),
			PreventUserExistenceErrors: c.PreventUserExistenceErrors, ExplicitAuthFlows: c.ExplicitAuthFlows, OAuthFlows: c.OAuthFlows, TokenRevocation: c.TokenRevocation}
		if c.Described {
			dc.AccessTokenValidity, dc.RefreshTokenValidity = c.AccessTokenValidity.String(), c.RefreshTokenValidity.String()
		}
		d.Clients = append(d.Clients, dc)
	}
	for _, t := range inv.Trails {
		dt := doctorTrail{Name: t.Name, ARN: t.ARN, Logging: t.Logging, ManagementEvents: t.ManagementEvents, Covers: t.Covers,
			S3Bucket: t.S3Bucket, S3Prefix: t.S3Prefix, LogGroup: t.LogGroup, DeliveryError: t.LatestDeliveryError, LogsError: t.LatestCloudWatchLogsDeliveryError}
		if t.Err != nil {
			dt.Error = oneLine(t.Err)
		}
		d.Trails = append(d.Trails, dt)
	}
	actions := make([]string, 0, len(inv.Failures))
	for a := range inv.Failures {
		actions = append(actions, a)
	}
	sort.Strings(actions)
	for _, a := range actions {
		d.NotInspected = append(d.NotInspected, doctorNotInspected{Action: a, Error: oneLine(inv.Failures[a])})
	}
	for _, p := range []probe{metrics, history} {
		if p.err != nil {
			action, _, _ := strings.Cut(p.err.Error(), ": ")
			d.NotInspected = append(d.NotInspected, doctorNotInspected{Action: action, Error: oneLine(p.err)})
		}
	}
	s := newSight(pool, inv, metrics, history)
	d.Sources = s.sources()
	d.Checks = s.checks()
	d.Posture = s.posture()
	return d
}

// sight is what doctor knows about each source, for the tables.
type sight struct {
	pool            cognitomon.UserPoolID
	inv             *cognitomon.Inventory
	metrics         probe
	history         probe
	covering        []cognitomon.TrailCoverage
	trailsKnown     bool
	poolKnown       bool
	logsKnown       bool
	clientsKnown    bool
	userActivity    []cognitomon.LogDelivery
	userActivityCWL string // the user-activity log group, when one
}

func newSight(pool cognitomon.UserPoolID, inv *cognitomon.Inventory, metrics, history probe) *sight {
	s := &sight{pool: pool, inv: inv, metrics: metrics, history: history,
		trailsKnown:  inv.Failures["cloudtrail:DescribeTrails"] == nil,
		poolKnown:    inv.Failures["cognito-idp:DescribeUserPool"] == nil,
		logsKnown:    inv.Failures["cognito-idp:GetLogDeliveryConfiguration"] == nil,
		clientsKnown: inv.Failures["cognito-idp:ListUserPoolClients"] == nil && inv.Failures["cognito-idp:DescribeUserPoolClient"] == nil,
	}
	for _, t := range inv.Trails {
		if t.Covers {
			s.covering = append(s.covering, t)
		}
		if t.Err != nil {
			s.trailsKnown = false
		}
	}
	for _, l := range inv.LogDelivery {
		if l.EventSource == "userAuthEvents" {
			s.userActivity = append(s.userActivity, l)
			if l.LogGroup != "" && s.userActivityCWL == "" {
				s.userActivityCWL = l.LogGroup
			}
		}
	}
	return s
}

func onOff(known, on bool) string {
	switch {
	case !known:
		return "unknown"
	case on:
		return "on"
	}
	return "off"
}

func (s *sight) eventsVisible() bool { return s.history.err == nil || len(s.covering) > 0 }

func (s *sight) trailWith(pred func(cognitomon.TrailCoverage) bool) (cognitomon.TrailCoverage, bool) {
	for _, t := range s.covering {
		if pred(t) {
			return t, true
		}
	}
	return cognitomon.TrailCoverage{}, false
}

func (s *sight) sources() []doctorSource {
	var out []doctorSource
	add := func(name, gives, status, detail string) {
		out = append(out, doctorSource{Name: name, Gives: gives, Status: status, Detail: detail})
	}
	detail := fmt.Sprintf("%d AWS/Cognito series for the pool in the last two weeks", s.metrics.found)
	if s.metrics.err != nil {
		detail = oneLine(s.metrics.err)
	}
	add(srcMetrics, "sign-in, sign-up, refresh and federation counts and throttles per app client (CloudWatch)", onOff(s.metrics.err == nil, s.metrics.found > 0), detail)

	detail = "LookupEvents answers: 90 days of management events, no trail needed (FACTS.md 9.2)"
	if s.history.err != nil {
		detail = oneLine(s.history.err)
	}
	add(srcHistory, "CloudTrail event history: the events behind the figures, for report and events", onOff(s.history.err == nil, true), detail)

	t, ok := s.trailWith(func(t cognitomon.TrailCoverage) bool { return t.S3Bucket != "" })
	detail = "no logging trail records cognito-idp management events in " + s.pool.Region()
	if ok {
		detail = fmt.Sprintf("trail %s -> s3://%s/%s (management events: %s)", t.Name, t.S3Bucket, t.S3Prefix, t.ManagementEvents)
		if t.LatestDeliveryError != "" {
			detail += "; last delivery error: " + t.LatestDeliveryError
		}
	}
	add(srcTrailS3, "CloudTrail log files beyond 90 days, for report --trail-files", onOff(s.trailsKnown || ok, ok), detail)

	t, ok = s.trailWith(func(t cognitomon.TrailCoverage) bool { return t.LogGroup != "" })
	detail = "no covering trail delivers to CloudWatch Logs"
	if ok {
		detail = fmt.Sprintf("trail %s -> log group %s", t.Name, t.LogGroup)
		if t.LatestCloudWatchLogsDeliveryError != "" {
			detail += "; last delivery error: " + t.LatestCloudWatchLogsDeliveryError
		}
	}
	add(srcTrailLogs, "CloudTrail events in a log group, for the cloudtrail queries and the log-based alarms", onOff(s.trailsKnown || ok, ok), detail)

	detail = "GetLogDeliveryConfiguration: no userAuthEvents export"
	if len(s.userActivity) > 0 {
		var parts []string
		for _, l := range s.userActivity {
			parts = append(parts, fmt.Sprintf("%s to %s %s", l.Level, l.Kind, l.ARN))
		}
		detail = strings.Join(parts, "; ")
	}
	add(srcUserActivity, "threat protection's per-request user-activity log (risk level and decision), for the user-activity queries", onOff(s.logsKnown, len(s.userActivity) > 0), detail)

	mode := s.inv.ThreatProtection
	detail = fmt.Sprintf("mode %s, custom auth %s, plan %s", mode, s.inv.CustomAuthThreatProtection, s.inv.Tier)
	if !s.poolKnown {
		detail = oneLine(s.inv.Failures["cognito-idp:DescribeUserPool"])
	}
	add(srcThreat, "risk metrics (Risk, NoRisk, AccountTakeoverRisk, CompromisedCredentialRisk) and risk-based actions", onOff(s.poolKnown, mode == "AUDIT" || mode == "ENFORCED"), detail)
	return out
}

// The built-in detection checks by what they read. The names are the
// checks' own (checks.Builtins); they are strings here so that doctor
// does not depend on where the checks live.
var (
	eventChecks   = []string{"brute-force", "brute-force-slow", "credential-stuffing", "credential-stuffing-botnet", "distributed-brute-force", "success-after-failures", "password-reset-flood", "password-reset-user", "refresh-failure-spike", "token-theft", "admin-mfa-off", "admin-new-client", "admin-callback-urls", "admin-threat-protection-lowered", "admin-deletion", "admin-identity-provider", "admin-client-secret", "code-guessing", "code-guessing-user", "lockout-address", "lockout-storm", "enumeration-signup"}
	machineChecks = []string{"m2m-token-per-call", "m2m-token-volume", "m2m-new-source", "m2m-failure-streak"}
	metricChecks  = []string{"failure-rate", "throttle-spike", "quota-approach", "quota-throttles"}
	bothChecks    = []string{"trail-gap", "enumeration-blind-spot"}
	// enumerationChecks read UserNotFoundException, which exists only
	// under PreventUserExistenceErrors LEGACY.
	enumerationChecks = []string{"enumeration", "enumeration-password-reset"}
)

func (s *sight) checks() []doctorCheck {
	var out []doctorCheck
	add := func(name, kind, status, reason string) {
		out = append(out, doctorCheck{Name: name, Kind: kind, Status: status, Reason: reason})
	}
	eventsStatus, eventsReason := "runs", "reads CloudTrail events (event history or a trail's files)"
	if !s.eventsVisible() {
		eventsStatus, eventsReason = "blind", "no CloudTrail events: LookupEvents failed and no logging trail covers the pool"
	}
	for _, n := range eventChecks {
		add(n, "detection", eventsStatus, eventsReason)
	}

	// Enumeration: UserNotFoundException exists only under LEGACY.
	var enabled, legacy []string
	for _, c := range s.inv.Clients {
		if !c.Described {
			continue
		}
		label := string(c.ID)
		if c.Name != "" {
			label = c.Name + " (" + string(c.ID) + ")"
		}
		if c.PreventUserExistenceErrors == "ENABLED" {
			enabled = append(enabled, label)
		} else {
			legacy = append(legacy, label)
		}
	}
	for _, n := range enumerationChecks {
		switch {
		case eventsStatus == "blind":
			add(n, "detection", "blind", eventsReason)
		case !s.clientsKnown && len(enabled)+len(legacy) == 0:
			add(n, "detection", "unknown", "the app clients could not be read")
		case len(legacy) == 0:
			add(n, "detection", "blind", "PreventUserExistenceErrors=ENABLED on every client: Cognito never answers UserNotFoundException, so enumeration shows only as NotAuthorizedException bursts (enumeration-blind-spot)")
		case len(enabled) > 0:
			add(n, "detection", "partial", "PreventUserExistenceErrors=ENABLED on "+strings.Join(enabled, ", ")+": no UserNotFoundException from these clients")
		default:
			add(n, "detection", "runs", "every client answers UserNotFoundException (PreventUserExistenceErrors LEGACY)")
		}
	}

	machines := 0
	for _, c := range s.inv.Clients {
		if c.Machine() {
			machines++
		}
	}
	for _, n := range machineChecks {
		switch {
		case eventsStatus == "blind":
			add(n, "detection", "blind", eventsReason)
		case machines == 0 && s.clientsKnown:
			add(n, "detection", "not-applicable", "no machine client (none allows only client_credentials)")
		default:
			add(n, "detection", "runs", fmt.Sprintf("%d machine client(s); reads client_credentials token requests in CloudTrail", machines))
		}
	}
	metricsStatus, metricsReason := "runs", "reads AWS/Cognito and AWS/Usage metrics"
	switch {
	case s.metrics.err != nil:
		metricsStatus, metricsReason = "unknown", "ListMetrics failed"
	case s.metrics.found == 0:
		metricsStatus, metricsReason = "blind", "no AWS/Cognito series for the pool in the last two weeks (no traffic, or the wrong Region)"
	}
	for _, n := range metricChecks {
		add(n, "detection", metricsStatus, metricsReason)
	}
	for _, n := range bothChecks {
		switch {
		case metricsStatus != "runs":
			add(n, "detection", metricsStatus, metricsReason)
		case eventsStatus != "runs":
			add(n, "detection", eventsStatus, eventsReason)
		default:
			add(n, "detection", "runs", "compares the metrics with the CloudTrail events")
		}
	}
	switch mode := s.inv.ThreatProtection; {
	case !s.poolKnown:
		add("risk-metrics", "metrics", "unknown", "DescribeUserPool failed")
	case mode == "AUDIT" || mode == "ENFORCED":
		add("risk-metrics", "metrics", "runs", "threat protection is "+mode)
	default:
		add("risk-metrics", "metrics", "blind", "threat protection is OFF: Cognito publishes no risk metrics (needs the Plus plan)")
	}

	trailGroup, trailGroupOK := s.inv.TrailLogGroup()
	for _, q := range cognitomon.Catalog() {
		switch q.Reads {
		case "cloudtrail":
			switch {
			case trailGroupOK:
				add(q.Name, "query", "runs", "log group "+trailGroup.LogGroup+" of trail "+trailGroup.Name)
			case !s.trailsKnown:
				add(q.Name, "query", "unknown", "the trails could not all be inspected; pass --log-group")
			default:
				add(q.Name, "query", "blind", "needs a trail delivering to CloudWatch Logs (or several: pass --log-group)")
			}
		case "user-activity":
			switch {
			case s.userActivityCWL != "":
				add(q.Name, "query", "runs", "log group "+s.userActivityCWL)
			case !s.logsKnown:
				add(q.Name, "query", "unknown", "GetLogDeliveryConfiguration failed")
			default:
				add(q.Name, "query", "blind", "needs user-activity logs (userAuthEvents) in CloudWatch Logs, which need threat protection")
			}
		}
	}
	return out
}

// validID is what may be pasted into a suggested command unquoted.
var validID = regexp.MustCompile(`^[A-Za-z0-9_./:=,+@-]+$`)

// shellQuote quotes s for a POSIX shell unless it is plainly safe.
func shellQuote(s string) string {
	if validID.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// updateCaveat warns about update-user-pool and update-user-pool-client,
// which reset every setting the command does not name.
// Assumption: UpdateUserPool and UpdateUserPoolClient set omitted
// parameters to their defaults, as the API reference of both says (not in
// FACTS.md); a user with an account can check it by updating one setting of
// a test pool and comparing describe-user-pool before and after.
const updateCaveat = "update-user-pool and update-user-pool-client set every parameter you leave out to its default: pass the current settings too (from describe-user-pool / describe-user-pool-client), or change it in CloudFormation"

func (s *sight) posture() []doctorPosture {
	var out []doctorPosture
	pool := string(s.pool)
	add := func(id, control, severity string, known, pass bool, detail string, fix *doctorFix) {
		p := doctorPosture{ID: id, Control: control, Severity: severity, Detail: detail}
		switch {
		case !known:
			p.Status = "unknown"
		case pass:
			p.Status = "pass"
		default:
			p.Status, p.Fix = "fail", fix
		}
		out = append(out, p)
	}
	inv := s.inv
	// Security Hub's Cognito controls, verified at
	// https://docs.aws.amazon.com/securityhub/latest/userguide/cognito-controls.html
	// (Cognito.2 is about identity pools and does not apply).
	add("threat-protection-enforced", "Cognito.1", "medium", s.poolKnown, inv.ThreatProtection == "ENFORCED",
		"threat protection for standard authentication: "+inv.ThreatProtection+" (plan "+inv.Tier+")",
		&doctorFix{CLI: "aws cognito-idp update-user-pool --user-pool-id " + pool + " --user-pool-tier PLUS --user-pool-add-ons AdvancedSecurityMode=ENFORCED",
			CloudFormation: "AWS::Cognito::UserPool UserPoolAddOns.AdvancedSecurityMode: ENFORCED (and UserPoolTier: PLUS)", Caveat: updateCaveat + "; run AUDIT for two weeks first"})
	pp := inv.PasswordMinLength >= 8 && len(inv.PasswordRequires) == 4 && inv.TemporaryPasswordDays > 0 && inv.TemporaryPasswordDays <= 7
	add("password-policy", "Cognito.3", "medium", s.poolKnown, pp,
		fmt.Sprintf("minimum length %d, requires %s, temporary passwords valid %d days", inv.PasswordMinLength, strings.Join(inv.PasswordRequires, ", "), inv.TemporaryPasswordDays),
		&doctorFix{CLI: "aws cognito-idp update-user-pool --user-pool-id " + pool + " --policies 'PasswordPolicy={MinimumLength=8,RequireUppercase=true,RequireLowercase=true,RequireNumbers=true,RequireSymbols=true,TemporaryPasswordValidityDays=7}'",
			CloudFormation: "AWS::Cognito::UserPool Policies.PasswordPolicy", Caveat: updateCaveat})
	add("custom-auth-threat-protection-enforced", "Cognito.4", "medium", s.poolKnown, inv.CustomAuthThreatProtection == "ENFORCED",
		"threat protection for custom authentication: "+inv.CustomAuthThreatProtection,
		&doctorFix{CLI: "aws cognito-idp update-user-pool --user-pool-id " + pool + " --user-pool-add-ons 'AdvancedSecurityMode=ENFORCED,AdvancedSecurityAdditionalFlows={CustomAuthMode=ENFORCED}'",
			CloudFormation: "AWS::Cognito::UserPool UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode: ENFORCED", Caveat: updateCaveat})
	add("mfa", "Cognito.5", "medium", s.poolKnown, inv.MFA == "ON" || inv.MFA == "OPTIONAL",
		"MFA: "+inv.MFA+" (Security Hub applies this to pools with password sign-in)",
		&doctorFix{CLI: "aws cognito-idp set-user-pool-mfa-config --user-pool-id " + pool + " --mfa-configuration OPTIONAL --software-token-mfa-configuration Enabled=true",
			CloudFormation: "AWS::Cognito::UserPool MfaConfiguration: OPTIONAL (and EnabledMfas)"})
	add("deletion-protection", "Cognito.6", "medium", s.poolKnown, inv.DeletionProtection,
		fmt.Sprintf("deletion protection active: %v", inv.DeletionProtection),
		&doctorFix{CLI: "aws cognito-idp update-user-pool --user-pool-id " + pool + " --deletion-protection ACTIVE",
			CloudFormation: "AWS::Cognito::UserPool DeletionProtection: ACTIVE", Caveat: updateCaveat})

	// cognitomon's own: can the pool's activity be seen and kept?
	add("events-visible", "", "high", s.history.err == nil || s.trailsKnown, s.eventsVisible(),
		"CloudTrail events of the pool can be read (event history or a logging trail)",
		&doctorFix{CLI: "grant cloudtrail:LookupEvents (docs/iam/events.json), or create a trail (see trail-logging)", CloudFormation: "AWS::CloudTrail::Trail"})
	add("trail-logging", "", "medium", s.trailsKnown, len(s.covering) > 0,
		"a logging trail keeps the pool's management events beyond the 90 days of event history",
		&doctorFix{CLI: "aws cloudtrail create-trail --name cognitomon-trail --s3-bucket-name BUCKET --is-multi-region-trail && aws cloudtrail start-logging --name cognitomon-trail",
			CloudFormation: "AWS::CloudTrail::Trail S3BucketName, IsMultiRegionTrail: true, IsLogging: true"})
	for _, t := range s.inv.Trails {
		if t.Err == nil && !t.Logging && (t.MultiRegion || t.HomeRegion == s.pool.Region()) {
			add("trail-stopped", "", "high", true, false, "trail "+t.Name+" is not logging",
				&doctorFix{CLI: "aws cloudtrail start-logging --name " + shellQuote(t.ARN), CloudFormation: "AWS::CloudTrail::Trail IsLogging: true"})
		}
		if t.Covers && (t.LatestDeliveryError != "" || t.LatestCloudWatchLogsDeliveryError != "") {
			add("trail-delivery", "", "high", true, false,
				fmt.Sprintf("trail %s fails to deliver: S3 %q, CloudWatch Logs %q", t.Name, t.LatestDeliveryError, t.LatestCloudWatchLogsDeliveryError),
				&doctorFix{CLI: "aws cloudtrail get-trail-status --name " + shellQuote(t.ARN) + "  # then fix the bucket policy or the CloudWatch Logs role",
					CloudFormation: "AWS::S3::BucketPolicy for the trail's bucket; AWS::CloudTrail::Trail CloudWatchLogsRoleArn"})
		}
		if t.Covers && t.ManagementEvents != "All" {
			add("trail-selectors", "", "medium", true, false, "trail "+t.Name+" logs only "+t.ManagementEvents+" management events",
				&doctorFix{CLI: "aws cloudtrail put-event-selectors --trail-name " + shellQuote(t.ARN) + " --event-selectors 'ReadWriteType=All,IncludeManagementEvents=true'",
					CloudFormation: "AWS::CloudTrail::Trail EventSelectors ReadWriteType: All"})
		}
	}
	_, hasGroup := s.trailWith(func(t cognitomon.TrailCoverage) bool { return t.LogGroup != "" })
	add("trail-to-cloudwatch-logs", "", "low", s.trailsKnown || hasGroup, hasGroup,
		"a covering trail delivers to CloudWatch Logs, for the cloudtrail queries and log-based alarms",
		&doctorFix{CLI: "aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn arn:aws:logs:" + s.pool.Region() + ":ACCOUNT:log-group:aws-cloudtrail-logs:* --cloud-watch-logs-role-arn ROLE_ARN",
			CloudFormation: "AWS::CloudTrail::Trail CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn"})
	threat := inv.ThreatProtection == "AUDIT" || inv.ThreatProtection == "ENFORCED"
	add("user-activity-logs", "", "low", s.logsKnown, len(s.userActivity) > 0,
		"threat protection's user-activity log is exported (needs threat protection on)",
		&doctorFix{CLI: "aws cognito-idp set-log-delivery-configuration --user-pool-id " + pool + " --log-configurations 'LogLevel=INFO,EventSource=userAuthEvents,CloudWatchLogsConfiguration={LogGroupArn=arn:aws:logs:" + s.pool.Region() + ":ACCOUNT:log-group:/aws/vendedlogs/cognito/" + pool + "}'",
			CloudFormation: "AWS::Cognito::LogDeliveryConfiguration LogConfigurations (EventSource userAuthEvents, LogLevel INFO)",
			Caveat:         map[bool]string{true: "", false: "turn threat protection on first (threat-protection-enforced)"}[threat]})
	for _, c := range inv.Clients {
		if !c.Described {
			continue
		}
		if c.PreventUserExistenceErrors != "ENABLED" {
			add("user-existence-errors", "", "low", true, false,
				fmt.Sprintf("client %s (%s) has PreventUserExistenceErrors=%s: it tells callers which user names exist", c.Name, c.ID, c.PreventUserExistenceErrors),
				&doctorFix{CLI: "aws cognito-idp update-user-pool-client --user-pool-id " + pool + " --client-id " + string(c.ID) + " --prevent-user-existence-errors ENABLED",
					CloudFormation: "AWS::Cognito::UserPoolClient PreventUserExistenceErrors: ENABLED", Caveat: updateCaveat + "; cognitomon's enumeration check then goes blind for this client"})
		}
		if !c.TokenRevocation {
			add("token-revocation", "", "low", true, false, fmt.Sprintf("client %s (%s) cannot revoke refresh tokens", c.Name, c.ID),
				&doctorFix{CLI: "aws cognito-idp update-user-pool-client --user-pool-id " + pool + " --client-id " + string(c.ID) + " --enable-token-revocation",
					CloudFormation: "AWS::Cognito::UserPoolClient EnableTokenRevocation: true", Caveat: updateCaveat})
		}
	}
	return out
}

func printDoctor(w io.Writer, d *doctorJSON) {
	p := d.Pool
	name := p.Name
	if name == "" {
		name = "name unknown"
	}
	fmt.Fprintf(w, "cognitomon doctor: user pool %s (%s), Region %s\n\n", d.UserPool, name, d.Region)
	domain := p.Domain
	if p.CustomDomain != "" {
		domain = p.CustomDomain
	}
	fmt.Fprintf(w, "Pool: plan %s, threat protection %s (custom auth %s), MFA %s, deletion protection %v, domain %q, about %d users\n\n",
		orUnknown(p.Tier), orUnknown(p.ThreatProtection), orUnknown(p.CustomAuthThreatProtection), orUnknown(p.MFA), p.DeletionProtection, domain, p.EstimatedUsers)

	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "App clients (%d)\n", len(d.Clients))
	fmt.Fprintln(tw, "  CLIENT\tNAME\tKIND\tUSER EXISTENCE ERRORS\tAUTH FLOWS")
	for _, c := range d.Clients {
		kind := "public"
		switch {
		case !c.Described:
			kind = "not described"
		case c.Machine:
			kind = "machine"
		case c.Confidential:
			kind = "confidential"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, kind, orUnknown(c.PreventUserExistenceErrors), strings.Join(append(c.ExplicitAuthFlows, c.OAuthFlows...), " "))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Sources\n  SOURCE\tSTATUS\tWHAT IT GIVES\tDETAIL")
	for _, s := range d.Sources {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, s.Status, s.Gives, s.Detail)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Checks\n  CHECK\tKIND\tSTATUS\tWHY")
	for _, c := range d.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.Name, c.Kind, c.Status, c.Reason)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "Posture\n  STATUS\tSEVERITY\tCHECK\tSECURITY HUB\tDETAIL")
	for _, c := range d.Posture {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", strings.ToUpper(c.Status), c.Severity, c.ID, c.Control, c.Detail)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nFixes")
	n := 0
	for _, c := range d.Posture {
		if c.Fix == nil {
			continue
		}
		n++
		fmt.Fprintf(w, "  %s: %s\n    CLI:            %s\n    CloudFormation: %s\n", c.ID, c.Detail, c.Fix.CLI, c.Fix.CloudFormation)
		if c.Fix.Caveat != "" {
			fmt.Fprintf(w, "    Note:           %s\n", c.Fix.Caveat)
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "  none needed")
	}
	if len(d.NotInspected) > 0 {
		fmt.Fprintln(w, "\nNot inspected (grant the action, see docs/iam/doctor.json)")
		for _, f := range d.NotInspected {
			fmt.Fprintf(w, "  %s: %s\n", f.Action, f.Error)
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
