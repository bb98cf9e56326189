package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/frontline-oss/frontline/dashboards"
	"github.com/frontline-oss/frontline/internal/store"
)

// demoReport prints the manager report of the simulated window and writes
// report.json, report.html and the Grafana files under o.out.
func demoReport(ctx context.Context, cfg *config, s store.Store, from, to time.Time, o demoOptions) error {
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return fmt.Errorf("cannot create output directory %q: %w", o.out, err)
	}
	ro := reportOptions{from: from.In(cfg.KPI.Zone), to: to.In(cfg.KPI.Zone), format: "text", kpi: cfg.KPI}
	if err := runReport(ctx, s, cfg.stdout, ro); err != nil {
		return fmt.Errorf("cannot build the report: %w", err)
	}
	files := map[string][]byte{}
	for _, format := range []string{"json", "html"} {
		var b bytes.Buffer
		ro.format = format
		if err := runReport(ctx, s, &b, ro); err != nil {
			return fmt.Errorf("cannot build the %s report: %w", format, err)
		}
		files["report."+format] = b.Bytes()
	}
	grafana, err := dashboardFiles(dashboards.Config{KPI: cfg.KPI}, dashboards.ServeProvisioning())
	if err != nil {
		return err
	}
	for name, b := range grafana {
		files[filepath.Join("grafana", name)] = b
	}
	if err := writeFiles(cfg.stderr, o.out, files); err != nil {
		return err
	}
	cfg.Log.Info("wrote the report and dashboards", "json", filepath.Join(o.out, "report.json"),
		"html", filepath.Join(o.out, "report.html"), "grafana", filepath.Join(o.out, "grafana"))
	return nil
}
