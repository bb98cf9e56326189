// Command frontline is the single binary of Frontline: the service (serve),
// its parts on their own (collect, aggregate), the report, planning, the
// embedded demo and the tools around them (see docs/commands.md).
//
// main reads as a lifecycle: find the command in the table, resolve its
// configuration once (flags, then FRONTLINE_* environment, then the YAML
// file), run it until it ends or a signal arrives, map the error to an exit
// status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/frontline-oss/frontline/internal/chdb"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // the command could not do its work
	exitUsage   = 2 // bad flags, arguments or configuration
	exitNoChDB  = 3 // the embedded ClickHouse engine is needed and missing
	exitSignals = 130
)

// errUsage marks errors caused by bad flags, arguments or configuration.
var errUsage = errors.New("usage")

// command is one subcommand of the table in commands.go.
type command struct {
	name    string
	summary string
	// setup defines the command's flags on fs and returns the function
	// that runs it. cfg is filled in before that function is called: flags
	// are then set from the command line, FRONTLINE_* and the config file.
	setup func(fs *flag.FlagSet, cfg *config) func(ctx context.Context, args []string) error
}

func main() {
	os.Exit(run(os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs given, for tests.
func run(args []string, getenv func(string) (string, bool), out, errOut io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(out)
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(errOut, "frontline: unknown command %q (see frontline --help)\n", args[0])
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runCommand(ctx, c, args[1:], environ{getenv: getenv, stdout: out, stderr: errOut})
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, chdb.ErrNotFound):
		fmt.Fprintf(errOut, "frontline %s: %v\n", c.name, err)
		return exitNoChDB
	case errors.Is(err, errUsage):
		fmt.Fprintf(errOut, "frontline %s: %s\n", c.name, strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return exitUsage
	}
	fmt.Fprintf(errOut, "frontline %s: %v\n", c.name, err)
	return exitFailed
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "frontline — service-operations metrics and SLA monitoring\n\nUsage: frontline COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'frontline COMMAND --help' for a command's flags. Every flag can also come from a\n"+
		"FRONTLINE_<FLAG> environment variable or a --config file (YAML); the command line wins,\n"+
		"then the environment, then the file. --print-config shows the result.")
}
