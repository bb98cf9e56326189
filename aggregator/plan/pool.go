package plan

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/aggregator/erlang"
	"github.com/frontline-oss/frontline/kpi"
)

// Pool is a group of queues that the same agents serve, planned as one:
// Erlang on their summed calls for the strictest of their targets, the
// deferred work added, and the heads to schedule rounded once for the
// pool — not once per queue, which at night turned 0.2 calls into two
// agents for each of four queues.
type Pool struct {
	// Name is the pool's queues joined by "+".
	Name   string   `json:"pool"`
	Queues []string `json:"queues"`
	// SkillGroups are the sets of the pool's queues that agents served in
	// the history (from their agent-state events), with how many agents
	// served each set.
	SkillGroups []SkillGroup `json:"skill_groups"`
	// ServiceLevel and ThresholdSec are the strictest target of the
	// pool's queues: every call waits in the same line.
	ServiceLevel float64      `json:"service_level"`
	ThresholdSec float64      `json:"sl_sec"`
	Model        erlang.Model `json:"model"`
	// PatienceSec is the calls-weighted patience of the queues (Erlang A
	// when every queue with calls has one).
	PatienceSec float64        `json:"patience_sec,omitempty"`
	Intervals   []PoolInterval `json:"intervals"`
	Totals      Totals         `json:"totals"`
	// PeakScheduled is the most heads the pool needs in an interval.
	PeakScheduled int `json:"peak_scheduled"`
}

// SkillGroup is one set of queues and the agents seen serving exactly it.
type SkillGroup struct {
	Queues []string `json:"queues"`
	Agents int      `json:"agents"`
}

// PoolInterval is one interval of a pool. RequiredAgents, WorkingAgents
// and Gap are agents on queue work (after shrinkage); ScheduledAgents are
// heads, shrinkage included.
type PoolInterval struct {
	Start          time.Time `json:"interval_start"`
	Open           bool      `json:"open"`
	ForecastCalls  float64   `json:"forecast_calls"`
	ForecastAHTSec float64   `json:"forecast_aht_sec"`
	TrafficErlangs float64   `json:"traffic_erlangs"`
	// QueueAgents is the sum of the queues' phone agents each planned
	// alone, beside PhoneAgents, the pool's: what pooling saves.
	QueueAgents int `json:"queue_agents"`
	PhoneAgents int `json:"phone_agents"`
	// DeferredAgents are the agents the e-mails and callbacks keep busy.
	DeferredAgents float64 `json:"deferred_agents"`
	// RequiredAgents = PhoneAgents + DeferredAgents.
	RequiredAgents float64 `json:"required_agents"`
	// ScheduledAgents = ⌈RequiredAgents / (1 − shrinkage)⌉: heads to
	// schedule, what a roster covers.
	ScheduledAgents int     `json:"scheduled_agents"`
	StaffedAgents   float64 `json:"staffed_agents"`
	WorkingAgents   float64 `json:"working_agents"`
	// Gap = WorkingAgents − RequiredAgents.
	Gap float64 `json:"gap"`
	// ExpectedSL is the service level the working agents, less those the
	// deferred work takes, give the forecast calls (Erlang, a fractional
	// number of agents as the mix of its two neighbours); nil without
	// calls or staffing.
	ExpectedSL *float64 `json:"expected_sl"`
	Status     Status   `json:"status"`
}

// pool groups the planned queues into pools (Options.Pool) and plans each.
func (p *Planner) pool(pl *Plan, skills []skillRow, f planFrame) ([]Pool, error) {
	idx := map[string]int{}
	parent := make([]int, len(pl.Queues))
	for i, q := range pl.Queues {
		idx[q.Queue], parent[i] = i, i
	}
	var root func(i int) int
	root = func(i int) int {
		if parent[i] != i {
			parent[i] = root(parent[i])
		}
		return parent[i]
	}
	groups := map[string]int{}
	for _, r := range skills {
		var in []int
		for _, q := range r.Queues {
			if i, ok := idx[q]; ok {
				in = append(in, i)
			}
		}
		if len(in) == 0 {
			continue
		}
		names := make([]string, len(in))
		for k, i := range in {
			names[k] = pl.Queues[i].Queue
		}
		groups[strings.Join(names, "+")]++
		if p.o.Pool == PoolSkills {
			for _, i := range in[1:] {
				parent[root(i)] = root(in[0])
			}
		}
	}
	if p.o.Pool == PoolAll {
		for i := range parent {
			parent[root(i)] = root(0)
		}
	}
	var order []int
	members := map[int][]int{}
	for i := range pl.Queues {
		r := root(i)
		if members[r] == nil {
			order = append(order, r)
		}
		members[r] = append(members[r], i)
	}
	var pools []Pool
	for _, r := range order {
		po, err := p.planPool(pl, members[r], groups, f)
		if err != nil {
			return nil, err
		}
		pools = append(pools, *po)
	}
	return pools, nil
}

// planPool plans the pool of the queues qs (indexes into pl.Queues) and
// gives each queue its share.
func (p *Planner) planPool(pl *Plan, qs []int, groups map[string]int, f planFrame) (*Pool, error) {
	po := &Pool{Model: erlang.ErlangCModel}
	eo := p.o.Erlang
	eo.Shrinkage = 0
	eo.Target, eo.ThresholdSec = 0, math.Inf(1)
	band := 1.0
	var patienceCalls, patienceSum, calls float64
	for _, i := range qs {
		q := &pl.Queues[i]
		po.Queues = append(po.Queues, q.Queue)
		eo.Target = max(eo.Target, q.ServiceLevel)
		eo.ThresholdSec = min(eo.ThresholdSec, q.ThresholdSec)
		band = min(band, p.o.KPI.Queue(q.Queue).Target.WarningBand)
		var c float64
		for _, it := range q.Intervals {
			c += it.ForecastCalls
		}
		calls += c
		if q.PatienceSec > 0 {
			patienceCalls += c
			patienceSum += c * q.PatienceSec
		}
	}
	po.Name = strings.Join(po.Queues, "+")
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		in := strings.Split(g, "+")
		if !slices.ContainsFunc(in, func(q string) bool { return !slices.Contains(po.Queues, q) }) {
			po.SkillGroups = append(po.SkillGroups, SkillGroup{Queues: in, Agents: groups[g]})
		}
	}
	if patienceCalls > 0 && patienceCalls >= calls {
		eo.PatienceSec = patienceSum / patienceCalls
		po.Model, po.PatienceSec = erlang.ErlangAModel, eo.PatienceSec
	} else {
		eo.PatienceSec, eo.MaxAbandon = 0, 0
	}
	po.ServiceLevel, po.ThresholdSec = eo.Target, eo.ThresholdSec
	target := kpi.Target{ServiceLevel: eo.Target, WarningBand: band}
	ivSec := f.iv.Seconds()
	for k := range pl.Queues[qs[0]].Intervals {
		pi := PoolInterval{Start: pl.Queues[qs[0]].Intervals[k].Start}
		var handle float64
		for _, i := range qs {
			it := pl.Queues[i].Intervals[k]
			pi.Open = pi.Open || it.Open
			pi.ForecastCalls += it.ForecastCalls
			handle += it.ForecastCalls * it.ForecastAHTSec
			pi.QueueAgents += it.RequiredAgents
			pi.DeferredAgents += it.DeferredAgents
			pi.StaffedAgents += it.StaffedAgents
			pi.WorkingAgents += it.WorkingAgents
		}
		load := erlang.Load{Calls: pi.ForecastCalls}
		if pi.ForecastCalls > 0 {
			load.AHTSec = handle / pi.ForecastCalls
			pi.ForecastAHTSec, pi.TrafficErlangs = load.AHTSec, handle/ivSec
			r, err := erlang.RequiredAgents(load, eo)
			if err != nil {
				return nil, fmt.Errorf("pool %s, interval %s: %w", po.Name, pi.Start.Format("15:04"), err)
			}
			pi.PhoneAgents = r.Agents
		}
		pi.RequiredAgents = float64(pi.PhoneAgents) + pi.DeferredAgents
		if pi.RequiredAgents > 0 {
			pi.ScheduledAgents = int(math.Ceil(pi.RequiredAgents/(1-p.o.Erlang.Shrinkage) - 1e-9))
		}
		pi.Gap = pi.WorkingAgents - pi.RequiredAgents
		switch {
		case !pi.Open:
			pi.Status = Closed
		case f.backs[k] < 0:
			pi.Status, pi.Gap = Unknown, 0
		case pi.ForecastCalls > 0:
			sl, err := serviceLevelWith(pi.WorkingAgents-pi.DeferredAgents, load, eo)
			if err != nil {
				return nil, fmt.Errorf("pool %s, interval %s: %w", po.Name, pi.Start.Format("15:04"), err)
			}
			pi.ExpectedSL = &sl
			pi.Status = statusOf(target.JudgeServiceLevel(&sl))
		case pi.WorkingAgents < pi.DeferredAgents*(1-band):
			pi.Status = Short
		default:
			pi.Status = OK
		}
		work := pi.TrafficErlangs + pi.DeferredAgents
		for _, i := range qs {
			it := &pl.Queues[i].Intervals[k]
			if work > 0 {
				it.Share = (it.ForecastCalls*it.ForecastAHTSec/ivSec + it.DeferredAgents) / work
			}
			it.RequiredShare = it.Share * pi.RequiredAgents
			it.ScheduledShare = it.Share * float64(pi.ScheduledAgents)
			it.Gap = it.WorkingAgents - it.RequiredShare
			if pi.Status == Unknown {
				it.Gap = 0
			}
			it.Status = pi.Status
			if !it.Open {
				it.Status = Closed
			}
			pl.Queues[i].Totals.add(it.ForecastCalls, it.RequiredShare, it.ScheduledShare, it.StaffedAgents, it.WorkingAgents, it.Gap, it.Status, f.iv)
		}
		po.Totals.add(pi.ForecastCalls, pi.RequiredAgents, float64(pi.ScheduledAgents), pi.StaffedAgents, pi.WorkingAgents, pi.Gap, pi.Status, f.iv)
		po.PeakScheduled = max(po.PeakScheduled, pi.ScheduledAgents)
		po.Intervals = append(po.Intervals, pi)
	}
	for _, i := range qs {
		pl.Queues[i].Pool = po.Name
	}
	return po, nil
}

// statusOf turns the report's judgement of a service level into a status.
func statusOf(s kpi.Status) Status {
	switch s {
	case kpi.OK:
		return OK
	case kpi.Warning:
		return Tight
	}
	return Short
}

// serviceLevelWith is the service level x agents give load: x may be
// fractional (a mean over the interval), taken as ⌊x⌋ agents for part of
// the time and ⌊x⌋+1 for the rest.
func serviceLevelWith(x float64, l erlang.Load, o erlang.Options) (float64, error) {
	if !(x > 0) {
		return 0, nil
	}
	x = min(x, erlang.MaxAgents-1)
	n := int(math.Floor(x))
	at := func(n int) (float64, error) {
		if n < 1 {
			return 0, nil
		}
		r, err := erlang.ServiceLevelWith(n, l, o)
		return r.ServiceLevel, err
	}
	lo, err := at(n)
	if err != nil {
		return 0, err
	}
	hi, err := at(n + 1)
	if err != nil {
		return 0, err
	}
	frac := x - float64(n)
	return lo*(1-frac) + hi*frac, nil
}
