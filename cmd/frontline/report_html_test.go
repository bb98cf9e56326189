package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// `report --format html` on a replayed scenario prints one self-contained
// page with the report's numbers and charts (the rendering itself is tested
// in Chromium by aggregator.TestHTMLReportChromium); html with --list is a
// usage error.
func TestReportCommandHTML(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "basic")
	data := storetest.DataDir(t)
	db := fmt.Sprintf("report_html_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		s, err := openStore(t, data, db)
		if err == nil {
			_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"`", nil)
			s.Close()
		}
	})
	dataFlags := []string{"--data", data, "--database", db}
	if _, err := runFrontline(t, "replay", append(dataFlags, filepath.Join(dir, "events.jsonl"))...); err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(filepath.Join(dir, "window"))
	if err != nil {
		t.Fatal(err)
	}
	win := strings.Fields(string(w))
	window := append(append([]string{}, dataFlags...), "--from", win[0], "--to", win[1])

	page, err := runFrontline(t, "report", append(window, "--format", "html")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<!DOCTYPE html>", "Frontline manager report", "@media print", "<svg", "Callback backlog", `<td data-label="Queue">billing</td>`, ">17<"} {
		if !strings.Contains(page, want) {
			t.Errorf("html report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "<link") {
		t.Errorf("html report is not self-contained")
	}
	if _, err := runFrontline(t, "report", append(window, "--format", "html", "--list", "abandoned")...); err == nil {
		t.Errorf("--format html --list: no error")
	}
}
