-- skills: the queues each agent served in the history window (the queues
-- on its busy and wrap agent-state events), for the agents still on the
-- roster at its end (their latest roster change is not `left`; an agent
-- without roster events counts). Agents who serve several queues join
-- those queues into one pool that the plan staffs together.
-- Parameters: from, to.
SELECT s.agent_id AS agent_id, arraySort(groupUniqArray(toString(s.queue))) AS queues
FROM agent_states AS s
WHERE s.at >= {from:DateTime64(3, 'UTC')}
  AND s.at < {to:DateTime64(3, 'UTC')}
  AND s.queue != ''
  AND s.agent_id NOT IN (
      SELECT agent_id FROM agent_roster
      WHERE at < {to:DateTime64(3, 'UTC')}
      GROUP BY agent_id
      HAVING argMax(change, at) = 'left'
  )
GROUP BY agent_id
ORDER BY agent_id
