package plan_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/aggregator/plan"
	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// simulate loads days of a simulated centre into s the way production
// does (collector replay, then one aggregator run at the end).
func simulate(t *testing.T, s store.Store, start time.Time, days, agents int) {
	t.Helper()
	simulateUntil(t, s, start, days, agents, start.AddDate(0, 0, days))
}

// simulateUntil is simulate with the aggregator run at now: after the
// last event, the agents the simulation leaves logged in stay staffed.
func simulateUntil(t *testing.T, s store.Store, start time.Time, days, agents int, now time.Time) {
	t.Helper()
	ctx := context.Background()
	pr, pw := io.Pipe()
	go func() {
		_, err := simulator.New(simulator.Options{Start: start, Days: days, Agents: agents, Seed: 42}).Run(ctx, func(m simulator.Message) error {
			if _, err := pw.Write(m.Value); err != nil {
				return err
			}
			_, err := pw.Write([]byte{'\n'})
			return err
		})
		pw.CloseWithError(err)
	}()
	if _, err := collector.Replay(ctx, collector.NewIngester(s, nil, nil), pr, collector.ReplayOptions{}); err != nil {
		t.Fatalf("cannot replay the simulation: %v", err)
	}
	if err := aggregator.New(s, aggregator.Options{}).RunOnce(ctx, now); err != nil {
		t.Fatalf("cannot run the aggregator: %v", err)
	}
}

// The promise of `frontline plan`: five simulated weeks of a 60-agent
// centre, planned for the day after. Every queue gets 96 intervals, more
// agents at the daily peak than at night, the day's staffing is the
// roster of the same weekday last week (the day has not happened), the
// backtest picks a method at least as good as the seasonal mean (on this
// data, strictly better: the simulator's weekdays share one intraday
// shape, so pooling it beats per-interval means), and the plan lands in
// capacity_plan, where re-planning the day replaces it.
func TestPlanSimulatedCentre(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday
	simulate(t, s, start, 35, 25)
	day := start.AddDate(0, 0, 35)

	clock := time.Date(2026, 12, 6, 18, 0, 0, 0, time.UTC)
	p, err := plan.New(s, plan.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := p.Plan(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Queues) != 4 {
		t.Fatalf("%d queues planned, want the simulator's 4", len(pl.Queues))
	}
	for _, q := range pl.Queues {
		if len(q.Intervals) != 96 {
			t.Errorf("%s: %d intervals, want 96", q.Queue, len(q.Intervals))
			continue
		}
		peak, night := 0, 0
		for k, it := range q.Intervals {
			switch h := k / 4; {
			case h >= 9 && h < 15:
				peak = max(peak, it.RequiredAgents)
			case h >= 1 && h < 5:
				night = max(night, it.RequiredAgents)
			}
			if it.Gap != it.WorkingAgents-it.RequiredShare {
				t.Errorf("%s %s: gap %v ≠ working %v − required %v", q.Queue, it.Start.Format("15:04"), it.Gap, it.WorkingAgents, it.RequiredShare)
			}
			if it.ScheduledShare < it.RequiredShare || it.WorkingAgents > it.StaffedAgents+1e-9 {
				t.Errorf("%s %s: scheduled %v < required %v, or working %v > logged in %v", q.Queue, it.Start.Format("15:04"),
					it.ScheduledShare, it.RequiredShare, it.WorkingAgents, it.StaffedAgents)
			}
		}
		if peak <= night {
			t.Errorf("%s: %d agents at the 09–15 peak, %d at night: want more at the peak", q.Queue, peak, night)
		}
		if q.StaffedSource != "last_week" {
			t.Errorf("%s: staffed from %q, want last_week (the day is not history)", q.Queue, q.StaffedSource)
		}
		if q.Totals.StaffedHours <= 0 || q.EmailHandleSec <= 0 || q.CallbackHandleSec <= 0 || q.Totals.RequiredHours <= 0 {
			t.Errorf("%s: totals %+v, e-mail %v s, callback %v s: want staffing and deferred work", q.Queue, q.Totals, q.EmailHandleSec, q.CallbackHandleSec)
		}
		best, base := q.Backtest.Best(), q.Backtest.Baseline()
		t.Logf("%s: chosen %s WAPE %.3f, seasonal mean %.3f (scores %+v)", q.Queue, q.Method, best.WAPE, base.WAPE, q.Backtest.Scores)
		if math.IsNaN(best.WAPE) || best.WAPE > base.WAPE {
			t.Errorf("%s: chosen %s WAPE %v > seasonal mean %v", q.Queue, q.Method, best.WAPE, base.WAPE)
		}
		if q.Method == plan.SeasonalMean && q.Backtest.Note == "" {
			t.Errorf("%s: the seasonal mean was kept without saying why", q.Queue)
		}
	}

	// Written, and re-planning replaces: a 30-minute plan made later
	// leaves only its 48 rows per queue, then a 15-minute one its 96.
	count := func() (rows, plans int64) {
		type r struct {
			Rows  int64 `json:"rows"`
			Plans int64 `json:"plans"`
		}
		got, err := store.QueryOne[r](ctx, s, "SELECT count() AS rows, uniqExact(created_at) AS plans FROM capacity_plan FINAL WHERE plan_date = {d:Date}", store.Params{"d": day.Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		return got.Rows, got.Plans
	}
	if err := p.Write(ctx, pl); err != nil {
		t.Fatal(err)
	}
	if rows, plans := count(); rows != 4*96 || plans != 1 {
		t.Errorf("capacity_plan holds %d rows of %d plans, want 384 of 1", rows, plans)
	}
	for _, c := range []struct {
		intervalSec int
		rows        int64
	}{{1800, 4 * 48}, {900, 4 * 96}} {
		clock = clock.Add(time.Minute)
		p2, err := plan.New(s, plan.Options{IntervalSec: c.intervalSec, Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatal(err)
		}
		pl2, err := p2.Plan(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if err := p2.Write(ctx, pl2); err != nil {
			t.Fatal(err)
		}
		if rows, plans := count(); rows != c.rows || plans != 1 {
			t.Errorf("after re-planning at %d s: %d rows of %d plans, want %d of 1", c.intervalSec, rows, plans, c.rows)
		}
	}

	// A day that happened is planned against its own staffing, and Erlang
	// A with an estimated patience needs no more agents than Erlang C
	// (billing is the first queue of both plans).
	past := day.AddDate(0, 0, -1)
	pa, err := plan.New(s, plan.Options{EstimatePatience: true, Queues: []string{"billing"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pa.Plan(ctx, past)
	if err != nil {
		t.Fatal(err)
	}
	pc, _ := plan.New(s, plan.Options{})
	gotC, err := pc.Plan(ctx, past)
	if err != nil {
		t.Fatal(err)
	}
	// Agents waiting for a call belong to no queue; shared out, the
	// queues' staffed hours add up to everyone logged in.
	var staffedHours float64
	for _, q := range gotC.Queues {
		staffedHours += q.Totals.StaffedHours
	}
	type hours struct {
		H float64 `json:"h"`
	}
	all, err := store.QueryOne[hours](ctx, s, "SELECT sum(staffed_sec) / 3600 AS h FROM staffed_15m FINAL WHERE toDate(interval_start) = {d:Date}", store.Params{"d": past.Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(staffedHours-all.H) > 1e-6*all.H || all.H == 0 {
		t.Errorf("queues staffed %v agent hours on %s, staffed_15m %v", staffedHours, past.Format(time.DateOnly), all.H)
	}
	if len(got.Queues) != 1 || got.Queues[0].StaffedSource != "history" || got.Queues[0].PatienceSource != "estimated" || !(got.Queues[0].PatienceSec > 0) {
		t.Fatalf("plan of %s: %+v, want billing only, staffed from history, an estimated patience", past.Format(time.DateOnly), got.Queues)
	}
	for k, it := range got.Queues[0].Intervals {
		if c := gotC.Queues[0].Intervals[k]; it.RequiredAgents > c.RequiredAgents {
			t.Errorf("%s: Erlang A needs %d agents, Erlang C %d", it.Start.Format("15:04"), it.RequiredAgents, c.RequiredAgents)
		}
	}
}

// Options that cannot make a plan are refused before any query.
func TestPlanOptionsInvalid(t *testing.T) {
	for _, o := range []plan.Options{
		{IntervalSec: 600},
		{IntervalSec: 900 * 7},
		{Erlang: plan.Defaults().Erlang, Methods: []plan.Method{"magic"}},
		{Erlang: func() (e plan.Options) { e = plan.Defaults(); e.Erlang.MaxAbandon = 0.1; return }().Erlang},
	} {
		if _, err := plan.New(nil, o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

// TestPlanLocalDays: a Warsaw centre open Monday to Friday 08:00–18:00,
// with two calls at 10:00 local every Monday. Sunday 2026-03-29 (the
// clocks go forward) is planned in 92 quarter hours, all closed, nobody
// needed; Monday the 30th in 96, the calls forecast at 10:00 local (08:00
// UTC now, 09:00 UTC in the history weeks) and agents only while open;
// Sunday 2026-10-25 (the clocks go back) in 100. Hour-long intervals in a
// zone five and a half hours from UTC would not start on the local hour:
// refused.
func TestPlanLocalDays(t *testing.T) {
	ctx := context.Background()
	c, err := kpi.ParseConfig([]byte("timezone: Europe/Warsaw\nqueues: {default: {hours: {mon-fri: \"08:00-18:00\"}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var events []*schemas.Event
	for _, monday := range []string{"2026-03-16", "2026-03-23", "2026-10-12", "2026-10-19"} {
		d, _ := time.ParseInLocation(time.DateOnly, monday, c.Zone)
		for i := range 2 {
			n++
			q := d.Add(10*time.Hour + time.Duration(i)*time.Minute)
			a := q.Add(5 * time.Second)
			e := &schemas.CallEnded{CallID: fmt.Sprintf("c%d", n), Direction: "inbound", Queue: "billing", QueuedAt: &q, AnsweredAt: &a,
				EndedAt: a.Add(5 * time.Minute), AgentID: "a1", TalkSec: 300}
			events = append(events, &schemas.Event{ID: fmt.Sprintf("e%d", n), Type: e.EventType(), Source: "test", Data: e})
		}
	}
	s := storetest.New(t)
	eventtest.Insert(t, s, events...)
	p, err := plan.New(s, plan.Options{Weeks: 2, KPI: c, Assume: plan.AssumeNone})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		date      string
		intervals int
		calls     float64
	}{{"2026-03-29", 92, 0}, {"2026-03-30", 96, 2}, {"2026-10-25", 100, 0}} {
		day, _ := time.ParseInLocation(time.DateOnly, tc.date, c.Zone)
		pl, err := p.Plan(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if pl.TimeZone != "Europe/Warsaw" || !pl.Date.Equal(day) || len(pl.Queues) != 1 {
			t.Fatalf("%s: plan of %s in %s, %d queues", tc.date, pl.Date, pl.TimeZone, len(pl.Queues))
		}
		q := pl.Queues[0]
		if len(q.Intervals) != tc.intervals || q.Totals.Calls != tc.calls {
			t.Errorf("%s: %d intervals, %v calls; want %d, %v", tc.date, len(q.Intervals), q.Totals.Calls, tc.intervals, tc.calls)
		}
		for _, it := range q.Intervals {
			local := it.Start.In(c.Zone)
			open := local.Weekday() >= time.Monday && local.Weekday() <= time.Friday && local.Hour() >= 8 && local.Hour() < 18
			if it.Open != open || !it.Open && it.ScheduledShare != 0 {
				t.Errorf("%s %s: open %v, %v agents; want open %v, none while closed", tc.date, local.Format("15:04"), it.Open, it.ScheduledShare, open)
			}
			if it.ForecastCalls > 0 && local.Format("15:04") != "10:00" {
				t.Errorf("%s: %v calls forecast at %s, want them at 10:00 local", tc.date, it.ForecastCalls, local.Format("15:04"))
			}
			if local.Format("15:04") == "10:00" && it.ForecastCalls != tc.calls {
				t.Errorf("%s 10:00: %v calls forecast, want %v", tc.date, it.ForecastCalls, tc.calls)
			}
		}
	}
	kolkata, err := kpi.ParseConfig([]byte("timezone: Asia/Kolkata\n"))
	if err != nil {
		t.Fatal(err)
	}
	hourly, err := plan.New(s, plan.Options{Weeks: 2, IntervalSec: 3600, KPI: kolkata, Assume: plan.AssumeNone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hourly.Plan(ctx, time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)); !errors.Is(err, plan.ErrInvalid) {
		t.Errorf("hourly plan in Asia/Kolkata: %v, want ErrInvalid", err)
	}
}
