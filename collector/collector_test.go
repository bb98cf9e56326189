package collector_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// The basic scenario: 3792 lines, 69 producer duplicates, 7 invalid lines.
const (
	basicFile    = "../testdata/basic/events.jsonl"
	basicUnique  = 3792 - 69 - 7
	basicInvalid = 7
)

// startBroker runs the embedded Kafka broker for one test. It accepts the
// short group session timeouts of testGroup (kfake, like Kafka, refuses
// sessions under 6 s by default).
func startBroker(t *testing.T, extra ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	extra = append([]kfake.Opt{kfake.GroupMinSessionTimeout(100 * time.Millisecond)}, extra...)
	c, err := broker.Start(broker.Options{Partitions: 3, Extra: extra})
	if err != nil {
		t.Fatalf("embedded Kafka (kfake) is required: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// produceFile publishes a JSONL file to the event topics, routed by type and
// keyed by entity id as a producer would; lines without a known type go to
// cs.calls so that the collector meets them. It returns the lines sent.
func produceFile(t *testing.T, brokers []string, path string) int {
	t.Helper()
	lines := fileLines(t, path)
	produceLines(t, brokers, lines)
	return len(lines)
}

// counts are what ClickHouse holds after ingest.
type counts struct {
	Rows       int // rows over all raw tables
	Duplicated int // event ids present more than once in the raw tables
	DLQ        int
}

func countRows(t *testing.T, s store.Store) counts {
	t.Helper()
	c, err := queryCounts(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func queryCounts(s store.Store) (counts, error) {
	ctx := context.Background()
	var union bytes.Buffer
	for i, ti := range schemas.Types {
		if i > 0 {
			union.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&union, "SELECT event_id FROM %s", ti.Table)
	}
	type row struct {
		Rows       int `json:"rows"`
		Duplicated int `json:"duplicated"`
	}
	r, err := store.QueryOne[row](ctx, s, "SELECT count() AS rows, count() - uniqExact(event_id) AS duplicated FROM ("+union.String()+")", nil)
	if err != nil {
		return counts{}, err
	}
	type dlq struct {
		N int `json:"n"`
	}
	d, err := store.QueryOne[dlq](ctx, s, "SELECT uniqExact(origin) AS n FROM dlq", nil)
	if err != nil {
		return counts{}, err
	}
	return counts{Rows: r.Rows, Duplicated: r.Duplicated, DLQ: d.N}, nil
}

// eventually polls cond until it holds, and fails the test naming what did
// not happen if it still does not after within (a guard against hanging,
// not a performance check).
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not after %v: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// partitionsHeld asks the group coordinator how many partitions each member
// of a stable group holds; nil while the group is rebalancing.
func partitionsHeld(t *testing.T, brokers []string, group string) []int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := (&kafka.Client{Addr: kafka.TCP(brokers...)}).DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
	if err != nil {
		t.Fatalf("describe group %q: %v", group, err)
	}
	var held []int
	for _, g := range resp.Groups {
		if g.Error != nil {
			t.Fatalf("describe group %q: %v", group, g.Error)
		}
		if g.GroupState != "Stable" {
			return nil
		}
		for _, m := range g.Members {
			n := 0
			for _, tp := range m.MemberAssignments.Topics {
				n += len(tp.Partitions)
			}
			held = append(held, n)
		}
	}
	return held
}

// waitFor polls until ClickHouse holds want, or the deadline passes.
func waitFor(t *testing.T, s store.Store, want counts, within time.Duration) counts {
	t.Helper()
	deadline := time.Now().Add(within)
	var got counts
	for time.Now().Before(deadline) {
		got = countRows(t, s)
		if got == want {
			return got
		}
		time.Sleep(200 * time.Millisecond)
	}
	return got
}

// testGroup shortens the consumer-group timings for tests: a member that
// dies without leaving (SIGKILL, a cancelled run whose leave failed) is
// evicted after 1 s instead of the production 6 s, and members learn of a
// rebalance within 200 ms.
func testGroup(o collector.Options) collector.Options {
	o.SessionTimeout = time.Second
	o.HeartbeatInterval = 200 * time.Millisecond
	o.RebalanceTimeout = 2 * time.Second
	o.JoinGroupBackoff = 100 * time.Millisecond
	return o
}

func newCollector(t *testing.T, s store.Store, brokers []string, group string, maxRows int) *collector.Collector {
	t.Helper()
	c, err := collector.New(s, testGroup(collector.Options{
		Brokers: brokers, Group: group, MaxRows: maxRows, MaxWait: 200 * time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func want() counts { return counts{Rows: basicUnique, DLQ: basicInvalid} }

// TestEndToEnd: producer → embedded Kafka → collector → chDB; rows = unique
// valid events, DLQ = invalid ones (table and topic).
func TestEndToEnd(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	produceFile(t, kc.ListenAddrs(), basicFile)
	c := newCollector(t, s, kc.ListenAddrs(), "e2e", 500)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	got := waitFor(t, s, want(), time.Minute)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("collector: %v", err)
	}
	if got != want() {
		t.Fatalf("got %+v, want %+v", got, want())
	}
	// The DLQ topic holds the original bytes with the reason in a header.
	// A short MaxWait: Close waits for the partitions' pending fetches, which
	// the broker holds up to MaxWait (kafka-go's default 10 s) on a topic
	// with nothing more to read.
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: kc.ListenAddrs(), GroupID: "dlq-check", Topic: schemas.TopicDLQ, StartOffset: kafka.FirstOffset, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	reasons := map[string]int{}
	rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer rcancel()
	for n := 0; n < basicInvalid; n++ {
		m, err := r.FetchMessage(rctx)
		if err != nil {
			t.Fatalf("read %d DLQ messages of %d: %v", n, basicInvalid, err)
		}
		for _, h := range m.Headers {
			if h.Key == "reason" {
				reasons[string(h.Value)]++
			}
		}
	}
	t.Logf("DLQ reasons: %v", reasons)
	if len(reasons) == 0 {
		t.Fatal("DLQ messages carry no reason header")
	}
}

// TestCancelMidBatch stops the collector at random moments (its context is
// cancelled while batches are open or being inserted) and restarts it.
func TestCancelMidBatch(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	produceFile(t, kc.ListenAddrs(), basicFile)
	for i, d := range []time.Duration{150, 400, 50, 700, 250, 120} {
		c := newCollector(t, s, kc.ListenAddrs(), "cancel", 97)
		ctx, cancel := context.WithTimeout(context.Background(), d*time.Millisecond)
		if err := c.Run(ctx); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		cancel()
		t.Logf("after run %d (%v): %+v", i, d*time.Millisecond, countRows(t, s))
	}
	c := newCollector(t, s, kc.ListenAddrs(), "cancel", 97)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	got := waitFor(t, s, want(), time.Minute)
	cancel()
	<-done
	if got != want() {
		t.Fatalf("got %+v, want %+v", got, want())
	}
}

// flakyStore is the real store with inserts failing while down is set: a
// ClickHouse outage as the collector sees it.
type flakyStore struct {
	store.Store
	down     atomic.Bool
	failures atomic.Int64
}

func (f *flakyStore) Insert(ctx context.Context, b *store.Block) error {
	if f.down.Load() {
		f.failures.Add(1)
		return errors.New("connection refused (simulated outage)")
	}
	return f.Store.Insert(ctx, b)
}

func (f *flakyStore) Query(ctx context.Context, q string, p store.Params, fn func([]byte) error) error {
	if f.down.Load() {
		f.failures.Add(1)
		return errors.New("connection refused (simulated outage)")
	}
	return f.Store.Query(ctx, q, p, fn)
}

// TestStoreOutage: inserts fail for a while; the collector retries, commits
// nothing meanwhile, and loses nothing.
func TestStoreOutage(t *testing.T) {
	real := storetest.New(t)
	s := &flakyStore{Store: real}
	kc := startBroker(t)
	s.down.Store(true)
	c := newCollector(t, s, kc.ListenAddrs(), "outage", 300)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	produceFile(t, kc.ListenAddrs(), basicFile)
	eventually(t, time.Minute, "the collector reports not ready and retries during the outage", func() bool {
		return !c.Ready() && s.failures.Load() >= 3
	})
	s.down.Store(false)
	got := waitFor(t, real, want(), time.Minute)
	cancel()
	<-done
	if s.failures.Load() == 0 {
		t.Fatal("the outage was never noticed")
	}
	if got != want() {
		t.Fatalf("after %d failed store calls: got %+v, want %+v", s.failures.Load(), got, want())
	}
}

// TestBrokerFaults: the broker fails fetches and offset commits now and then
// (kfake ControlKey); nothing is lost or counted twice.
func TestBrokerFaults(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	produceFile(t, kc.ListenAddrs(), basicFile)
	var fetches, commits atomic.Int64
	// A handled request with an error closes the client's connection.
	kc.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		if fetches.Add(1)%7 == 0 {
			return nil, errors.New("injected fetch failure"), true
		}
		return nil, nil, false
	})
	kc.ControlKey(int16(kmsg.OffsetCommit), func(kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		if commits.Add(1)%5 == 0 {
			return nil, errors.New("injected commit failure"), true
		}
		return nil, nil, false
	})
	for i := 0; i < 3; i++ { // restarts make failed commits matter
		c := newCollector(t, s, kc.ListenAddrs(), "faults", 200)
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		_ = c.Run(ctx)
		cancel()
	}
	c := newCollector(t, s, kc.ListenAddrs(), "faults", 200)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	got := waitFor(t, s, want(), 2*time.Minute)
	cancel()
	<-done
	t.Logf("fetch requests %d, commit requests %d", fetches.Load(), commits.Load())
	if got != want() {
		t.Fatalf("got %+v, want %+v", got, want())
	}
}

// TestRebalance: two collectors share a group; one stops mid-stream and the
// other takes its partitions over.
func TestRebalance(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	a := newCollector(t, s, kc.ListenAddrs(), "rebalance", 50)
	b := newCollector(t, s, kc.ListenAddrs(), "rebalance", 50)
	actx, acancel := context.WithCancel(context.Background())
	bctx, bcancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = a.Run(actx) }()
	go func() { defer wg.Done(); _ = b.Run(bctx) }()
	eventually(t, time.Minute, "both collectors hold partitions", func() bool {
		held := partitionsHeld(t, kc.ListenAddrs(), "rebalance")
		return len(held) == 2 && held[0] > 0 && held[1] > 0
	})
	produceFile(t, kc.ListenAddrs(), basicFile)
	eventually(t, time.Minute, "a loads events", func() bool { return a.Stats().Loaded.Load() > 0 })
	acancel() // a leaves mid-stream
	got := waitFor(t, s, want(), 2*time.Minute)
	bcancel()
	wg.Wait()
	t.Logf("a loaded %d, b loaded %d", a.Stats().Loaded.Load(), b.Stats().Loaded.Load())
	if got != want() {
		t.Fatalf("got %+v, want %+v", got, want())
	}
}

// TestLargeBatch: a batch larger than one id look-up (the ids travel as a
// query parameter bounded by max_query_size) loads whole.
func TestLargeBatch(t *testing.T) {
	s := storetest.New(t)
	in := collector.NewIngester(s, nil, nil)
	var msgs []collector.Message
	for i := 0; i < 30000; i++ {
		msgs = append(msgs, collector.Message{Offset: int64(i), Value: []byte(fmt.Sprintf(
			`{"specversion":"1.0","id":"large-batch-event-%06d","source":"t","type":"cs.agent.state.v1","data":{"agent_id":"a%d","state":"busy","at":"2026-11-02T09:00:00Z"}}`, i, i%50))})
	}
	out, err := in.Ingest(context.Background(), &collector.Flush{Parts: []collector.Part{{Range: collector.Range{Group: "g", Topic: "cs.agents", First: 0, Last: 29999}, Msgs: msgs}}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if out.Loaded != 30000 {
		t.Fatalf("loaded %d of 30000", out.Loaded)
	}
}

// TestGroupTimingsChecked: consumer-group timings that the broker would
// refuse, or that would get the member evicted between its heartbeats, are
// rejected by New (kafka-go would panic on some of them).
func TestGroupTimingsChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    collector.Options
		want string
	}{
		{"negative session timeout", collector.Options{SessionTimeout: -time.Second}, `session timeout "-1s"`},
		{"sub-millisecond session timeout", collector.Options{SessionTimeout: 500 * time.Microsecond}, `session timeout "500µs"`},
		{"negative rebalance timeout", collector.Options{RebalanceTimeout: -time.Second}, `rebalance timeout "-1s"`},
		{"negative heartbeat interval", collector.Options{HeartbeatInterval: -time.Second}, `heartbeat interval "-1s"`},
		{"negative join backoff", collector.Options{JoinGroupBackoff: -time.Second}, `join group backoff "-1s"`},
		{"heartbeat as long as the default session", collector.Options{HeartbeatInterval: 6 * time.Second}, `heartbeat interval "6s" must be shorter than the session timeout "6s"`},
		{"heartbeat longer than the session", collector.Options{SessionTimeout: time.Second, HeartbeatInterval: 2 * time.Second}, `heartbeat interval "2s" must be shorter`},
		{"session beyond the protocol", collector.Options{SessionTimeout: 1000 * time.Hour}, `session timeout "1000h0m0s" is longer`},
	} {
		tc.o.Brokers = []string{"127.0.0.1:1"}
		_, err := collector.New(nil, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
