-- staffed_until: the end of the last interval of staffed_15m with staffed
-- time, any queue: staffing after it is not history yet, so the plan
-- assumes the roster of the same weekday a week earlier.
-- Parameters: to (look no further).
SELECT toUnixTimestamp(max(interval_start)) + 900 AS until_unix, count() AS n
FROM staffed_15m FINAL
WHERE interval_start < {to:DateTime64(3, 'UTC')} AND staffed_sec > 0
