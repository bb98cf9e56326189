package main

import (
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
				if _, err := rf.parse(cfg.Targets, nil); err != nil {
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
				return rf.run(ctx, s, cfg.stdout, cfg.Targets, nil)
			}
		},
	}
}

// reportFlags are the flags of the report, shared by `frontline report` and
// the /report and /lists/… endpoints.
type reportFlags struct {
	from, to, queue, format, list string
}

func addReportFlags(fs *flag.FlagSet) *reportFlags {
	f := &reportFlags{}
	fs.StringVar(&f.from, "from", "", "window start, RFC 3339 or a date (midnight UTC); required")
	fs.StringVar(&f.to, "to", "", "window end (exclusive), RFC 3339 or a date (midnight UTC); required")
	fs.StringVar(&f.queue, "queue", "", "report on one queue (default all)")
	fs.StringVar(&f.format, "format", "text", "text | json | html (csv for --list)")
	fs.StringVar(&f.list, "list", "", "print a drill-down list instead: abandoned | overdue-callbacks | late-emails")
	return f
}

// reportOptions are the parsed flags and targets of one report.
type reportOptions struct {
	from, to time.Time
	queue    string
	format   string
	list     string
	targets  kpi.Targets
}

func validList(name string) bool {
	switch name {
	case "abandoned", "overdue-callbacks", "late-emails":
		return true
	}
	return false
}

// parse validates the flags; window gives from and to when both are unset
// (nil: they are required).
func (f *reportFlags) parse(targets kpi.Targets, window func() (time.Time, time.Time)) (reportOptions, error) {
	o := reportOptions{queue: f.queue, format: f.format, list: f.list, targets: targets}
	if f.from == "" && f.to == "" && window != nil {
		o.from, o.to = window()
	} else {
		if f.from == "" || f.to == "" {
			return o, fmt.Errorf("%w: from and to are required", errUsage)
		}
		var err error
		if o.from, err = parseTime(f.from); err != nil {
			return o, fmt.Errorf("%w: from: %v", errUsage, err)
		}
		if o.to, err = parseTime(f.to); err != nil {
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
func (f *reportFlags) run(ctx context.Context, s store.Store, w io.Writer, targets kpi.Targets, window func() (time.Time, time.Time)) error {
	o, err := f.parse(targets, window)
	if err != nil {
		return err
	}
	return runReport(ctx, s, w, o)
}

// runReport builds the report or list of o and writes it to w. The queue's
// target sets the thresholds the report measures with (service-level
// threshold, e-mail SLA).
func runReport(ctx context.Context, s store.Store, w io.Writer, o reportOptions) error {
	p := o.targets.For(o.queue).Params(kpi.DefaultParams())
	switch o.list {
	case "abandoned":
		rows, err := report.AbandonedCalls(ctx, s, o.from, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "overdue-callbacks":
		rows, err := report.OverdueCallbacks(ctx, s, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "late-emails":
		rows, err := report.LateEmails(ctx, s, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	}
	r, err := report.BuildReport(ctx, s, o.from, o.to, o.queue, p)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSON(w, r)
	case "html":
		trend, err := report.Trend(ctx, s, o.from, o.to, o.queue)
		if err != nil {
			return err
		}
		return r.WriteHTML(w, o.targets, trend)
	}
	return r.WriteText(w, o.targets)
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
