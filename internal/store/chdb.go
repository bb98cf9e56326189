package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/frontline-oss/frontline/internal/chdb"
)

// The engine allows one data directory per process; stores opened on it
// share one connection and take turns (the connection is not safe for
// concurrent use).
var engine struct {
	mu   sync.Mutex
	conn *chdb.Conn
	dir  string
	lock *dirLock
}

// EmbeddedOptions say where the embedded engine and its data are.
type EmbeddedOptions struct {
	// Dir is the data directory. Required.
	Dir string
	// Database every statement runs in; created when absent. Default "frontline".
	Database string
	// Library is libchdb.so (see chdb.Find). Required the first time a
	// process opens an embedded store.
	Library string
	// Create makes Dir when it does not exist. Commands that only read
	// leave it false, so a mistyped --data is an error, not a new empty store.
	Create bool
	// Owner names this process in the data directory's lock file (e.g.
	// "frontline serve"), for the message another process gets when it
	// finds the directory taken. Default "frontline".
	Owner string
}

// Embedded is a Store on the in-process chDB engine.
type Embedded struct {
	db     string
	closed bool
}

// OpenEmbedded opens (creating when absent) database o.Database in the data
// directory o.Dir, loading the engine on first use. Every embedded store
// of a process must use the same directory. When another process holds the
// directory, the error is an *InUseError naming it.
func OpenEmbedded(o EmbeddedOptions) (*Embedded, error) {
	if o.Database == "" {
		o.Database = "frontline"
	}
	if o.Owner == "" {
		o.Owner = "frontline"
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve data directory %q: %w", o.Dir, err)
	}
	if st, err := os.Stat(abs); err != nil {
		if !errors.Is(err, os.ErrNotExist) || !o.Create {
			return nil, fmt.Errorf("%w: %q", ErrNoDataDir, o.Dir)
		}
	} else if !st.IsDir() {
		return nil, fmt.Errorf("data directory %q is not a directory", o.Dir)
	}
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.conn == nil {
		if err := openEngine(abs, o); err != nil {
			return nil, err
		}
	} else if engine.dir != abs {
		return nil, fmt.Errorf("%w: %q is open, %q was asked for", ErrOtherDataPath, engine.dir, abs)
	}
	if _, err := engine.conn.Query("CREATE DATABASE IF NOT EXISTS "+ident(o.Database), "TSV"); err != nil {
		return nil, fmt.Errorf("cannot create database %q: %w", o.Database, err)
	}
	return &Embedded{db: o.Database}, nil
}

// openEngine takes the data directory's lock and starts the engine on it.
func openEngine(abs string, o EmbeddedOptions) error {
	if o.Library == "" {
		return fmt.Errorf("%w; %s", chdb.ErrNotFound, chdb.Hint)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return fmt.Errorf("cannot create data directory %q: %w", o.Dir, err)
	}
	lock, err := lockDir(abs, o.Owner)
	if err != nil {
		return err
	}
	conn, err := chdb.Open(o.Library, abs)
	if err != nil {
		lock.release()
		return err
	}
	// Query parameters travel inside the query text here (SET param_x), so
	// large parameters (a batch's event ids) need a larger limit than the
	// server's default 256 KiB. Inserts are synchronous (their rows are in
	// the query): the engine's default async_insert made clickhouse-local
	// look for more rows on its standard input, and refuse the insert when
	// it found any.
	if _, err := conn.Query("SET max_query_size = 67108864; SET async_insert = 0", "TSV"); err != nil {
		conn.Close()
		lock.release()
		return fmt.Errorf("cannot configure the embedded ClickHouse: %w", err)
	}
	engine.conn, engine.dir, engine.lock = conn, abs, lock
	return nil
}

// Advertise records in the data directory's lock file the URL at which this
// process serves reports, so that a command that finds the directory taken
// can say where to ask instead (see InUseError). Without an embedded store
// it does nothing.
func Advertise(url string) error {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.lock == nil {
		return nil
	}
	return engine.lock.advertise(url)
}

// Database implements Store.
func (e *Embedded) Database() string { return e.db }

// Close implements Store. The engine stays up for the process: it cannot
// be restarted on another directory once loaded.
func (e *Embedded) Close() error {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	e.closed = true
	return nil
}

// run executes sql (after USE and parameter settings) and returns the result.
func (e *Embedded) run(ctx context.Context, sql string, params Params, format string) (chdb.Result, error) {
	if err := ctx.Err(); err != nil {
		return chdb.Result{}, err
	}
	var pre bytes.Buffer
	pre.WriteString("USE ")
	pre.WriteString(ident(e.db))
	pre.WriteString("; ")
	if len(params) > 0 {
		ps, err := paramStrings(params)
		if err != nil {
			return chdb.Result{}, err
		}
		for k, v := range ps {
			fmt.Fprintf(&pre, "SET param_%s = %s; ", k, quote(v))
		}
	}
	pre.WriteString(sql)
	return e.exec(func(c *chdb.Conn) (chdb.Result, error) { return c.QueryBytes(pre.Bytes(), format) })
}

// exec runs q on the engine under its lock. The engine keeps what a failed
// statement wrote before it failed (a timeout after the first rows, say)
// and puts it in front of the next statement's output, whoever runs it: a
// throw-away statement takes it before the lock is released.
func (e *Embedded) exec(q func(*chdb.Conn) (chdb.Result, error)) (chdb.Result, error) {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if e.closed {
		return chdb.Result{}, fmt.Errorf("store for database %q is closed", e.db)
	}
	res, err := q(engine.conn)
	if err != nil {
		_, _ = engine.conn.Query("SELECT 1 FORMAT Null", "TSV")
	}
	return res, err
}

// Exec implements Store.
func (e *Embedded) Exec(ctx context.Context, query string, params Params) error {
	_, err := e.run(ctx, query, params, "TSV")
	return err
}

// insertedRows reads the engine's running count of inserted rows.
const insertedRows = "SELECT sum(value) FROM system.events WHERE event = 'InsertedRows' FORMAT TSV"

// ExecWritten implements Store: the engine's InsertedRows counter before
// and after the statement, read in the same call under the engine's lock,
// so no other statement of this process counts in between.
func (e *Embedded) ExecWritten(ctx context.Context, query string, params Params) (int64, error) {
	q := insertedRows + "; " + strings.TrimRight(strings.TrimSpace(query), ";") + "; " + insertedRows
	res, err := e.run(ctx, q, params, "TSV")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(res.Data))
	if len(f) != 2 {
		return 0, fmt.Errorf("cannot read the rows written from %q", res.Data)
	}
	before, err1 := strconv.ParseInt(f[0], 10, 64)
	after, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("cannot read the rows written from %q", res.Data)
	}
	return after - before, nil
}

// jsonOut are the output settings that make chDB rows look like the server path's.
const jsonOut = " SETTINGS output_format_json_quote_64bit_integers = 0, output_format_json_quote_denormals = 0, date_time_output_format = 'iso'"

// Query implements Store.
func (e *Embedded) Query(ctx context.Context, query string, params Params, fn func(row []byte) error) error {
	q := bytes.TrimRight([]byte(query), " \n\t;")
	res, err := e.run(ctx, string(q)+jsonOut, params, "JSONEachRow")
	if err != nil {
		return err
	}
	out := res.Data
	for len(out) > 0 {
		line := out
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			line, out = out[:i], out[i+1:]
		} else {
			out = nil
		}
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return nil
}

// Insert implements Store: the block goes in as JSONCompactEachRow.
func (e *Embedded) Insert(ctx context.Context, b *Block) error {
	if len(b.Rows) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The rows are written once, into the query itself, which the engine
	// reads in place: with the table qualified by its database, the query
	// needs no USE before it.
	buf := make([]byte, 0, 128+len(b.Rows)*32*len(b.Columns))
	buf = append(buf, "INSERT INTO "...)
	buf = append(buf, ident(e.db)...)
	buf = append(buf, '.')
	buf = append(buf, ident(b.Table)...)
	buf = append(buf, " ("...)
	for i, c := range b.Columns {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, ident(c)...)
	}
	buf = append(buf, ") SETTINGS deduplicate_blocks_in_dependent_materialized_views = 1"...)
	if b.Token != "" {
		buf = append(buf, ", insert_deduplication_token = "...)
		buf = append(buf, quote(b.Token)...)
	}
	buf = append(buf, " FORMAT JSONCompactEachRow\n"...)
	for _, row := range b.Rows {
		buf = append(buf, '[')
		for i, v := range row {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONValue(buf, v)
		}
		buf = append(buf, "]\n"...)
	}
	_, err := e.exec(func(c *chdb.Conn) (chdb.Result, error) { return c.QueryBytes(buf, "TSV") })
	return err
}
