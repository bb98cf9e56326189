package main

import (
	"github.com/frontline-oss/frontline/kpi"

	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl/plain"

	"github.com/frontline-oss/frontline/aggregator"
	"github.com/frontline-oss/frontline/collector"
)

// kafkaFlags are the connection flags of commands that talk to Kafka.
type kafkaFlags struct {
	brokers  string
	tls      bool
	caFile   string
	saslUser string
	cfg      *config
}

func addKafkaFlags(fs *flag.FlagSet, cfg *config) *kafkaFlags {
	f := &kafkaFlags{cfg: cfg}
	fs.StringVar(&f.brokers, "brokers", "localhost:9092", "Kafka bootstrap brokers, comma separated")
	fs.BoolVar(&f.tls, "kafka-tls", false, "connect to Kafka with TLS")
	fs.StringVar(&f.caFile, "kafka-ca", "", "PEM file of CAs to trust for Kafka TLS (default: system roots)")
	fs.StringVar(&f.saslUser, "kafka-sasl-user", "", "SASL/PLAIN user; the password comes from FRONTLINE_KAFKA_PASSWORD or the file in FRONTLINE_KAFKA_PASSWORD_FILE")
	return f
}

func (f *kafkaFlags) list() []string { return splitList(f.brokers) }

// dialer builds the reader's dialer and the writer's transport from the flags.
func (f *kafkaFlags) dialer() (*kafka.Dialer, *kafka.Transport, error) {
	if len(f.list()) == 0 {
		return nil, nil, fmt.Errorf("%w: --brokers is empty", errUsage)
	}
	d := &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true}
	t := &kafka.Transport{}
	if f.tls {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if f.caFile != "" {
			pem, err := os.ReadFile(f.caFile)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: cannot read Kafka CA file %q: %v", errUsage, f.caFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, nil, fmt.Errorf("%w: no certificates in Kafka CA file %q", errUsage, f.caFile)
			}
			cfg.RootCAs = pool
		}
		d.TLS, t.TLS = cfg, cfg
	}
	if f.saslUser != "" {
		m := plain.Mechanism{Username: f.saslUser, Password: f.cfg.secret("kafka-password")}
		d.SASLMechanism, t.SASL = m, m
	}
	return d, t, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// collectorFlags are the collector's flags (serve and collect).
type collectorFlags struct {
	group, topics                                        string
	maxRows, maxPending                                  int
	maxWait, sessionTimeout, rebalanceTimeout, heartbeat time.Duration
}

func addCollectorFlags(fs *flag.FlagSet) *collectorFlags {
	f := &collectorFlags{}
	fs.StringVar(&f.group, "group", "frontline-collector", "Kafka consumer group")
	fs.StringVar(&f.topics, "topics", "", "topics to consume, comma separated (default: the six cs.* topics)")
	fs.IntVar(&f.maxRows, "max-rows", 100000, "messages per flush, over all partitions")
	fs.IntVar(&f.maxPending, "max-pending-bytes", 32<<20, "message bytes the collector holds at most: the flush being inserted and the one forming, each closed at half")
	fs.DurationVar(&f.maxWait, "max-wait", time.Second, "age at which the forming flush goes to the inserter when it is free (while it is busy, the flush keeps growing)")
	fs.DurationVar(&f.sessionTimeout, "session-timeout", 6*time.Second, "consumer-group session timeout: how long a collector that died without leaving holds its partitions (the broker's group.min.session.timeout.ms bounds it from below)")
	fs.DurationVar(&f.rebalanceTimeout, "rebalance-timeout", 10*time.Second, "how long a rebalance waits for the live members to rejoin")
	fs.DurationVar(&f.heartbeat, "heartbeat-interval", time.Second, "consumer-group heartbeat interval, below the session timeout; also how soon a member learns of a rebalance")
	return f
}

// options validates the flags into collector options.
func (f *collectorFlags) options(kf *kafkaFlags) (collector.Options, error) {
	switch {
	case strings.TrimSpace(f.group) == "":
		return collector.Options{}, fmt.Errorf("%w: --group is empty", errUsage)
	case f.maxRows <= 0:
		return collector.Options{}, fmt.Errorf("%w: --max-rows %d: want at least 1", errUsage, f.maxRows)
	case f.maxPending < 1<<20:
		return collector.Options{}, fmt.Errorf("%w: --max-pending-bytes %d: want at least 1 MiB", errUsage, f.maxPending)
	case f.maxWait <= 0:
		return collector.Options{}, fmt.Errorf("%w: --max-wait %s: want a positive duration", errUsage, f.maxWait)
	}
	dialer, transport, err := kf.dialer()
	if err != nil {
		return collector.Options{}, err
	}
	o := collector.Options{
		Brokers: kf.list(), Group: f.group, Topics: splitList(f.topics),
		MaxRows: f.maxRows, MaxWait: f.maxWait, MaxPendingBytes: f.maxPending,
		SessionTimeout: f.sessionTimeout, RebalanceTimeout: f.rebalanceTimeout, HeartbeatInterval: f.heartbeat,
		Dialer: dialer, Transport: transport,
	}
	if err := o.Check(); err != nil {
		return collector.Options{}, fmt.Errorf("%w: %v (--session-timeout, --rebalance-timeout, --heartbeat-interval)", errUsage, err)
	}
	return o, nil
}

// aggregatorFlags are the aggregator's flags (serve and aggregate).
type aggregatorFlags struct {
	every, lateness time.Duration
}

func addAggregatorFlags(fs *flag.FlagSet) *aggregatorFlags {
	f := &aggregatorFlags{}
	addTZFlag(fs) // read into the KPI configuration by config.resolve
	fs.DurationVar(&f.every, "every", aggregator.DefaultEvery, "time between aggregator runs (the gauges are at most this old)")
	fs.DurationVar(&f.lateness, "lateness", aggregator.DefaultLateness, "how late an event may arrive and still correct the derived tables")
	return f
}

// options validates the flags into aggregator options measuring with the
// KPI configuration c (each queue's thresholds and opening hours).
func (f *aggregatorFlags) options(c kpi.Config) (aggregator.Options, error) {
	switch {
	case f.every <= 0:
		return aggregator.Options{}, fmt.Errorf("%w: --every %s: want a positive duration", errUsage, f.every)
	case f.lateness <= 0:
		return aggregator.Options{}, fmt.Errorf("%w: --lateness %s: want a positive duration", errUsage, f.lateness)
	}
	return aggregator.Options{Every: f.every, Lateness: f.lateness, KPI: c}, nil
}
