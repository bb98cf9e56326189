package simulator

import (
	"testing"
	"time"

	"github.com/frontline-oss/frontline/schemas"
)

// churnKPIs follows the churn section of kpis.md for the window [from, to).
type churnKPIs struct {
	churned, churnedPoor, cohort, cohortPoor int
	exposed, unexposed                       float64
}

func computeChurn(evs []*schemas.Event, from, to time.Time) churnKPIs {
	const lookback = 30 * 24 * time.Hour
	type moment struct {
		at      time.Time
		poor    bool // poor by itself
		contact bool
	}
	hist := map[string][]moment{}
	churnedAt := map[string]time.Time{}
	type cb struct {
		cust                string
		due, reached, cancd time.Time
	}
	cbs := map[string]*cb{}
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *schemas.CallEnded:
			if d.Direction != "inbound" || d.CustomerID == "" {
				continue
			}
			q := *d.QueuedAt
			if d.AnsweredAt != nil {
				wait := d.AnsweredAt.Sub(q)
				hist[d.CustomerID] = append(hist[d.CustomerID], moment{q, wait > 120*time.Second || d.Transferred, true})
			} else if d.EndedAt.Sub(q) >= 5*time.Second {
				hist[d.CustomerID] = append(hist[d.CustomerID], moment{q, true, true})
			}
		case *schemas.EmailReceived:
			if d.CustomerID != "" {
				hist[d.CustomerID] = append(hist[d.CustomerID], moment{d.ReceivedAt, false, true})
			}
		case *schemas.CallbackRequested:
			cbs[d.CallbackID] = &cb{cust: d.CustomerID, due: d.DueAt}
		case *schemas.CallbackAttempted:
			if c := cbs[d.CallbackID]; c != nil && d.Result == "reached" && c.reached.IsZero() {
				c.reached = d.AttemptedAt
			}
		case *schemas.CallbackCancelled:
			if c := cbs[d.CallbackID]; c != nil && c.cancd.IsZero() {
				c.cancd = d.CancelledAt
			}
		case *schemas.CustomerChurned:
			churnedAt[d.CustomerID] = d.ChurnedAt
		}
	}
	for _, c := range cbs {
		if c.cust == "" || !c.due.Before(to) {
			continue
		}
		missed := c.reached.IsZero() || c.reached.After(c.due)
		cancelledBefore := !c.cancd.IsZero() && c.cancd.Before(c.due)
		if missed && !cancelledBefore {
			hist[c.cust] = append(hist[c.cust], moment{c.due, true, false})
		}
	}
	poorAt := func(cust string, t time.Time) bool {
		contacts := 0
		for _, m := range hist[cust] {
			if !m.at.After(t.Add(-lookback)) || m.at.After(t) {
				continue
			}
			if m.poor {
				return true
			}
			if m.contact {
				contacts++
			}
		}
		return contacts >= 3
	}
	var k churnKPIs
	judge := func(cust string, t time.Time, churned bool) {
		poor := poorAt(cust, t)
		k.cohort++
		if poor {
			k.cohortPoor++
		}
		if churned {
			k.churned++
			if poor {
				k.churnedPoor++
			}
		}
	}
	for cust, at := range churnedAt {
		if !at.Before(from) && at.Before(to) {
			judge(cust, at, true)
		}
	}
	for cust, ms := range hist {
		if at, ok := churnedAt[cust]; ok && at.Before(to) {
			continue
		}
		for _, m := range ms {
			if m.contact && m.at.After(to.Add(-lookback)) && !m.at.After(to) {
				judge(cust, to, false)
				break
			}
		}
	}
	k.exposed = float64(k.churnedPoor) / float64(k.cohortPoor)
	k.unexposed = float64(k.churned-k.churnedPoor) / float64(k.cohort-k.cohortPoor)
	return k
}

func TestChurnRisesAfterPoorService(t *testing.T) {
	o := noFaults
	o.Days = 30
	evs := decodeAll(t, mustRun(t, o))
	from := DefaultStart
	k := computeChurn(evs, from, from.AddDate(0, 0, 30))
	t.Logf("churned %d (%d after poor service), cohort %d (%d with poor service): churn rate exposed %.4f, unexposed %.4f, lift %.1f",
		k.churned, k.churnedPoor, k.cohort, k.cohortPoor, k.exposed, k.unexposed, k.exposed/k.unexposed)
	if k.churnedPoor < 10 || k.churned-k.churnedPoor < 10 {
		t.Errorf("want churn both with and without poor service")
	}
	if k.exposed < 2*k.unexposed {
		t.Errorf("churn rate exposed %.4f, unexposed %.4f: want at least twice", k.exposed, k.unexposed)
	}
}

// overdue counts callbacks open at to with due_at before to.
func overdue(evs []*schemas.Event, to time.Time) (open, late int) {
	due := map[string]time.Time{}
	closed := map[string]bool{}
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *schemas.CallbackRequested:
			due[d.CallbackID] = d.DueAt
		case *schemas.CallbackAttempted:
			if d.Result == "reached" && d.AttemptedAt.Before(to) {
				closed[d.CallbackID] = true
			}
		case *schemas.CallbackCancelled:
			if d.CancelledAt.Before(to) {
				closed[d.CallbackID] = true
			}
		}
	}
	for id, d := range due {
		if !closed[id] {
			open++
			if d.Before(to) {
				late++
			}
		}
	}
	return open, late
}

func TestUnderstaffingBuildsBacklogs(t *testing.T) {
	o := noFaults
	o.Days = 1
	to := DefaultStart.Add(20 * time.Hour)
	normal := decodeAll(t, mustRun(t, o))
	o.Understaff = 0.5
	short := decodeAll(t, mustRun(t, o))
	_, lateN := overdue(normal, to)
	_, lateS := overdue(short, to)
	backlog := func(evs []*schemas.Event) int {
		n := 0
		for _, e := range evs {
			switch d := e.Data.(type) {
			case *schemas.EmailReceived:
				if d.ReceivedAt.Before(to) {
					n++
				}
			case *schemas.EmailReplied:
				if d.RepliedAt.Before(to) {
					n-- // first replies only matter; second replies are rare
				}
			}
		}
		return n
	}
	kN := computeCalls(normal, DefaultStart.Add(12*time.Hour), to)
	kS := computeCalls(short, DefaultStart.Add(12*time.Hour), to)
	t.Logf("at 20:00: overdue callbacks %d normal, %d understaffed; e-mail backlog ~%d vs ~%d; afternoon SL %.2f vs %.2f",
		lateN, lateS, backlog(normal), backlog(short), kN.sl, kS.sl)
	if lateS <= lateN+5 {
		t.Errorf("overdue callbacks: %d understaffed, %d normal: want clearly more", lateS, lateN)
	}
	if kS.sl >= kN.sl {
		t.Errorf("afternoon service level %.2f understaffed, %.2f normal", kS.sl, kN.sl)
	}
}
