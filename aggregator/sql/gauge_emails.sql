-- gauge_emails: the e-mail backlog of kpis.md ("emails", point in time) per
-- queue at `now`, from email_first_reply: the e-mails unanswered at now
-- (email_unanswered, def_emails.sql), and the age of the oldest of them (0
-- when none). Every queue that ever received an e-mail gets a row.
-- Parameters: now.
SELECT
    toString(queue) AS queue,
    countIf(is_open) AS backlog,
    coalesce(maxIf(age, is_open), 0) AS oldest_age_sec
FROM (
    SELECT
        queue,
        {now:DateTime64(3, 'UTC')} AS emails_as_of,
        {{template "email_unanswered"}} AS is_open,
        (toUnixTimestamp64Milli(emails_as_of) - toUnixTimestamp64Milli(received_at)) / 1000 AS age
    FROM email_first_reply FINAL
)
GROUP BY queue
ORDER BY queue
