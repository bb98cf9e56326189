-- def_callbacks: the one definition of a callback's state (kpis.md
-- "callbacks"), shared by report_callbacks, list_overdue_callbacks,
-- report_trend and job_callback_status (whose callback_status table feeds
-- gauge_callbacks, job_poor_service and the dashboards), and of its SLA
-- (callback_sla, below: report_callbacks and the dashboards). Only events before the moment
-- callbacks_as_of count, which the including query binds in its WITH list:
--     WITH {to:DateTime64(3, 'UTC')} AS callbacks_as_of, {{template "callbacks"}}, … FROM callback_state …
-- A callback is cancelled when cancelled before its first `reached` attempt
-- (if any), completed when not cancelled and reached, open otherwise (a
-- callback reached after it was cancelled stays cancelled; one cancelled
-- after it was reached stays completed).
-- The block may be given a condition on callback_id that restricts every
-- part of it, for jobs that refresh only some callbacks:
--     {{template "callbacks" "callback_id IN touched"}}
-- callback_state has one row per request event before callbacks_as_of:
--   callback_id, queue, customer_id, requested_at, due_at
--   reached_at       the first reached attempt (NULL when none)
--   cancelled_at     the first cancellation (NULL when none)
--   is_cancelled, is_completed, is_open
--   closed_at        when it stopped being open: cancelled_at of a cancelled
--                    callback, reached_at of a completed one, NULL when open
--   attempts         attempts up to and including the first reached one
--                    (all of them while not reached)
--   attempts_so_far  all attempts; last_attempt_at the latest (NULL when none)
{{define "callbacks" -}}
callback_attempts AS (
    SELECT
        callback_id,
        minOrNullIf(attempted_at, result = 'reached') AS first_reach,
        arrayCount(x -> first_reach IS NULL OR x <= first_reach, groupArray(attempted_at)) AS attempts_to_reach,
        count() AS attempts_so_far,
        max(attempted_at) AS last_attempt
    FROM callback_attempted
    WHERE attempted_at < callbacks_as_of{{with .}} AND {{.}}{{end}}
    GROUP BY callback_id
),
callback_cancels AS (
    SELECT callback_id, min(cancelled_at) AS first_cancel
    FROM callback_cancelled
    WHERE cancelled_at < callbacks_as_of{{with .}} AND {{.}}{{end}}
    GROUP BY callback_id
),
callback_state AS (
    SELECT
        r.callback_id AS callback_id,
        r.queue AS queue,
        r.customer_id AS customer_id,
        r.requested_at AS requested_at,
        r.due_at AS due_at,
        a.first_reach AS reached_at,
        c.first_cancel AS cancelled_at,
        c.first_cancel IS NOT NULL AND (a.first_reach IS NULL OR c.first_cancel < a.first_reach) AS is_cancelled,
        NOT is_cancelled AND a.first_reach IS NOT NULL AS is_completed,
        if(is_cancelled, c.first_cancel, a.first_reach) AS closed_at,
        {{template "callback_open"}} AS is_open,
        coalesce(a.attempts_to_reach, 0) AS attempts,
        coalesce(a.attempts_so_far, 0) AS attempts_so_far,
        a.last_attempt AS last_attempt_at
    FROM callback_requested AS r
    LEFT JOIN callback_attempts AS a ON a.callback_id = r.callback_id
    LEFT JOIN callback_cancels AS c ON c.callback_id = r.callback_id
    WHERE r.requested_at < callbacks_as_of{{with .}} AND r.{{.}}{{end}}
    SETTINGS join_use_nulls = 1
)
{{- end}}

-- callback_open and callback_overdue: conditions on a callback's row, open
-- (and past its due time) at the moment callbacks_as_of (kpis.md
-- "callbacks", point in time): requested before it and not closed
-- (completed or cancelled) before it. They read requested_at, closed_at
-- (NULL while open), due_at and callbacks_as_of, as callback_state has them
-- (judged at `to`) and callback_status (kept by job_callback_status.sql) has
-- them for any moment up to its as_of: the gauges at the run's now, the
-- dashboards and alert rules at the end of their range, the report's
-- backlog curve at the end of each interval.
{{define "callback_open"}}(requested_at < callbacks_as_of AND (closed_at IS NULL OR closed_at >= callbacks_as_of)){{end}}
{{define "callback_overdue"}}({{template "callback_open"}} AND due_at < callbacks_as_of){{end}}

-- callback_sla: columns for the SELECT list of a query over callbacks, judged
-- at the moment callbacks_as_of (kpis.md "callbacks": sla_rate, overdue). The
-- query gives, in the same SELECT list or its FROM, the columns
--   is_completed     completed (as in callback_state)
--   requested_at, closed_at, reached_at, due_at
--                    the request, when it stopped being open (NULL while
--                    open), the first reach (NULL when none), the promise
--   callbacks_as_of  the moment it is judged at
-- The report reads callback_state, whose callbacks_as_of it binds to `to`;
-- the dashboards read callback_status (kept by job_callback_status.sql),
-- whose rows are judged at their as_of:
--     SELECT …, status = 'completed' AS is_completed,
--         as_of AS callbacks_as_of, {{template "callback_sla"}}
--     FROM callback_status FINAL …
-- Columns:
--   is_overdue     open, and due before callbacks_as_of
--   is_sla_met     completed with reached_at ≤ due_at
--   is_sla_missed  completed with reached_at > due_at, or overdue; cancelled
--                  callbacks and open ones not yet due are neither
{{define "callback_sla" -}}
{{template "callback_overdue"}} AS is_overdue,
        is_completed AND reached_at <= due_at AS is_sla_met,
        is_completed AND reached_at > due_at OR is_overdue AS is_sla_missed
{{- end}}

-- callback_missed: a condition on a callback's row, the missed callback of
-- kpis.md "churn" (a kind of poor service), judged at its due time: not
-- reached by due_at and not cancelled before due_at, whatever happened after.
-- It reads the columns reached_at, cancelled_at (NULL when none) and due_at,
-- as callback_state and callback_status have them; report_churn and
-- job_poor_service include it.
{{define "callback_missed" -}}
(reached_at IS NULL OR reached_at > due_at) AND (cancelled_at IS NULL OR cancelled_at >= due_at)
{{- end}}
