-- capacity_plan compares like with like (aggregator/plan, docs/planning.md):
-- required and staffed are both agents on queue work, after shrinkage.
--
-- pool names the queues planned together (the same agents serve them),
-- joined by '+'; the pool's requirement is computed once and each queue
-- gets its share of it (share: its part of the pool's traffic and deferred
-- work). required_share is that part of the agents the pool needs on the
-- work (Erlang on the pooled calls + deferred work); required_with_shrinkage
-- becomes that part of the pool's heads to schedule, rounded once for the
-- pool, so it is no longer a whole number per queue. working_agents are the
-- mean agents on the work (available, busy or wrap) and gap = working_agents
-- − required_share. expected_sl is the service level the pool's working
-- agents give its forecast calls, and status judges it against the target
-- and warning band: ok, tight, short, closed or unknown (no staffing).
ALTER TABLE capacity_plan {{.OnCluster}} MODIFY COLUMN required_with_shrinkage Float64;
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS pool LowCardinality(String) DEFAULT '';
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS share Float64 DEFAULT 0;
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS required_share Float64 DEFAULT 0;
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS working_agents Float64 DEFAULT 0;
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS expected_sl Nullable(Float64);
ALTER TABLE capacity_plan {{.OnCluster}} ADD COLUMN IF NOT EXISTS status LowCardinality(String) DEFAULT '';
