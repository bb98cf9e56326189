package main

import (
	"github.com/frontline-oss/frontline/kpi"

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
	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "the service: collector, aggregator, report API and (embedded) ClickHouse HTTP for Grafana in one process",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg).addSchemaFlags(fs)
			kf := addKafkaFlags(fs, cfg)
			cf := addCollectorFlags(fs)
			af := addAggregatorFlags(fs)
			listen := fs.String("listen", "127.0.0.1:9100", "address for /metrics, /healthz, /readyz, /report, /lists/… and /plan")
			chf := addClickHouseHTTPFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				copts, err := cf.options(kf)
				if err != nil {
					return err
				}
				aopts, err := af.options(cfg.KPI)
				if err != nil {
					return err
				}
				s, err := sf.open(ctx, writeStore)
				if err != nil {
					return inUse(err, "stop that process first: one data directory serves one process")
				}
				defer s.Close()
				cho, err := chf.options(sf.embedded(), cfg)
				if err != nil {
					return err
				}
				svc, err := newService(serviceOptions{
					Store: s, Collector: &copts,
					Aggregator: &aopts,
					Listen:     *listen, API: true,
					ClickHouse: cho,
					KPI:        cfg.KPI,
					Log:        cfg.Log,
				})
				if err != nil {
					return err
				}
				return svc.run(ctx)
			}
		},
	}
}

// serviceOptions are the parts of one running Frontline: what `serve` runs,
// and what `demo` puts its broker and simulator in front of.
type serviceOptions struct {
	// Store is open and migrated. Required.
	Store store.Store
	// Collector consumes Kafka when set. Logger and Registerer are filled in.
	Collector *collector.Options
	// Aggregator runs the derived-table jobs and gauges when set. Logger
	// and Registerer are filled in.
	Aggregator *aggregator.Options
	// Listen is the address of /metrics, /healthz and /readyz; "" serves
	// none.
	Listen string
	// API adds the report API to Listen: /report, /lists/… and /plan.
	API bool
	// ClickHouse is the ClickHouse HTTP interface for Grafana (embedded
	// store only); a zero Listen serves none.
	ClickHouse clickhouseHTTP
	// KPI is the configuration the report API measures and judges with.
	KPI kpi.Config
	// Window is the report window when a request names none. Default: the
	// current local day (the centre's time zone) up to now.
	Window func() (from, to time.Time)
	// Log gets the components' logs. Required.
	Log *slog.Logger
}

// service is one running Frontline: its components and HTTP servers.
type service struct {
	o   serviceOptions
	reg *prometheus.Registry
	col *collector.Collector
	agg *aggregator.Aggregator

	servers []*httpServer
}

// httpServer is a bound listener and the server for it.
type httpServer struct {
	name string
	ln   net.Listener
	srv  *http.Server
}

// URL is the server's base URL.
func (h *httpServer) URL() string { return "http://" + h.ln.Addr().String() }

// newService builds the components and binds the listeners (so that a
// taken port fails here, before anything runs).
func newService(o serviceOptions) (*service, error) {
	if o.Window == nil {
		zone := o.KPI.WithDefaults().Zone
		o.Window = func() (time.Time, time.Time) {
			now := time.Now().In(zone)
			return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone), now.Truncate(time.Minute).Add(time.Minute)
		}
	}
	s := &service{o: o, reg: newRegistry()}
	if o.Collector != nil {
		co := *o.Collector
		co.Logger, co.Registerer = o.Log, s.reg
		col, err := collector.New(o.Store, co)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		s.col = col
	}
	if o.Aggregator != nil {
		ao := *o.Aggregator
		ao.Logger, ao.Registerer = o.Log, s.reg
		s.agg = aggregator.New(o.Store, ao)
	}
	if o.Listen != "" {
		if err := s.listen("api", o.Listen, s.routes()); err != nil {
			return nil, err
		}
		if o.API {
			if err := store.Advertise(s.servers[0].URL()); err != nil {
				o.Log.Warn("cannot record the report URL in the data directory", "err", err)
			}
		}
	}
	if o.ClickHouse.Listen != "" {
		h, err := o.ClickHouse.handler(o.Store, o.Log, s.reg)
		if err != nil {
			s.close()
			return nil, err
		}
		if err := s.listen("clickhouse-http", o.ClickHouse.Listen, h); err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

func (s *service) listen(name, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %q for %s: %w", addr, name, err)
	}
	s.servers = append(s.servers, &httpServer{name: name, ln: ln, srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}})
	return nil
}

// close releases the listeners of a service that will not run.
func (s *service) close() {
	for _, h := range s.servers {
		h.ln.Close()
	}
}

// run runs every component until ctx ends or one of them fails, then stops
// them all: the collector inserts and commits what it holds, the
// aggregator finishes its run, the HTTP servers drain. It returns once
// every goroutine has returned.
func (s *service) run(ctx context.Context) error {
	var g runGroup
	stopped, stop := context.WithCancel(context.Background())
	defer stop()
	g.add("signal", func() error {
		select {
		case <-ctx.Done():
			s.o.Log.Info("stopping", "reason", context.Cause(ctx))
		case <-stopped.Done():
		}
		return nil
	}, stop)
	if s.col != nil {
		cctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g.add("collector", func() error { return s.col.Run(cctx) }, cancel)
	}
	if s.agg != nil {
		actx, cancel := context.WithCancel(context.Background())
		defer cancel()
		g.add("aggregator", func() error { return s.agg.Run(actx) }, cancel)
	}
	for _, h := range s.servers {
		g.add(h.name, func() error {
			s.o.Log.Info("serving", "server", h.name, "url", h.URL())
			if err := h.srv.Serve(h.ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = h.srv.Shutdown(sctx)
		})
	}
	err := g.run()
	if err == nil {
		s.o.Log.Info("stopped cleanly")
	}
	return err
}

// ready reports whether the service can do its work: the collector reaches
// Kafka and ClickHouse, and the aggregator ran recently. why says what is not.
func (s *service) ready() (ok bool, why string) {
	if s.col != nil && !s.col.Ready() {
		return false, "collector: " + s.col.NotReady()
	}
	if s.agg != nil && !s.agg.Ready() {
		return false, "aggregator: no successful run recently"
	}
	return true, ""
}

// newRegistry is the metrics registry of a serving command: the Go runtime
// and process collectors, the build info, and whatever the command's
// components register.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfoGauge())
	return reg
}

// opsRoutes are the endpoints every serving command has.
func opsRoutes(mux *http.ServeMux, reg *prometheus.Registry, ready func() (bool, string)) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if ok, why := ready(); !ok {
			http.Error(w, "not ready: "+why, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
}
