package kpi

import (
	"fmt"
	"strings"
)

// Terms are the SQL expressions a shared KPI definition (a block of
// sql/def_*.sql) reads for its window and KPI parameters. The report and the
// aggregator bind them as ClickHouse query parameters (QueryTerms); the
// dashboards, whose Grafana plugin has no query parameters, give the
// plugin's time macros and literal seconds. Every field is required.
type Terms struct {
	// From and To are the window [From, To), DateTime64(3) expressions.
	From, To string
	// SLThreshold, ShortAbandon, RepeatWindow, ChurnLookback, EmailSLA and
	// TenureNew are Params in seconds, numeric expressions.
	SLThreshold, ShortAbandon, RepeatWindow, ChurnLookback, EmailSLA, TenureNew string
	// InQueue is a condition on a column named queue: true for the
	// queues whose KPIs are wanted.
	InQueue string
	// AllQueues is a condition true when every queue is wanted: it also
	// keeps rows that carry no queue (an e-mail reply) without looking one up.
	AllQueues string
}

// QueryTerms are the terms of the queries that run with ClickHouse query
// parameters (the report, the lists, the aggregator's jobs and gauges):
// the parameters bound by Params.Bind.
var QueryTerms = Terms{
	From:          "{from:DateTime64(3, 'UTC')}",
	To:            "{to:DateTime64(3, 'UTC')}",
	SLThreshold:   "{sl_threshold:Float64}",
	ShortAbandon:  "{short_abandon:Float64}",
	RepeatWindow:  "{repeat_window:Float64}",
	ChurnLookback: "{churn_lookback:Float64}",
	EmailSLA:      "{email_sla:Float64}",
	TenureNew:     "{tenure_new:Float64}",
	InQueue:       "({queue:String} = '' OR queue = {queue:String})",
	AllQueues:     "{queue:String} = ''",
}

// check fails on an empty term: a definition expanded with it would be
// invalid SQL.
func (t Terms) check() error {
	for field, v := range map[string]string{
		"From": t.From, "To": t.To, "SLThreshold": t.SLThreshold, "ShortAbandon": t.ShortAbandon, "RepeatWindow": t.RepeatWindow,
		"ChurnLookback": t.ChurnLookback, "EmailSLA": t.EmailSLA, "TenureNew": t.TenureNew,
		"InQueue": t.InQueue, "AllQueues": t.AllQueues,
	} {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("Terms.%s is empty", field)
		}
	}
	return nil
}
