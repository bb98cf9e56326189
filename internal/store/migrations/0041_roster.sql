-- roster: the shift roster of `frontline plan --roster` (aggregator/plan,
-- docs/planning.md), one row per planned day, pool and interval: required
-- the pool's heads to schedule (capacity_plan's, rounded once for the
-- pool), covered the heads on shift in the rounded roster, lp_covered in
-- the LP bound's fractional one. The Capacity dashboard shows covered
-- against required.
--
-- roster_shifts: the shifts the roster starts, one row per planned day,
-- pool, template and start: heads in the rounded roster, lp_heads in the
-- LP bound, paid_hours of the rounded heads.
--
-- Re-rostering a day replaces it as capacity_plan does: rows replace by
-- their key, the newest created_at winning, and older rows the new roster
-- does not have are deleted. Read with FINAL.
CREATE TABLE IF NOT EXISTS roster {{.OnCluster}} (
    plan_date      Date,
    pool           LowCardinality(String),
    interval_start DateTime('UTC'),
    interval_sec   UInt32,
    required       UInt32,
    covered        UInt32,
    lp_covered     Float64,
    created_at     DateTime64(3, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree(created_at)"}}
PARTITION BY toYYYYMM(plan_date)
ORDER BY (plan_date, pool, interval_start);

CREATE TABLE IF NOT EXISTS roster_shifts {{.OnCluster}} (
    plan_date   Date,
    pool        LowCardinality(String),
    shift       LowCardinality(String),
    shift_start DateTime('UTC'),
    shift_end   DateTime('UTC'),
    heads       UInt32,
    lp_heads    Float64,
    paid_hours  Float64,
    created_at  DateTime64(3, 'UTC')
) ENGINE = {{engine "ReplacingMergeTree(created_at)"}}
PARTITION BY toYYYYMM(plan_date)
ORDER BY (plan_date, pool, shift, shift_start);
