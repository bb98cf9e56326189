package dashboards

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/frontline-oss/frontline/internal/chhttp"
	"github.com/frontline-oss/frontline/internal/store"
)

// Every panel query of every generated dashboard, the queue variable and
// the query of every Grafana alert rule, expanded as Grafana and the plugin
// expand them, return the same rows through the ClickHouse HTTP interface
// of `frontline serve` (clickhouse-go over HTTP with gzip, as the Grafana
// plugin with protocol http) as on the store directly.
func TestQueriesGiveTheSameRowsOverHTTP(t *testing.T) {
	e, from, to := sharedDemo(t)
	h, err := chhttp.New(e, chhttp.Options{User: "grafana", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{u.Host},
		Protocol:    clickhouse.HTTP,
		Auth:        clickhouse.Auth{Database: e.Database(), Username: "grafana", Password: "pw"},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionGZIP},
		Settings:    clickhouse.Settings{"enable_http_compression": 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	type namedQuery struct{ name, sql string }
	g := newGen(Config{})
	queries := []namedQuery{{"queue variable", GrafanaRequest{From: from, To: to}.Expand(g.queueVariableSQL())}}
	requests := map[string]GrafanaRequest{
		"all queues, 15 min": {From: from, To: to, Interval: time.Minute, ChartSec: 900},
		"billing, 1 hour":    {From: from, To: to, Interval: 20 * time.Minute, Queues: []string{"billing"}, ChartSec: 3600},
		"two queues, zoomed out": {From: from.Add(-6 * 24 * time.Hour), To: to, Interval: 40 * time.Minute,
			Queues: []string{"support", "tech"}, ChartSec: 900},
	}
	ds, err := All(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, p := range panelsOf(d) {
			for _, q := range p.Targets {
				ch, ok := q.(ClickHouseDataquery)
				if !ok {
					continue
				}
				for name, r := range requests {
					queries = append(queries, namedQuery{*d.Uid + "/" + title(p) + "/" + ch.RefId + "/" + name, r.Expand(ch.RawSql)})
				}
			}
		}
	}
	rules, err := GrafanaAlertRules(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{to, from.Add(36 * time.Hour)} {
		for _, r := range rules {
			a, _ := query(r, "A")
			req := GrafanaRequest{From: at.Add(-30 * time.Minute), To: at}
			queries = append(queries, namedQuery{"alert " + r.Title + " at " + at.Format(time.RFC3339), req.Expand(a.Model.(ClickHouseDataquery).RawSql)})
		}
	}
	if len(queries) < 100 {
		t.Fatalf("only %d queries", len(queries))
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			if strings.Contains(q.sql, "$") {
				t.Fatalf("unexpanded macro in %s", q.sql)
			}
			sameRowsOverHTTP(t, e, conn, q.sql)
		})
	}
}

// sameRowsOverHTTP runs sql on s and through conn and compares the rows:
// numbers within 1e-9 (relative), times to the nanosecond, the rest equal;
// in the same order, or, for a query whose order is not fixed, as sets.
func sameRowsOverHTTP(t *testing.T, s store.Store, conn driver.Conn, sql string) {
	t.Helper()
	ctx := context.Background()
	var want []map[string]any
	err := s.Query(ctx, sql, nil, func(row []byte) error {
		d := json.NewDecoder(bytes.NewReader(row))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return err
		}
		want = append(want, m)
		return nil
	})
	if err != nil {
		t.Fatalf("on the store: %v\n%s", err, sql)
	}
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatalf("over HTTP: %v\n%s", err, sql)
	}
	defer rows.Close()
	cols := rows.ColumnTypes()
	var got [][]any
	for rows.Next() {
		dest := make([]any, len(cols))
		for i, c := range cols {
			dest[i] = reflect.New(c.ScanType()).Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatalf("over HTTP: %v", err)
		}
		row := make([]any, len(cols))
		for i, d := range dest {
			row[i] = normalise(reflect.ValueOf(d).Elem())
		}
		got = append(got, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("over HTTP: %v\n%s", err, sql)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows over HTTP, %d on the store\n%s", len(got), len(want), sql)
	}
	if len(want) == 0 {
		return
	}
	if len(want[0]) != len(cols) {
		t.Fatalf("%d columns over HTTP, %d on the store", len(cols), len(want[0]))
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name()
		if _, ok := want[0][c.Name()]; !ok {
			t.Fatalf("column %s over HTTP is not in the store's rows %v", c.Name(), want[0])
		}
	}
	if diff := compareRows(names, want, got); diff != "" {
		// A query without a total order may return rows in another order.
		sort.SliceStable(want, func(i, j int) bool { return rowKey(names, want[i]) < rowKey(names, want[j]) })
		sort.SliceStable(got, func(i, j int) bool { return gotKey(got[i]) < gotKey(got[j]) })
		if diff2 := compareRows(names, want, got); diff2 != "" {
			t.Errorf("%s\n%s", diff, sql)
		} else {
			t.Logf("same rows in another order (%s)", diff)
		}
	}
}

func compareRows(names []string, want []map[string]any, got [][]any) string {
	for i := range want {
		for j, n := range names {
			if !sameValue(want[i][n], got[i][j]) {
				return fmt.Sprintf("row %d column %s: store %v (%T), HTTP %v (%T)", i, n, want[i][n], want[i][n], got[i][j], got[i][j])
			}
		}
	}
	return ""
}

// exactInt is an integer from HTTP, compared with the store's JSON text.
type exactInt string

// normalise turns a scanned value into nil, exactInt, float64, bool,
// string, time.Time or []any. NaN and ±Inf become nil, as the store's JSON
// writes them (output_format_json_quote_denormals = 0).
func normalise(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC()
	case decimal.Decimal:
		f, _ := x.Float64()
		return f
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return exactInt(fmt.Sprint(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return exactInt(fmt.Sprint(v.Uint()))
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Bool:
		return v.Bool()
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalise(v.Index(i))
		}
		return out
	}
	return fmt.Sprint(v.Interface())
}

// sameValue compares a value of the store's JSON row with one from HTTP.
func sameValue(w, g any) bool {
	switch x := g.(type) {
	case nil:
		return w == nil
	case exactInt:
		n, ok := w.(json.Number)
		return ok && n.String() == string(x)
	case float64:
		n, ok := w.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && math.Abs(f-x) <= 1e-9*max(1, math.Abs(f), math.Abs(x))
	case bool:
		b, ok := w.(bool)
		return ok && b == x
	case time.Time:
		s, ok := w.(string)
		if !ok {
			return false
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
			if at, err := time.Parse(layout, s); err == nil {
				return at.Equal(x)
			}
		}
		return false
	case string:
		s, ok := w.(string)
		return ok && s == x
	case []any:
		a, ok := w.([]any)
		if !ok || len(a) != len(x) {
			return false
		}
		for i := range a {
			if !sameValue(a[i], x[i]) {
				return false
			}
		}
		return true
	}
	return fmt.Sprint(w) == fmt.Sprint(g)
}

// rowKey and gotKey order rows for the comparison as sets: numbers
// rounded, so that values equal within tolerance sort together.
func rowKey(names []string, m map[string]any) string {
	var b strings.Builder
	for _, n := range names {
		b.WriteString(keyOf(m[n]))
		b.WriteByte('\x1f')
	}
	return b.String()
}

func gotKey(row []any) string {
	var b strings.Builder
	for _, v := range row {
		b.WriteString(keyOf(v))
		b.WriteByte('\x1f')
	}
	return b.String()
}

func keyOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return fmt.Sprintf("%.6g", f)
		}
	case exactInt:
		return keyOf(json.Number(x))
	case float64:
		return fmt.Sprintf("%.6g", x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		if at, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return at.UTC().Format(time.RFC3339Nano)
		}
		return x
	}
	return fmt.Sprint(v)
}
