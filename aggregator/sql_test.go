package aggregator

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"
)

// Each shared KPI definition is written in one sql/def_*.sql file; the
// queries include it instead of restating it (house style 5). The phrases
// below are the heart of each definition: they may appear only where listed.
func TestDefinitionsLiveInOnePlace(t *testing.T) {
	for _, tc := range []struct {
		phrase  string
		allowed []string
	}{
		// inbound wait, answered / abandoned / short abandon
		{"direction = 'inbound'", []string{"def_inbound_calls.sql"}},
		{"{short_abandon:", []string{"def_inbound_calls.sql"}},
		{"answered_at IS", []string{"def_inbound_calls.sql"}},
		// a contact
		{"email_received", []string{"def_contacts.sql", "report_emails.sql", "list_late_emails.sql", "job_email_first_reply.sql"}},
		// callback state; report_churn's missed callback is judged at due_at, not at a moment
		{"result = 'reached'", []string{"def_callbacks.sql", "report_churn.sql"}},
		{"FROM callback_cancelled", []string{"def_callbacks.sql", "report_churn.sql", "job_callback_status.sql"}},
	} {
		names, err := fs.Glob(sqlFiles, "sql/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			b, err := fs.ReadFile(sqlFiles, name)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stripComments(string(b)), tc.phrase) && !slices.Contains(tc.allowed, path.Base(name)) {
				t.Errorf("%s restates %q: include the shared definition instead", name, tc.phrase)
			}
		}
	}
}

// Every query expands to plain ClickHouse SQL, and every shared definition
// is used.
func TestQueriesExpand(t *testing.T) {
	if len(queries) == 0 {
		t.Fatal("no queries")
	}
	for name, q := range queries {
		if strings.Contains(q, "{{") || strings.Contains(q, "}}") {
			t.Errorf("%s: template markers left after expansion", name)
		}
	}
	for _, def := range []string{"inbound_calls", "contacts", "callback_state"} {
		used := false
		for _, q := range queries {
			used = used || strings.Contains(q, def+" AS (")
		}
		if !used {
			t.Errorf("definition %s is included by no query", def)
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
