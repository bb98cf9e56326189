package collector_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/simulator"
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
			if _, err := in.Ingest(context.Background(), r, msgs, false); err != nil {
				b.Fatal(err)
			}
			events += batch
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
