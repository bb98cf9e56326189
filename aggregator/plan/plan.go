// Package plan is the capacity plan of `frontline plan`: it forecasts each
// queue's offered calls and AHT per interval of a day from the weeks
// before it (methods chosen per queue by backtest; a day under way is
// re-forecast from its calls so far), adds the e-mails and callbacks as
// deferred work, plans the queues the same agents serve as one pool with
// aggregator/erlang, sets the requirement against the agents on the work
// (the same quantity: docs/planning.md), checks a past day's plan against
// the day, turns the heads to schedule into shift rosters, and writes the
// capacity_plan and roster tables (migrations 0020, 0040, 0041) for the
// Capacity dashboard. History is read with one embedded SQL file per series
// (sql/*.sql) from the rollups and derived tables the aggregator keeps.
package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/frontline-oss/frontline/aggregator/erlang"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// Sentinel errors.
var (
	// ErrInvalid: the options cannot make a plan (an interval that does not
	// tile the rollups, a max abandon without patience, …).
	ErrInvalid = errors.New("invalid plan options")
	// ErrHistory: the store holds too little history to forecast from.
	ErrHistory = errors.New("not enough history to plan")
	// ErrNoHistory: the planned day has no history to stand on — a past
	// day with no calls or staffing recorded, or a day ahead with no
	// earlier week of staffing — and Options.Assume does not say what to
	// assume instead.
	ErrNoHistory = errors.New("no history for the day")
)

// Options configure a Planner. A zero field takes the default written in
// its comment, except where the comment says zero means what it says.
type Options struct {
	// Weeks of history the forecasts read (the last full week of them is
	// the backtest). Default 4. Fewer are used when the data starts later.
	Weeks int
	// IntervalSec is the planning interval: a multiple of 900 (the rollup
	// bucket) that divides a day. Default 900 (96 intervals a day).
	IntervalSec int
	// Erlang is the service-level target, threshold, max occupancy,
	// shrinkage, patience and max abandon of the requirement; its
	// IntervalSec is ignored (IntervalSec above rules). A zero Target and
	// ThresholdSec take each queue's own (its service-level target and
	// threshold in KPI), zero MaxOccupancy DefaultMaxOccupancy (0.9); zero
	// Shrinkage,
	// PatienceSec (Erlang C) and MaxAbandon (no cap) mean what they say —
	// Defaults() has the planner's shrinkage of 0.3. Shrinkage applies to
	// the phone agents and the deferred work together.
	Erlang erlang.Options
	// EstimatePatience, when Erlang.PatienceSec is 0, estimates each
	// queue's mean patience from its history (erlang.EstimatePatience on
	// the waits of calls_15m) and plans with Erlang A; a queue without
	// abandons stays on Erlang C. Default false.
	EstimatePatience bool
	// EmailSLA is the time within which an e-mail's work must be done (the
	// first-response target of kpis.md). Default 24 h.
	EmailSLA time.Duration
	// Queues limits the plan to these queues. Default: every queue with
	// calls in the history.
	Queues []string
	// Methods are the forecast methods the backtest chooses from; the
	// first is the one kept on a tie or without a week to test on.
	// Default Methods (SeasonalMean first).
	Methods []Method
	// KPI is the centre's configuration: the time zone the day is a local
	// day of, and each queue's service-level target and threshold, short
	// abandon and opening hours (a queue needs no agents while closed).
	// Default kpi.DefaultConfig().
	KPI kpi.Config
	// Logger gets progress: one line when history is read, one per queue.
	// Default: discard.
	Logger *slog.Logger
	// Now stamps created_at of the plan. Default time.Now.
	Now func() time.Time
	// Pool says which queues are planned together, sharing agents and
	// rounded once: PoolSkills (the default) joins queues that the same
	// agents serve (their busy and wrap agent-state events in the history,
	// agents still on the roster); PoolQueue plans every queue alone;
	// PoolAll plans the whole centre as one pool.
	Pool string
	// Assume is the staffing to set the requirement against when the day
	// has none of its own: AssumeNone compares none (requirement only),
	// AssumeLastWeek takes the latest earlier week with staffing even for
	// a day that happened. Default "": the day's own staffing if it
	// happened, else the latest earlier week's, and ErrNoHistory when
	// there is none.
	Assume string
}

// The values of Options.Pool and Options.Assume.
const (
	PoolSkills     = "skills"
	PoolQueue      = "queue"
	PoolAll        = "all"
	AssumeNone     = "none"
	AssumeLastWeek = "last-week"
)

// Defaults of Options, as `frontline plan` uses them.
const (
	DefaultWeeks       = 4
	DefaultIntervalSec = 900
	DefaultShrinkage   = 0.3
	DefaultEmailSLA    = 24 * time.Hour
	// DefaultMaxOccupancy caps planned phone occupancy: agents kept busier
	// burn out and the plan has no slack for a noisy interval.
	DefaultMaxOccupancy = 0.9
)

// Defaults returns the planner's defaults in full, shrinkage included;
// the service-level target and threshold are zero: each queue's own.
func Defaults() Options {
	e := erlang.Defaults()
	e.Shrinkage = DefaultShrinkage
	e.MaxOccupancy = DefaultMaxOccupancy
	e.Target, e.ThresholdSec = 0, 0
	return Options{Weeks: DefaultWeeks, IntervalSec: DefaultIntervalSec, Erlang: e, EmailSLA: DefaultEmailSLA, Methods: Methods,
		KPI: kpi.DefaultConfig()}
}

func (o Options) withDefaults() Options {
	d := Defaults()
	if o.Weeks <= 0 {
		o.Weeks = d.Weeks
	}
	if o.IntervalSec == 0 {
		o.IntervalSec = d.IntervalSec
	}
	o.KPI = o.KPI.WithDefaults()
	if o.Erlang.MaxOccupancy == 0 {
		o.Erlang.MaxOccupancy = d.Erlang.MaxOccupancy
	}
	o.Erlang.IntervalSec = float64(o.IntervalSec)
	if o.EmailSLA <= 0 {
		o.EmailSLA = d.EmailSLA
	}
	if len(o.Methods) == 0 {
		o.Methods = d.Methods
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Pool == "" {
		o.Pool = PoolSkills
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.IntervalSec < 900 || o.IntervalSec%900 != 0 || 86400%o.IntervalSec != 0:
		return fmt.Errorf("%w: interval %d s must be a multiple of 900 that divides a day", ErrInvalid, o.IntervalSec)
	case o.Erlang.MaxAbandon > 0 && o.Erlang.PatienceSec == 0 && !o.EstimatePatience:
		return fmt.Errorf("%w: max abandon %v needs a patience (given or estimated)", ErrInvalid, o.Erlang.MaxAbandon)
	case !slices.Contains([]string{PoolSkills, PoolQueue, PoolAll}, o.Pool):
		return fmt.Errorf("%w: pool %q: want %s, %s or %s", ErrInvalid, o.Pool, PoolSkills, PoolQueue, PoolAll)
	case !slices.Contains([]string{"", AssumeNone, AssumeLastWeek}, o.Assume):
		return fmt.Errorf("%w: assume %q: want %s or %s", ErrInvalid, o.Assume, AssumeNone, AssumeLastWeek)
	}
	for _, m := range o.Methods {
		if !slices.Contains(Methods, m) {
			return fmt.Errorf("%w: unknown forecast method %q", ErrInvalid, m)
		}
	}
	// erlang validates the rest the way `frontline erlang` reports it.
	check := o.forQueue("")
	if check.MaxAbandon > 0 && check.PatienceSec == 0 {
		check.PatienceSec = 1
	}
	if _, err := erlang.RequiredAgents(erlang.Load{Calls: 0, AHTSec: 1}, check); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

// forQueue is the Erlang requirement of queue: the options' target and
// threshold, or the queue's own when they are zero.
func (o Options) forQueue(queue string) erlang.Options {
	e := o.Erlang
	q := o.KPI.Queue(queue)
	if e.Target == 0 {
		e.Target = q.ServiceLevel
	}
	if e.ThresholdSec == 0 {
		e.ThresholdSec = q.SLThreshold.Seconds()
	}
	return e
}

// Planner makes and stores capacity plans from the history in a store.
type Planner struct {
	s store.Store
	o Options
	q kpi.Queries // planSQL compiled for o.KPI
}

// New returns a Planner on s; o's zero fields take their defaults. It
// fails on options no plan can satisfy.
func New(s store.Store, o Options) (*Planner, error) {
	o = o.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	q, err := kpi.Compile(planSQL, o.KPI.Bind(kpi.QueryWindow))
	if err != nil {
		return nil, fmt.Errorf("cannot compile the planner's queries: %w", err)
	}
	return &Planner{s: s, o: o, q: q}, nil
}

// Options returns the planner's options with the defaults filled in.
func (p *Planner) Options() Options { return p.o }

// Plan is one day's capacity plan for every queue.
type Plan struct {
	// Date is the planned day: its local midnight in TimeZone.
	Date     time.Time `json:"plan_date"`
	TimeZone string    `json:"time_zone"`
	// CreatedAt stamps the plan (the version of its rows in capacity_plan).
	CreatedAt   time.Time `json:"created_at"`
	IntervalSec int       `json:"interval_sec"`
	// Weeks is how many history weeks were asked for.
	Weeks     int     `json:"weeks"`
	Shrinkage float64 `json:"shrinkage"`
	// ServiceLevel and ThresholdSec are the target the agents are for, the
	// default queue's (each queue's own are in Queue).
	ServiceLevel float64 `json:"service_level"`
	ThresholdSec float64 `json:"sl_sec"`
	// Assume is the staffing assumption asked for (Options.Assume), ""
	// when the staffing is the day's own or the latest week's that has it.
	Assume string `json:"assume,omitempty"`
	// Pools are the groups of queues planned together, each rounded once.
	Pools  []Pool  `json:"pools"`
	Queues []Queue `json:"queues"`
	// Check sets the plan against the day itself when it happened (nil
	// for a day not worked yet).
	Check *Check `json:"check,omitempty"`
}

// Queue is the plan of one queue for the day.
type Queue struct {
	Queue string `json:"queue"`
	// Pool is the name of the pool the queue is planned in.
	Pool string `json:"pool"`
	// Weeks of history the queue's forecast read (fewer than asked when
	// its data starts later).
	Weeks int `json:"weeks"`
	// Method forecast the calls and AHT, chosen by Backtest.
	Method   Method   `json:"method"`
	Backtest Backtest `json:"backtest"`
	// ServiceLevel and ThresholdSec are the queue's Erlang target.
	ServiceLevel float64 `json:"service_level"`
	ThresholdSec float64 `json:"sl_sec"`
	// EmailBacktest and CallbackBacktest chose the methods of the
	// deferred volumes.
	EmailBacktest    Backtest `json:"email_backtest"`
	CallbackBacktest Backtest `json:"callback_backtest"`
	// Model is erlang-c or erlang-a; PatienceSec is the patience of
	// Erlang A and PatienceSource "given" or "estimated".
	Model          erlang.Model `json:"model"`
	PatienceSec    float64      `json:"patience_sec,omitempty"`
	PatienceSource string       `json:"patience_source,omitempty"`
	// EmailHandleSec and CallbackHandleSec are the agent seconds per
	// e-mail and per requested callback from history; CallbackWindowSec
	// the mean due window of callbacks.
	EmailHandleSec    float64 `json:"email_handle_sec"`
	CallbackHandleSec float64 `json:"callback_handle_sec"`
	CallbackWindowSec float64 `json:"callback_window_sec"`
	// StaffedSource says where staffed agents come from: "history" (the
	// day happened), "last_week" (the roster of the same weekday a week
	// earlier), "N_weeks_back" (a week with no staffing was skipped),
	// "none" (--assume none: no staffing is compared), or "history until
	// HH:MM, then last_week" for a day under way.
	StaffedSource string `json:"staffed_source"`
	// StaffedFrom is the day whose roster is assumed (YYYY-MM-DD), when
	// the staffing is not the day's own.
	StaffedFrom string `json:"staffed_from,omitempty"`
	// Reforecast is the intraday correction of a day under way (nil for
	// a day not started or over).
	Reforecast *Reforecast `json:"reforecast,omitempty"`
	Intervals  []Interval  `json:"intervals"`
	Totals     Totals      `json:"totals"`
}

// Status judges the staffing of an interval the way the report judges a
// service level: the service level the working agents give the forecast
// calls against the target and its warning band (kpi.Target).
type Status string

// The statuses of an interval.
const (
	// Closed: no queue of the pool is open.
	Closed Status = "closed"
	// OK: the working agents meet the target.
	OK Status = "ok"
	// Tight: they miss it by less than the warning band.
	Tight Status = "tight"
	// Short: they miss it by the warning band or more (or cannot do the
	// deferred work).
	Short Status = "short"
	// Unknown: no staffing to judge (--assume none).
	Unknown Status = "unknown"
)

// Interval is one planning interval of a queue. Required, working and gap
// are the same quantity: agents on queue work (logged in, not on a break),
// after shrinkage. Scheduled is heads to put on the roster, shrinkage
// included.
type Interval struct {
	Start time.Time `json:"interval_start"`
	// Open: the queue is open (opening hours, holidays); a closed interval
	// needs no agents.
	Open           bool    `json:"open"`
	ForecastCalls  float64 `json:"forecast_calls"`
	ForecastAHTSec float64 `json:"forecast_aht_sec"`
	// RequiredAgents are the agents on the phones Erlang needs for this
	// queue planned alone, shown beside the pool's.
	RequiredAgents int `json:"required_agents"`
	// DeferredAgents are the agents busy with e-mails and callbacks.
	DeferredAgents float64 `json:"deferred_agents"`
	// Share is the queue's part of its pool's work (traffic plus deferred
	// agents); RequiredShare and ScheduledShare are that part of the pool's
	// agents on the work and heads to schedule (rounded once, for the pool).
	Share          float64 `json:"share"`
	RequiredShare  float64 `json:"required_share"`
	ScheduledShare float64 `json:"scheduled_share"`
	// StaffedAgents are the mean agents logged in, WorkingAgents those on
	// the work (see StaffedSource).
	StaffedAgents float64 `json:"staffed_agents"`
	WorkingAgents float64 `json:"working_agents"`
	StaffedSource string  `json:"staffed_source"`
	// Gap = WorkingAgents − RequiredShare; negative is fewer than needed
	// (0 when no staffing is assumed).
	Gap float64 `json:"gap"`
	// Status is the pool's: the queues of a pool share their agents.
	Status Status `json:"status"`
	// ActualCalls and ActualSL are what happened (nil: not yet, or no
	// calls offered).
	ActualCalls *float64 `json:"actual_calls,omitempty"`
	ActualSL    *float64 `json:"actual_sl,omitempty"`
}

// Totals sum a queue's day (or a pool's).
type Totals struct {
	Calls float64 `json:"calls"`
	// RequiredHours, ScheduledHours, StaffedHours, WorkingHours and
	// GapHours are agent hours (agents × interval length).
	RequiredHours  float64 `json:"required_hours"`
	ScheduledHours float64 `json:"scheduled_hours"`
	StaffedHours   float64 `json:"staffed_hours"`
	WorkingHours   float64 `json:"working_hours"`
	GapHours       float64 `json:"gap_hours"`
	// ShortHours are the agent hours missing in the short intervals (their
	// negative gaps, as a positive number): surplus at night does not
	// answer calls at noon.
	ShortHours     float64 `json:"short_hours"`
	ShortIntervals int     `json:"short_intervals"`
	TightIntervals int     `json:"tight_intervals"`
}

func (t *Totals) add(calls, required, scheduled, staffed, working, gap float64, st Status, iv time.Duration) {
	hours := iv.Hours()
	t.Calls += calls
	t.RequiredHours += required * hours
	t.ScheduledHours += scheduled * hours
	t.StaffedHours += staffed * hours
	t.WorkingHours += working * hours
	t.GapHours += gap * hours
	switch st {
	case Short:
		t.ShortHours += max(-gap, 0) * hours
		t.ShortIntervals++
	case Tight:
		t.TightIntervals++
	}
}

// Plan forecasts day — the local day of the configured time zone that
// holds it, 23 or 25 hours long on the days clocks change — from the weeks
// before it and returns its plan for every queue and pool. It writes
// nothing (see Write). A day with no history to stand on is an error
// (ErrNoHistory) unless Options.Assume says what to assume.
func (p *Planner) Plan(ctx context.Context, day time.Time) (*Plan, error) {
	zone := p.o.KPI.Zone
	d := day.In(zone)
	day = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone)
	dayEnd := time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, zone)
	iv := time.Duration(p.o.IntervalSec) * time.Second
	perDay := int(24 * time.Hour / iv)
	emailWin := int(math.Ceil(float64(p.o.EmailSLA) / float64(iv)))
	// Callback due windows are read with the history; bound the timeline by
	// a generous window first and cut it once they are known.
	const maxCallbackWindow = 7 * 24 * time.Hour
	maxWin := max(emailWin, int(maxCallbackWindow/iv))
	t0 := day.Add(-time.Duration(maxWin) * iv)
	tEnd := dayEnd.Add(time.Duration(maxWin) * iv)
	if err := aligned(zone, h0(day, p.o.Weeks), tEnd, iv); err != nil {
		return nil, err
	}
	start := time.Now()
	h, err := p.load(ctx, day, dayEnd, h0(day, p.o.Weeks), tEnd)
	if err != nil {
		return nil, err
	}
	p.o.Logger.Info("plan: history read", "date", day.Format(time.DateOnly), "weeks", p.o.Weeks,
		"rows", len(h.calls)+len(h.emails)+len(h.callbacks), "elapsed", time.Since(start).Round(time.Millisecond))

	byQueue := map[string][]callRow{}
	var allHandle, allAnswered float64
	var today dayActuals
	for _, r := range h.calls {
		if r.Bucket.Before(h.from) {
			continue
		}
		if !r.Bucket.Before(day) {
			today.add(r)
			continue
		}
		byQueue[r.Queue] = append(byQueue[r.Queue], r)
		allHandle += r.HandleSum
		allAnswered += r.Answered
	}
	names := make([]string, 0, len(byQueue))
	for q := range byQueue {
		names = append(names, q)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no calls in the %d weeks before %s", ErrHistory, p.o.Weeks, day.Format(time.DateOnly))
	}
	for _, r := range h.calls {
		if !r.Bucket.Before(day) {
			byQueue[r.Queue] = append(byQueue[r.Queue], r)
		}
	}
	f := planFrame{iv: iv, perDay: perDay, day: day, dayEnd: dayEnd, t0: t0, tEnd: tEnd, emailWin: emailWin, maxWin: maxWin}
	if f.backs, err = p.staffedFrom(h, f, today, names); err != nil {
		return nil, err
	}
	def := p.o.forQueue("")
	plan := &Plan{
		Date: day, TimeZone: zone.String(), CreatedAt: p.o.Now().UTC().Truncate(time.Millisecond), IntervalSec: p.o.IntervalSec,
		Weeks: p.o.Weeks, Shrinkage: p.o.Erlang.Shrinkage, ServiceLevel: def.Target, ThresholdSec: def.ThresholdSec, Assume: p.o.Assume,
	}
	for i, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		q, err := p.planQueue(name, byQueue[name], h, f, allHandle/max(allAnswered, 1))
		if err != nil {
			return nil, fmt.Errorf("cannot plan queue %q on %s: %w", name, day.Format(time.DateOnly), err)
		}
		plan.Queues = append(plan.Queues, *q)
		p.o.Logger.Info("plan: queue planned", "queue", name, "n", i+1, "of", len(names), "method", q.Method,
			"wape", q.Backtest.Best().WAPE, "baseline_wape", q.Backtest.Baseline().WAPE, "staffed", q.StaffedSource)
	}
	if plan.Pools, err = p.pool(plan, h.skills, f); err != nil {
		return nil, fmt.Errorf("cannot plan the pools of %s: %w", day.Format(time.DateOnly), err)
	}
	if today.offered > 0 && f.backs[0] == 0 {
		plan.Check = check(plan)
	}
	return plan, nil
}

// aligned fails unless every offset of zone in [from, to) is a whole
// number of planning intervals: the history is read in intervals of UTC
// (the rollups' buckets added up), which are then intervals of local time.
func aligned(zone *time.Location, from, to time.Time, iv time.Duration) error {
	if at, off, ok := kpi.Aligned(zone, from, to, iv); !ok {
		return fmt.Errorf("%w: %s intervals do not start on the local hour in %s (offset %s on %s); plan in 900 s intervals",
			ErrInvalid, iv, zone, off, at.Format(time.DateOnly))
	}
	return nil
}

// h0 is where staffing is read from: the history weeks and one more, so
// the "same weekday last week" roster has a week to come from.
func h0(day time.Time, weeks int) time.Time { return day.AddDate(0, 0, -7*(weeks+1)) }

// planFrame is the time grid of one plan: the day's intervals and the
// timeline around it that deferred work spreads over.
type planFrame struct {
	iv          time.Duration
	perDay      int       // intervals of a 24-hour day, the slots of local time
	day, dayEnd time.Time // the local day [day, dayEnd)
	t0, tEnd    time.Time // timeline [t0, tEnd) for deferred work
	emailWin    int       // e-mail SLA in intervals
	maxWin      int       // intervals of timeline before the day
	// backs are, per interval of the day, the weeks back its staffing
	// is read from (0: its own; -1: none, Assume "none").
	backs []int
}

// slot is the local day of t counted from day (negative before it) and
// its interval of local time within that day: wall-clock slots, so that a
// series of whole weeks lines up by weekday and time of day across the
// days clocks change (a slot of the hour skipped in spring stays empty, the
// two of the hour repeated in autumn add up).
func (f planFrame) slot(t time.Time) (dayIndex, slot int) {
	l := t.In(f.day.Location())
	date := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	d0 := time.Date(f.day.Year(), f.day.Month(), f.day.Day(), 0, 0, 0, 0, time.UTC)
	sinceMidnight := time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second
	return int(date.Sub(d0) / (24 * time.Hour)), int(sinceMidnight / f.iv)
}

func (p *Planner) planQueue(name string, calls []callRow, h *history, f planFrame, allAHT float64) (*Queue, error) {
	day := f.day
	q := &Queue{Queue: name, Model: erlang.ErlangCModel}
	// Whole weeks of this queue's data: its first call's day bounds them.
	firstDay := 0
	for _, r := range calls {
		if d, _ := f.slot(r.Bucket); d < firstDay {
			firstDay = d
		}
	}
	q.Weeks = min(p.o.Weeks, -firstDay/7)
	if q.Weeks < 1 {
		return nil, fmt.Errorf("%w: calls start on %s, less than a week before", ErrHistory, day.AddDate(0, 0, firstDay).Format(time.DateOnly))
	}
	from := day.AddDate(0, 0, -7*q.Weeks)
	n := q.Weeks * 7 * f.perDay
	weekly := func() Weekly { return Weekly{Values: make([]float64, n), PerDay: f.perDay, Start: from.Weekday()} }
	index := func(t time.Time) (int, bool) {
		d, s := f.slot(t)
		i := (d+7*q.Weeks)*f.perDay + s
		return i, i >= 0 && i < n
	}
	offered, handle, answered := weekly(), weekly(), weekly()
	var abandoned, abandonedWait, answeredWait, qHandle, qAnswered float64
	for _, r := range calls {
		i, ok := index(r.Bucket)
		if !ok {
			continue
		}
		offered.Values[i] += r.Offered
		handle.Values[i] += r.HandleSum
		answered.Values[i] += r.Answered
		abandoned += r.Abandoned
		abandonedWait += r.AbandonedWaitSum
		answeredWait += r.AnsweredWaitSum
		qHandle += r.HandleSum
		qAnswered += r.Answered
	}
	emails, cbs := weekly(), weekly()
	var cbRequested, cbWindow float64
	for _, r := range h.emails {
		if i, ok := index(r.Bucket); ok && r.Queue == name {
			emails.Values[i] += r.Received
		}
	}
	for _, r := range h.callbacks {
		if i, ok := index(r.Bucket); ok && r.Queue == name {
			cbs.Values[i] += r.Requested
			cbRequested += r.Requested
			cbWindow += r.WindowSum
		}
	}

	// Calls and AHT.
	var err error
	if q.Backtest, err = choose(p.o.Methods, offered, &ratioSeries{handle: handle, answered: answered}); err != nil {
		return nil, err
	}
	q.Method = q.Backtest.Chosen
	fcCalls, err := Forecast(q.Method, offered)
	if err != nil {
		return nil, err
	}
	fallback := allAHT
	if qAnswered > 0 {
		fallback = qHandle / qAnswered
	}
	fcAHT, err := forecastAHT(q.Method, ratioSeries{handle: handle, answered: answered}, fallback)
	if err != nil {
		return nil, err
	}

	// Deferred work: e-mails and callbacks.
	var fcEmails, fcCbs []float64
	if q.EmailBacktest, fcEmails, err = forecastSparse(p.o.Methods, emails); err != nil {
		return nil, err
	}
	if q.CallbackBacktest, fcCbs, err = forecastSparse(p.o.Methods, cbs); err != nil {
		return nil, err
	}
	if w := h.emailWork[name]; w.Emails > 0 {
		q.EmailHandleSec = w.HandleSum / w.Emails
	}
	if w := h.cbWork[name]; w.Callbacks > 0 {
		q.CallbackHandleSec = w.HandleSum / w.Callbacks
	}
	cbWin := 1
	if cbRequested > 0 {
		q.CallbackWindowSec = cbWindow / cbRequested
		cbWin = min(f.maxWin, max(1, int(math.Ceil(q.CallbackWindowSec/f.iv.Seconds()))))
	}
	tl := int(f.tEnd.Sub(f.t0) / f.iv)
	staff := make([]staffing, tl)
	emailWork, cbWork := make([]float64, tl), make([]float64, tl)
	week := 7 * f.perDay
	kq := p.o.KPI.Queue(name)
	// The interval of the forecast week of t (its weekday and local time).
	weekSlot := func(t time.Time) int {
		d, s := f.slot(t)
		return ((d*f.perDay+s)%week + week) % week
	}
	// Deferred work is shared over the intervals the queue is open and
	// staffed (see Spread); staff keeps the agents for the gap.
	working := make([]float64, tl)
	for j := range tl {
		t := f.t0.Add(time.Duration(j) * f.iv)
		back := h.back(t, p.o.KPI.Zone, p.o.Weeks, 0)
		if k := int(t.Sub(f.day) / f.iv); k >= 0 && k < len(f.backs) {
			back = f.backs[k]
		}
		staff[j] = h.at(name, t, back)
		if kq.Open(t) {
			working[j] = staff[j].working
		}
		if t.Before(f.dayEnd) {
			k := weekSlot(t)
			emailWork[j] = fcEmails[k] * q.EmailHandleSec
			cbWork[j] = fcCbs[k] * q.CallbackHandleSec
		}
	}
	deferred := Spread(emailWork, f.emailWin, working, f.iv.Seconds())
	for j, v := range Spread(cbWork, cbWin, working, f.iv.Seconds()) {
		deferred[j] += v
	}

	// Erlang, for the queue's own target.
	eo := p.o.forQueue(name)
	q.ServiceLevel, q.ThresholdSec = eo.Target, eo.ThresholdSec
	eo.Shrinkage = 0 // applied below to phone and deferred agents together
	switch {
	case eo.PatienceSec > 0:
		q.PatienceSec, q.PatienceSource = eo.PatienceSec, "given"
	case p.o.EstimatePatience && abandoned > 0:
		// The rollup keeps sums: one abandoned wait per abandon at their
		// mean, and the answered waits as one exposure, give the same
		// estimate as every wait one by one.
		ab := make([]float64, int(abandoned))
		for i := range ab {
			ab[i] = abandonedWait / abandoned
		}
		eo.PatienceSec = erlang.EstimatePatience(ab, []float64{answeredWait})
		q.PatienceSec, q.PatienceSource = eo.PatienceSec, "estimated"
	default:
		eo.MaxAbandon = 0 // no abandons seen: Erlang C, nobody to cap
	}
	if eo.PatienceSec > 0 {
		q.Model = erlang.ErlangAModel
	}
	actual := map[int64]callRow{}
	for _, r := range calls {
		if !r.Bucket.Before(day) {
			actual[r.Bucket.Unix()] = r
		}
	}
	q.Reforecast = reforecast(p.o.Now(), f, fcCalls, weekSlot, kq.Open, actual)
	for k, t := 0, day; t.Before(f.dayEnd); k, t = k+1, t.Add(f.iv) {
		j := int(t.Sub(f.t0) / f.iv)
		ws := weekSlot(t)
		it := Interval{Start: t, Open: kq.Open(t), ForecastCalls: fcCalls[ws], ForecastAHTSec: fcAHT[ws], DeferredAgents: deferred[j],
			StaffedAgents: staff[j].agents, WorkingAgents: staff[j].working, StaffedSource: backSource(f.backs[k])}
		if !it.Open {
			// Closed: no calls are offered and no one is needed.
			it.ForecastCalls, it.DeferredAgents = 0, 0
		}
		if rf := q.Reforecast; rf != nil && !t.Before(rf.AsOf) {
			it.ForecastCalls *= rf.Factor
		}
		if r, ok := actual[t.Unix()]; ok && r.Offered > 0 {
			calls, sl := r.Offered, r.InSL/r.Offered
			it.ActualCalls, it.ActualSL = &calls, &sl
		}
		if it.ForecastCalls > 0 {
			if !(it.ForecastAHTSec > 0) {
				return nil, fmt.Errorf("%w: no answered calls to take an AHT from", ErrHistory)
			}
			r, err := erlang.RequiredAgents(erlang.Load{Calls: it.ForecastCalls, AHTSec: it.ForecastAHTSec}, eo)
			if err != nil {
				return nil, fmt.Errorf("interval %s: %w", t.Format("15:04"), err)
			}
			it.RequiredAgents = r.Agents
		}
		q.Intervals = append(q.Intervals, it)
	}
	q.StaffedSource, q.StaffedFrom = daySource(f)
	return q, nil
}

// back is how many weeks back the staffing at t is read from: 0 while
// there is staffing history (unless least > 0), else the same local time
// of the latest earlier week whose day was worked (agents on the work and
// calls offered: agents left logged in over an empty day are no roster),
// at most weeks+1 back (the staffing read); -1 when there is none.
func (h *history) back(t time.Time, zone *time.Location, weeks, least int) int {
	if h.staffedUntil.IsZero() {
		return -1
	}
	t = t.In(zone)
	if least == 0 && t.Before(h.staffedUntil) {
		return 0
	}
	for k := max(least, 1); k <= weeks+1; k++ {
		u := t.AddDate(0, 0, -7*k)
		if d := localMidnight(u, zone).Unix(); u.Before(h.staffedUntil) && h.dayWorking[d] > 0 && h.dayCalls[d] > 0 {
			return k
		}
	}
	return -1
}

// at is the staffing of queue at t read back weeks earlier (none for -1).
func (h *history) at(queue string, t time.Time, back int) staffing {
	if back < 0 {
		return staffing{}
	}
	return h.staffed[queue][t.AddDate(0, 0, -7*back).Unix()]
}

// backSource names where staffing read back weeks comes from.
func backSource(back int) string {
	switch back {
	case -1:
		return "none"
	case 0:
		return "history"
	case 1:
		return "last_week"
	}
	return fmt.Sprintf("%d_weeks_back", back)
}

// daySource sums up the day's staffing sources: one source, or "history
// until HH:MM, then …" for a day under way; and the day whose roster is
// assumed, when it is not the day's own.
func daySource(f planFrame) (source, from string) {
	last := f.backs[len(f.backs)-1]
	if last > 0 {
		from = f.day.AddDate(0, 0, -7*last).Format(time.DateOnly)
	}
	hist := 0
	for _, b := range f.backs {
		if b == 0 {
			hist++
		}
	}
	switch {
	case hist == len(f.backs):
		return "history", ""
	case hist == 0:
		return backSource(last), from
	}
	until := f.day.Add(time.Duration(hist) * f.iv)
	return fmt.Sprintf("history until %s, then %s", until.Format("15:04"), backSource(last)), from
}

// localMidnight is the start of t's local day in zone.
func localMidnight(t time.Time, zone *time.Location) time.Time {
	l := t.In(zone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
}
