-- job_callback_status: refreshes callback_status (migration 0011) for every
-- callback with a request, an attempt or a cancellation in [since, now),
-- from all of its events before `now` (kpis.md "callbacks": cancelled when
-- cancelled before the first reach, completed when reached and not
-- cancelled, else open). Idempotent: rows replace earlier ones by callback_id.
-- Parameters: since, now, version.
INSERT INTO callback_status (callback_id, queue, customer_id, requested_at, due_at, reached_at,
    cancelled_at, closed_at, last_attempt_at, attempts, status, as_of, version)
WITH
touched AS (
    SELECT callback_id FROM callback_requested
    WHERE requested_at >= {since:DateTime64(3, 'UTC')} AND requested_at < {now:DateTime64(3, 'UTC')}
    UNION DISTINCT
    SELECT callback_id FROM callback_attempted
    WHERE attempted_at >= {since:DateTime64(3, 'UTC')} AND attempted_at < {now:DateTime64(3, 'UTC')}
    UNION DISTINCT
    SELECT callback_id FROM callback_cancelled
    WHERE cancelled_at >= {since:DateTime64(3, 'UTC')} AND cancelled_at < {now:DateTime64(3, 'UTC')}
),
attempts AS (
    SELECT
        callback_id,
        minOrNullIf(attempted_at, result = 'reached') AS first_reach,
        arrayCount(x -> first_reach IS NULL OR x <= first_reach, groupArray(attempted_at)) AS attempts_to_reach,
        max(attempted_at) AS last_attempt
    FROM callback_attempted
    WHERE attempted_at < {now:DateTime64(3, 'UTC')} AND callback_id IN touched
    GROUP BY callback_id
),
cancels AS (
    SELECT callback_id, min(cancelled_at) AS first_cancel
    FROM callback_cancelled
    WHERE cancelled_at < {now:DateTime64(3, 'UTC')} AND callback_id IN touched
    GROUP BY callback_id
),
requests AS (
    SELECT
        callback_id,
        argMin(queue, requested_at) AS req_queue,
        argMin(customer_id, requested_at) AS req_customer_id,
        min(requested_at) AS req_at,
        argMin(due_at, requested_at) AS req_due_at
    FROM callback_requested
    WHERE requested_at < {now:DateTime64(3, 'UTC')} AND callback_id IN touched
    GROUP BY callback_id
)
SELECT
    r.callback_id,
    r.req_queue AS queue,
    r.req_customer_id AS customer_id,
    r.req_at AS requested_at,
    r.req_due_at AS due_at,
    a.first_reach AS reached_at,
    c.first_cancel AS cancelled_at,
    if(c.first_cancel IS NOT NULL AND (a.first_reach IS NULL OR c.first_cancel < a.first_reach),
       c.first_cancel, a.first_reach) AS closed_at,
    a.last_attempt AS last_attempt_at,
    toUInt32(coalesce(a.attempts_to_reach, 0)) AS attempts,
    multiIf(c.first_cancel IS NOT NULL AND (a.first_reach IS NULL OR c.first_cancel < a.first_reach), 'cancelled',
            a.first_reach IS NOT NULL, 'completed', 'open') AS status,
    {now:DateTime64(3, 'UTC')} AS as_of,
    {version:UInt64} AS version
FROM requests AS r
LEFT JOIN attempts AS a ON a.callback_id = r.callback_id
LEFT JOIN cancels AS c ON c.callback_id = r.callback_id
SETTINGS join_use_nulls = 1
