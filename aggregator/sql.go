package aggregator

import (
	"embed"

	"github.com/frontline-oss/frontline/kpi"
)

// sqlFiles holds the aggregator's queries: the derived-table jobs
// (sql/job_*.sql) and the gauges (sql/gauge_*.sql). They include the shared
// definitions of package kpi.
//
//go:embed sql/*.sql
var sqlFiles embed.FS

// queries are sqlFiles expanded with the query-parameter terms.
var queries = kpi.MustCompile(sqlFiles, kpi.QueryTerms)
