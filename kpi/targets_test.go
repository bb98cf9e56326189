package kpi

import (
	"testing"
	"time"
)

// A queue's targets override only the fields they name; durations read as
// Go durations.
func TestParseTargets(t *testing.T) {
	tg, err := ParseTargets([]byte("default: {service_level: 0.75, sl_threshold: 30s}\nbilling: {max_abandon_rate: 0.1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := tg.For("billing")
	if b.ServiceLevel != 0.75 || b.SLThreshold != 30*time.Second || b.MaxAbandonRate != 0.1 || b.EmailSLA != 24*time.Hour {
		t.Errorf("billing target = %+v", b)
	}
	if o := tg.For("orders"); o != tg.Default || o.MaxAbandonRate != 0.05 {
		t.Errorf("orders target = %+v, want the default", o)
	}
	if _, err := ParseTargets([]byte("default: {service_level: high}")); err == nil {
		t.Error("a non-numeric service level parsed")
	}
}

func TestJudge(t *testing.T) {
	d := DefaultTarget() // SL ≥ 0.80, abandon ≤ 0.05, warning band 10 %
	for _, c := range []struct {
		name string
		got  Status
		want Status
	}{
		{"SL at target", d.JudgeServiceLevel(ptr(0.80)), OK},
		{"SL just under", d.JudgeServiceLevel(ptr(0.75)), Warning},
		{"SL far under", d.JudgeServiceLevel(ptr(0.60)), Breach},
		{"SL null", d.JudgeServiceLevel(nil), NoData},
		{"abandon at ceiling", d.JudgeAbandonRate(ptr(0.05)), OK},
		{"abandon just over", d.JudgeAbandonRate(ptr(0.054)), Warning},
		{"abandon far over", d.JudgeAbandonRate(ptr(0.2)), Breach},
		{"e-mail SLA", d.JudgeEmailSLA(ptr(1.0)), OK},
		{"callback SLA", d.JudgeCallbackSLA(ptr(0.0)), Breach},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
