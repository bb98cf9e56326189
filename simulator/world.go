package simulator

import (
	"fmt"
	"math"
	"slices"

	"github.com/frontline-oss/frontline/schemas"
)

// Shift starts, relative to midnight of the day planned: a night shift that
// starts the evening before, then every half hour from 05:00 to 15:00.
var shiftStarts = func() []int64 {
	s := []int64{-2 * hour}
	for t := 5 * hour; t <= 15*hour; t += 30 * minute {
		s = append(s, t)
	}
	return s
}()

// customersPerAgent sizes the customer pool to the traffic.
const customersPerAgent = 1000

// initWorld creates the roster, with its events at Start, and the customer
// pool.
func (m *model) initWorld() {
	for i := range m.o.Agents {
		m.newAgent(-m.r.Int64N(730*day), i)
	}
	n := m.o.Agents * customersPerAgent
	m.custs = make([]customer, n)
	vals := make([]float64, n)
	for i := range m.custs {
		v := math.Round(min(120/math.Pow(1-m.r.Float64(), 1/1.2), 500000)*100) / 100
		vals[i] = v
		m.custs[i] = customer{id: fmt.Sprintf("cust-%06d", i+1), value: v, poorAt: math.MinInt64 / 2,
			last3: [3]int64{math.MinInt64 / 2, math.MinInt64 / 2, math.MinInt64 / 2}, openCb: -1,
			sampled: m.r.Float64() < histSample}
	}
	slices.Sort(vals)
	total := 0.0
	for _, v := range vals {
		total += v
	}
	cum := 0.0
	m.thrA, m.thrB = math.Inf(1), math.Inf(1)
	for i := len(vals) - 1; i >= 0; i-- {
		cum += vals[i]
		if cum <= 0.8*total {
			m.thrA = vals[i]
		}
		if cum <= 0.95*total {
			m.thrB = vals[i]
		}
	}
	// the customer records are sent at Start, when the history ends
}

func (m *model) updateCustomer(c int32, t int64) {
	cu := &m.custs[c]
	switch {
	case cu.value >= m.thrA:
		cu.seg = "A"
	case cu.value >= m.thrB:
		cu.seg = "B"
	default:
		cu.seg = "C"
	}
	v := cu.value
	m.send(t, &schemas.CustomerUpdated{CustomerID: cu.id, At: m.tm(t), Segment: cu.seg, AnnualValue: &v, Currency: "EUR"})
}

// newAgent adds an agent who joined at joined (ms since Start, negative
// before it); its roster event is sent at max(joined, now).
func (m *model) newAgent(joined int64, i int) {
	nq := len(m.queues)
	var skills uint32
	primary := i
	if i >= nq {
		primary = int(m.pickQueue())
	}
	skills |= 1 << primary
	for _, p := range []float64{0.85, 0.5} {
		if m.r.Float64() < p {
			skills |= 1 << m.pickQueue()
		}
	}
	site := "site-a"
	if m.r.Float64() < 0.3 {
		site = "site-b"
	}
	a := &agent{
		id:      fmt.Sprintf("agent-%03d", len(m.agents)+1),
		team:    "team-" + m.queues[primary].name,
		site:    site,
		skills:  skills,
		joined:  joined,
		speed:   m.lognorm(1, 0.12),
		from:    max(joined, 0),
		lastEnd: math.MinInt64 / 4,
	}
	m.agents = append(m.agents, a)
	t := max(joined, m.now)
	m.send(t, &schemas.AgentRoster{AgentID: a.id, Change: "joined", At: m.tm(joined), Team: a.team, Site: a.site})
	a.lastState = "logged_out"
	m.send(t, &schemas.AgentState{AgentID: a.id, State: "logged_out", At: m.tm(t)})
}

// plan runs at 22:00 the evening before day d (at Start for the first
// day): roster changes, customer updates, background churn and the shifts
// of day d.
func (m *model) plan(d int) {
	base := int64(d) * day
	if d >= 1 && d < m.o.Days {
		m.turnover(d)
		pool := float64(len(m.custs))
		for range m.poisson(pool * 0.002) {
			c := int32(m.r.IntN(len(m.custs)))
			if m.custs[c].churned {
				continue
			}
			m.custs[c].value = math.Round(m.custs[c].value*m.lognorm(1, 0.25)*100) / 100
			m.updateCustomer(c, base+6*hour+m.r.Int64N(14*hour))
		}
	}
	if d < m.o.Days {
		m.backgroundChurn(d)
	}
	m.schedule(d)
}

func (m *model) turnover(d int) {
	base := int64(d) * day
	for i := range len(m.agents) {
		a := m.agents[i]
		if a.left || a.st != stOff || a.lastEnd > m.now || m.r.Float64() >= 0.002 {
			continue
		}
		a.left = true
		m.send(base+10*hour+m.r.Int64N(8*hour), &schemas.AgentRoster{AgentID: a.id, Change: "left",
			At: m.tm(base + 18*hour), Team: a.team, Site: a.site})
		m.newAgent(base+8*hour+m.r.Int64N(hour), len(m.agents))
		m.agents[len(m.agents)-1].from = base + day
	}
}

// schedule assigns the agents working day d to shifts, greedily covering
// a requirement shaped like the call curve.
func (m *model) schedule(d int) {
	base := int64(d) * day
	var eligible []int32
	for i, a := range m.agents {
		if !a.left && a.from <= base {
			eligible = append(eligible, int32(i))
		}
	}
	m.r.Shuffle(len(eligible), func(i, j int) { eligible[i], eligible[j] = eligible[j], eligible[i] })
	working := eligible[:min(m.working[d+histDays], len(eligible))]
	// The requirement is the agents planned (calls and e-mails) in each slot
	// the shifts reach (from 22:00 the evening before), breaks included.
	var req, cov [96]float64
	for j := range req {
		t := base - 2*hour + int64(j)*slotMs
		dd := floorDiv(t, day)
		req[j] = m.dayRates(dd).need[(t-dd*day)/slotMs] / productive
	}
	all := uint32(1)<<len(m.queues) - 1
	assign := func(ai int32, s int64) {
		a := m.agents[ai]
		j0 := int((s - (-2 * hour)) / slotMs)
		for j := j0; j < min(j0+shiftSlots, 96); j++ {
			cov[j]++
		}
		start := base + s
		a.next = a.skills
		if s < 0 {
			a.next = all
		}
		a.lastEnd = start + shiftMs
		if d == 0 && m.o.Understaff > 0 && start+shiftMs > 12*hour && m.r.Float64() < m.o.Understaff {
			if start >= 12*hour {
				return // does not come in
			}
			m.at(12*hour+m.r.Int64N(15*minute), evAbsent, ai, 0)
		}
		m.at(max(m.now, start-3*minute+m.r.Int64N(8*minute)), evLogin, ai, 0)
		m.at(start+shiftMs, evShiftEnd, ai, 0)
		for _, b := range [...]struct{ at, secs int64 }{{2 * hour, 900}, {4 * hour, 1800}, {6*hour + 30*minute, 900}} {
			m.at(start+b.at-10*minute+m.r.Int64N(20*minute), evBreak, ai, int32(b.secs))
		}
	}
	rested := func(ai int32, s int64) bool { return m.agents[ai].lastEnd+8*hour <= base+s }
	// The night shift first: few agents can take it (they must be rested by
	// 22:00), so it is not left to whoever comes last.
	night := 0.0
	for j := range shiftSlots {
		night += req[j] / float64(shiftSlots)
	}
	nightAgents := map[int32]bool{}
	for _, ai := range working {
		if len(nightAgents) < int(math.Round(night)) && rested(ai, -2*hour) {
			nightAgents[ai] = true
			assign(ai, -2*hour)
		}
	}
	for _, ai := range working {
		if nightAgents[ai] {
			continue
		}
		best, bestV, first := int64(0), 0.0, true
		for _, s := range shiftStarts {
			if !rested(ai, s) {
				continue
			}
			// least squares: the shift that most reduces Σ (req − cov)²
			j0 := int((s + 2*hour) / slotMs)
			v := 0.0
			for j := j0; j < min(j0+shiftSlots, 96); j++ {
				v += 2*(req[j]-cov[j]) - 1
			}
			if first || v > bestV {
				first = false
				best, bestV = s, v
			}
		}
		if !first {
			assign(ai, best)
		}
	}
}

// backgroundChurn schedules the churns of day d that follow no contact
// (customers who move, or leave for a price).
func (m *model) backgroundChurn(d int) {
	for range m.poisson(float64(len(m.custs)) * 0.00003) {
		c := int32(m.r.IntN(len(m.custs)))
		if cu := &m.custs[c]; !cu.churned && !cu.scheduled {
			cu.scheduled = true
			cu.reason = []string{"price", "competitor", "moved"}[m.r.IntN(3)]
			m.at(int64(d)*day+m.r.Int64N(day), evChurn, c, 0)
		}
	}
}

// poisson draws a Poisson-distributed count with mean l.
func (m *model) poisson(l float64) int {
	if l > 50 {
		return max(0, int(math.Round(l+math.Sqrt(l)*m.r.NormFloat64())))
	}
	n, p := 0, m.r.Float64()
	for e := math.Exp(-l); p > e; n++ {
		p *= m.r.Float64()
	}
	return n
}
