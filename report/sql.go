package report

import "embed"

// sqlFiles holds the report's queries: its sections (sql/report_*.sql), the
// drill-down lists (sql/list_*.sql) and the rollup reads (sql/rollup_*.sql).
// They include the shared definitions of package kpi and are compiled per
// configuration (compiled).
//
//go:embed sql/*.sql
var sqlFiles embed.FS
