-- job_agent_state_intervals: refreshes agent_state_intervals (migration 0011)
-- for every agent with a state event in [since, now): each state lasts from
-- its event until the agent's next state event before `now` (kpis.md
-- "agents"); end_at is NULL for the current state. The agent's last event
-- before `since` is recomputed too, so a late event also ends the state it
-- interrupts. Idempotent: rows replace by (agent_id, start_at).
-- Parameters: since, now, version.
INSERT INTO agent_state_intervals (agent_id, start_at, end_at, state, queue, version)
WITH
touched AS (
    SELECT DISTINCT agent_id FROM agent_states
    WHERE at >= {since:DateTime64(3, 'UTC')} AND at < {now:DateTime64(3, 'UTC')}
),
events AS (
    SELECT agent_id, at, state, queue
    FROM agent_states
    WHERE at >= {since:DateTime64(3, 'UTC')} AND at < {now:DateTime64(3, 'UTC')} AND agent_id IN touched
    UNION ALL
    SELECT agent_id, last_at AS at, last_state AS state, last_queue AS queue
    FROM (
        SELECT agent_id, max(at) AS last_at, argMax(state, at) AS last_state, argMax(queue, at) AS last_queue
        FROM agent_states
        WHERE at < {since:DateTime64(3, 'UTC')} AND agent_id IN touched
        GROUP BY agent_id
    )
)
SELECT
    agent_id,
    at AS start_at,
    leadInFrame(toNullable(at)) OVER (PARTITION BY agent_id ORDER BY at ASC
        ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING) AS end_at,
    state,
    queue,
    {version:UInt64} AS version
FROM events
