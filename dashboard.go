package cognitomon

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// Dashboard is one CloudWatch dashboard as data: its name and its body, the
// JSON document PutDashboard takes (FACTS.md 9.3). StandardDashboard builds
// a pool's dashboard; the body may be edited before planning, and Validate,
// DashboardManager.Plan and CloudFormationTemplate check it against
// CloudWatch's documented body rules first. The zero value is not valid.
type Dashboard struct {
	// Name is the dashboard's name: 1 to 255 characters of A-Z a-z 0-9 -
	// and _ (FACTS.md 9.3). The standard dashboard is named
	// alarmPrefix(pool) + "overview", under the owned prefix.
	Name string
	// Body is the dashboard body in JSON.
	Body string
}

// DashboardInput says what StandardDashboard shows.
type DashboardInput struct {
	// UserPool is required.
	UserPool UserPoolID
	// Region is the Region of the pool's metrics and logs, which every
	// metric and log widget names (FACTS.md 9.3). Default the pool's
	// Region.
	Region string
	// Clients are the pool's app clients, at least one (discover them with
	// MetricsClient.Clients). Each flow's documented pseudo-clients (Admin,
	// Invalid) are added, as StandardAlarms adds them.
	Clients []ClientID
	// IdentityProviders, when set, add the federation widgets over every
	// client and these providers.
	IdentityProviders []string
	// ThreatProtection adds the threat-protection risk widget: set it when
	// the pool's feature plan has threat protection (Plus), whose metrics
	// exist only then (FACTS.md 1.2).
	ThreatProtection bool
	// AlarmARNs are the ARNs of the pool's alarms for the alarm-status
	// widget: alarms named under alarmPrefix(pool), as AlarmManager creates
	// them (DescribeAlarms reports their ARNs). None means no alarm widget.
	AlarmARNs []string
	// TrailLogGroup, when set, adds one Logs Insights widget per canned
	// CloudTrail query (Catalog entries that read CloudTrailLog), over this
	// log group of the pool's CloudTrail trail.
	TrailLogGroup string
	// Quotas are the requests-per-second quotas per rate-limit category that
	// the quota widget measures usage against. Default DefaultQuotas(); give
	// raised values here.
	Quotas map[string]float64
	// Period is the period of the Cognito metric widgets, a whole number of
	// minutes. Default 5 minutes, the metrics' publication period
	// (FACTS.md 1.1).
	Period time.Duration
}

// dashboardName is the standard dashboard's name after the owned prefix.
const dashboardName = "overview"

// The limits of dashboard bodies and names (FACTS.md 9.3).
const (
	gridColumns            = 24
	maxDashboardWidgets    = 500
	maxWidgetMetrics       = 500
	maxDashboardMetrics    = 2500
	maxAlarmWidgetAlarms   = 100
	maxWidgetHeight        = 1000
	maxDashboardNameLength = 255
	// dashUsagePeriod is the period of AWS/Usage CallCount, collected every
	// minute (FACTS.md 9.4 e).
	dashUsagePeriod = time.Minute
)

var (
	dashboardNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`)
	alarmARNPattern      = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):cloudwatch:([a-z0-9-]+):([0-9]{12}):alarm:(.+)$`)
	quotaCategoryPattern = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}$`)
)

// riskMetricNames are the threat-protection metrics the risk widget
// searches for, both spellings of the account-takeover metric included,
// since the documents disagree on its case (FACTS.md 1.2).
var riskMetricNames = []string{"AccountTakeoverRisk", "AccountTakeOverRisk", "CompromisedCredentialRisk", "OverrideBlock", "Risk", "NoRisk"}

// StandardDashboard returns a pool's dashboard, named alarmPrefix(pool) +
// "overview", laid out on the 24-column grid:
//
//   - a text header;
//   - per flow (SignIn, SignUp, TokenRefresh, and Federation with
//     IdentityProviders), the pool's attempts, failures and failure rate, and
//     each client's failures and failure rate, from FlowMath (failures =
//     SampleCount - Sum of the *Successes metric, FACTS.md 1.1 and 4.2),
//     pseudo-clients included;
//   - throttles per flow;
//   - quota usage: AWS/Usage CallCount per rate-limit category as a
//     percentage of the category's quota in requests per second;
//   - threat-protection risk (with ThreatProtection);
//   - the states of the pool's alarms (with AlarmARNs);
//   - one Logs Insights widget per canned CloudTrail query (with
//     TrailLogGroup), its text rendered by Query.Render from validated
//     parameters.
//
// Every input is validated before it reaches the body, and the body is
// validated against CloudWatch's documented rules before it is returned.
func StandardDashboard(in DashboardInput) (Dashboard, error) {
	b, err := newDashboardBuilder(in)
	if err != nil {
		return Dashboard{}, err
	}
	body, err := b.build()
	if err != nil {
		return Dashboard{}, err
	}
	d := Dashboard{Name: alarmPrefix(in.UserPool) + dashboardName, Body: body}
	if err := d.Validate(); err != nil {
		return Dashboard{}, err
	}
	return d, nil
}

// dashboardBuilder holds a validated DashboardInput while the widgets are
// made.
type dashboardBuilder struct {
	in        DashboardInput
	region    string
	period    time.Duration
	quotas    map[string]float64
	providers []string
	layout    gridLayout
	widgets   []widget
}

func newDashboardBuilder(in DashboardInput) (*dashboardBuilder, error) {
	if err := in.UserPool.Validate(); err != nil {
		return nil, err
	}
	b := &dashboardBuilder{in: in, region: in.Region, period: in.Period, quotas: in.Quotas}
	if b.region == "" {
		b.region = in.UserPool.Region()
	}
	if !regionPattern.MatchString(b.region) {
		return nil, fmt.Errorf("dashboard: region %q is not a Region name such as us-east-1", text.Truncate(b.region))
	}
	if len(in.Clients) == 0 {
		return nil, errors.New("dashboard: needs the pool's app clients; list them with MetricsClient.Clients")
	}
	for i, c := range in.Clients {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("dashboard: client %d: %w", i+1, err)
		}
	}
	if b.period == 0 {
		b.period = cognitoPublishPeriod
	}
	if b.period <= 0 || b.period%time.Minute != 0 {
		return nil, fmt.Errorf("dashboard: %w: %s is not a whole number of minutes", ErrInvalidPeriod, b.period)
	}
	for i, p := range in.IdentityProviders {
		if err := validProviderName(p); err != nil {
			return nil, fmt.Errorf("dashboard: identity provider %d: %w", i+1, err)
		}
	}
	b.providers = sortedProviders(in.IdentityProviders)
	if b.quotas == nil {
		b.quotas = DefaultQuotas()
	}
	for _, c := range sortedKeys(b.quotas) {
		if !quotaCategoryPattern.MatchString(c) {
			return nil, fmt.Errorf("dashboard: quota category %q is not a category name such as UserAuthentication", text.Truncate(c))
		}
		if q := b.quotas[c]; !(q > 0) || q > 1e9 {
			return nil, fmt.Errorf("dashboard: quota of %s is %v requests per second; want a positive number", c, q)
		}
	}
	prefix := alarmPrefix(in.UserPool)
	for i, arn := range in.AlarmARNs {
		m := alarmARNPattern.FindStringSubmatch(arn)
		switch {
		case m == nil:
			return nil, fmt.Errorf("dashboard: alarm ARN %d: %q is not a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)", i+1, text.Truncate(arn))
		case !strings.HasPrefix(m[4], prefix) || !validName(m[4]):
			return nil, fmt.Errorf("dashboard: alarm ARN %d: %w: alarm %q is not named under %q", i+1, ErrNotOwned, text.Truncate(m[4]), prefix)
		}
	}
	if in.TrailLogGroup != "" && !logGroupPattern.MatchString(in.TrailLogGroup) {
		return nil, fmt.Errorf("dashboard: trail log group %q must be 1 to 512 characters of A-Z a-z 0-9 . - _ / #", text.Truncate(in.TrailLogGroup))
	}
	return b, nil
}

// validProviderName checks an identity-provider name.
//
// Assumption: Cognito's identity-provider names (ProviderName) are 1 to 32
// characters without control characters, as the cognito-idp API reference's
// CreateIdentityProvider says; FACTS.md does not record it. A user with an
// account can check with DescribeIdentityProvider.
func validProviderName(p string) error {
	if p == "" || !utf8.ValidString(p) || utf8.RuneCountInString(p) > 32 {
		return fmt.Errorf("%q must be 1 to 32 characters of UTF-8", text.Truncate(p))
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%q has a control character", text.Truncate(p))
		}
	}
	return nil
}

func (b *dashboardBuilder) build() (string, error) {
	pool := b.in.UserPool
	b.add(gridColumns, 3, textWidget(b.header()))
	flows := []Flow{SignIn, SignUp, TokenRefresh}
	if len(b.providers) > 0 {
		flows = append(flows, Federation)
	}
	for _, f := range flows {
		total, err := b.flowTotal(f)
		if err != nil {
			return "", err
		}
		perClient, err := b.flowPerClient(f)
		if err != nil {
			return "", err
		}
		b.add(12, 6, total)
		b.add(12, 6, perClient)
	}
	throttles, err := b.throttles(flows)
	if err != nil {
		return "", err
	}
	b.add(12, 6, throttles)
	b.add(12, 6, b.quotaUsage())
	if b.in.ThreatProtection {
		b.add(12, 6, b.risk())
	}
	arns := slices.Sorted(slices.Values(slices.Compact(slices.Sorted(slices.Values(b.in.AlarmARNs)))))
	groups := slices.Collect(slices.Chunk(arns, maxAlarmWidgetAlarms))
	for i, g := range groups {
		title := "Alarms of " + string(pool)
		if len(groups) > 1 {
			title += " (" + strconv.Itoa(i+1) + " of " + strconv.Itoa(len(groups)) + ")"
		}
		b.add(12, 6, widget{Type: "alarm", Properties: alarmProps{Title: title, Alarms: g, SortBy: "stateUpdatedTimestamp"}})
	}
	if b.in.TrailLogGroup != "" {
		if err := b.logWidgets(); err != nil {
			return "", err
		}
	}
	return encodeBody(dashboardBody{Widgets: b.widgets})
}

// add places w on the grid, width columns wide and height rows tall.
func (b *dashboardBuilder) add(width, height int, w widget) {
	w.X, w.Y = b.layout.place(width, height)
	w.Width, w.Height = width, height
	b.widgets = append(b.widgets, w)
}

// gridLayout places widgets left to right in rows of the 24-column grid,
// starting a new row when a widget does not fit in the current one.
type gridLayout struct {
	x, y, rowHeight int
}

func (g *gridLayout) place(width, height int) (x, y int) {
	if g.x+width > gridColumns {
		g.x, g.y, g.rowHeight = 0, g.y+g.rowHeight, 0
	}
	x, y = g.x, g.y
	g.x += width
	g.rowHeight = max(g.rowHeight, height)
	return x, y
}

func (b *dashboardBuilder) header() string {
	var s strings.Builder
	fmt.Fprintf(&s, "# Amazon Cognito user pool %s\n", b.in.UserPool)
	s.WriteString("Built by cognitomon. Failures are SampleCount - Sum of each flow's *Successes metric, throttled requests included; " +
		"pool totals sum the listed app clients and the pseudo-clients Admin and Invalid. ")
	s.WriteString("A challenge step (SRP, MFA) may count as a failure: compare with the CloudTrail widgets before trusting the figures.")
	return s.String()
}

// clients returns the flow's series clients: the listed ones plus the
// flow's pseudo-clients, sorted.
func (b *dashboardBuilder) clients(f Flow) []ClientID { return withPseudo(f, b.in.Clients, false) }

func (b *dashboardBuilder) math(f Flow, clients []ClientID) ([]cwtypes.MetricDataQuery, error) {
	var providers []string
	if f == Federation {
		providers = b.providers
	}
	return FlowMath(MathInput{UserPool: b.in.UserPool, Flow: f, Clients: clients, IdentityProviders: providers, Period: b.period})
}

// flowTotal is the pool-wide widget of a flow: attempts and failures on the
// left axis, the failure rate in percent on the right.
func (b *dashboardBuilder) flowTotal(f Flow) (widget, error) {
	qs, err := b.math(f, b.clients(f))
	if err != nil {
		return widget{}, err
	}
	show := map[string]metricRender{
		MathAttempts:    {label: f.String() + " attempts"},
		MathFailures:    {label: f.String() + " failures"},
		MathFailureRate: {label: f.String() + " failure rate %", right: true},
	}
	entries := metricEntries(qs, "", show)
	return b.metricWidget(f.String()+": attempts, failures and failure rate (pool)", entries, "%"), nil
}

// flowPerClient is the per-client widget of a flow: each client's failures
// on the left axis and failure rate in percent on the right. Each client's
// FlowMath queries get the prefix c<i>_ so that the IDs stay unique.
func (b *dashboardBuilder) flowPerClient(f Flow) (widget, error) {
	var entries [][]any
	for i, c := range b.clients(f) {
		qs, err := b.math(f, []ClientID{c})
		if err != nil {
			return widget{}, err
		}
		show := map[string]metricRender{
			MathFailures:    {label: string(c) + " failures"},
			MathFailureRate: {label: string(c) + " failure rate %", right: true},
		}
		entries = append(entries, metricEntries(qs, "c"+strconv.Itoa(i)+"_", show)...)
	}
	return b.metricWidget(f.String()+": failures and failure rate per client", entries, "%"), nil
}

// throttles is one widget with each flow's pool-wide throttles.
func (b *dashboardBuilder) throttles(flows []Flow) (widget, error) {
	var entries [][]any
	for _, f := range flows {
		qs, err := b.math(f, b.clients(f))
		if err != nil {
			return widget{}, err
		}
		show := map[string]metricRender{MathThrottles: {label: f.String() + " throttles"}}
		entries = append(entries, metricEntries(qs, strings.ToLower(f.String())+"_", show)...)
	}
	return b.metricWidget("Throttled requests per flow (pool)", entries, ""), nil
}

// searchString quotes s for a SEARCH term: double quotes, with " and \
// escaped (FACTS.md 4.2). Every value quoted here has been validated.
func searchString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `(`, `\(`, `)`, `\)`).Replace(s) + `"`
}

// quotaUsage is the widget of each rate-limit category's calls as a
// percentage of its quota: Sum of CallCount per minute / 60 / quota * 100.
//
// Assumption (FACTS.md 1.3, 8.4): whether Cognito's AWS/Usage series carry
// a Class dimension is not documented, so the widget uses a SEARCH without
// a {namespace,dimensions} schema, which matches the series whatever their
// dimension set. A user with an account can check the dimension set with
// ListMetrics --namespace AWS/Usage.
func (b *dashboardBuilder) quotaUsage() widget {
	var entries [][]any
	secs := strconv.Itoa(int(dashUsagePeriod / time.Second))
	for i, c := range sortedKeys(b.quotas) {
		q := strconv.FormatFloat(b.quotas[c], 'g', -1, 64)
		search := "SEARCH('Namespace=" + searchString(UsageNamespace) + " MetricName=" + searchString(usageCalls) +
			" Service=" + searchString(usageService) + " Resource=" + searchString(c) + "', 'Sum', " + secs + ")"
		entries = append(entries, []any{expressionEntry{
			Expression: "100 * " + search + " / " + secs + " / " + q,
			ID:         "q" + strconv.Itoa(i),
			Label:      c + " % of " + q + " rps",
		}})
	}
	w := b.metricWidget("Quota usage: calls per category, % of the requests-per-second quota (account, all pools)", entries, "%")
	p := w.Properties.(metricProps)
	p.Period = int(dashUsagePeriod / time.Second)
	p.Annotations = &annotations{Horizontal: []horizontalAnnotation{{Label: "quota", Value: 100}}}
	w.Properties = p
	return w
}

// risk is the threat-protection widget: Sum of each risk metric of the pool
// (dimension UserPoolId, FACTS.md 1.2), per operation and risk level.
//
// Assumption (FACTS.md 1.2, 8.3): a datapoint counts requests, and the
// dimension sets are as documented; the SEARCH matches any dimension set of
// the named metric with the pool's UserPoolId. A user with an account on the
// Plus plan can check with ListMetrics --namespace AWS/Cognito.
func (b *dashboardBuilder) risk() widget {
	var entries [][]any
	secs := strconv.Itoa(int(b.period / time.Second))
	for i, m := range riskMetricNames {
		search := "SEARCH('Namespace=" + searchString(CognitoNamespace) + " MetricName=" + searchString(m) +
			" " + dimUserPoolID + "=" + searchString(string(b.in.UserPool)) + "', 'Sum', " + secs + ")"
		entries = append(entries, []any{expressionEntry{Expression: search, ID: "r" + strconv.Itoa(i), Label: m}})
	}
	return b.metricWidget("Threat protection: risk per operation and level", entries, "")
}

// logWidgets adds one Logs Insights widget per canned CloudTrail query.
func (b *dashboardBuilder) logWidgets() error {
	var clients []ClientID
	for _, c := range b.in.Clients {
		if !c.IsPseudo() {
			clients = append(clients, c)
		}
	}
	for _, q := range Catalog() {
		if q.Reads != readsCloudTrail {
			continue
		}
		var p QueryParams
		if q.takes(paramUserPool) && (!q.NeedsClients || len(clients) > 0) {
			p.UserPool = b.in.UserPool
		}
		if q.takes(paramClients) {
			p.Clients = clients
		}
		text, err := q.Render(p)
		if err != nil {
			return fmt.Errorf("dashboard: widget for query %s: %w", q.Name, err)
		}
		b.add(12, 6, widget{Type: "log", Properties: logProps{
			Title:  "CloudTrail: " + q.Name,
			Region: b.region,
			View:   "table",
			Query:  "SOURCE '" + b.in.TrailLogGroup + "' | " + text,
		}})
	}
	return nil
}

func (b *dashboardBuilder) metricWidget(title string, entries [][]any, rightUnit string) widget {
	p := metricProps{
		Title:   title,
		Region:  b.region,
		View:    "timeSeries",
		Period:  int(b.period / time.Second),
		Metrics: entries,
	}
	if rightUnit != "" {
		p.YAxis = &yAxis{Left: &axis{Min: aws.Float64(0)}, Right: &axis{Min: aws.Float64(0), Label: rightUnit}}
	}
	return widget{Type: "metric", Properties: p}
}

// metricRender says how a returned query is drawn.
type metricRender struct {
	label string
	right bool
}

// metricEntries converts GetMetricData queries into metrics-array entries
// of a metric widget (FACTS.md 9.3): a MetricStat becomes [namespace, name,
// dimension, value, ..., {id, stat, period, visible false}], an expression
// {expression, id, label, visible}. Every ID gets prefix, rewritten inside
// the expressions too. Only the queries in show are visible.
func metricEntries(qs []cwtypes.MetricDataQuery, prefix string, show map[string]metricRender) [][]any {
	ids := map[string]bool{}
	for _, q := range qs {
		ids[aws.ToString(q.Id)] = true
	}
	rename := func(expr string) string {
		return queryRefPattern.ReplaceAllStringFunc(expr, func(tok string) string {
			if ids[tok] {
				return prefix + tok
			}
			return tok
		})
	}
	var out [][]any
	for _, q := range qs {
		id := aws.ToString(q.Id)
		r, visible := show[id]
		if ms := q.MetricStat; ms != nil {
			e := []any{aws.ToString(ms.Metric.Namespace), aws.ToString(ms.Metric.MetricName)}
			for _, d := range ms.Metric.Dimensions {
				e = append(e, aws.ToString(d.Name), aws.ToString(d.Value))
			}
			e = append(e, statRender{ID: prefix + id, Stat: aws.ToString(ms.Stat), Period: int(aws.ToInt32(ms.Period)), Visible: visible})
			out = append(out, e)
			continue
		}
		label := aws.ToString(q.Label)
		if visible {
			label = r.label
		}
		ex := expressionEntry{Expression: rename(aws.ToString(q.Expression)), ID: prefix + id, Label: label, Visible: &visible}
		if visible && r.right {
			ex.YAxis = "right"
		}
		out = append(out, []any{ex})
	}
	return out
}
