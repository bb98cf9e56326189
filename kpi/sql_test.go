package kpi

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Each shared KPI definition is written in one sql/def_*.sql file; the
// queries include it instead of restating it (house style 5). The phrases
// below are the heart of each definition: they may appear only where listed.
func TestDefinitionsLiveInOnePlace(t *testing.T) {
	files := readerSQL(t)
	for _, tc := range []struct {
		phrase  string
		allowed []string
	}{
		// inbound wait, answered / abandoned / short abandon
		{"direction = 'inbound'", []string{"def_inbound_calls.sql"}},
		{"{{.ShortAbandon}}", []string{"def_inbound_calls.sql"}},
		{"{short_abandon:", nil}, // a term (QueryTerms), so the dashboards can give theirs
		{"answered_at IS", []string{"def_inbound_calls.sql"}},
		// a contact
		{"email_received", []string{"def_contacts.sql", "def_emails.sql", "job_email_first_reply.sql"}},
		// a repeat contact, a first-contact resolution
		{"RANGE BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING", []string{"def_contacts.sql"}},
		{"{repeat_window:", nil},
		// the churn cohort and a customer's value
		{"customer_churns", []string{"def_churn.sql"}},
		{"customer_updates", []string{"def_churn.sql"}},
		// callback state
		{"result = 'reached'", []string{"def_callbacks.sql"}},
		{"FROM callback_cancelled", []string{"def_callbacks.sql", "job_callback_status.sql"}},
		// a callback's SLA: met, missed, overdue (callback_sla)
		{"reached_at <= due_at", []string{"def_callbacks.sql"}},
		{"reached_at > due_at", []string{"def_callbacks.sql"}}, // also the missed callback of churn (callback_missed)
		{"due_at < callbacks_as_of", []string{"def_callbacks.sql"}},
		// open at a moment: a callback, an e-mail
		{"closed_at >=", []string{"def_callbacks.sql"}},
		{"first_reply_at >=", []string{"def_emails.sql"}},
		// the thresholds of a call, read from raw calls or from the rollup
		{"{{.SLThreshold}}", []string{"def_inbound_calls.sql"}},
		{"answered_waits", []string{"def_inbound_calls.sql"}},
		{"unanswered_waits", []string{"def_inbound_calls.sql"}},
		{"sum(answered_in_sl)", nil}, // the fixed 20 s and 5 s columns of migration 0010
		{"abandoned_wait_sum", nil},
		{"{{.InHours", []string{"def_inbound_calls.sql", "gauge_queues.sql"}},
		// a call that is poor service
		{"{{.LongWait}}", []string{"def_churn.sql"}},
		// an e-mail's first response and SLA (email_reply); list_late_emails
		// lists the unanswered e-mails older than the SLA, without judging replies
		{"{{.EmailSLA}}", []string{"def_emails.sql"}},
		{"{email_sla:", nil},
		{"frt <=", []string{"def_emails.sql"}},
		// the replies whose handle time counts (email_replies)
		{"email_id IN (SELECT email_id FROM email_received", []string{"def_emails.sql"}},
		// an agent's tenure and the new / tenured split (calls_by_tenure)
		{"change = 'joined'", []string{"def_agents.sql"}},
		{"{{.TenureNew}}", []string{"def_agents.sql"}},
		{"{tenure_new:", nil},
	} {
		for name, text := range files {
			if strings.Contains(stripComments(text), tc.phrase) && !slices.Contains(tc.allowed, path.Base(name)) {
				t.Errorf("%s restates %q: include the shared definition instead", name, tc.phrase)
			}
		}
	}
}

// readers are the packages whose sql/*.sql files include the definitions.
var readers = []string{"../report", "../aggregator", "../aggregator/plan"}

// readerSQL reads the SQL files of the definitions and of their readers,
// and the Go files of the dashboards (whose panel and alert SQL is written
// in Go), by path.
func readerSQL(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	gofiles, err := filepath.Glob("../dashboards/*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range gofiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	for _, dir := range append([]string{"."}, readers...) {
		names, err := filepath.Glob(filepath.Join(dir, "sql", "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			out[name] = string(b)
		}
	}
	if len(out) == 0 {
		t.Fatal("no SQL files")
	}
	return out
}

// compiled are the queries of every reader, expanded with QueryTerms.
func compiled(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range readers {
		q, err := Compile(os.DirFS(dir), QueryTerms)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		for name, sql := range q {
			out[name] = sql
		}
	}
	return out
}

// Every query expands to plain ClickHouse SQL, and every shared definition
// is used.
func TestQueriesExpand(t *testing.T) {
	queries := compiled(t)
	if len(queries) == 0 {
		t.Fatal("no queries")
	}
	for name, q := range queries {
		if strings.Contains(q, "{{") || strings.Contains(q, "}}") {
			t.Errorf("%s: template markers left after expansion", name)
		}
	}
	for _, def := range []string{"inbound_calls", "contacts", "judged_contacts", "callback_state", "cohort",
		"email_replies", "calls_by_tenure"} {
		used := false
		for _, q := range queries {
			used = used || strings.Contains(q, def+" AS (")
		}
		if !used {
			t.Errorf("definition %s is included by no query", def)
		}
	}
	// The blocks of columns (callback_sla, email_reply).
	for _, col := range []string{"is_sla_met", "is_sla_missed", "is_overdue", "frt"} {
		used := false
		for _, q := range queries {
			used = used || strings.Contains(q, " AS "+col+",") || strings.Contains(q, " AS "+col+"\n")
		}
		if !used {
			t.Errorf("definition of column %s is included by no query", col)
		}
	}
}

// Definitions gives another reader (the dashboards) the very text the
// report runs, with its own terms in place of the query parameters.
func TestDefinitions(t *testing.T) {
	queries := compiled(t)
	names := []string{"inbound_calls", "contacts", "judged_contacts"}
	got, err := Definitions(QueryTerms, names...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(queries["report_contacts"], got) {
		t.Errorf("report_contacts does not run Definitions(QueryTerms, %q):\n%s", names, got)
	}
	for _, run := range []struct{ query, name string }{
		{"report_churn", "churn_cohort"},
		{"report_callbacks", "callback_sla"},
		{"report_emails", "email_reply"},
		{"report_emails", "email_replies"},
		{"report_agents", "calls_by_tenure"},
	} {
		got, err := Definitions(QueryTerms, run.name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(queries[run.query], got) {
			t.Errorf("%s does not run Definitions(QueryTerms, %q):\n%s", run.query, run.name, got)
		}
	}

	grafana := DefaultConfig().Bind(Window{From: "toDateTime64($__fromTime, 3)", To: "toDateTime64($__toTime, 3)",
		InQueue: "queue IN ($queue)", AllQueues: "'__all' IN ($queue)"})
	all := []string{"inbound_calls", "contacts", "judged_contacts", "churn_cohort",
		"callback_sla", "email_reply", "email_replies", "calls_by_tenure", "poor_service_call"}
	got, err = Definitions(grafana, all...)
	if err != nil {
		t.Fatal(err)
	}
	if p := regexp.MustCompile(`\{[a-z_]+:`).FindString(got); p != "" {
		t.Errorf("a query parameter %s… is left in definitions with other terms:\n%s", p, got)
	}
	for _, term := range []string{grafana.From, grafana.To, grafana.SLThreshold, grafana.ShortAbandon, grafana.RepeatWindow, grafana.ChurnLookback,
		grafana.EmailSLA, grafana.TenureNew, grafana.LongWait, grafana.InQueue, grafana.AllQueues} {
		if !strings.Contains(got, term) {
			t.Errorf("term %q is not used", term)
		}
	}

	for _, bad := range []struct {
		terms Terms
		name  string
	}{
		{QueryTerms, "no_such_block"},
		{QueryTerms, "sql/def_contacts.sql"},
		{QueryTerms, ""},
		{Terms{From: "a", To: "b"}, "contacts"},
	} {
		if _, err := Definitions(bad.terms, bad.name); err == nil {
			t.Errorf("Definitions(%+v, %q) did not fail", bad.terms, bad.name)
		}
	}
}

// stripComments drops -- comments, which may name what they do not define.
func stripComments(sql string) string {
	var b strings.Builder
	for line := range strings.Lines(sql) {
		if i := strings.Index(line, "--"); i >= 0 {
			line = line[:i] + "\n"
		}
		b.WriteString(line)
	}
	return b.String()
}
