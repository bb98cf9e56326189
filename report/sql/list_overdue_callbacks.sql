-- list_overdue_callbacks: the callbacks behind callbacks.overdue
-- (report_callbacks.sql): callback_overdue of def_callbacks.sql at `to`.
-- Oldest request first, with the attempts made so far.
-- Parameters: to, queue ('' = all).
WITH
{{.To}} AS callbacks_as_of,
{{template "callbacks"}}
SELECT
    toString(queue) AS queue,
    callback_id,
    customer_id,
    requested_at,
    due_at,
    (toUnixTimestamp64Milli(callbacks_as_of) - toUnixTimestamp64Milli(due_at)) / 1000 AS overdue_sec,
    attempts_so_far AS attempts,
    last_attempt_at
FROM callback_state
WHERE {{template "callback_overdue"}} AND {{.InQueue}}
ORDER BY requested_at, callback_id
