-- gauge_queues: the queue figures of kpis.md ("queues": queue_kpis,
-- def_inbound_calls.sql) over the gauge window [from, to), the 30 minutes
-- ending at the aggregator's run, one row per queue with a call queued in
-- it.
-- Parameters: from, to, queue ('' = all) and the KPI parameters.
WITH
{{template "inbound_calls" .}},
{{template "queue_kpis" .}}
SELECT * FROM queue_kpis
ORDER BY queue
