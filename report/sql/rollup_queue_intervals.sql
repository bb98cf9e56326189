-- rollup_queue_intervals: the per-queue call KPIs of kpis.md ("queues") per
-- interval, read from the calls_15m rollup instead of raw events — the query
-- behind the interval charts. Intervals are re-aggregated from the fixed
-- 15-minute buckets: interval (seconds) should be a multiple of 900, and
-- 0 means one row per queue for the whole window. from and to should be on
-- 15-minute boundaries; a bucket counts when it starts in [from, to).
-- The service-level threshold (20 s) and short abandon (5 s) are those fixed
-- in the rollup (migration 0010). Rows: queues with an inbound call queued
-- (or an outbound call ended) in the interval, by interval then queue.
-- Parameters: from, to, interval (seconds), queue ('' = all), topic ('' = all).
SELECT
    if({interval:UInt32} = 0, toDateTime({from:DateTime64(3, 'UTC')}, 'UTC'),
       toStartOfInterval(c.interval_start, toIntervalSecond(greatest({interval:UInt32}, 1)))) AS interval_start,
    toString(c.queue) AS queue,
    sum(c.offered) AS offered,
    sum(c.answered) AS answered,
    sum(c.abandoned) AS abandoned,
    sum(c.short_abandoned) AS short_abandoned,
    sum(c.outbound) AS outbound,
    if(offered = 0, NULL, sum(c.answered_in_sl) / offered) AS service_level,
    if(offered = 0, NULL, abandoned / offered) AS abandon_rate,
    if(answered = 0, NULL, sum(c.answered_wait_sum) / answered) AS asa_sec,
    if(answered = 0, NULL, arrayElement(quantilesExactInclusiveMerge(0.5, 0.9, 0.95)(c.wait_quantiles), 2)) AS wait_p90_sec,
    if(answered = 0, NULL, (sum(c.talk_sum) + sum(c.hold_sum) + sum(c.wrap_sum)) / answered) AS aht_sec,
    if(answered = 0, NULL, sum(c.transfers) / answered) AS transfer_rate
FROM calls_15m AS c
WHERE c.interval_start >= {from:DateTime64(3, 'UTC')} AND c.interval_start < {to:DateTime64(3, 'UTC')}
  AND ({queue:String} = '' OR c.queue = {queue:String})
  AND ({topic:String} = '' OR c.topic = {topic:String})
GROUP BY interval_start, queue
ORDER BY interval_start, queue
