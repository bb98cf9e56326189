package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/alerting"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/expr"
)

// GrafanaAlertFolderUID is the uid of the Grafana folder the alert rules are
// provisioned into, and GrafanaAlertGroup their rule group (evaluated every
// minute).
const (
	GrafanaAlertFolderUID = "frontline"
	GrafanaAlertGroup     = "frontline-service"
)

// GrafanaAlertRules returns the backlog and service-level alerts of the
// Prometheus rules (PrometheusRules) as Grafana alert rules on ClickHouse
// queries, for teams without Prometheus: overdue callbacks, the most
// overdue callback past due by more than the margin, service level and abandon
// rate of the last 30 minutes, and e-mails unanswered past their SLA. Each
// rule is query A (the ClickHouse data source c.ClickHouseUID, one row per
// queue: a string column and a number, which Grafana turns into one alert
// instance per queue) and the threshold B on it, the condition. A queue
// whose target differs from the default gets its own rule.
//
// The SQL reads the derived and rollup tables like the dashboards do:
// callback_status and email_first_reply (kept by the aggregator) as of the
// evaluation time ($__toTime), and calls_15m over the last two complete
// 15-minute intervals. The rollup measures service level at 20 s, so a
// target with another threshold is an error here (its Prometheus rule,
// on the aggregator's gauges, measures at any threshold).
func GrafanaAlertRules(c Config) ([]alerting.Rule, error) {
	c = c.Defaults()
	if err := validateRulesConfig(c); err != nil {
		return nil, err
	}
	for _, tg := range append([]kpi.Target{c.Targets.Default}, queueTargets(c.Targets)...) {
		if tg.SLThreshold != 0 && tg.SLThreshold != rollupSLThreshold {
			return nil, fmt.Errorf("cannot build grafana alert rules: service-level threshold %s is not the rollup's %s (use the prometheus rules)", tg.SLThreshold, rollupSLThreshold)
		}
	}
	g := alertGen{c: c}
	margin := promDuration(c.OverdueMarginSec)

	g.add("Callbacks overdue", "frontline-callbacks-overdue", "FrontlineCallbacksOverdue",
		queueSplit{def: float64(c.OverdueCallbacks)}, gt, "1m", severityCritical, sqlCallbacksOverdue,
		"{{ $values.A }} callbacks overdue in queue {{ $labels.queue }}",
		fmt.Sprintf("More than %d callbacks in the queue are open past the time promised to the customer.", c.OverdueCallbacks))
	g.add("Callback past due beyond margin", "frontline-callback-past-due", "FrontlineCallbacksPastDueMargin",
		queueSplit{def: float64(c.OverdueMarginSec)}, gt, "1m", severityCritical, sqlCallbackPastDue,
		"The most overdue callback in queue {{ $labels.queue }} is {{ humanizeDuration $values.A.Value }} past due",
		"An open callback of the queue is more than "+margin+" past the time promised to the customer.")
	g.add("Service level under target", "frontline-service-level", "FrontlineServiceLevelLow",
		splitTargets(c.Targets, func(x kpi.Target) float64 { return x.ServiceLevel }), lt, "30m", severityWarning, sqlServiceLevel,
		"Service level {{ humanizePercentage $values.A.Value }} in queue {{ $labels.queue }}",
		"The share of calls answered within 20 s over the last two complete 15-minute intervals has been under the queue's target for 30 minutes.")
	g.add("Abandon rate high", "frontline-abandon-rate", "FrontlineAbandonRateHigh",
		splitTargets(c.Targets, func(x kpi.Target) float64 { return x.MaxAbandonRate }), gt, "15m", severityWarning, sqlAbandonRate,
		"Abandon rate {{ humanizePercentage $values.A.Value }} in queue {{ $labels.queue }}",
		"More callers hung up while waiting over the last two complete 15-minute intervals than the queue's ceiling, for 15 minutes.")
	g.add("E-mail backlog past SLA", "frontline-email-backlog", "FrontlineEmailBacklogPastSLA",
		splitTargets(c.Targets, func(x kpi.Target) float64 { return x.EmailSLA.Seconds() }), gt, "5m", severityWarning, sqlEmailOldest,
		"Oldest unanswered e-mail in queue {{ $labels.queue }} is {{ humanizeDuration $values.A.Value }} old",
		"The queue has an unanswered e-mail older than its first-response target.")
	if g.err != nil {
		return nil, g.err
	}
	return g.rules, nil
}

// rollupSLThreshold is the service-level threshold calls_15m is built with
// (internal/store/migrations/0010_rollups.sql).
const rollupSLThreshold = 20 * time.Second

// queueTargets lists the per-queue targets of t.
func queueTargets(t kpi.Targets) []kpi.Target {
	var out []kpi.Target
	for _, q := range t.Queues {
		out = append(out, q)
	}
	return out
}

// Comparison of a Grafana threshold expression.
const (
	gt = expr.ExprTypeThresholdConditionsEvaluatorTypeGt
	lt = expr.ExprTypeThresholdConditionsEvaluatorTypeLt
)

// The alert queries: one row per queue, `queue` and `value`. {queues} is the
// queue filter of the rule; $__toTime is the evaluation time (the plugin's
// macro, the end of the rule's relative time range).
const (
	sqlCallbacksOverdue = `SELECT toString(queue) AS queue, toFloat64(countIf(is_open AND due_at < $__toTime)) AS value
FROM (
    SELECT queue, due_at,
        requested_at < $__toTime AND (closed_at IS NULL OR closed_at >= $__toTime) AS is_open
    FROM callback_status FINAL
    WHERE {queues}
)
GROUP BY queue
ORDER BY queue`

	sqlCallbackPastDue = `SELECT toString(queue) AS queue,
    toFloat64(coalesce(maxIf(dateDiff('second', due_at, $__toTime), is_open AND due_at < $__toTime), 0)) AS value
FROM (
    SELECT queue, due_at,
        requested_at < $__toTime AND (closed_at IS NULL OR closed_at >= $__toTime) AS is_open
    FROM callback_status FINAL
    WHERE {queues}
)
GROUP BY queue
ORDER BY queue`

	sqlServiceLevel = `SELECT toString(queue) AS queue, sum(answered_in_sl) / sum(offered) AS value
FROM calls_15m
WHERE interval_start >= toStartOfFifteenMinutes($__toTime) - INTERVAL 30 MINUTE
  AND interval_start < toStartOfFifteenMinutes($__toTime)
  AND {queues}
GROUP BY queue
HAVING sum(offered) > 0
ORDER BY queue`

	sqlAbandonRate = `SELECT toString(queue) AS queue, sum(abandoned) / sum(offered) AS value
FROM calls_15m
WHERE interval_start >= toStartOfFifteenMinutes($__toTime) - INTERVAL 30 MINUTE
  AND interval_start < toStartOfFifteenMinutes($__toTime)
  AND {queues}
GROUP BY queue
HAVING sum(offered) > 0
ORDER BY queue`

	sqlEmailOldest = `SELECT toString(queue) AS queue,
    toFloat64(coalesce(maxIf(dateDiff('second', received_at, $__toTime), is_open), 0)) AS value
FROM (
    SELECT queue, received_at,
        received_at < $__toTime AND (first_reply_at IS NULL OR first_reply_at >= $__toTime) AS is_open
    FROM email_first_reply FINAL
    WHERE {queues}
)
GROUP BY queue
ORDER BY queue`
)

// alertGen collects rules and the first error.
type alertGen struct {
	c     Config
	rules []alerting.Rule
	err   error
}

// add adds one rule per threshold of split: one for each queue with its own
// target and one for all the other queues.
func (g *alertGen) add(title, uid, alert string, split queueSplit, op expr.ExprTypeThresholdConditionsEvaluatorType,
	forDur, severity, sql, summary, description string) {
	if g.err != nil {
		return
	}
	type scope struct {
		suffix, filter string
		value          float64
	}
	var names []string
	var scopes []scope
	for _, o := range split.over {
		names = append(names, sqlString(o.queue))
		scopes = append(scopes, scope{" (" + o.queue + ")", "queue = " + sqlString(o.queue), o.value})
	}
	all := scope{"", "1 = 1", split.def}
	if len(names) > 0 {
		all = scope{" (other queues)", "queue NOT IN (" + strings.Join(names, ", ") + ")", split.def}
	}
	scopes = append(scopes, all)
	for i, s := range scopes {
		ruleUID := uid
		if i < len(scopes)-1 {
			ruleUID = fmt.Sprintf("%s-%d", uid, i+1)
		}
		r, err := g.rule(title+s.suffix, ruleUID, alert, strings.ReplaceAll(sql, "{queues}", s.filter), op, s.value,
			forDur, severity, summary, description)
		if err != nil {
			g.err = fmt.Errorf("cannot build grafana alert rule %q: %w", title+s.suffix, err)
			return
		}
		g.rules = append(g.rules, r)
	}
}

// rule builds query A on ClickHouse, threshold B = A op value, condition B.
func (g *alertGen) rule(title, uid, alert, sql string, op expr.ExprTypeThresholdConditionsEvaluatorType, value float64,
	forDur, severity, summary, description string) (alerting.Rule, error) {
	exprType, exprUID := "__expr__", "__expr__"
	threshold := expr.NewExprBuilder().TypeThreshold(expr.NewTypeThresholdBuilder().
		RefId("B").
		Datasource(common.DataSourceRef{Type: &exprType, Uid: &exprUID}).
		Expression("A").
		Conditions([]cog.Builder[expr.ExprTypeThresholdConditions]{
			expr.NewExprTypeThresholdConditionsBuilder().
				Evaluator(expr.NewExprTypeThresholdConditionsEvaluatorBuilder().Type(op).Params([]float64{value})),
		}))
	return alerting.NewRuleBuilder(title).
		Uid(uid).
		FolderUID(GrafanaAlertFolderUID).
		RuleGroup(GrafanaAlertGroup).
		OrgID(1).
		WithQuery(alerting.NewQueryBuilder("A").
			DatasourceUid(g.c.ClickHouseUID).
			QueryType("sql").
			RelativeTimeRange(1800, 0).
			Model(ClickHouseQuery().RefId("A").Datasource(g.c.ClickHouseUID).Format(ClickHouseTable).RawSql(sql))).
		WithQuery(alerting.NewQueryBuilder("B").
			DatasourceUid(exprUID).
			RelativeTimeRange(1800, 0).
			Model(threshold)).
		Condition("B").
		For(forDur).
		NoDataState(alerting.RuleNoDataStateOK).
		ExecErrState(alerting.RuleExecErrStateError).
		Labels(map[string]string{"severity": severity}).
		Annotations(map[string]string{
			"summary":     summary,
			"description": description + fmt.Sprintf(" Threshold: %s %s.", opWord(op), fmtNum(value)),
			"runbook_url": RunbookURL + "#" + strings.ToLower(alert),
		}).
		Build()
}

func opWord(op expr.ExprTypeThresholdConditionsEvaluatorType) string {
	if op == lt {
		return "below"
	}
	return "above"
}

// sqlString quotes s as a ClickHouse string literal.
func sqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
