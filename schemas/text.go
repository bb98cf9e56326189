package schemas

import "unicode/utf8"

// UnknownType is the TypeLabel of every event type the contract does not
// know.
const UnknownType = "unknown"

// TypeLabel returns the metrics label for an event type read from a
// message, valid or not: t itself when it is a type of the contract (see
// Info), else UnknownType. Event content must not choose label values: a
// producer sending 50,000 made-up types made 50,000 series, and a type cut
// to 64 bytes inside a character was invalid UTF-8, on which the Prometheus
// client panics. With TypeLabel the label set is the contract's types plus
// "unknown", all of them ASCII.
func TypeLabel(t string) string {
	if _, ok := Info(t); ok {
		return t
	}
	return UnknownType
}

// SafeText returns s cut to at most max bytes for showing to a person (a
// log line, a table cell, a terminal) or using as a label: invalid UTF-8
// becomes U+FFFD, control characters are dropped (C0 including tab and
// newline, DEL, C1), and so are the characters that make a terminal or an
// editor show text other than it is (the bidirectional formatting
// characters U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, and the
// line and paragraph separators U+2028 and U+2029). The cut is at a rune
// boundary, so the result is always valid UTF-8; a max of 0 or less gives
// "". It exists because a byte cut of producer text was once invalid UTF-8
// and crashed the collector.
func SafeText(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if len(s) <= max && printableASCII(s) {
		return s
	}
	out := make([]byte, 0, min(len(s), max))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if dropped(r) {
			continue
		}
		if len(out)+utf8.RuneLen(r) > max {
			break
		}
		out = utf8.AppendRune(out, r) // RuneError for invalid bytes
	}
	return string(out)
}

// printableASCII reports whether s is only bytes 0x20 to 0x7E.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// dropped reports whether SafeText leaves r out.
func dropped(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
