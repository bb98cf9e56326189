package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/simulator"
)

func init() {
	register(command{
		name:    "demo",
		summary: "embedded end-to-end run: in-process Kafka, chDB, collector, aggregator and simulator; prints the manager report",
		setup: func(fs *flag.FlagSet) func(context.Context, []string) error {
			o := demoOptions{}
			fs.StringVar(&o.data, "data", "./data", "embedded ClickHouse (chDB) data directory")
			fs.StringVar(&o.database, "database", "demo", "database for the demo (emptied at start)")
			fs.StringVar(&o.out, "out", "./out", "directory for dashboards and report.html")
			fs.IntVar(&o.days, "days", 1, "simulated days")
			fs.IntVar(&o.agents, "agents", 40, "simulated agents")
			fs.Int64Var(&o.seed, "seed", 1, "simulator seed")
			fs.StringVar(&o.start, "start", "2026-11-02", "first simulated day (a date)")
			fs.Float64Var(&o.understaff, "understaff", 0, "fraction of agents missing on the first afternoon (0..1), to build callback and e-mail backlogs for alert demos")
			fs.StringVar(&o.serve, "serve", "", "after the run keep /metrics, /report and /healthz up on this address (e.g. :8080)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				start, err := parseTime(o.start)
				if err != nil {
					return fmt.Errorf("%w: --start: %v", errUsage, err)
				}
				o.startAt = start
				return runDemo(ctx, o)
			}
		},
	})
}

type demoOptions struct {
	data, database, out, start, serve string
	days, agents                      int
	seed                              int64
	understaff                        float64
	startAt                           time.Time
}

// runDemo reads as the pipeline it shows: broker and store up, collector
// consuming, simulator publishing through Kafka, wait until every event is
// in ClickHouse, then the report.
func runDemo(ctx context.Context, o demoOptions) error {
	began := time.Now()
	log := slog.Default()

	kc, err := broker.Start(broker.Options{Partitions: 3})
	if err != nil {
		return err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	log.Info("embedded Kafka broker up", "brokers", brokers)

	s, err := store.OpenEmbedded(o.data, o.database)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Exec(ctx, "DROP DATABASE IF EXISTS `"+o.database+"`", nil); err != nil {
		return fmt.Errorf("cannot empty the demo database %q: %w", o.database, err)
	}
	s.Close()
	if s, err = store.OpenEmbedded(o.data, o.database); err != nil {
		return err
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		return err
	}
	log.Info("embedded ClickHouse ready", "data", o.data, "database", o.database)

	reg := newRegistry()
	col, err := collector.New(s, collector.Options{
		Brokers: brokers, Group: fmt.Sprintf("frontline-demo-%d", time.Now().UnixNano()),
		MaxWait: 300 * time.Millisecond, Logger: log, Registerer: reg,
	})
	if err != nil {
		return err
	}
	colCtx, stopCollector := context.WithCancel(ctx)
	defer stopCollector()
	colDone := make(chan error, 1)
	go func() { colDone <- col.Run(colCtx) }()

	// The aggregator runs beside the collector on the simulated clock, so its
	// gauges follow the simulated day as it is published.
	var simClock atomic.Int64
	simClock.Store(o.startAt.UnixMilli())
	agg := aggregator.New(s, aggregator.Options{
		Every: 2 * time.Second, Logger: log, Registerer: reg,
		Now: func() time.Time { return time.UnixMilli(simClock.Load()).UTC() },
	})
	aggCtx, stopAggregator := context.WithCancel(ctx)
	defer stopAggregator()
	aggDone := make(chan error, 1)
	go func() { aggDone <- agg.Run(aggCtx) }()

	sim := simulator.New(simulator.Options{Start: o.startAt, Days: o.days, Agents: o.agents, Seed: o.seed, Understaff: o.understaff})
	msgs := make(chan simulator.Message, 8192)
	var stats simulator.Stats
	simErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		var err error
		stats, err = sim.Run(ctx, func(m simulator.Message) error {
			select {
			case msgs <- m:
				simClock.Store(m.At.UnixMilli())
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		simErr <- err
	}()
	published, err := publish(ctx, brokers, msgs)
	if err != nil {
		return err
	}
	if err := <-simErr; err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	log.Info("simulated traffic published through Kafka", "events", published, "duplicates", stats.Duplicates, "invalid", stats.Invalid)

	// Wait until the collector has seen every message (loaded, duplicate or DLQ).
	st := col.Stats()
	lastLog := time.Now()
	for {
		seen := st.Loaded.Load() + st.Duplicates.Load() + st.Invalid.Load()
		if seen >= int64(published) {
			break
		}
		if time.Since(lastLog) > 2*time.Second {
			log.Info("collecting", "seen", seen, "of", published, "loaded", st.Loaded.Load())
			lastLog = time.Now()
		}
		select {
		case err := <-colDone:
			return fmt.Errorf("collector stopped early: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	stopCollector()
	if err := <-colDone; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("all events in ClickHouse", "loaded", st.Loaded.Load(), "duplicates", st.Duplicates.Load(), "invalid", st.Invalid.Load(), "took", time.Since(began).Round(time.Millisecond))

	from := o.startAt
	to := o.startAt.AddDate(0, 0, o.days)
	// Final run of the derived-table jobs and gauges at the end of the window;
	// with --serve the aggregator keeps refreshing the gauges there.
	stopAggregator()
	<-aggDone
	simClock.Store(to.UnixMilli())
	if err := agg.RunOnce(ctx, to); err != nil {
		return fmt.Errorf("aggregator: %w", err)
	}
	if o.serve != "" {
		aggCtx, stopAggregator = context.WithCancel(ctx)
		defer stopAggregator()
		go agg.Run(aggCtx)
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("cannot create output directory %q: %w", o.out, err)
	}
	return demoReport(ctx, s, from, to, o, reg)
}
