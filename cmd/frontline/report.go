package main

import (
	"errors"

	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report"

	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

func reportCommand() command {
	return command{
		name:    "report",
		summary: "the manager report of a window (text, json or html), or a drill-down list",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg)
			rf := addReportFlags(fs)
			server := fs.String("server", "", "ask a running frontline serve at this URL instead of opening the store (used by itself when serve holds --data)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				if rf.from == "" || rf.to == "" {
					return fmt.Errorf("%w: --from and --to are required", errUsage)
				}
				if _, err := rf.parse(cfg.KPI, nil); err != nil {
					return err
				}
				path := "/report"
				if rf.list != "" {
					path = "/lists/" + rf.list
				}
				s, err := openOrAsk(ctx, sf, *server, path, cfg, cfg.stdout)
				if s == nil || err != nil {
					return err
				}
				defer s.Close()
				return rf.run(ctx, s, cfg.stdout, cfg.KPI, nil)
			}
		},
	}
}

// reportFlags are the flags of the report, shared by `frontline report` and
// the /report and /lists/… endpoints.
type reportFlags struct {
	from, to, queue, format, list string
	tz                            *string
}

func addReportFlags(fs *flag.FlagSet) *reportFlags {
	f := &reportFlags{tz: addTZFlag(fs)}
	fs.StringVar(&f.from, "from", "", "window start, RFC 3339 or a date (local midnight in the time zone); required")
	fs.StringVar(&f.to, "to", "", "window end (exclusive), RFC 3339 or a date (local midnight in the time zone); required")
	fs.StringVar(&f.queue, "queue", "", "report on one queue (default all)")
	fs.StringVar(&f.format, "format", "text", "text | json | html (csv for --list)")
	fs.StringVar(&f.list, "list", "", "print a drill-down list instead: abandoned | overdue-callbacks | late-emails")
	return f
}

// reportOptions are the parsed flags and configuration of one report.
type reportOptions struct {
	from, to time.Time
	queue    string
	format   string
	list     string
	kpi      kpi.Config
}

func validList(name string) bool {
	switch name {
	case "abandoned", "overdue-callbacks", "late-emails":
		return true
	}
	return false
}

// parse validates the flags; window gives from and to when both are unset
// (nil: they are required). Dates are local midnights in the time zone of
// the report: the queue's, else the centre's (c, or --tz).
func (f *reportFlags) parse(c kpi.Config, window func() (time.Time, time.Time)) (reportOptions, error) {
	o := reportOptions{queue: f.queue, format: f.format, list: f.list, kpi: c}
	if f.tz != nil && *f.tz != "" {
		z, err := kpi.LoadZone(*f.tz)
		if err != nil {
			return o, fmt.Errorf("%w: tz: %v", errUsage, err)
		}
		o.kpi.Zone = z
	}
	zone := o.kpi.ZoneOf(o.queue)
	if f.from == "" && f.to == "" && window != nil {
		o.from, o.to = window()
	} else {
		if f.from == "" || f.to == "" {
			return o, fmt.Errorf("%w: from and to are required", errUsage)
		}
		var err error
		if o.from, err = parseTimeIn(f.from, zone); err != nil {
			return o, fmt.Errorf("%w: from: %v", errUsage, err)
		}
		if o.to, err = parseTimeIn(f.to, zone); err != nil {
			return o, fmt.Errorf("%w: to: %v", errUsage, err)
		}
	}
	if !o.to.After(o.from) {
		return o, fmt.Errorf("%w: to %s is not after from %s", errUsage, o.to.Format(time.RFC3339), o.from.Format(time.RFC3339))
	}
	if o.list != "" && !validList(o.list) {
		return o, fmt.Errorf("%w: list %q: want abandoned, overdue-callbacks or late-emails", errUsage, o.list)
	}
	switch {
	case o.format == "text" || o.format == "json":
	case o.format == "html" && o.list == "":
	case o.format == "csv" && o.list != "":
	default:
		return o, fmt.Errorf("%w: format %q: want text, json or html (or csv for a list)", errUsage, o.format)
	}
	return o, nil
}

// run parses the flags and writes the report or list to w.
func (f *reportFlags) run(ctx context.Context, s store.Store, w io.Writer, c kpi.Config, window func() (time.Time, time.Time)) error {
	o, err := f.parse(c, window)
	if err != nil {
		return err
	}
	return runReport(ctx, s, w, o)
}

// runReport builds the report (with the previous period beside it) or list
// of o and writes it to w. A queue nobody knows is a usage error.
func runReport(ctx context.Context, s store.Store, w io.Writer, o reportOptions) error {
	err := writeReport(ctx, s, w, o)
	if errors.Is(err, report.ErrUnknownQueue) || errors.Is(err, report.ErrEmptyWindow) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return err
}

func writeReport(ctx context.Context, s store.Store, w io.Writer, o reportOptions) error {
	switch o.list {
	case "abandoned":
		rows, err := report.AbandonedCalls(ctx, s, o.from, o.to, o.queue, o.kpi)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "overdue-callbacks":
		rows, err := report.OverdueCallbacks(ctx, s, o.to, o.queue, o.kpi)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "late-emails":
		rows, err := report.LateEmails(ctx, s, o.to, o.queue, o.kpi)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	}
	r, err := report.BuildReport(ctx, s, o.from, o.to, o.queue, o.kpi)
	if err != nil {
		return err
	}
	if err := r.AddPrevious(ctx, s, o.kpi); err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSON(w, r)
	case "html":
		trend, err := report.Trend(ctx, s, o.from, o.to, o.queue, o.kpi)
		if err != nil {
			return err
		}
		return r.WriteHTML(w, trend)
	}
	return r.WriteText(w)
}

func writeList[T report.Row](w io.Writer, format string, rows []T) error {
	switch format {
	case "json":
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(w, rows)
	case "csv":
		return report.WriteCSV(w, rows)
	}
	return report.WriteTable(w, rows)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("cannot encode json: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
