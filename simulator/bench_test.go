package simulator

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkSimulateDay measures one simulated weekday, encoding included,
// for a default and a large centre.
func BenchmarkSimulateDay(b *testing.B) {
	for _, agents := range []int{40, 200} {
		b.Run("agents="+strconv.Itoa(agents), func(b *testing.B) {
			benchRun(b, Options{Agents: agents, Days: 1})
		})
	}
}

// BenchmarkSimulateMonth measures a 30-day month of a 200-agent centre.
func BenchmarkSimulateMonth(b *testing.B) {
	benchRun(b, Options{Agents: 200, Days: 30})
}

func benchRun(b *testing.B, o Options) {
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		st, err := New(o).Run(context.Background(), func(Message) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		events += st.Events + st.Duplicates + st.Invalid
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}
