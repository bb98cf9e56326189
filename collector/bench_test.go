package collector_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/simulator"
	"github.com/segmentio/kafka-go"
)

// BenchmarkIngest measures the store side of the collector alone (decode,
// validate, dedupe, insert, bookkeeping) on 10,000-message batches of one
// topic, without Kafka.
func BenchmarkIngest(b *testing.B) {
	var values [][]byte
	topic := "cs.agents"
	sim := simulator.New(simulator.Options{Days: 1, Agents: 100, Seed: 3, DuplicateRate: -1, InvalidRate: -1})
	if _, err := sim.Run(context.Background(), func(m simulator.Message) error {
		if m.Topic == topic {
			values = append(values, m.Value)
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	s := storetest.New(b)
	in := collector.NewIngester(s, nil, nil)
	const batch = 10000
	b.ResetTimer()
	events := 0
	for i := 0; i < b.N; i++ {
		for first := 0; first+batch <= len(values); first += batch {
			msgs := make([]collector.Message, batch)
			for j := range msgs {
				msgs[j] = collector.Message{Offset: int64(first + j), Value: values[first+j]}
			}
			r := collector.Range{Group: "bench", Topic: fmt.Sprintf("t%d", i), First: int64(first), Last: int64(first + batch - 1)}
			if _, err := in.Ingest(context.Background(), &collector.Flush{Parts: []collector.Part{{Range: r, Msgs: msgs}}}, false); err != nil {
				b.Fatal(err)
			}
			events += batch
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkCollector measures the collector end to end: simulated events in
// an embedded Kafka broker (6 partitions per topic), consumed, decoded,
// deduplicated and inserted into a fresh embedded store, from the first
// event to the last. One iteration is one whole run.
func BenchmarkCollector(b *testing.B) {
	var msgs []kafka.Message
	sim := simulator.New(simulator.Options{Days: 2, Agents: 100, Seed: 7})
	if _, err := sim.Run(context.Background(), func(m simulator.Message) error {
		msgs = append(msgs, kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value})
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	kc, err := broker.Start(broker.Options{Partitions: 6})
	if err != nil {
		b.Fatal(err)
	}
	defer kc.Close()
	w := &kafka.Writer{Addr: kafka.TCP(kc.ListenAddrs()...), Balancer: &kafka.Murmur2Balancer{}, RequiredAcks: kafka.RequireAll, BatchSize: 5000, BatchBytes: 16 << 20, BatchTimeout: 5 * time.Millisecond}
	for i := 0; i < len(msgs); i += 20000 {
		if err := w.WriteMessages(context.Background(), msgs[i:min(i+20000, len(msgs))]...); err != nil {
			b.Fatal(err)
		}
	}
	w.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := storetest.New(b)
		c, err := collector.New(s, collector.Options{Brokers: kc.ListenAddrs(), Group: fmt.Sprintf("bench-%d", i)})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- c.Run(ctx) }()
		st := c.Stats()
		var first time.Time
		for {
			seen := st.Seen()
			if seen > 0 && first.IsZero() {
				first = time.Now()
			}
			if seen >= int64(len(msgs)) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		cancel()
		<-done
		b.ReportMetric(float64(len(msgs))/took.Seconds(), "events/s")
		b.ReportMetric(float64(len(msgs)), "events")
	}
}
