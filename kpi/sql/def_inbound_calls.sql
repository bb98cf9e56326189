-- def_inbound_calls: the one definition of an inbound call's wait and outcome
-- (kpis.md "calls"), shared by every query that classifies inbound calls:
-- report_calls, report_queues (and the queue gauges), report_agents,
-- report_contacts, report_churn, list_abandoned and job_poor_service.
-- A query includes it in its WITH list, passing the terms (kpi.Terms):
--     WITH {{template "inbound_calls" .}}, … SELECT … FROM inbound_calls WHERE queued_at …
-- and narrows it by queued_at (ClickHouse pushes the filter into the CTE).
-- The dashboards include it too (kpi.Definitions).
-- Columns:
--   queued_ms           queued_at in Unix milliseconds
--   wait                (answered_at, else ended_at) − queued_at, in seconds
--   is_answered         has answered_at
--   is_short_abandoned  not answered and wait < short_abandon: not offered
--   is_abandoned        not answered and wait ≥ short_abandon
--   is_in_sl            answered and wait ≤ sl_threshold
--   handle              talk_sec + hold_sec + wrap_sec (AHT counts answered)
--   is_transferred      transferred
-- Only inbound calls with a queued_at are rows.
-- Terms: .ShortAbandon, .SLThreshold (seconds).
{{define "inbound_calls" -}}
inbound_calls AS (
    SELECT
        call_id,
        queue,
        customer_id,
        agent_id,
        queued_at,
        answered_at,
        toUnixTimestamp64Milli(assumeNotNull(queued_at)) AS queued_ms,
        answered_at IS NOT NULL AS is_answered,
        (toUnixTimestamp64Milli(coalesce(answered_at, ended_at)) - queued_ms) / 1000 AS wait,
        NOT is_answered AND wait < {{.ShortAbandon}} AS is_short_abandoned,
        NOT is_answered AND wait >= {{.ShortAbandon}} AS is_abandoned,
        is_answered AND wait <= {{.SLThreshold}} AS is_in_sl,
        talk_sec + hold_sec + wrap_sec AS handle,
        transferred AS is_transferred
    FROM calls
    WHERE direction = 'inbound' AND queued_at IS NOT NULL
)
{{- end}}


-- call_kpis: columns for the SELECT list of an aggregation over rows of
-- inbound_calls (kpis.md "calls" and "queues"): offered = answered +
-- abandoned (short abandons are not offered), service_level = answered
-- within sl_threshold / offered, abandon_rate = abandoned / offered,
-- asa_sec = mean wait of the answered calls, aht_sec = mean handle of the
-- answered calls; a rate or mean with nothing to divide by is NULL.
-- Columns: offered, answered, abandoned, service_level, abandon_rate,
-- asa_sec, aht_sec.
{{define "call_kpis" -}}
countIf(is_answered) + countIf(is_abandoned) AS offered,
    countIf(is_answered) AS answered,
    countIf(is_abandoned) AS abandoned,
    if(offered = 0, NULL, countIf(is_in_sl) / offered) AS service_level,
    if(offered = 0, NULL, abandoned / offered) AS abandon_rate,
    avgOrNullIf(wait, is_answered) AS asa_sec,
    avgOrNullIf(handle, is_answered) AS aht_sec
{{- end}}

-- queue_kpis: the "queues" list of kpis.md, one row per queue that had an
-- inbound call queued in [.From, .To) in the queues of .InQueue (even if
-- every one was a short abandon), with call_kpis over its calls. The
-- report's queue list and the aggregator's 30-minute gauges read it. It
-- reads the inbound_calls CTE:
--     WITH {{template "inbound_calls" .}}, {{template "queue_kpis" .}} SELECT … FROM queue_kpis
-- Terms: .From, .To, .InQueue (and those of inbound_calls).
{{define "queue_kpis" -}}
queue_kpis AS (
    SELECT
        toString(queue) AS queue,
        {{template "call_kpis" .}}
    FROM inbound_calls
    WHERE queued_at >= {{.From}} AND queued_at < {{.To}} AND {{.InQueue}}
    GROUP BY queue
)
{{- end}}
