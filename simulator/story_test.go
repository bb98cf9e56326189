package simulator

import (
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// The demo's day tells one story: callers hang up when their wait exceeds
// their patience, so abandons follow the waits; the agents' idle time
// answers the e-mails, so e-mails follow staffing; and churn follows poor
// service in the 30 days before it. These tests state that story as
// properties of a simulated default day (40 agents), computed from the
// events.

// storyDays are the default day, normally staffed and with half the
// afternoon's agents missing, simulated once for the tests of this file.
var storyDays struct {
	once          sync.Once
	normal, short []*schemas.Event
	events        int
}

func story(t *testing.T) (normal, short []*schemas.Event) {
	t.Helper()
	storyDays.once.Do(func() {
		o := noFaults
		msgs, st := run(t, o)
		storyDays.normal, storyDays.events = decodeAll(t, msgs), st.Events
		o.Understaff = 0.5
		storyDays.short = decodeAll(t, mustRun(t, o))
	})
	if storyDays.normal == nil {
		t.Fatal("the story days did not simulate")
	}
	return storyDays.normal, storyDays.short
}

// waits are the inbound calls queued in [from, to) that are offered (short
// abandons left out), per queue: the waits of the answered and of the
// abandoned calls.
type waits struct {
	answered, abandoned map[string][]float64
}

func callWaits(evs []*schemas.Event, from, to time.Time) waits {
	w := waits{map[string][]float64{}, map[string][]float64{}}
	for _, e := range evs {
		c, ok := e.Data.(*schemas.CallEnded)
		if !ok || c.Direction != "inbound" || c.QueuedAt.Before(from) || !c.QueuedAt.Before(to) {
			continue
		}
		if c.AnsweredAt != nil {
			w.answered[c.Queue] = append(w.answered[c.Queue], c.AnsweredAt.Sub(*c.QueuedAt).Seconds())
		} else if wait := c.EndedAt.Sub(*c.QueuedAt).Seconds(); wait >= 5 {
			w.abandoned[c.Queue] = append(w.abandoned[c.Queue], wait)
		}
	}
	return w
}

func (w waits) all(abandoned bool) []float64 {
	m := w.answered
	if abandoned {
		m = w.abandoned
	}
	var out []float64
	for _, q := range DefaultQueues {
		out = append(out, m[q]...)
	}
	return out
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// Callers abandon when their wait exceeds their patience: the patience
// the events imply (the exponential estimate with answered calls as
// censored waits: time waited by every offered caller / abandons) is the
// queue's configured mean, abandoning callers waited a good part of it,
// and the abandon rate is the callers' mean wait over their patience.
func TestAbandonsFollowPatience(t *testing.T) {
	normal, short := story(t)
	from, to := DefaultStart, DefaultStart.Add(24*time.Hour)
	for _, c := range []struct {
		name string
		evs  []*schemas.Event
	}{{"normal", normal}, {"understaffed", short}} {
		w := callWaits(c.evs, from, to)
		waited, abandons, patience := 0.0, 0, 0.0
		for _, q := range DefaultQueues {
			waited += sum(w.answered[q]) + sum(w.abandoned[q])
			abandons += len(w.abandoned[q])
			patience += float64(len(w.abandoned[q])) * queueDefaults[q].patience
		}
		patience /= float64(abandons) // the configured mean, weighted as the abandons
		offered := len(w.all(false)) + abandons
		implied := waited / float64(abandons)
		rate, expected := float64(abandons)/float64(offered), waited/float64(offered)/patience
		med := median(w.all(true))
		t.Logf("%s: %d offered, %d abandoned (%.1f%%; mean wait / patience %.1f%%), implied patience %.0fs (configured %.0fs), median abandon wait %.0fs",
			c.name, offered, abandons, 100*rate, 100*expected, implied, patience, med)
		if abandons < 20 {
			t.Errorf("%s: only %d abandons", c.name, abandons)
			continue
		}
		if implied < patience/1.5 || implied > patience*1.5 {
			t.Errorf("%s: the events imply a patience of %.0fs, configured %.0fs", c.name, implied, patience)
		}
		if med < patience/8 || med > patience {
			t.Errorf("%s: abandoning callers waited a median %.0fs, patience %.0fs", c.name, med, patience)
		}
		if rate < expected/1.5 || rate > expected*1.5 {
			t.Errorf("%s: abandon rate %.3f, but mean wait / patience %.3f", c.name, rate, expected)
		}
	}
}

// Fewer agents mean longer waits and more abandons; with the normal
// roster the centre answers quickly and loses few callers.
func TestAbandonsRiseWithUnderstaffing(t *testing.T) {
	normal, short := story(t)
	from, to := DefaultStart, DefaultStart.Add(24*time.Hour)
	kN, kS := computeCalls(normal, from, to), computeCalls(short, from, to)
	asa := func(evs []*schemas.Event) float64 {
		a := callWaits(evs, from, to).all(false)
		return sum(a) / float64(len(a))
	}
	asaN, asaS := asa(normal), asa(short)
	t.Logf("normal: SL %.3f, abandon rate %.3f, ASA %.1fs; understaffed: SL %.3f, abandon rate %.3f, ASA %.1fs",
		kN.sl, kN.abandonRate, asaN, kS.sl, kS.abandonRate, asaS)
	if kN.abandonRate >= 0.10 || asaN >= 60 || kN.sl < 0.7 {
		t.Errorf("normal staffing: abandon rate %.3f, ASA %.1fs, SL %.3f: want < 10 %%, < 60 s, ≥ 70 %%", kN.abandonRate, asaN, kN.sl)
	}
	if kS.abandonRate < 1.5*kN.abandonRate || asaS <= asaN || kS.sl >= kN.sl {
		t.Errorf("understaffed: abandon rate %.3f, ASA %.1fs, SL %.3f against %.3f, %.1fs, %.3f: want worse on each",
			kS.abandonRate, asaS, kS.sl, kN.abandonRate, asaN, kN.sl)
	}
}

// emailDay follows the e-mails received in [from, to): their first
// response times (an e-mail not answered by to counts as never) and how
// many are still unanswered at to; and the agents' occupancy over the day.
type emailDay struct {
	received, open int
	frtMedian      float64 // seconds; +Inf when most are unanswered
	occupancy      float64
}

func emails(evs []*schemas.Event, from, to time.Time) emailDay {
	var d emailDay
	got := map[string]time.Time{}
	first := map[string]time.Time{}
	state := map[string]string{}
	since := map[string]time.Time{}
	spent := map[string]float64{}
	for _, e := range evs {
		switch x := e.Data.(type) {
		case *schemas.EmailReceived:
			if !x.ReceivedAt.Before(from) && x.ReceivedAt.Before(to) {
				got[x.EmailID] = x.ReceivedAt
			}
		case *schemas.EmailReplied:
			if _, ok := first[x.EmailID]; !ok && x.RepliedAt.Before(to) {
				first[x.EmailID] = x.RepliedAt
			}
		case *schemas.AgentState:
			if s, ok := state[x.AgentID]; ok && x.At.Before(to) {
				spent[s] += x.At.Sub(since[x.AgentID]).Seconds()
			}
			state[x.AgentID], since[x.AgentID] = x.State, x.At
		}
	}
	var frt []float64
	for id, r := range got {
		if f, ok := first[id]; ok {
			frt = append(frt, f.Sub(r).Seconds())
		} else {
			frt = append(frt, math.Inf(1))
			d.open++
		}
	}
	d.received, d.frtMedian = len(got), median(frt)
	work := spent["busy"] + spent["wrap"]
	d.occupancy = work / (work + spent["available"])
	return d
}

// The agents answer e-mails in the time calls leave them: with the normal
// roster an e-mail is answered within hours and few are open at the end of
// the day while agents are still idle part of the time; with agents
// missing, e-mails wait and pile up.
func TestEmailsFollowStaffing(t *testing.T) {
	normal, short := story(t)
	from, to := DefaultStart, DefaultStart.Add(24*time.Hour)
	eN, eS := emails(normal, from, to), emails(short, from, to)
	t.Logf("normal: %d e-mails, median first response %.1fh, %d open at the end, occupancy %.3f; understaffed: %d, %.1fh, %d open, occupancy %.3f",
		eN.received, eN.frtMedian/3600, eN.open, eN.occupancy, eS.received, eS.frtMedian/3600, eS.open, eS.occupancy)
	if eN.received < 100 || eN.frtMedian > 8*3600 || float64(eN.open) > 0.15*float64(eN.received) {
		t.Errorf("normal staffing: %d e-mails, median first response %.1fh, %d open: want hours and a small backlog", eN.received, eN.frtMedian/3600, eN.open)
	}
	if eN.occupancy < 0.55 || eN.occupancy > 0.95 {
		t.Errorf("normal staffing: occupancy %.3f, want 55-95 %%", eN.occupancy)
	}
	if eS.frtMedian <= 1.5*eN.frtMedian || eS.open < 3*max(eN.open, 10) {
		t.Errorf("understaffed: median first response %.1fh, %d open, against %.1fh, %d: want clearly longer and more",
			eS.frtMedian/3600, eS.open, eN.frtMedian/3600, eN.open)
	}
}

// A one-day run has churn to show: customers who churn that day, with
// contacts in the 30 days before (published before Start) and poor service
// among them, churn more often after poor service; and the history before
// Start is contacts and churns only, in a run not much larger than the
// day itself.
func TestOneDayHasChurnHistory(t *testing.T) {
	normal, _ := story(t)
	from, to := DefaultStart, DefaultStart.Add(24*time.Hour)
	k := computeChurn(normal, from, to)
	churnedAt := map[string]time.Time{}
	before := map[string]int{}
	for _, e := range normal {
		if !e.Time.Before(from) {
			continue
		}
		switch d := e.Data.(type) {
		case *schemas.CustomerChurned:
		case *schemas.EmailReceived, *schemas.EmailReplied:
		case *schemas.CallEnded:
			if d.Direction != "inbound" {
				t.Errorf("history: outbound call %s", d.CallID)
			}
		default:
			t.Errorf("history: %s event %s", e.Type, e.ID)
		}
		before[e.Type]++
	}
	contacts := map[string][]time.Time{}
	for _, e := range normal {
		switch d := e.Data.(type) {
		case *schemas.CustomerChurned:
			if !d.ChurnedAt.Before(from) && d.ChurnedAt.Before(to) {
				churnedAt[d.CustomerID] = d.ChurnedAt
			}
		case *schemas.CallEnded:
			if d.Direction == "inbound" && d.CustomerID != "" {
				contacts[d.CustomerID] = append(contacts[d.CustomerID], *d.QueuedAt)
			}
		case *schemas.EmailReceived:
			if d.CustomerID != "" {
				contacts[d.CustomerID] = append(contacts[d.CustomerID], d.ReceivedAt)
			}
		}
	}
	withPast := 0
	for c, at := range churnedAt {
		for _, x := range contacts[c] {
			if x.Before(from) && x.After(at.Add(-30*24*time.Hour)) {
				withPast++
				break
			}
		}
	}
	t.Logf("%d events (%v before Start); churned %d (%d with contacts in the 30 days before, %d after poor service), cohort %d (%d with poor service): exposed %.4f, unexposed %.4f",
		storyDays.events, before, k.churned, withPast, k.churnedPoor, k.cohort, k.cohortPoor, k.exposed, k.unexposed)
	if k.churned < 3 || withPast < k.churned/2 || k.churnedPoor == 0 {
		t.Errorf("churned %d, %d with a past, %d after poor service: want churn with a history and some poor service", k.churned, withPast, k.churnedPoor)
	}
	if k.exposed <= k.unexposed {
		t.Errorf("churn rate exposed %.4f, unexposed %.4f: want higher after poor service", k.exposed, k.unexposed)
	}
	if storyDays.events > 72000 {
		t.Errorf("a default day is %d events: the history makes it too large", storyDays.events)
	}
}
