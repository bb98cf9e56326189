package erlang

import (
	"fmt"
	"math"
)

// RequiredAgents answers the planner's main question: how many agents does
// this interval need? It is the smallest n with service level ≥ o.Target and
// occupancy ≤ o.MaxOccupancy (and, under Erlang A, abandon probability ≤
// o.MaxAbandon when set); under Erlang C n must also exceed the traffic A.
// Zero calls need zero agents.
//
// Erlang C walks n upward from max(⌊A⌋+1, ⌈A/max_occupancy⌉) carrying the
// Erlang B recursion, so the whole search is O(n). Erlang A starts from the
// Erlang C answer and gallops then bisects (service level rises and abandon
// probability falls with n).
func RequiredAgents(l Load, o Options) (Result, error) {
	o = o.withDefaults()
	if err := validate(l, o); err != nil {
		return Result{}, err
	}
	a := Traffic(l.Calls, l.AHTSec, o.IntervalSec)
	n, st, err := requiredC(a, l.AHTSec, o)
	if err != nil {
		return Result{}, err
	}
	if o.PatienceSec > 0 {
		n, st, err = requiredA(a, l.AHTSec, n, o)
		if err != nil {
			return Result{}, err
		}
	}
	return result(o, a, n, st), nil
}

// ServiceLevelWith answers the inverse question: with n agents on the
// phones, what service level, ASA, occupancy and abandon probability does
// the interval get? Under Erlang C, n ≤ A is reported as unstable
// (Result.Stable false, ServiceLevel 0, ASASec +Inf) rather than an error,
// because "you are short" is the answer a planner needs.
func ServiceLevelWith(n int, l Load, o Options) (Result, error) {
	o = o.withDefaults()
	if err := validate(l, o); err != nil {
		return Result{}, err
	}
	if n < 1 || n > MaxAgents {
		return Result{}, fmt.Errorf("%w: agents %d: want 1 to %d", ErrInvalid, n, MaxAgents)
	}
	a := Traffic(l.Calls, l.AHTSec, o.IntervalSec)
	st, err := eval(n, a, l.AHTSec, o)
	if err != nil {
		return Result{}, err
	}
	return result(o, a, n, st), nil
}

// requiredA searches the Erlang A answer from the Erlang C answer nC:
// gallop down (or up) until the feasibility changes, then bisect.
func requiredA(a, aht float64, nC int, o Options) (int, queueStats, error) {
	if a == 0 {
		return 0, queueStats{sl: 1, stable: true}, nil
	}
	// Service level ≤ answered fraction ≤ n/A, so no n below target·A
	// can do.
	floor := max(1, int(math.Ceil(o.Target*a-1e-9)))
	ok := func(n int) (bool, queueStats, error) {
		if n < floor {
			return false, queueStats{}, nil
		}
		st, err := evalA(n, a, aht, o.PatienceSec, o.ThresholdSec)
		if err != nil {
			return false, st, err
		}
		return st.sl >= o.Target && st.occupancy <= o.MaxOccupancy &&
			(o.MaxAbandon == 0 || st.abandon <= o.MaxAbandon), st, nil
	}
	good, st, err := ok(nC)
	if err != nil {
		return 0, st, err
	}
	lo, hi, hiSt := 0, 0, queueStats{} // lo fails, hi meets the targets
	limit := searchLimit(a)
	if good {
		hi, hiSt = nC, st
		for d := 1; ; d *= 2 {
			n := hi - d
			good, st, err := ok(n)
			if err != nil {
				return 0, st, err
			}
			if !good {
				lo = max(n, 0)
				break
			}
			hi, hiSt = n, st
		}
	} else {
		lo = nC
		for d := 1; ; d *= 2 {
			n := lo + d
			if n > limit {
				return 0, queueStats{}, errNoSolution(a, o)
			}
			good, st, err := ok(n)
			if err != nil {
				return 0, st, err
			}
			if good {
				hi, hiSt = n, st
				break
			}
			lo = n
		}
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		good, st, err := ok(mid)
		if err != nil {
			return 0, st, err
		}
		if good {
			hi, hiSt = mid, st
		} else {
			lo = mid
		}
	}
	return hi, hiSt, nil
}

// eval is the model the options select, with n agents.
func eval(n int, a, aht float64, o Options) (queueStats, error) {
	if o.PatienceSec > 0 {
		return evalA(n, a, aht, o.PatienceSec, o.ThresholdSec)
	}
	return evalC(n, a, aht, o.ThresholdSec), nil
}

// MaxTraffic is the largest load a calculation takes, in Erlangs: the
// maths is exact up to it (tested), each answer takes well under a
// millisecond, and no single queue-interval of a real centre comes near it
// (5,000 Erlangs is 5,000 agents busy at once). Beyond it the search would
// walk millions of agents: split the queue or the interval instead.
const MaxTraffic = 5000

// MaxAgents bounds the agents ServiceLevelWith evaluates, for the same reason.
const MaxAgents = 20000

func validate(l Load, o Options) error {
	if err := o.validate(); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	if a := Traffic(l.Calls, l.AHTSec, o.IntervalSec); a > MaxTraffic {
		return fmt.Errorf("%w: %.6g calls × %v s in %v s is %.6g Erlangs, over the %d Erlangs one calculation takes; split the queue or the interval",
			ErrInvalid, l.Calls, l.AHTSec, o.IntervalSec, a, MaxTraffic)
	}
	return nil
}

func result(o Options, a float64, n int, st queueStats) Result {
	r := Result{
		Model:               ErlangCModel,
		TrafficErlangs:      a,
		Agents:              n,
		AgentsWithShrinkage: withShrinkage(n, o.Shrinkage),
		ServiceLevel:        st.sl,
		ASASec:              st.asa,
		Occupancy:           st.occupancy,
		WaitProbability:     st.wait,
		AbandonProbability:  st.abandon,
		Stable:              st.stable,
	}
	if o.PatienceSec > 0 {
		r.Model = ErlangAModel
	}
	return r
}

func errNoSolution(a float64, o Options) error {
	return fmt.Errorf("%w: service level %v within %v s at %.6g Erlangs", ErrNoSolution, o.Target, o.ThresholdSec, a)
}
