package collector

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// takeOver starts a partition at offset: the first time the collector sees
// it, or after the group rewound it to its committed offset (a rebalance).
// What an earlier run (this process or another) recorded in ingest_state
// from that offset on is already in ClickHouse or was about to be: a flush
// recorded in flight is re-formed — every one of its ranges, over every
// partition, read again from Kafka by offset — and inserted with its
// recorded token, which ClickHouse drops for the parts that did land; then
// every recorded range is skipped.
func (c *Collector) takeOver(ctx context.Context, k partKey, old *partState, offset int64) (*partState, error) {
	if old != nil && len(old.msgs) > 0 {
		c.pendingBytes -= old.bytes
		c.pendingMsgs -= len(old.msgs)
		c.metrics.pendingBytes.Sub(float64(old.bytes))
	}
	// Flushes of this partition may still be on their way to ingest_state;
	// read it after them.
	if err := c.drain(ctx); err != nil {
		return nil, err
	}
	var recs []Recorded
	err := c.retry(ctx, "state", func() (err error) {
		recs, err = c.in.Recorded(ctx, c.o.Group, k.topic, int32(k.partition), offset)
		return err
	})
	if err != nil {
		return nil, err
	}
	reformed := map[string]bool{}
	for _, r := range recs {
		if r.Status != statusInflight || reformed[r.Flush] {
			continue
		}
		reformed[r.Flush] = true
		if err := c.reform(ctx, k, r); err != nil {
			return nil, err
		}
	}
	if len(recs) > 0 {
		c.log.Info("skipping recorded ranges", "topic", k.topic, "partition", k.partition, "offset", offset,
			"ranges", len(recs), "reformed", len(reformed), "through", recs[len(recs)-1].Last)
	}
	ps := &partState{next: offset, skip: recs}
	c.parts[k] = ps
	return ps, nil
}

// reform re-forms the in-flight flush that recorded r (a range of partition
// k) and inserts it with its recorded token.
func (c *Collector) reform(ctx context.Context, k partKey, r Recorded) error {
	var ranges []Range
	if r.Flush == "" {
		// Recorded before flushes spanned partitions: the range alone.
		ranges = []Range{{Group: c.o.Group, Topic: k.topic, Partition: int32(k.partition), First: r.First, Last: r.Last}}
	} else {
		err := c.retry(ctx, "state", func() (err error) {
			ranges, err = c.in.FlushRanges(ctx, c.o.Group, r.Flush)
			return err
		})
		if err != nil {
			return err
		}
	}
	f := &Flush{}
	for _, rg := range ranges {
		var msgs []Message
		err := c.retry(ctx, "reform", func() (err error) {
			msgs, err = c.fetchRange(ctx, rg)
			if errors.Is(err, errGone) {
				// Nothing left to re-form: what landed stays, the rest
				// is lost to Kafka's retention, not to Frontline.
				c.log.Error("cannot re-form a range of an interrupted flush", "range", rg.String(), "err", err)
				c.metrics.unrecoverable.Inc()
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		f.Parts = append(f.Parts, Part{Range: rg, Msgs: msgs})
	}
	token := f.Token()
	if r.Flush != "" && token != r.Flush {
		return fmt.Errorf("cannot re-form flush %s: its recorded ranges make %s", r.Flush, token)
	}
	var out Outcome
	err := c.retry(ctx, "insert", func() (err error) {
		out, err = c.in.Ingest(ctx, f, false)
		return err
	})
	if err != nil {
		return err
	}
	c.dlq.send(f, out.Rejected)
	c.metrics.reformed.Inc()
	c.log.Info("re-formed an interrupted flush", "token", token, "partitions", len(f.Parts), "messages", f.messages(),
		"loaded", out.Loaded, "duplicates", out.Duplicates, "invalid", len(out.Rejected))
	return nil
}

// errGone is returned when a recorded range is no longer in Kafka (its
// retention passed): there is nothing left to re-form.
var errGone = errors.New("the recorded messages are no longer in Kafka")

// fetchRange reads the messages of r from its partition by offset, outside
// the consumer group.
func (c *Collector) fetchRange(ctx context.Context, r Range) ([]Message, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	rd := kafka.NewReader(kafka.ReaderConfig{
		Brokers: c.o.Brokers, Topic: r.Topic, Partition: int(r.Partition), Dialer: c.o.Dialer,
		MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 100 * time.Millisecond,
	})
	defer rd.Close()
	if err := rd.SetOffset(r.First); err != nil {
		return nil, fmt.Errorf("cannot read %s from Kafka: %w", r, err)
	}
	var out []Message
	for {
		m, err := rd.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, kafka.OffsetOutOfRange) {
				return nil, fmt.Errorf("cannot read %s from Kafka: %w", r, errGone)
			}
			return nil, fmt.Errorf("cannot read %s from Kafka after %d messages: %w", r, len(out), err)
		}
		if m.Offset > r.Last {
			return out, nil
		}
		out = append(out, Message{Offset: m.Offset, Value: m.Value})
		if m.Offset == r.Last {
			return out, nil
		}
	}
}
