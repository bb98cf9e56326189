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
-- Terms: .EmailSLA (seconds, per queue: the row's queue column).
{{define "email_reply" -}}
first_reply_at IS NOT NULL AS is_replied,
        (toUnixTimestamp64Milli(assumeNotNull(first_reply_at)) - toUnixTimestamp64Milli(received_at)) / 1000 AS frt,
        (toUnixTimestamp64Milli(emails_as_of) - toUnixTimestamp64Milli(received_at)) / 1000 AS age,
        is_replied AND frt <= {{.EmailSLA}} AS is_sla_met,
        is_replied AND frt > {{.EmailSLA}} OR NOT is_replied AND age > {{.EmailSLA}} AS is_sla_missed
{{- end}}

-- email_unanswered: a condition on an e-mail's row, unanswered at the
-- moment emails_as_of (kpis.md "emails": backlog): received before it with
-- no reply before it. It reads received_at, first_reply_at (the earliest
-- reply, NULL when none) and emails_as_of, as emails_at_to has them (judged
-- at `to`) and email_first_reply (kept by job_email_first_reply.sql) has
-- them for any moment up to its as_of.
{{define "email_unanswered"}}(received_at < emails_as_of AND (first_reply_at IS NULL OR first_reply_at >= emails_as_of)){{end}}

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

-- emails_at_to: every e-mail received before .To in the queues of .InQueue,
-- with its first reply before .To, judged at .To (email_reply), for the
-- report's e-mail section and the late e-mails list:
--     WITH {{template "emails_at_to" .}} SELECT … FROM emails_at_to
-- Columns: queue, email_id, customer_id, received_at, first_reply_at and
-- those of email_reply.
-- Terms: .To, .InQueue, .EmailSLA.
{{define "emails_at_to" -}}
first_reply AS (
    SELECT email_id, min(replied_at) AS first_at
    FROM email_replied
    WHERE replied_at < {{.To}}
    GROUP BY email_id
),
emails_at_to AS (
    SELECT
        toString(r.queue) AS queue,
        r.email_id AS email_id,
        r.customer_id AS customer_id,
        r.received_at AS received_at,
        f.first_at AS first_reply_at,
        {{.To}} AS emails_as_of,
        {{template "email_reply" .}}
    FROM email_received AS r
    LEFT JOIN first_reply AS f ON f.email_id = r.email_id
    WHERE r.received_at < {{.To}} AND {{.InQueue}}
    SETTINGS join_use_nulls = 1
)
{{- end}}
