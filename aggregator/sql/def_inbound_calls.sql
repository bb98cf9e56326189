-- def_inbound_calls: the one definition of an inbound call's wait and outcome
-- (kpis.md "calls"), shared by every query that classifies inbound calls:
-- report_calls, report_queues (and the queue gauges), report_agents,
-- report_contacts, report_churn, list_abandoned and job_poor_service.
-- A query includes it in its WITH list, passing the terms (aggregator.SQLTerms):
--     WITH {{template "inbound_calls" .}}, … SELECT … FROM inbound_calls WHERE queued_at …
-- and narrows it by queued_at (ClickHouse pushes the filter into the CTE).
-- The dashboards include it too (aggregator.Definitions).
-- Columns:
--   queued_ms           queued_at in Unix milliseconds
--   wait                (answered_at, else ended_at) − queued_at, in seconds
--   is_answered         has answered_at
--   is_short_abandoned  not answered and wait < short_abandon: not offered
--   is_abandoned        not answered and wait ≥ short_abandon
--   handle              talk_sec + hold_sec + wrap_sec (AHT counts answered)
--   is_transferred      transferred
-- Only inbound calls with a queued_at are rows.
-- Terms: .ShortAbandon (seconds).
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
        talk_sec + hold_sec + wrap_sec AS handle,
        transferred AS is_transferred
    FROM calls
    WHERE direction = 'inbound' AND queued_at IS NOT NULL
)
{{- end}}
