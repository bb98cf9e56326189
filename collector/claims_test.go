package collector_test

import (
	"context"
	"sync"
	"testing"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// gatedStore holds one ingester's first statement of a kind until release
// is closed: the other ingester runs a whole flush in between.
type gatedStore struct {
	store.Store
	gateQuery, gateClaims bool
	once                  sync.Once
	reached, release      chan struct{}
}

func (g *gatedStore) wait() {
	g.once.Do(func() {
		close(g.reached)
		<-g.release
	})
}

func (g *gatedStore) Query(ctx context.Context, q string, p store.Params, row func([]byte) error) error {
	if g.gateQuery {
		g.wait()
	}
	return g.Store.Query(ctx, q, p, row)
}

func (g *gatedStore) Insert(ctx context.Context, b *store.Block) error {
	if g.gateClaims && b.Table == "event_ids" {
		g.wait()
	}
	return g.Store.Insert(ctx, b)
}

// TestOverlappingFlushes: around a rebalance the old owner of a partition
// may still insert what it fetched while the new owner, which read
// ingest_state before the old owner recorded its flush, flushes the same
// offsets under another token. Whichever of the two decides first, each
// event is stored once. (The fault matrix found this: its rebalance row
// stored an event twice about one run in three.)
func TestOverlappingFlushes(t *testing.T) {
	lines := basicLines(t)
	flush := func(first, last int64) *collector.Flush {
		p := collector.Part{Range: collector.Range{Group: "g", Topic: "cs.all", Partition: 0, First: first, Last: last}}
		for o := first; o <= last; o++ {
			p.Msgs = append(p.Msgs, collector.Message{Offset: o, Value: lines[o]})
		}
		return &collector.Flush{Parts: []collector.Part{p}}
	}
	for _, gate := range []string{"look-up", "claims"} {
		t.Run(gate, func(t *testing.T) {
			s := storetest.New(t)
			// The old owner fetched 0-1999 and stops before its look-up
			// (or before its claims); the new owner flushes 1000-2999 whole.
			old := &gatedStore{Store: s, gateQuery: gate == "look-up", gateClaims: gate == "claims", reached: make(chan struct{}), release: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				_, err := collector.NewIngester(old, nil, nil).Ingest(context.Background(), flush(0, 1999), false)
				done <- err
			}()
			<-old.reached
			if _, err := collector.NewIngester(s, nil, nil).Ingest(context.Background(), flush(1000, 2999), false); err != nil {
				t.Fatal(err)
			}
			close(old.release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			want := expectedCounts(lines[:3000])
			if got := countRows(t, s); got.Rows != want.Rows || got.Duplicated != 0 {
				t.Fatalf("stored %+v, want %+v", got, want)
			}
		})
	}
}
