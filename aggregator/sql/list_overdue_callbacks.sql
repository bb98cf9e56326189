-- list_overdue_callbacks: the callbacks behind callbacks.overdue
-- (report_callbacks.sql): requested before `to`, neither completed (reached)
-- nor cancelled before `to`, due before `to`. Oldest request first, with the
-- attempts made so far.
-- Parameters: to, queue ('' = all).
WITH
attempts AS (
    SELECT
        callback_id,
        count() AS attempts_so_far,
        countIf(result = 'reached') > 0 AS is_reached,
        minOrNullIf(attempted_at, result = 'reached') AS first_reach,
        max(attempted_at) AS last_attempt
    FROM callback_attempted
    WHERE attempted_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
),
cancels AS (
    SELECT callback_id, min(cancelled_at) AS first_cancel
    FROM callback_cancelled
    WHERE cancelled_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
)
SELECT
    toString(r.queue) AS queue,
    r.callback_id AS callback_id,
    r.customer_id AS customer_id,
    r.requested_at AS requested_at,
    r.due_at AS due_at,
    (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(r.due_at)) / 1000 AS overdue_sec,
    coalesce(a.attempts_so_far, 0) AS attempts,
    a.last_attempt AS last_attempt_at
FROM callback_requested AS r
LEFT JOIN attempts AS a ON a.callback_id = r.callback_id
LEFT JOIN cancels AS c ON c.callback_id = r.callback_id
WHERE r.requested_at < {to:DateTime64(3, 'UTC')}
  AND r.due_at < {to:DateTime64(3, 'UTC')}
  AND a.first_reach IS NULL
  AND c.first_cancel IS NULL
  AND ({queue:String} = '' OR r.queue = {queue:String})
ORDER BY r.requested_at, r.callback_id
SETTINGS join_use_nulls = 1
