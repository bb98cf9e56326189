-- list_late_emails: the e-mails received before `to` with no reply before
-- `to` that are past the e-mail SLA of their queue at `to` (the breaching
-- part of emails.backlog: emails_at_to, def_emails.sql). Oldest first.
-- Parameters: to, queue ('' = all).
WITH
{{template "emails_at_to" .}}
SELECT queue, email_id, customer_id, received_at, age AS age_sec
FROM emails_at_to
WHERE NOT is_replied AND is_sla_missed
ORDER BY received_at, email_id
