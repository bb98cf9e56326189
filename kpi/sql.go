package kpi

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"text/template"
)

// defFiles are the shared definitions: each sql/def_*.sql file holds named
// text/template blocks ({{define "…"}}) — what an offered call is, what a
// contact is, when a callback is open — that the queries of the report, the
// aggregator, the planner and the dashboards include with {{template "…"}}
// instead of restating them.
//
//go:embed sql/def_*.sql
var defFiles embed.FS

// definitions are the parsed blocks of defFiles. The files are embedded, so
// an error is a bug of this package: it panics at start-up and in every test.
var definitions = mustParseDefinitions()

func mustParseDefinitions() *template.Template {
	defs := template.New("").Option("missingkey=error")
	names, err := fs.Glob(defFiles, "sql/def_*.sql")
	if err != nil {
		panic("kpi: " + err.Error())
	}
	for _, name := range names {
		b, err := fs.ReadFile(defFiles, name)
		if err != nil {
			panic("kpi: " + err.Error())
		}
		if _, err := defs.New(name).Parse(string(b)); err != nil {
			panic(fmt.Sprintf("kpi: cannot parse %s: %v", name, err))
		}
	}
	return defs
}

// Queries are a reader's compiled queries, by name (the file name without
// .sql).
type Queries map[string]string

// SQL returns the text of query name.
func (q Queries) SQL(name string) (string, error) {
	text, ok := q[name]
	if !ok {
		return "", fmt.Errorf("cannot read query %q: no file sql/%s.sql", name, name)
	}
	return text, nil
}

// Compile expands every query of fsys (its sql/*.sql files) with the shared
// definitions and the terms t, and returns them by name (the file name
// without .sql). What it returns is plain ClickHouse SQL: the readers of
// the definitions (report, aggregator, planner) embed their own queries and
// compile them here.
func Compile(fsys fs.FS, t Terms) (Queries, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	names, err := fs.Glob(fsys, "sql/*.sql")
	if err != nil {
		return nil, err
	}
	out := make(Queries, len(names))
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "def_") {
			return nil, fmt.Errorf("cannot compile %s: definitions live in package kpi", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		tpl, err := definitions.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := tpl.New(name).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("cannot parse %s: %w", name, err)
		}
		var sb strings.Builder
		if err := tpl.ExecuteTemplate(&sb, name, t); err != nil {
			return nil, fmt.Errorf("cannot expand %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".sql")] = sb.String()
	}
	return out, nil
}

// MustCompile is Compile for a package's embedded queries at start-up: an
// error is a bug of the calling package, so it panics.
func MustCompile(fsys fs.FS, t Terms) Queries {
	q, err := Compile(fsys, t)
	if err != nil {
		panic("kpi: " + err.Error())
	}
	return q
}

// Definitions returns the shared definitions names (blocks of
// sql/def_*.sql, e.g. "inbound_calls", "contacts", "judged_contacts"),
// expanded with t and separated by commas, for a reader that builds its SQL
// in Go: the dashboards read the report's definitions here instead of
// restating them. Most blocks are common table expressions for a WITH
// clause, and may read the tables of blocks before them (judged_contacts
// reads contacts, which reads inbound_calls). A few judge a row and are
// columns for a SELECT list instead ("callback_sla", "email_reply"), read
// from the row's columns and the moment it is judged at, so that the report
// (judging at `to`) and the dashboards (reading the aggregator's derived
// tables, each row judged at its as_of) apply the same rule. Each
// def_*.sql file says what a block reads.
func Definitions(t Terms, names ...string) (string, error) {
	if err := t.check(); err != nil {
		return "", fmt.Errorf("cannot expand definitions %q: %w", names, err)
	}
	blocks := make([]string, 0, len(names))
	for _, name := range names {
		if name == "" || strings.HasPrefix(name, "sql/") || definitions.Lookup(name) == nil {
			return "", fmt.Errorf("cannot expand definition %q: no such block in sql/def_*.sql", name)
		}
		var sb strings.Builder
		if err := definitions.ExecuteTemplate(&sb, name, t); err != nil {
			return "", fmt.Errorf("cannot expand definition %q: %w", name, err)
		}
		blocks = append(blocks, sb.String())
	}
	return strings.Join(blocks, ",\n"), nil
}
