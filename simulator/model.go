package simulator

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// evKind is the kind of a simulation event (not an output event).
type evKind uint8

const (
	evPlan         evKind = iota // x = day: roster changes and shifts of day x
	evCallArrival                // next inbound call of the Poisson stream
	evRedial                     // a = customer, x = queue: a caller tries again
	evAbandon                    // x = call: the caller's patience runs out
	evLogin                      // a = agent
	evShiftEnd                   // a = agent
	evAbsent                     // a = agent leaves early (Understaff)
	evBreak                      // a = agent, x = break length in seconds
	evBreakEnd                   // a = agent
	evTalkEnd                    // a = agent: a call ends, wrap follows
	evWrapEnd                    // a = agent
	evTaskEnd                    // a = agent: e-mail or unanswered dial done
	evEmailArrival               // next e-mail of the Poisson stream
	evFollowup                   // x = e-mail needing a second reply
	evWebCallback                // next web callback request
	evCbReady                    // x = callback may be attempted
	evCbDue                      // x = callback due
	evCbCancel                   // x = callback cancelled by the customer
	evCbWindow                   // callback hours open: dispatch waiting callbacks
	evChurn                      // a = customer churns
	evEmailEnd                   // a = agent: an e-mail reply is done
	evSlot                       // a new 15-minute interval: its staffing may free agents for e-mails
	evHistDay                    // x = day of the history begins
)

type simEv struct {
	t    int64
	seq  uint64
	kind evKind
	a, x int32
}

func (e *simEv) less(f *simEv) bool {
	if e.t != f.t {
		return e.t < f.t
	}
	return e.seq < f.seq
}

// Callback hours: agents dial customers only between these hours of day.
const (
	cbOpen  = 8 * hour
	cbClose = 20 * hour
)

type agentSt uint8

const (
	stOff agentSt = iota
	stIdle
	stBusy
	stWrap
	stBreak
)

type agent struct {
	id, team, site string
	skills         uint32 // queues served on day shifts
	cur            uint32 // queues served on the current shift
	next           uint32 // queues to serve on the next shift (night shifts serve all)
	joined         int64
	speed          float64
	left           bool
	from           int64 // may be scheduled from this time (joiners)
	lastEnd        int64 // end of the last planned shift
	shiftEnd       int64
	st             agentSt
	logout         bool
	breakMs        int64
	idleSince      int64
	wrapMs         int64
	lastState      string
	lastQueue      string
}

type call struct {
	q, cust  int32
	queued   int64
	answered bool
	done     bool
}

type queueSt struct {
	name  string
	p     queueParams
	wait  []int32 // FIFO of call indexes, abandoned ones skipped lazily
	head  int
	nWait int
	ready []int32 // callbacks that may be attempted now
}

type email struct {
	id       string
	q, cust  int32
	received int64
	replies  int8
}

type callback struct {
	id              string
	q, cust         int32
	requested, due  int64
	attempts        int8
	done, cancelled bool
	busy            bool // being attempted right now
}

type customer struct {
	id        string
	value     float64
	seg       string
	churned   bool
	sampled   bool  // its history is published
	scheduled bool  // churn event scheduled
	poorAt    int64 // last poor-service moment
	last3     [3]int64
	openCb    int32
	reason    string
}

type model struct {
	o    Options
	ctx  context.Context
	emit func(Message) error

	r, ri    *rand.Rand // model stream, injection stream
	now, end int64
	seq      uint64
	evq      heap[simEv, *simEv]
	out      heap[output, *output]
	rates    []dayRates // days -histDays..Days
	working  []int      // agents working each of those days

	agents    []*agent
	idle      []int32 // idle agents, in the order they became idle
	loggedIn  int     // agents logged in,
	onBreak   int     // of whom on a break
	onEmail   int     // or answering an e-mail
	queues    []queueSt
	qWeights  []float64
	calls     []call
	emails    []email
	emailQ    []int32
	emailHead int
	cbs       []callback
	custs     []customer
	recent    []int32
	recentN   int
	thrA      float64
	thrB      float64
	hist      []histContact // contacts before Start, until endHistory
	histDone  bool

	nCall, nOrder int
	idPrefix      string
	idBuf         []byte
	nEvents       int64
	emitted       int
	lastAt        time.Time
	stats         Stats
	byType        []int
}

func newModel(o Options) *model {
	m := &model{
		o:        o,
		r:        newRand(o.Seed, 1),
		ri:       newRand(o.Seed, 2),
		end:      int64(o.Days) * day,
		idPrefix: "sim-" + strconv.FormatInt(o.Seed, 10) + "-",
		byType:   make([]int, len(schemas.Types)+1),
		recent:   make([]int32, 0, 2048),
	}
	m.lastAt = o.Start.AddDate(0, 0, -histDays)
	for i, name := range o.Queues {
		p := queueDefaults[name]
		if p.weight == 0 {
			p = queueDefaults[DefaultQueues[i%len(DefaultQueues)]]
		}
		m.queues = append(m.queues, queueSt{name: name, p: p})
		m.qWeights = append(m.qWeights, p.weight)
	}
	// mean handle time of the mix, for sizing the arrivals
	tw, ta := 0.0, 0.0
	for _, q := range m.queues {
		tw += q.p.weight
		ta += q.p.weight * ((q.p.talk+0.3*40+q.p.wrap)*1.15 + q.p.transfer*75) // new agents, agent spread, transfers
	}
	aht := ta / tw
	for d := -histDays; d <= o.Days; d++ {
		w := int(math.Round(float64(o.Agents) * workFrac[m.weekday(d)] * (0.96 + 0.08*m.r.Float64())))
		m.working = append(m.working, max(w, 1))
		m.rates = append(m.rates, planRates(max(w, 1), aht))
	}
	return m
}

// queueParams are the traffic characteristics of a queue.
type queueParams struct {
	weight     float64 // share of calls and e-mails
	talk, wrap float64 // mean seconds for a tenured agent
	transfer   float64 // probability an answered call is transferred
	order      float64 // probability a call leads to an order
	emailOrder float64 // probability an e-mail leads to an order
	patience   float64 // mean seconds a queued caller waits before hanging up
	topics     []string
}

var queueDefaults = map[string]queueParams{
	"billing": {0.30, 230, 40, 0.05, 0.04, 0.02, 240, []string{"invoice", "payment", "refund"}},
	"orders":  {0.25, 280, 50, 0.04, 0.55, 0.35, 180, []string{"new_order", "change", "delivery"}},
	"support": {0.30, 260, 40, 0.07, 0.05, 0.03, 240, []string{"account", "complaint", "returns"}},
	"tech":    {0.15, 380, 55, 0.12, 0.01, 0.00, 300, []string{"login", "outage", "device"}},
}

func (m *model) run() error {
	m.initWorld()
	for d := 0; d <= m.o.Days; d++ {
		m.at(max(0, int64(d)*day-2*hour), evPlan, 0, int32(d))
		m.at(int64(d)*day+cbOpen, evCbWindow, 0, 0)
	}
	// Calls and e-mails arrive from the start of the history on.
	m.now = -histDays * day
	m.hist = make([]histContact, 0, m.expectedHistory()*11/10)
	for d := -histDays; d < 0; d++ {
		m.at(int64(d)*day, evHistDay, 0, int32(d))
	}
	m.at(m.nextArrival(m.now, callRates), evCallArrival, 0, 0)
	m.at(m.nextArrival(m.now, emailRates), evEmailArrival, 0, 0)
	m.at(m.nextArrival(0, webRates), evWebCallback, 0, 0)
	m.at(slotMs, evSlot, 0, 0)
	for m.evq.len() > 0 {
		e := m.evq.pop()
		if e.t >= m.end {
			break
		}
		if e.t >= 0 {
			if !m.histDone {
				m.now = 0
				m.endHistory()
			}
			if err := m.flush(e.t); err != nil {
				return err
			}
		}
		m.now = e.t
		m.handle(e)
	}
	if !m.histDone {
		m.endHistory()
	}
	if err := m.flush(math.MaxInt64); err != nil {
		return err
	}
	m.stats.ByType = map[string]int{}
	for i, ti := range schemas.Types {
		if m.byType[i] > 0 {
			m.stats.ByType[ti.Type] = m.byType[i]
		}
	}
	return nil
}

func callRates(r *dayRates) *[96]float64  { return &r.calls }
func emailRates(r *dayRates) *[96]float64 { return &r.emails }
func webRates(r *dayRates) *[96]float64   { return &r.web }

// at schedules a simulation event.
func (m *model) at(t int64, k evKind, a, x int32) {
	m.seq++
	m.evq.push(simEv{t: t, seq: m.seq, kind: k, a: a, x: x})
}

func (m *model) handle(e simEv) {
	switch e.kind {
	case evPlan:
		m.plan(int(e.x))
	case evCallArrival:
		if m.now < 0 {
			m.histCall()
		} else {
			m.arrive(m.pickQueue(), m.pickCustomer(), false)
		}
		m.at(m.nextArrival(m.now, callRates), evCallArrival, 0, 0)
	case evRedial:
		if !m.custs[e.a].churned {
			m.arrive(e.x, e.a, true)
		}
	case evAbandon:
		m.abandon(e.x)
	case evLogin:
		m.login(e.a)
	case evShiftEnd, evAbsent:
		a := m.agents[e.a]
		if a.st == stOff {
			return
		}
		a.logout = true
		if a.st == stIdle {
			m.unidle(e.a)
			m.free(e.a)
		}
	case evBreak:
		a := m.agents[e.a]
		if a.st == stOff || a.logout {
			return
		}
		a.breakMs += int64(e.x) * second
		if a.st == stIdle {
			m.unidle(e.a)
			m.free(e.a)
		}
	case evBreakEnd:
		m.onBreak--
		m.free(e.a)
	case evWrapEnd, evTaskEnd:
		m.free(e.a)
	case evTalkEnd:
		a := m.agents[e.a]
		if a.wrapMs > 0 {
			a.st = stWrap
			m.state(a, "wrap", a.lastQueue)
			m.at(m.now+a.wrapMs, evWrapEnd, e.a, 0)
			return
		}
		m.free(e.a)
	case evEmailArrival:
		if m.now < 0 {
			m.histEmail()
		} else {
			m.emailArrive()
		}
		m.at(m.nextArrival(m.now, emailRates), evEmailArrival, 0, 0)
	case evFollowup:
		m.emailQ = append(m.emailQ, e.x)
		m.dispatchEmail()
	case evWebCallback:
		m.requestCallback(m.pickQueue(), m.pickCustomer(), "web")
		m.at(m.nextArrival(m.now, webRates), evWebCallback, 0, 0)
	case evCbReady:
		cb := &m.cbs[e.x]
		if cb.done || cb.cancelled {
			return
		}
		q := &m.queues[cb.q]
		q.ready = append(q.ready, e.x)
		m.dispatchCallbacks()
	case evCbDue:
		cb := &m.cbs[e.x]
		if !cb.done && !cb.cancelled && cb.cust >= 0 {
			m.custs[cb.cust].poorAt = m.now
		}
	case evCbCancel:
		m.cancelCallback(e.x, "customer_cancelled")
	case evCbWindow:
		m.dispatchCallbacks()
	case evChurn:
		m.churn(e.a)
	case evEmailEnd:
		m.onEmail--
		m.free(e.a)
	case evHistDay:
		m.backgroundChurn(int(e.x))
	case evSlot:
		m.dispatchEmail()
		if t := m.now + slotMs; t < m.end {
			m.at(t, evSlot, 0, 0)
		}
	}
}

// --- agents ---------------------------------------------------------------

// state emits an agent.state event when the state or its queue changes.
func (m *model) state(a *agent, st, queue string) {
	if a.lastState == st && a.lastQueue == queue {
		return
	}
	a.lastState, a.lastQueue = st, queue
	m.send(m.now, &schemas.AgentState{AgentID: a.id, State: st, At: m.tm(m.now), Queue: queue})
}

func (m *model) login(ai int32) {
	a := m.agents[ai]
	if a.left || a.st != stOff {
		return
	}
	a.st = stBusy // not idle yet: free decides
	m.loggedIn++
	a.cur = a.next
	a.logout = false
	a.breakMs = 0
	a.lastQueue = ""
	a.lastState = "logged_in"
	m.free(ai)
}

// free gives an agent who finished something its next activity: logging
// out, a pending break, waiting work by priority, or idling.
func (m *model) free(ai int32) {
	a := m.agents[ai]
	if a.logout || a.left {
		a.st = stOff
		m.loggedIn--
		m.state(a, "logged_out", "")
		return
	}
	if a.breakMs > 0 {
		a.st = stBreak
		m.onBreak++
		m.state(a, "break", "")
		m.at(m.now+a.breakMs, evBreakEnd, ai, 0)
		a.breakMs = 0
		return
	}
	if m.takeCall(ai) || m.takeCallback(ai) || m.takeEmail(ai) {
		return
	}
	a.st = stIdle
	a.idleSince = m.now
	m.state(a, "available", "")
	m.idle = append(m.idle, ai)
}

func (m *model) unidle(ai int32) {
	for i, x := range m.idle {
		if x == ai {
			m.idle = slices.Delete(m.idle, i, i+1)
			return
		}
	}
}

// pickIdle returns the longest-idle agent that serves queue q (q < 0: any
// agent), or -1.
func (m *model) pickIdle(q int32) int32 {
	best, bi := int32(-1), -1
	for i, ai := range m.idle {
		a := m.agents[ai]
		if q >= 0 && a.cur&(1<<q) == 0 {
			continue
		}
		if best < 0 || a.idleSince < m.agents[best].idleSince {
			best, bi = ai, i
		}
	}
	if bi >= 0 {
		m.idle = slices.Delete(m.idle, bi, bi+1)
	}
	return best
}

// handleFactor slows down new agents.
func (m *model) handleFactor(a *agent) float64 {
	t := m.now - a.joined
	switch {
	case t < 90*day:
		return a.speed * 1.35
	case t < 365*day:
		return a.speed * 1.1
	}
	return a.speed
}

// --- calls ----------------------------------------------------------------

func (m *model) arrive(q, cust int32, redial bool) {
	qs := &m.queues[q]
	if !redial && qs.nWait >= 2 && m.r.Float64() < 0.25 {
		// the IVR offers a callback instead of a long wait
		m.requestCallback(q, cust, "ivr")
		return
	}
	ci := int32(len(m.calls))
	m.calls = append(m.calls, call{q: q, cust: cust, queued: m.now})
	if ai := m.pickIdle(q); ai >= 0 {
		m.answer(ai, ci)
		return
	}
	qs.wait = append(qs.wait, ci)
	qs.nWait++
	m.at(m.now+m.patience(&qs.p), evAbandon, 0, ci)
}

// patience draws how long a queued caller waits before hanging up (Erlang
// A): exponential with the queue's mean, except a few callers who hang up
// at once (misdials, a wrong menu choice: the short abandons).
func (m *model) patience(p *queueParams) int64 {
	if m.r.Float64() < shortAbandonShare {
		return 500 + m.r.Int64N(4000)
	}
	return int64(m.r.ExpFloat64() * p.patience * float64(second))
}

// shortAbandonShare is the share of queued callers who hang up within a
// few seconds whatever the wait.
const shortAbandonShare = 0.03

func (m *model) takeCall(ai int32) bool {
	a := m.agents[ai]
	bq, bc := -1, int32(-1)
	for qi := range m.queues {
		if a.cur&(1<<qi) == 0 {
			continue
		}
		q := &m.queues[qi]
		for q.head < len(q.wait) && m.calls[q.wait[q.head]].done {
			q.head++
		}
		if q.head > 1024 && q.head*2 > len(q.wait) {
			q.wait = append(q.wait[:0], q.wait[q.head:]...)
			q.head = 0
		}
		if q.head < len(q.wait) {
			if c := q.wait[q.head]; bc < 0 || m.calls[c].queued < m.calls[bc].queued {
				bq, bc = qi, c
			}
		}
	}
	if bc < 0 {
		return false
	}
	m.queues[bq].head++
	m.queues[bq].nWait--
	m.answer(ai, bc)
	return true
}

func (m *model) callID() string {
	m.nCall++
	return "call-" + strconv.FormatInt(m.o.Seed, 10) + "-" + strconv.Itoa(m.nCall)
}

func (m *model) answer(ai, ci int32) {
	a, c := m.agents[ai], &m.calls[ci]
	q := &m.queues[c.q]
	c.answered, c.done = true, true
	wait := m.now - c.queued
	f := m.handleFactor(a)
	talk := m.lognorm(q.p.talk*f, 0.55)
	transferred := m.r.Float64() < q.p.transfer
	if transferred {
		talk += 30 + 60*m.r.Float64()
	}
	hold := 0.0
	if m.r.Float64() < 0.3 {
		hold = m.lognorm(40, 0.7)
	}
	wrap := m.lognorm(q.p.wrap*f, 0.5)
	talkMs, holdMs, wrapMs := ms(talk), ms(hold), ms(wrap)
	end := m.now + talkMs + holdMs
	ev := &schemas.CallEnded{
		CallID: m.callID(), Direction: "inbound", Queue: q.name, CustomerID: m.custID(c.cust), AgentID: a.id,
		QueuedAt: m.tp(c.queued), AnsweredAt: m.tp(m.now), EndedAt: m.tm(end),
		TalkSec: sec(talkMs), HoldSec: sec(holdMs), WrapSec: sec(wrapMs), Transferred: transferred,
		Topic: q.p.topics[m.r.IntN(len(q.p.topics))],
	}
	if m.r.Float64() < 0.03 {
		ev.WrapSec = 0 // the ACD lost the wrap-up time
	}
	m.send(end, ev)
	if m.r.Float64() < q.p.order {
		ch := "phone"
		if x := m.r.Float64(); x < 0.08 {
			ch = "web"
		} else if x < 0.12 {
			ch = "other"
		}
		m.order(a, c.cust, ch, m.now+int64(float64(talkMs)*(0.15+0.45*m.r.Float64())))
	}
	if c.cust >= 0 {
		cu := &m.custs[c.cust]
		poor := wait > 120*second || transferred
		if poor {
			cu.poorAt = m.now
		}
		m.contact(c.cust, c.queued)
		if cu.openCb >= 0 && !m.cbs[cu.openCb].busy && m.r.Float64() < 0.5 {
			m.cancelCallbackAt(cu.openCb, "resolved_inbound", end)
		}
		m.maybeChurn(c.cust)
	}
	if m.r.Float64() < 0.03 {
		m.requestCallbackAt(c.q, c.cust, "agent", end)
	}
	a.st = stBusy
	m.state(a, "busy", q.name)
	a.wrapMs = wrapMs
	m.at(end, evTalkEnd, ai, 0)
}

func (m *model) abandon(ci int32) {
	c := &m.calls[ci]
	if c.done {
		return
	}
	c.done = true
	q := &m.queues[c.q]
	q.nWait--
	defer m.dispatchEmail()
	m.send(m.now, &schemas.CallEnded{
		CallID: m.callID(), Direction: "inbound", Queue: q.name, CustomerID: m.custID(c.cust),
		QueuedAt: m.tp(c.queued), EndedAt: m.tm(m.now),
	})
	wait := m.now - c.queued
	if c.cust < 0 || wait < 5*second {
		return
	}
	m.custs[c.cust].poorAt = m.now
	m.contact(c.cust, c.queued)
	if wait >= 20*second && m.r.Float64() < 0.3 {
		m.requestCallback(c.q, c.cust, "abandoned_call")
	} else if m.r.Float64() < 0.4 {
		m.at(m.now+minute+m.r.Int64N(20*minute), evRedial, c.cust, c.q)
	}
	m.maybeChurn(c.cust)
}

func (m *model) order(a *agent, cust int32, channel string, started int64) {
	m.nOrder++
	entry := ms(min(max(m.lognorm(110, 0.45), 40), 600))
	v := math.Round(m.lognorm(85, 0.9)*100) / 100
	m.send(started+entry, &schemas.OrderEntered{
		OrderID: "ord-" + strconv.FormatInt(m.o.Seed, 10) + "-" + strconv.Itoa(m.nOrder), AgentID: a.id,
		Channel: channel, CustomerID: m.custID(cust), StartedAt: m.tm(started), EnteredAt: m.tm(started + entry),
		Value: &v, Currency: "EUR",
	})
}

// --- e-mails --------------------------------------------------------------

func (m *model) emailArrive() {
	q, cust := m.pickQueue(), m.pickCustomer()
	ei := int32(len(m.emails))
	e := email{id: m.emailID(), q: q, cust: cust, received: m.now}
	m.emails = append(m.emails, e)
	qp := &m.queues[q].p
	m.send(m.now, &schemas.EmailReceived{EmailID: e.id, Queue: m.queues[q].name, CustomerID: m.custID(cust),
		ReceivedAt: m.tm(m.now), Topic: qp.topics[m.r.IntN(len(qp.topics))]})
	if cust >= 0 {
		m.contact(cust, m.now)
		m.maybeChurn(cust)
	}
	m.emailQ = append(m.emailQ, ei)
	m.dispatchEmail()
}

func (m *model) emailID() string {
	return "mail-" + strconv.FormatInt(m.o.Seed, 10) + "-" + strconv.Itoa(len(m.emails)+1)
}

// dispatchEmail hands waiting e-mails to idle agents while the phones keep
// the agents the calls need.
func (m *model) dispatchEmail() {
	for m.emailHead < len(m.emailQ) && len(m.idle) > 0 && m.spareForEmail() {
		if !m.takeEmail(m.pickIdle(-1)) {
			panic("simulator bug: an idle agent cannot take an e-mail")
		}
	}
}

// spareForEmail reports whether one more agent may leave the phones for an
// e-mail: the agents left on the phones (logged in, not on a break or an
// e-mail) still cover the Erlang C staffing of the current interval, and
// no call waits. E-mails thus use the time that staffing leaves idle: at
// night, in the evening and in the dips between peaks.
func (m *model) spareForEmail() bool {
	for i := range m.queues {
		if m.queues[i].nWait > 0 {
			return false
		}
	}
	d := floorDiv(m.now, day)
	need := m.dayRates(d).erlang[(m.now-d*day)/slotMs]
	return float64(m.loggedIn-m.onBreak-m.onEmail-1) >= need
}

// takeEmail gives agent ai the oldest waiting e-mail if one may leave the
// phones for it.
func (m *model) takeEmail(ai int32) bool {
	if m.emailHead >= len(m.emailQ) || !m.spareForEmail() {
		return false
	}
	ei := m.emailQ[m.emailHead]
	m.emailHead++
	if m.emailHead > 1024 && m.emailHead*2 > len(m.emailQ) {
		m.emailQ = append(m.emailQ[:0], m.emailQ[m.emailHead:]...)
		m.emailHead = 0
	}
	a, e := m.agents[ai], &m.emails[ei]
	q := &m.queues[e.q]
	handle := ms(m.lognorm(emailHandle*m.handleFactor(a), 0.6))
	done := m.now + handle
	ev := &schemas.EmailReplied{EmailID: e.id, AgentID: a.id, RepliedAt: m.tm(done)}
	if m.r.Float64() >= 0.02 {
		h := sec(handle)
		ev.HandleSec = &h
	}
	m.send(done, ev)
	e.replies++
	if e.replies == 1 {
		if m.r.Float64() < q.p.emailOrder {
			m.order(a, e.cust, "email", m.now+handle/3)
		}
		if m.r.Float64() < 0.07 {
			m.at(done+hour+m.r.Int64N(20*hour), evFollowup, 0, ei)
		}
	}
	a.st = stBusy
	m.state(a, "busy", q.name)
	m.onEmail++
	m.at(done, evEmailEnd, ai, 0)
	return true
}

// --- callbacks ------------------------------------------------------------

func (m *model) requestCallback(q, cust int32, origin string) {
	m.requestCallbackAt(q, cust, origin, m.now)
}

func (m *model) requestCallbackAt(q, cust int32, origin string, t int64) {
	if t >= m.end {
		return
	}
	if cust >= 0 && m.custs[cust].openCb >= 0 {
		return // one open callback per customer is enough
	}
	var due, ready int64
	switch origin {
	case "web":
		due, ready = t+4*hour, t+m.r.Int64N(2*hour)
	case "agent":
		nd := m.nextBusinessDay(t)
		due, ready = nd+17*hour, nd+9*hour+m.r.Int64N(2*hour)
	default: // ivr, abandoned_call
		due, ready = t+2*hour, t+5*minute+m.r.Int64N(10*minute)
	}
	if h := ready % day; h < cbOpen {
		ready = ready - h + cbOpen + m.r.Int64N(30*minute)
	} else if h >= cbClose {
		ready = ready - h + day + cbOpen + m.r.Int64N(30*minute)
	}
	ci := int32(len(m.cbs))
	cb := callback{id: "cb-" + strconv.FormatInt(m.o.Seed, 10) + "-" + strconv.Itoa(len(m.cbs)+1), q: q, cust: cust, requested: t, due: due}
	m.cbs = append(m.cbs, cb)
	m.send(t, &schemas.CallbackRequested{CallbackID: cb.id, Queue: m.queues[q].name, CustomerID: m.custID(cust),
		RequestedAt: m.tm(t), DueAt: m.tm(due), Origin: origin})
	if cust >= 0 {
		m.custs[cust].openCb = ci
	}
	m.at(ready, evCbReady, 0, ci)
	m.at(due, evCbDue, 0, ci)
	if m.r.Float64() < 0.05 {
		m.at(t+10*minute+m.r.Int64N(3*hour), evCbCancel, 0, ci)
	}
}

func (m *model) nextBusinessDay(t int64) int64 {
	d := int(t/day) + 1
	for wd := m.weekday(d); wd == time.Saturday || wd == time.Sunday; wd = m.weekday(d) {
		d++
	}
	return int64(d) * day
}

func (m *model) cancelCallback(ci int32, reason string) { m.cancelCallbackAt(ci, reason, m.now) }

func (m *model) cancelCallbackAt(ci int32, reason string, t int64) {
	cb := &m.cbs[ci]
	if cb.done || cb.cancelled || cb.busy {
		return
	}
	cb.cancelled = true
	if cb.cust >= 0 && m.custs[cb.cust].openCb == ci {
		m.custs[cb.cust].openCb = -1
	}
	m.send(t, &schemas.CallbackCancelled{CallbackID: cb.id, CancelledAt: m.tm(t), Reason: reason})
}

func inCallbackHours(t int64) bool {
	h := t % day
	return h >= cbOpen && h < cbClose
}

// dispatchCallbacks hands waiting callbacks to idle agents.
func (m *model) dispatchCallbacks() {
	if !inCallbackHours(m.now) {
		return
	}
	for i := 0; i < len(m.idle); {
		ai := m.idle[i]
		m.idle = slices.Delete(m.idle, i, i+1)
		if !m.takeCallback(ai) {
			m.idle = slices.Insert(m.idle, i, ai)
			i++
		}
	}
}

func (m *model) takeCallback(ai int32) bool {
	if !inCallbackHours(m.now) {
		return false
	}
	a := m.agents[ai]
	bq, bi := -1, -1
	for qi := range m.queues {
		if a.cur&(1<<qi) == 0 || len(m.queues[qi].ready) == 0 || !m.spare(ai, qi) {
			continue
		}
		q := &m.queues[qi]
		for i := 0; i < len(q.ready); {
			cb := &m.cbs[q.ready[i]]
			if cb.done || cb.cancelled {
				q.ready[i] = q.ready[len(q.ready)-1]
				q.ready = q.ready[:len(q.ready)-1]
				continue
			}
			if bi < 0 || cb.due < m.cbs[m.queues[bq].ready[bi]].due ||
				cb.due == m.cbs[m.queues[bq].ready[bi]].due && q.ready[i] < m.queues[bq].ready[bi] {
				bq, bi = qi, i
			}
			i++
		}
	}
	if bi < 0 {
		return false
	}
	q := &m.queues[bq]
	ci := q.ready[bi]
	q.ready[bi] = q.ready[len(q.ready)-1]
	q.ready = q.ready[:len(q.ready)-1]
	m.attempt(ai, ci)
	return true
}

// spare reports whether another agent stays idle for calls of queue q if
// agent ai dials a callback: callbacks wait while inbound is under pressure.
func (m *model) spare(ai int32, q int) bool {
	for _, x := range m.idle {
		if x != ai && m.agents[x].cur&(1<<q) != 0 {
			return true
		}
	}
	return false
}

func (m *model) attempt(ai, ci int32) {
	a, cb := m.agents[ai], &m.cbs[ci]
	q := &m.queues[cb.q]
	cb.attempts++
	x := m.r.Float64()
	if cb.attempts > 1 {
		x *= 1.1
	}
	result := "reached"
	switch {
	case x >= 0.95:
		result = "failed"
	case x >= 0.85:
		result = "busy"
	case x >= 0.62:
		result = "no_answer"
	}
	m.send(m.now, &schemas.CallbackAttempted{CallbackID: cb.id, AgentID: a.id, AttemptedAt: m.tm(m.now), Result: result})
	a.st = stBusy
	m.state(a, "busy", q.name)
	if result == "reached" {
		cb.done = true
		if cb.cust >= 0 && m.custs[cb.cust].openCb == ci {
			m.custs[cb.cust].openCb = -1
		}
		f := m.handleFactor(a)
		ring := 5*second + m.r.Int64N(10*second)
		talkMs, wrapMs := ms(m.lognorm(160*f, 0.5)), ms(m.lognorm(35*f, 0.5))
		end := m.now + ring + talkMs
		m.send(end, &schemas.CallEnded{CallID: m.callID(), Direction: "outbound", Queue: q.name,
			CustomerID: m.custID(cb.cust), AgentID: a.id, AnsweredAt: m.tp(m.now + ring), EndedAt: m.tm(end),
			TalkSec: sec(talkMs), WrapSec: sec(wrapMs), CallbackID: cb.id, Topic: q.p.topics[m.r.IntN(len(q.p.topics))]})
		if m.r.Float64() < q.p.order/2 {
			m.order(a, cb.cust, "phone", m.now+ring+talkMs/2)
		}
		a.wrapMs = wrapMs
		m.at(end, evTalkEnd, ai, 0)
		return
	}
	dur := 3 * second
	if result != "failed" {
		dur = 20*second + m.r.Int64N(20*second)
		m.send(m.now+dur, &schemas.CallEnded{CallID: m.callID(), Direction: "outbound", Queue: q.name,
			CustomerID: m.custID(cb.cust), AgentID: a.id, EndedAt: m.tm(m.now + dur), CallbackID: cb.id})
	}
	if cb.attempts >= 3 {
		if m.r.Float64() < 0.7 {
			m.cancelCallbackAt(ci, "unreachable", m.now+dur)
		} // else it stays open until someone notices
	} else {
		m.at(m.now+dur+30*minute+m.r.Int64N(60*minute), evCbReady, 0, ci)
	}
	m.at(m.now+dur, evTaskEnd, ai, 0)
}

// --- customers ------------------------------------------------------------

func (m *model) custID(c int32) string {
	if c < 0 {
		return ""
	}
	return m.custs[c].id
}

// pickCustomer returns who is contacting: now and then an anonymous
// caller, often someone who contacted recently, else anyone.
func (m *model) pickCustomer() int32 {
	x := m.r.Float64()
	if x < 0.07 {
		return -1
	}
	if x < 0.20 && len(m.recent) > 0 {
		if c := m.recent[m.r.IntN(len(m.recent))]; !m.custs[c].churned {
			return c
		}
	}
	for range 8 {
		if c := int32(m.r.IntN(len(m.custs))); !m.custs[c].churned {
			return c
		}
	}
	return -1
}

func (m *model) pickQueue() int32 {
	tw := 0.0
	for _, w := range m.qWeights {
		tw += w
	}
	x := m.r.Float64() * tw
	for i, w := range m.qWeights {
		if x -= w; x < 0 {
			return int32(i)
		}
	}
	return int32(len(m.qWeights) - 1)
}

// contact records a contact of customer c at time t.
func (m *model) contact(c int32, t int64) {
	cu := &m.custs[c]
	cu.last3[0], cu.last3[1], cu.last3[2] = cu.last3[1], cu.last3[2], t
	if len(m.recent) < cap(m.recent) {
		m.recent = append(m.recent, c)
	} else {
		m.recent[m.recentN%len(m.recent)] = c
	}
	m.recentN++
}

// maybeChurn decides after a contact whether the customer will leave; poor
// service in the last 30 days makes it ten times as likely.
func (m *model) maybeChurn(c int32) {
	cu := &m.custs[c]
	if cu.churned || cu.scheduled {
		return
	}
	poor := cu.poorAt > m.now-30*day || cu.last3[0] > m.now-30*day
	p := 0.002
	if poor {
		p = 0.02
	}
	if cu.seg == "A" {
		p *= 0.7
	}
	if m.r.Float64() >= p {
		return
	}
	cu.scheduled = true
	cu.reason = []string{"price", "competitor", "moved"}[m.r.IntN(3)]
	if poor && m.r.Float64() < 0.6 {
		cu.reason = "service"
	}
	m.at(m.now+6*hour+m.r.Int64N(10*day), evChurn, c, 0)
}

func (m *model) churn(c int32) {
	cu := &m.custs[c]
	if cu.churned {
		return
	}
	cu.churned = true
	v := cu.value
	m.send(m.now, &schemas.CustomerChurned{CustomerID: cu.id, ChurnedAt: m.tm(m.now), AnnualValue: &v, Currency: "EUR", Reason: cu.reason})
	if cu.openCb >= 0 {
		m.cancelCallback(cu.openCb, "customer_churned")
	}
}

// --- helpers --------------------------------------------------------------

func (m *model) tm(t int64) time.Time     { return m.o.Start.Add(time.Duration(t) * time.Millisecond) }
func (m *model) tp(t int64) *time.Time    { x := m.tm(t); return &x }
func (m *model) timeOf(t int64) time.Time { return m.tm(t) }

// lognorm draws a lognormal value with the given mean and shape sigma.
func (m *model) lognorm(mean, sigma float64) float64 {
	return math.Exp(math.Log(mean) - sigma*sigma/2 + sigma*m.r.NormFloat64())
}

func ms(s float64) int64  { return int64(math.Round(s * 1000)) }
func sec(t int64) float64 { return float64(t) / 1000 }
