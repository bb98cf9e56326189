package collector_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// Symptoms a hostile or careless producer found (issue 11): each test sends
// what crashed, stalled or leaked, through the real broker or the replay
// path, and checks that nothing stops, nothing is lost, and nothing
// personal is stored.

// callLine is a valid inbound call event queued at t.
func callLine(id string, t time.Time) string {
	return fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"t","type":"cs.call.ended.v1","data":{"call_id":%q,"direction":"inbound","queue":"billing","queued_at":%q,"answered_at":%q,"ended_at":%q,"talk_sec":60}}`,
		id, id, t.Format(time.RFC3339), t.Add(10*time.Second).Format(time.RFC3339), t.Add(70*time.Second).Format(time.RFC3339))
}

// run starts c and returns a function that stops it and reports its error.
func run(t *testing.T, c *collector.Collector) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	return func() error { cancel(); return <-done }
}

func produce(t *testing.T, brokers []string, msgs ...kafka.Message) {
	t.Helper()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Murmur2Balancer{}, RequiredAcks: kafka.RequireAll,
		BatchTimeout: time.Millisecond, BatchBytes: 4 << 20}
	defer w.Close()
	if err := w.WriteMessages(context.Background(), msgs...); err != nil {
		t.Fatalf("cannot produce: %v", err)
	}
}

// An invalid event whose type is 63 ASCII characters and "é" used to be cut
// to 64 bytes for a metrics label — invalid UTF-8 — and client_golang
// panicked, on every restart; 50,000 distinct unknown types made as many
// series. Labels now come from the contract: the collector keeps running,
// every message is counted, and the type label is a contract type or
// "unknown".
func TestPoisonTypesKeepLabelsValid(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	reg := prometheus.NewRegistry()
	o := testGroup(collector.Options{Brokers: kc.ListenAddrs(), Group: "poison", MaxWait: 100 * time.Millisecond, Registerer: reg})
	c, err := collector.New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	msgs = append(msgs, kafka.Message{Topic: schemas.TopicCalls, Value: []byte(`{"specversion":"1.0","id":"x","source":"s","type":"` + strings.Repeat("a", 63) + `é"}`)})
	for i := 0; i < 2000; i++ {
		msgs = append(msgs, kafka.Message{Topic: schemas.TopicCalls, Value: []byte(fmt.Sprintf(`{"specversion":"1.0","id":"u%d","source":"s","type":"cs.unknown.%d.v1","data":{}}`, i, i))})
	}
	msgs = append(msgs, kafka.Message{Topic: schemas.TopicCalls, Key: []byte("ok-1"), Value: []byte(callLine("ok-1", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))})
	produce(t, kc.ListenAddrs(), msgs...)
	stop := run(t, c)
	eventually(t, time.Minute, "every poison message counted", func() bool { return c.Stats().Seen() >= int64(len(msgs)) })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("the registry cannot be gathered: %v", err)
	}
	series := 0
	for _, mf := range mfs {
		if mf.GetName() != "frontline_collector_events_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			series++
			for _, l := range m.GetLabel() {
				if l.GetName() == "type" && l.GetValue() != schemas.UnknownType {
					if _, ok := schemas.Info(l.GetValue()); !ok {
						t.Errorf("type label %q is neither a contract type nor %q", l.GetValue(), schemas.UnknownType)
					}
				}
			}
		}
	}
	if series > 3*(len(schemas.Types)+1)*len(schemas.Topics) {
		t.Errorf("%d series of frontline_collector_events_total for 2,002 messages", series)
	}
	if got := countRows(t, s); got.Rows != 1 || got.DLQ != len(msgs)-1 {
		t.Errorf("stored %+v, want 1 row and %d in the DLQ", got, len(msgs)-1)
	}
}

// 151 valid calls, each in another month: ClickHouse refuses an insert
// block spanning more than 100 partitions, and the collector retried the
// same block forever. Blocks are now split by month.
func TestBackfillAcrossYears(t *testing.T) {
	s := storetest.New(t)
	var b strings.Builder
	start := time.Date(2012, 1, 15, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 151; i++ {
		b.WriteString(callLine(fmt.Sprintf("backfill-%d", i), start.AddDate(0, i, 0)))
		b.WriteByte('\n')
	}
	res, err := collector.Replay(context.Background(), collector.NewIngester(s, nil, nil), strings.NewReader(b.String()), collector.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 151 || countRows(t, s).Rows != 151 {
		t.Fatalf("loaded %d (%d rows), want 151", res.Loaded, countRows(t, s).Rows)
	}
	// Again through Kafka, one flush.
	s2 := storetest.New(t)
	kc := startBroker(t)
	var msgs []kafka.Message
	for i := 0; i < 151; i++ {
		id := fmt.Sprintf("backfill-%d", i)
		msgs = append(msgs, kafka.Message{Topic: schemas.TopicCalls, Key: []byte(id), Value: []byte(callLine(id, start.AddDate(0, i, 0)))})
	}
	produce(t, kc.ListenAddrs(), msgs...)
	c := newCollector(t, s2, kc.ListenAddrs(), "backfill", 100000)
	stop := run(t, c)
	eventually(t, time.Minute, "the backfill stored", func() bool { return countRows(t, s2).Rows == 151 })
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// A 1,048,480-byte invalid message fits the input topic but not the DLQ
// topic once headers are added: forwarding it failed forever and held every
// partition. It now goes to the DLQ topic as a reference with reason
// too_large, and the other events are stored meanwhile.
func TestOversizeInvalidMessage(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	big := append([]byte(`{"specversion":"1.0","id":"big","source":"s","type":"cs.call.ended.v1","data":{"note":"`), bytes.Repeat([]byte("x"), 1048480-100)...)
	big = append(big, []byte(`"`)...) // not closed: invalid JSON
	big = big[:1048480]
	produce(t, kc.ListenAddrs(), kafka.Message{Topic: schemas.TopicCalls, Key: []byte("big"), Value: big})
	produce(t, kc.ListenAddrs(),
		kafka.Message{Topic: schemas.TopicCalls, Key: []byte("ok-1"), Value: []byte(callLine("ok-1", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))},
		kafka.Message{Topic: schemas.TopicCalls, Key: []byte("ok-2"), Value: []byte(callLine("ok-2", time.Date(2026, 11, 2, 9, 5, 0, 0, time.UTC)))})
	c := newCollector(t, s, kc.ListenAddrs(), "oversize", 1000)
	stop := run(t, c)
	eventually(t, time.Minute, "the valid events stored and the big one in the dlq table", func() bool {
		got := countRows(t, s)
		return got.Rows == 2 && got.DLQ == 1
	})
	m := readDLQ(t, kc.ListenAddrs(), 1)[0]
	if header(m, "reason") != "too_large" || header(m, "original_reason") != "invalid_json" || len(m.Value) > 4096 || !bytes.Contains(m.Value, []byte(`"source_offset"`)) {
		t.Errorf("DLQ record: reason %q, original %q, %d bytes: %s", header(m, "reason"), header(m, "original_reason"), len(m.Value), m.Value)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	type row struct {
		N int `json:"n"`
	}
	r, err := store.QueryOne[row](context.Background(), s, "SELECT max(length(payload)) AS n FROM dlq", nil)
	if err != nil || r.N > 70<<10 {
		t.Errorf("dlq payload of %d bytes stored (%v); want the redacted first 64 KiB at most", r.N, err)
	}
}

// The DLQ topic refuses writes for a while: inserts go on, and a collector
// started after the first one stopped still forwards the invalid message,
// from the dlq table and the original in Kafka.
func TestDLQReachedAfterRestart(t *testing.T) {
	s := storetest.New(t)
	kc := startBroker(t)
	var refuse atomic.Bool
	refuse.Store(true)
	kc.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		kc.KeepControl()
		for _, tp := range req.(*kmsg.ProduceRequest).Topics {
			if tp.Topic == schemas.TopicDLQ && refuse.Load() {
				return nil, errors.New("injected DLQ outage"), true
			}
		}
		return nil, nil, false
	})
	produce(t, kc.ListenAddrs(),
		kafka.Message{Topic: schemas.TopicCalls, Key: []byte("bad"), Value: []byte(`{"specversion":"1.0","id":"bad","source":"s","type":"cs.call.ended.v1","data":{"call_id":"bad"}}`)},
		kafka.Message{Topic: schemas.TopicCalls, Key: []byte("ok-1"), Value: []byte(callLine("ok-1", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)))})
	o := testGroup(collector.Options{Brokers: kc.ListenAddrs(), Group: "dlq-restart", MaxWait: 100 * time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, DLQSweepEvery: 200 * time.Millisecond})
	c, err := collector.New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, c)
	eventually(t, time.Minute, "the flush done while the DLQ topic refuses writes", func() bool {
		got := countRows(t, s)
		return got.Rows == 1 && got.DLQ == 1
	})
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	refuse.Store(false)
	c2, err := collector.New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	stop = run(t, c2)
	defer stop()
	m := readDLQ(t, kc.ListenAddrs(), 1)[0]
	if header(m, "reason") != "missing_field:direction" || header(m, "source_offset") == "" {
		t.Errorf("DLQ record after the restart: reason %q, source offset %q", header(m, "reason"), header(m, "source_offset"))
	}
}

// readDLQ reads n messages of the DLQ topic.
func readDLQ(t *testing.T, brokers []string, n int) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []kafka.Message
	for len(out) < n {
		// The DLQ topic has several partitions; read each in turn.
		m, err := readAnyPartition(ctx, brokers)
		if err != nil {
			t.Fatalf("read %d DLQ messages of %d: %v", len(out), n, err)
		}
		out = append(out, m...)
	}
	return out
}

// readAnyPartition returns the messages of every DLQ partition once there
// is at least one.
func readAnyPartition(ctx context.Context, brokers []string) ([]kafka.Message, error) {
	for {
		var out []kafka.Message
		for p := 0; p < 3; p++ {
			conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], schemas.TopicDLQ, p)
			if err != nil {
				continue
			}
			last, err := conn.ReadLastOffset()
			if err == nil && last > 0 {
				batch := conn.ReadBatch(1, 8<<20)
				for {
					m, err := batch.ReadMessage()
					if err != nil {
						break
					}
					out = append(out, m)
					if m.Offset >= last-1 {
						break
					}
				}
				batch.Close()
			}
			conn.Close()
		}
		if len(out) > 0 {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func header(m kafka.Message, key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Personal data a producer put where it should not be — in invalid JSON,
// in a free-text field no contract names — is never stored: neither in the
// dlq table's detail and payload nor in a valid event's free text.
func TestPIINotStored(t *testing.T) {
	s := storetest.New(t)
	lines := []string{
		`{"specversion":"1.0","id":"p1","source":"crm call +48 601 234 567 ann.kowalska@example.pl`, // invalid JSON: its start is quoted in detail
		`{"specversion":"1.0","id":"p2","source":"s","type":"cs.call.ended.v1","data":{"call_id":"c2","note":"call me at +48 601 234 567 or ann.kowalska@example.pl"}}`,
		`{"specversion":"1.0","id":"p3","source":"s","type":"cs.callback.cancelled.v1","data":{"callback_id":"cb3","cancelled_at":"2026-11-02T09:00:00Z","reason":"customer wrote from ann.kowalska@example.pl, tel 601 234 567"}}`,
	}
	if _, err := collector.Replay(context.Background(), collector.NewIngester(s, nil, nil), strings.NewReader(strings.Join(lines, "\n")), collector.ReplayOptions{}); err != nil {
		t.Fatal(err)
	}
	var stored strings.Builder
	for _, q := range []string{"SELECT detail, payload, event_type FROM dlq", "SELECT reason FROM callback_cancelled"} {
		if err := s.Query(context.Background(), q, nil, func(row []byte) error { stored.Write(row); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	for _, pii := range []*regexp.Regexp{regexp.MustCompile(`601.?234.?567`), regexp.MustCompile(`kowalska@`)} {
		if pii.MatchString(stored.String()) {
			t.Errorf("stored %q", stored.String())
		}
	}
	if !strings.Contains(stored.String(), "customer wrote from") {
		t.Errorf("the free text itself was lost: %s", stored.String())
	}
}

// A replayed line of 20 MB between valid lines is rejected as too_large on
// its first megabyte, the valid lines around it are stored, and the dlq
// table keeps a bounded, redacted payload.
func TestReplayHugeLine(t *testing.T) {
	s := storetest.New(t)
	var b bytes.Buffer
	b.WriteString(callLine("before", time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)) + "\n")
	b.WriteString(`{"specversion":"1.0","id":"huge","data":"` + strings.Repeat("y", 20<<20) + "\"}\n")
	b.WriteString(callLine("after", time.Date(2026, 11, 2, 9, 1, 0, 0, time.UTC)) + "\n")
	res, err := collector.Replay(context.Background(), collector.NewIngester(s, nil, nil), &b, collector.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 2 || len(res.Invalid) != 1 || res.Invalid[0].Reason != "too_large" || res.Invalid[0].Line != 2 {
		t.Fatalf("replay: %+v", res)
	}
}

// /readyz said ready while the brokers were unreachable or refused the
// credentials: the collector now says it is not ready, and why.
func TestReadinessFollowsKafka(t *testing.T) {
	s := storetest.New(t)
	closed := freeAddrCollector(t)
	c, err := collector.New(s, testGroup(collector.Options{Brokers: []string{closed}, Group: "nobody", ProbeInterval: 100 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, c)
	eventually(t, 10*time.Second, "not ready with the brokers unreachable", func() bool { return strings.Contains(c.NotReady(), "Kafka") })
	stop()

	kc := startBroker(t, kfake.EnableSASL(), kfake.Superuser("PLAIN", "frontline", "right"))
	wrong := plainMechanism("frontline", "wrong")
	c2, err := collector.New(s, testGroup(collector.Options{Brokers: kc.ListenAddrs(), Group: "sasl", ProbeInterval: 100 * time.Millisecond,
		Dialer: &kafka.Dialer{SASLMechanism: wrong, Timeout: time.Second}, Transport: &kafka.Transport{SASL: wrong}}))
	if err != nil {
		t.Fatal(err)
	}
	stop = run(t, c2)
	defer stop()
	eventually(t, 10*time.Second, "not ready with refused credentials", func() bool { return strings.Contains(c2.NotReady(), "Kafka") })
	t.Logf("not ready: %s", c2.NotReady())
}

// freeAddrCollector is a loopback address nothing listens on.
func freeAddrCollector(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func plainMechanism(user, pass string) sasl.Mechanism {
	return plain.Mechanism{Username: user, Password: pass}
}
