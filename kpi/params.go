package kpi

import "time"

// Params are the centre-wide definitions of docs/kpis.md ("Parameters");
// the per-queue ones (service-level threshold, e-mail SLA, short abandon)
// are a queue's Target and Operation. A zero field takes its default (see
// DefaultParams).
type Params struct {
	// LongWait is a wait that counts as poor service. Default 120 s.
	LongWait time.Duration
	// RepeatWindow is the repeat-contact and FCR window. Default 7 days.
	RepeatWindow time.Duration
	// ChurnLookback is the service history examined before a churn.
	// Default 30 days.
	ChurnLookback time.Duration
	// RepeatContacts is how many contacts in the lookback count as poor
	// service. Default 3.
	RepeatContacts int
	// TenureNew: agents with less tenure are "new". Default 90 days.
	TenureNew time.Duration
}

// DefaultParams returns the defaults of docs/kpis.md.
func DefaultParams() Params {
	return Params{
		LongWait:       120 * time.Second,
		RepeatWindow:   7 * 24 * time.Hour,
		ChurnLookback:  30 * 24 * time.Hour,
		RepeatContacts: 3,
		TenureNew:      90 * 24 * time.Hour,
	}
}

// WithDefaults is p with zero fields taken from DefaultParams.
func (p Params) WithDefaults() Params {
	d := DefaultParams()
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&p.LongWait, d.LongWait)
	set(&p.RepeatWindow, d.RepeatWindow)
	set(&p.ChurnLookback, d.ChurnLookback)
	set(&p.TenureNew, d.TenureNew)
	if p.RepeatContacts <= 0 {
		p.RepeatContacts = d.RepeatContacts
	}
	return p
}
