package main

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// runErlang runs `frontline erlang ARGS` in process and returns its output.
func runErlang(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runFrontline(t, "erlang", args...)
}

// The classic example as JSON: 100 calls of 180 s in 30 minutes need 14
// agents for 80/20; the keys are exactly those of kpis.md.
func TestErlangJSON(t *testing.T) {
	out, err := runErlang(t, "--calls", "100", "--aht", "180", "--interval-sec", "1800", "--shrinkage", "0.3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	keys := []string{"traffic_erlangs", "agents", "agents_with_shrinkage", "service_level", "asa_sec", "occupancy", "wait_probability", "abandon_probability"}
	if len(got) != len(keys) {
		t.Errorf("keys %v, want exactly %v", got, keys)
	}
	for _, k := range keys {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %q in %s", k, out)
		}
	}
	want := map[string]float64{"traffic_erlangs": 10, "agents": 14, "agents_with_shrinkage": 20, "service_level": 0.88835, "asa_sec": 7.836, "occupancy": 0.71429, "wait_probability": 0.17413}
	for k, v := range want {
		if f, _ := got[k].(float64); math.Abs(f-v) > 1e-3 {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if got["abandon_probability"] != nil {
		t.Errorf("abandon_probability %v under Erlang C, want null", got["abandon_probability"])
	}
	if !strings.HasPrefix(out, `{"traffic_erlangs":`) {
		t.Errorf("key order: %s", out)
	}
}

// Erlang A reports an abandon probability; --agents answers "what do n
// agents achieve", null ASA when they cannot keep up.
func TestErlangAgentsAndPatience(t *testing.T) {
	out, err := runErlang(t, "--calls", "100", "--aht", "180", "--interval-sec", "1800", "--patience-sec", "60", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if p, ok := got["abandon_probability"].(float64); !ok || p <= 0 || p >= 0.2 || got["agents"].(float64) >= 14 {
		t.Errorf("Erlang A: %s", out)
	}
	out, err = runErlang(t, "--calls", "100", "--aht", "180", "--interval-sec", "1800", "--agents", "10", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got["agents"].(float64) != 10 || got["service_level"].(float64) != 0 || got["asa_sec"] != nil || got["wait_probability"].(float64) != 1 {
		t.Errorf("10 agents for 10 Erlangs: %s", out)
	}
	text, err := runErlang(t, "--calls", "100", "--aht", "180", "--interval-sec", "1800", "--agents", "13")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "79.6% answered within 20 s (misses the 80% target)") {
		t.Errorf("text for 13 agents:\n%s", text)
	}
}

// The text summary a planner reads.
func TestErlangText(t *testing.T) {
	out, err := runErlang(t, "--calls", "100", "--aht", "180", "--interval-sec", "1800", "--shrinkage", "0.3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10.00 Erlangs", "14 on the phones, 20 to schedule at 30% shrinkage", "88.8% answered within 20 s (meets the 80% target)", "7.8 s", "71.4%"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// Bad flags are usage errors with a one-line reason.
func TestErlangUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--aht", "180"}, "--calls is required"},
		{[]string{"--calls", "100"}, "--aht is required"},
		{[]string{"--calls", "x", "--aht", "180"}, `not a number: "x"`},
		{[]string{"--calls", "-5", "--aht", "180"}, "calls -5"},
		{[]string{"--calls", "100", "--aht", "0"}, "aht 0 s"},
		{[]string{"--calls", "100", "--aht", "180", "--shrinkage", "1"}, "shrinkage 1"},
		{[]string{"--calls", "100", "--aht", "180", "--sl", "1.2"}, "target 1.2"},
		{[]string{"--calls", "100", "--aht", "180", "--sl-sec", "0"}, "--sl-sec 0"},
		{[]string{"--calls", "100", "--aht", "180", "--max-abandon", "0.05"}, "needs --patience-sec"},
		{[]string{"--calls", "100", "--aht", "180", "--format", "csv"}, `--format "csv"`},
		{[]string{"--calls", "100", "--aht", "180", "extra"}, "unexpected arguments"},
	} {
		_, err := runErlang(t, c.args...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want a usage error containing %q", c.args, err, c.want)
		}
	}
}

// erlang --calls 1e12 used to search for 14 minutes, deaf to SIGINT: now a
// load over the stated cap is a usage error at once.
func TestErlangOverCap(t *testing.T) {
	_, err := runErlang(t, "--calls", "1e12", "--aht", "300")
	if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), "5000 Erlangs") {
		t.Fatalf("got %v, want a usage error naming the 5000-Erlang cap", err)
	}
}
