package aggregator

import (
	"fmt"
	"strings"
)

// SQLTerms are the SQL expressions a shared KPI definition (a block of
// sql/def_*.sql) reads for its window and KPI parameters. The aggregator
// binds them as ClickHouse query parameters (queryTerms); the dashboards,
// whose Grafana plugin has no query parameters, give the plugin's time
// macros and literal seconds. Every field is required.
type SQLTerms struct {
	// From and To are the window [From, To), DateTime64(3) expressions.
	From, To string
	// ShortAbandon, RepeatWindow, ChurnLookback, EmailSLA and TenureNew are
	// Params in seconds, numeric expressions.
	ShortAbandon, RepeatWindow, ChurnLookback, EmailSLA, TenureNew string
	// InQueue is a condition on a column named queue: true for the
	// queues whose KPIs are wanted.
	InQueue string
	// AllQueues is a condition true when every queue is wanted: it also
	// keeps rows that carry no queue (an e-mail reply) without looking one up.
	AllQueues string
}

// queryTerms are the terms of the aggregator's own queries: the query
// parameters bound by Params.bind and Aggregator.jobParams.
var queryTerms = SQLTerms{
	From:          "{from:DateTime64(3, 'UTC')}",
	To:            "{to:DateTime64(3, 'UTC')}",
	ShortAbandon:  "{short_abandon:Float64}",
	RepeatWindow:  "{repeat_window:Float64}",
	ChurnLookback: "{churn_lookback:Float64}",
	EmailSLA:      "{email_sla:Float64}",
	TenureNew:     "{tenure_new:Float64}",
	InQueue:       "({queue:String} = '' OR queue = {queue:String})",
	AllQueues:     "{queue:String} = ''",
}

// Definitions returns the shared KPI definitions names (blocks of
// sql/def_*.sql, e.g. "inbound_calls", "contacts", "judged_contacts"),
// expanded with t and separated by commas, for another reader of the same
// tables: the dashboards read the report's definitions here instead of
// restating them. Most blocks are common table expressions for a WITH
// clause, and may read the tables of blocks before them (judged_contacts
// reads contacts, which reads inbound_calls). A few judge a row and are
// columns for a SELECT list instead ("callback_sla", "email_reply"), read
// from the row's columns and the moment it is judged at, so that the report
// (judging at `to`) and the dashboards (reading the aggregator's derived
// tables, each row judged at its as_of) apply the same rule. Each
// def_*.sql file says what a block reads.
func Definitions(t SQLTerms, names ...string) (string, error) {
	for field, v := range map[string]string{
		"From": t.From, "To": t.To, "ShortAbandon": t.ShortAbandon, "RepeatWindow": t.RepeatWindow,
		"ChurnLookback": t.ChurnLookback, "EmailSLA": t.EmailSLA, "TenureNew": t.TenureNew,
		"InQueue": t.InQueue, "AllQueues": t.AllQueues,
	} {
		if strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("cannot expand definitions %q: SQLTerms.%s is empty", names, field)
		}
	}
	blocks := make([]string, 0, len(names))
	for _, name := range names {
		if name == "" || strings.HasPrefix(name, "sql/") || definitions.Lookup(name) == nil {
			return "", fmt.Errorf("cannot expand definition %q: no such block in sql/def_*.sql", name)
		}
		var sb strings.Builder
		if err := definitions.ExecuteTemplate(&sb, name, t); err != nil {
			return "", fmt.Errorf("cannot expand definition %q: %w", name, err)
		}
		blocks = append(blocks, sb.String())
	}
	return strings.Join(blocks, ",\n"), nil
}
