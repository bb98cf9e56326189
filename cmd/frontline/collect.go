package main

import (
	"context"
	"flag"
	"fmt"
)

func collectCommand() command {
	return command{
		name:    "collect",
		summary: "the collector alone (Kafka → ClickHouse, exactly once in effect), for scaling out beside serve or aggregate",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg).addSchemaFlags(fs)
			kf := addKafkaFlags(fs, cfg)
			cf := addCollectorFlags(fs)
			listen := fs.String("listen", "127.0.0.1:9101", "address for /metrics, /healthz and /readyz")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				copts, err := cf.options(kf)
				if err != nil {
					return err
				}
				s, err := sf.open(ctx, writeStore)
				if err != nil {
					return inUse(err, "on one machine, `frontline serve` runs the collector; stop that process first")
				}
				defer s.Close()
				svc, err := newService(serviceOptions{Store: s, Collector: &copts, Listen: *listen, Log: cfg.Log})
				if err != nil {
					return err
				}
				return svc.run(ctx)
			}
		},
	}
}
