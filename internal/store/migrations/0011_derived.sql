-- Derived tables: state that a materialized view cannot keep because it needs
-- several events of one entity (a callback's first reach, an e-mail's first
-- reply, the end of an agent's state). The aggregator refreshes them with the
-- INSERT … SELECT jobs of aggregator/sql/job_*.sql: each run recomputes the
-- entities with an event in [since, now), since = the previous run's `now`
-- minus the allowed lateness (everything on the first run), from all of
-- their events before `now`. Rows are replaced by key; version is the wall
-- clock of the run in nanoseconds, so the newest computation wins.
-- Read them with FINAL (or argMax by version): a key can have several rows
-- until the background merge.

-- callback_status: one row per requested callback, as of the run's `now`.
-- reached_at is the first `reached` attempt, cancelled_at the first
-- cancellation; attempts counts attempts up to and including the first
-- reached one (all attempts while not reached). status follows kpis.md:
-- cancelled when cancelled before the first reach, completed when reached and
-- not cancelled, else open. closed_at is when it stopped being open (first
-- reach or first cancellation), so "open at T" is
-- requested_at < T AND (closed_at IS NULL OR closed_at >= T).
CREATE TABLE IF NOT EXISTS callback_status {{.OnCluster}} (
    callback_id     String,
    queue           LowCardinality(String),
    customer_id     String,
    requested_at    DateTime64(3, 'UTC'),
    due_at          DateTime64(3, 'UTC'),
    reached_at      Nullable(DateTime64(3, 'UTC')),
    cancelled_at    Nullable(DateTime64(3, 'UTC')),
    closed_at       Nullable(DateTime64(3, 'UTC')),
    last_attempt_at Nullable(DateTime64(3, 'UTC')),
    attempts        UInt32,
    status          Enum8('open' = 1, 'completed' = 2, 'cancelled' = 3),
    as_of           DateTime64(3, 'UTC'),
    version         UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY callback_id;

-- email_first_reply: one row per received e-mail, as of the run's `now`.
-- first_reply_at is the earliest reply (NULL while unanswered); replies
-- counts the replies so far.
CREATE TABLE IF NOT EXISTS email_first_reply {{.OnCluster}} (
    email_id       String,
    queue          LowCardinality(String),
    topic          LowCardinality(String),
    customer_id    String,
    received_at    DateTime64(3, 'UTC'),
    first_reply_at Nullable(DateTime64(3, 'UTC')),
    replies        UInt32,
    as_of          DateTime64(3, 'UTC'),
    version        UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY email_id;

-- agent_state_intervals: one row per agent state event, lasting until the
-- agent's next state event (end_at NULL: still the current state).
CREATE TABLE IF NOT EXISTS agent_state_intervals {{.OnCluster}} (
    agent_id LowCardinality(String),
    start_at DateTime64(3, 'UTC'),
    end_at   Nullable(DateTime64(3, 'UTC')),
    state    LowCardinality(String),
    queue    LowCardinality(String),
    version  UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
PARTITION BY toYYYYMM(start_at)
ORDER BY (agent_id, start_at);

-- staffed_15m: agent time per queue (the queue of the state event) and
-- 15-minute bucket. staffed_sec is time not logged_out; other_sec is break
-- and any state besides available, busy and wrap. agents counts distinct
-- agents with staffed time in the bucket; staffed_sec / 900 is the mean
-- number of staffed agents. The bucket holding `now` grows until it is over.
CREATE TABLE IF NOT EXISTS staffed_15m {{.OnCluster}} (
    interval_start DateTime('UTC'),
    queue          LowCardinality(String),
    staffed_sec    Float64,
    available_sec  Float64,
    busy_sec       Float64,
    wrap_sec       Float64,
    other_sec      Float64,
    agents         UInt32,
    version        UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
PARTITION BY toYYYYMM(interval_start)
ORDER BY (interval_start, queue);

-- customer_poor_service: the poor-service incidents of kpis.md ("churn"), each
-- as the span of moments t at which it counts: a customer had poor service at
-- t when a row with poor = 1 has from_at <= t < until_at. kind is long_wait,
-- abandoned or transferred (ref_id a call_id, span [queued_at, queued_at +
-- lookback)), callback_missed (a callback_id, span [due_at, due_at +
-- lookback)) or repeat_contacts (ref_id the contact that is the
-- repeat_contacts-th within the lookback, span [its time, time of the
-- earliest of those contacts + lookback)). poor = 0 retracts a row that a
-- late event disproved (a callback reached by its due time after all).
-- The lookback, long wait and repeat count are those of the run that wrote
-- the row.
CREATE TABLE IF NOT EXISTS customer_poor_service {{.OnCluster}} (
    customer_id String,
    kind        LowCardinality(String),
    ref_id      String,
    from_at     DateTime64(3, 'UTC'),
    until_at    DateTime64(3, 'UTC'),
    poor        UInt8,
    version     UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY (customer_id, kind, ref_id);

-- aggregator_watermarks: per job, the `now` of its last successful run; the
-- next run recomputes from there minus the allowed lateness.
CREATE TABLE IF NOT EXISTS aggregator_watermarks {{.OnCluster}} (
    job     LowCardinality(String),
    upto    DateTime64(3, 'UTC'),
    version UInt64
) ENGINE = {{engine "ReplacingMergeTree(version)"}}
ORDER BY job;
