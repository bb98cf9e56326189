package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/frontline-oss/frontline/dashboards"
)

func init() {
	register(command{
		name:    "dashboards",
		summary: "write the Grafana dashboards, their provisioning and the Prometheus rules",
		setup: func(fs *flag.FlagSet) func(context.Context, []string) error {
			out := fs.String("out", "", "output directory (dashboards/, provisioning/, prometheus/ under it); required")
			chUID := fs.String("clickhouse-uid", "frontline-clickhouse", "uid of the ClickHouse data source")
			promUID := fs.String("prometheus-uid", "frontline-prometheus", "uid of the Prometheus data source")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				if *out == "" {
					return fmt.Errorf("%w: --out is required", errUsage)
				}
				targets, err := configTargets()
				if err != nil {
					return err
				}
				c := dashboards.Config{ClickHouseUID: *chUID, PrometheusUID: *promUID, Targets: targets}
				files, err := dashboardFiles(c)
				if err != nil {
					return err
				}
				return writeFiles(*out, files)
			}
		},
	})
}

// dashboardFiles are the generated files by path relative to --out.
func dashboardFiles(c dashboards.Config) (map[string][]byte, error) {
	files := map[string][]byte{}
	ds, err := dashboards.All(c)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		b, err := dashboards.JSON(d)
		if err != nil {
			return nil, err
		}
		files[filepath.Join(dashboards.DashboardsDir, *d.Uid+".json")] = b
	}
	var p dashboards.Provisioning
	if files[dashboards.DashboardProviderFile], err = p.DashboardProvider(); err != nil {
		return nil, err
	}
	if files[dashboards.DataSourcesFile], err = p.DataSources(c); err != nil {
		return nil, err
	}
	if files[dashboards.RulesFile], err = dashboards.PrometheusRules(c); err != nil {
		return nil, err
	}
	return files, nil
}

func writeFiles(dir string, files map[string][]byte) error {
	for name, b := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("cannot create %q: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return fmt.Errorf("cannot write %q: %w", path, err)
		}
	}
	fmt.Fprintf(stdout, "wrote %d files under %s\n", len(files), dir)
	return nil
}
