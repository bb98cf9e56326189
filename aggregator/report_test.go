package aggregator

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/aggregator/reporttest"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// scenarios is the folder of the reference scenarios (testdata/README.md).
const scenarios = "../testdata"

// readWindow reads a scenario's window file: "FROM TO" in RFC 3339.
func readWindow(t testing.TB, dir string) (from, to time.Time) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "window"))
	if err != nil {
		t.Fatalf("cannot read window: %v", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		t.Fatalf("window %q: want FROM TO", b)
	}
	var errs [2]error
	from, errs[0] = time.Parse(time.RFC3339, f[0])
	to, errs[1] = time.Parse(time.RFC3339, f[1])
	for _, err := range errs {
		if err != nil {
			t.Fatalf("cannot parse window %q: %v", b, err)
		}
	}
	return from, to
}

// TestScenarios: after loading a reference scenario's events, the report for
// its window equals its expected.json.
func TestScenarios(t *testing.T) {
	for _, name := range []string{"basic", "week"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scenarios, name)
			s := storetest.New(t)
			loadFile(t, s, filepath.Join(dir, "events.jsonl"))
			from, to := readWindow(t, dir)
			r, err := BuildReport(context.Background(), s, from, to, "", Params{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			reporttest.Compare(t, got, want)
		})
	}
}
