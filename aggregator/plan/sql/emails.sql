-- emails: e-mails received per queue and interval, from the emails_15m
-- rollup (migration 0010): the deferred e-mail volume to forecast.
-- Parameters: from, to, interval_sec, queues (as in calls.sql).
SELECT
    toStartOfInterval(interval_start, toIntervalSecond({interval_sec:UInt32})) AS bucket,
    toString(queue) AS queue,
    sum(received) AS received
FROM emails_15m
WHERE interval_start >= {from:DateTime64(3, 'UTC')}
  AND interval_start < {to:DateTime64(3, 'UTC')}
  AND queue != ''
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(queue)))
GROUP BY bucket, queue
ORDER BY queue, bucket
