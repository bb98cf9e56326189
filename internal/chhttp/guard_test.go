package chhttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/frontline-oss/frontline/internal/chhttp"
	"github.com/frontline-oss/frontline/internal/store"
)

// Error codes of the refusals (ClickHouse's): READONLY for statements that
// write or change state and INTO OUTFILE, ACCESS_DENIED for functions that
// reach files or the network, SYNTAX_ERROR for several statements,
// SETTING_CONSTRAINT_VIOLATION for settings, DATABASE_ACCESS_DENIED for
// another database, UNKNOWN_QUERY_PARAMETER for a parameter not given.
const (
	readonly      = 164
	accessDenied  = 497
	syntaxError   = 62
	settingDenied = 452
	databaseDeny  = 291
	paramMissing  = 456
)

// Nothing can be written, dropped, altered, created or set, and nothing
// read from the file system or the network: each class is refused with a
// ClickHouse exception and a 4xx status, through plain HTTP and through
// clickhouse-go, and afterwards the store, the engine's session and the
// file system are as before.
func TestReadOnlyRefusals(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	insertOrders(t, s.store)
	ctx := context.Background()
	tmp := t.TempDir()
	db := s.store.Database()
	tablesBefore := tableCount(t, s.store)

	cases := []struct {
		sql      string
		settings url.Values // URL parameters
		code     int
	}{
		// Statements that write or change state.
		{"INSERT INTO orders (order_id) VALUES ('x')", nil, readonly},
		{"INSERT INTO orders SELECT * FROM orders", nil, readonly},
		{"INSERT INTO system.query_log SELECT * FROM system.query_log", nil, readonly},
		{"DROP TABLE orders", nil, readonly},
		{"DROP DATABASE `" + db + "`", nil, readonly},
		{"/* harmless */ DROP TABLE orders", nil, readonly},
		{"ALTER TABLE orders DELETE WHERE 1", nil, readonly},
		{"ALTER TABLE orders ADD COLUMN x UInt8", nil, readonly},
		{"ALTER TABLE system.query_log DELETE WHERE 1", nil, readonly},
		{"CREATE TABLE x (a UInt8) ENGINE = Memory", nil, readonly},
		{"CREATE TEMPORARY TABLE x (a UInt8)", nil, readonly},
		{"CREATE VIEW v AS SELECT 1", nil, readonly},
		{"CREATE FUNCTION f AS x -> x + 1", nil, readonly},
		{"CREATE DICTIONARY d (k UInt64, v String) PRIMARY KEY k SOURCE(HTTP(URL 'http://127.0.0.1:1/' FORMAT 'TSV')) LIFETIME(0) LAYOUT(FLAT())", nil, readonly},
		{"RENAME TABLE orders TO orders2", nil, readonly},
		{"TRUNCATE TABLE orders", nil, readonly},
		{"OPTIMIZE TABLE orders FINAL", nil, readonly},
		{"DETACH TABLE orders", nil, readonly},
		{"SYSTEM FLUSH LOGS", nil, readonly},
		{"SYSTEM RELOAD DICTIONARIES", nil, readonly},
		{"KILL QUERY WHERE 1", nil, readonly},
		{"GRANT SELECT ON *.* TO default", nil, readonly},
		{"SET max_threads = 1", nil, readonly},
		{"SET param_x = 1", nil, readonly},
		{"USE system", nil, readonly},
		{"EXPLAIN SELECT 1", nil, readonly},
		{"SELECT 1 INTO OUTFILE '" + filepath.Join(tmp, "out.tsv") + "'", nil, readonly},
		{"SHOW TABLES INTO OUTFILE '" + filepath.Join(tmp, "show.tsv") + "'", nil, readonly},

		// Several statements.
		{"SELECT 1; DROP TABLE orders", nil, syntaxError},
		{"SELECT 1; SELECT 2", nil, syntaxError},

		// Files and the network.
		{"SELECT * FROM file('/etc/passwd', 'LineAsString')", nil, accessDenied},
		{"select * from FILE('/etc/passwd', 'LineAsString')", nil, accessDenied},
		{"SELECT * FROM `file`('/etc/passwd', 'LineAsString')", nil, accessDenied},
		{"SELECT file('/etc/hostname')", nil, accessDenied},
		{"SELECT arrayMap(x -> file(x), ['/etc/hostname'])", nil, accessDenied},
		{"INSERT INTO FUNCTION file('" + filepath.Join(tmp, "f.tsv") + "', 'TSV', 'a UInt8') SELECT 1", nil, accessDenied},
		{"SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')", nil, accessDenied},
		{"SELECT (SELECT count() FROM url('http://127.0.0.1:1/', 'LineAsString'))", nil, accessDenied},
		{"SELECT * FROM numbers(1) WHERE number IN (SELECT 1 FROM file('/etc/passwd', 'LineAsString'))", nil, accessDenied},
		{"SELECT * FROM remote('127.0.0.1:1', system.one)", nil, accessDenied},
		{"SELECT * FROM remoteSecure('127.0.0.1:1', system.one)", nil, accessDenied},
		{"SELECT * FROM cluster('default', system.one)", nil, accessDenied},
		{"SELECT * FROM clusterAllReplicas('default', system.one)", nil, accessDenied},
		{"SELECT * FROM s3('http://127.0.0.1:1/b/k.csv', 'CSV')", nil, accessDenied},
		{"SELECT * FROM hdfs('hdfs://127.0.0.1:1/x', 'CSV', 'a String')", nil, accessDenied},
		{"SELECT * FROM mysql('127.0.0.1:1', 'db', 't', 'u', 'p')", nil, accessDenied},
		{"SELECT * FROM postgresql('127.0.0.1:1', 'db', 't', 'u', 'p')", nil, accessDenied},
		{"SELECT * FROM jdbc('ds', 'db', 't')", nil, accessDenied},
		{"SELECT * FROM odbc('DSN=x', 't')", nil, accessDenied},
		{"SELECT * FROM executable('x.sh', 'TSV', 'a String')", nil, accessDenied},
		{"SELECT * FROM input('a String')", nil, accessDenied},
		{"SELECT * FROM dictionary('d')", nil, accessDenied},
		{"SELECT * FROM merge(currentDatabase(), '.*')", nil, accessDenied},
		{"SELECT count() FROM zeros(3)", nil, accessDenied},
		{"SELECT * FROM format(JSONEachRow, '{\"a\": 1}')", nil, readonly}, // the engine's readonly=1
		{"SELECT aiGenerate('hello')", nil, accessDenied},
		{"BACKUP TABLE orders TO File('backup')", nil, accessDenied},
		{`SELECT * FROM orders SETTINGS additional_table_filters = {'orders': 'file(\'/etc/passwd\') != \'\''}`, nil, accessDenied},

		// Settings.
		{"SELECT 1 SETTINGS readonly = 0", nil, settingDenied},
		{"SELECT * FROM (SELECT getSetting('readonly') SETTINGS readonly = 0)", nil, settingDenied},
		{"SELECT 1 SETTINGS max_execution_time = 0", nil, settingDenied},
		{"SELECT 1 SETTINGS max_execution_time = 3600", nil, settingDenied},
		{"SELECT 1 FORMAT TSV SETTINGS allow_ddl = 1", nil, settingDenied},
		{"SELECT 1 SETTINGS format_schema = '/etc/passwd'", nil, settingDenied},
		{"SELECT 1", url.Values{"readonly": {"0"}}, settingDenied},
		{"SELECT 1", url.Values{"allow_ddl": {"1"}}, settingDenied},
		{"SELECT 1", url.Values{"format_template_resultset": {"/etc/passwd"}}, settingDenied},

		// Another database, a missing parameter.
		{"SELECT 1", url.Values{"database": {"system"}}, databaseDeny},
		{"SELECT {x:UInt8}", nil, paramMissing},
	}

	conn := s.driver(t, nil)
	for _, c := range cases {
		// Plain HTTP.
		resp, body := s.query(t, c.sql, c.settings, nil)
		if resp.StatusCode < 400 || resp.StatusCode >= 500 || resp.Header.Get("X-ClickHouse-Exception-Code") != itoa(c.code) ||
			!strings.HasPrefix(string(body), "Code: "+itoa(c.code)+". DB::Exception: ") {
			t.Errorf("HTTP %s %v: %d %q %s", c.sql, c.settings, resp.StatusCode, resp.Header.Get("X-ClickHouse-Exception-Code"), body)
		}
		// clickhouse-go.
		qctx := ctx
		if len(c.settings) > 0 {
			set := clickhouse.Settings{}
			for k, v := range c.settings {
				if k != "database" {
					set[k] = v[0]
				}
			}
			qctx = clickhouse.Context(ctx, clickhouse.WithSettings(set))
		}
		var err error
		if c.settings.Has("database") {
			err = s.driver(t, func(o *clickhouse.Options) { o.Auth.Database = c.settings.Get("database") }).Ping(ctx)
		} else {
			err = conn.Exec(qctx, c.sql)
		}
		var ex *clickhouse.Exception
		if !errors.As(err, &ex) || int(ex.Code) != c.code {
			t.Errorf("clickhouse-go %s %v: %v, want code %d", c.sql, c.settings, err, c.code)
		}
	}
	if got := counter(t, s, "frontline_chhttp_queries_total", "result", "refused"); got < float64(len(cases)) {
		t.Errorf("refused counter %v, want at least %d", got, len(cases))
	}
	for _, reason := range []string{"statement", "function", "setting", "outfile", "multi_statement", "database", "parameter"} {
		if counter(t, s, "frontline_chhttp_refused_total", "reason", reason) == 0 {
			t.Errorf("no refusal counted for reason %s", reason)
		}
	}

	// Nothing happened.
	if n := tableCount(t, s.store); n != tablesBefore {
		t.Errorf("%d tables, was %d", n, tablesBefore)
	}
	type count struct {
		N int `json:"n"`
	}
	if c, err := store.QueryOne[count](ctx, s.store, "SELECT count() AS n FROM orders", nil); err != nil || c.N != 2 {
		t.Errorf("orders: %+v %v, want the 2 rows", c, err)
	}
	type session struct {
		ReadOnly any    `json:"r"`
		Threads  string `json:"t"`
		DB       string `json:"db"`
	}
	if got, err := store.QueryOne[session](ctx, s.store, "SELECT getSetting('readonly') AS r, toString(getSetting('max_threads')) AS t, currentDatabase() AS db", nil); err != nil ||
		got.ReadOnly != 0.0 || got.Threads == "1" || got.DB != db {
		t.Errorf("the engine's session changed: %+v %v", got, err)
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

// What dashboards, the plugin and people at a terminal read still runs:
// WITH, UNION, INTERSECT, EXCEPT, subqueries, joins, window functions,
// the allowed table functions, SHOW, DESCRIBE, EXISTS, system tables,
// settings from the list, and words like "file" and "settings" in names
// and strings.
func TestReadsStillRun(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	insertOrders(t, s.store)
	for _, q := range []string{
		"WITH t AS (SELECT 1 AS x) SELECT x FROM t UNION ALL SELECT 2 INTERSECT SELECT 2 EXCEPT SELECT 3",
		"SELECT o.order_id, count() OVER (PARTITION BY o.agent_id) FROM orders AS o JOIN (SELECT 'o-1' AS id) AS j ON o.order_id = j.id",
		"SELECT sum(number) FROM numbers(10)",
		"SELECT count() FROM numbers_mt(10)",
		"SELECT * FROM values('a UInt8, b String', (1, 'x'), (2, 'y'))",
		"SELECT * FROM generateSeries(1, 3)",
		"SELECT format('{} {}', 'a', 'b')",
		"SELECT 'file(\\'/etc/passwd\\')' AS file, 1 AS settings, 'INTO OUTFILE' AS s",
		"SELECT `file` FROM (SELECT 1 AS `file`)",
		"SHOW DATABASES",
		"SHOW TABLES LIKE 'ord%'",
		"SHOW CREATE TABLE orders",
		"SHOW COLUMNS FROM orders",
		"DESCRIBE TABLE orders",
		"DESCRIBE (SELECT 1 AS x)",
		"EXISTS TABLE orders",
		"EXISTS DATABASE system",
		"SELECT count() FROM system.tables WHERE database = currentDatabase()",
		"SELECT name FROM system.functions WHERE name = 'sum'",
		"SELECT * FROM orders SETTINGS additional_table_filters = {'orders': 'agent_id = \\'agent-7\\''}",
		"SELECT 1 SETTINGS max_threads = 1, max_execution_time = 10, join_use_nulls = 1",
		"SELECT getSetting('max_execution_time')",
		"select 1 -- a comment at the end",
	} {
		resp, body := s.query(t, q, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d %s", q, resp.StatusCode, body)
		}
	}
	// The additional filter applies.
	if _, body := s.query(t, "SELECT count() FROM orders SETTINGS additional_table_filters = {'orders': 'order_id = \\'o-2\\''}", nil, nil); string(body) != "1\n" {
		t.Errorf("additional_table_filters: %q", body)
	}
}

func tableCount(t *testing.T, s store.Store) int {
	t.Helper()
	type count struct {
		N int `json:"n"`
	}
	c, err := store.QueryOne[count](context.Background(), s, "SELECT count() AS n FROM system.tables WHERE database = currentDatabase()", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.N
}

func itoa(n int) string { return strconv.Itoa(n) }
