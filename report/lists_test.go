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

// The drill-down lists hold exactly the items behind the report's counts.
func TestListsMatchReport(t *testing.T) {
	dir := filepath.Join(scenarios, "week")
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
	from, to := eventtest.Window(t, dir)
	ctx := context.Background()
	r, err := BuildReport(ctx, s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ab, err := AbandonedCalls(ctx, s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(ab)) != r.Calls.Abandoned {
		t.Errorf("%d abandoned calls listed, the report counts %d", len(ab), r.Calls.Abandoned)
	}
	od, err := OverdueCallbacks(ctx, s, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(od)) != r.Callbacks.Overdue {
		t.Errorf("%d overdue callbacks listed, the report counts %d", len(od), r.Callbacks.Overdue)
	}
	for i := 1; i < len(od); i++ {
		if od[i].RequestedAt.Before(od[i-1].RequestedAt) {
			t.Fatalf("overdue callbacks not oldest first at %d", i)
		}
	}
	late, err := LateEmails(ctx, s, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(late) == 0 || int64(len(late)) > r.Emails.Backlog {
		t.Errorf("%d late e-mails listed, backlog %d", len(late), r.Emails.Backlog)
	}
	billing, err := AbandonedCalls(ctx, s, from, to, "billing", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(billing)) != r.Queues[0].Abandoned || r.Queues[0].Queue != "billing" {
		t.Errorf("%d billing abandons listed, the report counts %d", len(billing), r.Queues[0].Abandoned)
	}
	var b strings.Builder
	if err := WriteCSV(&b, od); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(od)+1 || !strings.HasPrefix(lines[0], "queue,callback_id,customer_id,requested_at,due_at,overdue,attempts") {
		t.Errorf("csv has %d lines, header %q", len(lines), lines[0])
	}
}
