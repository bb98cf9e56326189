package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"fmt"
	"strings"

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
// The SQL reads the derived and rollup tables with the report's rules, like
// the dashboards do: callback_status and email_first_reply (kept by the
// aggregator) judged at the evaluation time ($__toTime), and the calls
// rollup over the last two complete 15-minute intervals, each queue at its
// own thresholds; the rate rules keep only the queues that offered their
// minimum volume of calls while open and are open at the evaluation time.
func GrafanaAlertRules(c Config) ([]alerting.Rule, error) {
	c = c.Defaults()
	if err := validateRulesConfig(c); err != nil {
		return nil, err
	}
	g := alertGen{c: c, gen: newGen(c)}
	margin := promDuration(c.OverdueMarginSec)

	g.add("Callbacks overdue", "frontline-callbacks-overdue", "FrontlineCallbacksOverdue",
		queueSplit{def: float64(c.OverdueCallbacks)}, gt, "1m", severityCritical, g.callbacksSQL("toFloat64(countIf(is_overdue))"),
		"{{ $values.A }} callbacks overdue in queue {{ $labels.queue }}",
		fmt.Sprintf("More than %d callbacks in the queue are open past the time promised to the customer.", c.OverdueCallbacks))
	g.add("Callback past due beyond margin", "frontline-callback-past-due", "FrontlineCallbacksPastDueMargin",
		queueSplit{def: float64(c.OverdueMarginSec)}, gt, "1m", severityCritical,
		g.callbacksSQL("toFloat64(coalesce(maxIf(dateDiff('second', due_at, callbacks_as_of), is_overdue), 0))"),
		"The most overdue callback in queue {{ $labels.queue }} is {{ humanizeDuration $values.A.Value }} past due",
		"An open callback of the queue is more than "+margin+" past the time promised to the customer.")
	g.add("Service level under target", "frontline-service-level", "FrontlineServiceLevelLow",
		splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.ServiceLevel }), lt, "30m", severityWarning, g.rateSQL("service_level"),
		"Service level {{ humanizePercentage $values.A.Value }} in queue {{ $labels.queue }}",
		"The share of calls answered within the queue's threshold ("+g.slText()+") over the last two complete 15-minute intervals has been under the queue's target for 30 minutes.")
	g.add("Abandon rate high", "frontline-abandon-rate", "FrontlineAbandonRateHigh",
		splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.MaxAbandonRate }), gt, "15m", severityWarning, g.rateSQL("abandon_rate"),
		"Abandon rate {{ humanizePercentage $values.A.Value }} in queue {{ $labels.queue }}",
		"More callers hung up while waiting over the last two complete 15-minute intervals than the queue's ceiling, for 15 minutes.")
	g.add("E-mail backlog past SLA", "frontline-email-backlog", "FrontlineEmailBacklogPastSLA",
		splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.EmailSLA.Seconds() }), gt, "5m", severityWarning, g.emailSQL(),
		"Oldest unanswered e-mail in queue {{ $labels.queue }} is {{ humanizeDuration $values.A.Value }} old",
		"The queue has an unanswered e-mail older than its first-response target.")
	if g.err != nil {
		return nil, g.err
	}
	return g.rules, nil
}

// The alert queries: one row per queue, `queue` and `value`. {queues} is the
// queue filter of the rule; $__toTime is the evaluation time (the plugin's
// macro, the end of the rule's relative time range).

// callbacksSQL aggregates value over each queue's callbacks judged at the
// evaluation time by the report's rule (callback_overdue): value may use
// is_overdue, due_at and callbacks_as_of.
func (g alertGen) callbacksSQL(value string) string {
	return `SELECT toString(queue) AS queue, ` + value + ` AS value
FROM (
    SELECT queue, due_at, toDateTime64($__toTime, 3, 'UTC') AS callbacks_as_of,
        ` + g.definitions("callback_overdue") + ` AS is_overdue
    FROM callback_status FINAL
    WHERE {queues}
)
GROUP BY queue
ORDER BY queue`
}

// rateSQL is a rate of call_rates (service_level, abandon_rate) per queue
// over the last two complete 15-minute intervals, from the rollup judged by
// the report's definitions, for the queues that offered at least their
// minimum volume while open and are open at the evaluation time.
func (g alertGen) rateSQL(rate string) string {
	t := g.c.KPI.Bind(kpi.Window{
		From:      "toStartOfFifteenMinutes($__toTime) - INTERVAL 30 MINUTE",
		To:        "toStartOfFifteenMinutes($__toTime)",
		InQueue:   "{queues}",
		AllQueues: "1 = 1",
	})
	return `WITH
` + definitions(t, "call_intervals") + `
SELECT queue, ` + rate + ` AS value
FROM (
    SELECT queue, ` + definitions(t, "interval_totals") + `,
        ` + definitions(t, "call_rates") + `
    FROM call_intervals
    GROUP BY queue
)
WHERE offered > 0 AND offered >= ` + t.MinVolume + ` AND ` + t.InHours("$__toTime") + `
ORDER BY queue`
}

// emailSQL is the age of each queue's oldest e-mail unanswered at the
// evaluation time (email_unanswered, the report's rule).
func (g alertGen) emailSQL() string {
	return `SELECT toString(queue) AS queue,
    toFloat64(coalesce(maxIf(dateDiff('second', received_at, emails_as_of), is_open), 0)) AS value
FROM (
    SELECT queue, received_at, toDateTime64($__toTime, 3, 'UTC') AS emails_as_of,
        ` + g.definitions("email_unanswered") + ` AS is_open
    FROM email_first_reply FINAL
    WHERE {queues}
)
GROUP BY queue
ORDER BY queue`
}

// Comparison of a Grafana threshold expression.
const (
	gt = expr.ExprTypeThresholdConditionsEvaluatorTypeGt
	lt = expr.ExprTypeThresholdConditionsEvaluatorTypeLt
)

// alertGen collects rules and the first error.
type alertGen struct {
	gen
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
