package schemas_test

import (
	"bufio"
	"os"
	"testing"

	"github.com/frontline-oss/frontline/schemas"
)

// TestBasicScenario: the reference file has exactly 7 invalid lines.
func TestBasicScenario(t *testing.T) {
	f, err := os.Open("../../shared/scenarios/basic/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	valid, invalid, line := 0, 0, 0
	for sc.Scan() {
		line++
		ev, err := schemas.Decode(sc.Bytes())
		if err != nil {
			invalid++
			t.Logf("line %d: %v", line, err)
			continue
		}
		b, err := schemas.Encode(ev)
		if err != nil {
			t.Fatal(err)
		}
		again, err := schemas.Decode(b)
		if err != nil {
			t.Fatalf("line %d: re-encoded event does not decode: %v\n%s", line, err, b)
		}
		if again.ID != ev.ID || again.Type != ev.Type {
			t.Fatalf("line %d: round trip changed the event", line)
		}
		valid++
	}
	if invalid != 7 || valid != 3785 {
		t.Fatalf("got %d valid and %d invalid lines, want 3785 and 7", valid, invalid)
	}
}
