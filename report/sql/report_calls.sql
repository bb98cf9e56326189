-- report_calls: the "calls" section of kpis.md, one row.
-- Inbound calls with queued_at in [from, to): their outcome (answered,
-- abandoned, short abandon), totals and rates are def_inbound_calls.sql's
-- (call_totals, call_rates), over the calls queued while their queue was
-- open; the out_of_hours figures count the others. wait_p90_sec is over the
-- answered calls in hours. Outbound calls with ended_at in the window are a
-- count only.
-- Parameters: from, to, queue ('' = all).
WITH
{{template "inbound_calls" .}},
inbound AS (
    SELECT is_answered, wait, is_short_abandoned, is_abandoned, is_in_sl, is_in_hours, handle, is_transferred
    FROM inbound_calls
    WHERE queued_at >= {{.From}} AND queued_at < {{.To}} AND {{.InQueue}}
)
SELECT
    {{template "call_totals" .}},
    {{template "call_rates" .}},
    quantileExactInclusiveOrNullIf(0.9)(wait, is_in_hours AND is_answered) AS wait_p90_sec,
    (SELECT count() FROM calls
      WHERE direction = 'outbound' AND ended_at >= {{.From}} AND ended_at < {{.To}} AND {{.InQueue}}) AS outbound
FROM inbound
