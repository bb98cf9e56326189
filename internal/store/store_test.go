package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	s := storetest.Empty(t)
	ctx := context.Background()
	first, err := store.Migrate(ctx, s, store.SchemaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 {
		t.Fatal("first migrate applied nothing")
	}
	again, err := store.Migrate(ctx, s, store.SchemaOptions{})
	if err != nil || len(again) != 0 {
		t.Fatalf("second migrate applied %v, err %v; want nothing", again, err)
	}
}

func TestInsertDeduplicatesByToken(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	b := &store.Block{
		Table:   "agent_states",
		Columns: []string{"event_id", "source", "agent_id", "state", "at", "queue"},
		Rows: [][]any{
			{"e1", "test", "a1", "available", at, "support"},
			{"e2", "test", "a1", "busy", at.Add(time.Minute), "support"},
		},
		Token: "cs.agents/0/1-2",
	}
	for i := 0; i < 3; i++ {
		if err := s.Insert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	type row struct {
		N  int       `json:"n"`
		At time.Time `json:"at"`
	}
	got, err := store.QueryOne[row](ctx, s, "SELECT count() AS n, max(at) AS at FROM agent_states WHERE agent_id = {a:String}", store.Params{"a": "a1"})
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 2 || !got.At.Equal(at.Add(time.Minute)) {
		t.Fatalf("got %+v, want 2 rows ending %v", got, at.Add(time.Minute))
	}
}

// TestInsertsAreSynchronous: the engine (26.x) and recent servers insert
// asynchronously by default, which ignores insert_deduplication_token and, in
// the embedded engine, took a pipe on standard input for more rows.
func TestInsertsAreSynchronous(t *testing.T) {
	s := storetest.New(t)
	got, err := store.QueryOne[struct {
		Async bool `json:"async"`
	}](context.Background(), s, "SELECT getSetting('async_insert') AS async", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Async {
		t.Fatal("async_insert is on for the store's statements")
	}
}

// TestCodecs: the raw event tables and the claimed ids store timestamps as
// deltas and ids (every plain String) in ZSTD (migration 0050).
func TestCodecs(t *testing.T) {
	s := storetest.New(t)
	missing, err := store.QueryAll[struct {
		Table  string `json:"table"`
		Column string `json:"name"`
	}](context.Background(), s, `
SELECT table, name FROM system.columns
WHERE database = currentDatabase()
  AND table IN (SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'event_id')
  AND table NOT IN ('dlq')
  AND default_kind != 'MATERIALIZED'
  AND (type LIKE '%DateTime%' AND compression_codec NOT LIKE 'CODEC(Delta%'
       OR type IN ('String', 'Nullable(String)') AND compression_codec = '')
ORDER BY table, name`, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("columns without their codec: %+v", missing)
	}
}

func TestQuoting(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	weird := "it's a \\ \"test\"\n\ttab ü \x01"
	err := s.Insert(ctx, &store.Block{Table: "dlq", Columns: []string{"origin", "reason", "detail", "event_type", "payload"},
		Rows: [][]any{{"x", "invalid_json", weird, "", weird}}})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Detail string `json:"detail"`
	}
	got, err := store.QueryOne[row](ctx, s, "SELECT detail FROM dlq WHERE payload = {p:String}", store.Params{"p": weird})
	if err != nil {
		t.Fatal(err)
	}
	if got.Detail != weird {
		t.Fatalf("round trip changed the string: %q", got.Detail)
	}
}

// Without the engine library, opening an embedded store says what to do
// instead of crashing; nothing is loaded before that.
func TestMissingLibrary(t *testing.T) {
	if _, err := chdb.Find(filepath.Join(t.TempDir(), "libchdb.so")); !errors.Is(err, chdb.ErrNotFound) {
		t.Fatalf("Find of a missing file: got %v, want chdb.ErrNotFound", err)
	}
	if p, err := chdb.Find("", t.TempDir()); !errors.Is(err, chdb.ErrNotFound) {
		t.Fatalf("Find in an empty tree: got %q, %v; want chdb.ErrNotFound", p, err)
	}
	if !strings.Contains(chdb.Hint, "make chdb") || !strings.Contains(chdb.Hint, "--dsn") {
		t.Fatalf("hint %q does not say what to do", chdb.Hint)
	}
}

// A command that only reads is given a data directory that does not exist
// (a typo): it fails instead of creating an empty store.
func TestMissingDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-such-dir")
	_, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: dir, Library: storetest.Library(t)})
	if !errors.Is(err, store.ErrNoDataDir) {
		t.Fatalf("got %v, want ErrNoDataDir", err)
	}
	if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("the directory was created: %v", serr)
	}
}

func TestArrayParam(t *testing.T) {
	s := storetest.New(t)
	type row struct {
		N int `json:"n"`
	}
	got, err := store.QueryOne[row](context.Background(), s, "SELECT length({ids:Array(String)}) AS n", store.Params{"ids": []string{"a'b", "c\\d", "e\nf"}})
	if err != nil || got.N != 3 {
		t.Fatalf("got %+v, %v; want 3", got, err)
	}
}

// The retention flags change existing tables, and 0 removes a TTL; a
// second migration with the same options alters nothing.
func TestRetention(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	ttl := func(table string) string {
		type row struct {
			E string `json:"engine_full"`
		}
		r, err := store.QueryOne[row](ctx, s, "SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {t:String}", store.Params{"t": table})
		if err != nil {
			t.Fatal(err)
		}
		return r.E
	}
	o := store.SchemaOptions{RawTTLDays: 400, StateTTLDays: 30, DedupDays: 7, Retention: true}
	if _, err := store.Migrate(ctx, s, o); err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]string{"calls": "toIntervalDay(400)", "ingest_state": "toIntervalDay(30)", "event_ids": "toIntervalDay(7)", "callback_status": ""} {
		got := ttl(table)
		if want == "" && strings.Contains(got, " TTL ") || want != "" && !strings.Contains(got, want) {
			t.Errorf("%s: %s, want TTL %q", table, got, want)
		}
	}
	o.RawTTLDays = 0
	if _, err := store.Migrate(ctx, s, o); err != nil {
		t.Fatal(err)
	}
	if got := ttl("calls"); strings.Contains(got, " TTL ") {
		t.Errorf("calls keeps a TTL after --raw-ttl-days 0: %s", got)
	}
	// A report (no Retention) leaves them alone.
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := ttl("ingest_state"); !strings.Contains(got, "toIntervalDay(30)") {
		t.Errorf("a migration without Retention changed ingest_state: %s", got)
	}
}

// ExecWritten reports what an INSERT … SELECT wrote, from the engine's own
// accounting, without counting the table again.
func TestExecWritten(t *testing.T) {
	s := storetest.New(t)
	ctx := context.Background()
	if err := s.Exec(ctx, "CREATE TABLE w (a UInt64) ENGINE = MergeTree ORDER BY a", nil); err != nil {
		t.Fatal(err)
	}
	n, err := s.ExecWritten(ctx, "INSERT INTO w SELECT number FROM numbers({n:UInt64})", store.Params{"n": 1234})
	if err != nil || n != 1234 {
		t.Fatalf("wrote %d (%v), want 1234", n, err)
	}
	if n, err = s.ExecWritten(ctx, "INSERT INTO w SELECT number FROM numbers(0)", nil); err != nil || n != 0 {
		t.Fatalf("wrote %d (%v), want 0", n, err)
	}
}
