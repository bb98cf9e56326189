package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/internal/store"
)

func init() {
	register(command{
		name:    "report",
		summary: "the manager report of a window (text or the JSON of kpis.md), or a drill-down list",
		setup: func(fs *flag.FlagSet) func(context.Context, []string) error {
			sf := addStoreFlags(fs)
			from := fs.String("from", "", "window start, RFC 3339 or a date (midnight UTC); required")
			to := fs.String("to", "", "window end (exclusive), RFC 3339 or a date (midnight UTC); required")
			queue := fs.String("queue", "", "report on one queue (default all)")
			format := fs.String("format", "text", "text | json | html (csv for --list)")
			list := fs.String("list", "", "print a drill-down list instead: abandoned | overdue-callbacks | late-emails")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				o, err := reportOptionsFrom(*from, *to, *queue, *format, *list)
				if err != nil {
					return err
				}
				s, err := sf.open(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				return runReport(ctx, s, stdout, o)
			}
		},
	})
}

// reportOptions are the parsed flags and targets of one report command.
type reportOptions struct {
	from, to time.Time
	queue    string
	format   string
	list     string
	targets  aggregator.Targets
}

func reportOptionsFrom(from, to, queue, format, list string) (reportOptions, error) {
	o := reportOptions{queue: queue, format: format, list: list}
	if from == "" || to == "" {
		return o, fmt.Errorf("%w: --from and --to are required", errUsage)
	}
	var err error
	if o.from, err = parseTime(from); err != nil {
		return o, fmt.Errorf("%w: --from: %v", errUsage, err)
	}
	if o.to, err = parseTime(to); err != nil {
		return o, fmt.Errorf("%w: --to: %v", errUsage, err)
	}
	if !o.to.After(o.from) {
		return o, fmt.Errorf("%w: --to %q is not after --from %q", errUsage, to, from)
	}
	switch list {
	case "", "abandoned", "overdue-callbacks", "late-emails":
	default:
		return o, fmt.Errorf("%w: --list %q: want abandoned, overdue-callbacks or late-emails", errUsage, list)
	}
	switch {
	case format == "text" || format == "json":
	case format == "html" && list == "":
	case format == "csv" && list != "":
	default:
		return o, fmt.Errorf("%w: --format %q: want text, json or html (or csv with --list)", errUsage, format)
	}
	if o.targets, err = configTargets(); err != nil {
		return o, fmt.Errorf("%w: %v", errUsage, err)
	}
	return o, nil
}

// configTargets reads the `targets:` section of the --config file.
func configTargets() (aggregator.Targets, error) {
	sec, ok := configSections["targets"]
	if !ok {
		return aggregator.DefaultTargets(), nil
	}
	b, err := yaml.Marshal(sec)
	if err != nil {
		return aggregator.Targets{}, fmt.Errorf("cannot read the targets section: %w", err)
	}
	return aggregator.ParseTargets(b)
}

// runReport builds the report or list of o and writes it to w. The queue's
// target sets the thresholds the report measures with (service-level
// threshold, e-mail SLA).
func runReport(ctx context.Context, s store.Store, w io.Writer, o reportOptions) error {
	p := o.targets.For(o.queue).Params(aggregator.DefaultParams())
	switch o.list {
	case "abandoned":
		rows, err := aggregator.AbandonedCalls(ctx, s, o.from, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "overdue-callbacks":
		rows, err := aggregator.OverdueCallbacks(ctx, s, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	case "late-emails":
		rows, err := aggregator.LateEmails(ctx, s, o.to, o.queue, p)
		if err != nil {
			return err
		}
		return writeList(w, o.format, rows)
	}
	r, err := aggregator.BuildReport(ctx, s, o.from, o.to, o.queue, p)
	if err != nil {
		return err
	}
	switch o.format {
	case "json":
		return writeJSON(w, r)
	case "html":
		trend, err := aggregator.Trend(ctx, s, o.from, o.to, o.queue)
		if err != nil {
			return err
		}
		return r.WriteHTML(w, o.targets, trend)
	}
	return r.WriteText(w, o.targets)
}

func writeList[T aggregator.Row](w io.Writer, format string, rows []T) error {
	switch format {
	case "json":
		if rows == nil {
			rows = []T{}
		}
		return writeJSON(w, rows)
	case "csv":
		return aggregator.WriteCSV(w, rows)
	}
	return aggregator.WriteTable(w, rows)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("cannot encode json: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
