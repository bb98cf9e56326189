-- report_churn: the "churn" section of kpis.md, one row.
-- Poor service of a customer at t: within (t − churn_lookback, t] an answered
-- inbound call that waited more than long_wait, an abandoned call, a
-- transferred answered call (each by queued_at), a callback due in the range
-- that was neither reached by due_at nor cancelled before it, or at least
-- repeat_contacts contacts. The cohort is the customers churned in [from, to)
-- (judged at churned_at) and the customers not churned before `to` with a
-- contact in (to − churn_lookback, to] (judged at `to`). A customer's value is
-- the churn event's annual_value, else the latest customer.updated
-- annual_value at or before t, else 0. Churn is centre-wide: no queue filter.
-- Calls are classified by def_inbound_calls.sql, contacts by def_contacts.sql;
-- the cohort and the values are def_churn.sql, poor service is judged here.
-- Parameters: from, to, short_abandon, long_wait, churn_lookback (seconds),
-- repeat_contacts.
WITH
toInt64({churn_lookback:Float64} * 1000) AS lookback_ms,
{{template "inbound_calls" .}},
{{template "contacts" .}},
inbound AS (
    SELECT customer_id, queued_ms AS t_ms, is_answered, wait, is_abandoned, is_transferred
    FROM inbound_calls
    WHERE customer_id != '' AND queued_at < {to:DateTime64(3, 'UTC')}
),
contact AS (
    SELECT customer_id, t_ms FROM contacts WHERE t < {to:DateTime64(3, 'UTC')}
),
reach AS (
    SELECT callback_id, min(attempted_at) AS first_reach
    FROM callback_attempted
    WHERE result = 'reached' AND attempted_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
),
cancel AS (
    SELECT callback_id, min(cancelled_at) AS first_cancel
    FROM callback_cancelled
    WHERE cancelled_at < {to:DateTime64(3, 'UTC')}
    GROUP BY callback_id
),
-- kind 1: an event that is poor service on its own; kind 2: a contact.
service AS (
    SELECT customer_id, t_ms, 1 AS kind
    FROM inbound
    WHERE is_answered AND (wait > {long_wait:Float64} OR is_transferred) OR is_abandoned
    UNION ALL
    SELECT r.customer_id, toUnixTimestamp64Milli(r.due_at) AS t_ms, 1 AS kind
    FROM callback_requested AS r
    LEFT JOIN reach AS a ON a.callback_id = r.callback_id
    LEFT JOIN cancel AS c ON c.callback_id = r.callback_id
    WHERE r.customer_id != '' AND r.due_at <= {to:DateTime64(3, 'UTC')}
      AND NOT (a.first_reach IS NOT NULL AND a.first_reach <= r.due_at)
      AND NOT (c.first_cancel IS NOT NULL AND c.first_cancel < r.due_at)
    SETTINGS join_use_nulls = 1
    UNION ALL
    SELECT customer_id, t_ms, 2 AS kind FROM contact
),
{{template "churn_cohort" .}},
judged_cohort AS (
    SELECT
        m.customer_id AS customer_id,
        m.t_ms AS t_ms,
        m.is_churned AS is_churned,
        m.churn_value AS churn_value,
        countIf(e.kind = 1 AND e.t_ms > m.t_ms - lookback_ms AND e.t_ms <= m.t_ms) > 0
            OR countIf(e.kind = 2 AND e.t_ms > m.t_ms - lookback_ms AND e.t_ms <= m.t_ms)
               >= {repeat_contacts:UInt32} AS is_poor
    FROM cohort AS m
    LEFT JOIN service AS e ON e.customer_id = m.customer_id
    GROUP BY m.customer_id, m.t_ms, m.is_churned, m.churn_value
),
{{template "churn_valued" .}}
SELECT
    countIf(is_churned) AS churned,
    sumIf(value, is_churned) AS revenue_lost,
    countIf(is_churned AND is_poor) AS churned_after_poor_service,
    sumIf(value, is_churned AND is_poor) AS revenue_lost_after_poor_service,
    if(countIf(is_poor) = 0, NULL, countIf(is_churned AND is_poor) / countIf(is_poor)) AS churn_rate_exposed,
    if(countIf(NOT is_poor) = 0, NULL, countIf(is_churned AND NOT is_poor) / countIf(NOT is_poor)) AS churn_rate_unexposed,
    if(churn_rate_unexposed = 0, NULL, churn_rate_exposed / churn_rate_unexposed) AS lift,
    countIf(NOT is_churned AND is_poor) AS customers_at_risk,
    sumIf(value, NOT is_churned AND is_poor) AS revenue_at_risk
FROM valued
