package report

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"

	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// The text summary of the basic scenario fits one screen, keeps the
// manager's groups and marks the breaches.
func TestWriteText(t *testing.T) {
	dir := filepath.Join(scenarios, "basic")
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
	from, to := eventtest.Window(t, dir)
	r, err := BuildReport(context.Background(), s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	t.Log("\n" + out)
	if n := strings.Count(out, "\n"); n > 60 {
		t.Errorf("%d lines: not one screen", n)
	}
	for _, want := range []string{"SERVICE", "BACKLOG", "HANDLE TIME", "PEOPLE", "CHURN & REVENUE",
		"Service level (≤ 20s)", "82.4%", "billing: SL ≤ 20s (6 offered)", "66.7%", "BREACH"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

// Text from events never reaches a terminal as a control sequence: a queue
// named with an ANSI escape prints without the escape.
func TestWriteTextDropsControlSequences(t *testing.T) {
	sl := 0.5
	r := &Report{Queues: []QueueStats{{Queue: "\x1b[2J\x1b[31mbilling\x07", Offered: 2, ServiceLevel: &sl}}}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), "[2J[31mbilling: SL") {
		t.Fatalf("control characters printed:\n%q", b.String())
	}
	var l strings.Builder
	if err := WriteTable(&l, []AbandonedCall{{Queue: "q\x1b]0;title\x07", CallID: "c\r1"}}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(l.String(), "\x1b\x07\r") {
		t.Fatalf("control characters in a list:\n%q", l.String())
	}
}
