-- job_poor_service: refreshes customer_poor_service (migration 0011), the
-- poor-service incidents of kpis.md ("churn"), each as the span of moments it
-- counts for, [at, at + churn_lookback):
--   long_wait        an answered inbound call with wait > long_wait
--   abandoned        an unanswered inbound call with wait >= short_abandon
--   transferred      an answered inbound call that was transferred
--   callback_missed  a callback not reached by due_at and not cancelled
--                    before due_at (poor = 0 when a late event disproves it);
--                    read from callback_status, refreshed earlier in the run
--   repeat_contacts  the repeat_contacts-th contact within churn_lookback:
--                    from that contact until the earliest of them + lookback
-- for calls queued, callbacks due and contacts made in [since, now). Calls are
-- classified by def_inbound_calls.sql and poor_service_call (def_churn.sql),
-- contacts by def_contacts.sql.
-- Idempotent: rows replace by (customer_id, kind, ref_id).
-- Parameters: since, now, version; long wait, short abandon, churn lookback
-- and repeat contacts are terms of the configuration.
INSERT INTO customer_poor_service (customer_id, kind, ref_id, from_at, until_at, poor, version)
WITH
    toInt64({{.ChurnLookback}} * 1000) AS lookback_ms,
    fromUnixTimestamp64Milli(toUnixTimestamp64Milli({since:DateTime64(3, 'UTC')}) - lookback_ms, 'UTC') AS lookback_start,
{{template "inbound_calls" .}},
{{template "contacts" .}},
calls_in AS (
    SELECT customer_id, call_id, assumeNotNull(queued_at) AS t, is_abandoned, {{template "poor_service_call" .}}
    FROM inbound_calls
    WHERE customer_id != ''
      AND queued_at >= lookback_start AND queued_at < {now:DateTime64(3, 'UTC')}
),
recent_contacts AS (
    SELECT customer_id, ref_id AS id, t
    FROM contacts
    WHERE t >= lookback_start AND t < {now:DateTime64(3, 'UTC')}
),
ranked AS (
    SELECT
        customer_id,
        id,
        t,
        row_number() OVER w AS n,
        lagInFrame(t, {{.RepeatContacts}} - 1) OVER w AS first_t
    FROM recent_contacts
    WHERE customer_id IN (SELECT customer_id FROM recent_contacts WHERE t >= {since:DateTime64(3, 'UTC')})
    WINDOW w AS (PARTITION BY customer_id ORDER BY t ASC, id ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT customer_id, kind, ref_id, from_at, until_at, poor, {version:UInt64} AS version
FROM (
    SELECT customer_id, kind, call_id AS ref_id, t AS from_at,
        fromUnixTimestamp64Milli(toUnixTimestamp64Milli(t) + lookback_ms, 'UTC') AS until_at, toUInt8(1) AS poor
    FROM calls_in
    ARRAY JOIN [
        if(is_long_wait, 'long_wait', ''),
        if(is_abandoned, 'abandoned', ''),
        if(is_transferred_call, 'transferred', '')] AS kind
    WHERE t >= {since:DateTime64(3, 'UTC')} AND kind != ''
    UNION ALL
    SELECT customer_id, 'callback_missed' AS kind, callback_id AS ref_id, due_at AS from_at,
        fromUnixTimestamp64Milli(toUnixTimestamp64Milli(due_at) + lookback_ms, 'UTC') AS until_at,
        toUInt8({{template "callback_missed"}}) AS poor
    FROM callback_status FINAL
    WHERE customer_id != ''
      AND due_at >= {since:DateTime64(3, 'UTC')} AND due_at < {now:DateTime64(3, 'UTC')}
    UNION ALL
    SELECT customer_id, 'repeat_contacts' AS kind, id AS ref_id, t AS from_at,
        fromUnixTimestamp64Milli(toUnixTimestamp64Milli(first_t) + lookback_ms, 'UTC') AS until_at, toUInt8(1) AS poor
    FROM ranked
    WHERE n >= {{.RepeatContacts}} AND t >= {since:DateTime64(3, 'UTC')}
      AND toUnixTimestamp64Milli(first_t) + lookback_ms > toUnixTimestamp64Milli(t)
)
