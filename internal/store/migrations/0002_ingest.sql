-- Ingest bookkeeping: which event ids are claimed, which offset ranges are in
-- flight or done, and what went to the dead-letter queue.

-- event_ids: one row per unique valid event id. The collector looks a batch's
-- ids up here and drops those claimed by another batch (a producer duplicate):
-- the first valid event with an id wins. token is the claiming batch, so a
-- batch re-sent after a crash does not mistake its own ids for duplicates.
-- With dedup_days set, ids older than that are forgotten (a bound on lookup
-- cost for very large installations); by default they are kept.
CREATE TABLE IF NOT EXISTS event_ids {{.OnCluster}} (
    event_id     String,
    type         LowCardinality(String),
    token        String,
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(ingested_at)
ORDER BY event_id
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

-- ingest_state: per consumer group and partition, the offset ranges of batches.
-- A range is written 'inflight' before its insert and 'done' after; a restarted
-- collector re-sends an in-flight range with the same boundaries and token, and
-- skips a done one whose offsets were not committed yet.
CREATE TABLE IF NOT EXISTS ingest_state {{.OnCluster}} (
    group        String,
    topic        String,
    partition    Int32,
    first_offset Int64,
    last_offset  Int64,
    status       Enum8('inflight' = 1, 'done' = 2),
    rows         UInt32,
    updated_at   DateTime64(6, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree(updated_at)"}}
ORDER BY (group, topic, partition, first_offset);

-- dlq: invalid events with the reason. payload has phone numbers and e-mail
-- addresses removed; the DLQ topic keeps the original bytes.
CREATE TABLE IF NOT EXISTS dlq {{.OnCluster}} (
    received_at  DateTime64(3, 'UTC') DEFAULT now64(3),
    origin       String,
    reason       LowCardinality(String),
    detail       String,
    event_type   LowCardinality(String),
    payload      String
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(received_at)
ORDER BY (received_at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};
