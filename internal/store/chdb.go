//go:build !nochdb

package store

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	_ "github.com/frontline-oss/frontline/internal/chdblib" // must precede chdb-go's loader

	"github.com/chdb-io/chdb-go/chdb"
)

// The chDB engine allows one data directory per process; stores opened on
// it share one session and take turns (the session is not safe for
// concurrent use).
var engine struct {
	mu      sync.Mutex
	session *chdb.Session
	path    string
	refs    int
}

// Embedded is a Store on the in-process chDB engine.
type Embedded struct {
	db     string
	closed bool
}

// OpenEmbedded opens (creating when absent) database db in the chDB data
// directory dir. Every store in a process must use the same dir.
func OpenEmbedded(dir, db string) (*Embedded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve data directory %q: %w", dir, err)
	}
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if engine.session == nil {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return nil, fmt.Errorf("cannot create data directory %q: %w", abs, err)
		}
		s, err := chdb.NewSession(abs)
		if err != nil {
			return nil, fmt.Errorf("cannot start embedded ClickHouse in %q: %w", abs, err)
		}
		// Query parameters travel inside the query text here (SET param_x),
		// so large parameters (a batch's event ids) need a larger limit than
		// the server's default 256 KiB.
		if _, err := s.Query("SET max_query_size = 67108864", "TSV"); err != nil {
			return nil, fmt.Errorf("cannot configure embedded ClickHouse: %w", err)
		}
		engine.session, engine.path = s, abs
	} else if engine.path != abs {
		return nil, fmt.Errorf("%w: %q is open, %q was asked for", ErrOtherDataPath, engine.path, abs)
	}
	if _, err := engine.session.Query("CREATE DATABASE IF NOT EXISTS "+ident(db), "TSV"); err != nil {
		return nil, fmt.Errorf("cannot create database %q: %w", db, err)
	}
	engine.refs++
	return &Embedded{db: db}, nil
}

// Database implements Store.
func (e *Embedded) Database() string { return e.db }

// Close implements Store. The engine stays up for the process: chDB cannot
// be restarted on another path once loaded.
func (e *Embedded) Close() error {
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if !e.closed {
		e.closed = true
		engine.refs--
	}
	return nil
}

// run executes sql (after USE and parameter settings) and returns the output.
func (e *Embedded) run(ctx context.Context, sql string, params Params, format string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var pre bytes.Buffer
	pre.WriteString("USE ")
	pre.WriteString(ident(e.db))
	pre.WriteString("; ")
	if len(params) > 0 {
		ps, err := paramStrings(params)
		if err != nil {
			return nil, err
		}
		for k, v := range ps {
			fmt.Fprintf(&pre, "SET param_%s = %s; ", k, quote(v))
		}
	}
	pre.WriteString(sql)
	engine.mu.Lock()
	defer engine.mu.Unlock()
	if e.closed {
		return nil, fmt.Errorf("store for database %q is closed", e.db)
	}
	res, err := engine.session.Query(pre.String(), format)
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, nil
	}
	defer res.Free()
	return bytes.Clone(res.Buf()), nil
}

// Exec implements Store.
func (e *Embedded) Exec(ctx context.Context, query string, params Params) error {
	_, err := e.run(ctx, query, params, "TSV")
	return err
}

// jsonOut are the output settings that make chDB rows look like the server path's.
const jsonOut = " SETTINGS output_format_json_quote_64bit_integers = 0, output_format_json_quote_denormals = 0, date_time_output_format = 'iso'"

// Query implements Store.
func (e *Embedded) Query(ctx context.Context, query string, params Params, fn func(row []byte) error) error {
	q := bytes.TrimRight([]byte(query), " \n\t;")
	out, err := e.run(ctx, string(q)+jsonOut, params, "JSONEachRow")
	if err != nil {
		return err
	}
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
	buf := make([]byte, 0, 64+len(b.Rows)*32*len(b.Columns))
	buf = append(buf, "INSERT INTO "...)
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
	_, err := e.run(ctx, string(buf), nil, "TSV")
	return err
}
