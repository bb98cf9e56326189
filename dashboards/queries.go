package dashboards

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Panel SQL used by more than one dashboard. Rollups and derived tables
// (migrations 0010, 0011) carry the KPI logic; where a KPI has no rollup
// (repeat contacts, churn), these follow aggregator/sql/report_*.sql and
// shared/spec/kpis.md with the dashboard's time range as the window.

// selectBucketed wraps a SELECT list: with b == "" one row for the whole
// range, otherwise one row per chart interval b (a column `time`).
func selectBucketed(b, cols, from string) string {
	if b == "" {
		return "SELECT\n    " + cols + "\n" + from
	}
	return "SELECT " + b + " AS time,\n    " + cols + "\n" + from + "\nGROUP BY time\nORDER BY time"
}

// callbackSLASQL: callbacks requested in the range; met = reached by the
// due time; missed = reached later, or still open past due; cancelled
// callbacks do not count (callback_status, kept by the aggregator).
func callbackSLASQL(b string) string {
	return selectBucketed(b, "countIf(status = 'completed' AND reached_at <= due_at)\n"+
		"        / nullIf(countIf(status = 'completed' OR status = 'open' AND due_at < as_of), 0) AS `callback SLA`",
		"FROM callback_status FINAL\nWHERE $__timeFilter(requested_at) AND "+inQueues("queue"))
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

// emailSLASQL: e-mails received in the range; met = first reply within the
// SLA; missed = a later first reply, or none and older than the SLA
// (email_first_reply, kept by the aggregator).
func (g gen) emailSLASQL(b string) string {
	s := sec(g.emailSLA())
	return selectBucketed(b, "countIf(first_reply_at IS NOT NULL AND frt <= "+s+")\n"+
		"        / nullIf(countIf(first_reply_at IS NOT NULL OR age > "+s+"), 0) AS `e-mail SLA`",
		`FROM (
    SELECT received_at, first_reply_at,
        `+secBetween("received_at", "assumeNotNull(first_reply_at)")+` AS frt,
        `+secBetween("received_at", "as_of")+` AS age
    FROM email_first_reply FINAL
    WHERE $__timeFilter(received_at) AND `+inQueues("queue")+`)`)
}

// Columns of contactsSQL.
const (
	repeatRate = "countIf(is_repeat) / nullIf(count(), 0) AS `repeat rate`"
	fcrRate    = "countIf(is_fcr) / nullIf(count(), 0) AS `first-contact resolution`"
	contacts   = "count() AS contacts"
)

// contactsSQL judges the contacts of the range (report_contacts.sql): a
// contact is an answered or abandoned (not short) inbound call or an e-mail
// carrying a customer; a repeat had an earlier contact of the customer in
// the repeat window before it; a first-contact resolution has no later one
// within the window and before the end of the range. Earlier and later
// contacts count in every queue; the queue filter picks the contacts judged.
func (g gen) contactsSQL(b string, cols ...string) string {
	rw, sa := sec(g.p.RepeatWindow), sec(g.p.ShortAbandon)
	return `WITH
contact AS (
    SELECT concat('call:', call_id) AS id, customer_id, toString(queue) AS queue, assumeNotNull(queued_at) AS t
    FROM calls
    WHERE direction = 'inbound' AND customer_id != '' AND queued_at IS NOT NULL
      AND queued_at >= $__fromTime - toIntervalSecond(` + rw + `) AND queued_at < $__toTime
      AND (answered_at IS NOT NULL OR ` + secBetween("assumeNotNull(queued_at)", "ended_at") + ` >= ` + sa + `)
    UNION ALL
    SELECT concat('email:', email_id) AS id, customer_id, toString(queue) AS queue, received_at AS t
    FROM email_received
    WHERE customer_id != ''
      AND received_at >= $__fromTime - toIntervalSecond(` + rw + `) AND received_at < $__toTime
),
judged AS (
    SELECT c.id AS id, any(c.t) AS t,
        countIf(o.t < c.t AND o.t >= c.t - toIntervalSecond(` + rw + `)) > 0 AS is_repeat,
        countIf(o.t > c.t AND o.t < least(c.t + toIntervalSecond(` + rw + `), $__toTime)) = 0 AS is_fcr
    FROM (SELECT id, customer_id, t FROM contact WHERE t >= $__fromTime AND ` + inQueues("queue") + `) AS c
    INNER JOIN contact AS o ON o.customer_id = c.customer_id
    GROUP BY c.id
)
` + selectBucketed(b, strings.Join(cols, ",\n    "), "FROM judged")
}

// churnValuedSQL: the customers who left in the range, each with its value
// (the churn event's annual value, else the latest known one, else 0) and
// whether it had poor service at the moment it left (a customer_poor_service
// span, kept by the aggregator, covering that moment). It ends in the CTE
// `valued`; append the SELECT.
const churnValuedSQL = `WITH
churned AS (
    SELECT customer_id, min(churned_at) AS t, argMin(annual_value, churned_at) AS churn_value
    FROM customer_churns
    WHERE $__timeFilter(churned_at)
    GROUP BY customer_id
),
exposed AS (
    SELECT DISTINCT c.customer_id AS customer_id
    FROM churned AS c
    INNER JOIN (SELECT customer_id, from_at, until_at FROM customer_poor_service FINAL WHERE poor = 1) AS p
        ON p.customer_id = c.customer_id
    WHERE p.from_at <= c.t AND c.t < p.until_at
),
valued AS (
    SELECT c.customer_id AS customer_id, c.t AS t,
        c.customer_id IN (SELECT customer_id FROM exposed) AS is_poor,
        coalesce(c.churn_value,
                 argMaxIf(u.annual_value, u.at, u.annual_value IS NOT NULL AND u.at <= c.t), 0) AS value
    FROM churned AS c
    LEFT JOIN customer_updates AS u ON u.customer_id = c.customer_id
    GROUP BY c.customer_id, c.t, c.churn_value
)`

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
