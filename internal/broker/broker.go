// Package broker starts the embedded Kafka broker (franz-go's kfake, the real
// Kafka wire protocol in-process) that the demo and the tests use in place of
// a Kafka cluster.
package broker

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/frontline-oss/frontline/schemas"
)

// Options shape the embedded broker.
type Options struct {
	// Partitions per topic. Default 3.
	Partitions int32
	// Topics created at start. Default: the six cs.* topics and cs.dlq.
	Topics []string
	// Extra kfake options (SASL, TLS, ports).
	Extra []kfake.Opt
}

// Start runs an embedded single-node Kafka cluster; Close stops it. Topics
// not created at start are created on first use.
func Start(o Options) (*kfake.Cluster, error) {
	if o.Partitions <= 0 {
		o.Partitions = 3
	}
	if len(o.Topics) == 0 {
		o.Topics = append(append([]string{}, schemas.Topics...), schemas.TopicDLQ)
	}
	opts := append([]kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(int(o.Partitions)),
		kfake.SeedTopics(o.Partitions, o.Topics...),
	}, o.Extra...)
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot start embedded Kafka broker: %w", err)
	}
	return c, nil
}
