// Package aggregator turns raw events into the KPIs of docs/kpis.md.
// Every KPI is defined once, in an embedded SQL file under sql/; Go binds
// the parameters, runs the queries and shapes the results (the manager
// report, its text rendering and the drill-down lists).
package aggregator
