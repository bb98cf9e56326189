package plan

import (
	"math"
	"testing"
)

// A hand example of deferred work. Interval length 900 s, window 2
// intervals. 900 agent-seconds (one e-mail of 15 min) arrive in interval
// 0, where 1 agent is staffed, and 3 are staffed in interval 1: a quarter
// of the work lands in 0 (0.25 agents), three quarters in 1 (0.75).
// 1800 agent-seconds arrive in interval 2, whose window (2, 3) has nobody
// staffed: shared evenly, 1 agent each. 450 arrive in interval 3, whose
// window is cut by the end of the timeline: all of it in 3 (0.5).
func TestSpreadHandExample(t *testing.T) {
	got := Spread([]float64{900, 0, 1800, 450}, 2, []float64{1, 3, 0, 0}, 900)
	want := []float64{0.25, 0.75, 1, 1.5}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("Spread = %v, want %v", got, want)
		}
	}
}

// Every agent-second of work inside the timeline is accounted for, and
// none lands before it arrives or after its window.
func TestSpreadConservesWork(t *testing.T) {
	work := []float64{3600, 0, 0, 7200, 0, 0, 0, 0}
	staffed := []float64{2, 0, 5, 1, 1, 0, 4, 4}
	got := Spread(work, 3, staffed, 900)
	var sum float64
	for _, v := range got {
		sum += v
	}
	if math.Abs(sum*900-10800) > 1e-9 {
		t.Errorf("spread %v holds %v agent-seconds, want 10800", got, sum*900)
	}
	if got[1] != 0 || got[5] != 0 || got[6] != 0 || got[7] != 0 {
		t.Errorf("spread %v: work in unstaffed intervals or after its window", got)
	}
}
