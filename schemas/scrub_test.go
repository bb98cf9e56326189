package schemas_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/frontline-oss/frontline/schemas"
)

// TestScrub: e-mail addresses and phone numbers in free text become ***;
// what the pipeline writes itself (timestamps, dates, sizes, decimals,
// UUIDs, ids) stays as it is.
func TestScrub(t *testing.T) {
	masked := []struct{ in, want string }{
		// e-mail addresses
		{"ann@example.com", "***"},
		{"mail Ann.Lee+tag@mail.example.co.uk, thanks", "mail ***, thanks"},
		{"<x_y%z@sub-domain.example.org>", "<***>"},
		{`{"note":"write to ann@example.com"}`, `{"note":"write to ***"}`},
		{"josé@example.com", "***"},
		{"ann@müller.de", "***"},
		{"two: a@b.de;c@d.fr", "two: ***;***"},
		{"ann@example.com.", "***."},
		// phone numbers with a leading +
		{"call +49 170 1234567 please", "call *** please"},
		{"+4917012345678", "***"},
		{"+44 (0)20 7946 0958", "***"},
		{"+1-212-555-0123", "***"},
		{"tel:+49-30-1234567", "tel:***"},
		{`"+49 30 1234567"`, `"***"`},
		// 7-15 digits with two or more separators
		{"(030) 1234567", "***"},
		{"call (0301234567) now", "call *** now"},
		{"030 1234 5678", "***"},
		{"030-123-4567", "***"},
		{"0170.123.4567", "***"},
		{"call me: +44-20-7946-0958 or (030) 1234567, ticket 123456", "call me: *** or ***, ticket 123456"},
		// 9-15 digits after a national area code and one space or dash
		{"Rückruf an 030 1234567 bitte", "Rückruf an *** bitte"},
		{"0170-1234567", "***"},
		// 9-15 contiguous digits
		{"0301234567", "***"},
		{"callback to 0301234567!", "callback to ***!"},
		{"Телефон: 0301234567", "Телефон: ***"},
		{"Tél.\u00a003 01 23 45 67", "Tél.\u00a0***"},
		// several numbers in one run of digits and spaces
		{"0301234567 0301234568", "*** ***"},
		{"ticket 12 0301234567", "ticket 12 ***"},
		{"k1 0301234567", "k1 ***"},
		{"0301234567 12abc", "*** 12abc"},
		// escapes in JSON text do not hide a number
		{`"line one\n0301234567"`, `"line one\n***"`},
		{`"a\t+49 170 1234567"`, `"a\t***"`},
		{`"\u00200301234567"`, `"\u0020***"`},
		// a number right after a date
		{"2026-11-02 0301234567", "2026-11-02 ***"},
		// and both kinds together
		{"ann@example.com or 0301234567", "*** or ***"},
	}
	kept := []string{
		"",
		"customer called again",
		"2026-11-02T09:00:41Z",
		"2026-11-02",
		"2026-11-02 09:00:41",
		"2026-11-02T09:05:00.123456789Z",
		"2026-11-02T09:05:00.123456789+01:00",
		"ended_at 2026-11-02T09:00:09.999Z is before queued_at 2026-11-02T09:00:10Z",
		"2026.11.02", "02.11.2026", "2.11.2026", "02-11-2026",
		"event of 1048480 bytes exceeds 1048576",
		"123 4567890", "0 12345678", "030.1234567", "00.123456789+01:00",
		"talk_sec is -3 seconds", "270.5", "3.14159265358979", "-1234567.25", "1234567890123.5",
		"550e8400-e29b-41d4-a716-446655440000",
		"abcdef01-2345-6789-abcd-012345678901",
		"12345678-1234-1234-1234-123456789012",
		"c-000123-end", "cust-00042", "agent-1-1000", "a000", "cb-1042", "em-1006",
		"cust_000123456789", "order20261102T0900", "Tel0301234567", "Телефон0301234567",
		"ticket 123456", "order 12345678", "1234567", "555-0123", "between 10 and 20",
		"v1.2.3", "+12", "12345678901234567890",
		"user@localhost", "a@b", "@example.com", "ann@", "email@123.456", "cs.call.ended.v1",
		"pii:5d41402abc4b2a76",
		`not valid JSON: "{\"x\":1}"`,
		`"\u000000000"`, `"\u2028\u2029\ufffd"`,
	}
	for _, tt := range masked {
		if got := schemas.Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, in := range kept {
		if got := schemas.Scrub(in); got != in {
			t.Errorf("Scrub(%q) = %q, want it unchanged", in, got)
		}
	}
}

// TestPIIToken: the token is "pii:" and 16 hex digits, the same for the
// same value and different for different values.
func TestPIIToken(t *testing.T) {
	a, b := schemas.PIIToken("ann@example.com"), schemas.PIIToken("bob@example.com")
	if !strings.HasPrefix(a, "pii:") || len(a) != 20 || a == b || a != schemas.PIIToken("ann@example.com") {
		t.Errorf("tokens %q and %q", a, b)
	}
	if schemas.Scrub(a) != a {
		t.Errorf("Scrub changes the token %q", a)
	}
}

// FuzzScrub: Scrub is idempotent (a decoded event encodes and decodes to
// itself), keeps valid UTF-8 valid, and leaves text without '@' and digits
// alone.
func FuzzScrub(f *testing.F) {
	for _, s := range []string{
		"call +49 170 1234567 or ann@example.com", "11 22 33 44 0301234567", "(030) 1234567)",
		"2026-11-02T09:00:41Z 0301234567", "a@b.cc.dd@e.ff", "0@0.A\xec000000000", "x@ab.c\u00a00301234567",
		"@1@11.@2.220.23).00-( 13003.002.(( +a@", "x@y.com@example.com", `\n0301234567`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := schemas.Scrub(s)
		if twice := schemas.Scrub(once); twice != once {
			t.Fatalf("Scrub(%q) = %q, but Scrub of that is %q", s, once, twice)
		}
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("Scrub(%q) = %q is not valid UTF-8", s, once)
		}
		if !strings.ContainsAny(s, "@0123456789") && once != s {
			t.Fatalf("Scrub(%q) = %q changed text without '@' and digits", s, once)
		}
	})
}

// TestScrubIdempotent: random text made of what addresses and numbers are
// made of scrubs to itself the second time; the fuzzer finds such cases
// too, but slowly, and this runs with every go test.
func TestScrubIdempotent(t *testing.T) {
	alphabets := [][]rune{
		[]rune("0123456789 +-.()@abcXYZ_\\\n*é\u00a0"),
		[]rune("0123 -.()@a.b+"),
		[]rune("0 (). @ab\u00a0é-+"),
		[]rune("0000000 ()-+a"),
		[]rune("0 12-."),
		[]rune("\\u00 12e@.a"),
	}
	r := rand.New(rand.NewSource(1))
	for n := range 200000 {
		alphabet := alphabets[n%len(alphabets)]
		b := make([]rune, r.Intn(48))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		once := schemas.Scrub(string(b))
		if twice := schemas.Scrub(once); twice != once {
			t.Fatalf("Scrub(%q) = %q, but Scrub of that is %q", string(b), once, twice)
		}
	}
}

// FuzzRedact: Redact never panics, keeps JSON valid JSON, and what it
// returns scrubs to itself.
func FuzzRedact(f *testing.F) {
	for _, tt := range validEvents {
		f.Add([]byte(tt.in))
	}
	f.Add([]byte(`{"ann@example.com":"vip","n":4930123456,"note":["call 0301234567"]}`))
	f.Add([]byte("\xEF\xBB\xBF{\"phone\":\"1\"}"))
	f.Add([]byte(`call me: +44-20-7946-0958`))
	f.Add([]byte(`{"":100000000,"":[]}`))
	f.Add([]byte("\xEF\xBB\xBF{}"))
	f.Add([]byte(`"\u000000000"`))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := schemas.Redact(in)
		if json.Valid(bytes.TrimPrefix(in, []byte("\xEF\xBB\xBF"))) && !json.Valid(out) {
			t.Fatalf("Redact(%q) = %q is not JSON", in, out)
		}
		if s := string(out); utf8.ValidString(s) && schemas.Scrub(s) != s {
			t.Fatalf("Redact(%q) = %q still has something to scrub", in, out)
		}
	})
}

// TestScrubFastPath: text without '@' and digits, the usual free text, is
// returned without any work beyond a scan (no allocation, no matching).
func TestScrubFastPath(t *testing.T) {
	s := strings.Repeat("customer called again, wants a refund; ", 10)
	if n := testing.AllocsPerRun(100, func() { schemas.Scrub(s) }); n != 0 {
		t.Errorf("Scrub of text without '@' and digits allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { schemas.Scrub("ticket 123456 of 2026-11-02") }); n != 0 {
		t.Errorf("Scrub of text with nothing to mask allocates %v times", n)
	}
}
