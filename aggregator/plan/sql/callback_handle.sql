-- callback_handle: agent time per requested callback per queue: talk, hold
-- and wrap of every outbound call made for a callback in the history window
-- (attempts that reach no one count their zero talk), and the callbacks
-- requested in the window (work per callback = handle_sum / callbacks).
-- Parameters: from, to, queues.
SELECT
    c.queue AS queue,
    coalesce(h.handle_sum, 0) AS handle_sum,
    c.callbacks AS callbacks
FROM (
    SELECT toString(queue) AS queue, count() AS callbacks
    FROM callback_status FINAL
    WHERE requested_at >= {from:DateTime64(3, 'UTC')}
      AND requested_at < {to:DateTime64(3, 'UTC')}
      AND (empty({queues:Array(String)}) OR has({queues:Array(String)}, toString(queue)))
    GROUP BY queue
) AS c
LEFT JOIN (
    SELECT toString(queue) AS queue, sum(talk_sec + hold_sec + wrap_sec) AS handle_sum
    FROM calls
    WHERE direction = 'outbound'
      AND callback_id != ''
      AND ended_at >= {from:DateTime64(3, 'UTC')}
      AND ended_at < {to:DateTime64(3, 'UTC')}
    GROUP BY queue
) AS h ON h.queue = c.queue
ORDER BY queue
SETTINGS join_use_nulls = 1
