package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report"

	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/alerting"

	"github.com/frontline-oss/frontline/internal/store"
)

// TestGrafanaAlertRules: the rules build and marshal to JSON that decodes
// back through the SDK's types; every rule has its query A on the
// ClickHouse data source, the threshold B as condition, a for-duration,
// a severity and summary and runbook annotations.
func TestGrafanaAlertRules(t *testing.T) {
	RegisterPlugins()
	rules, err := GrafanaAlertRules(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 5 {
		t.Errorf("%d rules, want 5", len(rules))
	}
	uids := map[string]bool{}
	for _, r := range rules {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Title, err)
		}
		var back alerting.Rule
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: cannot decode its json: %v\n%s", r.Title, err, b)
		}
		if back.Title != r.Title || len(back.Data) != 2 {
			t.Errorf("%s: round trip lost data: %s", r.Title, b)
		}
		if r.Uid == nil || uids[*r.Uid] {
			t.Errorf("%s: missing or repeated uid", r.Title)
		} else {
			uids[*r.Uid] = true
		}
		a, ok := query(r, "A")
		if !ok || a.DatasourceUid == nil || *a.DatasourceUid != "frontline-clickhouse" {
			t.Errorf("%s: no query A on the ClickHouse data source", r.Title)
		} else if q, ok := a.Model.(ClickHouseDataquery); !ok || q.RawSql == "" || q.Datasource == nil || *q.Datasource.Uid != "frontline-clickhouse" {
			t.Errorf("%s: query A is not a ClickHouse SQL query: %#v", r.Title, a.Model)
		}
		if _, ok := query(r, r.Condition); !ok || r.Condition != "B" {
			t.Errorf("%s: condition %q is not the threshold query B", r.Title, r.Condition)
		}
		if !strings.Contains(string(b), `"type":"threshold"`) {
			t.Errorf("%s: no threshold expression: %s", r.Title, b)
		}
		if _, err := time.ParseDuration(r.For); err != nil || r.For == "" {
			t.Errorf("%s: for %q", r.Title, r.For)
		}
		if r.Annotations["summary"] == "" || !strings.HasPrefix(r.Annotations["runbook_url"], RunbookURL+"#frontline") || r.Labels["severity"] == "" {
			t.Errorf("%s: annotations %v labels %v", r.Title, r.Annotations, r.Labels)
		}
	}
}

// TestGrafanaAlertRulesQueueTargets: a queue with its own service-level
// target gets its own rule with its threshold, the other queues one rule;
// a queue's own service-level threshold is measured in every rule's SQL.
func TestGrafanaAlertRulesQueueTargets(t *testing.T) {
	cfg, err := kpi.ParseConfig([]byte("targets: {vip: {service_level: 0.95, sl_threshold: 30s}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := GrafanaAlertRules(Config{KPI: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, r := range rules {
		if strings.HasPrefix(r.Title, "Service level") {
			titles = append(titles, r.Title)
			b, _ := json.Marshal(r)
			a, _ := query(r, "A")
			sql := a.Model.(ClickHouseDataquery).RawSql
			switch r.Title {
			case "Service level under target (vip)":
				if !strings.Contains(sql, "queue = 'vip'") || !strings.Contains(string(b), `"params":[0.95]`) ||
					!strings.Contains(sql, "transform(toString(queue), ['vip'], [30.], 20.)") {
					t.Errorf("vip rule: %s", b)
				}
			case "Service level under target (other queues)":
				if !strings.Contains(sql, "queue NOT IN ('vip')") || !strings.Contains(string(b), `"params":[0.8]`) {
					t.Errorf("other queues rule: %s", b)
				}
			}
		}
	}
	if len(titles) != 2 {
		t.Errorf("service-level rules %q, want one for vip and one for the others", titles)
	}
}

// TestGrafanaAlertQueriesRunOnDemoData: the SQL of every rule, with the
// plugin's $__toTime expanded, runs on chDB against simulated understaffed
// days and returns one row per queue with a number — except the rate rules
// at midnight, when every queue offered fewer calls in the window than the
// minimum volume, and the guard keeps them all out; the overdue-callback
// counts equal the report's, and how far the most overdue callback is past
// due equals the largest overdue_sec of the overdue-callbacks list (to the
// second: the alert query counts whole seconds).
func TestGrafanaAlertQueriesRunOnDemoData(t *testing.T) {
	ctx := context.Background()
	s, from, to := demoStore(t)
	rules, err := GrafanaAlertRules(Config{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Queue string   `json:"queue"`
		Value *float64 `json:"value"`
	}
	for _, at := range []time.Time{to, from.Add(36 * time.Hour)} {
		req := GrafanaRequest{From: at.Add(-30 * time.Minute), To: at}
		for _, r := range rules {
			a, _ := query(r, "A")
			sql := req.Expand(a.Model.(ClickHouseDataquery).RawSql)
			if strings.Contains(sql, "$__") {
				t.Fatalf("%s: unexpanded macro in %s", r.Title, sql)
			}
			rows, err := store.QueryAll[row](ctx, s, sql, nil)
			if err != nil {
				t.Errorf("%s at %s: %v\n%s", r.Title, at, err, sql)
				continue
			}
			quiet := at.Equal(to) && (strings.HasPrefix(r.Title, "Service level") || strings.HasPrefix(r.Title, "Abandon rate"))
			if len(rows) == 0 && !quiet {
				t.Errorf("%s at %s: no rows", r.Title, at)
			}
			if quiet {
				iv, err := report.QueueIntervals(ctx, s, at.Add(-30*time.Minute), at, 0, "", kpi.Config{})
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range iv {
					if q.Offered >= kpi.DefaultMinVolume {
						t.Errorf("%s at %s: queue %s offered %d calls, no row", r.Title, at, q.Queue, q.Offered)
					}
				}
				if len(rows) > 0 || len(iv) == 0 {
					t.Errorf("%s at %s: %d rows, %d queues with calls: want the guard to keep out every queue", r.Title, at, len(rows), len(iv))
				}
			}
			for _, x := range rows {
				if x.Queue == "" || x.Value == nil {
					t.Errorf("%s at %s: row %+v", r.Title, at, x)
				}
			}
			if r.Title == "Callback past due beyond margin" && at.Equal(to) {
				for _, x := range rows {
					list, err := report.OverdueCallbacks(ctx, s, to, x.Queue, kpi.Config{})
					if err != nil {
						t.Fatal(err)
					}
					most := 0.0
					for _, c := range list {
						most = max(most, c.OverdueSec)
					}
					if d := *x.Value - most; d < -1 || d > 1 {
						t.Errorf("queue %s: most overdue callback %v s past due by the alert query, %v s by the list", x.Queue, *x.Value, most)
					}
					t.Logf("most overdue callback at %s in %s: %v s past due", to, x.Queue, *x.Value)
				}
			}
			if r.Title != "Callbacks overdue" || !at.Equal(to) {
				continue
			}
			for _, x := range rows {
				rep, err := report.BuildReport(ctx, s, to.Add(-time.Hour), to, x.Queue, kpi.Config{})
				if err != nil {
					t.Fatal(err)
				}
				if float64(rep.Callbacks.Overdue) != *x.Value {
					t.Errorf("queue %s: %v overdue callbacks by the alert query, %d by the report", x.Queue, *x.Value, rep.Callbacks.Overdue)
				}
			}
			for _, x := range rows {
				t.Logf("overdue callbacks at %s in %s: %v", to, x.Queue, *x.Value)
			}
		}
	}
}

// query returns the query refId of r.
func query(r alerting.Rule, refID string) (alerting.Query, bool) {
	for _, q := range r.Data {
		if q.RefId != nil && *q.RefId == refID {
			return q, true
		}
	}
	return alerting.Query{}, false
}
