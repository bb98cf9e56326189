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

// TestAgentStatesWithinMemory: the report's agents section orders every
// agent's state changes by reading agent_states in its key order (agent_id,
// at) and finishing the sort of equal moments, instead of sorting all the
// states since the store began in memory. On 29.7 M events that sort failed
// the report within 512 MiB (BENCHMARKS.md). Here two million states fit in
// 128 MB, where the full sort needed more than 150 MB.
func TestAgentStatesWithinMemory(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.Exec(ctx, `INSERT INTO agent_states (event_id, source, agent_id, state, at, queue)
		SELECT toString(generateUUIDv4(number)), 'test', concat('agent-', toString(number % 50)),
			['available', 'busy', 'wrap'][number % 3 + 1], toDateTime64('2026-03-01 00:00:00', 3, 'UTC') + toIntervalMillisecond(number * 1000), 'general'
		FROM numbers(2000000)`, nil); err != nil {
		t.Fatal(err)
	}
	q, err := compiled(kpi.Config{}, "")
	if err != nil {
		t.Fatal(err)
	}
	sql, err := q.SQL("report_agents")
	if err != nil {
		t.Fatal(err)
	}
	// added to the query's own SETTINGS clause
	sql = strings.TrimSpace(sql) + ", max_memory_usage = 128000000"
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Query(ctx, sql, kpi.QueryParams(from, from.AddDate(0, 0, 30), ""), func([]byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
}
