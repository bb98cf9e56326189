package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl/plain"
)

// kafkaFlags are the connection flags of commands that talk to Kafka.
type kafkaFlags struct {
	brokers  string
	tls      bool
	caFile   string
	saslUser string
}

func addKafkaFlags(fs *flag.FlagSet) *kafkaFlags {
	f := &kafkaFlags{}
	fs.StringVar(&f.brokers, "brokers", "localhost:9092", "Kafka bootstrap brokers, comma separated")
	fs.BoolVar(&f.tls, "kafka-tls", false, "connect to Kafka with TLS")
	fs.StringVar(&f.caFile, "kafka-ca", "", "PEM file of CAs to trust for Kafka TLS (default: system roots)")
	fs.StringVar(&f.saslUser, "kafka-sasl-user", "", "SASL/PLAIN user; the password comes from FRONTLINE_KAFKA_PASSWORD or the file in FRONTLINE_KAFKA_PASSWORD_FILE")
	return f
}

func (f *kafkaFlags) list() []string { return splitList(f.brokers) }

// dialer builds the reader's dialer and the writer's transport from the flags.
func (f *kafkaFlags) dialer() (*kafka.Dialer, *kafka.Transport, error) {
	d := &kafka.Dialer{Timeout: 10 * time.Second, DualStack: true}
	t := &kafka.Transport{}
	if f.tls {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if f.caFile != "" {
			pem, err := os.ReadFile(f.caFile)
			if err != nil {
				return nil, nil, fmt.Errorf("cannot read Kafka CA file %q: %w", f.caFile, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, nil, fmt.Errorf("no certificates in Kafka CA file %q", f.caFile)
			}
			cfg.RootCAs = pool
		}
		d.TLS, t.TLS = cfg, cfg
	}
	if f.saslUser != "" {
		pw := os.Getenv("FRONTLINE_KAFKA_PASSWORD")
		if file := os.Getenv("FRONTLINE_KAFKA_PASSWORD_FILE"); file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, nil, fmt.Errorf("cannot read Kafka password file %q: %w", file, err)
			}
			pw = strings.TrimSpace(string(b))
		}
		m := plain.Mechanism{Username: f.saslUser, Password: pw}
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
