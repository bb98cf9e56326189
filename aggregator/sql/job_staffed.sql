-- job_staffed: refreshes staffed_15m (migration 0011) for every 15-minute
-- bucket from the one holding `since` up to `now`, from agent_state_intervals
-- (refreshed just before in the same run): the seconds each agent spent in
-- each state inside the bucket, per the queue of the state event. A state
-- still current counts up to `now`. Buckets that lost all their time to a
-- late logged_out are rewritten with zeros rather than left stale.
-- Idempotent: rows replace by (interval_start, queue).
-- Parameters: since, now, version.
INSERT INTO staffed_15m (interval_start, queue, staffed_sec, available_sec, busy_sec, wrap_sec,
    other_sec, agents, version)
WITH
    toUnixTimestamp64Milli({now:DateTime64(3, 'UTC')}) AS now_ms,
    intDiv(toUnixTimestamp64Milli({since:DateTime64(3, 'UTC')}), 900000) * 900000 AS lo_ms,
spans AS (
    SELECT
        agent_id,
        state,
        queue,
        greatest(toUnixTimestamp64Milli(start_at), lo_ms) AS s_ms,
        least(coalesce(toUnixTimestamp64Milli(end_at), now_ms), now_ms) AS e_ms
    FROM agent_state_intervals FINAL
    WHERE state != 'logged_out'
      AND start_at < {now:DateTime64(3, 'UTC')}
      AND (end_at IS NULL OR toUnixTimestamp64Milli(end_at) > lo_ms)
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
