// Command frontline is the single binary of Frontline: collector, aggregator,
// report, planning and the embedded demo (the commands are listed in
// README.md; each explains its flags with --help).
// main only finds the subcommand; each lives in a file of its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand: its flags are defined by setup, run does the work.
type command struct {
	name    string
	summary string
	// setup defines the flags on fs and returns the function that runs the
	// command once flags, config and environment are applied.
	setup func(fs *flag.FlagSet) func(ctx context.Context, args []string) error
}

var commands = map[string]command{}

// register adds a subcommand; each command file calls it from init.
func register(c command) { commands[c.name] = c }

// errUsage marks errors caused by bad flags or arguments (exit code 2).
var errUsage = errors.New("usage")

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage(os.Stdout)
		return
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "frontline: unknown command %q (see frontline --help)\n", os.Args[1])
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runCommand(ctx, c, os.Args[2:]); err != nil {
		stop()
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "frontline %s: %v\n", c.name, err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func usage(w *os.File) {
	fmt.Fprintln(w, "frontline — service-operations metrics and SLA monitoring\n\nUsage: frontline COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'frontline COMMAND --help' for a command's flags. Every flag can also come from a\n--config file (YAML) or a FRONTLINE_<FLAG> environment variable (flags win).")
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("FRONTLINE_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}
