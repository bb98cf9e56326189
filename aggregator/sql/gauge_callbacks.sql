-- gauge_callbacks: the callback backlog of kpis.md ("callbacks", point in
-- time) per queue at `now`, from callback_status: open and overdue as
-- callback_open and callback_overdue of def_callbacks.sql judge them at now;
-- oldest_open_age_sec = max(now − requested_at) over the open ones, 0 when
-- none; oldest_overdue_sec = max(now − due_at) over the overdue ones, 0 when
-- none (how far the most overdue callback is past the time promised to the
-- customer: the FrontlineCallbacksPastDueMargin alert compares it with the
-- margin). Every queue that ever had a callback gets a row, so a backlog
-- that drains reads 0 rather than vanishing.
-- Parameters: now.
SELECT
    toString(queue) AS queue,
    countIf(is_open) AS open,
    countIf(is_overdue) AS overdue,
    coalesce(maxIf(age, is_open), 0) AS oldest_open_age_sec,
    coalesce(maxIf(past_due, is_overdue), 0) AS oldest_overdue_sec
FROM (
    SELECT
        queue,
        {now:DateTime64(3, 'UTC')} AS callbacks_as_of,
        {{template "callback_open"}} AS is_open,
        {{template "callback_overdue"}} AS is_overdue,
        (toUnixTimestamp64Milli(callbacks_as_of) - toUnixTimestamp64Milli(requested_at)) / 1000 AS age,
        (toUnixTimestamp64Milli(callbacks_as_of) - toUnixTimestamp64Milli(due_at)) / 1000 AS past_due
    FROM callback_status FINAL
)
GROUP BY queue
ORDER BY queue
