package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/chdb"
)

// version and revision are set at build time by the Makefile
// (-ldflags "-X main.version=… -X main.revision=…"); without them they come
// from the module's build information.
var version, revision string

// buildVersion returns the version and VCS revision of this binary.
func buildVersion() (string, string) {
	v, r := version, revision
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && r == "" {
				r = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if r == "" {
		r = "unknown"
	}
	return v, r
}

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version, revision and Go version (--engine: also load the embedded ClickHouse and print its version)",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			engine := fs.Bool("engine", false, "also load the embedded ClickHouse engine and print its version")
			return func(ctx context.Context, args []string) error {
				v, r := buildVersion()
				fmt.Fprintf(cfg.stdout, "frontline %s (revision %s, %s)\n", v, r, runtime.Version())
				if !*engine {
					return nil
				}
				lib, err := engineLibrary(cfg.Library)
				if err != nil {
					return err
				}
				dir, err := os.MkdirTemp("", "frontline-engine-check-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				c, err := chdb.Open(lib, dir)
				if err != nil {
					return err
				}
				defer c.Close()
				res, err := c.Query("SELECT version()", "TSV")
				if err != nil {
					return fmt.Errorf("the embedded ClickHouse loaded but cannot run a query: %w", err)
				}
				fmt.Fprintf(cfg.stdout, "embedded ClickHouse %s (%s)\n", string(res.Data[:max(len(res.Data)-1, 0)]), lib)
				return nil
			}
		},
	}
}

// buildInfoGauge is frontline_build_info{version, revision, goversion} 1,
// so a dashboard can show which build each process runs.
func buildInfoGauge() prometheus.Collector {
	v, r := buildVersion()
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "frontline_build_info",
		Help:        "Always 1; the labels say which build of frontline is running.",
		ConstLabels: prometheus.Labels{"version": v, "revision": r, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}
