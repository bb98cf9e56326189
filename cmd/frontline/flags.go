package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/frontline-oss/frontline/internal/store"
)

// runCommand parses flags, then fills every flag not given on the command
// line from FRONTLINE_<NAME> or, failing that, from the --config file.
func runCommand(ctx context.Context, c command, args []string) error {
	fs := flag.NewFlagSet("frontline "+c.name, flag.ContinueOnError)
	config := fs.String("config", "", "YAML config file; its keys are flag names (flags and FRONTLINE_* variables override it)")
	run := c.setup(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg := map[string]any{}
	if *config != "" {
		b, err := os.ReadFile(*config)
		if err != nil {
			return fmt.Errorf("%w: cannot read config %q: %v", errUsage, *config, err)
		}
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			return fmt.Errorf("%w: cannot parse config %q: %v", errUsage, *config, err)
		}
		configSections = cfg
	}
	var ferr error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || ferr != nil {
			return
		}
		env := "FRONTLINE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				ferr = fmt.Errorf("%w: %s=%q: %v", errUsage, env, v, err)
			}
			return
		}
		if v, ok := cfg[f.Name]; ok {
			if _, isMap := v.(map[string]any); isMap {
				return
			}
			if err := f.Value.Set(fmt.Sprint(v)); err != nil {
				ferr = fmt.Errorf("%w: config %s: %q: %v", errUsage, f.Name, v, err)
			}
		}
	})
	if ferr != nil {
		return ferr
	}
	return run(ctx, fs.Args())
}

// configSections is the parsed --config file, for commands that read nested
// sections (such as per-queue targets) beyond flat flags.
var configSections map[string]any

// storeFlags are the flags of every command that touches ClickHouse.
type storeFlags struct {
	data     string
	dsn      string
	database string
	ttlDays  int
}

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.data, "data", "./data", "embedded ClickHouse (chDB) data directory")
	fs.StringVar(&f.dsn, "dsn", "", "ClickHouse server DSN, e.g. clickhouse://user@host:9000/frontline?secure=true (password from FRONTLINE_CLICKHOUSE_PASSWORD[_FILE]); overrides --data")
	fs.StringVar(&f.database, "database", "frontline", "database for the embedded store (with --dsn the DSN's database is used)")
	fs.IntVar(&f.ttlDays, "raw-ttl-days", 0, "drop raw events older than this many days (0 keeps them)")
	return f
}

// connect opens the store without touching the schema.
func (f *storeFlags) connect(ctx context.Context) (store.Store, error) {
	if f.dsn != "" {
		s, err := store.OpenServer(ctx, f.dsn)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := store.OpenEmbedded(f.data, f.database)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// open connects to the store and applies pending migrations.
func (f *storeFlags) open(ctx context.Context) (store.Store, error) {
	s, err := f.connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{RawTTLDays: f.ttlDays}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// parseTime reads an RFC 3339 timestamp or a date (midnight UTC), the two
// forms every --from, --to, --date and --start flag accepts.
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q: want RFC 3339 (2026-11-02T09:00:00Z) or a date (2026-11-02)", s)
}
