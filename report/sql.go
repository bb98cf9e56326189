package report

import (
	"embed"

	"github.com/frontline-oss/frontline/kpi"
)

// sqlFiles holds the report's queries: its sections (sql/report_*.sql), the
// drill-down lists (sql/list_*.sql) and the rollup reads (sql/rollup_*.sql).
// They include the shared definitions of package kpi.
//
//go:embed sql/*.sql
var sqlFiles embed.FS

// queries are sqlFiles expanded with the query-parameter terms.
var queries = kpi.MustCompile(sqlFiles, kpi.QueryTerms)
