-- list_late_emails: the e-mails received before `to` with no reply before
-- `to` that are older than email_sla at `to` (the breaching part of
-- emails.backlog, report_emails.sql). Oldest first.
-- Parameters: to, email_sla (seconds), queue ('' = all).
SELECT
    toString(queue) AS queue,
    email_id,
    customer_id,
    received_at,
    (toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(received_at)) / 1000 AS age_sec
FROM email_received
WHERE received_at < {to:DateTime64(3, 'UTC')}
  AND age_sec > {email_sla:Float64}
  AND email_id NOT IN (SELECT email_id FROM email_replied WHERE replied_at < {to:DateTime64(3, 'UTC')})
  AND ({queue:String} = '' OR queue = {queue:String})
ORDER BY received_at, email_id
