-- Interval rollups: 15-minute buckets per queue, kept by materialized views on
-- the raw tables, so dashboards and long windows never scan raw events.
--
-- The bucket is fixed at 15 min (toStartOfFifteenMinutes). Coarser intervals
-- (30 min, 1 h, a day) are re-aggregated from it with the -Merge combinators
-- and sum(); finer ones need the raw tables.
--
-- A view sees each inserted block once. Raw rows are unique events (the
-- collector drops producer duplicates), and a block re-sent with the same
-- insert_deduplication_token is dropped in the view's target too
-- (deduplicate_blocks_in_dependent_materialized_views = 1 on every insert,
-- non_replicated_deduplication_window on every target), so nothing is counted
-- twice. A late event lands in the bucket of its own timestamp: rollups need
-- no recomputation.
--
-- Definitions are those of docs/kpis.md with the defaults fixed here:
-- short abandon below 5 s, service-level threshold 20 s. A site that measures
-- service level at another threshold reads the raw tables (the report does)
-- or adds a column in a new migration; the view cannot take parameters.
-- Counts are SimpleAggregateFunction(sum): read them with sum(). Read the
-- quantile states with quantilesExactInclusiveMerge(0.5, 0.9, 0.95).

-- calls_15m: inbound calls per queue, topic and 15 min of queued_at; outbound
-- calls per queue, topic and 15 min of ended_at.
-- wait_quantiles holds the exact quantile state (every answered wait, 8 bytes
-- each) rather than a t-digest: p90 from the rollup must equal p90 from raw
-- events (kpis.md percentiles are type 7, quantileExactInclusive), and a day
-- of a large centre is a few hundred thousand answered calls — megabytes.
-- The talk, hold, wrap sums and transfers are over answered calls (AHT and
-- transfer rate are per answered call); abandoned_wait_sum over abandons
-- (mean patience, for Erlang A).
CREATE TABLE IF NOT EXISTS calls_15m {{.OnCluster}} (
    interval_start     DateTime('UTC'),
    queue              LowCardinality(String),
    topic              LowCardinality(String),
    offered            SimpleAggregateFunction(sum, UInt64),
    answered           SimpleAggregateFunction(sum, UInt64),
    abandoned          SimpleAggregateFunction(sum, UInt64),
    short_abandoned    SimpleAggregateFunction(sum, UInt64),
    answered_in_sl     SimpleAggregateFunction(sum, UInt64),
    answered_wait_sum  SimpleAggregateFunction(sum, Float64),
    abandoned_wait_sum SimpleAggregateFunction(sum, Float64),
    talk_sum           SimpleAggregateFunction(sum, Float64),
    hold_sum           SimpleAggregateFunction(sum, Float64),
    wrap_sum           SimpleAggregateFunction(sum, Float64),
    transfers          SimpleAggregateFunction(sum, UInt64),
    outbound           SimpleAggregateFunction(sum, UInt64),
    wait_quantiles     AggregateFunction(quantilesExactInclusive(0.5, 0.9, 0.95), Float64)
) ENGINE = {{engine "AggregatingMergeTree"}}
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, queue, topic)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE MATERIALIZED VIEW IF NOT EXISTS calls_15m_mv {{.OnCluster}} TO calls_15m AS
WITH
    direction = 'inbound' AS is_inbound,
    is_inbound AND answered_at IS NOT NULL AS is_answered,
    (toUnixTimestamp64Milli(coalesce(answered_at, ended_at))
        - toUnixTimestamp64Milli(coalesce(queued_at, ended_at))) / 1000 AS wait,
    is_inbound AND NOT is_answered AND wait < 5 AS is_short,
    is_inbound AND NOT is_answered AND wait >= 5 AS is_abandoned
SELECT
    toStartOfFifteenMinutes(if(is_inbound, coalesce(queued_at, ended_at), ended_at)) AS interval_start,
    queue,
    topic,
    toUInt64(countIf(is_answered) + countIf(is_abandoned)) AS offered,
    toUInt64(countIf(is_answered)) AS answered,
    toUInt64(countIf(is_abandoned)) AS abandoned,
    toUInt64(countIf(is_short)) AS short_abandoned,
    toUInt64(countIf(is_answered AND wait <= 20)) AS answered_in_sl,
    sumIf(toFloat64(wait), is_answered) AS answered_wait_sum,
    sumIf(toFloat64(wait), is_abandoned) AS abandoned_wait_sum,
    sumIf(talk_sec, is_answered) AS talk_sum,
    sumIf(hold_sec, is_answered) AS hold_sum,
    sumIf(wrap_sec, is_answered) AS wrap_sum,
    toUInt64(countIf(is_answered AND transferred)) AS transfers,
    toUInt64(countIf(direction = 'outbound')) AS outbound,
    quantilesExactInclusiveStateIf(0.5, 0.9, 0.95)(toFloat64(wait), is_answered) AS wait_quantiles
FROM calls
WHERE direction = 'outbound' OR queued_at IS NOT NULL
GROUP BY interval_start, queue, topic;

-- emails_15m: e-mails received per queue, topic and 15 min of received_at.
-- Replies cannot be rolled up by a view (the queue is on the received event):
-- first replies live in email_first_reply, kept by the aggregator.
CREATE TABLE IF NOT EXISTS emails_15m {{.OnCluster}} (
    interval_start DateTime('UTC'),
    queue          LowCardinality(String),
    topic          LowCardinality(String),
    received       SimpleAggregateFunction(sum, UInt64)
) ENGINE = {{engine "AggregatingMergeTree"}}
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, queue, topic)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE MATERIALIZED VIEW IF NOT EXISTS emails_15m_mv {{.OnCluster}} TO emails_15m AS
SELECT
    toStartOfFifteenMinutes(received_at) AS interval_start,
    queue,
    topic,
    toUInt64(count()) AS received
FROM email_received
GROUP BY interval_start, queue, topic;

-- orders_15m: orders per channel and 15 min of entered_at (orders carry no
-- queue). entry = entered_at − started_at; value_sum treats a missing value as 0.
CREATE TABLE IF NOT EXISTS orders_15m {{.OnCluster}} (
    interval_start  DateTime('UTC'),
    channel         LowCardinality(String),
    entered         SimpleAggregateFunction(sum, UInt64),
    entry_sum       SimpleAggregateFunction(sum, Float64),
    value_sum       SimpleAggregateFunction(sum, Float64),
    entry_quantiles AggregateFunction(quantilesExactInclusive(0.5, 0.9, 0.95), Float64)
) ENGINE = {{engine "AggregatingMergeTree"}}
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, channel)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE MATERIALIZED VIEW IF NOT EXISTS orders_15m_mv {{.OnCluster}} TO orders_15m AS
WITH (toUnixTimestamp64Milli(entered_at) - toUnixTimestamp64Milli(started_at)) / 1000 AS entry
SELECT
    toStartOfFifteenMinutes(entered_at) AS interval_start,
    channel,
    toUInt64(count()) AS entered,
    sum(toFloat64(entry)) AS entry_sum,
    sum(coalesce(value, 0)) AS value_sum,
    quantilesExactInclusiveState(0.5, 0.9, 0.95)(toFloat64(entry)) AS entry_quantiles
FROM orders
GROUP BY interval_start, channel;
