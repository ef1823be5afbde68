package cognitomon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/cognitomon/cognitomon/internal/text"
)

// DashboardAPI is the part of the CloudWatch API that DashboardManager
// calls. *cloudwatch.Client satisfies it.
type DashboardAPI interface {
	GetDashboard(ctx context.Context, params *cloudwatch.GetDashboardInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetDashboardOutput, error)
	ListDashboards(ctx context.Context, params *cloudwatch.ListDashboardsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListDashboardsOutput, error)
	PutDashboard(ctx context.Context, params *cloudwatch.PutDashboardInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutDashboardOutput, error)
	DeleteDashboards(ctx context.Context, params *cloudwatch.DeleteDashboardsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DeleteDashboardsOutput, error)
}

var _ DashboardAPI = (*cloudwatch.Client)(nil)

// resourceDashboard is the Resource of a dashboard's Change.
const resourceDashboard Resource = "dashboard"

// maxDeleteDashboards is how many names one DeleteDashboards call takes
// (FACTS.md 9.3).
const maxDeleteDashboards = 100

// DashboardManager plans and applies a pool's dashboards: Plan compares
// definitions with the dashboards under the owned prefix alarmPrefix(pool)
// (the alarms' prefix; FACTS.md 9.3 allows every character of a pool ID in
// a dashboard name), Apply carries a plan out. Nothing outside the prefix
// is read into a plan or changed. It is immutable and safe for concurrent
// use; concurrent Apply calls for the same pool are not coordinated.
type DashboardManager struct {
	api    DashboardAPI
	pool   UserPoolID
	prefix string
	retry  RetryOptions
}

// NewDashboardManager returns a DashboardManager for the pool's dashboards
// over api. optFns change how throttled calls are retried. It panics if api
// is nil.
func NewDashboardManager(api DashboardAPI, pool UserPoolID, optFns ...func(*RetryOptions)) *DashboardManager {
	if api == nil {
		panic("cognitomon: NewDashboardManager with nil DashboardAPI")
	}
	var r RetryOptions
	for _, fn := range optFns {
		fn(&r)
	}
	return &DashboardManager{api: api, pool: pool, prefix: alarmPrefix(pool), retry: r.withDefaults()}
}

// Prefix returns the name prefix the manager owns.
func (m *DashboardManager) Prefix() string { return m.prefix }

// DashboardPlan is what DashboardManager.Apply would do: the dashboards
// under one prefix to create, update (Diffs: one per added, removed or
// changed widget, keyed by title) or delete, and those unchanged, each list
// sorted by name. Every Change has Resource "dashboard". A DashboardPlan
// is data; only Apply acts on it.
type DashboardPlan struct {
	// Prefix is the prefix the plan was made under.
	Prefix    string
	Creates   []Change
	Updates   []Change
	Deletes   []Change
	Unchanged []Change

	bodies map[string]string // the desired body of each create and update, as given
}

// HasChanges reports whether Apply would change anything.
func (p *DashboardPlan) HasChanges() bool {
	return len(p.Creates)+len(p.Updates)+len(p.Deletes) > 0
}

// String formats the plan for people: a summary line, then one line per
// change ("+" create, "~" update with its widget diffs, "-" delete).
func (p *DashboardPlan) String() string {
	alarmsLike := Plan{Prefix: p.Prefix, Creates: p.Creates, Updates: p.Updates, Deletes: p.Deletes, Unchanged: p.Unchanged}
	return alarmsLike.String()
}

func (m *DashboardManager) call(ctx context.Context, what string, fn func() error) error {
	if err := retry(ctx, m.retry, fn); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Plan lists the dashboards under the manager's prefix (ListDashboards,
// paginated), reads the body of each (GetDashboard), and returns what Apply
// must do to reach desired: creates, updates with a widget-level diff, and
// deletes of owned dashboards that are no longer desired. Bodies are
// compared as canonical JSON, so a second Plan after Apply has no changes.
// Every desired dashboard must be valid (Dashboard.Validate) and named
// under the prefix. Plan changes nothing.
func (m *DashboardManager) Plan(ctx context.Context, desired ...Dashboard) (*DashboardPlan, error) {
	if err := m.pool.Validate(); err != nil {
		return nil, err
	}
	want, bodies := map[string]string{}, map[string]string{}
	var errs []error
	for _, d := range desired {
		switch {
		case !strings.HasPrefix(d.Name, m.prefix):
			errs = append(errs, fmt.Errorf("dashboard %q: %w: the manager owns names starting with %q", text.Truncate(d.Name), ErrNotOwned, m.prefix))
			continue
		case want[d.Name] != "":
			errs = append(errs, fmt.Errorf("dashboard %q: defined twice", d.Name))
			continue
		}
		if err := d.Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		c, err := canonicalBody(d.Body)
		if err != nil {
			errs = append(errs, fmt.Errorf("dashboard %q: %w", d.Name, err))
			continue
		}
		want[d.Name], bodies[d.Name] = c, d.Body
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	existing, err := m.owned(ctx)
	if err != nil {
		return nil, err
	}
	p := &DashboardPlan{Prefix: m.prefix, bodies: bodies}
	for _, name := range sortedKeys(want) {
		if !existing[name] {
			p.Creates = append(p.Creates, Change{Resource: resourceDashboard, Name: name, Diffs: widgetDiffs("", want[name])})
			continue
		}
		var out *cloudwatch.GetDashboardOutput
		if err := m.call(ctx, "reading dashboard "+name, func() error {
			var err error
			out, err = m.api.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String(name)})
			return err
		}); hasErrorCode(err, "ResourceNotFound") {
			// Deleted since it was listed.
			p.Creates = append(p.Creates, Change{Resource: resourceDashboard, Name: name, Diffs: widgetDiffs("", want[name])})
			continue
		} else if err != nil {
			return nil, err
		}
		have, err := canonicalBody(aws.ToString(out.DashboardBody))
		if err != nil {
			// A body that does not parse differs from any desired one.
			have = ""
		}
		if have == want[name] {
			p.Unchanged = append(p.Unchanged, Change{Resource: resourceDashboard, Name: name})
			continue
		}
		p.Updates = append(p.Updates, Change{Resource: resourceDashboard, Name: name, Diffs: widgetDiffs(have, want[name])})
	}
	for _, name := range sortedKeys(existing) {
		if _, ok := want[name]; !ok {
			p.Deletes = append(p.Deletes, Change{Resource: resourceDashboard, Name: name})
		}
	}
	return p, nil
}

// owned returns the names of the dashboards under the prefix.
func (m *DashboardManager) owned(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	in := &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(m.prefix)}
	seen := map[string]bool{}
	for {
		var page *cloudwatch.ListDashboardsOutput
		if err := m.call(ctx, "listing dashboards under "+m.prefix, func() error {
			var err error
			page, err = m.api.ListDashboards(ctx, in)
			return err
		}); err != nil {
			return nil, err
		}
		for _, e := range page.DashboardEntries {
			if name := aws.ToString(e.DashboardName); strings.HasPrefix(name, m.prefix) {
				out[name] = true
			}
		}
		tok := aws.ToString(page.NextToken)
		if tok == "" {
			return out, nil
		}
		if seen[tok] {
			return nil, fmt.Errorf("listing dashboards under %s: %w: ListDashboards returned the same NextToken twice", m.prefix, ErrIncomplete)
		}
		seen[tok] = true
		in = &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String(m.prefix), NextToken: aws.String(tok)}
	}
}

// widgetDiffs describes how body want differs from body have, widget by
// widget: added, removed or changed, keyed by title.
func widgetDiffs(have, want string) []FieldDiff {
	old, _ := bodyWidgets(have)
	cur, _ := bodyWidgets(want)
	byKey := map[string]bodyWidget{}
	for _, w := range old {
		byKey[w.key] = w
	}
	var diffs []FieldDiff
	kept := map[string]bool{}
	for _, w := range cur {
		o, ok := byKey[w.key]
		kept[w.key] = true
		switch {
		case !ok:
			diffs = append(diffs, FieldDiff{Field: "widget " + quoteOr(w.key), Old: none, New: "added: " + w.summary})
		case o.canon != w.canon:
			n := w.summary
			if n == o.summary {
				n += " (properties changed)"
			}
			diffs = append(diffs, FieldDiff{Field: "widget " + quoteOr(w.key), Old: o.summary, New: n})
		}
	}
	for _, w := range old {
		if !kept[w.key] {
			diffs = append(diffs, FieldDiff{Field: "widget " + quoteOr(w.key), Old: w.summary, New: "removed"})
		}
	}
	if len(diffs) == 0 && have != want {
		diffs = append(diffs, FieldDiff{Field: "body", Old: "as it is", New: "changed outside the widgets"})
	}
	return diffs
}

// Apply carries out a plan made by Plan with the same prefix: PutDashboard
// for each create and update, then DeleteDashboards for the deletes. It
// first checks every change: a name outside the prefix fails the whole plan
// with ErrNotOwned before any call, and each body is validated again. It
// returns the warnings of PutDashboard's DashboardValidationMessages (the
// dashboard was saved but may not render), as "name: path: message". A
// PutDashboard that fails validation returns an error that wraps
// *types.DashboardInvalidInputError and lists its messages. Deleting what
// is already gone is not an error. Apply stops at the first failure; what
// was done before stays done, and a new Plan shows what is left.
func (m *DashboardManager) Apply(ctx context.Context, p *DashboardPlan) ([]string, error) {
	if p == nil {
		return nil, errors.New("apply: nil dashboard plan")
	}
	if p.Prefix != m.prefix {
		return nil, fmt.Errorf("apply: %w: the plan was made for prefix %q, the manager owns %q", ErrNotOwned, p.Prefix, m.prefix)
	}
	var errs []error
	puts := append(slices.Clone(p.Creates), p.Updates...)
	for _, c := range append(slices.Clone(puts), p.Deletes...) {
		if !strings.HasPrefix(c.Name, m.prefix) {
			errs = append(errs, fmt.Errorf("dashboard %q: %w: the manager owns names starting with %q", text.Truncate(c.Name), ErrNotOwned, m.prefix))
		}
	}
	for _, c := range puts {
		body, ok := p.bodies[c.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("dashboard %q: the change was not made by Plan", c.Name))
			continue
		}
		if err := (Dashboard{Name: c.Name, Body: body}).Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("apply: %w", errors.Join(errs...))
	}
	var warnings []string
	for _, c := range puts {
		var out *cloudwatch.PutDashboardOutput
		err := m.call(ctx, "putting dashboard "+c.Name, func() error {
			var err error
			out, err = m.api.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String(c.Name), DashboardBody: aws.String(p.bodies[c.Name])})
			return err
		})
		var invalid *cwtypes.DashboardInvalidInputError
		if errors.As(err, &invalid) && len(invalid.DashboardValidationMessages) > 0 {
			return warnings, fmt.Errorf("%w (%s)", err, formatValidationMessages(invalid.DashboardValidationMessages))
		}
		if err != nil {
			return warnings, err
		}
		for _, msg := range out.DashboardValidationMessages {
			warnings = append(warnings, c.Name+": "+aws.ToString(msg.DataPath)+": "+aws.ToString(msg.Message))
		}
	}
	var gone []string
	for _, c := range p.Deletes {
		gone = append(gone, c.Name)
	}
	for batch := range slices.Chunk(gone, maxDeleteDashboards) {
		if err := m.delete(ctx, batch); err != nil {
			return warnings, err
		}
	}
	return warnings, nil
}

// delete deletes names. "If there is an error during this call, no
// dashboards are deleted" (FACTS.md 9.3), so when one of a batch is gone
// already, the rest are deleted one by one.
func (m *DashboardManager) delete(ctx context.Context, names []string) error {
	del := func(names []string) error {
		return m.call(ctx, "deleting dashboards "+strings.Join(names, ", "), func() error {
			_, err := m.api.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: names})
			return err
		})
	}
	err := del(names)
	if !hasErrorCode(err, "ResourceNotFound") {
		return err
	}
	for _, n := range names {
		if err := del([]string{n}); err != nil && !hasErrorCode(err, "ResourceNotFound") {
			return err
		}
	}
	return nil
}

// CloudFormationTemplate returns d as a CloudFormation template in JSON
// (which is also YAML): one AWS::CloudWatch::Dashboard with DashboardName
// and DashboardBody, the body as a JSON string (FACTS.md 9.3). The
// dashboard is validated first. The logical ID is the name in CamelCase.
// Changing the name of a deployed dashboard replaces it.
func (d Dashboard) CloudFormationTemplate() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var id strings.Builder
	for _, part := range logicalIDPart.FindAllString(d.Name, -1) {
		id.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	id.WriteString("Dashboard")
	type props struct {
		DashboardName string
		DashboardBody string
	}
	type resource struct {
		Type       string
		Properties props
	}
	type output struct {
		Description string
		Value       map[string]string
	}
	tmpl := struct {
		AWSTemplateFormatVersion string
		Description              string
		Resources                map[string]resource
		Outputs                  map[string]output
	}{
		AWSTemplateFormatVersion: "2010-09-09",
		Description:              "Amazon Cognito user-pool dashboard defined by cognitomon",
		Resources:                map[string]resource{id.String(): {Type: "AWS::CloudWatch::Dashboard", Properties: props{DashboardName: d.Name, DashboardBody: d.Body}}},
		Outputs:                  map[string]output{"DashboardName": {Description: "the dashboard's name", Value: map[string]string{"Ref": id.String()}}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tmpl); err != nil {
		return nil, fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	return buf.Bytes(), nil
}
