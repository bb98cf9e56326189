package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/chhttp"
	"github.com/frontline-oss/frontline/internal/store"
)

// clickhouseHTTP is the ClickHouse HTTP interface that serve answers on the
// embedded store, so that Grafana's ClickHouse data source can read it.
type clickhouseHTTP struct {
	Listen   string
	User     string
	Password string
}

type clickhouseHTTPFlags struct {
	listen, user string
}

func addClickHouseHTTPFlags(fs *flag.FlagSet) *clickhouseHTTPFlags {
	f := &clickhouseHTTPFlags{}
	fs.StringVar(&f.listen, "clickhouse-listen", "127.0.0.1:8123", "with the embedded store: address of a read-only ClickHouse HTTP interface for Grafana (\"\" for none)")
	fs.StringVar(&f.user, "clickhouse-user", "frontline", "user of the ClickHouse HTTP interface (password from FRONTLINE_CLICKHOUSE_HTTP_PASSWORD[_FILE])")
	return f
}

// options returns the interface's settings: none with a ClickHouse server
// (Grafana reads the server), and none without a password (logged, so the
// user knows how to turn it on).
func (f *clickhouseHTTPFlags) options(embedded bool, cfg *config) (clickhouseHTTP, error) {
	if !embedded || f.listen == "" {
		return clickhouseHTTP{}, nil
	}
	if strings.TrimSpace(f.user) == "" {
		return clickhouseHTTP{}, fmt.Errorf("%w: --clickhouse-user is empty", errUsage)
	}
	pw := cfg.secret("clickhouse-http-password")
	if pw == "" {
		cfg.Log.Info("no ClickHouse HTTP interface for Grafana: set FRONTLINE_CLICKHOUSE_HTTP_PASSWORD (or _FILE) to serve one", "listen", f.listen)
		return clickhouseHTTP{}, nil
	}
	return clickhouseHTTP{Listen: f.listen, User: f.user, Password: pw}, nil
}

// handler is the HTTP handler of the interface on s, which must be the
// embedded store.
func (c clickhouseHTTP) handler(s store.Store, log *slog.Logger, reg prometheus.Registerer) (http.Handler, error) {
	r, ok := s.(chhttp.Runner)
	if !ok {
		return nil, fmt.Errorf("the ClickHouse HTTP interface needs the embedded store, not %T", s)
	}
	return chhttp.New(r, chhttp.Options{User: c.User, Password: c.Password, Logger: log, Registerer: reg})
}
