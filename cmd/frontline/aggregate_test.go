package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/schemas"
)

// TestAggregateCommand: `frontline aggregate` serves the KPI gauges on
// /metrics with /healthz and /readyz, and stops cleanly when its context
// ends (SIGTERM); --once runs a single time and exits.
func TestAggregateCommand(t *testing.T) {
	data := storetest.DataDir(t)
	db := fmt.Sprintf("aggregate_cmd_%d", time.Now().UnixNano())
	s, err := openStore(t, data, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := openStore(t, data, db); err == nil {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`", nil)
			s.Close()
		}
	})
	ctx := context.Background()
	if _, err := store.Migrate(ctx, s, store.SchemaOptions{}); err != nil {
		t.Fatal(err)
	}
	requested := time.Now().Add(-2 * time.Hour).UTC()
	ev := schemas.Event{ID: "cb-1", Type: schemas.TypeCallbackRequested, Source: "test",
		Data: &schemas.CallbackRequested{CallbackID: "cb-1", Queue: "billing", RequestedAt: requested, DueAt: requested.Add(time.Hour)}}
	info, _ := schemas.Info(ev.Type)
	if err := s.Insert(ctx, &store.Block{Table: info.Table, Columns: info.InsertColumns(), Rows: [][]any{ev.Row()}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	flags := []string{"--data", data, "--database", db}

	if _, err := runFrontline(t, "aggregate", append(flags, "--once")...); err != nil {
		t.Fatalf("aggregate --once: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := runFrontlineCtx(t, runCtx, "aggregate", append(flags, "--listen", addr, "--every", "200ms")...)
		done <- err
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	var metrics string
	for i := 0; ; i++ {
		code, body := get("/readyz")
		if code == http.StatusOK {
			_, metrics = get("/metrics")
			break
		}
		select {
		case err := <-done:
			t.Fatalf("aggregate stopped before it was ready: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if i == 600 {
			t.Fatalf("never ready: %d %s", code, body)
		}
	}
	if code, _ := get("/healthz"); code != http.StatusOK {
		t.Errorf("/healthz answered %d", code)
	}
	for _, want := range []string{
		`frontline_callbacks_open{queue="billing"} 1`,
		`frontline_callbacks_overdue{queue="billing"} 1`,
		`frontline_callback_oldest_open_age_seconds{queue="billing"}`,
		`frontline_callback_oldest_overdue_seconds{queue="billing"}`,
		"frontline_aggregator_last_run_timestamp_seconds ",
		"frontline_aggregator_run_duration_seconds_count ",
		"frontline_aggregator_errors_total 0",
		"go_goroutines ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("aggregate did not stop cleanly: %v", err)
	}
}
