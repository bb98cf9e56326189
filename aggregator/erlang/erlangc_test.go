package erlang_test

import (
	"math"
	"math/big"
	"testing"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

const prec = 256

// refErlangC is the kpis.md formula taken literally, in 256-bit floats:
// (Aⁿ/n!·n/(n−A)) / (Σ_{k<n} Aᵏ/k! + Aⁿ/n!·n/(n−A)). With factorial set it
// forms Aᵏ and k! separately (the textbook way, small n only); otherwise the
// terms Aᵏ/k! are built by multiplying by A/k.
func refErlangC(n int, a float64, factorial bool) float64 {
	A := new(big.Float).SetPrec(prec).SetFloat64(a)
	term := func(k int) *big.Float { // Aᵏ/k!
		p := new(big.Float).SetPrec(prec).SetInt64(1)
		for range k {
			p.Mul(p, A)
		}
		f := new(big.Float).SetPrec(prec).SetInt(new(big.Int).MulRange(1, int64(max(k, 1))))
		return p.Quo(p, f)
	}
	sum := new(big.Float).SetPrec(prec)
	t := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := 0; k < n; k++ {
		if factorial {
			t = term(k)
		} else if k > 0 {
			t.Mul(t, A)
			t.Quo(t, new(big.Float).SetPrec(prec).SetInt64(int64(k)))
		}
		sum.Add(sum, t)
	}
	var tn *big.Float
	if factorial {
		tn = term(n)
	} else {
		tn = new(big.Float).SetPrec(prec).Mul(t, A)
		tn.Quo(tn, new(big.Float).SetPrec(prec).SetInt64(int64(n)))
	}
	fn := new(big.Float).SetPrec(prec).SetInt64(int64(n))
	top := new(big.Float).SetPrec(prec).Mul(tn, fn)
	top.Quo(top, new(big.Float).SetPrec(prec).Sub(fn, A))
	den := new(big.Float).SetPrec(prec).Add(sum, top)
	r, _ := new(big.Float).SetPrec(prec).Quo(top, den).Float64()
	return r
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// A = 10 Erlangs (e.g. 100 calls of 180 s in 30 minutes): the textbook wait
// probabilities, and the same from the factorial formula to 1e-9.
func TestErlangCTextbook(t *testing.T) {
	for _, c := range []struct {
		n        int
		textbook float64
	}{{11, 0.6821}, {12, 0.4494}, {13, 0.2853}, {14, 0.1741}, {15, 0.1020}} {
		if got := erlang.ErlangC(c.n, 10); math.Abs(got-c.textbook) > 5e-5 {
			t.Errorf("ErlangC(%d, 10) = %.6f, textbook %.4f", c.n, got, c.textbook)
		}
	}
	for _, a := range []float64{0.5, 3.7, 10, 24} {
		for n := int(a) + 1; n <= int(a)+15; n++ {
			if got, ref := erlang.ErlangC(n, a), refErlangC(n, a, true); relErr(got, ref) > 1e-9 {
				t.Errorf("ErlangC(%d, %v) = %.15g, factorial formula %.15g", n, a, got, ref)
			}
		}
	}
}

// The classic example: 100 calls in 30 minutes at 180 s AHT is 10 Erlangs;
// 80 % within 20 s needs 14 agents (13 give 79.6 %), with ASA 7.8 s and 71 %
// occupancy.
func TestRequiredAgentsClassic(t *testing.T) {
	o := erlang.Defaults()
	o.IntervalSec = 1800
	r, err := erlang.RequiredAgents(erlang.Load{Calls: 100, AHTSec: 180}, o)
	if err != nil {
		t.Fatal(err)
	}
	pw := refErlangC(14, 10, true)
	want := erlang.Result{
		Model: erlang.ErlangCModel, TrafficErlangs: 10, Agents: 14, AgentsWithShrinkage: 14,
		ServiceLevel: 1 - pw*math.Exp(-4*20.0/180), ASASec: pw * 180 / 4, Occupancy: 10.0 / 14,
		WaitProbability: pw, Stable: true,
	}
	assertResult(t, r, want, 1e-9)
	if math.Abs(r.ServiceLevel-0.8884) > 1e-4 || math.Abs(r.ASASec-7.84) > 0.01 {
		t.Errorf("SL %.4f ASA %.2f, want 0.8884 and 7.84", r.ServiceLevel, r.ASASec)
	}
	r13, err := erlang.ServiceLevelWith(13, erlang.Load{Calls: 100, AHTSec: 180}, o)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r13.ServiceLevel-0.7956) > 1e-4 {
		t.Errorf("13 agents: SL %.4f, want 0.7956 (just short of the target)", r13.ServiceLevel)
	}
}

// A larger centre: 360 calls an hour at 240 s is 24 Erlangs (900 s
// intervals of 90 calls); 80/20 needs 29 agents, ⌈29/0.95⌉ = 31 with 5 % shrinkage.
func TestRequiredAgentsShrinkage(t *testing.T) {
	o := erlang.Defaults()
	o.Shrinkage = 0.05
	r, err := erlang.RequiredAgents(erlang.Load{Calls: 90, AHTSec: 240}, o)
	if err != nil {
		t.Fatal(err)
	}
	sl := func(n int) float64 {
		return 1 - refErlangC(n, 24, false)*math.Exp(-float64(n-24)*20/240)
	}
	if r.TrafficErlangs != 24 || r.Agents != 29 || sl(28) >= 0.8 || sl(29) < 0.8 || r.AgentsWithShrinkage != 31 {
		t.Errorf("got %+v; reference SL(28)=%.4f SL(29)=%.4f", r, sl(28), sl(29))
	}
	// ⌈n/(1−s)⌉ must not round 8/(1−0.2) = 10.000000000000002 up to 11.
	o = erlang.Defaults()
	o.Shrinkage = 0.2
	r, err = erlang.ServiceLevelWith(8, erlang.Load{Calls: 10, AHTSec: 300}, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.AgentsWithShrinkage != 10 {
		t.Errorf("8 agents at 20%% shrinkage: %d scheduled, want 10", r.AgentsWithShrinkage)
	}
}

// 5,000 Erlangs: no overflow, no NaN, and the factorial-free recursion
// agrees with the 256-bit formula.
func TestErlangCLargeTraffic(t *testing.T) {
	const a = 5000.0
	for _, n := range []int{5001, 5010, 5050, 5200} {
		got, ref := erlang.ErlangC(n, a), refErlangC(n, a, false)
		if !(got > 0 && got < 1) || relErr(got, ref) > 1e-9 {
			t.Errorf("ErlangC(%d, %v) = %.15g, reference %.15g", n, a, got, ref)
		}
	}
	// 5,000 Erlangs = 25,000 calls of 180 s in 900 s.
	r, err := erlang.RequiredAgents(erlang.Load{Calls: 25000, AHTSec: 180}, erlang.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []float64{r.ServiceLevel, r.ASASec, r.Occupancy, r.WaitProbability} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("non-finite result %+v", r)
		}
	}
	if r.Agents <= 5000 || r.Agents > 5050 || r.ServiceLevel < 0.8 || !(r.WaitProbability > 0 && r.WaitProbability < 1) {
		t.Errorf("5000 Erlangs: %+v", r)
	}
	below, err := erlang.ServiceLevelWith(r.Agents-1, erlang.Load{Calls: 25000, AHTSec: 180}, erlang.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if below.ServiceLevel >= 0.8 {
		t.Errorf("%d agents already meet 80%%: %+v", r.Agents-1, below)
	}
}

// Service level rises and ASA falls with every added agent; the required
// agents never fall when calls, AHT or the target rise.
func TestMonotonicity(t *testing.T) {
	for _, l := range []erlang.Load{{Calls: 20, AHTSec: 300}, {Calls: 400, AHTSec: 240}, {Calls: 3000, AHTSec: 200}} {
		for _, patience := range []float64{0, 90} {
			o := erlang.Defaults()
			o.PatienceSec = patience
			a := erlang.Traffic(l.Calls, l.AHTSec, 900)
			prev, _ := erlang.ServiceLevelWith(int(a)+1, l, o)
			for n := int(a) + 2; n < int(a)+80; n++ {
				r, err := erlang.ServiceLevelWith(n, l, o)
				if err != nil {
					t.Fatal(err)
				}
				if r.ServiceLevel < prev.ServiceLevel || r.ASASec > prev.ASASec || r.WaitProbability > prev.WaitProbability {
					t.Fatalf("%+v patience %v: n=%d %+v after n=%d %+v", l, patience, n, r, n-1, prev)
				}
				prev = r
			}
		}
	}
	need := func(l erlang.Load, target float64) int {
		o := erlang.Defaults()
		o.Target = target
		r, err := erlang.RequiredAgents(l, o)
		if err != nil {
			t.Fatal(err)
		}
		return r.Agents
	}
	prev := 0
	for calls := 0.0; calls <= 2000; calls += 37 {
		n := need(erlang.Load{Calls: calls, AHTSec: 240}, 0.8)
		if n < prev {
			t.Fatalf("%v calls need %d agents, fewer calls needed %d", calls, n, prev)
		}
		prev = n
	}
	prev = 0
	for aht := 30.0; aht <= 900; aht += 29 {
		n := need(erlang.Load{Calls: 150, AHTSec: aht}, 0.8)
		if n < prev {
			t.Fatalf("aht %v needs %d agents, shorter AHT needed %d", aht, n, prev)
		}
		prev = n
	}
	prev = 0
	for target := 0.05; target < 1; target += 0.05 {
		n := need(erlang.Load{Calls: 150, AHTSec: 240}, target)
		if n < prev {
			t.Fatalf("target %v needs %d agents, a lower target needed %d", target, n, prev)
		}
		prev = n
	}
}

// Max occupancy binds when the service-level target alone would run agents
// hotter than allowed.
func TestMaxOccupancy(t *testing.T) {
	o := erlang.Defaults()
	o.MaxOccupancy = 0.85
	r, err := erlang.RequiredAgents(erlang.Load{Calls: 2000, AHTSec: 45}, o) // 100 Erlangs
	if err != nil {
		t.Fatal(err)
	}
	if r.Agents != 118 || r.Occupancy > 0.85 { // ⌈100/0.85⌉ = 118; SL alone needs fewer
		t.Errorf("got %+v, want 118 agents", r)
	}
	o.MaxOccupancy = 1
	free, _ := erlang.RequiredAgents(erlang.Load{Calls: 2000, AHTSec: 45}, o)
	if free.Agents >= 118 {
		t.Errorf("without the cap %d agents; the cap should have been binding", free.Agents)
	}
}

// Edge cases a planner meets: an empty interval, too few agents.
func TestEdges(t *testing.T) {
	r, err := erlang.RequiredAgents(erlang.Load{Calls: 0, AHTSec: 300}, erlang.Defaults())
	if err != nil || r.Agents != 0 || r.ServiceLevel != 1 || r.ASASec != 0 || !r.Stable {
		t.Errorf("no calls: %+v %v", r, err)
	}
	r, err = erlang.ServiceLevelWith(10, erlang.Load{Calls: 100, AHTSec: 180}, erlang.Options{IntervalSec: 1800})
	if err != nil || r.Stable || r.ServiceLevel != 0 || r.WaitProbability != 1 || !math.IsInf(r.ASASec, 1) {
		t.Errorf("10 agents for 10 Erlangs must be unstable: %+v %v", r, err)
	}
}
