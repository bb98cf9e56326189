package collector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/chdb"
	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// Child-process roles of TestKill9: this test binary re-runs itself as a
// collector (CRASH_CHILD=run) that the parent kills with SIGKILL, and finally
// as a collector that drains the topics and reports counts (CRASH_CHILD=drain).
// The child owns its chDB data directory: one data path per process.
func TestMain(m *testing.M) {
	if role := os.Getenv("CRASH_CHILD"); role != "" {
		os.Exit(crashChild(role))
	}
	os.Exit(m.Run())
}

func crashChild(role string) int {
	ctx := context.Background()
	lib, err := chdb.Find(os.Getenv("CHDB_LIB_PATH"))
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	s, err := store.OpenEmbedded(store.EmbeddedOptions{Dir: os.Getenv("CRASH_DATA"), Database: "crash", Library: lib, Create: true})
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	// What the collector killed before this child left half done.
	inflight, err := inflightRanges(ctx, s)
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("INFLIGHT", strings.Join(inflight, " "))
	// Small flushes, so that a kill lands mid-flush often; the fault
	// matrix's full run asks for larger ones (CRASH_MAX_ROWS).
	maxRows := 61
	if v, err := strconv.Atoi(os.Getenv("CRASH_MAX_ROWS")); err == nil && v > 0 {
		maxRows = v
	}
	c, err := collector.New(&insertReporter{Store: s}, testGroup(collector.Options{
		Brokers: strings.Split(os.Getenv("CRASH_BROKERS"), ","), Group: "crash",
		MaxRows: maxRows, MaxWait: 100 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	}))
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	fmt.Println("READY")
	if role == "run" {
		<-done // until killed
		return 0
	}
	wanted := want()
	if w := os.Getenv("CRASH_WANT"); w != "" {
		if err := json.Unmarshal([]byte(w), &wanted); err != nil {
			fmt.Println("ERROR", err)
			return 1
		}
	}
	deadline := time.Now().Add(5 * time.Minute) // a hang guard
	var got counts
	for time.Now().Before(deadline) {
		got, err = queryCounts(s)
		if err == nil && got == wanted {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	cancel()
	<-done
	b, _ := json.Marshal(got)
	fmt.Println("COUNTS", string(b))
	return 0
}

// inflightRanges lists the batches whose latest state in ingest_state is
// 'inflight', each as topic/partition/first-last@updated_at (µs): recorded as
// started, never as done. The time tells a batch left in flight again by a
// later collector from the one an earlier collector left.
func inflightRanges(ctx context.Context, s store.Store) ([]string, error) {
	type row struct {
		Batch string `json:"batch"`
	}
	rows, err := store.QueryAll[row](ctx, s, `
SELECT concat(topic, '/', toString(partition), '/', toString(first_offset), '-', toString(last_offset), '@', toString(toUnixTimestamp64Micro(max(updated_at)))) AS batch
FROM ingest_state
GROUP BY topic, partition, first_offset, last_offset
HAVING argMax(status, updated_at) = 'inflight'
ORDER BY batch`, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read ingest_state: %w", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Batch
	}
	return out, nil
}

// insertReporter prints INSERTING when the collector first writes events:
// its batch is recorded in flight by then, so the parent, killing the
// child on that line, kills it mid-batch.
type insertReporter struct {
	store.Store
	once sync.Once
}

func (r *insertReporter) Insert(ctx context.Context, b *store.Block) error {
	if b.Table != "ingest_state" {
		r.once.Do(func() { fmt.Println("INSERTING") })
	}
	return r.Store.Insert(ctx, b)
}

// child is a running collector process of TestKill9 and the lines it prints.
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	lines chan string
}

func startChild(t *testing.T, env []string, role string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(env, "CRASH_CHILD="+role)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, cmd: cmd, lines: make(chan string)}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); c.wait() })
	return c
}

// expect returns the rest of the next line starting with word, and fails
// the test if the child exits or errs first (or hangs: the bound is a
// guard, far above the seconds a child takes).
func (c *child) expect(word string) string {
	c.t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("child exited before printing %s", word)
			}
			if rest, found := strings.CutPrefix(line, word); found {
				return strings.TrimSpace(rest)
			}
			if strings.HasPrefix(line, "ERROR") {
				c.t.Fatalf("child: %s", line)
			}
		case <-timeout:
			c.t.Fatalf("child printed no %s in 2 minutes", word)
		}
	}
}

// wait reaps the child, draining what it still prints.
func (c *child) wait() {
	for range c.lines {
	}
	c.cmd.Wait()
}

// TestKill9 kills a collector process with SIGKILL and restarts it, seven
// times; the final counts are exact: nothing lost, nothing twice. Some kills
// come as soon as the child starts writing a batch, so that batches are
// killed in flight (which the test checks happened), the others at
// arbitrary moments after the child started (while joining the group,
// fetching, or between batches).
func TestKill9(t *testing.T) {
	kc := startBroker(t)
	produceFile(t, kc.ListenAddrs(), basicFile)
	dir := t.TempDir()
	env := append(os.Environ(), "CHDB_LIB_PATH="+storetest.Library(t), "CRASH_DATA="+dir, "CRASH_BROKERS="+strings.Join(kc.ListenAddrs(), ","))
	kills := []struct {
		after string // READY: the collector started; INSERTING: it writes its first batch
		delay time.Duration
	}{
		{"INSERTING", 0}, {"READY", 300 * time.Millisecond}, {"INSERTING", 10 * time.Millisecond},
		{"READY", 50 * time.Millisecond}, {"INSERTING", 0}, {"READY", 900 * time.Millisecond}, {"INSERTING", 30 * time.Millisecond},
	}
	// Between one child's check of ingest_state and the next one's, only the
	// collector killed in between wrote to it: the batches in flight at the
	// second check and not at the first are the ones the kill interrupted.
	var before map[string]bool
	midBatch := 0
	checkInflight := func(c *child, killed int) {
		now := map[string]bool{}
		for _, b := range strings.Fields(c.expect("INFLIGHT")) {
			now[b] = true
		}
		var left []string
		for b := range now {
			if !before[b] {
				left = append(left, b)
			}
		}
		if killed >= 0 {
			t.Logf("collector %d was killed with %d batches in flight: %v", killed, len(left), left)
			if len(left) > 0 {
				midBatch++
			}
		}
		before = now
	}
	for i, k := range kills {
		c := startChild(t, env, "run")
		checkInflight(c, i-1)
		c.expect("READY")
		if k.after == "INSERTING" {
			c.expect("INSERTING")
		}
		time.Sleep(k.delay) // the kill moment, not a synchronisation
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		c.wait()
		t.Logf("killed collector %d %v after %s", i, k.delay, k.after)
	}
	c := startChild(t, env, "drain")
	checkInflight(c, len(kills)-1)
	var got counts
	if err := json.Unmarshal([]byte(c.expect("COUNTS")), &got); err != nil {
		t.Fatal(err)
	}
	c.wait()
	if c.cmd.ProcessState.ExitCode() != 0 {
		t.Fatalf("drain child exited with %v", c.cmd.ProcessState)
	}
	if midBatch == 0 {
		t.Errorf("no kill landed while a batch was in flight: the test did not test a crash mid-batch")
	}
	if got != want() {
		t.Fatalf("after %d kills: got %+v, want %+v", len(kills), got, want())
	}
}
