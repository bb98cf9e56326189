-- def_churn: the churn cohort of kpis.md ("churn") and the value of its
-- members, shared by report_churn and the churn panels of the dashboards
-- (aggregator.Definitions). Whether a member had poor service is judged by
-- the including query between the two blocks: the report from the events,
-- the dashboards from customer_poor_service (job_poor_service.sql).
--     WITH {{template "inbound_calls" .}}, {{template "contacts" .}},
--          {{template "churn_cohort" .}},
--          judged_cohort AS (SELECT …, <poor service at t_ms> AS is_poor FROM cohort …),
--          {{template "churn_valued" .}} … FROM valued

-- churn_cohort: the customers churned in [.From, .To), judged at their first
-- churn in it, and the customers not churned before .To with a contact (the
-- contacts CTE, def_contacts.sql) in (.To − churn_lookback, .To), judged at .To.
-- Columns of cohort:
--   customer_id
--   t_ms         the moment the member is judged, in Unix milliseconds
--   is_churned   churned in the window
--   churn_value  the churn event's annual_value (NULL when none, or not churned)
-- Terms: .From, .To, .ChurnLookback (seconds).
{{define "churn_cohort" -}}
churned AS (
    SELECT
        customer_id,
        min(churned_at) AS first_churn,
        argMin(annual_value, churned_at) AS churn_value
    FROM customer_churns
    WHERE churned_at >= {{.From}} AND churned_at < {{.To}}
    GROUP BY customer_id
),
cohort AS (
    SELECT customer_id, toUnixTimestamp64Milli(first_churn) AS t_ms, true AS is_churned, churn_value
    FROM churned
    UNION ALL
    SELECT DISTINCT
        customer_id,
        toUnixTimestamp64Milli({{.To}}) AS t_ms,
        false AS is_churned,
        CAST(NULL, 'Nullable(Float64)') AS churn_value
    FROM contacts
    WHERE t > {{.To}} - toIntervalMillisecond(toInt64({{.ChurnLookback}} * 1000)) AND t < {{.To}}
      AND customer_id NOT IN (SELECT customer_id FROM customer_churns WHERE churned_at < {{.To}})
)
{{- end}}

-- churn_valued: the members of judged_cohort (the cohort with is_poor, from
-- the including query) with their value at t: the churn event's annual_value,
-- else the latest customer.updated annual_value at or before t, else 0.
-- Columns of valued: customer_id, t (DateTime64), is_churned, is_poor, value.
{{define "churn_valued" -}}
valued AS (
    SELECT
        j.customer_id AS customer_id,
        fromUnixTimestamp64Milli(j.t_ms, 'UTC') AS t,
        j.is_churned AS is_churned,
        j.is_poor AS is_poor,
        coalesce(j.churn_value,
                 argMaxIf(u.annual_value, u.at,
                          u.annual_value IS NOT NULL AND toUnixTimestamp64Milli(u.at) <= j.t_ms),
                 0) AS value
    FROM judged_cohort AS j
    LEFT JOIN customer_updates AS u ON u.customer_id = j.customer_id
    GROUP BY j.customer_id, j.t_ms, j.is_churned, j.is_poor, j.churn_value
)
{{- end}}
