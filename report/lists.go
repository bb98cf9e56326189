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

// AbandonedCall is one abandoned inbound call of the window.
type AbandonedCall struct {
	Queue      string    `json:"queue"`
	CallID     string    `json:"call_id"`
	CustomerID string    `json:"customer_id"`
	QueuedAt   time.Time `json:"queued_at"`
	WaitSec    float64   `json:"wait_sec"`
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

// AbandonedCalls lists the abandoned calls of [from, to), oldest first.
func AbandonedCalls(ctx context.Context, s store.Store, from, to time.Time, queue string, p kpi.Params) ([]AbandonedCall, error) {
	return queryAll[AbandonedCall](ctx, s, "list_abandoned", p.Bind(from, to, queue))
}

// OverdueCallbacks lists the callbacks open and overdue at `to`, oldest
// request first, with the attempts made so far.
func OverdueCallbacks(ctx context.Context, s store.Store, to time.Time, queue string, p kpi.Params) ([]OverdueCallback, error) {
	return queryAll[OverdueCallback](ctx, s, "list_overdue_callbacks", p.Bind(to, to, queue))
}

// LateEmails lists the e-mails unanswered at `to` past the e-mail SLA,
// oldest first.
func LateEmails(ctx context.Context, s store.Store, to time.Time, queue string, p kpi.Params) ([]LateEmail, error) {
	return queryAll[LateEmail](ctx, s, "list_late_emails", p.Bind(to, to, queue))
}

// Row is a drill-down list row that renders as text and CSV.
type Row interface {
	AbandonedCall | OverdueCallback | LateEmail
}

func header(v any) []string {
	switch v.(type) {
	case AbandonedCall:
		return []string{"queue", "call_id", "customer_id", "queued_at", "wait_sec"}
	case OverdueCallback:
		return []string{"queue", "callback_id", "customer_id", "requested_at", "due_at", "overdue_sec", "attempts", "last_attempt_at"}
	case LateEmail:
		return []string{"queue", "email_id", "customer_id", "received_at", "age_sec"}
	}
	return nil
}

func record(v any) []string {
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	sec := func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) }
	switch r := v.(type) {
	case AbandonedCall:
		return []string{r.Queue, r.CallID, r.CustomerID, ts(r.QueuedAt), sec(r.WaitSec)}
	case OverdueCallback:
		last := ""
		if r.LastAttemptAt != nil {
			last = ts(*r.LastAttemptAt)
		}
		return []string{r.Queue, r.CallbackID, r.CustomerID, ts(r.RequestedAt), ts(r.DueAt), sec(r.OverdueSec), strconv.FormatInt(r.Attempts, 10), last}
	case LateEmail:
		return []string{r.Queue, r.EmailID, r.CustomerID, ts(r.ReceivedAt), sec(r.AgeSec)}
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
		if err := cw.Write(record(r)); err != nil {
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
		cells := record(r)
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
