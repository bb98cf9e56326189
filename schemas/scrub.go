package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mask is what Scrub puts in place of each e-mail address and phone number.
// It has no digit, no '@' and no character an address or number is made
// of, so scrubbed text scrubs to itself.
const Mask = "***"

// Scrub returns s with every e-mail address and phone number replaced by
// Mask. It exists because producers put personal data where the contract
// does not expect it: a customer's number in a cancellation reason, an
// address in a note of a rejected event, and whatever a producer sends may
// end up in a DLQ detail. Invalid.Detail, Redact and the free-text fields
// of Decode all go through it.
//
// The rules are heuristics, tuned to leave alone what the pipeline itself
// writes (timestamps, dates, durations, sizes, decimals, UUIDs, ids):
//
//   - An e-mail address is a local part of ASCII letters, digits and
//     . _ % + - (and any non-ASCII character), '@', and a domain of at
//     least two dot-separated labels of letters (of any script), digits
//     and '-' whose last label is at least two letters (ann@example.com,
//     a.b+c@mail.example.co.uk; not user@localhost, not a@b).
//   - A phone number is made of ASCII digits and the separators space, '-',
//     '.', '(' and ')', optionally after a leading '+'. It is masked when it
//     has a leading '+' and 7 to 15 digits (+49 170 1234567); or 7 to 15
//     digits and at least two separators ((030) 1234567, 030-123-4567);
//     or 9 to 15 digits and no separator (0301234567); or 9 to 15 digits
//     after an area code of 0 and one to four digits and one space or '-'
//     (030 1234567, 0170-1234567). When a run of digits
//     and separators as a whole is not a number, each of its space-separated
//     words is tried on its own, so two numbers in a row are both masked.
//   - Digits glued to a letter (of any script) or '_' belong to a word, not
//     a number: c-000123-end, cust-00042, the parts of a UUID,
//     20261102T0900, Tel0301234567. An ASCII letter right after a backslash
//     does not glue (the n of a \n escape in JSON text), and the hex digits
//     of a \uXXXX escape are not digits. A date
//     (2026-11-02, 2026.11.02, 2.11.2026, 02-11-2026) is never part of a
//     number, and the time after it has too few digits to be one, so ISO
//     timestamps are kept; a decimal number has one separator and is kept.
//
// Known misses and false alarms: a number with fewer than 7 digits, one
// written with '/' (030/1234567), one with a single separator and no area
// code (123 4567890), digits glued to letters (Tel0301234567) and digits
// escaped in JSON text (\u0030) are not found; other 9-15 digit
// numbers (epoch seconds, long order numbers) and numbers written with two
// or more separators (1.234.567, IPv4 addresses) are masked too. Strings
// without '@' and without digits are returned as they are without any work.
func Scrub(s string) string {
	if !mayHavePII(s) {
		return s
	}
	return scrubPhones(scrubEmails(s))
}

// mayHavePII reports whether s has an '@' or an ASCII digit, without which
// Scrub finds nothing.
func mayHavePII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '@' || c >= '0' && c <= '9' {
			return true
		}
	}
	return false
}

// PIITokenSalt is prepended to a value before hashing it for PIIToken. It
// is fixed and public so that the same value gives the same token in every
// installation and in every release (ids that KPIs join on must stay
// equal); so the token is a pseudonym, not a secret: whoever guesses the
// value can compute its token.
const PIITokenSalt = "frontline/schemas PIIToken v1:"

// PIIToken returns "pii:" and the first 16 hex digits of
// SHA-256(PIITokenSalt + s). Decode stores it in place of an id that
// contains an e-mail address or an international phone number: the id is
// not kept in clear, yet equal ids stay equal, so joins and counts do not
// change. It is exported so that an operator can find the rows of a known
// address.
func PIIToken(s string) string {
	sum := sha256.Sum256([]byte(PIITokenSalt + s))
	return "pii:" + hex.EncodeToString(sum[:8])
}

// keyToken returns an id (a Kind ID field, the envelope id or source) as
// Decode stores it: itself, or PIIToken of it when it contains an e-mail
// address or a phone number with a leading '+' by the rules of Scrub.
func keyToken(s string) string {
	if strings.IndexByte(s, '@') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	if scrubEmails(s) != s {
		return PIIToken(s)
	}
	for _, sp := range phoneSpans(s, nil) {
		if sp.plus {
			return PIIToken(s)
		}
	}
	return s
}

// span is a part s[start:end] to mask; plus marks a phone number with a
// leading '+'.
type span struct {
	start, end int
	plus       bool
}

// mask returns s with every span replaced by Mask; spans are in order and
// do not overlap.
func mask(s string, spans []span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.start])
		b.WriteString(Mask)
		prev = sp.end
	}
	b.WriteString(s[prev:])
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// scrubEmails masks the e-mail addresses in s. Every byte is looked at a
// bounded number of times: the local part is read back from an '@' to the
// previous '@' or address at most, the domain forward to the next '@'.
func scrubEmails(s string) string {
	var spans []span
	prev := 0
	for i := 0; i < len(s); {
		k := strings.IndexByte(s[i:], '@')
		if k < 0 {
			break
		}
		at := i + k
		start := at
		for start > prev && isLocal(s[start-1]) {
			start--
		}
		if end := domainEnd(s, at+1); start < at && end > 0 {
			spans = append(spans, span{start: start, end: end})
			prev, i = end, end
			continue
		}
		i = at + 1
	}
	return mask(s, spans)
}

func isLocal(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c >= 0x80
}

// wordRune reports whether a non-ASCII rune is part of a word: a letter,
// digit or mark of any script, or an invalid byte (RuneError). Such runes
// glue digits to a word and may be part of a domain name; the two must be
// the same set, or masking a number could complete an address that a
// second Scrub would then find.
func wordRune(r rune) bool {
	return r == utf8.RuneError || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// domainRune returns the length of the domain character at s[j] (ASCII
// letter, digit, '-', or a non-ASCII word rune); 0 when there is none.
func domainRune(s string, j int) int {
	if j >= len(s) {
		return 0
	}
	if c := s[j]; c < utf8.RuneSelf {
		if isAlpha(c) || isDigit(c) || c == '-' {
			return 1
		}
		return 0
	}
	r, size := utf8.DecodeRuneInString(s[j:])
	if wordRune(r) {
		return size
	}
	return 0
}

// domainEnd returns the end of the longest domain starting at i: at least
// two labels, the last of two or more letters (non-ASCII word runes count
// as letters); 0 when there is none.
func domainEnd(s string, i int) int {
	best, labels, start := 0, 0, i
	for j := i; ; {
		if n := domainRune(s, j); n > 0 {
			j += n
			continue
		}
		if j == start {
			return best // an empty label ends the domain
		}
		labels++
		if labels >= 2 && isTLD(s[start:j]) {
			best = j
		}
		if j == len(s) || s[j] != '.' {
			return best
		}
		j++
		start = j
	}
}

func isTLD(label string) bool {
	if utf8.RuneCountInString(label) < 2 {
		return false
	}
	for i := 0; i < len(label); i++ {
		if c := label[i]; !isAlpha(c) && c < utf8.RuneSelf {
			return false
		}
	}
	return true
}

// scrubPhones masks the phone numbers in s.
func scrubPhones(s string) string { return mask(s, phoneSpans(s, nil)) }

func isSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' }

// gluedBefore reports whether the rune before s[a] makes digits at a part
// of a word: an ASCII letter or '_' (not right after a backslash, where it
// is an escape such as \n), or a non-ASCII word rune.
func gluedBefore(s string, a int) bool {
	if a == 0 {
		return false
	}
	if c := s[a-1]; c < utf8.RuneSelf {
		return (isAlpha(c) || c == '_') && !(a > 1 && s[a-2] == '\\')
	}
	r, _ := utf8.DecodeLastRuneInString(s[:a])
	return wordRune(r)
}

// gluedAt reports whether the rune at s[b] makes digits before it part of
// a word.
func gluedAt(s string, b int) bool {
	if b >= len(s) {
		return false
	}
	if c := s[b]; c < utf8.RuneSelf {
		return isAlpha(c) || c == '_'
	}
	r, _ := utf8.DecodeRuneInString(s[b:])
	return wordRune(r)
}

// phoneSpans appends the phone numbers of s to spans. It cuts s into runs
// of digits and separators: a '+' starts a new run, and a date ends one and
// is skipped.
func phoneSpans(s string, spans []span) []span {
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' && isUnicodeEscape(s[i:]) {
			i += 6 // its hex digits are not digits of a number
			continue
		}
		if !isDigit(c) && !isSep(c) && c != '+' {
			i++
			continue
		}
		j := i
		if c == '+' {
			j++
		}
		date := 0
		for ; j < len(s) && (isDigit(s[j]) || isSep(s[j])); j++ {
			if isDigit(s[j]) && (j == 0 || !isDigit(s[j-1])) {
				if date = dateLen(s[j:]); date > 0 {
					break
				}
			}
		}
		spans = run(s, i, j, spans)
		i = j + date
	}
	return spans
}

// isUnicodeEscape reports whether s starts with a JSON \uXXXX escape.
func isUnicodeEscape(s string) bool {
	if len(s) < 6 || s[1] != 'u' {
		return false
	}
	for i := 2; i < 6; i++ {
		if c := s[i] | 0x20; !isDigit(s[i]) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// run appends the phone numbers of the run s[a:b].
func run(s string, a, b int, spans []span) []span {
	limit := b
	if gluedBefore(s, a) { // the first word belongs to the word before
		k := strings.IndexByte(s[a:b], ' ')
		if k < 0 {
			return spans
		}
		a += k + 1
	}
	if gluedAt(s, b) { // the last word belongs to the word after
		k := strings.LastIndexByte(s[a:b], ' ')
		if k < 0 {
			return spans
		}
		b = a + k
	}
	if sp, ok := phone(s, a, b, limit); ok {
		return append(spans, sp)
	}
	// Not one number: try each word, and what lies between the numbers
	// found as a whole, as a second Scrub would see it.
	found := false
	last := a // end of the last number found
	for w := a; w < b; {
		e := strings.IndexByte(s[w:b], ' ')
		if e < 0 {
			e = b
		} else {
			e += w
		}
		if sp, ok := phone(s, w, e, e); ok {
			if between, ok := phone(s, last, sp.start, sp.start); ok {
				spans = append(spans, between)
			}
			spans = append(spans, sp)
			found, last = true, sp.end
		}
		w = e + 1
	}
	if found {
		if between, ok := phone(s, last, b, limit); ok {
			spans = append(spans, between)
		}
	}
	return spans
}

// phone reports whether s[a:b], without separators at its ends, is a phone
// number by the rules of Scrub; a ')' closing the number before limit is
// masked with it.
func phone(s string, a, b, limit int) (span, bool) {
	for a < b && !isDigit(s[a]) && s[a] != '+' && s[a] != '(' {
		a++
	}
	for b > a && !isDigit(s[b-1]) {
		b--
	}
	if a >= b {
		return span{}, false
	}
	plus := s[a] == '+'
	digits, seps, open := 0, 0, 0
	i := a
	if plus {
		i++
	}
	for ; i < b; i++ {
		switch c := s[i]; {
		case isDigit(c):
			digits++
		case c == '+':
			return span{}, false // only at the start
		default:
			seps++
			if c == '(' {
				open++
			} else if c == ')' {
				open--
			}
		}
	}
	if open > 0 && b < limit && s[b] == ')' {
		b++
		seps++
	}
	if digits < 7 || digits > 15 {
		return span{}, false
	}
	switch {
	case plus, seps >= 2:
	case digits >= 9 && (seps == 0 || trunkPrefix(s[a:b])):
	default:
		return span{}, false
	}
	return span{start: a, end: b, plus: plus}, true
}

// trunkPrefix reports whether a number with one separator starts with a
// national area code: 0 and one to four more digits, then a space or '-'
// (030 1234567, 0170-1234567). A '.' does not count, or the fraction of a
// timestamp (00.123456789+01:00) would be a number.
func trunkPrefix(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[0] == '0' && i >= 2 && i <= 5 && i < len(s) && (s[i] == ' ' || s[i] == '-')
}

// dateLen returns the length of the date at the start of s (YYYY-MM-DD,
// YYYY.MM.DD, D.M.YYYY or D-M-YYYY, one separator twice, a plausible day
// and month, no digit after it); 0 when there is none.
func dateLen(s string) int {
	num := func(i, min, max int) (int, int) { // value and end of min-max digits at i
		n, j := 0, i
		for j < len(s) && j-i < max && isDigit(s[j]) {
			n = n*10 + int(s[j]-'0')
			j++
		}
		if j-i < min {
			return -1, i
		}
		return n, j
	}
	end := func(i int) bool { return i == len(s) || !isDigit(s[i]) }
	sepAt := func(i int, c byte) bool { return i < len(s) && s[i] == c }
	if y, i := num(0, 4, 4); y >= 0 && end(i) && (sepAt(i, '-') || sepAt(i, '.')) {
		sep := s[i]
		m, j := num(i+1, 2, 2)
		if m >= 1 && m <= 12 && sepAt(j, sep) {
			if d, k := num(j+1, 2, 2); d >= 1 && d <= 31 && end(k) {
				return k
			}
		}
		return 0
	}
	if d, i := num(0, 1, 2); d >= 1 && d <= 31 && end(i) && (sepAt(i, '-') || sepAt(i, '.')) {
		sep := s[i]
		m, j := num(i+1, 1, 2)
		if m >= 1 && m <= 12 && end(j) && sepAt(j, sep) {
			if y, k := num(j+1, 4, 4); y >= 0 && end(k) {
				return k
			}
		}
	}
	return 0
}
