package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
				reg := prometheus.NewRegistry()
				reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
				a := aggregator.New(s, aggregator.Options{
					Every: *every, Lateness: *lateness,
					Params: targets.For("").Params(aggregator.DefaultParams()),
					Logger: slog.Default(), Registerer: reg,
				})
				if *once {
					return a.RunOnce(ctx, time.Now())
				}
				stop, err := aggregateServe(*listen, reg, a.Ready)
				if err != nil {
					return err
				}
				defer stop()
				return a.Run(ctx)
			}
		},
	})
}

// aggregateServe serves /metrics from reg, /healthz (the process is up) and
// /readyz (a run succeeded recently) on addr, and returns a function that
// stops it.
func aggregateServe(addr string, reg *prometheus.Registry, ready func() bool) (func(), error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready() {
			http.Error(w, "not ready: no aggregator run has succeeded recently", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %q: %w", addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("aggregator HTTP server stopped", "addr", addr, "err", err)
		}
	}()
	slog.Info("serving /metrics /healthz /readyz", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}
