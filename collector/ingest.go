// Package collector moves events from Kafka (or a JSONL file, for replay)
// into ClickHouse exactly once in effect: decode and validate, send invalid
// events to the dead-letter queue with a reason, drop producer duplicates,
// and insert each flush — the pending messages of every partition, as one
// offset range per partition — with a deterministic deduplication token,
// recording its ranges before and after so that a restarted collector
// re-forms exactly the recorded flush.
package collector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
)

// Range is a contiguous offset range of one partition (or of one replayed
// file's lines): what one flush took from it.
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

// Token is the range's name: topic/partition/first-last. A flush of one
// range uses it as its insert_deduplication_token.
func (r Range) Token() string {
	return r.Topic + "/" + strconv.Itoa(int(r.Partition)) + "/" + strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10)
}

func (r Range) String() string { return r.Token() }

// Message is one raw event of a batch.
type Message struct {
	Offset int64
	Value  []byte
	// ev or rej is set once the message is decoded; the flush decodes its
	// messages in parallel and keeps the result, so a retried insert does
	// not decode again. size keeps the length of Value, which is dropped
	// for a valid message (the event holds what the insert needs).
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
		m.Value = nil
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

// Part is the messages one flush takes from one partition: the whole range
// r, in offset order.
type Part struct {
	Range Range
	Msgs  []Message
}

// Flush is what one insert round writes: the parts of one or more
// partitions. Parts are kept in (topic, partition) order, so the same set of
// ranges always makes the same flush, rows and token.
type Flush struct {
	Parts []Part
}

// sortParts puts the parts in (topic, partition) order.
func (f *Flush) sortParts() {
	slices.SortFunc(f.Parts, func(a, b Part) int {
		if c := strings.Compare(a.Range.Topic, b.Range.Topic); c != 0 {
			return c
		}
		return int(a.Range.Partition) - int(b.Range.Partition)
	})
}

// Token is the flush's insert_deduplication_token: the range's own token for
// a flush of one range (a replayed batch, or a partition alone), else a
// hash of its ranges. It depends only on the ranges, so a flush re-formed
// after a crash carries the token of the recorded one.
func (f *Flush) Token() string {
	if len(f.Parts) == 1 {
		return f.Parts[0].Range.Token()
	}
	f.sortParts()
	h := sha256.New()
	for _, p := range f.Parts {
		h.Write([]byte(p.Range.Token()))
		h.Write([]byte{';'})
	}
	return "flush/" + hex.EncodeToString(h.Sum(nil)[:16])
}

// messages is the number of messages in the flush.
func (f *Flush) messages() int {
	n := 0
	for _, p := range f.Parts {
		n += len(p.Msgs)
	}
	return n
}

// Rejected is an invalid message of a batch.
type Rejected struct {
	Offset int64
	Type   string // the CloudEvents type when it could be read (raw; see schemas.TypeLabel)
	Reason string // stable reason code, e.g. missing_field:queued_at
	Detail string // scrubbed of personal data by schemas
	Value  []byte
	Origin string // topic/partition/offset or file:line
	Part   int    // index of its part in the flush
}

// Outcome counts what a flush did.
type Outcome struct {
	Loaded     int
	Duplicates int
	Rejected   []Rejected
	// AlreadyDone is set when ingest_state showed the flush as done: nothing
	// was inserted and every valid event counts as a duplicate.
	AlreadyDone bool
	Bytes       int
}

// Ingester is the store side of the collector, shared with replay: one
// flush in, rows in ClickHouse out.
type Ingester struct {
	store   store.Store
	log     *slog.Logger
	metrics *Metrics
	// MaxPartitionsPerBlock bounds the table partitions (months) one insert
	// block spans; ClickHouse refuses more than 100 by default
	// (max_partitions_per_insert_block), so a backfill across years is split.
	maxPartitions int
}

// NewIngester returns an Ingester writing to s. metrics may be nil.
func NewIngester(s store.Store, log *slog.Logger, m *Metrics) *Ingester {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Ingester{store: s, log: log, metrics: m, maxPartitions: 50}
}

// Status of a range in ingest_state.
const (
	statusInflight = "inflight"
	statusDone     = "done"
)

// Recorded is a range found in ingest_state, with the flush it belongs to.
type Recorded struct {
	First  int64  `json:"first_offset"`
	Last   int64  `json:"last_offset"`
	Status string `json:"status"`
	// Flush is the token of the flush that wrote the range ("" for a range
	// recorded before flushes spanned partitions: its own token).
	Flush string `json:"flush"`
}

// Recorded returns the recorded ranges of a partition that start at or
// after from, as a chain of adjacent ranges in offset order: what a
// collector taking the partition over must skip (done) or re-form
// (in flight) rather than insert again.
func (in *Ingester) Recorded(ctx context.Context, group, topic string, partition int32, from int64) ([]Recorded, error) {
	rows, err := store.QueryAll[Recorded](ctx, in.store, `
SELECT first_offset, last_offset, toString(argMax(status, updated_at)) AS status, argMax(flush, updated_at) AS flush
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

// FlushRanges returns the ranges the flush token wrote, over every
// partition, for re-forming it.
func (in *Ingester) FlushRanges(ctx context.Context, group, token string) ([]Range, error) {
	type row struct {
		Topic     string `json:"topic"`
		Partition int32  `json:"partition"`
		First     int64  `json:"first_offset"`
		Last      int64  `json:"last_offset"`
	}
	rows, err := store.QueryAll[row](ctx, in.store, `
SELECT DISTINCT topic, partition, first_offset, last_offset FROM ingest_state
WHERE group = {g:String} AND flush = {f:String}
ORDER BY topic, partition`, store.Params{"g": group, "f": token})
	if err != nil {
		return nil, fmt.Errorf("cannot read the ranges of flush %s: %w", token, err)
	}
	out := make([]Range, len(rows))
	for i, r := range rows {
		out[i] = Range{Group: group, Topic: r.Topic, Partition: r.Partition, First: r.First, Last: r.Last}
	}
	return out, nil
}

// mark records every range of the flush with status, in one write.
func (in *Ingester) mark(ctx context.Context, f *Flush, token, status string) error {
	now := time.Now().UTC()
	rows := make([][]any, len(f.Parts))
	for i, p := range f.Parts {
		r := p.Range
		rows[i] = []any{r.Group, r.Topic, r.Partition, r.First, r.Last, status, uint32(len(p.Msgs)), now, token}
	}
	return in.store.Insert(ctx, &store.Block{
		Table:   "ingest_state",
		Columns: []string{"group", "topic", "partition", "first_offset", "last_offset", "status", "rows", "updated_at", "flush"},
		Rows:    rows,
	})
}

// decodeAll decodes every message of the flush, spread over the cores.
func decodeAll(f *Flush) {
	var all []*Message
	for i := range f.Parts {
		for j := range f.Parts[i].Msgs {
			all = append(all, &f.Parts[i].Msgs[j])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(all)/2000+1)
	if workers <= 1 {
		for _, m := range all {
			m.decode()
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(all) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		part := all[min(w*chunk, len(all)):min((w+1)*chunk, len(all))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range part {
				m.decode()
			}
		}()
	}
	wg.Wait()
}

// Ingest decodes, validates, deduplicates and inserts one flush, recording
// its ranges in ingest_state as in flight before and done after. It is safe
// to call again with the same flush after any failure, and to call with
// the same ranges from another process re-forming it after a crash: the
// result in ClickHouse is that of one successful call. When done is set the
// flush is known to be done already (a replayed file): nothing is written.
func (in *Ingester) Ingest(ctx context.Context, f *Flush, done bool) (Outcome, error) {
	var out Outcome
	start := time.Now()
	token := f.Token()
	decodeAll(f)
	tDecode := time.Since(start)

	// The first valid event with an id wins, within the flush in its part
	// order, and against the events other flushes inserted.
	type pending struct {
		ev    *schemas.Event
		topic string
	}
	var evs []pending
	seen := map[string]struct{}{}
	// Counted once the flush is in, so that a retried flush counts once.
	counts := map[countKey]int{}
	count := func(topic, typ, result string) { counts[countKey{topic, schemas.TypeLabel(typ), result}]++ }
	for pi, p := range f.Parts {
		for i := range p.Msgs {
			m := &p.Msgs[i]
			out.Bytes += m.size
			if m.rej != nil {
				rej := *m.rej
				rej.Origin, rej.Part = p.Range.origin(m.Offset), pi
				out.Rejected = append(out.Rejected, rej)
				continue
			}
			if _, dup := seen[m.ev.ID]; dup {
				out.Duplicates++
				count(p.Range.Topic, m.ev.Type, "duplicate")
				continue
			}
			seen[m.ev.ID] = struct{}{}
			evs = append(evs, pending{m.ev, p.Range.Topic})
		}
	}
	if done {
		out.AlreadyDone = true
		out.Duplicates += len(evs)
		for _, e := range evs {
			count(e.topic, e.ev.Type, "duplicate")
		}
		in.count(f, out.Rejected, counts)
		return out, nil
	}

	if err := in.mark(ctx, f, token, statusInflight); err != nil {
		return out, fmt.Errorf("cannot record flush %s as in flight: %w", token, err)
	}
	tMark := time.Since(start)
	// Claims first: every id of the flush is claimed under its token, then
	// the earliest claim of each id wins. A collector flushing the same ids
	// at the same time (the old owner of a partition, still inserting what
	// it fetched before a rebalance) decides by the same claims, so exactly
	// one of them inserts each event; a re-sent flush finds its own claims
	// (the insert is deduplicated by token) and decides as before.
	ids := make([]string, len(evs))
	idRows := make([][]any, len(evs))
	for i, e := range evs {
		ids[i] = e.ev.ID
		idRows[i] = []any{e.ev.ID, e.ev.Type, token}
	}
	if len(idRows) > 0 {
		if err := in.store.Insert(ctx, &store.Block{Table: "event_ids", Columns: []string{"event_id", "type", "token"}, Rows: idRows, Token: token}); err != nil {
			return out, fmt.Errorf("cannot claim the %d event ids of flush %s: %w", len(idRows), token, err)
		}
	}
	tIDs := time.Since(start)
	claimed, err := in.claimedElsewhere(ctx, ids, token)
	if err != nil {
		return out, err
	}
	tLookup := time.Since(start)
	tables := map[string]*tableRows{}
	var order []string // tables in first-seen order, for deterministic inserts
	for _, e := range evs {
		if _, dup := claimed[e.ev.ID]; dup {
			out.Duplicates++
			count(e.topic, e.ev.Type, "duplicate")
			continue
		}
		info, _ := schemas.Info(e.ev.Type)
		t := tables[info.Table]
		if t == nil {
			t = &tableRows{info: info}
			tables[info.Table] = t
			order = append(order, info.Table)
		}
		t.add(e.ev)
		count(e.topic, e.ev.Type, "loaded")
		out.Loaded++
	}
	insertStart := time.Now()
	for _, name := range order {
		t := tables[name]
		for k, blk := range t.blocks(in.maxPartitions) {
			tok := token
			if k > 0 {
				tok = token + "#" + strconv.Itoa(k)
			}
			if err := in.store.Insert(ctx, &store.Block{Table: name, Columns: t.info.InsertColumns(), Rows: blk, Token: tok}); err != nil {
				return out, fmt.Errorf("cannot insert flush %s into %s (%d rows): %w", token, name, len(blk), err)
			}
		}
	}
	if len(out.Rejected) > 0 {
		rows := make([][]any, len(out.Rejected))
		for i, rej := range out.Rejected {
			rows[i] = []any{rej.Origin, rej.Reason, rej.Detail, schemas.SafeText(schemas.Scrub(rej.Type), 100), string(schemas.Redact(capPayload(rej.Value)))}
		}
		if err := in.store.Insert(ctx, &store.Block{Table: "dlq", Columns: []string{"origin", "reason", "detail", "event_type", "payload"}, Rows: rows, Token: token}); err != nil {
			return out, fmt.Errorf("cannot insert flush %s into dlq: %w", token, err)
		}
	}
	tTables := time.Since(start)
	if err := in.mark(ctx, f, token, statusDone); err != nil {
		return out, fmt.Errorf("cannot record flush %s as done: %w", token, err)
	}
	in.metrics.insertDuration.Observe(time.Since(insertStart).Seconds())
	in.metrics.batchRows.Observe(float64(f.messages()))
	in.metrics.batchBytes.Observe(float64(out.Bytes))
	in.metrics.lastInsert.SetToCurrentTime()
	in.count(f, out.Rejected, counts)
	in.log.Debug("flush inserted", "token", token, "partitions", len(f.Parts), "messages", f.messages(),
		"rows", out.Loaded, "duplicates", out.Duplicates, "invalid", len(out.Rejected), "took", time.Since(start),
		"decode", tDecode, "inflight", tMark-tDecode, "ids", tIDs-tMark, "lookup", tLookup-tIDs, "tables", tTables-tLookup,
		"done", time.Since(start)-tTables)
	return out, nil
}

// maxStoredPayload bounds the (redacted) payload of a rejected event kept in
// the dlq table; the original stays in its topic (and in cs.dlq when it fits).
const maxStoredPayload = 64 << 10

func capPayload(b []byte) []byte {
	if len(b) <= maxStoredPayload {
		return b
	}
	return b[:maxStoredPayload]
}

// countKey labels one count of events_total.
type countKey struct{ topic, typ, result string }

// count adds a done flush's counts to the metrics. Labels come from the
// contract (schemas.TypeLabel, reason codes), so the series stay few and
// valid whatever producers send.
func (in *Ingester) count(f *Flush, rej []Rejected, counts map[countKey]int) {
	for _, r := range rej {
		counts[countKey{f.Parts[r.Part].Range.Topic, schemas.TypeLabel(r.Type), "invalid"}]++
		in.metrics.dlq.WithLabelValues(r.Reason).Inc()
	}
	for k, n := range counts {
		in.metrics.events.WithLabelValues(k.topic, k.typ, k.result).Add(float64(n))
	}
}

// tableRows are the rows of one table in a flush, grouped by the month the
// table partitions them into.
type tableRows struct {
	info   schemas.TypeInfo
	months map[int][][]any
	order  []int
}

func (t *tableRows) add(ev *schemas.Event) {
	m := partitionMonth(ev)
	if t.months == nil {
		t.months = map[int][][]any{}
	}
	if _, ok := t.months[m]; !ok {
		t.order = append(t.order, m)
	}
	t.months[m] = append(t.months[m], ev.Row())
}

// blocks returns the rows in insert blocks that each span at most max
// months: a backfill across years would otherwise exceed ClickHouse's
// partitions per insert block and fail every retry. Months go in
// ascending order, so the same rows always make the same blocks.
func (t *tableRows) blocks(max int) [][][]any {
	slices.Sort(t.order)
	var out [][][]any
	for i := 0; i < len(t.order); i += max {
		var blk [][]any
		for _, m := range t.order[i:min(i+max, len(t.order))] {
			blk = append(blk, t.months[m]...)
		}
		out = append(out, blk)
	}
	return out
}

// partitionMonth is the month (yyyymm) of the timestamp the event's table
// and its rollups partition by (internal/store/migrations).
func partitionMonth(ev *schemas.Event) int {
	var t time.Time
	switch d := ev.Data.(type) {
	case *schemas.CallEnded:
		t = d.EndedAt
		if d.QueuedAt != nil {
			t = *d.QueuedAt
		}
	case *schemas.EmailReceived:
		t = d.ReceivedAt
	case *schemas.EmailReplied:
		t = d.RepliedAt
	case *schemas.OrderEntered:
		t = d.EnteredAt
	case *schemas.CallbackRequested:
		t = d.RequestedAt
	case *schemas.CallbackAttempted:
		t = d.AttemptedAt
	case *schemas.CallbackCancelled:
		t = d.CancelledAt
	case *schemas.AgentState:
		t = d.At
	case *schemas.AgentRoster:
		t = d.At
	case *schemas.CustomerUpdated:
		t = d.At
	case *schemas.CustomerChurned:
		t = d.ChurnedAt
	}
	return t.Year()*100 + int(t.Month())
}

// lookupChunk bounds the ids per look-up query: the ids travel as one
// newline-separated String parameter (much cheaper for ClickHouse to parse
// than an Array literal), and parameters have size limits.
const lookupChunk = 50000

// claimedElsewhere returns the ids among ids (all claimed by token already)
// whose earliest claim is another flush's: producer duplicates, or the same
// offsets flushed by two collectors around a rebalance, dropped so that no
// KPI counts them twice.
func (in *Ingester) claimedElsewhere(ctx context.Context, ids []string, token string) (map[string]struct{}, error) {
	out := map[string]struct{}{}
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		list := `(SELECT arrayJoin(splitByChar('\n', {ids:String})))`
		p := store.Params{"ids": strings.Join(chunk, "\n"), "token": token}
		if anyContains(chunk, '\n') {
			// An id with a newline (legal, if odd) cannot travel joined.
			list = `{ids:Array(String)}`
			p["ids"] = chunk
		}
		q := `SELECT event_id FROM event_ids WHERE event_id IN ` + list + `
GROUP BY event_id HAVING argMin(token, (claimed_at, token)) != {token:String}`
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
