-- callbacks: callbacks requested per queue and interval of requested_at,
-- from callback_status (migration 0011), with the sum of their due windows
-- (due_at − requested_at, seconds): the deferred callback volume to
-- forecast and the window its work must fit in.
-- Parameters: from, to, interval_sec, queues.
SELECT
    toStartOfInterval(toDateTime(requested_at, 'UTC'), toIntervalSecond({interval_sec:UInt32})) AS bucket,
    toString(queue) AS queue,
    count() AS requested,
    sum(greatest(toUnixTimestamp64Milli(due_at) - toUnixTimestamp64Milli(requested_at), 0)) / 1000 AS window_sum
FROM callback_status FINAL
WHERE requested_at >= {from:DateTime64(3, 'UTC')}
  AND requested_at < {to:DateTime64(3, 'UTC')}
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(queue)))
GROUP BY bucket, queue
ORDER BY queue, bucket
