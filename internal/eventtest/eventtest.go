// Package eventtest loads events into a test store the ways the tests of
// the KPI readers need: through the collector's replay path (decode,
// validate, dedupe, insert, exactly as in production) or as they are, and
// reads the window of a reference scenario (testdata/README.md).
package eventtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// Load loads CloudEvents JSONL through the collector's replay path:
// invalid lines are skipped and an id already seen is a duplicate, exactly
// as in production.
func Load(t testing.TB, s store.Store, data []byte) {
	t.Helper()
	_, err := collector.Replay(context.Background(), collector.NewIngester(s, nil, nil), bytes.NewReader(data), collector.ReplayOptions{})
	if err != nil {
		t.Fatalf("cannot replay events: %v", err)
	}
}

// LoadFile is Load on a file.
func LoadFile(t testing.TB, s store.Store, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read %q: %v", path, err)
	}
	Load(t, s, b)
}

// Insert inserts events as they are (no dedupe), one block per table.
func Insert(t testing.TB, s store.Store, events ...*schemas.Event) {
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

// Window reads a reference scenario's window file (dir/window): "FROM TO"
// in RFC 3339.
func Window(t testing.TB, dir string) (from, to time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "window"))
	if err != nil {
		t.Fatalf("cannot read window: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		t.Fatalf("window %q: want FROM TO", b)
	}
	var errs [2]error
	from, errs[0] = time.Parse(time.RFC3339, f[0])
	to, errs[1] = time.Parse(time.RFC3339, f[1])
	for _, err := range errs {
		if err != nil {
			t.Fatalf("cannot parse window %q: %v", b, err)
		}
	}
	return from, to
}

// Calls returns n inbound calls of queue queued at at, each answered at
// once by agent and talked for talkSec: a load of known traffic for the
// planner's tests (n × talkSec agent-seconds in at's interval).
func Calls(queue string, at time.Time, n int, talkSec float64, agent string) []*schemas.Event {
	out := make([]*schemas.Event, 0, n)
	for i := range n {
		q := at.Add(time.Duration(i) * time.Second)
		e := &schemas.CallEnded{CallID: fmt.Sprintf("%s-%d-%d", queue, at.Unix(), i), Direction: "inbound", Queue: queue, QueuedAt: &q, AnsweredAt: &q,
			EndedAt: q.Add(time.Duration(talkSec * float64(time.Second))), AgentID: agent, TalkSec: talkSec}
		out = append(out, &schemas.Event{ID: "ev-" + e.CallID, Type: e.EventType(), Source: "test", Data: e})
	}
	return out
}
