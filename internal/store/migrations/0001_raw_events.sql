-- Raw event tables, one per event type of the contract (docs/events.md).
-- Every row is one unique, valid event: the collector drops producer duplicates
-- (see event_ids) before inserting, so materialized views never count twice.
-- Timestamps are UTC DateTime64(3); optional ones are Nullable. Sorting keys
-- serve the KPI queries: a queue and a time range first.
-- non_replicated_deduplication_window makes a re-sent batch (same
-- insert_deduplication_token) a no-op after a crash.

CREATE TABLE IF NOT EXISTS calls {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    call_id      String,
    direction    LowCardinality(String),
    queue        LowCardinality(String),
    customer_id  String,
    agent_id     LowCardinality(String),
    queued_at    Nullable(DateTime64(3, 'UTC')),
    answered_at  Nullable(DateTime64(3, 'UTC')),
    ended_at     DateTime64(3, 'UTC'),
    talk_sec     Float64,
    hold_sec     Float64,
    wrap_sec     Float64,
    transferred  Bool,
    callback_id  String,
    topic        LowCardinality(String),
    ts           DateTime64(3, 'UTC') MATERIALIZED coalesce(queued_at, ended_at),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(ts)
ORDER BY (direction, queue, ts, call_id)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS email_received {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    email_id     String,
    queue        LowCardinality(String),
    customer_id  String,
    received_at  DateTime64(3, 'UTC'),
    topic        LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(received_at)
ORDER BY (queue, received_at, email_id)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS email_replied {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    email_id     String,
    agent_id     LowCardinality(String),
    replied_at   DateTime64(3, 'UTC'),
    handle_sec   Nullable(Float64),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(replied_at)
ORDER BY (email_id, replied_at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS orders {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    order_id     String,
    agent_id     LowCardinality(String),
    channel      LowCardinality(String),
    customer_id  String,
    started_at   DateTime64(3, 'UTC'),
    entered_at   DateTime64(3, 'UTC'),
    value        Nullable(Float64),
    currency     LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(entered_at)
ORDER BY (entered_at, order_id)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS callback_requested {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    callback_id  String,
    queue        LowCardinality(String),
    customer_id  String,
    requested_at DateTime64(3, 'UTC'),
    due_at       DateTime64(3, 'UTC'),
    origin       LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(requested_at)
ORDER BY (queue, requested_at, callback_id)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS callback_attempted {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    callback_id  String,
    agent_id     LowCardinality(String),
    attempted_at DateTime64(3, 'UTC'),
    result       LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(attempted_at)
ORDER BY (callback_id, attempted_at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS callback_cancelled {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    callback_id  String,
    cancelled_at DateTime64(3, 'UTC'),
    reason       String,
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(cancelled_at)
ORDER BY (callback_id, cancelled_at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS agent_states {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    agent_id     LowCardinality(String),
    state        LowCardinality(String),
    at           DateTime64(3, 'UTC'),
    queue        LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
PARTITION BY toYYYYMM(at)
ORDER BY (agent_id, at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS agent_roster {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    agent_id     LowCardinality(String),
    change       LowCardinality(String),
    at           DateTime64(3, 'UTC'),
    team         LowCardinality(String),
    site         LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
ORDER BY (agent_id, at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS customer_updates {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    customer_id  String,
    at           DateTime64(3, 'UTC'),
    segment      LowCardinality(String),
    annual_value Nullable(Float64),
    currency     LowCardinality(String),
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
ORDER BY (customer_id, at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};

CREATE TABLE IF NOT EXISTS customer_churns {{.OnCluster}} (
    event_id     String,
    source       LowCardinality(String),
    customer_id  String,
    churned_at   DateTime64(3, 'UTC'),
    annual_value Nullable(Float64),
    currency     LowCardinality(String),
    reason       String,
    ingested_at  DateTime DEFAULT now()
) ENGINE = {{engine "MergeTree"}}
ORDER BY (customer_id, churned_at)
SETTINGS non_replicated_deduplication_window = {{.DedupWindow}};
