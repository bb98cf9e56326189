-- list_abandoned: the abandoned calls of [from, to) behind calls.abandoned
-- and calls.out_of_hours.abandoned (report_calls.sql): inbound, queued in
-- the window, not answered, waited at least the short abandon of their
-- queue (def_inbound_calls.sql); in_hours says which of the two figures a
-- call is in. Oldest first.
-- Parameters: from, to, queue ('' = all).
WITH
{{template "inbound_calls" .}}
SELECT
    toString(queue) AS queue,
    call_id,
    customer_id,
    assumeNotNull(queued_at) AS queued_at,
    wait AS wait_sec,
    is_in_hours AS in_hours
FROM inbound_calls
WHERE is_abandoned
  AND queued_at >= {{.From}} AND queued_at < {{.To}} AND {{.InQueue}}
ORDER BY queued_at, call_id
