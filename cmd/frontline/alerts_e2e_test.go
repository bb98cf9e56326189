package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/dashboards"
)

// alertDeadline is the promise of the issue: the backlog alert fires within
// 60 s of the breach. With a 1 s scrape and evaluation interval and no
// `for` on FrontlineCallbacksOverdue it takes a few seconds; the 60 s is the
// requirement, not a tuned margin.
const alertDeadline = 60 * time.Second

// startupLimit bounds the wait for the demo to simulate its day and serve
// /metrics on a busy machine (it takes seconds on an idle one); it is a hang
// guard, not a performance check, kept well inside go test's default
// 10-minute timeout so that a hang fails with the demo's log, not a dump.
const startupLimit = 5 * time.Minute

// TestAlertFiresOnDemoBacklog: the Debian prometheus binary scrapes
// `frontline demo --serve` with the committed rule file while the simulated
// day is understaffed, so callbacks pile up past their due time; once
// /metrics shows more overdue callbacks in a queue than the threshold,
// FrontlineCallbacksOverdue is firing in Prometheus within 60 s, and once
// it shows a callback past due by more than the margin,
// FrontlineCallbacksPastDueMargin is firing within 60 s too — though
// Prometheus has watched the queue for far less than the margin (a freshly
// started aggregator must not wait out the margin again).
func TestAlertFiresOnDemoBacklog(t *testing.T) {
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatalf("prometheus is not installed (the end-to-end alert test runs it): apt-get install -y prometheus (Debian): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), startupLimit+5*time.Minute)
	defer cancel()
	dir := t.TempDir()

	bin := frontlineBinary(t)
	demoAddr, promAddr := freeAddr(t), freeAddr(t)

	rules, err := filepath.Abs(filepath.Join("..", "..", "dashboards", dashboards.RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: frontline-demo
    static_configs: [{targets: [%q]}]
`, rules, demoAddr)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	startProcess(t, ctx, filepath.Join(dir, "prometheus.log"), promBin,
		"--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)

	demo := startProcess(t, ctx, filepath.Join(dir, "demo.log"), bin, "demo",
		"--days", "1", "--understaff", "0.5", "--data", filepath.Join(dir, "data"),
		"--out", filepath.Join(dir, "out"), "--serve", demoAddr, "--clickhouse-listen", freeAddr(t))

	c := dashboards.Config{}.Defaults()
	alertOnBreach(t, ctx, demo, dir, demoAddr, promAddr, "frontline_callbacks_overdue", float64(c.OverdueCallbacks), "FrontlineCallbacksOverdue")
	alertOnBreach(t, ctx, demo, dir, demoAddr, promAddr, "frontline_callback_oldest_overdue_seconds", float64(c.OverdueMarginSec), "FrontlineCallbacksPastDueMargin")
}

// alertOnBreach waits (up to startupLimit) until the demo's /metrics shows
// metric above threshold in a queue — the breach — and then fails unless
// alert is firing in Prometheus within alertDeadline of it.
func alertOnBreach(t *testing.T, ctx context.Context, demo *process, dir, demoAddr, promAddr, metric string, threshold float64, alert string) {
	t.Helper()
	var breachAt time.Time
	var breached string
	for start := time.Now(); breachAt.IsZero(); time.Sleep(200 * time.Millisecond) {
		select {
		case <-demo.done:
			t.Fatalf("the demo stopped (%v) before %s went above %v; end of its log:\n%s", demo.err, metric, threshold, tail(demo.output(), 3000))
		default:
		}
		if time.Since(start) > startupLimit {
			logs, _ := os.ReadFile(filepath.Join(dir, "demo.log"))
			t.Fatalf("no queue with %s above %v on http://%s/metrics after %s; end of the demo's log:\n%s",
				metric, threshold, demoAddr, startupLimit, tail(string(logs), 3000))
		}
		for queue, v := range gaugeOnMetrics(ctx, demoAddr, metric) {
			if v > threshold {
				breachAt, breached = time.Now(), fmt.Sprintf("%s{queue=%q} %v", metric, queue, v)
			}
		}
	}
	t.Logf("breach seen on /metrics: %s", breached)

	for {
		firing, err := firingAlerts(ctx, promAddr, alert)
		if err == nil && len(firing) > 0 {
			t.Logf("%s firing %s after the breach for queues %v", alert, time.Since(breachAt).Round(time.Millisecond), firing)
			return
		}
		if time.Since(breachAt) > alertDeadline {
			logs, _ := os.ReadFile(filepath.Join(dir, "prometheus.log"))
			t.Fatalf("%s not firing %s after the breach (%s); last error %v\nprometheus log:\n%s",
				alert, alertDeadline, breached, err, tail(string(logs), 3000))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// gaugeOnMetrics reads the per-queue gauge metric from the text exposition
// at http://addr/metrics (empty while it is not served).
func gaugeOnMetrics(ctx context.Context, addr, metric string) map[string]float64 {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, metric+`{queue="`)
		if !ok {
			continue
		}
		queue, val, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[queue] = v
		}
	}
	return out
}

// firingAlerts returns the queues of the firing alerts named name, from
// Prometheus' /api/v1/alerts.
func firingAlerts(ctx context.Context, addr, name string) ([]string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/v1/alerts", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("cannot decode /api/v1/alerts: %w", err)
	}
	var queues []string
	for _, a := range body.Data.Alerts {
		if a.Labels["alertname"] == name && a.State == "firing" {
			queues = append(queues, a.Labels["queue"])
		}
	}
	return queues, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// scrape returns the text exposition of http://addr/metrics and when it
// was read.
func scrape(t *testing.T, addr string) (string, time.Time) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("cannot scrape the demo: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), time.Now()
}

// quietAlerts holds the frontline_* gauges of metrics (a scrape of a demo
// after its day, read at scraped) for an hour in a promtool unit test of the
// committed rule file, the aggregator's last run as old as it was then and
// keeping up with the clock (a run every minute), and fails
// unless every alert stays silent at 5, 35 and 65 minutes: no service-level
// or abandon alert on the evening's two or three calls, no stale
// aggregator, no e-mail backlog. The callback backlog alerts are left out
// only for a queue whose gauges on metrics are over their thresholds (a
// callback left unreached all day is a breach; the understaffed demo test
// sees those alerts fire).
func quietAlerts(t *testing.T, metrics string, scraped time.Time) {
	t.Helper()
	c := dashboards.Config{}.Defaults()
	var series []string
	breached := map[string]bool{}
	for _, line := range strings.Split(metrics, "\n") {
		name, value, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(name, "frontline_") || strings.Contains(name, "_bucket{") || strings.HasSuffix(name, "_total") {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		values := fmt.Sprintf("%gx65", v)
		if name == "frontline_aggregator_last_run_timestamp_seconds" {
			// promtool's clock starts at 0: the run is as many seconds
			// before it as it was before the scrape.
			values = fmt.Sprintf("%g+60x65", v-float64(scraped.UnixNano())/1e9)
		}
		switch {
		case strings.HasPrefix(name, "frontline_callbacks_overdue{") && v > float64(c.OverdueCallbacks):
			breached["FrontlineCallbacksOverdue"] = true
		case strings.HasPrefix(name, "frontline_callback_oldest_overdue_seconds{") && v > float64(c.OverdueMarginSec):
			breached["FrontlineCallbacksPastDueMargin"] = true
		}
		series = append(series, fmt.Sprintf("      - {series: '%s', values: '%s'}", name, values))
	}
	if len(series) < 10 {
		t.Fatalf("too few frontline gauges on /metrics (%d):\n%s", len(series), metrics)
	}
	var checks []string
	for _, alert := range []string{"FrontlineCallbacksOverdue", "FrontlineCallbacksPastDueMargin", "FrontlineServiceLevelLow",
		"FrontlineAbandonRateHigh", "FrontlineEmailBacklogPastSLA", "FrontlineAggregatorNotRunning", "FrontlineCollectorLagHigh",
		"FrontlineDLQGrowing", "FrontlineInsertErrors", "FrontlineCollectorNotInserting", "FrontlineTargetDown"} {
		if breached[alert] {
			t.Logf("%s left out: the demo's day ends with a callback backlog over its threshold", alert)
			continue
		}
		for _, at := range []string{"5m", "35m", "65m"} {
			checks = append(checks, fmt.Sprintf("      - {eval_time: %s, alertname: %s, exp_alerts: []}", at, alert))
		}
	}
	rules, err := filepath.Abs(filepath.Join("..", "..", "dashboards", dashboards.RulesFile))
	if err != nil {
		t.Fatal(err)
	}
	test := fmt.Sprintf("rule_files: [%q]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n%s\n    alert_rule_test:\n%s\n",
		rules, strings.Join(series, "\n"), strings.Join(checks, "\n"))
	path := filepath.Join(t.TempDir(), "quiet.test.yml")
	if err := os.WriteFile(path, []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Fatalf("promtool is not installed (apt-get install -y prometheus): %v", err)
	}
	if out, err := exec.Command(promtool, "test", "rules", path).CombinedOutput(); err != nil {
		t.Errorf("alerts fire on a normal demo's gauges: %v\n%s\ngauges:\n%s", err, out, strings.Join(series, "\n"))
	}
}
