package report

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// RollupBucket is the fixed bucket of the rollups of migration 0010:
// intervals are multiples of it, re-aggregated from its -State columns.
const RollupBucket = 15 * time.Minute

// QueueInterval are the call KPIs of one queue in one interval, read from the
// calls_15m rollup (sql/rollup_queue_intervals.sql): the trend charts of the
// dashboards and the HTML report, cheap over months because no raw event is
// scanned. Definitions are those of QueueStats with the thresholds fixed in
// the rollup (service level 20 s, short abandon 5 s).
type QueueInterval struct {
	Start          time.Time `json:"interval_start"`
	Queue          string    `json:"queue"`
	Offered        int64     `json:"offered"`
	Answered       int64     `json:"answered"`
	Abandoned      int64     `json:"abandoned"`
	ShortAbandoned int64     `json:"short_abandoned"`
	Outbound       int64     `json:"outbound"`
	ServiceLevel   *float64  `json:"service_level"`
	AbandonRate    *float64  `json:"abandon_rate"`
	ASASec         *float64  `json:"asa_sec"`
	WaitP90Sec     *float64  `json:"wait_p90_sec"`
	AHTSec         *float64  `json:"aht_sec"`
	TransferRate   *float64  `json:"transfer_rate"`
}

// QueueIntervals returns the per-queue call KPIs of [from, to) per interval
// (a multiple of RollupBucket; 0 gives one row per queue for the whole
// window), for one queue or all (queue ""). A 15-minute bucket counts when
// it starts in [from, to): windows on bucket boundaries are exact.
func QueueIntervals(ctx context.Context, s store.Store, from, to time.Time, interval time.Duration, queue string) ([]QueueInterval, error) {
	if !to.After(from) {
		return nil, ErrEmptyWindow
	}
	if interval < 0 || interval%RollupBucket != 0 {
		return nil, fmt.Errorf("cannot aggregate to %s intervals: want a multiple of %s", interval, RollupBucket)
	}
	q, err := queries.SQL("rollup_queue_intervals")
	if err != nil {
		return nil, err
	}
	rows, err := store.QueryAll[QueueInterval](ctx, s, q, store.Params{
		"from":     from.UTC(),
		"to":       to.UTC(),
		"interval": int64(interval / time.Second),
		"queue":    queue,
		"topic":    "",
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the calls rollup for [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), err)
	}
	return rows, nil
}
