-- rollup_queue_intervals: the per-queue call KPIs of kpis.md ("queues") per
-- interval, read from the calls_15m rollup instead of raw events — the query
-- behind the interval charts. The rollup rows are judged by
-- call_intervals and summed by interval_totals and call_rates
-- (def_inbound_calls.sql), with each queue's own thresholds and opening
-- hours: the rollups give the raw events' figures. Intervals are
-- re-aggregated from the fixed 15-minute buckets: interval (seconds) should
-- be a multiple of 900; 86400 is a local day of the view's time zone; 0
-- means one row per queue for the whole window.
-- from and to should be on 15-minute boundaries; a bucket counts when it
-- starts in [from, to). Rows: queues with an inbound call queued (or an
-- outbound call ended) in the interval, by interval then queue.
-- Parameters: from, to, interval (seconds), queue ('' = all), topic ('' = all).
WITH
{{template "call_intervals" .}}
SELECT
    multiIf({interval:UInt32} = 0, toDateTime({{.From}}, 'UTC'),
        {interval:UInt32} = 86400, toTimeZone({{.Day "c.interval_start"}}, 'UTC'),
        toStartOfInterval(c.interval_start, toIntervalSecond(greatest({interval:UInt32}, 1)))) AS interval_start,
    c.queue AS queue,
    {{template "interval_totals" .}},
    {{template "call_rates" .}},
    sum(n_outbound) AS outbound
FROM call_intervals AS c
WHERE {topic:String} = '' OR c.topic = {topic:String}
GROUP BY interval_start, queue
ORDER BY interval_start, queue
