-- staffed: agents staffed per queue and interval, from staffed_15m
-- (migration 0011): staffed seconds (time not logged out, breaks included)
-- over the interval length, the mean number of agents logged in.
-- Parameters: from, to, interval_sec, queues.
SELECT
    toStartOfInterval(interval_start, toIntervalSecond({interval_sec:UInt32})) AS bucket,
    toString(queue) AS queue,
    sum(staffed_sec) / {interval_sec:UInt32} AS agents
FROM staffed_15m FINAL
WHERE interval_start >= {from:DateTime64(3, 'UTC')}
  AND interval_start < {to:DateTime64(3, 'UTC')}
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(queue)))
GROUP BY bucket, queue
ORDER BY queue, bucket
