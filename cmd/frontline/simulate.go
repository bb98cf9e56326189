package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/simulator"
)

func simulateCommand() command {
	return command{
		name:    "simulate",
		summary: "realistic synthetic contact-centre traffic, as JSONL or published to Kafka",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			days := fs.Int("days", 1, "number of simulated days")
			agents := fs.Int("agents", 40, "size of the centre (agents on the roster)")
			seed := fs.Int64("seed", 1, "random seed; the same seed and flags give byte-identical output")
			start := fs.String("start", simulator.DefaultStart.Format(time.DateOnly), "first simulated day: a date (midnight UTC) or RFC 3339 (truncated to midnight UTC)")
			queues := fs.String("queues", strings.Join(simulator.DefaultQueues, ","), "queues, comma separated")
			dup := fs.Float64("duplicate-rate", 0.01, "fraction of events sent twice (same id, same bytes)")
			invalid := fs.Float64("invalid-rate", 0.002, "fraction of extra invalid messages (bad JSON, missing field, unknown type, …)")
			under := fs.Float64("understaff", 0, "fraction of agents missing on the first day's afternoon (0..1), to build backlogs")
			out := fs.String("out", "", "write CloudEvents JSONL to this file ('-' = stdout)")
			brokers := fs.String("brokers", "", "publish to these Kafka bootstrap brokers instead, comma separated")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return fmt.Errorf("%w: unexpected arguments %q", errUsage, args)
				}
				if (*out == "") == (*brokers == "") {
					return fmt.Errorf("%w: give exactly one of --out FILE or --brokers B", errUsage)
				}
				o, err := simulateOptions(*days, *agents, *seed, *start, *queues, *dup, *invalid, *under)
				if err != nil {
					return err
				}
				sim := simulator.New(o)
				progress := simulateProgress(sim.Options())
				var st simulator.Stats
				if *brokers != "" {
					st, err = simulateToKafka(ctx, sim, splitList(*brokers), progress)
				} else {
					st, err = simulateToFile(ctx, sim, *out, cfg.stdout, progress)
				}
				if err != nil {
					return err
				}
				w := cfg.stdout
				if *out == "-" {
					w = cfg.stderr // stdout carries the events
				}
				fmt.Fprintln(w, simulateSummary(o.Days, st))
				return nil
			}
		},
	}
}

// simulateOptions validates the flags into simulator options. Rates of 0
// become negative: the simulator reads a zero as "use the default".
func simulateOptions(days, agents int, seed int64, start, queues string, dup, invalid, under float64) (simulator.Options, error) {
	o := simulator.Options{Days: days, Agents: agents, Seed: seed, DuplicateRate: dup, InvalidRate: invalid, Understaff: under}
	switch {
	case days <= 0:
		return o, fmt.Errorf("%w: --days %d: must be positive", errUsage, days)
	case agents <= 0:
		return o, fmt.Errorf("%w: --agents %d: must be positive", errUsage, agents)
	case dup < 0 || dup > 1:
		return o, fmt.Errorf("%w: --duplicate-rate %g: must be in 0..1", errUsage, dup)
	case invalid < 0 || invalid > 1:
		return o, fmt.Errorf("%w: --invalid-rate %g: must be in 0..1", errUsage, invalid)
	case under < 0 || under > 1:
		return o, fmt.Errorf("%w: --understaff %g: must be in 0..1", errUsage, under)
	}
	if dup == 0 {
		o.DuplicateRate = -1
	}
	if invalid == 0 {
		o.InvalidRate = -1
	}
	t, err := time.Parse(time.DateOnly, start)
	if err != nil {
		if t, err = time.Parse(time.RFC3339, start); err != nil {
			return o, fmt.Errorf("%w: --start %q: want a date (2026-11-02) or RFC 3339", errUsage, start)
		}
	}
	o.Start = t
	o.Queues = splitList(queues)
	if len(o.Queues) == 0 {
		return o, fmt.Errorf("%w: --queues %q: give at least one queue", errUsage, queues)
	}
	seen := map[string]bool{}
	for _, q := range o.Queues {
		if seen[q] {
			return o, fmt.Errorf("%w: --queues %q: %q twice", errUsage, queues, q)
		}
		seen[q] = true
	}
	return o, nil
}

// simulateProgress returns a hook that logs each simulated day as the
// messages reach it.
func simulateProgress(o simulator.Options) func(simulator.Message, int) {
	logged := 0
	return func(m simulator.Message, n int) {
		d := int(m.At.Sub(o.Start)/(24*time.Hour)) + 1
		if d > logged && d <= o.Days {
			logged = d
			slog.Info("simulating", "day", fmt.Sprintf("%d/%d", d, o.Days), "date", m.At.Format(time.DateOnly), "events", n)
		}
	}
}

func simulateToFile(ctx context.Context, sim *simulator.Simulator, name string, stdout io.Writer, progress func(simulator.Message, int)) (simulator.Stats, error) {
	f := stdout
	if name != "-" {
		file, err := os.Create(name)
		if err != nil {
			return simulator.Stats{}, fmt.Errorf("cannot create %q: %w", name, err)
		}
		defer file.Close()
		f = file
	}
	w := bufio.NewWriterSize(f, 1<<20)
	n := 0
	st, err := sim.Run(ctx, func(m simulator.Message) error {
		progress(m, n)
		n++
		w.Write(m.Value)
		return w.WriteByte('\n')
	})
	if err != nil {
		return st, fmt.Errorf("cannot simulate into %q after %d messages: %w", name, n, err)
	}
	if err := w.Flush(); err != nil {
		return st, fmt.Errorf("cannot write %q: %w", name, err)
	}
	if c, ok := f.(io.Closer); ok && name != "-" {
		if err := c.Close(); err != nil {
			return st, fmt.Errorf("cannot close %q: %w", name, err)
		}
	}
	return st, nil
}

func simulateToKafka(ctx context.Context, sim *simulator.Simulator, brokers []string, progress func(simulator.Message, int)) (simulator.Stats, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan simulator.Message, 4096)
	var st simulator.Stats
	var simErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(msgs)
		n := 0
		st, simErr = sim.Run(ctx, func(m simulator.Message) error {
			progress(m, n)
			n++
			select {
			case msgs <- m:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	_, err := publish(ctx, brokers, nil, msgs)
	if err != nil {
		cancel() // stops the simulator
	}
	for range msgs { // let the simulator finish
	}
	<-done
	if err != nil {
		return st, err
	}
	if simErr != nil {
		return st, fmt.Errorf("cannot simulate: %w", simErr)
	}
	return st, nil
}

// simulateSummary is the one-line result of a run.
func simulateSummary(days int, st simulator.Stats) string {
	types := make([]string, 0, len(st.ByType))
	for t := range st.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	var b strings.Builder
	fmt.Fprintf(&b, "simulated %d days: %d events, %d duplicates, %d invalid;", days, st.Events, st.Duplicates, st.Invalid)
	for _, t := range types {
		fmt.Fprintf(&b, " %s=%d", t, st.ByType[t])
	}
	return b.String()
}
