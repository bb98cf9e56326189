package store_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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

// TestMissingLibraryMessage runs this test binary without the library and
// expects the one-line instruction, not chdb-go's panic.
func TestMissingLibraryMessage(t *testing.T) {
	if os.Getenv("FRONTLINE_CHILD") == "1" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=TestMissingLibraryMessage")
	cmd.Dir = "/"
	cmd.Env = []string{"FRONTLINE_CHILD=1", "PATH=/usr/bin:/bin"}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child ran without libchdb.so; output:\n%s", out)
	}
	if strings.Contains(string(out), "panic") || !strings.Contains(string(out), "make chdb") {
		t.Fatalf("want the make chdb instruction and no panic, got:\n%s", out)
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
