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
-- Calls are classified by def_inbound_calls.sql, contacts by def_contacts.sql,
-- callbacks by def_callbacks.sql (callback_state at `to`, callback_missed);
-- the cohort and the values are def_churn.sql (which also counts each
-- member's contacts in the lookback and finds the spans of churn_service
-- covering t); poor service is judged here.
-- Parameters: from, to.
WITH
toInt64({{.ChurnLookback}} * 1000) AS lookback_ms,
{{template "inbound_calls" .}},
{{template "contacts" .}},
{to:DateTime64(3, 'UTC')} AS callbacks_as_of,
{{template "callbacks"}},
-- The events that are poor service on their own, each as the span of
-- moments [at, at + churn_lookback) it counts for (an event at `at` is in
-- (t − churn_lookback, t] exactly when at <= t < at + churn_lookback). A
-- member is judged at a t in [from, to], so events at or before
-- from − churn_lookback are left out.
churn_service AS (
    SELECT customer_id, from_ms, from_ms + lookback_ms AS until_ms
    FROM (
        SELECT customer_id, from_ms
        FROM (
            SELECT customer_id, queued_ms AS from_ms, {{template "poor_service_call" .}}
            FROM inbound_calls
            WHERE customer_id != '' AND queued_at < {{.To}}
              AND queued_ms > toUnixTimestamp64Milli({{.From}}) - lookback_ms
        )
        WHERE is_poor_call
        UNION ALL
        SELECT customer_id, toUnixTimestamp64Milli(due_at) AS from_ms
        FROM callback_state
        WHERE customer_id != '' AND due_at <= {to:DateTime64(3, 'UTC')}
          AND toUnixTimestamp64Milli(due_at) > toUnixTimestamp64Milli({from:DateTime64(3, 'UTC')}) - lookback_ms
          AND {{template "callback_missed"}}
    )
),
{{template "churn_cohort" .}},
valued AS (
    SELECT customer_id, t, is_churned, value,
        in_poor_span OR lookback_contacts >= {{.RepeatContacts}} AS is_poor
    FROM cohort
)
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
