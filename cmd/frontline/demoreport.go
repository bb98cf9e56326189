package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/dashboards"
	"github.com/frontline-oss/frontline/internal/store"
)

// demoReport prints the manager report of the simulated window, writes the
// demo's files under o.out and, with --serve, keeps serving until stopped.
func demoReport(ctx context.Context, s store.Store, from, to time.Time, o demoOptions, reg *prometheus.Registry) error {
	targets := aggregator.DefaultTargets()
	r, err := aggregator.BuildReport(ctx, s, from, to, "", aggregator.DefaultParams())
	if err != nil {
		return fmt.Errorf("cannot build the report: %w", err)
	}
	if err := r.WriteText(stdout, targets); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(o.out, "report.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write %q: %w", path, err)
	}
	trend, err := aggregator.Trend(ctx, s, from, to, "")
	if err != nil {
		return fmt.Errorf("cannot build the report trend: %w", err)
	}
	var page bytes.Buffer
	if err := r.WriteHTML(&page, targets, trend); err != nil {
		return err
	}
	html := filepath.Join(o.out, "report.html")
	if err := os.WriteFile(html, page.Bytes(), 0o644); err != nil {
		return fmt.Errorf("cannot write %q: %w", html, err)
	}
	files, err := dashboardFiles(dashboards.Config{Targets: targets})
	if err != nil {
		return err
	}
	if err := writeFiles(filepath.Join(o.out, "grafana"), files); err != nil {
		return err
	}
	slog.Info("wrote the report and dashboards", "json", path, "html", html, "grafana", filepath.Join(o.out, "grafana"))
	if o.serve == "" {
		return nil
	}
	stop, err := serveOps(o.serve, reg, nil, map[string]http.Handler{
		"/report": http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			rep, err := aggregator.BuildReport(req.Context(), s, from, to, req.URL.Query().Get("queue"), aggregator.DefaultParams())
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			switch req.URL.Query().Get("format") {
			case "json":
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(rep)
				return
			case "html":
				tr, err := aggregator.Trend(req.Context(), s, from, to, req.URL.Query().Get("queue"))
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				rep.WriteHTML(w, targets, tr)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			rep.WriteText(w, targets)
		}),
	})
	if err != nil {
		return err
	}
	defer stop()
	slog.Info("serving until interrupted", "addr", o.serve, "paths", "/metrics /report /healthz")
	<-ctx.Done()
	return nil
}
