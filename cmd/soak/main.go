// Command soak runs `frontline collect` for a long time at half the rate it
// can take, kills it with SIGKILL every few minutes, and draws its memory,
// consumer lag and throughput over time: the soak of issue 11. `make soak`
// runs it for 30 minutes and writes docs/soak.md and docs/soak.png.
//
// It starts an embedded Kafka broker, measures the collector's maximum rate
// on a calibration load, then produces simulated traffic at half that rate
// while the collector (a child process, as in production) consumes it into
// an embedded store. At the end it stops producing, waits until the
// collector has caught up, stops it, and checks the store: every valid
// event once, every invalid one in the DLQ.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/schemas"
	"github.com/frontline-oss/frontline/simulator"
)

func main() {
	o := options{}
	flag.DurationVar(&o.duration, "duration", 30*time.Minute, "how long to produce")
	flag.DurationVar(&o.killEvery, "kill-every", 5*time.Minute, "SIGKILL the collector this often")
	flag.Float64Var(&o.rate, "rate", 0, "events per second to produce (0: half the maximum measured first)")
	flag.StringVar(&o.bin, "bin", "bin/frontline", "the frontline binary (make build)")
	flag.StringVar(&o.out, "out", "docs", "directory for soak.md and soak.png")
	flag.IntVar(&o.agents, "agents", 40, "simulated centre size of each day produced")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	lib, err := chdb.Find(os.Getenv("CHDB_LIB_PATH"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err, chdb.Hint)
		os.Exit(3)
	}
	o.lib = lib
	if err := soak(context.Background(), o, log); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type options struct {
	duration, killEvery time.Duration
	rate                float64
	bin, out, lib       string
	agents              int
}

// sample is one observation of the running collector.
type sample struct {
	at        time.Duration // since the soak began
	rssMB     float64
	lag       int64
	perSecond float64
}

func soak(ctx context.Context, o options, log *slog.Logger) error {
	tmp, err := os.MkdirTemp("", "frontline-soak-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if o.rate <= 0 {
		max, err := calibrate(ctx, o, filepath.Join(tmp, "calibrate"), log)
		if err != nil {
			return fmt.Errorf("calibration: %w", err)
		}
		o.rate = max / 2
		log.Info("calibrated", "max_events_per_second", int(max), "soak_rate", int(o.rate))
	}
	kc, err := broker.Start(broker.Options{Partitions: 6})
	if err != nil {
		return err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	data := filepath.Join(tmp, "data")

	col, err := startCollector(o, data, brokers, "soak")
	if err != nil {
		return err
	}
	began := time.Now()
	var produced, expectRows, expectDLQ atomic.Int64
	pctx, stopProducing := context.WithCancel(ctx)
	defer stopProducing()
	var pwg sync.WaitGroup
	pwg.Add(1)
	var perr error
	go func() {
		defer pwg.Done()
		perr = produce(pctx, brokers, o, &produced, &expectRows, &expectDLQ)
	}()

	var samples []sample
	var kills []time.Duration
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	var lastCommitted int64
	lastAt := time.Now()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	nextKill := began.Add(o.killEvery)
	for time.Since(began) < o.duration {
		<-tick.C
		committed, lag, err := groupProgress(ctx, client, "soak")
		if err != nil {
			log.Warn("cannot read the group's offsets", "err", err)
			continue
		}
		now := time.Now()
		rate := float64(committed-lastCommitted) / now.Sub(lastAt).Seconds()
		if lastCommitted == 0 {
			rate = 0
		}
		lastCommitted, lastAt = committed, now
		samples = append(samples, sample{at: now.Sub(began), rssMB: float64(rss(col.Process.Pid)) / (1 << 20), lag: lag, perSecond: rate})
		if now.After(nextKill) && now.Sub(began) < o.duration-30*time.Second {
			log.Info("SIGKILL", "after", now.Sub(began).Round(time.Second), "lag", lag)
			_ = col.Process.Signal(syscall.SIGKILL)
			_ = col.Wait()
			kills = append(kills, time.Since(began))
			if col, err = startCollector(o, data, brokers, "soak"); err != nil {
				return err
			}
			nextKill = now.Add(o.killEvery)
		}
	}
	stopProducing()
	pwg.Wait()
	if perr != nil && !errors.Is(perr, context.Canceled) {
		return perr
	}
	log.Info("producing stopped; waiting for the collector to catch up", "produced", produced.Load())
	for deadline := time.Now().Add(10 * time.Minute); ; {
		_, lag, err := groupProgress(ctx, client, "soak")
		if err == nil && lag == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the collector did not catch up within 10 minutes (lag %d)", lag)
		}
		time.Sleep(time.Second)
	}
	_ = col.Process.Signal(syscall.SIGTERM)
	if err := col.Wait(); err != nil {
		return fmt.Errorf("the collector did not stop cleanly on SIGTERM: %w", err)
	}
	got, err := countStore(ctx, o.lib, data)
	if err != nil {
		return err
	}
	want := counts{Rows: expectRows.Load(), DLQ: expectDLQ.Load()}
	log.Info("store checked", "got", got, "want", want)
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	if err := draw3(filepath.Join(o.out, "soak.png"), samples, kills); err != nil {
		return err
	}
	return report(filepath.Join(o.out, "soak.md"), o, samples, kills, produced.Load(), got, want)
}

// startCollector runs `frontline collect` as a child process.
func startCollector(o options, data string, brokers []string, group string) (*exec.Cmd, error) {
	cmd := exec.Command(o.bin, "collect", "--data", data, "--brokers", strings.Join(brokers, ","), "--group", group,
		"--listen", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+o.lib)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s (run make build): %w", o.bin, err)
	}
	return cmd, nil
}

// produce publishes simulated traffic at o.rate until ctx ends: one
// simulated day, generated once, sent again and again with its event ids
// prefixed by the round so that rounds never collide (generating traffic
// would otherwise take the CPU the collector is measured on). It counts
// what the store must hold: every distinct valid event, every invalid
// message.
func produce(ctx context.Context, brokers []string, o options, produced, rows, dlq *atomic.Int64) error {
	var day []simulator.Message
	sim := simulator.New(simulator.Options{Days: 1, Agents: o.agents, Seed: 1})
	st, err := sim.Run(ctx, func(m simulator.Message) error {
		day = append(day, m)
		return nil
	})
	if err != nil {
		return err
	}
	// Compressed: the embedded broker keeps every record in memory for the
	// whole soak (its DeleteRecords cannot be used: it breaks the broker's
	// bookkeeping), and JSON events compress several times over.
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Balancer: &kafka.Murmur2Balancer{}, RequiredAcks: kafka.RequireAll,
		BatchSize: 1000, BatchTimeout: 5 * time.Millisecond, AllowAutoTopicCreation: true, Compression: kafka.Zstd}
	defer w.Close()
	start := time.Now()
	var sent int64
	buf := make([]kafka.Message, 0, 500)
	for round := 0; ctx.Err() == nil; round++ {
		prefix := []byte(fmt.Sprintf(`"id":"r%d-`, round))
		for _, m := range day {
			v := bytes.Replace(m.Value, []byte(`"id":"`), prefix, 1)
			buf = append(buf, kafka.Message{Topic: m.Topic, Key: []byte(m.Key), Value: v})
			if len(buf) == cap(buf) {
				if err := send(w, &buf, &sent, start, o.rate); err != nil {
					return err
				}
				produced.Add(int64(cap(buf)))
			}
		}
		n := int64(len(buf))
		if err := send(w, &buf, &sent, start, o.rate); err != nil {
			return err
		}
		produced.Add(n)
		rows.Add(int64(st.Events))
		dlq.Add(int64(st.Invalid))
	}
	return ctx.Err()
}

// send writes buf, pacing the total sent to rate events per second. A
// round is finished even when the soak ends, so that its counts hold.
func send(w *kafka.Writer, buf *[]kafka.Message, sent *int64, start time.Time, rate float64) error {
	if len(*buf) == 0 {
		return nil
	}
	*sent += int64(len(*buf))
	if ahead := time.Duration(float64(*sent)/rate*float64(time.Second)) - time.Since(start); ahead > 0 {
		time.Sleep(ahead)
	}
	if err := w.WriteMessages(context.Background(), *buf...); err != nil {
		return err
	}
	*buf = (*buf)[:0]
	return nil
}

// groupProgress sums the group's committed offsets and its lag over the
// event topics.
func groupProgress(ctx context.Context, client *kafka.Client, group string) (committed, lag int64, err error) {
	meta, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: schemas.Topics})
	if err != nil {
		return 0, 0, err
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	fetch := &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{}}
	for _, t := range meta.Topics {
		for _, p := range t.Partitions {
			req.Topics[t.Name] = append(req.Topics[t.Name], kafka.LastOffsetOf(p.ID))
			fetch.Topics[t.Name] = append(fetch.Topics[t.Name], p.ID)
		}
	}
	last, err := client.ListOffsets(ctx, req)
	if err != nil {
		return 0, 0, err
	}
	comm, err := client.OffsetFetch(ctx, fetch)
	if err != nil {
		return 0, 0, err
	}
	for topic, parts := range last.Topics {
		for _, p := range parts {
			c := int64(0)
			for _, cp := range comm.Topics[topic] {
				if cp.Partition == p.Partition && cp.CommittedOffset > 0 {
					c = cp.CommittedOffset
				}
			}
			committed += c
			lag += p.LastOffset - c
		}
	}
	return committed, lag, nil
}

// calibrate measures the collector's maximum rate: a load produced before
// it starts, consumed from the first commit to the last.
func calibrate(ctx context.Context, o options, dir string, log *slog.Logger) (float64, error) {
	kc, err := broker.Start(broker.Options{Partitions: 6})
	if err != nil {
		return 0, err
	}
	defer kc.Close()
	brokers := kc.ListenAddrs()
	var produced, rows, dlq atomic.Int64
	pctx, cancel := context.WithCancel(ctx)
	go func() {
		for produced.Load() < 300000 && pctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
	}()
	if err := produce(pctx, brokers, options{rate: 1e9, agents: o.agents}, &produced, &rows, &dlq); err != nil && !errors.Is(err, context.Canceled) {
		return 0, err
	}
	n := produced.Load()
	log.Info("calibration load produced", "events", n)
	col, err := startCollector(o, dir, brokers, "calibrate")
	if err != nil {
		return 0, err
	}
	defer func() { _ = col.Process.Signal(syscall.SIGTERM); _ = col.Wait() }()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	var first time.Time
	var firstCommitted int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		committed, lag, err := groupProgress(ctx, client, "calibrate")
		if err != nil {
			continue
		}
		if committed > 0 && first.IsZero() {
			first, firstCommitted = time.Now(), committed
		}
		if lag == 0 && committed > 0 {
			return float64(committed-firstCommitted) / time.Since(first).Seconds(), nil
		}
	}
	return 0, errors.New("the calibration load was not consumed within 10 minutes")
}

// rss is a process's resident set in bytes (VmRSS), 0 when unreadable.
func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

type counts struct {
	Rows       int64 `json:"rows"`
	Duplicated int64 `json:"duplicated"`
	DLQ        int64 `json:"dlq"`
}

// countStore opens the data directory the collector left and counts.
func countStore(ctx context.Context, lib, dir string) (counts, error) {
	s, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: dir, Database: "frontline", Library: lib, Owner: "soak"})
	if err != nil {
		return counts{}, err
	}
	defer s.Close()
	var union []string
	for _, ti := range schemas.Types {
		union = append(union, "SELECT event_id FROM "+ti.Table)
	}
	c, err := store.QueryOne[counts](ctx, s, "SELECT count() AS rows, count() - uniqExact(event_id) AS duplicated, (SELECT uniqExact(origin) FROM dlq) AS dlq FROM ("+strings.Join(union, " UNION ALL ")+")", nil)
	return c, err
}

// draw3 draws RSS, lag and events/s over time, one above the other, with a
// line at each kill.
func draw3(path string, samples []sample, kills []time.Duration) error {
	panels := []struct {
		title, unit string
		value       func(sample) float64
	}{
		{"collector RSS (engine included)", "MB", func(s sample) float64 { return s.rssMB }},
		{"consumer lag", "messages", func(s sample) float64 { return float64(s.lag) }},
		{"committed", "events/s", func(s sample) float64 { return s.perSecond }},
	}
	const w, h = 10 * vg.Inch, 9 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadY: vg.Millimeter * 3, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	for i, p := range panels {
		pl := plot.New()
		pl.Title.Text = p.title
		pl.Y.Label.Text = p.unit
		pl.X.Label.Text = "minutes (vertical lines: SIGKILL)"
		pts := make(plotter.XYs, len(samples))
		maxY := 1.0
		for k, s := range samples {
			pts[k] = plotter.XY{X: s.at.Minutes(), Y: p.value(s)}
			maxY = max(maxY, pts[k].Y)
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		line.Color = color.RGBA{B: 200, A: 255}
		pl.Add(line, plotter.NewGrid())
		for _, k := range kills {
			kl, err := plotter.NewLine(plotter.XYs{{X: k.Minutes(), Y: 0}, {X: k.Minutes(), Y: maxY}})
			if err != nil {
				return err
			}
			kl.Color = color.RGBA{R: 220, A: 255}
			kl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			pl.Add(kl)
		}
		pl.Y.Min = 0
		pl.Draw(tiles.At(dc, 0, i))
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(f)
	return err
}

// report writes the soak's summary: the run, the verdicts and per period
// between kills the peak RSS and the lag at its end.
func report(path string, o options, samples []sample, kills []time.Duration, produced int64, got, want counts) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Soak\n\nWritten by `make soak` on %s: `frontline collect` for %v at %.0f events/s (half the maximum measured\nby a calibration run just before), SIGKILL every %v, %d events produced in all. The collector runs as its own\nprocess against the embedded broker and an embedded store, as `serve` would.\n\n![RSS, lag and throughput over time](soak.png)\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), o.duration, o.rate, o.killEvery, produced)
	verdict := "nothing lost, nothing counted twice"
	if got != want {
		verdict = "**the store does not hold what was produced**"
	}
	fmt.Fprintf(&b, "Store at the end: %d events stored (%d expected), %d counted twice, %d in the DLQ (%d expected): %s.\n\n", got.Rows, want.Rows, got.Duplicated, got.DLQ, want.DLQ, verdict)
	b.WriteString("| period | peak RSS | lag at its end | consuming again after the kill | lag back under 2 s of traffic after |\n|---|---:|---:|---:|---:|\n")
	bounds := append([]time.Duration{0}, kills...)
	bounds = append(bounds, o.duration+time.Hour)
	for i := 0; i+1 < len(bounds); i++ {
		var peak float64
		var lastLag int64
		recovered, resumed := time.Duration(-1), time.Duration(-1)
		stalled := false
		for _, s := range samples {
			if s.at < bounds[i] || s.at >= bounds[i+1] {
				continue
			}
			peak = max(peak, s.rssMB)
			lastLag = s.lag
			if i == 0 {
				continue
			}
			if s.perSecond == 0 {
				stalled = true
			}
			if stalled && resumed < 0 && s.perSecond > 0 {
				resumed = s.at - bounds[i]
			}
			if resumed >= 0 && recovered < 0 && float64(s.lag) < 2*o.rate {
				recovered = s.at - bounds[i]
			}
		}
		rec, res := "-", "-"
		if i > 0 {
			rec, res = "not within the period", "not within the period"
			if recovered >= 0 {
				rec = fmt.Sprintf("%.0f s", recovered.Seconds())
			}
			if resumed >= 0 {
				res = fmt.Sprintf("≤ %.0f s", resumed.Seconds())
			}
		}
		end := bounds[i+1]
		if end > o.duration {
			end = o.duration
		}
		fmt.Fprintf(&b, "| %.0f–%.0f min | %.0f MB | %d | %s | %s |\n", bounds[i].Minutes(), end.Minutes(), peak, lastLag, res, rec)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
