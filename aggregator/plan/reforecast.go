package plan

import "time"

// ReforecastPrior is the weight, in calls, of the forecast against the
// calls seen so far when a day under way is re-forecast: the factor is
// (actual + prior) / (forecast + prior), so the first few calls of the
// morning move the rest of the day little and a morning of hundreds moves
// it to what it shows.
const ReforecastPrior = 10.0

// Reforecast is the intraday correction of a day under way: the rest of
// the day's forecast calls are scaled by how the calls so far compare with
// their forecast.
type Reforecast struct {
	// AsOf is the end of the last whole interval before the plan was made:
	// intervals from it on are re-forecast.
	AsOf time.Time `json:"as_of"`
	// ActualCalls and ForecastCalls are the calls offered and forecast in
	// the open intervals before AsOf.
	ActualCalls   float64 `json:"actual_calls"`
	ForecastCalls float64 `json:"forecast_calls"`
	// Factor = (ActualCalls + ReforecastPrior) / (ForecastCalls +
	// ReforecastPrior) scales the forecast calls from AsOf on.
	Factor float64 `json:"factor"`
}

// reforecast corrects a day under way at now (nil before the day's first
// interval is over, or after the day): fc is the forecast week, slot the
// index of an interval in it, open the queue's hours, actual the day's
// calls by interval start.
func reforecast(now time.Time, f planFrame, fc []float64, slot func(time.Time) int, open func(time.Time) bool, actual map[int64]callRow) *Reforecast {
	if !now.After(f.day.Add(f.iv)) || !now.Before(f.dayEnd) {
		return nil
	}
	r := &Reforecast{AsOf: f.day.Add(now.Sub(f.day) / f.iv * f.iv)}
	for t := f.day; t.Before(r.AsOf); t = t.Add(f.iv) {
		if open(t) {
			r.ForecastCalls += fc[slot(t)]
			r.ActualCalls += actual[t.Unix()].Offered
		}
	}
	r.Factor = (r.ActualCalls + ReforecastPrior) / (r.ForecastCalls + ReforecastPrior)
	return r
}
