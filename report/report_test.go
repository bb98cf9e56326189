package report

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"

	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/report/reporttest"
)

// scenarios is the folder of the reference scenarios (testdata/README.md).
const scenarios = "../testdata"

// TestScenarios: after loading a reference scenario's events, the report for
// its window equals its expected.json.
func TestScenarios(t *testing.T) {
	for _, name := range []string{"basic", "week"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(scenarios, name)
			s := storetest.New(t)
			eventtest.LoadFile(t, s, filepath.Join(dir, "events.jsonl"))
			from, to := eventtest.Window(t, dir)
			r, err := BuildReport(context.Background(), s, from, to, "", kpi.Config{})
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
			if name != "basic" {
				return
			}
			// The benchmark's breakdown runs the report's own queries, each once.
			times, err := QueryTimes(context.Background(), s, from, to, "", kpi.Config{})
			if err != nil {
				t.Fatal(err)
			}
			if len(times) != len(reportQueries) || times[0].Took < times[len(times)-1].Took {
				t.Errorf("QueryTimes = %v, want the %d report queries, slowest first", times, len(reportQueries))
			}
		})
	}
}
