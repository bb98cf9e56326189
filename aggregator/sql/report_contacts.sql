-- report_contacts: the "contacts" section of kpis.md, one row.
-- A contact is an inbound call that was answered or abandoned (not a short
-- abandon) at queued_at, or an e-mail at received_at, carrying a customer_id
-- (def_contacts.sql).
-- repeat: the customer had an earlier contact in [t − repeat_window, t).
-- fcr: no later contact of the customer in (t, min(t + repeat_window, to)).
-- Earlier and later contacts are looked up in every queue; the queue filter
-- selects which contacts of the window are judged.
-- Parameters: from, to, short_abandon, repeat_window (seconds), queue ('' = all).
WITH
{{template "inbound_calls"}},
{{template "contacts"}},
contact AS (
    SELECT concat(channel, ':', ref_id) AS id, customer_id, queue, t_ms
    FROM contacts
    WHERE t < {to:DateTime64(3, 'UTC')}
),
judged AS (
    SELECT
        c.id,
        countIf(o.t_ms < c.t_ms AND o.t_ms >= c.t_ms - toInt64({repeat_window:Float64} * 1000)) > 0 AS is_repeat,
        countIf(o.t_ms > c.t_ms
            AND o.t_ms < least(c.t_ms + toInt64({repeat_window:Float64} * 1000),
                               toUnixTimestamp64Milli({to:DateTime64(3, 'UTC')}))) = 0 AS is_fcr
    FROM (
        SELECT id, customer_id, t_ms FROM contact
        WHERE t_ms >= toUnixTimestamp64Milli({from:DateTime64(3, 'UTC')})
          AND ({queue:String} = '' OR queue = {queue:String})
    ) AS c
    INNER JOIN contact AS o ON o.customer_id = c.customer_id
    GROUP BY c.id
)
SELECT
    count() AS contacts,
    if(contacts = 0, NULL, countIf(is_repeat) / contacts) AS repeat_rate,
    if(contacts = 0, NULL, countIf(is_fcr) / contacts) AS fcr_rate
FROM judged
