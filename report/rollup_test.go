package report

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"

	"context"
	"math"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// rollupRawSQL is the straightforward per-queue, per-15-minute computation
// from raw calls that the rollup must equal.
const rollupRawSQL = `
SELECT
    toStartOfFifteenMinutes(queued) AS interval_start,
    toString(q) AS queue,
    countIf(is_answered) AS answered,
    countIf(NOT is_answered AND w >= short_sec) AS abandoned,
    countIf(NOT is_answered AND w < short_sec) AS short_abandoned,
    answered + abandoned AS offered,
    if(offered = 0, NULL, countIf(is_answered AND w <= sl_sec) / offered) AS service_level,
    if(offered = 0, NULL, abandoned / offered) AS abandon_rate,
    avgOrNullIf(w, is_answered) AS asa_sec,
    avgOrNullIf(handle, is_answered) AS aht_sec,
    quantileExactInclusiveOrNullIf(0.9)(w, is_answered) AS wait_p90_sec
FROM (
    SELECT
        queue AS q,
        assumeNotNull(queued_at) AS queued,
        answered_at IS NOT NULL AS is_answered,
        (toUnixTimestamp64Milli(coalesce(answered_at, ended_at)) - toUnixTimestamp64Milli(queued)) / 1000 AS w,
        talk_sec + hold_sec + wrap_sec AS handle,
        if(queue = {queue:String}, {queue_sl:Float64}, {sl:Float64}) AS sl_sec,
        if(queue = {queue:String}, {queue_short:Float64}, {short:Float64}) AS short_sec
    FROM calls
    WHERE direction = 'inbound' AND queued_at >= {from:DateTime64(3, 'UTC')} AND queued_at < {to:DateTime64(3, 'UTC')}
)
GROUP BY interval_start, queue
ORDER BY interval_start, queue`

// TestRollupEqualsRaw: after loading the basic scenario, the calls_15m
// rollup gives per queue, per 15 minutes and for the whole window the same
// offered, answered, abandoned, service level, ASA, AHT and p90 wait as raw
// events — and, for the window, as the report — with the default
// thresholds and with others, billing's own: the rollup keeps what any
// threshold needs.
func TestRollupEqualsRaw(t *testing.T) {
	dir := filepath.Join(scenarios, "basic")
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
	from, to := eventtest.Window(t, dir)
	for _, tc := range []struct {
		config                       string
		sl, short, billSL, billShort float64
	}{
		{"", 20, 5, 20, 5},
		{"targets: {default: {sl_threshold: 15s}, billing: {sl_threshold: 40s}}\nqueues: {default: {short_abandon: 3s}, billing: {short_abandon: 9s}}\n",
			15, 3, 40, 9},
	} {
		c, err := kpi.ParseConfig([]byte(tc.config))
		if err != nil {
			t.Fatal(err)
		}
		p := store.Params{"from": from, "to": to, "queue": "billing", "sl": tc.sl, "short": tc.short, "queue_sl": tc.billSL, "queue_short": tc.billShort}
		rollupEqualsRaw(t, s, from, to, c, p)
	}
}

func rollupEqualsRaw(t *testing.T, s store.Store, from, to time.Time, c kpi.Config, p store.Params) {
	ctx := context.Background()
	raw, err := store.QueryAll[QueueInterval](ctx, s, rollupRawSQL, p)
	if err != nil {
		t.Fatal(err)
	}
	got, err := QueueIntervals(ctx, s, from, to, RollupBucket, "", c)
	if err != nil {
		t.Fatal(err)
	}
	got = rollupInbound(got)
	if len(raw) == 0 {
		t.Fatal("the basic scenario has no inbound call in its window")
	}
	if len(got) != len(raw) {
		t.Fatalf("rollup has %d queue intervals, raw %d", len(got), len(raw))
	}
	for i := range raw {
		rollupCompare(t, got[i], raw[i])
	}

	whole, err := QueueIntervals(ctx, s, from, to, 0, "", c)
	if err != nil {
		t.Fatal(err)
	}
	whole = rollupInbound(whole)
	r, err := BuildReport(ctx, s, from, to, "", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != len(r.Queues) {
		t.Fatalf("rollup has %d queues for the window, the report %d", len(whole), len(r.Queues))
	}
	for i, q := range r.Queues {
		rollupCompare(t, whole[i], QueueInterval{Start: from, Queue: q.Queue, CallStats: CallStats{Offered: q.Offered, Answered: q.Answered,
			Abandoned: q.Abandoned, ShortAbandoned: whole[i].ShortAbandoned, ServiceLevel: q.ServiceLevel,
			AbandonRate: q.AbandonRate, ASASec: q.ASASec, AHTSec: q.AHTSec, WaitP90Sec: whole[i].WaitP90Sec}})
	}
	var offered int64
	for _, q := range whole {
		offered += q.Offered
	}
	if offered != r.Calls.Offered {
		t.Errorf("offered over all queues: rollup %d, report %d", offered, r.Calls.Offered)
	}
}

// TestRollupIgnoresResentBlock: a block re-inserted with the same
// deduplication token (a collector retry) changes neither the raw table nor
// the rollup; a different token does count.
func TestRollupIgnoresResentBlock(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	q := time.Date(2026, 10, 3, 9, 1, 0, 0, time.UTC)
	var rows [][]any
	for i, wait := range []time.Duration{3 * time.Second, 10 * time.Second, 30 * time.Second} {
		queued := q.Add(time.Duration(i) * time.Minute)
		answered := queued.Add(wait)
		ev := &schemas.Event{ID: "resend-" + string(rune('a'+i)), Type: schemas.TypeCallEnded, Source: "test",
			Data: &schemas.CallEnded{CallID: "c" + string(rune('a'+i)), Direction: "inbound", Queue: "billing",
				QueuedAt: &queued, AnsweredAt: &answered, EndedAt: answered.Add(time.Minute), TalkSec: 60}}
		rows = append(rows, ev.Row())
	}
	info, _ := schemas.Info(schemas.TypeCallEnded)
	block := func(token string) *store.Block {
		return &store.Block{Table: info.Table, Columns: info.InsertColumns(), Rows: rows, Token: token}
	}
	read := func() QueueInterval {
		t.Helper()
		got, err := QueueIntervals(ctx, s, q.Truncate(time.Hour), q.Add(time.Hour), 0, "billing", kpi.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("got %d rows, want 1", len(got))
		}
		return got[0]
	}
	if err := s.Insert(ctx, block("cs.calls/0 0-2")); err != nil {
		t.Fatal(err)
	}
	first := read()
	if first.Answered != 3 {
		t.Fatalf("answered = %d after the first insert, want 3", first.Answered)
	}
	if err := s.Insert(ctx, block("cs.calls/0 0-2")); err != nil {
		t.Fatal(err)
	}
	again := read()
	if again.Answered != 3 || *again.ASASec != *first.ASASec || *again.WaitP90Sec != *first.WaitP90Sec {
		t.Errorf("re-sent block changed the rollup: %+v, was %+v", again, first)
	}
	type n struct {
		N int64 `json:"n"`
	}
	c, err := store.QueryOne[n](ctx, s, "SELECT count() AS n FROM calls", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.N != 3 {
		t.Errorf("calls holds %d rows after the re-sent block, want 3", c.N)
	}
	if err := s.Insert(ctx, block("cs.calls/0 3-5")); err != nil {
		t.Fatal(err)
	}
	if other := read(); other.Answered != 6 {
		t.Errorf("a block with another token: answered = %d, want 6", other.Answered)
	}
}

// rollupInbound drops the rows of queues with only outbound calls in their
// interval (the report lists queues with an inbound call).
func rollupInbound(rows []QueueInterval) []QueueInterval {
	var out []QueueInterval
	for _, r := range rows {
		if r.Offered+r.ShortAbandoned > 0 {
			out = append(out, r)
		}
	}
	return out
}

func rollupCompare(t *testing.T, got, want QueueInterval) {
	t.Helper()
	where := want.Queue + " " + want.Start.UTC().Format(time.RFC3339)
	if !got.Start.Equal(want.Start) || got.Queue != want.Queue {
		t.Errorf("row %s %s, want %s", got.Queue, got.Start.UTC().Format(time.RFC3339), where)
		return
	}
	ints := []struct {
		name      string
		got, want int64
	}{
		{"offered", got.Offered, want.Offered}, {"answered", got.Answered, want.Answered},
		{"abandoned", got.Abandoned, want.Abandoned}, {"short_abandoned", got.ShortAbandoned, want.ShortAbandoned},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s %s: rollup %d, raw %d", where, c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want *float64
	}{
		{"service_level", got.ServiceLevel, want.ServiceLevel}, {"asa_sec", got.ASASec, want.ASASec},
		{"aht_sec", got.AHTSec, want.AHTSec}, {"abandon_rate", got.AbandonRate, want.AbandonRate}, {"wait_p90_sec", got.WaitP90Sec, want.WaitP90Sec},
	}
	for _, c := range floats {
		if (c.got == nil) != (c.want == nil) || c.got != nil && math.Abs(*c.got-*c.want) > 1e-9*math.Max(1, math.Abs(*c.want)) {
			t.Errorf("%s %s: rollup %s, raw %s", where, c.name, rollupNum(c.got), rollupNum(c.want))
		}
	}
}

func rollupNum(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}
