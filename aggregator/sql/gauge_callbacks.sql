-- gauge_callbacks: the callback backlog of kpis.md ("callbacks", point in
-- time) per queue at `now`, from callback_status: open = requested before
-- now and neither completed nor cancelled before now; overdue = open with
-- due_at < now; oldest_open_age_sec = max(now − requested_at) over open, 0
-- when none; oldest_overdue_sec = max(now − due_at) over overdue, 0 when
-- none (how far the most overdue callback is past the time promised to the
-- customer: the FrontlineCallbacksPastDueMargin alert compares it with the
-- margin). Every queue that ever had a callback gets a row, so a backlog
-- that drains reads 0 rather than vanishing.
-- Parameters: now.
SELECT
    toString(queue) AS queue,
    countIf(is_open) AS open,
    countIf(is_open AND due_at < {now:DateTime64(3, 'UTC')}) AS overdue,
    coalesce(maxIf(age, is_open), 0) AS oldest_open_age_sec,
    coalesce(maxIf(past_due, is_open AND due_at < {now:DateTime64(3, 'UTC')}), 0) AS oldest_overdue_sec
FROM (
    SELECT
        queue,
        due_at,
        requested_at < {now:DateTime64(3, 'UTC')}
            AND (closed_at IS NULL OR closed_at >= {now:DateTime64(3, 'UTC')}) AS is_open,
        (toUnixTimestamp64Milli({now:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(requested_at)) / 1000 AS age,
        (toUnixTimestamp64Milli({now:DateTime64(3, 'UTC')}) - toUnixTimestamp64Milli(due_at)) / 1000 AS past_due
    FROM callback_status FINAL
)
GROUP BY queue
ORDER BY queue
