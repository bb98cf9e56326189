package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/frontline-oss/frontline/aggregator"
)

func init() {
	register(command{
		name:    "aggregate",
		summary: "production aggregator: derived-table jobs on a schedule, KPI gauges on /metrics",
		setup: func(fs *flag.FlagSet) func(context.Context, []string) error {
			sf := addStoreFlags(fs)
			every := fs.Duration("every", aggregator.DefaultEvery, "time between runs (the gauges are at most this old)")
			lateness := fs.Duration("lateness", aggregator.DefaultLateness, "how late an event may arrive and still correct the derived tables")
			listen := fs.String("listen", ":9102", "address for /metrics, /healthz and /readyz")
			once := fs.Bool("once", false, "run the jobs and gauges once and exit (no HTTP server)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				targets, err := configTargets()
				if err != nil {
					return fmt.Errorf("%w: %v", errUsage, err)
				}
				s, err := sf.open(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				reg := newRegistry()
				a := aggregator.New(s, aggregator.Options{
					Every: *every, Lateness: *lateness,
					Params: targets.For("").Params(aggregator.DefaultParams()),
					Logger: slog.Default(), Registerer: reg,
				})
				if *once {
					return a.RunOnce(ctx, time.Now())
				}
				stop, err := serveOps(*listen, reg, a.Ready, nil)
				if err != nil {
					return err
				}
				defer stop()
				return a.Run(ctx)
			}
		},
	})
}
