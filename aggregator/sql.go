package aggregator

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"
)

// sqlFiles holds every query of the package: the report sections
// (sql/report_*.sql), the drill-down lists (sql/list_*.sql), the derived-table
// jobs (sql/job_*.sql), the rollup reads (sql/rollup_*.sql), the gauges
// (sql/gauge_*.sql), and the definitions they share (sql/def_*.sql).
//
//go:embed sql/*.sql
var sqlFiles embed.FS

// queries maps a query name (its file name without .sql) to its text with
// the shared definitions expanded. A definition used by several KPIs — what
// an offered call is, what a contact is, when a callback is open — lives in
// one sql/def_*.sql file as a named text/template block ({{define "…"}}),
// and a query includes it with {{template "…"}}. The expansion is done once,
// here, with the aggregator's terms (queryTerms); what runs is plain
// ClickHouse SQL. definitions keeps the parsed blocks for Definitions.
var definitions, queries = mustExpandSQL(sqlFiles)

// mustExpandSQL expands every query of fsys (sql/*.sql except sql/def_*.sql)
// with the blocks defined in sql/def_*.sql, and returns the blocks too. The
// files are embedded, so an error is a bug of this package: it panics at
// start-up and in every test.
func mustExpandSQL(fsys fs.FS) (*template.Template, map[string]string) {
	defs, q, err := expandSQL(fsys)
	if err != nil {
		panic("aggregator: " + err.Error())
	}
	return defs, q
}

func expandSQL(fsys fs.FS) (*template.Template, map[string]string, error) {
	names, err := fs.Glob(fsys, "sql/*.sql")
	if err != nil {
		return nil, nil, err
	}
	defs := template.New("").Option("missingkey=error")
	var files []string
	for _, name := range names {
		if !strings.HasPrefix(path.Base(name), "def_") {
			files = append(files, name)
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, err
		}
		if _, err := defs.New(name).Parse(string(b)); err != nil {
			return nil, nil, fmt.Errorf("cannot parse %s: %w", name, err)
		}
	}
	out := make(map[string]string, len(files))
	for _, name := range files {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, nil, err
		}
		t, err := defs.Clone()
		if err != nil {
			return nil, nil, err
		}
		if _, err := t.New(name).Parse(string(b)); err != nil {
			return nil, nil, fmt.Errorf("cannot parse %s: %w", name, err)
		}
		var sb strings.Builder
		if err := t.ExecuteTemplate(&sb, name, queryTerms); err != nil {
			return nil, nil, fmt.Errorf("cannot expand %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".sql")] = sb.String()
	}
	return defs, out, nil
}

// querySQL returns the text of the embedded query name (without .sql).
func querySQL(name string) (string, error) {
	q, ok := queries[name]
	if !ok {
		return "", fmt.Errorf("cannot read query %q: no file sql/%s.sql", name, name)
	}
	return q, nil
}
