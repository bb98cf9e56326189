package dashboards

import (
	"github.com/frontline-oss/frontline/kpi"

	"fmt"
	"strconv"
	"strings"
	"time"
)

// Panel SQL used by more than one dashboard. Rollups and derived tables
// (migrations 0010, 0011) carry the KPI logic; where a KPI has no rollup
// (repeat contacts, churn, handle time by tenure, e-mail handling time), the
// panels include the report's own definitions (kpi/sql/def_*.sql,
// through kpi.Definitions) with the dashboard's time range as the
// window, and where a derived table holds a callback's or an e-mail's state
// but not whether it met its promise, they judge its rows with the report's
// rule (callback_sla, email_reply).

// grafanaWindow is the window and queue filter of the report's definitions
// as the ClickHouse plugin has them: its time macros (DateTime, made
// DateTime64(3) like the report's window) and the queue variable. The
// parameters are bound by kpi.Config.Bind as literals (the plugin has no
// query parameters): per-queue thresholds, opening hours, the centre-wide
// parameters.
var grafanaWindow = kpi.Window{
	From:      "toDateTime64($__fromTime, 3, 'UTC')",
	To:        "toDateTime64($__toTime, 3, 'UTC')",
	InQueue:   inQueues("queue"),
	AllQueues: "'__all' IN (${queue:sqlstring})",
}

// definitions are the report's definitions names for a WITH clause (see
// kpi.Definitions). The names are constants of this package and the
// blocks are embedded in package kpi: an error is a bug, and every
// dashboard test panics on it.
func (g gen) definitions(names ...string) string {
	return definitions(g.terms, names...)
}

// definitions expands names with terms t; an error is a bug (see
// gen.definitions).
func definitions(t kpi.Terms, names ...string) string {
	sql, err := kpi.Definitions(t, names...)
	if err != nil {
		panic("dashboards: " + err.Error())
	}
	return sql
}

// callsSQL selects cols from the calls of the rollup in the range, judged
// and added up as the report does (call_intervals, interval_totals and
// call_rates of kpi/sql/def_inbound_calls.sql: each queue's own thresholds,
// the calls queued while their queue was open): one row per chart interval
// (perInterval; else one row for the whole range) and per value of the
// group columns (queue, topic). cols are expressions on the totals and rates (offered, answered,
// service_level, abandon_rate, asa_sec, aht_sec, handle_sum, talk_sum, …).
func (g gen) callsSQL(perInterval bool, groups []string, cols ...string) string {
	keys := append([]string(nil), groups...)
	inner := "SELECT "
	if perInterval {
		inner += g.bucket("interval_start") + " AS time, "
		keys = append([]string{"time"}, keys...)
	}
	for _, k := range groups {
		inner += k + ", "
	}
	inner += definitions(g.terms, "interval_totals") + ",\n    " + definitions(g.terms, "call_rates") + "\n    FROM call_intervals"
	if len(keys) > 0 {
		inner += "\n    GROUP BY " + strings.Join(keys, ", ")
	}
	sql := "WITH\n" + g.definitions("call_intervals") + "\nSELECT " + strings.Join(append(keys, cols...), ",\n    ") +
		"\nFROM (\n    " + inner + "\n)"
	if len(keys) > 0 {
		sql += "\nORDER BY " + strings.Join(keys, ", ")
	}
	return sql
}

// thresholdText says a per-queue threshold the way a manager reads it: the
// default's, and the queues with their own ("20 seconds; billing 30
// seconds").
func (g gen) thresholdText(v func(kpi.Queue) time.Duration) string {
	def := v(g.c.KPI.Queue(""))
	out := duration(def)
	for _, q := range g.c.KPI.QueueNames() {
		if d := v(g.c.KPI.Queue(q)); d != def {
			out += "; " + q + " " + duration(d)
		}
	}
	return out
}

// slText and shortText are the service-level threshold and the short
// abandon of the queues, for panel descriptions.
func (g gen) slText() string {
	return g.thresholdText(func(q kpi.Queue) time.Duration { return q.SLThreshold })
}

func (g gen) shortText() string {
	return g.thresholdText(func(q kpi.Queue) time.Duration { return q.ShortAbandon })
}

// selectBucketed wraps a SELECT list: with b == "" one row for the whole
// range, otherwise one row per chart interval b (a column `time`).
func selectBucketed(b, cols, from string) string {
	if b == "" {
		return "SELECT\n    " + cols + "\n" + from
	}
	return "SELECT " + b + " AS time,\n    " + cols + "\n" + from + "\nGROUP BY time\nORDER BY time"
}

// callbackSLASQL: callbacks requested in the range, judged as the report
// judges them (callback_sla of kpi/sql/def_callbacks.sql): met =
// reached by the due time; missed = reached later, or still open past due;
// cancelled callbacks do not count. Each row of callback_status (kept by the
// aggregator) is judged at its as_of, the moment its state was taken.
func (g gen) callbackSLASQL(b string) string {
	return selectBucketed(b, "countIf(is_sla_met) / nullIf(countIf(is_sla_met OR is_sla_missed), 0) AS `callback SLA`",
		`FROM (
    SELECT requested_at, closed_at, due_at, reached_at,
        status = 'completed' AS is_completed, as_of AS callbacks_as_of,
        `+g.definitions("callback_sla")+`
    FROM callback_status FINAL
    WHERE $__timeFilter(requested_at) AND `+inQueues("queue")+`)`)
}

// emailSLAText says the e-mail first-response promise: the default
// target's (a queue with its own is judged by its own).
func (g gen) emailSLAText() string { return duration(g.t.EmailSLA) }

// emailSLASQL: e-mails received in the range, judged as the report judges
// them (email_reply of kpi/sql/def_emails.sql): met = first reply
// within the SLA; missed = a later first reply, or none and older than the
// SLA. Each row of email_first_reply (kept by the aggregator) is judged at
// its as_of.
func (g gen) emailSLASQL(b string) string {
	return selectBucketed(b, "countIf(is_sla_met) / nullIf(countIf(is_sla_met OR is_sla_missed), 0) AS `e-mail SLA`",
		"FROM (\n"+g.judgedEmails("$__timeFilter(received_at) AND "+inQueues("queue"))+")")
}

// judgedEmails selects the e-mails of email_first_reply (kept by the
// aggregator) that meet cond, each with its first response judged at its
// as_of by its queue's SLA (email_reply of kpi/sql/def_emails.sql):
// received_at, is_replied, frt, is_sla_met, is_sla_missed.
func (g gen) judgedEmails(cond string) string {
	return `    SELECT queue, received_at, first_reply_at, as_of AS emails_as_of,
        ` + g.definitions("email_reply") + `
    FROM email_first_reply FINAL
    WHERE ` + cond
}

// Columns of contactsSQL.
const (
	repeatRate = "countIf(is_repeat) / nullIf(count(), 0) AS `repeat rate`"
	fcrRate    = "countIf(is_fcr) / nullIf(count(), 0) AS `first-contact resolution`"
	contacts   = "count() AS contacts"
)

// contactsSQL selects cols from the contacts of the range judged as the
// report judges them (judged_contacts of kpi/sql/def_contacts.sql): a
// repeat had an earlier contact of the customer in the repeat window before
// it; a first-contact resolution has no later one within the window and
// before the end of the range. Earlier and later contacts count in every
// queue; the queue filter picks the contacts judged.
func (g gen) contactsSQL(b string, cols ...string) string {
	return "WITH\n" + g.definitions("inbound_calls", "contacts", "judged_contacts") + "\n" +
		selectBucketed(b, strings.Join(cols, ",\n    "), "FROM judged_contacts")
}

// churnSQL ends in the CTE `valued` over the report's churn cohort
// (churn_cohort of kpi/sql/def_churn.sql): the customers who left in
// the range (judged when they left) and those not gone by its end with a
// contact in the lookback before it (judged at the end) — each with
// is_churned, t (when judged), value (then) and is_poor: whether a span of
// poor service (customer_poor_service, kept by the aggregator's
// job_poor_service) covers t. Append more CTEs or the SELECT.
func (g gen) churnSQL() string {
	return g.cohortSQL(g.terms)
}

// churnedSQL is churnSQL with only the customers who left in the range
// (is_churned in every row), for the panels about them: it reads the events
// of those few customers instead of grouping every customer's.
func (g gen) churnedSQL() string {
	return g.cohortSQL(g.churnedTerms())
}

// churnedTerms narrow the churn cohort to the customers who left in the
// range (churn_moments of def_churn.sql).
func (g gen) churnedTerms() kpi.Terms {
	t := g.terms
	t.CohortOf = "SELECT customer_id FROM churn_moments"
	return t
}

func (g gen) cohortSQL(t kpi.Terms) string {
	return "WITH\n" + definitions(t, "inbound_calls", "contacts") + `,
churn_service AS (
    SELECT customer_id, toUnixTimestamp64Milli(from_at) AS from_ms, toUnixTimestamp64Milli(until_at) AS until_ms
    FROM customer_poor_service FINAL
    WHERE poor = 1
),
` + definitions(t, "churn_cohort") + `,
valued AS (
    SELECT customer_id, t, is_churned, value, in_poor_span AS is_poor
    FROM cohort
)`
}

// duration says d the way a manager would ("20 seconds", "24 hours").
func duration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return days(d)
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d/time.Second), "second")
}

func days(d time.Duration) string { return plural(int(d/(24*time.Hour)), "day") }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func itoa(n int) string { return strconv.Itoa(n) }
