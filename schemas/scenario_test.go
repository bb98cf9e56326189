package schemas_test

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/frontline-oss/frontline/schemas"
)

// scenario decodes every line of a reference scenario file (testdata/ at
// the repository root), logs each invalid line with its reason, checks that
// every valid line round-trips through Encode, and returns the counts.
func scenario(t *testing.T, path string) (valid, invalid int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), schemas.MaxEventBytes+1)
	for line := 1; sc.Scan(); line++ {
		e, err := schemas.Decode(sc.Bytes())
		var inv *schemas.Invalid
		if errors.As(err, &inv) {
			invalid++
			t.Logf("line %d: %s (%s)", line, inv.Reason, inv.Detail)
			continue
		} else if err != nil {
			t.Fatalf("line %d: error %T is not *Invalid: %v", line, err, err)
		}
		valid++
		b, err := schemas.Encode(e)
		if err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		again, err := schemas.Decode(b)
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("line %d: round trip through %s: %v", line, b, err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return valid, invalid
}

// TestBasicScenario: the reference scenario has exactly 7 invalid lines,
// one per kind of mistake, and 3785 valid ones.
func TestBasicScenario(t *testing.T) {
	valid, invalid := scenario(t, "../testdata/basic/events.jsonl")
	if invalid != 7 || valid != 3785 {
		t.Fatalf("got %d valid and %d invalid lines, want 3785 and 7", valid, invalid)
	}
}

// TestWeekScenario: the week decodes and has some invalid lines.
func TestWeekScenario(t *testing.T) {
	valid, invalid := scenario(t, "../testdata/week/events.jsonl")
	t.Logf("%d valid, %d invalid lines", valid, invalid)
	if invalid == 0 || valid == 0 {
		t.Fatalf("got %d valid and %d invalid lines, want some of each", valid, invalid)
	}
}
