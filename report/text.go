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
// revenue): each headline figure beside the previous period's (when r has
// one, AddPrevious) and its change, the judged ones with their target and
// an ok / warning / BREACH mark. A queue report says so in its title and
// marks the sections that are the whole centre's.
func (r *Report) WriteText(w io.Writer) error {
	v := r.view()
	fmt.Fprintf(w, "Frontline manager report — %s\n%s\n", v.Scope, v.Window)
	if v.Previous != "" {
		fmt.Fprintf(w, "Compared with %s\n", v.Previous)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"now"}
	if r.Previous != nil {
		head = append(head, "previous", "change")
	}
	head = append(head, "target", "")
	blank := strings.Repeat("\t", len(head))
	for _, sec := range v.Sections {
		fmt.Fprintln(tw, sec.Title+"\t"+strings.Join(head, "\t"))
		for _, f := range sec.Rows {
			name := "  " + f.Name
			if f.Indent {
				name = "    " + f.Name
			}
			cells := []string{name, f.Value}
			if r.Previous != nil {
				cells = append(cells, f.Prev, f.Change)
			}
			mark := ""
			if f.Status != kpi.NoData {
				mark = f.Status.String()
				if f.Status == kpi.Breach {
					mark = "BREACH"
				}
			}
			cells = append(cells, f.Target, mark)
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		fmt.Fprintln(tw, blank)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("cannot write report: %w", err)
	}
	for _, n := range v.Notes {
		fmt.Fprintln(w, wrap(n, 92))
	}
	return nil
}

// wrap breaks s into lines of at most n characters at spaces.
func wrap(s string, n int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && line+1+len([]rune(word)) > n {
			b.WriteByte('\n')
			line = 0
		} else if i > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(word)
		line += len([]rune(word))
	}
	return b.String()
}

// view is what the text and html renderings show: the same sections,
// figures, marks and notes, laid out differently.
type view struct {
	// Scope is "all queues" or "queue billing".
	Scope string
	// Window and Previous are the report's window and the previous
	// period's, as people read them.
	Window, Previous string
	Sections         []section
	// Notes explain the marks, the warning band, opening hours and time
	// zone.
	Notes []string
}

// section is a group of figures; CentreWide marks one a queue report does
// not restrict.
type section struct {
	Title string
	Rows  []figure
}

// figure is one line of the report: a figure, the previous period's and
// the change, and its target and status when it is judged.
type figure struct {
	Name, Value, Prev, Change, Target string
	Status                            kpi.Status
	// Indent: a queue's line under the centre's figure.
	Indent bool
	// Card: a headline figure, a card of the html page.
	Card bool
}

// view lays r out for the renderings.
func (r *Report) view() view {
	p := r.Previous
	if p == nil {
		p = &Report{}
	}
	hasPrev := r.Previous != nil
	v := view{Scope: "all queues", Window: window(r.From, r.To)}
	if r.Queue != "" {
		v.Scope = "queue " + schemas.SafeText(r.Queue, 40)
	}
	if hasPrev {
		v.Previous = window(p.From, p.To)
	}
	centre := ""
	if r.Queue != "" {
		centre = " (whole centre)"
	}
	// Figures with the previous period beside them: cmp picks how the
	// change reads.
	fig := func(name string, cur, prev *float64, show func(*float64) string, change func(a, b *float64) string) figure {
		f := figure{Name: name, Value: show(cur)}
		if hasPrev {
			f.Prev, f.Change = show(prev), change(cur, prev)
		}
		return f
	}
	judged := func(f figure, target string, s kpi.Status) figure {
		f.Target, f.Status, f.Card = target, s, true
		return f
	}
	card := func(f figure) figure {
		f.Card = true
		return f
	}
	info := func(name, value string) figure { return figure{Name: name, Value: value} }
	n := func(i int64) *float64 { x := float64(i); return &x }
	f := func(x float64) *float64 { return &x }
	count := func(x *float64) string {
		if x == nil {
			return "n/a"
		}
		return fmt.Sprintf("%.0f", *x)
	}
	money := func(x *float64) string { return fmt.Sprintf("%.2f %s", *x, r.Currency) }

	c, pc := r.Calls, p.Calls
	tg := r.Targets
	slName := "Service level"
	if tg.ServiceLevel.ThresholdSec != nil {
		slName = fmt.Sprintf("Service level (≤ %s)", dur(*tg.ServiceLevel.ThresholdSec))
	} else {
		slName = "Service level (each queue's threshold)"
	}
	service := section{Title: "SERVICE"}
	service.Rows = append(service.Rows,
		judged(fig(slName, c.ServiceLevel, pc.ServiceLevel, pct, pointChange), "≥ "+pctv(tg.ServiceLevel.Target), tg.ServiceLevel.Status),
		judged(fig("Abandon rate", c.AbandonRate, pc.AbandonRate, pct, pointChange), "≤ "+pctv(tg.AbandonRate.Target), tg.AbandonRate.Status),
		card(fig(fmt.Sprintf("Calls offered (%d answered, %d abandoned; %d short abandons)", c.Answered, c.Abandoned, c.ShortAbandoned),
			n(c.Offered), n(pc.Offered), count, relChange)),
		card(fig("Average speed of answer (p90 "+secs(c.WaitP90Sec)+")", c.ASASec, pc.ASASec, secs, relChange)),
		fig("Average time to abandon", c.AbandonTimeMeanSec, pc.AbandonTimeMeanSec, secs, relChange),
	)
	if c.OutOfHours.Offered > 0 || c.OutOfHours.ShortAbandoned > 0 || pc.OutOfHours.Offered > 0 {
		service.Rows = append(service.Rows, fig("Calls while closed (not in the rates)", n(c.OutOfHours.Offered), n(pc.OutOfHours.Offered), count, relChange))
	}
	for _, q := range r.Queues {
		name := schemas.SafeText(q.Queue, 40) // from events: no terminal control sequences
		service.Rows = append(service.Rows,
			figure{Name: fmt.Sprintf("%s: SL ≤ %s (%d offered)", name, dur(q.SLThresholdSec), q.Offered), Value: pct(q.ServiceLevel),
				Target: "≥ " + pctv(q.ServiceLevelTarget), Status: q.ServiceLevelStatus, Indent: true},
			figure{Name: name + ": abandon rate", Value: pct(q.AbandonRate), Target: "≤ " + pctv(q.MaxAbandonRate), Status: q.AbandonRateStatus, Indent: true})
	}
	em, pem := r.Emails, p.Emails
	emName := "E-mails answered within their SLA"
	if tg.EmailSLA.ThresholdSec != nil {
		emName = "E-mails answered within " + dur(*tg.EmailSLA.ThresholdSec)
	}
	service.Rows = append(service.Rows,
		judged(fig(fmt.Sprintf("%s (%d met, %d missed; %d not yet due)", emName, em.SLAMet, em.SLABreached, em.SLAPending),
			em.SLARate, pem.SLARate, pct, pointChange), "≥ "+pctv(tg.EmailSLA.Target), tg.EmailSLA.Status),
		judged(fig("Callbacks reached by due time", r.Callbacks.SLARate, p.Callbacks.SLARate, pct, pointChange), "≥ "+pctv(tg.CallbackSLA.Target), tg.CallbackSLA.Status),
		card(fig("First-contact resolution", r.Contacts.FCRRate, p.Contacts.FCRRate, pct, pointChange)),
		fig(fmt.Sprintf("Repeat-contact rate (%d contacts)", r.Contacts.Contacts), r.Contacts.RepeatRate, p.Contacts.RepeatRate, pct, pointChange),
	)

	cb, pcb := r.Callbacks, p.Callbacks
	backlog := section{Title: "BACKLOG at " + stamp(r.To)}
	backlog.Rows = append(backlog.Rows,
		fig("E-mails unanswered", n(em.Backlog), n(pem.Backlog), count, relChange),
		fig("Callbacks open", n(cb.Open), n(pcb.Open), count, relChange),
		judged(fig("Callbacks overdue", n(cb.Overdue), n(pcb.Overdue), count, relChange), "0", tg.CallbacksOverdue.Status),
		fig("Oldest open callback", f(cb.OldestOpenAgeSec), f(pcb.OldestOpenAgeSec), secs, relChange),
	)

	a, pa := r.Agents, p.Agents
	work := section{Title: "HANDLE TIME"}
	work.Rows = append(work.Rows,
		card(fig("Average handle time (new agents "+secs(a.AHTNewSec)+", tenured "+secs(a.AHTTenuredSec)+")", c.AHTSec, pc.AHTSec, secs, relChange)),
		fig("Transfer rate", c.TransferRate, pc.TransferRate, pct, pointChange),
		info("E-mails received / replied", fmt.Sprintf("%d / %d", em.Received, em.Replied)),
		fig("E-mail first response, mean (p90 "+secs(em.FRTP90Sec)+")", em.FRTMeanSec, pem.FRTMeanSec, secs, relChange),
		fig("E-mail handle time", em.HandleMeanSec, pem.HandleMeanSec, secs, relChange),
		info("Callbacks requested / completed / cancelled", fmt.Sprintf("%d / %d / %d", cb.Requested, cb.Completed, cb.Cancelled)),
		fig("Callback latency, mean (p50 "+secs(cb.LatencyP50Sec)+", p90 "+secs(cb.LatencyP90Sec)+")", cb.LatencyMeanSec, pcb.LatencyMeanSec, secs, relChange),
		info("Attempts per completed callback", num2(cb.AttemptsPerCompleted)),
		fig("Orders entered"+centre, n(r.Orders.Entered), n(p.Orders.Entered), count, relChange),
		fig("Order value"+centre, f(r.Orders.Value), f(p.Orders.Value), money, relChange),
		info("Order entry mean / p90"+centre, secs(r.Orders.EntryMeanSec)+" / "+secs(r.Orders.EntryP90Sec)),
	)

	people := section{Title: "PEOPLE" + strings.ToLower(centre)}
	people.Rows = append(people.Rows,
		fig("Occupancy", a.Occupancy, pa.Occupancy, pct, pointChange),
		fig("Staffed hours", f(a.StaffedHours), f(pa.StaffedHours), func(x *float64) string { return fmt.Sprintf("%.1f h", *x) }, relChange),
		info("Headcount / leavers / turnover", fmt.Sprintf("%d / %d / %s", a.Headcount, a.Leavers, pct(a.TurnoverRate))),
	)

	ch, pch := r.Churn, p.Churn
	churn := section{Title: "CHURN & REVENUE" + strings.ToLower(centre)}
	churn.Rows = append(churn.Rows,
		fig(fmt.Sprintf("Customers lost (%d after poor service)", ch.ChurnedAfterPoorService), n(ch.Churned), n(pch.Churned), count, relChange),
		fig("Revenue lost", f(ch.RevenueLost), f(pch.RevenueLost), money, relChange),
		card(fig("Revenue lost after poor service", f(ch.RevenueLostAfterPoorService), f(pch.RevenueLostAfterPoorService), money, relChange)),
		info("Churn rate with / without poor service", pct(ch.ChurnRateExposed)+" / "+pct(ch.ChurnRateUnexposed)+", lift "+num2(ch.Lift)),
		fig(fmt.Sprintf("Revenue at risk (%d customers)", ch.CustomersAtRisk), f(ch.RevenueAtRisk), f(pch.RevenueAtRisk), money, relChange),
	)
	v.Sections = []section{service, backlog, work, people, churn}

	v.Notes = append(v.Notes, fmt.Sprintf("Marks: ok when the target is met; warning when it is missed by less than %s of the target (the warning band); BREACH beyond.",
		strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", 100*tg.WarningBand), "0"), ".")+" %"))
	v.Notes = append(v.Notes, "Service level, abandon rate, speed of answer and handle time count the calls queued while their queue was open; calls while closed are counted apart. Short abandons are not offered calls.")
	if r.Queue != "" {
		v.Notes = append(v.Notes, "Sections marked (whole centre) are not split by queue: orders, agents and churn.")
	}
	if hasPrev {
		v.Notes = append(v.Notes, "Change: percentage points (pt) for rates, per cent for counts, durations and money.")
	}
	v.Notes = append(v.Notes, "Definitions: docs/kpis.md.")
	return v
}

// window writes [from, to) for people: local times and the zone, and the
// length when the window is whole local days that are not all 24 hours
// long (the days clocks change).
func window(from, to time.Time) string {
	s := stamp(from) + " → " + stamp(to) + " " + from.Location().String()
	if days := localDays(from, to); days > 0 && to.Sub(from) != days*24*time.Hour {
		s += fmt.Sprintf(" (%.0f hours: the clocks changed)", to.Sub(from).Hours())
	}
	return s
}

// localDays counts the local days [from, to) spans, when both are local
// midnights (0 otherwise).
func localDays(from, to time.Time) time.Duration {
	zone := from.Location()
	if from.Hour() != 0 || from.Minute() != 0 || to.In(zone).Hour() != 0 || to.In(zone).Minute() != 0 {
		return 0
	}
	var n time.Duration
	for d := from; d.Before(to); d = time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, zone) {
		n++
	}
	return n
}

// stamp writes a moment in its own zone, to the minute.
func stamp(t time.Time) string { return t.Format("2006-01-02 15:04") }

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

// pointChange is the change of a rate in percentage points.
func pointChange(cur, prev *float64) string {
	if cur == nil || prev == nil {
		return "–"
	}
	return signed(100*(*cur-*prev), "%.1f pt")
}

// relChange is the relative change of a count, duration or amount.
func relChange(cur, prev *float64) string {
	switch {
	case cur == nil || prev == nil:
		return "–"
	case *prev == 0 && *cur == 0:
		return "±0%"
	case *prev == 0:
		return "new"
	}
	return signed(100*(*cur-*prev)/math.Abs(*prev), "%.0f%%")
}

// signed writes v with format and an explicit sign (a true minus sign).
func signed(v float64, format string) string {
	s := fmt.Sprintf(format, math.Abs(v))
	switch {
	case s == fmt.Sprintf(format, 0.0):
		return "±" + s
	case v < 0:
		return "−" + s
	}
	return "+" + s
}

// dur renders seconds the way people read durations: 36.6s, 12m05s,
// 21h31m, and days and hours beyond two days (34d 9h).
func dur(sec float64) string {
	switch {
	case sec < 60 && sec == math.Trunc(sec):
		return fmt.Sprintf("%.0fs", sec)
	case sec < 60:
		return fmt.Sprintf("%.1fs", sec)
	case sec < 3600:
		m := math.Floor(sec / 60)
		return fmt.Sprintf("%.0fm%02.0fs", m, math.Floor(sec-60*m))
	case sec < 48*3600:
		h := math.Floor(sec / 3600)
		if m := math.Floor((sec - 3600*h) / 60); m > 0 {
			return fmt.Sprintf("%.0fh%02.0fm", h, m)
		}
		return fmt.Sprintf("%.0fh", h)
	}
	d := math.Floor(sec / 86400)
	return fmt.Sprintf("%.0fd %.0fh", d, math.Floor((sec-86400*d)/3600))
}
