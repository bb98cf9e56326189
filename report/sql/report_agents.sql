-- report_agents: the "agents" section of kpis.md, one row.
-- An agent's state lasts from its event until the agent's next state event
-- (or `to`); the state at `from` is the last one before `from`. occupancy =
-- busy + wrap over available + busy + wrap; staffed_hours = time not
-- logged_out; both within [from, to). An agent is on the roster at T when its
-- latest roster change before T is `joined`; turnover_rate = leavers in the
-- window over the mean headcount at `from` and at `to`. aht_new_sec and
-- aht_tenured_sec split the answered calls of the window (as in report_calls)
-- by the agent's tenure at answered_at (since its first `joined`) against
-- tenure_new; agents never joined are in neither (calls_by_tenure,
-- def_agents.sql). States and roster are centre-wide; the queue filter only
-- selects the calls of the AHT split.
-- Parameters: from, to, tenure_new, short_abandon (seconds), queue ('' = all).
--
-- The states window partitions by agent_id and orders by at, the key of
-- agent_states, so optimize_read_in_window_order reads them in that order and
-- sorts only equal moments by event_id: on 11.7 M events the states ran within
-- 100 MB, where sorting them all in memory did not, and took about as long
-- (0.4-0.5 s). The report within 512 MiB had failed on 29.7 M events.
WITH
{{template "inbound_calls" .}},
toUnixTimestamp64Milli({from:DateTime64(3, 'UTC')}) AS from_ms,
toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) AS to_ms,
states AS (
    SELECT
        state,
        toUnixTimestamp64Milli(at) AS start_ms,
        leadInFrame(toNullable(toUnixTimestamp64Milli(at))) OVER (
            PARTITION BY agent_id ORDER BY at, event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS next_ms
    FROM agent_states
    WHERE at < {to:DateTime64(3, 'UTC')}
),
spans AS (
    SELECT
        state,
        greatest(least(coalesce(next_ms, to_ms), to_ms) - greatest(start_ms, from_ms), 0) / 1000 AS dur
    FROM states
),
roster AS (
    SELECT
        agent_id,
        argMaxIf(change, at, at < {from:DateTime64(3, 'UTC')}) = 'joined' AS on_at_from,
        argMaxIf(change, at, at < {to:DateTime64(3, 'UTC')}) = 'joined' AS on_at_to,
        countIf(change = 'left' AND at >= {from:DateTime64(3, 'UTC')} AND at < {to:DateTime64(3, 'UTC')}) AS left_in_window
    FROM agent_roster
    WHERE at < {to:DateTime64(3, 'UTC')}
    GROUP BY agent_id
),
{{template "calls_by_tenure" .}},
-- Each CTE is read once, by one scalar subquery returning a tuple (a CTE
-- named in several scalar subqueries is evaluated once per subquery; a
-- CROSS JOIN of one-row subqueries would need join_algorithm 'hash').
span_totals AS (
    SELECT (
        if(sumIf(dur, state IN ('available', 'busy', 'wrap')) = 0, NULL,
           sumIf(dur, state IN ('busy', 'wrap')) / sumIf(dur, state IN ('available', 'busy', 'wrap'))),
        sumIf(dur, state != 'logged_out') / 3600)
    FROM spans
),
roster_totals AS (
    SELECT (
        countIf(on_at_to),
        sum(left_in_window),
        if(countIf(on_at_from) + countIf(on_at_to) = 0, NULL,
           sum(left_in_window) / ((countIf(on_at_from) + countIf(on_at_to)) / 2)))
    FROM roster
),
handled_totals AS (
    SELECT (
        avgOrNullIf(handle, is_new),
        avgOrNullIf(handle, NOT is_new))
    FROM calls_by_tenure
)
SELECT
    tupleElement((SELECT * FROM span_totals) AS s, 1) AS occupancy,
    tupleElement(s, 2) AS staffed_hours,
    tupleElement((SELECT * FROM roster_totals) AS r, 1) AS headcount,
    tupleElement(r, 2) AS leavers,
    tupleElement(r, 3) AS turnover_rate,
    tupleElement((SELECT * FROM handled_totals) AS h, 1) AS aht_new_sec,
    tupleElement(h, 2) AS aht_tenured_sec
-- off by default in the engine, which prefers a parallel sort to this bounded read
SETTINGS optimize_read_in_window_order = 1
