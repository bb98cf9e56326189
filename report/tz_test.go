package report

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontline-oss/frontline/internal/eventtest"
	"github.com/frontline-oss/frontline/internal/store/storetest"
	"github.com/frontline-oss/frontline/kpi"
	"github.com/frontline-oss/frontline/schemas"
)

// TestLocalDaysAcrossDST: in Europe/Warsaw the clocks go forward on
// 2026-03-29 (02:00 → 03:00) and back on 2026-10-25 (03:00 → 02:00). A
// report on such a local day covers its 23 or 25 hours — a call at 00:30
// local (still the evening before in UTC) counts, one at 00:30 the next
// local day does not — its JSON says when it starts and ends with their
// offsets, the trend has 92 or 100 quarter hours, a week's trend one
// bucket per local day, and the previous period is the local day before.
func TestLocalDaysAcrossDST(t *testing.T) {
	ctx := context.Background()
	c, err := kpi.ParseConfig([]byte("timezone: Europe/Warsaw\n"))
	if err != nil {
		t.Fatal(err)
	}
	waw := c.Zone
	n := 0
	call := func(at time.Time) *schemas.Event {
		n++
		a := at.Add(10 * time.Second)
		e := &schemas.CallEnded{CallID: "c" + itoa(int64(n)), Direction: "inbound", Queue: "billing", QueuedAt: &at, AnsweredAt: &a,
			EndedAt: a.Add(time.Minute), AgentID: "a1", TalkSec: 60}
		return &schemas.Event{ID: "tz" + itoa(int64(n)), Type: e.EventType(), Source: "test", Data: e}
	}
	s := storetest.New(t)
	eventtest.Insert(t, s,
		call(time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC)), // 00:30 CET on the 29th
		call(time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)),  // 03:30 CEST
		call(time.Date(2026, 3, 29, 22, 30, 0, 0, time.UTC)), // 00:30 CEST on the 30th
		call(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)),  // the day before
		call(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)), // 02:30 CEST, the first time
		call(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)), // 02:30 CET, the second time
		call(time.Date(2026, 10, 25, 22, 59, 0, 0, time.UTC)),
	)
	for _, tc := range []struct {
		day              time.Time
		hours, buckets   int
		offered          int64
		from, to, prevTo string
	}{
		{time.Date(2026, 3, 29, 0, 0, 0, 0, waw), 23, 92, 2, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", "2026-03-29T00:00:00+01:00"},
		{time.Date(2026, 10, 25, 0, 0, 0, 0, waw), 25, 100, 3, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", "2026-10-25T00:00:00+02:00"},
	} {
		to := time.Date(tc.day.Year(), tc.day.Month(), tc.day.Day()+1, 0, 0, 0, 0, waw)
		if h := int(to.Sub(tc.day).Hours()); h != tc.hours {
			t.Fatalf("%s: %d hours", tc.day, h)
		}
		r, err := BuildReport(ctx, s, tc.day, to, "", c)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.AddPrevious(ctx, s, c); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(r)
		var got struct {
			From, To string
			Calls    struct{ Offered int64 }
			Previous struct{ From, To string }
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.From != tc.from || got.To != tc.to || r.TimeZone != "Europe/Warsaw" {
			t.Errorf("%s: from %s to %s in %s, want %s to %s", tc.day.Format(time.DateOnly), got.From, got.To, r.TimeZone, tc.from, tc.to)
		}
		if got.Calls.Offered != tc.offered {
			t.Errorf("%s: %d calls offered, want %d", tc.day.Format(time.DateOnly), got.Calls.Offered, tc.offered)
		}
		if got.Previous.To != tc.prevTo || r.Previous.To.Sub(r.Previous.From) != 24*time.Hour {
			t.Errorf("%s: previous period %s to %s, want the 24 hours before", tc.day.Format(time.DateOnly), got.Previous.From, got.Previous.To)
		}
		trend, err := Trend(ctx, s, tc.day, to, "", c)
		if err != nil {
			t.Fatal(err)
		}
		var offered int64
		for _, p := range trend {
			offered += p.Offered
		}
		if len(trend) != tc.buckets || offered != tc.offered || trend[0].Start.Format(time.RFC3339) != tc.from {
			t.Errorf("%s: trend of %d buckets from %s with %d calls, want %d from %s with %d",
				tc.day.Format(time.DateOnly), len(trend), trend[0].Start.Format(time.RFC3339), offered, tc.buckets, tc.from, tc.offered)
		}
		var text strings.Builder
		if err := r.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		if want := tc.day.Format("2006-01-02 15:04") + " → " + to.Format("2006-01-02 15:04") + " Europe/Warsaw"; !strings.Contains(text.String(), want) ||
			!strings.Contains(text.String(), itoa(int64(tc.hours))+" hours: the clocks changed") {
			t.Errorf("text report does not say %q (%d hours):\n%s", want, tc.hours, text.String())
		}
	}

	// A week's trend: one bucket per local day, the 29th 23 hours long.
	from := time.Date(2026, 3, 23, 0, 0, 0, 0, waw)
	trend, err := Trend(ctx, s, from, from.AddDate(0, 0, 7), "", c)
	if err != nil {
		t.Fatal(err)
	}
	if len(trend) != 7 || trend[6].Start.Format(time.RFC3339) != "2026-03-29T00:00:00+01:00" || trend[6].Offered != 2 || trend[5].Offered != 1 {
		var got []string
		for _, p := range trend {
			got = append(got, p.Start.Format(time.RFC3339)+"="+itoa(p.Offered))
		}
		t.Errorf("week trend %v, want 7 local days, 1 call on the 28th and 2 on the 29th", got)
	}

	// The day dates of a week's window are days of the zone: the previous
	// week starts on the 16th at local midnight.
	pf, pt := PreviousWindow(from, from.AddDate(0, 0, 7))
	if pf.Format(time.RFC3339) != "2026-03-16T00:00:00+01:00" || !pt.Equal(from) {
		t.Errorf("previous week %s – %s", pf, pt)
	}
}
