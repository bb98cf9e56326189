package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDCallbacks is the uid of the callbacks and backlog dashboard, the one
// the backlog alerts link to.
const UIDCallbacks = "frontline-callbacks"

// callbacks: the callback backlog now and over time, how long customers
// wait to be called back, and how often the promise is kept.
func callbacks(g gen) *dashboard.DashboardBuilder {
	t := g.t
	b := g.newDashboard(UIDCallbacks, "Frontline · Callbacks and backlog",
		"Open and overdue callbacks per queue, the oldest open request, callback latency, SLA attainment and attempts per callback.")
	return g.withClickHouseVariables(b).
		WithRow(dashboard.NewRowBuilder("Backlog now")).
		WithPanel(defaultStat("Open callbacks",
			"Callbacks requested and not yet completed (customer reached) or cancelled, at the end of the time range.",
			units.Short).Span(6).
			WithTarget(g.chQuery(g.callbacksAtEnd("count() AS open", false)))).
		WithPanel(defaultStat("Overdue callbacks",
			"Open callbacks whose promised time has passed, at the end of the time range. Amber from one, red above the alert threshold.",
			units.Short).Span(6).Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
			Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(1), "yellow"), step(ptr(float64(g.c.OverdueCallbacks+1)), "red")})).
			WithTarget(g.chQuery(g.callbacksAtEnd("count() AS overdue", true)))).
		WithPanel(defaultStat("Oldest open callback",
			"How long the longest-waiting open callback has been waiting since it was requested, at the end of the time range (0 when none is open).",
			units.Seconds).Span(6).
			WithTarget(g.chQuery(g.callbacksAtEnd(
				"coalesce(max("+secBetween("requested_at", "callbacks_as_of")+"), 0) AS oldest_open_age_sec", false)))).
		WithPanel(defaultStat("Callback SLA",
			"Share of callbacks requested in the period that reached the customer by the promised time. Callbacks still open past their due time count as missed; cancelled ones do not count.",
			units.PercentUnit).Span(6).Thresholds(atLeast(t.CallbackSLA, t.WarningBand)).
			WithTarget(g.chQuery(g.callbackSLASQL("")))).
		WithRow(dashboard.NewRowBuilder("Backlog over time")).
		WithPanel(defaultTimeseries("Open callbacks by queue",
			"Callbacks open (requested, neither completed nor cancelled) at each point in time, per queue.",
			units.Short).DisplayName("${__field.labels.queue}").
			WithTarget(g.chSeries(g.callbackPoints("count() AS open", false)))).
		WithPanel(defaultTimeseries("Overdue callbacks by queue",
			"Open callbacks past their promised time at each point in time, per queue.",
			units.Short).DisplayName("${__field.labels.queue}").
			WithTarget(g.chSeries(g.callbackPoints("count() AS overdue", true)))).
		WithPanel(defaultTimeseries("Oldest open callback by queue",
			"Age of the longest-waiting open callback at each point in time, per queue.",
			units.Seconds).DisplayName("${__field.labels.queue}").
			WithTarget(g.chSeries(g.callbackPoints("max(p - requested_sec) AS oldest_open_age_sec", false)))).
		WithPanel(defaultTimeseries("Callback SLA attainment",
			"Per interval of the request: the share of callbacks that reached the customer by the promised time (open past due counts as missed, cancelled does not count).",
			units.PercentUnit).Min(0).Max(1).Thresholds(atLeast(t.CallbackSLA, t.WarningBand)).
			WithTarget(g.chSeries(g.callbackSLASQL(g.bucket("requested_at"))))).
		WithRow(dashboard.NewRowBuilder("Latency and effort")).
		WithPanel(defaultBarChart("Callback latency",
			"Completed callbacks requested in the period, by the time from the request to reaching the customer.",
			units.Short).
			WithTarget(g.chQuery(`SELECT
    multiIf(l < 900, '< 15 min', l < 1800, '15–30 min', l < 3600, '30–60 min', l < 7200, '1–2 h',
            l < 14400, '2–4 h', l < 28800, '4–8 h', '8 h or more') AS latency,
    count() AS callbacks
FROM (
    SELECT ` + secBetween("requested_at", "assumeNotNull(reached_at)") + ` AS l
    FROM callback_status FINAL
    WHERE status = 'completed' AND $__timeFilter(requested_at) AND ` + inQueues("queue") + `
)
GROUP BY latency
ORDER BY min(l)`))).
		WithPanel(defaultStat("Callback latency, median and 90th percentile",
			"Time from the request to reaching the customer, for callbacks requested in the period and completed: half are faster than the median, nine in ten faster than the 90th percentile.",
			units.Seconds).Span(6).
			WithTarget(g.chQuery(`SELECT
    quantileExactInclusiveOrNull(0.5)(l) AS median,
    quantileExactInclusiveOrNull(0.9)(l) AS p90
FROM (
    SELECT ` + secBetween("requested_at", "assumeNotNull(reached_at)") + ` AS l
    FROM callback_status FINAL
    WHERE status = 'completed' AND $__timeFilter(requested_at) AND ` + inQueues("queue") + `
)`))).
		WithPanel(defaultStat("Attempts per completed callback",
			"Call attempts an agent needed to reach the customer, up to and including the successful one, per completed callback requested in the period.",
			units.Short).Span(6).Decimals(2).
			WithTarget(g.chQuery(`SELECT sumIf(attempts, status = 'completed') / nullIf(countIf(status = 'completed'), 0) AS attempts_per_completed
FROM callback_status FINAL
WHERE $__timeFilter(requested_at) AND ` + inQueues("queue"))))
}

// callbackRule is the report's rule for a callback open at the moment
// callbacks_as_of (callback_open of kpi/sql/def_callbacks.sql), or open
// and past its due time (callback_overdue).
func (g gen) callbackRule(overdue bool) string {
	if overdue {
		return g.definitions("callback_overdue")
	}
	return g.definitions("callback_open")
}

// callbacksAtEnd aggregates the callbacks open (or overdue) at the end of
// the range, judged by the report's rule on callback_status (kept by the
// aggregator). agg may use callbacks_as_of, the end of the range.
func (g gen) callbacksAtEnd(agg string, overdue bool) string {
	return "SELECT " + agg + `
FROM (
    SELECT requested_at, due_at, closed_at, toDateTime64($__toTime, 3, 'UTC') AS callbacks_as_of
    FROM callback_status FINAL
    WHERE ` + inQueues("queue") + `
)
WHERE ` + g.callbackRule(overdue)
}

// callbackPoints samples the backlog at every chart interval boundary p of
// the range (local boundaries: a day is a local midnight): a callback
// counts at p when the report's rule says it is open (or overdue) at p.
// Only the points between a callback's request and its closing are tried.
// agg may use p and requested_sec.
func (g gen) callbackPoints(agg string, overdue bool) string {
	return `WITH
    toInt64(` + bucketSec + `) AS step,
    timeZoneOffset(toTimeZone($__fromTime, ` + g.terms.Zone + `)) AS off,
    intDiv(toInt64(toUnixTimestamp($__fromTime)) + off, step) * step - off AS lo,
    toInt64(toUnixTimestamp($__toTime)) AS hi
SELECT toDateTime(p, 'UTC') AS time, queue, ` + agg + `
FROM (
    SELECT
        queue, requested_sec, p, requested_at, due_at, closed_at,
        toDateTime64(p, 3, 'UTC') AS callbacks_as_of
    FROM (
        SELECT
            toString(queue) AS queue,
            requested_at, due_at, closed_at,
            toUnixTimestamp64Milli(requested_at) / 1000 AS requested_sec,
            intDiv(toUnixTimestamp64Milli(requested_at), 1000) + 1 AS first_sec,
            least(hi + 1, coalesce(intDiv(toUnixTimestamp64Milli(closed_at), 1000) + 1, hi + 1)) AS end_sec,
            arrayJoin(range(
                greatest(lo, lo + intDiv(first_sec - lo + step - 1, step) * step),
                greatest(end_sec, lo), step)) AS p
        FROM callback_status FINAL
        WHERE requested_at <= $__toTime AND coalesce(closed_at, $__toTime) >= $__fromTime
          AND ` + inQueues("queue") + `
    )
)
WHERE ` + g.callbackRule(overdue) + `
GROUP BY time, queue
ORDER BY time, queue`
}
