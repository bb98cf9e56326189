-- def_emails: the one definition of an e-mail's first response and its SLA,
-- and of the replies whose handling time counts (kpis.md "emails"), shared
-- by report_emails and the e-mail panels of the dashboards
-- (kpi.Definitions).

-- email_reply: columns for the SELECT list of a query over received e-mails,
-- judged at the moment emails_as_of. The query gives, in the same SELECT
-- list or its FROM, the columns
--   received_at     when the e-mail was received
--   first_reply_at  its earliest reply before emails_as_of (NULL when none)
--   emails_as_of    the moment it is judged at
-- The report binds emails_as_of to `to` in its WITH list and reads the first
-- reply from the events; the dashboards read email_first_reply (kept by
-- job_email_first_reply.sql), whose rows are judged at their as_of:
--     SELECT received_at, first_reply_at, as_of AS emails_as_of,
--         {{template "email_reply" .}}
--     FROM email_first_reply FINAL …
-- Columns:
--   is_replied     has a first reply
--   frt            first response time, first_reply_at − received_at, in
--                  seconds (meaningless when not replied)
--   age            emails_as_of − received_at, in seconds
--   is_sla_met     replied with frt ≤ email_sla
--   is_sla_missed  replied with frt > email_sla, or not replied and older
--                  than email_sla; neither: not yet decided
-- Terms: .EmailSLA (seconds).
{{define "email_reply" -}}
first_reply_at IS NOT NULL AS is_replied,
        (toUnixTimestamp64Milli(assumeNotNull(first_reply_at)) - toUnixTimestamp64Milli(received_at)) / 1000 AS frt,
        (toUnixTimestamp64Milli(emails_as_of) - toUnixTimestamp64Milli(received_at)) / 1000 AS age,
        is_replied AND frt <= {{.EmailSLA}} AS is_sla_met,
        is_replied AND frt > {{.EmailSLA}} OR NOT is_replied AND age > {{.EmailSLA}} AS is_sla_missed
{{- end}}

-- email_replies: the replies sent in [.From, .To) to e-mails of the queues
-- of .InQueue (every reply when .AllQueues, also to an e-mail whose receipt
-- was never seen), whose handle_sec make handle_mean_sec.
-- Columns: email_id, replied_at, handle_sec (NULL when the mail system gave none).
-- Terms: .From, .To, .AllQueues, .InQueue.
{{define "email_replies" -}}
email_replies AS (
    SELECT email_id, replied_at, handle_sec
    FROM email_replied
    WHERE replied_at >= {{.From}} AND replied_at < {{.To}}
      AND ({{.AllQueues}} OR email_id IN (SELECT email_id FROM email_received WHERE {{.InQueue}}))
)
{{- end}}
