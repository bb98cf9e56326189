-- Flushes span partitions: a flush inserts the pending messages of every
-- partition at once, one insert per table, under one token. ingest_state
-- records each of its ranges with the flush's token, so that a collector
-- taking over any of those partitions after a crash re-forms the whole
-- recorded flush (its ranges read again from Kafka by offset) and inserts
-- it with the same token. Ranges recorded before this migration carry ''
-- and are their own flush.
ALTER TABLE ingest_state {{.OnCluster}} ADD COLUMN IF NOT EXISTS flush String DEFAULT '';

-- dlq_forwarded: the invalid messages (by origin topic/partition/offset)
-- already written to the DLQ topic. The dlq table is the record of what
-- must reach the topic; the collector's sweep forwards what is in dlq and
-- not here.
CREATE TABLE IF NOT EXISTS dlq_forwarded {{.OnCluster}} (
    origin       String,
    forwarded_at DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
ORDER BY origin;
