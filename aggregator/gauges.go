package aggregator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// GaugeWindow is the span of the rate gauges (service level, abandon rate,
// ASA): the 30 minutes ending at each run.
const GaugeWindow = 30 * time.Minute

// gaugeMetrics are the aggregator's metrics, registered on the injected
// Registerer. The names are a contract with the alert rules and dashboards
// (dashboards/, deploy/): change them only together.
//
// A rate gauge of a queue with nothing to divide by in the last 30 minutes
// (no offered call for service level and abandon rate, no answered call for
// ASA) is absent, not NaN: an alert such as
// `frontline_service_level_30m < 0.8` then simply has no series for an idle
// queue, a pending `for: 30m` alert resets, and sum/avg across queues are not
// poisoned by NaN. Backlog gauges are always present for every queue that
// ever had a callback or an e-mail (0 when drained).
type gaugeMetrics struct {
	callbacksOpen     *prometheus.GaugeVec
	callbacksOverdue  *prometheus.GaugeVec
	callbackOldestAge *prometheus.GaugeVec
	callbackPastDue   *prometheus.GaugeVec
	serviceLevel      *prometheus.GaugeVec
	offered           *prometheus.GaugeVec
	open              *prometheus.GaugeVec
	abandonRate       *prometheus.GaugeVec
	asa               *prometheus.GaugeVec
	emailBacklog      *prometheus.GaugeVec
	emailOldestAge    *prometheus.GaugeVec
	forecastToday     *prometheus.GaugeVec
	vsForecast        *prometheus.GaugeVec
	lastRun           prometheus.Gauge
	runDuration       prometheus.Histogram
	errors            prometheus.Counter
}

func newGaugeMetrics(r prometheus.Registerer) *gaugeMetrics {
	vec := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"queue"})
	}
	m := &gaugeMetrics{
		callbacksOpen: vec("frontline_callbacks_open",
			"Callbacks requested and neither completed (reached) nor cancelled, per queue."),
		callbacksOverdue: vec("frontline_callbacks_overdue",
			"Open callbacks past their due time, per queue."),
		callbackOldestAge: vec("frontline_callback_oldest_open_age_seconds",
			"Age of the oldest open callback since it was requested, per queue (0 when none is open)."),
		callbackPastDue: vec("frontline_callback_oldest_overdue_seconds",
			"How long the most overdue open callback has been past its due time, per queue (0 when none is overdue)."),
		serviceLevel: vec("frontline_service_level_30m",
			"Share of calls offered in the last 30 min answered within the service-level threshold (absent when none was offered)."),
		offered: vec("frontline_calls_offered_30m",
			"Calls offered in the last 30 min while the queue was open (the volume behind the service level and abandon rate), per queue that ever had a call."),
		open: vec("frontline_queue_open",
			"1 while the queue is open (its opening hours and holidays, in its time zone), 0 while it is closed."),
		abandonRate: vec("frontline_abandon_rate_30m",
			"Share of calls offered in the last 30 min that were abandoned (absent when none was offered)."),
		asa: vec("frontline_asa_seconds_30m",
			"Mean wait of calls answered among those queued in the last 30 min (absent when none was answered)."),
		emailBacklog: vec("frontline_email_backlog",
			"E-mails received and not replied to yet, per queue."),
		emailOldestAge: vec("frontline_email_backlog_oldest_age_seconds",
			"Age of the oldest unreplied e-mail, per queue (0 when none)."),
		forecastToday: vec("frontline_calls_forecast_today",
			"Calls today's plan (frontline plan) forecast for the whole intervals of the local day so far, per queue with a plan for today."),
		vsForecast: vec("frontline_calls_vs_forecast_ratio",
			"Calls offered today so far over the calls today's plan forecast for the same intervals (1 = on forecast; absent while the forecast so far is 0)."),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "frontline_aggregator_last_run_timestamp_seconds",
			Help: "When the last successful aggregator run ended, by the wall clock, in Unix seconds."}),
		runDuration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "frontline_aggregator_run_duration_seconds",
			Help: "Duration of aggregator runs (jobs and gauges).", Buckets: prometheus.ExponentialBuckets(0.01, 2, 12)}),
		errors: prometheus.NewCounter(prometheus.CounterOpts{Name: "frontline_aggregator_errors_total",
			Help: "Aggregator runs that failed."}),
	}
	r.MustRegister(m.callbacksOpen, m.callbacksOverdue, m.callbackOldestAge, m.callbackPastDue, m.serviceLevel, m.offered, m.open, m.abandonRate,
		m.asa, m.emailBacklog, m.emailOldestAge, m.forecastToday, m.vsForecast, m.lastRun, m.runDuration, m.errors)
	return m
}

// refreshGauges reads the gauge queries for now and replaces every value of
// the per-queue gauges. The rate gauges run the report's own per-queue
// definition (queue_kpis of package kpi, sql/gauge_queues.sql) over
// [now − 30 min, now), so a gauge and the report never disagree on a
// definition.
func (a *Aggregator) refreshGauges(ctx context.Context, now time.Time) error {
	type callbackRow struct {
		Queue    string  `json:"queue"`
		Open     float64 `json:"open"`
		Overdue  float64 `json:"overdue"`
		OldestAt float64 `json:"oldest_open_age_sec"`
		PastDue  float64 `json:"oldest_overdue_sec"`
	}
	type emailRow struct {
		Queue   string  `json:"queue"`
		Backlog float64 `json:"backlog"`
		Oldest  float64 `json:"oldest_age_sec"`
	}
	var errs []error
	p := store.Params{"now": now}

	cbs, err := gaugeQuery[callbackRow](ctx, a.s, a.q, "gauge_callbacks", p)
	if err != nil {
		errs = append(errs, err)
	} else {
		a.m.callbacksOpen.Reset()
		a.m.callbacksOverdue.Reset()
		a.m.callbackOldestAge.Reset()
		a.m.callbackPastDue.Reset()
		for _, r := range cbs {
			a.m.callbacksOpen.WithLabelValues(r.Queue).Set(r.Open)
			a.m.callbacksOverdue.WithLabelValues(r.Queue).Set(r.Overdue)
			a.m.callbackOldestAge.WithLabelValues(r.Queue).Set(r.OldestAt)
			a.m.callbackPastDue.WithLabelValues(r.Queue).Set(r.PastDue)
		}
	}

	ems, err := gaugeQuery[emailRow](ctx, a.s, a.q, "gauge_emails", p)
	if err != nil {
		errs = append(errs, err)
	} else {
		a.m.emailBacklog.Reset()
		a.m.emailOldestAge.Reset()
		for _, r := range ems {
			a.m.emailBacklog.WithLabelValues(r.Queue).Set(r.Backlog)
			a.m.emailOldestAge.WithLabelValues(r.Queue).Set(r.Oldest)
		}
	}

	type queueRow struct {
		Queue        string   `json:"queue"`
		Open         bool     `json:"is_open"`
		Offered      float64  `json:"offered"`
		ServiceLevel *float64 `json:"service_level"`
		AbandonRate  *float64 `json:"abandon_rate"`
		ASASec       *float64 `json:"asa_sec"`
	}
	qs, err := gaugeQuery[queueRow](ctx, a.s, a.q, "gauge_queues", kpi.QueryParams(now.Add(-GaugeWindow), now, ""))
	if err != nil {
		errs = append(errs, err)
	} else {
		a.m.serviceLevel.Reset()
		a.m.abandonRate.Reset()
		a.m.asa.Reset()
		a.m.offered.Reset()
		a.m.open.Reset()
		for _, r := range qs {
			a.m.offered.WithLabelValues(r.Queue).Set(r.Offered)
			open := 0.0
			if r.Open {
				open = 1
			}
			a.m.open.WithLabelValues(r.Queue).Set(open)
			setIf(a.m.serviceLevel, r.Queue, r.ServiceLevel)
			setIf(a.m.abandonRate, r.Queue, r.AbandonRate)
			setIf(a.m.asa, r.Queue, r.ASASec)
		}
	}
	if err := a.refreshForecastGauges(ctx, now); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// refreshForecastGauges sets today's calls against today's plan: the
// intraday view of the forecast that `frontline plan` re-forecasts from
// and FrontlineVolumeOffForecast alerts on.
func (a *Aggregator) refreshForecastGauges(ctx context.Context, now time.Time) error {
	type row struct {
		Queue    string  `json:"queue"`
		Forecast float64 `json:"forecast"`
		Offered  float64 `json:"offered"`
	}
	l := now.In(a.o.KPI.Zone)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, a.o.KPI.Zone)
	upto := midnight.Add(now.Sub(midnight) / (15 * time.Minute) * (15 * time.Minute))
	rows, err := gaugeQuery[row](ctx, a.s, a.q, "gauge_forecast", kpi.QueryParams(midnight, upto, ""))
	if err != nil {
		return err
	}
	a.m.forecastToday.Reset()
	a.m.vsForecast.Reset()
	for _, r := range rows {
		a.m.forecastToday.WithLabelValues(r.Queue).Set(r.Forecast)
		if r.Forecast > 0 {
			a.m.vsForecast.WithLabelValues(r.Queue).Set(r.Offered / r.Forecast)
		}
	}
	return nil
}

// setIf sets g{queue} to *v, or leaves it absent when v is nil (a KPI with
// a zero denominator).
func setIf(g *prometheus.GaugeVec, queue string, v *float64) {
	if v != nil {
		g.WithLabelValues(queue).Set(*v)
	}
}

// gaugeQuery runs sql/<name>.sql.
func gaugeQuery[T any](ctx context.Context, s store.Store, qs kpi.Queries, name string, p store.Params) ([]T, error) {
	q, err := qs.SQL(name)
	if err != nil {
		return nil, err
	}
	rows, err := store.QueryAll[T](ctx, s, q, p)
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", name, err)
	}
	return rows, nil
}
