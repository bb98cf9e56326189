// Package storetest gives tests a fresh, migrated ClickHouse database on the
// embedded engine (one chDB data path per test binary, one database per test),
// or on the server named by CLICKHOUSE_DSN when that is set.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
)

var (
	dirOnce sync.Once
	dir     string
	dirErr  error
	seq     atomic.Int64
)

// DataDir is the chDB data directory shared by every test in this binary.
func DataDir(t testing.TB) string {
	t.Helper()
	dirOnce.Do(func() { dir, dirErr = os.MkdirTemp("", "frontline-chdb-") })
	if dirErr != nil {
		t.Fatalf("cannot create chDB data directory: %v", dirErr)
	}
	return dir
}

// Library is the embedded engine for tests: CHDB_LIB_PATH, else the
// Makefile's cache above the working directory. A test that needs it fails
// when it is missing; it never skips.
func Library(t testing.TB) string {
	t.Helper()
	wd, _ := os.Getwd()
	p, err := chdb.Find(os.Getenv("CHDB_LIB_PATH"), wd)
	if err != nil {
		t.Fatalf("the embedded ClickHouse is required: %v; %s", err, chdb.Hint)
	}
	return p
}

// New returns a migrated store on a database of its own, dropped when the test ends.
func New(t testing.TB) store.Store {
	t.Helper()
	s := Empty(t)
	if _, err := store.Migrate(context.Background(), s, store.SchemaOptions{}); err != nil {
		t.Fatalf("cannot migrate test database: %v", err)
	}
	return s
}

// Empty is New without the migrations.
func Empty(t testing.TB) store.Store {
	t.Helper()
	name := dbName(t)
	var s store.Store
	if dsn := os.Getenv("CLICKHOUSE_DSN"); dsn != "" {
		base, _, _ := strings.Cut(dsn, "?")
		sep := strings.LastIndex(base, "/")
		q := dsn[len(base):]
		srv, err := store.OpenServer(context.Background(), store.ServerOptions{DSN: base[:sep+1] + name + q})
		if err != nil {
			t.Fatalf("cannot open ClickHouse server from CLICKHOUSE_DSN: %v", err)
		}
		s = srv
	} else {
		e, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: DataDir(t), Database: name, Library: Library(t), Create: true, Owner: "go test"})
		if err != nil {
			t.Fatalf("cannot open embedded ClickHouse (chDB): %v", err)
		}
		s = e
	}
	t.Cleanup(func() {
		_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+"`"+name+"`", nil)
		s.Close()
	})
	return s
}

// NewEmbedded is New on the embedded engine even when CLICKHOUSE_DSN is
// set, for tests of what only the embedded store does (QueryRaw, which the
// ClickHouse HTTP interface of `frontline serve` answers from).
func NewEmbedded(t testing.TB) *store.Embedded {
	t.Helper()
	name := dbName(t)
	e, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: DataDir(t), Database: name, Library: Library(t), Create: true, Owner: "go test"})
	if err != nil {
		t.Fatalf("cannot open embedded ClickHouse (chDB): %v", err)
	}
	t.Cleanup(func() {
		_ = e.Exec(context.Background(), "DROP DATABASE IF EXISTS "+"`"+name+"`", nil)
		e.Close()
	})
	if _, err := store.Migrate(context.Background(), e, store.SchemaOptions{}); err != nil {
		t.Fatalf("cannot migrate test database: %v", err)
	}
	return e
}

// dbName is a database name of the test's own.
func dbName(t testing.TB) string {
	return fmt.Sprintf("t_%s_%d_%d", sanitize(t.Name()), time.Now().UnixNano()%1e6, seq.Add(1))
}

func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Path joins the shared data directory with elem (for files tests keep beside it).
func Path(t testing.TB, elem ...string) string {
	return filepath.Join(append([]string{DataDir(t)}, elem...)...)
}
