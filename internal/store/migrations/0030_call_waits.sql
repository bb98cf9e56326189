-- Per-second wait counts in calls_15m, so that the service-level threshold
-- and the short abandon are parameters of each queue applied when the rollup
-- is read (docs/kpis.md "Parameters"), not constants of a materialized view.
--
-- For the inbound calls of each bucket (queue, topic, 15 minutes of
-- queued_at):
--   answered_waits        answered calls by their wait in whole seconds
--                         rounded up: a call answered after 20.001 s counts
--                         at 21, so "wait ≤ T" for a whole T is the sum of
--                         the keys ≤ T, exactly as on the raw events;
--   unanswered_waits      unanswered calls by their wait in whole seconds
--                         rounded down: "wait < S" is the sum of the keys < S;
--   unanswered_wait_sums  the sum of those waits per key (the mean time to
--                         abandon and Erlang A's patience need the waits of
--                         the abandoned calls, those at or above S).
-- Waits are capped at 3601 s: thresholds up to an hour are exact (a larger
-- one is refused by the configuration). A negative wait counts as 0.
--
-- The columns of migration 0010 that fixed the thresholds (offered,
-- abandoned, short_abandoned, answered_in_sl, abandoned_wait_sum at 20 s and
-- 5 s) stay for old readers and are no longer read by Frontline.
--
-- The counts come from a second materialized view on calls into the same
-- table (rows of either view sum in the AggregatingMergeTree), and the calls
-- already stored are counted once by the INSERT below; both run the query
-- "waits". Apply this migration
-- before collectors write again (every frontline command applies pending
-- migrations before it starts its collector): a call inserted while the
-- INSERT runs would be counted by both.
ALTER TABLE calls_15m {{.OnCluster}}
    ADD COLUMN IF NOT EXISTS answered_waits SimpleAggregateFunction(sumMap, Map(UInt16, UInt64)),
    ADD COLUMN IF NOT EXISTS unanswered_waits SimpleAggregateFunction(sumMap, Map(UInt16, UInt64)),
    ADD COLUMN IF NOT EXISTS unanswered_wait_sums SimpleAggregateFunction(sumMap, Map(UInt16, Float64));

{{define "waits"}}WITH
    answered_at IS NOT NULL AS is_answered,
    greatest(toUnixTimestamp64Milli(coalesce(answered_at, ended_at)) - toUnixTimestamp64Milli(assumeNotNull(queued_at)), 0) AS wait_ms,
    toUInt16(least(intDiv(wait_ms + 999, 1000), 3601)) AS up_sec,
    toUInt16(least(intDiv(wait_ms, 1000), 3601)) AS down_sec
SELECT
    toStartOfFifteenMinutes(assumeNotNull(queued_at)) AS interval_start,
    queue,
    topic,
    sumMapIf(map(up_sec, toUInt64(1)), is_answered) AS answered_waits,
    sumMapIf(map(down_sec, toUInt64(1)), NOT is_answered) AS unanswered_waits,
    sumMapIf(map(down_sec, wait_ms / 1000), NOT is_answered) AS unanswered_wait_sums
FROM calls
WHERE direction = 'inbound' AND queued_at IS NOT NULL
GROUP BY interval_start, queue, topic{{end}}
CREATE MATERIALIZED VIEW IF NOT EXISTS calls_15m_waits_mv {{.OnCluster}} TO calls_15m AS
{{template "waits" .}};

INSERT INTO calls_15m (interval_start, queue, topic, answered_waits, unanswered_waits, unanswered_wait_sums)
SETTINGS insert_deduplication_token = 'migration-0030-call-waits', max_threads = 1, max_insert_threads = 1
{{template "waits" .}}
ORDER BY interval_start, queue, topic;
