package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/frontline-oss/frontline/aggregator/erlang"
)

func erlangCommand() command {
	return command{
		name:    "erlang",
		summary: "one staffing calculation: agents for a service level (Erlang C, or Erlang A with --patience-sec)",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			d := erlang.Defaults()
			var calls, aht requiredFloat
			fs.Var(&calls, "calls", "calls offered in the interval (required)")
			fs.Var(&aht, "aht", "average handle time in seconds (required)")
			interval := fs.Float64("interval-sec", d.IntervalSec, "interval length in seconds")
			target := fs.Float64("sl", d.Target, "service-level target: fraction answered within --sl-sec")
			threshold := fs.Float64("sl-sec", d.ThresholdSec, "service-level answer threshold in seconds")
			maxOcc := fs.Float64("max-occupancy", d.MaxOccupancy, "highest fraction of agent time on calls")
			shrinkage := fs.Float64("shrinkage", 0, "fraction of paid time not on the phones (breaks, training, absence)")
			patience := fs.Float64("patience-sec", 0, "mean caller patience in seconds: Erlang A (0 = callers never abandon, Erlang C)")
			maxAbandon := fs.Float64("max-abandon", 0, "highest abandon probability (Erlang A only; 0 = no cap)")
			agents := fs.Int("agents", 0, "instead of the agents needed, what these many agents achieve")
			format := fs.String("format", "text", "output format: text or json")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				switch {
				case !calls.set:
					return fmt.Errorf("%w: --calls is required", errUsage)
				case !aht.set:
					return fmt.Errorf("%w: --aht is required", errUsage)
				case *format != "text" && *format != "json":
					return fmt.Errorf("%w: --format %q: want text or json", errUsage, *format)
				case *agents < 0:
					return fmt.Errorf("%w: --agents %d is negative", errUsage, *agents)
				case *maxAbandon != 0 && *patience == 0:
					return fmt.Errorf("%w: --max-abandon %v needs --patience-sec (Erlang C callers never abandon)", errUsage, *maxAbandon)
				}
				// In the package zero means "default"; on the command
				// line a zero is a mistake worth reporting.
				for _, f := range []struct {
					name string
					v    float64
				}{{"interval-sec", *interval}, {"sl", *target}, {"sl-sec", *threshold}, {"max-occupancy", *maxOcc}} {
					if f.v == 0 {
						return fmt.Errorf("%w: --%s 0: must be positive", errUsage, f.name)
					}
				}
				o := erlang.Options{
					IntervalSec: *interval, Target: *target, ThresholdSec: *threshold,
					MaxOccupancy: *maxOcc, Shrinkage: *shrinkage,
					PatienceSec: *patience, MaxAbandon: *maxAbandon,
				}
				l := erlang.Load{Calls: calls.v, AHTSec: aht.v}
				var (
					r   erlang.Result
					err error
				)
				if *agents > 0 {
					r, err = erlang.ServiceLevelWith(*agents, l, o)
				} else {
					r, err = erlang.RequiredAgents(l, o)
				}
				if err != nil {
					return fmt.Errorf("%w: %w", errUsage, err)
				}
				if *format == "json" {
					return printErlangJSON(cfg.stdout, r)
				}
				printErlangText(cfg.stdout, r, l, o, *agents > 0)
				return nil
			}
		},
	}
}

// requiredFloat is a float flag that knows whether it was given (by flag,
// environment or config), for flags without a sensible default.
type requiredFloat struct {
	v   float64
	set bool
}

func (f *requiredFloat) String() string {
	if f == nil || !f.set {
		return ""
	}
	return strconv.FormatFloat(f.v, 'g', -1, 64)
}

func (f *requiredFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", s)
	}
	f.v, f.set = v, true
	return nil
}

// erlangJSON is the object of kpis.md ("Capacity planning"); asa_sec is
// null when the queue is unstable, abandon_probability under Erlang C.
type erlangJSON struct {
	TrafficErlangs      float64  `json:"traffic_erlangs"`
	Agents              int      `json:"agents"`
	AgentsWithShrinkage int      `json:"agents_with_shrinkage"`
	ServiceLevel        float64  `json:"service_level"`
	ASASec              *float64 `json:"asa_sec"`
	Occupancy           float64  `json:"occupancy"`
	WaitProbability     float64  `json:"wait_probability"`
	AbandonProbability  *float64 `json:"abandon_probability"`
}

func printErlangJSON(w io.Writer, r erlang.Result) error {
	out := erlangJSON{
		TrafficErlangs:      r.TrafficErlangs,
		Agents:              r.Agents,
		AgentsWithShrinkage: r.AgentsWithShrinkage,
		ServiceLevel:        r.ServiceLevel,
		Occupancy:           r.Occupancy,
		WaitProbability:     r.WaitProbability,
	}
	if !math.IsInf(r.ASASec, 0) && !math.IsNaN(r.ASASec) {
		out.ASASec = &r.ASASec
	}
	if r.Model == erlang.ErlangAModel {
		out.AbandonProbability = &r.AbandonProbability
	}
	return json.NewEncoder(w).Encode(out)
}

func printErlangText(w io.Writer, r erlang.Result, l erlang.Load, o erlang.Options, given bool) {
	model := "Erlang C (callers wait until answered)"
	if r.Model == erlang.ErlangAModel {
		model = fmt.Sprintf("Erlang A (mean patience %g s)", o.PatienceSec)
	}
	fmt.Fprintf(w, "%s: %g calls × %g s in %g s = %.2f Erlangs\n", model, l.Calls, l.AHTSec, o.IntervalSec, r.TrafficErlangs)
	label := "agents needed"
	if given {
		label = "agents"
	}
	fmt.Fprintf(w, "%-17s %d on the phones", label, r.Agents)
	if o.Shrinkage > 0 {
		fmt.Fprintf(w, ", %d to schedule at %g%% shrinkage", r.AgentsWithShrinkage, 100*o.Shrinkage)
	}
	fmt.Fprintln(w)
	if !r.Stable {
		fmt.Fprintf(w, "unstable          %d agents cannot keep up with %.2f Erlangs: every caller waits and the queue grows all interval\n", r.Agents, r.TrafficErlangs)
		return
	}
	verdict := "meets"
	if r.ServiceLevel < o.Target {
		verdict = "misses"
	}
	fmt.Fprintf(w, "%-17s %.1f%% answered within %g s (%s the %g%% target)\n", "service level", 100*r.ServiceLevel, o.ThresholdSec, verdict, 100*o.Target)
	fmt.Fprintf(w, "%-17s %.1f s mean wait of answered calls\n", "ASA", r.ASASec)
	fmt.Fprintf(w, "%-17s %.1f%% of agent time on calls\n", "occupancy", 100*r.Occupancy)
	fmt.Fprintf(w, "%-17s %.1f%% of callers wait at all\n", "wait probability", 100*r.WaitProbability)
	if r.Model == erlang.ErlangAModel {
		fmt.Fprintf(w, "%-17s %.1f%% of callers hang up before an answer\n", "abandon", 100*r.AbandonProbability)
	}
}
