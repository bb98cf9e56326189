package erlang_test

import (
	"fmt"
	"testing"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

// Required agents at 80/20 for 10 … 5,000 Erlangs (AHT 180 s, 900 s
// intervals): Erlang C, and Erlang A with 120 s patience.
func BenchmarkRequiredAgents(b *testing.B) {
	for _, a := range []float64{10, 100, 1000, 5000} {
		l := erlang.Load{Calls: a * 900 / 180, AHTSec: 180}
		for _, patience := range []float64{0, 120} {
			name := fmt.Sprintf("A=%v/erlang-c", a)
			if patience > 0 {
				name = fmt.Sprintf("A=%v/erlang-a", a)
			}
			o := erlang.Defaults()
			o.PatienceSec = patience
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if _, err := erlang.RequiredAgents(l, o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// A day of 96 intervals at 5…50 Erlangs with the agents they need in total.
func BenchmarkBudget(b *testing.B) {
	loads := make([]erlang.Load, 96)
	total := 0
	for i := range loads {
		loads[i] = erlang.Load{Calls: float64(25 + (i*37)%226), AHTSec: 180}
		r, _ := erlang.RequiredAgents(loads[i], erlang.Defaults())
		total += r.Agents
	}
	for b.Loop() {
		if _, err := erlang.Budget(total, loads, erlang.Defaults()); err != nil {
			b.Fatal(err)
		}
	}
}
