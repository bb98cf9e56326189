//go:build nochdb

package store

import "context"

// QueryRaw reports that this binary has no embedded ClickHouse.
func (e *Embedded) QueryRaw(ctx context.Context, query string, params map[string]string, format string) ([]byte, error) {
	return nil, ErrNoChDB
}
