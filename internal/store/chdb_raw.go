package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
)

// QueryRaw runs one statement in the store's database and returns the
// engine's output in format, byte for byte. It exists for callers that pass
// the engine's output on rather than decode it: the ClickHouse HTTP interface
// of `frontline serve` (internal/chhttp), which answers Grafana in the
// format Grafana's driver asked for.
//
// params are query parameters as ClickHouse's HTTP interface receives them
// (param_<name>=<value>): the value is already in ClickHouse's escaped text
// form and reaches {name:Type} unchanged, unlike Params, whose strings are
// escaped here. Names must be identifiers. The caller vouches that query is
// one statement: the engine runs every statement of a multi-statement text.
//
// Like every statement of the store, the parameters are set on the engine's
// session (SET param_<name>) just before query, under the same lock.
//
// The engine's output is returned from a marker statement run first in the
// same call on: whatever an earlier failed statement left behind (see run)
// cannot reach the caller.
func (e *Embedded) QueryRaw(ctx context.Context, query string, params map[string]string, format string) ([]byte, error) {
	mark, err := newMarker()
	if err != nil {
		return nil, err
	}
	marker := "SELECT '" + mark + "' FORMAT RawBLOB; "
	names := make([]string, 0, len(params))
	for k := range params {
		if !isIdentifier(k) {
			return nil, fmt.Errorf("cannot set query parameter %q: its name is not an identifier", k)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(marker)
	for _, k := range names {
		b.WriteString("SET param_")
		b.WriteString(k)
		b.WriteString(" = ")
		b.WriteString(quote(params[k]))
		b.WriteString("; ")
	}
	b.WriteString(query)
	res, err := e.run(ctx, b.String(), nil, format)
	if err != nil {
		return nil, err
	}
	out := res.Data
	i := bytes.Index(out, []byte(mark))
	if i < 0 {
		return nil, fmt.Errorf("cannot find the start of the engine's output: marker %q missing from %d bytes", mark, len(out))
	}
	return out[i+len(mark):], nil
}

// newMarker is a random text no earlier output can contain; the marker
// statement writes it raw, whatever format the caller asked for.
func newMarker() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("cannot make an output marker: %w", err)
	}
	return "frontline-" + hex.EncodeToString(b[:]), nil
}

// isIdentifier reports whether s is a bare ClickHouse identifier.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
