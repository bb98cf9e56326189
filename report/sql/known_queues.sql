-- known_queues: the queues that had an event — a call (rollup), an e-mail
-- (rollup), a callback request or agent time — for the report's check of
-- the queue it is asked for. Sorted.
SELECT DISTINCT queue FROM (
    SELECT toString(queue) AS queue FROM calls_15m
    UNION ALL SELECT toString(queue) AS queue FROM emails_15m
    UNION ALL SELECT toString(queue) AS queue FROM callback_requested
    UNION ALL SELECT toString(queue) AS queue FROM staffed_15m
)
WHERE queue != ''
ORDER BY queue
