package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/schemas"
)

// WriteText writes the one-screen manager summary of r, grouped as a
// manager reads it (service, backlog, handle time, people, churn and
// revenue), with each judged KPI next to its target and an ok / warning /
// breach mark. Queues are judged against their own targets in t.
func (r *Report) WriteText(w io.Writer, t kpi.Targets) error {
	d := t.Default
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, value, target string, s kpi.Status) {
		mark := ""
		if s != kpi.NoData {
			mark = s.String()
			if s == kpi.Breach {
				mark = "BREACH"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", name, value, target, mark)
	}
	info := func(name, value string) { row(name, value, "", kpi.NoData) }

	fmt.Fprintf(w, "Frontline manager report  %s → %s\n\n", stamp(r.From), stamp(r.To))

	fmt.Fprintln(tw, "SERVICE\t\ttarget\t")
	c := r.Calls
	row(fmt.Sprintf("Service level (≤ %s)", dur(d.SLThreshold.Seconds())), pct(c.ServiceLevel), "≥ "+pctv(d.ServiceLevel), d.JudgeServiceLevel(c.ServiceLevel))
	row("Abandon rate", pct(c.AbandonRate), "≤ "+pctv(d.MaxAbandonRate), d.JudgeAbandonRate(c.AbandonRate))
	info("Calls offered / answered / abandoned", fmt.Sprintf("%d / %d / %d", c.Offered, c.Answered, c.Abandoned))
	info("Short abandons, outbound calls", fmt.Sprintf("%d, %d", c.ShortAbandoned, c.Outbound))
	info("ASA / wait p90", secs(c.ASASec)+" / "+secs(c.WaitP90Sec))
	for _, q := range r.Queues {
		qt := t.For(q.Queue)
		name := schemas.SafeText(q.Queue, 40) // from events: no terminal control sequences
		row(fmt.Sprintf("  %s: SL (%d offered)", name, q.Offered), pct(q.ServiceLevel), "≥ "+pctv(qt.ServiceLevel), qt.JudgeServiceLevel(q.ServiceLevel))
		row(fmt.Sprintf("  %s: abandon rate", name), pct(q.AbandonRate), "≤ "+pctv(qt.MaxAbandonRate), qt.JudgeAbandonRate(q.AbandonRate))
	}
	row(fmt.Sprintf("E-mails answered within %s", dur(d.EmailSLA.Seconds())), pct(r.Emails.SLARate), "≥ "+pctv(d.EmailSLARate), d.JudgeEmailSLA(r.Emails.SLARate))
	row("Callbacks reached by due time", pct(r.Callbacks.SLARate), "≥ "+pctv(d.CallbackSLA), d.JudgeCallbackSLA(r.Callbacks.SLARate))
	info("First-contact resolution / repeat rate", pct(r.Contacts.FCRRate)+" / "+pct(r.Contacts.RepeatRate))
	info("Contacts", fmt.Sprint(r.Contacts.Contacts))

	fmt.Fprintf(tw, "\t\t\t\nBACKLOG at %s\t\t\t\n", stamp(r.To))
	info("E-mails unanswered", fmt.Sprint(r.Emails.Backlog))
	cb := r.Callbacks
	s := kpi.OK
	if cb.Overdue > 0 {
		s = kpi.Breach
	}
	row("Callbacks open / overdue", fmt.Sprintf("%d / %d", cb.Open, cb.Overdue), "0 overdue", s)
	info("Oldest open callback", dur(cb.OldestOpenAgeSec))

	fmt.Fprintln(tw, "\t\t\t\nHANDLE TIME\t\t\t")
	info("AHT (new / tenured agents)", secs(c.AHTSec)+" ("+secs(r.Agents.AHTNewSec)+" / "+secs(r.Agents.AHTTenuredSec)+")")
	info("Transfer rate", pct(c.TransferRate))
	info("E-mails received / replied", fmt.Sprintf("%d / %d", r.Emails.Received, r.Emails.Replied))
	info("E-mail first response mean / p90", secs(r.Emails.FRTMeanSec)+" / "+secs(r.Emails.FRTP90Sec))
	info("E-mail handle time", secs(r.Emails.HandleMeanSec))
	info("Callbacks requested / completed / cancelled", fmt.Sprintf("%d / %d / %d", cb.Requested, cb.Completed, cb.Cancelled))
	info("Callback latency mean / p50 / p90", secs(cb.LatencyMeanSec)+" / "+secs(cb.LatencyP50Sec)+" / "+secs(cb.LatencyP90Sec))
	info("Attempts per completed callback", num2(cb.AttemptsPerCompleted))
	info("Orders entered (value)", fmt.Sprintf("%d (%.2f)", r.Orders.Entered, r.Orders.Value))
	info("Order entry mean / p90", secs(r.Orders.EntryMeanSec)+" / "+secs(r.Orders.EntryP90Sec))

	fmt.Fprintln(tw, "\t\t\t\nPEOPLE\t\t\t")
	a := r.Agents
	info("Occupancy", pct(a.Occupancy))
	info("Staffed hours", fmt.Sprintf("%.1f h", a.StaffedHours))
	info("Headcount / leavers / turnover", fmt.Sprintf("%d / %d / %s", a.Headcount, a.Leavers, pct(a.TurnoverRate)))

	fmt.Fprintln(tw, "\t\t\t\nCHURN & REVENUE\t\t\t")
	ch := r.Churn
	info("Churned (after poor service)", fmt.Sprintf("%d (%d)", ch.Churned, ch.ChurnedAfterPoorService))
	info("Revenue lost (after poor service)", fmt.Sprintf("%.2f (%.2f)", ch.RevenueLost, ch.RevenueLostAfterPoorService))
	info("Churn rate with / without poor service", pct(ch.ChurnRateExposed)+" / "+pct(ch.ChurnRateUnexposed)+", lift "+num2(ch.Lift))
	info("Customers / revenue at risk", fmt.Sprintf("%d / %.2f", ch.CustomersAtRisk, ch.RevenueAtRisk))
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("cannot write report: %w", err)
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func pct(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return pctv(*v)
}

func pctv(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) }

func num2(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", *v)
}

func secs(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return dur(*v)
}

// dur renders seconds the way people read durations: 36.6s, 12m05s, 36h28m.
func dur(sec float64) string {
	switch {
	case sec < 60 && sec == math.Trunc(sec):
		return fmt.Sprintf("%.0fs", sec)
	case sec < 60:
		return fmt.Sprintf("%.1fs", sec)
	case sec < 3600:
		m := math.Floor(sec / 60)
		return fmt.Sprintf("%.0fm%02.0fs", m, math.Floor(sec-60*m))
	}
	h := math.Floor(sec / 3600)
	return strings.TrimSpace(fmt.Sprintf("%.0fh%02.0fm", h, math.Floor((sec-3600*h)/60)))
}
