-- list_abandoned: the abandoned calls of [from, to) behind calls.abandoned
-- (report_calls.sql): inbound, queued in the window, not answered, waited at
-- least short_abandon (def_inbound_calls.sql). Oldest first.
-- Parameters: from, to, short_abandon (seconds), queue ('' = all).
WITH
{{template "inbound_calls" .}}
SELECT
    toString(queue) AS queue,
    call_id,
    customer_id,
    assumeNotNull(queued_at) AS queued_at,
    wait AS wait_sec
FROM inbound_calls
WHERE is_abandoned
  AND queued_at >= {from:DateTime64(3, 'UTC')} AND queued_at < {to:DateTime64(3, 'UTC')}
  AND ({queue:String} = '' OR queue = {queue:String})
ORDER BY queued_at, call_id
