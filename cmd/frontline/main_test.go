package main

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// runFrontline runs one frontline command in this process as the binary
// would (same flag, environment and config resolution) and returns what it
// printed on stdout.
func runFrontline(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	return runFrontlineCtx(t, context.Background(), name, args...)
}

// runFrontlineCtx is runFrontline until ctx ends (a SIGTERM).
func runFrontlineCtx(t *testing.T, ctx context.Context, name string, args ...string) (string, error) {
	t.Helper()
	c, ok := lookup(name)
	if !ok {
		t.Fatalf("no command %q", name)
	}
	var out bytes.Buffer
	err := runCommand(ctx, c, args, environ{getenv: testEnv(t), stdout: &out, stderr: testLog{t}})
	return out.String(), err
}

// testEnv is the process environment with CHDB_LIB_PATH set to the engine
// the tests use.
func testEnv(t *testing.T) func(string) (string, bool) {
	lib := storetest.Library(t)
	return func(k string) (string, bool) {
		if k == "CHDB_LIB_PATH" {
			return lib, true
		}
		return os.LookupEnv(k)
	}
}

// testLog sends a command's stderr to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Helper()
	l.t.Log(string(bytes.TrimRight(b, "\n")))
	return len(b), nil
}

// openStore opens database db on the test binary's embedded data path.
func openStore(t *testing.T, data, db string) (store.Store, error) {
	t.Helper()
	return store.OpenEmbedded(store.EmbeddedOptions{Dir: data, Database: db, Library: storetest.Library(t), Create: true})
}
