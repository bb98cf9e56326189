-- report_emails: the "emails" section of kpis.md, one row.
-- An e-mail's first reply is its earliest replied event before `to`;
-- frt = first reply − received_at. sla_rate counts met (frt ≤ email_sla) and
-- breached (frt > email_sla, or no reply and older than email_sla at `to`);
-- e-mails neither met nor breached are not yet decided (email_reply,
-- def_emails.sql, judged at emails_as_of = to). backlog is point in time:
-- every e-mail received before `to` without a reply before `to`.
-- handle_mean_sec averages handle_sec over replied events in the window
-- (email_replies, def_emails.sql).
-- Parameters: from, to, email_sla (seconds), queue ('' = all).
WITH
{to:DateTime64(3, 'UTC')} AS emails_as_of,
first_reply AS (
    SELECT email_id, min(replied_at) AS first_at
    FROM email_replied
    WHERE replied_at < {to:DateTime64(3, 'UTC')}
    GROUP BY email_id
),
received AS (
    SELECT
        r.received_at AS received_at,
        f.first_at AS first_reply_at,
        {{template "email_reply" .}}
    FROM email_received AS r
    LEFT JOIN first_reply AS f ON f.email_id = r.email_id
    WHERE r.received_at < {to:DateTime64(3, 'UTC')}
      AND ({queue:String} = '' OR r.queue = {queue:String})
    SETTINGS join_use_nulls = 1
),
{{template "email_replies" .}}
SELECT
    countIf(received_at >= {from:DateTime64(3, 'UTC')}) AS received,
    countIf(received_at >= {from:DateTime64(3, 'UTC')} AND is_replied) AS replied,
    avgOrNullIf(frt, received_at >= {from:DateTime64(3, 'UTC')} AND is_replied) AS frt_mean_sec,
    quantileExactInclusiveOrNullIf(0.9)(frt, received_at >= {from:DateTime64(3, 'UTC')} AND is_replied) AS frt_p90_sec,
    countIf(received_at >= {from:DateTime64(3, 'UTC')} AND is_sla_met) AS sla_met,
    countIf(received_at >= {from:DateTime64(3, 'UTC')} AND is_sla_missed) AS sla_breached,
    if(sla_met + sla_breached = 0, NULL, sla_met / (sla_met + sla_breached)) AS sla_rate,
    countIf(NOT is_replied) AS backlog,
    (SELECT avgOrNull(handle_sec) FROM email_replies) AS handle_mean_sec
FROM received
