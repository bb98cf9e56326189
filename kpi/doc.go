// Package kpi holds the definitions of docs/kpis.md, once each: the SQL
// blocks every reader includes (sql/def_*.sql: what an offered call is,
// what a contact is, when a callback is open), the parameters and targets
// they are measured with, and the terms that bind those into SQL. The
// report, the aggregator's jobs and gauges, the planner, the dashboards and
// the alert rules all read their rules here, so a KPI cannot mean one thing
// in the report and another on a dashboard.
package kpi
