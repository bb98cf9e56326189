-- calls: offered calls and handle time per queue and interval, from the
-- calls_15m rollup (migration 0010) read and judged by the report's own
-- definitions (call_intervals, interval_totals and call_rates of
-- def_inbound_calls.sql: each queue's short abandon and opening hours), for
-- the forecast of calls and AHT and the patience of Erlang A: the calls
-- offered while the queue was open, handle_sum their talk + hold + wrap
-- (AHT = handle_sum / answered), abandon_wait_sum and answered_wait_sum the
-- waits erlang.EstimatePatience needs. Buckets of interval_sec are in UTC:
-- the planner takes only intervals that are whole in local time.
-- Parameters: from, to (the history window, [from, to)), interval_sec (a
-- multiple of 900), queues (empty = every queue), queue ('').
WITH
{{template "call_intervals" .}}
SELECT
    toStartOfInterval(c.interval_start, toIntervalSecond({interval_sec:UInt32})) AS bucket,
    c.queue AS queue,
    {{template "interval_totals" .}},
    {{template "call_rates" .}}
FROM call_intervals AS c
WHERE c.queue != ''
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, c.queue))
GROUP BY bucket, queue
HAVING offered > 0 OR answered > 0
ORDER BY queue, bucket
