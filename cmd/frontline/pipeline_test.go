package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// tempDB names a database of its own on the test binary's chDB data path and
// drops it when the test ends.
func tempDB(t *testing.T, prefix string) (data, db string) {
	t.Helper()
	data = storetest.DataDir(t)
	db = fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	t.Cleanup(func() {
		if s, err := openStore(t, data, db); err == nil {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`", nil)
			s.Close()
		}
	})
	return data, db
}

// TestReplayScenario: the README's promise for the reference file — 7 invalid
// lines (each with its line number and reason) and 69 producer duplicates;
// a second replay loads nothing.
func TestReplayScenario(t *testing.T) {
	data, db := tempDB(t, "replay")
	file := filepath.Join("..", "..", "testdata", "basic", "events.jsonl")
	out, err := runFrontline(t, "replay", "--data", data, "--database", db, file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3792 lines, 3716 loaded, 69 duplicate, 7 invalid") {
		t.Fatalf("replay printed:\n%s", out)
	}
	for _, reason := range []string{"line 968: invalid_json", "line 2865: unknown_type", "line 3215: missing_field:direction"} {
		if !strings.Contains(out, reason) {
			t.Errorf("replay output lacks %q", reason)
		}
	}
	again, err := runFrontline(t, "replay", "--data", data, "--database", db, "--strict", file)
	if err == nil || !strings.Contains(again, "0 loaded, 3785 duplicate, 7 invalid") {
		t.Fatalf("second replay (strict) = %v:\n%s", err, again)
	}
}

// TestDemoEndToEnd: simulator → embedded Kafka → collector → chDB. The rows
// are exactly the simulator's unique valid events and the DLQ holds exactly
// its invalid ones; the demo prints the call KPIs and writes its files. It
// serves /metrics after its day, and on those gauges no alert of the rule
// file fires in the hour that follows (quietAlerts): a normal day pages
// no one.
func TestDemoEndToEnd(t *testing.T) {
	data, db := tempDB(t, "demo")
	outDir := t.TempDir()
	addr := freeAddr(t)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := runFrontlineCtx(t, ctx, "demo", "--data", data, "--database", db, "--out", outDir, "--agents", "15", "--seed", "5",
			"--serve", addr, "--clickhouse-listen", "")
		done <- result{out, err}
	}()
	var metrics string
	var scraped time.Time
	for metrics == "" {
		select {
		case r := <-done:
			t.Fatalf("the demo stopped before serving its day: %v\n%s", r.err, r.out)
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := os.Stat(filepath.Join(outDir, "report.json")); err == nil {
			metrics, scraped = scrape(t, addr)
		}
	}
	stop()
	res := <-done
	got, err := res.out, res.err
	if err != nil {
		t.Fatal(err)
	}
	quietAlerts(t, metrics, scraped)
	for _, want := range []string{"Service level", "Abandon rate", "Calls offered", "Average speed of answer", "Average handle time"} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	var stats simulator.Stats
	stats, err = simulator.New(simulator.Options{Days: 1, Agents: 15, Seed: 5}).Run(context.Background(), func(simulator.Message) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	s, err := openStore(t, data, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var union []string
	for _, ti := range schemas.Types {
		union = append(union, "SELECT event_id FROM "+ti.Table)
	}
	type row struct {
		Rows   int `json:"rows"`
		Unique int `json:"uniq"`
		DLQ    int `json:"dlq"`
	}
	r, err := store.QueryOne[row](context.Background(), s, "SELECT count() AS rows, uniqExact(event_id) AS uniq, (SELECT count() FROM dlq) AS dlq FROM ("+strings.Join(union, " UNION ALL ")+")", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != stats.Events || r.Unique != stats.Events || r.DLQ != stats.Invalid {
		t.Fatalf("ClickHouse holds %d rows (%d unique) and %d DLQ entries; the simulator sent %d unique valid events (+%d duplicates) and %d invalid",
			r.Rows, r.Unique, r.DLQ, stats.Events, stats.Duplicates, stats.Invalid)
	}
	for _, f := range []string{"report.html", "report.json", "grafana/dashboards/frontline-service-overview.json"} {
		if _, err := os.Stat(filepath.Join(outDir, f)); err != nil {
			t.Errorf("demo did not write %s: %v", f, err)
		}
	}
}

// TestConfigPrecedence: a flag wins over FRONTLINE_* which wins over --config.
func TestConfigPrecedence(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "frontline.yaml")
	if err := os.WriteFile(cfg, []byte("calls: 100\naht: 180\ninterval-sec: 1800\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FRONTLINE_AHT", "200")
	out, err := runFrontline(t, "erlang", "--config", cfg, "--calls", "120", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	// 120 calls (flag) × 200 s (env) / 1800 s (file) = 13.33 Erlangs.
	if !strings.Contains(out, `"traffic_erlangs":13.33`) {
		t.Fatalf("want traffic 13.33 Erlangs from flag, env and file; got %s", out)
	}
}

// TestReplayStdin: `frontline replay -` loads lines piped to the process.
// The embedded engine took a pipe on file descriptor 0 for the data of its
// own inserts and failed every one ("both inlined and external data"); with
// the pipe moved away, a collected os.Stdin closed descriptor 0 and the
// engine read the next file opened (GOGC=1 collects between the batches).
func TestReplayStdin(t *testing.T) {
	lines, err := os.ReadFile(filepath.Join("..", "..", "testdata", "basic", "events.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(frontlineBinary(t), "replay", "--data", t.TempDir(), "--database", "stdin", "--batch-lines", "500", "-")
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+storetest.Library(t), "GOGC=1")
	cmd.Stdin = bytes.NewReader(lines)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "-: 3792 lines, 3716 loaded, 69 duplicate, 7 invalid") {
		t.Fatalf("replay - = %v:\n%s", err, out)
	}
}
