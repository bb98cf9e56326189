package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Method names one way to forecast the next week of a weekly-seasonal
// series. The plan table and the --backtest output carry the name.
type Method string

// The forecast methods. SeasonalMean is the baseline every other method
// must beat in the backtest to be chosen.
const (
	// SeasonalMean forecasts each interval of the week as the mean of the
	// same interval of the week over the history weeks.
	SeasonalMean Method = "seasonal_mean"
	// Trend is the seasonal mean scaled by a trend factor: the weekly totals
	// are fitted by least squares on a line, weighting recent weeks more
	// (weight w+1 for week w, oldest 0), and the line's value for the next
	// week over the mean weekly total scales every interval. Exact for a
	// pure weekly pattern with a linear trend in the weekly level; with one
	// history week it is the seasonal mean.
	Trend Method = "trend"
	// Profile is the contact-centre "day total × intraday profile": each
	// day's total is the mean of the same weekday's totals, and its
	// intraday shape is pooled over every history day of its kind (Monday
	// to Friday, or Saturday and Sunday). Pooling five (or two) days per
	// week estimates the shape from far more calls than one interval of the
	// week, so it wins wherever weekdays share a shape; where they do not,
	// the backtest keeps another method.
	Profile Method = "profile"
	// HoltWinters is additive double-seasonal exponential smoothing
	// (Taylor's Holt–Winters with an intraday and a weekly season): a
	// level, an intraday season of PerDay values and a weekly one of
	// 7 × PerDay, each corrected by its share of every one-step error, the
	// three shares chosen by the least squared one-step error over the
	// history. It follows a level that drifts and a weekday whose shape
	// differs from the others'; on a short noisy history the seasonal mean
	// usually wins the backtest.
	HoltWinters Method = "holt_winters"
)

// Methods are all methods in the order they are tried; on equal WAPE the
// earlier one wins, so the baseline is kept unless another one is better.
var Methods = []Method{SeasonalMean, Trend, Profile, HoltWinters}

// Weekly is a series with a weekly season: one value per interval over
// whole weeks, oldest first. It is what every Method reads.
type Weekly struct {
	// Values has Weeks() × 7 × PerDay entries.
	Values []float64
	// PerDay is the number of intervals in a day (96 for 15 minutes).
	PerDay int
	// Start is the weekday of the first day of Values (Profile needs it).
	Start time.Weekday
}

// Weeks is the number of whole weeks in w.
func (w Weekly) Weeks() int { return len(w.Values) / (7 * w.PerDay) }

func (w Weekly) validate() error {
	if w.PerDay <= 0 || len(w.Values) == 0 || len(w.Values)%(7*w.PerDay) != 0 {
		return fmt.Errorf("%w: %d values are not whole weeks of %d intervals a day", ErrHistory, len(w.Values), w.PerDay)
	}
	return nil
}

// Forecast returns the 7 × PerDay values of the week that follows h,
// starting on the weekday after h's last day, by method m.
func Forecast(m Method, h Weekly) ([]float64, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	switch m {
	case SeasonalMean:
		return seasonalMean(h), nil
	case Trend:
		return trend(h), nil
	case Profile:
		return profile(h), nil
	case HoltWinters:
		return holtWinters(h), nil
	}
	return nil, fmt.Errorf("%w: unknown forecast method %q", ErrInvalid, m)
}

func seasonalMean(h Weekly) []float64 {
	n := 7 * h.PerDay
	weeks := h.Weeks()
	out := make([]float64, n)
	for w := range weeks {
		for i, v := range h.Values[w*n : (w+1)*n] {
			out[i] += v
		}
	}
	for i := range out {
		out[i] /= float64(weeks)
	}
	return out
}

func trend(h Weekly) []float64 {
	out := seasonalMean(h)
	f := trendFactor(h)
	for i := range out {
		out[i] *= f
	}
	return out
}

// trendFactor is the fitted next week's total over the mean weekly total
// (1 without a trend, with one week, or with an empty series).
func trendFactor(h Weekly) float64 {
	n := 7 * h.PerDay
	weeks := h.Weeks()
	if weeks < 2 {
		return 1
	}
	var sw, sx, sy, sxx, sxy, mean float64
	for w := range weeks {
		var total float64
		for _, v := range h.Values[w*n : (w+1)*n] {
			total += v
		}
		mean += total / float64(weeks)
		wt, x := float64(w+1), float64(w)
		sw += wt
		sx += wt * x
		sy += wt * total
		sxx += wt * x * x
		sxy += wt * x * total
	}
	if mean <= 0 {
		return 1
	}
	slope := (sw*sxy - sx*sy) / (sw*sxx - sx*sx)
	next := sy/sw + slope*(float64(weeks)-sx/sw)
	return max(next, 0) / mean
}

// weekend reports whether d is a Saturday or Sunday, the day kind whose
// intraday shape Profile pools apart from Monday to Friday.
func weekend(d time.Weekday) bool { return d == time.Saturday || d == time.Sunday }

func profile(h Weekly) []float64 {
	p := h.PerDay
	weeks := h.Weeks()
	var dayTotal [7]float64 // by day of the forecast week
	var shape [2][]float64  // by kind: pooled volume per interval of day
	shape[0], shape[1] = make([]float64, p), make([]float64, p)
	for d := range 7 * weeks {
		kind := 0
		if weekend((h.Start + time.Weekday(d%7)) % 7) {
			kind = 1
		}
		for k, v := range h.Values[d*p : (d+1)*p] {
			dayTotal[d%7] += v / float64(weeks)
			shape[kind][k] += v
		}
	}
	var kindTotal [2]float64
	for kind := range shape {
		for _, v := range shape[kind] {
			kindTotal[kind] += v
		}
	}
	out := make([]float64, 7*p)
	for d := range 7 {
		kind := 0
		if weekend((h.Start + time.Weekday(d)) % 7) {
			kind = 1
		}
		if kindTotal[kind] <= 0 {
			continue
		}
		for k := range p {
			out[d*p+k] = dayTotal[d] * shape[kind][k] / kindTotal[kind]
		}
	}
	return out
}

// holtWinters fits the three smoothing shares on a small grid and
// forecasts the week after h.
func holtWinters(h Weekly) []float64 {
	grid := []float64{0, 0.02, 0.1, 0.3}
	best, bestSSE := []float64(nil), math.Inf(1)
	for _, a := range grid[1:] {
		for _, d := range grid {
			for _, w := range grid {
				fc, sse := hwRun(h, a, d, w)
				if sse < bestSSE {
					best, bestSSE = fc, sse
				}
			}
		}
	}
	return best
}

// hwRun runs additive double-seasonal Holt–Winters with level share a,
// intraday share d and weekly share w over h, started from its first week
// (level its mean, intraday season the mean shape of its days, weekly
// season the rest), and returns the next week's forecast (at least 0) and
// the sum of squared one-step errors after the first week.
func hwRun(h Weekly, a, d, w float64) ([]float64, float64) {
	p := h.PerDay
	week := 7 * p
	var level float64
	for _, v := range h.Values[:week] {
		level += v / float64(week)
	}
	day := make([]float64, p)
	for i, v := range h.Values[:week] {
		day[i%p] += (v - level) / 7
	}
	wk := make([]float64, week)
	for i, v := range h.Values[:week] {
		wk[i] = v - level - day[i%p]
	}
	var sse float64
	for t := week; t < len(h.Values); t++ {
		e := h.Values[t] - (level + day[t%p] + wk[t%week])
		sse += e * e
		level += a * e
		day[t%p] += d * e
		wk[t%week] += w * e
	}
	out := make([]float64, week)
	n := len(h.Values)
	for k := range out {
		out[k] = max(0, level+day[(n+k)%p]+wk[(n+k)%week])
	}
	return out, sse
}

// Bias is Σ(forecast − actual) / Σ actual: positive when the forecast
// runs over. NaN when Σ actual is 0.
func Bias(actual, forecast []float64) float64 {
	var num, den float64
	for i, a := range actual {
		num += forecast[i] - a
		den += a
	}
	if den <= 0 {
		return math.NaN()
	}
	return num / den
}

// WAPE is the weighted absolute percentage error Σ|actual − forecast| /
// Σ actual: unlike a mean of per-interval percentages it is not blown up by
// quiet night intervals. NaN when Σ actual is 0 (nothing to be wrong about).
func WAPE(actual, forecast []float64) float64 {
	var num, den float64
	for i, a := range actual {
		num += math.Abs(a - forecast[i])
		den += a
	}
	if den <= 0 {
		return math.NaN()
	}
	return num / den
}

// Score is one method's backtest on a series: its forecast of the last
// history week made from the weeks before it.
type Score struct {
	Method Method `json:"method"`
	// WAPE of the forecast volume.
	WAPE float64 `json:"wape"`
	// Bias of the forecast volume (see Bias).
	Bias float64 `json:"bias"`
	// AHTWAPE is the WAPE of the handle time the forecast AHT implies for
	// the calls actually answered (Σ|handle − answered × AHT| / Σ handle);
	// NaN for series without handle times.
	AHTWAPE float64 `json:"aht_wape"`
}

// MarshalJSON writes an undefined WAPE (NaN) as null.
func (s Score) MarshalJSON() ([]byte, error) {
	f := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	return json.Marshal(struct {
		Method  Method   `json:"method"`
		WAPE    *float64 `json:"wape"`
		Bias    *float64 `json:"bias"`
		AHTWAPE *float64 `json:"aht_wape"`
	}{s.Method, f(s.WAPE), f(s.Bias), f(s.AHTWAPE)})
}

// Backtest is the method chosen for one series and how every method did.
type Backtest struct {
	// Chosen is the method with the lowest WAPE (SeasonalMean when there is
	// no week to test on).
	Chosen Method `json:"chosen"`
	// Scores are in the order of the methods tried; empty with fewer than
	// two history weeks.
	Scores []Score `json:"scores"`
	// TrendFactor is the trend method's factor on the full history (1 = no
	// trend), to explain why it was or was not chosen.
	TrendFactor float64 `json:"trend_factor"`
	// Note says why the baseline was kept, when it was.
	Note string `json:"note,omitempty"`
	// Aggregated is how many planning intervals a sparse series was summed
	// into before it was backtested and forecast (1: not aggregated).
	Aggregated int `json:"aggregated"`
}

// Baseline returns the SeasonalMean score (NaN WAPE if not tested).
func (b Backtest) Baseline() Score { return b.score(SeasonalMean) }

// Best returns the chosen method's score (NaN WAPE if not tested).
func (b Backtest) Best() Score { return b.score(b.Chosen) }

func (b Backtest) score(m Method) Score {
	for _, s := range b.Scores {
		if s.Method == m {
			return s
		}
	}
	return Score{Method: m, WAPE: math.NaN(), Bias: math.NaN(), AHTWAPE: math.NaN()}
}

// ratioSeries forecasts a ratio (AHT = handle / answered) by forecasting
// numerator and denominator with the same method.
type ratioSeries struct {
	handle, answered Weekly
}

// choose backtests methods on volume (and, when r is given, on AHT) and
// picks the one with the lowest volume WAPE.
func choose(methods []Method, volume Weekly, r *ratioSeries) (Backtest, error) {
	b := Backtest{Chosen: SeasonalMean, TrendFactor: trendFactor(volume), Aggregated: 1}
	weeks := volume.Weeks()
	if weeks < 2 {
		b.Note = "one history week: nothing to backtest on, seasonal mean kept"
		return b, nil
	}
	n := 7 * volume.PerDay
	cut := (weeks - 1) * n
	train := Weekly{Values: volume.Values[:cut], PerDay: volume.PerDay, Start: volume.Start}
	actual := volume.Values[cut:]
	best := math.Inf(1)
	for _, m := range methods {
		fc, err := Forecast(m, train)
		if err != nil {
			return b, err
		}
		s := Score{Method: m, WAPE: WAPE(actual, fc), Bias: Bias(actual, fc), AHTWAPE: math.NaN()}
		if r != nil {
			aht, err := forecastAHT(m, ratioSeries{
				handle:   Weekly{Values: r.handle.Values[:cut], PerDay: r.handle.PerDay, Start: r.handle.Start},
				answered: Weekly{Values: r.answered.Values[:cut], PerDay: r.answered.PerDay, Start: r.answered.Start},
			}, 0)
			if err != nil {
				return b, err
			}
			implied := make([]float64, n)
			for i := range implied {
				implied[i] = r.answered.Values[cut+i] * aht[i]
			}
			s.AHTWAPE = WAPE(r.handle.Values[cut:], implied)
		}
		b.Scores = append(b.Scores, s)
		if s.WAPE < best-1e-9 { // equal up to rounding: the earlier method stays
			best, b.Chosen = s.WAPE, m
		}
	}
	if math.IsInf(best, 1) {
		b.Chosen = SeasonalMean
		b.Note = "no volume in the last history week: seasonal mean kept"
	} else if b.Chosen == SeasonalMean {
		why := fmt.Sprintf("no trend in the data (factor %.3f)", b.TrendFactor)
		if math.Abs(b.TrendFactor-1) >= 0.05 {
			why = fmt.Sprintf("the trend (factor %.3f) did not carry into the last week", b.TrendFactor)
		}
		b.Note = "seasonal mean kept: " + why + ", and the pooled weekday profile did not fit the last week better"
	}
	return b, nil
}

// MinPerInterval is the mean volume per interval below which a series is
// sparse: its forecast is judged and made on coarser intervals (see
// forecastSparse), since a WAPE over intervals that mostly hold 0 or 1
// measures the noise, not the forecast.
const MinPerInterval = 1.0

// forecastSparse backtests and forecasts a deferred series (e-mails,
// callbacks): a sparse one is summed into the fewest whole intervals per
// bucket (a divisor of the day's) that hold MinPerInterval on average,
// chosen and forecast there, and each bucket's forecast shared evenly over
// its intervals — deferred work is spread over its window anyway.
func forecastSparse(methods []Method, w Weekly) (Backtest, []float64, error) {
	f := 1
	var total float64
	for _, v := range w.Values {
		total += v
	}
	mean := total / float64(max(len(w.Values), 1))
	for f < w.PerDay && mean*float64(f) < MinPerInterval {
		f++
		for w.PerDay%f != 0 {
			f++
		}
	}
	if total == 0 {
		f = 1
	}
	coarse := Weekly{Values: make([]float64, len(w.Values)/f), PerDay: w.PerDay / f, Start: w.Start}
	for i, v := range w.Values {
		coarse.Values[i/f] += v
	}
	b, err := choose(methods, coarse, nil)
	if err != nil {
		return b, nil, err
	}
	b.Aggregated = f
	fc, err := Forecast(b.Chosen, coarse)
	if err != nil {
		return b, nil, err
	}
	out := make([]float64, len(fc)*f)
	for i := range out {
		out[i] = fc[i/f] / float64(f)
	}
	return b, out, nil
}

// forecastAHT forecasts AHT per interval of the next week as the forecast
// handle time over the forecast answered calls; intervals without answered
// calls get fallback (the history's overall AHT).
func forecastAHT(m Method, r ratioSeries, fallback float64) ([]float64, error) {
	h, err := Forecast(m, r.handle)
	if err != nil {
		return nil, err
	}
	a, err := Forecast(m, r.answered)
	if err != nil {
		return nil, err
	}
	if fallback <= 0 {
		var sh, sa float64
		for i := range r.handle.Values {
			sh += r.handle.Values[i]
			sa += r.answered.Values[i]
		}
		if sa > 0 {
			fallback = sh / sa
		}
	}
	out := make([]float64, len(h))
	for i := range out {
		if a[i] > 1e-9 && h[i] > 0 {
			out[i] = h[i] / a[i]
		} else {
			out[i] = fallback
		}
	}
	return out, nil
}
