package dashboards

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// boards are the generated dashboards in the order All returns them.
var boards = []func(gen) *dashboard.DashboardBuilder{
	overview,
	callbacks,
	handleTime,
	churn,
	capacity,
	pipeline,
}

// All builds every Frontline dashboard from c (zero fields take their
// defaults): service overview, callbacks and backlog, handle time and
// workload, churn and revenue, capacity, pipeline health.
func All(c Config) ([]dashboard.Dashboard, error) {
	g := newGen(c)
	out := make([]dashboard.Dashboard, 0, len(boards))
	for _, b := range boards {
		d, err := b(g).Build()
		if err != nil {
			return nil, fmt.Errorf("cannot build dashboard: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

// JSON is the dashboard as Grafana's file provider reads it: indented,
// stable across runs (golden files and provisioning diffs stay readable).
func JSON(d dashboard.Dashboard) ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		uid := ""
		if d.Uid != nil {
			uid = *d.Uid
		}
		return nil, fmt.Errorf("cannot encode dashboard %q: %w", uid, err)
	}
	return append(b, '\n'), nil
}
