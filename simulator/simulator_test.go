package simulator

import (
	"bytes"
	"context"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// run simulates o and returns every message.
func run(t *testing.T, o Options) ([]Message, Stats) {
	t.Helper()
	var msgs []Message
	st, err := New(o).Run(context.Background(), func(m Message) error {
		msgs = append(msgs, m)
		return nil
	})
	if err != nil {
		t.Fatalf("run %+v: %v", o, err)
	}
	return msgs, st
}

// decodeAll decodes every message, dropping duplicates (same id); it fails
// the test on a message that does not decode.
func decodeAll(t *testing.T, msgs []Message) []*schemas.Event {
	t.Helper()
	seen := map[string]bool{}
	var evs []*schemas.Event
	for i, m := range msgs {
		e, err := schemas.Decode(m.Value)
		if err != nil {
			t.Fatalf("message %d does not decode: %v: %s", i, err, m.Value)
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			evs = append(evs, e)
		}
	}
	return evs
}

var noFaults = Options{DuplicateRate: -1, InvalidRate: -1}

func TestSameSeedSameBytes(t *testing.T) {
	o := Options{Days: 2, Agents: 20, Seed: 7}
	a, sa := run(t, o)
	b, sb := run(t, o)
	if len(a) != len(b) || sa.Events != sb.Events {
		t.Fatalf("same seed: %d vs %d messages", len(a), len(b))
	}
	for i := range a {
		if a[i].Topic != b[i].Topic || a[i].Key != b[i].Key || !a[i].At.Equal(b[i].At) || !bytes.Equal(a[i].Value, b[i].Value) {
			t.Fatalf("same seed: message %d differs:\n%s\n%s", i, a[i].Value, b[i].Value)
		}
	}
	o.Seed = 8
	c, _ := run(t, o)
	same := len(a) == len(c)
	for i := 0; same && i < len(a); i++ {
		same = bytes.Equal(a[i].Value, c[i].Value)
	}
	if same {
		t.Fatal("seeds 7 and 8 gave identical output")
	}
}

func TestMessagesInSendOrderWithTopicAndKey(t *testing.T) {
	msgs, st := run(t, Options{Days: 1, Agents: 30, InvalidRate: -1})
	var last time.Time
	byID := map[string][]byte{}
	for i, m := range msgs {
		if m.At.Before(last) {
			t.Fatalf("message %d at %s before %s", i, m.At, last)
		}
		last = m.At
		e, err := schemas.Decode(m.Value)
		if err != nil {
			t.Fatalf("message %d: %v: %s", i, err, m.Value)
		}
		info, _ := schemas.Info(e.Type)
		if m.Topic != info.Topic || m.Key != e.Data.Key() || m.Key == "" {
			t.Fatalf("message %d: topic %q key %q for %s %q", i, m.Topic, m.Key, e.Type, e.Data.Key())
		}
		if prev, ok := byID[e.ID]; ok && !bytes.Equal(prev, m.Value) {
			t.Fatalf("id %q reused for different bytes", e.ID)
		}
		byID[e.ID] = m.Value
	}
	if len(byID) != st.Events {
		t.Fatalf("%d distinct ids, stats say %d events", len(byID), st.Events)
	}
	if got := len(msgs); got != st.Events+st.Duplicates {
		t.Fatalf("%d messages, stats say %d events + %d duplicates", got, st.Events, st.Duplicates)
	}
}

func TestInjectedFaultsMatchRates(t *testing.T) {
	msgs, st := run(t, Options{Days: 1, DuplicateRate: 0.03, InvalidRate: 0.01})
	bad, dups := 0, 0
	seen := map[string]bool{}
	for _, m := range msgs {
		e, err := schemas.Decode(m.Value)
		if err != nil {
			bad++
			continue
		}
		if seen[e.ID] {
			dups++
		}
		seen[e.ID] = true
	}
	if bad != st.Invalid || dups != st.Duplicates || len(seen) != st.Events {
		t.Fatalf("observed %d invalid, %d duplicates, %d events; stats %+v", bad, dups, len(seen), st)
	}
	near := func(name string, got int, rate float64) {
		want := rate * float64(st.Events)
		if math.Abs(float64(got)-want) > 4*math.Sqrt(want)+1 {
			t.Errorf("%s: %d, want about %.0f", name, got, want)
		}
	}
	near("invalid", bad, 0.01)
	near("duplicates", dups, 0.03)
	_, clean := run(t, Options{Days: 1, DuplicateRate: -1, InvalidRate: -1})
	if clean.Invalid != 0 || clean.Duplicates != 0 {
		t.Fatalf("negative rates still injected: %+v", clean)
	}
	if clean.Events != st.Events {
		t.Errorf("faults changed the traffic: %d vs %d events", clean.Events, st.Events)
	}
}

func TestSeasonality(t *testing.T) {
	o := noFaults
	o.Days = 7 // Monday to Sunday
	evs := decodeAll(t, mustRun(t, o))
	var night, morning int
	perDay := map[time.Weekday]int{}
	for _, e := range evs {
		c, ok := e.Data.(*schemas.CallEnded)
		if !ok || c.Direction != "inbound" {
			continue
		}
		h := c.QueuedAt.Hour()
		switch {
		case h >= 10 && h < 12:
			morning++
		case h >= 2 && h < 4:
			night++
		}
		perDay[c.QueuedAt.Weekday()]++
	}
	t.Logf("calls 10-12h: %d, 02-04h: %d; per day %v", morning, night, perDay)
	if morning <= 5*night {
		t.Errorf("calls 10:00-12:00 %d, 02:00-04:00 %d: want a clear daily peak", morning, night)
	}
	if perDay[time.Monday] <= 2*perDay[time.Sunday] {
		t.Errorf("Monday %d calls, Sunday %d: want Monday clearly busier", perDay[time.Monday], perDay[time.Sunday])
	}
}

func mustRun(t *testing.T, o Options) []Message {
	t.Helper()
	m, _ := run(t, o)
	return m
}

// callKPIs computes the calls section of kpis.md over inbound calls queued
// in [from, to).
type callKPIs struct {
	offered, answered, abandoned, short, outbound int
	sl, abandonRate, aht, transferRate            float64
	missingWrap                                   int
}

func computeCalls(evs []*schemas.Event, from, to time.Time) callKPIs {
	var k callKPIs
	var inSL, transferred int
	var handle float64
	for _, e := range evs {
		c, ok := e.Data.(*schemas.CallEnded)
		if !ok {
			continue
		}
		if c.Direction == "outbound" {
			if !c.EndedAt.Before(from) && c.EndedAt.Before(to) {
				k.outbound++
			}
			continue
		}
		if c.QueuedAt.Before(from) || !c.QueuedAt.Before(to) {
			continue
		}
		if c.AnsweredAt != nil {
			k.answered++
			if c.AnsweredAt.Sub(*c.QueuedAt) <= 20*time.Second {
				inSL++
			}
			handle += c.TalkSec + c.HoldSec + c.WrapSec
			if c.Transferred {
				transferred++
			}
			if c.WrapSec == 0 {
				k.missingWrap++
			}
		} else if c.EndedAt.Sub(*c.QueuedAt) < 5*time.Second {
			k.short++
		} else {
			k.abandoned++
		}
	}
	k.offered = k.answered + k.abandoned
	k.sl = float64(inSL) / float64(k.offered)
	k.abandonRate = float64(k.abandoned) / float64(k.offered)
	k.aht = handle / float64(k.answered)
	k.transferRate = float64(transferred) / float64(k.answered)
	return k
}

func TestServiceLooksLikeAContactCentre(t *testing.T) {
	o := noFaults
	o.Days = 1
	evs := decodeAll(t, mustRun(t, o))
	from := DefaultStart
	to := from.Add(24 * time.Hour)
	k := computeCalls(evs, from, to)
	t.Logf("offered %d answered %d abandoned %d short %d outbound %d SL %.3f abandon %.3f AHT %.0fs transfer %.3f missing wrap %d",
		k.offered, k.answered, k.abandoned, k.short, k.outbound, k.sl, k.abandonRate, k.aht, k.transferRate, k.missingWrap)
	if k.sl < 0.5 || k.sl > 0.98 {
		t.Errorf("service level %.3f, want 0.5..0.98", k.sl)
	}
	if k.abandoned == 0 || k.short == 0 || k.abandonRate > 0.25 {
		t.Errorf("abandoned %d (rate %.3f), short abandons %d: want some of each", k.abandoned, k.abandonRate, k.short)
	}
	if k.aht < 240 || k.aht > 420 {
		t.Errorf("AHT %.0fs, want 4-7 min", k.aht)
	}
	if k.transferRate == 0 || k.transferRate > 0.2 || k.missingWrap == 0 || k.outbound == 0 {
		t.Errorf("transfer rate %.3f, missing wrap %d, outbound %d: want some of each", k.transferRate, k.missingWrap, k.outbound)
	}

	counts := map[string]int{}
	origins := map[string]int{}
	results := map[string]int{}
	channels := map[string]int{}
	received := map[string]time.Time{}
	var frts []float64
	newAgents, repliedTwice := 0, 0
	replies := map[string]int{}
	loggedIn := map[string]bool{}
	for _, e := range evs {
		counts[e.Type]++
		switch d := e.Data.(type) {
		case *schemas.CallbackRequested:
			origins[d.Origin]++
			if !d.DueAt.After(d.RequestedAt) {
				t.Errorf("callback %s due %s not after request %s", d.CallbackID, d.DueAt, d.RequestedAt)
			}
		case *schemas.CallbackAttempted:
			results[d.Result]++
		case *schemas.OrderEntered:
			channels[d.Channel]++
			if entry := d.EnteredAt.Sub(d.StartedAt); entry < 30*time.Second || entry > 10*time.Minute {
				t.Errorf("order %s entry %s", d.OrderID, entry)
			}
		case *schemas.EmailReceived:
			received[d.EmailID] = d.ReceivedAt
		case *schemas.EmailReplied:
			if replies[d.EmailID]++; replies[d.EmailID] == 1 {
				frts = append(frts, d.RepliedAt.Sub(received[d.EmailID]).Seconds())
			} else {
				repliedTwice++
			}
		case *schemas.AgentRoster:
			if d.Change == "joined" && from.Sub(d.At) < 90*24*time.Hour {
				newAgents++
			}
		case *schemas.AgentState:
			if d.State == "logged_out" {
				delete(loggedIn, d.AgentID)
			} else {
				loggedIn[d.AgentID] = true
			}
		case *schemas.CallEnded:
			// The history before Start has contacts but no agent states.
			if d.AgentID != "" && d.AnsweredAt != nil && !d.AnsweredAt.Before(from) && !loggedIn[d.AgentID] {
				t.Errorf("call %s handled by %s who is logged out", d.CallID, d.AgentID)
			}
		}
	}
	sort.Float64s(frts)
	t.Logf("events %v", counts)
	t.Logf("callback origins %v, results %v, order channels %v, new agents %d", origins, results, channels, newAgents)
	if len(frts) > 0 {
		t.Logf("e-mails %d received, %d replied (%d twice), FRT p50 %.0fs p90 %.0fs max %.0fs",
			len(received), len(frts), repliedTwice, frts[len(frts)/2], frts[len(frts)*9/10], frts[len(frts)-1])
	}
	for _, typ := range []string{schemas.TypeCallbackCancelled, schemas.TypeCustomerUpdated, schemas.TypeAgentState, schemas.TypeEmailReplied} {
		if counts[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
	if len(origins) < 4 || results["reached"] == 0 || results["no_answer"] == 0 || channels["phone"] == 0 || channels["email"] == 0 {
		t.Errorf("want every callback origin, reached and unanswered attempts, phone and e-mail orders")
	}
	if newAgents == 0 || newAgents == New(o).Options().Agents {
		t.Errorf("%d new agents, want some but not all", newAgents)
	}
	if len(frts) < 10 || frts[len(frts)-1] < 3600 || frts[0] > 3600 {
		t.Errorf("want e-mail first responses from minutes to hours")
	}
}

// A centre too small to keep the night minimum on the phones round the
// clock used to plan negative e-mail rates, and at six agents the history's
// size came out negative and Run panicked. Every size runs; a centre that
// can staff one agent round the clock on its thinnest day (about 24 agents:
// a quarter work on Sundays) has calls every day.
func TestSmallCentres(t *testing.T) {
	for _, agents := range []int{1, 6, 24} {
		days := map[string]bool{}
		_, err := New(Options{Start: time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC), Days: 7, Agents: agents, Seed: 7}).Run(context.Background(),
			func(m Message) error {
				if bytes.Contains(m.Value, []byte(`"cs.call.ended.v1"`)) {
					days[m.At.UTC().Format(time.DateOnly)] = true
				}
				return nil
			})
		if err != nil {
			t.Fatalf("%d agents: %v", agents, err)
		}
		if agents >= 24 && len(days) < 7 {
			t.Errorf("%d agents: calls on %d of 7 days", agents, len(days))
		}
	}
}
