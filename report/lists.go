package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/schemas"
)

// Drill-down lists: the calls, callbacks and e-mails behind a rate, which
// managers ask for by name. Each is one query in sql/list_*.sql.

// AbandonedCall is one abandoned inbound call of the window; InHours says
// whether it counts in calls.abandoned (queued while its queue was open) or
// in calls.out_of_hours.abandoned.
type AbandonedCall struct {
	Queue      string    `json:"queue"`
	CallID     string    `json:"call_id"`
	CustomerID string    `json:"customer_id"`
	QueuedAt   time.Time `json:"queued_at"`
	WaitSec    float64   `json:"wait_sec"`
	InHours    bool      `json:"in_hours"`
}

// OverdueCallback is a callback open at `to` and past its due time.
type OverdueCallback struct {
	Queue         string     `json:"queue"`
	CallbackID    string     `json:"callback_id"`
	CustomerID    string     `json:"customer_id"`
	RequestedAt   time.Time  `json:"requested_at"`
	DueAt         time.Time  `json:"due_at"`
	OverdueSec    float64    `json:"overdue_sec"`
	Attempts      int64      `json:"attempts"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
}

// LateEmail is an e-mail unanswered at `to` and older than the e-mail SLA.
type LateEmail struct {
	Queue      string    `json:"queue"`
	EmailID    string    `json:"email_id"`
	CustomerID string    `json:"customer_id"`
	ReceivedAt time.Time `json:"received_at"`
	AgeSec     float64   `json:"age_sec"`
}

// AbandonedCalls lists the abandoned calls of [from, to), oldest first,
// with times in the zone of the queue's view.
func AbandonedCalls(ctx context.Context, s store.Store, from, to time.Time, queue string, c kpi.Config) ([]AbandonedCall, error) {
	rows, err := list[AbandonedCall](ctx, s, "list_abandoned", from, to, queue, c)
	for i := range rows {
		rows[i].QueuedAt = rows[i].QueuedAt.In(c.ZoneOf(queue))
	}
	return rows, err
}

// OverdueCallbacks lists the callbacks open and overdue at `to`, oldest
// request first, with the attempts made so far.
func OverdueCallbacks(ctx context.Context, s store.Store, to time.Time, queue string, c kpi.Config) ([]OverdueCallback, error) {
	rows, err := list[OverdueCallback](ctx, s, "list_overdue_callbacks", to, to, queue, c)
	zone := c.ZoneOf(queue)
	for i := range rows {
		r := &rows[i]
		r.RequestedAt, r.DueAt = r.RequestedAt.In(zone), r.DueAt.In(zone)
		if r.LastAttemptAt != nil {
			*r.LastAttemptAt = r.LastAttemptAt.In(zone)
		}
	}
	return rows, err
}

// LateEmails lists the e-mails unanswered at `to` past their queue's
// e-mail SLA, oldest first.
func LateEmails(ctx context.Context, s store.Store, to time.Time, queue string, c kpi.Config) ([]LateEmail, error) {
	rows, err := list[LateEmail](ctx, s, "list_late_emails", to, to, queue, c)
	for i := range rows {
		rows[i].ReceivedAt = rows[i].ReceivedAt.In(c.ZoneOf(queue))
	}
	return rows, err
}

// list runs the list query name for [from, to) and queue under c.
func list[T any](ctx context.Context, s store.Store, name string, from, to time.Time, queue string, c kpi.Config) ([]T, error) {
	q, err := compiled(c, queue)
	if err != nil {
		return nil, err
	}
	if err := checkQueue(ctx, s, q, queue, c); err != nil {
		return nil, err
	}
	return queryAll[T](ctx, s, q, name, kpi.QueryParams(from, to, queue))
}

// Row is a drill-down list row that renders as text and CSV.
type Row interface {
	AbandonedCall | OverdueCallback | LateEmail
}

// header names the columns of a list in text and CSV (durations readable,
// where the JSON has seconds).
func header(v any) []string {
	switch v.(type) {
	case AbandonedCall:
		return []string{"queue", "call_id", "customer_id", "queued_at", "wait", "in_hours"}
	case OverdueCallback:
		return []string{"queue", "callback_id", "customer_id", "requested_at", "due_at", "overdue", "attempts", "last_attempt_at"}
	case LateEmail:
		return []string{"queue", "email_id", "customer_id", "received_at", "age"}
	}
	return nil
}

// record is a row's cells: times with their offset in the row's zone (RFC
// 3339 in CSV, minutes in text) and durations as people read them.
func record(v any, text bool) []string {
	ts := func(t time.Time) string {
		if text {
			return t.Format("2006-01-02 15:04 -07:00")
		}
		return t.Format(time.RFC3339)
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	switch r := v.(type) {
	case AbandonedCall:
		return []string{r.Queue, r.CallID, r.CustomerID, ts(r.QueuedAt), dur(r.WaitSec), yes(r.InHours)}
	case OverdueCallback:
		last := ""
		if r.LastAttemptAt != nil {
			last = ts(*r.LastAttemptAt)
		}
		return []string{r.Queue, r.CallbackID, r.CustomerID, ts(r.RequestedAt), ts(r.DueAt), dur(r.OverdueSec), strconv.FormatInt(r.Attempts, 10), last}
	case LateEmail:
		return []string{r.Queue, r.EmailID, r.CustomerID, ts(r.ReceivedAt), dur(r.AgeSec)}
	}
	return nil
}

// WriteCSV writes rows as CSV with a header line.
func WriteCSV[T Row](w io.Writer, rows []T) error {
	cw := csv.NewWriter(w)
	var zero T
	if err := cw.Write(header(zero)); err != nil {
		return fmt.Errorf("cannot write csv: %w", err)
	}
	for _, r := range rows {
		if err := cw.Write(record(r, false)); err != nil {
			return fmt.Errorf("cannot write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("cannot write csv: %w", err)
	}
	return nil
}

// WriteTable writes rows as aligned text columns, or a line saying there
// are none.
func WriteTable[T Row](w io.Writer, rows []T) error {
	var zero T
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(rows) == 0 {
		_, err := fmt.Fprintln(w, "(none)")
		return err
	}
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	line(header(zero))
	for _, r := range rows {
		cells := record(r, true)
		for i, c := range cells {
			cells[i] = schemas.SafeText(c, 200) // from events: no terminal control sequences
		}
		line(cells)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("cannot write table: %w", err)
	}
	return nil
}
