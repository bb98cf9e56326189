package store

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"text/template"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// SchemaOptions shape the DDL. The zero value is completed by defaults.
type SchemaOptions struct {
	// Cluster, when set, creates Replicated tables ON CLUSTER this name.
	Cluster string
	// RawTTLDays drops raw events older than this many days; 0 keeps them. Default 0.
	RawTTLDays int
	// DerivedTTLDays drops rows of the rollups, derived tables and capacity
	// plans older than this many days; 0 keeps them. Default 0.
	DerivedTTLDays int
	// StateTTLDays drops ingest bookkeeping (ingest_state, dlq_forwarded)
	// and dlq rows older than this many days; 0 keeps them. A range is only
	// needed until its offsets are committed. Default 0 (the commands set 30).
	StateTTLDays int
	// DedupDays forgets claimed event ids after this many days; 0 keeps them
	// (a duplicate is then detected however late it comes). Default 0.
	DedupDays int
	// Retention applies the four retentions above to the existing tables.
	// Only the processes that own the schema set it (serve, collect,
	// aggregate, replay, migrate): a report must not undo their TTLs.
	Retention bool
	// DedupWindow is non_replicated_deduplication_window: how many recent
	// insert tokens each table remembers. Default 10000.
	DedupWindow int
}

func (o SchemaOptions) withDefaults() SchemaOptions {
	if o.DedupWindow == 0 {
		o.DedupWindow = 10000
	}
	return o
}

// Migration is one numbered schema step.
type Migration struct {
	Version    int
	Name       string
	Statements []string
}

// Migrations renders the embedded migrations for o, in version order.
func Migrations(o SchemaOptions) ([]Migration, error) {
	o = o.withDefaults()
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	onCluster := ""
	if o.Cluster != "" {
		onCluster = "ON CLUSTER " + ident(o.Cluster)
	}
	funcs := template.FuncMap{
		"engine": func(e string) string { return engineFor(e, o.Cluster) },
	}
	data := map[string]any{"OnCluster": onCluster, "DedupWindow": o.DedupWindow}
	var out []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %q: name must start with a number and '_'", base)
		}
		raw, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		t, err := template.New(base).Funcs(funcs).Parse(string(raw))
		if err != nil {
			return nil, fmt.Errorf("cannot parse migration %q: %w", base, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			return nil, fmt.Errorf("cannot render migration %q: %w", base, err)
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(base, ".sql"), Statements: SplitStatements(buf.String())})
	}
	return out, nil
}

// engineFor turns a MergeTree-family engine into its Replicated form on a cluster.
func engineFor(e, cluster string) string {
	if cluster == "" {
		return e
	}
	name, args, _ := strings.Cut(e, "(")
	args = strings.TrimSuffix(args, ")")
	zk := "'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'"
	if args != "" {
		zk += ", " + args
	}
	return "Replicated" + name + "(" + zk + ")"
}

// SplitStatements splits SQL text at semicolons that end a line and drops
// parts that hold only comments.
func SplitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		s := strings.TrimSpace(cur.String())
		cur.Reset()
		code := false
		for _, l := range strings.Split(s, "\n") {
			if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
				code = true
				break
			}
		}
		if code {
			out = append(out, s)
		}
	}
	for _, line := range strings.SplitAfter(sql, "\n") {
		t := strings.TrimRight(line, " \t\r\n")
		if strings.HasSuffix(t, ";") && !strings.HasPrefix(strings.TrimSpace(t), "--") {
			cur.WriteString(strings.TrimSuffix(t, ";"))
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations %s (
    version    UInt32,
    name       String,
    applied_at DateTime DEFAULT now()
) ENGINE = %s ORDER BY version`

// Migrate applies the migrations that schema_migrations does not list yet
// and returns their names. Every statement is idempotent (IF NOT EXISTS), so
// a migration interrupted half-way is safely run again.
func Migrate(ctx context.Context, s Store, o SchemaOptions) ([]string, error) {
	ms, err := Migrations(o)
	if err != nil {
		return nil, err
	}
	onCluster := ""
	if o.Cluster != "" {
		onCluster = "ON CLUSTER " + ident(o.Cluster)
	}
	if err := s.Exec(ctx, fmt.Sprintf(migrationsTable, onCluster, engineFor("ReplacingMergeTree", o.Cluster)), nil); err != nil {
		return nil, fmt.Errorf("cannot create schema_migrations: %w", err)
	}
	type row struct {
		Version int `json:"version"`
	}
	done, err := QueryAll[row](ctx, s, "SELECT DISTINCT version FROM schema_migrations", nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read schema_migrations: %w", err)
	}
	have := map[int]bool{}
	for _, r := range done {
		have[r.Version] = true
	}
	var applied []string
	for _, m := range ms {
		if have[m.Version] {
			continue
		}
		for i, st := range m.Statements {
			if err := s.Exec(ctx, st, nil); err != nil {
				return applied, fmt.Errorf("cannot apply migration %s (statement %d): %w", m.Name, i+1, err)
			}
		}
		if err := s.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})",
			Params{"v": m.Version, "n": m.Name}); err != nil {
			return applied, fmt.Errorf("cannot record migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	if o.Retention {
		if err := applyRetention(ctx, s, o); err != nil {
			return applied, err
		}
	}
	return applied, nil
}
