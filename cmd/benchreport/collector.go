package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// result is one timed run over the same events.
type result struct {
	name   string
	events int
	took   time.Duration
	rss    int64 // peak resident set of the process, when it is one of ours
}

func (r result) rate() float64 { return float64(r.events) / r.took.Seconds() }

// dataset is simulated traffic as a producer would send it.
type dataset struct {
	msgs []kafka.Message
	file string // the same messages as JSONL, one per line
}

func simulate(agents, days int, dir string) (*dataset, error) {
	d := &dataset{file: filepath.Join(dir, "events.jsonl")}
	f, err := os.Create(d.file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	sim := simulator.New(simulator.Options{Days: days, Agents: agents, Seed: 7})
	if _, err := sim.Run(context.Background(), func(m simulator.Message) error {
		d.msgs = append(d.msgs, kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value})
		w.Write(m.Value)
		return w.WriteByte('\n')
	}); err != nil {
		return nil, err
	}
	return d, w.Flush()
}

// produceKcat publishes the dataset with kcat, an independent producer,
// each message to its topic with its key.
func produceKcat(ctx context.Context, brokers []string, d *dataset, dir string) (time.Duration, error) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		return 0, fmt.Errorf("kcat is needed as the outside producer and consumer (apt-get install kcat): %w", err)
	}
	byTopic := map[string]*bytes.Buffer{}
	for _, m := range d.msgs {
		if bytes.IndexByte(m.Value, '\t') >= 0 || bytes.IndexByte(m.Value, '\n') >= 0 {
			return 0, fmt.Errorf("a message holds a tab or newline, kcat's delimiters")
		}
		b := byTopic[m.Topic]
		if b == nil {
			b = &bytes.Buffer{}
			byTopic[m.Topic] = b
		}
		b.Write(m.Key)
		b.WriteByte('\t')
		b.Write(m.Value)
		b.WriteByte('\n')
	}
	start := time.Now()
	for topic, b := range byTopic {
		path := filepath.Join(dir, topic+".kv")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			return 0, err
		}
		cmd := exec.CommandContext(ctx, kcat, "-P", "-b", strings.Join(brokers, ","), "-t", topic, "-K", "\t", "-z", "lz4",
			"-X", "linger.ms=20", "-X", "batch.num.messages=10000", "-l", path)
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("kcat -P %s: %v\n%s", topic, err, out)
		}
	}
	return time.Since(start), nil
}

// kcatConsume reads every message of the event topics as one consumer
// group with kcat (librdkafka), from the first message to the last.
func kcatConsume(ctx context.Context, brokers []string, n int, group string) (result, error) {
	args := append([]string{"-b", strings.Join(brokers, ","), "-G", group, "-o", "beginning", "-e", "-q",
		"-c", strconv.Itoa(n), "-f", "\\n"}, schemas.Topics...)
	cmd := exec.CommandContext(ctx, "kcat", args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	sc := bufio.NewScanner(out)
	var first time.Time
	got := 0
	for sc.Scan() {
		if got == 0 {
			first = time.Now()
		}
		got++
	}
	took := time.Since(first)
	if err := cmd.Wait(); err != nil {
		return result{}, fmt.Errorf("kcat consumer: %w", err)
	}
	if got != n {
		return result{}, fmt.Errorf("kcat consumed %d messages of %d", got, n)
	}
	return result{name: "kcat, one consumer group (librdkafka)", events: n, took: took}, nil
}

// kafkaGoConsume fetches every message with a kafka-go group reader in this
// process, committing nothing: consumption alone, for reference.
func kafkaGoConsume(ctx context.Context, brokers []string, n int) (result, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "bench-kafka-go", GroupTopics: schemas.Topics,
		MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 250 * time.Millisecond, QueueCapacity: 1000, StartOffset: kafka.FirstOffset})
	defer r.Close()
	var start time.Time
	for i := 0; i < n; i++ {
		if _, err := r.FetchMessage(ctx); err != nil {
			return result{}, err
		}
		if i == 0 {
			start = time.Now()
		}
	}
	return result{name: "kafka-go FetchMessage, in process (reference)", events: n, took: time.Since(start)}, nil
}

// engineIngest has the embedded engine read the same lines from the file
// itself into a table of id, type, time and raw data:
// INSERT … SELECT FROM file(). It is what the store can take when nothing
// stands between it and the lines.
func engineIngest(ctx context.Context, dir string, d *dataset) (result, error) {
	s, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: dir, Database: "bench_engine", Library: engineLibrary, Create: true, Owner: "frontline bench"})
	if err != nil {
		return result{}, err
	}
	defer s.Close()
	if err := s.Exec(ctx, `CREATE TABLE IF NOT EXISTS lines (id String, type LowCardinality(String), time DateTime64(3, 'UTC'), data String)
ENGINE = MergeTree ORDER BY (type, id)`, nil); err != nil {
		return result{}, err
	}
	start := time.Now()
	err = s.Exec(ctx, `INSERT INTO lines SELECT JSONExtractString(line, 'id'), JSONExtractString(line, 'type'),
parseDateTime64BestEffortOrZero(JSONExtractString(line, 'time'), 3, 'UTC'), JSONExtractRaw(line, 'data')
FROM file({path:String}, 'LineAsString', 'line String')`, store.Params{"path": d.file})
	if err != nil {
		return result{}, fmt.Errorf("the engine's own ingest: %w", err)
	}
	return result{name: "the embedded engine's INSERT … SELECT FROM file() of the same lines", events: len(d.msgs), took: time.Since(start)}, nil
}

// collectRun runs `frontline collect` as its own process on a fresh
// embedded store and watches its metrics until every message is handled;
// events/s are from the first event fetched (its pending bytes rise) to the
// last handled, and rss is the process's peak (VmHWM).
func collectRun(ctx context.Context, bin, dir string, brokers []string, group string, n int, extra []string) (result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"collect", "--data", dir, "--brokers", strings.Join(brokers, ","),
		"--group", group, "--listen", addr, "--log-level", "warn"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+engineLibrary)
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("cannot start %s (run make build): %w", bin, err)
	}
	defer cmd.Process.Kill()
	var start time.Time
	last := time.Now()
	for {
		seen, pending, err := handled(addr)
		if err == nil && (seen > 0 || pending > 0) && start.IsZero() {
			start = time.Now() // the first event fetched
		}
		if seen >= n {
			break
		}
		if time.Since(last) > 5*time.Second {
			slog.Info("collecting", "handled", seen, "of", n)
			last = time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(start)
	rss := peakRSS(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return result{name: "frontline collect, end to end", events: n, took: took, rss: rss}, nil
}

// engineRSS is the peak resident set of a frontline process that has
// loaded the engine and migrated a store and does nothing else (an idle
// aggregate): the share of the collector's RSS that is the engine's.
func engineRSS(ctx context.Context, bin, dir string) (int64, error) {
	cmd := exec.CommandContext(ctx, bin, "aggregate", "--data", dir, "--listen", "127.0.0.1:0", "--every", "1h", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+engineLibrary)
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	time.Sleep(5 * time.Second) // the engine loaded, migrated, one aggregator run on an empty store
	return peakRSS(cmd.Process.Pid), nil
}

// handled sums frontline_collector_events_total from the collector's
// /metrics, and reads the bytes it holds fetched and not yet inserted.
func handled(addr string) (int, float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	total, pending := 0.0, 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "frontline_collector_events_total{"):
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			total += v
		case strings.HasPrefix(line, "frontline_collector_pending_bytes "):
			pending, _ = strconv.ParseFloat(f[len(f)-1], 64)
		}
	}
	return int(total), pending, sc.Err()
}

// peakRSS reads VmHWM (peak resident set) of a process in bytes.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// curvePoint is the collector's rate at one partition count and flush bound.
type curvePoint struct {
	partitions, maxRows int
	rate                float64
}

// curve measures the collector over partitions and flush bounds, each
// point on a broker of its own holding the same events.
func curve(ctx context.Context, bin, dir string, d *dataset, parts, rows []int) ([]curvePoint, error) {
	var out []curvePoint
	for _, p := range parts {
		kc, err := broker.Start(broker.Options{Partitions: int32(p)})
		if err != nil {
			return nil, err
		}
		w := &kafka.Writer{Addr: kafka.TCP(kc.ListenAddrs()...), Balancer: &kafka.Murmur2Balancer{}, RequiredAcks: kafka.RequireAll,
			BatchSize: 5000, BatchBytes: 1000 << 10, BatchTimeout: 5 * time.Millisecond}
		for i := 0; i < len(d.msgs); i += 20000 {
			if err := w.WriteMessages(ctx, d.msgs[i:min(i+20000, len(d.msgs))]...); err != nil {
				kc.Close()
				return nil, err
			}
		}
		w.Close()
		for _, r := range rows {
			slog.Info("curve", "partitions", p, "max_rows", r)
			res, err := collectRun(ctx, bin, filepath.Join(dir, fmt.Sprintf("curve-%d-%d", p, r)), kc.ListenAddrs(),
				fmt.Sprintf("curve-%d", r), len(d.msgs), []string{"--max-rows", strconv.Itoa(r)})
			if err != nil {
				kc.Close()
				return nil, err
			}
			out = append(out, curvePoint{p, r, res.rate()})
			os.RemoveAll(filepath.Join(dir, fmt.Sprintf("curve-%d-%d", p, r)))
		}
		kc.Close()
	}
	return out, nil
}
