package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

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
// (Grafana reads the server), and a password required unless it listens on
// loopback only.
func (f *clickhouseHTTPFlags) options(embedded bool, cfg *config) (clickhouseHTTP, error) {
	if !embedded || f.listen == "" {
		return clickhouseHTTP{}, nil
	}
	o := clickhouseHTTP{Listen: f.listen, User: f.user, Password: cfg.secret("clickhouse-http-password")}
	if o.Password == "" && !loopback(f.listen) {
		return o, fmt.Errorf("%w: --clickhouse-listen %q is reachable from other hosts: set FRONTLINE_CLICKHOUSE_HTTP_PASSWORD (or _FILE)", errUsage, f.listen)
	}
	return o, nil
}

// loopback reports whether addr listens on loopback interfaces only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// handler is the HTTP handler of the interface on s.
func (c clickhouseHTTP) handler(s store.Store, log *slog.Logger, reg prometheus.Registerer) (http.Handler, error) {
	return nil, errors.New("the ClickHouse HTTP interface is not built yet")
}
