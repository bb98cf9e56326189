-- list_overdue_callbacks: the callbacks behind callbacks.overdue
-- (report_callbacks.sql): requested before `to`, open at `to` (neither
-- completed nor cancelled before it, def_callbacks.sql), due before `to`.
-- Oldest request first, with the attempts made so far.
-- Parameters: to, queue ('' = all).
WITH
{to:DateTime64(3, 'UTC')} AS callbacks_as_of,
{{template "callbacks"}}
SELECT
    toString(s.queue) AS queue,
    s.callback_id AS callback_id,
    s.customer_id AS customer_id,
    s.requested_at AS requested_at,
    s.due_at AS due_at,
    (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(s.due_at)) / 1000 AS overdue_sec,
    s.attempts_so_far AS attempts,
    s.last_attempt_at AS last_attempt_at
FROM callback_state AS s
WHERE s.is_open
  AND s.due_at < {to:DateTime64(3, 'UTC')}
  AND ({queue:String} = '' OR s.queue = {queue:String})
ORDER BY s.requested_at, s.callback_id
