package report

// An independent reading of docs/kpis.md: the report computed in Go from
// the events themselves (decoded with schemas.Decode, the first valid
// event of an id kept, as the collector does), without SQL, without the
// rollups and without the binder — each call and e-mail measured by its
// queue's own thresholds, in hours by its queue's opening hours in the
// queue's time zone. TestReferenceAcrossDST pits it against BuildReport on
// simulated weeks in Europe/Warsaw around the two changes of the clocks of
// 2026, with opening hours and a holiday.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/report/reporttest"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// referenceConfig: a Warsaw centre open weekdays 08:00–20:00 and Saturday
// mornings, closed on two (made-up) holidays; billing answers from London,
// 07:00–22:00 every day, at 30 s with 8 s short abandons and a 4-hour
// e-mail SLA and its own service-level target.
const referenceConfig = `timezone: Europe/Warsaw
targets:
  default: {service_level: 0.8, max_abandon_rate: 0.05}
  billing: {service_level: 0.7, sl_threshold: 30s, email_sla: 4h}
queues:
  default:
    hours: {mon-fri: "08:00-20:00", sat: "09:00-14:00"}
    holidays: [2026-03-27, 2026-10-23]
  billing:
    timezone: Europe/London
    hours: {mon-sun: "07:00-22:00"}
    holidays: []
    short_abandon: 8s
`

// TestReferenceAcrossDST: the SQL report equals the reference on local
// days, several days, a window that is not whole days and a queue, in the
// weeks of 2026-03-29 (23 hours) and 2026-10-25 (25 hours).
func TestReferenceAcrossDST(t *testing.T) {
	c, err := kpi.ParseConfig([]byte(referenceConfig))
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	waw := c.Zone
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, waw); return d }
	at := func(s string) time.Time { d, _ := time.Parse(time.RFC3339, s); return d }
	// Both weeks in one store, decoded together as the collector reads them
	// (an id seen in the first is a duplicate in the second): seven months
	// apart, beyond every look-back.
	scenarios := []struct {
		start   time.Time
		seed    int64
		windows [][3]any // from, to, queue
	}{
		{time.Date(2026, 3, 26, 0, 0, 0, 0, time.UTC), 7, [][3]any{
			{day("2026-03-29"), day("2026-03-30"), ""},
			{day("2026-03-27"), day("2026-03-30"), ""},
			{day("2026-03-29"), day("2026-03-30"), "billing"},
			{at("2026-03-29T01:30:00+01:00"), at("2026-03-29T09:00:00+02:00"), ""},
		}},
		{time.Date(2026, 10, 22, 0, 0, 0, 0, time.UTC), 8, [][3]any{
			{day("2026-10-25"), day("2026-10-26"), ""},
			{day("2026-10-23"), day("2026-10-26"), "support"},
		}},
	}
	var buf bytes.Buffer
	for _, sc := range scenarios {
		if _, err := simulator.New(simulator.Options{Start: sc.start, Days: 4, Agents: 20, Seed: sc.seed}).Run(context.Background(),
			func(m simulator.Message) error {
				buf.Write(m.Value)
				buf.WriteByte('\n')
				return nil
			}); err != nil {
			t.Fatal(err)
		}
	}
	events := decodeEvents(t, buf.Bytes())
	s := storetest.New(t)
	eventtest.Load(t, s, buf.Bytes())
	for _, sc := range scenarios {
		var inHours, closed int64
		for _, w := range sc.windows {
			from, to, queue := w[0].(time.Time), w[1].(time.Time), w[2].(string)
			r, err := BuildReport(context.Background(), s, from, to, queue, c)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(r)
			want, _ := json.Marshal(reference(events, from, to, queue, c))
			diffs, err := reporttest.Diff(got, want)
			if err != nil {
				t.Fatal(err)
			}
			name := from.Format(time.RFC3339) + " – " + to.Format(time.RFC3339) + " " + queue
			if len(diffs) > 0 {
				t.Errorf("%s: the report differs from the reading of kpis.md (%d):\n  %s", name, len(diffs), strings.Join(diffs, "\n  "))
			}
			inHours, closed = inHours+r.Calls.Offered, closed+r.Calls.OutOfHours.Offered
		}
		if inHours == 0 || closed == 0 {
			t.Errorf("%s: %d calls offered in hours, %d out of hours: the scenario tests only one side", sc.start, inHours, closed)
		}
	}
}

// decodeEvents decodes JSONL as the collector does: invalid lines are
// skipped, and of the events with one id the first valid one is kept.
// Times are kept to the millisecond, as the store keeps them.
func decodeEvents(t *testing.T, data []byte) []*schemas.Event {
	t.Helper()
	seen := map[string]bool{}
	var out []*schemas.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		e, err := schemas.Decode(sc.Bytes())
		if err != nil || seen[e.ID] {
			continue
		}
		seen[e.ID] = true
		out = append(out, e)
	}
	if len(out) < 1000 {
		t.Fatalf("%d events decoded", len(out))
	}
	return out
}

// refCall is an inbound call judged by its queue's thresholds and hours.
type refCall struct {
	e                                       *schemas.CallEnded
	queued                                  int64
	wait                                    float64
	answered, short, abandoned, inHours, sl bool
	handle                                  float64
}

// refContact is a contact of a customer (kpis.md "contacts").
type refContact struct {
	customer, queue string
	t               int64
}

// ms is a moment in Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

// sec is a span of milliseconds in seconds.
func sec(d int64) float64 { return float64(d) / 1000 }

// mean is the mean of xs, nil when empty.
func mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	m := s / float64(len(xs))
	return &m
}

// quantile is the type-7 quantile p of xs (kpis.md), nil when empty.
func quantile(xs []float64, p float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	x := append([]float64(nil), xs...)
	sort.Float64s(x)
	h := float64(len(x)-1) * p
	lo := math.Floor(h)
	v := x[int(lo)]
	if int(lo)+1 < len(x) {
		v += (h - lo) * (x[int(lo)+1] - x[int(lo)])
	}
	return &v
}

// ratio is a / b, nil when b is 0.
func ratio(a, b float64) *float64 {
	if b == 0 {
		return nil
	}
	r := a / b
	return &r
}

// reference is the report of kpis.md for [from, to) and queue ("" = all),
// read from the events with c.
func reference(events []*schemas.Event, from, to time.Time, queue string, c kpi.Config) *Report {
	f, t0 := ms(from), ms(to)
	zone := c.ZoneOf(queue)
	r := &Report{From: from.In(zone), To: to.In(zone), TimeZone: zone.String(), Queue: queue, Currency: c.Currency, Queues: []QueueStats{}}
	if queue != "" {
		r.CentreWide = CentreWide
	}
	inQueue := func(q string) bool { return queue == "" || q == queue }

	// Calls: each inbound call by its queue's thresholds and hours.
	var calls []refCall
	for _, ev := range events {
		e, ok := ev.Data.(*schemas.CallEnded)
		if !ok || e.Direction != "inbound" || e.QueuedAt == nil {
			continue
		}
		q := c.Queue(e.Queue)
		end := e.EndedAt
		if e.AnsweredAt != nil {
			end = *e.AnsweredAt
		}
		x := refCall{e: e, queued: ms(*e.QueuedAt), answered: e.AnsweredAt != nil, inHours: q.Open(*e.QueuedAt),
			handle: e.TalkSec + e.HoldSec + e.WrapSec}
		x.wait = sec(ms(end) - x.queued)
		x.short = !x.answered && x.wait < q.ShortAbandon.Seconds()
		x.abandoned = !x.answered && !x.short
		x.sl = x.answered && x.wait <= q.SLThreshold.Seconds()
		calls = append(calls, x)
	}
	figures := func(cs []refCall) (CallStats, []float64) {
		var s CallStats
		var answered, handles, abandonWaits []float64
		var inSL, transfers int64
		for _, x := range cs {
			switch {
			case !x.inHours && x.answered:
				s.OutOfHours.Answered++
			case !x.inHours && x.abandoned:
				s.OutOfHours.Abandoned++
			case !x.inHours && x.short:
				s.OutOfHours.ShortAbandoned++
			case x.answered:
				s.Answered++
				answered = append(answered, x.wait)
				handles = append(handles, x.handle)
				if x.sl {
					inSL++
				}
				if x.e.Transferred {
					transfers++
				}
			case x.abandoned:
				s.Abandoned++
				abandonWaits = append(abandonWaits, x.wait)
			default:
				s.ShortAbandoned++
			}
		}
		s.OutOfHours.Offered = s.OutOfHours.Answered + s.OutOfHours.Abandoned
		s.Offered = s.Answered + s.Abandoned
		s.ServiceLevel = ratio(float64(inSL), float64(s.Offered))
		s.AbandonRate = ratio(float64(s.Abandoned), float64(s.Offered))
		s.ASASec, s.WaitP90Sec, s.AHTSec = mean(answered), quantile(answered, 0.9), mean(handles)
		s.AbandonTimeMeanSec = mean(abandonWaits)
		s.TransferRate = ratio(float64(transfers), float64(s.Answered))
		return s, answered
	}
	var window []refCall
	byQueue := map[string][]refCall{}
	for _, x := range calls {
		if x.queued >= f && x.queued < t0 && inQueue(x.e.Queue) {
			window = append(window, x)
			byQueue[x.e.Queue] = append(byQueue[x.e.Queue], x)
		}
	}
	r.Calls, _ = figures(window)
	for _, ev := range events {
		if e, ok := ev.Data.(*schemas.CallEnded); ok && e.Direction == "outbound" && ms(e.EndedAt) >= f && ms(e.EndedAt) < t0 && inQueue(e.Queue) {
			r.Calls.Outbound++
		}
	}
	var names []string
	for q := range byQueue {
		names = append(names, q)
	}
	sort.Strings(names)
	for _, name := range names {
		s, _ := figures(byQueue[name])
		q := c.Queue(name)
		r.Queues = append(r.Queues, QueueStats{Queue: name, Offered: s.Offered, Answered: s.Answered, Abandoned: s.Abandoned,
			ServiceLevel: s.ServiceLevel, AbandonRate: s.AbandonRate, ASASec: s.ASASec, AHTSec: s.AHTSec,
			AbandonTimeMeanSec: s.AbandonTimeMeanSec, OutOfHoursOffered: s.OutOfHours.Offered,
			SLThresholdSec: q.SLThreshold.Seconds(), ShortAbandonSec: q.ShortAbandon.Seconds(),
			ServiceLevelTarget: q.ServiceLevel, MaxAbandonRate: q.MaxAbandonRate,
			ServiceLevelStatus: judge(s.ServiceLevel, q.ServiceLevel, q.WarningBand, true),
			AbandonRateStatus:  judge(s.AbandonRate, q.MaxAbandonRate, q.WarningBand, false)})
	}

	// E-mails: the first reply before `to`, the SLA of the e-mail's queue.
	firstReply := map[string]int64{}
	for _, ev := range events {
		if e, ok := ev.Data.(*schemas.EmailReplied); ok && ms(e.RepliedAt) < t0 {
			if v, seen := firstReply[e.EmailID]; !seen || ms(e.RepliedAt) < v {
				firstReply[e.EmailID] = ms(e.RepliedAt)
			}
		}
	}
	emailQueues := map[string][]string{}
	var frts []float64
	for _, ev := range events {
		e, ok := ev.Data.(*schemas.EmailReceived)
		if !ok {
			continue
		}
		emailQueues[e.EmailID] = append(emailQueues[e.EmailID], e.Queue)
		rcv := ms(e.ReceivedAt)
		if rcv >= t0 || !inQueue(e.Queue) {
			continue
		}
		reply, replied := firstReply[e.EmailID]
		if !replied {
			r.Emails.Backlog++
		}
		if rcv < f {
			continue
		}
		r.Emails.Received++
		sla := c.Queue(e.Queue).EmailSLA.Seconds()
		switch frt := sec(reply - rcv); {
		case replied:
			r.Emails.Replied++
			frts = append(frts, frt)
			if frt <= sla {
				r.Emails.SLAMet++
			} else {
				r.Emails.SLABreached++
			}
		case sec(t0-rcv) > sla:
			r.Emails.SLABreached++
		}
	}
	r.Emails.SLAPending = r.Emails.Received - r.Emails.SLAMet - r.Emails.SLABreached
	r.Emails.FRTMeanSec, r.Emails.FRTP90Sec = mean(frts), quantile(frts, 0.9)
	r.Emails.SLARate = ratio(float64(r.Emails.SLAMet), float64(r.Emails.SLAMet+r.Emails.SLABreached))
	var handles []float64
	for _, ev := range events {
		e, ok := ev.Data.(*schemas.EmailReplied)
		if !ok || ms(e.RepliedAt) < f || ms(e.RepliedAt) >= t0 || e.HandleSec == nil {
			continue
		}
		if queue == "" || contains(emailQueues[e.EmailID], queue) {
			handles = append(handles, *e.HandleSec)
		}
	}
	r.Emails.HandleMeanSec = mean(handles)

	// Orders, centre-wide.
	var entries []float64
	for _, ev := range events {
		if e, ok := ev.Data.(*schemas.OrderEntered); ok && ms(e.EnteredAt) >= f && ms(e.EnteredAt) < t0 {
			r.Orders.Entered++
			entries = append(entries, sec(ms(e.EnteredAt)-ms(e.StartedAt)))
			if e.Value != nil {
				r.Orders.Value += *e.Value
			}
		}
	}
	r.Orders.EntryMeanSec, r.Orders.EntryP90Sec = mean(entries), quantile(entries, 0.9)

	// Callbacks: their state at `to` from their events before it.
	cbs := callbackStates(events, t0)
	var latencies []float64
	var attempts, met, missed int64
	for _, cb := range cbs {
		if !inQueue(cb.queue) {
			continue
		}
		open := !cb.cancelled && !cb.completed
		overdue := open && cb.due < t0
		if open {
			r.Callbacks.Open++
			r.Callbacks.OldestOpenAgeSec = math.Max(r.Callbacks.OldestOpenAgeSec, sec(t0-cb.requested))
		}
		if overdue {
			r.Callbacks.Overdue++
		}
		if cb.requested < f {
			continue
		}
		r.Callbacks.Requested++
		switch {
		case cb.cancelled:
			r.Callbacks.Cancelled++
		case cb.completed:
			r.Callbacks.Completed++
			latencies = append(latencies, sec(cb.reach-cb.requested))
			attempts += cb.attemptsToReach
			if cb.reach <= cb.due {
				met++
			} else {
				missed++
			}
		case overdue:
			missed++
		}
	}
	r.Callbacks.LatencyMeanSec, r.Callbacks.LatencyP50Sec, r.Callbacks.LatencyP90Sec = mean(latencies), quantile(latencies, 0.5), quantile(latencies, 0.9)
	r.Callbacks.SLARate = ratio(float64(met), float64(met+missed))
	r.Callbacks.AttemptsPerCompleted = ratio(float64(attempts), float64(r.Callbacks.Completed))

	// Contacts: answered or abandoned calls (any hours) and e-mails of a
	// customer, looked up in every queue.
	var contacts []refContact
	for _, x := range calls {
		if x.e.CustomerID != "" && (x.answered || x.abandoned) {
			contacts = append(contacts, refContact{x.e.CustomerID, x.e.Queue, x.queued})
		}
	}
	for _, ev := range events {
		if e, ok := ev.Data.(*schemas.EmailReceived); ok && e.CustomerID != "" {
			contacts = append(contacts, refContact{e.CustomerID, e.Queue, ms(e.ReceivedAt)})
		}
	}
	byCustomer := map[string][]int64{}
	for _, x := range contacts {
		if x.t < t0 {
			byCustomer[x.customer] = append(byCustomer[x.customer], x.t)
		}
	}
	rw := c.Params.RepeatWindow.Milliseconds()
	var repeats, resolved int64
	for _, x := range contacts {
		if x.t < f || x.t >= t0 || !inQueue(x.queue) {
			continue
		}
		r.Contacts.Contacts++
		var prev, next *int64
		for _, u := range byCustomer[x.customer] {
			if u < x.t && (prev == nil || u > *prev) {
				prev = &u
			}
			if u > x.t && (next == nil || u < *next) {
				next = &u
			}
		}
		if prev != nil && *prev >= x.t-rw {
			repeats++
		}
		if next == nil || *next >= min(x.t+rw, t0) {
			resolved++
		}
	}
	r.Contacts.RepeatRate = ratio(float64(repeats), float64(r.Contacts.Contacts))
	r.Contacts.FCRRate = ratio(float64(resolved), float64(r.Contacts.Contacts))

	r.Agents = referenceAgents(events, calls, f, t0, c, func(x refCall) bool { return inQueue(x.e.Queue) && x.inHours && x.answered })
	r.Churn = referenceChurn(events, calls, contacts, cbs, f, t0, c)

	// Judged against the report's target.
	tq := c.Queue(queue)
	threshold := func(v func(kpi.Queue) time.Duration) *float64 {
		s := v(tq).Seconds()
		if queue == "" {
			for _, q := range r.Queues {
				if v(c.Queue(q.Queue)).Seconds() != s {
					return nil
				}
			}
		}
		return &s
	}
	overdue := kpi.OK
	if r.Callbacks.Overdue > 0 {
		overdue = kpi.Breach
	}
	r.Targets = Judgements{WarningBand: tq.WarningBand,
		ServiceLevel: Judged{Target: tq.ServiceLevel, Status: judge(r.Calls.ServiceLevel, tq.ServiceLevel, tq.WarningBand, true),
			ThresholdSec: threshold(func(q kpi.Queue) time.Duration { return q.SLThreshold })},
		AbandonRate: Judged{Target: tq.MaxAbandonRate, Status: judge(r.Calls.AbandonRate, tq.MaxAbandonRate, tq.WarningBand, false)},
		CallbackSLA: Judged{Target: tq.CallbackSLA, Status: judge(r.Callbacks.SLARate, tq.CallbackSLA, tq.WarningBand, true)},
		EmailSLA: Judged{Target: tq.EmailSLARate, Status: judge(r.Emails.SLARate, tq.EmailSLARate, tq.WarningBand, true),
			ThresholdSec: threshold(func(q kpi.Queue) time.Duration { return q.EmailSLA })},
		CallbacksOverdue: Judged{Status: overdue}}
	return r
}

// judge is kpis.md "Targets": ok when met, warning when missed by less than
// band × target, breach beyond; nothing to judge without a value.
func judge(v *float64, target, band float64, atLeast bool) kpi.Status {
	switch {
	case v == nil || target <= 0:
		return kpi.NoData
	case atLeast && *v >= target, !atLeast && *v <= target:
		return kpi.OK
	case atLeast && *v >= target*(1-band), !atLeast && *v <= target*(1+band):
		return kpi.Warning
	}
	return kpi.Breach
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// callback is one request with its state at `to`.
type callback struct {
	id, queue, customer  string
	requested, due       int64
	reach, cancel        int64 // valid with hasReach, hasCancel
	hasReach, hasCancel  bool
	cancelled, completed bool
	attemptsToReach      int64
}

// callbackStates reads kpis.md "callbacks": only events before t0 count; a
// callback cancelled before its first reached attempt is cancelled, one
// reached and not cancelled first is completed.
func callbackStates(events []*schemas.Event, t0 int64) []callback {
	reach, cancel := map[string]int64{}, map[string]int64{}
	var attempts = map[string][]int64{}
	for _, ev := range events {
		switch e := ev.Data.(type) {
		case *schemas.CallbackAttempted:
			if a := ms(e.AttemptedAt); a < t0 {
				attempts[e.CallbackID] = append(attempts[e.CallbackID], a)
				if v, ok := reach[e.CallbackID]; e.Result == "reached" && (!ok || a < v) {
					reach[e.CallbackID] = a
				}
			}
		case *schemas.CallbackCancelled:
			if x := ms(e.CancelledAt); x < t0 {
				if v, ok := cancel[e.CallbackID]; !ok || x < v {
					cancel[e.CallbackID] = x
				}
			}
		}
	}
	var out []callback
	for _, ev := range events {
		e, ok := ev.Data.(*schemas.CallbackRequested)
		if !ok || ms(e.RequestedAt) >= t0 {
			continue
		}
		cb := callback{id: e.CallbackID, queue: e.Queue, customer: e.CustomerID, requested: ms(e.RequestedAt), due: ms(e.DueAt)}
		cb.reach, cb.hasReach = reach[e.CallbackID]
		cb.cancel, cb.hasCancel = cancel[e.CallbackID]
		cb.cancelled = cb.hasCancel && (!cb.hasReach || cb.cancel < cb.reach)
		cb.completed = !cb.cancelled && cb.hasReach
		for _, a := range attempts[e.CallbackID] {
			if !cb.hasReach || a <= cb.reach {
				cb.attemptsToReach++
			}
		}
		out = append(out, cb)
	}
	return out
}

// referenceAgents reads kpis.md "agents" (states and roster centre-wide;
// the calls of the AHT split are those split keeps).
func referenceAgents(events []*schemas.Event, calls []refCall, f, t0 int64, c kpi.Config, split func(refCall) bool) AgentStats {
	var a AgentStats
	type state struct {
		at    int64
		id    string
		state string
	}
	byAgent := map[string][]state{}
	type change struct {
		at     int64
		change string
	}
	roster := map[string][]change{}
	for _, ev := range events {
		switch e := ev.Data.(type) {
		case *schemas.AgentState:
			if ms(e.At) < t0 {
				byAgent[e.AgentID] = append(byAgent[e.AgentID], state{ms(e.At), ev.ID, e.State})
			}
		case *schemas.AgentRoster:
			if ms(e.At) < t0 {
				roster[e.AgentID] = append(roster[e.AgentID], change{ms(e.At), e.Change})
			}
		}
	}
	var busy, ready, staffed float64
	for _, ss := range byAgent {
		sort.Slice(ss, func(i, j int) bool { return ss[i].at < ss[j].at || ss[i].at == ss[j].at && ss[i].id < ss[j].id })
		for i, s := range ss {
			end := t0
			if i+1 < len(ss) {
				end = min(ss[i+1].at, t0)
			}
			d := sec(max(end-max(s.at, f), 0))
			switch s.state {
			case "busy", "wrap":
				busy += d
				ready += d
			case "available":
				ready += d
			}
			if s.state != "logged_out" {
				staffed += d
			}
		}
	}
	a.Occupancy = ratio(busy, ready)
	a.StaffedHours = staffed / 3600
	var onFrom, onTo int64
	joined := map[string]int64{}
	for agent, cs := range roster {
		last := func(before int64) string {
			best, at := "", int64(math.MinInt64)
			for _, x := range cs {
				if x.at < before && x.at >= at {
					best, at = x.change, x.at
				}
			}
			return best
		}
		if last(f) == "joined" {
			onFrom++
		}
		if last(t0) == "joined" {
			onTo++
		}
		for _, x := range cs {
			if x.change == "left" && x.at >= f {
				a.Leavers++
			}
			if v, ok := joined[agent]; x.change == "joined" && (!ok || x.at < v) {
				joined[agent] = x.at
			}
		}
	}
	a.Headcount = onTo
	a.TurnoverRate = ratio(float64(a.Leavers), float64(onFrom+onTo)/2)
	var newH, tenured []float64
	for _, x := range calls {
		if x.queued < f || x.queued >= t0 || !split(x) {
			continue
		}
		j, ok := joined[x.e.AgentID]
		if !ok {
			continue
		}
		if sec(ms(*x.e.AnsweredAt)-j) < c.Params.TenureNew.Seconds() {
			newH = append(newH, x.handle)
		} else {
			tenured = append(tenured, x.handle)
		}
	}
	a.AHTNewSec, a.AHTTenuredSec = mean(newH), mean(tenured)
	return a
}

// referenceChurn reads kpis.md "churn".
func referenceChurn(events []*schemas.Event, calls []refCall, contacts []refContact, cbs []callback, f, t0 int64, c kpi.Config) ChurnStats {
	var ch ChurnStats
	p := c.Params
	lookback := p.ChurnLookback.Milliseconds()
	// Poor service on its own: each incident counts for [at, at + lookback).
	incidents := map[string][]int64{}
	for _, x := range calls {
		poor := x.answered && (x.wait > p.LongWait.Seconds() || x.e.Transferred) || x.abandoned
		if poor && x.e.CustomerID != "" && x.queued < t0 {
			incidents[x.e.CustomerID] = append(incidents[x.e.CustomerID], x.queued)
		}
	}
	for _, cb := range cbs {
		missed := (!cb.hasReach || cb.reach > cb.due) && (!cb.hasCancel || cb.cancel >= cb.due)
		if missed && cb.customer != "" && cb.due <= t0 {
			incidents[cb.customer] = append(incidents[cb.customer], cb.due)
		}
	}
	firstChurn, churnValue, churnedBefore := map[string]int64{}, map[string]*float64{}, map[string]bool{}
	type update struct {
		at    int64
		value float64
	}
	updates := map[string][]update{}
	for _, ev := range events {
		switch e := ev.Data.(type) {
		case *schemas.CustomerChurned:
			x := ms(e.ChurnedAt)
			if x >= t0 {
				continue
			}
			churnedBefore[e.CustomerID] = true
			if x >= f {
				if v, ok := firstChurn[e.CustomerID]; !ok || x < v {
					firstChurn[e.CustomerID], churnValue[e.CustomerID] = x, e.AnnualValue
				}
			}
		case *schemas.CustomerUpdated:
			if e.AnnualValue != nil && ms(e.At) <= t0 {
				updates[e.CustomerID] = append(updates[e.CustomerID], update{ms(e.At), *e.AnnualValue})
			}
		}
	}
	contactsOf := map[string][]int64{}
	for _, x := range contacts {
		contactsOf[x.customer] = append(contactsOf[x.customer], x.t)
	}
	members := map[string]int64{} // customer → the moment judged at
	for cust, at := range firstChurn {
		members[cust] = at
	}
	for cust, ts := range contactsOf {
		if _, churned := firstChurn[cust]; churned || churnedBefore[cust] {
			continue
		}
		for _, x := range ts {
			if x > t0-lookback && x < t0 {
				members[cust] = t0
				break
			}
		}
	}
	var poorN, churnedPoor, notPoorN, churnedNotPoor float64
	for cust, moment := range members {
		_, churned := firstChurn[cust]
		poor := false
		for _, x := range incidents[cust] {
			poor = poor || x <= moment && moment < x+lookback
		}
		n := 0
		for _, x := range contactsOf[cust] {
			if x > moment-lookback && x <= moment && x < t0 {
				n++
			}
		}
		poor = poor || n >= p.RepeatContacts
		value := 0.0
		if v := churnValue[cust]; churned && v != nil {
			value = *v
		} else {
			best := int64(math.MinInt64)
			for _, u := range updates[cust] {
				if u.at <= moment && u.at > best {
					best, value = u.at, u.value
				}
			}
		}
		switch {
		case churned && poor:
			ch.Churned++
			ch.ChurnedAfterPoorService++
			ch.RevenueLost += value
			ch.RevenueLostAfterPoorService += value
			poorN++
			churnedPoor++
		case churned:
			ch.Churned++
			ch.RevenueLost += value
			notPoorN++
			churnedNotPoor++
		case poor:
			ch.CustomersAtRisk++
			ch.RevenueAtRisk += value
			poorN++
		default:
			notPoorN++
		}
	}
	ch.ChurnRateExposed, ch.ChurnRateUnexposed = ratio(churnedPoor, poorN), ratio(churnedNotPoor, notPoorN)
	if ch.ChurnRateExposed != nil && ch.ChurnRateUnexposed != nil && *ch.ChurnRateUnexposed != 0 {
		ch.Lift = ratio(*ch.ChurnRateExposed, *ch.ChurnRateUnexposed)
	}
	return ch
}
