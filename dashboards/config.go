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
	// Targets are the per-queue service targets that thresholds and alerts
	// are drawn from. Default kpi.DefaultTargets().
	Targets kpi.Targets
	// OverdueCallbacks is the per-queue overdue-callback count that alerts.
	// Default 5.
	OverdueCallbacks int
	// OverdueMargin is how far past due the oldest open callback may be
	// before it alerts, in seconds. Default 1800.
	OverdueMarginSec int
	// Params are the KPI definitions (long wait, repeat window, churn
	// lookback, tenure, e-mail SLA…) that panels reading raw events use.
	// Zero fields take kpi.DefaultParams().
	Params kpi.Params
	// CurrencyUnit is the Grafana unit of customer values (revenue lost and
	// at risk). Default "currencyEUR".
	CurrencyUnit string
}

// Defaults fills zero fields of c with the documented defaults.
func (c Config) Defaults() Config {
	if c.ClickHouseUID == "" {
		c.ClickHouseUID = "frontline-clickhouse"
	}
	if c.PrometheusUID == "" {
		c.PrometheusUID = "frontline-prometheus"
	}
	if c.Targets.Default == (kpi.Target{}) {
		c.Targets = kpi.DefaultTargets()
	}
	if c.OverdueCallbacks == 0 {
		c.OverdueCallbacks = 5
	}
	if c.OverdueMarginSec == 0 {
		c.OverdueMarginSec = 1800
	}
	return c
}
