-- def_inbound_calls: the one definition of an inbound call's wait and outcome
-- (kpis.md "calls"), of the figures of a set of calls (offered, service
-- level, abandon rate, ASA, AHT), and of the same figures read from the
-- 15-minute rollup. Every query that classifies inbound calls includes it:
-- the report's calls, queues, agents, contacts and churn sections and the
-- abandoned list, the gauges, job_poor_service, the planner, the dashboards
-- and the alert rules (kpi.Definitions).

-- answered_in_sl and short_wait: the two thresholds of a call, on its wait
-- (a column or lambda variable named wait, seconds) and the thresholds of
-- its queue (a column named queue): answered within the service-level
-- threshold, and a wait too short for an unanswered call to be an abandon.
-- The raw calls (inbound_calls) and the per-second wait counts of the
-- rollup (call_intervals) are judged by these same words.
{{define "answered_in_sl"}}wait <= {{.SLThreshold}}{{end}}
{{define "short_wait"}}wait < {{.ShortAbandon}}{{end}}

-- inbound_calls: one row per inbound call with a queued_at. Its queued_at
-- is the table's sort and partition column ts (queued_at, not NULL here),
-- so that a window on queued_at prunes months and uses the primary key.
-- A query includes it in its WITH list, passing the terms (kpi.Terms):
--     WITH {{template "inbound_calls" .}}, … SELECT … FROM inbound_calls WHERE queued_at …
-- and narrows it by queued_at (ClickHouse pushes the filter into the CTE).
-- Columns:
--   queued_ms           queued_at in Unix milliseconds
--   wait                (answered_at, else ended_at) − queued_at, in seconds
--   is_answered         has answered_at
--   is_short_abandoned  not answered and wait < short_abandon: not offered
--   is_abandoned        not answered and wait ≥ short_abandon
--   is_in_sl            answered and wait ≤ sl_threshold
--   is_in_hours         queued while its queue was open (opening hours,
--                       holidays, in the queue's time zone)
--   handle              talk_sec + hold_sec + wrap_sec (AHT counts answered)
--   is_transferred      transferred
-- Terms: .ShortAbandon, .SLThreshold (seconds, per queue), .InHours.
{{define "inbound_calls" -}}
inbound_calls AS (
    SELECT
        call_id,
        queue,
        customer_id,
        agent_id,
        ts AS queued_at,
        answered_at,
        toUnixTimestamp64Milli(ts) AS queued_ms,
        answered_at IS NOT NULL AS is_answered,
        (toUnixTimestamp64Milli(coalesce(answered_at, ended_at)) - queued_ms) / 1000 AS wait,
        NOT is_answered AND {{template "short_wait" .}} AS is_short_abandoned,
        NOT is_answered AND NOT is_short_abandoned AS is_abandoned,
        is_answered AND {{template "answered_in_sl" .}} AS is_in_sl,
        {{.InHours "ts"}} AS is_in_hours,
        talk_sec + hold_sec + wrap_sec AS handle,
        transferred AS is_transferred
    FROM calls
    WHERE direction = 'inbound' AND calls.queued_at IS NOT NULL
)
{{- end}}

-- call_totals: columns for the SELECT list of an aggregation over rows of
-- inbound_calls: the counts and sums call_rates divides. The calls section
-- counts the calls queued while their queue was open (kpis.md "Opening
-- hours"); the others are the out-of-hours figures (ooh_*).
-- Columns: answered, abandoned, short_abandoned, in_sl, answered_wait_sum,
-- abandon_wait_sum, handle_sum, transfers, ooh_answered, ooh_abandoned,
-- ooh_short_abandoned.
{{define "call_totals" -}}
countIf(is_in_hours AND is_answered) AS answered,
    countIf(is_in_hours AND is_abandoned) AS abandoned,
    countIf(is_in_hours AND is_short_abandoned) AS short_abandoned,
    countIf(is_in_hours AND is_in_sl) AS in_sl,
    sumIf(wait, is_in_hours AND is_answered) AS answered_wait_sum,
    sumIf(wait, is_in_hours AND is_abandoned) AS abandon_wait_sum,
    sumIf(handle, is_in_hours AND is_answered) AS handle_sum,
    countIf(is_in_hours AND is_answered AND is_transferred) AS transfers,
    countIf(NOT is_in_hours AND is_answered) AS ooh_answered,
    countIf(NOT is_in_hours AND is_abandoned) AS ooh_abandoned,
    countIf(NOT is_in_hours AND is_short_abandoned) AS ooh_short_abandoned
{{- end}}

-- call_rates: columns for the SELECT list after call_totals (or
-- interval_totals), kpis.md "calls": offered = answered + abandoned (short
-- abandons are not offered), service_level = answered within sl_threshold /
-- offered, abandon_rate = abandoned / offered, asa_sec = mean wait of the
-- answered calls, aht_sec = mean handle of the answered calls,
-- abandon_time_mean_sec = mean wait of the abandoned calls, transfer_rate =
-- transferred / answered; a rate or mean with nothing to divide by is NULL.
-- out_of_hours_offered = answered + abandoned among the calls queued while
-- the queue was closed.
{{define "call_rates" -}}
answered + abandoned AS offered,
    if(offered = 0, NULL, in_sl / offered) AS service_level,
    if(offered = 0, NULL, abandoned / offered) AS abandon_rate,
    if(answered = 0, NULL, answered_wait_sum / answered) AS asa_sec,
    if(answered = 0, NULL, handle_sum / answered) AS aht_sec,
    if(abandoned = 0, NULL, abandon_wait_sum / abandoned) AS abandon_time_mean_sec,
    if(answered = 0, NULL, transfers / answered) AS transfer_rate,
    ooh_answered + ooh_abandoned AS out_of_hours_offered
{{- end}}

-- queue_kpis: the "queues" list of kpis.md, one row per queue that had an
-- inbound call queued in [.From, .To) in the queues of .InQueue (even if
-- every one was a short abandon or out of hours), with call_totals and
-- call_rates over its calls. The report's queue list and the aggregator's
-- 30-minute gauges read it. It reads the inbound_calls CTE:
--     WITH {{template "inbound_calls" .}}, {{template "queue_kpis" .}} SELECT … FROM queue_kpis
-- Terms: .From, .To, .InQueue (and those of inbound_calls).
{{define "queue_kpis" -}}
queue_kpis AS (
    SELECT
        toString(queue) AS queue,
        {{template "call_totals" .}},
        {{template "call_rates" .}}
    FROM inbound_calls
    WHERE queued_at >= {{.From}} AND queued_at < {{.To}} AND {{.InQueue}}
    GROUP BY queue
)
{{- end}}

-- call_intervals: the calls of the calls_15m rollup (migration 0010, the
-- per-second wait counts of migration 0030), one row per rollup row whose
-- 15-minute bucket starts in [.From, .To), in the queues of .InQueue, judged
-- by the same words as inbound_calls: answered_in_sl on the answered waits
-- (counted by whole seconds rounded up, so wait ≤ T is exact for a whole T)
-- and short_wait on the unanswered ones (rounded down, so wait < S is
-- exact). A bucket is in hours when its queue is open at its start: opening
-- hours are on quarter hours and time zones whole quarter hours away from
-- UTC, so a bucket is wholly open or wholly closed. Several rows may share
-- a bucket (the rollup merges in the background): aggregate them.
-- Columns: interval_start, queue, topic, is_in_hours, n_answered, n_in_sl,
-- n_abandoned, n_short_abandoned, answered_wait, abandon_wait, handle, talk,
-- hold, wrap, n_transfers, n_outbound, wait_quantiles (the exact quantile
-- state of the answered waits: quantilesExactInclusiveMerge(0.5, 0.9, 0.95)).
-- Terms: .From, .To, .InQueue, .SLThreshold, .ShortAbandon, .InHours.
{{define "call_intervals" -}}
call_intervals AS (
    SELECT
        interval_start,
        toString(queue) AS queue,
        toString(topic) AS topic,
        {{.InHours "interval_start"}} AS is_in_hours,
        arraySum(mapValues(answered_waits)) AS n_answered,
        arraySum(arrayMap((wait, n) -> if({{template "answered_in_sl" .}}, n, 0),
            mapKeys(answered_waits), mapValues(answered_waits))) AS n_in_sl,
        arraySum(arrayMap((wait, n) -> if({{template "short_wait" .}}, n, 0),
            mapKeys(unanswered_waits), mapValues(unanswered_waits))) AS n_short_abandoned,
        arraySum(mapValues(unanswered_waits)) - n_short_abandoned AS n_abandoned,
        arraySum(arrayMap((wait, s) -> if({{template "short_wait" .}}, 0, s),
            mapKeys(unanswered_wait_sums), mapValues(unanswered_wait_sums))) AS abandon_wait,
        answered_wait_sum AS answered_wait,
        talk_sum + hold_sum + wrap_sum AS handle,
        talk_sum AS talk,
        hold_sum AS hold,
        wrap_sum AS wrap,
        transfers AS n_transfers,
        outbound AS n_outbound,
        wait_quantiles
    FROM calls_15m
    WHERE interval_start >= {{.From}} AND interval_start < {{.To}} AND {{.InQueue}}
)
{{- end}}

-- interval_totals: columns for the SELECT list of an aggregation over rows
-- of call_intervals, the same totals as call_totals (rollups = raw events),
-- for call_rates; wait_p90_sec, the 90th percentile of the answered waits
-- in hours; and talk_sum, hold_sum, wrap_sum, the parts of handle_sum.
{{define "interval_totals" -}}
sumIf(n_answered, is_in_hours) AS answered,
    sumIf(n_abandoned, is_in_hours) AS abandoned,
    sumIf(n_short_abandoned, is_in_hours) AS short_abandoned,
    sumIf(n_in_sl, is_in_hours) AS in_sl,
    sumIf(answered_wait, is_in_hours) AS answered_wait_sum,
    sumIf(abandon_wait, is_in_hours) AS abandon_wait_sum,
    sumIf(handle, is_in_hours) AS handle_sum,
    sumIf(n_transfers, is_in_hours) AS transfers,
    sumIf(n_answered, NOT is_in_hours) AS ooh_answered,
    sumIf(n_abandoned, NOT is_in_hours) AS ooh_abandoned,
    sumIf(n_short_abandoned, NOT is_in_hours) AS ooh_short_abandoned,
    if(answered = 0, NULL, arrayElement(quantilesExactInclusiveMergeIf(0.5, 0.9, 0.95)(wait_quantiles, is_in_hours), 2))
        AS wait_p90_sec,
    sumIf(talk, is_in_hours) AS talk_sum,
    sumIf(hold, is_in_hours) AS hold_sum,
    sumIf(wrap, is_in_hours) AS wrap_sum
{{- end}}
