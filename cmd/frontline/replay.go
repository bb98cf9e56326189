package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/frontline-oss/frontline/collector"
)

func replayCommand() command {
	return command{
		name:    "replay",
		summary: "load CloudEvents JSONL files through the collector's decode, validate, dedupe and insert path",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg).addSchemaFlags(fs)
			strict := fs.Bool("strict", false, "exit 1 if any line was invalid")
			batch := fs.Int("batch-lines", 10000, "lines per insert")
			return func(ctx context.Context, files []string) error {
				if len(files) == 0 {
					return fmt.Errorf("%w: give one or more JSONL files ('-' for stdin)", errUsage)
				}
				s, err := sf.open(ctx, writeStore)
				if err != nil {
					return inUse(err, "publish the file to the Kafka it consumes with `frontline produce` instead")
				}
				defer s.Close()
				in := collector.NewIngester(s, cfg.Log, nil)
				var total collector.ReplayResult
				for _, name := range files {
					var r io.Reader = os.Stdin
					if name != "-" {
						f, err := os.Open(name)
						if err != nil {
							return fmt.Errorf("cannot open %q: %w", name, err)
						}
						defer f.Close()
						r = f
					}
					res, err := collector.Replay(ctx, in, r, collector.ReplayOptions{BatchLines: *batch, Name: name, Logger: cfg.Log})
					if err != nil {
						return fmt.Errorf("cannot replay %q: %w", name, err)
					}
					fmt.Fprintf(cfg.stdout, "%s: %d lines, %d loaded, %d duplicate, %d invalid\n", name, res.Lines, res.Loaded, res.Duplicates, len(res.Invalid))
					for _, inv := range res.Invalid {
						fmt.Fprintf(cfg.stdout, "  line %d: %s: %s\n", inv.Line, inv.Reason, inv.Detail)
					}
					total.Add(res)
				}
				if len(files) > 1 {
					fmt.Fprintf(cfg.stdout, "total: %d lines, %d loaded, %d duplicate, %d invalid\n", total.Lines, total.Loaded, total.Duplicates, len(total.Invalid))
				}
				if *strict && len(total.Invalid) > 0 {
					return fmt.Errorf("%d invalid lines (--strict)", len(total.Invalid))
				}
				return nil
			}
		},
	}
}
