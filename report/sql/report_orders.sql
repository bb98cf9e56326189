-- report_orders: the "orders" section of kpis.md, one row. Orders with
-- entered_at in [from, to); entry = entered_at − started_at; value = Σ value
-- (orders without a value add 0). Orders carry no queue: the queue filter
-- does not apply.
-- Parameters: from, to.
SELECT
    count() AS entered,
    avgOrNull(entry) AS entry_mean_sec,
    quantileExactInclusiveOrNull(0.9)(entry) AS entry_p90_sec,
    coalesce(sum(value), 0) AS value
FROM (
    SELECT
        (toUnixTimestamp64Milli(entered_at) - toUnixTimestamp64Milli(started_at)) / 1000 AS entry,
        value
    FROM orders
    WHERE entered_at >= {from:DateTime64(3, 'UTC')} AND entered_at < {to:DateTime64(3, 'UTC')}
)
