package report

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/kpi"
)

// IntervalPoint is one bucket of the html report's curves
// (sql/report_trend.sql): the calls queued in it, from the calls_15m
// rollup, and the callback backlog at its end.
type IntervalPoint struct {
	// Start is the beginning of the bucket, in the report's time zone.
	Start time.Time `json:"interval_start"`
	// Offered, Answered and Abandoned count the inbound calls queued in the
	// bucket while their queue was open (short abandons are not offered).
	Offered   int64 `json:"offered"`
	Answered  int64 `json:"answered"`
	Abandoned int64 `json:"abandoned"`
	// ServiceLevel is answered within each queue's threshold / offered;
	// nil when nothing was offered.
	ServiceLevel *float64 `json:"service_level"`
	// OpenCallbacks is the open-callback backlog at the end of the bucket
	// (at `to` for the last one).
	OpenCallbacks int64 `json:"open_callbacks"`
}

// TrendDaily is the longest window whose trend is drawn per 15 minutes;
// a longer one is drawn per local day.
const TrendDaily = 48 * time.Hour

// TrendBuckets are the buckets of the trend of [from, to) in zone:
// 15-minute intervals (from rounded down to one) up to TrendDaily, else
// local days (from rounded down to its local midnight), 23 or 25 hours on
// the days clocks change; the last ends at `to`.
func TrendBuckets(from, to time.Time, zone *time.Location) (starts, ends []time.Time) {
	from, to = from.In(zone), to.In(zone)
	next := func(t time.Time) time.Time { return t.Add(RollupBucket) }
	t := from.Truncate(RollupBucket)
	if to.Sub(from) > TrendDaily {
		next = func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, zone) }
		t = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, zone)
	}
	for ; t.Before(to); t = next(t) {
		starts = append(starts, t)
		ends = append(ends, minTime(next(t), to))
	}
	return starts, ends
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Trend returns the curves of [from, to) for the html report, one point per
// bucket of TrendBuckets in the zone of queue's view ("" = all queues),
// measured with c.
func Trend(ctx context.Context, s store.Store, from, to time.Time, queue string, c kpi.Config) ([]IntervalPoint, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("cannot build the trend of [%s, %s): %w", from.Format(time.RFC3339), to.Format(time.RFC3339), ErrEmptyWindow)
	}
	q, err := compiled(c, queue)
	if err != nil {
		return nil, err
	}
	zone := c.ZoneOf(queue)
	starts, ends := TrendBuckets(from, to, zone)
	p := kpi.QueryParams(starts[0], to, queue)
	utc := func(ts []time.Time) []string {
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.UTC().Format("2006-01-02 15:04:05.000")
		}
		return out
	}
	p["starts"], p["ends"] = utc(starts), utc(ends)
	pts, err := queryAll[IntervalPoint](ctx, s, q, "report_trend", p)
	for i := range pts {
		pts[i].Start = pts[i].Start.In(zone)
	}
	return pts, err
}

// WriteHTML writes r as one self-contained html page: the headline figures
// of WriteText as cards coloured ok / warning / breach, each beside the
// previous period's, the per-queue table, inline-SVG charts of trend (calls
// and service level per bucket, the open-callback backlog curve) and every
// section of WriteText. The page loads nothing from the network, runs no
// script, reads on a phone (400 px: cards in one or two columns, the queue
// table stacked) and prints on A4 (@media print). trend may be empty (the
// charts are then left out).
func (r *Report) WriteHTML(w io.Writer, trend []IntervalPoint) error {
	vw := r.view()
	v := htmlView{View: vw, Title: vw.Scope, HasPrev: r.Previous != nil}
	for _, sec := range vw.Sections {
		hs := htmlSection{Title: sec.Title}
		for _, f := range sec.Rows {
			if f.Indent {
				continue // the queue table shows them
			}
			if f.Card {
				v.Cards = append(v.Cards, htmlCard{figure: f, Class: statusClass(f.Status), Mark: mark(f.Status)})
			}
			hs.Rows = append(hs.Rows, htmlRow{figure: f, Class: statusClass(f.Status), Mark: mark(f.Status)})
		}
		v.Details = append(v.Details, hs)
	}
	for _, q := range r.Queues {
		v.Queues = append(v.Queues, htmlQueue{
			Name: q.Queue, Offered: q.Offered, Answered: q.Answered, Abandoned: q.Abandoned, Closed: q.OutOfHoursOffered,
			Threshold: dur(q.SLThresholdSec),
			SL:        pct(q.ServiceLevel), SLTarget: "≥ " + pctv(q.ServiceLevelTarget), SLClass: statusClass(q.ServiceLevelStatus), SLMark: mark(q.ServiceLevelStatus),
			AR: pct(q.AbandonRate), ARTarget: "≤ " + pctv(q.MaxAbandonRate), ARClass: statusClass(q.AbandonRateStatus), ARMark: mark(q.AbandonRateStatus),
			ASA: secs(q.ASASec), AHT: secs(q.AHTSec), Abandon: secs(q.AbandonTimeMeanSec),
		})
	}
	if len(trend) > 0 {
		v.Daily = len(trend) > 1 && trend[1].Start.Sub(trend[0].Start) > RollupBucket
		v.CallsChart = callsChart(trend)
		v.SLChart = slChart(trend, r.Targets.ServiceLevel.Target)
		v.BacklogChart = backlogChart(trend)
	}
	if err := htmlPage.Execute(w, v); err != nil {
		return fmt.Errorf("cannot write the html report: %w", err)
	}
	return nil
}

type htmlView struct {
	View                              view
	Title                             string
	HasPrev, Daily                    bool
	Cards                             []htmlCard
	Queues                            []htmlQueue
	Details                           []htmlSection
	CallsChart, SLChart, BacklogChart template.HTML
}

type htmlCard struct {
	figure
	Class, Mark string
}

type htmlQueue struct {
	Name                                     string
	Offered, Answered, Abandoned, Closed     int64
	Threshold, SL, SLTarget, SLClass, SLMark string
	AR, ARTarget, ARClass, ARMark, ASA       string
	AHT, Abandon                             string
}

type htmlSection struct {
	Title string
	Rows  []htmlRow
}

type htmlRow struct {
	figure
	Class, Mark string
}

func statusClass(s kpi.Status) string {
	switch s {
	case kpi.OK:
		return "ok"
	case kpi.Warning:
		return "warn"
	case kpi.Breach:
		return "breach"
	}
	return ""
}

func mark(s kpi.Status) string {
	if s == kpi.NoData {
		return ""
	}
	return s.String()
}

// Chart geometry, in SVG user units (the SVG scales to the page width).
const (
	chartW, chartH           = 1000.0, 200.0
	padL, padR, padT, padB   = 48.0, 12.0, 12.0, 26.0
	plotW, plotH             = chartW - padL - padR, chartH - padT - padB
	colAnswered, colAbandon  = "#2f6fb0", "#d9822b"
	colSL, colTarget, colBkl = "#2f6fb0", "#c23030", "#7a4fb0"
)

// svgOpen starts a chart with its title for screen readers.
func svgOpen(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`,
		chartW, chartH, template.HTMLEscapeString(title))
}

// axes draws the y grid (ticks at 0, max/2, max labelled by label) and the
// time labels of the x axis (every 3 hours, or every interval if fewer).
func axes(b *strings.Builder, trend []IntervalPoint, ymax float64, label func(float64) string) {
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		y := padT + plotH - plotH*float64(i)/4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, padL, y, chartW-padR, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="ylab">%s</text>`, padL-6, y+4, template.HTMLEscapeString(label(v)))
	}
	n := len(trend)
	step := 1
	for step*int(plotW/float64(n)) < 60 && step < n {
		step *= 2
	}
	if n > 24 {
		step = 12 // 3 hours of 15-minute intervals
		for n/step > 16 {
			step *= 2
		}
	}
	for i := 0; i < n; i += step {
		x := padL + plotW*float64(i)/float64(n)
		lab := pointLabel(trend, i)
		if t := trend[i].Start; t.Hour() == 0 && t.Minute() == 0 && n > 96 {
			lab = t.Format("Jan 2")
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="xlab">%s</text>`, x, chartH-8, lab)
	}
}

// pointLabel names bucket i of trend: its local time of day, or its date
// when the buckets are days.
func pointLabel(trend []IntervalPoint, i int) string {
	if len(trend) > 1 && trend[1].Start.Sub(trend[0].Start) > RollupBucket {
		return trend[i].Start.Format("Jan 2")
	}
	return trend[i].Start.Format("15:04")
}

// niceMax rounds a count chart's maximum up to 4, 8, 20, 40, 80, 200, …
// so that its four grid steps are whole numbers.
func niceMax(v float64) float64 {
	for p := 1.0; ; p *= 10 {
		for _, m := range []float64{2, 4, 8} {
			if c := m * p; c >= 4 && v <= c {
				return c
			}
		}
	}
}

// callsChart: answered and abandoned calls per interval, stacked bars.
func callsChart(trend []IntervalPoint) template.HTML {
	var b strings.Builder
	svgOpen(&b, "Calls offered per 15-minute interval: answered and abandoned")
	var max float64
	for _, p := range trend {
		max = math.Max(max, float64(p.Answered+p.Abandoned))
	}
	ymax := niceMax(max)
	axes(&b, trend, ymax, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	bw := plotW / float64(len(trend))
	for i, p := range trend {
		x := padL + bw*float64(i) + bw*0.1
		ha := plotH * float64(p.Answered) / ymax
		hb := plotH * float64(p.Abandoned) / ymax
		base := padT + plotH
		if p.Answered > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d answered</title></rect>`,
				x, base-ha, bw*0.8, ha, colAnswered, pointLabel(trend, i), p.Answered)
		}
		if p.Abandoned > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d abandoned</title></rect>`,
				x, base-ha-hb, bw*0.8, hb, colAbandon, pointLabel(trend, i), p.Abandoned)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// slChart: service level per interval (dots joined where consecutive
// intervals have calls) against the dashed target line.
func slChart(trend []IntervalPoint, target float64) template.HTML {
	var b strings.Builder
	svgOpen(&b, "Service level per 15-minute interval against the target")
	axes(&b, trend, 1, func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) })
	bw := plotW / float64(len(trend))
	xy := func(i int, v float64) (float64, float64) {
		return padL + bw*(float64(i)+0.5), padT + plotH - plotH*v
	}
	var path strings.Builder
	prev := false
	for i, p := range trend {
		if p.ServiceLevel == nil {
			prev = false
			continue
		}
		x, y := xy(i, *p.ServiceLevel)
		if prev {
			fmt.Fprintf(&path, " L%.1f %.1f", x, y)
		} else {
			fmt.Fprintf(&path, " M%.1f %.1f", x, y)
		}
		prev = true
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, strings.TrimSpace(path.String()), colSL)
	}
	for i, p := range trend {
		if p.ServiceLevel == nil {
			continue
		}
		x, y := xy(i, *p.ServiceLevel)
		col := colSL
		if *p.ServiceLevel < target {
			col = colTarget
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s: %s of %d offered</title></circle>`,
			x, y, col, pointLabel(trend, i), pctv(*p.ServiceLevel), p.Offered)
	}
	ty := padT + plotH - plotH*target
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="6 4" stroke-width="1.5"/>`, padL, ty, chartW-padR, ty, colTarget)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tlab">target %s</text>`, chartW-padR-4, ty-5, pctv(target))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// backlogChart: open callbacks at the end of each interval, as an area.
func backlogChart(trend []IntervalPoint) template.HTML {
	var b strings.Builder
	svgOpen(&b, "Open callbacks at the end of each 15-minute interval")
	var max float64
	for _, p := range trend {
		max = math.Max(max, float64(p.OpenCallbacks))
	}
	ymax := niceMax(max)
	axes(&b, trend, ymax, func(v float64) string { return fmt.Sprintf("%.0f", v) })
	bw := plotW / float64(len(trend))
	var line strings.Builder
	for i, p := range trend {
		x := padL + bw*float64(i+1)
		y := padT + plotH - plotH*float64(p.OpenCallbacks)/ymax
		if i == 0 {
			fmt.Fprintf(&line, "M%.1f %.1f L%.1f %.1f", padL, y, x, y)
		} else {
			fmt.Fprintf(&line, " L%.1f %.1f", x, y)
		}
	}
	fmt.Fprintf(&b, `<path d="%s L%.1f %.1f L%.1f %.1f Z" fill="%s" fill-opacity="0.18" stroke="none"/>`,
		line.String(), chartW-padR, padT+plotH, padL, padT+plotH, colBkl)
	fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`, line.String(), colBkl)
	last := trend[len(trend)-1]
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tlab">%d open at the end</text>`,
		chartW-padR-4, padT+plotH-plotH*float64(last.OpenCallbacks)/ymax-6, last.OpenCallbacks)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Frontline manager report — {{.Title}} — {{.View.Window}}</title>
<style>
:root { --ink:#1d2430; --muted:#5d6878; --line:#dde2e8; --ok:#1f7a3d; --okbg:#e5f4ea; --warn:#8a5a00; --warnbg:#fff3d6; --breach:#a8201a; --breachbg:#fde6e4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f5f7fa; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 40px; }
header { border-bottom: 3px solid var(--ink); padding-bottom: 8px; margin-bottom: 18px; }
h1 { font-size: 22px; margin: 0; }
h1 span { font-weight: 400; }
header .window { color: var(--muted); font-size: 15px; }
h2 { font-size: 16px; margin: 26px 0 10px; text-transform: uppercase; letter-spacing: .04em; }
.cards { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .t { color: var(--muted); font-size: 12px; }
.card .v { font-size: 24px; font-weight: 650; margin: 2px 0; }
.card .s { color: var(--muted); font-size: 12px; }
.card.ok { border-left-color: var(--ok); } .card.ok .v { color: var(--ok); }
.card.warn { border-left-color: #e0a100; } .card.warn .v { color: var(--warn); }
.card.breach { border-left-color: var(--breach); background: var(--breachbg); } .card.breach .v { color: var(--breach); }
.charts { display: grid; grid-template-columns: 1fr; gap: 10px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px 4px; }
figcaption { font-weight: 600; margin-bottom: 2px; }
figcaption span { font-weight: 400; color: var(--muted); font-size: 12px; margin-left: 8px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; vertical-align: -1px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .grid { stroke: #e7ebf0; stroke-width: 1; }
svg text { font: 11px sans-serif; fill: #5d6878; }
svg .ylab { text-anchor: end; } svg .xlab { text-anchor: middle; } svg .tlab { text-anchor: end; font-weight: 600; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #eef1f5; font-size: 12px; color: var(--muted); font-weight: 600; }
td.ok { color: var(--ok); background: var(--okbg); } td.warn { color: var(--warn); background: var(--warnbg); } td.breach { color: var(--breach); background: var(--breachbg); font-weight: 650; }
td small { color: var(--muted); margin-left: 6px; }
.details { display: grid; grid-template-columns: repeat(2, 1fr); gap: 10px; align-items: start; }
.details table td:first-child { white-space: normal; }
.details td.prev, .details td.change { color: var(--muted); }
footer { margin-top: 22px; color: var(--muted); font-size: 12px; }
footer p { margin: 4px 0; }
@media (max-width: 900px) { .cards { grid-template-columns: repeat(2, 1fr); } .details { grid-template-columns: 1fr; } }
@media (max-width: 600px) {
  main { padding: 14px 10px 28px; }
  figure { overflow-x: auto; }
  svg.chart { min-width: 640px; }
  h1 { font-size: 19px; }
  .card .v { font-size: 20px; }
  .details td.prev, .details th.prev { display: none; }
  .details table td { white-space: normal; padding: 6px 6px; }
  table.queues thead { display: none; }
  table.queues, table.queues tbody, table.queues tr, table.queues td { display: block; width: 100%; }
  table.queues tr { border-bottom: 2px solid var(--line); padding: 4px 0; }
  table.queues td { display: flex; justify-content: space-between; gap: 12px; border: 0; padding: 3px 10px; white-space: normal; text-align: right; }
  table.queues td::before { content: attr(data-label); color: var(--muted); text-align: left; }
  table.queues td:first-child { font-weight: 650; }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 11px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  .cards { grid-template-columns: repeat(5, 1fr); gap: 6px; }
  .card .v { font-size: 18px; }
  figure, table, .card { break-inside: avoid; }
  .details { grid-template-columns: repeat(2, 1fr); }
  h2 { break-after: avoid; }
}
</style>
</head>
<body>
<main>
<header><h1>Frontline manager report <span>— {{.Title}}</span></h1><div class="window">{{.View.Window}}</div>{{if .View.Previous}}<div class="window">compared with {{.View.Previous}}</div>{{end}}</header>

<h2>Service at a glance</h2>
<section class="cards">
{{range .Cards}}<div class="card {{.Class}}"><div class="t">{{.Name}}</div><div class="v">{{.Value}}</div><div class="s">{{if .Target}}target {{.Target}}{{if .Mark}} · {{.Mark}}{{end}}{{end}}{{if $.HasPrev}}{{if .Target}}<br>{{end}}previous {{.Prev}} · {{.Change}}{{end}}</div></div>
{{end}}</section>
{{if .CallsChart}}
<h2>{{if .Daily}}Day by day{{else}}Through the day{{end}}</h2>
<section class="charts">
<figure><figcaption>Calls offered {{if .Daily}}per day{{else}}per 15 minutes{{end}}<span class="legend"><i style="background:#2f6fb0"></i>answered<i style="background:#d9822b"></i>abandoned</span></figcaption>{{.CallsChart}}</figure>
<figure><figcaption>Service level {{if .Daily}}per day{{else}}per 15 minutes{{end}}<span>answered within each queue's threshold / offered, while open; red dots are under the target</span></figcaption>{{.SLChart}}</figure>
<figure><figcaption>Callback backlog<span>callbacks open (requested, not yet reached or cancelled) at the end of each {{if .Daily}}day{{else}}interval{{end}}</span></figcaption>{{.BacklogChart}}</figure>
</section>
{{end}}
<h2>Queues</h2>
<table class="queues">
<thead><tr><th>Queue</th><th>Offered</th><th>Answered</th><th>Abandoned</th><th>Service level</th><th>Abandon rate</th><th>ASA</th><th>Time to abandon</th><th>AHT</th><th>While closed</th></tr></thead>
<tbody>
{{range .Queues}}<tr><td data-label="Queue">{{.Name}}</td><td data-label="Offered">{{.Offered}}</td><td data-label="Answered">{{.Answered}}</td><td data-label="Abandoned">{{.Abandoned}}</td><td data-label="Service level ≤ {{.Threshold}}" class="{{.SLClass}}">{{.SL}}<small>{{.SLTarget}}{{if .SLMark}} · {{.SLMark}}{{end}}</small></td><td data-label="Abandon rate" class="{{.ARClass}}">{{.AR}}<small>{{.ARTarget}}{{if .ARMark}} · {{.ARMark}}{{end}}</small></td><td data-label="ASA">{{.ASA}}</td><td data-label="Time to abandon">{{.Abandon}}</td><td data-label="AHT">{{.AHT}}</td><td data-label="Offered while closed">{{.Closed}}</td></tr>
{{else}}<tr><td colspan="10">No inbound calls in this window.</td></tr>
{{end}}</tbody>
</table>

<h2>Details</h2>
<section class="details">
{{range .Details}}<table><thead><tr><th>{{.Title}}</th><th>now</th>{{if $.HasPrev}}<th class="prev">previous</th><th>change</th>{{end}}<th>target</th></tr></thead><tbody>
{{range .Rows}}<tr><td>{{.Name}}</td><td class="{{.Class}}">{{.Value}}{{if .Mark}}<small>{{.Mark}}</small>{{end}}</td>{{if $.HasPrev}}<td class="prev">{{.Prev}}</td><td class="change">{{.Change}}</td>{{end}}<td>{{.Target}}</td></tr>
{{end}}</tbody></table>
{{end}}</section>
<footer>{{range .View.Notes}}<p>{{.}}</p>{{end}}<p>Generated by Frontline.</p></footer>
</main>
</body>
</html>
`))
