-- email_handle: agent time per e-mail per queue: the handle_sec of every
-- reply sent in the history window to an e-mail of the queue (the queue is
-- on the received e-mail: email_first_reply, migration 0011), over the
-- e-mails replied to. Replies without a handle time are left out of both.
-- Parameters: from, to, queues.
SELECT
    toString(e.queue) AS queue,
    sum(r.handle_sec) AS handle_sum,
    uniqExact(r.email_id) AS emails
FROM email_replied AS r
INNER JOIN (
    SELECT email_id, queue FROM email_first_reply FINAL
    WHERE received_at < {to:DateTime64(3, 'UTC')}
) AS e ON e.email_id = r.email_id
WHERE r.replied_at >= {from:DateTime64(3, 'UTC')}
  AND r.replied_at < {to:DateTime64(3, 'UTC')}
  AND r.handle_sec IS NOT NULL
  AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(e.queue)))
GROUP BY queue
ORDER BY queue
