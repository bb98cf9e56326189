package aggregator

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// loadLines loads CloudEvents JSONL through the collector's replay path
// (decode, validate, dedupe, insert): invalid lines are skipped and an id
// already seen is a duplicate, exactly as in production.
func loadLines(t testing.TB, s store.Store, data []byte) {
	t.Helper()
	_, err := collector.Replay(context.Background(), collector.NewIngester(s, nil, nil), bytes.NewReader(data), collector.ReplayOptions{})
	if err != nil {
		t.Fatalf("cannot replay events: %v", err)
	}
}

// loadFile is loadLines on a file.
func loadFile(t testing.TB, s store.Store, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read %q: %v", path, err)
	}
	loadLines(t, s, b)
}

// insertEvents inserts events as they are (no dedupe), one block per table.
func insertEvents(t testing.TB, s store.Store, events ...*schemas.Event) {
	t.Helper()
	blocks := map[string]*store.Block{}
	var order []string
	for _, ev := range events {
		info, ok := schemas.Info(ev.Type)
		if !ok {
			t.Fatalf("unknown event type %q", ev.Type)
		}
		b := blocks[info.Table]
		if b == nil {
			b = &store.Block{Table: info.Table, Columns: info.InsertColumns()}
			blocks[info.Table] = b
			order = append(order, info.Table)
		}
		b.Rows = append(b.Rows, ev.Row())
	}
	for _, table := range order {
		if err := s.Insert(context.Background(), blocks[table]); err != nil {
			t.Fatalf("cannot insert into %s: %v", table, err)
		}
	}
}
