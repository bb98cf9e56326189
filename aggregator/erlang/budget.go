package erlang

import (
	"fmt"
	"math"
)

// Budget answers "we have nTotal agents for these intervals: where do they
// go, and what service level does each interval get?". It maximises the
// calls answered within the threshold over all intervals (Σ calls × service
// level), so one agent goes where it answers the most calls in time.
//
// Answered-in-time calls are S-shaped in the agents of an interval (nothing
// until the queue is near stable, then a steep rise, then saturation), so
// handing out agents one at a time by marginal gain starves busy intervals
// (the first agents there gain nothing). Budget therefore solves the
// allocation exactly by dynamic programming over intervals; the cost is
// O(intervals × nTotal × useful agents per interval) — about 10⁷ steps for
// a day of 96 intervals at 50 Erlangs each. Agents no interval can use
// (every one answers all calls in time) go to the interval with the highest
// occupancy.
//
// nTotal counts agents on the phones (shrinkage only sets
// Result.AgentsWithShrinkage). The results are in the order of loads, and
// their Agents sum to nTotal.
func Budget(nTotal int, loads []Load, o Options) ([]Result, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if nTotal < 0 {
		return nil, fmt.Errorf("%w: agent budget %d is negative", ErrInvalid, nTotal)
	}
	curves := make([]*curve, len(loads))
	for i, l := range loads {
		if err := l.validate(); err != nil {
			return nil, fmt.Errorf("interval %d: %w", i, err)
		}
		c, err := newCurve(l, o, nTotal)
		if err != nil {
			return nil, fmt.Errorf("interval %d: %w", i, err)
		}
		curves[i] = c
	}
	alloc := allocate(curves, nTotal, o.PatienceSec == 0)
	out := make([]Result, len(loads))
	for i, c := range curves {
		st, err := c.stats(alloc[i], o)
		if err != nil {
			return nil, err
		}
		out[i] = result(o, c.a, alloc[i], st)
	}
	return out, nil
}

// curve holds an interval's measures for 0, 1, … agents, up to the budget
// or until the service level is 1 (flat beyond).
type curve struct {
	a, aht, calls float64
	st            []queueStats
}

func newCurve(l Load, o Options, nMax int) (*curve, error) {
	c := &curve{a: Traffic(l.Calls, l.AHTSec, o.IntervalSec), aht: l.AHTSec, calls: l.Calls}
	b := 1.0
	for n := 0; n <= nMax; n++ {
		if n > 0 {
			ab := c.a * b
			b = ab / (float64(n) + ab)
		}
		var st queueStats
		if o.PatienceSec > 0 {
			var err error
			if st, err = evalAB(n, c.a, b, c.aht, o.PatienceSec, o.ThresholdSec); err != nil {
				return nil, err
			}
		} else {
			st = statsC(n, c.a, c.aht, o.ThresholdSec, erlangCFromB(n, c.a, b))
		}
		c.st = append(c.st, st)
		if st.sl >= 1-1e-12 && float64(n) > c.a {
			break
		}
	}
	return c, nil
}

// f is the calls answered within the threshold with n agents.
func (c *curve) f(n int) float64 {
	return c.calls * c.st[min(n, len(c.st)-1)].sl
}

// stats are the measures with n agents (evaluated afresh past the curve).
func (c *curve) stats(n int, o Options) (queueStats, error) {
	if n < len(c.st) {
		return c.st[n], nil
	}
	return eval(n, c.a, c.aht, o)
}

// allocate spreads total agents over the curves to maximise Σ f (see
// Budget) by dynamic programming over intervals: g_i(m), the most calls in
// time from the first i intervals with at most m agents, is
// max_n f_i(n) + g_{i−1}(m − n). Only useful n are tried: up to where the
// service level reaches 1, and under Erlang C none of 1…⌊A⌋ (they answer
// no call in time). Agents the optimum does not need (every interval
// saturated) go to the busiest interval.
func allocate(curves []*curve, total int, erlangC bool) []int {
	g := make([]float64, total+1) // g_0 = 0
	choice := make([][]int32, len(curves))
	for i, c := range curves {
		next := make([]float64, total+1)
		ch := make([]int32, total+1)
		first := 1
		if erlangC {
			first = int(math.Floor(c.a)) + 1
		}
		for m := 0; m <= total; m++ {
			best, arg := g[m]+c.f(0), 0
			for n := first; n < len(c.st) && n <= m; n++ {
				if v := g[m-n] + c.f(n); v > best {
					best, arg = v, n
				}
			}
			next[m], ch[m] = best, int32(arg)
		}
		g, choice[i] = next, ch
	}
	alloc := make([]int, len(curves))
	m := total
	for i := len(curves) - 1; i >= 0; i-- {
		alloc[i] = int(choice[i][m])
		m -= alloc[i]
	}
	for ; m > 0 && len(curves) > 0; m-- {
		busiest := 0
		for i, c := range curves {
			if c.a*float64(alloc[busiest]+1) > curves[busiest].a*float64(alloc[i]+1) {
				busiest = i
			}
		}
		alloc[busiest]++
	}
	return alloc
}
