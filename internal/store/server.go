package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Server is a Store on a ClickHouse server or cluster through clickhouse-go/v2.
type Server struct {
	conn driver.Conn
	db   string
}

// OpenServer connects to dsn (clickhouse://user:pass@host:9000/db?secure=true).
// A password may instead come from FRONTLINE_CLICKHOUSE_PASSWORD or from the
// file named by FRONTLINE_CLICKHOUSE_PASSWORD_FILE, so that it stays out of
// command lines and logs.
func OpenServer(ctx context.Context, dsn string) (*Server, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot parse ClickHouse DSN %q: %w", redactDSN(dsn), err)
	}
	if p := os.Getenv("FRONTLINE_CLICKHOUSE_PASSWORD"); p != "" {
		opts.Auth.Password = p
	}
	if f := os.Getenv("FRONTLINE_CLICKHOUSE_PASSWORD_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read ClickHouse password file %q: %w", f, err)
		}
		opts.Auth.Password = strings.TrimSpace(string(b))
	}
	if opts.Auth.Database == "" {
		opts.Auth.Database = "default"
	}
	db := opts.Auth.Database
	// Create the database first through the default one.
	opts.Auth.Database = "default"
	boot, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to ClickHouse %q: %w", redactDSN(dsn), err)
	}
	if err := boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+ident(db)); err != nil {
		boot.Close()
		return nil, fmt.Errorf("cannot create database %q on %q: %w", db, redactDSN(dsn), err)
	}
	boot.Close()
	opts.Auth.Database = db
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to ClickHouse %q: %w", redactDSN(dsn), err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("cannot reach ClickHouse %q: %w", redactDSN(dsn), err)
	}
	return &Server{conn: conn, db: db}, nil
}

// Database implements Store.
func (s *Server) Database() string { return s.db }

// Close implements Store.
func (s *Server) Close() error { return s.conn.Close() }

func (s *Server) withParams(ctx context.Context, params Params) (context.Context, error) {
	if len(params) == 0 {
		return ctx, nil
	}
	ps, err := paramStrings(params)
	if err != nil {
		return nil, err
	}
	return clickhouse.Context(ctx, clickhouse.WithParameters(ps)), nil
}

// Exec implements Store.
func (s *Server) Exec(ctx context.Context, query string, params Params) error {
	ctx, err := s.withParams(ctx, params)
	if err != nil {
		return err
	}
	return s.conn.Exec(ctx, query)
}

// Query implements Store: each row is scanned into its column types and
// written as the same JSON object the embedded store produces.
func (s *Server) Query(ctx context.Context, query string, params Params, fn func(row []byte) error) error {
	ctx, err := s.withParams(ctx, params)
	if err != nil {
		return err
	}
	rows, err := s.conn.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	types := rows.ColumnTypes()
	cols := rows.Columns()
	ptrs := make([]any, len(types))
	for rows.Next() {
		for i, t := range types {
			ptrs[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		obj := make(map[string]any, len(cols))
		for i, c := range cols {
			obj[c] = jsonable(reflect.ValueOf(ptrs[i]).Elem().Interface())
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// jsonable converts scanned values to what the embedded store's JSON shows.
func jsonable(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(time.RFC3339Nano)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		return jsonable(rv.Elem().Interface())
	}
	return v
}

// Insert implements Store with a native batch of explicit columns.
func (s *Server) Insert(ctx context.Context, b *Block) error {
	if len(b.Rows) == 0 {
		return nil
	}
	settings := clickhouse.Settings{"deduplicate_blocks_in_dependent_materialized_views": 1}
	if b.Token != "" {
		settings["insert_deduplication_token"] = b.Token
	}
	ctx = clickhouse.Context(ctx, clickhouse.WithSettings(settings))
	cols := make([]string, len(b.Columns))
	for i, c := range b.Columns {
		cols[i] = ident(c)
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+ident(b.Table)+" ("+strings.Join(cols, ", ")+")")
	if err != nil {
		return err
	}
	for _, row := range b.Rows {
		if err := batch.Append(row...); err != nil {
			batch.Abort()
			return err
		}
	}
	return batch.Send()
}

// redactDSN hides the password of a DSN for error messages and logs.
func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	userinfo := dsn[scheme+3 : at]
	if i := strings.IndexByte(userinfo, ':'); i >= 0 {
		return dsn[:scheme+3] + userinfo[:i] + ":***" + dsn[at:]
	}
	return dsn
}
