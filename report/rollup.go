package report

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// RollupBucket is the fixed bucket of the rollups of migration 0010:
// intervals are multiples of it, re-aggregated from its -State columns.
const RollupBucket = 15 * time.Minute

// QueueInterval are the call KPIs of one queue in one interval, read from the
// calls_15m rollup (sql/rollup_queue_intervals.sql): the trend charts of the
// dashboards and the HTML report, cheap over months because no raw event is
// scanned. Definitions are those of CallStats, each queue measured with its
// own thresholds and opening hours (the rollup keeps waits per second).
type QueueInterval struct {
	Start time.Time `json:"interval_start"`
	Queue string    `json:"queue"`
	CallStats
}

// QueueIntervals returns the per-queue call KPIs of [from, to) per interval
// (a multiple of RollupBucket; 24 h is a local day of the queue's view; 0
// gives one row per queue for the whole window), for one queue or all
// (queue ""), measured with c. A 15-minute bucket counts when it starts in
// [from, to): windows on bucket boundaries are exact.
func QueueIntervals(ctx context.Context, s store.Store, from, to time.Time, interval time.Duration, queue string, c kpi.Config) ([]QueueInterval, error) {
	if !to.After(from) {
		return nil, ErrEmptyWindow
	}
	if interval < 0 || interval%RollupBucket != 0 {
		return nil, fmt.Errorf("cannot aggregate to %s intervals: want a multiple of %s", interval, RollupBucket)
	}
	q, err := compiled(c, queue)
	if err != nil {
		return nil, err
	}
	p := kpi.QueryParams(from, to, queue)
	p["interval"], p["topic"] = int64(interval/time.Second), ""
	type row struct {
		Start time.Time `json:"interval_start"`
		Queue string    `json:"queue"`
		callRow
	}
	rows, err := queryAll[row](ctx, s, q, "rollup_queue_intervals", p)
	if err != nil {
		return nil, fmt.Errorf("cannot read the calls rollup for [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	zone := c.ZoneOf(queue)
	out := make([]QueueInterval, len(rows))
	for i, r := range rows {
		out[i] = QueueInterval{Start: r.Start.In(zone), Queue: r.Queue, CallStats: r.stats()}
	}
	return out, nil
}
