package report

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// Sentinel errors of the report: a request the report cannot answer, as
// opposed to a store that failed.
var (
	// ErrEmptyWindow: the window's `to` is not after its `from`.
	ErrEmptyWindow = errors.New("the window is empty: to must be after from")
	// ErrUnknownQueue: the queue had no event and is not configured.
	ErrUnknownQueue = errors.New("unknown queue")
)

// Report is the manager report of docs/kpis.md for the window
// [From, To). Its JSON is the schema there (the contract of
// `report --format json`, the dashboards and the reference scenarios):
// rates are fractions, durations seconds, and a value whose denominator is
// zero is null. From and To are instants in the report's time zone (the
// queue's for a queue report, else the centre's), with their offset.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// TimeZone is the IANA name of the zone From, To and the local days
	// are in.
	TimeZone string `json:"time_zone"`
	// Queue is the queue the report is restricted to ("" = all queues).
	Queue string `json:"queue,omitempty"`
	// CentreWide names the sections that ignore the queue of a queue
	// report (orders, agents, churn); empty for a report on all queues.
	CentreWide []string `json:"centre_wide,omitempty"`
	// Currency is the ISO 4217 code of the money figures.
	Currency  string        `json:"currency"`
	Calls     CallStats     `json:"calls"`
	Queues    []QueueStats  `json:"queues"`
	Emails    EmailStats    `json:"emails"`
	Orders    OrderStats    `json:"orders"`
	Callbacks CallbackStats `json:"callbacks"`
	Contacts  ContactStats  `json:"contacts"`
	Agents    AgentStats    `json:"agents"`
	Churn     ChurnStats    `json:"churn"`
	// Targets judge the headline figures against the report's target (the
	// queue's for a queue report, else the default).
	Targets Judgements `json:"targets"`
	// Previous is the report of the period of the same length just before
	// (see AddPrevious); nil until added, and never nested further.
	Previous *Report `json:"previous,omitempty"`
}

// CallStats are the inbound-call KPIs of the window (calls queued in it
// while their queue was open), the calls queued while it was closed, and
// the count of outbound calls that ended in it (sql/report_calls.sql).
type CallStats struct {
	Offered            int64    `json:"offered"`
	Answered           int64    `json:"answered"`
	Abandoned          int64    `json:"abandoned"`
	ShortAbandoned     int64    `json:"short_abandoned"`
	Outbound           int64    `json:"outbound"`
	ServiceLevel       *float64 `json:"service_level"`
	AbandonRate        *float64 `json:"abandon_rate"`
	ASASec             *float64 `json:"asa_sec"`
	WaitP90Sec         *float64 `json:"wait_p90_sec"`
	AHTSec             *float64 `json:"aht_sec"`
	TransferRate       *float64 `json:"transfer_rate"`
	AbandonTimeMeanSec *float64 `json:"abandon_time_mean_sec"`
	OutOfHours         Outside  `json:"out_of_hours"`
}

// Outside counts the inbound calls queued while their queue was closed
// (opening hours, holidays): not in the service level, abandon rate or ASA.
type Outside struct {
	Offered        int64 `json:"offered"`
	Answered       int64 `json:"answered"`
	Abandoned      int64 `json:"abandoned"`
	ShortAbandoned int64 `json:"short_abandoned"`
}

// callRow is a row of call_totals (or interval_totals) and call_rates
// (kpi/sql/def_inbound_calls.sql): the figures of CallStats and the
// out-of-hours counts as columns of their own.
type callRow struct {
	CallStats
	OOHAnswered       int64 `json:"ooh_answered"`
	OOHAbandoned      int64 `json:"ooh_abandoned"`
	OOHShortAbandoned int64 `json:"ooh_short_abandoned"`
}

// stats are the CallStats of r, the out-of-hours counts among them.
func (r callRow) stats() CallStats {
	s := r.CallStats
	s.OutOfHours = Outside{Offered: r.OOHAnswered + r.OOHAbandoned, Answered: r.OOHAnswered,
		Abandoned: r.OOHAbandoned, ShortAbandoned: r.OOHShortAbandoned}
	return s
}

// QueueStats are the call KPIs of one queue (sql/report_queues.sql), with
// the thresholds it is measured at and its target.
type QueueStats struct {
	Queue              string   `json:"queue"`
	Offered            int64    `json:"offered"`
	Answered           int64    `json:"answered"`
	Abandoned          int64    `json:"abandoned"`
	ServiceLevel       *float64 `json:"service_level"`
	AbandonRate        *float64 `json:"abandon_rate"`
	ASASec             *float64 `json:"asa_sec"`
	AHTSec             *float64 `json:"aht_sec"`
	AbandonTimeMeanSec *float64 `json:"abandon_time_mean_sec"`
	OutOfHoursOffered  int64    `json:"out_of_hours_offered"`
	// SLThresholdSec and ShortAbandonSec are the queue's thresholds.
	SLThresholdSec  float64 `json:"sl_threshold_sec"`
	ShortAbandonSec float64 `json:"short_abandon_sec"`
	// ServiceLevelTarget and MaxAbandonRate are its target; the statuses
	// judge the two rates against them.
	ServiceLevelTarget float64    `json:"service_level_target"`
	MaxAbandonRate     float64    `json:"max_abandon_rate"`
	ServiceLevelStatus kpi.Status `json:"service_level_status"`
	AbandonRateStatus  kpi.Status `json:"abandon_rate_status"`
}

// EmailStats are the e-mail KPIs: first response of the e-mails received in
// the window and the unanswered backlog at `to` (sql/report_emails.sql).
type EmailStats struct {
	Received      int64    `json:"received"`
	Replied       int64    `json:"replied"`
	FRTMeanSec    *float64 `json:"frt_mean_sec"`
	FRTP90Sec     *float64 `json:"frt_p90_sec"`
	SLARate       *float64 `json:"sla_rate"`
	Backlog       int64    `json:"backlog"`
	HandleMeanSec *float64 `json:"handle_mean_sec"`
	// SLAMet, SLABreached and SLAPending split the e-mails received in the
	// window: answered within their queue's SLA, not (or past it
	// unanswered), and not decided yet (unanswered, younger than the SLA).
	SLAMet      int64 `json:"sla_met"`
	SLABreached int64 `json:"sla_breached"`
	SLAPending  int64 `json:"sla_pending"`
}

// OrderStats are the order-entry KPIs (sql/report_orders.sql).
type OrderStats struct {
	Entered      int64    `json:"entered"`
	EntryMeanSec *float64 `json:"entry_mean_sec"`
	EntryP90Sec  *float64 `json:"entry_p90_sec"`
	Value        float64  `json:"value"`
}

// CallbackStats are the callback KPIs: outcomes of the callbacks requested in
// the window and the open backlog at `to` (sql/report_callbacks.sql).
type CallbackStats struct {
	Requested            int64    `json:"requested"`
	Completed            int64    `json:"completed"`
	Cancelled            int64    `json:"cancelled"`
	LatencyMeanSec       *float64 `json:"latency_mean_sec"`
	LatencyP50Sec        *float64 `json:"latency_p50_sec"`
	LatencyP90Sec        *float64 `json:"latency_p90_sec"`
	SLARate              *float64 `json:"sla_rate"`
	Open                 int64    `json:"open"`
	Overdue              int64    `json:"overdue"`
	OldestOpenAgeSec     float64  `json:"oldest_open_age_sec"`
	AttemptsPerCompleted *float64 `json:"attempts_per_completed"`
}

// ContactStats are repeat contacts and first-contact resolution
// (sql/report_contacts.sql).
type ContactStats struct {
	Contacts   int64    `json:"contacts"`
	RepeatRate *float64 `json:"repeat_rate"`
	FCRRate    *float64 `json:"fcr_rate"`
}

// AgentStats are occupancy, staffing, turnover and new-vs-tenured AHT
// (sql/report_agents.sql).
type AgentStats struct {
	Occupancy     *float64 `json:"occupancy"`
	StaffedHours  float64  `json:"staffed_hours"`
	Headcount     int64    `json:"headcount"`
	Leavers       int64    `json:"leavers"`
	TurnoverRate  *float64 `json:"turnover_rate"`
	AHTNewSec     *float64 `json:"aht_new_sec"`
	AHTTenuredSec *float64 `json:"aht_tenured_sec"`
}

// ChurnStats link churn and revenue to poor service (sql/report_churn.sql).
type ChurnStats struct {
	Churned                     int64    `json:"churned"`
	RevenueLost                 float64  `json:"revenue_lost"`
	ChurnedAfterPoorService     int64    `json:"churned_after_poor_service"`
	RevenueLostAfterPoorService float64  `json:"revenue_lost_after_poor_service"`
	ChurnRateExposed            *float64 `json:"churn_rate_exposed"`
	ChurnRateUnexposed          *float64 `json:"churn_rate_unexposed"`
	Lift                        *float64 `json:"lift"`
	CustomersAtRisk             int64    `json:"customers_at_risk"`
	RevenueAtRisk               float64  `json:"revenue_at_risk"`
}

// Judged is a headline figure's target and how the figure stands.
type Judged struct {
	Target float64    `json:"target"`
	Status kpi.Status `json:"status"`
	// ThresholdSec is what the figure is measured at (service level:
	// answered within it; e-mail SLA: first reply within it), when the
	// queues of the report share one.
	ThresholdSec *float64 `json:"threshold_sec,omitempty"`
}

// Judgements are the report's headline figures against its target.
type Judgements struct {
	// WarningBand: a figure that misses its target by less than this
	// fraction of the target is a warning, by more a breach.
	WarningBand      float64 `json:"warning_band"`
	ServiceLevel     Judged  `json:"service_level"`
	AbandonRate      Judged  `json:"abandon_rate"`
	CallbackSLA      Judged  `json:"callback_sla"`
	EmailSLA         Judged  `json:"email_sla"`
	CallbacksOverdue Judged  `json:"callbacks_overdue"`
}

// CentreWide are the sections a queue report does not restrict.
var CentreWide = []string{"orders", "agents", "churn"}

// BuildReport computes the report of kpis.md for [from, to) from the raw
// event tables, measured and judged with c: each call and e-mail by its
// own queue's thresholds and opening hours. queue ("" = all) restricts the
// sections that carry a queue (calls, queues, e-mails, callbacks, contacts
// and the calls of the agents' AHT split); orders, agent states, the roster
// and churn are centre-wide. Events after `to` are ignored; backlogs are
// taken at `to` over all earlier history. A queue that had no event and is
// not configured is ErrUnknownQueue.
func BuildReport(ctx context.Context, s store.Store, from, to time.Time, queue string, c kpi.Config) (*Report, error) {
	c = c.WithDefaults()
	zone := c.ZoneOf(queue)
	if !to.After(from) {
		return nil, fmt.Errorf("cannot build report for [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), ErrEmptyWindow)
	}
	q, err := compiled(c, queue)
	if err != nil {
		return nil, err
	}
	if err := checkQueue(ctx, s, q, queue, c); err != nil {
		return nil, err
	}
	args := kpi.QueryParams(from, to, queue)
	r := &Report{From: from.In(zone), To: to.In(zone), TimeZone: zone.String(), Queue: queue, Currency: c.Currency}
	if queue != "" {
		r.CentreWide = CentreWide
	}
	if r.Queues, err = queryAll[QueueStats](ctx, s, q, "report_queues", args); err != nil {
		return nil, err
	}
	if r.Queues == nil {
		r.Queues = []QueueStats{}
	}
	var calls callRow
	for name, dst := range sections(r, &calls) {
		if err := queryInto(ctx, s, q, name, args, dst); err != nil {
			return nil, err
		}
	}
	r.Calls = calls.stats()
	r.judge(c)
	return r, nil
}

// sections are the one-row queries of the report, each with the section of
// r (or the calls row) it decodes into.
func sections(r *Report, calls *callRow) map[string]any {
	return map[string]any{
		"report_calls":     calls,
		"report_emails":    &r.Emails,
		"report_orders":    &r.Orders,
		"report_callbacks": &r.Callbacks,
		"report_contacts":  &r.Contacts,
		"report_agents":    &r.Agents,
		"report_churn":     &r.Churn,
	}
}

// reportQueries are the queries BuildReport runs: the queues, then the
// sections.
var reportQueries = append([]string{"report_queues"}, slices.Sorted(maps.Keys(sections(&Report{}, &callRow{})))...)

// QueryTime is how long one of the report's queries took.
type QueryTime struct {
	Name string
	Took time.Duration
}

// QueryTimes runs each query of BuildReport once, as it does, and returns
// how long each took, slowest first: where a report's time goes.
func QueryTimes(ctx context.Context, s store.Store, from, to time.Time, queue string, c kpi.Config) ([]QueryTime, error) {
	q, err := compiled(c.WithDefaults(), queue)
	if err != nil {
		return nil, err
	}
	args := kpi.QueryParams(from, to, queue)
	var out []QueryTime
	for _, name := range reportQueries {
		sql, err := q.SQL(name)
		if err != nil {
			return nil, err
		}
		t := time.Now()
		if err := s.Query(ctx, sql, args, func([]byte) error { return nil }); err != nil {
			return nil, fmt.Errorf("cannot run query %q: %w", name, err)
		}
		out = append(out, QueryTime{name, time.Since(t)})
	}
	slices.SortFunc(out, func(a, b QueryTime) int { return cmp.Compare(b.Took, a.Took) })
	return out, nil
}

// judge fills the targets and statuses of r from c.
func (r *Report) judge(c kpi.Config) {
	for i := range r.Queues {
		q := &r.Queues[i]
		t := c.Queue(q.Queue)
		q.SLThresholdSec, q.ShortAbandonSec = t.SLThreshold.Seconds(), t.ShortAbandon.Seconds()
		q.ServiceLevelTarget, q.MaxAbandonRate = t.ServiceLevel, t.MaxAbandonRate
		q.ServiceLevelStatus, q.AbandonRateStatus = t.JudgeServiceLevel(q.ServiceLevel), t.JudgeAbandonRate(q.AbandonRate)
	}
	t := c.Queue(r.Queue)
	shared := func(v func(kpi.Queue) time.Duration) *float64 {
		sec := v(t).Seconds()
		if r.Queue == "" {
			for _, q := range r.Queues {
				if v(c.Queue(q.Queue)).Seconds() != sec {
					return nil
				}
			}
		}
		return &sec
	}
	overdue := kpi.OK
	if r.Callbacks.Overdue > 0 {
		overdue = kpi.Breach
	}
	r.Targets = Judgements{
		WarningBand: t.WarningBand,
		ServiceLevel: Judged{Target: t.ServiceLevel, Status: t.JudgeServiceLevel(r.Calls.ServiceLevel),
			ThresholdSec: shared(func(q kpi.Queue) time.Duration { return q.SLThreshold })},
		AbandonRate: Judged{Target: t.MaxAbandonRate, Status: t.JudgeAbandonRate(r.Calls.AbandonRate)},
		CallbackSLA: Judged{Target: t.CallbackSLA, Status: t.JudgeCallbackSLA(r.Callbacks.SLARate)},
		EmailSLA: Judged{Target: t.EmailSLARate, Status: t.JudgeEmailSLA(r.Emails.SLARate),
			ThresholdSec: shared(func(q kpi.Queue) time.Duration { return q.EmailSLA })},
		CallbacksOverdue: Judged{Target: 0, Status: overdue},
	}
}

// AddPrevious sets r.Previous to the report of the period just before r,
// of the same length: the same number of local days when r's window is
// whole local days (a day before a 23-hour day is a whole day too), else
// the same duration.
func (r *Report) AddPrevious(ctx context.Context, s store.Store, c kpi.Config) error {
	from, to := PreviousWindow(r.From, r.To)
	p, err := BuildReport(ctx, s, from, to, r.Queue, c)
	if err != nil {
		return fmt.Errorf("cannot build the previous period: %w", err)
	}
	r.Previous = p
	return nil
}

// PreviousWindow is the period of the same length just before [from, to),
// in from's location: whole local days back when both are local midnights,
// else the same duration back.
func PreviousWindow(from, to time.Time) (time.Time, time.Time) {
	zone := from.Location()
	to = to.In(zone)
	midnight := func(t time.Time) bool {
		return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
	}
	if midnight(from) && midnight(to) {
		days := 0
		for d := from; d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, zone) {
			days++
		}
		return time.Date(from.Year(), from.Month(), from.Day()-days, 0, 0, 0, 0, zone), from
	}
	return from.Add(-to.Sub(from)), from
}

// compiled are the report's queries for c and the view of queue,
// compiled once per configuration.
func compiled(c kpi.Config, queue string) (kpi.Queries, error) {
	t := c.Bind(kpi.Window{From: kpi.QueryWindow.From, To: kpi.QueryWindow.To, InQueue: kpi.QueryWindow.InQueue,
		AllQueues: kpi.QueryWindow.AllQueues, Zone: c.ZoneOf(queue)})
	if q, ok := compiledByTerms.Load(t); ok {
		return q.(kpi.Queries), nil
	}
	q, err := kpi.Compile(sqlFiles, t)
	if err != nil {
		return nil, err
	}
	compiledByTerms.Store(t, q)
	return q, nil
}

var compiledByTerms sync.Map // kpi.Terms → kpi.Queries

// checkQueue fails with ErrUnknownQueue for a queue ("" is all) that had no
// event and that c does not name.
func checkQueue(ctx context.Context, s store.Store, q kpi.Queries, queue string, c kpi.Config) error {
	if queue == "" || slices.Contains(c.QueueNames(), queue) {
		return nil
	}
	known, err := Queues(ctx, s, q)
	if err != nil {
		return err
	}
	if !slices.Contains(known, queue) {
		return fmt.Errorf("%w %q: no event names it and the configuration does not (known: %s)", ErrUnknownQueue, queue, strings.Join(known, ", "))
	}
	return nil
}

// Queues lists the queues that had an event (a call, an e-mail, a
// callback, agent time), sorted.
func Queues(ctx context.Context, s store.Store, q kpi.Queries) ([]string, error) {
	type row struct {
		Queue string `json:"queue"`
	}
	rows, err := queryAll[row](ctx, s, q, "known_queues", nil)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Queue
	}
	return out, nil
}

// queryAll runs the embedded query name and decodes every row into a T.
func queryAll[T any](ctx context.Context, s store.Store, qs kpi.Queries, name string, args store.Params) ([]T, error) {
	q, err := qs.SQL(name)
	if err != nil {
		return nil, err
	}
	rows, err := store.QueryAll[T](ctx, s, q, args)
	if err != nil {
		return nil, fmt.Errorf("cannot run query %q: %w", name, err)
	}
	return rows, nil
}

// queryInto runs the embedded query name, which returns one row, and
// decodes that row into dst (a pointer to a section struct).
func queryInto(ctx context.Context, s store.Store, qs kpi.Queries, name string, args store.Params, dst any) error {
	q, err := qs.SQL(name)
	if err != nil {
		return err
	}
	n := 0
	err = s.Query(ctx, q, args, func(row []byte) error {
		n++
		if err := json.Unmarshal(row, dst); err != nil {
			return fmt.Errorf("cannot decode row %s: %w", row, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot run query %q: %w", name, err)
	}
	if n != 1 {
		return fmt.Errorf("cannot run query %q: %d rows, want 1", name, n)
	}
	return nil
}
