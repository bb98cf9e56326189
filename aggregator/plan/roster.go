package plan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Shift is a shift template: the shifts a roster may start. A shift
// covers every interval from its start for Length (breaks included: they
// are part of the shrinkage the heads to schedule carry), and costs its
// paid hours, Length − UnpaidBreak.
type Shift struct {
	// Name names the template in the roster. Required.
	Name string `json:"name"`
	// Length from start to end, breaks included. Required; at most 24 h.
	Length time.Duration `json:"length"`
	// PaidBreak is break time within Length that is paid (it changes
	// nothing but the record); UnpaidBreak is break time that is not, and
	// comes off the paid hours. Default 0.
	PaidBreak   time.Duration `json:"paid_break"`
	UnpaidBreak time.Duration `json:"unpaid_break"`
	// Every is the start granularity: starts are on multiples of it from
	// local midnight. Default the planning interval; a multiple of it.
	Every time.Duration `json:"every"`
	// From and To bound the starts (local time since midnight, [From, To]).
	// Default 0 and 24 h (To 0 is 24 h): any time of day.
	From time.Duration `json:"from"`
	To   time.Duration `json:"to"`
	// Min and Max bound the heads on shifts of this template over the day.
	// Default 0: no bound (Max 0 is no cap).
	Min int `json:"min"`
	Max int `json:"max"`
}

// PaidHours is what one head on the shift costs.
func (s Shift) PaidHours() float64 { return (s.Length - s.UnpaidBreak).Hours() }

// DefaultShifts are the templates `frontline plan --roster` uses without
// --shift: a full-time 8 h 30 min shift with a 30 min unpaid lunch and two
// paid 15 min breaks, and a 4 h part-time shift with one paid 15 min break,
// both starting on the half hour.
func DefaultShifts() []Shift {
	return []Shift{
		{Name: "full", Length: 8*time.Hour + 30*time.Minute, UnpaidBreak: 30 * time.Minute, PaidBreak: 30 * time.Minute, Every: 30 * time.Minute},
		{Name: "part", Length: 4 * time.Hour, PaidBreak: 15 * time.Minute, Every: 30 * time.Minute},
	}
}

// ParseShift reads a template written as NAME:LENGTH followed by
// comma-separated options unpaid=D, paid=D, every=D, from=HH:MM, to=HH:MM,
// min=N and max=N, e.g. "early:8h30m,unpaid=30m,from=06:00,to=09:00".
func ParseShift(text string) (Shift, error) {
	name, rest, ok := strings.Cut(text, ":")
	parts := strings.Split(rest, ",")
	var s Shift
	var err error
	if !ok || name == "" {
		return s, fmt.Errorf("%w: shift %q: want NAME:LENGTH[,unpaid=D][,paid=D][,every=D][,from=HH:MM][,to=HH:MM][,min=N][,max=N]", ErrInvalid, text)
	}
	s.Name = name
	if s.Length, err = time.ParseDuration(parts[0]); err != nil {
		return s, fmt.Errorf("%w: shift %q: length: %v", ErrInvalid, text, err)
	}
	durations := map[string]*time.Duration{"unpaid": &s.UnpaidBreak, "paid": &s.PaidBreak, "every": &s.Every}
	clock := map[string]*time.Duration{"from": &s.From, "to": &s.To}
	counts := map[string]*int{"min": &s.Min, "max": &s.Max}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		switch {
		case durations[k] != nil:
			*durations[k], err = time.ParseDuration(v)
		case clock[k] != nil && v == "24:00":
			*clock[k] = 24 * time.Hour
		case clock[k] != nil:
			var t time.Time
			t, err = time.Parse("15:04", v)
			*clock[k] = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
		case counts[k] != nil:
			*counts[k], err = strconv.Atoi(v)
		default:
			err = errors.New("unknown option")
		}
		if err != nil {
			return s, fmt.Errorf("%w: shift %q: %q: %v", ErrInvalid, text, p, err)
		}
	}
	return s, nil
}

// withDefaults fills Every (the interval iv) and To (24 h).
func (s Shift) withDefaults(iv time.Duration) Shift {
	if s.Every == 0 {
		s.Every = iv
	}
	if s.To == 0 {
		s.To = 24 * time.Hour
	}
	return s
}

// Check reports whether s can be rostered in intervals of iv, so that a
// command refuses a template before it plans.
func (s Shift) Check(iv time.Duration) error { return s.withDefaults(iv).validate(iv) }

func (s Shift) validate(iv time.Duration) error {
	switch {
	case s.Name == "":
		return fmt.Errorf("%w: a shift template needs a name", ErrInvalid)
	case s.Length < iv || s.Length > 24*time.Hour || s.Length%iv != 0:
		return fmt.Errorf("%w: shift %q: length %s must be whole %s intervals, at most 24 h", ErrInvalid, s.Name, s.Length, iv)
	case s.UnpaidBreak < 0 || s.PaidBreak < 0 || s.UnpaidBreak+s.PaidBreak >= s.Length:
		return fmt.Errorf("%w: shift %q: breaks %s paid + %s unpaid must be shorter than the shift", ErrInvalid, s.Name, s.PaidBreak, s.UnpaidBreak)
	case s.Every < iv || s.Every%iv != 0:
		return fmt.Errorf("%w: shift %q: starts every %s must be a multiple of the %s interval", ErrInvalid, s.Name, s.Every, iv)
	case s.From < 0 || s.To > 24*time.Hour || s.From > s.To:
		return fmt.Errorf("%w: shift %q: starts from %s to %s", ErrInvalid, s.Name, s.From, s.To)
	case s.Min < 0 || s.Max < 0 || s.Max > 0 && s.Max < s.Min:
		return fmt.Errorf("%w: shift %q: min %d, max %d heads", ErrInvalid, s.Name, s.Min, s.Max)
	}
	return nil
}

// Roster is the shifts that cover one pool's heads to schedule: how many
// agents start each shift, in whole heads, and the linear-programming
// bound no roster of these templates can beat.
type Roster struct {
	Pool   string  `json:"pool"`
	Shifts []Shift `json:"shifts"`
	// Starts are the shifts started, in order of start.
	Starts    []Start          `json:"starts"`
	Intervals []RosterInterval `json:"intervals"`
	// PaidHours are the rounded roster's; LPPaidHours the LP bound's (the
	// least paid hours with fractional heads); Gap = PaidHours /
	// LPPaidHours − 1.
	PaidHours   float64 `json:"paid_hours"`
	LPPaidHours float64 `json:"lp_paid_hours"`
	Gap         float64 `json:"gap"`
	// Heads are the agents the rounded roster starts over the day.
	Heads int `json:"heads"`
}

// Start is one shift start of a roster.
type Start struct {
	Shift string    `json:"shift"`
	At    time.Time `json:"start"`
	End   time.Time `json:"end"`
	Heads int       `json:"heads"`
	// LPHeads are the LP bound's (fractional) heads on this start.
	LPHeads   float64 `json:"lp_heads"`
	PaidHours float64 `json:"paid_hours"`
}

// RosterInterval is one interval of a roster: the heads to schedule and
// those on shift.
type RosterInterval struct {
	Start     time.Time `json:"interval_start"`
	Required  int       `json:"required"`
	Covered   int       `json:"covered"`
	LPCovered float64   `json:"lp_covered"`
}

// startOption is one (template, start) a roster may use.
type startOption struct {
	shift  int
	first  int // interval index of the start (cyclic over the day)
	length int // intervals covered
	at     time.Duration
	paid   float64
}

// Schedule finds the roster of shifts that covers required[i] heads in
// every interval i of a day (starting at day, each iv long; a shift that
// runs past midnight covers the early hours of the same day, as on a run
// of like days) at the least paid hours. The LP relaxation (gonum's
// simplex) gives the bound; the roster rounds its solution down, adds the
// shift that covers most of the remaining shortfall per paid hour until
// every interval is covered, then drops shifts it does not need.
func Schedule(pool string, day time.Time, iv time.Duration, required []int, shifts []Shift) (*Roster, error) {
	shifts = slices.Clone(shifts)
	for k := range shifts {
		shifts[k] = shifts[k].withDefaults(iv)
		if err := shifts[k].validate(iv); err != nil {
			return nil, err
		}
	}
	r := &Roster{Pool: pool, Shifts: shifts}
	n := len(required)
	var opts []startOption
	for k, s := range shifts {
		for at := s.From; at <= s.To && at < 24*time.Hour; at += s.Every {
			first := int(at / iv)
			if first >= n {
				break
			}
			opts = append(opts, startOption{shift: k, first: first, length: int(s.Length / iv), at: at, paid: s.PaidHours()})
		}
	}
	covers := func(o startOption, i int) bool { return ((i-o.first)%n+n)%n < o.length }
	lpX := make([]float64, len(opts))
	if slices.ContainsFunc(required, func(v int) bool { return v > 0 }) || slices.ContainsFunc(shifts, func(s Shift) bool { return s.Min > 0 }) {
		x, bound, err := solveLP(opts, required, shifts, covers)
		if errors.Is(err, lp.ErrInfeasible) {
			return nil, fmt.Errorf("%w: the shift templates cannot cover pool %s's heads to schedule (start windows or caps too tight): %w", ErrInvalid, pool, err)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot find the LP bound of the roster of %s: %w", pool, err)
		}
		lpX, r.LPPaidHours = x, bound
	}
	heads := roundRoster(opts, lpX, required, shifts, covers)
	for i := range n {
		it := RosterInterval{Start: day.Add(time.Duration(i) * iv), Required: required[i]}
		for j, o := range opts {
			if covers(o, i) {
				it.Covered += heads[j]
				it.LPCovered += lpX[j]
			}
		}
		if it.Covered < it.Required {
			return nil, fmt.Errorf("%w: the shifts cannot cover %d heads at %s in pool %s (templates %d, every start capped?)",
				ErrInvalid, it.Required, it.Start.Format("15:04"), pool, len(shifts))
		}
		r.Intervals = append(r.Intervals, it)
	}
	for j, o := range opts {
		if heads[j] == 0 && lpX[j] < 1e-9 {
			continue
		}
		at := day.Add(time.Duration(o.first) * iv)
		r.Starts = append(r.Starts, Start{Shift: shifts[o.shift].Name, At: at, End: at.Add(time.Duration(o.length) * iv), Heads: heads[j],
			LPHeads: lpX[j], PaidHours: float64(heads[j]) * o.paid})
		r.PaidHours += float64(heads[j]) * o.paid
		r.Heads += heads[j]
	}
	slices.SortStableFunc(r.Starts, func(a, b Start) int { return a.At.Compare(b.At) })
	if r.LPPaidHours > 0 {
		r.Gap = r.PaidHours/r.LPPaidHours - 1
	}
	return r, nil
}

// solveLP is the LP relaxation in standard form: minimise the paid hours
// Σ paid_j·x_j subject to, for every interval with a requirement,
// Σ_{j covers i} x_j − s_i = required_i, and per template Σ x_j − u = Min
// and Σ x_j + v = Max; x, s, u, v ≥ 0. Every row has a slack of its own,
// so the rows are independent.
func solveLP(opts []startOption, required []int, shifts []Shift, covers func(startOption, int) bool) ([]float64, float64, error) {
	type row struct {
		coef  func(j int) float64
		b     float64
		slack float64 // −1 surplus, +1 slack
	}
	var rows []row
	for i, v := range required {
		if v > 0 {
			rows = append(rows, row{coef: func(j int) float64 {
				if covers(opts[j], i) {
					return 1
				}
				return 0
			}, b: float64(v), slack: -1})
		}
	}
	for k, s := range shifts {
		of := func(j int) float64 {
			if opts[j].shift == k {
				return 1
			}
			return 0
		}
		if s.Min > 0 {
			rows = append(rows, row{coef: of, b: float64(s.Min), slack: -1})
		}
		if s.Max > 0 {
			rows = append(rows, row{coef: of, b: float64(s.Max), slack: 1})
		}
	}
	// Only starts that appear in some row are variables (a column of
	// zeros is refused by the simplex, and such a start is never worth
	// paying for).
	var cols []int
	for j := range opts {
		for _, r := range rows {
			if r.coef(j) != 0 {
				cols = append(cols, j)
				break
			}
		}
	}
	m, nv := len(rows), len(cols)
	a := mat.NewDense(m, nv+m, nil)
	c := make([]float64, nv+m)
	b := make([]float64, m)
	for k, j := range cols {
		c[k] = opts[j].paid
	}
	for i, r := range rows {
		for k, j := range cols {
			a.Set(i, k, r.coef(j))
		}
		a.Set(i, nv+i, r.slack)
		b[i] = r.b
	}
	f, x, err := lp.Simplex(c, a, b, 1e-10, nil)
	if err != nil {
		return nil, 0, err
	}
	out := make([]float64, len(opts))
	for k, j := range cols {
		out[j] = max(x[k], 0)
	}
	return out, f, nil
}

// roundRoster turns the LP's fractional heads into whole ones: rounded
// down, then filled and pruned (see rounding); then each start in turn
// gives up a head and the roster is filled and pruned again, kept when it
// pays fewer hours, until no such move helps.
func roundRoster(opts []startOption, x []float64, required []int, shifts []Shift, covers func(startOption, int) bool) []int {
	r := &rounding{opts: opts, required: required, shifts: shifts, heads: make([]int, len(opts)),
		perShift: make([]int, len(shifts)), cov: make([]int, len(required)), covers: covers}
	for j, v := range x {
		if f := int(math.Floor(v + 1e-6)); f > 0 {
			r.add(j, f)
		}
	}
	r.fill()
	r.prune()
	for improved := true; improved; {
		improved = false
		for j := range opts {
			if r.heads[j] == 0 || r.perShift[opts[j].shift] <= shifts[opts[j].shift].Min {
				continue
			}
			before := r.clone()
			r.add(j, -1)
			r.fill()
			r.prune()
			if r.paid() < before.paid()-1e-9 {
				improved = true
				continue
			}
			*r = *before
		}
	}
	return r.heads
}

// rounding is a whole-head roster being built: heads per start, per
// template, and the heads on shift per interval.
type rounding struct {
	opts     []startOption
	required []int
	shifts   []Shift
	heads    []int
	perShift []int
	cov      []int
	covers   func(startOption, int) bool
}

func (r *rounding) clone() *rounding {
	c := *r
	c.heads, c.perShift, c.cov = slices.Clone(r.heads), slices.Clone(r.perShift), slices.Clone(r.cov)
	return &c
}

func (r *rounding) add(j, d int) {
	r.heads[j] += d
	r.perShift[r.opts[j].shift] += d
	for i := range r.cov {
		if r.covers(r.opts[j], i) {
			r.cov[i] += d
		}
	}
}

func (r *rounding) paid() float64 {
	var p float64
	for j, h := range r.heads {
		p += float64(h) * r.opts[j].paid
	}
	return p
}

// fill adds, one head at a time, the start that covers the most
// intervals still short per paid hour (within its template's Max; a
// template below its Min first) until nothing is short.
func (r *rounding) fill() {
	for {
		best, bestScore := -1, 0.0
		for j, o := range r.opts {
			s := r.shifts[o.shift]
			if s.Max > 0 && r.perShift[o.shift] >= s.Max {
				continue
			}
			short := 0
			for i := range r.cov {
				if r.covers(o, i) && r.cov[i] < r.required[i] {
					short++
				}
			}
			if r.perShift[o.shift] < s.Min {
				short += len(r.cov)
			}
			if score := float64(short) / o.paid; short > 0 && score > bestScore {
				best, bestScore = j, score
			}
		}
		if best < 0 {
			return
		}
		r.add(best, 1)
	}
}

// prune drops heads, the dearest starts first, while every interval
// stays covered and every template keeps its Min.
func (r *rounding) prune() {
	order := make([]int, len(r.opts))
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.opts[b].paid, r.opts[a].paid) })
	for _, j := range order {
		for r.heads[j] > 0 && r.perShift[r.opts[j].shift] > r.shifts[r.opts[j].shift].Min && !r.needed(j) {
			r.add(j, -1)
		}
	}
}

// needed reports whether start j's last head is needed: an interval it
// covers has no head to spare.
func (r *rounding) needed(j int) bool {
	for i := range r.cov {
		if r.covers(r.opts[j], i) && r.cov[i] <= r.required[i] {
			return true
		}
	}
	return false
}
