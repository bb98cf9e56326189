-- report_trend: the per-interval curves of the html report, one row per
-- 15-minute interval of [from, to) (from rounded down to the interval):
-- offered, answered, abandoned and service level of the inbound calls queued
-- in it, from the calls_15m rollup (so its definitions: short abandons under
-- 5 s are not offered, service level at 20 s), and open_callbacks, the
-- callback backlog of kpis.md ("callbacks", point in time) at the end of the
-- interval (or at `to` for the last one): requested before it and not yet
-- closed (completed or cancelled, def_callbacks.sql) at it, from the raw
-- callback events. The last row's open_callbacks is the report's
-- callbacks.open.
-- Parameters: from, to, queue ('' = all).
WITH
    {to:DateTime64(3, 'UTC')} AS callbacks_as_of,
    toStartOfFifteenMinutes(toDateTime({from:DateTime64(3, 'UTC')}, 'UTC')) AS grid_start,
    toUInt64(ceil((toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp(grid_start) * 1000) / 900000)) AS n,
grid AS (
    SELECT
        grid_start + toIntervalSecond(number * 900) AS interval_start,
        least(toDateTime64(grid_start + toIntervalSecond((number + 1) * 900), 3, 'UTC'), {to:DateTime64(3, 'UTC')}) AS interval_end
    FROM numbers(n)
),
calls AS (
    SELECT
        interval_start,
        sum(offered) AS offered,
        sum(answered) AS answered,
        sum(abandoned) AS abandoned,
        sum(answered_in_sl) AS answered_in_sl
    FROM calls_15m
    WHERE interval_start >= grid_start
      AND interval_start < {to:DateTime64(3, 'UTC')}
      AND ({queue:String} = '' OR queue = {queue:String})
    GROUP BY interval_start
),
{{template "callbacks"}},
callbacks AS (
    SELECT
        requested_at,
        -- still open at `to`: never closed within the grid
        coalesce(closed_at, toDateTime64('2299-12-31 00:00:00', 3, 'UTC')) AS open_until
    FROM callback_state
    WHERE {queue:String} = '' OR queue = {queue:String}
),
backlog AS (
    SELECT
        g.interval_start AS interval_start,
        countIf(cb.requested_at < g.interval_end AND cb.open_until >= g.interval_end) AS open_callbacks
    FROM grid AS g
    CROSS JOIN callbacks AS cb
    GROUP BY g.interval_start
)
SELECT
    g.interval_start AS interval_start,
    toUInt64(coalesce(c.offered, 0)) AS offered,
    toUInt64(coalesce(c.answered, 0)) AS answered,
    toUInt64(coalesce(c.abandoned, 0)) AS abandoned,
    if(coalesce(c.offered, 0) = 0, NULL, c.answered_in_sl / c.offered) AS service_level,
    toUInt64(coalesce(b.open_callbacks, 0)) AS open_callbacks
FROM grid AS g
LEFT JOIN calls AS c ON c.interval_start = g.interval_start
LEFT JOIN backlog AS b ON b.interval_start = g.interval_start
ORDER BY interval_start
SETTINGS join_use_nulls = 1
