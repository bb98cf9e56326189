package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDPipeline is the uid of the pipeline health dashboard, the one the
// collector and aggregator alerts link to.
const UIDPipeline = "frontline-pipeline"

// pipeline: is the data flowing — events in, consumer lag, what goes to the
// dead-letter queue and why, insert latency, retries, and the aggregator's
// freshness. Reads the collector and aggregator metrics from Prometheus.
func pipeline(g gen) *dashboard.DashboardBuilder {
	return g.newDashboard(UIDPipeline, "Frontline · Pipeline health",
		"Collector and aggregator health from their Prometheus metrics: events per second, consumer lag, dead-letter queue by reason, insert latency and retries, aggregator freshness.").
		Refresh("30s").
		Time("now-6h", "now").
		WithRow(dashboard.NewRowBuilder("Flow")).
		WithPanel(defaultStat("Since last insert",
			"Time since the collector last wrote a batch to ClickHouse. Minutes with traffic flowing mean the pipeline is stuck.",
			units.Seconds).Span(6).
			Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
				Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(120), "yellow"), step(ptr(600), "red")})).
			WithTarget(g.promQuery(`time() - max(frontline_collector_last_insert_timestamp_seconds)`, "since last insert"))).
		WithPanel(defaultStat("Aggregator freshness",
			"Time since the aggregator last refreshed the derived tables and KPI gauges.",
			units.Seconds).Span(6).
			Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
				Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(120), "yellow"), step(ptr(600), "red")})).
			WithTarget(g.promQuery(`time() - max(frontline_aggregator_last_run_timestamp_seconds)`, "since last run"))).
		WithPanel(defaultStat("Consumer lag",
			"Messages waiting in Kafka that the collector has not read yet, all topics.",
			units.Short).Span(6).
			WithTarget(g.promQuery(`sum(frontline_collector_consumer_lag)`, "lag"))).
		WithPanel(defaultStat("Dead-lettered, last hour",
			"Invalid events sent to the dead-letter queue in the last hour.",
			units.Short).Span(6).
			Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
				Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(1), "yellow")})).
			WithTarget(g.promQuery(`sum(increase(frontline_collector_dlq_total[1h]))`, "dlq"))).
		WithPanel(defaultTimeseries("Events per second",
			"Events read per second, by topic and outcome: loaded, duplicate (the producer sent it twice; counted once) or invalid.",
			units.CountsPerSecond).Stacking(stackNormal()).FillOpacity(40).
			WithTarget(g.promQuery(`sum by (topic, result) (rate(frontline_collector_events_total[$__rate_interval]))`, "{{topic}} {{result}}"))).
		WithPanel(defaultTimeseries("Consumer lag by topic",
			"Messages behind the newest message of each topic, as of the collector's last fetch.",
			units.Short).
			WithTarget(g.promQuery(`sum by (topic) (frontline_collector_consumer_lag)`, "{{topic}}"))).
		WithRow(dashboard.NewRowBuilder("Errors and latency")).
		WithPanel(defaultBars("Dead-letter queue by reason",
			"Invalid events sent to the dead-letter queue per interval, by reason (bad JSON, missing field, unknown type…).",
			units.Short).
			WithTarget(g.promQuery(`sum by (reason) (increase(frontline_collector_dlq_total[$__rate_interval]))`, "{{reason}}"))).
		WithPanel(defaultTimeseries("Insert latency",
			"Time to write one batch into ClickHouse: median and 99th percentile.",
			units.Seconds).
			WithTarget(g.promQuery(`histogram_quantile(0.5, sum by (le) (rate(frontline_collector_insert_duration_seconds_bucket[$__rate_interval])))`, "p50")).
			WithTarget(g.promQuery(`histogram_quantile(0.99, sum by (le) (rate(frontline_collector_insert_duration_seconds_bucket[$__rate_interval])))`, "p99").RefId("B"))).
		WithPanel(defaultTimeseries("Retries and insert errors",
			"Operations retried after a failure per second, by operation (insert, dead-letter write, offset commit), and failed batch inserts. Nothing is lost: a failed batch is retried before its offsets are committed.",
			units.OpsPerSecond).
			WithTarget(g.promQuery(`sum by (op) (rate(frontline_collector_retries_total[$__rate_interval]))`, "retry {{op}}")).
			WithTarget(g.promQuery(`sum(rate(frontline_collector_insert_errors_total[$__rate_interval]))`, "insert errors").RefId("B"))).
		WithPanel(defaultTimeseries("Aggregator run time",
			"How long an aggregator run (derived-table jobs and gauges) takes: 90th percentile, and failed runs per second.",
			units.Seconds).
			OverrideByName("failed runs", rightAxis(units.OpsPerSecond)).
			WithTarget(g.promQuery(`histogram_quantile(0.9, sum by (le) (rate(frontline_aggregator_run_duration_seconds_bucket[$__rate_interval])))`, "p90")).
			WithTarget(g.promQuery(`sum(rate(frontline_aggregator_errors_total[$__rate_interval]))`, "failed runs").RefId("B")))
}
