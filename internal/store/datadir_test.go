package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second holder of a data directory learns who holds it and where that
// process serves, instead of the engine's "Cannot lock file …/status".
func TestDirLock(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDir(dir, "frontline serve")
	if err != nil {
		t.Fatal(err)
	}
	if err := first.advertise("http://127.0.0.1:9100"); err != nil {
		t.Fatal(err)
	}
	_, err = lockDir(dir, "frontline report")
	var inUse *InUseError
	if !errors.As(err, &inUse) || !errors.Is(err, ErrDataDirInUse) {
		t.Fatalf("second lock: got %v, want an InUseError", err)
	}
	if inUse.Holder.PID != os.Getpid() || inUse.Holder.Command != "frontline serve" || inUse.Holder.URL != "http://127.0.0.1:9100" {
		t.Fatalf("holder %+v", inUse.Holder)
	}
	for _, want := range []string{"frontline serve", "pid", "http://127.0.0.1:9100"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %q", err, want)
		}
	}
	first.release()
	second, err := lockDir(dir, "frontline report")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	second.release()
	if _, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
		t.Fatal(err)
	}
}

// Passwords never reach error messages or logs, in user info or parameters.
func TestRedactDSN(t *testing.T) {
	for _, dsn := range []string{
		"clickhouse://u:s3cret@host:9000/db",
		"clickhouse://u@host:9000/db?password=s3cret&secure=true",
		"clickhouse://u@host:9000/db?Password=s3cret",
		"clickhouse://u:s3cret@host:9000/db?dial_timeout=%zz",
	} {
		if got := RedactDSN(dsn); strings.Contains(got, "s3cret") {
			t.Errorf("RedactDSN(%q) = %q", dsn, got)
		}
		if _, err := OpenServer(t.Context(), ServerOptions{DSN: dsn + "&dial_timeout=bad"}); err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("OpenServer(%q) error shows the password: %v", dsn, err)
		}
	}
}
