package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Server is a Store on a ClickHouse server or cluster through clickhouse-go/v2.
type Server struct {
	conn driver.Conn
	db   string
}

// ServerOptions say how to reach a ClickHouse server or cluster.
type ServerOptions struct {
	// DSN is clickhouse://user@host:9000/db?secure=true (see clickhouse-go's
	// ParseDSN). Required.
	DSN string
	// Password, when set, replaces the DSN's: passwords belong in the
	// environment or a file, not on command lines and in logs.
	Password string
}

// OpenServer connects to the server o.DSN names and creates its database
// when absent.
func OpenServer(ctx context.Context, o ServerOptions) (*Server, error) {
	dsn := o.DSN
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("cannot parse ClickHouse DSN %q: %v", RedactDSN(dsn), redactErr(err, dsn))
	}
	if o.Password != "" {
		opts.Auth.Password = o.Password
	}
	if opts.Auth.Database == "" {
		opts.Auth.Database = "default"
	}
	db := opts.Auth.Database
	// Create the database first through the default one.
	opts.Auth.Database = "default"
	boot, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to ClickHouse %q: %w", RedactDSN(dsn), err)
	}
	if err := boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+ident(db)); err != nil {
		boot.Close()
		return nil, fmt.Errorf("cannot create database %q on %q: %w", db, RedactDSN(dsn), err)
	}
	boot.Close()
	opts.Auth.Database = db
	// Inserts are synchronous: an asynchronous insert (the default of recent
	// servers) ignores insert_deduplication_token unless
	// async_insert_deduplicate is on, and acknowledges rows a flush has not
	// yet recorded.
	if opts.Settings == nil {
		opts.Settings = clickhouse.Settings{}
	}
	opts.Settings["async_insert"] = 0
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to ClickHouse %q: %w", RedactDSN(dsn), err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("cannot reach ClickHouse %q: %w", RedactDSN(dsn), err)
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

// ExecWritten implements Store: the rows written, from the server's
// progress packets.
func (s *Server) ExecWritten(ctx context.Context, query string, params Params) (int64, error) {
	ctx, err := s.withParams(ctx, params)
	if err != nil {
		return 0, err
	}
	var written atomic.Int64
	ctx = clickhouse.Context(ctx, clickhouse.WithProgress(func(p *clickhouse.Progress) { written.Add(int64(p.WroteRows)) }))
	if err := s.conn.Exec(ctx, query); err != nil {
		return 0, err
	}
	return written.Load(), nil
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

// RedactDSN hides the password of a DSN, in its user info or in a
// password parameter, for error messages and logs.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		if i := strings.Index(dsn, "://"); i >= 0 {
			return dsn[:i+3] + "…"
		}
		return "…"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// redactErr removes the DSN's password from an error's text.
func redactErr(err error, dsn string) string {
	msg := err.Error()
	if u, perr := url.Parse(dsn); perr == nil {
		if u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				msg = strings.ReplaceAll(msg, p, "xxxxx")
			}
		}
		for k, vs := range u.Query() {
			if strings.EqualFold(k, "password") {
				for _, v := range vs {
					if v != "" {
						msg = strings.ReplaceAll(msg, v, "xxxxx")
					}
				}
			}
		}
	}
	return msg
}
