-- capacity_plan: the staffing plan of `frontline plan` (aggregator/plan), one
-- row per planned day, queue and interval, for the capacity dashboard
-- (forecast vs actual calls, required vs staffed agents).
--
-- forecast_calls and forecast_aht_sec are the forecast offered calls and AHT
-- by method (seasonal_mean, trend or profile, chosen per queue by backtest).
-- required_agents are the agents on the phones that Erlang C (or A) needs
-- for the service-level target; deferred_agents the agents that the
-- forecast e-mails and callbacks keep busy within their SLA and due windows;
-- required_with_shrinkage = ⌈(required_agents + deferred_agents) /
-- (1 − shrinkage)⌉, the agents to schedule. staffed_agents are the mean
-- agents logged in (staffed_15m) on the day itself when it is history, else
-- on the same weekday a week earlier (staffed_source says which: history or
-- last_week); gap = staffed_agents − required_with_shrinkage (negative:
-- short).
--
-- Re-planning a day replaces it: rows replace by (plan_date, queue,
-- interval_start), the newest created_at winning, and the planner deletes
-- the older plan's rows that the new one does not cover (another
-- interval_sec). Read with FINAL.
CREATE TABLE IF NOT EXISTS capacity_plan {{.OnCluster}} (
    plan_date               Date,
    queue                   LowCardinality(String),
    interval_start          DateTime('UTC'),
    interval_sec            UInt32,
    forecast_calls          Float64,
    forecast_aht_sec        Float64,
    method                  LowCardinality(String),
    required_agents         UInt32,
    required_with_shrinkage UInt32,
    deferred_agents         Float64,
    staffed_agents          Float64,
    staffed_source          LowCardinality(String),
    gap                     Float64,
    created_at              DateTime64(3, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree(created_at)"}}
PARTITION BY toYYYYMM(plan_date)
ORDER BY (plan_date, queue, interval_start);
