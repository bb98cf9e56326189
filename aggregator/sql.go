package aggregator

import "embed"

// sqlFiles holds the aggregator's queries: the derived-table jobs
// (sql/job_*.sql) and the gauges (sql/gauge_*.sql). They include the shared
// definitions of package kpi, compiled for the aggregator's configuration
// (New).
//
//go:embed sql/*.sql
var sqlFiles embed.FS
