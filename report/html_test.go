package report

import (
	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/kpi"

	"bytes"
	"context"
	"flag"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store/storetest"
)

var (
	screenshot      = flag.String("screenshot", "", "also write the rendered report's screenshot at 1280 px to this PNG (e.g. ../docs/report.png)")
	screenshotPhone = flag.String("screenshot-phone", "", "also write its screenshot at 400 px to this PNG (e.g. ../docs/report-phone.png)")
)

// chromium returns the path of a headless Chromium, or fails with how to
// install it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed (it renders the html report): apt-get install -y chromium (Debian)")
	return ""
}

// runChromium runs headless Chromium with no network and no profile on url
// plus args, and returns its stdout and stderr.
func runChromium(t *testing.T, bin string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// TestHTMLReportTrend: on the basic scenario the trend has one point per
// 15 minutes of the day, its calls add up to the report's, and the last
// backlog point is the report's open callbacks.
func TestHTMLReportTrend(t *testing.T) {
	r, trend := basicHTMLReport(t)
	if len(trend) != 96 {
		t.Fatalf("%d trend points, want 96", len(trend))
	}
	var offered, answered, abandoned int64
	for i, p := range trend {
		if want := r.From.Add(time.Duration(i) * 15 * time.Minute); !p.Start.Equal(want) {
			t.Errorf("point %d starts %s, want %s", i, p.Start, want)
		}
		offered, answered, abandoned = offered+p.Offered, answered+p.Answered, abandoned+p.Abandoned
		if (p.ServiceLevel == nil) != (p.Offered == 0) {
			t.Errorf("point %d: service level %v with %d offered", i, p.ServiceLevel, p.Offered)
		}
	}
	if offered != r.Calls.Offered || answered != r.Calls.Answered || abandoned != r.Calls.Abandoned {
		t.Errorf("trend offered/answered/abandoned %d/%d/%d, report %d/%d/%d",
			offered, answered, abandoned, r.Calls.Offered, r.Calls.Answered, r.Calls.Abandoned)
	}
	if last := trend[len(trend)-1].OpenCallbacks; last != r.Callbacks.Open {
		t.Errorf("backlog at the end %d, report open callbacks %d", last, r.Callbacks.Open)
	}
}

// TestHTMLReportChromium: the html report of the basic scenario loads in
// headless Chromium without console errors or network requests, and the
// rendered page shows the key numbers of the report.
func TestHTMLReportChromium(t *testing.T) {
	bin := chromium(t)
	r, trend := basicHTMLReport(t)
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf, trend); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if regexp.MustCompile(`(?i)<script|https?://|<link|@import`).MatchString(page) {
		t.Errorf("the page is not self-contained (script, link or url found)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// One run of Chromium lays the page out 400 px wide, as on a phone,
	// in a page of the test's own that frames it (the report runs no
	// script), and gives back the rendered report and its width: the cards
	// wrap and the queue table stacks, so it is no wider than the phone.
	frame := filepath.Join(dir, "phone.html")
	if err := os.WriteFile(frame, []byte(`<!DOCTYPE html><html><body style="margin:0">
<iframe id="r" src="report.html" style="width:400px;height:1200px;border:0"></iframe><pre id="dom"></pre>
<script>
document.getElementById("r").addEventListener("load", function () {
  var d = this.contentDocument.documentElement;
  document.body.setAttribute("data-width", String(d.scrollWidth));
  document.getElementById("dom").textContent = d.outerHTML;
});
</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	framed, logs := runChromium(t, bin, "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", "file://"+frame)
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") || strings.Contains(l, "net::ERR") {
			t.Errorf("chromium: %s", l)
		}
	}
	m := regexp.MustCompile(`data-width="(\d+)"`).FindStringSubmatch(framed)
	d := regexp.MustCompile(`(?s)<pre id="dom">(.*)</pre>`).FindStringSubmatch(framed)
	if m == nil || d == nil {
		t.Fatalf("the framed report was not rendered:\n%s", framed)
	}
	if w, _ := strconv.Atoi(m[1]); w > 400 {
		t.Errorf("at 400 px the report is %d px wide: it does not fit a phone", w)
	}
	dom := html.UnescapeString(d[1])
	want := []string{
		"Frontline manager report",
		"2026-10-03 00:00 → 2026-10-04 00:00 UTC",
		">" + itoa(r.Calls.Offered) + "<", // offered
		pct(r.Calls.ServiceLevel),         // service level
		pct(r.Calls.AbandonRate),          // abandon rate
		secs(r.Calls.ASASec),              // ASA
		secs(r.Calls.AHTSec),              // AHT
		">Callbacks overdue<", ">" + itoa(r.Callbacks.Overdue) + "<",
		pct(r.Emails.SLARate),
		"warning when it is missed by less than 10 % of the target",
		"<svg", "Callback backlog",
	}
	for _, q := range r.Queues {
		want = append(want, `<td data-label="Queue">`+q.Queue+"</td>")
	}
	for _, w := range want {
		if !strings.Contains(dom, w) {
			t.Errorf("the rendered page does not show %q", w)
		}
	}
	if n := strings.Count(dom, "<svg"); n != 3 {
		t.Errorf("%d charts rendered, want 3", n)
	}

	png := filepath.Join(dir, "report.png")
	runChromium(t, bin, "--screenshot="+png, "--window-size=1280,2000", "--hide-scrollbars", "file://"+path)
	b, err := os.ReadFile(png)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("no screenshot: %v", err)
	}
	if *screenshot != "" {
		if err := os.WriteFile(*screenshot, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", *screenshot, len(b))
	}

	if *screenshotPhone != "" {
		runChromium(t, bin, "--screenshot="+*screenshotPhone, "--window-size=400,2400", "--hide-scrollbars", "file://"+path)
		t.Logf("wrote %s", *screenshotPhone)
	}
}

// TestHTMLReportEmpty: a window without events still renders (no charts
// are broken by empty or all-null series).
func TestHTMLReportEmpty(t *testing.T) {
	ctx := context.Background()
	s := storetest.New(t)
	from := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	r, err := BuildReport(ctx, s, from, from.Add(24*time.Hour), "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	trend, err := Trend(ctx, s, r.From, r.To, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf, trend); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "NaN") || !strings.Contains(buf.String(), "No inbound calls") {
		t.Errorf("empty report page:\n%s", buf.String())
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// basicHTMLReport builds the report and trend of the basic scenario.
func basicHTMLReport(t *testing.T) (*Report, []IntervalPoint) {
	t.Helper()
	ctx := context.Background()
	s := storetest.New(t)
	eventtest.LoadFile(t, s, filepath.Join(scenarios, "basic", "events.jsonl"))
	from := time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	r, err := BuildReport(ctx, s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddPrevious(ctx, s, kpi.Config{}); err != nil {
		t.Fatal(err)
	}
	trend, err := Trend(ctx, s, from, to, "", kpi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return r, trend
}
