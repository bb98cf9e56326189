-- report_queues: the "queues" list of kpis.md, one row per queue that had an
-- inbound call queued in [from, to) (even if every one was a short abandon),
-- sorted by queue name. Definitions as in report_calls.sql.
-- Parameters: from, to, sl_threshold, short_abandon (seconds), queue ('' = all).
WITH inbound AS (
    SELECT
        queue AS q,
        answered_at IS NOT NULL AS is_answered,
        (toUnixTimestamp64Milli(coalesce(answered_at, ended_at))
            - toUnixTimestamp64Milli(assumeNotNull(queued_at))) / 1000 AS wait,
        NOT is_answered AND wait >= {short_abandon:Float64} AS is_abandoned,
        talk_sec + hold_sec + wrap_sec AS handle
    FROM calls
    WHERE direction = 'inbound'
      AND queued_at >= {from:DateTime64(3, 'UTC')} AND queued_at < {to:DateTime64(3, 'UTC')}
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
