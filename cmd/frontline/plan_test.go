package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// planStore opens a migrated database of its own (named from prefix) in
// the tests' data directory, dropped when the test ends, and returns it
// with the directory and database the commands' store flags name.
func planStore(t *testing.T, prefix string) (s store.Store, data, db string) {
	t.Helper()
	data = storetest.DataDir(t)
	db = fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	s, err := openStore(t, data, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`", nil)
		s.Close()
	})
	if _, err := store.Migrate(context.Background(), s, store.SchemaOptions{}); err != nil {
		t.Fatal(err)
	}
	return s, data, db
}

// planData simulates two weeks of a small centre into a database of its
// own and returns the store flags that reach it.
func planData(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	s, data, db := planStore(t, "plan_cmd")
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	pr, pw := io.Pipe()
	go func() {
		_, err := simulator.New(simulator.Options{Start: start, Days: 14, Agents: 20, Seed: 3}).Run(ctx, func(m simulator.Message) error {
			_, err := pw.Write(append(m.Value, '\n'))
			return err
		})
		pw.CloseWithError(err)
	}()
	if _, err := collector.Replay(ctx, collector.NewIngester(s, nil, nil), pr, collector.ReplayOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := aggregator.New(s, aggregator.Options{}).RunOnce(ctx, start.AddDate(0, 0, 14)); err != nil {
		t.Fatal(err)
	}
	return []string{"--data", data, "--database", db, "--date", "2026-11-16", "--weeks", "2"}
}

// `frontline plan` prints the planner's view (text), the plan (json), its
// rows (csv) and the backtest, from the same data; bad flags are usage
// errors.
func TestPlanCommand(t *testing.T) {
	flags := planData(t)
	run := func(args ...string) string {
		t.Helper()
		out, err := runFrontline(t, "plan", append(append([]string{}, flags...), args...)...)
		if err != nil {
			t.Fatalf("plan %v: %v", args, err)
		}
		return out
	}

	t.Run("text", func(t *testing.T) {
		out := run("--queue", "billing,tech")
		for _, want := range []string{
			"Capacity plan for Monday 2026-11-16 (UTC, 96 intervals) · max occupancy 90.0% · shrinkage 30.0% · 15-min intervals",
			"Need, working and gap are agents on queue work (logged in, not on a break); schedule is heads to roster, shrinkage included.",
			"\npool billing+tech — 80.0% within 20 s (the strictest of its queues), Erlang C; agents by skills: ",
			"\nbilling — 80.0% within 20 s; pool billing+tech; forecast ", "\ntech — 80.0% within 20 s; pool billing+tech; forecast ",
			"staffed: last_week (the roster of Monday 2026-11-09 is assumed)",
			"time    calls   AHT  alone pooled deferred   need schedule working    gap exp.SL",
			"time    calls   AHT  alone deferred   need working    gap",
			"\n  10:00 ", "\n  day ", "agent hours on the work:",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("text lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "\nsupport") || strings.Count(out, "\n  23:45 ") != 3 {
			t.Errorf("want billing and tech only, and their pool, 96 intervals each:\n%s", out)
		}
		for _, line := range strings.Split(out, "\n") {
			// A pool's line (it has an expected service level) is short
			// only with fewer agents working than needed; a queue's line
			// shows its pool's status.
			if strings.HasSuffix(line, "SHORT") && strings.Contains(line, "%") && !strings.Contains(line, " -") && strings.HasPrefix(line, "  ") && len(line) > 7 && line[4] == ':' {
				t.Errorf("a short interval has fewer agents working than needed: %q", line)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		var got struct {
			PlanDate time.Time `json:"plan_date"`
			Queues   []struct {
				Queue     string         `json:"queue"`
				Method    string         `json:"method"`
				Backtest  map[string]any `json:"backtest"`
				Intervals []struct {
					Start    time.Time `json:"interval_start"`
					Calls    float64   `json:"forecast_calls"`
					Required int       `json:"required_agents"`
					Schedule int       `json:"required_with_shrinkage"`
					Gap      float64   `json:"gap"`
				} `json:"intervals"`
			} `json:"queues"`
		}
		out := run("--format", "json", "--patience-sec", "auto", "--max-abandon", "0.05")
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if len(got.Queues) != 4 || !got.PlanDate.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("plan of %v with %d queues, want 2026-11-16 with 4", got.PlanDate, len(got.Queues))
		}
		for _, q := range got.Queues {
			if len(q.Intervals) != 96 || q.Method == "" || q.Backtest["chosen"] != q.Method {
				t.Errorf("%s: %d intervals, method %q, backtest %v", q.Queue, len(q.Intervals), q.Method, q.Backtest)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(run("--format", "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := "plan_date,queue,pool,interval_start,forecast_calls,forecast_aht_sec,method,required_agents,deferred_agents,share,required_share,scheduled_share,staffed_agents,working_agents,staffed_source,gap,status"
		if len(rows) != 1+4*96 || strings.Join(rows[0], ",") != want {
			t.Fatalf("%d rows, header %v: want %s and 384 rows", len(rows), rows[0], want)
		}
		if r := rows[1]; r[0] != "2026-11-16" || r[3] != "2026-11-16T00:00:00Z" || r[14] != "last_week" {
			t.Errorf("first row %v", r)
		}
	})

	t.Run("backtest", func(t *testing.T) {
		out := run("--backtest")
		for _, want := range []string{
			"Backtest: each method forecasts the last full week before 2026-11-16 (2026-11-09 – 2026-11-15)",
			"seasonal_mean", "trend", "profile", "chosen", "\nbilling      calls ", "\nbilling      aht ", "\nbilling      emails ",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("backtest lacks %q:\n%s", want, out)
			}
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(run("--backtest", "--format", "json")), &rows); err != nil || len(rows) != 4*3 {
			t.Errorf("backtest json: %d rows (%v), want 12 (4 queues × calls, e-mails, callbacks)", len(rows), err)
		}
	})

	t.Run("roster", func(t *testing.T) {
		out := run("--roster")
		for _, want := range []string{
			"Shift roster for Monday 2026-11-16 (UTC)",
			"— shifts: full 8h30m (8 paid h, starts every 30m 00:00–24:00), part 4h (4 paid h, starts every 30m 00:00–24:00)",
			"paid hours; LP bound ", "start end   shift    heads      LP", "time  required covered      LP",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("roster text lacks %q:\n%s", want, out)
			}
		}
		var got struct {
			Rosters []struct {
				PaidHours   float64 `json:"paid_hours"`
				LPPaidHours float64 `json:"lp_paid_hours"`
				Intervals   []struct {
					Required int `json:"required"`
					Covered  int `json:"covered"`
				} `json:"intervals"`
			} `json:"rosters"`
		}
		if err := json.Unmarshal([]byte(run("--roster", "--format", "json", "--shift", "day:9h,unpaid=1h,every=1h,from=06:00,to=14:00", "--shift", "night:8h,every=1h")), &got); err != nil {
			t.Fatal(err)
		}
		for _, r := range got.Rosters {
			for k, it := range r.Intervals {
				if it.Covered < it.Required {
					t.Errorf("interval %d: %d covered for %d required", k, it.Covered, it.Required)
				}
			}
			if len(r.Intervals) != 96 || r.PaidHours < r.LPPaidHours || r.LPPaidHours <= 0 {
				t.Errorf("roster of %d intervals, %v paid hours, LP bound %v", len(r.Intervals), r.PaidHours, r.LPPaidHours)
			}
		}
		rows, err := csv.NewReader(strings.NewReader(run("--roster", "--format", "csv"))).ReadAll()
		if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != "plan_date,pool,shift,start,end,heads,lp_heads,paid_hours" {
			t.Errorf("roster csv: %v, %v", rows, err)
		}
	})

	for _, args := range [][]string{
		{"--date", "yesterday"},
		{"--roster", "--shift", "long:25h"},
		{"--format", "xml"},
		{"--max-abandon", "0.1"},
		{"--interval-sec", "600"},
		{"--patience-sec", "-3"},
		{"--weeks", "0"},
		{"--pool", "teams"},
		{"--assume", "yesterday"},
	} {
		if _, err := runFrontline(t, "plan", append(append([]string{}, flags...), args...)...); !errors.Is(err, errUsage) {
			t.Errorf("plan %v: %v, want a usage error", args, err)
		}
	}
	if _, err := runFrontline(t, "plan"); !errors.Is(err, errUsage) {
		t.Errorf("plan without --date: %v, want a usage error", err)
	}
}

// `frontline erlang` and the pooled plan agree with the textbook: two
// queues of 25 calls of 180 s per quarter hour (each answered at once by
// an agent who serves both) are one pool of 10 Erlangs, which needs 14
// agents for 80 % within 20 s; with a patience of 60 s both plan with the
// same Erlang A.
func TestPlanPoolAgreesWithErlang(t *testing.T) {
	s, data, db := planStore(t, "plan_pool")
	for d := range 7 {
		at := time.Date(2026, 11, 2+d, 9, 0, 0, 0, time.UTC)
		eventtest.Insert(t, s, append(eventtest.Calls("billing", at, 25, 180, "a1"), eventtest.Calls("orders", at, 25, 180, "a1")...)...)
	}
	st := &schemas.AgentState{AgentID: "a1", State: "busy", Queue: "orders", At: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)}
	st2 := &schemas.AgentState{AgentID: "a1", State: "busy", Queue: "billing", At: time.Date(2026, 11, 3, 9, 5, 0, 0, time.UTC)}
	eventtest.Insert(t, s, &schemas.Event{ID: "s1", Type: st.EventType(), Source: "test", Data: st}, &schemas.Event{ID: "s2", Type: st2.EventType(), Source: "test", Data: st2})
	for _, patience := range []string{"", "60"} {
		args := []string{"--calls", "50", "--aht", "180", "--max-occupancy", "0.9", "--format", "json"}
		planArgs := []string{"--data", data, "--database", db, "--date", "2026-11-09", "--weeks", "1", "--assume", "none", "--format", "json"}
		if patience != "" {
			args = append(args, "--patience-sec", patience)
			planArgs = append(planArgs, "--patience-sec", patience)
		}
		out, err := runErlang(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Agents int `json:"agents"`
		}
		if err := json.Unmarshal([]byte(out), &e); err != nil {
			t.Fatal(err)
		}
		out, err = runFrontline(t, "plan", planArgs...)
		if err != nil {
			t.Fatal(err)
		}
		var pl struct {
			Pools []struct {
				Pool      string `json:"pool"`
				Model     string `json:"model"`
				Intervals []struct {
					Calls  float64 `json:"forecast_calls"`
					Phones int     `json:"phone_agents"`
					Alone  int     `json:"queue_agents"`
				} `json:"intervals"`
			} `json:"pools"`
		}
		if err := json.Unmarshal([]byte(out), &pl); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if len(pl.Pools) != 1 || len(pl.Pools[0].Intervals) != 96 {
			t.Fatalf("patience %q: %d pools, want one of 96 intervals", patience, len(pl.Pools))
		}
		it := pl.Pools[0].Intervals[36]
		if it.Calls != 50 || it.Phones != e.Agents || patience == "" && e.Agents != 14 || it.Alone <= it.Phones {
			t.Errorf("patience %q: pool %s (%s) at 09:00: %+v; frontline erlang %d agents; want 50 calls, the same agents (14 under Erlang C), fewer than alone",
				patience, pl.Pools[0].Pool, pl.Pools[0].Model, it, e.Agents)
		}
	}
}
