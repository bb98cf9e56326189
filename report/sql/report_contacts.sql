-- report_contacts: the "contacts" section of kpis.md, one row.
-- A contact is an inbound call that was answered or abandoned (not a short
-- abandon) at queued_at, or an e-mail at received_at, carrying a customer_id
-- (def_contacts.sql), judged by judged_contacts there:
-- repeat: the customer had an earlier contact in [t − repeat_window, t).
-- fcr: no later contact of the customer in (t, min(t + repeat_window, to)).
-- Earlier and later contacts are looked up in every queue; the queue filter
-- selects which contacts of the window are judged.
-- Parameters: from, to, short_abandon, repeat_window (seconds), queue ('' = all).
WITH
{{template "inbound_calls" .}},
{{template "contacts" .}},
{{template "judged_contacts" .}}
SELECT
    count() AS contacts,
    if(contacts = 0, NULL, countIf(is_repeat) / contacts) AS repeat_rate,
    if(contacts = 0, NULL, countIf(is_fcr) / contacts) AS fcr_rate
FROM judged_contacts
