package schemas

import (
	"math/rand"
	"strings"
	"testing"
)

// TestScrubStopsAtHardBytes: Scrub of s up to and including a hard byte is
// a prefix of Scrub of s, which is what lets quote scrub only the start of
// a large event.
func TestScrubStopsAtHardBytes(t *testing.T) {
	alphabet := []rune("0123456789 +-.()@abu_\\\u00a0é\"',:{}*/\n")
	r := rand.New(rand.NewSource(1))
	for range 100000 {
		b := make([]rune, r.Intn(48))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		s := string(b)
		all := Scrub(s)
		for i := 0; i < len(s); i++ {
			if strings.IndexByte(hard, s[i]) < 0 {
				continue
			}
			if part := Scrub(s[:i+1]); !strings.HasPrefix(all, part) {
				t.Fatalf("Scrub(%q) = %q, but Scrub(%q) = %q", s, all, s[:i+1], part)
			}
		}
	}
}
