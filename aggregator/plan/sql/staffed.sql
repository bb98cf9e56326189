-- staffed: agents staffed per queue and interval, from staffed_15m
-- (migration 0011): agents is the mean number of agents logged in (staffed
-- seconds, breaks included, over the interval length); working the mean
-- number on the work (available, busy or wrap: logged in and not on a
-- break). working is the quantity the plan's requirement is set against:
-- agents on queue work, after shrinkage.
--
-- staffed_15m books time to the queue of the agent's state event: busy and
-- wrap carry the call's queue, but available and break time of multi-skilled
-- agents carries none (queue ''). That pooled time is shared out to the
-- queues in proportion to their own (busy and wrap) time in the interval —
-- or, in an interval where no queue has any, to their share of the whole
-- window — so the queues' staffed agents add up to everyone logged in.
-- own_agents is the queue's own time alone.
-- Parameters: from, to, interval_sec, queues (empty = every queue).
WITH per AS (
    SELECT
        toStartOfInterval(interval_start, toIntervalSecond({interval_sec:UInt32})) AS bucket,
        toString(queue) AS queue,
        sum(staffed_sec) AS sec,
        sum(available_sec + busy_sec + wrap_sec) AS work
    FROM staffed_15m FINAL
    WHERE interval_start >= {from:DateTime64(3, 'UTC')}
      AND interval_start < {to:DateTime64(3, 'UTC')}
    GROUP BY bucket, queue
),
queues AS (
    SELECT queue, sum(sec) / (SELECT sum(sec) FROM per WHERE queue != '') AS share
    FROM per
    WHERE queue != ''
    GROUP BY queue
),
buckets AS (
    SELECT bucket, sumIf(sec, queue = '') AS pooled, sumIf(work, queue = '') AS pooled_work,
        sumIf(sec, queue != '') AS assigned
    FROM per
    GROUP BY bucket
)
SELECT
    b.bucket AS bucket,
    q.queue AS queue,
    (coalesce(p.sec, 0) + b.pooled * if(b.assigned > 0, coalesce(p.sec, 0) / b.assigned, q.share))
        / {interval_sec:UInt32} AS agents,
    (coalesce(p.work, 0) + b.pooled_work * if(b.assigned > 0, coalesce(p.sec, 0) / b.assigned, q.share))
        / {interval_sec:UInt32} AS working,
    coalesce(p.sec, 0) / {interval_sec:UInt32} AS own_agents
FROM buckets AS b
CROSS JOIN queues AS q
LEFT JOIN per AS p ON p.bucket = b.bucket AND p.queue = q.queue
WHERE empty({queues:Array(String)}) OR has({queues:Array(String)}, q.queue)
ORDER BY queue, bucket
SETTINGS join_use_nulls = 1
