package erlang_test

import (
	"math"
	"testing"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

func assertResult(t *testing.T, got, want erlang.Result, tol float64) {
	t.Helper()
	if got.Model != want.Model || got.Agents != want.Agents || got.AgentsWithShrinkage != want.AgentsWithShrinkage || got.Stable != want.Stable {
		t.Errorf("got %+v\nwant %+v", got, want)
		return
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"traffic", got.TrafficErlangs, want.TrafficErlangs},
		{"service level", got.ServiceLevel, want.ServiceLevel},
		{"asa", got.ASASec, want.ASASec},
		{"occupancy", got.Occupancy, want.Occupancy},
		{"wait probability", got.WaitProbability, want.WaitProbability},
		{"abandon probability", got.AbandonProbability, want.AbandonProbability},
	} {
		if math.Abs(f.got-f.want) > tol*math.Max(1, math.Abs(f.want)) {
			t.Errorf("%s = %.12g, want %.12g", f.name, f.got, f.want)
		}
	}
}
