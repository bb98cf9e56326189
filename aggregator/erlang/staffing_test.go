package erlang_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

// Bad inputs are refused with the value quoted.
func TestInvalidInput(t *testing.T) {
	good := erlang.Load{Calls: 100, AHTSec: 180}
	for _, c := range []struct {
		load  erlang.Load
		opt   func(*erlang.Options)
		quote string
	}{
		{erlang.Load{Calls: -3, AHTSec: 180}, nil, "calls -3"},
		{erlang.Load{Calls: math.NaN(), AHTSec: 180}, nil, "calls NaN"},
		{erlang.Load{Calls: 100, AHTSec: 0}, nil, "aht 0 s"},
		{erlang.Load{Calls: 100, AHTSec: -5}, nil, "aht -5 s"},
		{good, func(o *erlang.Options) { o.Shrinkage = 1 }, "shrinkage 1"},
		{good, func(o *erlang.Options) { o.Shrinkage = -0.1 }, "shrinkage -0.1"},
		{good, func(o *erlang.Options) { o.Target = 1 }, "target 1"},
		{good, func(o *erlang.Options) { o.Target = 1.5 }, "target 1.5"},
		{good, func(o *erlang.Options) { o.Target = -0.2 }, "target -0.2"},
		{good, func(o *erlang.Options) { o.MaxOccupancy = 1.2 }, "max occupancy 1.2"},
		{good, func(o *erlang.Options) { o.IntervalSec = -900 }, "interval -900 s"},
		{good, func(o *erlang.Options) { o.ThresholdSec = -1 }, "threshold -1 s"},
		{good, func(o *erlang.Options) { o.PatienceSec = -60 }, "patience -60 s"},
		{good, func(o *erlang.Options) { o.PatienceSec, o.MaxAbandon = 60, 1.5 }, "max abandon 1.5"},
		{good, func(o *erlang.Options) { o.MaxAbandon = 0.05 }, "max abandon 0.05 needs a patience"},
	} {
		o := erlang.Defaults()
		if c.opt != nil {
			c.opt(&o)
		}
		_, err := erlang.RequiredAgents(c.load, o)
		if !errors.Is(err, erlang.ErrInvalid) || !strings.Contains(err.Error(), c.quote) {
			t.Errorf("%+v %+v: error %v, want ErrInvalid quoting %q", c.load, o, err, c.quote)
		}
	}
	if _, err := erlang.ServiceLevelWith(0, good, erlang.Defaults()); !errors.Is(err, erlang.ErrInvalid) || !strings.Contains(err.Error(), "agents 0") {
		t.Errorf("0 agents: %v", err)
	}
	if _, err := erlang.Budget(-1, []erlang.Load{good}, erlang.Defaults()); !errors.Is(err, erlang.ErrInvalid) {
		t.Errorf("negative budget: %v", err)
	}
}

// A zero option takes its documented default.
func TestDefaults(t *testing.T) {
	l := erlang.Load{Calls: 200, AHTSec: 180}
	a, err := erlang.RequiredAgents(l, erlang.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := erlang.RequiredAgents(l, erlang.Options{IntervalSec: 900, Target: 0.8, ThresholdSec: 20, MaxOccupancy: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a != b || a.TrafficErlangs != 40 {
		t.Errorf("zero options %+v, defaults %+v", a, b)
	}
}

// answeredInTime is what Budget maximises: calls answered within the
// threshold, summed over intervals.
func answeredInTime(t *testing.T, alloc []int, loads []erlang.Load, o erlang.Options) float64 {
	var sum float64
	for i, n := range alloc {
		if n == 0 {
			continue
		}
		r, err := erlang.ServiceLevelWith(n, loads[i], o)
		if err != nil {
			t.Fatal(err)
		}
		sum += loads[i].Calls * r.ServiceLevel
	}
	return sum
}

// Budget spends exactly the budget and, on small days, does as well as
// trying every allocation.
func TestBudget(t *testing.T) {
	loads := []erlang.Load{{Calls: 40, AHTSec: 240}, {Calls: 90, AHTSec: 240}, {Calls: 0, AHTSec: 240}, {Calls: 60, AHTSec: 300}}
	for _, patience := range []float64{0, 90} {
		o := erlang.Defaults()
		o.PatienceSec = patience
		for _, total := range []int{0, 5, 12, 30, 45, 60, 80} {
			rs, err := erlang.Budget(total, loads, o)
			if err != nil {
				t.Fatal(err)
			}
			alloc := make([]int, len(rs))
			sum := 0
			for i, r := range rs {
				alloc[i] = r.Agents
				sum += r.Agents
			}
			if sum != total {
				t.Fatalf("budget %d: allocated %v (sum %d)", total, alloc, sum)
			}
			if alloc[2] != 0 && total < 80 {
				t.Errorf("budget %d: %d agents for an interval without calls", total, alloc[2])
			}
			got := answeredInTime(t, alloc, loads, o)
			best, bestAlloc := 0.0, []int(nil)
			for x := 0; x <= total; x++ {
				for y := 0; x+y <= total; y++ {
					for w := 0; x+y+w <= total; w++ {
						a := []int{x, y, 0, w}
						if v := answeredInTime(t, a, loads, o); v > best {
							best, bestAlloc = v, a
						}
					}
				}
			}
			if got < best-1e-9*best-1e-9 {
				t.Errorf("patience %v budget %d: Budget %v answers %.4f in time, best %v answers %.4f", patience, total, alloc, got, bestAlloc, best)
			}
		}
	}
}

// A load beyond MaxTraffic is refused at once with the cap in the message,
// instead of a search over millions of agents that nothing interrupts.
func TestTrafficCap(t *testing.T) {
	for _, l := range []erlang.Load{{Calls: 1e12, AHTSec: 300}, {Calls: 15001, AHTSec: 300}} {
		_, err := erlang.RequiredAgents(l, erlang.Options{})
		if !errors.Is(err, erlang.ErrInvalid) || !strings.Contains(err.Error(), "5000 Erlangs") {
			t.Errorf("erlang.RequiredAgents(%+v): got %v, want erlang.ErrInvalid naming the cap", l, err)
		}
	}
	if _, err := erlang.RequiredAgents(erlang.Load{Calls: 15000, AHTSec: 300}, erlang.Options{}); err != nil {
		t.Errorf("5000 Erlangs exactly: %v", err)
	}
	if _, err := erlang.ServiceLevelWith(erlang.MaxAgents+1, erlang.Load{Calls: 100, AHTSec: 300}, erlang.Options{}); !errors.Is(err, erlang.ErrInvalid) {
		t.Errorf("erlang.ServiceLevelWith(%d agents): got %v, want erlang.ErrInvalid", erlang.MaxAgents+1, err)
	}
}
