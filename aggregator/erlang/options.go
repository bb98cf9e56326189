// Package erlang is the staffing maths of docs/kpis.md ("Capacity
// planning"): how many agents an interval needs to answer its calls within
// the service-level target (Erlang C, or Erlang A when callers abandon), and
// the inverse questions a planner asks — what service level n agents give,
// and how a fixed number of agents is best spread over a day's intervals.
//
// Everything is computed without factorials: the Erlang B recursion and
// normalised ratios of the birth–death chain keep the results exact to
// double precision up to 5,000 Erlangs and beyond. Durations are seconds
// (float64), as on the command line and in the JSON output.
package erlang

import (
	"errors"
	"fmt"
	"math"
)

// Errors the package returns, for errors.Is.
var (
	// ErrInvalid wraps every error caused by an input outside its domain
	// (negative calls, AHT ≤ 0, a target outside (0,1), …); the message
	// quotes the value.
	ErrInvalid = errors.New("invalid staffing input")
	// ErrNoSolution is returned when no number of agents meets the targets
	// within the search bound, which only happens for targets numerically
	// indistinguishable from 1.
	ErrNoSolution = errors.New("no staffing meets the targets")
)

// Options are the planning targets and assumptions of one staffing
// calculation. A zero IntervalSec, Target, ThresholdSec or MaxOccupancy
// takes its default (see Defaults), like kpi.Params; the other fields'
// zero values are meaningful defaults themselves.
type Options struct {
	// IntervalSec is the length of the planning interval the calls arrive
	// in. Default 900 s (kpis.md "interval").
	IntervalSec float64
	// Target is the service-level target: the fraction of calls to answer
	// within ThresholdSec, in (0,1). Default 0.8.
	Target float64
	// ThresholdSec is the service-level answer threshold. Default 20 s
	// (kpis.md "sl_threshold"). A threshold of 0 s cannot be asked for
	// (zero means the default); the service level at 0 s is
	// 1 − Result.WaitProbability.
	ThresholdSec float64
	// MaxOccupancy caps the fraction of time agents are busy with calls,
	// in (0,1]. Default 1 (no cap).
	MaxOccupancy float64
	// Shrinkage is the fraction of paid time agents are not available for
	// calls (breaks, training, absence), in [0,1). It only scales
	// Result.AgentsWithShrinkage. Default 0.
	Shrinkage float64
	// PatienceSec is the mean time a caller waits before abandoning. Zero
	// (the default) means callers never abandon: Erlang C. A positive
	// patience selects Erlang A (M/M/n+M); EstimatePatience measures it.
	PatienceSec float64
	// MaxAbandon caps the abandon probability when staffing under Erlang A,
	// in (0,1]. Default 0: no cap. It needs a PatienceSec.
	MaxAbandon float64
}

// Defaults returns the options of kpis.md: 900 s intervals, 80 % of calls
// answered within 20 s, no occupancy cap, no shrinkage, Erlang C.
func Defaults() Options {
	return Options{IntervalSec: 900, Target: 0.8, ThresholdSec: 20, MaxOccupancy: 1}
}

// withDefaults fills the zero fields that have a default.
func (o Options) withDefaults() Options {
	d := Defaults()
	if o.IntervalSec == 0 {
		o.IntervalSec = d.IntervalSec
	}
	if o.Target == 0 {
		o.Target = d.Target
	}
	if o.ThresholdSec == 0 {
		o.ThresholdSec = d.ThresholdSec
	}
	if o.MaxOccupancy == 0 {
		o.MaxOccupancy = d.MaxOccupancy
	}
	return o
}

// validate reports the first option outside its domain.
func (o Options) validate() error {
	switch {
	case !(o.IntervalSec > 0) || math.IsInf(o.IntervalSec, 0):
		return fmt.Errorf("%w: interval %v s must be positive", ErrInvalid, o.IntervalSec)
	case !(o.Target > 0 && o.Target < 1):
		return fmt.Errorf("%w: service-level target %v is outside (0,1)", ErrInvalid, o.Target)
	case !(o.ThresholdSec > 0) || math.IsInf(o.ThresholdSec, 0):
		return fmt.Errorf("%w: service-level threshold %v s must be positive", ErrInvalid, o.ThresholdSec)
	case !(o.MaxOccupancy > 0 && o.MaxOccupancy <= 1):
		return fmt.Errorf("%w: max occupancy %v is outside (0,1]", ErrInvalid, o.MaxOccupancy)
	case !(o.Shrinkage >= 0 && o.Shrinkage < 1):
		return fmt.Errorf("%w: shrinkage %v is outside [0,1)", ErrInvalid, o.Shrinkage)
	case !(o.PatienceSec >= 0) || math.IsInf(o.PatienceSec, 0):
		return fmt.Errorf("%w: patience %v s must be zero (Erlang C) or positive", ErrInvalid, o.PatienceSec)
	case !(o.MaxAbandon >= 0 && o.MaxAbandon <= 1):
		return fmt.Errorf("%w: max abandon %v is outside (0,1]", ErrInvalid, o.MaxAbandon)
	case o.MaxAbandon > 0 && o.PatienceSec == 0:
		return fmt.Errorf("%w: max abandon %v needs a patience (Erlang C callers never abandon)", ErrInvalid, o.MaxAbandon)
	}
	return nil
}

// Load is the offered work of one interval: the forecast (or measured)
// calls and their average handle time. Calls may be fractional, as
// forecasts are.
type Load struct {
	// Calls offered in the interval, ≥ 0.
	Calls float64
	// AHTSec is the average handle time (talk + hold + wrap), > 0.
	AHTSec float64
}

func (l Load) validate() error {
	switch {
	case !(l.Calls >= 0) || math.IsInf(l.Calls, 0):
		return fmt.Errorf("%w: calls %v must be a non-negative number", ErrInvalid, l.Calls)
	case !(l.AHTSec > 0) || math.IsInf(l.AHTSec, 0):
		return fmt.Errorf("%w: aht %v s must be positive", ErrInvalid, l.AHTSec)
	}
	return nil
}

// Model names the queueing model a Result was computed with, so callers
// (the CLI's JSON) know whether the abandon probability is meaningful.
type Model string

// The two models: Erlang C (M/M/n, callers wait forever) and Erlang A
// (M/M/n+M, exponential patience).
const (
	ErlangCModel Model = "erlang-c"
	ErlangAModel Model = "erlang-a"
)

// Result is one staffing answer: the agents and what they achieve. It is the
// JSON object of `frontline erlang` (kpis.md, "Capacity planning").
type Result struct {
	// Model is ErlangCModel or ErlangAModel (when Options.PatienceSec > 0).
	Model Model
	// TrafficErlangs is A = calls × aht / interval.
	TrafficErlangs float64
	// Agents on the phones (before shrinkage).
	Agents int
	// AgentsWithShrinkage = ⌈Agents / (1 − shrinkage)⌉: the agents to
	// schedule.
	AgentsWithShrinkage int
	// ServiceLevel is the fraction of offered calls answered within the
	// threshold (abandoned calls count as not answered, as in kpis.md).
	ServiceLevel float64
	// ASASec is the mean wait of answered calls (kpis.md asa_sec). +Inf
	// when the queue is unstable (Erlang C with Agents ≤ A).
	ASASec float64
	// Occupancy is the fraction of agent time spent on calls: A/n for
	// Erlang C, carried traffic A·(1 − abandon)/n for Erlang A.
	Occupancy float64
	// WaitProbability is the probability that a caller finds all agents
	// busy and has to wait (Erlang C formula, or P(wait > 0) in Erlang A).
	WaitProbability float64
	// AbandonProbability is the probability that a caller hangs up before
	// being answered; always 0 for Erlang C.
	AbandonProbability float64
	// Stable is false when the queue grows without bound: Erlang C with
	// Agents ≤ A (then WaitProbability = 1, ServiceLevel = 0,
	// ASASec = +Inf). Erlang A is always stable.
	Stable bool
}

// Traffic is the offered load in Erlangs, A = calls × aht / interval: the
// number of agents that would be busy all the time with no queueing slack.
func Traffic(calls, ahtSec, intervalSec float64) float64 {
	return calls * ahtSec / intervalSec
}

// withShrinkage is ⌈n / (1 − s)⌉, tolerant of rounding so that 8 agents at
// 20 % shrinkage are 10, not 11.
func withShrinkage(n int, s float64) int {
	if n == 0 {
		return 0
	}
	return int(math.Ceil(float64(n)/(1-s) - 1e-9))
}
