package plan

// Spread turns deferred work into agents per interval. work[i] is the
// agent-seconds of work arriving in interval i (forecast e-mails or
// callbacks × handle time); it must be done within window intervals
// (i … i+window−1, the SLA or due window) and is shared over them in
// proportion to staffed[j], the agents staffed in each — agents answer
// e-mails when they are at work, not evenly round the clock. A window
// with no staffed agent at all is shared evenly over its intervals. The
// result is the agents the work keeps busy in each interval (its
// agent-seconds over intervalSec). A window cut by the end of staffed is
// shared over what is left of it, so a caller gives staffed a timeline
// that reaches window−1 intervals beyond the last interval it reads.
//
// Why it exists: e-mails and callbacks do not queue like calls (Erlang does
// not apply), but they take agent time within their deadline; added to the
// Erlang requirement they make the plan staff for all the work.
func Spread(work []float64, window int, staffed []float64, intervalSec float64) []float64 {
	out := make([]float64, len(staffed))
	window = max(window, 1)
	for i, w := range work {
		if w <= 0 || i >= len(staffed) {
			continue
		}
		end := min(i+window, len(staffed))
		var total float64
		for _, s := range staffed[i:end] {
			total += max(s, 0)
		}
		for j := i; j < end; j++ {
			share := 1 / float64(end-i)
			if total > 0 {
				share = max(staffed[j], 0) / total
			}
			out[j] += w * share / intervalSec
		}
	}
	return out
}
