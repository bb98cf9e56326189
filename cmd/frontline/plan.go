package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/aggregator/plan"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

func planCommand() command {
	return command{
		name:    "plan",
		summary: "interval forecast and required vs staffed agents for a day, per queue (--backtest: forecast accuracy)",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			sf := addStoreFlags(fs, cfg)
			pf := addPlanFlags(fs)
			server := fs.String("server", "", "ask a running frontline serve at this URL instead of opening the store (used by itself when serve holds --data)")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				if _, _, err := pf.options(cfg.KPI, cfg.Log); err != nil {
					return err
				}
				s, err := openOrAsk(ctx, sf, *server, "/plan", cfg, cfg.stdout)
				if s == nil || err != nil {
					return err
				}
				defer s.Close()
				return pf.run(ctx, s, cfg.stdout, cfg.KPI, cfg.Log)
			}
		},
	}
}

// planFlags are the flags of the plan, shared by `frontline plan` and the
// /plan endpoint.
type planFlags struct {
	date, queue, format                              string
	weeks, interval                                  int
	backtest                                         bool
	target, threshold, shrinkage, maxAbandon, maxOcc float64
	patience                                         patienceFlag
	emailSLA                                         time.Duration
	tz                                               *string
}

func addPlanFlags(fs *flag.FlagSet) *planFlags {
	d := plan.Defaults()
	f := &planFlags{tz: addTZFlag(fs)}
	fs.StringVar(&f.date, "date", "", "day to plan, a local day of the time zone, e.g. 2026-12-07 (required); history is the weeks before it")
	fs.IntVar(&f.weeks, "weeks", d.Weeks, "weeks of history to forecast from (the last one is the backtest week)")
	fs.StringVar(&f.queue, "queue", "", "plan only these queues (comma-separated; default every queue with calls)")
	fs.StringVar(&f.format, "format", "text", "output format: text, json or csv")
	fs.BoolVar(&f.backtest, "backtest", false, "print each forecast method's WAPE on the last full week per queue and the chosen one (writes no plan)")
	fs.Float64Var(&f.target, "sl", 0, "service-level target: fraction answered within --sl-sec (default: each queue's target, 0.8 unless configured)")
	fs.Float64Var(&f.threshold, "sl-sec", 0, "service-level answer threshold in seconds (default: each queue's threshold, 20 unless configured)")
	fs.Float64Var(&f.shrinkage, "shrinkage", d.Erlang.Shrinkage, "fraction of paid time not on the work (breaks, training, absence)")
	fs.Var(&f.patience, "patience-sec", "mean caller patience in seconds for Erlang A, or 'auto' to estimate it per queue from abandoned calls (default: Erlang C)")
	fs.Float64Var(&f.maxAbandon, "max-abandon", 0, "highest abandon probability (needs --patience-sec; 0 = no cap)")
	fs.Float64Var(&f.maxOcc, "max-occupancy", d.Erlang.MaxOccupancy, "highest fraction of agent time on calls")
	fs.IntVar(&f.interval, "interval-sec", d.IntervalSec, "planning interval in seconds: a multiple of 900 that divides a day")
	fs.DurationVar(&f.emailSLA, "email-sla", d.EmailSLA, "e-mail response target: the window e-mail work must fit in")
	return f
}

// options validates the flags into planner options and the day to plan,
// measuring with the KPI configuration c (--tz overrides its zone).
func (f *planFlags) options(c kpi.Config, log *slog.Logger) (plan.Options, time.Time, error) {
	o := plan.Defaults()
	if f.date == "" {
		return o, time.Time{}, fmt.Errorf("%w: --date is required", errUsage)
	}
	if f.tz != nil && *f.tz != "" {
		z, err := kpi.LoadZone(*f.tz)
		if err != nil {
			return o, time.Time{}, fmt.Errorf("%w: --tz: %v", errUsage, err)
		}
		c.Zone = z
	}
	o.KPI = c.WithDefaults()
	day, err := parseTimeIn(f.date, o.KPI.Zone)
	if err != nil {
		return o, day, fmt.Errorf("%w: --date: %v", errUsage, err)
	}
	switch {
	case f.format != "text" && f.format != "json" && f.format != "csv":
		return o, day, fmt.Errorf("%w: --format %q: want text, json or csv", errUsage, f.format)
	case f.weeks < 1:
		return o, day, fmt.Errorf("%w: --weeks %d: need at least one week of history", errUsage, f.weeks)
	case f.maxAbandon != 0 && !f.patience.set:
		return o, day, fmt.Errorf("%w: --max-abandon %v needs --patience-sec (Erlang C callers never abandon)", errUsage, f.maxAbandon)
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"interval-sec", float64(f.interval)}, {"max-occupancy", f.maxOcc}, {"email-sla", f.emailSLA.Seconds()}} {
		if v.v <= 0 {
			return o, day, fmt.Errorf("%w: --%s %v: must be positive", errUsage, v.name, v.v)
		}
	}
	if f.target < 0 || f.threshold < 0 {
		return o, day, fmt.Errorf("%w: --sl %v, --sl-sec %v: must be positive (or 0: each queue's own)", errUsage, f.target, f.threshold)
	}
	o.Weeks, o.IntervalSec, o.EmailSLA = f.weeks, f.interval, f.emailSLA
	o.Erlang.Target, o.Erlang.ThresholdSec, o.Erlang.MaxOccupancy = f.target, f.threshold, f.maxOcc
	o.Erlang.Shrinkage, o.Erlang.PatienceSec, o.Erlang.MaxAbandon = f.shrinkage, f.patience.sec, f.maxAbandon
	o.EstimatePatience = f.patience.auto
	o.Logger = log
	o.Queues = splitList(f.queue)
	return o, day, nil
}

// run plans the day (writing the plan to capacity_plan unless --backtest)
// and prints it to w.
func (f *planFlags) run(ctx context.Context, s store.Store, w io.Writer, c kpi.Config, log *slog.Logger) error {
	o, day, err := f.options(c, log)
	if err != nil {
		return err
	}
	p, err := plan.New(s, o)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	pl, err := p.Plan(ctx, day)
	if err != nil {
		return err
	}
	if f.backtest {
		return printBacktest(w, pl, f.format)
	}
	if err := p.Write(ctx, pl); err != nil {
		return err
	}
	switch f.format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(pl)
	case "csv":
		return printPlanCSV(w, pl)
	}
	printPlanText(w, pl, p.Options())
	return nil
}

// patienceFlag is --patience-sec: seconds, or "auto" to estimate per queue.
type patienceFlag struct {
	sec  float64
	auto bool
	set  bool
}

func (f *patienceFlag) String() string {
	switch {
	case f == nil || !f.set:
		return ""
	case f.auto:
		return "auto"
	}
	return strconv.FormatFloat(f.sec, 'g', -1, 64)
}

func (f *patienceFlag) Set(s string) error {
	if s == "auto" {
		*f = patienceFlag{auto: true, set: true}
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("want a positive number of seconds or 'auto', not %q", s)
	}
	*f = patienceFlag{sec: v, set: true}
	return nil
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

func printPlanText(w io.Writer, pl *plan.Plan, o plan.Options) {
	fmt.Fprintf(w, "Capacity plan for %s %s (%s, %d intervals) · max occupancy %s · shrinkage %s · %d-min intervals\n",
		pl.Date.Weekday(), pl.Date.Format(time.DateOnly), pl.TimeZone, len(firstIntervals(pl)), pct(o.Erlang.MaxOccupancy), pct(pl.Shrinkage), pl.IntervalSec/60)
	for _, q := range pl.Queues {
		fmt.Fprintf(w, "\n%s — %s within %g s; forecast %s from %d weeks", q.Queue, pct(q.ServiceLevel), q.ThresholdSec, q.Method, q.Weeks)
		if b := q.Backtest; len(b.Scores) > 0 {
			fmt.Fprintf(w, " (backtest WAPE %s, seasonal mean %s)", pct(b.Best().WAPE), pct(b.Baseline().WAPE))
		}
		fmt.Fprintln(w)
		if q.Backtest.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", q.Backtest.Note)
		}
		model := "Erlang C"
		if q.PatienceSec > 0 {
			model = fmt.Sprintf("Erlang A, patience %.0f s (%s)", q.PatienceSec, q.PatienceSource)
		}
		fmt.Fprintf(w, "  model: %s\n", model)
		fmt.Fprintf(w, "  staffed: %s", q.StaffedSource)
		if strings.Contains(q.StaffedSource, "last_week") {
			fmt.Fprintf(w, " (the roster of %s %s is assumed)", pl.Date.AddDate(0, 0, -7).Weekday(), pl.Date.AddDate(0, 0, -7).Format(time.DateOnly))
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  deferred: e-mails %.0f s each within %s, callbacks %.0f s each within %.1f h\n",
			q.EmailHandleSec, o.EmailSLA, q.CallbackHandleSec, q.CallbackWindowSec/3600)
		fmt.Fprintf(w, "  %-5s %7s %5s %6s %8s %8s %7s %7s\n", "time", "calls", "AHT", "phones", "deferred", "schedule", "staffed", "gap")
		for _, it := range q.Intervals {
			mark := ""
			switch {
			case !it.Open:
				mark = "  closed"
			case it.Gap < 0:
				mark = "  SHORT"
			}
			fmt.Fprintf(w, "  %-5s %7.1f %5.0f %6d %8.1f %8d %7.1f %+7.1f%s\n", it.Start.Format("15:04"), it.ForecastCalls, it.ForecastAHTSec,
				it.RequiredAgents, it.DeferredAgents, it.RequiredWithShrinkage, it.StaffedAgents, it.Gap, mark)
		}
		t := q.Totals
		fmt.Fprintf(w, "  %-5s %7.0f calls; agent hours: %.1f to schedule, %.1f staffed, net %+.1f; short %.1f h in %d of %d intervals; peak %d agents\n",
			"day", t.Calls, t.RequiredHours, t.StaffedHours, t.GapHours, t.ShortHours, t.ShortIntervals, len(q.Intervals), t.PeakRequired)
	}
}

// firstIntervals are the intervals of the plan's first queue (every queue
// has the day's).
func firstIntervals(pl *plan.Plan) []plan.Interval {
	if len(pl.Queues) == 0 {
		return nil
	}
	return pl.Queues[0].Intervals
}

func printPlanCSV(w io.Writer, pl *plan.Plan) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"plan_date", "queue", "interval_start", "forecast_calls", "forecast_aht_sec", "method",
		"required_agents", "deferred_agents", "required_with_shrinkage", "staffed_agents", "staffed_source", "gap"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, q := range pl.Queues {
		for _, it := range q.Intervals {
			_ = cw.Write([]string{pl.Date.Format(time.DateOnly), q.Queue, it.Start.Format(time.RFC3339), f(it.ForecastCalls), f(it.ForecastAHTSec),
				string(q.Method), strconv.Itoa(it.RequiredAgents), f(it.DeferredAgents), strconv.Itoa(it.RequiredWithShrinkage),
				f(it.StaffedAgents), it.StaffedSource, f(it.Gap)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// backtestRow is one series of one queue in the --backtest output.
type backtestRow struct {
	Queue    string        `json:"queue"`
	Series   string        `json:"series"`
	Backtest plan.Backtest `json:"backtest"`
}

func backtestRows(pl *plan.Plan) []backtestRow {
	var rows []backtestRow
	for _, q := range pl.Queues {
		rows = append(rows, backtestRow{q.Queue, "calls", q.Backtest}, backtestRow{q.Queue, "emails", q.EmailBacktest},
			backtestRow{q.Queue, "callbacks", q.CallbackBacktest})
	}
	return rows
}

func printBacktest(w io.Writer, pl *plan.Plan, format string) error {
	rows := backtestRows(pl)
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"queue", "series", "method", "wape", "aht_wape", "chosen"})
		f := func(v float64) string {
			if math.IsNaN(v) {
				return ""
			}
			return strconv.FormatFloat(v, 'f', 4, 64)
		}
		for _, r := range rows {
			for _, s := range r.Backtest.Scores {
				_ = cw.Write([]string{r.Queue, r.Series, string(s.Method), f(s.WAPE), f(s.AHTWAPE), strconv.FormatBool(s.Method == r.Backtest.Chosen)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	last := pl.Date.AddDate(0, 0, -7)
	fmt.Fprintf(w, "Backtest: each method forecasts the last full week before %s (%s – %s) from the weeks before it; WAPE = Σ|actual − forecast| / Σ actual\n",
		pl.Date.Format(time.DateOnly), last.Format(time.DateOnly), pl.Date.AddDate(0, 0, -1).Format(time.DateOnly))
	methods := plan.Methods
	fmt.Fprintf(w, "%-12s %-10s", "queue", "series")
	for _, m := range methods {
		fmt.Fprintf(w, " %14s", m)
	}
	fmt.Fprintf(w, "  %s\n", "chosen")
	for _, r := range rows {
		b := r.Backtest
		line := func(series string, get func(plan.Score) float64, chosen string) {
			fmt.Fprintf(w, "%-12s %-10s", r.Queue, series)
			for _, m := range methods {
				v := math.NaN()
				for _, s := range b.Scores {
					if s.Method == m {
						v = get(s)
					}
				}
				fmt.Fprintf(w, " %14s", pct(v))
			}
			fmt.Fprintf(w, "  %s\n", chosen)
		}
		line(r.Series, func(s plan.Score) float64 { return s.WAPE }, string(b.Chosen))
		if r.Series == "calls" {
			line("aht", func(s plan.Score) float64 { return s.AHTWAPE }, "(with calls)")
		}
		if b.Note != "" {
			fmt.Fprintf(w, "%-12s %-10s %s\n", "", "", b.Note)
		}
	}
	return nil
}
