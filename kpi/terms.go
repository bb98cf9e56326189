package kpi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// Terms are the SQL expressions the shared definitions (the blocks of
// sql/def_*.sql) read: the window and queue filter of the reader, and the
// parameters of the configuration. Config.Bind makes them — it is the one
// place where parameters become SQL — and every field is required.
type Terms struct {
	// From and To are the window [From, To), DateTime64(3) expressions.
	From, To string
	// InQueue is a condition on a column named queue: true for the
	// queues whose KPIs are wanted.
	InQueue string
	// AllQueues is a condition true when every queue is wanted: it also
	// keeps rows that carry no queue (an e-mail reply) without looking one up.
	AllQueues string
	// SLThreshold, ShortAbandon and EmailSLA are per-queue parameters in
	// seconds: numeric expressions on a column named queue, so each call
	// or e-mail is measured by its own queue's threshold.
	SLThreshold, ShortAbandon, EmailSLA string
	// MinVolume is the per-queue alert volume guard: the calls a queue
	// must have offered in an alert window, on a column named queue.
	MinVolume string
	// LongWait, RepeatWindow, ChurnLookback and TenureNew (seconds) and
	// RepeatContacts are the centre-wide parameters, numbers.
	LongWait, RepeatWindow, ChurnLookback, TenureNew, RepeatContacts string
	// CohortOf, when set, is a query of customer_id that narrows
	// churn_cohort (def_churn.sql) to those customers: it reads their rows
	// alone, and as a member depends on its own rows only, the members it
	// keeps are judged exactly as in the whole cohort. For the panels about
	// a few customers (those who left, those at risk).
	CohortOf string
	// Zone is the time zone of the view (a report, a dashboard), a SQL
	// string literal: local days and weeks are cut in it.
	Zone string
	// inHours is the condition "the queue of the row is open at ‹t›": its
	// opening hours and holidays in its own time zone, with ‹t› standing
	// for the moment (see InHours).
	inHours string
}

// InHours is the condition "open at t" for the queue of a row (a column
// named queue), at the SQL expression t: the opening hours and holidays of
// the queue, in the queue's time zone. Definitions use it as
// {{.InHours "queued_at"}}.
func (t Terms) InHours(at string) string {
	return "toBool(" + strings.ReplaceAll(t.inHours, "‹t›", at) + ")"
}

// Day is the start of the local day (in the view's zone) holding the
// DateTime expression at.
func (t Terms) Day(at string) string { return "toStartOfDay(" + at + ", " + t.Zone + ")" }

// Bucket is the start of the chart interval of sec seconds (a numeric SQL
// expression: whole 15 minutes, or whole days) holding the DateTime
// expression at, in local time of the view's zone: local midnights for
// days (23 or 25 hours long when clocks change), and for shorter intervals
// the local wall clock cut into sec-long pieces.
func (t Terms) Bucket(at, sec string) string {
	off := "timeZoneOffset(toTimeZone(" + at + ", " + t.Zone + "))"
	return fmt.Sprintf("if((%[2]s) %% 86400 = 0, "+
		"toDateTime(toStartOfInterval(toDate(%[1]s, %[3]s), toIntervalDay(intDiv(%[2]s, 86400))), %[3]s), "+
		"toDateTime(intDiv(toUnixTimestamp(%[1]s) + %[4]s, %[2]s) * (%[2]s) - %[4]s, %[3]s))", at, sec, t.Zone, off)
}

// Window says how a reader gives the window and the queue filter to SQL:
// as ClickHouse query parameters (QueryWindow) or as the Grafana plugin's
// macros (the dashboards).
type Window struct {
	From, To, InQueue, AllQueues string
	// Zone is the view's time zone; nil is the centre's.
	Zone *time.Location
}

// QueryWindow is the window of the queries run with ClickHouse query
// parameters (the report, the lists, the aggregator, the planner): from,
// to and queue, bound by QueryParams.
var QueryWindow = Window{
	From:      "{from:DateTime64(3, 'UTC')}",
	To:        "{to:DateTime64(3, 'UTC')}",
	InQueue:   "({queue:String} = '' OR queue = {queue:String})",
	AllQueues: "{queue:String} = ''",
}

// QueryParams are the query parameters of QueryWindow: the window and the
// queue filter ("" = all).
func QueryParams(from, to time.Time, queue string) store.Params {
	return store.Params{"from": from.UTC(), "to": to.UTC(), "queue": queue}
}

// QueryTerms are the terms of QueryWindow with the configuration of
// docs/kpis.md without a config file.
var QueryTerms = DefaultConfig().Bind(QueryWindow)

// Bind returns the terms of the definitions for window w under c: the
// binder. Per-queue parameters become expressions on the row's queue
// (transform(queue, [queues], [values], default)), opening hours a
// condition per group of queues that share them, the centre-wide
// parameters literal numbers. The output depends only on c and w, so a
// reader compiles its queries once per configuration.
func (c Config) Bind(w Window) Terms {
	c = c.WithDefaults()
	zone := w.Zone
	if zone == nil {
		zone = c.Zone
	}
	names := c.QueueNames()
	perQueue := func(v func(Queue) time.Duration) string {
		def := seconds(v(c.Queue("")))
		var qs, vs []string
		for _, q := range names {
			if x := seconds(v(c.Queue(q))); x != def {
				qs, vs = append(qs, sqlString(q)), append(vs, x)
			}
		}
		if len(qs) == 0 {
			return def
		}
		return fmt.Sprintf("transform(toString(queue), [%s], [%s], %s)", strings.Join(qs, ", "), strings.Join(vs, ", "), def)
	}
	p := c.Params
	return Terms{
		From: w.From, To: w.To, InQueue: w.InQueue, AllQueues: w.AllQueues,
		SLThreshold:    perQueue(func(q Queue) time.Duration { return q.SLThreshold }),
		ShortAbandon:   perQueue(func(q Queue) time.Duration { return q.ShortAbandon }),
		EmailSLA:       perQueue(func(q Queue) time.Duration { return q.EmailSLA }),
		MinVolume:      perQueue(func(q Queue) time.Duration { return time.Duration(q.MinVolume) * time.Second }),
		LongWait:       seconds(p.LongWait),
		RepeatWindow:   seconds(p.RepeatWindow),
		ChurnLookback:  seconds(p.ChurnLookback),
		TenureNew:      seconds(p.TenureNew),
		RepeatContacts: strconv.Itoa(p.RepeatContacts),
		Zone:           sqlString(zone.String()),
		inHours:        c.inHoursSQL(names),
	}
}

// inHoursSQL is the opening-hours condition on ‹t› for every queue: one
// branch per distinct set of hours, the default's last.
func (c Config) inHoursSQL(names []string) string {
	const at = "‹t›"
	def := c.Queue("")
	defSQL := def.Hours.sql(at, def.Zone)
	groups := map[string][]string{}
	for _, q := range names {
		qq := c.Queue(q)
		if s := qq.Hours.sql(at, qq.Zone); s != defSQL {
			groups[s] = append(groups[s], sqlString(q))
		}
	}
	if len(groups) == 0 {
		return defSQL
	}
	conds := make([]string, 0, len(groups))
	for s := range groups {
		conds = append(conds, s)
	}
	sort.Strings(conds)
	var b strings.Builder
	b.WriteString("multiIf(")
	for _, s := range conds {
		fmt.Fprintf(&b, "toString(queue) IN (%s), %s, ", strings.Join(groups[s], ", "), s)
	}
	b.WriteString(defSQL + ")")
	return b.String()
}

// seconds writes d in seconds as a Float64 literal ("20.", "86400.", "0.5").
func seconds(d time.Duration) string {
	s := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += "."
	}
	return s
}

// check fails on an empty term: a definition expanded with it would be
// invalid SQL.
func (t Terms) check() error {
	for field, v := range map[string]string{
		"From": t.From, "To": t.To, "InQueue": t.InQueue, "AllQueues": t.AllQueues,
		"SLThreshold": t.SLThreshold, "ShortAbandon": t.ShortAbandon, "EmailSLA": t.EmailSLA, "MinVolume": t.MinVolume,
		"LongWait": t.LongWait, "RepeatWindow": t.RepeatWindow, "ChurnLookback": t.ChurnLookback,
		"TenureNew": t.TenureNew, "RepeatContacts": t.RepeatContacts, "Zone": t.Zone, "InHours": t.inHours,
	} {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("Terms.%s is empty", field)
		}
	}
	return nil
}
