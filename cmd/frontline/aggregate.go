package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

func aggregateCommand() command {
	return command{
		name:    "aggregate",
		summary: "the aggregator alone: derived-table jobs on a schedule and KPI gauges on /metrics (--once for cron)",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg).addSchemaFlags(fs)
			af := addAggregatorFlags(fs)
			listen := fs.String("listen", "127.0.0.1:9102", "address for /metrics, /healthz and /readyz")
			once := fs.Bool("once", false, "run the jobs and gauges once and exit (no HTTP server)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				aopts, err := af.options(cfg.KPI)
				if err != nil {
					return err
				}
				s, err := sf.open(ctx, writeStore)
				if err != nil {
					return inUse(err, "on one machine, `frontline serve` runs the aggregator; stop that process first")
				}
				defer s.Close()
				if *once {
					aopts.Logger = cfg.Log
					svc, err := newService(serviceOptions{Store: s, Aggregator: &aopts, Log: cfg.Log})
					if err != nil {
						return err
					}
					return svc.agg.RunOnce(ctx, time.Now())
				}
				svc, err := newService(serviceOptions{Store: s, Aggregator: &aopts, Listen: *listen, Log: cfg.Log})
				if err != nil {
					return err
				}
				return svc.run(ctx)
			}
		},
	}
}
