-- def_contacts: the one definition of a contact (kpis.md "contacts"), shared
-- by report_contacts, report_churn and job_poor_service: an inbound call that
-- was answered or abandoned (short abandons are not contacts) at queued_at,
-- or an e-mail at received_at, that carries a customer_id. It reads the
-- inbound_calls CTE (def_inbound_calls.sql), so a query includes both:
--     WITH {{template "inbound_calls"}}, {{template "contacts"}}, … FROM contacts WHERE t …
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
