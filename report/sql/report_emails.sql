-- report_emails: the "emails" section of kpis.md, one row.
-- An e-mail's first reply is its earliest replied event before `to`;
-- frt = first reply − received_at. sla_rate counts met (frt ≤ email_sla) and
-- breached (frt > email_sla, or no reply and older than email_sla at `to`),
-- email_sla being the target of the e-mail's queue; e-mails neither met nor
-- breached are not yet decided (pending) (emails_at_to, def_emails.sql,
-- judged at `to`). backlog is point in time: the e-mails unanswered at `to`
-- (email_unanswered).
-- handle_mean_sec averages handle_sec over replied events in the window
-- (email_replies, def_emails.sql).
-- Parameters: from, to, queue ('' = all).
WITH
{{template "emails_at_to" .}},
{{template "email_replies" .}}
SELECT
    countIf(received_at >= {{.From}}) AS received,
    countIf(received_at >= {{.From}} AND is_replied) AS replied,
    avgOrNullIf(frt, received_at >= {{.From}} AND is_replied) AS frt_mean_sec,
    quantileExactInclusiveOrNullIf(0.9)(frt, received_at >= {{.From}} AND is_replied) AS frt_p90_sec,
    countIf(received_at >= {{.From}} AND is_sla_met) AS sla_met,
    countIf(received_at >= {{.From}} AND is_sla_missed) AS sla_breached,
    if(sla_met + sla_breached = 0, NULL, sla_met / (sla_met + sla_breached)) AS sla_rate,
    received - sla_met - sla_breached AS sla_pending,
    countIf({{template "email_unanswered"}}) AS backlog,
    (SELECT avgOrNull(handle_sec) FROM email_replies) AS handle_mean_sec
FROM emails_at_to
