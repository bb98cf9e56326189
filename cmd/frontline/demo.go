package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/simulator"
)

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "the service on the embedded stack, fed by an in-process Kafka broker and the simulator; prints the manager report",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			o := demoOptions{}
			fs.StringVar(&o.data, "data", "./data", "embedded ClickHouse (chDB) data directory")
			fs.StringVar(&o.database, "database", "demo", "database for the demo (emptied at start)")
			fs.StringVar(&o.out, "out", "./out", "directory for report.html, report.json and the Grafana files")
			fs.IntVar(&o.days, "days", 1, "simulated days")
			fs.IntVar(&o.agents, "agents", 40, "simulated agents")
			fs.Int64Var(&o.seed, "seed", 1, "simulator seed")
			fs.StringVar(&o.start, "start", "2026-11-02", "first simulated day (a date)")
			fs.Float64Var(&o.understaff, "understaff", 0, "fraction of agents missing on the first afternoon (0..1), to build callback and e-mail backlogs for alert demos")
			fs.StringVar(&o.serve, "serve", "", "after the run keep serving /metrics, /report, /lists/…, /plan on this address (e.g. 127.0.0.1:8080) until interrupted")
			chf := addClickHouseHTTPFlags(fs)
			addTZFlag(fs) // read into cfg.KPI
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				start, err := parseTime(o.start)
				if err != nil {
					return fmt.Errorf("%w: --start: %v", errUsage, err)
				}
				switch {
				case o.days <= 0:
					return fmt.Errorf("%w: --days %d: must be positive", errUsage, o.days)
				case o.agents <= 0:
					return fmt.Errorf("%w: --agents %d: must be positive", errUsage, o.agents)
				case o.understaff < 0 || o.understaff > 1:
					return fmt.Errorf("%w: --understaff %v: want 0..1", errUsage, o.understaff)
				}
				o.startAt = start
				if o.serve != "" {
					if o.clickhouse, err = chf.options(true, cfg); err != nil {
						return err
					}
				}
				return runDemo(ctx, cfg, o)
			}
		},
	}
}

type demoOptions struct {
	data, database, out, start, serve string
	days, agents                      int
	seed                              int64
	understaff                        float64
	startAt                           time.Time
	clickhouse                        clickhouseHTTP
}

// runDemo puts an in-process Kafka broker and the simulator in front of
// the service that `frontline serve` runs: broker and store up, the service
// consuming, the simulator publishing through Kafka; once every event is in
// ClickHouse, the report. With --serve the service goes on serving.
func runDemo(ctx context.Context, cfg *config, o demoOptions) error {
	began := time.Now()
	log := cfg.Log

	kc, err := broker.Start(broker.Options{Partitions: 3})
	if err != nil {
		return err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	log.Info("embedded Kafka broker up", "brokers", brokers)

	s, err := demoStore(ctx, cfg, o)
	if err != nil {
		return err
	}
	defer s.Close()
	log.Info("embedded ClickHouse ready", "data", o.data, "database", o.database)

	from := o.startAt
	to := o.startAt.AddDate(0, 0, o.days)
	// The aggregator runs on the simulated clock, so its gauges follow the
	// simulated day as it is published.
	var simClock atomic.Int64
	simClock.Store(from.UnixMilli())
	svc, err := newService(serviceOptions{
		Store: s,
		Collector: &collector.Options{
			Brokers: brokers, Group: fmt.Sprintf("frontline-demo-%d", time.Now().UnixNano()),
			MaxWait: 300 * time.Millisecond,
		},
		Aggregator: &aggregator.Options{
			Every: 2 * time.Second, KPI: cfg.KPI,
			Now: func() time.Time { return time.UnixMilli(simClock.Load()).UTC() },
		},
		Listen: o.serve, API: o.serve != "", ClickHouse: o.clickhouse,
		KPI:    cfg.KPI,
		Window: func() (time.Time, time.Time) { return from, to },
		Log:    log,
	})
	if err != nil {
		return err
	}
	svcCtx, stopService := context.WithCancel(ctx)
	defer stopService()
	svcDone := make(chan error, 1)
	go func() { svcDone <- svc.run(svcCtx) }()
	stop := func() error {
		stopService()
		if err := <-svcDone; err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		return nil
	}

	published, stats, err := publishSimulation(ctx, brokers, o, &simClock)
	if err != nil {
		return errors.Join(err, stop())
	}
	log.Info("simulated traffic published through Kafka", "events", published, "duplicates", stats.Duplicates, "invalid", stats.Invalid)
	if err := waitCollected(ctx, svc.col, published, svcDone, log); err != nil {
		return errors.Join(err, stop())
	}
	st := svc.col.Stats()
	log.Info("all events in ClickHouse", "loaded", st.Loaded.Load(), "duplicates", st.Duplicates.Load(), "invalid", st.Invalid.Load(), "took", time.Since(began).Round(time.Millisecond))

	// A last aggregator run at the end of the window, over all of it: the
	// simulated clock ran ahead of the collector, so the runs on the way
	// saw some days before all their events were in (and more than
	// --lateness behind). With --serve the aggregator goes on refreshing
	// the gauges there.
	simClock.Store(to.UnixMilli())
	if err := svc.agg.Recompute(ctx, to); err != nil {
		return errors.Join(fmt.Errorf("aggregator: %w", err), stop())
	}
	if err := demoReport(ctx, cfg, s, from, to, o); err != nil {
		return errors.Join(err, stop())
	}
	if o.serve == "" {
		return stop()
	}
	log.Info("serving until interrupted", "report", svc.servers[0].URL()+"/report")
	select {
	case <-ctx.Done():
		return stop()
	case err := <-svcDone:
		return err
	}
}

// demoStore opens the demo's database on the embedded engine, emptied.
func demoStore(ctx context.Context, cfg *config, o demoOptions) (store.Store, error) {
	lib, err := engineLibrary(cfg.Library)
	if err != nil {
		return nil, err
	}
	s, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: o.data, Database: o.database, Library: lib, Create: true, Owner: "frontline demo"})
	if err != nil {
		return nil, inUse(err, "stop it, or give the demo another --data")
	}
	if err := s.Exec(ctx, "DROP DATABASE IF EXISTS `"+o.database+"`", nil); err != nil {
		return nil, fmt.Errorf("cannot empty the demo database %q: %w", o.database, err)
	}
	s.Close()
	if s, err = store.OpenEmbedded(store.EmbeddedOptions{Dir: o.data, Database: o.database, Library: lib, Create: true}); err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		return nil, err
	}
	return s, nil
}

// publishSimulation runs the simulator and publishes its events through
// Kafka, moving the simulated clock with them.
func publishSimulation(ctx context.Context, brokers []string, o demoOptions, clock *atomic.Int64) (int, simulator.Stats, error) {
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
				clock.Store(m.At.UnixMilli())
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		simErr <- err
	}()
	published, err := publish(ctx, brokers, nil, msgs)
	for range msgs { // drain after a publish failure
	}
	if serr := <-simErr; serr != nil {
		return published, stats, fmt.Errorf("simulator: %w", serr)
	}
	return published, stats, err
}

// waitCollected waits until the collector has seen n messages (loaded,
// duplicate or sent to the DLQ), logging progress.
func waitCollected(ctx context.Context, col *collector.Collector, n int, svcDone <-chan error, log *slog.Logger) error {
	st := col.Stats()
	lastLog := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		seen := st.Seen()
		if seen >= int64(n) {
			return nil
		}
		if time.Since(lastLog) > 2*time.Second {
			log.Info("collecting", "seen", seen, "of", n, "loaded", st.Loaded.Load())
			lastLog = time.Now()
		}
		select {
		case err := <-svcDone:
			return fmt.Errorf("the service stopped early: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
