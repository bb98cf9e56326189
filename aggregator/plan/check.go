package plan

import (
	"fmt"
	"slices"
	"time"
)

// Check sets the plan of a day that happened against the day: the
// intervals the plan marks short should be the ones whose service level
// was missed. It counts queue intervals that were open and offered calls.
type Check struct {
	Intervals int `json:"intervals"`
	// Missed intervals answered less than the queue's target within its
	// threshold; MissedFlagged of them the plan marked short.
	Missed        int `json:"missed"`
	MissedFlagged int `json:"missed_flagged"`
	// Met intervals reached the target; MetNotFlagged of them the plan did
	// not mark short.
	Met           int `json:"met"`
	MetNotFlagged int `json:"met_not_flagged"`
	// MissedFlaggedShare = MissedFlagged / Missed and MetNotFlaggedShare =
	// MetNotFlagged / Met: the agreement (nil without such intervals).
	MissedFlaggedShare *float64     `json:"missed_flagged_share"`
	MetNotFlaggedShare *float64     `json:"met_not_flagged_share"`
	Queues             []QueueCheck `json:"queues"`
}

// QueueCheck is one queue's day against its plan.
type QueueCheck struct {
	Queue string `json:"queue"`
	// ServiceLevel is the day's (calls answered within the threshold over
	// calls offered while open); Met when it reached the queue's target.
	ServiceLevel *float64 `json:"service_level"`
	Target       float64  `json:"target"`
	Met          bool     `json:"met"`
	// ShortIntervals of the OpenIntervals the plan marked short.
	ShortIntervals int `json:"short_intervals"`
	OpenIntervals  int `json:"open_intervals"`
}

// String is the check in one line, as `frontline plan` prints it.
func (c *Check) String() string {
	if c == nil {
		return "no check: the day has not happened"
	}
	share := func(v *float64) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf("%.0f%%", 100**v)
	}
	return fmt.Sprintf("of %d intervals with calls, %d missed the service level and the plan flagged %s of them short; %d met it and the plan left %s of them unflagged",
		c.Intervals, c.Missed, share(c.MissedFlaggedShare), c.Met, share(c.MetNotFlaggedShare))
}

// check compares the plan with the day's actual service level.
func check(pl *Plan) *Check {
	c := &Check{}
	for _, q := range pl.Queues {
		qc := QueueCheck{Queue: q.Queue, Target: q.ServiceLevel}
		var offered, inSL float64
		for _, it := range q.Intervals {
			if !it.Open {
				continue
			}
			qc.OpenIntervals++
			if it.Status == Short {
				qc.ShortIntervals++
			}
			if it.ActualCalls == nil {
				continue
			}
			offered += *it.ActualCalls
			inSL += *it.ActualCalls * *it.ActualSL
			c.Intervals++
			switch met := *it.ActualSL >= q.ServiceLevel; {
			case met:
				c.Met++
				if it.Status != Short {
					c.MetNotFlagged++
				}
			default:
				c.Missed++
				if it.Status == Short {
					c.MissedFlagged++
				}
			}
		}
		if offered > 0 {
			sl := inSL / offered
			qc.ServiceLevel, qc.Met = &sl, sl >= q.ServiceLevel
		}
		c.Queues = append(c.Queues, qc)
	}
	c.MissedFlaggedShare = ratio(c.MissedFlagged, c.Missed)
	c.MetNotFlaggedShare = ratio(c.MetNotFlagged, c.Met)
	return c
}

func ratio(a, b int) *float64 {
	if b == 0 {
		return nil
	}
	r := float64(a) / float64(b)
	return &r
}

// dayActuals are the planned day's own calls (every planned queue).
type dayActuals struct {
	offered   float64
	handleSec map[int64]float64 // talk + hold + wrap of the calls answered, by interval
}

func (d *dayActuals) add(r callRow) {
	if d.handleSec == nil {
		d.handleSec = map[int64]float64{}
	}
	d.offered += r.Offered
	d.handleSec[r.Bucket.Unix()] += r.HandleSum
}

// unstaffed counts the intervals of the day with calls handled in which
// fewer agents were on the work than were busy with those calls (less
// one agent, for calls that run on into the next interval), of the
// intervals with calls handled.
func (d dayActuals) unstaffed(h *history, queues []string, iv time.Duration) (short, busy int) {
	for at, sec := range d.handleSec {
		if sec <= 0 {
			continue
		}
		busy++
		var working float64
		for _, q := range queues {
			working += h.staffed[q][at].working
		}
		if sec/iv.Seconds() > working+1 {
			short++
		}
	}
	return short, busy
}

// staffedFrom decides, per interval of the day, how many weeks back its
// staffing is read (see history.back), and refuses a day with no history
// to stand on unless Options.Assume says what to assume: a day that has
// passed with no calls recorded on it, or whose staffing does not cover
// the calls it handled in more than a tenth of its intervals (not
// recorded, or not aggregated: see dayActuals.unstaffed), or a day ahead
// with no earlier worked week on its weekday.
func (p *Planner) staffedFrom(h *history, f planFrame, today dayActuals, queues []string) ([]int, error) {
	backs := make([]int, int(f.dayEnd.Sub(f.day)/f.iv))
	date := f.day.Format(time.DateOnly)
	until := "there is no staffing history at all"
	if !h.staffedUntil.IsZero() {
		until = "staffing history ends " + h.staffedUntil.In(f.day.Location()).Format("2006-01-02 15:04")
	}
	if p.o.Assume == AssumeNone {
		for k := range backs {
			backs[k] = -1
		}
		return backs, nil
	}
	least, past := 0, true
	if p.o.Assume == AssumeLastWeek {
		least = 1
	}
	for k := range backs {
		t := f.day.Add(time.Duration(k) * f.iv)
		backs[k] = h.back(t, f.day.Location(), p.o.Weeks, least)
		open := slices.ContainsFunc(queues, func(q string) bool { return p.o.KPI.Queue(q).Open(t) })
		if backs[k] < 0 && open {
			return nil, fmt.Errorf("%w: no worked %s (agents on the work and calls offered) in the %d weeks before %s to take the staffing of (%s); --assume none plans the requirement alone",
				ErrNoHistory, f.day.Weekday(), p.o.Weeks+1, date, until)
		}
		past = past && backs[k] == 0
	}
	if short, busy := today.unstaffed(h, queues, f.iv); past && busy > 0 && 10*short > busy {
		return nil, fmt.Errorf("%w: %s has passed, but in %d of its %d intervals with calls handled fewer agents are recorded on the work than were busy with calls (%s): its staffing history is missing or incomplete (run the aggregator over it); --assume last-week plans it on the roster of an earlier week, --assume none the requirement alone",
			ErrNoHistory, date, short, busy, until)
	}
	if past && today.offered == 0 && slices.Contains(backs, 0) {
		return nil, fmt.Errorf("%w: %s has passed but no calls are recorded on it (%s), so there is nothing to set the plan against; --assume last-week plans it on the roster of an earlier week, --assume none the requirement alone",
			ErrNoHistory, date, until)
	}
	return backs, nil
}
