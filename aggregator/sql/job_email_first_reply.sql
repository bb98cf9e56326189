-- job_email_first_reply: refreshes email_first_reply (migration 0011) for
-- every e-mail received or replied to in [since, now), from all of its
-- events before `now`: first_reply_at is the earliest reply (kpis.md
-- "emails"), NULL while unanswered. Idempotent: rows replace by email_id.
-- Parameters: since, now, version.
INSERT INTO email_first_reply (email_id, queue, topic, customer_id, received_at, first_reply_at,
    replies, as_of, version)
WITH
touched AS (
    SELECT email_id FROM email_received
    WHERE received_at >= {since:DateTime64(3, 'UTC')} AND received_at < {now:DateTime64(3, 'UTC')}
    UNION DISTINCT
    SELECT email_id FROM email_replied
    WHERE replied_at >= {since:DateTime64(3, 'UTC')} AND replied_at < {now:DateTime64(3, 'UTC')}
),
replies AS (
    SELECT email_id, min(replied_at) AS first_at, count() AS n
    FROM email_replied
    WHERE replied_at < {now:DateTime64(3, 'UTC')} AND email_id IN touched
    GROUP BY email_id
),
received AS (
    SELECT
        email_id,
        argMin(queue, received_at) AS rcv_queue,
        argMin(topic, received_at) AS rcv_topic,
        argMin(customer_id, received_at) AS rcv_customer_id,
        min(received_at) AS rcv_at
    FROM email_received
    WHERE received_at < {now:DateTime64(3, 'UTC')} AND email_id IN touched
    GROUP BY email_id
)
SELECT
    r.email_id,
    r.rcv_queue AS queue,
    r.rcv_topic AS topic,
    r.rcv_customer_id AS customer_id,
    r.rcv_at AS received_at,
    p.first_at AS first_reply_at,
    toUInt32(coalesce(p.n, 0)) AS replies,
    {now:DateTime64(3, 'UTC')} AS as_of,
    {version:UInt64} AS version
FROM received AS r
LEFT JOIN replies AS p ON p.email_id = r.email_id
SETTINGS join_use_nulls = 1
