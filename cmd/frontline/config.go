package main

import (
	"github.com/frontline-oss/frontline/kpi"

	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// environ is what a command reads from outside its flags: the process
// environment and the output streams. Tests give their own.
type environ struct {
	getenv         func(string) (string, bool)
	stdout, stderr io.Writer
}

// secretNames are the credentials a command may need. Each comes only from
// FRONTLINE_<NAME> or from the file named by FRONTLINE_<NAME>_FILE (never
// from a flag, the config file or a log line).
var secretNames = []string{"clickhouse-password", "clickhouse-http-password", "kafka-password"}

// config is a command's configuration, resolved once before it runs: its
// flags (set from the command line, else FRONTLINE_<FLAG>, else the --config
// file), the file's KPI settings beyond flags (timezone, currency, targets,
// queues, alerts), the secrets, the engine library and the logger. Commands
// read it; no package reads the environment.
type config struct {
	name    string
	fs      *flag.FlagSet
	file    string
	sources map[string]string // flag → "flag", "env FRONTLINE_X", "config FILE" or "default"
	// KPI is how the centre measures and judges: the file's timezone (or
	// --tz), currency, targets, queues and alerts.
	KPI     kpi.Config
	secrets map[string]string
	// Library is CHDB_LIB_PATH ("" lets the store look in the usual places).
	Library string
	Log     *slog.Logger
	stdout  io.Writer
	stderr  io.Writer
}

// secret returns a credential ("" when not configured).
func (c *config) secret(name string) string { return c.secrets[name] }

// setByUser reports whether a flag's value came from the command line, the
// environment or the config file rather than its default.
func (c *config) setByUser(name string) bool {
	s, ok := c.sources[name]
	return ok && s != "default"
}

// runCommand parses args for c, resolves the configuration and runs c.
func runCommand(ctx context.Context, c command, args []string, env environ) error {
	if env.getenv == nil {
		env.getenv = os.LookupEnv
	}
	if env.stdout == nil {
		env.stdout = os.Stdout
	}
	if env.stderr == nil {
		env.stderr = os.Stderr
	}
	fs := flag.NewFlagSet("frontline "+c.name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	cfg := &config{name: c.name, fs: fs, stdout: env.stdout, stderr: env.stderr}
	configFile := fs.String("config", "", "YAML config file: flag names as keys, plus timezone, currency, targets, queues and alerts (docs/kpis.md)")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn or error")
	printConfig := fs.Bool("print-config", false, "print the effective configuration (secrets redacted) and exit")
	runFn := c.setup(fs, cfg)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := cfg.resolve(*configFile, env.getenv); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level %q: want debug, info, warn or error", errUsage, *logLevel)
	}
	cfg.Log = slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(cfg.Log)
	if *printConfig {
		return cfg.print(env.stdout)
	}
	return runFn(ctx, fs.Args())
}

// resolve fills every flag not given on the command line from
// FRONTLINE_<FLAG> or, failing that, from the config file, then reads the
// file's KPI configuration (a --tz flag overrides its timezone) and the
// secrets.
func (c *config) resolve(file string, getenv func(string) (string, bool)) error {
	c.file = file
	c.sources = map[string]string{}
	c.fs.Visit(func(f *flag.Flag) { c.sources[f.Name] = "flag" })
	sections := map[string]any{}
	var fileBytes []byte
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("cannot read config %q: %v", file, err)
		}
		if err := yaml.Unmarshal(b, &sections); err != nil {
			return fmt.Errorf("cannot parse config %q: %v", file, err)
		}
		fileBytes = b
		for _, name := range secretNames {
			if _, ok := sections[name]; ok {
				return fmt.Errorf("config %q sets %s: credentials come only from FRONTLINE_%s or FRONTLINE_%s_FILE", file, name, envName(name), envName(name))
			}
		}
	}
	var err error
	c.fs.VisitAll(func(f *flag.Flag) {
		if _, set := c.sources[f.Name]; set || err != nil {
			return
		}
		env := "FRONTLINE_" + envName(f.Name)
		if v, ok := getenv(env); ok {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s=%q: %v", env, v, serr)
			}
			c.sources[f.Name] = "env " + env
			return
		}
		if v, ok := sections[f.Name]; ok {
			if _, isMap := v.(map[string]any); isMap {
				err = fmt.Errorf("config %q: %s must be a value, not a section", file, f.Name)
				return
			}
			if serr := f.Value.Set(fmt.Sprint(v)); serr != nil {
				err = fmt.Errorf("config %q: %s: %q: %v", file, f.Name, v, serr)
			}
			c.sources[f.Name] = "config " + file
			return
		}
		c.sources[f.Name] = "default"
	})
	if err != nil {
		return err
	}
	if c.KPI, err = kpi.ParseConfig(fileBytes); err != nil {
		return fmt.Errorf("config %q: %v", file, err)
	}
	if f := c.fs.Lookup("tz"); f != nil && f.Value.String() != "" {
		if c.KPI.Zone, err = kpi.LoadZone(f.Value.String()); err != nil {
			return fmt.Errorf("--tz: %v", err)
		}
	}
	c.secrets = map[string]string{}
	for _, name := range secretNames {
		v, err := readSecret(name, getenv)
		if err != nil {
			return err
		}
		c.secrets[name] = v
	}
	c.Library, _ = getenv("CHDB_LIB_PATH")
	return nil
}

// addTZFlag adds --tz, the centre's time zone, to a command that reports,
// plans, draws or judges in local time.
func addTZFlag(fs *flag.FlagSet) *string {
	return fs.String("tz", "", "the centre's IANA time zone (e.g. Europe/Warsaw): local days, report windows and dashboards; overrides timezone: of the config file (default UTC)")
}

// envName is a flag or secret name as it appears in FRONTLINE_<NAME>.
func envName(name string) string { return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) }

// readSecret reads FRONTLINE_<NAME>, or the file FRONTLINE_<NAME>_FILE names.
func readSecret(name string, getenv func(string) (string, bool)) (string, error) {
	env := "FRONTLINE_" + envName(name)
	if file, ok := getenv(env + "_FILE"); ok && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("cannot read %s=%q: %v", env+"_FILE", file, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	v, _ := getenv(env)
	return v, nil
}

// print writes the effective configuration as YAML, with where each value
// came from and the secrets redacted.
func (c *config) print(w io.Writer) error {
	fmt.Fprintf(w, "# effective configuration of frontline %s\n", c.name)
	fmt.Fprintln(w, "# precedence: command line, then FRONTLINE_* environment, then --config file, then default")
	var names []string
	c.fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "print-config" {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	for _, n := range names {
		f := c.fs.Lookup(n)
		v, _ := yaml.Marshal(f.Value.String())
		fmt.Fprintf(w, "%s: %s  # %s\n", n, strings.TrimSpace(string(v)), c.sources[n])
	}
	for _, n := range secretNames {
		state := "unset"
		if c.secrets[n] != "" {
			state = "set, redacted"
		}
		fmt.Fprintf(w, "# %s: (%s; from FRONTLINE_%s or FRONTLINE_%s_FILE)\n", n, state, envName(n), envName(n))
	}
	t, err := yaml.Marshal(c.KPI.YAML())
	if err != nil {
		return err
	}
	_, err = w.Write(t)
	return err
}
