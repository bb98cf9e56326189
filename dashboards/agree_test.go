package dashboards

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/aggregator/plan"
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report"
	"github.com/frontline-oss/frontline/schemas"
)

// thresholdConfig gives billing its own service-level threshold (30 s, the
// default 20 s), short abandon (8 s, the default 5 s) and target (90 %),
// and lowers the alert volume guard to 4 calls.
const thresholdConfig = `targets:
  default: {service_level: 0.8}
  billing: {service_level: 0.9, sl_threshold: 30s}
queues:
  billing: {short_abandon: 8s}
alerts: {min_volume: 4}
`

// TestQueueThresholdsAgree: one queue measured with its own service-level
// threshold and short abandon is measured the same way by every reader.
// Monday 2026-10-05, 10:00–10:15: billing answers after 10, 25, 25 and
// 35 s and loses callers after 6 and 12 s; support answers after 10, 15 and
// 25 s and loses one after 6 s. By billing's thresholds it offered 5 calls
// (the 6-second caller is a short abandon), 3 answered within 30 s: 60 %,
// abandon rate 20 %; support, by the defaults, 2 of 4: 50 %, 25 %. (By the
// defaults billing would be 1 of 6.) The report, the 30-minute gauges, the
// dashboard's service-level panel, the Grafana alert query, the Prometheus
// rules fed with those gauges, and the plan of the Monday after (its
// forecast is that Monday's offered calls, its Erlang target the queue's)
// all agree.
func TestQueueThresholdsAgree(t *testing.T) {
	ctx := context.Background()
	c, err := kpi.ParseConfig([]byte(thresholdConfig))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	n := 0
	call := func(queue string, minute int, wait time.Duration, answered bool) *schemas.Event {
		n++
		q := day.Add(10*time.Hour + time.Duration(minute)*time.Minute)
		e := &schemas.CallEnded{CallID: fmt.Sprintf("c%d", n), Direction: "inbound", Queue: queue, QueuedAt: &q, EndedAt: q.Add(wait)}
		if answered {
			a := q.Add(wait)
			e.AnsweredAt, e.AgentID, e.TalkSec, e.EndedAt = &a, "a1", 120, a.Add(2*time.Minute)
		}
		return &schemas.Event{ID: fmt.Sprintf("e%d", n), Type: e.EventType(), Source: "test", Data: e}
	}
	s := storetest.New(t)
	eventtest.Insert(t, s,
		call("billing", 1, 10*time.Second, true), call("billing", 2, 25*time.Second, true), call("billing", 3, 25*time.Second, true),
		call("billing", 4, 35*time.Second, true), call("billing", 5, 6*time.Second, false), call("billing", 6, 12*time.Second, false),
		call("support", 1, 10*time.Second, true), call("support", 2, 15*time.Second, true), call("support", 3, 25*time.Second, true),
		call("support", 4, 6*time.Second, false),
	)
	want := map[string]struct {
		offered   int64
		sl, ab    float64
		threshold float64
	}{"billing": {5, 0.6, 0.2, 30}, "support": {4, 0.5, 0.25, 20}}

	// The report.
	r, err := report.BuildReport(ctx, s, day, day.AddDate(0, 0, 1), "", c)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range r.Queues {
		w := want[q.Queue]
		if q.Offered != w.offered || *q.ServiceLevel != w.sl || *q.AbandonRate != w.ab || q.SLThresholdSec != w.threshold {
			t.Errorf("report %s: offered %d, SL %v, abandon %v at %v s; want %d, %v, %v at %v s",
				q.Queue, q.Offered, *q.ServiceLevel, *q.AbandonRate, q.SLThresholdSec, w.offered, w.sl, w.ab, w.threshold)
		}
	}

	// The gauges at 10:20 (the 30 minutes before hold every call).
	reg := prometheus.NewRegistry()
	if err := aggregator.New(s, aggregator.Options{KPI: c, Registerer: reg}).RunOnce(ctx, day.Add(10*time.Hour+20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	gauges := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) == 1 && m.Gauge != nil {
				gauges[fmt.Sprintf("%s{queue=%q}", mf.GetName(), m.GetLabel()[0].GetValue())] = m.GetGauge().GetValue()
			}
		}
	}
	for q, w := range want {
		if g := gauges[`frontline_service_level_30m{queue="`+q+`"}`]; g != w.sl {
			t.Errorf("gauge service level %s = %v, want %v", q, g, w.sl)
		}
		if g := gauges[`frontline_abandon_rate_30m{queue="`+q+`"}`]; g != w.ab {
			t.Errorf("gauge abandon rate %s = %v, want %v", q, g, w.ab)
		}
		if g := gauges[`frontline_calls_offered_30m{queue="`+q+`"}`]; g != float64(w.offered) {
			t.Errorf("gauge offered %s = %v, want %v", q, g, w.offered)
		}
	}

	// The dashboard's service-level panel, per queue.
	cfg := Config{KPI: c}
	ds, err := All(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var panelSQL string
	for _, d := range ds {
		for _, p := range panelsOf(d) {
			if *d.Uid == UIDOverview && title(p) == "Service level" {
				panelSQL = p.Targets[0].(ClickHouseDataquery).RawSql
			}
		}
	}
	type slRow struct {
		SL float64 `json:"service_level"`
	}
	for q, w := range want {
		req := GrafanaRequest{From: day.Add(10 * time.Hour), To: day.Add(11 * time.Hour), Interval: time.Minute, Queues: []string{q}, ChartSec: 900}
		if got, err := store.QueryOne[slRow](ctx, s, req.Expand(panelSQL), nil); err != nil || got.SL != w.sl {
			t.Errorf("panel service level %s = %v (%v), want %v", q, got.SL, err, w.sl)
		}
	}

	// The Grafana alert rules: the service-level query at 10:30 (the two
	// complete intervals before), and each queue's own target.
	rules, err := GrafanaAlertRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	slRules := 0
	for _, r := range rules {
		if !strings.HasPrefix(r.Title, "Service level") {
			continue
		}
		slRules++
		a, _ := query(r, "A")
		rows, err := store.QueryAll[struct {
			Queue string  `json:"queue"`
			Value float64 `json:"value"`
		}](ctx, s, GrafanaRequest{To: day.Add(10*time.Hour + 30*time.Minute)}.Expand(a.Model.(ClickHouseDataquery).RawSql), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range rows {
			if x.Value != want[x.Queue].sl {
				t.Errorf("%s: %s at %v, want %v", r.Title, x.Queue, x.Value, want[x.Queue].sl)
			}
		}
		if len(rows) != 1 {
			t.Errorf("%s: %d rows, want its own queue's", r.Title, len(rows))
		}
	}
	if slRules != 2 {
		t.Errorf("%d service-level rules, want billing's and the other queues'", slRules)
	}

	// The Prometheus rules on those gauges: both queues are under their
	// own targets (60 % < 90 %, 50 % < 80 %) with enough calls.
	promRules, err := PrometheusRules(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), promRules, 0o644); err != nil {
		t.Fatal(err)
	}
	var series []string
	for k, v := range gauges {
		series = append(series, fmt.Sprintf("      - {series: '%s', values: '%gx40'}", k, v))
	}
	exp := func(q, target string) string {
		return fmt.Sprintf(`          - exp_labels: {severity: warning, queue: %[1]s}
            exp_annotations:
              summary: Service level %[3]s in queue %[1]s
              description: The share of calls answered within the service-level threshold over the last 30 minutes in queue %[1]s has been below its target of %[2]s for 30 minutes, with at least 4 calls offered while the queue was open.
              runbook_url: %[4]s#frontlineservicelevellow`, q, target, fmt.Sprintf("%.0f%%", 100*want[q].sl), RunbookURL)
	}
	test := "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + strings.Join(series, "\n") +
		"\n    alert_rule_test:\n      - eval_time: 35m\n        alertname: FrontlineServiceLevelLow\n        exp_alerts:\n" +
		exp("billing", "90%") + "\n" + exp("support", "80%") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "rules.test.yml"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool(t), "test", "rules", filepath.Join(dir, "rules.test.yml")).CombinedOutput(); err != nil {
		t.Errorf("promtool: %v\n%s\n%s", err, out, test)
	}

	// The plan of the Monday after: the forecast is that Monday's offered
	// calls, the Erlang target each queue's own.
	p, err := plan.New(s, plan.Options{Weeks: 1, KPI: c, Assume: plan.AssumeNone})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(ctx, day.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	targets := map[string]float64{"billing": 0.9, "support": 0.8}
	for _, q := range pl.Queues {
		w := want[q.Queue]
		if q.ThresholdSec != w.threshold || q.ServiceLevel != targets[q.Queue] {
			t.Errorf("plan %s: %v within %v s, want %v within %v s", q.Queue, q.ServiceLevel, q.ThresholdSec, targets[q.Queue], w.threshold)
		}
		var calls float64
		for _, it := range q.Intervals {
			calls += it.ForecastCalls
		}
		if calls != float64(w.offered) {
			t.Errorf("plan %s: %v calls forecast, want the %d offered a week before", q.Queue, calls, w.offered)
		}
	}
	if len(pl.Queues) != 2 {
		t.Errorf("plan of %d queues, want 2", len(pl.Queues))
	}
}
