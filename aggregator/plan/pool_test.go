package plan_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/aggregator/erlang"
	"github.com/frontline-oss/frontline/aggregator/plan"
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/schemas"
)

// pooledWeek is a week of two queues open 09:00–10:00 every day, each
// offered 25 calls of 180 s in every quarter hour, answered at once; agent
// a1 takes calls of both queues, a2 of billing only. Billing and orders
// are one skill group's queues: one pool of 50 calls of 180 s per quarter
// hour, 10 Erlangs — the textbook case. It returns the store and the
// configuration (queues closed outside 09:00–10:00).
func pooledWeek(t *testing.T) (store.Store, kpi.Config) {
	t.Helper()
	c, err := kpi.ParseConfig([]byte("queues: {default: {hours: {mon-sun: \"09:00-10:00\"}}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var events []*schemas.Event
	for d := range 7 {
		for k := range 4 {
			at := time.Date(2026, 11, 2+d, 9, 15*k, 0, 0, time.UTC)
			events = append(events, eventtest.Calls("billing", at, 25, 180, "a2")...)
			events = append(events, eventtest.Calls("orders", at, 25, 180, "a1")...)
		}
	}
	for i, st := range []schemas.AgentState{
		{AgentID: "a1", State: "busy", Queue: "billing", At: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)},
		{AgentID: "a1", State: "busy", Queue: "orders", At: time.Date(2026, 11, 3, 9, 5, 0, 0, time.UTC)},
		{AgentID: "a2", State: "busy", Queue: "billing", At: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)},
	} {
		events = append(events, &schemas.Event{ID: "st" + string(rune('a'+i)), Type: st.EventType(), Source: "test", Data: &st})
	}
	s := storetest.New(t)
	eventtest.Insert(t, s, events...)
	return s, c
}

// Pooling stays exact Erlang: the pool of two queues of 25 calls of 180 s
// per quarter hour is 10 Erlangs, for which 80 % within 20 s needs 14
// agents (13 give 79.6 %: the textbook Erlang C figures), the same as
// erlang.RequiredAgents and `frontline erlang --calls 50 --aht 180`;
// each queue alone needs 8, 16 in all. Heads are rounded once: ⌈14 / 0.7⌉
// = 20. Planned alone (--pool queue) the queues keep their 8 each. With a
// patience the pool is Erlang A and agrees with erlang.RequiredAgents.
func TestPlanPoolErlangTextbook(t *testing.T) {
	ctx := context.Background()
	s, c := pooledWeek(t)
	day := time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		pool     string
		patience float64
		pools    int
		phones   int
	}{{plan.PoolSkills, 0, 1, 14}, {plan.PoolQueue, 0, 2, 8}, {plan.PoolSkills, 60, 1, 0}} {
		o := plan.Defaults()
		o.Weeks, o.KPI, o.Assume, o.Pool = 1, c, plan.AssumeNone, tc.pool
		o.Erlang.PatienceSec = tc.patience
		p, err := plan.New(s, o)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := p.Plan(ctx, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Pools) != tc.pools {
			t.Fatalf("--pool %s: %d pools, want %d", tc.pool, len(pl.Pools), tc.pools)
		}
		po := pl.Pools[0]
		it := po.Intervals[36] // 09:00
		e := erlang.Defaults()
		e.MaxOccupancy, e.PatienceSec = plan.DefaultMaxOccupancy, tc.patience
		calls := 25.0 * float64(len(po.Queues))
		want, err := erlang.RequiredAgents(erlang.Load{Calls: calls, AHTSec: 180}, e)
		if err != nil {
			t.Fatal(err)
		}
		if tc.phones == 0 {
			tc.phones = want.Agents
		}
		if it.ForecastCalls != calls || math.Abs(it.TrafficErlangs-calls/5) > 1e-9 || it.PhoneAgents != tc.phones || want.Agents != tc.phones ||
			it.ScheduledAgents != int(math.Ceil(float64(tc.phones)/0.7-1e-9)) {
			t.Errorf("--pool %s, patience %v: 09:00 %+v; want %v calls, %v Erlangs, %d phone agents (erlang: %d), heads rounded once",
				tc.pool, tc.patience, it, calls, calls/5, tc.phones, want.Agents)
		}
		if tc.pool == plan.PoolSkills && tc.patience == 0 {
			if it.QueueAgents != 16 || po.Name != "billing+orders" || len(po.SkillGroups) != 2 || po.Model != erlang.ErlangCModel {
				t.Errorf("pool %s, skill groups %+v, model %s: queues alone need %d, want 16", po.Name, po.SkillGroups, po.Model, it.QueueAgents)
			}
			e.Target = 0.8
			r13, _ := erlang.ServiceLevelWith(13, erlang.Load{Calls: 50, AHTSec: 180}, e)
			r14, _ := erlang.ServiceLevelWith(14, erlang.Load{Calls: 50, AHTSec: 180}, e)
			if math.Abs(r13.ServiceLevel-0.7956) > 1e-4 || math.Abs(r14.ServiceLevel-0.8884) > 1e-4 {
				t.Errorf("10 Erlangs: SL %.4f with 13, %.4f with 14; textbook 0.7956 and 0.8884", r13.ServiceLevel, r14.ServiceLevel)
			}
		}
		if tc.patience > 0 {
			if po.Model != erlang.ErlangAModel || po.PatienceSec != 60 {
				t.Errorf("patience 60: pool model %s, patience %v; want Erlang A, 60", po.Model, po.PatienceSec)
			}
			// The textbook M/M/n+M: with n agents, the stationary
			// distribution of the birth–death chain gives the abandon
			// probability γ·E[queue]/λ independently of the package.
			lambda, mu, gamma := calls/900, 1.0/180, 1.0/60
			n := it.PhoneAgents
			pi, z, queue := 1.0, 1.0, 0.0
			for j := 1; j < n+400; j++ {
				pi *= lambda / (float64(min(j, n))*mu + float64(max(j-n, 0))*gamma)
				z += pi
				queue += float64(max(j-n, 0)) * pi
			}
			r, err := erlang.ServiceLevelWith(n, erlang.Load{Calls: calls, AHTSec: 180}, e)
			if err != nil {
				t.Fatal(err)
			}
			if ab := gamma * queue / z / lambda; math.Abs(r.AbandonProbability-ab) > 1e-9 {
				t.Errorf("Erlang A, %d agents: abandon probability %v, birth–death chain %v", n, r.AbandonProbability, ab)
			}
		}
	}
}
