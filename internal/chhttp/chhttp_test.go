package chhttp_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/chhttp"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

const (
	testUser     = "grafana"
	testPassword = "s3cret-pw"
)

// countingRunner is the store, counting the statements that reach it.
type countingRunner struct {
	*store.Embedded
	calls atomic.Int64
}

func (c *countingRunner) QueryRaw(ctx context.Context, query string, params map[string]string, format string) ([]byte, error) {
	c.calls.Add(1)
	return c.Embedded.QueryRaw(ctx, query, params, format)
}

// server is the handler on a migrated embedded store, over real HTTP.
type server struct {
	store  *store.Embedded
	runner *countingRunner
	reg    *prometheus.Registry
	url    string // http://host:port
	addr   string // host:port
}

func newServer(t *testing.T, o chhttp.Options) *server {
	t.Helper()
	e := storetest.NewEmbedded(t)
	r := &countingRunner{Embedded: e}
	reg := prometheus.NewRegistry()
	if o.User == "" {
		o.User, o.Password = testUser, testPassword
	}
	o.Registerer = reg
	h, err := chhttp.New(r, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return &server{store: e, runner: r, reg: reg, url: srv.URL, addr: u.Host}
}

// driver opens clickhouse-go over HTTP as the Grafana plugin does.
func (s *server) driver(t *testing.T, change func(*clickhouse.Options)) driver.Conn {
	t.Helper()
	o := &clickhouse.Options{
		Addr:     []string{s.addr},
		Protocol: clickhouse.HTTP,
		Auth:     clickhouse.Auth{Database: s.store.Database(), Username: testUser, Password: testPassword},
	}
	if change != nil {
		change(o)
	}
	conn, err := clickhouse.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// query posts a query with the test credentials in the URL, as curl
// users do.
func (s *server) query(t *testing.T, query string, params url.Values, header http.Header) (*http.Response, []byte) {
	t.Helper()
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	params = p
	params.Set("user", testUser)
	params.Set("password", testPassword)
	return s.post(t, query, params, header)
}

// post sends query as the body of a POST, with params and header as given.
func (s *server) post(t *testing.T, query string, params url.Values, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/?"+params.Encode(), strings.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultTransport.RoundTrip(req) // no transparent gzip
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// insertOrders puts two orders in the store: one with a value, one without.
func insertOrders(t *testing.T, s store.Store) time.Time {
	t.Helper()
	at := time.Date(2026, 11, 2, 9, 30, 15, 123_000_000, time.UTC)
	v := 42.5
	err := s.Insert(context.Background(), &store.Block{
		Table:   "orders",
		Columns: []string{"event_id", "source", "order_id", "agent_id", "channel", "customer_id", "started_at", "entered_at", "value", "currency"},
		Rows: [][]any{
			{"e1", "test", "o-1", "agent-7", "phone", "c1", at.Add(-time.Minute), at, &v, "EUR"},
			{"e2", "test", "o-2", "agent-7", "phone", "c2", at.Add(-time.Minute), at.Add(time.Second), (*float64)(nil), "EUR"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// The Grafana plugin's driver connects (its handshake asks the engine's
// name, version, revision and time zone), pings, and reads typed columns of
// a query with parameters, as the dashboards' panels do.
func TestClickHouseGoOverHTTPReadsTypedColumns(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	at := insertOrders(t, s.store)
	ctx := context.Background()
	conn := s.driver(t, nil)
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	v, err := conn.ServerVersion()
	if err != nil || v.Version.Major < 23 || v.Timezone == nil {
		t.Fatalf("server version %v, %v", v, err)
	}

	ctx = clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters{
		"agent": "agent-7",
		"since": at.Add(-time.Hour).Format("2006-01-02 15:04:05"),
	}))
	rows, err := conn.Query(ctx, `
		SELECT order_id, agent_id, entered_at, value, cityHash64(order_id) AS hash,
		       [coalesce(value, 0), 1.5] AS values, toUInt64(number) AS n
		FROM orders, numbers(1) AS one
		WHERE agent_id = {agent:String} AND entered_at >= {since:DateTime64(3)}
		ORDER BY order_id`)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []string{"String", "LowCardinality(String)", "DateTime64(3, 'UTC')", "Nullable(Float64)", "UInt64", "Array(Float64)", "UInt64"}
	var gotTypes []string
	for _, ct := range rows.ColumnTypes() {
		gotTypes = append(gotTypes, ct.DatabaseTypeName())
	}
	if !reflect.DeepEqual(gotTypes, wantTypes) {
		t.Errorf("column types %q, want %q", gotTypes, wantTypes)
	}
	type order struct {
		id, agent string
		entered   time.Time
		value     *float64
		hash      uint64
		values    []float64
		n         uint64
	}
	var got []order
	for rows.Next() {
		var o order
		if err := rows.Scan(&o.id, &o.agent, &o.entered, &o.value, &o.hash, &o.values, &o.n); err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2: %+v", len(got), got)
	}
	if got[0].id != "o-1" || got[0].agent != "agent-7" || !got[0].entered.Equal(at) || got[0].value == nil || *got[0].value != 42.5 ||
		got[0].hash == 0 || !reflect.DeepEqual(got[0].values, []float64{42.5, 1.5}) {
		t.Errorf("first row %+v", got[0])
	}
	if got[1].id != "o-2" || !got[1].entered.Equal(at.Add(time.Second)) || got[1].value != nil || !reflect.DeepEqual(got[1].values, []float64{0, 1.5}) {
		t.Errorf("second row %+v", got[1])
	}
	var hash uint64
	if err := conn.QueryRow(ctx, "SELECT cityHash64('o-1')").Scan(&hash); err != nil || hash != got[0].hash {
		t.Errorf("cityHash64('o-1') = %d (%v), want %d", hash, err, got[0].hash)
	}
}

// Literals of more types, many rows in many blocks, and an empty result.
func TestClickHouseGoOverHTTPReadsManyTypesAndBlocks(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	ctx := context.Background()
	conn := s.driver(t, nil)
	var (
		d    time.Time
		dt   time.Time
		b    bool
		dec  float64
		m    map[string]uint8
		tup  []any
		u    string
		i8   int8
		f32  float32
		nstr *string
		enum string
	)
	err := conn.QueryRow(ctx, `SELECT toDate('2026-11-02'), toDateTime('2026-11-02 10:11:12', 'UTC'), true,
		toFloat64(toDecimal64(3.25, 2)), map('a', 1), tuple(1, 'x'), toString(toUUID('123e4567-e89b-12d3-a456-426614174000')),
		toInt8(-5), toFloat32(0.5), CAST(NULL AS Nullable(String)), CAST('b' AS Enum8('a' = 1, 'b' = 2))`).
		Scan(&d, &dt, &b, &dec, &m, &tup, &u, &i8, &f32, &nstr, &enum)
	if err != nil {
		t.Fatal(err)
	}
	if d.Format("2006-01-02") != "2026-11-02" || !dt.Equal(time.Date(2026, 11, 2, 10, 11, 12, 0, time.UTC)) || !b || dec != 3.25 ||
		m["a"] != 1 || len(tup) != 2 || u != "123e4567-e89b-12d3-a456-426614174000" || i8 != -5 || f32 != 0.5 || nstr != nil || enum != "b" {
		t.Errorf("got %v %v %v %v %v %v %v %v %v %v %v", d, dt, b, dec, m, tup, u, i8, f32, nstr, enum)
	}

	rows, err := conn.Query(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_block_size": 1000})),
		"SELECT number, toString(number) AS s FROM numbers(25000)")
	if err != nil {
		t.Fatal(err)
	}
	var n, sum uint64
	for rows.Next() {
		var x uint64
		var str string
		if err := rows.Scan(&x, &str); err != nil {
			t.Fatal(err)
		}
		n++
		sum += x
	}
	if rows.Err() != nil || n != 25000 || sum != 25000*24999/2 {
		t.Errorf("read %d rows summing to %d (%v), want 25000 rows", n, sum, rows.Err())
	}

	rows, err = conn.Query(ctx, "SELECT number FROM numbers(10) WHERE number > 100")
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("an empty result returned a row")
	}
	if rows.Err() != nil {
		t.Error(rows.Err())
	}
}

// database/sql, which the plugin uses through sqlds, and what its config
// page and query builder send: SELECT version(), SHOW DATABASES, SHOW
// TABLES FROM "db", DESC TABLE "db"."t", system.columns and
// system.functions, and a query with the builder's SETTINGS clause.
func TestGrafanaPluginSchemaQueries(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	insertOrders(t, s.store)
	db := clickhouse.OpenDB(&clickhouse.Options{
		Addr:        []string{s.addr},
		Protocol:    clickhouse.HTTP,
		Auth:        clickhouse.Auth{Database: s.store.Database(), Username: testUser, Password: testPassword},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionGZIP},
		Settings:    clickhouse.Settings{"limit": 1000}, // the plugin's row limit
		ReadTimeout: 60 * time.Second,
	})
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second) // max_execution_time 65 is lowered to the cap
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
	var version string
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&version); err != nil || !strings.Contains(version, ".") {
		t.Fatalf("version %q: %v", version, err)
	}
	dbName := s.store.Database()
	cases := []struct {
		sql  string
		want string // a value in the first column of some row
	}{
		{"SHOW DATABASES", dbName},
		{`SHOW TABLES FROM "` + dbName + `"`, "orders"},
		{`DESC TABLE "` + dbName + `"."orders"`, "entered_at"},
		{"SELECT name, type, table FROM system.columns WHERE database IN ('" + dbName + "') AND table = 'orders'", "value"},
		{"SELECT name, is_aggregate, case_insensitive, alias_to, origin, description, syntax, arguments, returned_value, examples, categories FROM system.functions LIMIT 10000", ""},
		{"SELECT DISTINCT agent_id FROM `" + dbName + "`.`orders` WHERE agent_id IS NOT NULL LIMIT 1000", "agent-7"},
		{"SELECT order_id FROM orders ORDER BY order_id SETTINGS max_execution_time=10", "o-2"},
		{"SELECT name FROM system.databases;", "system"},
		{"EXISTS TABLE orders", "1"},
	}
	for _, c := range cases {
		rows, err := db.QueryContext(ctx, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		cols, _ := rows.Columns()
		found := false
		for rows.Next() {
			vals := make([]any, len(cols))
			for i := range vals {
				vals[i] = new(any)
			}
			if err := rows.Scan(vals...); err != nil {
				t.Errorf("%s: %v", c.sql, err)
				break
			}
			if v := *(vals[0].(*any)); c.want == "" || strings.TrimSpace(toString(v)) == c.want {
				found = true
			}
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", c.sql, err)
		}
		rows.Close()
		if !found {
			t.Errorf("%s: no row with %q", c.sql, c.want)
		}
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *string:
		if x != nil {
			return *x
		}
	case []byte:
		return string(x)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case uint8:
		return string(rune('0' + x))
	}
	return ""
}

// Wrong or missing credentials: 401 with AUTHENTICATION_FAILED, and not
// one statement reaches the engine.
func TestWrongCredentialsAre401AndNothingRuns(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	before := s.runner.calls.Load()
	basic := func(u, p string) http.Header {
		r, _ := http.NewRequest("GET", "/", nil)
		r.SetBasicAuth(u, p)
		return r.Header
	}
	cases := map[string]struct {
		params url.Values
		header http.Header
	}{
		"no credentials":             {url.Values{}, nil},
		"wrong password in URL":      {url.Values{"user": {testUser}, "password": {"nope"}}, nil},
		"wrong user in URL":          {url.Values{"user": {"admin"}, "password": {testPassword}}, nil},
		"password prefix":            {url.Values{"user": {testUser}, "password": {testPassword[:4]}}, nil},
		"wrong Basic password":       {url.Values{}, basic(testUser, "nope")},
		"wrong X-ClickHouse-Key":     {url.Values{}, http.Header{"X-Clickhouse-User": {testUser}, "X-Clickhouse-Key": {"nope"}}},
		"user header without key":    {url.Values{}, http.Header{"X-Clickhouse-User": {testUser}}},
		"two ways, both right":       {url.Values{"user": {testUser}, "password": {testPassword}}, basic(testUser, testPassword)},
		"bearer token (JWT)":         {url.Values{}, http.Header{"Authorization": {"Bearer abc"}}},
		"empty user and password":    {url.Values{"user": {""}, "password": {""}}, nil},
		"right user, empty password": {url.Values{"user": {testUser}, "password": {""}}, nil},
	}
	for name, c := range cases {
		resp, body := s.post(t, "SELECT 1", c.params, c.header)
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("X-ClickHouse-Exception-Code") != "516" ||
			!strings.HasPrefix(string(body), "Code: 516. DB::Exception:") {
			t.Errorf("%s: %d %q %s", name, resp.StatusCode, resp.Header.Get("X-ClickHouse-Exception-Code"), body)
		}
	}

	// clickhouse-go: the handshake fails with the server's exception.
	err := s.driver(t, func(o *clickhouse.Options) { o.Auth.Password = "wrong" }).Ping(context.Background())
	var ex *clickhouse.Exception
	var httpErr *clickhouse.HTTPError
	if !errors.As(err, &ex) || ex.Code != 516 || !errors.As(err, &httpErr) || httpErr.StatusCode != http.StatusUnauthorized {
		t.Errorf("clickhouse-go with a wrong password: %v", err)
	}
	if n := s.runner.calls.Load() - before; n != 0 {
		t.Errorf("%d statements reached the engine without valid credentials", n)
	}
	if got := counter(t, s, "frontline_chhttp_queries_total", "result", "unauthorized"); got != float64(len(cases)+1) {
		t.Errorf("unauthorized counter %v, want %d", got, len(cases)+1)
	}

	// The three ways that work.
	for name, c := range map[string]struct {
		params url.Values
		header http.Header
	}{
		"URL":     {url.Values{"user": {testUser}, "password": {testPassword}}, nil},
		"Basic":   {url.Values{}, basic(testUser, testPassword)},
		"headers": {url.Values{}, http.Header{"X-Clickhouse-User": {testUser}, "X-Clickhouse-Key": {testPassword}}},
	} {
		if resp, body := s.post(t, "SELECT 1", c.params, c.header); resp.StatusCode != http.StatusOK || string(body) != "1\n" {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}

// counter reads a counter of the handler's registry: name{label=value}.
func counter(t *testing.T, s *server, name, label, value string) float64 {
	t.Helper()
	mfs, err := s.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// Native with ClickHouse's block compression (clickhouse-go's LZ4 and
// ZSTD) and HTTP compression (gzip, the plugin's; deflate; br), read back
// by clickhouse-go; the response was compressed as asked.
func TestCompressionTheDriverAsksFor(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	ctx := context.Background()
	for _, c := range []struct {
		method   clickhouse.CompressionMethod
		settings clickhouse.Settings
		encoding string // Content-Encoding of the answer
	}{
		{clickhouse.CompressionNone, nil, ""},
		{clickhouse.CompressionLZ4, nil, ""},
		{clickhouse.CompressionZSTD, nil, ""},
		{clickhouse.CompressionGZIP, nil, ""}, // without enable_http_compression the server does not compress
		{clickhouse.CompressionGZIP, clickhouse.Settings{"enable_http_compression": 1}, "gzip"},
		{clickhouse.CompressionDeflate, clickhouse.Settings{"enable_http_compression": 1}, "deflate"},
		{clickhouse.CompressionBrotli, clickhouse.Settings{"enable_http_compression": 1}, "br"},
	} {
		var encodings []string
		conn := s.driver(t, func(o *clickhouse.Options) {
			o.Compression = &clickhouse.Compression{Method: c.method}
			o.Settings = c.settings
			o.TransportFunc = func(rt *http.Transport) (http.RoundTripper, error) {
				return roundTripFunc(func(r *http.Request) (*http.Response, error) {
					resp, err := rt.RoundTrip(r)
					if err == nil {
						encodings = append(encodings, resp.Header.Get("Content-Encoding"))
					}
					return resp, err
				}), nil
			}
		})
		var n, sum uint64
		var s string
		if err := conn.QueryRow(ctx, "SELECT count(), sum(number), max(repeat('x', 1000)) FROM numbers(100000)").Scan(&n, &sum, &s); err != nil {
			t.Errorf("%s %v: %v", c.method, c.settings, err)
			continue
		}
		if n != 100000 || sum != 4999950000 || len(s) != 1000 {
			t.Errorf("%s %v: got %d %d %d", c.method, c.settings, n, sum, len(s))
		}
		if len(encodings) == 0 || encodings[len(encodings)-1] != c.encoding {
			t.Errorf("%s %v: Content-Encoding %q, want %q", c.method, c.settings, encodings, c.encoding)
		}
	}

	// zstd and lz4 over plain HTTP, for curl users.
	for _, enc := range []string{"zstd", "lz4", "gzip"} {
		resp, body := s.query(t, "SELECT number FROM numbers(5) FORMAT CSV", url.Values{"enable_http_compression": {"1"}},
			http.Header{"Accept-Encoding": {"identity;q=0, " + enc}})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != enc {
			t.Errorf("%s: %d %q", enc, resp.StatusCode, resp.Header.Get("Content-Encoding"))
			continue
		}
		var r io.Reader
		switch enc {
		case "zstd":
			d, _ := zstd.NewReader(bytes.NewReader(body))
			defer d.Close()
			r = d
		case "lz4":
			r = lz4.NewReader(bytes.NewReader(body))
		case "gzip":
			r, _ = gzip.NewReader(bytes.NewReader(body))
		}
		plain, err := io.ReadAll(r)
		if err != nil || string(plain) != "0\n1\n2\n3\n4\n" {
			t.Errorf("%s: %q %v", enc, plain, err)
		}
	}

	// An unknown block compression is refused before the query runs.
	if resp, body := s.query(t, "SELECT 1", url.Values{"compress": {"1"}, "network_compression_method": {"snappy"}}, nil); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(body), "snappy") {
		t.Errorf("unknown network_compression_method: %d %s", resp.StatusCode, body)
	}

	// A gzip-compressed request body.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	io.WriteString(zw, "SELECT 40 + 2")
	zw.Close()
	if resp, body := s.query(t, zb.String(), nil, http.Header{"Content-Encoding": {"gzip"}}); resp.StatusCode != 200 || string(body) != "42\n" {
		t.Errorf("gzip body: %d %s", resp.StatusCode, body)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// curl: the query in the URL or the body, FORMAT or default_format, the
// response headers of the server, /ping.
func TestTextFormatsAndHeadersForCurl(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	resp, err := http.Get(s.url + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "Ok.\n" {
		t.Errorf("/ping: %d %q", resp.StatusCode, b)
	}

	resp, err = http.Get(s.url + "/?" + url.Values{"query": {"SELECT 1 AS one, 'a' AS s FORMAT JSONEachRow"}, "user": {testUser}, "password": {testPassword}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != `{"one":1,"s":"a"}`+"\n" || resp.Header.Get("X-ClickHouse-Format") != "JSONEachRow" ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET with FORMAT: %d %v %s", resp.StatusCode, resp.Header, b)
	}
	for _, h := range []string{"X-ClickHouse-Summary", "X-ClickHouse-Timezone", "X-ClickHouse-Server-Display-Name", "X-ClickHouse-Query-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}

	// Query begun in the URL and ended in the body; default_format; TSV by default.
	resp2, body := s.query(t, "AS n", url.Values{"query": {"SELECT 7"}, "default_format": {"CSVWithNames"}}, nil)
	if resp2.StatusCode != 200 || string(body) != "\"n\"\n7\n" || resp2.Header.Get("X-ClickHouse-Format") != "CSVWithNames" {
		t.Errorf("query in URL and body: %d %v %q", resp2.StatusCode, resp2.Header, body)
	}
	resp2, body = s.query(t, "SELECT 'a\tb' AS x", nil, nil)
	if resp2.StatusCode != 200 || string(body) != "a\\tb\n" || resp2.Header.Get("X-ClickHouse-Format") != "TabSeparated" {
		t.Errorf("default TabSeparated: %d %q", resp2.StatusCode, body)
	}
	// A trailing semicolon and comments, as people type them.
	resp2, body = s.query(t, "-- how many\nSELECT /* all */ count() FROM numbers(3);\n", nil, nil)
	if resp2.StatusCode != 200 || string(body) != "3\n" {
		t.Errorf("comments and semicolon: %d %q", resp2.StatusCode, body)
	}
	// The query's own query-level SETTINGS clause after FORMAT.
	resp2, body = s.query(t, "SELECT getSetting('max_threads') AS t FORMAT TSV SETTINGS max_threads = 3", nil, nil)
	if resp2.StatusCode != 200 || string(body) != "3\n" {
		t.Errorf("query-level SETTINGS: %d %q", resp2.StatusCode, body)
	}
	// Settings in the URL.
	resp2, body = s.query(t, "SELECT getSetting('max_threads'), getSetting('max_execution_time') FORMAT CSV", url.Values{"max_threads": {"2"}, "max_execution_time": {"5"}}, nil)
	if resp2.StatusCode != 200 || string(body) != "2,5\n" {
		t.Errorf("URL settings: %d %q", resp2.StatusCode, body)
	}
	// session_id and the other session parameters are accepted and ignored:
	// there are no server-side sessions.
	for i := 0; i < 2; i++ {
		resp2, body = s.query(t, "SELECT 1", url.Values{"session_id": {"grafana-1"}, "session_timeout": {"60"}, "session_check": {"0"}}, nil)
		if resp2.StatusCode != 200 || string(body) != "1\n" {
			t.Errorf("with session_id: %d %q", resp2.StatusCode, body)
		}
	}
	// Methods other than GET and POST.
	req, _ := http.NewRequest(http.MethodPut, s.url+"/?query=SELECT+1", nil)
	if resp3, err := http.DefaultClient.Do(req); err != nil || resp3.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %v %v", resp3, err)
	} else {
		resp3.Body.Close()
	}
	// The limit of Options.MaxExecutionTime applies; a URL value above it is lowered.
	resp2, body = s.query(t, "SELECT getSetting('max_execution_time')", url.Values{"max_execution_time": {"3600"}}, nil)
	if resp2.StatusCode != 200 || string(body) != "30\n" {
		t.Errorf("max_execution_time over the cap: %d %q", resp2.StatusCode, body)
	}
}

// The engine's errors reach clickhouse-go as *clickhouse.Exception with the
// server's code and an HTTP status that is not 200.
func TestEngineErrorsAreClickHouseExceptions(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	conn := s.driver(t, nil)
	for _, c := range []struct {
		sql    string
		code   int32
		status int
	}{
		{"SELECT * FROM no_such_table", 60, http.StatusNotFound},
		{"SELECT no_such_function(1)", 46, http.StatusNotFound},
		{"SELEC 1", 62, http.StatusBadRequest},
		{"SELECT throwIf(1, 'boom')", 395, http.StatusInternalServerError},
	} {
		err := conn.QueryRow(context.Background(), c.sql).Scan(new(any))
		var ex *clickhouse.Exception
		var he *clickhouse.HTTPError
		if !errors.As(err, &ex) || ex.Code != c.code || !errors.As(err, &he) || he.StatusCode != c.status {
			t.Errorf("%s: %v, want code %d and HTTP %d", c.sql, err, c.code, c.status)
		}
	}
}

// Parameters reach {name:Type} as the server's escaped text: what the
// driver escapes arrives unchanged.
func TestParametersKeepTheirValue(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	conn := s.driver(t, nil)
	for _, v := range []string{"plain", "it's", `back\slash`, "tab\there", "new\nline", "", "émoji ☎"} {
		var got string
		if err := conn.QueryRow(context.Background(), "SELECT {v:String}", clickhouse.Named("v", v)).Scan(&got); err != nil || got != v {
			t.Errorf("parameter %q came back as %q (%v)", v, got, err)
		}
	}
	// Numbers and times.
	var x float64
	var at time.Time
	ctx := clickhouse.Context(context.Background(), clickhouse.WithParameters(clickhouse.Parameters{"x": "2.5", "at": "2026-11-02 09:00:00.250"}))
	if err := conn.QueryRow(ctx, "SELECT {x:Float64} * 2, {at:DateTime64(3, 'UTC')}").Scan(&x, &at); err != nil || x != 5 ||
		!at.Equal(time.Date(2026, 11, 2, 9, 0, 0, 250e6, time.UTC)) {
		t.Errorf("got %v %v (%v)", x, at, err)
	}
}

// Grafana runs a dashboard's panels at once: the handler takes concurrent
// requests (the engine runs one statement at a time).
func TestConcurrentQueries(t *testing.T) {
	s := newServer(t, chhttp.Options{})
	conn := s.driver(t, nil)
	errs := make(chan error, 40)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 5; i++ {
				var n uint64
				err := conn.QueryRow(context.Background(), "SELECT sum(number) FROM numbers({n:UInt32})", clickhouse.Named("n", g*10+i)).Scan(&n)
				if err == nil && n != uint64((g*10+i)*(g*10+i-1)/2) {
					err = fmt.Errorf("sum of numbers(%d) = %d", g*10+i, n)
				}
				errs <- err
			}
		}()
	}
	for i := 0; i < 40; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// The limits of Options hold: execution time, result size, query size.
func TestLimits(t *testing.T) {
	s := newServer(t, chhttp.Options{MaxExecutionTime: time.Second, MaxResultBytes: 100 << 10, MaxQuerySize: 1000})
	for _, c := range []struct {
		sql    string
		code   string
		status int
	}{
		{"SELECT sleepEachRow(0.6) FROM numbers(3) SETTINGS max_block_size = 1", "159", http.StatusInternalServerError}, // TIMEOUT_EXCEEDED
		{"SELECT * FROM numbers(1000000)", "396", http.StatusInternalServerError},                                       // TOO_MANY_ROWS_OR_BYTES
		{"SELECT '" + strings.Repeat("x", 1000) + "'", "393", http.StatusRequestEntityTooLarge},                         // QUERY_IS_TOO_LARGE
	} {
		resp, body := s.query(t, c.sql, nil, nil)
		if resp.StatusCode != c.status || resp.Header.Get("X-ClickHouse-Exception-Code") != c.code {
			t.Errorf("%.60s: %d %s", c.sql, resp.StatusCode, body)
		}
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	e := storetest.NewEmbedded(t)
	for _, o := range []chhttp.Options{{}, {User: "u"}, {Password: "p"}} {
		if _, err := chhttp.New(e, o); err == nil {
			t.Errorf("New with %+v: no error", o)
		}
	}
}
