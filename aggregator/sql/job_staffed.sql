-- job_staffed: refreshes staffed_15m (migration 0011) for every 15-minute
-- bucket from the one holding `since` up to `now`, from the agent state
-- events (kpis.md "agents"): each state lasts from its event until the
-- agent's next state event, ordered by at and then event_id as in
-- report_agents, and the state an agent was in at the first bucket's start is
-- its last event before it. The seconds each agent spent in each state
-- inside the bucket are booked to the queue of the state event. A state
-- still current counts up to `now`. Buckets that lost all their time to a
-- late logged_out are rewritten with zeros rather than left stale.
-- Idempotent: rows replace by (interval_start, queue).
--
-- It reads agent_states itself: it read the states through
-- agent_state_intervals FINAL, a derived table keyed (agent_id, start_at)
-- that no time range could narrow (706 of 706 granules for two days on
-- 11.7 M events), and whose job rewrote every interval of the lateness
-- window each cycle, 486k rows.
-- Parameters: since, now, version.
INSERT INTO staffed_15m (interval_start, queue, staffed_sec, available_sec, busy_sec, wrap_sec,
    other_sec, agents, version)
WITH
    toUnixTimestamp64Milli({now:DateTime64(3, 'UTC')}) AS now_ms,
    intDiv(toUnixTimestamp64Milli({since:DateTime64(3, 'UTC')}), 900000) * 900000 AS lo_ms,
    fromUnixTimestamp64Milli(lo_ms, 'UTC') AS lo,
events AS (
    SELECT agent_id, at, event_id, state, queue
    FROM agent_states
    WHERE at >= lo AND at < {now:DateTime64(3, 'UTC')}
    UNION ALL
    -- each agent's last event before lo (the latest of those sharing its
    -- moment), aggregated in the key order (agent_id, at) of agent_states
    SELECT agent_id, last.1 AS at, last.2 AS event_id, last.3 AS state, last.4 AS queue
    FROM (
        SELECT agent_id, argMax((at, event_id, state, queue), (at, event_id)) AS last
        FROM agent_states
        WHERE at < lo
        GROUP BY agent_id
    )
),
spans AS (
    SELECT
        agent_id,
        state,
        queue,
        greatest(toUnixTimestamp64Milli(at), lo_ms) AS s_ms,
        least(coalesce(next_ms, now_ms), now_ms) AS e_ms
    FROM (
        SELECT
            agent_id, at, state, queue,
            leadInFrame(toNullable(toUnixTimestamp64Milli(at))) OVER (
                PARTITION BY agent_id ORDER BY at, event_id
                ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS next_ms
        FROM events
    )
    WHERE state != 'logged_out'
),
pieces AS (
    SELECT
        agent_id,
        state,
        queue,
        b_ms,
        (least(e_ms, b_ms + 900000) - greatest(s_ms, b_ms)) / 1000 AS sec
    FROM spans
    ARRAY JOIN range(toInt64(intDiv(s_ms, 900000) * 900000), toInt64(e_ms), 900000) AS b_ms
    WHERE e_ms > s_ms
)
SELECT
    toDateTime(intDiv(b_ms, 1000), 'UTC') AS interval_start,
    queue,
    sum(sec) AS staffed_sec,
    sumIf(sec, state = 'available') AS available_sec,
    sumIf(sec, state = 'busy') AS busy_sec,
    sumIf(sec, state = 'wrap') AS wrap_sec,
    sumIf(sec, state NOT IN ('available', 'busy', 'wrap', '')) AS other_sec,
    toUInt32(uniqExactIf(agent_id, sec > 0)) AS agents,
    {version:UInt64} AS version
FROM (
    SELECT toString(agent_id) AS agent_id, toString(state) AS state, toString(queue) AS queue, b_ms, toFloat64(sec) AS sec
    FROM pieces
    UNION ALL
    SELECT '' AS agent_id, '' AS state, toString(queue) AS queue,
        toInt64(toUnixTimestamp(interval_start)) * 1000 AS b_ms, toFloat64(0) AS sec
    FROM staffed_15m
    WHERE toInt64(toUnixTimestamp(interval_start)) * 1000 >= lo_ms
      AND interval_start < {now:DateTime64(3, 'UTC')}
)
GROUP BY b_ms, queue
SETTINGS optimize_aggregation_in_order = 1
