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

	"github.com/frontline-oss/frontline/collector"
)

func init() {
	register(command{
		name:    "collect",
		summary: "production collector: Kafka → ClickHouse, exactly once in effect, with /metrics and /healthz",
		setup: func(fs *flag.FlagSet) func(context.Context, []string) error {
			sf := addStoreFlags(fs)
			kf := addKafkaFlags(fs)
			group := fs.String("group", "frontline-collector", "Kafka consumer group")
			topics := fs.String("topics", "", "topics to consume, comma separated (default: the six cs.* topics)")
			listen := fs.String("listen", ":9101", "address for /metrics, /healthz and /readyz")
			maxRows := fs.Int("max-rows", 50000, "messages per partition batch")
			maxWait := fs.Duration("max-wait", time.Second, "age at which a batch goes to the inserter (while the inserter is busy, the batch keeps growing)")
			sessionTimeout := fs.Duration("session-timeout", 6*time.Second, "consumer-group session timeout: how long a collector that died without leaving holds its partitions (the broker's group.min.session.timeout.ms bounds it from below)")
			rebalanceTimeout := fs.Duration("rebalance-timeout", 10*time.Second, "how long a rebalance waits for the live members to rejoin")
			heartbeatInterval := fs.Duration("heartbeat-interval", time.Second, "consumer-group heartbeat interval, below the session timeout; also how soon a member learns of a rebalance")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				dialer, transport, err := kf.dialer()
				if err != nil {
					return fmt.Errorf("%w: %v", errUsage, err)
				}
				s, err := sf.open(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				reg := newRegistry()
				c, err := collector.New(s, collector.Options{
					Brokers: kf.list(), Group: *group, Topics: splitList(*topics),
					MaxRows: *maxRows, MaxWait: *maxWait,
					SessionTimeout: *sessionTimeout, RebalanceTimeout: *rebalanceTimeout, HeartbeatInterval: *heartbeatInterval,
					Dialer: dialer, Transport: transport,
					Logger: slog.Default(), Registerer: reg,
				})
				if err != nil {
					return fmt.Errorf("%w: %v", errUsage, err)
				}
				stopHTTP, err := serveOps(*listen, reg, c.Ready, nil)
				if err != nil {
					return err
				}
				defer stopHTTP()
				return c.Run(ctx)
			}
		},
	})
}

// serveOps serves /metrics from reg, /healthz (the process is up) and
// /readyz (ready() is true) and any extra handlers on addr, and returns a
// function that stops it.
func serveOps(addr string, reg *prometheus.Registry, ready func() bool, extra map[string]http.Handler) (func(), error) {
	mux := http.NewServeMux()
	for path, h := range extra {
		mux.Handle(path, h)
	}
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if ready != nil && !ready() {
			http.Error(w, "not ready: the last store operation failed", http.StatusServiceUnavailable)
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
			slog.Error("ops server stopped", "addr", addr, "err", err)
		}
	}()
	slog.Info("serving /metrics /healthz /readyz", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// newRegistry is the metrics registry of a serving command: the Go runtime
// and process collectors, and whatever the command's components register.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
