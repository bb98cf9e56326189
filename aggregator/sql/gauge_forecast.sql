-- gauge_forecast: today's calls against today's plan, per queue with a
-- plan for today (capacity_plan, written by `frontline plan`): the calls
-- forecast for the plan's intervals that ended by `to`, and the calls
-- offered in [from, to) by the report's definition (queue_kpis of
-- def_inbound_calls.sql). from is the local midnight of the day, to the
-- start of the interval holding the aggregator's run: only whole
-- intervals compare, so the ratio does not dip at each interval's start.
-- Parameters: from, to, queue ('' = all).
WITH
{{template "inbound_calls" .}},
{{template "queue_kpis" .}},
planned AS (
    SELECT toString(queue) AS queue, sum(forecast_calls) AS forecast
    FROM capacity_plan FINAL
    WHERE interval_start >= {from:DateTime64(3, 'UTC')}
      AND interval_start + toIntervalSecond(interval_sec) <= {to:DateTime64(3, 'UTC')}
    GROUP BY queue
)
SELECT
    p.queue AS queue,
    p.forecast AS forecast,
    coalesce(q.offered, 0) AS offered
FROM planned AS p
LEFT JOIN queue_kpis AS q ON q.queue = p.queue
ORDER BY queue
SETTINGS join_use_nulls = 1
