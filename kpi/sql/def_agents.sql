-- def_agents: the one definition of the calls of the new-against-tenured
-- handle time split (kpis.md "agents": aht_new_sec, aht_tenured_sec), shared
-- by report_agents and the "Handle time, new and tenured agents" panel of the
-- dashboards (kpi.Definitions).

-- calls_by_tenure: the answered inbound calls queued in [.From, .To) in the
-- queues of .InQueue while the queue was open (the calls of the AHT of the
-- calls section), each with its agent's tenure at answered_at: since the
-- agent's first `joined` roster change before .To. Calls of agents never
-- joined are not rows. It reads the inbound_calls CTE (def_inbound_calls.sql):
--     WITH {{template "inbound_calls" .}}, {{template "calls_by_tenure" .}} … FROM calls_by_tenure
-- Columns:
--   t       queued_at
--   handle  talk + hold + wrap, in seconds (as the AHT of the calls section)
--   tenure  answered_at − the agent's first `joined`, in seconds
--   is_new  tenure < tenure_new; the others are tenured
-- Terms: .From, .To, .TenureNew (seconds), .InQueue (and those of inbound_calls).
{{define "calls_by_tenure" -}}
first_joined AS (
    SELECT agent_id, min(at) AS joined_at
    FROM agent_roster
    WHERE change = 'joined' AND at < {{.To}}
    GROUP BY agent_id
),
calls_by_tenure AS (
    SELECT
        assumeNotNull(c.queued_at) AS t,
        c.handle AS handle,
        (toUnixTimestamp64Milli(assumeNotNull(c.answered_at)) - toUnixTimestamp64Milli(j.joined_at)) / 1000 AS tenure,
        tenure < {{.TenureNew}} AS is_new
    FROM inbound_calls AS c
    INNER JOIN first_joined AS j ON j.agent_id = c.agent_id
    WHERE c.is_answered AND c.is_in_hours
      AND c.queued_at >= {{.From}} AND c.queued_at < {{.To}}
      AND {{.InQueue}}
)
{{- end}}
