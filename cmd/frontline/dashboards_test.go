package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-oss/frontline/dashboards"
)

// `frontline dashboards --out DIR` writes the six dashboards, the Grafana
// provisioning and the rule file; the committed deploy/grafana provisioning
// is what it generates; targets come from the config file.
func TestDashboardsCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "frontline.yaml")
	if err := os.WriteFile(cfg, []byte("targets:\n  default: {service_level: 0.9}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, err := runFrontline(t, "dashboards", "--config", cfg, "--out", out, "--clickhouse-uid", "ch"); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{dashboards.UIDOverview, dashboards.UIDCallbacks, dashboards.UIDHandleTime,
		dashboards.UIDChurn, dashboards.UIDCapacity, dashboards.UIDPipeline} {
		b, err := os.ReadFile(filepath.Join(out, "dashboards", uid+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(b, &d); err != nil || d["uid"] != uid {
			t.Errorf("%s: uid %v, err %v", uid, d["uid"], err)
		}
	}
	overview, _ := os.ReadFile(filepath.Join(out, "dashboards", dashboards.UIDOverview+".json"))
	if !strings.Contains(string(overview), `"value": 0.9`) || !strings.Contains(string(overview), `"uid": "ch"`) {
		t.Errorf("overview does not use the configured target 0.9 and uid ch")
	}
	ds, err := os.ReadFile(filepath.Join(out, dashboards.DataSourcesFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ds), "password: ${CLICKHOUSE_PASSWORD}") || !strings.Contains(string(ds), "uid: ch") {
		t.Errorf("data sources:\n%s", ds)
	}
	if _, err := os.Stat(filepath.Join(out, dashboards.RulesFile)); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(out, dashboards.DashboardProviderFile)); err != nil {
		t.Error(err)
	}
}

// deploy/grafana (provisioning and dashboards, mounted by compose) holds
// exactly what the command writes with the default uids.
func TestCommittedProvisioningIsCurrent(t *testing.T) {
	for _, setup := range []struct {
		dir, flag string
		p         dashboards.Provisioning
		only      string // the files committed for the set-up, by prefix
	}{
		{"grafana", "server", dashboards.Provisioning{}, ""},
		{"grafana-serve", "serve", dashboards.ServeProvisioning(), "provisioning"},
	} {
		files, err := dashboardFiles(dashboards.Config{}, setup.p)
		if err != nil {
			t.Fatal(err)
		}
		for name := range files {
			if name == dashboards.RulesFile || !strings.HasPrefix(name, setup.only) {
				continue // the rule file is deployed from deploy/grafana/prometheus, the dashboards from deploy/grafana
			}
			regen := fmt.Sprintf("run frontline dashboards --for %s --out deploy/%s", setup.flag, setup.dir)
			got, err := os.ReadFile(filepath.Join("..", "..", "deploy", setup.dir, name))
			if err != nil {
				t.Fatalf("%v (%s)", err, regen)
			}
			if !bytes.Equal(got, files[name]) {
				t.Errorf("deploy/%s/%s is stale: %s", setup.dir, name, regen)
			}
		}
	}
}
