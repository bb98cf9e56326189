-- report_queues: the "queues" list of kpis.md, one row per queue that had an
-- inbound call queued in [from, to) (even if every one was a short abandon),
-- sorted by queue name. Definitions as in report_calls.sql
-- (def_inbound_calls.sql).
-- Parameters: from, to, sl_threshold, short_abandon (seconds), queue ('' = all).
WITH
{{template "inbound_calls" .}},
inbound AS (
    SELECT queue AS q, is_answered, wait, is_abandoned, handle
    FROM inbound_calls
    WHERE queued_at >= {from:DateTime64(3, 'UTC')} AND queued_at < {to:DateTime64(3, 'UTC')}
      AND ({queue:String} = '' OR queue = {queue:String})
)
SELECT
    toString(q) AS queue,
    countIf(is_answered) + countIf(is_abandoned) AS offered,
    countIf(is_answered) AS answered,
    countIf(is_abandoned) AS abandoned,
    if(offered = 0, NULL, countIf(is_answered AND wait <= {sl_threshold:Float64}) / offered) AS service_level,
    if(offered = 0, NULL, abandoned / offered) AS abandon_rate,
    avgOrNullIf(wait, is_answered) AS asa_sec,
    avgOrNullIf(handle, is_answered) AS aht_sec
FROM inbound
GROUP BY q
ORDER BY queue
