-- def_churn: the churn cohort of kpis.md ("churn"), each member with the
-- moment it is judged at, its value then and what it had of poor service,
-- shared by report_churn and the churn panels of the dashboards
-- (kpi.Definitions). What is poor service is the including query's:
-- it defines churn_service before the block, the report from the events,
-- the dashboards from customer_poor_service (job_poor_service.sql), and
-- judges each member from in_poor_span (and lookback_contacts):
--     WITH {{template "inbound_calls" .}}, {{template "contacts" .}},
--          churn_service AS (SELECT customer_id, from_ms, until_ms …),
--          {{template "churn_cohort" .}},
--          valued AS (SELECT …, <poor service> AS is_poor FROM cohort) …

-- churn_cohort: the customers churned in [.From, .To), judged at their first
-- churn in it, and the customers not churned before .To with a contact (the
-- contacts CTE, def_contacts.sql) in (.To − churn_lookback, .To), judged at
-- .To. It reads churn_service (customer_id, from_ms, until_ms: a span
-- [from_ms, until_ms) of moments, in Unix milliseconds, at which the customer
-- had poor service), which the including query defines.
-- Columns of cohort:
--   customer_id
--   t_ms               the moment t the member is judged at, in Unix
--                      milliseconds; t the same as DateTime64(3, 'UTC')
--   is_churned         churned in the window
--   value              the churn event's annual_value, else the latest
--                      customer.updated annual_value at or before t, else 0
--   in_poor_span       a span of churn_service covers t
--   lookback_contacts  the member's contacts in (t − churn_lookback, t]
-- Terms: .From, .To, .ChurnLookback (seconds); .CohortOf (a query of
-- customer_id, or empty) keeps the members among those customers, reading
-- their rows alone (on 11.7 M events the one-day panels of the customers
-- who left took 0.15–0.23 s instead of 0.9–1.4 s).
--
-- Without joins of the cohort to the events: one GROUP BY customer_id over the
-- UNION ALL of every customer's rows (kind 'churn', 'contact', 'span' of poor
-- service from from_ms/at_ms to until_ms, 'update' with its value), each row
-- carrying its customer's moment (churn_moments, a small join to the few
-- churned customers; .To for the others), so that every column is a plain
-- aggregate. On 10 M events (a 1 M-member cohort) the report's churn section
-- takes about 0.8 s, where joining the cohort to the service events and then
-- to customer_updates took about 1.25 s.
{{define "churn_cohort" -}}
churn_moments AS (
    SELECT
        customer_id,
        true AS is_churned,
        toUnixTimestamp64Milli(min(churned_at)) AS first_churn_ms,
        argMin(annual_value, churned_at) AS churn_value
    FROM customer_churns
    WHERE churned_at >= {{.From}} AND churned_at < {{.To}}
    GROUP BY customer_id
),
cohort AS (
    SELECT
        customer_id,
        t_ms,
        fromUnixTimestamp64Milli(t_ms, 'UTC') AS t,
        is_churned,
        coalesce(churn_value, update_value, 0) AS value,
        in_poor_span,
        lookback_contacts
    FROM (
        SELECT
            customer_id,
            any(is_churned) AS is_churned,
            any(moment_ms) AS t_ms,
            any(churn_value) AS churn_value,
            countIf(kind = 'churn') AS churns,
            countIf(kind = 'contact' AND at_ms > moment_ms - toInt64({{.ChurnLookback}} * 1000) AND at_ms <= moment_ms)
                AS lookback_contacts,
            countIf(kind = 'span' AND at_ms <= moment_ms AND moment_ms < until_ms) > 0 AS in_poor_span,
            argMaxIf(value, at_ms, kind = 'update' AND at_ms <= moment_ms) AS update_value
        FROM (
            SELECT
                r.customer_id AS customer_id, r.kind AS kind, r.at_ms AS at_ms, r.until_ms AS until_ms, r.value AS value,
                m.is_churned AS is_churned,
                if(m.is_churned, m.first_churn_ms, toUnixTimestamp64Milli({{.To}})) AS moment_ms,
                m.churn_value AS churn_value
            FROM (
                SELECT customer_id, 'churn' AS kind, toInt64(0) AS at_ms, toInt64(0) AS until_ms, 0. AS value
                FROM customer_churns
                WHERE churned_at < {{.To}}{{with .CohortOf}} AND customer_id IN ({{.}}){{end}}
                UNION ALL
                SELECT customer_id, 'contact' AS kind, t_ms AS at_ms, toInt64(0) AS until_ms, 0. AS value
                FROM contacts
                WHERE t > {{.From}} - toIntervalMillisecond(toInt64({{.ChurnLookback}} * 1000)) AND t < {{.To}}{{with .CohortOf}} AND customer_id IN ({{.}}){{end}}
                UNION ALL
                SELECT customer_id, 'span' AS kind, from_ms AS at_ms, until_ms, 0. AS value
                FROM churn_service
                WHERE until_ms > toUnixTimestamp64Milli({{.From}}) AND from_ms <= toUnixTimestamp64Milli({{.To}}){{with .CohortOf}} AND customer_id IN ({{.}}){{end}}
                UNION ALL
                SELECT customer_id, 'update' AS kind, toUnixTimestamp64Milli(at) AS at_ms, toInt64(0) AS until_ms,
                    assumeNotNull(annual_value) AS value
                FROM customer_updates
                WHERE annual_value IS NOT NULL AND at <= {{.To}}{{with .CohortOf}} AND customer_id IN ({{.}}){{end}}
            ) AS r
            LEFT JOIN churn_moments AS m ON m.customer_id = r.customer_id
        )
        GROUP BY customer_id
        HAVING is_churned OR (churns = 0 AND lookback_contacts > 0)
    )
)
{{- end}}

-- poor_service_call: columns for the SELECT list of a query over rows of
-- inbound_calls (def_inbound_calls.sql), the calls that are poor service of
-- kpis.md "churn" on their own (each at its queued_at):
--   is_long_wait        answered after waiting longer than long_wait
--   is_transferred_call answered and transferred
--   is_poor_call        one of those, or abandoned (not a short abandon)
-- report_churn judges the events with it, job_poor_service writes the
-- incidents the dashboards read.
-- Terms: .LongWait (seconds).
{{define "poor_service_call" -}}
is_answered AND wait > {{.LongWait}} AS is_long_wait,
        is_answered AND is_transferred AS is_transferred_call,
        is_long_wait OR is_abandoned OR is_transferred_call AS is_poor_call
{{- end}}
