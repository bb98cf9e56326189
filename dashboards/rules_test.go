package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func init() {
	// -update rewrites the golden files; defined once for the package's
	// tests, whichever file gets there first.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files from the generators")
	}
}

// updateGolden reports whether the test run was given -update.
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// promtool returns the path of promtool, or fails with how to install it.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool is not installed (it checks and unit-tests the Prometheus rules): "+
			"apt-get install -y prometheus (Debian), or put promtool from https://prometheus.io/download/ on PATH: %v", err)
	}
	return p
}

// TestPrometheusRulesGolden: the committed rule file is what
// PrometheusRules generates from the default Config (go test -update
// rewrites it).
func TestPrometheusRulesGolden(t *testing.T) {
	got, err := PrometheusRules(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if updateGolden() {
		if err := os.WriteFile(RulesFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(RulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what PrometheusRules generates; run go test ./dashboards -run Golden -update and review the diff", RulesFile)
	}
}

// TestPrometheusRulesPromtool: promtool accepts the committed rule file and
// its unit tests (every rule firing and not firing) pass.
func TestPrometheusRulesPromtool(t *testing.T) {
	pt := promtool(t)
	for _, args := range [][]string{
		{"check", "rules", RulesFile},
		{"test", "rules", "prometheus/frontline-rules.test.yml"},
	} {
		out, err := exec.Command(pt, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestPrometheusRulesEveryRuleTested: every alert of the rule file has a
// promtool case where it fires and one where it does not, and a runbook
// section in docs/alerts.md under the anchor its runbook_url names.
func TestPrometheusRulesEveryRuleTested(t *testing.T) {
	b, err := PrometheusRules(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var rf promRuleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	tb, err := os.ReadFile("prometheus/frontline-rules.test.yml")
	if err != nil {
		t.Fatal(err)
	}
	var tf struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string `yaml:"alertname"`
				ExpAlerts []any  `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(tb, &tf); err != nil {
		t.Fatal(err)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range tf.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
			}
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "alerts.md"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			n++
			if !fires[r.Alert] || !quiet[r.Alert] {
				t.Errorf("%s: promtool cases firing %v, not firing %v; want both", r.Alert, fires[r.Alert], quiet[r.Alert])
			}
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
				t.Errorf("%s: want a severity label and summary and description annotations", r.Alert)
			}
			anchor := strings.ToLower(r.Alert)
			if r.Annotations["runbook_url"] != RunbookURL+"#"+anchor {
				t.Errorf("%s: runbook_url %q", r.Alert, r.Annotations["runbook_url"])
			}
			// A GitHub heading "## FrontlineX" has the anchor "frontlinex".
			if !regexp.MustCompile(`(?m)^## ` + r.Alert + `\s*$`).Match(doc) {
				t.Errorf("%s: docs/alerts.md has no heading \"## %s\" (anchor #%s)", r.Alert, r.Alert, anchor)
			}
		}
	}
	if n < 11 {
		t.Errorf("%d rules, want at least 11", n)
	}
}

// TestPrometheusRulesQueueTargets: a queue with its own targets gets its own
// thresholds, the other queues the default ones — checked by promtool on a
// rule file generated for such a configuration.
func TestPrometheusRulesQueueTargets(t *testing.T) {
	pt := promtool(t)
	cfg, err := kpi.ParseConfig([]byte(`targets:
  default: {service_level: 0.8}
  vip: {service_level: 0.95, max_abandon_rate: 0.02, email_sla: 4h}
queues:
  vip: {min_volume: 20}
`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := PrometheusRules(Config{KPI: cfg})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	// vip at 0.9 is under its 95 % with 25 calls offered (its guard is 20);
	// billing at 0.9 is over the default 80 %; tech at 0.5 is under it but
	// offered 8 calls (the default guard is 10); sales at 0.5 offered 30 but
	// is closed. vip's e-mail (5 h) is past its 4 h; billing's (5 h) is
	// within 24 h.
	tests := `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - {series: 'frontline_service_level_30m{queue="vip"}', values: '0.9x40'}
      - {series: 'frontline_service_level_30m{queue="billing"}', values: '0.9x40'}
      - {series: 'frontline_service_level_30m{queue="tech"}', values: '0.5x40'}
      - {series: 'frontline_service_level_30m{queue="sales"}', values: '0.5x40'}
      - {series: 'frontline_abandon_rate_30m{queue="tech"}', values: '0.5x40'}
      - {series: 'frontline_calls_offered_30m{queue="vip"}', values: '25x40'}
      - {series: 'frontline_calls_offered_30m{queue="billing"}', values: '25x40'}
      - {series: 'frontline_calls_offered_30m{queue="tech"}', values: '8x40'}
      - {series: 'frontline_calls_offered_30m{queue="sales"}', values: '30x40'}
      - {series: 'frontline_queue_open{queue="vip"}', values: '1x40'}
      - {series: 'frontline_queue_open{queue="billing"}', values: '1x40'}
      - {series: 'frontline_queue_open{queue="tech"}', values: '1x40'}
      - {series: 'frontline_queue_open{queue="sales"}', values: '0x40'}
      - {series: 'frontline_abandon_rate_30m{queue="vip"}', values: '0.03x40'}
      - {series: 'frontline_abandon_rate_30m{queue="billing"}', values: '0.03x40'}
      - {series: 'frontline_email_backlog_oldest_age_seconds{queue="vip"}', values: '18000x40'}
      - {series: 'frontline_email_backlog_oldest_age_seconds{queue="billing"}', values: '18000x40'}
    alert_rule_test:
      - eval_time: 35m
        alertname: FrontlineServiceLevelLow
        exp_alerts:
          - exp_labels: {severity: warning, queue: vip}
            exp_annotations:
              summary: Service level 90% in queue vip
              description: The share of calls answered within the service-level threshold over the last 30 minutes in queue vip has been below its target of 95% for 30 minutes, with at least 20 calls offered while the queue was open.
              runbook_url: ` + RunbookURL + `#frontlineservicelevellow
      - eval_time: 35m
        alertname: FrontlineAbandonRateHigh
        exp_alerts:
          - exp_labels: {severity: warning, queue: vip}
            exp_annotations:
              summary: Abandon rate 3% in queue vip
              description: Over the last 30 minutes more callers of queue vip hung up while waiting than its ceiling of 2%, for 15 minutes, with at least 20 calls offered while the queue was open.
              runbook_url: ` + RunbookURL + `#frontlineabandonratehigh
      - eval_time: 35m
        alertname: FrontlineEmailBacklogPastSLA
        exp_alerts:
          - exp_labels: {severity: warning, queue: vip}
            exp_annotations:
              summary: Oldest unanswered e-mail in queue vip is 5h 0m 0s old
              description: Queue vip has an unanswered e-mail older than its first-response target of 4h.
              runbook_url: ` + RunbookURL + `#frontlineemailbacklogpastsla
`
	if err := os.WriteFile(filepath.Join(dir, "rules.test.yml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "rules", filepath.Join(dir, "rules.yml")},
		{"test", "rules", filepath.Join(dir, "rules.test.yml")},
	} {
		out, err := exec.Command(pt, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s\nrules:\n%s", strings.Join(args, " "), err, out, b)
		}
	}
}

// TestPrometheusRulesRejects: thresholds that make no sense are errors.
func TestPrometheusRulesRejects(t *testing.T) {
	for name, c := range map[string]Config{
		"negative overdue": {OverdueCallbacks: -1},
		"negative margin":  {OverdueMarginSec: -5},
		"target over 1": {KPI: kpi.Config{Targets: kpi.Targets{Default: kpi.DefaultTarget(),
			Queues: map[string]kpi.Target{"x": {ServiceLevel: 80}}}}},
	} {
		if _, err := PrometheusRules(c); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
