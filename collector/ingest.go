// Package collector moves events from Kafka (or a JSONL file, for replay)
// into ClickHouse exactly once in effect: decode and validate, send invalid
// events to the dead-letter queue with a reason, drop producer duplicates,
// and insert each batch with a deterministic deduplication token, recording
// the batch's offset range before and after so that a restarted collector
// re-sends an interrupted batch with the same boundaries.
package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// Range is one batch: a contiguous offset range of one partition (or of one
// replayed file's lines). Its token identifies the batch in ClickHouse.
type Range struct {
	Group     string // consumer group ("replay" for files)
	Topic     string
	Partition int32
	First     int64
	Last      int64
	// Source names the input in DLQ rows ("file.jsonl" for a replay); the
	// default is topic/partition.
	Source string
}

// origin names one message of the range for the DLQ table.
func (r Range) origin(offset int64) string {
	if r.Source != "" {
		return r.Source + ":" + strconv.FormatInt(offset, 10)
	}
	return r.Topic + "/" + strconv.Itoa(int(r.Partition)) + "/" + strconv.FormatInt(offset, 10)
}

// Token is the insert_deduplication_token of the batch: topic/partition/first-last.
func (r Range) Token() string {
	return r.Topic + "/" + strconv.Itoa(int(r.Partition)) + "/" + strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10)
}

func (r Range) String() string { return r.Token() }

// Message is one raw event of a batch.
type Message struct {
	Offset int64
	Value  []byte
	// ev or rej is set once the message is decoded. The collector decodes
	// at fetch time, so that decoding overlaps the previous batch's inserts
	// and the inserter does store work only; it then drops Value of a valid
	// message, which only the event is needed of, and size keeps its length.
	ev   *schemas.Event
	rej  *Rejected
	size int
}

// decode validates the message once, keeping the event or why it is invalid.
func (m *Message) decode() {
	if m.ev != nil || m.rej != nil {
		return
	}
	m.size = len(m.Value)
	ev, err := schemas.Decode(m.Value)
	if err == nil {
		m.ev = ev
		return
	}
	rej := Rejected{Offset: m.Offset, Value: m.Value, Reason: "invalid", Detail: err.Error()}
	var inv *schemas.Invalid
	if errors.As(err, &inv) {
		rej.Reason, rej.Detail = inv.Reason, inv.Detail
	}
	rej.Type = peekType(m.Value)
	m.rej = &rej
}

// Rejected is an invalid message of a batch.
type Rejected struct {
	Offset int64
	Type   string // the CloudEvents type when it could be read
	Reason string // stable reason code, e.g. missing_field:queued_at
	Detail string
	Value  []byte
}

// Outcome counts what a batch did.
type Outcome struct {
	Loaded     int
	Duplicates int
	Rejected   []Rejected
	// AlreadyDone is set when ingest_state showed the range as done: nothing
	// was inserted and every valid event counts as a duplicate.
	AlreadyDone bool
	Bytes       int
}

// Ingester is the store side of the collector, shared with replay: one
// batch in, rows in ClickHouse out.
type Ingester struct {
	store   store.Store
	log     *slog.Logger
	metrics *Metrics
}

// NewIngester returns an Ingester writing to s. metrics may be nil.
func NewIngester(s store.Store, log *slog.Logger, m *Metrics) *Ingester {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Ingester{store: s, log: log, metrics: m}
}

// Status of a range in ingest_state.
const (
	statusInflight = "inflight"
	statusDone     = "done"
)

// PlannedRange is a range found in ingest_state at or after an offset.
type PlannedRange struct {
	First  int64  `json:"first_offset"`
	Last   int64  `json:"last_offset"`
	Status string `json:"status"`
}

// Planned returns the recorded ranges of a partition that start at or after
// from, in offset order: a restarted consumer re-sends an in-flight range
// with the same boundaries (so the same token) and skips a done one.
func (in *Ingester) Planned(ctx context.Context, group, topic string, partition int32, from int64) ([]PlannedRange, error) {
	rows, err := store.QueryAll[PlannedRange](ctx, in.store, `
SELECT first_offset, last_offset, toString(argMax(status, updated_at)) AS status
FROM ingest_state
WHERE group = {g:String} AND topic = {t:String} AND partition = {p:Int32} AND first_offset >= {f:Int64}
GROUP BY first_offset, last_offset
ORDER BY first_offset`, store.Params{"g": group, "t": topic, "p": int64(partition), "f": from})
	if err != nil {
		return nil, fmt.Errorf("cannot read ingest state of %s/%d: %w", topic, partition, err)
	}
	// A crash can leave a range recorded with boundaries that a later run
	// superseded; keep a chain of non-overlapping ranges from `from`.
	out := rows[:0]
	next := from
	for _, r := range rows {
		if r.First != next {
			continue
		}
		out = append(out, r)
		next = r.Last + 1
	}
	return out, nil
}

// markRange records the range's status in ingest_state.
func (in *Ingester) markRange(ctx context.Context, r Range, status string, rows int) error {
	return in.store.Insert(ctx, &store.Block{
		Table:   "ingest_state",
		Columns: []string{"group", "topic", "partition", "first_offset", "last_offset", "status", "rows", "updated_at"},
		Rows:    [][]any{{r.Group, r.Topic, r.Partition, r.First, r.Last, status, uint32(rows), time.Now().UTC()}},
	})
}

// Ingest decodes, validates, deduplicates and inserts one batch. msgs must be
// the whole range r in offset order. It is safe to call again with the same
// range after any failure: the result in ClickHouse is the same as one
// successful call. The topic used in metrics is r.Topic. Each message is
// decoded once: the result stays in msgs, so a retry does not decode again.
func (in *Ingester) Ingest(ctx context.Context, r Range, msgs []Message, done bool) (Outcome, error) {
	var out Outcome
	start := time.Now()
	token := r.Token()

	type tableRows struct {
		info schemas.TypeInfo
		rows [][]any
	}
	tables := map[string]*tableRows{}
	var order []string // tables in first-seen order, for deterministic inserts
	seen := make(map[string]struct{}, len(msgs))
	var ids []string
	var idTypes []string
	var pending []*schemas.Event
	for i := range msgs {
		m := &msgs[i]
		m.decode()
		out.Bytes += m.size
		if m.rej != nil {
			out.Rejected = append(out.Rejected, *m.rej)
			continue
		}
		ev := m.ev
		if _, dup := seen[ev.ID]; dup {
			out.Duplicates++
			in.metrics.events.WithLabelValues(r.Topic, ev.Type, "duplicate").Inc()
			continue
		}
		seen[ev.ID] = struct{}{}
		ids = append(ids, ev.ID)
		idTypes = append(idTypes, ev.Type)
		pending = append(pending, ev)
	}

	if done {
		// The range was inserted before (replay of a file already loaded, or a
		// batch whose offsets were not committed): nothing to write.
		out.AlreadyDone = true
		out.Duplicates += len(pending)
		for _, ev := range pending {
			in.metrics.events.WithLabelValues(r.Topic, ev.Type, "duplicate").Inc()
		}
		in.countRejected(r.Topic, out.Rejected)
		return out, nil
	}

	if err := in.markRange(ctx, r, statusInflight, len(msgs)); err != nil {
		return out, fmt.Errorf("cannot record batch %s as in flight: %w", token, err)
	}
	claimed, err := in.claimedElsewhere(ctx, ids, token)
	if err != nil {
		return out, err
	}
	var idRows [][]any
	for i, ev := range pending {
		if _, dup := claimed[ev.ID]; dup {
			out.Duplicates++
			in.metrics.events.WithLabelValues(r.Topic, ev.Type, "duplicate").Inc()
			continue
		}
		info, _ := schemas.Info(ev.Type)
		t := tables[info.Table]
		if t == nil {
			t = &tableRows{info: info}
			tables[info.Table] = t
			order = append(order, info.Table)
		}
		t.rows = append(t.rows, ev.Row())
		idRows = append(idRows, []any{ev.ID, idTypes[i], token})
		out.Loaded++
	}
	insertStart := time.Now()
	for _, name := range order {
		t := tables[name]
		if err := in.store.Insert(ctx, &store.Block{Table: name, Columns: t.info.InsertColumns(), Rows: t.rows, Token: token}); err != nil {
			return out, fmt.Errorf("cannot insert batch %s into %s (%d rows): %w", token, name, len(t.rows), err)
		}
	}
	if len(out.Rejected) > 0 {
		rows := make([][]any, len(out.Rejected))
		for i, rej := range out.Rejected {
			rows[i] = []any{r.origin(rej.Offset),
				rej.Reason, rej.Detail, rej.Type, string(schemas.Redact(rej.Value))}
		}
		if err := in.store.Insert(ctx, &store.Block{Table: "dlq", Columns: []string{"origin", "reason", "detail", "event_type", "payload"}, Rows: rows, Token: token}); err != nil {
			return out, fmt.Errorf("cannot insert batch %s into dlq: %w", token, err)
		}
	}
	// Ids last: until they are in, a re-sent batch decides exactly as this one.
	if err := in.store.Insert(ctx, &store.Block{Table: "event_ids", Columns: []string{"event_id", "type", "token"}, Rows: idRows, Token: token}); err != nil {
		return out, fmt.Errorf("cannot insert batch %s into event_ids: %w", token, err)
	}
	if err := in.markRange(ctx, r, statusDone, len(msgs)); err != nil {
		return out, fmt.Errorf("cannot record batch %s as done: %w", token, err)
	}
	in.metrics.insertDuration.Observe(time.Since(insertStart).Seconds())
	in.metrics.batchRows.Observe(float64(len(msgs)))
	in.metrics.batchBytes.Observe(float64(out.Bytes))
	in.metrics.lastInsert.SetToCurrentTime()
	for _, name := range order {
		t := tables[name]
		in.metrics.events.WithLabelValues(r.Topic, t.info.Type, "loaded").Add(0) // keep the series present
	}
	for _, ev := range pending {
		if _, dup := claimed[ev.ID]; !dup {
			in.metrics.events.WithLabelValues(r.Topic, ev.Type, "loaded").Inc()
		}
	}
	in.countRejected(r.Topic, out.Rejected)
	in.log.Debug("batch inserted", "topic", r.Topic, "partition", r.Partition, "first", r.First, "last", r.Last,
		"rows", out.Loaded, "duplicates", out.Duplicates, "invalid", len(out.Rejected), "took", time.Since(start))
	return out, nil
}

func (in *Ingester) countRejected(topic string, rej []Rejected) {
	for _, r := range rej {
		in.metrics.events.WithLabelValues(topic, r.Type, "invalid").Inc()
		in.metrics.dlq.WithLabelValues(r.Reason).Inc()
	}
}

// lookupChunk bounds the ids per look-up query: the ids travel as one
// newline-separated String parameter (much cheaper for ClickHouse to parse
// than an Array literal), and parameters have size limits.
const lookupChunk = 20000

// claimedElsewhere returns the ids among ids that another batch already
// inserted: producer duplicates, dropped so that no KPI counts them twice.
func (in *Ingester) claimedElsewhere(ctx context.Context, ids []string, token string) (map[string]struct{}, error) {
	out := map[string]struct{}{}
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		q := `SELECT DISTINCT event_id FROM event_ids
WHERE event_id IN (SELECT arrayJoin(splitByChar('\n', {ids:String}))) AND token != {token:String}`
		p := store.Params{"ids": strings.Join(chunk, "\n"), "token": token}
		if anyContains(chunk, '\n') {
			// An id with a newline (legal, if odd) cannot travel joined.
			q = `SELECT DISTINCT event_id FROM event_ids WHERE event_id IN {ids:Array(String)} AND token != {token:String}`
			p["ids"] = chunk
		}
		err := in.store.Query(ctx, q, p, func(row []byte) error {
			id, err := jsonField(row, "event_id")
			if err != nil {
				return err
			}
			out[id] = struct{}{}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("cannot look up %d event ids: %w", len(chunk), err)
		}
	}
	return out, nil
}

func anyContains(ids []string, c byte) bool {
	for _, id := range ids {
		if strings.IndexByte(id, c) >= 0 {
			return true
		}
	}
	return false
}
