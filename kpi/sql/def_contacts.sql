-- def_contacts: the one definition of a contact (kpis.md "contacts"), shared
-- by report_contacts, report_churn (def_churn.sql), job_poor_service and the
-- repeat-contact, first-contact-resolution and churn panels of the dashboards
-- (kpi.Definitions): an inbound call that
-- was answered or abandoned (short abandons are not contacts) at queued_at,
-- or an e-mail at received_at, that carries a customer_id. It reads the
-- inbound_calls CTE (def_inbound_calls.sql), so a query includes both:
--     WITH {{template "inbound_calls" .}}, {{template "contacts" .}}, … FROM contacts WHERE t …
-- and narrows it by t.
-- Columns:
--   channel      'call' or 'email'
--   ref_id       the call_id or email_id
--   customer_id  never ''
--   queue        the queue of the call or e-mail
--   t            the contact time; t_ms the same in Unix milliseconds
{{define "contacts" -}}
contacts AS (
    SELECT
        'call' AS channel,
        call_id AS ref_id,
        customer_id,
        queue,
        assumeNotNull(queued_at) AS t,
        queued_ms AS t_ms
    FROM inbound_calls
    WHERE customer_id != '' AND (is_answered OR is_abandoned)
    UNION ALL
    SELECT
        'email' AS channel,
        email_id AS ref_id,
        customer_id,
        queue,
        received_at AS t,
        toUnixTimestamp64Milli(received_at) AS t_ms
    FROM email_received
    WHERE customer_id != ''
)
{{- end}}


-- judged_contacts: the contacts of the window [.From, .To) in the queues of
-- .InQueue, each judged (kpis.md "contacts"), shared by report_contacts and
-- the dashboards' repeat-contact and first-contact-resolution panels.
--   is_repeat  the customer had an earlier contact in [t − repeat_window, t)
--   is_fcr     no later contact of the customer in (t, min(t + repeat_window, .To))
-- prev_ms and next_ms are the customer's latest contact strictly before t and
-- first strictly after it (window functions over the customer's contacts, in
-- place of a self-join: on 10 M events the report's contacts query took half
-- the time, 0.85 s -> 0.41 s).
-- Earlier and later contacts are looked up in every queue; .InQueue selects
-- which contacts of the window are judged. It reads the contacts CTE:
--     WITH {{template "inbound_calls" .}}, {{template "contacts" .}}, {{template "judged_contacts" .}} … FROM judged_contacts
-- Columns: id ('call:' or 'email:' and the ref_id), t, is_repeat, is_fcr.
-- Terms: .From, .To, .RepeatWindow (seconds), .InQueue.
{{define "judged_contacts" -}}
reachable_contacts AS (
    SELECT concat(channel, ':', ref_id) AS id, customer_id, queue, t, t_ms
    FROM contacts
    WHERE t >= {{.From}} - toIntervalMillisecond(toInt64({{.RepeatWindow}} * 1000)) AND t < {{.To}}
),
judged_contacts AS (
    SELECT
        id,
        t,
        prev_ms IS NOT NULL AND prev_ms >= t_ms - toInt64({{.RepeatWindow}} * 1000) AS is_repeat,
        next_ms IS NULL
            OR next_ms >= least(t_ms + toInt64({{.RepeatWindow}} * 1000), toUnixTimestamp64Milli({{.To}})) AS is_fcr
    FROM (
        SELECT
            id, queue, t, t_ms,
            maxOrNull(t_ms) OVER (PARTITION BY customer_id ORDER BY t_ms
                                  RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_ms,
            minOrNull(t_ms) OVER (PARTITION BY customer_id ORDER BY t_ms
                                  RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS next_ms
        FROM reachable_contacts
    )
    WHERE t >= {{.From}} AND {{.InQueue}}
)
{{- end}}
