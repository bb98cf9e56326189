-- calls: offered calls and handle time per queue and interval, from the
-- calls_15m rollup (migration 0010), for the forecast of calls and AHT and
-- the patience of Erlang A. handle_sum is talk + hold + wrap of answered
-- calls (AHT = handle_sum / answered); abandoned_wait_sum and
-- answered_wait_sum are the waits erlang.EstimatePatience needs.
-- Parameters: from, to (the history window, [from, to)), interval_sec (a
-- multiple of 900), queues (empty = every queue).
SELECT
    toStartOfInterval(interval_start, toIntervalSecond({interval_sec:UInt32})) AS bucket,
    toString(queue) AS queue,
    sum(offered) AS offered,
    sum(answered) AS answered,
    sum(talk_sum) + sum(hold_sum) + sum(wrap_sum) AS handle_sum,
    sum(abandoned) AS abandoned,
    sum(abandoned_wait_sum) AS abandoned_wait_sum,
    sum(answered_wait_sum) AS answered_wait_sum
FROM calls_15m
WHERE interval_start >= {from:DateTime64(3, 'UTC')}
  AND interval_start < {to:DateTime64(3, 'UTC')}
  AND queue != ''
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(queue)))
GROUP BY bucket, queue
HAVING offered > 0 OR answered > 0
ORDER BY queue, bucket
