package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/frontline-oss/frontline/internal/store"
)

func migrateCommand() command {
	return command{
		name:    "migrate",
		summary: "create or upgrade the ClickHouse schema (idempotent); --print shows the DDL",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg).addSchemaFlags(fs)
			cluster := fs.String("cluster", "", "create Replicated tables ON CLUSTER this name")
			print := fs.Bool("print", false, "print the DDL instead of applying it")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				if err := sf.checkSchema(); err != nil {
					return err
				}
				o := sf.schema
				o.Cluster = *cluster
				if *print {
					ms, err := store.Migrations(o)
					if err != nil {
						return err
					}
					for _, m := range ms {
						fmt.Fprintf(cfg.stdout, "-- migration %s\n", m.Name)
						for _, st := range m.Statements {
							fmt.Fprintf(cfg.stdout, "%s;\n\n", st)
						}
					}
					return nil
				}
				s, err := sf.connect(ctx, writeStore)
				if err != nil {
					return inUse(err, "the process that holds it has migrated it already")
				}
				defer s.Close()
				applied, err := store.Migrate(ctx, s, o)
				if err != nil {
					return err
				}
				if len(applied) == 0 {
					fmt.Fprintf(cfg.stdout, "schema of %s is up to date\n", s.Database())
				}
				for _, a := range applied {
					fmt.Fprintf(cfg.stdout, "applied %s\n", a)
				}
				return nil
			}
		},
	}
}
