package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binOut  []byte
)

// frontlineBinary builds the frontline binary once per test run, for tests
// that run it as its own process (signals, a second process on the same
// data directory, Prometheus scraping it).
func frontlineBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "frontline-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "frontline")
		binOut, binErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if binErr != nil {
		t.Fatalf("go build: %v\n%s", binErr, binOut)
	}
	return binPath
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// process is a frontline (or other) process started by a test.
type process struct {
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// startProcess starts bin with args, its output in logPath. The process is
// killed when the test ends if it is still running.
func startProcess(t *testing.T, ctx context.Context, logPath, bin string, args ...string) *process {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "CHDB_LIB_PATH="+storetest.Library(t))
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("cannot start %s: %v", bin, err)
	}
	p := &process{cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(func() { p.stop(time.Second) })
	return p
}

// stop sends SIGTERM, waits up to grace, then kills; it returns the exit error.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	return p.err
}

// output is what the process has logged so far.
func (p *process) output() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}
