// Package reporttest compares manager reports (the JSON of
// docs/kpis.md) the way the reference scenarios ask: counts exactly,
// seconds to 1e-3 absolute, other numbers to 1e-6 relative, null only equal
// to null, and every key of the expected report present in the report. A
// key the expected report does not have is not compared: the report grew
// keys (targets, statuses, the previous period, out-of-hours calls) after
// the reference scenarios were written, and a scenario judges the keys it
// states. The report and command tests share it.
package reporttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
)

// Counts are the keys whose values must match exactly.
var Counts = map[string]bool{
	"offered": true, "answered": true, "abandoned": true, "short_abandoned": true, "outbound": true,
	"received": true, "replied": true, "backlog": true, "entered": true,
	"requested": true, "completed": true, "cancelled": true, "open": true, "overdue": true,
	"contacts": true, "headcount": true, "leavers": true,
	"churned": true, "churned_after_poor_service": true, "customers_at_risk": true,
}

// Tolerances of the reference scenarios (testdata/README.md).
const (
	RelTol = 1e-6
	SecTol = 1e-3
)

// Compare fails t with every difference between the report JSON got and want.
func Compare(t testing.TB, got, want []byte) {
	t.Helper()
	diffs, err := Diff(got, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) > 0 {
		t.Errorf("report differs from expected (%d):\n  %s\ngot: %s", len(diffs), strings.Join(diffs, "\n  "), got)
	}
}

// Diff lists the differences between the report JSON got and want, one
// line per value, each with its JSON path.
func Diff(got, want []byte) ([]string, error) {
	var g, w any
	if err := decode(got, &g); err != nil {
		return nil, fmt.Errorf("cannot decode report: %w", err)
	}
	if err := decode(want, &w); err != nil {
		return nil, fmt.Errorf("cannot decode expected report: %w", err)
	}
	var diffs []string
	diff(&diffs, "", "", g, w)
	return diffs, nil
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

func diff(out *[]string, path, key string, g, w any) {
	add := func(format string, a ...any) { *out = append(*out, path+": "+fmt.Sprintf(format, a...)) }
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			add("got %v, want an object", g)
			return
		}
		names := make([]string, 0, len(wv))
		for k := range wv {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			gk, ok := gv[k]
			if !ok {
				*out = append(*out, path+"."+k+": missing")
				continue
			}
			diff(out, path+"."+k, k, gk, wv[k])
		}
	case []any:
		gv, ok := g.([]any)
		if !ok {
			add("got %v, want an array", g)
			return
		}
		if len(gv) != len(wv) {
			add("got %d elements, want %d", len(gv), len(wv))
		}
		for i := 0; i < len(gv) && i < len(wv); i++ {
			diff(out, fmt.Sprintf("%s[%d]", path, i), key, gv[i], wv[i])
		}
	case json.Number:
		gn, ok := g.(json.Number)
		if !ok {
			add("got %v, want %v", g, wv)
			return
		}
		gf, _ := gn.Float64()
		wf, _ := wv.Float64()
		switch {
		case Counts[key]:
			if gf != wf {
				add("got %v, want %v (a count)", gn, wv)
			}
		case strings.HasSuffix(key, "_sec"):
			if math.Abs(gf-wf) > SecTol {
				add("got %v, want %v (±%g s)", gn, wv, SecTol)
			}
		default:
			if math.Abs(gf-wf) > RelTol*math.Max(math.Abs(gf), math.Abs(wf)) {
				add("got %v, want %v (relative %g)", gn, wv, RelTol)
			}
		}
	default: // string, bool, nil
		if g != w {
			add("got %v, want %v", jsonText(g), jsonText(w))
		}
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
