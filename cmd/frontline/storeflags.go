package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
)

// maxTTLDays bounds --raw-ttl-days: beyond about ten years the expiry of a
// recent event overflows ClickHouse's DateTime (2106), which would expire
// everything at once.
const maxTTLDays = 3650

// storeFlags are the flags of every command that touches ClickHouse.
type storeFlags struct {
	data     string
	dsn      string
	database string
	schema   store.SchemaOptions
	cfg      *config
}

func addStoreFlags(fs *flag.FlagSet, cfg *config) *storeFlags {
	f := &storeFlags{cfg: cfg}
	fs.StringVar(&f.data, "data", "./data", "embedded ClickHouse (chDB) data directory")
	fs.StringVar(&f.dsn, "dsn", "", "ClickHouse server DSN, e.g. clickhouse://user@host:9000/frontline?secure=true (password from FRONTLINE_CLICKHOUSE_PASSWORD[_FILE]); replaces --data")
	fs.StringVar(&f.database, "database", "frontline", "database in the embedded store (with --dsn, the DSN's database)")
	return f
}

// addSchemaFlags adds the flags that shape the schema, for the commands
// that create it (serve, collect, aggregate, replay, migrate).
func (f *storeFlags) addSchemaFlags(fs *flag.FlagSet) *storeFlags {
	fs.IntVar(&f.schema.RawTTLDays, "raw-ttl-days", 0, fmt.Sprintf("drop raw events older than this many days (0 keeps them; at most %d)", maxTTLDays))
	fs.IntVar(&f.schema.DerivedTTLDays, "derived-ttl-days", 0, "drop rollup, derived-table and plan rows older than this many days (0 keeps them)")
	fs.IntVar(&f.schema.StateTTLDays, "state-ttl-days", 30, "drop ingest bookkeeping and dlq rows older than this many days (0 keeps them)")
	fs.IntVar(&f.schema.DedupDays, "dedup-days", 0, "forget claimed event ids after this many days: a duplicate later than that is stored again (0 keeps them)")
	f.schema.Retention = true
	return f
}

// embedded reports whether the command uses the embedded store.
func (f *storeFlags) embedded() bool { return f.dsn == "" }

// openMode says what a command does to the store.
type openMode int

const (
	// readStore: the command only reads; a missing data directory is an
	// error (a mistyped --data must not create an empty store).
	readStore openMode = iota
	// writeStore: the command writes and creates the data directory.
	writeStore
)

// connect opens the store without touching the schema. owner names the
// process in the data directory's lock file.
func (f *storeFlags) connect(ctx context.Context, mode openMode) (store.Store, error) {
	if err := f.checkSchema(); err != nil {
		return nil, err
	}
	if f.dsn != "" {
		return store.OpenServer(ctx, store.ServerOptions{DSN: f.dsn, Password: f.cfg.secret("clickhouse-password")})
	}
	// A library that was not found is reported by the store, after a
	// missing directory; one that was named and is not there, now.
	lib, err := engineLibrary(f.cfg.Library)
	if err != nil && f.cfg.Library != "" {
		return nil, err
	}
	s, err := store.OpenEmbedded(store.EmbeddedOptions{
		Dir: f.data, Database: f.database, Library: lib,
		Create: mode == writeStore, Owner: "frontline " + f.cfg.name,
	})
	if errors.Is(err, store.ErrNoDataDir) {
		return nil, fmt.Errorf("%w: --data %q does not exist (it is made by serve, collect, replay or demo)", errUsage, f.data)
	}
	return s, err
}

// open connects to the store and applies pending migrations.
func (f *storeFlags) open(ctx context.Context, mode openMode) (store.Store, error) {
	s, err := f.connect(ctx, mode)
	if err != nil {
		return nil, err
	}
	if _, err := store.Migrate(ctx, s, f.schema); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkSchema refuses retentions that would overflow ClickHouse's DateTime
// (expiring everything at once) or make no sense.
func (f *storeFlags) checkSchema() error {
	for _, r := range []struct {
		flag string
		v    int
	}{{"raw-ttl-days", f.schema.RawTTLDays}, {"derived-ttl-days", f.schema.DerivedTTLDays}, {"state-ttl-days", f.schema.StateTTLDays}, {"dedup-days", f.schema.DedupDays}} {
		if r.v < 0 || r.v > maxTTLDays {
			return fmt.Errorf("%w: --%s %d: want 0 (keep) to %d", errUsage, r.flag, r.v, maxTTLDays)
		}
	}
	return nil
}

// engineLibrary finds libchdb.so: CHDB_LIB_PATH, else the Makefile's cache
// above the working directory or the executable.
func engineLibrary(env string) (string, error) {
	var dirs []string
	if wd, err := os.Getwd(); err == nil {
		dirs = append(dirs, wd)
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	p, err := chdb.Find(env, dirs...)
	if err != nil {
		return "", fmt.Errorf("%w; %s", err, chdb.Hint)
	}
	return p, nil
}

// inUse turns the error of a data directory held by another process into
// one line saying what to run instead.
func inUse(err error, instead string) error {
	var iu *store.InUseError
	if !errors.As(err, &iu) {
		return err
	}
	return fmt.Errorf("%v; %s", iu, instead)
}

// parseTime reads an RFC 3339 timestamp or a date (midnight UTC), the two
// forms --start accepts.
func parseTime(s string) (time.Time, error) { return parseTimeIn(s, time.UTC) }

// parseTimeIn reads an RFC 3339 timestamp, or a date as its local midnight
// in zone: the forms every --from, --to and --date flag accepts.
func parseTimeIn(s string, zone *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(zone), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, zone); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("cannot parse time %q: want RFC 3339 (2026-11-02T09:00:00Z) or a date (2026-11-02)", s)
}
