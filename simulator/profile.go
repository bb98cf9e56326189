package simulator

import "time"

const (
	second      = int64(1000)
	minute      = 60 * second
	hour        = 60 * minute
	day         = 24 * hour
	slotMs      = 15 * minute
	slotsPerDay = int(day / slotMs)
	shiftMs     = 8*hour + 30*minute
	shiftSlots  = int(shiftMs / slotMs)
)

// callShape is the relative inbound call volume per hour of day: quiet at
// night, peaks mid-morning and early afternoon.
var callShape = [24]float64{
	0.08, 0.05, 0.04, 0.04, 0.05, 0.10, 0.30, 0.60, 1.00, 1.35, 1.50, 1.40,
	1.10, 1.25, 1.35, 1.20, 1.00, 0.80, 0.60, 0.45, 0.35, 0.25, 0.15, 0.10,
}

// emailShape is the relative e-mail volume per hour: daytime with a long
// evening tail (customers write after work).
var emailShape = [24]float64{
	0.15, 0.10, 0.08, 0.08, 0.10, 0.20, 0.40, 0.70, 1.00, 1.20, 1.20, 1.10,
	1.00, 1.10, 1.10, 1.00, 0.90, 0.80, 0.80, 0.80, 0.70, 0.55, 0.40, 0.25,
}

// workFrac is the fraction of the roster working on each weekday (Sunday
// first): weekdays are staffed far more than weekends, Monday most.
var workFrac = [7]float64{0.26, 0.86, 0.80, 0.78, 0.78, 0.76, 0.36}

// shape interpolates an hourly shape at the middle of 15-minute slot k of
// a day (k may be negative or beyond the day: it wraps).
func shape(s *[24]float64, k int) float64 {
	k = ((k % slotsPerDay) + slotsPerDay) % slotsPerDay
	x := (float64(k)+0.5)/4 - 0.5 // hours since the first hourly centre
	if x < 0 {
		x += 24
	}
	i := int(x)
	f := x - float64(i)
	return s[i%24]*(1-f) + s[(i+1)%24]*f
}

func shapeSum(s *[24]float64) float64 {
	t := 0.0
	for k := 0; k < slotsPerDay; k++ {
		t += shape(s, k)
	}
	return t
}

// Assumptions that size traffic to the staffing.
const (
	productive  = 0.87 // share of a shift not on breaks
	targetOcc   = 0.76 // planned occupancy of the phone agents
	emailShare  = 0.20 // share of agents focused on e-mail
	emailLoad   = 0.80 // planned e-mail load of the e-mail agents
	webCbPerCal = 0.02 // web callback requests per inbound call
	emailHandle = 330.0
)

// dayRates are Poisson arrival rates per 15-minute slot of one calendar
// day, in arrivals per millisecond.
type dayRates struct {
	calls, emails, web [96]float64
}

// planRates sizes one day's arrivals to the agents expected to work it:
// the call volume keeps the planned phone occupancy at targetOcc for the
// mean handle time aht (seconds).
func planRates(working int, aht float64) dayRates {
	var r dayRates
	phoneHours := float64(working) * (1 - emailShare) * float64(shiftMs) / float64(hour) * productive
	emailHours := float64(working) * emailShare * float64(shiftMs) / float64(hour) * productive
	calls := phoneHours * 3600 * targetOcc / aht
	emails := emailHours * 3600 * emailLoad / emailHandle
	cs, es := shapeSum(&callShape), shapeSum(&emailShape)
	for k := 0; k < slotsPerDay; k++ {
		r.calls[k] = calls * shape(&callShape, k) / cs / float64(slotMs)
		r.emails[k] = emails * shape(&emailShape, k) / es / float64(slotMs)
		r.web[k] = calls * webCbPerCal * shape(&emailShape, k) / es / float64(slotMs)
	}
	return r
}

// weekday of simulated day d.
func (m *model) weekday(d int) time.Weekday {
	return (m.o.Start.Weekday() + time.Weekday(d%7)) % 7
}

// nextArrival returns the next arrival after t of the non-homogeneous
// Poisson process whose per-slot rates sel picks; piecewise constant rates
// let a draw that crosses a slot boundary restart there (memorylessness).
func (m *model) nextArrival(t int64, sel func(*dayRates) *[96]float64) int64 {
	for t < m.end {
		d := t / day
		k := (t % day) / slotMs
		slotEnd := d*day + (k+1)*slotMs
		if r := sel(&m.rates[d])[k]; r > 0 {
			if dt := m.r.ExpFloat64() / r; float64(t)+dt < float64(slotEnd) {
				return t + int64(dt) + 1
			}
		}
		t = slotEnd
	}
	return m.end
}
