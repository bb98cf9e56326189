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

// sqlTerms are the window and KPI parameters of the report's definitions as
// the ClickHouse plugin has them: its time macros (DateTime, made
// DateTime64(3) like the report's window), literal seconds (the e-mail SLA
// the dashboards promise, emailSLA), and the queue variable.
func (g gen) sqlTerms() kpi.Terms {
	return kpi.Terms{
		From:          "toDateTime64($__fromTime, 3, 'UTC')",
		To:            "toDateTime64($__toTime, 3, 'UTC')",
		SLThreshold:   sec(g.c.Targets.Default.Params(g.p).SLThreshold),
		ShortAbandon:  sec(g.p.ShortAbandon),
		RepeatWindow:  sec(g.p.RepeatWindow),
		ChurnLookback: sec(g.p.ChurnLookback),
		EmailSLA:      sec(g.emailSLA()),
		TenureNew:     sec(g.p.TenureNew),
		InQueue:       inQueues("queue"),
		AllQueues:     "'__all' IN (${queue:sqlstring})",
	}
}

// definitions are the report's definitions names for a WITH clause (see
// kpi.Definitions). The names are constants of this package and the
// blocks are embedded in the aggregator: an error is a bug, and every
// dashboard test panics on it.
func (g gen) definitions(names ...string) string {
	sql, err := kpi.Definitions(g.sqlTerms(), names...)
	if err != nil {
		panic("dashboards: " + err.Error())
	}
	return sql
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
    SELECT requested_at, due_at, reached_at,
        status = 'completed' AS is_completed, status = 'open' AS is_open, as_of AS callbacks_as_of,
        `+g.definitions("callback_sla")+`
    FROM callback_status FINAL
    WHERE $__timeFilter(requested_at) AND `+inQueues("queue")+`)`)
}

// emailSLA is the e-mail first-response promise: the default target's, or
// the KPI parameter.
func (g gen) emailSLA() time.Duration {
	if d := g.c.Targets.Default.EmailSLA; d > 0 {
		return d
	}
	return g.p.EmailSLA
}

func (g gen) emailSLAText() string { return duration(g.emailSLA()) }

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
// as_of (email_reply of kpi/sql/def_emails.sql): received_at, is_replied,
// frt, is_sla_met, is_sla_missed.
func (g gen) judgedEmails(cond string) string {
	return `    SELECT received_at, first_reply_at, as_of AS emails_as_of,
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
	return "WITH\n" + g.definitions("inbound_calls", "contacts") + `,
churn_service AS (
    SELECT customer_id, toUnixTimestamp64Milli(from_at) AS from_ms, toUnixTimestamp64Milli(until_at) AS until_ms
    FROM customer_poor_service FINAL
    WHERE poor = 1
),
` + g.definitions("churn_cohort") + `,
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
