package chhttp

import "github.com/prometheus/client_golang/prometheus"

// Results of a request, the values of the result label.
const (
	resultOK           = "ok"           // the query ran and its result was sent
	resultError        = "error"        // the engine failed the query
	resultRefused      = "refused"      // the guard turned the query down
	resultUnauthorized = "unauthorized" // wrong or missing credentials
)

// metrics are the handler's Prometheus metrics, registered on the
// Registerer of Options (never the global one).
type metrics struct {
	queries  *prometheus.CounterVec
	refused  *prometheus.CounterVec
	duration prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_chhttp_queries_total",
			Help: "Requests to the ClickHouse HTTP interface, by result (ok, error, refused, unauthorized).",
		}, []string{"result"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_chhttp_refused_total",
			Help: "Queries the read-only guard turned down, by reason (statement, function, setting, outfile, multi_statement, database, parameter, unverifiable, request).",
		}, []string{"reason"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frontline_chhttp_query_duration_seconds",
			Help:    "Time from an authenticated request to its response, checks and engine included.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.queries, m.refused, m.duration)
	}
	return m
}
