package simulator

import (
	"math"
	"time"
)

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

// Assumptions that size traffic to the staffing. The centre plans like a
// workforce manager, with one pool of agent time: every 15-minute interval
// gets the agents that Erlang C says answer slTarget of its calls within
// slSec (at least minAgents, at most maxOcc busy), plus its share of the
// e-mail work, which takes emailWork of the agents' productive time; the
// call and e-mail volumes are the ones the day's roster covers that way.
// Agents answer e-mails when the phones keep the agents the calls need.
const (
	productive  = 0.87 // share of a shift not on breaks
	slTarget    = 0.80 // planned share of calls answered within slSec
	slSec       = 20.0
	maxOcc      = 0.90 // planned phone occupancy at most, per interval
	minAgents   = 2    // never fewer agents logged in (nights)
	emailWork   = 0.25 // share of the productive agent time planned for e-mails
	emailFill   = 1.00 // share of that time the e-mails are sized to take
	webCbPerCal = 0.02 // web callback requests per inbound call
	emailHandle = 330.0
)

// dayRates are Poisson arrival rates per 15-minute slot of one calendar
// day, in arrivals per millisecond, and the agents planned in each slot
// (on the phones or the e-mails, before breaks).
type dayRates struct {
	calls, emails, web [96]float64
	need               [96]float64 // agents planned (calls and e-mails)
	erlang             [96]float64 // agents the calls need (no night minimum)
}

// planRates sizes one day's arrivals to the agents expected to work it:
// the largest call volume whose per-interval Erlang C staffing, with the
// mean handle time aht (seconds), fits in the part of the day's shifts
// not planned for e-mails; and e-mails for emailFill of that part.
func planRates(working int, aht float64) dayRates {
	var r dayRates
	capacity := float64(working*shiftSlots) * productive // agent-slots, breaks excluded
	phones := capacity * (1 - emailWork)
	cs, es := shapeSum(&callShape), shapeSum(&emailShape)
	slotSec := float64(slotMs / second)
	// The night minimum is lowered on days too thin to keep it round the
	// clock (a small centre's weekend), so that such a day still has calls.
	floor := minAgents
	staff := func(calls float64) (agents float64) {
		for k := range slotsPerDay {
			n := agentsFor(calls*shape(&callShape, k)/cs*aht/slotSec, aht, 0)
			r.erlang[k] = float64(n)
			r.need[k] = float64(max(n, floor))
			agents += r.need[k]
		}
		return agents
	}
	for floor > 0 && staff(0) >= phones {
		floor--
	}
	lo, hi := 0.0, phones*slotSec/aht
	for range 30 {
		if mid := (lo + hi) / 2; staff(mid) <= phones {
			lo = mid
		} else {
			hi = mid
		}
	}
	calls := lo
	mail := max(0, capacity-staff(calls)) // agent-slots for e-mails
	emails := mail * slotSec * emailFill / (emailHandle * 1.1)
	for k := 0; k < slotsPerDay; k++ {
		r.need[k] += mail * shape(&emailShape, k) / es
		r.calls[k] = calls * shape(&callShape, k) / cs / float64(slotMs)
		r.emails[k] = emails * shape(&emailShape, k) / es / float64(slotMs)
		r.web[k] = calls * webCbPerCal * shape(&emailShape, k) / es / float64(slotMs)
	}
	return r
}

// agentsFor returns the agents that answer slTarget of the calls within
// slSec for an offered load of a Erlangs with handle time aht (Erlang C),
// keeping occupancy at most maxOcc and never fewer than least.
func agentsFor(a, aht float64, least int) int {
	if a <= 0 {
		return least
	}
	b := 1.0 // Erlang B, by its recursion over n
	for n := 1; ; n++ {
		b = a * b / (float64(n) + a*b)
		if n < least || float64(n)*maxOcc < a {
			continue
		}
		rho := a / float64(n)
		c := b / (1 - rho*(1-b))
		if 1-c*math.Exp(-(float64(n)-a)*slSec/aht) >= slTarget {
			return n
		}
	}
}

// weekday of simulated day d.
func (m *model) weekday(d int) time.Weekday {
	return (m.o.Start.Weekday() + time.Weekday((d%7+7)%7)) % 7
}

// nextArrival returns the next arrival after t of the non-homogeneous
// Poisson process whose per-slot rates sel picks; piecewise constant rates
// let a draw that crosses a slot boundary restart there (memorylessness).
func (m *model) nextArrival(t int64, sel func(*dayRates) *[96]float64) int64 {
	for t < m.end {
		d := floorDiv(t, day)
		k := (t - d*day) / slotMs
		slotEnd := d*day + (k+1)*slotMs
		if r := sel(m.dayRates(d))[k]; r > 0 {
			if dt := m.r.ExpFloat64() / r; float64(t)+dt < float64(slotEnd) {
				return t + int64(dt) + 1
			}
		}
		t = slotEnd
	}
	return m.end
}

// dayRates returns the rates of simulated day d (negative: a day of the
// history before Start).
func (m *model) dayRates(d int64) *dayRates { return &m.rates[d+histDays] }

// floorDiv is a/b rounded towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// histDays is how far before Start the model's days reach: the history of
// contacts that the look-back KPIs of the simulated days see.
const histDays = 30
