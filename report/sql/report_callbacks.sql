-- report_callbacks: the "callbacks" section of kpis.md, one row.
-- Only events before `to` count. A callback is cancelled when cancelled before
-- its first `reached` attempt (if any), completed when not cancelled and
-- reached; reached_at is the first reached attempt (def_callbacks.sql).
-- Flow figures (requested,
-- completed, cancelled, latency, sla_rate, attempts_per_completed) cover
-- callbacks requested in [from, to); open, overdue and oldest_open_age_sec
-- are point in time at `to` over every callback requested before `to`.
-- sla_rate: met = completed by due_at; breached = completed after due_at, or
-- neither completed nor cancelled with due_at < to; cancelled are excluded
-- (callback_sla, def_callbacks.sql, judged at callbacks_as_of = to).
-- Parameters: from, to, queue ('' = all).
WITH
{to:DateTime64(3, 'UTC')} AS callbacks_as_of,
{{template "callbacks"}},
callbacks AS (
    SELECT
        requested_at >= {from:DateTime64(3, 'UTC')} AS in_window,
        requested_at,
        due_at,
        reached_at,
        is_cancelled,
        is_completed,
        is_open,
        {{template "callback_sla"}},
        (toUnixTimestamp64Milli(assumeNotNull(reached_at)) - toUnixTimestamp64Milli(requested_at)) / 1000 AS latency,
        attempts AS attempts_to_reach,
        (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(requested_at)) / 1000 AS age
    FROM callback_state
    WHERE {queue:String} = '' OR queue = {queue:String}
)
SELECT
    countIf(in_window) AS requested,
    countIf(in_window AND is_completed) AS completed,
    countIf(in_window AND is_cancelled) AS cancelled,
    avgOrNullIf(latency, in_window AND is_completed) AS latency_mean_sec,
    quantileExactInclusiveOrNullIf(0.5)(latency, in_window AND is_completed) AS latency_p50_sec,
    quantileExactInclusiveOrNullIf(0.9)(latency, in_window AND is_completed) AS latency_p90_sec,
    countIf(in_window AND is_sla_met) AS sla_met,
    countIf(in_window AND is_sla_missed) AS sla_breached,
    if(sla_met + sla_breached = 0, NULL, sla_met / (sla_met + sla_breached)) AS sla_rate,
    countIf(is_open) AS open,
    countIf(is_overdue) AS overdue,
    coalesce(maxIf(age, is_open), 0) AS oldest_open_age_sec,
    if(completed = 0, NULL, sumIf(attempts_to_reach, in_window AND is_completed) / completed) AS attempts_per_completed
FROM callbacks
