package kpi

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/store"
	"github.com/frontline-oss/frontline/internal/store/storetest"
)

// warsaw is the configuration of a Warsaw centre: open on weekdays and
// Saturday mornings, closed on Easter Monday; billing works from London,
// all week round the clock but for Sunday night, with its own thresholds.
const warsaw = `timezone: Europe/Warsaw
currency: PLN
alerts: {min_volume: 12}
targets:
  default: {service_level: 0.8}
  billing: {sl_threshold: 30s, email_sla: 8h}
queues:
  default:
    hours: {mon-fri: "08:00-18:00", sat: "09:00-13:00"}
    holidays: [2026-04-06]
  billing:
    timezone: Europe/London
    hours: {mon-sat: "00:00-24:00", sun: "06:00-22:00"}
    short_abandon: 8s
    min_volume: 0
  tech: {hours: {mon-fri: "22:00-06:00"}}
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(warsaw))
	if err != nil {
		t.Fatal(err)
	}
	if c.Zone.String() != "Europe/Warsaw" || c.Currency != "PLN" {
		t.Errorf("zone %s currency %s", c.Zone, c.Currency)
	}
	d, b, o := c.Queue(""), c.Queue("billing"), c.Queue("orders")
	if d.SLThreshold != 20*time.Second || d.ShortAbandon != 5*time.Second || d.MinVolume != 12 || d.Zone.String() != "Europe/Warsaw" {
		t.Errorf("default queue %+v", d)
	}
	if b.SLThreshold != 30*time.Second || b.ShortAbandon != 8*time.Second || b.MinVolume != 0 || b.Zone.String() != "Europe/London" ||
		b.EmailSLA != 8*time.Hour || b.ServiceLevel != 0.8 {
		t.Errorf("billing %+v", b)
	}
	if o.Hours.week()["sat"] != "09:00-13:00" || o.Hours.week()["sun"] != "closed" || len(o.Hours.holidays) != 1 {
		t.Errorf("orders (the default) hours %v, holidays %v", o.Hours.week(), o.Hours.holidays)
	}
	if got := c.QueueNames(); strings.Join(got, ",") != "billing,tech" {
		t.Errorf("queue names %v", got)
	}
	for _, bad := range []struct{ name, yaml string }{
		{"unknown zone", "timezone: Mars/Olympus"},
		{"currency", "currency: euro"},
		{"hours off the quarter", `queues: {default: {hours: {mon: "08:10-18:00"}}}`},
		{"unknown day", `queues: {default: {hours: {mo: "08:00-18:00"}}}`},
		{"day given twice", `queues: {default: {hours: {mon-fri: "08:00-18:00", fri: "08:00-12:00"}}}`},
		{"holiday", `queues: {default: {holidays: [25.12.2026]}}`},
		{"threshold in fractions of a second", "targets: {default: {sl_threshold: 1500ms}}"},
		{"short abandon over an hour", "queues: {x: {short_abandon: 2h}}"},
		{"unknown field", "queues: {x: {opening: always}}"},
		{"negative volume", "alerts: {min_volume: -1}"},
	} {
		if _, err := ParseConfig([]byte(bad.yaml)); err == nil {
			t.Errorf("%s: %q parsed", bad.name, bad.yaml)
		}
	}
}

// A time zone Frontline can measure in is a whole number of quarter hours
// from UTC whatever the date, daylight saving included.
func TestLoadZone(t *testing.T) {
	for _, ok := range []string{"UTC", "Europe/Warsaw", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham"} {
		if _, err := LoadZone(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if err := checkZone(time.FixedZone("UTC+5:40", 5*3600+40*60)); err == nil {
		t.Error("an offset of +5:40 was accepted")
	}
}

// The opening hours in Go (Queue.Open, the planner's) and in SQL (the
// binder's InHours, every query's) are one rule: on every quarter hour of
// the weeks clocks change in 2026, for each queue, they agree — and a few
// moments stated in local time come out as their hours say.
func TestOpeningHoursInGoAndSQL(t *testing.T) {
	c, err := ParseConfig([]byte(warsaw))
	if err != nil {
		t.Fatal(err)
	}
	waw, _ := time.LoadLocation("Europe/Warsaw")
	for _, tc := range []struct {
		queue string
		at    time.Time
		open  bool
	}{
		{"orders", time.Date(2026, 3, 27, 7, 59, 0, 0, waw), false}, // Friday before 8
		{"orders", time.Date(2026, 3, 27, 8, 0, 0, 0, waw), true},
		{"orders", time.Date(2026, 3, 28, 12, 45, 0, 0, waw), true},  // Saturday morning
		{"orders", time.Date(2026, 3, 28, 13, 0, 0, 0, waw), false},  // Saturday afternoon
		{"orders", time.Date(2026, 3, 29, 10, 0, 0, 0, waw), false},  // Sunday
		{"orders", time.Date(2026, 4, 6, 10, 0, 0, 0, waw), false},   // Easter Monday
		{"billing", time.Date(2026, 3, 29, 22, 30, 0, 0, waw), true}, // 21:30 in London
		{"billing", time.Date(2026, 3, 29, 23, 30, 0, 0, waw), false},
		{"tech", time.Date(2026, 3, 28, 5, 0, 0, 0, waw), true}, // Friday night into Saturday
		{"tech", time.Date(2026, 3, 30, 5, 0, 0, 0, waw), false},
	} {
		if got := c.Queue(tc.queue).Open(tc.at); got != tc.open {
			t.Errorf("%s at %s: open %v, want %v", tc.queue, tc.at, got, tc.open)
		}
	}

	var stamps []string
	var instants []time.Time
	for _, start := range []time.Time{time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC)} {
		for at := start; at.Before(start.AddDate(0, 0, 14)); at = at.Add(15 * time.Minute) {
			stamps = append(stamps, at.Format("2006-01-02 15:04:05"))
			instants = append(instants, at)
		}
	}
	s := storetest.Empty(t)
	sql := "SELECT queue, toUInt32(i) AS i, " + c.Bind(QueryWindow).InHours("t") + ` AS open
FROM (SELECT arrayJoin(['billing', 'orders', 'tech']) AS queue) AS q
CROSS JOIN (SELECT arrayJoin(arrayEnumerate({ts:Array(String)})) AS i, toDateTime({ts:Array(String)}[i], 'UTC') AS t) AS m`
	type row struct {
		Queue string `json:"queue"`
		I     int    `json:"i"`
		Open  bool   `json:"open"`
	}
	rows, err := store.QueryAll[row](context.Background(), s, sql, store.Params{"ts": stamps})
	if err != nil {
		t.Fatal(strings.SplitN(err.Error(), " In scope ", 2)[0])
	}
	if len(rows) != 3*len(instants) {
		t.Fatalf("%d rows, want %d", len(rows), 3*len(instants))
	}
	diffs := 0
	for _, r := range rows {
		at := instants[r.I-1]
		if want := c.Queue(r.Queue).Open(at); r.Open != want && diffs < 10 {
			diffs++
			t.Errorf("%s at %s: SQL says open %v, Go %v", r.Queue, at.In(c.Queue(r.Queue).Zone), r.Open, want)
		}
	}
}
