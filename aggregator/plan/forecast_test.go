package plan

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// week builds weeks of a series from f(week, day, interval of day).
func series(weeks, perDay int, start time.Weekday, f func(w, d, k int) float64) Weekly {
	h := Weekly{PerDay: perDay, Start: start}
	for w := range weeks {
		for d := range 7 {
			for k := range perDay {
				h.Values = append(h.Values, f(w, d, k))
			}
		}
	}
	return h
}

// shape is an intraday pattern: quiet night, busy day.
func shape(k, perDay int) float64 {
	return 1 + 10*math.Sin(math.Pi*(float64(k%perDay)+0.5)/float64(perDay))
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(b)) }

// A flat series is forecast flat by every method.
func TestForecastFlat(t *testing.T) {
	h := series(4, 4, time.Monday, func(w, d, k int) float64 { return 7 })
	for _, m := range Methods {
		fc, err := Forecast(m, h)
		if err != nil {
			t.Fatal(err)
		}
		if len(fc) != 28 {
			t.Fatalf("%s: %d values, want a week of 28", m, len(fc))
		}
		for i, v := range fc {
			if !near(v, 7) {
				t.Errorf("%s[%d] = %v, want 7", m, i, v)
			}
		}
	}
}

// On a pure weekly pattern (every week the same, weekdays of different
// size and shape) the seasonal mean is exact, and so is the trend method
// (no trend: factor 1).
func TestForecastWeeklyPatternSeasonalMeanExact(t *testing.T) {
	f := func(w, d, k int) float64 { return float64(d+1) * shape(k+d, 8) }
	h := series(4, 8, time.Wednesday, f)
	for _, m := range []Method{SeasonalMean, Trend} {
		fc, err := Forecast(m, h)
		if err != nil {
			t.Fatal(err)
		}
		for d := range 7 {
			for k := range 8 {
				if got, want := fc[d*8+k], f(4, d, k); !near(got, want) {
					t.Errorf("%s day %d interval %d = %v, want %v", m, d, k, got, want)
				}
			}
		}
	}
	if b, err := choose(Methods, h, nil); err != nil || b.Chosen != SeasonalMean || b.Baseline().WAPE > 1e-12 {
		t.Errorf("backtest %+v, %v: want the seasonal mean kept with WAPE 0", b, err)
	} else if !strings.Contains(b.Note, "no trend") {
		t.Errorf("note %q: want it to say there is no trend", b.Note)
	}
}

// Profile is exact when every weekday shares one intraday shape (and the
// weekend another) whatever the day totals; the seasonal mean is too, so
// this is Profile's correctness, not its advantage (that is noise: see
// TestProfileBeatsBaselineOnNoise).
func TestForecastProfileExactOnSharedShapes(t *testing.T) {
	start := time.Saturday
	f := func(w, d, k int) float64 {
		wd := (start + time.Weekday(d)) % 7
		if weekend(wd) {
			return float64(d+1) * (1 + float64(k%3))
		}
		return float64(d+2) * shape(k, 12)
	}
	fc, err := Forecast(Profile, series(3, 12, start, f))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range fc {
		if want := f(3, i/12, i%12); !near(v, want) {
			t.Errorf("profile[%d] = %v, want %v", i, v, want)
		}
	}
}

// Under a trend (the weekly level grows 10 % of the first week each week)
// the trend method forecasts the next week exactly; the seasonal mean
// lags by 1.5 weeks of growth, and the backtest chooses the trend.
func TestTrendBeatsBaselineUnderTrend(t *testing.T) {
	f := func(w, d, k int) float64 { return (1 + 0.1*float64(w)) * float64(d+1) * shape(k, 8) }
	h := series(4, 8, time.Monday, f)
	want := make([]float64, 56)
	for i := range want {
		want[i] = f(4, i/8, i%8)
	}
	tr, _ := Forecast(Trend, h)
	base, _ := Forecast(SeasonalMean, h)
	if w := WAPE(want, tr); w > 1e-9 {
		t.Errorf("trend WAPE %v, want 0", w)
	}
	// seasonal mean = 1.15 × pattern, actual 1.4 × pattern
	if w := WAPE(want, base); !near(w, 0.25/1.4) {
		t.Errorf("seasonal mean WAPE %v, want %v", w, 0.25/1.4)
	}
	b, err := choose(Methods, series(5, 8, time.Monday, f), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Chosen != Trend || !(b.Best().WAPE < b.Baseline().WAPE) {
		t.Errorf("backtest %+v: want trend chosen, beating the seasonal mean", b)
	}
	if !near(b.TrendFactor, 1.5/1.2) {
		t.Errorf("trend factor %v, want 1.5/1.2 (next week over the mean week)", b.TrendFactor)
	}
}

// Poisson-like noise on a shared weekday shape: pooling the shape over
// days beats the per-interval seasonal mean (the simulator's case).
func TestProfileBeatsBaselineOnNoise(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	f := func(w, d, k int) float64 {
		mean := 10 * shape(k, 12)
		return max(0, mean+math.Sqrt(mean)*r.NormFloat64())
	}
	b, err := choose(Methods, series(4, 12, time.Monday, f), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Chosen != Profile || !(b.Best().WAPE < b.Baseline().WAPE) {
		t.Errorf("backtest %+v: want profile chosen, beating the seasonal mean", b)
	}
}

// WAPE weighs errors by volume: a miss of 1 at night counts as little as
// a miss of 1 at noon, not as 100 %.
func TestWAPE(t *testing.T) {
	for _, c := range []struct {
		actual, forecast []float64
		want             float64
	}{
		{[]float64{1, 100}, []float64{2, 100}, 1.0 / 101},
		{[]float64{10, 20, 30}, []float64{12, 18, 30}, 4.0 / 60},
		{[]float64{5, 5}, []float64{5, 5}, 0},
		{[]float64{4}, []float64{0}, 1},
	} {
		if got := WAPE(c.actual, c.forecast); !near(got, c.want) {
			t.Errorf("WAPE(%v, %v) = %v, want %v", c.actual, c.forecast, got, c.want)
		}
	}
	if got := WAPE([]float64{0, 0}, []float64{1, 0}); !math.IsNaN(got) {
		t.Errorf("WAPE of an empty actual = %v, want NaN", got)
	}
}

// One history week leaves nothing to backtest on: the baseline is kept
// and the note says why.
func TestBacktestOneWeek(t *testing.T) {
	b, err := choose(Methods, series(1, 4, time.Monday, func(w, d, k int) float64 { return 1 }), nil)
	if err != nil || b.Chosen != SeasonalMean || len(b.Scores) != 0 || b.Note == "" {
		t.Errorf("backtest %+v, %v: want seasonal mean, no scores, a note", b, err)
	}
}

// AHT is forecast handle over forecast answered calls; intervals without
// answered calls take the history's mean AHT.
func TestForecastAHT(t *testing.T) {
	handle := series(2, 2, time.Monday, func(w, d, k int) float64 { return float64(k) * 600 })
	answered := series(2, 2, time.Monday, func(w, d, k int) float64 { return float64(k) * 2 })
	aht, err := forecastAHT(SeasonalMean, ratioSeries{handle, answered}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range aht {
		if v != 300 {
			t.Errorf("aht[%d] = %v, want 300 (interval 0 has no calls: the mean)", i, v)
		}
	}
}

// Holt–Winters follows a level that steps up: two weeks at one level and
// two at double it. Backtested on the last week from the three before it,
// the seasonal mean and the weekday profile average the step away and the
// trend line overshoots or lags; Holt–Winters, its level corrected by
// every error, is chosen. On a pure weekly pattern it is exact.
func TestHoltWintersFollowsALevelStep(t *testing.T) {
	h := series(4, 8, time.Monday, func(w, d, k int) float64 {
		level := 10.0
		if w >= 2 {
			level = 20
		}
		return level * shape(k, 8) / 6
	})
	b, err := choose(Methods, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	hw, base := b.score(HoltWinters), b.Baseline()
	t.Logf("scores %+v", b.Scores)
	if b.Chosen != HoltWinters || !(hw.WAPE < 0.05) || !(base.WAPE > 0.2) || !(base.Bias < -0.2) {
		t.Errorf("chosen %s; Holt–Winters WAPE %.3f, seasonal mean %.3f (bias %.3f): want Holt–Winters, near 0, and the mean a third under", b.Chosen, hw.WAPE, base.WAPE, base.Bias)
	}
	pure := series(3, 8, time.Wednesday, func(w, d, k int) float64 { return float64(d+1) * shape(k+d, 8) })
	fc, err := Forecast(HoltWinters, pure)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range fc {
		if want := pure.Values[i]; !near(v, want) {
			t.Errorf("pure pattern: Holt–Winters[%d] = %v, want %v", i, v, want)
		}
	}
}

// A sparse series (callbacks: a few a day) is judged and forecast on
// coarser intervals: 0.25 a quarter hour is summed into hours (4 = the
// fewest whole intervals of the day holding one on average), and the
// forecast shared back evenly keeps the week's volume. A dense series is
// left alone.
func TestForecastSparseAggregates(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	sparse := series(3, 96, time.Monday, func(w, d, k int) float64 {
		if r.Float64() < 0.25 {
			return 1
		}
		return 0
	})
	b, fc, err := forecastSparse(Methods, sparse)
	if err != nil {
		t.Fatal(err)
	}
	var in, out float64
	for _, v := range sparse.Values {
		in += v / 3
	}
	for _, v := range fc {
		out += v
	}
	fine, err := choose(Methods, sparse, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("per quarter hour WAPE %.3f, per hour %.3f", fine.Best().WAPE, b.Best().WAPE)
	if b.Aggregated != 4 || len(fc) != 7*96 || math.Abs(in-out) > 0.5*math.Sqrt(in) || !(b.Best().WAPE < fine.Best().WAPE) {
		t.Errorf("aggregated %d, %d values, week volume %v from %v, WAPE %v vs %v fine: want hours, a week of quarters, the volume kept, a WAPE that means more",
			b.Aggregated, len(fc), out, in, b.Best().WAPE, fine.Best().WAPE)
	}
	dense := series(2, 96, time.Monday, func(w, d, k int) float64 { return 5 })
	if b, _, err := forecastSparse(Methods, dense); err != nil || b.Aggregated != 1 {
		t.Errorf("dense series aggregated %d (%v), want 1", b.Aggregated, err)
	}
}
