package aggregator

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"

	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report"

	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

var jtSeq int

// jtEvent wraps data in an event with a fresh id.
func jtEvent(data schemas.Data) *schemas.Event {
	jtSeq++
	return &schemas.Event{ID: fmt.Sprintf("jt-%d", jtSeq), Type: data.EventType(), Source: "test", Data: data}
}

// jtState is agent a1's state event st at hm (as jtAt), in queue billing.
func jtState(t testing.TB, st, hm string) *schemas.Event {
	t.Helper()
	return jtEvent(&schemas.AgentState{AgentID: "a1", State: st, At: jtAt(t, hm), Queue: "billing"})
}

// jtAt is a time on 2026-10-03 (UTC), "15:04" or "15:04:05".
func jtAt(t testing.TB, hm string) time.Time {
	t.Helper()
	for _, layout := range []string{"15:04:05", "15:04"} {
		if v, err := time.Parse(layout, hm); err == nil {
			return time.Date(2026, 10, 3, v.Hour(), v.Minute(), v.Second(), 0, time.UTC)
		}
	}
	t.Fatalf("bad time %q", hm)
	return time.Time{}
}

type jtStaffed struct {
	Start     time.Time `json:"interval_start"`
	Queue     string    `json:"queue"`
	Staffed   float64   `json:"staffed_sec"`
	Available float64   `json:"available_sec"`
	Busy      float64   `json:"busy_sec"`
	Wrap      float64   `json:"wrap_sec"`
	Agents    int64     `json:"agents"`
}

type jtCallback struct {
	ID       string     `json:"callback_id"`
	Status   string     `json:"status"`
	Reached  *time.Time `json:"reached_at"`
	Attempts int64      `json:"attempts"`
}

type jtPoor struct {
	Customer string    `json:"customer_id"`
	Kind     string    `json:"kind"`
	Ref      string    `json:"ref_id"`
	From     time.Time `json:"from_at"`
	Until    time.Time `json:"until_at"`
	Poor     int64     `json:"poor"`
}

type jtReply struct {
	ID         string     `json:"email_id"`
	FirstReply *time.Time `json:"first_reply_at"`
	Replies    int64      `json:"replies"`
}

func jtQuery[T any](t testing.TB, s store.Store, q string) []T {
	t.Helper()
	rows, err := store.QueryAll[T](context.Background(), s, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// jtStaffedByBucket reads staffed_15m as bucket start "15:04" → row.
func jtStaffedByBucket(t testing.TB, s store.Store) map[string]jtStaffed {
	out := map[string]jtStaffed{}
	for _, r := range jtQuery[jtStaffed](t, s, "SELECT * FROM staffed_15m FINAL WHERE staffed_sec > 0 ORDER BY interval_start") {
		out[r.Start.UTC().Format("15:04")] = r
	}
	return out
}

// TestLateEventsCorrectTheirIntervals: events that arrive after a run but
// belong 10 h back (an agent's wrap, a reached callback attempt, an e-mail
// reply) correct the staffing buckets, the callback status, the poor-service
// flag and the first reply of their own time at the next run; a further run
// changes nothing and no second is counted twice.
func TestLateEventsCorrectTheirIntervals(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	at := func(hm string) time.Time { return jtAt(t, hm) }
	eventtest.Insert(t, s,
		jtState(t, "available", "08:00"),
		jtState(t, "busy", "09:00"),
		jtState(t, "logged_out", "12:00"),
		jtEvent(&schemas.CallbackRequested{CallbackID: "cb1", Queue: "billing", CustomerID: "c1", RequestedAt: at("09:00"), DueAt: at("10:00")}),
		jtEvent(&schemas.EmailReceived{EmailID: "e1", Queue: "billing", CustomerID: "c2", ReceivedAt: at("09:00")}),
	)
	a := New(s, Options{})
	now := at("20:00")
	if err := a.RunOnce(ctx, now); err != nil {
		t.Fatal(err)
	}
	before := jtStaffedByBucket(t, s)
	if b := before["10:00"]; b.Busy != 900 || b.Wrap != 0 || b.Agents != 1 {
		t.Fatalf("10:00 bucket before the late event: %+v, want 900 s busy", b)
	}
	if cb := jtQuery[jtCallback](t, s, "SELECT * FROM callback_status FINAL"); len(cb) != 1 || cb[0].Status != "open" {
		t.Fatalf("callback_status before the late attempt: %+v, want cb1 open", cb)
	}
	if p := jtQuery[jtPoor](t, s, "SELECT * FROM customer_poor_service FINAL"); len(p) != 1 || p[0].Kind != "callback_missed" || p[0].Poor != 1 {
		t.Fatalf("poor service before the late attempt: %+v, want one missed callback", p)
	}

	// Ten hours late: a1 went to wrap at 10:00, cb1 was reached at 09:30,
	// e1 was answered at 10:00, and a call was queued at 10:05.
	queued, answered := at("10:05"), at("10:05:12")
	eventtest.Insert(t, s,
		jtState(t, "wrap", "10:00"),
		jtEvent(&schemas.CallbackAttempted{CallbackID: "cb1", AgentID: "a1", AttemptedAt: at("09:30"), Result: "reached"}),
		jtEvent(&schemas.EmailReplied{EmailID: "e1", AgentID: "a1", RepliedAt: at("10:00")}),
		jtEvent(&schemas.CallEnded{CallID: "late", Direction: "inbound", Queue: "billing", QueuedAt: &queued,
			AnsweredAt: &answered, EndedAt: at("10:09")}),
	)
	for run := 1; run <= 2; run++ {
		if err := a.RunOnce(ctx, now.Add(time.Duration(run)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		after := jtStaffedByBucket(t, s)
		if b := after["10:00"]; b.Busy != 0 || b.Wrap != 900 {
			t.Errorf("run %d: 10:00 bucket %+v, want 900 s wrap and no busy", run, b)
		}
		if b := after["09:45"]; b.Busy != 900 {
			t.Errorf("run %d: 09:45 bucket %+v, want 900 s busy", run, b)
		}
		var total float64
		for _, b := range after {
			total += b.Staffed
		}
		if total != 4*3600 {
			t.Errorf("run %d: %v staffed seconds in all, want %v (08:00–12:00)", run, total, 4*3600)
		}
		cb := jtQuery[jtCallback](t, s, "SELECT * FROM callback_status FINAL")
		if len(cb) != 1 || cb[0].Status != "completed" || cb[0].Reached == nil || !cb[0].Reached.Equal(at("09:30")) || cb[0].Attempts != 1 {
			t.Errorf("run %d: callback_status %+v, want cb1 completed at 09:30 after 1 attempt", run, cb)
		}
		if p := jtQuery[jtPoor](t, s, "SELECT * FROM customer_poor_service FINAL"); len(p) != 1 || p[0].Poor != 0 {
			t.Errorf("run %d: poor service %+v, want the missed callback retracted", run, p)
		}
		r := jtQuery[jtReply](t, s, "SELECT * FROM email_first_reply FINAL")
		if len(r) != 1 || r[0].FirstReply == nil || !r[0].FirstReply.Equal(at("10:00")) || r[0].Replies != 1 {
			t.Errorf("run %d: email_first_reply %+v, want e1 replied at 10:00", run, r)
		}
		iv, err := report.QueueIntervals(ctx, s, at("10:00"), at("10:15"), report.RollupBucket, "billing", kpi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if len(iv) != 1 || iv[0].Answered != 1 || *iv[0].ASASec != 12 {
			t.Errorf("run %d: calls rollup at 10:00 %+v, want the late call (answered after 12 s)", run, iv)
		}
	}
}

// TestStaffedTiesAsTheReport: two state events of an agent at the same
// moment last in event_id order, as report_agents orders them: the later id's
// state holds until the next event. staffed_15m read them through
// agent_state_intervals, keyed (agent_id, start_at), which kept one of the
// two arbitrarily; and the migration that drops that table leaves no trace.
func TestStaffedTiesAsTheReport(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	at := func(hm string) time.Time { return jtAt(t, hm) }
	state := func(id, st, hm string) *schemas.Event {
		e := jtState(t, st, hm)
		e.ID = id
		return e
	}
	// Inserted in both orders, so that neither insert order nor id order
	// alone decides.
	eventtest.Insert(t, s, state("tie-0", "available", "08:00"), state("tie-2", "busy", "09:00"), state("tie-1", "available", "09:00"),
		state("tie-3", "logged_out", "10:00"))
	eventtest.Insert(t, s, state("tie-4", "available", "10:30"), state("tie-5", "available", "11:00"), state("tie-6", "busy", "11:00"),
		state("tie-7", "logged_out", "12:00"))
	if err := New(s, Options{}).RunOnce(ctx, at("20:00")); err != nil {
		t.Fatal(err)
	}
	b := jtStaffedByBucket(t, s)
	if b["09:00"].Busy != 900 || b["09:00"].Available != 0 || b["11:00"].Busy != 900 || b["11:00"].Available != 0 {
		t.Errorf("09:00 %+v, 11:00 %+v: want the state of the later event id (busy) for both", b["09:00"], b["11:00"])
	}
	r, err := report.BuildReport(ctx, s, at("00:00"), at("00:00").Add(24*time.Hour), "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var busy, available float64
	for _, x := range b {
		busy += x.Busy + x.Wrap
		available += x.Available
	}
	occ := busy / (busy + available)
	if r.Agents.Occupancy == nil || math.Abs(*r.Agents.Occupancy-occ) > 1e-9 || occ != 2/3.5 {
		got := math.NaN()
		if r.Agents.Occupancy != nil {
			got = *r.Agents.Occupancy
		}
		t.Errorf("the report's occupancy %v, staffed_15m's %v, want 2/3.5 for both", got, occ)
	}
	if n := jtQuery[struct {
		N uint64 `json:"n"`
	}](t, s, "SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'agent_state_intervals'"); n[0].N != 0 {
		t.Error("agent_state_intervals is still there")
	}
}

// TestRecompute: an event more than the lateness behind the runs (as in the
// demo, whose aggregator runs on a simulated clock ahead of the collector)
// is left alone by RunOnce and counted by Recompute.
func TestRecompute(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	at := func(hm string) time.Time { return jtAt(t, hm) }
	eventtest.Insert(t, s,
		jtState(t, "available", "08:00"),
		jtState(t, "logged_out", "09:00"),
	)
	a := New(s, Options{Lateness: time.Hour})
	if err := a.RunOnce(ctx, at("10:00")); err != nil {
		t.Fatal(err)
	}
	eventtest.Insert(t, s, jtState(t, "busy", "08:30"))
	if err := a.RunOnce(ctx, at("12:00")); err != nil {
		t.Fatal(err)
	}
	if b := jtStaffedByBucket(t, s)["08:30"]; b.Busy != 0 {
		t.Fatalf("08:30 bucket after RunOnce: %+v, want the event 2 h late (lateness 1 h) not yet counted", b)
	}
	if err := a.Recompute(ctx, at("12:00")); err != nil {
		t.Fatal(err)
	}
	if b := jtStaffedByBucket(t, s)["08:30"]; b.Busy != 900 || b.Available != 0 {
		t.Errorf("08:30 bucket after Recompute: %+v, want 900 s busy", b)
	}
}

// TestPoorServiceSpans: each incident counts from its time for the churn
// lookback; three contacts within the lookback count from the third until
// the first leaves it.
func TestPoorServiceSpans(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	day := 24 * time.Hour
	base := jtAt(t, "09:00")
	call := func(id string, q time.Time, wait time.Duration, answered, transferred bool) *schemas.Event {
		c := &schemas.CallEnded{CallID: id, Direction: "inbound", Queue: "billing", CustomerID: "c1", QueuedAt: &q,
			EndedAt: q.Add(wait + time.Minute), Transferred: transferred}
		if answered {
			a := q.Add(wait)
			c.AnsweredAt = &a
		} else {
			c.EndedAt = q.Add(wait)
		}
		return jtEvent(c)
	}
	eventtest.Insert(t, s,
		call("short", base.Add(-20*day), 2*time.Second, false, false),     // short abandon: neither contact nor incident
		call("long", base.Add(-10*day), 121*time.Second, true, false),     // long wait
		call("ab", base.Add(-5*day), 30*time.Second, false, false),        // abandoned
		call("xfer", base.Add(-1*day), 10*time.Second, true, true),        // transferred
		call("fine", base.Add(-2*time.Hour), 10*time.Second, true, false), // no incident
	)
	a := New(s, Options{})
	if err := a.RunOnce(ctx, base); err != nil {
		t.Fatal(err)
	}
	got := map[string]jtPoor{}
	for _, p := range jtQuery[jtPoor](t, s, "SELECT * FROM customer_poor_service FINAL WHERE poor = 1") {
		got[p.Kind+"/"+p.Ref] = p
	}
	lookback := 30 * day
	want := map[string][2]time.Time{
		"long_wait/long":       {base.Add(-10 * day), base.Add(-10*day + lookback)},
		"abandoned/ab":         {base.Add(-5 * day), base.Add(-5*day + lookback)},
		"transferred/xfer":     {base.Add(-1 * day), base.Add(-1*day + lookback)},
		"repeat_contacts/xfer": {base.Add(-1 * day), base.Add(-10*day + lookback)},
		"repeat_contacts/fine": {base.Add(-2 * time.Hour), base.Add(-5*day + lookback)},
	}
	if len(got) != len(want) {
		t.Errorf("got %d incidents %+v, want %d", len(got), got, len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || !g.From.Equal(w[0]) || !g.Until.Equal(w[1]) {
			t.Errorf("%s: got %+v, want [%s, %s)", k, g, w[0].Format(time.RFC3339), w[1].Format(time.RFC3339))
		}
	}
}

// TestJobRowsFromTheInsert: the rows a cycle logs for each derived table
// come from the insert's own summary (a count() over version, outside every
// sort key, scanned each table in full every cycle) and equal what the
// first run on a fresh store wrote.
func TestJobRowsFromTheInsert(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	eventtest.LoadFile(t, s, "../testdata/basic/events.jsonl")
	var logged bytes.Buffer
	a := New(s, Options{Logger: slog.New(slog.NewJSONHandler(&logged, nil))})
	_, to := eventtest.Window(t, "../testdata/basic")
	if err := a.RunOnce(ctx, to); err != nil {
		t.Fatal(err)
	}
	var run map[string]any
	for _, line := range bytes.Split(logged.Bytes(), []byte("\n")) {
		if bytes.Contains(line, []byte(`"msg":"aggregator run"`)) {
			if err := json.Unmarshal(line, &run); err != nil {
				t.Fatal(err)
			}
		}
	}
	if run == nil {
		t.Fatalf("no aggregator run logged:\n%s", logged.String())
	}
	for _, j := range jobDefs {
		type count struct {
			N int64 `json:"n"`
		}
		c, err := store.QueryOne[count](ctx, s, "SELECT count() AS n FROM "+j.table, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := run[j.table].(float64); int64(got) != c.N || c.N == 0 {
			t.Errorf("%s: logged %v rows, the table holds %d", j.table, run[j.table], c.N)
		}
	}
}
