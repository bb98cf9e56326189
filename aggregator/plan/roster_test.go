package plan_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/aggregator/plan"
)

// centreCurve is the heads to schedule of a 24-hour centre per quarter
// hour: two at night, rising to peak heads at 11:00, and a second bump at
// 15:00 — the shape of the simulated centre's requirement.
func centreCurve(peak float64) []int {
	out := make([]int, 96)
	for i := range out {
		h := float64(i) / 4
		v := 2 + (peak-2)*math.Exp(-(h-11)*(h-11)/8) + 0.6*(peak-2)*math.Exp(-(h-15)*(h-15)/6)
		out[i] = int(math.Ceil(v))
	}
	return out
}

// A roster covers every interval's heads, and its paid hours are within
// a few per cent of the LP bound (measured gaps in docs/planning.md).
func TestScheduleCoversWithinBound(t *testing.T) {
	day := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name   string
		peak   float64
		shifts []plan.Shift
		gap    float64
	}{
		{"small centre, default shifts", 12, plan.DefaultShifts(), 0.08},
		{"demo centre, default shifts", 29, plan.DefaultShifts(), 0.05},
		{"large centre, default shifts", 120, plan.DefaultShifts(), 0.03},
		{"large centre, full time only", 120, plan.DefaultShifts()[:1], 0.05},
	} {
		req := centreCurve(c.peak)
		r, err := plan.Schedule("all", day, 15*time.Minute, req, c.shifts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i, it := range r.Intervals {
			if it.Covered < req[i] || it.LPCovered < float64(req[i])-1e-6 {
				t.Errorf("%s %s: %d (LP %.3f) heads on shift for %d required", c.name, it.Start.Format("15:04"), it.Covered, it.LPCovered, req[i])
			}
		}
		var paid float64
		heads := 0
		for _, s := range r.Starts {
			paid += s.PaidHours
			heads += s.Heads
		}
		if math.Abs(paid-r.PaidHours) > 1e-9 || heads != r.Heads {
			t.Errorf("%s: starts pay %v h for %d heads, roster says %v h, %d", c.name, paid, heads, r.PaidHours, r.Heads)
		}
		t.Logf("%s: %d heads, %.1f paid hours, LP bound %.1f, gap %.2f%%", c.name, r.Heads, r.PaidHours, r.LPPaidHours, 100*r.Gap)
		if r.PaidHours < r.LPPaidHours-1e-6 || r.Gap > c.gap {
			t.Errorf("%s: %.2f paid hours against an LP bound of %.2f (gap %.2f%%, want at most %.0f%%)", c.name, r.PaidHours, r.LPPaidHours, 100*r.Gap, 100*c.gap)
		}
	}
}

// By hand: one head for 08:00–10:00 with a 2-hour shift starting on the
// hour is one shift, 2 paid hours, and the LP agrees; the bounds of a
// template hold; a requirement the templates cannot reach is refused.
func TestScheduleByHand(t *testing.T) {
	day := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	req := make([]int, 96)
	for i := 32; i < 40; i++ {
		req[i] = 1
	}
	two := plan.Shift{Name: "two", Length: 2 * time.Hour, Every: time.Hour}
	r, err := plan.Schedule("q", day, 15*time.Minute, req, []plan.Shift{two})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Starts) != 1 || r.Starts[0].At.Hour() != 8 || r.Starts[0].Heads != 1 || r.PaidHours != 2 || math.Abs(r.LPPaidHours-2) > 1e-9 {
		t.Errorf("roster %+v, want one head 08:00–10:00, 2 paid hours, LP 2", r)
	}
	minTwo := two
	minTwo.Min, minTwo.Max = 3, 3
	if r, err = plan.Schedule("q", day, 15*time.Minute, req, []plan.Shift{minTwo}); err != nil || r.Heads != 3 {
		t.Errorf("min 3 max 3: %v heads, %v; want 3", r, err)
	}
	late := two
	late.From, late.To = 12*time.Hour, 14*time.Hour
	if _, err := plan.Schedule("q", day, 15*time.Minute, req, []plan.Shift{late}); !errors.Is(err, plan.ErrInvalid) {
		t.Errorf("shifts starting 12:00–14:00 for a requirement at 08:00: %v, want ErrInvalid", err)
	}
}

func TestParseShift(t *testing.T) {
	got, err := plan.ParseShift("early:8h30m,unpaid=30m,paid=15m,every=1h,from=06:00,to=09:00,min=2,max=10")
	want := plan.Shift{Name: "early", Length: 8*time.Hour + 30*time.Minute, UnpaidBreak: 30 * time.Minute, PaidBreak: 15 * time.Minute,
		Every: time.Hour, From: 6 * time.Hour, To: 9 * time.Hour, Min: 2, Max: 10}
	if err != nil || got != want {
		t.Errorf("ParseShift: %+v, %v; want %+v", got, err, want)
	}
	if got.PaidHours() != 8 {
		t.Errorf("paid hours %v, want 8", got.PaidHours())
	}
	for _, bad := range []string{"8h", "x:", "x:8h,lunch=30m", "x:8h,from=25:00", "x:8h,min=many"} {
		if _, err := plan.ParseShift(bad); !errors.Is(err, plan.ErrInvalid) {
			t.Errorf("ParseShift(%q): %v, want ErrInvalid", bad, err)
		}
	}
}
