package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// ErrEmptyWindow is returned for a window whose `to` is not after `from`.
var ErrEmptyWindow = errors.New("the window is empty: to must be after from")

// Report is the manager report of docs/kpis.md for the window
// [From, To). Its JSON is exactly the schema there (the contract of
// `report --format json`, the dashboards and the reference scenarios):
// rates are fractions, durations seconds, and a value whose denominator is
// zero is null.
type Report struct {
	From      time.Time     `json:"from"`
	To        time.Time     `json:"to"`
	Calls     CallStats     `json:"calls"`
	Queues    []QueueStats  `json:"queues"`
	Emails    EmailStats    `json:"emails"`
	Orders    OrderStats    `json:"orders"`
	Callbacks CallbackStats `json:"callbacks"`
	Contacts  ContactStats  `json:"contacts"`
	Agents    AgentStats    `json:"agents"`
	Churn     ChurnStats    `json:"churn"`
}

// CallStats are the inbound-call KPIs of the window (calls queued in it) and
// the count of outbound calls that ended in it (sql/report_calls.sql).
type CallStats struct {
	Offered        int64    `json:"offered"`
	Answered       int64    `json:"answered"`
	Abandoned      int64    `json:"abandoned"`
	ShortAbandoned int64    `json:"short_abandoned"`
	Outbound       int64    `json:"outbound"`
	ServiceLevel   *float64 `json:"service_level"`
	AbandonRate    *float64 `json:"abandon_rate"`
	ASASec         *float64 `json:"asa_sec"`
	WaitP90Sec     *float64 `json:"wait_p90_sec"`
	AHTSec         *float64 `json:"aht_sec"`
	TransferRate   *float64 `json:"transfer_rate"`
}

// QueueStats are the call KPIs of one queue (sql/report_queues.sql).
type QueueStats struct {
	Queue        string   `json:"queue"`
	Offered      int64    `json:"offered"`
	Answered     int64    `json:"answered"`
	Abandoned    int64    `json:"abandoned"`
	ServiceLevel *float64 `json:"service_level"`
	AbandonRate  *float64 `json:"abandon_rate"`
	ASASec       *float64 `json:"asa_sec"`
	AHTSec       *float64 `json:"aht_sec"`
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

// BuildReport computes the report of kpis.md for [from, to) from the raw
// event tables. queue (” = all) restricts the sections that carry a queue
// (calls, queues, e-mails, callbacks, contacts and the calls of the agents'
// AHT split); orders, agent states, the roster and churn are centre-wide.
// Events after `to` are ignored; backlogs are taken at `to` over all earlier
// history. Zero fields of p take the kpis.md defaults.
func BuildReport(ctx context.Context, s store.Store, from, to time.Time, queue string, p kpi.Params) (*Report, error) {
	from, to = from.UTC(), to.UTC()
	if !to.After(from) {
		return nil, fmt.Errorf("cannot build report for [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), ErrEmptyWindow)
	}
	args := p.Bind(from, to, queue)
	r := &Report{From: from, To: to}
	var err error
	if r.Queues, err = queryAll[QueueStats](ctx, s, "report_queues", args); err != nil {
		return nil, err
	}
	if r.Queues == nil {
		r.Queues = []QueueStats{}
	}
	for name, dst := range map[string]any{
		"report_calls":     &r.Calls,
		"report_emails":    &r.Emails,
		"report_orders":    &r.Orders,
		"report_callbacks": &r.Callbacks,
		"report_contacts":  &r.Contacts,
		"report_agents":    &r.Agents,
		"report_churn":     &r.Churn,
	} {
		if err := queryInto(ctx, s, name, args, dst); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// queryAll runs the embedded query name and decodes every row into a T.
func queryAll[T any](ctx context.Context, s store.Store, name string, args store.Params) ([]T, error) {
	q, err := queries.SQL(name)
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
func queryInto(ctx context.Context, s store.Store, name string, args store.Params, dst any) error {
	q, err := queries.SQL(name)
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
