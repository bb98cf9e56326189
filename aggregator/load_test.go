package aggregator

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// decodeEvent is the event decoder the test loader uses.
var decodeEvent = tmpDecode

// loadLines loads CloudEvents JSONL the way the collector does: invalid
// lines are skipped, an id already seen is a duplicate, rows go to their
// raw table in one block per table.
func loadLines(t testing.TB, s store.Store, data []byte) {
	t.Helper()
	seen := map[string]bool{}
	var events []*schemas.Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		ev, err := decodeEvent(line)
		if err != nil || seen[ev.ID] {
			continue
		}
		seen[ev.ID] = true
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("cannot read events: %v", err)
	}
	insertEvents(t, s, events...)
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
