package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/frontline-oss/frontline/dashboards"
	"github.com/frontline-oss/frontline/internal/broker"
	"github.com/frontline-oss/frontline/report/reporttest"
	"github.com/frontline-oss/frontline/schemas"
)

// TestServeWithOutsideBroker is the production shape on one machine:
// `frontline serve` on the embedded store consumes a Kafka broker it did
// not start, fed by an independent producer (kcat) with the basic reference
// scenario; /report?format=json then gives the scenario's expected report.
// While serve holds the data directory, `frontline report` on it answers
// through the server, and a command that would write says who holds it. On
// SIGTERM serve flushes, stops and exits 0.
func TestServeWithOutsideBroker(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatalf("kcat is required (an independent Kafka producer): apt-get install -y kcat: %v", err)
	}
	kc, err := broker.Start(broker.Options{Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	brokers := strings.Join(kc.ListenAddrs(), ",")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	api, chAddr := freeAddr(t), freeAddr(t)
	t.Setenv("FRONTLINE_CLICKHOUSE_HTTP_PASSWORD", "grafana-pw")
	serve := startProcess(t, ctx, filepath.Join(dir, "serve.log"), frontlineBinary(t), "serve",
		"--brokers", brokers, "--group", "serve-test", "--data", data,
		"--listen", api, "--clickhouse-listen", chAddr, "--clickhouse-user", "grafana", "--every", "1s")

	lines := produceWithKcat(t, ctx, kcat, brokers, filepath.Join("..", "..", "testdata", "basic", "events.jsonl"), dir)
	waitUntil(t, serve, 2*time.Minute, fmt.Sprintf("serve to consume %d messages", lines), func() bool {
		return metricSum(api, "frontline_collector_events_total") >= float64(lines)
	})

	if metricSum(api, "frontline_build_info") != 1 {
		t.Error("/metrics has no frontline_build_info")
	}
	win := readWindow(t, filepath.Join("..", "..", "testdata", "basic", "window"))
	want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "basic", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	status, got := httpGet(t, "http://"+api+"/report?format=json&from="+win[0]+"&to="+win[1])
	if status != http.StatusOK {
		t.Fatalf("/report: %d %s", status, got)
	}
	reporttest.Compare(t, []byte(got), want)

	// Grafana's driver over HTTP runs every dashboard and alert query on
	// the store serve holds; a wrong password runs nothing.
	grafanaQueriesOverHTTP(t, chAddr, "grafana", "grafana-pw", win)
	if _, err := grafanaConn(t, chAddr, "grafana", "wrong").Query(ctx, "SELECT 1"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a wrong password: got %v, want 401", err)
	}

	// A second process on the same data directory: report goes through
	// the server; replay, which would write, is told who holds it.
	bin := frontlineBinary(t)
	out, stderr, err := runBinary(t, bin, "report", "--data", data, "--from", win[0], "--to", win[1], "--format", "json")
	if err != nil {
		t.Fatalf("report beside serve: %v\n%s", err, stderr)
	}
	reporttest.Compare(t, []byte(out), want)
	_, stderr, err = runBinary(t, bin, "replay", "--data", data, filepath.Join("..", "..", "testdata", "basic", "events.jsonl"))
	if err == nil || strings.Contains(stderr, "Cannot lock") || !strings.Contains(stderr, "in use by frontline serve (pid") {
		t.Fatalf("replay beside serve: %v\n%s", err, stderr)
	}
	for _, bad := range []string{"format=xml", "from=yesterday&to=" + win[1], "nosuch=1", "queue=nosuch&format=json", "tz=Nowhere/Else"} {
		if status, body := httpGet(t, "http://"+api+"/report?"+bad); status != http.StatusBadRequest {
			t.Errorf("/report?%s: %d %s, want 400", bad, status, body)
		}
	}

	if err := serve.stop(time.Minute); err != nil {
		t.Fatalf("serve did not exit 0 on SIGTERM: %v\n%s", err, tail(serve.output(), 3000))
	}
	if !strings.Contains(serve.output(), "stopped cleanly") {
		t.Fatalf("serve's log does not say it stopped cleanly:\n%s", tail(serve.output(), 3000))
	}
}

// produceWithKcat publishes a JSONL file with kcat, each line to the topic
// of its event type keyed by its entity id, as a producer would; lines
// without a known type go to cs.calls unkeyed, so the collector meets them.
// It returns the lines sent.
func produceWithKcat(t *testing.T, ctx context.Context, kcat, brokers, file, dir string) int {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byTopic := map[string]*bytes.Buffer{}
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		v := sc.Bytes()
		if len(bytes.TrimSpace(v)) == 0 {
			continue
		}
		topic, key := schemas.TopicCalls, ""
		var env struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(v, &env)
		if info, ok := schemas.Info(env.Type); ok {
			topic = info.Topic
		}
		if ev, err := schemas.Decode(v); err == nil {
			key = ev.Data.Key()
		}
		if bytes.ContainsAny(v, "\t") {
			t.Fatalf("line %d holds a tab, the key delimiter", n+1)
		}
		if byTopic[topic] == nil {
			byTopic[topic] = &bytes.Buffer{}
		}
		fmt.Fprintf(byTopic[topic], "%s\t%s\n", key, v)
		n++
	}
	for topic, b := range byTopic {
		path := filepath.Join(dir, topic+".kv")
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.CommandContext(ctx, kcat, "-P", "-b", brokers, "-t", topic, "-K", "\t", "-z", "none", "-l", path)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("kcat -P %s: %v\n%s", topic, err, out)
		}
	}
	return n
}

// waitUntil polls cond until it holds, failing after within or when the
// process p ends.
func waitUntil(t *testing.T, p *process, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("waiting for %s: the process ended (%v):\n%s", what, p.err, tail(p.output(), 3000))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not after %s:\n%s", what, within, tail(p.output(), 3000))
		}
	}
}

// metricSum is the sum of a metric's series on http://addr/metrics.
func metricSum(addr, metric string) float64 {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sum := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, metric+"{") && !strings.HasPrefix(line, metric+" ") {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// runBinary runs the binary to completion and returns stdout and stderr.
func runBinary(t *testing.T, bin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), err
}

func readWindow(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Fields(string(b))
	if len(w) != 2 {
		t.Fatalf("%s: want two timestamps, got %q", path, b)
	}
	return w
}

// grafanaConn is clickhouse-go over HTTP with gzip, as the Grafana
// ClickHouse plugin connects with protocol http.
func grafanaConn(t *testing.T, addr, user, password string) driver.Conn {
	t.Helper()
	conn, err := clickhouse.Open(&clickhouse.Options{
		Addr:        []string{addr},
		Protocol:    clickhouse.HTTP,
		Auth:        clickhouse.Auth{Database: "frontline", Username: user, Password: password},
		Compression: &clickhouse.Compression{Method: clickhouse.CompressionGZIP},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// grafanaQueriesOverHTTP runs every generated dashboard and alert query,
// expanded as Grafana would for the window, through the ClickHouse HTTP
// interface at addr, and checks that the calls panel sees the calls.
func grafanaQueriesOverHTTP(t *testing.T, addr, user, password string, win []string) {
	t.Helper()
	conn := grafanaConn(t, addr, user, password)
	from, _ := time.Parse(time.RFC3339, win[0])
	to, _ := time.Parse(time.RFC3339, win[1])
	queries, err := dashboards.GrafanaQueries(dashboards.Config{})
	if err != nil {
		t.Fatal(err)
	}
	req := dashboards.GrafanaRequest{From: from, To: to, Interval: time.Minute, ChartSec: 900}
	for _, q := range queries {
		rows, err := conn.Query(context.Background(), req.Expand(q.SQL))
		if err != nil {
			t.Errorf("%s over HTTP: %v", q.Name, err)
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s over HTTP: %v", q.Name, err)
		}
		rows.Close()
	}
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM calls").Scan(&n); err != nil || n == 0 {
		t.Errorf("SELECT count() FROM calls over HTTP: %d, %v", n, err)
	}
	t.Logf("%d Grafana queries ran over HTTP; %d calls", len(queries), n)
}
