package main

import (
	"errors"
	"fmt"
)

// runGroup runs actors together and stops them together, in the manner of
// Prometheus' run.Group: each actor has a run function that blocks until
// the actor is done, and a stop function that makes run return. When the
// first actor returns, every actor is stopped, and the group waits for all
// of them.
type runGroup struct {
	actors []actor
}

type actor struct {
	name string
	run  func() error
	stop func()
}

// add appends an actor. stop must make run return, and may be called
// before run starts or after it returned.
func (g *runGroup) add(name string, run func() error, stop func()) {
	g.actors = append(g.actors, actor{name, run, stop})
}

// run starts every actor, and returns once all have returned, with the
// errors they returned (each prefixed by its actor's name).
func (g *runGroup) run() error {
	type result struct {
		name string
		err  error
	}
	done := make(chan result, len(g.actors))
	for _, a := range g.actors {
		go func() { done <- result{a.name, a.run()} }()
	}
	var errs []error
	for i := range g.actors {
		r := <-done
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.name, r.err))
		}
		if i == 0 {
			for _, a := range g.actors {
				a.stop()
			}
		}
	}
	return errors.Join(errs...)
}
