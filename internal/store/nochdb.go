//go:build nochdb

package store

// Embedded is absent from binaries built with -tags nochdb.
type Embedded struct{ Store }

// OpenEmbedded reports that this binary has no embedded ClickHouse.
func OpenEmbedded(dir, db string) (*Embedded, error) { return nil, ErrNoChDB }
