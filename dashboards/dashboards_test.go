package dashboards

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func all(t *testing.T) []dashboard.Dashboard {
	t.Helper()
	ds, err := All(Config{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// The generated JSON is kept in testdata/<uid>.json; a change to a
// dashboard shows up as a diff there (go test ./dashboards -update).
func TestGolden(t *testing.T) {
	for _, d := range all(t) {
		got, err := JSON(d)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", *d.Uid+".json")
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./dashboards -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generated dashboard; review and run go test ./dashboards -update\n%s", path, firstDiff(string(want), string(got)))
		}
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\n- " + a + "\n+ " + b
		}
	}
	return ""
}

// Every dashboard decodes into the SDK's own types — with typed ClickHouse
// and Prometheus queries, not unknown maps — and encodes back to the same
// JSON.
func TestRoundTripThroughSDK(t *testing.T) {
	RegisterPlugins()
	for _, d := range all(t) {
		first, err := JSON(d)
		if err != nil {
			t.Fatal(err)
		}
		var back dashboard.Dashboard
		if err := json.Unmarshal(first, &back); err != nil {
			t.Fatalf("%s: cannot decode with the SDK: %v", *d.Uid, err)
		}
		for _, p := range panelsOf(back) {
			for _, q := range p.Targets {
				switch q.DataqueryType() {
				case ClickHouseType, "prometheus":
				default:
					t.Errorf("%s / %s: target decoded as %T (%s)", *d.Uid, title(p), q, q.DataqueryType())
				}
			}
		}
		second, err := JSON(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s does not round-trip:\n%s", *d.Uid, firstDiff(string(first), string(second)))
		}
	}
}

func panelsOf(d dashboard.Dashboard) []dashboard.Panel { return panels(d) }

func title(p dashboard.Panel) string {
	if p.Title == nil {
		return "(untitled)"
	}
	return *p.Title
}

// Every panel has a query, a description a manager can read, and a unit;
// every dashboard a fixed uid; uids and titles are unique.
func TestPanelsAreComplete(t *testing.T) {
	seen := map[string]bool{}
	want := []string{UIDOverview, UIDCallbacks, UIDHandleTime, UIDChurn, UIDCapacity, UIDPipeline}
	ds := all(t)
	if len(ds) != len(want) {
		t.Fatalf("%d dashboards, want %d", len(ds), len(want))
	}
	for i, d := range ds {
		if d.Uid == nil || *d.Uid != want[i] {
			t.Errorf("dashboard %d: uid %v, want %s", i, d.Uid, want[i])
		}
		ps := panelsOf(d)
		if len(ps) == 0 {
			t.Errorf("%s has no panels", *d.Uid)
		}
		for _, p := range ps {
			name := *d.Uid + " / " + title(p)
			if seen[name] {
				t.Errorf("%s: duplicate panel title", name)
			}
			seen[name] = true
			if len(p.Targets) == 0 {
				t.Errorf("%s: no query", name)
			}
			for _, q := range p.Targets {
				if err := q.Validate(); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if p.Description == nil || len(*p.Description) < 30 {
				t.Errorf("%s: no description", name)
			}
			if p.FieldConfig == nil || p.FieldConfig.Defaults.Unit == nil || *p.FieldConfig.Defaults.Unit == "" {
				t.Errorf("%s: no unit", name)
			}
		}
	}
}

// Data source uids come from Config.
func TestDataSourceUIDs(t *testing.T) {
	ds, err := All(Config{ClickHouseUID: "ch-prod", PrometheusUID: "prom-prod"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		b, _ := JSON(d)
		s := string(b)
		if strings.Contains(s, "frontline-clickhouse") || strings.Contains(s, "frontline-prometheus") {
			t.Errorf("%s still uses a default data source uid", *d.Uid)
		}
		if !strings.Contains(s, `"uid": "ch-prod"`) && !strings.Contains(s, `"uid": "prom-prod"`) {
			t.Errorf("%s uses neither configured uid", *d.Uid)
		}
	}
}

// The repeat-contact, first-contact-resolution, churn, callback and e-mail
// SLA, e-mail handling and tenure panels run the report's own definitions
// (aggregator.Definitions of aggregator/sql/def_*.sql), not a copy: each
// contains the expanded blocks, and no panel restates what those blocks
// define.
func TestPanelsUseTheReportDefinitions(t *testing.T) {
	g := newGen(Config{})
	blocks := map[string]string{}
	for _, name := range []string{"inbound_calls", "contacts", "judged_contacts", "churn_cohort",
		"callback_sla", "email_reply", "email_replies", "calls_by_tenure"} {
		blocks[name] = g.definitions(name)
	}
	blocks["churned_cohort"] = definitions(g.churnedTerms(), "churn_cohort")
	contacts := []string{"inbound_calls", "contacts", "judged_contacts"}
	churn := []string{"inbound_calls", "contacts", "churn_cohort"}
	churned := []string{"inbound_calls", "contacts", "churned_cohort"}
	callbackSLA := []string{"callback_sla"}
	emailSLA := []string{"email_reply"}
	uses := map[string][]string{
		UIDOverview + "/Callback SLA":                                 callbackSLA,
		UIDOverview + "/E-mail SLA":                                   emailSLA,
		UIDOverview + "/Callback and e-mail SLA/A":                    callbackSLA,
		UIDOverview + "/Callback and e-mail SLA/B":                    emailSLA,
		UIDCallbacks + "/Callback SLA":                                callbackSLA,
		UIDCallbacks + "/Callback SLA attainment":                     callbackSLA,
		UIDHandleTime + "/E-mail first response time":                 emailSLA,
		UIDHandleTime + "/E-mail handling time":                       {"email_replies"},
		UIDHandleTime + "/Handle time, new and tenured agents":        {"inbound_calls", "calls_by_tenure"},
		UIDOverview + "/Repeat contact rate":                          contacts,
		UIDOverview + "/First-contact resolution":                     contacts,
		UIDOverview + "/Repeat contacts and first-contact resolution": contacts,
		UIDOverview + "/Revenue lost after poor service":              churned,
		UIDChurn + "/Customers lost":                                  churned,
		UIDChurn + "/Revenue lost":                                    churned,
		UIDChurn + "/Revenue lost after poor service":                 churned,
		UIDChurn + "/Churn lift of poor service":                      churn,
		UIDChurn + "/Churn rate with and without poor service":        churn,
		UIDChurn + "/Revenue lost by interval":                        churned,
		UIDChurn + "/Customers at risk":                               churn,
		UIDChurn + "/Revenue at risk":                                 churn,
		UIDChurn + "/At-risk customers by value":                      churn,
	}
	// The heart of each definition: a contact, a repeat, the cohort, a value,
	// a callback met or missed, an e-mail answered in time, the replies whose
	// handle time counts, an agent's tenure and the AHT of a call.
	restated := []string{"FROM email_received\n", "countIf(o.", "FROM customer_churns", "customer_updates",
		"reached_at <=", "reached_at >", "due_at < as_of", "frt <=", "age >", "FROM email_replied",
		"'joined'", "first_joined", "talk_sec + hold_sec", "answered_at IS NOT NULL"}
	seen := 0
	for _, d := range all(t) {
		for _, p := range panelsOf(d) {
			for _, q := range p.Targets {
				ch, ok := q.(ClickHouseDataquery)
				if !ok {
					continue
				}
				key := *d.Uid + "/" + title(p)
				if len(p.Targets) > 1 {
					key += "/" + ch.RefId
				}
				if names, ok := uses[key]; ok {
					seen++
					for _, name := range names {
						if !strings.Contains(ch.RawSql, blocks[name]) {
							t.Errorf("%s does not include the report's definition %s", key, name)
						}
					}
				}
				rest := ch.RawSql
				for _, b := range blocks {
					rest = strings.ReplaceAll(rest, b, "")
				}
				for _, phrase := range restated {
					if strings.Contains(rest, phrase) {
						t.Errorf("%s restates %q: include the report's definition (aggregator.Definitions)", key, phrase)
					}
				}
			}
		}
	}
	if seen != len(uses) {
		t.Errorf("found %d of the %d panels that use the definitions", seen, len(uses))
	}
}
