// Package dashboards generates Frontline's Grafana dashboards and Grafana
// alert rules with the Grafana Foundation SDK, and the Prometheus rule file,
// from one Config. `frontline dashboards --out DIR` writes them.
package dashboards

import "github.com/frontline-oss/frontline/kpi"

// Config drives every generated dashboard and rule. The zero value is
// completed by Defaults.
type Config struct {
	// ClickHouseUID is the uid of the grafana-clickhouse-datasource data
	// source. Default "frontline-clickhouse".
	ClickHouseUID string
	// PrometheusUID is the uid of the Prometheus data source. Default
	// "frontline-prometheus".
	PrometheusUID string
	// KPI is the centre's configuration, the same the report and the
	// gauges read: the time zone of the dashboards, each queue's targets,
	// thresholds, opening hours and alert volume guard, the centre-wide
	// parameters and the currency. Default kpi.DefaultConfig().
	KPI kpi.Config
	// OverdueCallbacks is the per-queue overdue-callback count that alerts.
	// Default 5.
	OverdueCallbacks int
	// OverdueMargin is how far past due the oldest open callback may be
	// before it alerts, in seconds. Default 1800.
	OverdueMarginSec int
	// ForecastDeviation is the share by which today's calls so far may run
	// off today's plan (frontline_calls_vs_forecast_ratio) for 30 minutes
	// before FrontlineVolumeOffForecast alerts, in (0,1). Default 0.25.
	ForecastDeviation float64
}

// Defaults fills zero fields of c with the documented defaults.
func (c Config) Defaults() Config {
	if c.ClickHouseUID == "" {
		c.ClickHouseUID = "frontline-clickhouse"
	}
	if c.PrometheusUID == "" {
		c.PrometheusUID = "frontline-prometheus"
	}
	c.KPI = c.KPI.WithDefaults()
	if c.OverdueCallbacks == 0 {
		c.OverdueCallbacks = 5
	}
	if c.OverdueMarginSec == 0 {
		c.OverdueMarginSec = 1800
	}
	if c.ForecastDeviation == 0 {
		c.ForecastDeviation = 0.25
	}
	return c
}
