package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The report API of serve: /report, /lists/{name} and /plan answer what
// `frontline report` and `frontline plan` print, with the commands' own flag
// names as query parameters (?from=…&to=…&queue=…&format=json), parsed and
// validated by the same flag definitions, so the CLI and the API cannot
// drift apart. A bad parameter is a 400 with the reason; the CLI, asking
// through --server, exits 2 with it.

// routes are the service's HTTP endpoints.
func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	opsRoutes(mux, s.reg, s.ready)
	if !s.o.API {
		return mux
	}
	mux.HandleFunc("GET /report", s.handle(func(ctx context.Context, fs *flag.FlagSet, w io.Writer) (func() error, error) {
		rf := addReportFlags(fs)
		return func() error { return rf.run(ctx, s.o.Store, w, s.o.KPI, s.o.Window) }, nil
	}))
	mux.HandleFunc("GET /lists/{name}", func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !validList(name) {
			http.Error(w, fmt.Sprintf("unknown list %q: want abandoned, overdue-callbacks or late-emails", name), http.StatusNotFound)
			return
		}
		s.handle(func(ctx context.Context, fs *flag.FlagSet, w io.Writer) (func() error, error) {
			rf := addReportFlags(fs)
			return func() error {
				if rf.list != "" && rf.list != name {
					return fmt.Errorf("%w: list %q in the path, %q in the query", errUsage, name, rf.list)
				}
				rf.list = name
				if !r.URL.Query().Has("format") {
					rf.format = "json"
				}
				return rf.run(ctx, s.o.Store, w, s.o.KPI, s.o.Window)
			}, nil
		})(w, r)
	})
	plan := s.handle(func(ctx context.Context, fs *flag.FlagSet, w io.Writer) (func() error, error) {
		pf := addPlanFlags(fs)
		return func() error { return pf.run(ctx, s.o.Store, w, s.o.KPI, s.o.Log) }, nil
	})
	mux.HandleFunc("GET /plan", plan)
	mux.HandleFunc("POST /plan", plan)
	return mux
}

// handle turns a command body into a handler: define defines the flags on
// a fresh flag set and returns the body; the request's query parameters
// set the flags (an unknown one is a 400); the body's output is buffered so
// that an error can still become a clean 400 or 500.
func (s *service) handle(define func(ctx context.Context, fs *flag.FlagSet, w io.Writer) (func() error, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		fs := flag.NewFlagSet(r.URL.Path, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var out bytes.Buffer
		body, err := define(r.Context(), fs, &out)
		if err == nil {
			err = setFlags(fs, r.URL.Query())
		}
		if err == nil {
			err = body()
		}
		switch {
		case errors.Is(err, errUsage):
			http.Error(w, strings.TrimPrefix(err.Error(), errUsage.Error()+": "), http.StatusBadRequest)
			return
		case err != nil:
			s.o.Log.Error("request failed", "path", r.URL.Path, "query", r.URL.RawQuery, "err", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if fl := fs.Lookup("format"); fl != nil {
			w.Header().Set("Content-Type", contentType(fl.Value.String()))
		}
		_, _ = w.Write(out.Bytes())
	}
}

// setFlags sets the flags of fs from query parameters named like them.
func setFlags(fs *flag.FlagSet, q url.Values) error {
	for name, vs := range q {
		f := fs.Lookup(name)
		if f == nil {
			return fmt.Errorf("%w: unknown parameter %q", errUsage, name)
		}
		if err := f.Value.Set(vs[len(vs)-1]); err != nil {
			return fmt.Errorf("%w: %s=%q: %v", errUsage, name, vs[len(vs)-1], err)
		}
	}
	return nil
}

func contentType(format string) string {
	switch format {
	case "json":
		return "application/json"
	case "html":
		return "text/html; charset=utf-8"
	case "csv":
		return "text/csv; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}
