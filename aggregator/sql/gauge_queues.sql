-- gauge_queues: the queue figures of kpis.md ("queues": queue_kpis,
-- def_inbound_calls.sql) over the gauge window [from, to), the 30 minutes
-- ending at the aggregator's run, for every queue that ever had a call
-- (from the rollup; an idle queue has offered 0 and NULL rates), and
-- is_open: whether the queue is open at `to` (its opening hours and
-- holidays, in its time zone).
-- Parameters: from, to, queue ('' = all).
WITH
{{template "inbound_calls" .}},
{{template "queue_kpis" .}},
known AS (
    SELECT DISTINCT toString(queue) AS queue FROM calls_15m WHERE queue != ''
    UNION DISTINCT
    SELECT queue FROM queue_kpis
)
SELECT
    k.queue AS queue,
    {{.InHours "{to:DateTime64(3, 'UTC')}"}} AS is_open,
    coalesce(q.offered, 0) AS offered,
    q.service_level AS service_level,
    q.abandon_rate AS abandon_rate,
    q.asa_sec AS asa_sec
FROM known AS k
LEFT JOIN queue_kpis AS q ON q.queue = k.queue
ORDER BY queue
SETTINGS join_use_nulls = 1
