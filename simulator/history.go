package simulator

import (
	"math"
	"slices"

	"github.com/frontline-oss/frontline/schemas"
)

// The history: the look-back KPIs of the first simulated days (the churn
// section's 30 days of service before a churn, the repeat-contact window)
// need contacts from before Start. The model therefore begins histDays
// before Start with the customers' contacts only: the same arrival streams
// of calls and e-mails, sized to the roster of those days, but no agents,
// queues or callbacks. Each history call draws its wait from a normally
// staffed centre (histQueued of the callers queue, for an exponential wait
// of mean histWait) and its caller's patience from the queue, so it is
// answered, abandoned or a short abandon as in the simulated days; each
// e-mail is answered after some hours. Poor service and contacts feed the
// customers' churn decisions exactly as later on, so the customers who
// churn in the first simulated days are the ones the history made leave.
//
// Publishing the whole history would more than double a one-day run, so
// what is sent at its time, before Start, is the history of the customers
// whose churn falls in the simulated days and of a sample (histSample) of
// the others; the customers left out start the simulated days without a
// past, in the model as in the events. E-mails still unanswered at Start
// are the agents' first backlog. The churn rates of the first 30 days are
// measured on a cohort that holds every churner but only the sampled share
// of the other customers with past contacts, so they are over-stated by up
// to 1/histSample; their ratio (the lift of poor service) is not.
const (
	histSample = 0.25
	histQueued = 0.30     // share of history callers who wait at all
	histWait   = 35.0     // seconds: mean wait of those who do
	histFRT    = 2 * hour // median first response of a history e-mail
)

// histContact is a contact of the history, published at the end of it if
// its customer is kept.
type histContact struct {
	t                int64 // queued or received
	cust             int32
	q                int32
	agent            int32
	email            bool
	answered         bool
	transferred      bool
	topic            int8
	wait             int64 // answered or abandoned after, ms
	talk, hold, wrap int64
	reply, handle    int64 // e-mail: replied at (0 or later: not yet), handle ms
}

// expectedHistory is about how many contacts the history will have.
func (m *model) expectedHistory() int {
	n := 0.0
	for d := -histDays; d < 0; d++ {
		r := m.dayRates(int64(d))
		for k := range slotsPerDay {
			n += (r.calls[k] + r.emails[k]) * float64(slotMs)
		}
	}
	return int(n)
}

// histCall is an inbound call of the history.
func (m *model) histCall() {
	q, c := m.pickQueue(), m.pickCustomer()
	p := &m.queues[q].p
	wait := int64(0)
	if m.r.Float64() < histQueued {
		wait = int64(m.r.ExpFloat64() * histWait * float64(second))
	}
	patience := m.patience(p)
	if c < 0 || wait > patience && patience < 5*second {
		return // anonymous or a short abandon: not a contact
	}
	h := histContact{t: m.now, cust: c, q: q, topic: int8(m.r.IntN(len(p.topics)))}
	cu := &m.custs[c]
	if wait > patience {
		h.wait = patience
		cu.poorAt = m.now
	} else {
		h.answered, h.wait = true, wait
		h.agent = m.histAgent()
		f := m.handleFactor(m.agents[h.agent])
		talk := m.lognorm(p.talk*f, 0.55)
		if h.transferred = m.r.Float64() < p.transfer; h.transferred {
			talk += 30 + 60*m.r.Float64()
		}
		h.talk = ms(talk)
		if m.r.Float64() < 0.3 {
			h.hold = ms(m.lognorm(40, 0.7))
		}
		h.wrap = ms(m.lognorm(p.wrap*f, 0.5))
		if wait > 120*second || h.transferred {
			cu.poorAt = m.now
		}
	}
	m.hist = append(m.hist, h)
	m.contact(c, m.now)
	m.maybeChurn(c)
}

// histEmail is an e-mail of the history.
func (m *model) histEmail() {
	q, c := m.pickQueue(), m.pickCustomer()
	if c < 0 {
		return
	}
	p := &m.queues[q].p
	frt := int64(m.lognorm(float64(histFRT), 0.8))
	m.hist = append(m.hist, histContact{t: m.now, cust: c, q: q, email: true, agent: m.histAgent(),
		topic: int8(m.r.IntN(len(p.topics))), reply: m.now + frt, handle: ms(m.lognorm(emailHandle, 0.6))})
	m.contact(c, m.now)
	m.maybeChurn(c)
}

// histAgent picks an agent who was on the roster at the current time.
func (m *model) histAgent() int32 {
	for {
		if ai := int32(m.r.IntN(len(m.agents))); m.agents[ai].joined <= m.now {
			return ai
		}
	}
}

// endHistory publishes the history of the kept customers, at its times
// (before Start), forgets that of the others, and sends the customer
// records at Start.
func (m *model) endHistory() {
	m.histDone = true
	keep := func(c int32) bool {
		cu := &m.custs[c]
		return cu.sampled || cu.scheduled && !cu.churned
	}
	n := len(m.custs)
	for i := range m.hist {
		if keep(m.hist[i].cust) {
			n += 2
		}
	}
	m.out.s = slices.Grow(m.out.s, n)
	for i := range m.hist {
		h := &m.hist[i]
		if !keep(h.cust) {
			continue
		}
		q := &m.queues[h.q]
		topic := q.p.topics[h.topic]
		if h.email {
			ei := int32(len(m.emails))
			e := email{id: m.emailID(), q: h.q, cust: h.cust, received: h.t, replies: 1}
			m.emails = append(m.emails, e)
			m.sendAt(h.t, &schemas.EmailReceived{EmailID: e.id, Queue: q.name, CustomerID: m.custID(h.cust),
				ReceivedAt: m.tm(h.t), Topic: topic})
			if h.reply >= 0 {
				m.emails[ei].replies = 0
				m.emailQ = append(m.emailQ, ei) // the agents' first backlog
				continue
			}
			hs := sec(h.handle)
			m.sendAt(h.reply, &schemas.EmailReplied{EmailID: e.id, AgentID: m.agents[h.agent].id,
				RepliedAt: m.tm(h.reply), HandleSec: &hs})
			continue
		}
		ev := &schemas.CallEnded{CallID: m.callID(), Direction: "inbound", Queue: q.name,
			CustomerID: m.custID(h.cust), QueuedAt: m.tp(h.t), EndedAt: m.tm(h.t + h.wait), Topic: topic}
		if h.answered {
			end := h.t + h.wait + h.talk + h.hold
			ev.AgentID, ev.AnsweredAt, ev.EndedAt = m.agents[h.agent].id, m.tp(h.t+h.wait), m.tm(end)
			ev.TalkSec, ev.HoldSec, ev.WrapSec, ev.Transferred = sec(h.talk), sec(h.hold), sec(h.wrap), h.transferred
		} else {
			ev.Topic = ""
		}
		m.sendAt(ev.EndedAt.Sub(m.o.Start).Milliseconds(), ev)
	}
	m.hist = nil
	// The customers left out have no past, in the model as in the events.
	none := [3]int64{math.MinInt64 / 2, math.MinInt64 / 2, math.MinInt64 / 2}
	for i := range m.custs {
		if !keep(int32(i)) && !m.custs[i].churned {
			m.custs[i].poorAt, m.custs[i].last3 = math.MinInt64/2, none
		}
	}
	recent := m.recent[:0]
	for _, c := range m.recent {
		if keep(c) {
			recent = append(recent, c)
		}
	}
	m.recent, m.recentN = recent, len(recent)
	for i := range m.custs {
		if !m.custs[i].churned {
			m.updateCustomer(int32(i), 0)
		}
	}
}

// sendAt queues an event at its time, even before the simulation clock
// (the history is published when it ends).
func (m *model) sendAt(at int64, d schemas.Data) {
	if at >= m.end {
		return
	}
	m.seq++
	m.out.push(output{at: at, seq: m.seq, data: d})
}
