package reporttest

import "testing"

func TestDiff(t *testing.T) {
	want := `{"calls":{"offered":3,"asa_sec":10.0,"service_level":0.5,"transfer_rate":null},"queues":[{"queue":"a"}]}`
	for _, c := range []struct {
		name, got string
		diffs     int
	}{
		{"equal within tolerances", `{"calls":{"offered":3,"asa_sec":10.0009,"service_level":0.5000004,"transfer_rate":null},"queues":[{"queue":"a"}]}`, 0},
		{"count off by one", `{"calls":{"offered":4,"asa_sec":10,"service_level":0.5,"transfer_rate":null},"queues":[{"queue":"a"}]}`, 1},
		{"seconds beyond 1e-3", `{"calls":{"offered":3,"asa_sec":10.002,"service_level":0.5,"transfer_rate":null},"queues":[{"queue":"a"}]}`, 1},
		{"rate beyond 1e-6", `{"calls":{"offered":3,"asa_sec":10,"service_level":0.50001,"transfer_rate":null},"queues":[{"queue":"a"}]}`, 1},
		{"zero is not null", `{"calls":{"offered":3,"asa_sec":10,"service_level":0.5,"transfer_rate":0},"queues":[{"queue":"a"}]}`, 1},
		{"missing and extra keys", `{"calls":{"offered":3,"asa_sec":10,"service_level":0.5,"extra":1},"queues":[{"queue":"a"}]}`, 1},
		{"extra keys only", `{"calls":{"offered":3,"asa_sec":10,"service_level":0.5,"transfer_rate":null,"extra":{"a":1}},"queues":[{"queue":"a","x":2}],"more":[]}`, 0},
		{"other queue", `{"calls":{"offered":3,"asa_sec":10,"service_level":0.5,"transfer_rate":null},"queues":[{"queue":"b"}]}`, 1},
	} {
		d, err := Diff([]byte(c.got), []byte(want))
		if err != nil {
			t.Fatal(err)
		}
		if len(d) != c.diffs {
			t.Errorf("%s: got %d differences %q, want %d", c.name, len(d), d, c.diffs)
		}
	}
}
