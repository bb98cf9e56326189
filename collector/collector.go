package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
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
	// MaxRows closes a flush at this many messages, over all partitions.
	// Default 100000.
	MaxRows int
	// MaxWait hands the forming flush to the inserter once its oldest
	// message is this old and the inserter is free; while the inserter is
	// busy the flush goes on growing, so flushes grow with the load.
	// Default 1 s.
	MaxWait time.Duration
	// MaxPendingBytes bounds the message bytes the collector holds: the
	// flush being inserted and the one forming, each closed at half of it.
	// The heap follows it, whatever the number of partitions or the age of
	// a flush. Default 32 MiB.
	MaxPendingBytes int
	// DLQMaxBytes is the largest message (value and headers) written to
	// the DLQ topic; a larger invalid message goes there as a reference to
	// its origin with reason too_large. Default 900 KiB, below Kafka's
	// default message.max.bytes of 1 MiB.
	DLQMaxBytes int
	// DLQSweepEvery is how often the collector looks in the dlq table for
	// invalid messages that did not reach the DLQ topic (a full queue, a
	// failed write, a crash) and forwards them; rows younger than three
	// times this are left to the regular path. Default 10 s.
	DLQSweepEvery time.Duration
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
	// ProbeInterval is how often the collector checks that it can reach
	// the brokers (and authenticate), for Ready. Default 5 s.
	ProbeInterval time.Duration
	// Dialer carries TLS and SASL settings. Default: plain TCP.
	Dialer *kafka.Dialer
	// Transport is the transport of the DLQ writer and the broker probe
	// (TLS/SASL). Default kafka.DefaultTransport.
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
		o.MaxRows = 100000
	}
	if o.MaxWait <= 0 {
		o.MaxWait = time.Second
	}
	if o.MaxPendingBytes <= 0 {
		o.MaxPendingBytes = 32 << 20
	}
	if o.DLQMaxBytes <= 0 {
		o.DLQMaxBytes = 900 << 10
	}
	if o.DLQSweepEvery <= 0 {
		o.DLQSweepEvery = 10 * time.Second
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
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Collector consumes the event topics with a kafka-go consumer group and
// inserts flushes: the pending messages of every partition at once, one
// insert per table. Offsets are committed only after a flush is durable in
// ClickHouse (FetchMessage/CommitMessages, never auto-commit).
//
// Two goroutines share the work: the fetch loop fetches and forms the next
// flush; the flusher decodes (over all cores), deduplicates, inserts and
// commits the flush handed to it. While the flusher works, the next flush
// grows, so flushes are as large as the load makes them (bounded by
// MaxRows and MaxPendingBytes) and the fixed cost of a flush is spread
// over more messages the busier the collector is.
type Collector struct {
	o       Options
	in      *Ingester
	reader  *kafka.Reader
	metrics *Metrics
	log     *slog.Logger
	dlq     *dlqForwarder

	// Owned by the fetch loop.
	parts        map[partKey]*partState
	pendingBytes int
	pendingMsgs  int
	oldest       time.Time // when the forming flush got its first message
	lastCheck    time.Time

	// jobs carries flushes to the flusher. It is unbuffered: a hand-over
	// that does not wait succeeds only when the flusher is idle.
	jobs chan *job
	// decodes feeds the decoders: messages are decoded as they are
	// fetched, on every core, while the flusher inserts the previous flush.
	// decoding counts the forming flush's messages not decoded yet.
	decodes  chan decodeItem
	decoding *sync.WaitGroup

	storeOK   atomic.Bool
	kafkaErr  atomic.Pointer[string] // why the last broker probe failed; nil when it succeeded
	probeOnce sync.Once
	stats     Stats
}

// Stats are running totals, for tests and the demo's progress line.
type Stats struct {
	Loaded     atomic.Int64
	Duplicates atomic.Int64
	Invalid    atomic.Int64
	// Skipped counts messages of ranges an earlier run already inserted
	// (recorded done in ingest_state, or re-formed from Kafka).
	Skipped atomic.Int64
	Flushes atomic.Int64
}

// Seen is every message the collector has dealt with.
func (s *Stats) Seen() int64 {
	return s.Loaded.Load() + s.Duplicates.Load() + s.Invalid.Load() + s.Skipped.Load()
}

type partKey struct {
	topic     string
	partition int
}

// decodeItem is a message for the decoders and the group its flush waits on.
type decodeItem struct {
	m  *Message
	wg *sync.WaitGroup
}

// partState is what the fetch loop knows of one partition.
type partState struct {
	msgs  []*Message    // in the forming flush
	last  kafka.Message // the newest of msgs, committed after the flush
	bytes int
	next  int64 // offset expected next
	// skip are the ranges an earlier run recorded from the offset the
	// partition was taken over at: already in ClickHouse.
	skip []Recorded
	// skipped is the last message skipped, to commit with the next flush.
	skipped *kafka.Message
}

// job is a flush on its way to the flusher (with the offsets to commit
// after it), or, when synced is set, a marker the flusher closes once every
// flush before it is done.
type job struct {
	parts   []jobPart
	decoded *sync.WaitGroup // done when every message of parts is decoded
	commits []kafka.Message
	bytes   int
	synced  chan struct{}
}

// jobPart is one partition's range and messages in a job.
type jobPart struct {
	r    Range
	msgs []*Message
}

// flush is the job's Flush, once its messages are decoded.
func (j *job) flush() *Flush {
	j.decoded.Wait()
	f := &Flush{Parts: make([]Part, len(j.parts))}
	for i, p := range j.parts {
		msgs := make([]Message, len(p.msgs))
		for k, m := range p.msgs {
			msgs[k] = *m
		}
		f.Parts[i] = Part{Range: p.r, Msgs: msgs}
	}
	f.sortParts()
	return f
}

// New creates a collector writing to s. Run starts it.
func New(s store.Store, o Options) (*Collector, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	m := NewMetrics(o.Registerer)
	c := &Collector{
		o:        o,
		in:       NewIngester(s, o.Logger, m),
		metrics:  m,
		log:      o.Logger,
		parts:    map[partKey]*partState{},
		jobs:     make(chan *job),
		decodes:  make(chan decodeItem, 4096),
		decoding: &sync.WaitGroup{},
	}
	c.reader = kafka.NewReader(kafka.ReaderConfig{
		Brokers:     o.Brokers,
		GroupID:     o.Group,
		GroupTopics: o.Topics,
		Dialer:      o.Dialer,
		MinBytes:    1,
		// Per fetch and partition: what the reader buffers besides the
		// collector's own MaxPendingBytes.
		MaxBytes:       1 << 20,
		MaxWait:        250 * time.Millisecond,
		QueueCapacity:  1000,
		CommitInterval: 0, // synchronous commits, after the insert
		StartOffset:    kafka.FirstOffset,
		ErrorLogger:    kafka.LoggerFunc(func(f string, a ...any) { o.Logger.Debug(fmt.Sprintf(f, a...), "component", "kafka-reader") }),

		SessionTimeout:    o.SessionTimeout,
		RebalanceTimeout:  o.RebalanceTimeout,
		HeartbeatInterval: o.HeartbeatInterval,
		JoinGroupBackoff:  o.JoinGroupBackoff,
	})
	c.dlq = newDLQForwarder(c)
	c.storeOK.Store(true)
	return c, nil
}

// Check reports what New would refuse in o (after defaults), so that a
// command can refuse it before it opens a store: no brokers, or
// consumer-group timings that the broker would refuse or that would make
// the member evict itself (kafka-go panics on some).
func (o Options) Check() error {
	o = o.withDefaults()
	if len(o.Brokers) == 0 {
		return errors.New("no Kafka brokers given")
	}
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

// Stats returns the running totals.
func (c *Collector) Stats() *Stats { return &c.stats }

// Run consumes until ctx ends, then inserts and commits what it holds
// (bounded by ShutdownTimeout) and closes the consumer. A Collector runs once.
func (c *Collector) Run(ctx context.Context) error {
	c.log.Info("collector started", "brokers", c.o.Brokers, "group", c.o.Group, "topics", c.o.Topics)
	// The flusher outlives ctx: the flush formed when it ends is still
	// inserted and committed, for at most ShutdownTimeout after it.
	ictx, stopInserts := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInserts()
	flushed := make(chan error, 1)
	go func() { flushed <- c.flusher(ictx) }()
	var decoders sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		decoders.Add(1)
		go func() {
			defer decoders.Done()
			for it := range c.decodes {
				it.m.decode()
				it.wg.Done()
			}
		}()
	}
	var bg sync.WaitGroup
	bg.Add(2)
	go func() { defer bg.Done(); c.probe(ctx) }()
	go func() { defer bg.Done(); c.dlq.run(ctx) }()

	err := c.loop(ctx)
	t := time.AfterFunc(c.o.ShutdownTimeout, stopInserts)
	defer t.Stop()
	ferr := c.handOver(ictx, true)
	close(c.jobs)
	ferr = errors.Join(ferr, <-flushed)
	close(c.decodes)
	decoders.Wait()
	bg.Wait()
	cerr := c.reader.Close()
	derr := c.dlq.close()
	c.log.Info("collector stopped", "loaded", c.stats.Loaded.Load(), "duplicates", c.stats.Duplicates.Load(),
		"invalid", c.stats.Invalid.Load(), "skipped", c.stats.Skipped.Load())
	if err != nil && ctx.Err() == nil {
		return err
	}
	return errors.Join(ferr, cerr, derr)
}

// duePoll is how often a due flush asks again whether the flusher is free.
const duePoll = 20 * time.Millisecond

func (c *Collector) loop(ctx context.Context) error {
	for {
		if ctx.Err() != nil {
			return nil
		}
		fctx, cancel := ctx, context.CancelFunc(func() {})
		if !c.oldest.IsZero() {
			d := c.oldest.Add(c.o.MaxWait)
			if poll := time.Now().Add(duePoll); d.Before(poll) {
				d = poll
			}
			fctx, cancel = context.WithDeadline(ctx, d)
		}
		m, err := c.reader.FetchMessage(fctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if err := c.handOverDue(ctx, time.Now()); err != nil {
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
		if c.pendingMsgs >= c.o.MaxRows || c.pendingBytes >= c.o.MaxPendingBytes/2 {
			if err := c.handOver(ctx, true); err != nil {
				return err
			}
			continue
		}
		// Checking the age per message would cost more than the message;
		// every 20 ms is well inside MaxWait.
		if now := time.Now(); now.Sub(c.lastCheck) > duePoll {
			c.lastCheck = now
			if err := c.handOverDue(ctx, now); err != nil {
				return err
			}
		}
	}
}

// add puts a fetched message into the forming flush, or skips it when an
// earlier run recorded its range.
func (c *Collector) add(ctx context.Context, m kafka.Message) error {
	k := partKey{m.Topic, m.Partition}
	ps := c.parts[k]
	if ps == nil || m.Offset < ps.next {
		// First message of a partition, or the group rewound it to the
		// committed offset after a rebalance: start again from what
		// ingest_state recorded for these offsets.
		var err error
		if ps, err = c.takeOver(ctx, k, ps, m.Offset); err != nil {
			return err
		}
	}
	ps.next = m.Offset + 1
	for len(ps.skip) > 0 && ps.skip[0].Last < m.Offset {
		ps.skip = ps.skip[1:] // passed (a gap at its end)
	}
	if len(ps.skip) > 0 && m.Offset >= ps.skip[0].First {
		if m.Offset >= ps.skip[0].Last {
			ps.skip = ps.skip[1:]
		}
		ps.skipped = &m
		c.stats.Skipped.Add(1)
		if c.oldest.IsZero() {
			c.oldest = time.Now()
		}
		return nil
	}
	if c.oldest.IsZero() {
		c.oldest = time.Now()
	}
	msg := &Message{Offset: m.Offset, Value: m.Value}
	ps.msgs = append(ps.msgs, msg)
	c.decoding.Add(1)
	c.decodes <- decodeItem{msg, c.decoding}
	ps.last = m
	ps.bytes += len(m.Value)
	c.pendingBytes += len(m.Value)
	c.pendingMsgs++
	c.metrics.pendingBytes.Add(float64(len(m.Value)))
	return nil
}

// handOverDue hands the forming flush to the flusher when it is MaxWait old
// and the flusher is free. A due flush that finds the flusher busy goes on
// growing: while the store is the bottleneck, fewer and larger flushes are
// what lets it catch up.
func (c *Collector) handOverDue(ctx context.Context, now time.Time) error {
	if c.oldest.IsZero() || now.Sub(c.oldest) < c.o.MaxWait {
		return nil
	}
	return c.handOver(ctx, false)
}

// handOver closes the forming flush — every partition's pending messages —
// and hands it to the flusher, waiting for it when wait is set; otherwise it
// hands over only if the flusher is idle.
func (c *Collector) handOver(ctx context.Context, wait bool) error {
	j := &job{decoded: c.decoding, bytes: c.pendingBytes}
	for k, ps := range c.parts {
		switch {
		case len(ps.msgs) > 0:
			j.parts = append(j.parts, jobPart{
				r:    Range{Group: c.o.Group, Topic: k.topic, Partition: int32(k.partition), First: ps.msgs[0].Offset, Last: ps.msgs[len(ps.msgs)-1].Offset},
				msgs: ps.msgs,
			})
			j.commits = append(j.commits, ps.last)
		case ps.skipped != nil:
			j.commits = append(j.commits, *ps.skipped)
		}
	}
	if len(j.commits) == 0 {
		return nil
	}
	if wait {
		select {
		case c.jobs <- j:
		case <-ctx.Done():
			return fmt.Errorf("cannot hand a flush of %d messages to the inserter: %w", c.pendingMsgs, ctx.Err())
		}
	} else {
		select {
		case c.jobs <- j:
		default:
			return nil
		}
	}
	for _, ps := range c.parts {
		ps.msgs, ps.bytes, ps.skipped = nil, 0, nil // the flusher owns the old slices now
	}
	c.pendingBytes, c.pendingMsgs, c.oldest = 0, 0, time.Time{}
	c.decoding = &sync.WaitGroup{}
	return nil
}

// drain waits until the flusher has finished every flush handed to it so far.
func (c *Collector) drain(ctx context.Context) error {
	synced := make(chan struct{})
	select {
	case c.jobs <- &job{synced: synced}:
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

// flusher inserts the flushes in the order they were formed. A failure
// means ctx ended (inserts are retried until then): the flushes after it
// are dropped, uncommitted, and the next run reads them again.
func (c *Collector) flusher(ctx context.Context) error {
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

// insert writes one flush (retrying with backoff until it succeeds or ctx
// ends), hands its invalid messages to the DLQ forwarder, and only then
// commits the offsets.
func (c *Collector) insert(ctx context.Context, j *job) error {
	if len(j.parts) > 0 {
		f := j.flush()
		var out Outcome
		err := c.retry(ctx, "insert", func() error {
			var err error
			out, err = c.in.Ingest(ctx, f, false)
			if err != nil {
				c.metrics.insertErrors.Inc()
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("cannot insert flush %s: %w", f.Token(), err)
		}
		c.storeOK.Store(true)
		c.dlq.send(f, out.Rejected)
		c.stats.Loaded.Add(int64(out.Loaded))
		c.stats.Duplicates.Add(int64(out.Duplicates))
		c.stats.Invalid.Add(int64(len(out.Rejected)))
		c.stats.Flushes.Add(1)
	}
	c.commit(ctx, j.commits)
	return nil
}

// commit commits the offsets of a done flush. A failure is not retried for
// long: the flush is recorded as done, so whoever reads these offsets next
// skips it; nothing is lost or counted twice.
func (c *Collector) commit(ctx context.Context, msgs []kafka.Message) {
	if len(msgs) == 0 {
		return
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = c.reader.CommitMessages(ctx, msgs...); err == nil || ctx.Err() != nil {
			break
		}
		c.metrics.retries.WithLabelValues("commit").Inc()
		if !sleepCtx(ctx, c.o.RetryMin) {
			break
		}
	}
	if err != nil {
		c.log.Warn("cannot commit offsets; the next owner of the partitions will skip the done flush", "partitions", len(msgs), "err", err)
	}
	for _, m := range msgs {
		c.metrics.lag.WithLabelValues(m.Topic, strconv.Itoa(m.Partition)).Set(float64(max(m.HighWaterMark-m.Offset-1, 0)))
	}
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
		c.storeOK.Store(false)
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
