-- report_queues: the "queues" list of kpis.md, one row per queue that had an
-- inbound call queued in [from, to) (even if every one was a short abandon),
-- sorted by queue name (queue_kpis, def_inbound_calls.sql).
-- Parameters: from, to, queue ('' = all).
WITH
{{template "inbound_calls" .}},
{{template "queue_kpis" .}}
SELECT * FROM queue_kpis
ORDER BY queue
