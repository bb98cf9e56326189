package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDHandleTime is the uid of the handle time and workload dashboard.
const UIDHandleTime = "frontline-handle-time"

// handleTime: where agent time goes — handle time by queue and topic, its
// parts, new against tenured agents, e-mail and order-entry work, and how
// busy the staffed agents are.
func handleTime(g gen) *dashboard.DashboardBuilder {
	tenure := days(g.p.TenureNew)
	b := g.newDashboard(UIDHandleTime, "Frontline · Handle time and workload",
		"Average handle time by queue and topic, talk/hold/wrap split, new against tenured agents, e-mail handling and first response, order entry, occupancy and staffed hours.")
	return g.withClickHouseVariables(b).
		WithRow(dashboard.NewRowBuilder("Calls")).
		WithPanel(defaultTimeseries("Average handle time by queue",
			"Per interval and queue: the average time an agent spends on an answered call (talk + hold + after-call wrap-up).",
			units.Seconds).DisplayName("${__field.labels.queue}").
			WithTarget(g.chSeries(g.callsSQL(true, []string{"queue"}, "aht_sec")))).
		WithPanel(defaultTimeseries("Talk, hold and wrap-up per call",
			"Per interval: the average handle time of an answered call split into talking, holding the customer, and after-call wrap-up.",
			units.Seconds).Stacking(stackNormal()).FillOpacity(40).
			WithTarget(g.chSeries(g.callsSQL(true, nil, "talk_sum / nullIf(answered, 0) AS talk", "hold_sum / nullIf(answered, 0) AS hold",
				"wrap_sum / nullIf(answered, 0) AS `wrap-up`")))).
		WithPanel(defaultTable("Handle time by topic",
			"Per call topic, over the period: answered calls and the average handle time with its talk, hold and wrap-up parts. Longest first.",
			units.Seconds).
			OverrideByName("answered", unitOverride(units.Short)).
			WithTarget(g.chQuery(`SELECT * FROM (
` + g.callsSQL(false, []string{"topic"}, "answered", "aht_sec AS `handle time`", "talk_sum / nullIf(answered, 0) AS talk",
				"hold_sum / nullIf(answered, 0) AS hold", "wrap_sum / nullIf(answered, 0) AS `wrap-up`") + `
)
WHERE answered > 0
ORDER BY ` + "`handle time`" + ` DESC`))).
		WithPanel(defaultTimeseries("Handle time, new and tenured agents",
			"Per interval: the average handle time of calls answered by agents who joined less than "+tenure+" before the call, against those with longer tenure.",
			units.Seconds).
			WithTarget(g.chSeries("WITH\n" + g.definitions("inbound_calls", "calls_by_tenure") + "\n" +
				selectBucketed(g.bucket("t"), "avgOrNullIf(handle, is_new) AS `new agents`,\n"+
					"    avgOrNullIf(handle, NOT is_new) AS `tenured agents`", "FROM calls_by_tenure")))).
		WithRow(dashboard.NewRowBuilder("E-mail and orders")).
		WithPanel(defaultTimeseries("E-mail first response time",
			"Per interval of arrival: how long customers waited for the first reply to an e-mail, on average and for nine in ten (90th percentile). Only answered e-mails count.",
			units.Seconds).
			WithTarget(g.chSeries(`SELECT ` + g.bucket("received_at") + ` AS time,
    avg(frt) AS mean,
    quantileExactInclusive(0.9)(frt) AS p90
FROM (
` + g.judgedEmails("$__timeFilter(received_at) AND "+inQueues("queue")) + `
)
WHERE is_replied
GROUP BY time
ORDER BY time`))).
		WithPanel(defaultStat("E-mail handling time",
			"Average time an agent spent on an e-mail reply sent in the period, as the mail system reports it.",
			units.Seconds).Span(6).
			WithTarget(g.chQuery("WITH\n" + g.definitions("email_replies") + "\n" +
				"SELECT avgOrNull(handle_sec) AS handle_mean_sec FROM email_replies"))).
		WithPanel(defaultStat("E-mail backlog",
			"E-mails received and not yet replied to, at the end of the time range.",
			units.Short).Span(6).
			WithTarget(g.chQuery(`SELECT countIf(` + g.definitions("email_unanswered") + `) AS backlog
FROM (
    SELECT received_at, first_reply_at, $__toTime AS emails_as_of
    FROM email_first_reply FINAL
    WHERE ` + inQueues("queue") + `
)`))).
		WithPanel(defaultTimeseries("Order entry time",
			"Per interval: how long an agent takes to enter an order (from starting to submitting it), on average and for nine in ten (90th percentile). Orders carry no queue: the queue filter does not apply.",
			units.Seconds).
			WithTarget(g.chSeries(`SELECT ` + g.bucket("interval_start") + ` AS time,
    sum(entry_sum) / nullIf(sum(entered), 0) AS mean,
    if(sum(entered) = 0, NULL, arrayElement(quantilesExactInclusiveMerge(0.5, 0.9, 0.95)(entry_quantiles), 2)) AS p90
FROM orders_15m
WHERE $__timeFilter(interval_start)
GROUP BY time
ORDER BY time`))).
		WithRow(dashboard.NewRowBuilder("Agents")).
		WithPanel(defaultStat("Occupancy",
			"Share of the agents' available time spent handling work (on a call or in wrap-up), over the period. Breaks and other states do not count.",
			units.PercentUnit).Span(6).
			WithTarget(g.chQuery(`SELECT (sum(busy_sec) + sum(wrap_sec)) / nullIf(sum(available_sec) + sum(busy_sec) + sum(wrap_sec), 0) AS occupancy
FROM staffed_15m FINAL
WHERE $__timeFilter(interval_start) AND ` + inQueues("queue")))).
		WithPanel(defaultStat("Staffed hours",
			"Hours agents were logged in (any state but logged out) over the period.",
			units.Hours).Span(6).
			WithTarget(g.chQuery(`SELECT sum(staffed_sec) / 3600 AS staffed_hours
FROM staffed_15m FINAL
WHERE $__timeFilter(interval_start) AND ` + inQueues("queue")))).
		WithPanel(defaultTimeseries("Occupancy by interval",
			"Per interval: the share of the agents' available time spent on calls or wrap-up.",
			units.PercentUnit).Min(0).Max(1).
			WithTarget(g.chSeries(`SELECT ` + g.bucket("interval_start") + ` AS time,
    (sum(busy_sec) + sum(wrap_sec)) / nullIf(sum(available_sec) + sum(busy_sec) + sum(wrap_sec), 0) AS occupancy
FROM staffed_15m FINAL
WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
GROUP BY time
ORDER BY time`))).
		WithPanel(defaultBars("Staffed hours by queue",
			"Per interval and queue: hours agents were logged in.",
			units.Hours).DisplayName("${__field.labels.queue}").
			WithTarget(g.chSeries(`SELECT ` + g.bucket("interval_start") + ` AS time, toString(queue) AS queue,
    sum(staffed_sec) / 3600 AS staffed_hours
FROM staffed_15m FINAL
WHERE $__timeFilter(interval_start) AND ` + inQueues("queue") + `
GROUP BY time, queue
ORDER BY time, queue`)))
}
