package erlang_test

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

// As patience grows without bound nobody abandons: Erlang A becomes
// Erlang C. At 10^7 s patience the two agree within 1e-4 for small teams.
// Near saturation (400 Erlangs, 401 agents, ASA ≈ 280 s; already 50 Erlangs
// with 51 agents gives 2e-4) the gap is larger
// but real, not numerical: it shrinks tenfold per tenfold patience.
func TestErlangATendsToErlangC(t *testing.T) {
	withPatience := func(n int, l erlang.Load, p float64) erlang.Result {
		o := erlang.Defaults()
		o.PatienceSec = p
		r, err := erlang.ServiceLevelWith(n, l, o)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, l := range []erlang.Load{{Calls: 50, AHTSec: 180}, {Calls: 100, AHTSec: 180}} {
		a := erlang.Traffic(l.Calls, l.AHTSec, 900)
		for n := int(a) + 1; n <= int(a)+3*int(math.Sqrt(a))+3; n++ {
			c, err := erlang.ServiceLevelWith(n, l, erlang.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			e := withPatience(n, l, 1e7)
			if math.Abs(e.WaitProbability-c.WaitProbability) > 1e-4 || math.Abs(e.ServiceLevel-c.ServiceLevel) > 1e-4 ||
				e.AbandonProbability > 1e-4 || math.Abs(e.ASASec-c.ASASec) > 1e-3*c.ASASec {
				t.Errorf("A=%v n=%d: Erlang A %+v, Erlang C %+v", a, n, e, c)
			}
		}
	}
	l := erlang.Load{Calls: 1200, AHTSec: 300}
	c, _ := erlang.ServiceLevelWith(401, l, erlang.Defaults())
	prev := math.Inf(1)
	for _, p := range []float64{1e7, 1e8, 1e9} {
		e := withPatience(401, l, p)
		gap := math.Abs(e.WaitProbability-c.WaitProbability) + math.Abs(e.ServiceLevel-c.ServiceLevel)
		if gap > prev/8 {
			t.Errorf("patience %v s: gap to Erlang C %.3g, after %.3g at a tenth of the patience", p, gap, prev)
		}
		prev = gap
	}
	if prev > 1e-4 {
		t.Errorf("400 Erlangs, 401 agents, patience 1e9 s: gap to Erlang C %.3g", prev)
	}
}

// simulate runs an M/M/n+M queue, first come first served: Poisson arrivals
// at rate lambda, exponential service with mean aht and exponential patience
// with mean patience. The first tenth of the calls warms the queue up and
// is not counted.
type simResult struct {
	wait, abandon, sl, asa float64
	abandonedWaits         []float64 // a caller's patience, seen
	answeredWaits          []float64 // censored patience
}

func simulate(rng *rand.Rand, calls int, lambda, aht, patience float64, n int, threshold float64) simResult {
	free := make(freeTimes, n) // when each agent is next free; all free at 0
	heap.Init(&free)
	var (
		res                                simResult
		now                                float64
		counted, waited, abandoned, inTime int
		answered                           int
		sumWait                            float64
	)
	warm := calls / 10
	for i := range calls {
		now += rng.ExpFloat64() / lambda
		tau := rng.ExpFloat64() * patience
		f := free[0]
		wait := math.Max(0, f-now)
		gaveUp := wait > tau
		if !gaveUp {
			free[0] = now + wait + rng.ExpFloat64()*aht
			heap.Fix(&free, 0)
		}
		if i < warm {
			continue
		}
		counted++
		if wait > 0 {
			waited++
		}
		if gaveUp {
			abandoned++
			res.abandonedWaits = append(res.abandonedWaits, tau)
			continue
		}
		answered++
		sumWait += wait
		res.answeredWaits = append(res.answeredWaits, wait)
		if wait <= threshold {
			inTime++
		}
	}
	res.wait = float64(waited) / float64(counted)
	res.abandon = float64(abandoned) / float64(counted)
	res.sl = float64(inTime) / float64(counted)
	res.asa = sumWait / float64(answered)
	return res
}

type freeTimes []float64

func (h freeTimes) Len() int           { return len(h) }
func (h freeTimes) Less(i, j int) bool { return h[i] < h[j] }
func (h freeTimes) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *freeTimes) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *freeTimes) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// desCases are the three queues simulated: a small team just above its
// traffic, an overloaded team with impatient callers, and a comfortable
// larger team.
var desCases = []struct {
	name     string
	load     erlang.Load // per 900 s
	agents   int
	patience float64
	sl       float64 // threshold
}{
	{"10 Erlangs, 11 agents, patience 120 s", erlang.Load{Calls: 50, AHTSec: 180}, 11, 120, 20},
	{"50 Erlangs, 45 agents, patience 60 s", erlang.Load{Calls: 150, AHTSec: 300}, 45, 60, 20},
	{"20 Erlangs, 22 agents, patience 300 s, 30 s threshold", erlang.Load{Calls: 150, AHTSec: 120}, 22, 300, 30},
}

// Erlang A against a simulation of the queue it models: 1,000,000 calls per
// case; wait, abandon probability and service level agree within 0.01
// absolute, ASA within 5 %.
func TestErlangAAgainstSimulation(t *testing.T) {
	for i, c := range desCases {
		t.Run(c.name, func(t *testing.T) {
			o := erlang.Defaults()
			o.PatienceSec, o.ThresholdSec = c.patience, c.sl
			r, err := erlang.ServiceLevelWith(c.agents, c.load, o)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(42, uint64(i)))
			s := simulate(rng, 1_000_000, c.load.Calls/900, c.load.AHTSec, c.patience, c.agents, c.sl)
			t.Logf("model: wait %.4f abandon %.4f SL %.4f ASA %.2f s", r.WaitProbability, r.AbandonProbability, r.ServiceLevel, r.ASASec)
			t.Logf("sim:   wait %.4f abandon %.4f SL %.4f ASA %.2f s", s.wait, s.abandon, s.sl, s.asa)
			for _, m := range []struct {
				name       string
				model, sim float64
			}{{"wait probability", r.WaitProbability, s.wait}, {"abandon probability", r.AbandonProbability, s.abandon}, {"service level", r.ServiceLevel, s.sl}} {
				if math.Abs(m.model-m.sim) > 0.01 {
					t.Errorf("%s: model %.4f, simulation %.4f", m.name, m.model, m.sim)
				}
			}
			if relErr(r.ASASec, s.asa) > 0.05 {
				t.Errorf("ASA: model %.2f s, simulation %.2f s", r.ASASec, s.asa)
			}
		})
	}
}

// The censored MLE recovers the simulated callers' mean patience; the naive
// mean of abandoned waits does not.
func TestEstimatePatience(t *testing.T) {
	for i, c := range desCases {
		rng := rand.New(rand.NewPCG(7, uint64(i)))
		s := simulate(rng, 300_000, c.load.Calls/900, c.load.AHTSec, c.patience, c.agents, c.sl)
		got := erlang.EstimatePatience(s.abandonedWaits, s.answeredWaits)
		if relErr(got, c.patience) > 0.03 {
			t.Errorf("%s: estimated patience %.1f s from %d abandons, true %v s", c.name, got, len(s.abandonedWaits), c.patience)
		}
		naive := erlang.EstimatePatience(s.abandonedWaits, nil)
		if naive > 0.8*c.patience {
			t.Errorf("%s: abandoned waits alone give %.1f s; expected a clear underestimate of %v s", c.name, naive, c.patience)
		}
	}
	if p := erlang.EstimatePatience(nil, []float64{10, 20}); !math.IsInf(p, 1) {
		t.Errorf("no abandons: patience %v, want +Inf", p)
	}
}

// A maximum abandon probability can need more agents than the service level.
func TestMaxAbandon(t *testing.T) {
	l := erlang.Load{Calls: 25000, AHTSec: 180} // 5,000 Erlangs
	o := erlang.Defaults()
	o.PatienceSec = 120
	r, err := erlang.RequiredAgents(l, o)
	if err != nil {
		t.Fatal(err)
	}
	// Overloaded but fast: every caller waits about 16 s, those with the
	// patience to get through are answered within 20 s.
	if r.Agents >= 5000 || r.ServiceLevel < 0.8 || r.AbandonProbability < 0.05 {
		t.Errorf("service level alone: %+v", r)
	}
	o.MaxAbandon = 0.02
	capped, err := erlang.RequiredAgents(l, o)
	if err != nil {
		t.Fatal(err)
	}
	if capped.AbandonProbability > 0.02 || capped.Agents <= r.Agents {
		t.Errorf("with max abandon 2%%: %+v", capped)
	}
	below, err := erlang.ServiceLevelWith(capped.Agents-1, l, o)
	if err != nil {
		t.Fatal(err)
	}
	if below.AbandonProbability <= 0.02 && below.ServiceLevel >= 0.8 {
		t.Errorf("%d agents already meet both targets: %+v", capped.Agents-1, below)
	}
	for _, v := range []float64{capped.ServiceLevel, capped.ASASec, capped.WaitProbability, capped.AbandonProbability} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite %+v", capped)
		}
	}
}
