package erlang

import (
	"fmt"
	"math"
)

// maxQueueTerms bounds the queue-length states summed in evalA. It is only
// reached when patience is extreme compared with the handle time and agents
// are far fewer than the traffic, where the queue holds tens of millions of
// callers in equilibrium.
const maxQueueTerms = 20_000_000

// evalA is Erlang A (M/M/n+M): Poisson arrivals at λ = a/aht, n agents
// serving at μ = 1/aht, and each waiting caller abandoning at γ = 1/patience.
//
// The stationary distribution of the birth–death chain is normalised by
// the probability π_n of exactly n calls in the system:
//
//	π_k/π_n for k ≤ n sums to 1/B(n, A) (Erlang B, no factorials);
//	π_{n+j}/π_n = t_j = Π_{i=1..j} λ/(nμ + iγ) = xʲ / Π_{i=1..j}(s+i),
//
// with x = λ/γ and s = nμ/γ. The t_j are summed in log space with a running
// maximum (they can exceed 1e308 when n < A), and the tail is cut once the
// terms decrease geometrically and the remaining bound is below 1e-17 of
// the sum.
//
// By PASTA a caller finds j others waiting with probability q_j = π_{n+j}/Z.
// Ahead of it, the queue moves at rate nμ + iγ with i callers ahead, so its
// offered wait V (the wait if it never abandoned) is a sum of exponentials
// with rates γ(s+j), …, γ(s+0), which makes U = e^{−γV} Beta(s, j+1)
// distributed (the order-statistics representation). It is answered when its
// own patience τ ~ Exp(γ) exceeds V, so, exactly:
//
//	P(answered | j)           = E[U] = s/(s+j+1)
//	P(answered within T | j)  = E[U; V ≤ T] = s/(s+j+1) · P(K > j),
//	                            K ~ NegativeBinomial(s+1, e^{−γT}) (failures)
//	E[wait; answered | j]     = E[V·U] = s/(s+j+1) · Σ_{i=0..j} 1/(s+1+i) / γ.
//
// Callers who find a free agent (probability 1 − P(wait)) are answered at
// once. ASA is the mean wait of answered calls, as kpis.md's asa_sec.
func evalA(n int, a, aht, patience, t float64) (queueStats, error) {
	return evalAB(n, a, ErlangB(n, a), aht, patience, t)
}

// evalAB is evalA given b = ErlangB(n, a), for callers that carry the
// recursion over n.
func evalAB(n int, a, b, aht, patience, t float64) (queueStats, error) {
	if a == 0 {
		return queueStats{sl: 1, stable: true}, nil
	}
	if n == 0 {
		return queueStats{wait: 1, abandon: 1, asa: math.Inf(1), occupancy: 1, stable: true}, nil
	}
	if b < 1e-300 {
		// n far above A: nobody ever waits (q_j < 1e-300).
		return queueStats{sl: 1, occupancy: a / float64(n), stable: true}, nil
	}
	gt := t / patience                   // γT
	s := float64(n) * patience / aht     // nμ/γ
	logx := math.Log(a * patience / aht) // log(λ/γ)
	log1mu := math.Log(-math.Expm1(-gt)) // log(1 − e^{−γT}); −Inf when T = 0
	logPmf := -(s + 1) * gt              // NB pmf at k = 0: e^{−γT(s+1)}
	cdf := math.Exp(logPmf)

	var (
		m                       = 0.0 // running max of log t_j; sums are scaled by e^{−m}
		logT                    = 0.0 // log t_j
		sum, sAb, sSL, sASA, hj float64
	)
	for j := 0; ; j++ {
		fj := float64(j)
		if j > 0 {
			logT += logx - math.Log(s+fj)
			logPmf += math.Log((s+fj)/fj) + log1mu
			cdf += math.Exp(logPmf)
		}
		if logT > m {
			r := math.Exp(m - logT)
			sum, sAb, sSL, sASA = sum*r, sAb*r, sSL*r, sASA*r
			m = logT
		}
		w := math.Exp(logT - m)
		hj += 1 / (s + 1 + fj)
		ans := s / (s + fj + 1)
		sum += w
		sAb += w * (fj + 1) / (s + fj + 1)
		sSL += w * ans * math.Max(0, 1-cdf)
		sASA += w * ans * hj
		if next := math.Exp(logx) / (s + fj + 1); next < 1 && w*next/(1-next) < 1e-17*sum {
			break
		}
		if j >= maxQueueTerms {
			return queueStats{}, fmt.Errorf("%w: patience %v s with aht %v s and %d agents for %.6g Erlangs needs over %d queue states", ErrInvalid, patience, aht, n, a, maxQueueTerms)
		}
	}
	// Z/π_n = (1/B − 1) + Σ_{j≥0} t_j; f = π_n e^{m} / Z.
	logZ := logAddExp(math.Log1p(-b)-math.Log(b), m+math.Log(sum))
	f := math.Exp(m - logZ)
	st := queueStats{
		wait:    math.Min(1, f*sum),
		abandon: math.Min(1, f*sAb),
		stable:  true,
	}
	st.sl = (1 - st.wait) + f*sSL
	if answered := 1 - st.abandon; answered > 0 {
		st.asa = f * sASA * patience / answered
		st.occupancy = a * answered / float64(n)
	} else {
		st.asa = math.Inf(1)
	}
	return st, nil
}

func logAddExp(x, y float64) float64 {
	if x < y {
		x, y = y, x
	}
	if math.IsInf(y, -1) {
		return x
	}
	return x + math.Log1p(math.Exp(y-x))
}
