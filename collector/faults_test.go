package collector_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

var (
	faultsFull = flag.Bool("faults.full", false, "run the full fault matrix: a larger centre, more faults and kills (make faults)")
	faultsOut  = flag.String("faults.out", "", "write the fault matrix as a Markdown table to this file")
)

// TestFaultMatrix is the fault matrix of issue 11: every row runs the
// collector against the embedded broker and store through one kind of
// fault, then checks that every valid event is stored once, every invalid
// one is in the DLQ, and nothing is counted twice, and says how long the
// collector took to finish after the fault ended. `make test` runs a short
// version (the basic scenario); `make faults` the full one (a simulated
// centre, more faults), and writes the table into docs/faults.md.
func TestFaultMatrix(t *testing.T) {
	base := basicLines(t)
	if *faultsFull {
		base = simulatedLines(t, 2, 60)
	}
	rows := []struct {
		name  string
		lines func() [][]byte
		run   func(t *testing.T, e *faultEnv) faultOutcome
	}{
		{fmt.Sprintf("broker connection drops (every 5th fetch, for %v)", faultSpan()), nil, faultConnectionDrops},
		{"fetch and commit errors, 3 restarts", nil, faultFetchCommit},
		{fmt.Sprintf("ClickHouse insert errors (store down %v)", faultSpan()), nil, faultStoreDown},
		{fmt.Sprintf("ClickHouse timeouts (inserts hang 1 s then fail, for %v)", faultSpan()), nil, faultStoreTimeouts},
		{"SIGKILL at random points", nil, faultKills},
		{"rebalance 1 → 3 → 1 collectors", nil, faultRebalance},
		{"poison set (bad UTF-8 type, 1 MiB, unknown types, BOM, NaN, deep nesting)", func() [][]byte { return append(clone(base), poisonSet()...) }, faultNone},
		{"duplicate flood (every event three times)", func() [][]byte { return append(append(clone(base), base...), base...) }, faultNone},
		{"backfill across years (151 months)", func() [][]byte { return append(clone(base), backfillLines(151)...) }, faultNone},
	}
	var table []faultResult
	for _, r := range rows {
		lines := base
		if r.lines != nil {
			lines = r.lines()
		}
		t.Run(r.name, func(t *testing.T) {
			e := newFaultEnv(t, lines)
			began := time.Now()
			o := r.run(t, e)
			var got counts
			switch {
			case o.got != nil:
				got = *o.got
			case o.running != nil:
				got = waitFor(t, e.s, e.want, 3*time.Minute)
				if err := o.running(); err != nil {
					t.Error(err)
				}
			default:
				got = e.waitStored(t, 3*time.Minute)
			}
			res := faultResult{name: r.name, produced: len(lines), stored: got.Rows, dlq: got.DLQ, doubled: got.Duplicated,
				recover: time.Since(o.end), total: time.Since(began)}
			table = append(table, res)
			if got != e.want {
				t.Errorf("%s: stored %+v, want %+v", r.name, got, e.want)
			}
		})
	}
	md := faultTable(table, *faultsFull)
	t.Log("\n" + md)
	if *faultsOut != "" {
		doc := faultsDocHead + fmt.Sprintf("Measured with `make faults` on %s (%d cores).\n\n", time.Now().UTC().Format(time.DateOnly), runtime.NumCPU()) + md + faultsDocTail
		if err := os.WriteFile(*faultsOut, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// faultOutcome is how a row's fault ended: when, and either the counts its
// own processes found, or the collector it left running to finish, or
// neither (the harness runs a collector to finish).
type faultOutcome struct {
	end     time.Time
	got     *counts
	running func() error
}

const faultsDocHead = `# Fault matrix

What the collector does when things break, measured: ` + "`make faults`" + ` runs
TestFaultMatrix (collector/faults_test.go) in full and writes this page; ` + "`make test`" + `
runs a short version of the same rows on the basic reference scenario. Every row
produces events to the embedded Kafka broker (the real wire protocol), runs real
collectors into the embedded ClickHouse through one kind of fault, and then checks
the store: every valid event once, every invalid message in the DLQ, nothing
counted twice. "Recovered after the fault" is the time from the end of the fault
(the last kill, the store back up, the scale-down) until every event was stored.

`

const faultsDocTail = `
How each row recovers:

- **Broker connection drops, fetch and commit errors**: kafka-go reconnects and
  refetches; a flush recorded done whose commit failed is skipped by whoever reads
  its offsets next.
- **ClickHouse errors and timeouts**: the flush is retried with backoff and jitter;
  nothing is committed meanwhile and /readyz says why; inserts carry the flush's
  token, so a retried flush that had partly landed is not doubled.
- **SIGKILL**: the collector that takes the partitions over (within the 6 s session
  timeout) re-forms the flush recorded in flight — its ranges read again from Kafka
  by offset — and inserts it with the recorded token, then skips every recorded
  range.
- **Rebalances**: a partition handed over mid-flush is re-formed or skipped the same
  way.
- **Poison**: invalid messages go to the dlq table (scrubbed) and the DLQ topic (a
  reference when the original would be too large); labels come from the contract.
- **Duplicate floods**: every id is claimed in event_ids and its earliest claim wins.
- **Backfills**: insert blocks are split by month, so no block spans more than 50
  partitions.
`

type faultResult struct {
	name                           string
	produced, stored, dlq, doubled int
	recover, total                 time.Duration
}

func faultTable(rows []faultResult, full bool) string {
	var b strings.Builder
	size := "the basic reference scenario (3,792 lines)"
	if full {
		size = "a simulated centre (60 agents, 2 days)"
	}
	fmt.Fprintf(&b, "Each row: %s, produced to the embedded broker, then the fault.\n\n", size)
	b.WriteString("| fault | produced | stored | sent to the DLQ | counted twice | recovered after the fault | whole row |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %.1f s | %.1f s |\n", r.name, r.produced, r.stored, r.dlq, r.doubled,
			r.recover.Seconds(), r.total.Seconds())
	}
	return b.String()
}

// faultEnv is one row's broker, store and expected counts.
type faultEnv struct {
	kc    *kfake.Cluster
	s     store.Store
	lines [][]byte
	want  counts
	group string
}

func newFaultEnv(t *testing.T, lines [][]byte) *faultEnv {
	t.Helper()
	e := &faultEnv{kc: startBroker(t), s: storetest.New(t), lines: lines, want: expectedCounts(lines), group: "faults"}
	produceLines(t, e.kc.ListenAddrs(), lines)
	return e
}

func (e *faultEnv) collector(t *testing.T, s store.Store) *collector.Collector {
	t.Helper()
	c, err := collector.New(s, testGroup(collector.Options{
		Brokers: e.kc.ListenAddrs(), Group: e.group, MaxRows: 500, MaxWait: 100 * time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, DLQSweepEvery: time.Second,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitStored runs a collector until the store holds the expected counts (a
// row's own collectors may have stopped) and returns what it holds.
func (e *faultEnv) waitStored(t *testing.T, within time.Duration) counts {
	t.Helper()
	stop := run(t, e.collector(t, e.s))
	defer stop()
	return waitFor(t, e.s, e.want, within)
}

// expectedCounts is what the store must hold after the lines: each valid
// event id once (the first valid one wins), each invalid line in the DLQ.
func expectedCounts(lines [][]byte) counts {
	ids := map[string]bool{}
	c := counts{}
	for _, l := range lines {
		ev, err := schemas.Decode(l)
		if err != nil {
			c.DLQ++
			continue
		}
		if !ids[ev.ID] {
			ids[ev.ID] = true
			c.Rows++
		}
	}
	return c
}

// produceLines publishes lines as a producer would: each to its type's
// topic keyed by its entity id; lines without a known type to cs.calls.
func produceLines(t *testing.T, brokers []string, lines [][]byte) {
	t.Helper()
	var msgs, big []kafka.Message
	for _, v := range lines {
		m := kafka.Message{Topic: schemas.TopicCalls, Value: v}
		var env struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(v, &env)
		if info, ok := schemas.Info(env.Type); ok {
			m.Topic = info.Topic
		}
		if ev, err := schemas.Decode(v); err == nil {
			m.Key = []byte(ev.Data.Key())
		}
		if len(v) > 512<<10 {
			big = append(big, m) // alone in its produce request: under the broker's limit
			continue
		}
		msgs = append(msgs, m)
	}
	produce(t, brokers, msgs...)
	for _, m := range big {
		produce(t, brokers, m)
	}
}

func basicLines(t *testing.T) [][]byte {
	t.Helper()
	return fileLines(t, basicFile)
}

// fileLines returns the non-blank lines of a JSONL file.
func fileLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			out = append(out, bytes.Clone(sc.Bytes()))
		}
	}
	return out
}

func simulatedLines(t *testing.T, days, agents int) [][]byte {
	t.Helper()
	var out [][]byte
	sim := simulator.New(simulator.Options{Days: days, Agents: agents, Seed: 11})
	if _, err := sim.Run(context.Background(), func(m simulator.Message) error {
		out = append(out, m.Value)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func clone(lines [][]byte) [][]byte { return append([][]byte(nil), lines...) }

// poisonSet is what a hostile or careless producer sent (issue 11).
func poisonSet() [][]byte {
	ev := func(id, typ, data string) []byte {
		return []byte(fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"p","type":%q,"data":%s}`, id, typ, data))
	}
	out := [][]byte{
		ev("p-utf8", strings.Repeat("a", 63)+"é", `{}`),
		append([]byte(`{"specversion":"1.0","id":"p-big","source":"p","type":"cs.call.ended.v1","data":{"note":"`), bytes.Repeat([]byte("z"), 1048480-120)...),
		append([]byte("\xef\xbb\xbf"), ev("p-bom", "cs.agent.state.v1", `{"agent_id":"a1","state":"busy","at":"2026-11-02T09:00:00Z"}`)...),
		ev("p-nan", "cs.call.ended.v1", `{"call_id":"n","direction":"inbound","queue":"q","queued_at":"2026-11-02T09:00:00Z","ended_at":"2026-11-02T09:01:00Z","talk_sec":NaN}`),
		ev("p-deep", "cs.call.ended.v1", strings.Repeat(`{"a":`, 5000)+"1"+strings.Repeat("}", 5000)),
		ev("p-year", "cs.agent.state.v1", `{"agent_id":"a1","state":"busy","at":"9999-11-02T09:00:00Z"}`),
		ev("p-type", "cs.call.ended.v1", `{"call_id":7,"direction":"inbound"}`),
		[]byte("\x00\x01\x02 binary"),
		[]byte(`{"specversion":"1.0","source":"p","type":"cs.agent.state.v1","data":{}}`),
	}
	for i := 0; i < 200; i++ {
		out = append(out, ev(fmt.Sprintf("p-unknown-%d", i), fmt.Sprintf("cs.unknown.%d.v1", i), `{}`))
	}
	return out
}

// backfillLines are n valid calls, each in another month from 2012 on.
func backfillLines(n int) [][]byte {
	var out [][]byte
	start := time.Date(2012, 1, 15, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		out = append(out, []byte(callLine(fmt.Sprintf("backfill-%d", i), start.AddDate(0, i, 0))))
	}
	return out
}

// faultNone runs no fault: the row's data is the test.
func faultNone(t *testing.T, e *faultEnv) faultOutcome { return faultOutcome{end: time.Now()} }

// faultConnectionDrops makes the broker fail every fifth fetch (a failed
// request closes the connection) while a collector consumes, for a while.
func faultConnectionDrops(t *testing.T, e *faultEnv) faultOutcome {
	var n atomic.Int64
	var on atomic.Bool
	on.Store(true)
	e.kc.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		e.kc.KeepControl()
		if on.Load() && n.Add(1)%5 == 0 {
			return nil, errors.New("injected connection drop"), true
		}
		return nil, nil, false
	})
	stop := run(t, e.collector(t, e.s))
	time.Sleep(faultSpan()) // the fault's length, not a synchronisation
	on.Store(false)
	stop()
	return faultOutcome{end: time.Now()}
}

// faultFetchCommit fails fetches and offset commits now and then across
// three collector restarts, so that failed commits matter.
func faultFetchCommit(t *testing.T, e *faultEnv) faultOutcome {
	var fetches, commits atomic.Int64
	var on atomic.Bool
	on.Store(true)
	e.kc.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		e.kc.KeepControl()
		if on.Load() && fetches.Add(1)%7 == 0 {
			return nil, errors.New("injected fetch failure"), true
		}
		return nil, nil, false
	})
	e.kc.ControlKey(int16(kmsg.OffsetCommit), func(kmsg.Request) (kmsg.Response, error, bool) {
		e.kc.KeepControl()
		if on.Load() && commits.Add(1)%3 == 0 {
			return nil, errors.New("injected commit failure"), true
		}
		return nil, nil, false
	})
	for i := 0; i < 3; i++ {
		stop := run(t, e.collector(t, e.s))
		time.Sleep(faultSpan() / 3)
		stop()
	}
	on.Store(false)
	return faultOutcome{end: time.Now()}
}

// faultStoreDown makes every insert and query fail for a while.
func faultStoreDown(t *testing.T, e *faultEnv) faultOutcome {
	f := &flakyStore{Store: e.s}
	f.down.Store(true)
	stop := run(t, e.collector(t, f))
	time.Sleep(faultSpan())
	f.down.Store(false)
	stop()
	return faultOutcome{end: time.Now()}
}

// slowStore is a store whose inserts hang for a second and then fail, as a
// ClickHouse server past its timeouts, while on is set.
type slowStore struct {
	store.Store
	on atomic.Bool
}

func (s *slowStore) Insert(ctx context.Context, b *store.Block) error {
	if s.on.Load() {
		select {
		case <-time.After(time.Second):
		case <-ctx.Done():
		}
		return errors.New("timeout exceeded: elapsed 1 seconds (simulated)")
	}
	return s.Store.Insert(ctx, b)
}

func faultStoreTimeouts(t *testing.T, e *faultEnv) faultOutcome {
	s := &slowStore{Store: e.s}
	s.on.Store(true)
	stop := run(t, e.collector(t, s))
	time.Sleep(faultSpan())
	s.on.Store(false)
	stop()
	return faultOutcome{end: time.Now()}
}

// faultKills kills collector processes with SIGKILL, some as soon as they
// write, some at arbitrary moments, and restarts them; the row then drains
// in a last child, as TestKill9 does.
func faultKills(t *testing.T, e *faultEnv) faultOutcome {
	dir := t.TempDir()
	env := append(os.Environ(), "CHDB_LIB_PATH="+storetest.Library(t), "CRASH_DATA="+dir,
		"CRASH_BROKERS="+strings.Join(e.kc.ListenAddrs(), ","), "CRASH_WANT="+mustJSON(e.want))
	kills := 2
	if *faultsFull {
		kills = 10
		env = append(env, "CRASH_MAX_ROWS=2000")
	}
	for i := 0; i < kills; i++ {
		c := startChild(t, env, "run")
		c.expect("READY")
		if i%2 == 0 {
			c.expect("INSERTING")
		} else {
			time.Sleep(time.Duration(100*(i+1)) * time.Millisecond)
		}
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.wait()
	}
	end := time.Now()
	c := startChild(t, env, "drain")
	var got counts
	if err := json.Unmarshal([]byte(c.expect("COUNTS")), &got); err != nil {
		t.Fatal(err)
	}
	c.wait()
	// The children own their data directory: their count is the row's.
	return faultOutcome{end: end, got: &got}
}

// faultRebalance consumes with one collector, scales to three mid-stream,
// then back to one.
func faultRebalance(t *testing.T, e *faultEnv) faultOutcome {
	stop1 := run(t, e.collector(t, e.s))
	time.Sleep(faultSpan() / 3)
	stop2 := run(t, e.collector(t, e.s))
	stop3 := run(t, e.collector(t, e.s))
	time.Sleep(faultSpan() / 3)
	stop2()
	stop3()
	return faultOutcome{end: time.Now(), running: stop1}
}

// faultSpan is how long a fault lasts.
func faultSpan() time.Duration {
	if *faultsFull {
		return 6 * time.Second
	}
	return time.Second
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
