-- delete_replaced_roster: after a roster is inserted, drops the rows of
-- older rosters of the same day and pools from table (roster or
-- roster_shifts): a start the new roster does not use, or the intervals
-- of a re-plan at another interval length.
-- Parameters: table, plan_date, pools, created_at (the new roster's).
DELETE FROM {table:Identifier}
WHERE plan_date = {plan_date:Date}
  AND has({pools:Array(String)}, toString(pool))
  AND created_at < {created_at:DateTime64(3, 'UTC')}
