-- report_calls: the "calls" section of kpis.md, one row.
-- Inbound calls with queued_at in [from, to); outbound calls with ended_at in
-- the window. wait = (answered_at, else ended_at) − queued_at. A call that is
-- not answered is a short abandon below short_abandon seconds, an abandon at
-- or above it (def_inbound_calls.sql); offered = answered + abandoned. Rates
-- and means are NULL when their denominator is zero.
-- Parameters: from, to, queue ('' = all) and the KPI parameters.
WITH
{{template "inbound_calls" .}},
inbound AS (
    SELECT is_answered, wait, is_short_abandoned, is_abandoned, is_in_sl, handle, is_transferred
    FROM inbound_calls
    WHERE queued_at >= {{.From}} AND queued_at < {{.To}} AND {{.InQueue}}
)
SELECT
    {{template "call_kpis" .}},
    countIf(is_short_abandoned) AS short_abandoned,
    (SELECT count() FROM calls
      WHERE direction = 'outbound'
        AND ended_at >= {from:DateTime64(3, 'UTC')} AND ended_at < {to:DateTime64(3, 'UTC')}
        AND ({queue:String} = '' OR queue = {queue:String})) AS outbound,
    quantileExactInclusiveOrNullIf(0.9)(wait, is_answered) AS wait_p90_sec,
    if(answered = 0, NULL, countIf(is_answered AND is_transferred) / answered) AS transfer_rate
FROM inbound
