package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// Options configure a Collector. Zero values take the documented defaults.
type Options struct {
	// Brokers are the Kafka bootstrap addresses. Required.
	Brokers []string
	// Group is the consumer group. Default "frontline-collector".
	Group string
	// Topics to consume. Default schemas.Topics (the six cs.* topics).
	Topics []string
	// DLQTopic receives invalid messages. Default schemas.TopicDLQ ("cs.dlq").
	DLQTopic string
	// MaxRows closes a partition's batch at this many messages. Default 50000.
	MaxRows int
	// MaxBytes closes a partition's batch at this many message bytes. Default 8 MiB.
	MaxBytes int
	// MaxWait closes a batch this long after its first message, as soon as
	// the inserter can take it; while the inserter is busy the batch goes on
	// growing (see flushDue). Default 1 s.
	MaxWait time.Duration
	// MaxPendingBytes bounds the bytes held in open batches over all
	// partitions; past it the largest batch is flushed. Default 32 MiB.
	// Besides the open batches, at most two closed ones (each at most
	// MaxBytes) wait for or are in the inserter.
	MaxPendingBytes int
	// RetryMin and RetryMax bound the exponential backoff (with jitter)
	// between retries of a failed insert. Defaults 100 ms and 30 s.
	RetryMin, RetryMax time.Duration
	// ShutdownTimeout bounds the final flush after the context ends. Default 30 s.
	ShutdownTimeout time.Duration
	// SessionTimeout is how long the group coordinator waits for a
	// heartbeat before it evicts this member and hands its partitions to
	// the others: the bound on how long a collector that died without
	// leaving (SIGKILL, a lost machine) holds its partitions. Default 6 s,
	// the broker's smallest allowed value by default
	// (group.min.session.timeout.ms), so that a replacement consumes within
	// about 10 s of a kill; kafka-go's own default is 30 s.
	SessionTimeout time.Duration
	// RebalanceTimeout is how long the coordinator waits, once a rebalance
	// starts, for the live members to rejoin before it drops those that
	// have not. Members rejoin at their next heartbeat, so this only bounds
	// a stuck member. Default 10 s (kafka-go's is 30 s).
	RebalanceTimeout time.Duration
	// HeartbeatInterval is how often the member tells the coordinator it
	// is alive; it is also how soon it learns of a rebalance (a member
	// joining or leaving) and rejoins. It must be below SessionTimeout,
	// and a third of it or less survives a lost heartbeat or two.
	// Default 1 s (kafka-go's is 3 s).
	HeartbeatInterval time.Duration
	// JoinGroupBackoff is the wait before rejoining the group after a
	// failed join or sync (the coordinator moved, a connection dropped).
	// Default 1 s (kafka-go's is 5 s, half the budget for replacing a
	// killed collector).
	JoinGroupBackoff time.Duration
	// Dialer carries TLS and SASL settings. Default: plain TCP.
	Dialer *kafka.Dialer
	// Transport is the DLQ writer's transport (TLS/SASL). Default kafka.DefaultTransport.
	Transport kafka.RoundTripper
	// Logger for progress and errors. Default: discard.
	Logger *slog.Logger
	// Registerer for the collector's metrics. Default: not registered.
	Registerer prometheus.Registerer
}

func (o Options) withDefaults() Options {
	if o.Group == "" {
		o.Group = "frontline-collector"
	}
	if len(o.Topics) == 0 {
		o.Topics = schemas.Topics
	}
	if o.DLQTopic == "" {
		o.DLQTopic = schemas.TopicDLQ
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 50000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 8 << 20
	}
	if o.MaxWait <= 0 {
		o.MaxWait = time.Second
	}
	if o.MaxPendingBytes <= 0 {
		o.MaxPendingBytes = 32 << 20
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 100 * time.Millisecond
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 30 * time.Second
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	// Negative group timings are left for New to reject.
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 6 * time.Second
	}
	if o.RebalanceTimeout == 0 {
		o.RebalanceTimeout = 10 * time.Second
	}
	if o.HeartbeatInterval == 0 {
		o.HeartbeatInterval = time.Second
	}
	if o.JoinGroupBackoff == 0 {
		o.JoinGroupBackoff = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Collector consumes the event topics with a kafka-go consumer group and
// inserts per-partition batches. Offsets are committed only after a batch is
// durable in ClickHouse (FetchMessage/CommitMessages, never auto-commit).
//
// Two goroutines share the work: the fetch loop fetches, decodes and forms
// batches; the inserter inserts the closed batches one at a time in the
// order they were closed and commits each one's offset after its insert.
// So fetching and decoding overlap the inserts, and a small queue between
// the two bounds memory.
type Collector struct {
	o       Options
	in      *Ingester
	reader  *kafka.Reader
	dlq     *kafka.Writer
	metrics *Metrics
	log     *slog.Logger

	// Owned by the fetch loop.
	parts     map[partKey]*partBatch
	pending   int // bytes in open batches
	lastCheck time.Time

	// jobs carries closed batches to the inserter. Its capacity of one
	// batch (plus the one being inserted) lets the fetch loop fill the
	// next batch meanwhile; more would hold memory without speeding up a
	// store that runs one query at a time.
	jobs  chan job
	ready atomic.Bool
	stats Stats
}

// Stats are running totals, for tests and the demo's progress line.
type Stats struct {
	Loaded     atomic.Int64
	Duplicates atomic.Int64
	Invalid    atomic.Int64
	Batches    atomic.Int64
}

type partKey struct {
	topic     string
	partition int
}

// partBatch is the open batch of one partition.
type partBatch struct {
	msgs    []Message
	last    kafka.Message // the newest message, committed after the insert
	bytes   int
	started time.Time
	next    int64          // offset expected next
	plan    []PlannedRange // ranges recorded by an earlier run, from ingest_state
}

// job is a closed batch on its way to the inserter, or, when synced is set,
// a marker that the inserter closes once every batch before it is done.
type job struct {
	k     partKey
	r     Range
	msgs  []Message
	done  bool          // ingest_state shows r as done: nothing to insert
	last  kafka.Message // committed after the insert
	bytes int

	synced chan struct{}
}

// New creates a collector writing to s. Run starts it.
func New(s store.Store, o Options) (*Collector, error) {
	o = o.withDefaults()
	if len(o.Brokers) == 0 {
		return nil, errors.New("no Kafka brokers given")
	}
	if err := o.checkGroupTimings(); err != nil {
		return nil, err
	}
	m := NewMetrics(o.Registerer)
	c := &Collector{
		o:       o,
		in:      NewIngester(s, o.Logger, m),
		metrics: m,
		log:     o.Logger,
		parts:   map[partKey]*partBatch{},
		jobs:    make(chan job, 1),
	}
	c.reader = kafka.NewReader(kafka.ReaderConfig{
		Brokers:        o.Brokers,
		GroupID:        o.Group,
		GroupTopics:    o.Topics,
		Dialer:         o.Dialer,
		MinBytes:       1,
		MaxBytes:       1 << 20, // per fetch and partition: bounds memory with many partitions
		MaxWait:        250 * time.Millisecond,
		QueueCapacity:  1000,
		CommitInterval: 0, // synchronous commits, after the insert
		StartOffset:    kafka.FirstOffset,
		ErrorLogger:    kafka.LoggerFunc(func(f string, a ...any) { o.Logger.Warn(fmt.Sprintf(f, a...), "component", "kafka-reader") }),

		SessionTimeout:    o.SessionTimeout,
		RebalanceTimeout:  o.RebalanceTimeout,
		HeartbeatInterval: o.HeartbeatInterval,
		JoinGroupBackoff:  o.JoinGroupBackoff,
	})
	c.dlq = &kafka.Writer{
		Addr:                   kafka.TCP(o.Brokers...),
		Topic:                  o.DLQTopic,
		Balancer:               &kafka.Hash{},
		RequiredAcks:           kafka.RequireAll,
		BatchTimeout:           10 * time.Millisecond,
		AllowAutoTopicCreation: true,
		Transport:              o.Transport,
	}
	return c, nil
}

// checkGroupTimings rejects consumer-group timings that the broker would
// refuse or that would make the member evict itself, before kafka-go sees
// them (it panics on some).
func (o Options) checkGroupTimings() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"session timeout", o.SessionTimeout},
		{"rebalance timeout", o.RebalanceTimeout},
		{"heartbeat interval", o.HeartbeatInterval},
		{"join group backoff", o.JoinGroupBackoff},
	} {
		// The protocol carries whole milliseconds in an int32.
		if d.v < time.Millisecond {
			return fmt.Errorf("%s %q must be at least 1ms", d.name, d.v)
		}
		if d.v/time.Millisecond > math.MaxInt32 {
			return fmt.Errorf("%s %q is longer than the Kafka protocol carries (%v)", d.name, d.v, time.Duration(math.MaxInt32)*time.Millisecond)
		}
	}
	if o.HeartbeatInterval >= o.SessionTimeout {
		return fmt.Errorf("heartbeat interval %q must be shorter than the session timeout %q, or the coordinator evicts the member between heartbeats", o.HeartbeatInterval, o.SessionTimeout)
	}
	return nil
}

// Ready reports whether the last store operation succeeded (for /readyz).
func (c *Collector) Ready() bool { return c.ready.Load() }

// Stats returns the running totals.
func (c *Collector) Stats() *Stats { return &c.stats }

// Run consumes until ctx ends, then inserts and commits the open batches
// (bounded by ShutdownTimeout) and closes the consumer. A Collector runs once.
func (c *Collector) Run(ctx context.Context) error {
	c.ready.Store(true)
	c.log.Info("collector started", "brokers", c.o.Brokers, "group", c.o.Group, "topics", c.o.Topics)
	// The inserter outlives ctx: the batches closed when it ends are still
	// inserted and committed, for at most ShutdownTimeout after it.
	ictx, stopInserts := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInserts()
	inserted := make(chan error, 1)
	go func() { inserted <- c.insertLoop(ictx) }()
	err := c.loop(ctx)
	t := time.AfterFunc(c.o.ShutdownTimeout, stopInserts)
	defer t.Stop()
	ferr := c.flushAll(ictx)
	close(c.jobs)
	ferr = errors.Join(ferr, <-inserted)
	cerr := c.reader.Close()
	derr := c.dlq.Close()
	c.log.Info("collector stopped", "loaded", c.stats.Loaded.Load(), "duplicates", c.stats.Duplicates.Load(), "invalid", c.stats.Invalid.Load())
	if err != nil && ctx.Err() == nil {
		return err
	}
	return errors.Join(ferr, cerr, derr)
}

func (c *Collector) loop(ctx context.Context) error {
	for {
		if ctx.Err() != nil {
			return nil
		}
		fctx, cancel := ctx, context.CancelFunc(func() {})
		if d, ok := c.nextDeadline(); ok {
			fctx, cancel = context.WithDeadline(ctx, d)
		}
		m, err := c.reader.FetchMessage(fctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if err := c.flushDue(ctx, time.Now()); err != nil {
					return err
				}
				continue
			}
			c.log.Warn("cannot fetch from Kafka; retrying", "err", err)
			if !sleepCtx(ctx, c.o.RetryMin) {
				return nil
			}
			continue
		}
		if err := c.add(ctx, m); err != nil {
			return err
		}
		// Checking every partition's age per message would cost more than
		// the message; every 50 ms is well inside MaxWait.
		if now := time.Now(); now.Sub(c.lastCheck) > 50*time.Millisecond {
			c.lastCheck = now
			if err := c.flushDue(ctx, now); err != nil {
				return err
			}
		}
	}
}

// add puts a fetched message into its partition's batch, keeping the batch
// boundaries an earlier run recorded for these offsets.
func (c *Collector) add(ctx context.Context, m kafka.Message) error {
	k := partKey{m.Topic, m.Partition}
	pb := c.parts[k]
	if pb == nil || m.Offset < pb.next {
		// First message of a partition, or the group rewound it to the
		// committed offset after a rebalance: start again from what
		// ingest_state recorded for these offsets.
		if pb != nil {
			c.pending -= pb.bytes
			c.metrics.pendingBytes.Sub(float64(pb.bytes))
			// Batches of this partition may still be on their way to
			// ingest_state; read it after them.
			if err := c.drain(ctx); err != nil {
				return err
			}
		}
		var plan []PlannedRange
		err := c.retry(ctx, "state", func() (err error) {
			plan, err = c.in.Planned(ctx, c.o.Group, m.Topic, int32(m.Partition), m.Offset)
			return err
		})
		if err != nil {
			return err
		}
		pb = &partBatch{plan: plan}
		c.parts[k] = pb
		if len(plan) > 0 {
			c.log.Info("resuming recorded batches", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "ranges", len(plan))
		}
	}
	// Planned ranges already passed (a gap at their end) are dropped.
	for len(pb.plan) > 0 && len(pb.msgs) == 0 && pb.plan[0].Last < m.Offset {
		pb.plan = pb.plan[1:]
	}
	// A message past the end of a planned batch closes that batch first.
	if len(pb.msgs) > 0 && c.planned(pb) != nil && m.Offset > c.planned(pb).Last {
		if err := c.flush(ctx, k, pb); err != nil {
			return err
		}
	}
	if len(pb.msgs) == 0 {
		pb.started = time.Now()
	}
	msg := Message{Offset: m.Offset, Value: m.Value}
	msg.decode()
	if msg.ev != nil {
		msg.Value = nil // the event holds what the insert needs
	}
	pb.msgs = append(pb.msgs, msg)
	pb.last = m
	pb.bytes += len(m.Value)
	pb.next = m.Offset + 1
	c.pending += len(m.Value)
	c.metrics.pendingBytes.Add(float64(len(m.Value)))
	if p := c.planned(pb); p != nil {
		if m.Offset >= p.Last {
			return c.flush(ctx, k, pb)
		}
		return nil
	}
	if len(pb.msgs) >= c.o.MaxRows || pb.bytes >= c.o.MaxBytes {
		return c.flush(ctx, k, pb)
	}
	for c.pending >= c.o.MaxPendingBytes {
		bk, big := c.largest()
		if big == nil {
			break
		}
		if err := c.flush(ctx, bk, big); err != nil {
			return err
		}
	}
	return nil
}

// planned returns the recorded range the open batch must reproduce, if any.
func (c *Collector) planned(pb *partBatch) *PlannedRange {
	if len(pb.plan) > 0 && len(pb.msgs) > 0 && pb.plan[0].First == pb.msgs[0].Offset {
		return &pb.plan[0]
	}
	return nil
}

func (c *Collector) largest() (partKey, *partBatch) {
	var bk partKey
	var big *partBatch
	for k, pb := range c.parts {
		if len(pb.msgs) > 0 && c.planned(pb) == nil && (big == nil || pb.bytes > big.bytes) {
			bk, big = k, pb
		}
	}
	return bk, big
}

// duePoll is how often a due batch asks again for room in the inserter's queue.
const duePoll = 20 * time.Millisecond

// nextDeadline is when the next open batch falls due; while one is due
// already (waiting for room in the inserter's queue), a short poll.
func (c *Collector) nextDeadline() (time.Time, bool) {
	var d time.Time
	for _, pb := range c.parts {
		if len(pb.msgs) == 0 || c.planned(pb) != nil {
			continue
		}
		if t := pb.started.Add(c.o.MaxWait); d.IsZero() || t.Before(d) {
			d = t
		}
	}
	if d.IsZero() {
		return d, false
	}
	if poll := time.Now().Add(duePoll); d.Before(poll) {
		d = poll
	}
	return d, true
}

// flushDue hands the batches older than MaxWait to the inserter, oldest
// first, as long as its queue has room. A due batch that finds the queue
// full stays open and goes on growing: it would wait as long in the queue,
// and while the store is the bottleneck, fewer and larger batches are what
// lets it catch up (each insert has a fixed cost). MaxRows, MaxBytes and
// MaxPendingBytes still close batches, waiting for room, so memory stays
// bounded.
func (c *Collector) flushDue(ctx context.Context, now time.Time) error {
	for {
		var k partKey
		var due *partBatch
		for pk, pb := range c.parts {
			if len(pb.msgs) > 0 && c.planned(pb) == nil && now.Sub(pb.started) >= c.o.MaxWait &&
				(due == nil || pb.started.Before(due.started)) {
				k, due = pk, pb
			}
		}
		if due == nil {
			return nil
		}
		if sent, err := c.send(ctx, k, due, false); !sent || err != nil {
			return err
		}
	}
}

// flushAll hands every open batch to the inserter, except planned ones that
// did not see their last message: the next run re-sends those whole.
func (c *Collector) flushAll(ctx context.Context) error {
	var errs []error
	for k, pb := range c.parts {
		if len(pb.msgs) > 0 && c.planned(pb) == nil {
			if err := c.flush(ctx, k, pb); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// flush closes the partition's open batch and hands it to the inserter,
// waiting while the inserter's queue is full.
func (c *Collector) flush(ctx context.Context, k partKey, pb *partBatch) error {
	_, err := c.send(ctx, k, pb, true)
	return err
}

// send closes the partition's open batch and hands it to the inserter. When
// the inserter's queue is full, it waits if wait is set, and otherwise
// leaves the batch open and reports false.
func (c *Collector) send(ctx context.Context, k partKey, pb *partBatch, wait bool) (bool, error) {
	if len(pb.msgs) == 0 {
		return false, nil
	}
	j := job{k: k, msgs: pb.msgs, last: pb.last, bytes: pb.bytes,
		r: Range{Group: c.o.Group, Topic: k.topic, Partition: int32(k.partition), First: pb.msgs[0].Offset, Last: pb.msgs[len(pb.msgs)-1].Offset}}
	p := c.planned(pb)
	if p != nil {
		j.r.Last = p.Last
		j.done = p.Status == statusDone
	}
	if wait {
		select {
		case c.jobs <- j:
		case <-ctx.Done():
			return false, fmt.Errorf("cannot insert batch %s: %w", j.r.Token(), ctx.Err())
		}
	} else {
		select {
		case c.jobs <- j:
		default:
			return false, nil
		}
	}
	if p != nil {
		pb.plan = pb.plan[1:]
	}
	c.pending -= pb.bytes
	pb.msgs = nil // the inserter owns the old slice now
	pb.bytes = 0
	return true, nil
}

// drain waits until the inserter has finished every batch handed to it so far.
func (c *Collector) drain(ctx context.Context) error {
	synced := make(chan struct{})
	select {
	case c.jobs <- job{synced: synced}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-synced:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// insertLoop inserts the closed batches in the order they were closed. A
// failure means ctx ended (inserts are retried until then): the batches
// after it are dropped, uncommitted, and the next run reads them again.
func (c *Collector) insertLoop(ctx context.Context) error {
	var failed error
	for j := range c.jobs {
		if j.synced != nil {
			close(j.synced)
			continue
		}
		if failed == nil {
			failed = c.insert(ctx, j)
		}
		c.metrics.pendingBytes.Sub(float64(j.bytes))
	}
	return failed
}

// insert writes one batch (retrying with backoff until it succeeds or ctx
// ends), sends its invalid messages to the DLQ topic, and only then commits
// the offset.
func (c *Collector) insert(ctx context.Context, j job) error {
	var out Outcome
	err := c.retry(ctx, "insert", func() error {
		var err error
		out, err = c.in.Ingest(ctx, j.r, j.msgs, j.done)
		if err != nil {
			c.metrics.insertErrors.Inc()
		}
		return err
	})
	c.ready.Store(err == nil)
	if err != nil {
		return fmt.Errorf("cannot insert batch %s: %w", j.r.Token(), err)
	}
	if len(out.Rejected) > 0 && !j.done {
		if err := c.retry(ctx, "dlq", func() error { return c.sendDLQ(ctx, j.k, out.Rejected) }); err != nil {
			return fmt.Errorf("cannot send %d invalid messages of %s to %s: %w", len(out.Rejected), j.r.Token(), c.o.DLQTopic, err)
		}
	}
	if err := c.retry(ctx, "commit", func() error { return c.reader.CommitMessages(ctx, j.last) }); err != nil {
		// The range is recorded as done: whoever reads these offsets next
		// skips it. Nothing is lost or counted twice.
		c.log.Warn("cannot commit offset; the next owner of the partition will skip the done batch", "topic", j.k.topic, "partition", j.k.partition, "offset", j.last.Offset, "err", err)
	}
	c.metrics.lag.WithLabelValues(j.k.topic, strconv.Itoa(j.k.partition)).Set(float64(max(j.last.HighWaterMark-j.last.Offset-1, 0)))
	c.stats.Loaded.Add(int64(out.Loaded))
	c.stats.Duplicates.Add(int64(out.Duplicates))
	c.stats.Invalid.Add(int64(len(out.Rejected)))
	c.stats.Batches.Add(1)
	return nil
}

func (c *Collector) sendDLQ(ctx context.Context, k partKey, rej []Rejected) error {
	msgs := make([]kafka.Message, len(rej))
	for i, r := range rej {
		msgs[i] = kafka.Message{
			Key:   []byte(k.topic + "/" + strconv.Itoa(k.partition)),
			Value: r.Value,
			Headers: []kafka.Header{
				{Key: "reason", Value: []byte(r.Reason)},
				{Key: "detail", Value: []byte(r.Detail)},
				{Key: "source_topic", Value: []byte(k.topic)},
				{Key: "source_partition", Value: []byte(strconv.Itoa(k.partition))},
				{Key: "source_offset", Value: []byte(strconv.FormatInt(r.Offset, 10))},
			},
		}
	}
	return c.dlq.WriteMessages(ctx, msgs...)
}

// retry runs op until it succeeds or ctx ends, with exponential backoff and
// full jitter between RetryMin and RetryMax.
func (c *Collector) retry(ctx context.Context, name string, op func() error) error {
	wait := c.o.RetryMin
	for attempt := 1; ; attempt++ {
		err := op()
		if err == nil {
			if attempt > 1 {
				c.log.Info("recovered", "op", name, "attempts", attempt)
			}
			return nil
		}
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		c.metrics.retries.WithLabelValues(name).Inc()
		c.ready.Store(false)
		c.log.Warn("operation failed; retrying", "op", name, "attempt", attempt, "wait", wait, "err", err)
		if !sleepCtx(ctx, wait/2+rand.N(wait/2+1)) {
			return errors.Join(err, ctx.Err())
		}
		wait = min(wait*2, c.o.RetryMax)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
