package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"fmt"
	"strconv"

	"github.com/grafana/grafana-foundation-sdk/go/barchart"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Shared panel defaults, query helpers, variables and thresholds of every
// dashboard. A dashboard file says what it shows; this file says how a
// Frontline panel looks.

// gen carries the configuration every panel needs (data source uids,
// targets, KPI parameters, the time zone) into the dashboard files.
type gen struct {
	c Config
	p kpi.Params
	// t is the default queue's target: the panels' colours.
	t kpi.Target
	// terms are the definitions' terms with the Grafana plugin's macros.
	terms kpi.Terms
}

func newGen(c Config) gen {
	c = c.Defaults()
	return gen{c: c, p: c.KPI.Params, t: c.KPI.Queue("").Target, terms: c.KPI.Bind(grafanaWindow)}
}

// currencyUnit is the Grafana unit of the configured currency: one of
// Grafana's currency units where it has one, else the code as a suffix.
func (g gen) currencyUnit() string {
	switch code := g.c.KPI.Currency; code {
	case "USD", "GBP", "EUR", "JPY", "RUB", "UAH", "BRL", "DKK", "ISK", "NOK", "SEK", "CZK", "CHF", "PLN", "BTC", "ZAR", "INR", "KRW", "IDR", "PHP", "VND":
		return "currency" + code
	default:
		return "suffix: " + code
	}
}

func (g gen) clickhouse() common.DataSourceRef {
	t, uid := ClickHouseType, g.c.ClickHouseUID
	return common.DataSourceRef{Type: &t, Uid: &uid}
}

func (g gen) prometheus() common.DataSourceRef {
	t, uid := "prometheus", g.c.PrometheusUID
	return common.DataSourceRef{Type: &t, Uid: &uid}
}

// chQuery is a ClickHouse query returning a table (stats, tables, bars).
func (g gen) chQuery(sql string) *ClickHouseQueryBuilder {
	return ClickHouseQuery().Datasource(g.c.ClickHouseUID).RawSql(sql).Format(ClickHouseTable)
}

// chSeries is a ClickHouse query returning time series: a DateTime column
// `time`, numeric columns, and optionally a string column that splits the
// rows into one series per value.
func (g gen) chSeries(sql string) *ClickHouseQueryBuilder {
	return g.chQuery(sql).Format(ClickHouseTimeSeries)
}

// promQuery is a Prometheus range query with a legend.
func (g gen) promQuery(expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().RefId("A").Datasource(g.prometheus()).Expr(expr).LegendFormat(legend).Range()
}

// SQL fragments shared by the ClickHouse panels.

// inQueues filters col by the queue variable. "All" is the custom all value
// '__all' (Grafana inserts a custom all value as is, unquoted), so All
// means no filter — also for rows without a queue; otherwise the selected
// queues are quoted and escaped by the sqlstring format.
func inQueues(col string) string {
	return "('__all' IN (${queue:sqlstring}) OR " + col + " IN (${queue:sqlstring}))"
}

// bucketSec is the chart interval in seconds: the interval variable, or
// Grafana's own interval when that is coarser (zoomed out), rounded down to
// whole 15 minutes so the 15-minute rollups re-aggregate exactly.
const bucketSec = "greatest(${interval}, intDiv($__interval_s, 900) * 900)"

// bucket is the start of the chart interval holding col, in the
// dashboards' time zone: a day is a local day.
func (g gen) bucket(col string) string { return g.terms.Bucket(col, bucketSec) }

// msBetween is b − a in seconds, at millisecond precision.
func secBetween(a, b string) string {
	return "(toUnixTimestamp64Milli(" + b + ") - toUnixTimestamp64Milli(" + a + ")) / 1000"
}

// Variables.

// queueVariable lists the queues of the rollups (calls, e-mails, staffing).
func (g gen) queueVariable() *dashboard.QueryVariableBuilder {
	sql := `SELECT DISTINCT toString(queue) AS queue FROM (
    SELECT queue FROM calls_15m
    UNION ALL SELECT queue FROM emails_15m
    UNION ALL SELECT queue FROM staffed_15m)
WHERE queue != ''
ORDER BY queue`
	return dashboard.NewQueryVariableBuilder("queue").
		Label("Queue").
		Description("Queues to show; All includes work without a queue.").
		Datasource(g.clickhouse()).
		Query(dashboard.StringOrMap{Map: map[string]any{
			"refId": "queue", "editorType": "sql", "format": int(ClickHouseTable),
			"queryType": ClickHouseTable.queryType(), "rawSql": sql,
		}}).
		Definition(sql).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue("'__all'").
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		})
}

// QueueVariableSQL is the query of the queue variable, for tests and tools
// that expand "All" the way Grafana lists the options.
func (g gen) queueVariableSQL() string {
	v, err := g.queueVariable().Build()
	if err != nil || v.Definition == nil {
		return ""
	}
	return *v.Definition
}

// intervals are the chart intervals offered, in seconds: multiples of the
// 15-minute rollup bucket.
var intervals = []struct {
	text string
	sec  int
}{{"15 min", 900}, {"30 min", 1800}, {"1 hour", 3600}, {"1 day", 86400}}

// intervalVariable is the chart interval in seconds.
func intervalVariable() *dashboard.CustomVariableBuilder {
	var values string
	opts := make([]dashboard.VariableOption, 0, len(intervals))
	for i, iv := range intervals {
		if i > 0 {
			values += ","
		}
		values += fmt.Sprintf("%s : %d", iv.text, iv.sec)
		text, value, selected := iv.text, strconv.Itoa(iv.sec), i == 0
		opts = append(opts, dashboard.VariableOption{
			Selected: &selected,
			Text:     dashboard.StringOrArrayOfString{String: &text},
			Value:    dashboard.StringOrArrayOfString{String: &value},
		})
	}
	first := opts[0]
	return dashboard.NewCustomVariableBuilder("interval").
		Label("Interval").
		Description("Chart interval; coarser when the time range needs it.").
		Values(dashboard.StringOrMap{String: &values}).
		Options(opts).
		Current(first)
}

// Thresholds.

func step(v *float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: v, Color: color}
}

func ptr(f float64) *float64 { return &f }

// atLeast colours a KPI that should reach target: green from target, amber
// within the warning band below it, red under that (the report's judgement).
func atLeast(target, band float64) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
		step(nil, "red"), step(ptr(target*(1-band)), "yellow"), step(ptr(target), "green"),
	})
}

// atMost colours a KPI that should stay under ceiling: green up to it,
// amber within the warning band above it, red beyond.
func atMost(ceiling, band float64) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
		step(nil, "green"), step(ptr(ceiling), "yellow"), step(ptr(ceiling*(1+band)), "red"),
	})
}

// neutral is the threshold of a figure without a target.
func neutral() *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps([]dashboard.Threshold{
		step(nil, "blue"),
	})
}

// Panels.

// defaultStat is a KPI figure over the dashboard's time range.
func defaultStat(title, description, unit string) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Height(4).
		Span(4).
		Thresholds(neutral()).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		NoValue("–").
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false))
}

// defaultTimeseries is a KPI over time.
func defaultTimeseries(title, description, unit string) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Height(8).
		Span(12).
		LineWidth(2).
		FillOpacity(10).
		SpanNulls(common.BoolOrFloat64{Bool: ptrBool(false)}).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true))
}

// defaultBars is a time series drawn as stacked bars, for counts per
// interval.
func defaultBars(title, description, unit string) *timeseries.PanelBuilder {
	return defaultTimeseries(title, description, unit).
		DrawStyle(common.GraphDrawStyleBars).
		FillOpacity(80).
		Stacking(stackNormal())
}

// stackNormal stacks series on top of each other (parts of a whole).
func stackNormal() *common.StackingConfigBuilder {
	return common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)
}

// defaultTable is a ranked or per-category list.
func defaultTable(title, description, unit string) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Height(10).
		Span(12).
		Filterable(true)
}

// defaultBarChart is a distribution over categories (the first column).
func defaultBarChart(title, description, unit string) *barchart.PanelBuilder {
	return barchart.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit(unit).
		Height(8).
		Span(12).
		ShowValue(common.VisibilityModeAuto)
}

func ptrBool(b bool) *bool { return &b }

// unitOverride sets the unit of one column (a count beside durations).
func unitOverride(unit string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "unit", Value: unit}}
}

// rightAxis moves a series to a right-hand axis with its own unit.
func rightAxis(unit string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "custom.axisPlacement", Value: "right"}, {Id: "unit", Value: unit}}
}

// newDashboard is a dashboard with Frontline's defaults: a fixed uid, the
// centre's time zone, the last 24 hours, refreshed every minute.
func (g gen) newDashboard(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"frontline"}).
		Timezone(g.c.KPI.Zone.String()).
		Time("now-24h", "now").
		Refresh("1m").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Readonly()
}

// withClickHouseVariables adds the queue and interval variables.
func (g gen) withClickHouseVariables(b *dashboard.DashboardBuilder) *dashboard.DashboardBuilder {
	return b.WithVariable(g.queueVariable()).WithVariable(intervalVariable())
}
