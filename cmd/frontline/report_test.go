package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/report/reporttest"
)

// The promise of the README: replay a scenario, then `report --format json`
// for its window prints its expected.json; text, lists and targets work on
// the same data.
func TestReportCommand(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "basic")
	data := storetest.DataDir(t)
	db := fmt.Sprintf("report_cmd_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		s, err := openStore(t, data, db)
		if err == nil {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`", nil)
			s.Close()
		}
	})
	dataFlags := []string{"--data", data, "--database", db}
	if _, err := runFrontline(t, "replay", append(dataFlags, filepath.Join(dir, "events.jsonl"))...); err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(filepath.Join(dir, "window"))
	if err != nil {
		t.Fatal(err)
	}
	win := strings.Fields(string(w))
	window := append(append([]string{}, dataFlags...), "--from", win[0], "--to", win[1])

	got, err := runFrontline(t, "report", append(window, "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	reporttest.Compare(t, []byte(got), want)

	// A date is local midnight, UTC without a time zone: the same window as
	// the RFC 3339 one.
	byDate, err := runFrontline(t, "report", append(dataFlags, "--from", win[0][:10], "--to", win[1][:10], "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	reporttest.Compare(t, []byte(byDate), want)

	// Targets from the config: billing's own service-level target.
	cfg := filepath.Join(t.TempDir(), "frontline.yaml")
	if err := os.WriteFile(cfg, []byte("targets:\n  default: {service_level: 0.8}\n  billing: {service_level: 0.5, max_abandon_rate: 0.2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := runFrontline(t, "report", append(window, "--config", cfg)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"SERVICE", "BACKLOG", "HANDLE TIME", "PEOPLE", "CHURN & REVENUE"} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}
	if line := lineWith(text, "billing: SL"); !strings.Contains(line, "≥ 50.0%") || !strings.HasSuffix(strings.TrimSpace(line), "ok") {
		t.Errorf("billing judged against the default target: %q", line)
	}

	abandoned, err := runFrontline(t, "report", append(window, "--list", "abandoned", "--format", "csv")...)
	if err != nil {
		t.Fatal(err)
	}
	if want := "queue,call_id,customer_id,queued_at,wait,in_hours\nbilling,call-80,cust-1-49,2026-10-03T18:31:56Z,5.1s,yes\n"; abandoned != want {
		t.Errorf("abandoned csv = %q, want %q", abandoned, want)
	}
	// A queue no event names and the configuration does not is a usage
	// error that says so, not an empty report.
	for _, args := range [][]string{{"--queue", "nosuch"}, {"--queue", "nosuch", "--list", "abandoned"}} {
		if _, err := runFrontline(t, "report", append(window, args...)...); !errors.Is(err, errUsage) || !strings.Contains(err.Error(), `unknown queue "nosuch"`) {
			t.Errorf("report %q: %v, want a usage error naming the queue", args, err)
		}
	}
	overdue, err := runFrontline(t, "report", append(window, "--list", "overdue-callbacks", "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(overdue, `"callback_id"`); n != 6 {
		t.Errorf("%d overdue callbacks, the report counts 6:\n%s", n, overdue)
	}
	late, err := runFrontline(t, "report", append(window, "--list", "late-emails")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(late, "em-105") {
		t.Errorf("late e-mails lack em-105:\n%s", late)
	}
}

func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// Bad flags are usage errors (exit code 2) that quote the input.
func TestReportUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--from", "2026-10-03", "--to", "yesterday"},
		{"--from", "2026-10-04", "--to", "2026-10-03"},
		{"--from", "2026-10-03", "--to", "2026-10-04", "--format", "csv"},
		{"--from", "2026-10-03", "--to", "2026-10-04", "--list", "everything"},
		{"--from", "2026-10-03", "--to", "2026-10-04", "--format", "xml"},
		{"--from", "2026-10-03", "--to", "2026-10-04", "--tz", "Mars/Olympus"},
	} {
		_, err := runFrontline(t, "report", args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("report %q: %v, want a usage error", args, err)
		}
	}
}
