package aggregator

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report"

	"context"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// gaugeValues gathers reg into "name{queue}" → value (name alone for
// unlabelled metrics; histograms give their sample count).
func gaugeValues(t testing.TB, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetValue() + "}"
			}
			switch {
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			case m.Histogram != nil:
				out[key] = float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// TestGauges: on a hand-built day at 12:00 the gauges show the open and
// overdue callbacks, the oldest open age and how far the most overdue
// callback is past due (not the oldest request's: a later request with an
// earlier due time is further past due; a closed callback does not count)
// per queue, service level,
// abandon rate and ASA over 11:30–12:00, and the e-mail backlog; a queue
// with nothing offered in the 30 minutes has no service-level series.
func TestGauges(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	at := func(hm string) time.Time { return jtAt(t, hm) }
	call := func(id, queue, queued string, wait time.Duration, answered bool) *schemas.Event {
		q := at(queued)
		c := &schemas.CallEnded{CallID: id, Direction: "inbound", Queue: queue, QueuedAt: &q, EndedAt: q.Add(wait)}
		if answered {
			a := q.Add(wait)
			c.AnsweredAt, c.EndedAt = &a, a.Add(3*time.Minute)
		}
		return jtEvent(c)
	}
	cb := func(id, queue, requested, due string) *schemas.Event {
		return jtEvent(&schemas.CallbackRequested{CallbackID: id, Queue: queue, RequestedAt: at(requested), DueAt: at(due)})
	}
	eventtest.Insert(t, s,
		cb("cb1", "billing", "10:00", "11:00"), // open, overdue, 2 h old
		cb("cb2", "billing", "11:30", "13:00"), // open, not due
		cb("cb3", "billing", "09:00", "10:00"), // reached: completed
		jtEvent(&schemas.CallbackAttempted{CallbackID: "cb3", AttemptedAt: at("09:30"), Result: "reached"}),
		cb("cb4", "billing", "09:00", "10:00"), // cancelled
		jtEvent(&schemas.CallbackCancelled{CallbackID: "cb4", CancelledAt: at("09:10")}),
		cb("cb5", "billing", "12:30", "13:00"), // after now: not yet
		cb("cb7", "billing", "10:30", "10:45"), // open, 75 min past due: the most overdue
		cb("cb8", "billing", "08:00", "09:00"), // cancelled before now: 3 h past due does not count
		jtEvent(&schemas.CallbackCancelled{CallbackID: "cb8", CancelledAt: at("11:50")}),
		cb("cb6", "support", "08:00", "09:00"), // reached: support has none open
		jtEvent(&schemas.CallbackAttempted{CallbackID: "cb6", AttemptedAt: at("08:30"), Result: "reached"}),
		jtEvent(&schemas.CallbackAttempted{CallbackID: "cb2", AttemptedAt: at("11:40"), Result: "no_answer"}),

		call("k1", "billing", "11:31", 10*time.Second, true),
		call("k2", "billing", "11:40", 20*time.Second, true),
		call("k3", "billing", "11:50", 30*time.Second, true),
		call("k4", "billing", "11:55", 40*time.Second, false),
		call("k5", "billing", "11:56", 3*time.Second, false),  // short abandon: not offered
		call("k6", "billing", "11:29", 100*time.Second, true), // before the 30 minutes
		call("k7", "support", "11:45", 2*time.Second, false),  // support: only a short abandon

		jtEvent(&schemas.EmailReceived{EmailID: "e1", Queue: "billing", ReceivedAt: at("06:00")}), // open, 6 h
		jtEvent(&schemas.EmailReceived{EmailID: "e2", Queue: "billing", ReceivedAt: at("07:00")}),
		jtEvent(&schemas.EmailReplied{EmailID: "e2", AgentID: "a1", RepliedAt: at("08:00")}),
		jtEvent(&schemas.EmailReceived{EmailID: "e3", Queue: "billing", ReceivedAt: at("11:00")}), // replied after now: open
		jtEvent(&schemas.EmailReplied{EmailID: "e3", AgentID: "a1", RepliedAt: at("12:05")}),
	)
	// Today's plan for billing: 2 calls in each quarter hour from 11:00,
	// 9 at 12:00 (not over at the run: not compared), and one row of the
	// day before (not today). Offered by 12:00: k1–k4 and k6, 5 of the 8
	// forecast.
	planned := &store.Block{Table: "capacity_plan", Columns: []string{"plan_date", "queue", "interval_start", "interval_sec", "forecast_calls", "created_at"}}
	for _, r := range []struct {
		hm    string
		calls float64
	}{{"11:00", 2}, {"11:15", 2}, {"11:30", 2}, {"11:45", 2}, {"12:00", 9}} {
		planned.Rows = append(planned.Rows, []any{"2026-10-03", "billing", at(r.hm), int64(900), r.calls, at("06:00")})
	}
	planned.Rows = append(planned.Rows, []any{"2026-10-02", "billing", at("11:00").AddDate(0, 0, -1), int64(900), 50.0, at("06:00")})
	if err := s.Insert(ctx, planned); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	a := New(s, Options{Registerer: reg})
	before := time.Now()
	if err := a.RunOnce(ctx, at("12:00")); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	got := gaugeValues(t, reg)
	// The run's now is 2026-10-03 12:00; its last-run gauge is the wall
	// clock, which freshness alerts compare with time().
	lastRun := got["frontline_aggregator_last_run_timestamp_seconds"]
	if lastRun < float64(before.UnixNano())/1e9 || lastRun > float64(after.UnixNano())/1e9 {
		t.Errorf("frontline_aggregator_last_run_timestamp_seconds = %v, want the wall clock of the run, in [%v, %v]",
			lastRun, float64(before.Unix()), float64(after.Unix()))
	}
	delete(got, "frontline_aggregator_last_run_timestamp_seconds")
	want := map[string]float64{
		"frontline_callbacks_open{billing}":                   3,
		"frontline_callbacks_overdue{billing}":                2,
		"frontline_callback_oldest_open_age_seconds{billing}": 7200,
		"frontline_callback_oldest_overdue_seconds{billing}":  75 * 60,
		"frontline_callbacks_open{support}":                   0,
		"frontline_callbacks_overdue{support}":                0,
		"frontline_callback_oldest_open_age_seconds{support}": 0,
		"frontline_callback_oldest_overdue_seconds{support}":  0,
		"frontline_service_level_30m{billing}":                0.5,
		"frontline_abandon_rate_30m{billing}":                 0.25,
		"frontline_asa_seconds_30m{billing}":                  20,
		"frontline_email_backlog{billing}":                    2,
		"frontline_email_backlog_oldest_age_seconds{billing}": 6 * 3600,
		"frontline_calls_offered_30m{billing}":                4,
		"frontline_calls_offered_30m{support}":                0,
		"frontline_queue_open{billing}":                       1,
		"frontline_queue_open{support}":                       1,
		"frontline_calls_forecast_today{billing}":             8,
		"frontline_calls_vs_forecast_ratio{billing}":          5.0 / 8,
		"frontline_aggregator_run_duration_seconds":           1,
		"frontline_aggregator_errors_total":                   0,
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected series %s = %v", k, got[k])
		}
	}
	var names []string
	for k := range got {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("series: %s", strings.Join(names, " "))
}

// TestGaugesMatchReport: on the basic scenario, the backlog gauges of every
// queue at the end of the window equal the point-in-time figures of the
// report for that queue, and how far the most overdue callback is past due
// equals the largest overdue_sec of the overdue-callbacks list (0 when the
// list is empty).
func TestGaugesMatchReport(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("../testdata", "basic")
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
	from, to := eventtest.Window(t, dir)
	reg := prometheus.NewRegistry()
	if err := New(s, Options{Registerer: reg}).RunOnce(ctx, to); err != nil {
		t.Fatal(err)
	}
	got := gaugeValues(t, reg)
	queues := map[string]bool{}
	for k := range got {
		if _, q, ok := strings.Cut(strings.TrimSuffix(k, "}"), "{"); ok {
			queues[q] = true
		}
	}
	if len(queues) == 0 {
		t.Fatal("no per-queue gauge")
	}
	for q := range queues {
		r, err := report.BuildReport(ctx, s, from, to, q, kpi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		overdue, err := report.OverdueCallbacks(ctx, s, to, q, kpi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		pastDue := 0.0
		for _, c := range overdue {
			pastDue = math.Max(pastDue, c.OverdueSec)
		}
		checks := map[string]float64{
			"frontline_callback_oldest_overdue_seconds":  pastDue,
			"frontline_callbacks_open":                   float64(r.Callbacks.Open),
			"frontline_callbacks_overdue":                float64(r.Callbacks.Overdue),
			"frontline_callback_oldest_open_age_seconds": r.Callbacks.OldestOpenAgeSec,
			"frontline_email_backlog":                    float64(r.Emails.Backlog),
		}
		t.Logf("%s: report open %d overdue %d oldest %.3f s, e-mail backlog %d; most overdue %.3f s past due", q, r.Callbacks.Open,
			r.Callbacks.Overdue, r.Callbacks.OldestOpenAgeSec, r.Emails.Backlog, pastDue)
		for name, w := range checks {
			if g := got[name+"{"+q+"}"]; math.Abs(g-w) > 1e-3 {
				t.Errorf("%s{%s} = %v, report %v", name, q, g, w)
			}
		}
	}
}
