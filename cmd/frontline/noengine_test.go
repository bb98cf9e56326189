package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Commands that do not need ClickHouse run on a machine without the
// embedded engine (CHDB_LIB_PATH pointing at nothing, no cache beside the
// binary); one that needs it says what to do, with exit status 3.
func TestCommandsWithoutEngine(t *testing.T) {
	bin := frontlineBinary(t)
	dir := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "CHDB_LIB_PATH=" + filepath.Join(dir, "nothing", "libchdb.so")}
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	for _, args := range [][]string{
		{"--help"},
		{"--version"},
		{"serve", "--help"},
		{"erlang", "--calls", "120", "--aht", "300"},
		{"dashboards", "--out", filepath.Join(dir, "grafana")},
		{"migrate", "--print"},
		{"serve", "--print-config"},
	} {
		out, code := run(args...)
		if code != 0 || strings.Contains(out, "panic") {
			t.Errorf("frontline %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
	}
	out, code := run("report", "--data", dir, "--from", "2026-11-02", "--to", "2026-11-03")
	if code != exitNoChDB || !strings.Contains(out, "make chdb") || strings.Contains(out, "panic") {
		t.Errorf("report without the engine: exit %d, want %d with the make chdb instruction:\n%s", code, exitNoChDB, out)
	}
}

// --print-config shows every flag with where its value came from, and
// never a secret.
func TestPrintConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "frontline.yaml")
	if err := os.WriteFile(cfg, []byte("group: from-file\nmax-rows: 700\ntargets:\n  billing: {service_level: 0.9}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FRONTLINE_MAX_ROWS", "900")
	t.Setenv("FRONTLINE_CLICKHOUSE_PASSWORD", "s3cret-pw")
	out, err := runFrontline(t, "serve", "--config", cfg, "--brokers", "k1:9092", "--print-config")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"brokers: k1:9092  # flag",
		`max-rows: "900"  # env FRONTLINE_MAX_ROWS`,
		"group: from-file  # config " + cfg,
		"listen: 127.0.0.1:9100  # default",
		"# clickhouse-password: (set, redacted;",
		"billing:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--print-config lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret-pw") {
		t.Errorf("--print-config shows a secret:\n%s", out)
	}
	// A secret in the config file is refused: credentials come only from
	// the environment or a file named there.
	if err := os.WriteFile(cfg, []byte("clickhouse-password: hunter2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := runFrontline(t, "serve", "--config", cfg, "--print-config"); err == nil || !strings.Contains(err.Error(), "FRONTLINE_CLICKHOUSE_PASSWORD") {
		t.Errorf("a password in the config file: got %v", err)
	}
}

// A retention that would overflow ClickHouse's DateTime (expiring every row
// at once) or a negative one is refused with exit 2 before anything opens.
func TestRawTTLDaysRange(t *testing.T) {
	data := t.TempDir()
	for _, v := range []string{"36500", "-1"} {
		_, err := runFrontline(t, "replay", "--data", data, "--raw-ttl-days", v, "-")
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "--raw-ttl-days") {
			t.Errorf("--raw-ttl-days %s: got %v, want a usage error", v, err)
		}
	}
}

// The example configuration the README shows is valid for serve.
func TestExampleConfig(t *testing.T) {
	out, err := runFrontline(t, "serve", "--config", filepath.Join("..", "..", "deploy", "frontline.example.yaml"), "--print-config")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "brokers: kafka-1:9092,kafka-2:9092  # config") || !strings.Contains(out, "service_level: 0.9") {
		t.Fatalf("the example config was not applied:\n%s", out)
	}
}

// collect used to turn --max-rows 0, --max-wait -1s and --group "" into its
// defaults; each is now a usage error naming the flag, before anything
// connects.
func TestCollectFlagsChecked(t *testing.T) {
	for _, args := range [][]string{
		{"--max-rows", "0"}, {"--max-wait", "-1s"}, {"--group", ""}, {"--max-pending-bytes", "10"},
		{"--session-timeout", "1s", "--heartbeat-interval", "2s"}, {"--brokers", ""},
	} {
		_, err := runFrontline(t, "collect", append([]string{"--data", t.TempDir()}, args...)...)
		if !errors.Is(err, errUsage) {
			t.Errorf("collect %v: got %v, want a usage error", args, err)
		}
	}
}
