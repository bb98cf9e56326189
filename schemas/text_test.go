package schemas_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontline-oss/frontline/schemas"
)

// TestSafeText: at most max bytes, cut at a rune boundary, always valid
// UTF-8, and nothing a terminal would interpret.
func TestSafeText(t *testing.T) {
	a63 := strings.Repeat("a", 63)
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short ASCII is kept", "cs.call.ended.v1", 64, "cs.call.ended.v1"},
		{"63 ASCII then é: é does not fit in 64 bytes", a63 + "é", 64, a63},
		{"63 ASCII then é fits in 65 bytes", a63 + "é", 65, a63 + "é"},
		{"cut at a rune boundary, not inside 😀", "ab😀", 5, "ab"},
		{"invalid UTF-8 becomes U+FFFD", "a\xffb", 64, "a\uFFFDb"},
		{"a truncated sequence becomes U+FFFD", "a\xe2\x82", 64, "a\uFFFD\uFFFD"},
		{"U+FFFD that does not fit is left out", "abc\xff", 5, "abc"},
		{"C0 controls are dropped (escape, newline, tab, NUL)", "a\x1b[31mred\n\tx\x00", 64, "a[31mredx"},
		{"DEL is dropped", "a\x7fb", 64, "ab"},
		{"C1 controls are dropped (CSI U+009B, NEL U+0085)", "a\u009b31mb\u0085c", 64, "a31mbc"},
		{"bidi overrides are dropped", "abc\u202edcba\u2066x\u2069", 64, "abcdcbax"},
		{"line and paragraph separators are dropped", "a\u2028b\u2029c", 64, "abc"},
		{"other Unicode is kept", "Zürich 東京 ünïcödé", 64, "Zürich 東京 ünïcödé"},
		{"max 0", "abc", 0, ""},
		{"negative max", "abc", -1, ""},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schemas.SafeText(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("SafeText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			checkSafe(t, got, tt.max)
		})
	}
}

// checkSafe fails unless s is valid UTF-8 of at most max bytes without
// control characters.
func checkSafe(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	if len(s) > max && len(s) > 0 {
		t.Errorf("%q is %d bytes, more than %d", s, len(s), max)
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			t.Errorf("%q keeps the control character %U", s, r)
		}
	}
}

// FuzzSafeText: whatever the input, the output is safe to use as a label.
func FuzzSafeText(f *testing.F) {
	f.Add(strings.Repeat("a", 63)+"é", 64)
	f.Add("a\xff\x1b[0m\u202e", 8)
	f.Fuzz(func(t *testing.T, s string, max int) {
		checkSafe(t, schemas.SafeText(s, max), max)
	})
}

// TestTypeLabel: a metrics label from an event's type is the type when the
// contract knows it and "unknown" otherwise, so a producer cannot create
// series (50,000 made-up types are one label) or invalid UTF-8.
func TestTypeLabel(t *testing.T) {
	for _, ti := range schemas.Types {
		if got := schemas.TypeLabel(ti.Type); got != ti.Type {
			t.Errorf("TypeLabel(%q) = %q", ti.Type, got)
		}
	}
	labels := map[string]bool{}
	for i := range 50000 {
		labels[schemas.TypeLabel(fmt.Sprintf("cs.made.up.%d.v1", i))] = true
	}
	for _, in := range []string{"", strings.Repeat("a", 63) + "é", "\xff", "cs.call.ended.v1\x00", "CS.CALL.ENDED.V1", "cs.call.ended.v2", " cs.call.ended.v1"} {
		labels[schemas.TypeLabel(in)] = true
	}
	if len(labels) != 1 || !labels[schemas.UnknownType] || schemas.UnknownType != "unknown" {
		t.Errorf("labels of unknown types: %v", labels)
	}
}
