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
	date, queue, format, pool, assume                string
	weeks, interval                                  int
	backtest, roster                                 bool
	shifts                                           shiftsFlag
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
	fs.BoolVar(&f.roster, "roster", false, "print the shift roster that covers each pool's heads to schedule at the least paid hours, beside its LP bound (written to the roster tables)")
	fs.Var(&f.shifts, "shift", "a shift template for --roster, NAME:LENGTH[,unpaid=D][,paid=D][,every=D][,from=HH:MM][,to=HH:MM][,min=N][,max=N]; repeat for more (default full:8h30m,unpaid=30m,paid=30m,every=30m and part:4h,paid=15m,every=30m)")
	fs.StringVar(&f.pool, "pool", plan.PoolSkills, "queues planned together, sharing agents and rounded once: skills (queues the same agents serve), queue (each alone) or all (one pool)")
	fs.StringVar(&f.assume, "assume", "", "staffing to assume when the day has none of its own: last-week (the latest earlier week with staffing, even for a past day) or none (the requirement alone); default: a day with no history is an error")
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
	case f.pool != plan.PoolSkills && f.pool != plan.PoolQueue && f.pool != plan.PoolAll:
		return o, day, fmt.Errorf("%w: --pool %q: want skills, queue or all", errUsage, f.pool)
	case f.assume != "" && f.assume != plan.AssumeNone && f.assume != plan.AssumeLastWeek:
		return o, day, fmt.Errorf("%w: --assume %q: want last-week or none", errUsage, f.assume)
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
	o.Pool, o.Assume = f.pool, f.assume
	if f.backtest && o.Assume == "" {
		o.Assume = plan.AssumeNone // the backtest reads no staffing
	}
	for _, sh := range f.shifts.list {
		if err := sh.Check(time.Duration(f.interval) * time.Second); err != nil {
			return o, day, fmt.Errorf("%w: --shift: %v", errUsage, err)
		}
	}
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
	if f.roster {
		shifts := f.shifts.list
		if len(shifts) == 0 {
			shifts = plan.DefaultShifts()
		}
		rs, err := p.Rosters(pl, shifts)
		if err != nil {
			return err
		}
		if err := p.WriteRosters(ctx, pl, rs); err != nil {
			return err
		}
		return printRosters(w, pl, rs, f.format)
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

// shiftsFlag is --shift, repeated: the roster's shift templates.
type shiftsFlag struct {
	list []plan.Shift
	text []string
}

func (f *shiftsFlag) String() string {
	if f == nil {
		return ""
	}
	return strings.Join(f.text, " ")
}

func (f *shiftsFlag) Set(s string) error {
	sh, err := plan.ParseShift(s)
	if err != nil {
		return err
	}
	f.list, f.text = append(f.list, sh), append(f.text, s)
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
	fmt.Fprintln(w, "Need, working and gap are agents on queue work (logged in, not on a break); schedule is heads to roster, shrinkage included.")
	for _, po := range pl.Pools {
		fmt.Fprintf(w, "\npool %s — %s within %g s (the strictest of its queues), %s", po.Name, pct(po.ServiceLevel), po.ThresholdSec, modelText(po.PatienceSec, "calls-weighted"))
		var groups []string
		for _, g := range po.SkillGroups {
			groups = append(groups, fmt.Sprintf("%s %d", strings.Join(g.Queues, "+"), g.Agents))
		}
		if len(groups) > 0 {
			fmt.Fprintf(w, "; agents by skills: %s", strings.Join(groups, ", "))
		}
		fmt.Fprintln(w)
		if q := queueOf(pl, po.Queues[0]); q != nil {
			fmt.Fprintf(w, "  staffed: %s\n", staffedText(pl, q))
		}
		fmt.Fprintf(w, "  %-5s %7s %5s %6s %6s %8s %6s %8s %7s %6s %6s\n", "time", "calls", "AHT", "alone", "pooled", "deferred", "need", "schedule", "working", "gap", "exp.SL")
		for _, it := range po.Intervals {
			sl := "     –"
			if it.ExpectedSL != nil {
				sl = fmt.Sprintf("%6s", pct(*it.ExpectedSL))
			}
			fmt.Fprintf(w, "  %-5s %7.1f %5.0f %6d %6d %8.1f %6.1f %8d %7.1f %+6.1f %s%s\n", it.Start.Format("15:04"), it.ForecastCalls, it.ForecastAHTSec,
				it.QueueAgents, it.PhoneAgents, it.DeferredAgents, it.RequiredAgents, it.ScheduledAgents, it.WorkingAgents, it.Gap, sl, statusMark(it.Status))
		}
		printTotals(w, po.Totals, len(po.Intervals))
		fmt.Fprintf(w, "; peak %d heads\n", po.PeakScheduled)
	}
	for _, q := range pl.Queues {
		fmt.Fprintf(w, "\n%s — %s within %g s; pool %s; forecast %s from %d weeks", q.Queue, pct(q.ServiceLevel), q.ThresholdSec, q.Pool, q.Method, q.Weeks)
		if b := q.Backtest; len(b.Scores) > 0 {
			fmt.Fprintf(w, " (backtest WAPE %s, seasonal mean %s)", pct(b.Best().WAPE), pct(b.Baseline().WAPE))
		}
		fmt.Fprintln(w)
		if q.Backtest.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", q.Backtest.Note)
		}
		fmt.Fprintf(w, "  model: %s\n", modelText(q.PatienceSec, q.PatienceSource))
		fmt.Fprintf(w, "  staffed: %s\n", staffedText(pl, &q))
		if rf := q.Reforecast; rf != nil {
			fmt.Fprintf(w, "  re-forecast at %s: %.0f calls so far against %.1f forecast; the rest of the day's calls × %.3f\n",
				rf.AsOf.Format("15:04"), rf.ActualCalls, rf.ForecastCalls, rf.Factor)
		}
		fmt.Fprintf(w, "  deferred: e-mails %.0f s each within %s, callbacks %.0f s each within %.1f h\n",
			q.EmailHandleSec, o.EmailSLA, q.CallbackHandleSec, q.CallbackWindowSec/3600)
		fmt.Fprintf(w, "  %-5s %7s %5s %6s %8s %6s %7s %6s\n", "time", "calls", "AHT", "alone", "deferred", "need", "working", "gap")
		for _, it := range q.Intervals {
			fmt.Fprintf(w, "  %-5s %7.1f %5.0f %6d %8.1f %6.1f %7.1f %+6.1f%s\n", it.Start.Format("15:04"), it.ForecastCalls, it.ForecastAHTSec,
				it.RequiredAgents, it.DeferredAgents, it.RequiredShare, it.WorkingAgents, it.Gap, statusMark(it.Status))
		}
		printTotals(w, q.Totals, len(q.Intervals))
		fmt.Fprintln(w)
	}
	if c := pl.Check; c != nil {
		fmt.Fprintf(w, "\nAgainst the day: %s\n", c)
		for _, q := range c.Queues {
			sl := "no calls"
			if q.ServiceLevel != nil {
				sl = fmt.Sprintf("service level %s (target %s, %s)", pct(*q.ServiceLevel), pct(q.Target), map[bool]string{true: "met", false: "missed"}[q.Met])
			}
			fmt.Fprintf(w, "  %-10s %s; short in %d of %d open intervals\n", q.Queue, sl, q.ShortIntervals, q.OpenIntervals)
		}
	}
}

func printTotals(w io.Writer, t plan.Totals, n int) {
	fmt.Fprintf(w, "  %-5s %7.0f calls; agent hours on the work: %.1f needed, %.1f working (%.1f logged in), net %+.1f; %.1f heads-hours to schedule; short %.1f h in %d of %d intervals, tight in %d",
		"day", t.Calls, t.RequiredHours, t.WorkingHours, t.StaffedHours, t.GapHours, t.ScheduledHours, t.ShortHours, t.ShortIntervals, n, t.TightIntervals)
}

func statusMark(s plan.Status) string {
	switch s {
	case plan.Short:
		return "  SHORT"
	case plan.Tight:
		return "  tight"
	case plan.Closed:
		return "  closed"
	}
	return ""
}

func modelText(patience float64, source string) string {
	if patience > 0 {
		return fmt.Sprintf("Erlang A, patience %.0f s (%s)", patience, source)
	}
	return "Erlang C"
}

// staffedText says where a queue's staffing comes from, naming the day
// whose roster is assumed.
func staffedText(pl *plan.Plan, q *plan.Queue) string {
	switch {
	case q.StaffedSource == "none":
		return "none assumed (--assume none): the requirement alone"
	case q.StaffedFrom == "":
		return q.StaffedSource
	}
	from, _ := time.ParseInLocation(time.DateOnly, q.StaffedFrom, pl.Date.Location())
	s := fmt.Sprintf("%s (the roster of %s %s is assumed", q.StaffedSource, from.Weekday(), q.StaffedFrom)
	if weeks := int(pl.Date.Sub(from).Hours()/24/7 + 0.5); weeks > 1 {
		s += fmt.Sprintf(": the %d weeks after it have no staffing on a %s", weeks-1, from.Weekday())
	}
	return s + ")"
}

func queueOf(pl *plan.Plan, name string) *plan.Queue {
	for i := range pl.Queues {
		if pl.Queues[i].Queue == name {
			return &pl.Queues[i]
		}
	}
	return nil
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
	_ = cw.Write([]string{"plan_date", "queue", "pool", "interval_start", "forecast_calls", "forecast_aht_sec", "method",
		"required_agents", "deferred_agents", "share", "required_share", "scheduled_share", "staffed_agents", "working_agents", "staffed_source", "gap", "status"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, q := range pl.Queues {
		for _, it := range q.Intervals {
			_ = cw.Write([]string{pl.Date.Format(time.DateOnly), q.Queue, q.Pool, it.Start.Format(time.RFC3339), f(it.ForecastCalls), f(it.ForecastAHTSec),
				string(q.Method), strconv.Itoa(it.RequiredAgents), f(it.DeferredAgents), f(it.Share), f(it.RequiredShare), f(it.ScheduledShare),
				f(it.StaffedAgents), f(it.WorkingAgents), it.StaffedSource, f(it.Gap), string(it.Status)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// printRosters prints the rosters of pl's pools: text (shifts started,
// then coverage per interval), json, or csv (one row per shift start).
func printRosters(w io.Writer, pl *plan.Plan, rs []plan.Roster, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Date    string        `json:"plan_date"`
			Rosters []plan.Roster `json:"rosters"`
		}{pl.Date.Format(time.DateOnly), rs})
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"plan_date", "pool", "shift", "start", "end", "heads", "lp_heads", "paid_hours"})
		for _, r := range rs {
			for _, s := range r.Starts {
				_ = cw.Write([]string{pl.Date.Format(time.DateOnly), r.Pool, s.Shift, s.At.Format(time.RFC3339), s.End.Format(time.RFC3339),
					strconv.Itoa(s.Heads), strconv.FormatFloat(s.LPHeads, 'f', 3, 64), strconv.FormatFloat(s.PaidHours, 'f', 2, 64)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	fmt.Fprintf(w, "Shift roster for %s %s (%s): the heads to schedule of each pool covered in every interval at the least paid hours\n",
		pl.Date.Weekday(), pl.Date.Format(time.DateOnly), pl.TimeZone)
	for _, r := range rs {
		var shifts []string
		for _, s := range r.Shifts {
			shifts = append(shifts, fmt.Sprintf("%s %s (%.2g paid h, starts every %s %02d:%02d–%02d:%02d)", s.Name, shortDuration(s.Length), s.PaidHours(), shortDuration(s.Every),
				int(s.From.Hours()), int(s.From.Minutes())%60, int(s.To.Hours()), int(s.To.Minutes())%60))
		}
		fmt.Fprintf(w, "\npool %s — shifts: %s\n", r.Pool, strings.Join(shifts, ", "))
		fmt.Fprintf(w, "  %d heads, %.1f paid hours; LP bound %.1f paid hours (no roster of these shifts pays less), rounded roster %+.1f%%\n",
			r.Heads, r.PaidHours, r.LPPaidHours, 100*r.Gap)
		fmt.Fprintf(w, "  %-5s %-5s %-8s %5s %7s\n", "start", "end", "shift", "heads", "LP")
		for _, s := range r.Starts {
			fmt.Fprintf(w, "  %-5s %-5s %-8s %5d %7.2f\n", s.At.Format("15:04"), s.End.Format("15:04"), s.Shift, s.Heads, s.LPHeads)
		}
		fmt.Fprintf(w, "  %-5s %8s %7s %7s\n", "time", "required", "covered", "LP")
		for _, it := range r.Intervals {
			fmt.Fprintf(w, "  %-5s %8d %7d %7.2f\n", it.Start.Format("15:04"), it.Required, it.Covered, it.LPCovered)
		}
	}
	return nil
}

// shortDuration writes 8h30m0s as 8h30m and 4h0m0s as 4h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
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
		_ = cw.Write([]string{"queue", "series", "method", "wape", "bias", "aht_wape", "chosen", "aggregated"})
		f := func(v float64) string {
			if math.IsNaN(v) {
				return ""
			}
			return strconv.FormatFloat(v, 'f', 4, 64)
		}
		for _, r := range rows {
			for _, s := range r.Backtest.Scores {
				_ = cw.Write([]string{r.Queue, r.Series, string(s.Method), f(s.WAPE), f(s.Bias), f(s.AHTWAPE), strconv.FormatBool(s.Method == r.Backtest.Chosen),
					strconv.Itoa(r.Backtest.Aggregated)})
			}
		}
		cw.Flush()
		return cw.Error()
	}
	last := pl.Date.AddDate(0, 0, -7)
	fmt.Fprintf(w, "Backtest: each method forecasts the last full week before %s (%s – %s) from the weeks before it; WAPE = Σ|actual − forecast| / Σ actual, bias = Σ(forecast − actual) / Σ actual\n",
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
		chosen := string(b.Chosen)
		if b.Aggregated > 1 {
			chosen += fmt.Sprintf(" (sparse: judged per %d intervals)", b.Aggregated)
		}
		line(r.Series, func(s plan.Score) float64 { return s.WAPE }, chosen)
		line("  bias", func(s plan.Score) float64 { return s.Bias }, "")
		if r.Series == "calls" {
			line("aht", func(s plan.Score) float64 { return s.AHTWAPE }, "(with calls)")
		}
		if b.Note != "" {
			fmt.Fprintf(w, "%-12s %-10s %s\n", "", "", b.Note)
		}
	}
	return nil
}
