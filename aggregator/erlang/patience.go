package erlang

import "math"

// EstimatePatience measures the mean patience Erlang A needs
// (Options.PatienceSec) from observed waits, in seconds.
//
// Patience is only seen for callers who abandoned: their wait is their
// patience. An answered caller's patience is not seen — it was at least its
// wait (the observation is right-censored). Ignoring answered calls would
// keep only the impatient and underestimate patience; averaging abandoned
// waits alone does exactly that. For exponential patience the maximum
// likelihood estimate with censoring is
//
//	θ = (Σ waits of abandoned + Σ waits of answered) / number abandoned,
//
// total exposure time divided by the number of abandonment events. With no
// abandoned calls there is no evidence of impatience and the result is
// +Inf (use Erlang C). Negative waits are treated as 0.
func EstimatePatience(abandonedWaits []float64, answeredWaits []float64) float64 {
	if len(abandonedWaits) == 0 {
		return math.Inf(1)
	}
	var exposure float64
	for _, w := range abandonedWaits {
		exposure += max(w, 0)
	}
	for _, w := range answeredWaits {
		exposure += max(w, 0)
	}
	return exposure / float64(len(abandonedWaits))
}
