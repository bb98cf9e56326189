package plan

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// planSQL holds the history reads (one file per series) and the plan
// table's maintenance. The calls are read with the definitions of package
// kpi (compiled per planner, New).
//
//go:embed sql/*.sql
var planSQL embed.FS

// query is the planner's compiled query name; the files are embedded, so a
// missing one is a bug of this package.
func (p *Planner) query(name string) string {
	q, err := p.q.SQL(name)
	if err != nil {
		panic("aggregator/plan: " + err.Error())
	}
	return q
}

// callRow is one row of sql/calls.sql.
type callRow struct {
	Bucket           time.Time `json:"bucket"`
	Queue            string    `json:"queue"`
	Offered          float64   `json:"offered"`
	Answered         float64   `json:"answered"`
	HandleSum        float64   `json:"handle_sum"`
	Abandoned        float64   `json:"abandoned"`
	AbandonedWaitSum float64   `json:"abandon_wait_sum"`
	AnsweredWaitSum  float64   `json:"answered_wait_sum"`
	// InSL are the calls answered within the queue's threshold: the
	// service level of the day itself, that a plan is checked against.
	InSL float64 `json:"in_sl"`
}

// emailRow is one row of sql/emails.sql.
type emailRow struct {
	Bucket   time.Time `json:"bucket"`
	Queue    string    `json:"queue"`
	Received float64   `json:"received"`
}

// callbackRow is one row of sql/callbacks.sql.
type callbackRow struct {
	Bucket    time.Time `json:"bucket"`
	Queue     string    `json:"queue"`
	Requested float64   `json:"requested"`
	WindowSum float64   `json:"window_sum"`
}

// staffedRow is one row of sql/staffed.sql.
type staffedRow struct {
	Bucket time.Time `json:"bucket"`
	Queue  string    `json:"queue"`
	Agents float64   `json:"agents"`
	// Working are the agents on the work: logged in and not on a break.
	Working float64 `json:"working"`
}

// staffing is the staffing of one queue in one interval.
type staffing struct {
	agents, working float64
}

// skillRow is one row of sql/skills.sql.
type skillRow struct {
	AgentID string   `json:"agent_id"`
	Queues  []string `json:"queues"`
}

// handleRow is one row of sql/email_handle.sql or sql/callback_handle.sql.
type handleRow struct {
	Queue     string  `json:"queue"`
	HandleSum float64 `json:"handle_sum"`
	Emails    float64 `json:"emails"`
	Callbacks float64 `json:"callbacks"`
}

// history is everything the plan of one day reads from ClickHouse.
type history struct {
	from, to time.Time // the history window of the forecasts
	// calls reach from the staffing read (a week before from) to the end
	// of the planned day: the rows of the day itself check the plan of a
	// day that happened, and dayCalls tell worked days from empty ones.
	calls     []callRow
	emails    []emailRow
	callbacks []callbackRow
	emailWork map[string]handleRow
	cbWork    map[string]handleRow
	staffed   map[string]map[int64]staffing // queue → unix seconds → agents
	// dayWorking are the agents on the work of every queue summed per
	// local day (its midnight's unix seconds): which days have staffing.
	dayWorking map[int64]float64
	// dayCalls are the calls offered per local day, every queue.
	dayCalls map[int64]float64
	skills   []skillRow
	// staffedUntil is the end of staffing history (zero: none at all).
	staffedUntil time.Time
}

// load reads the history of the weeks before day (a local midnight) and
// the staffing of [staffFrom, staffTo).
func (p *Planner) load(ctx context.Context, day, dayEnd, staffFrom, staffTo time.Time) (*history, error) {
	h := &history{from: day.AddDate(0, 0, -7*p.o.Weeks), to: day}
	queues := p.o.Queues
	if queues == nil {
		queues = []string{}
	}
	win := store.Params{"from": h.from, "to": h.to, "interval_sec": p.o.IntervalSec, "queues": queues, "queue": ""}
	callWin := store.Params{"from": staffFrom, "to": dayEnd, "interval_sec": p.o.IntervalSec, "queues": queues, "queue": ""}
	var err error
	if h.calls, err = store.QueryAll[callRow](ctx, p.s, p.query("calls"), callWin); err != nil {
		return nil, fmt.Errorf("cannot read call history %s–%s: %w", h.from.Format(time.DateOnly), dayEnd.Format(time.DateOnly), err)
	}
	h.dayCalls = map[int64]float64{}
	for _, r := range h.calls {
		h.dayCalls[localMidnight(r.Bucket, p.o.KPI.Zone).Unix()] += r.Offered
	}
	if h.skills, err = store.QueryAll[skillRow](ctx, p.s, p.query("skills"), win); err != nil {
		return nil, fmt.Errorf("cannot read the agents' skills: %w", err)
	}
	if h.emails, err = store.QueryAll[emailRow](ctx, p.s, p.query("emails"), win); err != nil {
		return nil, fmt.Errorf("cannot read e-mail history: %w", err)
	}
	if h.callbacks, err = store.QueryAll[callbackRow](ctx, p.s, p.query("callbacks"), win); err != nil {
		return nil, fmt.Errorf("cannot read callback history: %w", err)
	}
	h.emailWork, h.cbWork = map[string]handleRow{}, map[string]handleRow{}
	for name, m := range map[string]map[string]handleRow{"email_handle": h.emailWork, "callback_handle": h.cbWork} {
		rows, err := store.QueryAll[handleRow](ctx, p.s, p.query(name), win)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", name, err)
		}
		for _, r := range rows {
			m[r.Queue] = r
		}
	}
	// Staffing is read for every queue: the queues share the agents'
	// pooled time (sql/staffed.sql) whichever are planned.
	staff := store.Params{"from": staffFrom, "to": staffTo, "interval_sec": p.o.IntervalSec, "queues": queues}
	rows, err := store.QueryAll[staffedRow](ctx, p.s, p.query("staffed"), staff)
	if err != nil {
		return nil, fmt.Errorf("cannot read staffing %s–%s: %w", staffFrom.Format(time.DateOnly), staffTo.Format(time.DateOnly), err)
	}
	h.staffed, h.dayWorking = map[string]map[int64]staffing{}, map[int64]float64{}
	zone := p.o.KPI.Zone
	for _, r := range rows {
		if h.staffed[r.Queue] == nil {
			h.staffed[r.Queue] = map[int64]staffing{}
		}
		h.staffed[r.Queue][r.Bucket.Unix()] = staffing{agents: r.Agents, working: r.Working}
		h.dayWorking[localMidnight(r.Bucket, zone).Unix()] += r.Working
	}
	type untilRow struct {
		UntilUnix int64 `json:"until_unix"`
		N         int64 `json:"n"`
	}
	u, err := store.QueryOne[untilRow](ctx, p.s, p.query("staffed_until"), store.Params{"to": staffTo})
	if err != nil {
		return nil, fmt.Errorf("cannot read the end of staffing history: %w", err)
	}
	if u.N > 0 {
		h.staffedUntil = time.Unix(u.UntilUnix, 0).UTC()
	}
	return h, nil
}
