package report

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/simulator"
)

// explainStore runs EXPLAIN indexes = 1 for every query it passes on.
type explainStore struct {
	store.Store
	mu    sync.Mutex
	plans map[string]string // query → plan
}

func (e *explainStore) Query(ctx context.Context, q string, p store.Params, row func([]byte) error) error {
	var plan strings.Builder
	if err := e.Store.Query(ctx, "EXPLAIN indexes = 1 "+q, p, func(b []byte) error {
		plan.Write(b)
		plan.WriteByte('\n')
		return nil
	}); err != nil {
		return err
	}
	e.mu.Lock()
	e.plans[q] = plan.String()
	e.mu.Unlock()
	return e.Store.Query(ctx, q, p, row)
}

// TestDayReadsItsMonth: a one-day report over five weeks of calls (two
// months before the day and the day's own) reads the calls of the day's
// month only, by the calls table's partition key, in its calls and queues
// sections and the abandoned list. Each definition filtered on queued_at,
// a column outside the key, so every report read all inbound history
// (EXPLAIN's Parts 7/7 here).
func TestDayReadsItsMonth(t *testing.T) {
	s := storetest.New(t)
	var buf bytes.Buffer
	if _, err := simulator.New(simulator.Options{Start: time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC), Days: 5, Agents: 24, Seed: 3}).Run(context.Background(),
		func(m simulator.Message) error { buf.Write(m.Value); buf.WriteByte('\n'); return nil }); err != nil {
		t.Fatal(err)
	}
	eventtest.Load(t, s, buf.Bytes())
	e := &explainStore{Store: s, plans: map[string]string{}}
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	if _, err := BuildReport(context.Background(), e, from, from.Add(24*time.Hour), "", kpi.Config{}); err != nil {
		t.Fatal(err)
	}
	if _, err := AbandonedCalls(context.Background(), e, from, from.Add(24*time.Hour), "", kpi.Config{}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for q, plan := range e.plans {
		if !strings.HasPrefix(q, "-- report_calls:") && !strings.HasPrefix(q, "-- report_queues:") && !strings.HasPrefix(q, "-- list_abandoned:") {
			continue
		}
		name := q[3:strings.IndexByte(q, ':')]
		reads := strings.Split(plan, "ReadFromMergeTree (")[1:]
		for _, r := range reads {
			if !strings.Contains(r[:strings.IndexByte(r, ')')], ".calls") {
				continue
			}
			checked++
			var sel, total int
			i := strings.Index(r, "Parts: ")
			if i < 0 {
				t.Fatalf("%s: no parts in the plan:\n%s", name, plan)
			}
			fmt.Sscanf(strings.ReplaceAll(r[i:], "\\/", "/"), "Parts: %d/%d", &sel, &total)
			if total < 3 || sel >= total {
				t.Errorf("%s reads %d of %d parts of calls for one day, want the day's month only:\n%s", name, sel, total, plan)
			}
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d reads of calls, want the report's calls and queues sections and the abandoned list", checked)
	}
}
