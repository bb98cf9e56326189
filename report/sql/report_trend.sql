-- report_trend: the curves of the html report, one row per bucket of the
-- window (15-minute intervals, or local days for a long window; the report
-- makes the buckets): offered, answered, abandoned and service level of the
-- inbound calls queued in it while their queue was open, from the calls_15m
-- rollup (call_intervals, interval_totals and call_rates of
-- def_inbound_calls.sql: the report's own definitions, per queue), and
-- open_callbacks, the callback backlog of kpis.md ("callbacks", point in
-- time) at the end of the bucket: callback_open of def_callbacks.sql on the
-- raw callback events. The last row's open_callbacks is the report's
-- callbacks.open.
-- Parameters: from (the first bucket's start), to, queue ('' = all), starts
-- and ends (the buckets, [starts[i], ends[i]), UTC times as text).
WITH
    arrayMap(x -> toDateTime64(x, 3, 'UTC'), {starts:Array(String)}) AS starts,
    arrayMap(x -> toDateTime64(x, 3, 'UTC'), {ends:Array(String)}) AS ends,
{{template "call_intervals" .}},
grid AS (
    SELECT i, starts[i] AS interval_start, ends[i] AS interval_end
    FROM (SELECT arrayJoin(arrayEnumerate(starts)) AS i)
),
calls AS (
    SELECT
        arrayLastIndex(s -> s <= interval_start, starts) AS bucket,
        {{template "interval_totals" .}},
        {{template "call_rates" .}}
    FROM call_intervals
    GROUP BY bucket
),
requested AS (
    WITH
        {{.To}} AS callbacks_as_of,
        {{template "callbacks"}}
    SELECT requested_at, closed_at
    FROM callback_state
    WHERE {{.InQueue}}
),
backlog AS (
    SELECT i, countIf({{template "callback_open"}}) AS open_callbacks
    FROM (
        SELECT g.i AS i, g.interval_end AS callbacks_as_of, r.requested_at AS requested_at, r.closed_at AS closed_at
        FROM grid AS g
        CROSS JOIN requested AS r
    )
    GROUP BY i
)
SELECT
    g.interval_start AS interval_start,
    toUInt64(coalesce(c.offered, 0)) AS offered,
    toUInt64(coalesce(c.answered, 0)) AS answered,
    toUInt64(coalesce(c.abandoned, 0)) AS abandoned,
    c.service_level AS service_level,
    toUInt64(coalesce(b.open_callbacks, 0)) AS open_callbacks
FROM grid AS g
LEFT JOIN calls AS c ON c.bucket = g.i
LEFT JOIN backlog AS b ON b.i = g.i
ORDER BY g.i
SETTINGS join_use_nulls = 1
