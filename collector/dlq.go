package collector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/frontline-oss/frontline/internal/store"
)

// dlqForwarder copies invalid messages to the DLQ topic (the original bytes
// with the reason in headers) without ever holding up an insert: a flush
// hands its invalid messages over and moves on. The dlq table, written in
// the flush itself, is the record of what must reach the topic; a message
// reaches it at least once, and a forwarded one is noted in dlq_forwarded.
// A message the queue could not take, a write that failed, or a flush a
// crash interrupted before forwarding is found by the sweep, which reads
// the original again from its partition by offset.
type dlqForwarder struct {
	c     *Collector
	w     *kafka.Writer
	queue chan dlqItem
}

// dlqItem is one invalid message on its way to the DLQ topic.
type dlqItem struct {
	origin, topic  string
	partition      int
	offset         int64
	reason, detail string
	value          []byte
}

// dlqQueue bounds the invalid messages waiting for the DLQ topic in memory;
// past it they wait in the dlq table for the sweep.
const dlqQueue = 1024

func newDLQForwarder(c *Collector) *dlqForwarder {
	return &dlqForwarder{
		c:     c,
		queue: make(chan dlqItem, dlqQueue),
		w: &kafka.Writer{
			Addr:                   kafka.TCP(c.o.Brokers...),
			Topic:                  c.o.DLQTopic,
			Balancer:               &kafka.Hash{},
			RequiredAcks:           kafka.RequireAll,
			BatchTimeout:           10 * time.Millisecond,
			BatchBytes:             int64(c.o.DLQMaxBytes) + 64<<10,
			AllowAutoTopicCreation: true,
			Transport:              c.o.Transport,
		},
	}
}

// send queues a flush's invalid messages for the topic without waiting.
func (d *dlqForwarder) send(f *Flush, rej []Rejected) {
	for _, r := range rej {
		p := f.Parts[r.Part].Range
		it := dlqItem{origin: r.Origin, topic: p.Topic, partition: int(p.Partition), offset: r.Offset,
			reason: r.Reason, detail: r.Detail, value: r.Value}
		select {
		case d.queue <- it:
		default:
			d.c.metrics.dlqDeferred.Inc() // the sweep forwards it later
		}
	}
}

// run forwards queued messages and sweeps until ctx ends.
func (d *dlqForwarder) run(ctx context.Context) {
	sweep := time.NewTimer(min(2*time.Second, d.c.o.DLQSweepEvery))
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			d.flushQueue()
			return
		case it := <-d.queue:
			batch := []dlqItem{it}
			for len(batch) < 100 {
				select {
				case it := <-d.queue:
					batch = append(batch, it)
					continue
				default:
				}
				break
			}
			d.forward(ctx, batch)
		case <-sweep.C:
			d.sweep(ctx)
			sweep.Reset(d.c.o.DLQSweepEvery)
		}
	}
}

// flushQueue forwards what is queued at shutdown, briefly.
func (d *dlqForwarder) flushQueue() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		var batch []dlqItem
		for len(batch) < 100 {
			select {
			case it := <-d.queue:
				batch = append(batch, it)
				continue
			default:
			}
			break
		}
		if len(batch) == 0 || !d.forward(ctx, batch) {
			return
		}
	}
}

// forward writes items to the topic and notes them forwarded; on failure
// they stay for the sweep.
func (d *dlqForwarder) forward(ctx context.Context, items []dlqItem) bool {
	msgs := make([]kafka.Message, len(items))
	for i, it := range items {
		msgs[i] = d.message(it)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := d.w.WriteMessages(wctx, msgs...)
	cancel()
	if err != nil {
		d.c.metrics.retries.WithLabelValues("dlq").Inc()
		d.c.log.Warn("cannot write to the DLQ topic; the sweep will retry", "topic", d.c.o.DLQTopic, "messages", len(items), "err", firstError(err))
		return false
	}
	rows := make([][]any, len(items))
	for i, it := range items {
		rows[i] = []any{it.origin}
	}
	if err := d.c.in.store.Insert(ctx, &store.Block{Table: "dlq_forwarded", Columns: []string{"origin"}, Rows: rows}); err != nil {
		d.c.log.Warn("cannot note messages as forwarded to the DLQ topic (they may be forwarded again)", "messages", len(items), "err", err)
	}
	d.c.metrics.dlqForwarded.Add(float64(len(items)))
	return true
}

// message is the DLQ record of an item: the original bytes with the reason,
// detail and origin in headers; when that would exceed DLQMaxBytes, a
// reference to the original instead, with reason too_large.
func (d *dlqForwarder) message(it dlqItem) kafka.Message {
	headers := []kafka.Header{
		{Key: "reason", Value: []byte(it.reason)},
		{Key: "detail", Value: []byte(it.detail)},
		{Key: "source_topic", Value: []byte(it.topic)},
		{Key: "source_partition", Value: []byte(strconv.Itoa(it.partition))},
		{Key: "source_offset", Value: []byte(strconv.FormatInt(it.offset, 10))},
	}
	key := []byte(it.topic + "/" + strconv.Itoa(it.partition))
	size := len(key) + len(it.value)
	for _, h := range headers {
		size += len(h.Key) + len(h.Value)
	}
	value := it.value
	if size > d.c.o.DLQMaxBytes {
		ref, _ := json.Marshal(map[string]any{
			"origin": it.origin, "source_topic": it.topic, "source_partition": it.partition, "source_offset": it.offset,
			"bytes": len(it.value), "reason": it.reason,
		})
		value = ref
		headers[0].Value = []byte("too_large")
		headers = append(headers, kafka.Header{Key: "original_reason", Value: []byte(it.reason)})
	}
	return kafka.Message{Key: key, Value: value, Headers: headers}
}

// sweep forwards the invalid messages of the collector's topics that the
// dlq table holds and dlq_forwarded does not (queue full, a failed write, a
// crash), reading each original again from Kafka. Collectors of one group
// may sweep the same row at the same moment: the DLQ topic is at least
// once.
func (d *dlqForwarder) sweep(ctx context.Context) {
	type row struct {
		Origin string `json:"origin"`
		Reason string `json:"reason"`
		Detail string `json:"detail"`
	}
	rows, err := store.QueryAll[row](ctx, d.c.in.store, `
SELECT origin, toString(reason) AS reason, detail FROM dlq
WHERE received_at < now64(3) - toIntervalMillisecond({age:Int64}) AND received_at > now64(3) - INTERVAL 7 DAY
  AND origin NOT IN (SELECT origin FROM dlq_forwarded)
ORDER BY received_at LIMIT 200`, store.Params{"age": int64(3 * d.c.o.DLQSweepEvery / time.Millisecond)})
	if err != nil {
		if ctx.Err() == nil {
			d.c.log.Warn("cannot look for invalid messages not yet in the DLQ topic", "err", err)
		}
		return
	}
	var items []dlqItem
	for _, r := range rows {
		topic, partition, offset, ok := parseOrigin(r.Origin)
		if !ok || !slices.Contains(d.c.o.Topics, topic) {
			continue
		}
		msgs, err := d.c.fetchRange(ctx, Range{Topic: topic, Partition: int32(partition), First: offset, Last: offset})
		if err != nil || len(msgs) == 0 || msgs[0].Offset != offset {
			d.c.log.Warn("cannot read an invalid message again for the DLQ topic", "origin", r.Origin, "err", err)
			continue
		}
		items = append(items, dlqItem{origin: r.Origin, topic: topic, partition: partition, offset: offset,
			reason: r.Reason, detail: r.Detail, value: msgs[0].Value})
	}
	if len(items) > 0 && d.forward(ctx, items) {
		d.c.log.Info("forwarded invalid messages that had not reached the DLQ topic", "messages", len(items))
	}
}

// firstError shortens a kafka-go error that repeats one cause per message
// to its first cause and the count.
func firstError(err error) string {
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				return fmt.Sprintf("%d of %d messages failed; the first: %v", we.Count(), len(we), e)
			}
		}
	}
	return err.Error()
}

// parseOrigin splits topic/partition/offset.
func parseOrigin(s string) (topic string, partition int, offset int64, ok bool) {
	i := strings.LastIndexByte(s, '/')
	if i <= 0 {
		return "", 0, 0, false
	}
	j := strings.LastIndexByte(s[:i], '/')
	if j <= 0 {
		return "", 0, 0, false
	}
	p, err1 := strconv.Atoi(s[j+1 : i])
	o, err2 := strconv.ParseInt(s[i+1:], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return s[:j], p, o, true
}

func (d *dlqForwarder) close() error {
	if err := d.w.Close(); err != nil {
		return fmt.Errorf("cannot close the DLQ writer: %w", err)
	}
	return nil
}
