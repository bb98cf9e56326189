// Package store is Frontline's one boundary to ClickHouse. The same DDL and
// queries run on two implementations: embedded chDB (the real ClickHouse
// engine in-process, for the demo, single machines and tests) and a
// ClickHouse server or cluster through clickhouse-go/v2.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Store runs SQL on ClickHouse. Queries name tables without a database: the
// store runs them in its own database, so tests can share one engine.
type Store interface {
	// Exec runs one statement that returns no rows (DDL, INSERT … SELECT).
	Exec(ctx context.Context, query string, params Params) error
	// ExecWritten runs one INSERT … SELECT and returns the rows it wrote,
	// from the engine's own accounting (the query summary), so that a job
	// need not count its output again. Rows written into materialized
	// views' targets count too.
	ExecWritten(ctx context.Context, query string, params Params) (int64, error)
	// Query runs a SELECT and calls fn with each row as a JSON object
	// (DateTime as RFC 3339 in UTC, 64-bit integers as numbers, NULL as null).
	// fn must not keep the slice.
	Query(ctx context.Context, query string, params Params, fn func(row []byte) error) error
	// Insert writes b in one block, deduplicated by b.Token when it is set.
	Insert(ctx context.Context, b *Block) error
	// Database is the database every statement runs in.
	Database() string
	// Close releases the connection.
	Close() error
}

// Params are bound to ClickHouse query parameters: {name:Type} in the SQL.
// Values may be string, time.Time, integers, floats or bool.
type Params map[string]any

// Block is a batch of rows for one table, in the order of Columns.
// Values are string, bool, float64, int64, time.Time, *float64, *time.Time
// (nil pointers are NULL).
type Block struct {
	Table   string
	Columns []string
	Rows    [][]any
	// Token is the insert_deduplication_token: a block re-sent with the
	// same token within the table's deduplication window is ignored.
	Token string
}

// Sentinel errors.
var (
	// ErrNoRows is returned by QueryOne when the query returned no row.
	ErrNoRows = errors.New("query returned no rows")
	// ErrOtherDataPath: chDB runs one data directory per process.
	ErrOtherDataPath = errors.New("embedded ClickHouse is already open on another data directory")
	// ErrNoDataDir: a command that only reads was given a data directory
	// that does not exist (a typo would otherwise create an empty store).
	ErrNoDataDir = errors.New("no such data directory")
	// ErrDataDirInUse: another process holds the embedded data directory
	// (see InUseError for who).
	ErrDataDirInUse = errors.New("data directory in use")
)

// QueryAll runs query and decodes every row into a T.
func QueryAll[T any](ctx context.Context, s Store, query string, params Params) ([]T, error) {
	var out []T
	err := s.Query(ctx, query, params, func(row []byte) error {
		var v T
		if err := json.Unmarshal(row, &v); err != nil {
			return fmt.Errorf("cannot decode row %s: %w", truncate(row, 200), err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// QueryOne runs query and decodes its first row into a T.
func QueryOne[T any](ctx context.Context, s Store, query string, params Params) (T, error) {
	rows, err := QueryAll[T](ctx, s, query, params)
	var zero T
	if err != nil {
		return zero, err
	}
	if len(rows) == 0 {
		return zero, ErrNoRows
	}
	return rows[0], nil
}

// paramString renders a parameter value in the text form ClickHouse parses
// for {name:Type} substitutions.
func paramString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return escapeParam(x), nil
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.000"), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	case time.Duration:
		return strconv.FormatFloat(x.Seconds(), 'g', -1, 64), nil
	case []string:
		var b strings.Builder
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(e))
		}
		b.WriteByte(']')
		return b.String(), nil
	}
	return "", fmt.Errorf("unsupported parameter type %T", v)
}

func paramStrings(p Params) (map[string]string, error) {
	out := make(map[string]string, len(p))
	for k, v := range p {
		s, err := paramString(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

// escapeParam escapes a string parameter the way ClickHouse parses
// parameter values (the TSV "escaped" text form).
func escapeParam(s string) string {
	if !strings.ContainsAny(s, "\\\n\t\r\x00") {
		return s
	}
	r := strings.NewReplacer("\\", "\\\\", "\n", "\\n", "\t", "\\t", "\r", "\\r", "\x00", "\\0")
	return r.Replace(s)
}

// quote renders s as a ClickHouse string literal.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// appendJSONValue appends v as a JSON value that ClickHouse's JSON input
// formats parse into the column types of Block.
func appendJSONValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case *float64:
		if x == nil {
			return append(b, "null"...)
		}
		return appendJSONValue(b, *x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case time.Time:
		b = append(b, '"')
		b = x.UTC().AppendFormat(b, "2006-01-02 15:04:05.000")
		return append(b, '"')
	case *time.Time:
		if x == nil {
			return append(b, "null"...)
		}
		return appendJSONValue(b, *x)
	}
	return appendJSONString(b, fmt.Sprint(v))
}

const hexDigits = "0123456789abcdef"

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// ident quotes a ClickHouse identifier.
func ident(s string) string {
	return "`" + escapeBackquote(s) + "`"
}

func escapeBackquote(s string) string {
	var b bytes.Buffer
	for i := 0; i < len(s); i++ {
		if s[i] == '`' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
