package schemas_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/frontline-oss/frontline/schemas"
)

// BenchmarkDecode decodes the week scenario's lines in turn: the real mix
// of types, offsets and a few invalid events. ns/op is per event.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("../testdata/week/events.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	b.SetBytes(int64(len(data) / len(lines)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		schemas.Decode(lines[i])
		if i++; i == len(lines) {
			i = 0
		}
	}
}

// BenchmarkEncode encodes a typical answered inbound call.
func BenchmarkEncode(b *testing.B) {
	e, err := schemas.Decode([]byte(validEvents[0].in))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		schemas.Encode(e)
	}
}

// BenchmarkScrub scrubs 1 MiB of text full of digits, separators and '@',
// as Invalid.Detail does with the largest rejected event: it must stay
// linear.
func BenchmarkScrub(b *testing.B) {
	var buf bytes.Buffer
	for buf.Len() < schemas.MaxEventBytes {
		buf.WriteString(`{"note":"call 030 1234 5678 or ann@example.com","at":"2026-11-02T09:00:41Z","n":12.5,"x":"@@1-2.3(4)"} `)
	}
	s := buf.String()[:schemas.MaxEventBytes]
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		schemas.Scrub(s)
	}
}
