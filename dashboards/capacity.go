package dashboards

import (
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDCapacity is the uid of the capacity dashboard.
const UIDCapacity = "frontline-capacity"

// capacitySeries is one line of the capacity chart: a SELECT returning
// (time, value) per chart interval of the range.
type capacitySeries struct {
	name string
	sql  string
}

// capacityLines are the lines of "Offered calls and staffed agents". This
// is the seam for planning: the forecast and required-agents issue appends
// its series here (e.g. forecast calls from a plan table, required agents
// from Erlang C), and they appear on the same chart with the same interval
// and queue filter.
func (g gen) capacityLines() []capacitySeries {
	return []capacitySeries{
		{"offered calls", g.callsSQL(true, nil, "toFloat64(offered) AS value")},
		{"staffed agents", `SELECT ` + g.bucket("interval_start") + ` AS time, sum(staffed_sec) / ` + bucketSec + ` AS value
    FROM staffed_15m FINAL
    WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
    GROUP BY time`},
		{"working agents", `SELECT ` + g.bucket("interval_start") + ` AS time, sum(available_sec + busy_sec + wrap_sec) / ` + bucketSec + ` AS value
    FROM staffed_15m FINAL
    WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
    GROUP BY time`},
		// From `frontline plan` (table capacity_plan, migrations 0020 and
		// 0040): required agents are agents on the work, like working
		// agents (docs/planning.md).
		{"forecast calls", `SELECT ` + g.bucket("interval_start") + ` AS time, sum(forecast_calls) AS value
    FROM capacity_plan FINAL
    WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
    GROUP BY time`},
		{"required agents", `SELECT ` + g.bucket("interval_start") + ` AS time, sum(required_share * interval_sec) / ` + bucketSec + ` AS value
    FROM capacity_plan FINAL
    WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
    GROUP BY time`},
	}
}

// unionSeries turns series into one long-format time-series query (time,
// series, value): one line per series.
func unionSeries(series []capacitySeries) string {
	parts := make([]string, len(series))
	for i, s := range series {
		parts[i] = "    SELECT time, '" + s.name + "' AS series, value FROM (\n    " + s.sql + ")"
	}
	return "SELECT time, series, value FROM (\n" + strings.Join(parts, "\n    UNION ALL\n") + "\n)\nORDER BY time, series"
}

// capacity: demand against supply per interval — offered calls against the
// agents staffed, and the work those calls brought against them.
func capacity(g gen) *dashboard.DashboardBuilder {
	b := g.newDashboard(UIDCapacity, "Frontline · Capacity",
		"Offered calls per interval against staffed agents, and the workload in agent-equivalents against the agents staffed. Forecast and required agents come from the plans written by frontline plan.")
	return g.withClickHouseVariables(b).
		WithRow(dashboard.NewRowBuilder("Demand and supply")).
		WithPanel(defaultTimeseries("Offered calls and staffed agents",
			"Per interval: calls offered while the queue was open (answered plus abandoned after the short abandon, "+g.shortText()+") and the forecast of `frontline plan` (left axis); the average number of agents logged in, those on the work (available, busy or wrap: not on a break), and the agents on the work the plan requires — the same quantity as working agents (right axis).",
			units.Short).Span(24).
			DisplayName("${__field.labels.series}").
			OverrideByName("staffed agents", rightAxis(units.Short)).
			OverrideByName("working agents", rightAxis(units.Short)).
			OverrideByName("required agents", rightAxis(units.Short)).
			WithTarget(g.chSeries(unionSeries(g.capacityLines())))).
		WithPanel(defaultTimeseries("Workload against staffed agents",
			"Per interval: the call work in agent-equivalents (handle time of answered calls divided by the interval length — how many agents were busy with calls on average) against the average number of agents logged in and those available or busy.",
			units.Short).Span(24).
			WithTarget(g.chSeries(`SELECT time, sum(work) AS ` + "`call workload`" + `, sum(staffed) AS ` + "`staffed agents`" + `,
    sum(ready) AS ` + "`agents on calls or ready`" + `
FROM (
    SELECT time, work, 0 AS staffed, 0 AS ready FROM (
` + g.callsSQL(true, nil, "handle_sum / "+bucketSec+" AS work") + `
    )
    UNION ALL
    SELECT ` + g.bucket("interval_start") + ` AS time, 0 AS work,
        sum(staffed_sec) / ` + bucketSec + ` AS staffed,
        (sum(available_sec) + sum(busy_sec) + sum(wrap_sec)) / ` + bucketSec + ` AS ready
    FROM staffed_15m FINAL
    WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
    GROUP BY time
)
GROUP BY time
ORDER BY time`))).
		WithRow(dashboard.NewRowBuilder("Roster")).
		WithPanel(defaultTimeseries("Roster coverage against heads to schedule",
			"Per interval, from `frontline plan --roster` (table roster): the heads the plan says to schedule (agents on the work the pools need, shrinkage added, rounded once per pool), the heads on shift in the rounded roster, and in its LP bound. A pool serves several queues; the queue filter keeps the pools that serve any chosen queue.",
			units.Short).Span(24).
			DisplayName("${__field.labels.series}").
			WithTarget(g.chSeries(g.rosterCoverage())))
}

// rosterCoverage is the long-format series of the roster panel: required,
// covered and LP-covered heads per chart interval. Each interval of a
// roster is one head count, so a coarser chart interval shows the mean.
func (g gen) rosterCoverage() string {
	inPools := "('__all' IN (${queue:sqlstring}) OR hasAny(splitByChar('+', toString(pool)), [${queue:sqlstring}]))"
	line := func(name, col string) capacitySeries {
		return capacitySeries{name, `SELECT ` + g.bucket("interval_start") + ` AS time, sum(` + col + ` * interval_sec) / ` + bucketSec + ` AS value
    FROM roster FINAL
    WHERE $__timeFilter(interval_start) AND ` + inPools + `
    GROUP BY time`}
	}
	return unionSeries([]capacitySeries{line("heads to schedule", "required"), line("heads on shift", "covered"), line("LP bound", "lp_covered")})
}
