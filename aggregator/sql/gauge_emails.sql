-- gauge_emails: the e-mail backlog of kpis.md ("emails", point in time) per
-- queue at `now`, from email_first_reply: e-mails received before now with no
-- reply before now, and the age of the oldest of them (0 when none). Every
-- queue that ever received an e-mail gets a row.
-- Parameters: now.
SELECT
    toString(queue) AS queue,
    countIf(is_open) AS backlog,
    coalesce(maxIf(age, is_open), 0) AS oldest_age_sec
FROM (
    SELECT
        queue,
        received_at < {now:DateTime64(3, 'UTC')}
            AND (first_reply_at IS NULL OR first_reply_at >= {now:DateTime64(3, 'UTC')}) AS is_open,
        (toUnixTimestamp64Milli({now:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(received_at)) / 1000 AS age
    FROM email_first_reply FINAL
)
GROUP BY queue
ORDER BY queue
