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

// RosterTables are the tables rosters are written to (migration 0041):
// coverage per interval, read by the Capacity dashboard, and the shifts.
const (
	RosterTable       = "roster"
	RosterShiftsTable = "roster_shifts"
)

// Rosters makes the shift roster of every pool of pl from its heads to
// schedule (see Schedule).
func (p *Planner) Rosters(pl *Plan, shifts []Shift) ([]Roster, error) {
	var out []Roster
	for _, po := range pl.Pools {
		req := make([]int, len(po.Intervals))
		for i, it := range po.Intervals {
			req[i] = it.ScheduledAgents
		}
		r, err := Schedule(po.Name, pl.Date, time.Duration(pl.IntervalSec)*time.Second, req, shifts)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// WriteRosters stores the rosters of pl's day, replacing earlier ones of
// the same day and pools.
func (p *Planner) WriteRosters(ctx context.Context, pl *Plan, rosters []Roster) error {
	date := pl.Date.Format(time.DateOnly)
	cover := &store.Block{Table: RosterTable, Columns: []string{"plan_date", "pool", "interval_start", "interval_sec", "required", "covered", "lp_covered", "created_at"}}
	starts := &store.Block{Table: RosterShiftsTable, Columns: []string{"plan_date", "pool", "shift", "shift_start", "shift_end", "heads", "lp_heads", "paid_hours", "created_at"}}
	var pools []string
	for _, r := range rosters {
		pools = append(pools, r.Pool)
		for _, it := range r.Intervals {
			cover.Rows = append(cover.Rows, []any{date, r.Pool, it.Start, int64(pl.IntervalSec), int64(it.Required), int64(it.Covered), it.LPCovered, pl.CreatedAt})
		}
		for _, s := range r.Starts {
			starts.Rows = append(starts.Rows, []any{date, r.Pool, s.Shift, s.At, s.End, int64(s.Heads), s.LPHeads, s.PaidHours, pl.CreatedAt})
		}
	}
	for _, b := range []*store.Block{cover, starts} {
		if len(b.Rows) == 0 {
			continue
		}
		if err := p.s.Insert(ctx, b); err != nil {
			return fmt.Errorf("cannot write the roster of %s (%d rows) to %s: %w", date, len(b.Rows), b.Table, err)
		}
		if err := p.s.Exec(ctx, p.query("delete_replaced_roster"), store.Params{"table": b.Table, "plan_date": date, "pools": pools, "created_at": pl.CreatedAt}); err != nil {
			return fmt.Errorf("cannot delete the replaced rosters of %s from %s: %w", date, b.Table, err)
		}
	}
	p.o.Logger.Info("plan: roster written", "table", RosterTable, "date", date, "rows", len(cover.Rows)+len(starts.Rows))
	return nil
}
