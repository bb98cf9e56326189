package aggregator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// Options configure an Aggregator. A zero field takes the default written
// in its comment (New fills them in).
type Options struct {
	// Every is the pause between two runs of Run. Default 15 s: the gauges
	// are then never older than 15 s plus one run.
	Every time.Duration
	// Lateness is how late an event may arrive and still correct the derived
	// tables: each run recomputes the entities with an event in
	// [previous run's now − Lateness, now). Default 48 h. (The rollups of
	// migration 0010 take late events whenever they come.)
	Lateness time.Duration
	// KPI is the configuration the jobs and gauges measure with: each
	// queue's thresholds and opening hours for the 30-minute gauges, the
	// long wait, churn lookback and repeat contacts for poor service.
	// Default kpi.DefaultConfig().
	KPI kpi.Config
	// Logger gets one line per run. Default: discard.
	Logger *slog.Logger
	// Registerer gets the gauges of gauges.go. Default: a private registry
	// (nothing is registered globally).
	Registerer prometheus.Registerer
	// Now is the clock Run reads: the moment the jobs and gauges are
	// computed at (the demo gives the simulated clock). Default time.Now.
	// frontline_aggregator_last_run_timestamp_seconds is the wall clock of
	// the run whatever Now says, so freshness alerts judge real time.
	Now func() time.Time
}

// Defaults of Options.
const (
	DefaultEvery    = 15 * time.Second
	DefaultLateness = 48 * time.Hour
)

func (o Options) withDefaults() Options {
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Lateness <= 0 {
		o.Lateness = DefaultLateness
	}
	o.KPI = o.KPI.WithDefaults()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// jobDef is one derived-table job: an INSERT … SELECT in sql/<file>.sql that
// refreshes table. Jobs run in this order; a later one may read an earlier
// one's table (poor service reads callback_status).
type jobDef struct {
	name  string
	table string
}

var jobDefs = []jobDef{
	{"job_callback_status", "callback_status"},
	{"job_email_first_reply", "email_first_reply"},
	{"job_staffed", "staffed_15m"},
	{"job_poor_service", "customer_poor_service"},
}

// Aggregator runs the derived-table jobs on a schedule and keeps the KPI
// gauges that alert rules read; it is what `frontline aggregate` and the demo
// run. It holds no state that matters across restarts: watermarks live in
// the aggregator_watermarks table.
type Aggregator struct {
	s       store.Store
	o       Options
	q       kpi.Queries // sqlFiles compiled for o.KPI
	m       *gaugeMetrics
	mu      sync.Mutex // one run at a time
	lastVer int64
	lastOK  atomic.Int64 // unix nanoseconds of the last successful run
}

// New returns an Aggregator on s; o's zero fields take their defaults. The
// gauges are registered on o.Registerer here (New panics if they already
// are, as prometheus.MustRegister does).
func New(s store.Store, o Options) *Aggregator {
	o = o.withDefaults()
	q := kpi.MustCompile(sqlFiles, o.KPI.Bind(kpi.QueryWindow))
	return &Aggregator{s: s, o: o, q: q, m: newGaugeMetrics(o.Registerer)}
}

// Run calls RunOnce now and then every Options.Every until ctx ends, and
// returns nil then. A failed run is logged and counted in
// frontline_aggregator_errors_total; the next run tries again.
func (a *Aggregator) Run(ctx context.Context) error {
	t := time.NewTicker(a.o.Every)
	defer t.Stop()
	for {
		if err := a.RunOnce(ctx, a.o.Now()); err != nil && ctx.Err() == nil {
			a.o.Logger.Error("aggregator run failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Ready reports whether a run has succeeded in the last three periods, for
// /readyz.
func (a *Aggregator) Ready() bool {
	last := a.lastOK.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < 3*a.o.Every+time.Minute
}

// RunOnce refreshes every derived table as of now (events at or after now
// are left for a later run), then the gauges. Each job recomputes the
// entities with an event in [since, now), since = its previous run's now
// minus Options.Lateness (all history on its first run), so it is
// idempotent and a late event corrects the rows it belongs to. Jobs stop at
// the first error (later jobs read earlier ones' tables); the gauges are
// refreshed either way.
func (a *Aggregator) RunOnce(ctx context.Context, now time.Time) error {
	return a.run(ctx, now, false)
}

// Recompute is RunOnce with every job recomputing all history, whatever its
// previous runs: for when events arrived later than Options.Lateness behind
// the runs (the demo publishes days faster than it collects them, and its
// aggregator runs on the simulated clock).
func (a *Aggregator) Recompute(ctx context.Context, now time.Time) error {
	return a.run(ctx, now, true)
}

func (a *Aggregator) run(ctx context.Context, now time.Time, all bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	start := time.Now()
	now = now.UTC().Truncate(time.Millisecond)
	rows, jobErr := a.runJobs(ctx, now, all)
	gaugeErr := a.refreshGauges(ctx, now)
	err := errors.Join(jobErr, gaugeErr)
	took := time.Since(start)
	a.m.runDuration.Observe(took.Seconds())
	if err != nil {
		a.m.errors.Inc()
		return err
	}
	wall := time.Now()
	a.m.lastRun.Set(float64(wall.UnixNano()) / 1e9)
	a.lastOK.Store(wall.UnixNano())
	args := []any{"now", now.Format(time.RFC3339), "duration", took.Round(time.Millisecond)}
	for _, j := range jobDefs {
		args = append(args, j.table, rows[j.table])
	}
	a.o.Logger.Info("aggregator run", args...)
	return nil
}

// runJobs runs every job for now and returns the rows each wrote; with all,
// each from the start of history.
func (a *Aggregator) runJobs(ctx context.Context, now time.Time, all bool) (map[string]int64, error) {
	marks, err := a.watermarks(ctx)
	if err != nil {
		return nil, err
	}
	rows := map[string]int64{}
	for _, j := range jobDefs {
		since := time.Unix(0, 0).UTC()
		if wm, ok := marks[j.name]; ok && !all {
			if wm.After(now) {
				wm = now
			}
			if s := wm.Add(-a.o.Lateness); s.After(since) {
				since = s
			}
		}
		ver := a.version()
		p := store.Params{"since": since, "now": now, "version": ver}
		q, err := a.q.SQL(j.name)
		if err != nil {
			return rows, err
		}
		// The rows written come from the insert's own summary: counting
		// them afterwards (version is outside every sort key) scanned each
		// derived table in full on every cycle.
		n, err := a.s.ExecWritten(ctx, q, p)
		if err != nil {
			return rows, fmt.Errorf("cannot run %s for [%s, %s): %w", j.name, since.Format(time.RFC3339), now.Format(time.RFC3339), err)
		}
		rows[j.table] = n
		if err := a.s.Exec(ctx, "INSERT INTO aggregator_watermarks (job, upto, version) VALUES ({job:String}, {now:DateTime64(3, 'UTC')}, {version:UInt64})",
			store.Params{"job": j.name, "now": now, "version": ver}); err != nil {
			return rows, fmt.Errorf("cannot record the watermark of %s: %w", j.name, err)
		}
	}
	return rows, nil
}

// watermarks reads each job's last `now`.
func (a *Aggregator) watermarks(ctx context.Context) (map[string]time.Time, error) {
	type mark struct {
		Job  string    `json:"job"`
		Upto time.Time `json:"upto"`
	}
	ms, err := store.QueryAll[mark](ctx, a.s, "SELECT toString(job) AS job, argMax(upto, version) AS upto FROM aggregator_watermarks GROUP BY job", nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read aggregator watermarks: %w", err)
	}
	out := make(map[string]time.Time, len(ms))
	for _, m := range ms {
		out[m.Job] = m.Upto
	}
	return out, nil
}

// version is the row version of a job insert: the wall clock in
// nanoseconds, strictly increasing within the process, so the newest
// computation replaces older ones whatever `now` the run was given.
func (a *Aggregator) version() int64 {
	v := time.Now().UnixNano()
	if v <= a.lastVer {
		v = a.lastVer + 1
	}
	a.lastVer = v
	return v
}
