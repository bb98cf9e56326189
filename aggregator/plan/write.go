package plan

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// Table is the ClickHouse table plans are written to (migration 0020), read
// by the capacity dashboard.
const Table = "capacity_plan"

// Write stores pl in capacity_plan, replacing any earlier plan of the same
// day for its queues, so the dashboard shows one plan per day: the latest.
func (p *Planner) Write(ctx context.Context, pl *Plan) error {
	b := &store.Block{Table: Table, Columns: []string{
		"plan_date", "queue", "interval_start", "interval_sec", "forecast_calls", "forecast_aht_sec", "method",
		"required_agents", "required_with_shrinkage", "deferred_agents", "staffed_agents", "staffed_source", "gap", "created_at",
		"pool", "share", "required_share", "working_agents", "expected_sl", "status",
	}}
	date := pl.Date.Format(time.DateOnly)
	queues := make([]string, 0, len(pl.Queues))
	pools := map[string]Pool{}
	for _, po := range pl.Pools {
		pools[po.Name] = po
	}
	for _, q := range pl.Queues {
		queues = append(queues, q.Queue)
		for k, it := range q.Intervals {
			var sl any
			if po, ok := pools[q.Pool]; ok && po.Intervals[k].ExpectedSL != nil {
				sl = *po.Intervals[k].ExpectedSL
			}
			b.Rows = append(b.Rows, []any{
				date, q.Queue, it.Start, int64(pl.IntervalSec), it.ForecastCalls, it.ForecastAHTSec, string(q.Method),
				int64(it.RequiredAgents), it.ScheduledShare, it.DeferredAgents, it.StaffedAgents, it.StaffedSource, it.Gap, pl.CreatedAt,
				q.Pool, it.Share, it.RequiredShare, it.WorkingAgents, sl, string(it.Status),
			})
		}
	}
	if len(b.Rows) == 0 {
		return nil
	}
	if err := p.s.Insert(ctx, b); err != nil {
		return fmt.Errorf("cannot write the plan of %s (%d rows) to %s: %w", date, len(b.Rows), Table, err)
	}
	if err := p.s.Exec(ctx, p.query("delete_replaced"), store.Params{"plan_date": date, "queues": queues, "created_at": pl.CreatedAt}); err != nil {
		return fmt.Errorf("cannot delete the replaced plans of %s: %w", date, err)
	}
	p.o.Logger.Info("plan: written", "table", Table, "date", date, "rows", len(b.Rows))
	return nil
}
