package kpi

import (
	"time"

	"github.com/frontline-oss/frontline/internal/store"
)

// Params are the configurable definitions of docs/kpis.md
// ("Parameters"). They are bound as query parameters of the KPI SQL, so a site
// that measures service level at 30 s changes a setting, not a query.
// A zero field takes its default (see DefaultParams).
type Params struct {
	// SLThreshold is the service-level answer threshold. Default 20 s.
	SLThreshold time.Duration
	// ShortAbandon: unanswered calls that waited less are short abandons,
	// not offered calls. Default 5 s.
	ShortAbandon time.Duration
	// EmailSLA is the e-mail first-response target. Default 24 h.
	EmailSLA time.Duration
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
		SLThreshold:    20 * time.Second,
		ShortAbandon:   5 * time.Second,
		EmailSLA:       24 * time.Hour,
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
	set(&p.SLThreshold, d.SLThreshold)
	set(&p.ShortAbandon, d.ShortAbandon)
	set(&p.EmailSLA, d.EmailSLA)
	set(&p.LongWait, d.LongWait)
	set(&p.RepeatWindow, d.RepeatWindow)
	set(&p.ChurnLookback, d.ChurnLookback)
	set(&p.TenureNew, d.TenureNew)
	if p.RepeatContacts <= 0 {
		p.RepeatContacts = d.RepeatContacts
	}
	return p
}

// Bind returns the query parameters of QueryTerms and of every report and
// list query: the window, the queue filter ("" = all) and the definitions
// in seconds.
func (p Params) Bind(from, to time.Time, queue string) store.Params {
	p = p.WithDefaults()
	return store.Params{
		"from":            from.UTC(),
		"to":              to.UTC(),
		"queue":           queue,
		"sl_threshold":    p.SLThreshold.Seconds(),
		"short_abandon":   p.ShortAbandon.Seconds(),
		"email_sla":       p.EmailSLA.Seconds(),
		"long_wait":       p.LongWait.Seconds(),
		"repeat_window":   p.RepeatWindow.Seconds(),
		"churn_lookback":  p.ChurnLookback.Seconds(),
		"repeat_contacts": p.RepeatContacts,
		"tenure_new":      p.TenureNew.Seconds(),
	}
}
