package collector

import (
	"encoding/json"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collector's Prometheus metrics, registered on an injected
// Registerer (never the global one).
type Metrics struct {
	events         *prometheus.CounterVec
	dlq            *prometheus.CounterVec
	batchRows      prometheus.Histogram
	batchBytes     prometheus.Histogram
	insertDuration prometheus.Histogram
	lag            *prometheus.GaugeVec
	retries        *prometheus.CounterVec
	insertErrors   prometheus.Counter
	lastInsert     prometheus.Gauge
	pendingBytes   prometheus.Gauge
	reformed       prometheus.Counter
	unrecoverable  prometheus.Counter
	dlqForwarded   prometheus.Counter
	dlqDeferred    prometheus.Counter
	kafkaUp        prometheus.Gauge
}

// NewMetrics creates the metrics and registers them on reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_collector_events_total",
			Help: "Events read, by topic, CloudEvents type and result (loaded, duplicate, invalid).",
		}, []string{"topic", "type", "result"}),
		dlq: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_collector_dlq_total",
			Help: "Invalid events sent to the dead-letter queue, by reason code.",
		}, []string{"reason"}),
		batchRows: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frontline_collector_batch_rows",
			Help:    "Messages per inserted batch.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 10),
		}),
		batchBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frontline_collector_batch_bytes",
			Help:    "Message bytes per inserted batch.",
			Buckets: prometheus.ExponentialBuckets(256, 4, 10),
		}),
		insertDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "frontline_collector_insert_duration_seconds",
			Help:    "Time to insert one batch into ClickHouse (all its tables).",
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12),
		}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "frontline_collector_consumer_lag",
			Help: "Messages behind the partition's high watermark, as of the last fetch.",
		}, []string{"topic", "partition"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_collector_retries_total",
			Help: "Retried operations after a failure (insert, dlq, commit).",
		}, []string{"op"}),
		insertErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontline_collector_insert_errors_total",
			Help: "Failed batch inserts (each is retried; nothing is committed until it succeeds).",
		}),
		lastInsert: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "frontline_collector_last_insert_timestamp_seconds",
			Help: "Unix time of the last successful batch insert.",
		}),
		pendingBytes: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "frontline_collector_pending_bytes",
			Help: "Bytes of fetched messages waiting in batches (bounded by MaxPendingBytes).",
		}),
		reformed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontline_collector_reformed_flushes_total",
			Help: "Flushes an earlier run left in flight (a crash, a rebalance), re-formed from Kafka and inserted with their recorded token.",
		}),
		unrecoverable: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontline_collector_unrecoverable_ranges_total",
			Help: "Ranges of an interrupted flush no longer in Kafka (retention passed) when a collector came to re-form them.",
		}),
		dlqForwarded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontline_collector_dlq_forwarded_total",
			Help: "Invalid messages written to the DLQ topic.",
		}),
		dlqDeferred: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "frontline_collector_dlq_deferred_total",
			Help: "Invalid messages left for the DLQ sweep because the forwarding queue was full.",
		}),
		kafkaUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "frontline_collector_kafka_up",
			Help: "1 when the last probe reached the brokers (metadata with the collector's TLS/SASL settings), else 0.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.dlq, m.batchRows, m.batchBytes, m.insertDuration, m.lag, m.retries, m.insertErrors,
			m.lastInsert, m.pendingBytes, m.reformed, m.unrecoverable, m.dlqForwarded, m.dlqDeferred, m.kafkaUp)
	}
	return m
}

// jsonField reads one string field of a JSON row.
func jsonField(row []byte, name string) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(row, &m); err != nil {
		return "", fmt.Errorf("cannot decode row %q: %w", row, err)
	}
	s, _ := m[name].(string)
	return s, nil
}

// peekType reads the CloudEvents type of a message that failed validation,
// for metrics and the DLQ; "" when unreadable.
func peekType(b []byte) string {
	var e struct {
		Type any `json:"type"`
	}
	if json.Unmarshal(b, &e) != nil {
		return ""
	}
	s, _ := e.Type.(string)
	return s // raw: labels use schemas.TypeLabel, the dlq table schemas.SafeText
}
