package kpi

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Minutes of the week: a local moment's minute counted from Monday 00:00.
const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
)

// Hours are when a queue is open: weekly ranges of local time and holidays
// (whole local days closed), in the queue's time zone. The zero value is
// always open. A call is in hours when it was queued while its queue was
// open (kpis.md "Opening hours").
type Hours struct {
	// ranges are [start, end) in minutes of the week, sorted, disjoint and
	// not touching; nil with always set means every minute.
	ranges [][2]int
	// holidays are local dates (2006-01-02) closed all day.
	holidays []string
	// limited is false for a queue that is always open (no hours given).
	limited bool
}

// AlwaysOpen reports whether h has neither weekly hours nor holidays.
func (h Hours) AlwaysOpen() bool { return !h.limited && len(h.holidays) == 0 }

// Open reports whether a queue with hours h in zone is open at t.
func (h Hours) Open(t time.Time, zone *time.Location) bool {
	l := t.In(zone)
	day := l.Format(time.DateOnly)
	for _, d := range h.holidays {
		if d == day {
			return false
		}
	}
	if !h.limited {
		return true
	}
	m := minuteOfWeek(l)
	for _, r := range h.ranges {
		if m >= r[0] && m < r[1] {
			return true
		}
	}
	return false
}

// minuteOfWeek counts a local time's minutes from Monday 00:00.
func minuteOfWeek(l time.Time) int {
	wd := (int(l.Weekday()) + 6) % 7 // Monday 0
	return wd*minutesPerDay + l.Hour()*60 + l.Minute()
}

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ParseHours reads the weekly hours of the config file: keys are days
// ("mon") or ranges of days ("mon-fri", "sat-sun"), values are ranges of
// local time ("08:00-18:00", several separated by commas, "22:00-06:00"
// running past midnight, "00:00-24:00" all day) or "closed". Days that no
// key names are closed. Times are on quarter hours, so that each 15-minute
// rollup bucket is wholly open or wholly closed.
func ParseHours(week map[string]string, holidays []string) (Hours, error) {
	h := Hours{limited: week != nil}
	var ranges [][2]int
	keys := make([]string, 0, len(week))
	for k := range week {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[int]string{}
	for _, key := range keys {
		days, err := parseDays(key)
		if err != nil {
			return h, err
		}
		spans, err := parseSpans(week[key])
		if err != nil {
			return h, fmt.Errorf("hours %s: %w", key, err)
		}
		for _, d := range days {
			if other, dup := seen[d]; dup {
				return h, fmt.Errorf("hours: %s is given by %q and %q", dayNames[d], other, key)
			}
			seen[d] = key
			for _, s := range spans {
				start, end := d*minutesPerDay+s[0], d*minutesPerDay+s[1]
				if end <= minutesPerWeek {
					ranges = append(ranges, [2]int{start, end})
					continue
				}
				// Sunday night into Monday morning.
				ranges = append(ranges, [2]int{start, minutesPerWeek}, [2]int{0, end - minutesPerWeek})
			}
		}
	}
	h.ranges = merge(ranges)
	for _, d := range holidays {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return h, fmt.Errorf("holiday %q: want a date such as 2026-12-25", d)
		}
		h.holidays = append(h.holidays, day.Format(time.DateOnly))
	}
	sort.Strings(h.holidays)
	return h, nil
}

// parseDays reads "mon", "mon-fri" or "sat-sun" as day numbers (Monday 0).
func parseDays(key string) ([]int, error) {
	index := func(name string) (int, error) {
		for i, d := range dayNames {
			if d == strings.ToLower(strings.TrimSpace(name)) {
				return i, nil
			}
		}
		return 0, fmt.Errorf("hours: day %q: want mon, tue, wed, thu, fri, sat or sun, or a range such as mon-fri", name)
	}
	from, to, isRange := strings.Cut(key, "-")
	a, err := index(from)
	if err != nil {
		return nil, err
	}
	b := a
	if isRange {
		if b, err = index(to); err != nil {
			return nil, err
		}
		if b < a {
			return nil, fmt.Errorf("hours: days %q run backwards", key)
		}
	}
	var out []int
	for d := a; d <= b; d++ {
		out = append(out, d)
	}
	return out, nil
}

// parseSpans reads "08:00-12:00,13:00-18:00" as minutes of the day; an end
// at or before its start runs past midnight.
func parseSpans(v string) ([][2]int, error) {
	if strings.TrimSpace(v) == "closed" {
		return nil, nil
	}
	var out [][2]int
	for _, part := range strings.Split(v, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, fmt.Errorf("%q: want HH:MM-HH:MM or closed", part)
		}
		s, err := clock(a)
		if err != nil {
			return nil, err
		}
		e, err := clock(b)
		if err != nil {
			return nil, err
		}
		if e <= s {
			e += minutesPerDay
		}
		out = append(out, [2]int{s, e})
	}
	return out, nil
}

// clock reads HH:MM on a quarter hour, 00:00 to 24:00, as minutes.
func clock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	switch {
	case !ok || err1 != nil || err2 != nil || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m != 0:
		return 0, fmt.Errorf("time %q: want HH:MM from 00:00 to 24:00", s)
	case m%15 != 0:
		return 0, fmt.Errorf("time %q: opening hours are on quarter hours (the rollups' 15-minute buckets)", s)
	}
	return h*60 + m, nil
}

// merge sorts ranges and joins those that overlap or touch.
func merge(ranges [][2]int) [][2]int {
	sort.Slice(ranges, func(i, j int) bool { return ranges[i][0] < ranges[j][0] })
	var out [][2]int
	for _, r := range ranges {
		if r[1] <= r[0] {
			continue
		}
		if n := len(out); n > 0 && r[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// sql is the condition "open at t" for a queue with hours h in zone, on
// the SQL expression t (a DateTime or DateTime64): the same rule as Open.
func (h Hours) sql(t string, zone *time.Location) string {
	if h.AlwaysOpen() {
		return "true"
	}
	z := sqlString(zone.String())
	var parts []string
	if len(h.holidays) > 0 {
		days := make([]string, len(h.holidays))
		for i, d := range h.holidays {
			days[i] = "toDate(" + sqlString(d) + ")"
		}
		parts = append(parts, fmt.Sprintf("NOT has([%s], toDate(%s, %s))", strings.Join(days, ", "), t, z))
	}
	if h.limited {
		if len(h.ranges) == 0 {
			return "false"
		}
		rs := make([]string, len(h.ranges))
		for i, r := range h.ranges {
			rs[i] = fmt.Sprintf("(%d, %d)", r[0], r[1])
		}
		m := fmt.Sprintf("((toDayOfWeek(%[1]s, 0, %[2]s) - 1) * %[3]d + toHour(%[1]s, %[2]s) * 60 + toMinute(%[1]s, %[2]s))", t, z, minutesPerDay)
		parts = append(parts, fmt.Sprintf("arrayExists(r -> %[1]s >= r.1 AND %[1]s < r.2, [%[2]s])", m, strings.Join(rs, ", ")))
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// week returns the hours in the shape of the config file, for
// --print-config: day → ranges ("closed" for a day without any).
func (h Hours) week() map[string]string {
	if !h.limited {
		return nil
	}
	spans := make([][]string, 7)
	for _, r := range h.ranges {
		for s := r[0]; s < r[1]; {
			d := s / minutesPerDay
			e := min(r[1], (d+1)*minutesPerDay)
			spans[d] = append(spans[d], fmt.Sprintf("%02d:%02d-%02d:%02d", (s%minutesPerDay)/60, s%60, (e-d*minutesPerDay)/60, e%60))
			s = e
		}
	}
	out := map[string]string{}
	for d, s := range spans {
		if len(s) == 0 {
			out[dayNames[d]] = "closed"
			continue
		}
		out[dayNames[d]] = strings.Join(s, ",")
	}
	return out
}

// sqlString quotes s as a ClickHouse string literal.
func sqlString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
