package report

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"

	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// The hand-built edge cases of issue 4, one test each. Every test reports
// on the day [day, day+24h).
var day = time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)

// at is day plus a duration given as text ("9h30m", "-1h").
func at(d string) time.Time {
	v, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return day.Add(v)
}

func ptr[T any](v T) *T { return &v }

var evSeq int

// ev wraps data in an event with a fresh id.
func ev(data schemas.Data) *schemas.Event {
	evSeq++
	return &schemas.Event{ID: fmt.Sprintf("edge-%d", evSeq), Type: data.EventType(), Source: "test", Data: data}
}

// inbound is an inbound call queued at q that waited wait; answered when
// handled, with talk 60 s, hold 0 and wrap 10 s.
func inbound(id, queue, customer, q string, wait time.Duration, answered bool) *schemas.CallEnded {
	queued := at(q)
	c := &schemas.CallEnded{CallID: id, Direction: "inbound", Queue: queue, CustomerID: customer, QueuedAt: &queued}
	c.EndedAt = queued.Add(wait)
	if answered {
		c.AnsweredAt = ptr(c.EndedAt)
		c.AgentID, c.TalkSec, c.WrapSec = "a1", 60, 10
		c.EndedAt = c.EndedAt.Add(60 * time.Second)
	}
	return c
}

// report loads events into a fresh store and reports on the day.
func report(t *testing.T, events ...*schemas.Event) *Report {
	t.Helper()
	s := storetest.New(t)
	eventtest.Insert(t, s, events...)
	return reportOn(t, s, day, day.Add(24*time.Hour))
}

func reportOn(t *testing.T, s store.Store, from, to time.Time) *Report {
	t.Helper()
	r, err := BuildReport(context.Background(), s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// num renders a nullable KPI for messages and comparisons.
func num(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%.6g", *v)
}

func checkNum(t *testing.T, name string, got *float64, want string) {
	t.Helper()
	if num(got) != want {
		t.Errorf("%s = %s, want %s", name, num(got), want)
	}
}

func checkInt(t *testing.T, name string, got, want int64) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", name, got, want)
	}
}

// A wait of exactly short_abandon (5 s) is an abandon, not a short abandon;
// an answer after exactly sl_threshold (20 s) is within the service level.
func TestWaitThresholdsAreInclusive(t *testing.T) {
	r := report(t,
		ev(inbound("short", "q", "", "1h", 4999*time.Millisecond, false)),
		ev(inbound("abandon-at-5s", "q", "", "2h", 5*time.Second, false)),
		ev(inbound("answer-at-20s", "q", "", "3h", 20*time.Second, true)),
		ev(inbound("answer-at-20.001s", "q", "", "4h", 20001*time.Millisecond, true)),
	)
	checkInt(t, "short_abandoned", r.Calls.ShortAbandoned, 1)
	checkInt(t, "abandoned", r.Calls.Abandoned, 1)
	checkInt(t, "offered", r.Calls.Offered, 3)
	checkNum(t, "service_level", r.Calls.ServiceLevel, "0.333333")
	checkNum(t, "abandon_rate", r.Calls.AbandonRate, "0.333333")
}

// A call without wrap_sec counts its talk and hold only.
func TestCallWithoutWrap(t *testing.T) {
	c := inbound("no-wrap", "q", "", "1h", time.Second, true)
	c.TalkSec, c.HoldSec, c.WrapSec = 100, 20, 0
	r := report(t, ev(c), ev(inbound("with-wrap", "q", "", "2h", time.Second, true))) // 60 + 0 + 10
	checkNum(t, "aht_sec", r.Calls.AHTSec, "95")
}

// An e-mail replied twice: the first reply sets frt; both replies count for
// handle time.
func TestEmailRepliedTwice(t *testing.T) {
	r := report(t,
		ev(&schemas.EmailReceived{EmailID: "e1", Queue: "q", CustomerID: "c1", ReceivedAt: at("1h")}),
		ev(&schemas.EmailReplied{EmailID: "e1", AgentID: "a1", RepliedAt: at("3h"), HandleSec: ptr(100.0)}),
		ev(&schemas.EmailReplied{EmailID: "e1", AgentID: "a1", RepliedAt: at("2h"), HandleSec: ptr(300.0)}),
	)
	checkInt(t, "received", r.Emails.Received, 1)
	checkInt(t, "replied", r.Emails.Replied, 1)
	checkNum(t, "frt_mean_sec", r.Emails.FRTMeanSec, "3600")
	checkNum(t, "handle_mean_sec", r.Emails.HandleMeanSec, "200")
	checkNum(t, "sla_rate", r.Emails.SLARate, "1")
	checkInt(t, "backlog", r.Emails.Backlog, 0)
}

// A reply after `to` is not known at `to`: the e-mail is unanswered, in the
// backlog, breaching once older than the SLA, and its handle time is not
// counted.
func TestReplyAfterTo(t *testing.T) {
	r := report(t,
		ev(&schemas.EmailReceived{EmailID: "old", Queue: "q", ReceivedAt: at("-2h")}), // before from: backlog only
		ev(&schemas.EmailReceived{EmailID: "e1", Queue: "q", ReceivedAt: at("1h")}),
		ev(&schemas.EmailReplied{EmailID: "e1", AgentID: "a1", RepliedAt: at("25h"), HandleSec: ptr(100.0)}),
	)
	checkInt(t, "received", r.Emails.Received, 1)
	checkInt(t, "replied", r.Emails.Replied, 0)
	checkNum(t, "frt_mean_sec", r.Emails.FRTMeanSec, "null")
	checkNum(t, "sla_rate", r.Emails.SLARate, "null") // 23 h old at `to`: not yet decided
	checkInt(t, "backlog", r.Emails.Backlog, 2)
	checkNum(t, "handle_mean_sec", r.Emails.HandleMeanSec, "null")
}

// A callback cancelled after it was reached stays completed; one reached
// after it was cancelled stays cancelled.
func TestCallbackCancelledAfterReached(t *testing.T) {
	r := report(t,
		ev(&schemas.CallbackRequested{CallbackID: "done", Queue: "q", RequestedAt: at("1h"), DueAt: at("3h")}),
		ev(&schemas.CallbackAttempted{CallbackID: "done", AttemptedAt: at("1h30m"), Result: "no_answer"}),
		ev(&schemas.CallbackAttempted{CallbackID: "done", AttemptedAt: at("2h"), Result: "reached"}),
		ev(&schemas.CallbackCancelled{CallbackID: "done", CancelledAt: at("2h30m")}),
		ev(&schemas.CallbackRequested{CallbackID: "gone", Queue: "q", RequestedAt: at("1h"), DueAt: at("3h")}),
		ev(&schemas.CallbackCancelled{CallbackID: "gone", CancelledAt: at("1h10m")}),
		ev(&schemas.CallbackAttempted{CallbackID: "gone", AttemptedAt: at("1h20m"), Result: "reached"}),
	)
	checkInt(t, "requested", r.Callbacks.Requested, 2)
	checkInt(t, "completed", r.Callbacks.Completed, 1)
	checkInt(t, "cancelled", r.Callbacks.Cancelled, 1)
	checkInt(t, "open", r.Callbacks.Open, 0)
	checkNum(t, "latency_mean_sec", r.Callbacks.LatencyMeanSec, "3600")
	checkNum(t, "attempts_per_completed", r.Callbacks.AttemptsPerCompleted, "2")
	checkNum(t, "sla_rate", r.Callbacks.SLARate, "1")
}

// A callback reached exactly at due_at meets its SLA; one reached a
// millisecond later breaches it.
func TestCallbackReachedAtDue(t *testing.T) {
	r := report(t,
		ev(&schemas.CallbackRequested{CallbackID: "on-time", Queue: "q", RequestedAt: at("1h"), DueAt: at("2h")}),
		ev(&schemas.CallbackAttempted{CallbackID: "on-time", AttemptedAt: at("2h"), Result: "reached"}),
		ev(&schemas.CallbackRequested{CallbackID: "late", Queue: "q", RequestedAt: at("1h"), DueAt: at("2h")}),
		ev(&schemas.CallbackAttempted{CallbackID: "late", AttemptedAt: at("2h").Add(time.Millisecond), Result: "reached"}),
	)
	checkInt(t, "completed", r.Callbacks.Completed, 2)
	checkNum(t, "sla_rate", r.Callbacks.SLARate, "0.5")
}

// The state at `from` is the last one before it: a busy state that began
// the evening before counts from `from`.
func TestAgentStateBeganBeforeFrom(t *testing.T) {
	r := report(t,
		ev(&schemas.AgentState{AgentID: "a1", State: "available", At: at("-5h")}),
		ev(&schemas.AgentState{AgentID: "a1", State: "busy", At: at("-2h")}),
		ev(&schemas.AgentState{AgentID: "a1", State: "available", At: at("6h")}),
		ev(&schemas.AgentState{AgentID: "a1", State: "logged_out", At: at("8h")}),
	)
	checkNum(t, "occupancy", r.Agents.Occupancy, "0.75") // 6 h busy of 8 h
	if r.Agents.StaffedHours != 8 {
		t.Errorf("staffed_hours = %v, want 8", r.Agents.StaffedHours)
	}
}

// An agent who left and re-joined within the window is a leaver and on the
// roster at `to`; tenure counts from the first `joined`.
func TestAgentLeftThenRejoined(t *testing.T) {
	c := inbound("c1", "q", "", "12h", time.Second, true)
	c.AgentID = "a1"
	r := report(t,
		ev(&schemas.AgentRoster{AgentID: "a1", Change: "joined", At: at("-2400h")}),
		ev(&schemas.AgentRoster{AgentID: "a1", Change: "left", At: at("2h")}),
		ev(&schemas.AgentRoster{AgentID: "a1", Change: "joined", At: at("10h")}),
		ev(&schemas.AgentRoster{AgentID: "a2", Change: "joined", At: at("-1h")}),
		ev(c),
	)
	checkInt(t, "headcount", r.Agents.Headcount, 2)
	checkInt(t, "leavers", r.Agents.Leavers, 1)
	checkNum(t, "turnover_rate", r.Agents.TurnoverRate, "0.5") // 1 / mean(2, 2)
	checkNum(t, "aht_tenured_sec", r.Agents.AHTTenuredSec, "70")
	checkNum(t, "aht_new_sec", r.Agents.AHTNewSec, "null")
}

// A churn without annual_value takes the latest customer.updated value at or
// before the churn (later updates and updates without a value do not
// count), else 0.
func TestChurnWithoutAnnualValue(t *testing.T) {
	r := report(t,
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("-48h"), AnnualValue: ptr(100.0)}),
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("-24h"), AnnualValue: ptr(250.0)}),
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("-1h"), Segment: "B"}),
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("12h"), AnnualValue: ptr(999.0)}),
		ev(&schemas.CustomerChurned{CustomerID: "c1", ChurnedAt: at("6h")}),
		ev(&schemas.CustomerChurned{CustomerID: "c2", ChurnedAt: at("7h")}),
		ev(&schemas.CustomerChurned{CustomerID: "c3", ChurnedAt: at("8h"), AnnualValue: ptr(40.0)}),
	)
	checkInt(t, "churned", r.Churn.Churned, 3)
	if r.Churn.RevenueLost != 290 {
		t.Errorf("revenue_lost = %v, want 290 (250 + 0 + 40)", r.Churn.RevenueLost)
	}
}

// The moments of churn: a customer churned before the window and again in it
// is churned, judged at its first churn in the window, and valued by an update
// exactly then (not by its earlier churn or a later update); a poor-service
// event exactly churn_lookback before that moment is out of the lookback, one
// a millisecond later is in. A customer churned exactly at `to` is not
// churned: with a contact in the lookback it is judged at `to`.
func TestChurnMoments(t *testing.T) {
	lookback := kpi.DefaultParams().ChurnLookback
	abandonedAt := func(id, customer string, q time.Time) *schemas.CallEnded {
		return &schemas.CallEnded{CallID: id, Direction: "inbound", Queue: "q", CustomerID: customer,
			QueuedAt: ptr(q), EndedAt: q.Add(time.Minute)}
	}
	r := report(t,
		// c1: churned at -48h and at 6h; its value at 6h is the update at 6h.
		ev(&schemas.CustomerChurned{CustomerID: "c1", ChurnedAt: at("-48h"), AnnualValue: ptr(10.0)}),
		ev(&schemas.CustomerChurned{CustomerID: "c1", ChurnedAt: at("6h")}),
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("6h"), AnnualValue: ptr(300.0)}),
		ev(&schemas.CustomerUpdated{CustomerID: "c1", At: at("7h"), AnnualValue: ptr(500.0)}),
		ev(abandonedAt("c1-old", "c1", at("6h").Add(-lookback))),
		// c2: churned at 8h, abandoned a millisecond inside the lookback.
		ev(&schemas.CustomerChurned{CustomerID: "c2", ChurnedAt: at("8h")}),
		ev(abandonedAt("c2-in", "c2", at("8h").Add(-lookback).Add(time.Millisecond))),
		// c3: not churned, three contacts: at risk at `to`, valued 70.
		ev(inbound("c3-1", "q", "c3", "1h", time.Second, true)),
		ev(inbound("c3-2", "q", "c3", "2h", time.Second, true)),
		ev(&schemas.EmailReceived{EmailID: "c3-3", Queue: "q", CustomerID: "c3", ReceivedAt: at("3h")}),
		ev(&schemas.CustomerUpdated{CustomerID: "c3", At: at("-100h"), AnnualValue: ptr(70.0)}),
		// c4: churned exactly at `to`, one contact: judged at `to`, no poor service.
		ev(&schemas.CustomerChurned{CustomerID: "c4", ChurnedAt: at("24h"), AnnualValue: ptr(5.0)}),
		ev(inbound("c4-1", "q", "c4", "5h", time.Second, true)),
	)
	checkInt(t, "churned", r.Churn.Churned, 2)
	if r.Churn.RevenueLost != 300 {
		t.Errorf("revenue_lost = %v, want 300 (c1 at 6h; c2 has no value)", r.Churn.RevenueLost)
	}
	checkInt(t, "churned_after_poor_service", r.Churn.ChurnedAfterPoorService, 1)
	if r.Churn.RevenueLostAfterPoorService != 0 {
		t.Errorf("revenue_lost_after_poor_service = %v, want 0 (c2)", r.Churn.RevenueLostAfterPoorService)
	}
	// cohort: c1 (churned), c2 (churned, poor), c3 (poor), c4
	checkNum(t, "churn_rate_exposed", r.Churn.ChurnRateExposed, "0.5")
	checkNum(t, "churn_rate_unexposed", r.Churn.ChurnRateUnexposed, "0.5")
	checkInt(t, "customers_at_risk", r.Churn.CustomersAtRisk, 1)
	if r.Churn.RevenueAtRisk != 70 {
		t.Errorf("revenue_at_risk = %v, want 70 (c3)", r.Churn.RevenueAtRisk)
	}
}

// Timestamps with +01:00 and -05:00 offsets are instants: a call queued at
// 00:30+01:00 is before a UTC day, one at 19:30-05:00 after it.
func TestTimeZoneOffsets(t *testing.T) {
	s := storetest.New(t)
	eventtest.Load(t, s, []byte(strings.Join([]string{
		call("tz-1", "2026-10-03T00:30:00+01:00", "2026-10-03T00:30:10+01:00"), // 2026-10-02T23:30Z: before
		call("tz-2", "2026-10-03T01:30:00+01:00", "2026-10-03T01:30:10+01:00"), // 00:30Z: in
		call("tz-3", "2026-10-03T18:30:00-05:00", "2026-10-03T18:30:30-05:00"), // 23:30Z: in
		call("tz-4", "2026-10-03T19:30:00-05:00", "2026-10-03T19:30:10-05:00"), // 2026-10-04T00:30Z: after
	}, "\n")))
	r := reportOn(t, s, day, day.Add(24*time.Hour))
	checkInt(t, "answered", r.Calls.Answered, 2)
	checkNum(t, "asa_sec", r.Calls.ASASec, "20") // waits 10 s and 30 s
}

// call is an answered inbound call as CloudEvents JSON text.
func call(id, queued, answered string) string {
	return fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"test","type":"cs.call.ended.v1","time":%q,`+
		`"data":{"call_id":%q,"direction":"inbound","queue":"q","queued_at":%q,"answered_at":%q,"ended_at":%q,"talk_sec":60}}`,
		id, queued, id, queued, answered, answered)
}

// A second event with the same id is a duplicate and changes nothing; an
// invalid line claims no id.
func TestDuplicateEventID(t *testing.T) {
	s := storetest.New(t)
	eventtest.Load(t, s, []byte(strings.Join([]string{
		call("dup", "2026-10-03T10:00:00Z", "2026-10-03T10:00:10Z"),
		call("dup", "2026-10-03T11:00:00Z", "2026-10-03T11:00:50Z"),
		`{"specversion":"1.0","id":"claimed-by-valid","source":"test","type":"cs.call.ended.v1","data":{"call_id":"x"}}`,
		call("claimed-by-valid", "2026-10-03T12:00:00Z", "2026-10-03T12:00:20Z"),
	}, "\n")))
	r := reportOn(t, s, day, day.Add(24*time.Hour))
	checkInt(t, "answered", r.Calls.Answered, 2)
	checkNum(t, "asa_sec", r.Calls.ASASec, "15")
}

// Two reports over the halves of a day add up to the day's report for every
// additive KPI.
func TestSplitDayAddsUp(t *testing.T) {
	dir := filepath.Join(scenarios, "basic")
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
	from, to := eventtest.Window(t, dir)
	mid := from.Add(to.Sub(from)/2 + 17*time.Minute)
	whole, a, b := reportOn(t, s, from, to), reportOn(t, s, from, mid), reportOn(t, s, mid, to)
	additive := func(r *Report) map[string]float64 {
		m := map[string]float64{
			"calls.offered": float64(r.Calls.Offered), "calls.answered": float64(r.Calls.Answered),
			"calls.abandoned": float64(r.Calls.Abandoned), "calls.short_abandoned": float64(r.Calls.ShortAbandoned),
			"calls.outbound": float64(r.Calls.Outbound), "emails.received": float64(r.Emails.Received),
			"orders.entered": float64(r.Orders.Entered), "orders.value": r.Orders.Value,
			"callbacks.requested": float64(r.Callbacks.Requested), "contacts.contacts": float64(r.Contacts.Contacts),
			"agents.staffed_hours": r.Agents.StaffedHours, "agents.leavers": float64(r.Agents.Leavers),
			"churn.churned": float64(r.Churn.Churned), "churn.revenue_lost": r.Churn.RevenueLost,
		}
		for _, q := range r.Queues {
			m["queues."+q.Queue+".offered"] += float64(q.Offered)
			m["queues."+q.Queue+".answered"] += float64(q.Answered)
		}
		return m
	}
	w, ma, mb := additive(whole), additive(a), additive(b)
	if ma["calls.offered"] == 0 || mb["calls.offered"] == 0 {
		t.Fatalf("a half without calls proves nothing: %v %v", ma, mb)
	}
	for k, v := range w {
		if sum := ma[k] + mb[k]; sum < v-1e-9 || sum > v+1e-9 {
			t.Errorf("%s: %v + %v = %v, the whole day has %v", k, ma[k], mb[k], sum, v)
		}
	}
}

// Repeat and first-contact resolution look for strictly earlier and strictly
// later contacts of the customer: two calls at the same instant are neither
// each other's repeat nor each other's follow-up (def_contacts.sql).
func TestContactsAtTheSameInstant(t *testing.T) {
	r := report(t,
		ev(inbound("x", "q", "c1", "1h", time.Second, true)),
		ev(inbound("y", "q", "c1", "1h", time.Second, true)),
		ev(&schemas.EmailReceived{EmailID: "m", Queue: "q", CustomerID: "c1", ReceivedAt: at("1h").Add(time.Millisecond)}),
		ev(inbound("z", "q", "c2", "2h", time.Second, true)),
	)
	checkInt(t, "contacts", r.Contacts.Contacts, 4)
	checkNum(t, "repeat_rate", r.Contacts.RepeatRate, "0.25") // only the e-mail, 1 ms after the calls
	checkNum(t, "fcr_rate", r.Contacts.FCRRate, "0.5")        // the e-mail and z
}
