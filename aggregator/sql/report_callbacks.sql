-- report_callbacks: the "callbacks" section of kpis.md, one row.
-- Only events before `to` count. A callback is cancelled when cancelled before
-- its first `reached` attempt (if any), completed when not cancelled and
-- reached; reached_at is the first reached attempt. Flow figures (requested,
-- completed, cancelled, latency, sla_rate, attempts_per_completed) cover
-- callbacks requested in [from, to); open, overdue and oldest_open_age_sec
-- are point in time at `to` over every callback requested before `to`.
-- sla_rate: met = completed by due_at; breached = completed after due_at, or
-- neither completed nor cancelled with due_at < to; cancelled are excluded.
-- Parameters: from, to, queue ('' = all).
WITH
attempts AS (
    SELECT
        callback_id,
        minOrNullIf(attempted_at, result = 'reached') AS first_reach,
        arrayCount(x -> x <= first_reach, groupArray(attempted_at)) AS attempts_to_reach
    FROM callback_attempted
    WHERE attempted_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
),
cancels AS (
    SELECT callback_id, min(cancelled_at) AS first_cancel
    FROM callback_cancelled
    WHERE cancelled_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
),
callbacks AS (
    SELECT
        r.requested_at >= {from:DateTime64(3, 'UTC')} AS in_window,
        r.requested_at AS requested_at,
        r.due_at AS due_at,
        a.first_reach AS reached_at,
        c.first_cancel IS NOT NULL AND (a.first_reach IS NULL OR c.first_cancel < a.first_reach) AS is_cancelled,
        NOT is_cancelled AND a.first_reach IS NOT NULL AS is_completed,
        (toUnixTimestamp64Milli(assumeNotNull(a.first_reach)) - toUnixTimestamp64Milli(r.requested_at)) / 1000 AS latency,
        coalesce(a.attempts_to_reach, 0) AS attempts_to_reach,
        (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(r.requested_at)) / 1000 AS age
    FROM callback_requested AS r
    LEFT JOIN attempts AS a ON a.callback_id = r.callback_id
    LEFT JOIN cancels AS c ON c.callback_id = r.callback_id
    WHERE r.requested_at < {to:DateTime64(3, 'UTC')}
      AND ({queue:String} = '' OR r.queue = {queue:String})
    SETTINGS join_use_nulls = 1
)
SELECT
    countIf(in_window) AS requested,
    countIf(in_window AND is_completed) AS completed,
    countIf(in_window AND is_cancelled) AS cancelled,
    avgOrNullIf(latency, in_window AND is_completed) AS latency_mean_sec,
    quantileExactInclusiveOrNullIf(0.5)(latency, in_window AND is_completed) AS latency_p50_sec,
    quantileExactInclusiveOrNullIf(0.9)(latency, in_window AND is_completed) AS latency_p90_sec,
    countIf(in_window AND is_completed AND reached_at <= due_at) AS sla_met,
    countIf(in_window AND (is_completed AND reached_at > due_at
        OR NOT is_completed AND NOT is_cancelled AND due_at < {to:DateTime64(3, 'UTC')})) AS sla_breached,
    if(sla_met + sla_breached = 0, NULL, sla_met / (sla_met + sla_breached)) AS sla_rate,
    countIf(NOT is_completed AND NOT is_cancelled) AS open,
    countIf(NOT is_completed AND NOT is_cancelled AND due_at < {to:DateTime64(3, 'UTC')}) AS overdue,
    coalesce(maxIf(age, NOT is_completed AND NOT is_cancelled), 0) AS oldest_open_age_sec,
    if(completed = 0, NULL, sumIf(attempts_to_reach, in_window AND is_completed) / completed) AS attempts_per_completed
FROM callbacks
