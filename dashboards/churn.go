package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDChurn is the uid of the churn and revenue dashboard.
const UIDChurn = "frontline-churn"

// churn: what poor service costs — how much more likely customers who had
// it are to leave, the revenue lost and at risk, and who is at risk now.
// Churn is centre-wide: the queue filter does not apply.
func churn(g gen) *dashboard.DashboardBuilder {
	poor := "poor service in the " + days(g.p.ChurnLookback) + " before (a call that waited more than " +
		duration(g.p.LongWait) + ", an abandoned or transferred call, a callback missed, or " +
		itoa(g.p.RepeatContacts) + " contacts or more)"
	cur := g.currencyUnit()
	b := g.newDashboard(UIDChurn, "Frontline · Churn and revenue",
		"Churn lift of poor service, revenue lost and at risk, and the at-risk customers ranked by value. Centre-wide: the queue filter does not apply.")
	return g.withClickHouseVariables(b).
		WithRow(dashboard.NewRowBuilder("Customers who left")).
		WithPanel(defaultStat("Customers lost",
			"Customers who left in the period.",
			units.Short).
			WithTarget(g.chQuery(g.churnedSQL() + "\nSELECT countIf(is_churned) AS churned FROM valued"))).
		WithPanel(defaultStat("Revenue lost",
			"Annual value of the customers who left in the period (the value on the churn record, else the latest known).",
			cur).
			WithTarget(g.chQuery(g.churnedSQL() + "\nSELECT sumIf(value, is_churned) AS revenue_lost FROM valued"))).
		WithPanel(defaultStat("Revenue lost after poor service",
			"Annual value of the customers who left in the period after "+poor+".",
			cur).
			WithTarget(g.chQuery(g.churnedSQL() + "\nSELECT sumIf(value, is_churned AND is_poor) AS revenue_lost_after_poor_service FROM valued"))).
		WithPanel(defaultStat("Churn lift of poor service",
			"How many times more likely a customer with "+poor+" was to leave than one without. Customers judged: those who left in the period (at the moment they left) and those still with us who contacted us in the last "+days(g.p.ChurnLookback)+" (at the end of the period). Above 1: poor service drives churn.",
			"suffix:×").Decimals(2).Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
			Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(1.5), "yellow"), step(ptr(2), "red")})).
			WithTarget(g.chQuery(g.churnSQL() + `
SELECT (countIf(is_churned AND is_poor) / nullIf(countIf(is_poor), 0))
     / nullIf(countIf(is_churned AND NOT is_poor) / nullIf(countIf(NOT is_poor), 0), 0) AS lift
FROM valued`))).
		WithPanel(defaultStat("Churn rate with and without poor service",
			"Share of the judged customers (see the lift) who left: among those with "+poor+", and among those without.",
			units.PercentUnit).Span(8).
			WithTarget(g.chQuery(g.churnSQL() + `
SELECT countIf(is_churned AND is_poor) / nullIf(countIf(is_poor), 0) AS ` + "`after poor service`" + `,
    countIf(is_churned AND NOT is_poor) / nullIf(countIf(NOT is_poor), 0) AS ` + "`without`" + `
FROM valued`))).
		WithPanel(defaultBars("Revenue lost by interval",
			"Per interval: annual value of the customers who left, split by whether they had "+poor+".",
			cur).
			WithTarget(g.chSeries(g.churnedSQL() + `
SELECT ` + g.bucket("t") + ` AS time,
    sumIf(value, is_poor) AS ` + "`after poor service`" + `,
    sumIf(value, NOT is_poor) AS ` + "`other`" + `
FROM valued
WHERE is_churned
GROUP BY time
ORDER BY time`))).
		WithRow(dashboard.NewRowBuilder("Customers at risk")).
		WithPanel(defaultStat("Customers at risk",
			"Customers still with us, in contact in the last "+days(g.p.ChurnLookback)+", who had "+poor+", at the end of the period.",
			units.Short).Span(6).
			WithTarget(g.chQuery(g.churnSQL() + "\nSELECT countIf(NOT is_churned AND is_poor) AS customers_at_risk FROM valued"))).
		WithPanel(defaultStat("Revenue at risk",
			"Annual value of the customers at risk at the end of the period.",
			cur).Span(6).
			WithTarget(g.chQuery(g.churnSQL() + "\nSELECT coalesce(sumIf(value, NOT is_churned AND is_poor), 0) AS revenue_at_risk FROM valued"))).
		WithPanel(defaultTable("At-risk customers by value",
			"The customers at risk at the end of the period, most valuable first: their annual value, the kinds of poor service they had and when the latest was.",
			cur).Span(24).
			OverrideByName("incidents", unitOverride(units.Short)).
			OverrideByName("poor service", unitOverride("string")).
			OverrideByName("customer", unitOverride("string")).
			OverrideByName("latest incident", unitOverride("dateTimeAsIso")).
			WithTarget(g.chQuery(g.churnSQL() + `,
incidents AS (
    SELECT customer_id, groupUniqArray(toString(kind)) AS kinds, count() AS n, max(from_at) AS latest
    FROM customer_poor_service FINAL
    WHERE poor = 1 AND from_at <= $__toTime AND $__toTime < until_at
    GROUP BY customer_id
)
SELECT c.customer_id AS customer, c.value AS ` + "`annual value`" + `,
    arrayStringConcat(arraySort(i.kinds), ', ') AS ` + "`poor service`" + `,
    i.n AS incidents, i.latest AS ` + "`latest incident`" + `
FROM valued AS c
INNER JOIN incidents AS i ON i.customer_id = c.customer_id
WHERE NOT c.is_churned AND c.is_poor
ORDER BY ` + "`annual value`" + ` DESC, customer
LIMIT 100`)))
}
