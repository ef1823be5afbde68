package main

import (
	"time"

	"github.com/cognitomon/cognitomon"
	"github.com/cognitomon/cognitomon/analysis"
)

// reportSchema names the JSON report's version (docs/json-output.md).
const reportSchema = "cognitomon.report/v2"

// reportJSON is `report --format json`: schema cognitomon.report/v2,
// documented in docs/json-output.md.
type reportJSON struct {
	Schema         string        `json:"schema"`
	UserPool       string        `json:"userPool,omitempty"`
	Range          jsonRange     `json:"range"`
	Source         string        `json:"source"`
	Partial        bool          `json:"partial"`
	Coverage       jsonCoverage  `json:"coverage"`
	Notes          []string      `json:"notes"`
	Metrics        *jsonMetrics  `json:"metrics"`
	MetricsOmitted string        `json:"metricsOmitted,omitempty"`
	Trail          *jsonTrail    `json:"trail"`
	Findings       []jsonFinding `json:"findings"`
	// ClientNames maps app client IDs to their names, from the pool's
	// configuration (cognito-idp), when it could be read.
	ClientNames map[string]string `json:"clientNames,omitempty"`

	cov *cognitomon.Coverage
	// series are the time series the HTML report draws (reporthtml.go).
	series reportSeries
}

// clientLabel is an app client ID with its name, when known.
func (r *reportJSON) clientLabel(id string) string {
	if n := r.ClientNames[id]; n != "" {
		return id + " (" + n + ")"
	}
	return id
}

type jsonCounts struct {
	Attempts    int64   `json:"attempts"`
	Successes   int64   `json:"successes"`
	Failures    int64   `json:"failures"`
	Throttles   int64   `json:"throttles"`
	FailureRate float64 `json:"failureRate"`
}

func toJSONCounts(c cognitomon.Counts) jsonCounts {
	return jsonCounts{c.Attempts, c.Successes, c.Failures(), c.Throttles, c.FailureRate()}
}

type jsonFlow struct {
	Flow string `json:"flow"`
	jsonCounts
	Clients   map[string]jsonCounts `json:"clients"`
	Providers map[string]jsonCounts `json:"providers,omitempty"`
}

type jsonMetrics struct {
	Range  jsonRange        `json:"range"`
	Period string           `json:"period"`
	Flows  []jsonFlow       `json:"flows"`
	Usage  cognitomon.Usage `json:"usage"`
	Quota  []jsonQuota      `json:"quota,omitempty"`
	// SignInCaveats maps the app clients whose configuration allows SRP or
	// USER_AUTH to the caveat on their sign-in failure figures.
	SignInCaveats map[string]string `json:"signInCaveats,omitempty"`
}

// signInCaveat is the caveat on the derived sign-in failures of a client
// that allows SRP or USER_AUTH.
const signInCaveat = "allows SRP or USER_AUTH: a sign-in step that answers with a challenge (PASSWORD_VERIFIER, MFA) may count as a 0 in SignInSuccesses, which AWS does not document, so the failures may be overcounted (FACTS.md 1.1); compare with CloudTrail"

// addSignInCaveats marks the metrics' sign-in clients that inv says allow
// SRP or USER_AUTH.
func (m *jsonMetrics) addSignInCaveats(inv *cognitomon.Inventory) {
	if inv == nil {
		return
	}
	for _, f := range m.Flows {
		if f.Flow != cognitomon.SignIn.String() {
			continue
		}
		for id := range f.Clients {
			if c, ok := inv.Client(cognitomon.ClientID(id)); ok && c.Described && c.AllowsSRPOrUserAuth() {
				if m.SignInCaveats == nil {
					m.SignInCaveats = map[string]string{}
				}
				m.SignInCaveats[id] = signInCaveat
			}
		}
	}
}

type jsonQuota struct {
	Category      string  `json:"category"`
	Calls         float64 `json:"calls"`
	Throttles     float64 `json:"throttles"`
	PeakPerSecond float64 `json:"peakPerSecond"`
}

func toJSONMetrics(st *cognitomon.Stats) *jsonMetrics {
	m := &jsonMetrics{Range: toJSONRange(st.Range), Period: st.Period.String(), Usage: st.Usage}
	for _, fs := range st.Flows {
		jf := jsonFlow{Flow: fs.Flow.String(), jsonCounts: toJSONCounts(fs.Counts), Clients: map[string]jsonCounts{}}
		for _, c := range fs.Clients {
			jf.Clients[string(c.Client)] = toJSONCounts(c.Counts)
		}
		for _, p := range fs.Providers {
			if jf.Providers == nil {
				jf.Providers = map[string]jsonCounts{}
			}
			jf.Providers[p.Provider] = toJSONCounts(p.Counts)
		}
		m.Flows = append(m.Flows, jf)
	}
	return m
}

func toJSONQuota(qu *cognitomon.QuotaUsage) []jsonQuota {
	var out []jsonQuota
	for _, c := range qu.Categories {
		out = append(out, jsonQuota{Category: c.Category, Calls: c.Calls.Total(), Throttles: c.Throttles.Total(), PeakPerSecond: c.PeakPerSecond(qu.Period)})
	}
	return out
}

type jsonRank struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
	// Error bounds an estimated count: the true count is in [count-error, count].
	Error int64 `json:"error,omitempty"`
}

func ranks[K comparable](l analysis.TopList[K], n int, key func(K) string) []jsonRank {
	out := []jsonRank{}
	for _, it := range l.Items[:min(n, len(l.Items))] {
		out = append(out, jsonRank{Key: key(it.Key), Count: it.Count, Error: it.Error})
	}
	return out
}

type jsonTrail struct {
	Events       int64                 `json:"events"`
	ByKind       map[string]jsonCounts `json:"byKind"`
	Failures     int64                 `json:"failures"`
	ByReasonIP   []jsonRank            `json:"failuresByReasonAndIp"`
	TopIPs       []jsonRank            `json:"topFailingIps"`
	UserNotFound int64                 `json:"userNotFound"`
	Enumeration  []jsonRank            `json:"userNotFoundByIp"`
	Resets       jsonCounts            `json:"passwordResets"`
	ResetIPs     []jsonRank            `json:"passwordResetsByIp"`
	MFAFailures  int64                 `json:"mfaFailures"`
	MFAIPs       []jsonRank            `json:"mfaFailuresByIp"`
	Refresh      []jsonBucket          `json:"refreshFailuresPerHour"`
	Machines     []jsonMachine         `json:"machineClients"`
	M2MPrice     jsonPrice             `json:"m2mPrice"`
	M2MCost      float64               `json:"m2mCostUsd"`
	AdminChanges []jsonEvent           `json:"adminChanges"`
}

type jsonBucket struct {
	Start     time.Time `json:"start"`
	Refreshes int64     `json:"refreshes"`
	Failures  int64     `json:"failures"`
}

type jsonMachine struct {
	ClientID  string     `json:"clientId"`
	Requests  int64      `json:"requests"`
	Failures  int64      `json:"failures"`
	Successes int64      `json:"successes"`
	Cost      float64    `json:"costUsd"`
	PerHour   float64    `json:"perHour"`
	SourceIPs []jsonRank `json:"sourceIps"`
}

// jsonPrice is the M2M price the costs were computed with.
type jsonPrice struct {
	PerThousand float64 `json:"perThousandUsd"`
	AsOf        string  `json:"asOf,omitempty"`
	Source      string  `json:"source"`
}

func (a *analyses) summary(events int64) *jsonTrail {
	fs, es, rs, ms := a.failures.Summary(), a.enumeration.Summary(), a.resets.Summary(), a.mfa.Summary()
	t := &jsonTrail{Events: events, ByKind: map[string]jsonCounts{}, Failures: fs.Failures, UserNotFound: es.UserNotFound,
		Resets: toJSONCounts(rs.Counts), MFAFailures: ms.Counts.Failures(), Refresh: []jsonBucket{}, Machines: []jsonMachine{}, AdminChanges: []jsonEvent{}}
	for k, c := range a.traffic.Summary().ByKind {
		t.ByKind[k.String()] = toJSONCounts(c)
	}
	str := func(s string) string { return s }
	t.ByReasonIP = ranks(fs.ByReasonAndIP, 10, func(k analysis.ReasonIP) string { return k.Reason + " " + k.SourceIP })
	t.TopIPs = ranks(fs.BySourceIP, 10, str)
	t.Enumeration = ranks(es.BySourceIP, 10, str)
	t.ResetIPs = ranks(rs.BySourceIP, 10, str)
	t.MFAIPs = ranks(ms.BySourceIP, 10, str)
	for _, b := range a.refresh.Summary().Buckets {
		if tot := b.Total(); tot.Failures() > 0 {
			t.Refresh = append(t.Refresh, jsonBucket{b.Start.UTC(), tot.Attempts, tot.Failures()})
		}
	}
	price, source := a.price, "--m2m-price"
	if price.PerThousand == 0 {
		price, source = analysis.DefaultM2MPrice(), "default: the first tier of the published price (FACTS.md 9.4 d)"
	}
	m2m := a.m2m.Summary()
	t.M2MPrice = jsonPrice{PerThousand: price.PerThousand, AsOf: price.AsOf, Source: source}
	t.M2MCost = m2m.Cost(price)
	for _, c := range m2m.Clients {
		t.Machines = append(t.Machines, jsonMachine{ClientID: string(c.ClientID), Requests: c.Counts.Attempts, Failures: c.Counts.Failures(), Successes: c.Counts.Successes,
			Cost: c.Cost(price), PerHour: c.PerHour, SourceIPs: ranks(c.SourceIPs, 5, str)})
	}
	for _, ev := range a.admin.Summary().Changes {
		t.AdminChanges = append(t.AdminChanges, toJSONEvent(ev))
	}
	return t
}
