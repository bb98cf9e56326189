package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

func produceCommand() command {
	return command{
		name:    "produce",
		summary: "publish JSONL events to their Kafka topics, keyed by entity id",
		setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string) error {
			kf := addKafkaFlags(fs, cfg)
			return func(ctx context.Context, files []string) error {
				if len(files) == 0 {
					return fmt.Errorf("%w: give one or more JSONL files ('-' for stdin)", errUsage)
				}
				_, transport, err := kf.dialer()
				if err != nil {
					return err
				}
				msgs := make(chan simulator.Message, 4096)
				var unroutable []string
				readErr := make(chan error, 1)
				go func() {
					defer close(msgs)
					for _, f := range files {
						u, err := routeFile(ctx, f, msgs)
						unroutable = append(unroutable, u...)
						if err != nil {
							readErr <- err
							return
						}
					}
					readErr <- nil
				}()
				n, err := publish(ctx, kf.list(), transport, msgs)
				for range msgs { // drain after a publish failure
				}
				if rerr := <-readErr; rerr != nil {
					return rerr
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(cfg.stdout, "published %d events\n", n)
				for _, u := range unroutable {
					fmt.Fprintf(cfg.stdout, "  not published: %s\n", u)
				}
				if len(unroutable) > 0 {
					return fmt.Errorf("%d lines could not be routed to a topic", len(unroutable))
				}
				return nil
			}
		},
	}
}

// routeFile reads JSONL and sends each line to the topic of its event type,
// keyed by the entity id. A line that fails validation but names a known
// type still goes to that type's topic, so that the collector sends it to the
// DLQ with its reason; a line without a readable type cannot be routed.
func routeFile(ctx context.Context, name string, out chan<- simulator.Message) ([]string, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("cannot open %q: %w", name, err)
		}
		defer f.Close()
		r = f
	}
	var unroutable []string
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		v := []byte(strings.TrimRight(string(b), "\r\n"))
		if len(strings.TrimSpace(string(v))) > 0 {
			m := simulator.Message{Value: v, At: time.Now()}
			if ev, derr := schemas.Decode(v); derr == nil {
				info, _ := schemas.Info(ev.Type)
				m.Topic, m.Key = info.Topic, ev.Data.Key()
			} else if info, ok := schemas.Info(peekEventType(v)); ok {
				m.Topic = info.Topic
			} else {
				unroutable = append(unroutable, fmt.Sprintf("%s:%d: %v", name, line, derr))
			}
			if m.Topic != "" {
				select {
				case out <- m:
				case <-ctx.Done():
					return unroutable, ctx.Err()
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return unroutable, nil
		}
		if err != nil {
			return unroutable, fmt.Errorf("cannot read %q after line %d: %w", name, line, err)
		}
	}
}

// publish writes messages to Kafka (acks=all, keys hashed like the Java
// client) until msgs is closed, logging progress, and returns how many were
// written. The demo and `simulate --brokers` use it too.
func publish(ctx context.Context, brokers []string, transport kafka.RoundTripper, msgs <-chan simulator.Message) (int, error) {
	w := &kafka.Writer{
		Transport:              transport,
		Addr:                   kafka.TCP(brokers...),
		Balancer:               &kafka.Murmur2Balancer{},
		RequiredAcks:           kafka.RequireAll,
		BatchSize:              5000,
		BatchBytes:             16 << 20,
		BatchTimeout:           5 * time.Millisecond,
		AllowAutoTopicCreation: true,
	}
	defer w.Close()
	const chunk = 5000
	buf := make([]kafka.Message, 0, chunk)
	n := 0
	last := time.Now()
	send := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := w.WriteMessages(ctx, buf...); err != nil {
			return fmt.Errorf("cannot publish to %v after %d events: %w", brokers, n, err)
		}
		n += len(buf)
		buf = buf[:0]
		if time.Since(last) > 2*time.Second {
			slog.Info("publishing", "events", n)
			last = time.Now()
		}
		return nil
	}
	for m := range msgs {
		buf = append(buf, kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value})
		if len(buf) == chunk {
			if err := send(); err != nil {
				return n, err
			}
		}
	}
	return n, send()
}

func peekEventType(b []byte) string {
	var e struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Type
}
