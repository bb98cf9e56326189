-- job_callback_status: refreshes callback_status (migration 0011) for every
-- callback with a request, an attempt or a cancellation in [since, now),
-- from all of its events before `now` (kpis.md "callbacks", as defined in
-- def_callbacks.sql: cancelled when cancelled before the first reach,
-- completed when reached and not cancelled, else open); the request is the
-- earliest request event. Idempotent: rows replace earlier ones by callback_id.
-- Parameters: since, now, version.
INSERT INTO callback_status (callback_id, queue, customer_id, requested_at, due_at, reached_at,
    cancelled_at, closed_at, last_attempt_at, attempts, status, as_of, version)
WITH
{now:DateTime64(3, 'UTC')} AS callbacks_as_of,
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
{{template "callbacks" "callback_id IN touched"}}
SELECT
    s.callback_id AS callback_id,
    argMin(s.queue, s.requested_at) AS queue,
    argMin(s.customer_id, s.requested_at) AS customer_id,
    min(s.requested_at) AS requested_at,
    argMin(s.due_at, s.requested_at) AS due_at,
    any(s.reached_at) AS reached_at,
    any(s.cancelled_at) AS cancelled_at,
    any(s.closed_at) AS closed_at,
    any(s.last_attempt_at) AS last_attempt_at,
    toUInt32(any(s.attempts)) AS attempts,
    multiIf(any(s.is_cancelled), 'cancelled', any(s.is_completed), 'completed', 'open') AS status,
    {now:DateTime64(3, 'UTC')} AS as_of,
    {version:UInt64} AS version
FROM callback_state AS s
GROUP BY s.callback_id
