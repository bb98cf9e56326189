package collector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/collector"
	"github.com/frontline-oss/frontline/internal/store"
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
	s, err := store.OpenEmbedded(os.Getenv("CRASH_DATA"), "crash")
	if err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	c, err := collector.New(s, testGroup(collector.Options{
		Brokers: strings.Split(os.Getenv("CRASH_BROKERS"), ","), Group: "crash",
		MaxRows: 61, MaxWait: 100 * time.Millisecond, RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
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
	deadline := time.Now().Add(90 * time.Second)
	var got counts
	for time.Now().Before(deadline) {
		got, err = queryCounts(s)
		if err == nil && got == want() {
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

// TestKill9 kills a collector process with SIGKILL at arbitrary moments and
// restarts it; the final counts are exact: nothing lost, nothing twice.
func TestKill9(t *testing.T) {
	kc := startBroker(t)
	produceFile(t, kc.ListenAddrs(), basicFile)
	dir := t.TempDir()
	env := append(os.Environ(), "CRASH_DATA="+dir, "CRASH_BROKERS="+strings.Join(kc.ListenAddrs(), ","))
	for i, delay := range []int{300, 50, 900, 10, 500, 150, 700} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(env, "CRASH_CHILD=run")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || sc.Text() != "READY" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child %d did not start: %q", i, sc.Text())
		}
		time.Sleep(time.Duration(delay) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		t.Logf("killed collector %d after %d ms", i, delay)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(env, "CRASH_CHILD=drain")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("drain child: %v\n%s", err, b)
	}
	var got counts
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "COUNTS "); ok {
			if err := json.Unmarshal([]byte(rest), &got); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got != want() {
		t.Fatalf("after 7 kills: got %+v, want %+v", got, want())
	}
}
