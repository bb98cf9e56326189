package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// RulesFile is where the generated Prometheus rule file is committed (and
// where `frontline dashboards --out DIR` writes it, under DIR).
const RulesFile = "prometheus/frontline-rules.yml"

// promRuleFile is the YAML of a Prometheus rule file.
type promRuleFile struct {
	Groups []promGroup `yaml:"groups"`
}

type promGroup struct {
	Name  string     `yaml:"name"`
	Rules []promRule `yaml:"rules"`
}

// promRule is one alerting rule; the field order is the order people read
// a rule in.
type promRule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for,omitempty"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// Pipeline alert limits: properties of the pipeline, not service targets of
// a site, so they are fixed here rather than in Config.
const (
	// AlertConsumerLag is the consumer lag, in messages behind the high
	// watermark summed over a topic's partitions, that alerts.
	AlertConsumerLag = 10000
	// AlertDLQRatio is the share of read events sent to the dead-letter
	// queue that alerts.
	AlertDLQRatio = 0.01
	// AlertStaleSec is how long the collector may go without an insert
	// while it has lag, or the aggregator without a successful run, before
	// it alerts, in seconds (40 aggregator runs at the default 15 s).
	AlertStaleSec = 600
	// AlertForecastMinCalls is how many calls today's plan must have
	// forecast so far before FrontlineVolumeOffForecast judges the day:
	// the first calls of the morning are too few to be off by a share.
	AlertForecastMinCalls = 20
	// AlertJobs matches the Prometheus job names of the Frontline processes
	// whose `up` is watched (deploy/prometheus/prometheus.yml).
	AlertJobs = "frontline.*"
	// RunbookURL is the page the alerts' runbook_url annotations point to;
	// each alert appends the anchor of its heading.
	RunbookURL = "https://github.com/frontline-oss/frontline/blob/main/docs/alerts.md"
)

// Alert severities: critical pages someone (customers are being failed or
// data is being lost now), warning goes to the team's queue.
const (
	severityCritical = "critical"
	severityWarning  = "warning"
)

// PrometheusRules returns the Prometheus rule file (YAML, two groups:
// service and pipeline) whose thresholds are those of c: the per-queue
// targets (service level, abandon rate, e-mail SLA), the overdue-callback
// count and how far past due a callback may be (the margin), the
// consumer-lag, DLQ-share and staleness limits. Each
// rule has a severity label and summary, description and runbook_url
// annotations; runbook_url is RunbookURL#<alert name in lower case>, a
// heading of docs/alerts.md. The rules read the metrics of
// aggregator/gauges.go and collector/metrics.go.
func PrometheusRules(c Config) ([]byte, error) {
	c = c.Defaults()
	if err := validateRulesConfig(c); err != nil {
		return nil, err
	}
	t := c.KPI.Targets
	runbook := func(alert string) string { return RunbookURL + "#" + strings.ToLower(alert) }
	rule := func(alert, expr string, forSec int, severity, summary, description string) promRule {
		return promRule{
			Alert:  alert,
			Expr:   expr,
			For:    promDuration(forSec),
			Labels: map[string]string{"severity": severity},
			Annotations: map[string]string{
				"summary":     summary,
				"description": description,
				"runbook_url": runbook(alert),
			},
		}
	}
	sl := splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.ServiceLevel })
	ab := splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.MaxAbandonRate })
	em := splitQueues(c.KPI, func(x kpi.Queue) float64 { return x.EmailSLA.Seconds() })
	vol := splitQueues(c.KPI, func(x kpi.Queue) float64 { return float64(x.MinVolume) })
	_ = t
	margin := promDuration(c.OverdueMarginSec)
	stale := promDuration(AlertStaleSec)

	service := promGroup{Name: "frontline-service", Rules: []promRule{
		rule("FrontlineCallbacksOverdue",
			fmt.Sprintf("frontline_callbacks_overdue > %d", c.OverdueCallbacks), 0, severityCritical,
			`{{ $value }} callbacks overdue in queue {{ $labels.queue }}`,
			fmt.Sprintf("More than %d callbacks in queue {{ $labels.queue }} are open past the time promised to the customer.", c.OverdueCallbacks)),
		// The gauge is already how long the most overdue callback has been
		// past due, so the margin is the threshold and no `for` is needed:
		// one would only delay a page that is by definition a margin late for
		// the customer, and it would restart with every restart of the
		// aggregator or Prometheus. Without `for` it fires on the first
		// evaluation after the aggregator (re)starts with a callback already
		// past the margin, and never for callbacks that turn over within it.
		rule("FrontlineCallbacksPastDueMargin",
			fmt.Sprintf("frontline_callback_oldest_overdue_seconds > %d", c.OverdueMarginSec), 0, severityCritical,
			`The most overdue callback in queue {{ $labels.queue }} is {{ $value | humanizeDuration }} past due`,
			fmt.Sprintf("An open callback in queue {{ $labels.queue }} is more than %s past the time promised to the customer.", margin)),
		rule("FrontlineServiceLevelLow",
			guarded(sl.expr("frontline_service_level_30m", "<", fmtNum), vol), 30*60, severityWarning,
			`Service level {{ $value | humanizePercentage }} in queue {{ $labels.queue }}`,
			"The share of calls answered within the service-level threshold over the last 30 minutes in queue {{ $labels.queue }} has been below its target of "+
				sl.template(fmtPct)+" for 30 minutes, with at least "+vol.template(fmtNum)+" calls offered while the queue was open."),
		rule("FrontlineAbandonRateHigh",
			guarded(ab.expr("frontline_abandon_rate_30m", ">", fmtNum), vol), 15*60, severityWarning,
			`Abandon rate {{ $value | humanizePercentage }} in queue {{ $labels.queue }}`,
			"Over the last 30 minutes more callers of queue {{ $labels.queue }} hung up while waiting than its ceiling of "+
				ab.template(fmtPct)+", for 15 minutes, with at least "+vol.template(fmtNum)+" calls offered while the queue was open."),
		rule("FrontlineEmailBacklogPastSLA",
			em.expr("frontline_email_backlog_oldest_age_seconds", ">", fmtNum), 5*60, severityWarning,
			`Oldest unanswered e-mail in queue {{ $labels.queue }} is {{ $value | humanizeDuration }} old`,
			"Queue {{ $labels.queue }} has an unanswered e-mail older than its first-response target of "+em.template(fmtDur)+"."),
		rule("FrontlineVolumeOffForecast",
			fmt.Sprintf("abs(frontline_calls_vs_forecast_ratio - 1) > %s\nand on (queue)\nfrontline_calls_forecast_today >= %d", fmtNum(c.ForecastDeviation), AlertForecastMinCalls), 30*60, severityWarning,
			`Calls in queue {{ $labels.queue }} run at {{ $value | humanizePercentage }} off today's forecast`,
			fmt.Sprintf("Today's calls so far in queue {{ $labels.queue }} have been more than %s off the forecast of today's plan for 30 minutes (with at least %d calls forecast so far): the plan's staffing is for another day than the one happening. Re-plan the rest of the day.",
				fmtPct(c.ForecastDeviation), AlertForecastMinCalls)),
	}}

	pipeline := promGroup{Name: "frontline-pipeline", Rules: []promRule{
		rule("FrontlineCollectorLagHigh",
			fmt.Sprintf("sum by (topic) (frontline_collector_consumer_lag) > %d", AlertConsumerLag), 10*60, severityWarning,
			`Collector is {{ $value }} messages behind on {{ $labels.topic }}`,
			fmt.Sprintf("The collector has been more than %d messages behind on topic {{ $labels.topic }} for 10 minutes: dashboards, gauges and alerts show old figures.", AlertConsumerLag)),
		rule("FrontlineDLQGrowing",
			fmt.Sprintf("sum(rate(frontline_collector_dlq_total[10m])) / sum(rate(frontline_collector_events_total[10m])) > %s", fmtNum(AlertDLQRatio)), 10*60, severityWarning,
			`{{ $value | humanizePercentage }} of events go to the dead-letter queue`,
			fmt.Sprintf("More than %s of the events read in the last 10 minutes were invalid and sent to the DLQ topic, for 10 minutes: their KPIs are missing.", fmtPct(AlertDLQRatio))),
		rule("FrontlineInsertErrors",
			"increase(frontline_collector_insert_errors_total[5m]) > 0", 10*60, severityCritical,
			`ClickHouse inserts fail on {{ $labels.instance }}`,
			"Batch inserts of collector {{ $labels.instance }} have been failing for 10 minutes; nothing it reads is committed until they succeed."),
		rule("FrontlineCollectorNotInserting",
			fmt.Sprintf("(time() - frontline_collector_last_insert_timestamp_seconds > %d)\nand on (instance)\n(sum by (instance) (frontline_collector_consumer_lag) > 0)", AlertStaleSec), 5*60, severityCritical,
			`Collector {{ $labels.instance }} has not inserted for {{ $value | humanizeDuration }}`,
			fmt.Sprintf("Collector {{ $labels.instance }} has messages to read but no successful insert for more than %s: no new data reaches ClickHouse.", stale)),
		// The last-run gauge is the wall clock of the run (not the moment
		// the run computed, which a demo simulates), so time() judges it.
		rule("FrontlineAggregatorNotRunning",
			fmt.Sprintf("time() - frontline_aggregator_last_run_timestamp_seconds > %d", AlertStaleSec), 5*60, severityCritical,
			`Aggregator {{ $labels.instance }} last ran {{ $value | humanizeDuration }} ago`,
			fmt.Sprintf("The aggregator has had no successful run for more than %s: derived tables and the KPI gauges are stale, so the service alerts see old figures.", stale)),
		rule("FrontlineTargetDown",
			fmt.Sprintf("up{job=~%s} == 0", strconv.Quote(AlertJobs)), 5*60, severityCritical,
			`{{ $labels.job }} target {{ $labels.instance }} is down`,
			"Prometheus has not been able to scrape {{ $labels.job }} at {{ $labels.instance }} for 5 minutes: the process is down or unreachable, and its alerts cannot fire."),
	}}

	var buf bytes.Buffer
	buf.WriteString("# Frontline alerting rules. Generated by dashboards.PrometheusRules from the\n" +
		"# configured targets (`frontline dashboards`); do not edit. Runbooks: docs/alerts.md.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(promRuleFile{Groups: []promGroup{service, pipeline}}); err != nil {
		return nil, fmt.Errorf("cannot encode the prometheus rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cannot encode the prometheus rules: %w", err)
	}
	return buf.Bytes(), nil
}

// validateRulesConfig rejects thresholds that would make a rule meaningless.
func validateRulesConfig(c Config) error {
	switch {
	case c.OverdueCallbacks < 0:
		return fmt.Errorf("cannot build rules: overdue callbacks %d is negative", c.OverdueCallbacks)
	case !(c.ForecastDeviation > 0 && c.ForecastDeviation < 1):
		return fmt.Errorf("cannot build rules: forecast deviation %v is not a share in (0,1)", c.ForecastDeviation)
	case c.OverdueMarginSec < 0:
		return fmt.Errorf("cannot build rules: overdue margin %ds is negative", c.OverdueMarginSec)
	}
	for q, t := range c.KPI.Targets.Queues {
		if t.ServiceLevel < 0 || t.ServiceLevel > 1 || t.MaxAbandonRate < 0 || t.MaxAbandonRate > 1 {
			return fmt.Errorf("cannot build rules: the targets of queue %q are not fractions in 0..1", q)
		}
	}
	return nil
}

// queueValue is the threshold of one queue whose target overrides the
// default.
type queueValue struct {
	queue string
	value float64
}

// queueSplit is one target field across queues: the default and the queues
// whose own target differs from it.
type queueSplit struct {
	def  float64
	over []queueValue
}

// splitQueues reads field from the default queue and every configured
// queue, keeping only the queues that differ from the default.
func splitQueues(c kpi.Config, field func(kpi.Queue) float64) queueSplit {
	s := queueSplit{def: field(c.Queue(""))}
	for _, q := range c.QueueNames() {
		if v := field(c.Queue(q)); v != s.def {
			s.over = append(s.over, queueValue{q, v})
		}
	}
	sort.Slice(s.over, func(i, j int) bool { return s.over[i].queue < s.over[j].queue })
	return s
}

// guarded keeps the series of a rate alert's expr for the queues that
// offered at least their minimum volume of calls in the window (the volume
// guard: a rate of two calls is noise) and are not closed now (their
// opening hours, holidays): a closed queue answers no calls and its rates
// do not alert.
func guarded(expr string, minVolume queueSplit) string {
	out := "(" + expr + ")"
	if len(minVolume.over) > 0 || minVolume.def > 0 {
		out += "\nand on (queue)\n(" + minVolume.expr("frontline_calls_offered_30m", ">=", fmtNum) + ")"
	}
	return out + "\nunless on (queue)\nfrontline_queue_open == 0"
}

// expr compares metric with each queue's threshold: one comparison per
// overriding queue and one for all the other queues, joined with `or`.
func (s queueSplit) expr(metric, op string, f func(float64) string) string {
	if len(s.over) == 0 {
		return fmt.Sprintf("%s %s %s", metric, op, f(s.def))
	}
	var parts, names []string
	for _, o := range s.over {
		parts = append(parts, fmt.Sprintf("%s{queue=%s} %s %s", metric, strconv.Quote(o.queue), op, f(o.value)))
		names = append(names, regexp.QuoteMeta(o.queue))
	}
	parts = append(parts, fmt.Sprintf("%s{queue!~%s} %s %s", metric, strconv.Quote(strings.Join(names, "|")), op, f(s.def)))
	return strings.Join(parts, "\nor\n")
}

// template is an annotation template that prints the threshold of the
// alert's queue.
func (s queueSplit) template(f func(float64) string) string {
	if len(s.over) == 0 {
		return f(s.def)
	}
	var b strings.Builder
	for i, o := range s.over {
		if i == 0 {
			b.WriteString("{{ if ")
		} else {
			b.WriteString("{{ else if ")
		}
		fmt.Fprintf(&b, "eq $labels.queue %s }}%s", strconv.Quote(o.queue), f(o.value))
	}
	fmt.Fprintf(&b, "{{ else }}%s{{ end }}", f(s.def))
	return b.String()
}

// fmtNum writes a threshold the way PromQL reads it.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// fmtPct writes a fraction as a percentage for people.
func fmtPct(v float64) string { return strconv.FormatFloat(100*v, 'g', 4, 64) + "%" }

// fmtDur writes seconds as a duration for people (24h, 1h30m, 90s).
func fmtDur(sec float64) string {
	d := time.Duration(sec * float64(time.Second)).Round(time.Second)
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d % time.Minute / time.Second; s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// promDuration writes seconds as a Prometheus duration ("" for 0).
func promDuration(sec int) string {
	switch {
	case sec <= 0:
		return ""
	case sec%3600 == 0:
		return fmt.Sprintf("%dh", sec/3600)
	case sec%60 == 0:
		return fmt.Sprintf("%dm", sec/60)
	}
	return fmt.Sprintf("%ds", sec)
}
