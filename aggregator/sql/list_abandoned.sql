-- list_abandoned: the abandoned calls of [from, to) behind calls.abandoned
-- (report_calls.sql): inbound, queued in the window, not answered, waited at
-- least short_abandon. Oldest first.
-- Parameters: from, to, short_abandon (seconds), queue ('' = all).
SELECT
    toString(queue) AS queue,
    call_id,
    customer_id,
    assumeNotNull(queued_at) AS queued_at,
    (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(assumeNotNull(queued_at))) / 1000 AS wait_sec
FROM calls
WHERE direction = 'inbound' AND answered_at IS NULL
  AND queued_at >= {from:DateTime64(3, 'UTC')} AND queued_at < {to:DateTime64(3, 'UTC')}
  AND wait_sec >= {short_abandon:Float64}
  AND ({queue:String} = '' OR queue = {queue:String})
ORDER BY queued_at, call_id
