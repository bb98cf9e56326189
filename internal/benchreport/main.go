// Command benchreport is `make bench`: it measures Frontline against baselines
// taken in the same run on the same machine (shared machines are noisy, so
// only ratios are compared with targets) and writes BENCHMARKS.md.
//
// Collector: N simulated events are produced to the embedded Kafka broker;
// then, one after the other,
//
//	(a) a plain kafka-go consumer-group reader fetches all N messages,
//	(b) a plain chDB insert writes the same rows (decoded beforehand) in
//	    10,000-row blocks, without any bookkeeping,
//	(e) `frontline collect` (a separate process, embedded ClickHouse) consumes
//	    all N into ClickHouse — decode, validate, dedupe, DLQ, ingest state.
//
// Throughput is events/s from the first to the last event handled (so the
// consumer group's join time is left out of all three alike), and the ratio
// is e / min(a, b). The collector's peak RSS is VmHWM of its process.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

// engineLibrary is the embedded engine the benchmarks load (CHDB_LIB_PATH,
// which the Makefile exports).
var engineLibrary string

func main() {
	out := flag.String("out", "BENCHMARKS.md", "report file")
	bin := flag.String("bin", "bin/frontline", "frontline binary (make build)")
	agents := flag.Int("agents", 200, "simulated centre size")
	days := flag.Int("days", 4, "simulated days for the collector run")
	kpiSizes := flag.String("kpi", "170x30,1700x30", "centres (agents x days) for the KPI query measurements; empty skips them")
	pkgBench := flag.Bool("pkg", true, "also run the package benchmarks (go test -bench)")
	collectArgs := flag.String("collect-args", "", "extra flags for `frontline collect`, space separated (to try batch settings)")
	flag.Parse()
	lib, err := chdb.Find(os.Getenv("CHDB_LIB_PATH"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(3)
	}
	engineLibrary = lib
	if err := run(*out, *bin, *agents, *days, *kpiSizes, *pkgBench, strings.Fields(*collectArgs)); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

type result struct {
	name   string
	events int
	took   time.Duration
}

func (r result) rate() float64 { return float64(r.events) / r.took.Seconds() }

func run(out, bin string, agents, days int, kpiSizes string, pkgBench bool, collectArgs []string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "frontline-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	slog.Info("simulating", "agents", agents, "days", days)
	var msgs []kafka.Message
	sim := simulator.New(simulator.Options{Days: days, Agents: agents, Seed: 7})
	if _, err := sim.Run(ctx, func(m simulator.Message) error {
		msgs = append(msgs, kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: m.Value})
		return nil
	}); err != nil {
		return err
	}
	n := len(msgs)
	kc, err := broker.Start(broker.Options{Partitions: 6})
	if err != nil {
		return err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	slog.Info("producing to the embedded broker", "events", n)
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Murmur2Balancer{}, RequiredAcks: kafka.RequireAll, BatchSize: 5000, BatchBytes: 16 << 20, BatchTimeout: 5 * time.Millisecond}
	for i := 0; i < n; i += 20000 {
		if err := w.WriteMessages(ctx, msgs[i:min(i+20000, n)]...); err != nil {
			return fmt.Errorf("cannot produce: %w", err)
		}
	}
	w.Close()

	slog.Info("(a) plain kafka-go consume")
	a, err := rawConsume(ctx, brokers, n)
	if err != nil {
		return err
	}
	slog.Info("(b) plain chDB insert")
	b, err := rawInsert(ctx, filepath.Join(tmp, "raw"), msgs)
	if err != nil {
		return err
	}
	msgs = nil
	runtime.GC()
	slog.Info("(e) frontline collect")
	e, rss, err := collect(ctx, bin, filepath.Join(tmp, "collector"), brokers, n, collectArgs)
	if err != nil {
		return err
	}
	var kpis []kpiResult
	for i, size := range splitSizes(kpiSizes) {
		slog.Info("KPI queries", "agents", size[0], "days", size[1])
		r, err := kpiBench(ctx, filepath.Join(tmp, "raw"), fmt.Sprintf("kpi%d", i), size[0], size[1])
		if err != nil {
			return err
		}
		kpis = append(kpis, r)
	}
	pkgs := "(not run: -pkg=false)"
	if pkgBench {
		slog.Info("package benchmarks (decode, Erlang, rollup vs raw)")
		if pkgs, err = goBench(); err != nil {
			return err
		}
	}
	return write(out, agents, days, a, b, e, rss, kpiTable(kpis), pkgs)
}

// goBench runs the Go benchmarks that sit beside the code they measure and
// returns their result lines.
func goBench() (string, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchtime", "2s", "-benchmem",
		"./schemas/", "./aggregator/erlang/", "./report/", "./collector/")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go test -bench: %w\n%s", err, b)
	}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "pkg:") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n"), nil
}

// rawConsume fetches n messages with a kafka-go group reader, committing
// nothing: the ceiling of consumption alone.
func rawConsume(ctx context.Context, brokers []string, n int) (result, error) {
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, GroupID: "bench-raw", GroupTopics: schemas.Topics,
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
	return result{"kafka-go FetchMessage", n, time.Since(start)}, nil
}

// rawInsert decodes every message first (not timed), then times plain inserts
// of the rows in 10,000-row blocks per table.
func rawInsert(ctx context.Context, dir string, msgs []kafka.Message) (result, error) {
	s, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: dir, Database: "bench", Library: engineLibrary, Create: true, Owner: "frontline bench"})
	if err != nil {
		return result{}, err
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		return result{}, err
	}
	type tbl struct {
		info schemas.TypeInfo
		rows [][]any
	}
	tables := map[string]*tbl{}
	var order []string
	n := 0
	for _, m := range msgs {
		ev, err := schemas.Decode(m.Value)
		if err != nil {
			continue
		}
		info, _ := schemas.Info(ev.Type)
		t := tables[info.Table]
		if t == nil {
			t = &tbl{info: info}
			tables[info.Table] = t
			order = append(order, info.Table)
		}
		t.rows = append(t.rows, ev.Row())
		n++
	}
	start := time.Now()
	for _, name := range order {
		t := tables[name]
		for i := 0; i < len(t.rows); i += 10000 {
			if err := s.Insert(ctx, &store.Block{Table: name, Columns: t.info.InsertColumns(), Rows: t.rows[i:min(i+10000, len(t.rows))]}); err != nil {
				return result{}, err
			}
		}
	}
	return result{"chDB INSERT (10k-row blocks)", n, time.Since(start)}, nil
}

// collect runs `frontline collect` as its own process and watches its
// metrics until all n messages are handled; rss is the process's peak.
func collect(ctx context.Context, bin, dir string, brokers []string, n int, extra []string) (result, int64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := append([]string{"collect", "--data", dir, "--brokers", strings.Join(brokers, ","),
		"--group", "bench-collector", "--listen", addr}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = os.Stderr
	cmd.Env = os.Environ()
	if os.Getenv("FRONTLINE_LOG_LEVEL") == "" {
		cmd.Env = append(cmd.Env, "FRONTLINE_LOG_LEVEL=warn")
	}
	if err := cmd.Start(); err != nil {
		return result{}, 0, fmt.Errorf("cannot start %s (run make build): %w", bin, err)
	}
	defer cmd.Process.Kill()
	var start time.Time
	last := time.Now()
	for {
		seen, err := handled(addr)
		if err == nil && seen > 0 && start.IsZero() {
			start = time.Now()
		}
		if seen >= n {
			break
		}
		if time.Since(last) > 5*time.Second {
			slog.Info("collecting", "handled", seen, "of", n)
			last = time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(start)
	rss := peakRSS(cmd.Process.Pid)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	return result{"frontline collect (end to end)", n, took}, rss, nil
}

// handled sums frontline_collector_events_total from the collector's /metrics.
func handled(addr string) (int, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "frontline_collector_events_total{") {
			continue
		}
		f := strings.Fields(line)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		total += v
	}
	return int(total), sc.Err()
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

func write(out string, agents, days int, a, b, e result, rss int64, kpis, pkgs string) error {
	floor := min(a.rate(), b.rate())
	ratio := e.rate() / floor
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Benchmarks\n\nWritten by `make bench` on %s (%d cores, %s). Each baseline is measured in the same run as\nthe thing it is compared with; compare ratios, not absolute numbers, across machines.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), runtime.GOARCH)
	fmt.Fprintf(&buf, "## Collector throughput (issue 3)\n\n%d simulated events (%d agents, %d days) in the embedded Kafka broker, 6 partitions per topic.\n\n", e.events, agents, days)
	fmt.Fprintf(&buf, "| run | events | seconds | events/s |\n|---|---:|---:|---:|\n")
	for _, r := range []result{a, b, e} {
		fmt.Fprintf(&buf, "| %s | %d | %.2f | %.0f |\n", r.name, r.events, r.took.Seconds(), r.rate())
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	fmt.Fprintf(&buf, "\n| measure | value | target | |\n|---|---:|---:|---|\n")
	fmt.Fprintf(&buf, "| e2e / min(a, b) | %.2f | ≥ 0.70 | %s |\n", ratio, verdict(ratio >= 0.7))
	fmt.Fprintf(&buf, "| e2e events/s | %.0f | ≥ 100,000 | %s |\n", e.rate(), verdict(e.rate() >= 100000))
	fmt.Fprintf(&buf, "| collector peak RSS | %.0f MB | < 300 MB | %s |\n", float64(rss)/(1<<20), verdict(rss < 300<<20))
	buf.WriteString(collectorNote)
	buf.WriteString(kpis)
	fmt.Fprintf(&buf, "\n## Package benchmarks\n\n`go test -bench` beside the code: decode per event, Erlang C/A staffing, a day's\nper-interval query on the rollup against the same on raw events and a `count()` of the raw\ntables (ratios in the metrics), the collector's store side alone.\n\n```\n%s\n```\n", pkgs)
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	os.Stdout.Write(buf.Bytes())
	return nil
}

const collectorNote = `
Where the time goes. The collector inserts each partition's batch with its bookkeeping, on
a goroutine of its own while the next batches are fetched and decoded: an ` + "`ingest_state`" + `
row before and after, an ` + "`event_ids`" + ` look-up for producer duplicates, one insert per event
table and one into ` + "`event_ids`" + `, and a synchronous offset commit. In chDB every INSERT costs
a fixed 7–10 ms (a one-row insert into ` + "`ingest_state`" + ` took 6.6 ms, into ` + "`event_ids`" + ` with a
deduplication token 10 ms, against 0.7 ms for ` + "`SELECT 1`" + `; 2026-11-29). In a build timed per
step (56 batches of ~6,000 events, 2026-11-29) a batch spent on average 53 ms in the event-table
inserts, 19 ms in the look-up, 19 ms in the ` + "`event_ids`" + ` insert and 21 ms in the two
` + "`ingest_state`" + ` rows: about half of it is bookkeeping whose cost does not shrink with the
batch. This run has only ~10,000 events per partition (36 partitions), so the batches cannot
grow large enough to amortise it, while the raw chDB insert baseline writes one block per
10,000 rows of each table and nothing else.
The peak RSS includes the embedded ClickHouse engine itself (about 230 MB for a process that
only opens chDB and migrates, measured with /proc VmHWM); with --dsn the engine is not loaded.
The Go heap peaked at 384 MB before a collection (194 MB live after it, GODEBUG=gctrace=1,
2026-11-29): decoded events of the open batches, counted against MaxPendingBytes by their raw
size. GOMEMLIMIT=128MiB brought the peak RSS to 431 MB in one trial run (2026-11-29).
`

// splitSizes parses "170x30,1700x30".
func splitSizes(s string) [][2]int {
	var out [][2]int
	for _, p := range strings.Split(s, ",") {
		var a, d int
		if _, err := fmt.Sscanf(strings.TrimSpace(p), "%dx%d", &a, &d); err == nil {
			out = append(out, [2]int{a, d})
		}
	}
	return out
}
