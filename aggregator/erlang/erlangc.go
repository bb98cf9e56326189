package erlang

import "math"

// ErlangB is the blocking probability of n servers offered a Erlangs
// (M/M/n/n). It exists because it is the numerically stable way to reach
// Erlang C: the recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) stays in
// (0,1], never forms Aⁿ or n!, and loses no precision for A in the
// thousands. O(n).
func ErlangB(n int, a float64) float64 {
	b := 1.0
	for k := 1; k <= n; k++ {
		ab := a * b
		b = ab / (float64(k) + ab)
	}
	return b
}

// ErlangC is the probability that a caller waits (all n agents busy) in an
// M/M/n queue offered a Erlangs — the kpis.md formula
// (Aⁿ/n!·n/(n−A)) / (Σ_{k<n} Aᵏ/k! + Aⁿ/n!·n/(n−A)), computed as
// C = n·B / (n − A·(1 − B)) from ErlangB. It is 1 when n ≤ A (the queue is
// unstable and every caller waits).
func ErlangC(n int, a float64) float64 {
	if float64(n) <= a {
		return 1
	}
	return erlangCFromB(n, a, ErlangB(n, a))
}

func erlangCFromB(n int, a, b float64) float64 {
	fn := float64(n)
	return fn * b / (fn - a*(1-b))
}

// queueStats are the measures of one queue with n agents.
type queueStats struct {
	wait, abandon, sl, asa, occupancy float64
	stable                            bool
}

// statsC completes Erlang C measures from the wait probability c.
func statsC(n int, a, aht, t, c float64) queueStats {
	if a == 0 {
		return queueStats{sl: 1, stable: true}
	}
	fn := float64(n)
	if fn <= a {
		return queueStats{wait: 1, sl: 0, asa: math.Inf(1), occupancy: 1, stable: false}
	}
	return queueStats{
		wait:      c,
		sl:        1 - c*math.Exp(-(fn-a)*t/aht),
		asa:       c * aht / (fn - a),
		occupancy: a / fn,
		stable:    true,
	}
}

// evalC is Erlang C with n agents.
func evalC(n int, a, aht, t float64) queueStats {
	if a == 0 || float64(n) <= a {
		return statsC(n, a, aht, t, 1)
	}
	return statsC(n, a, aht, t, ErlangC(n, a))
}

// requiredC is the smallest n > A (and ≥ A/maxOcc) with service level ≥
// target, carrying the Erlang B recursion from 0 up to the answer: O(n)
// in total.
func requiredC(a, aht float64, o Options) (int, queueStats, error) {
	if a == 0 {
		return 0, statsC(0, 0, aht, o.ThresholdSec, 0), nil
	}
	start := int(math.Floor(a)) + 1
	if occ := int(math.Ceil(a/o.MaxOccupancy - 1e-9)); occ > start {
		start = occ
	}
	b := ErlangB(start-1, a)
	limit := searchLimit(a)
	for n := start; n <= limit; n++ {
		ab := a * b
		b = ab / (float64(n) + ab)
		st := statsC(n, a, aht, o.ThresholdSec, erlangCFromB(n, a, b))
		if st.sl >= o.Target && st.occupancy <= o.MaxOccupancy {
			return n, st, nil
		}
	}
	return 0, queueStats{}, errNoSolution(a, o)
}

// searchLimit bounds the search for agents: far beyond any answer (the
// wait probability is below 1e-300 long before), so hitting it means the
// target is numerically 1.
func searchLimit(a float64) int {
	return int(2*a+50*math.Sqrt(a)) + 1000
}
