-- delete_replaced: after a plan is inserted, drops the rows of older plans
-- of the same day and queues (rows of the same interval_start would be
-- replaced by the merge anyway; this also removes intervals the new plan
-- does not have, after a re-plan at another interval length).
-- Parameters: plan_date, queues, created_at (the new plan's).
DELETE FROM capacity_plan
WHERE plan_date = {plan_date:Date}
  AND has({queues:Array(String)}, toString(queue))
  AND created_at < {created_at:DateTime64(3, 'UTC')}
