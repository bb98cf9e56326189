package collector

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// Ready reports whether the collector can do its work: the last store
// operation succeeded and the last probe reached the brokers (for /readyz).
func (c *Collector) Ready() bool { return c.NotReady() == "" }

// NotReady says why Ready is false ("" when it is true).
func (c *Collector) NotReady() string {
	if p := c.kafkaErr.Load(); p != nil {
		return "Kafka: " + *p
	}
	if !c.storeOK.Load() {
		return "ClickHouse: the last store operation failed; retrying"
	}
	return ""
}

// probe asks the brokers for the topics' metadata every ProbeInterval, with
// the collector's own TLS and SASL settings, so that unreachable brokers or
// refused credentials show on /readyz instead of only in the reader's logs.
func (c *Collector) probe(ctx context.Context) {
	client := &kafka.Client{Addr: kafka.TCP(c.o.Brokers...), Transport: c.o.Transport, Timeout: c.o.ProbeInterval}
	for {
		pctx, cancel := context.WithTimeout(ctx, c.o.ProbeInterval)
		_, err := client.Metadata(pctx, &kafka.MetadataRequest{Topics: c.o.Topics})
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			msg := fmt.Sprintf("cannot reach the brokers %v: %v", c.o.Brokers, err)
			if c.kafkaErr.Swap(&msg) == nil {
				c.log.Warn("not ready", "reason", msg)
			}
			c.metrics.kafkaUp.Set(0)
		} else {
			if c.kafkaErr.Swap(nil) != nil {
				c.log.Info("the brokers answer again")
			}
			c.metrics.kafkaUp.Set(1)
		}
		if !sleepCtx(ctx, c.o.ProbeInterval) {
			return
		}
	}
}
