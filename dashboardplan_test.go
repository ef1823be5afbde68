package cognitomon_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/cognitomontest"
)

func dashServer(t *testing.T) (*cognitomontest.Server, *cloudwatch.Client, *cognitomon.DashboardManager) {
	t.Helper()
	srv := cognitomontest.NewServer(nil)
	t.Cleanup(srv.Close)
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(), func(o *cloudwatch.Options) { o.RetryMaxAttempts = 1 })
	m := cognitomon.NewDashboardManager(cw, dashPool, func(r *cognitomon.RetryOptions) { r.BaseDelay, r.MaxDelay = time.Millisecond, time.Millisecond })
	return srv, cw, m
}

func putRaw(t *testing.T, cw *cloudwatch.Client, name, body string) {
	t.Helper()
	if _, err := cw.PutDashboard(context.Background(), &cloudwatch.PutDashboardInput{DashboardName: aws.String(name), DashboardBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

func TestDashboardPlanApplyIdempotent(t *testing.T) {
	ctx := context.Background()
	srv, cw, m := dashServer(t)
	d, err := cognitomon.StandardDashboard(dashInput())
	if err != nil {
		t.Fatal(err)
	}
	// Not owned: another tool's dashboard, and another pool's.
	putRaw(t, cw, "team-overview", `{"widgets":[]}`)
	putRaw(t, cw, "cognitomon-eu-west-1_Other1-overview", `{"widgets":[]}`)
	// Owned but no longer desired.
	putRaw(t, cw, ownedPrefix(dashPool)+"old", `{"widgets":[]}`)
	before := srv.CloudWatch.PutDashboards()

	for i := range 2 {
		p, err := m.Plan(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if len(p.Creates) != 1 || p.Creates[0].Name != d.Name || len(p.Deletes) != 1 || p.Deletes[0].Name != ownedPrefix(dashPool)+"old" {
				t.Fatalf("first plan:\n%s", p)
			}
			if s := p.String(); !strings.Contains(s, `+ dashboard `+d.Name) || !strings.Contains(s, `widget "SignIn: failures and failure rate per client": (none) -> added`) {
				t.Errorf("plan text:\n%s", s)
			}
		} else if p.HasChanges() || len(p.Unchanged) != 1 {
			t.Fatalf("second plan has changes:\n%s", p)
		}
		if _, err := m.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.CloudWatch.PutDashboards() - before; got != 1 {
		t.Errorf("%d accepted PutDashboard calls over two applies, want 1", got)
	}
	for _, name := range []string{"team-overview", "cognitomon-eu-west-1_Other1-overview"} {
		if _, ok := srv.CloudWatch.Dashboard(name); !ok {
			t.Errorf("%s, not owned, was deleted", name)
		}
	}
	if _, ok := srv.CloudWatch.Dashboard(ownedPrefix(dashPool) + "old"); ok {
		t.Error("owned undesired dashboard not deleted")
	}
	if got, _ := srv.CloudWatch.Dashboard(d.Name); got != d.Body {
		t.Error("stored body differs from the definition")
	}
}

func TestDashboardPlanCanonicalAndDiff(t *testing.T) {
	ctx := context.Background()
	_, cw, m := dashServer(t)
	in := dashInput()
	in.ThreatProtection = false
	d, err := cognitomon.StandardDashboard(in)
	if err != nil {
		t.Fatal(err)
	}
	// The same body with other key order and spacing is unchanged.
	var tree any
	if err := json.Unmarshal([]byte(d.Body), &tree); err != nil {
		t.Fatal(err)
	}
	reordered, _ := json.MarshalIndent(tree, "", "   ")
	putRaw(t, cw, d.Name, string(reordered))
	p, err := m.Plan(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if p.HasChanges() {
		t.Fatalf("reordered body planned as a change:\n%s", p)
	}
	// Turning threat protection on adds one widget and moves the alarm
	// widget and log widgets after it.
	in.ThreatProtection = true
	d2, _ := cognitomon.StandardDashboard(in)
	p, err = m.Plan(ctx, d2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Updates) != 1 {
		t.Fatalf("plan:\n%s", p)
	}
	var added, changed int
	for _, df := range p.Updates[0].Diffs {
		switch {
		case df.Field == `widget "Threat protection: risk per operation and level"` && strings.HasPrefix(df.New, "added"):
			added++
		case df.Old != "(none)" && df.New != "removed":
			changed++
		}
	}
	if added != 1 || changed == 0 {
		t.Errorf("diffs %v", p.Updates[0].Diffs)
	}
}

func TestDashboardPlanApplyErrors(t *testing.T) {
	ctx := context.Background()
	d, err := cognitomon.StandardDashboard(dashInput())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("not owned", func(t *testing.T) {
		_, _, m := dashServer(t)
		_, err := m.Plan(ctx, cognitomon.Dashboard{Name: "elsewhere", Body: d.Body})
		if !errors.Is(err, cognitomon.ErrNotOwned) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("invalid body never sent", func(t *testing.T) {
		srv, _, m := dashServer(t)
		_, err := m.Plan(ctx, cognitomon.Dashboard{Name: d.Name, Body: `{"widgets":[{"type":"log","properties":{"region":"eu-west-1","query":"filter x"}}]}`})
		var invalid *cwtypes.DashboardInvalidInputError
		if !errors.As(err, &invalid) {
			t.Fatalf("error %v", err)
		}
		if n := srv.Requests("CloudWatch.ListDashboards"); n != 0 {
			t.Errorf("%d calls made for an invalid body", n)
		}
	})
	t.Run("throttled then fine", func(t *testing.T) {
		srv, _, m := dashServer(t)
		srv.CloudWatch.ThrottleNext("ListDashboards", 2)
		if _, err := m.Plan(ctx, d); err != nil {
			t.Fatal(err)
		}
		srv.CloudWatch.ThrottleNext("ListDashboards", 10)
		_, err := m.Plan(ctx, d)
		if !errors.Is(err, cognitomon.ErrThrottled) {
			t.Errorf("error %v, want ErrThrottled", err)
		}
	})
	t.Run("access denied", func(t *testing.T) {
		srv, _, m := dashServer(t)
		p, err := m.Plan(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		srv.CloudWatch.FailNext("PutDashboard", &smithy.GenericAPIError{Code: "AccessDenied", Message: "not allowed"})
		_, err = m.Apply(ctx, p)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.Contains(err.Error(), "putting dashboard "+d.Name) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("validation messages from CloudWatch", func(t *testing.T) {
		srv, _, m := dashServer(t)
		p, err := m.Plan(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		srv.CloudWatch.FailNext("PutDashboard", &cwtypes.DashboardInvalidInputError{
			Message:                     aws.String("The dashboard body is invalid, there are 1 validation errors"),
			DashboardValidationMessages: []cwtypes.DashboardValidationMessage{{DataPath: aws.String("/widgets/3/properties"), Message: aws.String("Should have required property 'region'")}},
		})
		_, err = m.Apply(ctx, p)
		var invalid *cwtypes.DashboardInvalidInputError
		if !errors.As(err, &invalid) || invalid.ErrorCode() != "InvalidParameterInput" || !strings.Contains(err.Error(), "/widgets/3/properties: Should have required property 'region'") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		_, _, m := dashServer(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := m.Plan(cctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("delete of a dashboard already gone", func(t *testing.T) {
		srv, cw, m := dashServer(t)
		a, b := ownedPrefix(dashPool)+"a", ownedPrefix(dashPool)+"b"
		putRaw(t, cw, a, `{"widgets":[]}`)
		putRaw(t, cw, b, `{"widgets":[]}`)
		p, err := m.Plan(ctx)
		if err != nil || len(p.Deletes) != 2 {
			t.Fatalf("plan %v, %v", p, err)
		}
		if _, err := cw.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{a}}); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Apply(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, ok := srv.CloudWatch.Dashboard(b); ok {
			t.Error("the remaining dashboard was not deleted")
		}
	})
	t.Run("plan of another prefix", func(t *testing.T) {
		_, cw, _ := dashServer(t)
		other := cognitomon.NewDashboardManager(cw, "eu-west-1_Other1")
		p := &cognitomon.DashboardPlan{Prefix: ownedPrefix(dashPool), Deletes: []cognitomon.Change{{Resource: "dashboard", Name: ownedPrefix(dashPool) + "x"}}}
		if _, err := other.Apply(ctx, p); !errors.Is(err, cognitomon.ErrNotOwned) {
			t.Errorf("error %v", err)
		}
		forged := &cognitomon.DashboardPlan{Prefix: ownedPrefix(dashPool), Creates: []cognitomon.Change{{Resource: "dashboard", Name: ownedPrefix(dashPool) + "x"}}}
		m := cognitomon.NewDashboardManager(cw, dashPool)
		if _, err := m.Apply(ctx, forged); err == nil || !strings.Contains(err.Error(), "not made by Plan") {
			t.Errorf("error %v", err)
		}
	})
}
