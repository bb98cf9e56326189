// Package aggregator keeps the derived tables and the KPI gauges up to
// date: on a schedule it runs the INSERT … SELECT jobs of sql/job_*.sql
// (callback status, first replies, agent state intervals, staffing, poor
// service) and refreshes the per-queue gauges of sql/gauge_*.sql that the
// alert rules read. The rules themselves are package kpi's definitions.
package aggregator
