package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// UIDOverview is the uid of the service overview, the first dashboard a
// manager opens.
const UIDOverview = "frontline-service-overview"

// overview: the headline KPIs of calls, callbacks, e-mail and customers,
// each as a figure coloured by its target with its trend beside it.
func overview(g gen) *dashboard.DashboardBuilder {
	t := g.t
	b := g.newDashboard(UIDOverview, "Frontline · Service overview",
		"Service level, abandon rate, speed of answer and handle time, callback and e-mail SLAs, repeat contacts and the revenue lost after poor service.")
	open := " Calls queued while their queue was closed (opening hours, holidays) do not count."
	return g.withClickHouseVariables(b).
		WithRow(dashboard.NewRowBuilder("Calls")).
		WithPanel(defaultStat("Service level",
			"Share of offered calls answered within the queue's service-level threshold ("+g.slText()+"). Offered calls are answered calls plus callers who hung up after waiting at least the short abandon ("+g.shortText()+")."+open+" Green at the target, amber just under it, red below.",
			units.PercentUnit).Span(3).Thresholds(atLeast(t.ServiceLevel, t.WarningBand)).
			WithTarget(g.chQuery(g.callsSQL(false, nil, "service_level")))).
		WithPanel(defaultStat("Abandon rate",
			"Share of offered calls whose caller hung up before being answered, after waiting at least the short abandon ("+g.shortText()+")."+open+" Green up to the ceiling, amber just above it, red beyond.",
			units.PercentUnit).Span(3).Thresholds(atMost(t.MaxAbandonRate, t.WarningBand)).
			WithTarget(g.chQuery(g.callsSQL(false, nil, "abandon_rate")))).
		WithPanel(defaultStat("Average speed of answer",
			"How long answered callers waited in the queue, on average."+open,
			units.Seconds).Span(3).
			WithTarget(g.chQuery(g.callsSQL(false, nil, "asa_sec")))).
		WithPanel(defaultStat("Average handle time",
			"Time an agent spends on an answered call: talk plus hold plus after-call wrap-up, on average."+open,
			units.Seconds).Span(3).
			WithTarget(g.chQuery(g.callsSQL(false, nil, "aht_sec")))).
		WithPanel(defaultTimeseries("Service level and abandon rate",
			"Per interval: the share of offered calls answered within the queue's threshold ("+g.slText()+"), and the share abandoned after at least the short abandon ("+g.shortText()+")."+open+" The lines mark the service-level target and the abandon ceiling.",
			units.PercentUnit).Min(0).Max(1).
			Thresholds(atLeast(t.ServiceLevel, t.WarningBand)).
			WithTarget(g.chSeries(g.callsSQL(true, nil, "service_level AS `service level`", "abandon_rate AS `abandon rate`")))).
		WithPanel(defaultTimeseries("Speed of answer and handle time",
			"Per interval: how long answered callers waited on average, and the average talk + hold + wrap-up time of an answered call."+open,
			units.Seconds).
			WithTarget(g.chSeries(g.callsSQL(true, nil, "asa_sec AS `speed of answer`", "aht_sec AS `handle time`")))).
		WithRow(dashboard.NewRowBuilder("Callbacks and e-mail")).
		WithPanel(defaultStat("Callback SLA",
			"Share of callbacks requested in the period that reached the customer by the promised time. Callbacks still open past their due time count as missed; cancelled ones do not count.",
			units.PercentUnit).Span(6).Thresholds(atLeast(t.CallbackSLA, t.WarningBand)).
			WithTarget(g.chQuery(g.callbackSLASQL("")))).
		WithPanel(defaultStat("E-mail SLA",
			"Share of e-mails received in the period whose first reply came within "+g.emailSLAText()+". E-mails still unanswered after that time count as missed; younger unanswered ones are not decided yet.",
			units.PercentUnit).Span(6).Thresholds(atLeast(t.EmailSLARate, t.WarningBand)).
			WithTarget(g.chQuery(g.emailSLASQL("")))).
		WithPanel(defaultTimeseries("Callback and e-mail SLA",
			"Per interval of the request (callbacks) or arrival (e-mails): the share handled within their promise, as in the figures above.",
			units.PercentUnit).Min(0).Max(1).
			WithTarget(g.chSeries(g.callbackSLASQL(g.bucket("requested_at")))).
			WithTarget(g.chSeries(g.emailSLASQL(g.bucket("received_at"))).RefId("B"))).
		WithRow(dashboard.NewRowBuilder("Customers")).
		WithPanel(defaultStat("Repeat contact rate",
			"Share of customer contacts (answered or abandoned calls, e-mails) from a customer who had already contacted us in the "+days(g.p.RepeatWindow)+" before.",
			units.PercentUnit).Span(4).
			WithTarget(g.chQuery(g.contactsSQL("", repeatRate)))).
		WithPanel(defaultStat("First-contact resolution",
			"Share of customer contacts after which the customer did not contact us again within "+days(g.p.RepeatWindow)+" (or by the end of the period).",
			units.PercentUnit).Span(4).
			WithTarget(g.chQuery(g.contactsSQL("", fcrRate)))).
		WithPanel(defaultStat("Revenue lost after poor service",
			"Annual value of the customers who left in the period after poor service in the "+days(g.p.ChurnLookback)+" before: a long wait, an abandoned or transferred call, a missed callback, or "+itoa(g.p.RepeatContacts)+" contacts or more.",
			g.currencyUnit()).Span(4).Thresholds(dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
			Steps([]dashboard.Threshold{step(nil, "green"), step(ptr(0.01), "red")})).
			WithTarget(g.chQuery(g.churnedSQL() + `
SELECT sumIf(value, is_churned AND is_poor) AS revenue_lost_after_poor_service FROM valued`))).
		WithPanel(defaultTimeseries("Repeat contacts and first-contact resolution",
			"Per interval of the contact: the repeat contact rate and the first-contact resolution rate, as in the figures above.",
			units.PercentUnit).Min(0).Max(1).
			WithTarget(g.chSeries(g.contactsSQL(g.bucket("t"), repeatRate, fcrRate))))
}
